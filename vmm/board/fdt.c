// SPDX-License-Identifier: GPL-2.0
/* The guest's device tree, written in one pass with libfdt's sequential-write API. */
#include "board/fdt.h"

#include <errno.h>
#include <libfdt.h>
#include <stdio.h>

#include "board/fdt_node.h"
#include "board/gic_fdt.h"
#include "board/machine.h"
#include "firmware/psci.h"

#define APB_PCLK_HZ 24000000

static int fdt_chosen(const struct machine *m, void *fdt, const char *console_path)
{
	const struct boot_layout *l = &m->layout;
	int ret = 0;

	ret |= fdt_begin_node(fdt, "chosen");
	ret |= fdt_property_string(fdt, "bootargs", m->bootargs ? m->bootargs : "");
	if (console_path[0])
		ret |= fdt_property_string(fdt, "stdout-path", console_path);
	if (l->initrd_size) {
		ret |= fdt_property_u64(fdt, "linux,initrd-start", l->initrd_addr);
		ret |= fdt_property_u64(fdt, "linux,initrd-end", l->initrd_addr + l->initrd_size);
	}
	ret |= fdt_end_node(fdt);

	if (console_path[0]) {
		ret |= fdt_begin_node(fdt, "aliases");
		ret |= fdt_property_string(fdt, "serial0", console_path);
		ret |= fdt_end_node(fdt);
	}
	return ret;
}

static int fdt_memory(const struct machine *m, void *fdt)
{
	uint64_t reg[2] = { cpu_to_fdt64(m->layout.ram_base), cpu_to_fdt64(m->layout.ram_size) };
	char name[32];
	int ret = 0;

	snprintf(name, sizeof(name), "memory@%llx", (unsigned long long)m->layout.ram_base);
	ret |= fdt_begin_node(fdt, name);
	ret |= fdt_property_string(fdt, "device_type", "memory");
	ret |= fdt_property(fdt, "reg", reg, sizeof(reg));
	ret |= fdt_end_node(fdt);
	return ret;
}

/* CPU nodes are named and addressed by MPIDR affinity, as the arm cpus binding asks. */
static int fdt_cpus(const struct machine *m, void *fdt)
{
	unsigned int i;
	char name[32];
	int ret = 0;

	ret |= fdt_begin_node(fdt, "cpus");
	ret |= fdt_property_u32(fdt, "#address-cells", 2);
	ret |= fdt_property_u32(fdt, "#size-cells", 0);
	for (i = 0; i < m->nr_cpus; i++) {
		uint64_t mpidr = m->mpidr[i] & 0xff00ffffffULL; /* affinity fields only */

		snprintf(name, sizeof(name), "cpu@%llx", (unsigned long long)mpidr);
		ret |= fdt_begin_node(fdt, name);
		ret |= fdt_property_string(fdt, "device_type", "cpu");
		ret |= fdt_property_string(fdt, "compatible", "arm,arm-v8");
		ret |= fdt_property_string(fdt, "enable-method", "psci");
		ret |= fdt_property_u64(fdt, "reg", mpidr);
		ret |= fdt_end_node(fdt);
	}
	ret |= fdt_end_node(fdt);
	return ret;
}

/* The architected timer's PPIs: secure, non-secure physical, virtual, hypervisor. */
static int fdt_timer(const struct machine *m, void *fdt)
{
	static const uint32_t ppis[] = { 13, 14, 11, 10 };
	uint32_t irqs[3 * 4];
	uint32_t flags = FDT_IRQ_LEVEL_HIGH;
	unsigned int i;
	int ret = 0;

	/* GICv2 lists which CPUs a PPI reaches; GICv3 has no such field. */
	if (m->gic_version == 2)
		flags |= ((1u << (m->nr_cpus > 8 ? 8 : m->nr_cpus)) - 1) << 8;
	for (i = 0; i < 4; i++) {
		irqs[3 * i] = cpu_to_fdt32(FDT_IRQ_TYPE_PPI);
		irqs[3 * i + 1] = cpu_to_fdt32(ppis[i]);
		irqs[3 * i + 2] = cpu_to_fdt32(flags);
	}
	ret |= fdt_begin_node(fdt, "timer");
	ret |= fdt_property_string(fdt, "compatible", "arm,armv8-timer");
	ret |= fdt_property(fdt, "interrupts", irqs, sizeof(irqs));
	ret |= fdt_property(fdt, "always-on", NULL, 0);
	ret |= fdt_end_node(fdt);
	return ret;
}

/* The PL031 sits on the AMBA bus, which will not probe a device without its apb_pclk. */
static int fdt_apb_pclk(void *fdt)
{
	int ret = 0;

	ret |= fdt_begin_node(fdt, "apb-pclk");
	ret |= fdt_property_string(fdt, "compatible", "fixed-clock");
	ret |= fdt_property_u32(fdt, "#clock-cells", 0);
	ret |= fdt_property_u32(fdt, "clock-frequency", APB_PCLK_HZ);
	ret |= fdt_property_string(fdt, "clock-output-names", "clk24mhz");
	ret |= fdt_property_u32(fdt, "phandle", FDT_PHANDLE_APB_PCLK);
	ret |= fdt_end_node(fdt);
	return ret;
}

static int fdt_devices(const struct machine *m, void *fdt)
{
	unsigned int i;
	int ret = 0;

	for (i = 0; i < m->nr_devices; i++) {
		struct device *dev = m->devices[i];

		if (dev->ops->fdt_node)
			ret |= dev->ops->fdt_node(dev, fdt);
	}
	return ret;
}

int fdt_build(const struct machine *m, void *buf, size_t size)
{
	char console_path[40] = "";
	int ret = 0;

	if (m->console)
		snprintf(console_path, sizeof(console_path), "/uart@%llx",
			 (unsigned long long)m->console->base);

	ret |= fdt_create(buf, size);
	ret |= fdt_finish_reservemap(buf);
	ret |= fdt_begin_node(buf, "");
	ret |= fdt_property_string(buf, "compatible", "linux,dummy-virt");
	ret |= fdt_property_string(buf, "model", "vmm");
	ret |= fdt_property_u32(buf, "#address-cells", 2);
	ret |= fdt_property_u32(buf, "#size-cells", 2);
	ret |= fdt_property_u32(buf, "interrupt-parent", FDT_PHANDLE_GIC);
	ret |= fdt_chosen(m, buf, console_path);
	ret |= fdt_memory(m, buf);
	ret |= fdt_cpus(m, buf);
	ret |= psci_fdt_node(buf, m->psci_version);
	ret |= gic_fdt_node(m, buf);
	ret |= fdt_timer(m, buf);
	ret |= fdt_apb_pclk(buf);
	ret |= fdt_devices(m, buf);
	ret |= fdt_end_node(buf);
	ret |= fdt_finish(buf);
	return ret ? -ENOSPC : 0;
}
