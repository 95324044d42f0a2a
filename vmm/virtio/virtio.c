// SPDX-License-Identifier: GPL-2.0
/*
 * The virtio-mmio transport (virtio 1.x, 4.2.2; version 2 only): the register
 * file on vCPU threads, the queues' kicks and the device's interrupts, its
 * worker's life. virtio.h says which thread runs what; virtio_state.c holds
 * the snapshot of the transport.
 *
 * Races. A vCPU writing the registers never changes what the worker is using:
 * a reset or DRIVER_OK first holds the worker (worker.h), which returns once
 * the worker finished the events it had taken, and lets it go after. The
 * worker never takes vd->lock, so a vCPU may hold it while it waits; what
 * both touch without it (status, InterruptStatus, broken) is atomic.
 */
#include "virtio/virtio.h"


#include <errno.h>
#include <libfdt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "base/util.h"
#include "board/fdt_node.h"
#include "board/machine.h"
#include "virtio/virtio_internal.h"

/* Register offsets (4.2.2, table "MMIO Device Register Layout"). */
enum {
	REG_MAGIC = 0x000,
	REG_VERSION = 0x004,
	REG_DEVICE_ID = 0x008,
	REG_VENDOR_ID = 0x00c,
	REG_DEVICE_FEATURES = 0x010,
	REG_DEVICE_FEATURES_SEL = 0x014,
	REG_DRIVER_FEATURES = 0x020,
	REG_DRIVER_FEATURES_SEL = 0x024,
	REG_QUEUE_SEL = 0x030,
	REG_QUEUE_NUM_MAX = 0x034,
	REG_QUEUE_NUM = 0x038,
	REG_QUEUE_READY = 0x044,
	REG_QUEUE_NOTIFY = 0x050,
	REG_INTERRUPT_STATUS = 0x060,
	REG_INTERRUPT_ACK = 0x064,
	REG_STATUS = 0x070,
	REG_QUEUE_DESC_LOW = 0x080,
	REG_QUEUE_DESC_HIGH = 0x084,
	REG_QUEUE_DRIVER_LOW = 0x090,
	REG_QUEUE_DRIVER_HIGH = 0x094,
	REG_QUEUE_DEVICE_LOW = 0x0a0,
	REG_QUEUE_DEVICE_HIGH = 0x0a4,
	REG_SHM_LEN_LOW = 0x0b0,
	REG_SHM_BASE_HIGH = 0x0bc,
	REG_CONFIG_GENERATION = 0x0fc,
	REG_CONFIG = 0x100,
};

#define VIRTIO_MMIO_MAGIC 0x74726976 /* "virt" */
#define VIRTIO_MMIO_VERSION 2	     /* the modern transport; 1 is legacy */
#define VIRTIO_VENDOR_ID 0x204d4d56  /* "VMM " */

#define TRANSPORT_FEATURES                                                                    \
	((1ULL << VIRTIO_F_VERSION_1) | (1ULL << VIRTIO_RING_F_INDIRECT_DESC) |               \
	 (1ULL << VIRTIO_RING_F_EVENT_IDX))

static uint32_t status_load(const struct virtio_dev *vd)
{
	return __atomic_load_n(&vd->status, __ATOMIC_ACQUIRE);
}

static void status_store(struct virtio_dev *vd, uint32_t v)
{
	__atomic_store_n(&vd->status, v, __ATOMIC_RELEASE);
}

static uint64_t offered_features(const struct virtio_dev *vd)
{
	return vd->vops->features | TRANSPORT_FEATURES;
}

static void virtio_note(const struct virtio_dev *vd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* One line under -v, naming the device by model and window as the guest's DT has it. */
static void virtio_note(const struct virtio_dev *vd, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (!vd->verbose)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	vmm_note(true, "%s@%llx: %s", vd->dev.ops->name, (unsigned long long)vd->dev.base, msg);
}

bool virtio_has_feature(const struct virtio_dev *vd, unsigned int bit)
{
	return bit < 64 && (vd->driver_features >> bit & 1);
}

bool virtio_queues_live(const struct virtio_dev *vd)
{
	return vd->live && !__atomic_load_n(&vd->broken, __ATOMIC_ACQUIRE);
}

/* Edge: an irqfd pulses the line, and a pulse is all the guest needs to read InterruptStatus. */
static void virtio_raise(struct virtio_dev *vd)
{
	uint64_t one = 1;

	if (vd->irq_fd < 0) {
		irq_line_set(&vd->dev.irq, true);
		irq_line_set(&vd->dev.irq, false);
		return;
	}
	/* Only a counter at 2^64 - 2 refuses, and that interrupt is pending already. */
	if (write(vd->irq_fd, &one, sizeof(one)) < 0) {
	}
}

static void virtio_interrupt(struct virtio_dev *vd, uint32_t bit)
{
	__atomic_or_fetch(&vd->interrupt_status, bit, __ATOMIC_SEQ_CST);
	virtio_raise(vd);
}

void virtio_notify(struct virtio_dev *vd, unsigned int q)
{
	/* The bit first: a driver that reads InterruptStatus for another reason sees it. */
	__atomic_or_fetch(&vd->interrupt_status, VIRTIO_MMIO_INT_VRING, __ATOMIC_SEQ_CST);
	if (virtq_should_notify(&vd->vqs[q]))
		virtio_raise(vd);
}

void virtio_notify_config(struct virtio_dev *vd)
{
	__atomic_add_fetch(&vd->config_generation, 1, __ATOMIC_SEQ_CST);
	virtio_interrupt(vd, VIRTIO_MMIO_INT_CONFIG);
}

void virtio_dev_broken(struct virtio_dev *vd, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (__atomic_exchange_n(&vd->broken, true, __ATOMIC_ACQ_REL))
		return; /* one line per breakage: the first cause is the one that matters */
	__atomic_or_fetch(&vd->status, VIRTIO_CONFIG_S_NEEDS_RESET, __ATOMIC_SEQ_CST);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	virtio_note(vd, "%s; the device needs a reset", msg);
	/* 2.1.2: with DRIVER_OK set, NEEDS_RESET comes with a configuration change interrupt. */
	if (status_load(vd) & VIRTIO_CONFIG_S_DRIVER_OK)
		virtio_interrupt(vd, VIRTIO_MMIO_INT_CONFIG);
}

static struct virtq *selected_queue(struct virtio_dev *vd)
{
	return vd->queue_sel < vd->vops->nr_queues ? &vd->vqs[vd->queue_sel] : NULL;
}

/* -------- the worker's side -------- */

static int queue_of_fd(const struct virtio_dev *vd, int fd)
{
	unsigned int q;

	for (q = 0; q < vd->vops->nr_queues; q++)
		if (vd->kick_fd[q] == fd)
			return q;
	return -1;
}

static void virtio_kick_event(void *ctx, int fd, uint32_t events)
{
	struct virtio_dev *vd = ctx;
	int q = queue_of_fd(vd, fd);
	uint64_t n;

	(void)events;
	if (read(fd, &n, sizeof(n)) < 0) {
		/* EAGAIN: nothing counted since the last read; look at the ring anyway */
	}
	if (q >= 0 && virtio_queues_live(vd) && vd->vqs[q].ready)
		vd->vops->queue_event(vd, q);
}

static void virtio_backend_event(void *ctx, int fd, uint32_t events)
{
	struct virtio_dev *vd = ctx;

	if (vd->vops->backend_event)
		vd->vops->backend_event(vd, fd, events);
}

/* Each time the worker runs again: activation if one waits, then every live queue once. */
static void virtio_worker_run(void *ctx)
{
	struct virtio_dev *vd = ctx;
	unsigned int q;
	int ret;

	if (vd->activate_pending) {
		vd->activate_pending = false;
		vd->live = true;
		ret = vd->vops->activate ? vd->vops->activate(vd) : 0;
		if (ret)
			virtio_dev_broken(vd, "the device cannot start: %s", strerror(-ret));
	}
	for (q = 0; q < vd->vops->nr_queues && virtio_queues_live(vd); q++)
		if (vd->vqs[q].ready)
			vd->vops->queue_event(vd, q);
}

int virtio_watch(struct virtio_dev *vd, int fd, uint32_t events)
{
	return event_loop_add(&vd->worker.loop, fd, events, virtio_backend_event, vd);
}

int virtio_watch_modify(struct virtio_dev *vd, int fd, uint32_t events)
{
	return event_loop_modify(&vd->worker.loop, fd, events);
}

void virtio_unwatch(struct virtio_dev *vd, int fd)
{
	event_loop_del(&vd->worker.loop, fd);
}

/* -------- the register file, on vCPU threads under vd->lock -------- */

int virtio_activate_queues(struct virtio_dev *vd)
{
	unsigned int q;
	int ret;

	for (q = 0; q < vd->vops->nr_queues; q++) {
		struct virtq *vq = &vd->vqs[q];

		if (!vq->ready)
			continue;
		vq->event_idx = virtio_has_feature(vd, VIRTIO_RING_F_EVENT_IDX);
		vq->indirect = virtio_has_feature(vd, VIRTIO_RING_F_INDIRECT_DESC);
		ret = virtq_activate(vq, vd->dev.mem);
		if (ret) {
			virtio_dev_broken(vd, "queue %u (size %u, rings at %#llx %#llx %#llx): %s", q,
					  vq->size, (unsigned long long)vq->desc_gpa,
					  (unsigned long long)vq->avail_gpa,
					  (unsigned long long)vq->used_gpa,
					  ret == -EFAULT ? "a ring lies outside guest RAM"
							 : "a bad size or alignment");
			return ret;
		}
	}
	return 0;
}

static void driver_ok(struct virtio_dev *vd, uint32_t status)
{
	if (!(status & VIRTIO_CONFIG_S_FEATURES_OK)) {
		virtio_dev_broken(vd, "DRIVER_OK without FEATURES_OK: the driver never accepted "
				      "features");
		return;
	}
	virtio_worker_hold(&vd->worker, VIRTIO_HOLD_REGS);
	if (!virtio_activate_queues(vd))
		vd->activate_pending = true;
	virtio_worker_release(&vd->worker, VIRTIO_HOLD_REGS);
}

/* Status 0 (4.2.2.1): the worker is still, then device type, queues and registers go back. */
static void virtio_reset(struct virtio_dev *vd)
{
	unsigned int q;

	virtio_worker_hold(&vd->worker, VIRTIO_HOLD_REGS);
	if (vd->vops->reset)
		vd->vops->reset(vd);
	for (q = 0; q < VIRTIO_MAX_QUEUES; q++)
		virtq_reset(&vd->vqs[q]);
	vd->device_features_sel = vd->driver_features_sel = vd->queue_sel = 0;
	vd->driver_features = 0;
	vd->live = vd->activate_pending = false;
	__atomic_store_n(&vd->interrupt_status, 0, __ATOMIC_SEQ_CST);
	__atomic_store_n(&vd->broken, false, __ATOMIC_SEQ_CST);
	status_store(vd, 0);
	virtio_worker_release(&vd->worker, VIRTIO_HOLD_REGS);
}

/* 6.1: VERSION_1 is required of a modern driver, and nothing may be taken that was not offered. */
static bool features_acceptable(const struct virtio_dev *vd)
{
	uint64_t f = vd->driver_features;

	return (f >> VIRTIO_F_VERSION_1 & 1) && !(f & ~offered_features(vd));
}

static void status_write(struct virtio_dev *vd, uint32_t v)
{
	uint32_t old = status_load(vd);

	if (!v) {
		virtio_reset(vd);
		return;
	}
	/* NEEDS_RESET is the device's: a driver writing back what it read keeps it, no more. */
	v = (v & ~VIRTIO_CONFIG_S_NEEDS_RESET) | (old & VIRTIO_CONFIG_S_NEEDS_RESET);
	if ((v & VIRTIO_CONFIG_S_FEATURES_OK) && !(old & VIRTIO_CONFIG_S_FEATURES_OK) &&
	    !features_acceptable(vd)) {
		virtio_note(vd, "features %#llx refused (offered %#llx, VERSION_1 required)",
			    (unsigned long long)vd->driver_features,
			    (unsigned long long)offered_features(vd));
		v &= ~VIRTIO_CONFIG_S_FEATURES_OK; /* the driver reads it back and gives up */
	}
	status_store(vd, v);
	if ((v & VIRTIO_CONFIG_S_DRIVER_OK) && !(old & VIRTIO_CONFIG_S_DRIVER_OK))
		driver_ok(vd, v);
}

static void set_half(uint64_t *v, bool high, uint32_t half)
{
	if (high)
		*v = (*v & 0xffffffffULL) | (uint64_t)half << 32;
	else
		*v = (*v & ~0xffffffffULL) | half;
}

static uint64_t *queue_address(struct virtq *vq, uint64_t reg)
{
	switch (reg & ~4ULL) {
	case REG_QUEUE_DESC_LOW:
		return &vq->desc_gpa;
	case REG_QUEUE_DRIVER_LOW:
		return &vq->avail_gpa;
	default:
		return &vq->used_gpa;
	}
}

/* 4.2.2.3: the driver sets a queue up before QueueReady and DRIVER_OK, never after. */
static bool queue_writable(struct virtio_dev *vd, struct virtq *vq, uint64_t reg, bool address)
{
	if (!vq)
		return false;
	if (status_load(vd) & VIRTIO_CONFIG_S_DRIVER_OK) {
		if (address)
			virtio_dev_broken(vd, "queue %u: a queue address change while the device is "
					      "live", vd->queue_sel);
		else
			virtio_note(vd, "queue %u: register %#llx written while the device is live; "
				    "ignored", vd->queue_sel, (unsigned long long)reg);
		return false;
	}
	if (address && vq->ready) {
		virtio_note(vd, "queue %u: an address written while the queue is ready; ignored",
			    vd->queue_sel);
		return false;
	}
	return true;
}

static void queue_write(struct virtio_dev *vd, uint64_t reg, uint32_t v)
{
	struct virtq *vq = selected_queue(vd);
	bool address = reg >= REG_QUEUE_DESC_LOW && reg <= REG_QUEUE_DEVICE_HIGH;

	if (!queue_writable(vd, vq, reg, address))
		return;
	if (address)
		set_half(queue_address(vq, reg), reg & 4, v);
	else if (reg == REG_QUEUE_NUM)
		vq->size = v <= VIRTQ_MAX_SIZE ? v : 0; /* 0: virtq_activate refuses it */
	else
		vq->ready = v & 1;
}

/* Without KVM's ioeventfd (unit tests, or a value it does not match) the kick is ours to give. */
static void queue_notify(struct virtio_dev *vd, uint32_t q)
{
	uint64_t one = 1;

	if (q >= vd->vops->nr_queues)
		return;
	if (write(vd->kick_fd[q], &one, sizeof(one)) < 0) {
		/* a full counter is a kick still pending */
	}
}

static void features_write(struct virtio_dev *vd, uint32_t v)
{
	/* Once FEATURES_OK is set the features are fixed (3.1.1). */
	if (status_load(vd) & VIRTIO_CONFIG_S_FEATURES_OK || vd->driver_features_sel > 1)
		return;
	set_half(&vd->driver_features, vd->driver_features_sel, v);
}

static void reg_write(struct virtio_dev *vd, uint64_t reg, uint32_t v)
{
	switch (reg) {
	case REG_DEVICE_FEATURES_SEL:
		vd->device_features_sel = v;
		break;
	case REG_DRIVER_FEATURES:
		features_write(vd, v);
		break;
	case REG_DRIVER_FEATURES_SEL:
		vd->driver_features_sel = v;
		break;
	case REG_QUEUE_SEL:
		vd->queue_sel = v;
		break;
	case REG_QUEUE_NUM:
	case REG_QUEUE_READY:
	case REG_QUEUE_DESC_LOW ... REG_QUEUE_DESC_HIGH:
	case REG_QUEUE_DRIVER_LOW ... REG_QUEUE_DRIVER_HIGH:
	case REG_QUEUE_DEVICE_LOW ... REG_QUEUE_DEVICE_HIGH:
		queue_write(vd, reg, v);
		break;
	case REG_QUEUE_NOTIFY:
		queue_notify(vd, v);
		break;
	case REG_INTERRUPT_ACK:
		__atomic_and_fetch(&vd->interrupt_status, ~v, __ATOMIC_SEQ_CST);
		break;
	case REG_STATUS:
		status_write(vd, v);
		break;
	default: /* read-only registers, and holes: ignored */
		break;
	}
}

static uint32_t queue_read(struct virtio_dev *vd, uint64_t reg)
{
	struct virtq *vq = selected_queue(vd);

	if (!vq)
		return 0; /* QueueNumMax 0: no such queue (4.2.3.2) */
	switch (reg) {
	case REG_QUEUE_NUM_MAX:
		return VIRTQ_MAX_SIZE;
	case REG_QUEUE_NUM:
		return vq->size;
	case REG_QUEUE_READY:
		return vq->ready;
	default:
		return (uint32_t)(*queue_address(vq, reg) >> (reg & 4 ? 32 : 0));
	}
}

static uint32_t reg_read(struct virtio_dev *vd, uint64_t reg)
{
	uint64_t features = offered_features(vd);

	switch (reg) {
	case REG_MAGIC:
		return VIRTIO_MMIO_MAGIC;
	case REG_VERSION:
		return VIRTIO_MMIO_VERSION;
	case REG_DEVICE_ID:
		return vd->vops->device_id;
	case REG_VENDOR_ID:
		return VIRTIO_VENDOR_ID;
	case REG_DEVICE_FEATURES:
		return vd->device_features_sel > 1 ? 0 : features >> (32 * vd->device_features_sel);
	case REG_QUEUE_NUM_MAX:
	case REG_QUEUE_NUM:
	case REG_QUEUE_READY:
	case REG_QUEUE_DESC_LOW ... REG_QUEUE_DESC_HIGH:
	case REG_QUEUE_DRIVER_LOW ... REG_QUEUE_DRIVER_HIGH:
	case REG_QUEUE_DEVICE_LOW ... REG_QUEUE_DEVICE_HIGH:
		return queue_read(vd, reg);
	case REG_INTERRUPT_STATUS:
		return __atomic_load_n(&vd->interrupt_status, __ATOMIC_SEQ_CST);
	case REG_STATUS:
		return status_load(vd);
	case REG_SHM_LEN_LOW ... REG_SHM_BASE_HIGH:
		return 0xffffffff; /* no shared memory region: length -1 (4.2.2) */
	case REG_CONFIG_GENERATION:
		return __atomic_load_n(&vd->config_generation, __ATOMIC_SEQ_CST);
	default:
		return 0;
	}
}

/* The device's configuration space, at any width within it; outside, reads zero. */
static void config_access(struct virtio_dev *vd, uint64_t offset, uint8_t *data, unsigned int len,
			  bool is_write)
{
	const struct virtio_dev_ops *ops = vd->vops;
	bool inside = offset <= ops->config_size && len <= ops->config_size - offset;

	if (!is_write)
		memset(data, 0, len);
	if (!inside || !(len == 1 || len == 2 || len == 4 || len == 8))
		return;
	if (!is_write && ops->config_read)
		ops->config_read(vd, offset, data, len);
	else if (is_write && ops->config_write)
		ops->config_write(vd, offset, data, len);
}

void virtio_dev_mmio(struct device *dev, uint64_t offset, uint8_t *data, unsigned int len,
		     bool is_write)
{
	struct virtio_dev *vd = (struct virtio_dev *)dev;
	uint32_t v = 0;

	pthread_mutex_lock(&vd->lock);
	if (offset >= REG_CONFIG) {
		config_access(vd, offset - REG_CONFIG, data, len, is_write);
	} else if (len != 4 || offset % 4) {
		/* 4.2.2.2: the registers are 32 bits wide; other accesses are the driver's bug. */
		if (!is_write)
			memset(data, 0, len);
	} else if (is_write) {
		memcpy(&v, data, 4);
		reg_write(vd, offset, v);
	} else {
		v = reg_read(vd, offset);
		memcpy(data, &v, 4);
	}
	pthread_mutex_unlock(&vd->lock);
}

/* -------- life -------- */

/* virtio-mmio binding; edge-rising because an irqfd pulses the line rather than holding it. */
int virtio_dev_fdt_node(struct device *dev, void *fdt)
{
	int ret = 0;

	ret |= fdt_node_begin(fdt, "virtio_mmio", dev);
	ret |= fdt_property_string(fdt, "compatible", "virtio,mmio");
	ret |= fdt_node_reg_irq_flags(fdt, dev, FDT_IRQ_EDGE_RISING);
	ret |= fdt_property(fdt, "dma-coherent", NULL, 0);
	ret |= fdt_end_node(fdt);
	return ret ? -ENOSPC : 0;
}

void virtio_dev_pause(struct device *dev)
{
	virtio_worker_hold(&((struct virtio_dev *)dev)->worker, VIRTIO_HOLD_VM);
}

void virtio_dev_resume(struct device *dev)
{
	virtio_worker_release(&((struct virtio_dev *)dev)->worker, VIRTIO_HOLD_VM);
}

static void close_fds(struct virtio_dev *vd)
{
	unsigned int q;

	for (q = 0; q < VIRTIO_MAX_QUEUES; q++) {
		if (vd->kick_fd[q] >= 0)
			close(vd->kick_fd[q]);
		vd->kick_fd[q] = -1;
	}
	if (vd->irq_fd >= 0)
		close(vd->irq_fd);
	vd->irq_fd = -1;
}

/* Queue q's kick: on the worker's loop, and KVM's ioeventfd on QueueNotify = q where it has one. */
static int make_kick(struct virtio_dev *vd, unsigned int q)
{
	struct machine *m = vd->dev.machine;
	int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	int ret;

	if (fd < 0)
		return -errno;
	vd->kick_fd[q] = fd;
	ret = event_loop_add(&vd->worker.loop, fd, EPOLLIN, virtio_kick_event, vd);
	if (!ret && m && m->ioeventfd)
		ret = m->ioeventfd(m->hook_ctx, vd->dev.base + REG_QUEUE_NOTIFY, 4, q, fd);
	return ret;
}

static int make_irq(struct virtio_dev *vd)
{
	struct machine *m = vd->dev.machine;

	if (!m || !m->irqfd)
		return 0;
	vd->irq_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (vd->irq_fd < 0)
		return -errno;
	return m->irqfd(m->hook_ctx, vd->dev.spi, vd->irq_fd);
}

int virtio_dev_init(struct virtio_dev *vd, const struct virtio_dev_ops *vops)
{
	unsigned int q;
	int ret;

	if (!vops->nr_queues || vops->nr_queues > VIRTIO_MAX_QUEUES || !vops->queue_event)
		return -EINVAL;
	vd->vops = vops;
	vd->verbose = vd->dev.machine && vd->dev.machine->verbose;
	vd->irq_fd = -1;
	for (q = 0; q < VIRTIO_MAX_QUEUES; q++) {
		vd->kick_fd[q] = -1;
		virtq_reset(&vd->vqs[q]);
	}
	ret = virtio_worker_start(&vd->worker, virtio_worker_run, vd);
	if (ret)
		return ret;
	for (q = 0; q < vops->nr_queues && !ret; q++)
		ret = make_kick(vd, q);
	ret = ret ?: make_irq(vd);
	if (ret) {
		virtio_worker_stop(&vd->worker);
		close_fds(vd);
		return ret;
	}
	pthread_mutex_init(&vd->lock, NULL);
	return 0;
}

void virtio_dev_destroy(struct device *dev)
{
	struct virtio_dev *vd = (struct virtio_dev *)dev;

	virtio_worker_stop(&vd->worker);
	if (vd->vops->destroy)
		vd->vops->destroy(vd);
	close_fds(vd);
	pthread_mutex_destroy(&vd->lock);
}
