/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_DEV_VIRTIO_RNG_H
#define VMM_DEV_VIRTIO_RNG_H

#include "board/device.h"

/* virtio-rng (virtio 1.x, 5.4): one queue, each writable chain filled from getrandom(). */
extern const struct device_model virtio_rng_model;

#endif
