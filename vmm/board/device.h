/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_DEVICE_H
#define VMM_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct device;
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
	/* The device's state into its snapshot section, and back (after the section's name). */
	int (*save)(struct device *dev, struct snap_writer *w);
	int (*restore)(struct device *dev, struct snap_section *s);
	void (*destroy)(struct device *dev);
};

struct device {
	const struct device_ops *ops;
	struct machine *machine;
	uint64_t base, size;
	unsigned int spi; /* its interrupt, GIC SPI numbering */
	void *priv;
};

#endif
