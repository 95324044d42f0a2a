/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_GIC_H
#define VMM_GIC_H

struct machine;

/* The interrupt controller's device-tree node: GICv3 with one redistributor region, or GICv2. */
int gic_fdt_node(const struct machine *m, void *fdt);

#endif
