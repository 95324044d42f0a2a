/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_DEV_VIRTIO_BLK_H
#define VMM_DEV_VIRTIO_BLK_H

struct device_model;

/*
 * "virtio-blk": a disk image as a virtio block device, one request queue.
 * Settings: path (required), ro (on|off), serial (at most 20 bytes), cache
 * (writeback|none).
 */
extern const struct device_model virtio_blk_model;

#endif
