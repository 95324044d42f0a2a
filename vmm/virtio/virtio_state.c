// SPDX-License-Identifier: GPL-2.0
/*
 * The transport's part of a virtio device's snapshot section: the register
 * file and each queue's configuration and indices, then the device type's
 * own (vops->save). Saved with the worker held (the VM paused), restored
 * before it ever ran; a live device's queues are resolved in the restored
 * RAM again and activate runs on the worker's first turn.
 */
#include <errno.h>

#include "snapshot/format.h"
#include "virtio/virtio.h"
#include "virtio/virtio_internal.h"

#define QUEUE_SIGNALLED_VALID 1u
#define QUEUE_EVENT_IDX 2u
#define QUEUE_INDIRECT 4u
#define QUEUE_FLAGS (QUEUE_SIGNALLED_VALID | QUEUE_EVENT_IDX | QUEUE_INDIRECT)
#define STATUS_BITS                                                                           \
	(VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_DRIVER_OK |   \
	 VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_NEEDS_RESET | VIRTIO_CONFIG_S_FAILED)

static int save_queue(const struct virtq *vq, struct snap_writer *w)
{
	uint32_t flags = (vq->signalled_valid ? QUEUE_SIGNALLED_VALID : 0) |
			 (vq->event_idx ? QUEUE_EVENT_IDX : 0) | (vq->indirect ? QUEUE_INDIRECT : 0);
	int ret;

	ret = snap_put_u32(w, vq->size);
	ret = ret ?: snap_put_u32(w, vq->ready);
	ret = ret ?: snap_put_u64(w, vq->desc_gpa);
	ret = ret ?: snap_put_u64(w, vq->avail_gpa);
	ret = ret ?: snap_put_u64(w, vq->used_gpa);
	ret = ret ?: snap_put_u32(w, vq->last_avail);
	ret = ret ?: snap_put_u32(w, vq->used_idx);
	ret = ret ?: snap_put_u32(w, vq->signalled_used);
	return ret ?: snap_put_u32(w, flags);
}

int virtio_dev_save(struct device *dev, struct snap_writer *w)
{
	struct virtio_dev *vd = (struct virtio_dev *)dev;
	unsigned int q;
	int ret;

	pthread_mutex_lock(&vd->lock);
	ret = snap_put_u32(w, __atomic_load_n(&vd->status, __ATOMIC_SEQ_CST));
	ret = ret ?: snap_put_u32(w, vd->device_features_sel);
	ret = ret ?: snap_put_u32(w, vd->driver_features_sel);
	ret = ret ?: snap_put_u32(w, vd->queue_sel);
	ret = ret ?: snap_put_u64(w, vd->driver_features);
	ret = ret ?: snap_put_u32(w, __atomic_load_n(&vd->config_generation, __ATOMIC_SEQ_CST));
	ret = ret ?: snap_put_u32(w, __atomic_load_n(&vd->interrupt_status, __ATOMIC_SEQ_CST));
	ret = ret ?: snap_put_u32(w, vd->vops->nr_queues);
	for (q = 0; q < vd->vops->nr_queues && !ret; q++)
		ret = save_queue(&vd->vqs[q], w);
	pthread_mutex_unlock(&vd->lock);
	if (!ret && vd->vops->save)
		ret = vd->vops->save(vd, w);
	return ret;
}

static int get_u16(struct snap_section *s, uint16_t *v)
{
	uint32_t x;
	int ret = snap_get_u32(s, &x);

	if (!ret && x > 0xffff)
		ret = -EINVAL;
	if (!ret)
		*v = x;
	return ret;
}

static int restore_queue(struct virtq *vq, struct snap_section *s)
{
	uint32_t ready, flags;
	int ret;

	virtq_reset(vq);
	ret = get_u16(s, &vq->size);
	ret = ret ?: snap_get_u32(s, &ready);
	ret = ret ?: snap_get_u64(s, &vq->desc_gpa);
	ret = ret ?: snap_get_u64(s, &vq->avail_gpa);
	ret = ret ?: snap_get_u64(s, &vq->used_gpa);
	ret = ret ?: get_u16(s, &vq->last_avail);
	ret = ret ?: get_u16(s, &vq->used_idx);
	ret = ret ?: get_u16(s, &vq->signalled_used);
	ret = ret ?: snap_get_u32(s, &flags);
	if (!ret && (vq->size > VIRTQ_MAX_SIZE || ready > 1 || (flags & ~QUEUE_FLAGS)))
		ret = -EINVAL;
	vq->ready = ready;
	vq->signalled_valid = flags & QUEUE_SIGNALLED_VALID;
	vq->event_idx = flags & QUEUE_EVENT_IDX;
	vq->indirect = flags & QUEUE_INDIRECT;
	return ret;
}

static int restore_registers(struct virtio_dev *vd, struct snap_section *s)
{
	uint32_t status, generation, isr, nr;
	int ret;

	ret = snap_get_u32(s, &status);
	ret = ret ?: snap_get_u32(s, &vd->device_features_sel);
	ret = ret ?: snap_get_u32(s, &vd->driver_features_sel);
	ret = ret ?: snap_get_u32(s, &vd->queue_sel);
	ret = ret ?: snap_get_u64(s, &vd->driver_features);
	ret = ret ?: snap_get_u32(s, &generation);
	ret = ret ?: snap_get_u32(s, &isr);
	ret = ret ?: snap_get_u32(s, &nr);
	if (!ret && ((status & ~STATUS_BITS) || isr > 3 || nr != vd->vops->nr_queues))
		ret = -EINVAL;
	__atomic_store_n(&vd->status, status, __ATOMIC_SEQ_CST);
	__atomic_store_n(&vd->config_generation, generation, __ATOMIC_SEQ_CST);
	__atomic_store_n(&vd->interrupt_status, isr, __ATOMIC_SEQ_CST);
	__atomic_store_n(&vd->broken, (status & VIRTIO_CONFIG_S_NEEDS_RESET) != 0, __ATOMIC_SEQ_CST);
	return ret;
}

/* The saved indices survive virtq_activate, which resolves the rings in this VM's RAM. */
static int reactivate(struct virtio_dev *vd)
{
	uint16_t idx[VIRTIO_MAX_QUEUES][3];
	unsigned int q, n = vd->vops->nr_queues;
	int ret;

	for (q = 0; q < n; q++) {
		idx[q][0] = vd->vqs[q].last_avail;
		idx[q][1] = vd->vqs[q].used_idx;
		idx[q][2] = vd->vqs[q].signalled_used;
	}
	ret = virtio_activate_queues(vd);
	for (q = 0; q < n; q++) {
		vd->vqs[q].last_avail = idx[q][0];
		vd->vqs[q].used_idx = idx[q][1];
		vd->vqs[q].signalled_used = idx[q][2];
	}
	return ret;
}

int virtio_dev_restore(struct device *dev, struct snap_section *s)
{
	struct virtio_dev *vd = (struct virtio_dev *)dev;
	bool signalled[VIRTIO_MAX_QUEUES];
	unsigned int q;
	uint32_t status;
	int ret;

	virtio_worker_hold(&vd->worker, VIRTIO_HOLD_REGS);
	pthread_mutex_lock(&vd->lock);
	ret = restore_registers(vd, s);
	for (q = 0; q < vd->vops->nr_queues && !ret; q++)
		ret = restore_queue(&vd->vqs[q], s);
	status = __atomic_load_n(&vd->status, __ATOMIC_SEQ_CST);
	for (q = 0; q < vd->vops->nr_queues; q++)
		signalled[q] = vd->vqs[q].signalled_valid;
	/* A live device must find its rings in RAM again; a broken one waits for its reset. */
	if (!ret && (status & VIRTIO_CONFIG_S_DRIVER_OK) && !vd->broken) {
		ret = reactivate(vd);
		vd->activate_pending = !ret;
	}
	for (q = 0; q < vd->vops->nr_queues; q++)
		vd->vqs[q].signalled_valid = signalled[q];
	pthread_mutex_unlock(&vd->lock);
	if (!ret && vd->vops->restore)
		ret = vd->vops->restore(vd, s);
	virtio_worker_release(&vd->worker, VIRTIO_HOLD_REGS);
	return ret;
}
