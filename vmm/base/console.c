// SPDX-License-Identifier: GPL-2.0
/* Guest console output: a bounded ring that vCPUs fill and a writer thread drains. */
#include "base/console.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"

static void *console_writer(void *arg)
{
	struct console_out *c = arg;
	uint8_t chunk[CONSOLE_CHUNK];

	pthread_mutex_lock(&c->lock);
	for (;;) {
		size_t len, at, first;
		int ret;

		while (c->start == c->end && !c->quit) {
			c->waiting = true;
			pthread_cond_wait(&c->data, &c->lock);
			c->waiting = false;
		}
		if (c->start == c->end)
			break;
		len = c->end - c->start;
		len = len < sizeof(chunk) ? len : sizeof(chunk);
		at = c->start % c->size;
		first = c->size - at < len ? c->size - at : len;
		memcpy(chunk, c->ring + at, first);
		memcpy(chunk + first, c->ring, len - first);
		/* Out of the ring now: the producer cannot drop these while they are written. */
		c->start += len;
		if (c->broken) {
			c->dropped += len;
			pthread_cond_broadcast(&c->progress);
			continue;
		}
		c->busy = true;
		pthread_mutex_unlock(&c->lock);
		ret = fd_write_all(c->fd, chunk, len);
		pthread_mutex_lock(&c->lock);
		c->busy = false;
		if (ret) {
			/* A closed stdout must not stop the guest: drop its output from now. */
			c->broken = true;
			c->dropped += len;
		} else {
			c->written += len;
		}
		pthread_cond_broadcast(&c->progress);
	}
	pthread_mutex_unlock(&c->lock);
	return NULL;
}

int console_out_start(struct console_out *c, int fd, size_t size)
{
	pthread_condattr_t attr;
	int ret;

	memset(c, 0, sizeof(*c));
	c->fd = fd;
	c->size = size;
	c->ring = malloc(size);
	if (!c->ring)
		return -ENOMEM;
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->data, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&c->progress, &attr);
	pthread_condattr_destroy(&attr);
	ret = -thread_start(&c->thread, console_writer, c);
	if (ret) {
		pthread_cond_destroy(&c->progress);
		pthread_cond_destroy(&c->data);
		pthread_mutex_destroy(&c->lock);
		free(c->ring);
		c->ring = NULL;
		return -ret;
	}
	c->started = true;
	return 0;
}

void console_out_write(struct console_out *c, const uint8_t *buf, size_t len)
{
	size_t used, at, first;

	if (!c->started)
		return; /* no console (yet): nobody to show it to */
	pthread_mutex_lock(&c->lock);
	/* Only the newest size bytes can be kept; drop the oldest to make room for the rest. */
	if (len > c->size) {
		c->dropped += len - c->size;
		buf += len - c->size;
		len = c->size;
	}
	used = c->end - c->start;
	if (used + len > c->size) {
		c->dropped += used + len - c->size;
		c->start += used + len - c->size;
	}
	at = c->end % c->size;
	first = c->size - at < len ? c->size - at : len;
	memcpy(c->ring + at, buf, first);
	memcpy(c->ring, buf + first, len - first);
	c->end += len;
	if (c->waiting)
		pthread_cond_signal(&c->data);
	pthread_mutex_unlock(&c->lock);
}

static void deadline_in(struct timespec *t, int ms)
{
	clock_gettime(CLOCK_MONOTONIC, t);
	t->tv_sec += ms / 1000;
	t->tv_nsec += (long)(ms % 1000) * 1000000;
	if (t->tv_nsec >= 1000000000) {
		t->tv_sec++;
		t->tv_nsec -= 1000000000;
	}
}

bool console_out_flush(struct console_out *c, int idle_ms)
{
	struct timespec deadline;
	uint64_t done;
	bool empty;

	if (!c->started)
		return true;
	pthread_mutex_lock(&c->lock);
	done = c->start + c->written;
	deadline_in(&deadline, idle_ms);
	while ((c->start != c->end || c->busy) &&
	       pthread_cond_timedwait(&c->progress, &c->lock, &deadline) != ETIMEDOUT) {
		if (c->start + c->written != done) {
			done = c->start + c->written;
			deadline_in(&deadline, idle_ms);
		}
	}
	empty = c->start == c->end && !c->busy;
	pthread_mutex_unlock(&c->lock);
	return empty;
}

uint64_t console_out_dropped(struct console_out *c)
{
	uint64_t dropped;

	if (!c->started)
		return 0;
	pthread_mutex_lock(&c->lock);
	dropped = c->dropped;
	pthread_mutex_unlock(&c->lock);
	return dropped;
}

void console_out_stop(struct console_out *c)
{
	if (!c->started)
		return;
	pthread_mutex_lock(&c->lock);
	c->quit = true;
	pthread_cond_signal(&c->data);
	pthread_mutex_unlock(&c->lock);
	pthread_join(c->thread, NULL);
	pthread_cond_destroy(&c->progress);
	pthread_cond_destroy(&c->data);
	pthread_mutex_destroy(&c->lock);
	free(c->ring);
	c->ring = NULL;
	c->started = false;
}
