/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_MACHINE_H
#define VMM_MACHINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/event_loop.h"
#include "board/device.h"
#include "board/guest_mem.h"
#include "board/layout.h"

#define MACHINE_MAX_DEVICES 32

/*
 * The board as the guest sees it, free of KVM so that device models, the
 * MMIO dispatch and the device tree build and test anywhere. The KVM layer
 * fills in the hooks: how to drive an interrupt line, where console output
 * goes, where guest RAM is mapped, the main thread's event loop.
 */
struct machine {
	struct boot_layout layout;
	unsigned int nr_cpus;
	uint64_t mpidr[LAYOUT_MAX_CPUS]; /* as KVM reports each vCPU's MPIDR_EL1 */
	unsigned int gic_version;	 /* 2 or 3 */
	uint32_t psci_version;		 /* in force; PSCI_V_0_1 needs its own DT node */
	const char *bootargs;
	bool verbose; /* -v: devices say on stderr why they refuse what the guest does */

	/* Sorted by base so that the dispatch can bisect. */
	struct device *devices[MACHINE_MAX_DEVICES];
	unsigned int nr_devices;
	struct device *console;

	void (*irq_set)(void *ctx, unsigned int spi, bool level);
	void (*console_write)(void *ctx, const uint8_t *buf, size_t len);
	/*
	 * KVM's shortcuts for a device with its own thread: a guest write of
	 * datamatch (len bytes) at addr signals fd without an MMIO exit (an
	 * ioeventfd), and a write to fd raises the SPI (an irqfd, edge). NULL
	 * (unit tests): the device signals its own fd and drives irq_set.
	 */
	int (*ioeventfd)(void *ctx, uint64_t addr, unsigned int len, uint64_t datamatch, int fd);
	int (*irqfd)(void *ctx, unsigned int spi, int fd);
	void *hook_ctx;
	struct guest_mem mem;	      /* guest RAM; empty until it is mapped */
	struct event_loop *loop;      /* NULL: devices cannot watch descriptors (unit tests) */
	unsigned long unclaimed_mmio; /* accesses no device took: reads as zero, writes ignored */
};

/* Registers a device its owner allocated (and frees after machine_destroy_devices). */
int machine_add_device(struct machine *m, struct device *dev);
/*
 * Makes a device of model from desc (machine.c says what it gets) and registers
 * it; -EINVAL for a bad description, -EBUSY when its window is taken.
 */
int machine_create_device(struct machine *m, const struct device_model *model,
			  const struct device_desc *desc, struct device **out);
/* The devices every vmm machine has (board/board_devices.c holds the list). */
int machine_add_board_devices(struct machine *m);
void machine_destroy_devices(struct machine *m);
/* Every device's pause (resume) callback, in registry order (resume in reverse). */
void machine_pause_devices(struct machine *m);
void machine_resume_devices(struct machine *m);
struct device *machine_find_device(const struct machine *m, uint64_t addr, unsigned int len);
/* Returns false when no device claims the access. */
bool machine_mmio(struct machine *m, uint64_t addr, uint8_t *data, unsigned int len, bool is_write);
size_t machine_console_input(struct machine *m, const uint8_t *buf, size_t len);
/*
 * Puts fd on the machine's event loop for dev, fn(ctx, fd, events) called on
 * the main thread; one descriptor per device, taken off again when the device
 * is destroyed. -ENODEV without an event loop, else as event_loop_add.
 */
int machine_watch_fd(struct device *dev, int fd, uint32_t events, event_fn fn, void *ctx);

static inline void machine_irq_set(struct machine *m, unsigned int spi, bool level)
{
	if (m->irq_set)
		m->irq_set(m->hook_ctx, spi, level);
}

/* What a device calls to drive its interrupt, rather than the machine's hook by number. */
static inline void irq_line_set(const struct irq_line *line, bool level)
{
	machine_irq_set(line->machine, line->spi, level);
}

static inline void machine_console_write(struct machine *m, const uint8_t *buf, size_t len)
{
	if (m->console_write)
		m->console_write(m->hook_ctx, buf, len);
}

#endif
