/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_MACHINE_H
#define VMM_MACHINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "board/device.h"
#include "board/layout.h"

#define MACHINE_MAX_DEVICES 16

/*
 * The board as the guest sees it, free of KVM so that device models, the
 * MMIO dispatch and the device tree build and test anywhere. The KVM layer
 * fills in the hooks: how to drive an interrupt line, where console output goes.
 */
struct machine {
	struct boot_layout layout;
	unsigned int nr_cpus;
	uint64_t mpidr[LAYOUT_MAX_CPUS]; /* as KVM reports each vCPU's MPIDR_EL1 */
	unsigned int gic_version;	 /* 2 or 3 */
	uint32_t psci_version;		 /* in force; PSCI_V_0_1 needs its own DT node */
	const char *bootargs;

	/* Sorted by base so that the dispatch can bisect. */
	struct device *devices[MACHINE_MAX_DEVICES];
	unsigned int nr_devices;
	struct device *console;

	void (*irq_set)(void *ctx, unsigned int spi, bool level);
	void (*console_write)(void *ctx, const uint8_t *buf, size_t len);
	void *hook_ctx;
	unsigned long unclaimed_mmio; /* accesses no device took: reads as zero, writes ignored */
};

int machine_add_device(struct machine *m, struct device *dev);
int machine_add_board_devices(struct machine *m);
void machine_destroy_devices(struct machine *m);
struct device *machine_find_device(const struct machine *m, uint64_t addr, unsigned int len);
/* Returns false when no device claims the access. */
bool machine_mmio(struct machine *m, uint64_t addr, uint8_t *data, unsigned int len,
		  bool is_write);
size_t machine_console_input(struct machine *m, const uint8_t *buf, size_t len);

static inline void machine_irq_set(struct machine *m, unsigned int spi, bool level)
{
	if (m->irq_set)
		m->irq_set(m->hook_ctx, spi, level);
}

static inline void machine_console_write(struct machine *m, const uint8_t *buf, size_t len)
{
	if (m->console_write)
		m->console_write(m->hook_ctx, buf, len);
}

#endif
