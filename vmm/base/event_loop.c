// SPDX-License-Identifier: GPL-2.0
/* The main thread's epoll loop: descriptors with callbacks, and turn hooks with timeouts. */
#include "base/event_loop.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

/* Events taken per wait; more wait for the next turn, which comes at once. */
#define EVENT_BATCH 32

/*
 * epoll hands back what was registered: the slot and its generation, not a
 * pointer, so that a callback may delete (and free the owner of) a descriptor
 * whose event is still pending in the same batch, or register another fd in
 * the freed slot, and the stale event is recognised and dropped.
 */
static uint64_t event_data(size_t slot, uint32_t generation)
{
	return (uint64_t)generation << 32 | (uint32_t)slot;
}

int event_loop_init(struct event_loop *loop)
{
	loop->sources = NULL;
	loop->nr_sources = 0;
	loop->turns = NULL;
	loop->nr_turns = 0;
	loop->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	return loop->epoll_fd < 0 ? -errno : 0;
}

void event_loop_close(struct event_loop *loop)
{
	if (loop->epoll_fd >= 0)
		close(loop->epoll_fd);
	loop->epoll_fd = -1;
	free(loop->sources);
	loop->sources = NULL;
	loop->nr_sources = 0;
	free(loop->turns);
	loop->turns = NULL;
	loop->nr_turns = 0;
}

static struct event_source *find_source(struct event_loop *loop, int fd)
{
	size_t i;

	for (i = 0; i < loop->nr_sources; i++)
		if (loop->sources[i].fd == fd)
			return &loop->sources[i];
	return NULL;
}

/* A free slot, growing the table when there is none; NULL when memory ran out. */
static struct event_source *free_source(struct event_loop *loop)
{
	struct event_source *grown, *s = find_source(loop, -1);
	size_t n, i;

	if (s)
		return s;
	n = loop->nr_sources ? loop->nr_sources * 2 : 8;
	grown = realloc(loop->sources, n * sizeof(*grown));
	if (!grown)
		return NULL;
	for (i = loop->nr_sources; i < n; i++)
		grown[i] = (struct event_source){ .fd = -1 };
	s = &grown[loop->nr_sources];
	loop->sources = grown;
	loop->nr_sources = n;
	return s;
}

int event_loop_add(struct event_loop *loop, int fd, uint32_t events, event_fn fn, void *ctx)
{
	struct epoll_event ev = { .events = events };
	struct event_source *s;

	if (fd < 0)
		return -EBADF;
	if (find_source(loop, fd))
		return -EEXIST;
	s = free_source(loop);
	if (!s)
		return -ENOMEM;
	ev.data.u64 = event_data(s - loop->sources, s->generation);
	if (epoll_ctl(loop->epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0)
		return -errno;
	s->fd = fd;
	s->fn = fn;
	s->ctx = ctx;
	return 0;
}

int event_loop_modify(struct event_loop *loop, int fd, uint32_t events)
{
	struct event_source *s = fd < 0 ? NULL : find_source(loop, fd);
	struct epoll_event ev = { .events = events };

	if (!s)
		return -ENOENT;
	ev.data.u64 = event_data(s - loop->sources, s->generation);
	return epoll_ctl(loop->epoll_fd, EPOLL_CTL_MOD, fd, &ev) < 0 ? -errno : 0;
}

void event_loop_del(struct event_loop *loop, int fd)
{
	struct event_source *s = fd < 0 ? NULL : find_source(loop, fd);

	if (!s)
		return;
	/* Fails only when the owner closed fd first, which removed it from epoll already. */
	epoll_ctl(loop->epoll_fd, EPOLL_CTL_DEL, fd, NULL);
	*s = (struct event_source){ .fd = -1, .generation = s->generation + 1 };
}

int event_loop_add_turn(struct event_loop *loop, event_turn_fn fn, void *ctx)
{
	struct event_turn *grown;
	size_t i;

	for (i = 0; i < loop->nr_turns; i++) {
		if (!loop->turns[i].fn) {
			loop->turns[i] = (struct event_turn){ fn, ctx };
			return 0;
		}
	}
	grown = realloc(loop->turns, (loop->nr_turns + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	grown[loop->nr_turns++] = (struct event_turn){ fn, ctx };
	loop->turns = grown;
	return 0;
}

/* The slot stays, emptied: a hook may delete itself or another while the hooks run. */
void event_loop_del_turn(struct event_loop *loop, event_turn_fn fn, void *ctx)
{
	size_t i;

	for (i = 0; i < loop->nr_turns; i++) {
		if (loop->turns[i].fn == fn && loop->turns[i].ctx == ctx) {
			loop->turns[i] = (struct event_turn){ NULL, NULL };
			return;
		}
	}
}

/* The shorter of two timeouts, -1 being the longest. */
static int shorter(int a, int b)
{
	if (a < 0)
		return b;
	if (b < 0)
		return a;
	return a < b ? a : b;
}

static int run_turn_hooks(struct event_loop *loop, int timeout_ms)
{
	size_t i;

	for (i = 0; i < loop->nr_turns; i++) {
		struct event_turn t = loop->turns[i];

		if (t.fn)
			timeout_ms = shorter(timeout_ms, t.fn(t.ctx));
	}
	return timeout_ms;
}

/* The callback for one event, or none when its descriptor was deleted since the wait. */
static int dispatch(struct event_loop *loop, const struct epoll_event *ev)
{
	size_t slot = (uint32_t)ev->data.u64;
	uint32_t generation = ev->data.u64 >> 32;
	struct event_source s;

	if (slot >= loop->nr_sources)
		return 0;
	s = loop->sources[slot];
	if (s.fd < 0 || s.generation != generation)
		return 0;
	s.fn(s.ctx, s.fd, ev->events);
	return 1;
}

int event_loop_run_once(struct event_loop *loop, int timeout_ms)
{
	struct epoll_event events[EVENT_BATCH];
	int n, i, ran = 0;

	timeout_ms = run_turn_hooks(loop, timeout_ms);
	n = epoll_wait(loop->epoll_fd, events, EVENT_BATCH, timeout_ms);
	if (n < 0)
		return -errno;
	for (i = 0; i < n; i++)
		ran += dispatch(loop, &events[i]);
	return ran;
}
