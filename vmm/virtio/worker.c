// SPDX-License-Identifier: GPL-2.0
/*
 * A virtio device's thread (worker.h). Holding it is a handshake under
 * w->lock: the holder sets its reason and wakes the loop through ctl_fd; the
 * worker, between two turns of its loop, sees the reason, says it is held
 * and sleeps on w->cond. A turn's callbacks run to their end first, so a
 * holder never sees a request half done.
 */
#include "virtio/worker.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "base/util.h"

enum { WORKER_RUNNING, WORKER_HELD, WORKER_STOPPED };

static void worker_wake(struct virtio_worker *w)
{
	uint64_t one = 1;

	/* A full counter (never, at 2^64 - 2) still leaves the loop woken. */
	if (write(w->ctl_fd, &one, sizeof(one)) < 0) {
	}
}

/* The loop only needs waking: what was asked is read under w->lock. */
static void worker_ctl_event(void *ctx, int fd, uint32_t events)
{
	uint64_t n;

	(void)ctx;
	(void)events;
	if (read(fd, &n, sizeof(n)) < 0) {
		/* EAGAIN: another turn read it already */
	}
}

static void worker_set_state(struct virtio_worker *w, int state)
{
	if (w->state != state) {
		w->state = state;
		pthread_cond_broadcast(&w->cond);
	}
}

/* Between turns: false when the worker is to end; *resumed when it was held and now runs. */
static bool worker_wait_runnable(struct virtio_worker *w, bool *resumed)
{
	bool run;

	pthread_mutex_lock(&w->lock);
	*resumed = false;
	while (w->hold && !w->stop) {
		worker_set_state(w, WORKER_HELD);
		pthread_cond_wait(&w->cond, &w->lock);
		*resumed = true;
	}
	run = !w->stop;
	worker_set_state(w, run ? WORKER_RUNNING : WORKER_STOPPED);
	pthread_mutex_unlock(&w->lock);
	return run;
}

static void worker_fail(struct virtio_worker *w, int err)
{
	vmm_err("virtio worker: cannot wait for events (epoll): %s; the device stops",
		strerror(-err));
	pthread_mutex_lock(&w->lock);
	worker_set_state(w, WORKER_STOPPED);
	pthread_mutex_unlock(&w->lock);
}

static void *worker_main(void *arg)
{
	struct virtio_worker *w = arg;
	bool resumed;
	int ret;

	while (worker_wait_runnable(w, &resumed)) {
		if (resumed && w->run)
			w->run(w->ctx);
		ret = event_loop_run_once(&w->loop, -1);
		if (ret < 0 && ret != -EINTR) {
			worker_fail(w, ret);
			break;
		}
	}
	return NULL;
}

static void worker_close(struct virtio_worker *w)
{
	event_loop_close(&w->loop);
	if (w->ctl_fd >= 0)
		close(w->ctl_fd);
	w->ctl_fd = -1;
	pthread_cond_destroy(&w->cond);
	pthread_mutex_destroy(&w->lock);
}

int virtio_worker_start(struct virtio_worker *w, void (*run)(void *ctx), void *ctx)
{
	int ret;

	memset(w, 0, sizeof(*w));
	w->run = run;
	w->ctx = ctx;
	w->hold = VIRTIO_HOLD_VM; /* until the machine first runs */
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	w->ctl_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	ret = w->ctl_fd < 0 ? -errno : event_loop_init(&w->loop);
	ret = ret ?: event_loop_add(&w->loop, w->ctl_fd, EPOLLIN, worker_ctl_event, w);
	ret = ret ?: -pthread_create(&w->thread, NULL, worker_main, w);
	if (ret) {
		worker_close(w);
		return ret;
	}
	w->started = true;
	return 0;
}

void virtio_worker_hold(struct virtio_worker *w, unsigned int reason)
{
	pthread_mutex_lock(&w->lock);
	w->hold |= reason;
	worker_wake(w);
	while (w->state == WORKER_RUNNING)
		pthread_cond_wait(&w->cond, &w->lock);
	pthread_mutex_unlock(&w->lock);
}

void virtio_worker_release(struct virtio_worker *w, unsigned int reason)
{
	pthread_mutex_lock(&w->lock);
	w->hold &= ~reason;
	if (!w->hold)
		pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

void virtio_worker_stop(struct virtio_worker *w)
{
	if (!w->started)
		return;
	pthread_mutex_lock(&w->lock);
	w->stop = true;
	worker_wake(w);
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	w->started = false;
	worker_close(w);
}
