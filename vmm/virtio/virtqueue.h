/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_VIRTQUEUE_H
#define VMM_VIRTQUEUE_H
/*
 * A split virtqueue (virtio 1.x, 2.7) as the device side walks it: no KVM,
 * no threads, every guest address through guest_mem. What the driver wrote is
 * untrusted: a descriptor outside RAM, a chain that loops or is longer than
 * the queue, an indirect table inside an indirect table, lengths that
 * overflow, are each refused with a negative errno and nothing is consumed;
 * the caller then marks its device broken (virtio.h: virtio_dev_broken).
 *
 * One thread at a time uses a queue: the device's worker (virtio/worker.h).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "board/guest_mem.h"

#define VIRTQ_MAX_SIZE 256 /* QueueNumMax we offer: a power of 2 (2.7: queue size) */
/* Segments one chain may have, direct and indirect together; more is -E2BIG. */
#define VIRTQ_CHAIN_MAX VIRTQ_MAX_SIZE

/* Descriptor flags and ring flags (2.7.5, 2.7.6, 2.7.8). */
#define VIRTQ_DESC_F_NEXT 1
#define VIRTQ_DESC_F_WRITE 2
#define VIRTQ_DESC_F_INDIRECT 4
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1
#define VIRTQ_USED_F_NO_NOTIFY 1

struct virtq {
	/* What the driver configured through the transport. */
	uint16_t size; /* QueueNum: a power of 2, at most VIRTQ_MAX_SIZE */
	bool ready;
	uint64_t desc_gpa, avail_gpa, used_gpa;
	/* Negotiated: VIRTIO_RING_F_EVENT_IDX, VIRTIO_RING_F_INDIRECT_DESC. */
	bool event_idx, indirect;

	/* The device's own indices, the state a snapshot keeps. */
	uint16_t last_avail;	 /* the next avail ring entry to take */
	uint16_t used_idx;	 /* the next used ring entry to fill (the used ring's idx) */
	uint16_t signalled_used; /* used_idx at the last virtq_should_notify (with EVENT_IDX) */
	bool signalled_valid;	 /* false until the first such check: then always notify */

	/* Resolved by virtq_activate; NULL until then. */
	const struct guest_mem *mem;
	void *desc, *avail, *used;
};

/*
 * One request: its device-readable segments, then its device-writable ones,
 * as host pointers into guest RAM, each already checked to lie within it.
 */
struct virtq_chain {
	uint16_t head; /* what virtq_push hands back */
	unsigned int nr_out, nr_in;
	struct iovec out[VIRTQ_CHAIN_MAX], in[VIRTQ_CHAIN_MAX];
	size_t out_len, in_len; /* totals; the walker refuses out_len + in_len past 2^32 - 1 */
};

/* Back to the reset state (ready false, indices 0, nothing resolved). */
void virtq_reset(struct virtq *vq);
/*
 * After DRIVER_OK (or on restore): checks size and alignment, resolves the
 * three rings in mem. -EINVAL for a bad size or alignment, -EFAULT for a ring
 * not all in RAM.
 */
int virtq_activate(struct virtq *vq, const struct guest_mem *mem);
/*
 * Takes the next available chain into *chain: 1 taken, 0 none available,
 * -errno (nothing taken) when the driver broke the ring or the chain:
 * -EFAULT outside RAM, -ELOOP a loop or longer than the queue, -E2BIG more
 * than VIRTQ_CHAIN_MAX segments (or indirect entries), -EINVAL a descriptor
 * index past its table, an indirect table not negotiated, nested, chained, or
 * not a non-zero multiple of 16 bytes, or a readable segment after a writable
 * one, -EOVERFLOW lengths past 2^32,
 * -EPROTO an avail index more than size ahead.
 */
int virtq_pop(struct virtq *vq, struct virtq_chain *chain);
/*
 * Gives back the last n chains taken and not pushed: they are taken again
 * next time (a network packet that turned out not to fit the buffers).
 */
void virtq_unpop(struct virtq *vq, uint16_t n);
/* Hands head back on the used ring, len bytes written into its writable segments. */
void virtq_push(struct virtq *vq, uint16_t head, uint32_t len);
/*
 * After one or more pushes: whether the driver asked to be interrupted now
 * (used_event with EVENT_IDX, else no VIRTQ_AVAIL_F_NO_INTERRUPT). Updates
 * signalled_used on each call with EVENT_IDX, so the window it tests (what was
 * pushed since the last call) never wraps.
 */
bool virtq_should_notify(struct virtq *vq);
/*
 * Before the device sleeps on the queue: asks the driver to kick again
 * (avail_event = last_avail with EVENT_IDX, else clears NO_NOTIFY). Returns
 * true when more became available meanwhile: pop again instead of sleeping.
 */
bool virtq_enable_notify(struct virtq *vq);
/* While the device is busy on the queue: the driver need not kick. */
void virtq_disable_notify(struct virtq *vq);

/* Copies between a chain's segments and a flat buffer, from byte offset; returns bytes copied. */
size_t iov_to_buf(const struct iovec *iov, unsigned int nr, size_t offset, void *buf, size_t len);
size_t iov_from_buf(const struct iovec *iov, unsigned int nr, size_t offset, const void *buf,
		    size_t len);

#endif
