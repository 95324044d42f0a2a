/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_VIRTIO_WORKER_H
#define VMM_VIRTIO_WORKER_H
/*
 * A virtio device's own thread: an event loop of its queues' kick eventfds and
 * its backend descriptors, which can be held still (its in-flight work
 * finished, no new work taken) and let go again from another thread. Device
 * types never touch these; virtio.c drives them.
 *
 * A worker is held for any of several reasons at once (the VM is paused; a
 * register write on a vCPU thread is changing what the worker reads), each
 * set and cleared on its own, and runs only while none is set. Each time it
 * runs again it first calls run(ctx): virtio.c re-checks every queue there,
 * as a kick may have been taken and dropped while it was held.
 */
#include <pthread.h>
#include <stdbool.h>

#include "base/event_loop.h"

/* Why a worker is held: bits of virtio_worker.hold. */
#define VIRTIO_HOLD_VM 1   /* the VM is paused, or has not run yet */
#define VIRTIO_HOLD_REGS 2 /* a register write (reset, DRIVER_OK) changes the queues */

struct virtio_worker {
	pthread_t thread;
	bool started;
	struct event_loop loop; /* this thread's own: every fd of the device */
	int ctl_fd;		/* eventfd: a hold or stop request is waiting */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	unsigned int hold; /* VIRTIO_HOLD_* bits; runs only at 0 */
	bool stop;	   /* asked to end */
	int state;	   /* enum in worker.c: running, held, stopped */
	void (*run)(void *ctx);
	void *ctx;
};

/* The loop, the control eventfd and the thread, held by VIRTIO_HOLD_VM; -errno, nothing kept. */
int virtio_worker_start(struct virtio_worker *w, void (*run)(void *ctx), void *ctx);
/* Sets reason and returns once the worker is still (done with the events it had taken). */
void virtio_worker_hold(struct virtio_worker *w, unsigned int reason);
/* Clears reason; the worker runs again (run first) once no reason is left. */
void virtio_worker_release(struct virtio_worker *w, unsigned int reason);
/* Ends the thread (from any state), then closes its loop and eventfd. */
void virtio_worker_stop(struct virtio_worker *w);

#endif
