// SPDX-License-Identifier: GPL-2.0
#include "board/gic_fdt.h"

#include <errno.h>
#include <libfdt.h>
#include <stdio.h>

#include "board/fdt_node.h"
#include "board/machine.h"

int gic_fdt_node(const struct machine *m, void *fdt)
{
	uint64_t v3_reg[4] = {
		cpu_to_fdt64(GIC_DIST_BASE),
		cpu_to_fdt64(GIC_DIST_SIZE),
		cpu_to_fdt64(GIC_REDIST_BASE),
		cpu_to_fdt64(GIC_REDIST_SIZE_PER_CPU * m->nr_cpus),
	};
	uint64_t v2_reg[4] = {
		cpu_to_fdt64(GIC_DIST_BASE),
		cpu_to_fdt64(GIC_DIST_SIZE),
		cpu_to_fdt64(GIC_CPU_BASE),
		cpu_to_fdt64(GIC_CPU_SIZE),
	};
	bool v3 = m->gic_version == 3;
	char name[32];
	int ret = 0;

	snprintf(name, sizeof(name), "intc@%llx", (unsigned long long)GIC_DIST_BASE);
	ret |= fdt_begin_node(fdt, name);
	ret |= fdt_property_string(fdt, "compatible", v3 ? "arm,gic-v3" : "arm,cortex-a15-gic");
	ret |= fdt_property_u32(fdt, "#interrupt-cells", 3);
	ret |= fdt_property(fdt, "interrupt-controller", NULL, 0);
	ret |= fdt_property(fdt, "reg", v3 ? v3_reg : v2_reg, sizeof(v3_reg));
	ret |= fdt_property_u32(fdt, "phandle", FDT_PHANDLE_GIC);
	ret |= fdt_end_node(fdt);
	return ret ? -ENOSPC : 0;
}
