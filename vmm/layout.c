// SPDX-License-Identifier: GPL-2.0
#include "layout.h"

#include <errno.h>

#include "util.h"

/*
 * The kernel sits at the RAM base plus its text_offset; the device tree takes
 * the last 2 MiB block of RAM, and the initrd goes just below it, so that the
 * kernel may grow into memory without meeting either.
 * Returns -E2BIG when the pieces do not fit in ram_size.
 */
int layout_plan(uint64_t ram_size, const struct arm64_image *img, uint64_t initrd_size,
		struct boot_layout *out)
{
	uint64_t ram_end = RAM_BASE + ram_size;

	if (ram_size < LAYOUT_MIN_RAM || ram_size % SZ_2M)
		return -EINVAL;
	out->ram_base = RAM_BASE;
	out->ram_size = ram_size;
	out->kernel_addr = RAM_BASE + img->text_offset;
	out->kernel_end = out->kernel_addr + img->image_size;
	out->fdt_addr = ram_end - FDT_MAX_SIZE;
	out->initrd_size = initrd_size;
	out->initrd_addr = ALIGN_DOWN(out->fdt_addr - initrd_size, SZ_4K);
	if (out->kernel_end > out->fdt_addr || initrd_size > out->fdt_addr - out->kernel_end ||
	    out->initrd_addr < out->kernel_end)
		return -E2BIG;
	if (!initrd_size)
		out->initrd_addr = 0;
	return 0;
}

unsigned int layout_ipa_bits(uint64_t ram_size)
{
	uint64_t top = RAM_BASE + ram_size - 1;
	unsigned int bits = 32; /* KVM's smallest IPA space */

	while (bits < 64 && (top >> bits))
		bits++;
	return bits;
}
