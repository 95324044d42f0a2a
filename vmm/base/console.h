/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_CONSOLE_H
#define VMM_CONSOLE_H

/*
 * Guest console output. A vCPU hands the bytes the guest writes to the UART to
 * console_out_write, which only copies them into a bounded ring under a small
 * lock of its own: it never waits for the reader. A writer thread of the
 * console's own copies the ring to the output descriptor with plain blocking
 * writes, so a reader that stalls (a pipe nobody reads, a suspended terminal)
 * stalls that thread alone. When the ring is full, the oldest bytes are dropped
 * and counted: the guest never waits, and what is kept is the newest output.
 *
 * A thread rather than O_NONBLOCK: the file status flags belong to the open file
 * description, which vmm shares with its parent (a shell's terminal), and poll's
 * POLLOUT does not promise that a write of any size will not block on a tty.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONSOLE_RING_SIZE (64 * 1024)
#define CONSOLE_CHUNK 4096 /* the most the writer takes out of the ring for one write */

struct console_out {
	pthread_mutex_t lock;	 /* never held across I/O */
	pthread_cond_t data;	 /* the writer waits for bytes on it */
	pthread_cond_t progress; /* console_out_flush waits on it (CLOCK_MONOTONIC) */
	pthread_t thread;
	int fd;
	uint8_t *ring;
	size_t size;
	uint64_t start, end; /* the ring holds the bytes numbered [start, end) since creation */
	uint64_t written;    /* bytes the descriptor took */
	uint64_t dropped;    /* bytes dropped: the ring was full, or the descriptor failed */
	bool busy;	     /* the writer holds a chunk taken out of the ring */
	bool waiting;	     /* the writer sleeps on data */
	bool broken;	     /* the descriptor failed (EPIPE, EBADF...): everything is dropped */
	bool quit;
	bool started;
};

/* Allocates a ring of size bytes and starts the writer on fd; -errno on failure. */
int console_out_start(struct console_out *c, int fd, size_t size);
/* From any thread, with any device lock held: never blocks on I/O. */
void console_out_write(struct console_out *c, const uint8_t *buf, size_t len);
/*
 * Waits until every byte given so far is written or dropped, giving up once
 * idle_ms pass without the writer making progress. Returns true when nothing is
 * left. A stalled reader costs idle_ms, never more.
 */
bool console_out_flush(struct console_out *c, int idle_ms);
uint64_t console_out_dropped(struct console_out *c);
/*
 * Stops the writer and frees the ring. The writer must be able to finish: call
 * it only once console_out_flush returned true, or the reader is gone. vmm never
 * stops its console; the unit tests do.
 */
void console_out_stop(struct console_out *c);

#endif
