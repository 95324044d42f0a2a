/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_FDT_H
#define VMM_FDT_H

#include <stddef.h>

struct machine;

/* Fixed phandles: the tree is written in one pass, so references are known in advance. */
#define FDT_PHANDLE_GIC 1
#define FDT_PHANDLE_APB_PCLK 2

/* Interrupt specifier flags of the GIC binding. */
#define FDT_IRQ_TYPE_SPI 0
#define FDT_IRQ_TYPE_PPI 1
#define FDT_IRQ_LEVEL_HIGH 4

/* Writes the whole device tree for m into buf; returns 0 or -ENOSPC. */
int fdt_build(const struct machine *m, void *buf, size_t size);

#endif
