/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_FDT_NODE_H
#define VMM_FDT_NODE_H
/*
 * What every writer of a device-tree node shares: the fixed phandles, the
 * interrupt specifier flags, and the name, reg and interrupts of a device's
 * node. The tree itself (fdt.c), the GIC's node (gic_fdt.c) and each device
 * model use it, so none of them has to include another.
 */
struct device;

/* Fixed phandles: the tree is written in one pass, so references are known in advance. */
#define FDT_PHANDLE_GIC 1
#define FDT_PHANDLE_APB_PCLK 2

/* Interrupt specifier flags of the GIC binding. */
#define FDT_IRQ_TYPE_SPI 0
#define FDT_IRQ_TYPE_PPI 1
#define FDT_IRQ_EDGE_RISING 1
#define FDT_IRQ_LEVEL_HIGH 4

/* Opens the node "prefix@base" for dev; nonzero (a libfdt error) when it does not fit. */
int fdt_node_begin(void *fdt, const char *prefix, const struct device *dev);
/* The reg (base, size) and interrupts (its SPI, level high) properties of dev's node. */
int fdt_node_reg_irq(void *fdt, const struct device *dev);
/* The same with the interrupt's trigger flags (FDT_IRQ_EDGE_RISING, FDT_IRQ_LEVEL_HIGH). */
int fdt_node_reg_irq_flags(void *fdt, const struct device *dev, unsigned int flags);

#endif
