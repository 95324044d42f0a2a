// SPDX-License-Identifier: GPL-2.0
#include "board/layout.h"

#include <errno.h>

#include "base/util.h"

/*
 * The kernel sits at the RAM base plus its text_offset; the device tree takes
 * the last 2 MiB block of RAM, and the initrd goes just below it, so that the
 * kernel may grow into memory without meeting either. Every sum is checked:
 * sizes come from the user and from file headers.
 * Returns -EINVAL for a RAM size vmm never accepts, -E2BIG when the pieces do
 * not fit in ram_size.
 */
int layout_plan(uint64_t ram_size, const struct arm64_image *img, uint64_t initrd_size,
		struct boot_layout *out)
{
	struct boot_layout l = { .ram_base = RAM_BASE, .ram_size = ram_size };

	if (ram_size < LAYOUT_MIN_RAM || ram_size > LAYOUT_MAX_RAM || ram_size % SZ_2M)
		return -EINVAL;
	l.fdt_addr = RAM_BASE + ram_size - FDT_MAX_SIZE;
	if (__builtin_add_overflow(RAM_BASE, img->text_offset, &l.kernel_addr) ||
	    __builtin_add_overflow(l.kernel_addr, img->image_size, &l.kernel_end) ||
	    l.kernel_end > l.fdt_addr || initrd_size > l.fdt_addr - l.kernel_end)
		return -E2BIG;
	l.initrd_size = initrd_size;
	l.initrd_addr = ALIGN_DOWN(l.fdt_addr - initrd_size, SZ_4K);
	if (l.initrd_addr < l.kernel_end)
		return -E2BIG;
	if (!initrd_size)
		l.initrd_addr = 0;
	*out = l;
	return 0;
}

unsigned int layout_ipa_bits(uint64_t ram_size)
{
	unsigned int bits = 32; /* KVM's smallest IPA space */
	uint64_t top;

	if (!ram_size)
		return bits;
	if (__builtin_add_overflow(RAM_BASE, ram_size - 1, &top))
		return 65;
	while (bits < 64 && (top >> bits))
		bits++;
	return bits;
}

int layout_virtio_slot(unsigned int index, struct mmio_slot *out)
{
	if (index >= VIRTIO_MMIO_SLOTS)
		return -ENOENT;
	*out = (struct mmio_slot){ .base = VIRTIO_MMIO_BASE + index * VIRTIO_MMIO_SLOT_SIZE,
				   .size = VIRTIO_MMIO_SLOT_SIZE,
				   .spi = VIRTIO_MMIO_SPI + index };
	return 0;
}
