/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_DEVICE_H
#define VMM_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "board/layout.h"

struct device;
struct device_desc;
struct device_model;
struct guest_mem;
struct machine;
struct snap_writer;
struct snap_section;

/*
 * What a device model offers the machine. Every callback may be called from
 * any vCPU thread at once, and console_input from the main thread: a device
 * keeps its own lock.
 */
struct device_ops {
	const char *name;
	/* One guest access of len bytes at offset from the device's base. */
	void (*mmio)(struct device *dev, uint64_t offset, uint8_t *data, unsigned int len,
		     bool is_write);
	/* Adds the device's node to a device tree being written with libfdt's sequential API. */
	int (*fdt_node)(struct device *dev, void *fdt);
	/* Bytes typed at the console; returns how many the device took. */
	size_t (*console_input)(struct device *dev, const uint8_t *buf, size_t len);
	/*
	 * The device's state into its snapshot section, and back (after the section's name).
	 * restore returns -EMEDIUMTYPE once it has said in one line that what backs the
	 * device (a disk image) is not what the snapshot was taken with.
	 */
	int (*save)(struct device *dev, struct snap_writer *w);
	int (*restore)(struct device *dev, struct snap_section *s);
	/*
	 * A device with a thread of its own (virtio): pause returns once its
	 * in-flight requests are done and it takes no new ones, so that a save
	 * sees a still device; resume lets it go on. Either may be NULL.
	 */
	void (*pause)(struct device *dev);
	void (*resume)(struct device *dev);
	/* Releases what the model's init took; the machine frees a device it created. */
	void (*destroy)(struct device *dev);
};

/* A handle on the device's interrupt: irq_line_set (machine.h) drives it. */
struct irq_line {
	struct machine *machine;
	unsigned int spi;
};

struct device {
	const struct device_ops *ops;
	const struct device_model *model; /* NULL for a device its owner allocated */
	struct machine *machine;
	uint64_t base, size;
	unsigned int spi; /* its interrupt, GIC SPI numbering */
	struct irq_line irq;
	const struct guest_mem *mem; /* guest RAM, for a device that does DMA */
	int watched_fd;		     /* on the machine's event loop when watching */
	bool watching;
	void *priv;
};

/* One setting of a device, as a configuration spells it: "path" = "disk.img". */
struct device_param {
	const char *key, *value;
};

/* What a device is made from: which model, the slot it occupies, its settings. */
struct device_desc {
	const char *model; /* a device_model's name: "uart", "rtc" */
	struct mmio_slot slot;
	const struct device_param *params;
	unsigned int nr_params;
	bool console; /* the machine's console: console input goes to it */
};

/*
 * A kind of device. Its state is a struct of size bytes whose first member is
 * the struct device; machine_create_device allocates it zeroed, fills in the
 * struct device from the description, then calls init (may be NULL) for the
 * rest. init failing means nothing to release.
 */
struct device_model {
	const struct device_ops *ops;
	size_t size;
	const char *const *params; /* setting keys it accepts, NULL-terminated; NULL: none */
	int (*init)(struct device *dev, const struct device_desc *desc);
};

/* The value of setting key in desc, or NULL when it is not given. */
const char *device_param(const struct device_desc *desc, const char *key);
/* -EINVAL, with one line on stderr, for a setting the model does not know. */
int device_params_check(const struct device_model *model, const struct device_desc *desc);

#endif
