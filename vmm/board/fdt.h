/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_FDT_H
#define VMM_FDT_H

#include <stddef.h>

struct machine;

/* Writes the whole device tree for m into buf; returns 0 or -ENOSPC. */
int fdt_build(const struct machine *m, void *buf, size_t size);

#endif
