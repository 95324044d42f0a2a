/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_DEV_VIRTIO_NET_H
#define VMM_DEV_VIRTIO_NET_H

struct device_model;

/*
 * "virtio-net": a NIC on a tap or a UNIX stream socket (dev/net_backend.h).
 * Settings: tap (a tap's name) or stream (a socket's path), mac.
 */
extern const struct device_model virtio_net_model;

#endif
