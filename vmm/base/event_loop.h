/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_BASE_EVENT_LOOP_H
#define VMM_BASE_EVENT_LOOP_H
/*
 * The main thread's event loop (epoll). Whatever owns a descriptor registers
 * it with a callback: the console, the signalfd, the control socket and its
 * clients, and later disks, network backends and migration streams. The loop
 * knows nothing of their types. Only the main thread calls these.
 *
 * Work that is not a descriptor's (a deadline, a retry, a task done a piece at
 * a time) registers a turn hook: it runs before each wait and says how long
 * the loop may sleep.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* events: EPOLLIN, EPOLLOUT, EPOLLHUP, EPOLLERR as epoll_wait reported them. */
typedef void (*event_fn)(void *ctx, int fd, uint32_t events);
/*
 * Before each wait: does its per-turn work and returns the longest the loop
 * may sleep, in milliseconds (0: not at all), or -1 for as long as it likes.
 */
typedef int (*event_turn_fn)(void *ctx);

struct event_source {
	int fd;		     /* -1: the slot is free */
	uint32_t generation; /* bumped when the slot is freed: stale events are dropped */
	event_fn fn;
	void *ctx;
};

struct event_turn {
	event_turn_fn fn;
	void *ctx;
};

/* Embeddable; event_loop_init fills it. */
struct event_loop {
	int epoll_fd;
	struct event_source *sources; /* indexed by slot; epoll's data names slot and generation */
	size_t nr_sources;
	struct event_turn *turns;
	size_t nr_turns;
};

/* -errno; a loop that failed to initialise may still be closed. */
int event_loop_init(struct event_loop *loop);
/* Forgets every descriptor (closing none of them) and the epoll instance. */
void event_loop_close(struct event_loop *loop);

/* Adds fd, watched for events (EPOLLIN...); -EEXIST when fd is there already, -errno. */
int event_loop_add(struct event_loop *loop, int fd, uint32_t events, event_fn fn, void *ctx);
/* Changes what fd is watched for; -ENOENT when fd is not registered. */
int event_loop_modify(struct event_loop *loop, int fd, uint32_t events);
/* Forgets fd (before its owner closes it); safe from within any callback. */
void event_loop_del(struct event_loop *loop, int fd);

/* -ENOMEM; a hook may be added twice, and then runs twice. */
int event_loop_add_turn(struct event_loop *loop, event_turn_fn fn, void *ctx);
/* Forgets the first hook registered with fn and ctx. */
void event_loop_del_turn(struct event_loop *loop, event_turn_fn fn, void *ctx);

/*
 * One turn: the turn hooks, then one wait of at most timeout_ms (-1: no limit
 * of the caller's; the hooks may shorten it), then the callback of each ready
 * descriptor. Returns how many callbacks ran, or -errno when the wait failed
 * (-EINTR included: the caller decides whether to go round again).
 */
int event_loop_run_once(struct event_loop *loop, int timeout_ms);

#endif
