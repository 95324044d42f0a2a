/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_LAYOUT_H
#define VMM_LAYOUT_H

#include <stdint.h>

#include "board/image.h"

/*
 * The guest-physical map, close to QEMU's virt board so that guest images
 * built for it need no changes: devices below 1 GiB, RAM from 1 GiB up.
 */
#define GIC_DIST_BASE 0x08000000ULL
#define GIC_DIST_SIZE 0x10000ULL
#define GIC_CPU_BASE 0x08010000ULL /* GICv2 only */
#define GIC_CPU_SIZE 0x2000ULL
#define GIC_REDIST_BASE 0x080a0000ULL
#define GIC_REDIST_SIZE_PER_CPU 0x20000ULL /* RD_base + SGI_base frames */
#define GIC_REDIST_LIMIT 0x09000000ULL
#define UART_BASE 0x09000000ULL
#define UART_SIZE 0x1000ULL
#define RTC_BASE 0x09010000ULL
#define RTC_SIZE 0x1000ULL
/*
 * virtio-mmio transports, where QEMU's virt board has them: VIRTIO_MMIO_SLOTS
 * windows of VIRTIO_MMIO_SLOT_SIZE (the register block Linux's virtio_mmio maps
 * is 0x200 bytes), back to back, slot i on SPI VIRTIO_MMIO_SPI + i.
 */
#define VIRTIO_MMIO_BASE 0x0a000000ULL
#define VIRTIO_MMIO_SLOT_SIZE 0x200ULL
#define VIRTIO_MMIO_SLOTS 16
#define RAM_BASE 0x40000000ULL

/* Redistributors must fit below the UART: (LIMIT - BASE) / per-CPU = 123. */
#define LAYOUT_MAX_CPUS ((GIC_REDIST_LIMIT - GIC_REDIST_BASE) / GIC_REDIST_SIZE_PER_CPU)

/* Interrupt numbers as the GIC binding counts SPIs (0-based, INTID - 32). */
#define UART_SPI 1
#define RTC_SPI 2
#define VIRTIO_MMIO_SPI 16
#define GIC_NR_IRQS 128 /* INTIDs the vGIC implements: 32 private + 96 shared */

/* The smallest RAM we accept; a Linux guest needs more, the probe guest less. */
#define LAYOUT_MIN_RAM (16ULL << 20)
/*
 * The most RAM whose end, RAM_BASE + size, stays below 2^64: more wraps every
 * address computed from it. A host's IPA size (vm_check_host) limits it further.
 */
#define LAYOUT_MAX_RAM (0ULL - RAM_BASE - 0x200000ULL)
#define FDT_MAX_SIZE 0x200000ULL /* booting.rst: at most 2 MiB, alone in its 2 MiB block */

/* Where a device sits: its MMIO window and its interrupt. */
struct mmio_slot {
	uint64_t base, size;
	unsigned int spi;
};

struct boot_layout {
	uint64_t ram_base, ram_size;
	uint64_t kernel_addr, kernel_end; /* kernel_end includes the BSS */
	uint64_t initrd_addr, initrd_size;
	uint64_t fdt_addr;
};

int layout_plan(uint64_t ram_size, const struct arm64_image *img, uint64_t initrd_size,
		struct boot_layout *out);
/* Physical address bits needed to reach the top of RAM; 65 when it lies beyond 2^64. */
unsigned int layout_ipa_bits(uint64_t ram_size);
/* The window and SPI of virtio-mmio slot index; -ENOENT beyond VIRTIO_MMIO_SLOTS. */
int layout_virtio_slot(unsigned int index, struct mmio_slot *out);

#endif
