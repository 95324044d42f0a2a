/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_BOOT_H
#define VMM_BOOT_H

#include <stddef.h>
#include <stdint.h>

#include "base/util.h"
#include "board/layout.h"

/* arm64's COMMAND_LINE_SIZE: the kernel keeps at most this many bytes, NUL included. */
#define BOOT_CMDLINE_MAX 2048

/*
 * The user's command line with what the console needs added, unless it names a
 * console already. Returns a malloc'd string, or NULL when out of memory.
 */
char *boot_cmdline(const char *user, uint64_t uart_base);

/*
 * Reads kernel and initrd (initrd may be NULL or closed) into guest RAM, where
 * ram maps layout->ram_base, and copies the device tree. Returns 0 or -errno.
 */
int boot_load(void *ram, const struct boot_layout *layout, const struct input_file *kernel,
	      const struct input_file *initrd, const void *fdt, size_t fdt_size);

#endif
