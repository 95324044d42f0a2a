/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_VIRTIO_WORKER_H
#define VMM_VIRTIO_WORKER_H
/*
 * A virtio device's own thread: an event loop of its queues' kick eventfds and
 * its backend descriptors, which can be paused (in-flight work finished, no
 * new work taken) and resumed from another thread. Device types never touch
 * these fields; virtio.c drives them.
 */
#include <pthread.h>
#include <stdbool.h>

#include "base/event_loop.h"

struct virtio_worker {
	pthread_t thread;
	bool started;
	struct event_loop loop; /* this thread's own: every fd of the device */
	int ctl_fd;		/* eventfd: a pause, resume or stop request is waiting */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int want, state; /* enum in worker.c: running, paused, stopped */
};

#endif
