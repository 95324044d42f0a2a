/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_BOOT_H
#define VMM_BOOT_H

#include <stddef.h>
#include <stdint.h>

#include "layout.h"
#include "util.h"

/*
 * The user's command line with what the console needs added, unless it names a
 * console already. Returns a malloc'd string, or NULL when out of memory.
 */
char *boot_cmdline(const char *user, uint64_t uart_base);

/* Copies kernel, initrd and device tree into guest RAM (ram maps layout->ram_base). */
void boot_load(void *ram, const struct boot_layout *layout, const struct file_buf *kernel,
	       const struct file_buf *initrd, const void *fdt, size_t fdt_size);

#endif
