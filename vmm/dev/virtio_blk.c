// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-blk (virtio 1.2, 5.2) on a disk image: one request queue, drained on
 * the device's worker thread with plain preadv/pwritev, one interrupt per
 * drained queue. Synchronous I/O there keeps a pause simple (virtio.h: when
 * the worker acks a pause no request is in flight) and costs the vCPUs
 * nothing: they only kick an eventfd. The protocol is dev/blk_request.c; the
 * image is base/disk.c.
 */
#include "dev/virtio_blk.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/disk.h"
#include "base/util.h"
#include "board/device.h"
#include "dev/blk_request.h"
#include "snapshot/format.h"
#include "virtio/virtio.h"

#define BLK_STATE_VERSION 1

struct virtio_blk {
	struct virtio_dev vd; /* first: what the core and the machine see */
	struct disk disk;
	char *path;
	char serial[VIRTIO_BLK_ID_BYTES];
	size_t serial_len;
	uint8_t config[BLK_CONFIG_SIZE];
	/* worker: one request at a time, kept off the worker's small stack */
	struct virtq_chain chain;
	struct blk_request req;
};

static struct virtio_blk *to_blk(struct virtio_dev *vd)
{
	return (struct virtio_blk *)vd;
}

static void blk_config_read(struct virtio_dev *vd, uint32_t offset, void *buf, unsigned int len)
{
	struct virtio_blk *b = to_blk(vd);

	memset(buf, 0, len);
	if (offset < BLK_CONFIG_SIZE)
		memcpy(buf, b->config + offset,
		       len < BLK_CONFIG_SIZE - offset ? len : BLK_CONFIG_SIZE - offset);
}

static int blk_activate(struct virtio_dev *vd)
{
	(void)vd;
	return 0;
}

/* Every available request, then one interrupt: the driver sees the batch at once. */
static void blk_queue_event(struct virtio_dev *vd, unsigned int q)
{
	struct virtio_blk *b = to_blk(vd);
	struct virtq *vq = &vd->vqs[q];
	bool pushed = false;
	int ret, len;

	do {
		virtq_disable_notify(vq);
		while ((ret = virtq_pop(vq, &b->chain)) > 0) {
			len = blk_request_handle(&b->disk, b->serial, b->serial_len, &b->chain,
						 &b->req);
			if (len < 0) {
				virtio_dev_broken(vd, "virtio-blk: a request with no status byte");
				goto out;
			}
			virtq_push(vq, b->chain.head, len);
			pushed = true;
		}
		if (ret < 0) {
			virtio_dev_broken(vd, "virtio-blk: bad request chain (%s)", strerror(-ret));
			goto out;
		}
	} while (virtq_enable_notify(vq));
out:
	if (pushed)
		virtio_notify(vd, q);
}

/* The disk's identity: a restore onto another image would show the guest other data. */
static int blk_save(struct virtio_dev *vd, struct snap_writer *w)
{
	struct virtio_blk *b = to_blk(vd);
	char serial[VIRTIO_BLK_ID_BYTES + 1] = "";
	int ret;

	memcpy(serial, b->serial, b->serial_len);
	ret = snap_put_u32(w, BLK_STATE_VERSION);
	ret = ret ?: snap_put_u64(w, b->disk.size);
	ret = ret ?: snap_put_u32(w, b->disk.readonly);
	return ret ?: snap_put_str(w, serial);
}

static int blk_restore(struct virtio_dev *vd, struct snap_section *s)
{
	struct virtio_blk *b = to_blk(vd);
	char serial[VIRTIO_BLK_ID_BYTES + 1];
	uint32_t version, ro;
	uint64_t size;
	int ret;

	ret = snap_get_u32(s, &version);
	ret = ret ?: snap_get_u64(s, &size);
	ret = ret ?: snap_get_u32(s, &ro);
	ret = ret ?: snap_get_str(s, serial, sizeof(serial));
	if (ret)
		return ret;
	if (version != BLK_STATE_VERSION || ro > 1) {
		vmm_err("disk %s: the snapshot's disk state has version %u, this vmm reads %u",
			b->path, version, BLK_STATE_VERSION);
		return -EINVAL;
	}
	if (size != b->disk.size) {
		vmm_err("disk %s is %llu bytes, the snapshot's disk was %llu; give the image the "
			"snapshot was taken with (vmm restore --disk PATH)",
			b->path, (unsigned long long)b->disk.size, (unsigned long long)size);
		return -EMEDIUMTYPE;
	}
	if (ro != b->disk.readonly || strlen(serial) != b->serial_len ||
	    memcmp(serial, b->serial, b->serial_len)) {
		vmm_err("disk %s: the snapshot's disk was %s with serial '%s'; restore it with "
			"the same ro and serial",
			b->path, ro ? "read-only" : "writable", serial);
		return -EMEDIUMTYPE;
	}
	return 0;
}

static void blk_destroy(struct virtio_dev *vd)
{
	struct virtio_blk *b = to_blk(vd);

	disk_close(&b->disk);
	free(b->path);
	b->path = NULL;
}

#define BLK_COMMON_FEATURES                                                      \
	(1ULL << VIRTIO_BLK_F_SEG_MAX | 1ULL << VIRTIO_BLK_F_BLK_SIZE |           \
	 1ULL << VIRTIO_BLK_F_FLUSH)

#define BLK_VOPS(FEATURES)                                                       \
	{                                                                         \
		.device_id = VIRTIO_ID_BLOCK, .nr_queues = 1, .features = (FEATURES), \
		.config_size = BLK_CONFIG_SIZE, .config_read = blk_config_read,   \
		.activate = blk_activate, .queue_event = blk_queue_event,         \
		.save = blk_save, .restore = blk_restore, .destroy = blk_destroy, \
	}

static const struct virtio_dev_ops blk_vops_rw = BLK_VOPS(
	BLK_COMMON_FEATURES | 1ULL << VIRTIO_BLK_F_DISCARD | 1ULL << VIRTIO_BLK_F_WRITE_ZEROES);
/* A read-only disk: RO (5.2.3), and neither discard nor write zeroes to offer. */
static const struct virtio_dev_ops blk_vops_ro = BLK_VOPS(BLK_COMMON_FEATURES |
							  1ULL << VIRTIO_BLK_F_RO);

/* The description's settings; the config layer checked them already, this is the last word. */
static int blk_settings(struct virtio_blk *b, const struct device_desc *desc, bool *ro,
			bool *direct)
{
	const char *path = device_param(desc, "path"), *serial = device_param(desc, "serial");
	const char *ro_text = device_param(desc, "ro"), *cache = device_param(desc, "cache");

	*ro = ro_text && !strcmp(ro_text, "on");
	*direct = cache && !strcmp(cache, "none");
	if (!path || (ro_text && !*ro && strcmp(ro_text, "off")) ||
	    (cache && !*direct && strcmp(cache, "writeback")) ||
	    (serial && strlen(serial) > VIRTIO_BLK_ID_BYTES)) {
		vmm_err("virtio-blk: need path, ro on|off, cache writeback|none, a serial of at "
			"most %d bytes; check the disk's settings",
			VIRTIO_BLK_ID_BYTES);
		return -EINVAL;
	}
	b->serial_len = serial ? strlen(serial) : 0;
	memcpy(b->serial, serial ? serial : "", b->serial_len);
	b->path = strdup(path);
	return b->path ? 0 : -ENOMEM;
}

static int blk_init(struct device *dev, const struct device_desc *desc)
{
	struct virtio_blk *b = (struct virtio_blk *)dev;
	bool ro, direct;
	char why[320];
	int ret;

	b->disk = DISK_NONE;
	ret = blk_settings(b, desc, &ro, &direct);
	if (!ret) {
		ret = disk_open(&b->disk, b->path, ro, direct, why, sizeof(why));
		if (ret)
			vmm_err("%s", why);
	}
	if (!ret) {
		blk_config_build(b->config, b->disk.size / DISK_SECTOR_SIZE);
		ret = virtio_dev_init(&b->vd, ro ? &blk_vops_ro : &blk_vops_rw);
	}
	if (ret)
		blk_destroy(&b->vd);
	return ret;
}

static const struct device_ops virtio_blk_ops = VIRTIO_DEVICE_OPS("virtio-blk");
static const char *const virtio_blk_params[] = { "path", "ro", "serial", "cache", NULL };

const struct device_model virtio_blk_model = {
	.ops = &virtio_blk_ops,
	.size = sizeof(struct virtio_blk),
	.params = virtio_blk_params,
	.init = blk_init,
};
