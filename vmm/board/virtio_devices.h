/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_BOARD_VIRTIO_DEVICES_H
#define VMM_BOARD_VIRTIO_DEVICES_H
/*
 * The virtio devices of a machine as descriptions it owns: made from the
 * configuration for a fresh boot (disks, then networks, then the RNG, on
 * consecutive slots), written into a snapshot and read back from it, so that
 * a restore makes the same devices on the same slots. KVM-free.
 */
#include "board/device.h"
#include "board/layout.h"

struct vm_config;

#define VIRTIO_SPEC_PARAMS 4	 /* path, ro, serial, cache: the most a model takes */
#define VIRTIO_SPEC_KEY_MAX 16	 /* bytes of a key, with its NUL */
#define VIRTIO_SPEC_VALUE_MAX 1024 /* bytes of a value (a path), with its NUL */

struct virtio_spec {
	char model[VIRTIO_SPEC_KEY_MAX];
	unsigned int slot; /* layout_virtio_slot index */
	unsigned int nr_params;
	char key[VIRTIO_SPEC_PARAMS][VIRTIO_SPEC_KEY_MAX];
	char value[VIRTIO_SPEC_PARAMS][VIRTIO_SPEC_VALUE_MAX];
};

struct virtio_specs {
	unsigned int nr;
	struct virtio_spec dev[VIRTIO_MMIO_SLOTS];
};

/* Adds key = value to spec; -E2BIG when a string or the count is too long. */
int virtio_spec_set(struct virtio_spec *spec, const char *key, const char *value);
/* The value of key, or NULL. */
const char *virtio_spec_get(const struct virtio_spec *spec, const char *key);
/* cfg's disks, nets and RNG, in that order; -E2BIG (one line said) when they do not fit. */
int virtio_specs_from_config(const struct vm_config *cfg, struct virtio_specs *out);
/*
 * A restore's --disk PATH and --net ...: the i-th disk's path and the i-th
 * network's backend replace the saved ones; -EINVAL (one line said) when cfg
 * names more disks or networks than the snapshot has.
 */
int virtio_specs_override(struct virtio_specs *specs, const struct vm_config *cfg);
/*
 * Before vmm gives up its privileges: each network's tap or socket, kept for
 * the devices (dev/net_backend.h); -errno, with the line that says why.
 */
int virtio_nets_open(const struct virtio_specs *specs);
/* Creates each device (board_add_device); -errno, with the line that says why. */
int virtio_specs_create(struct machine *m, const struct virtio_specs *specs);

#endif
