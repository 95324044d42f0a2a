/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_BASE_EVENT_LOOP_H
#define VMM_BASE_EVENT_LOOP_H
/*
 * The main thread's event loop (epoll). Whatever owns a descriptor registers
 * it with a callback: the console, the signalfd, the control socket and its
 * clients, and later disks, network backends and migration streams. The loop
 * knows nothing of their types. Only the main thread calls these.
 *
 * (The interface is fixed here so that devices and the loop can be built side
 * by side; base/event_loop.c implements it.)
 */
#include <stdbool.h>
#include <stdint.h>

/* events: EPOLLIN, EPOLLOUT, EPOLLHUP, EPOLLERR as epoll_wait reported them. */
typedef void (*event_fn)(void *ctx, int fd, uint32_t events);

struct event_loop;

/* Adds fd, watched for events (EPOLLIN...); -EEXIST when fd is there already, -errno. */
int event_loop_add(struct event_loop *loop, int fd, uint32_t events, event_fn fn, void *ctx);
/* Changes what fd is watched for; -ENOENT when fd is not registered. */
int event_loop_modify(struct event_loop *loop, int fd, uint32_t events);
/* Forgets fd (before its owner closes it); safe from within any callback. */
void event_loop_del(struct event_loop *loop, int fd);

#endif
