// SPDX-License-Identifier: GPL-2.0
#include "board/fdt_node.h"

#include <libfdt.h>
#include <stdio.h>

#include "board/device.h"

int fdt_node_begin(void *fdt, const char *prefix, const struct device *dev)
{
	char name[48];

	snprintf(name, sizeof(name), "%s@%llx", prefix, (unsigned long long)dev->base);
	return fdt_begin_node(fdt, name);
}

int fdt_node_reg_irq(void *fdt, const struct device *dev)
{
	return fdt_node_reg_irq_flags(fdt, dev, FDT_IRQ_LEVEL_HIGH);
}

int fdt_node_reg_irq_flags(void *fdt, const struct device *dev, unsigned int flags)
{
	uint64_t reg[2] = { cpu_to_fdt64(dev->base), cpu_to_fdt64(dev->size) };
	uint32_t irq[3] = { cpu_to_fdt32(FDT_IRQ_TYPE_SPI), cpu_to_fdt32(dev->spi),
			    cpu_to_fdt32(flags) };
	int ret = 0;

	ret |= fdt_property(fdt, "reg", reg, sizeof(reg));
	ret |= fdt_property(fdt, "interrupts", irq, sizeof(irq));
	return ret;
}
