/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_VIRTIO_INTERNAL_H
#define VMM_VIRTIO_INTERNAL_H
/* What virtio.c shares with virtio_state.c, and no device type needs. */
struct virtio_dev;

/* Resolves every ready queue in guest RAM with the negotiated ring features; -errno: broken. */
int virtio_activate_queues(struct virtio_dev *vd);

#endif
