/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_VIRTIO_H
#define VMM_VIRTIO_H
/*
 * A virtio device over the virtio-mmio transport (virtio 1.x, 4.2; modern
 * only). A device type (dev/virtio_blk.c, virtio_net.c, virtio_rng.c) embeds
 * struct virtio_dev first, fills in a struct virtio_dev_ops, and the core does
 * the rest: the register file, feature negotiation, the queues, the device
 * tree node, the worker thread, interrupts and snapshot of the transport.
 *
 * Threads. Register accesses come from vCPU threads (MMIO exits), under
 * vd->lock. Queue kicks never run device code on a vCPU: each queue has an
 * eventfd that KVM signals on a QueueNotify write (an ioeventfd), and the
 * device's worker thread waits on those and on the backend descriptors the
 * device registered (virtio_watch). Every virtio_dev_ops callback below marked
 * "worker" runs on that thread only, so a device needs no lock of its own for
 * its queues. Interrupts go out through an eventfd KVM turns into the SPI (an
 * irqfd, edge-triggered); without KVM (unit tests) the core falls back to
 * signalling the kick eventfd itself and to the machine's irq_set hook.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "board/device.h"
#include "virtio/virtqueue.h"
#include "virtio/worker.h"

struct snap_section;
struct snap_writer;

/* Device IDs (5). */
#define VIRTIO_ID_NET 1
#define VIRTIO_ID_BLOCK 2
#define VIRTIO_ID_RNG 4

/* Device status bits (2.1). */
#define VIRTIO_CONFIG_S_ACKNOWLEDGE 1
#define VIRTIO_CONFIG_S_DRIVER 2
#define VIRTIO_CONFIG_S_DRIVER_OK 4
#define VIRTIO_CONFIG_S_FEATURES_OK 8
#define VIRTIO_CONFIG_S_NEEDS_RESET 0x40
#define VIRTIO_CONFIG_S_FAILED 0x80

/* Transport feature bits the core offers for every device (6). */
#define VIRTIO_RING_F_INDIRECT_DESC 28
#define VIRTIO_RING_F_EVENT_IDX 29
#define VIRTIO_F_VERSION_1 32

/* InterruptStatus bits (4.2.2). */
#define VIRTIO_MMIO_INT_VRING 1
#define VIRTIO_MMIO_INT_CONFIG 2

#define VIRTIO_MAX_QUEUES 4

struct virtio_dev;

struct virtio_dev_ops {
	uint32_t device_id; /* VIRTIO_ID_* */
	unsigned int nr_queues;
	/* The device type's own feature bits; the core adds VERSION_1, INDIRECT_DESC, EVENT_IDX. */
	uint64_t features;
	uint32_t config_size; /* bytes of device configuration space at 0x100 */
	/* vCPU thread, under vd->lock: the device configuration space (offset from 0x100). */
	void (*config_read)(struct virtio_dev *vd, uint32_t offset, void *buf, unsigned int len);
	void (*config_write)(struct virtio_dev *vd, uint32_t offset, const void *buf,
			     unsigned int len); /* may be NULL: writes ignored */
	/*
	 * worker: the device goes live, every ready queue activated: the driver
	 * set DRIVER_OK, or a snapshot of a live device was restored (after
	 * restore below read the device type's own state back, which activate
	 * must keep). -errno: broken. May be NULL.
	 */
	int (*activate)(struct virtio_dev *vd);
	/* worker: queue q was kicked, or is re-checked (after activate, resume, restore). */
	void (*queue_event)(struct virtio_dev *vd, unsigned int q);
	/*
	 * worker: a descriptor the device registered with virtio_watch is ready;
	 * called whether or not the queues are live (virtio_queues_live).
	 */
	void (*backend_event)(struct virtio_dev *vd, int fd, uint32_t events);
	/* worker: the driver reset the device (status 0); the core then resets the queues. */
	void (*reset)(struct virtio_dev *vd);
	/*
	 * The device type's state beyond the transport's, appended to the
	 * device's snapshot section (after the core's own), and read back in the
	 * same order; called with the worker paused. Either may be NULL.
	 */
	int (*save)(struct virtio_dev *vd, struct snap_writer *w);
	int (*restore)(struct virtio_dev *vd, struct snap_section *s);
	/* Releases the device type's own resources, after the worker stopped. */
	void (*destroy)(struct virtio_dev *vd);
};

struct virtio_dev {
	struct device dev; /* first: what the machine sees */
	const struct virtio_dev_ops *vops;
	bool verbose; /* one line on stderr when the driver breaks the device */

	pthread_mutex_t lock; /* the register file below */
	uint32_t status;
	uint32_t device_features_sel, driver_features_sel, queue_sel;
	uint64_t driver_features;
	uint32_t config_generation;
	uint32_t interrupt_status; /* atomic: the worker sets, the driver's ACK clears */
	struct virtq vqs[VIRTIO_MAX_QUEUES];
	/*
	 * status is read and written atomically: the worker sets NEEDS_RESET
	 * (virtio_dev_broken) without vd->lock, which a vCPU may hold while it
	 * waits for the worker to be still.
	 */
	bool activate_pending; /* DRIVER_OK or a restore: the worker activates on its next run */
	bool live;	       /* worker: activated; kicks reach queue_event */
	bool broken;	       /* atomic: NEEDS_RESET, queues left alone until a reset */

	int kick_fd[VIRTIO_MAX_QUEUES]; /* eventfds: KVM's ioeventfds on QueueNotify */
	int irq_fd; /* eventfd: KVM's irqfd on the device's SPI; -1 without the hook */
	struct virtio_worker worker;
};

/*
 * For a device model's init, after its own fields are set: the register file's
 * reset state, the eventfds (and their ioeventfd and irqfd through the
 * machine's hooks) and the worker thread, started paused until the machine
 * runs. -errno, with nothing left to release.
 */
int virtio_dev_init(struct virtio_dev *vd, const struct virtio_dev_ops *vops);

/* The struct device_ops every virtio device model uses, with its name ("virtio-blk"). */
#define VIRTIO_DEVICE_OPS(NAME)                                                                   \
	{                                                                                         \
		.name = (NAME), .mmio = virtio_dev_mmio, .fdt_node = virtio_dev_fdt_node,         \
		.save = virtio_dev_save, .restore = virtio_dev_restore, .pause = virtio_dev_pause, \
		.resume = virtio_dev_resume, .destroy = virtio_dev_destroy,                       \
	}

void virtio_dev_mmio(struct device *dev, uint64_t offset, uint8_t *data, unsigned int len,
		     bool is_write);
int virtio_dev_fdt_node(struct device *dev, void *fdt);
int virtio_dev_save(struct device *dev, struct snap_writer *w);
int virtio_dev_restore(struct device *dev, struct snap_section *s);
void virtio_dev_pause(struct device *dev);
void virtio_dev_resume(struct device *dev);
void virtio_dev_destroy(struct device *dev);

/* worker: the queues are processed (activated, not broken). */
bool virtio_queues_live(const struct virtio_dev *vd);
/* worker: whether feature bit was negotiated. */
bool virtio_has_feature(const struct virtio_dev *vd, unsigned int bit);
/* worker: after pushing used entries on queue q, interrupts the driver if it asked for one. */
void virtio_notify(struct virtio_dev *vd, unsigned int q);
/* worker: the device configuration changed (a disk resized, a link went down). */
void virtio_notify_config(struct virtio_dev *vd);
/*
 * worker: the driver broke the device (a bad chain, a ring outside RAM): sets
 * DEVICE_NEEDS_RESET, interrupts with a configuration change, stops
 * processing its queues until the driver resets it; one line under -v.
 */
void virtio_dev_broken(struct virtio_dev *vd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* worker (or init): a backend descriptor on the worker's loop, backend_event when ready. */
int virtio_watch(struct virtio_dev *vd, int fd, uint32_t events);
int virtio_watch_modify(struct virtio_dev *vd, int fd, uint32_t events);
void virtio_unwatch(struct virtio_dev *vd, int fd);

#endif
