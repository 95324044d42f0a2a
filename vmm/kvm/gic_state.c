// SPDX-License-Identifier: GPL-2.0
/*
 * Saving and restoring the in-kernel GICv3. The order of the list is the
 * restore order: GICD_IIDR first (the vgic-v3 document asks for it before any
 * other register), GICD_CTLR so that affinity routing is on before IROUTER
 * is written, the redistributors, the distributor's SPI state, the input
 * line levels, and the CPU interfaces last, ICC_CTLR_EL1 before the others.
 */
#include "kvm/gic_state.h"

#include <asm/kvm.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kvm/kvm.h"

#define GICD_CTLR 0x0000
#define GICD_IIDR 0x0008
#define GICD_IGROUPR 0x0080
#define GICD_ISENABLER 0x0100
#define GICD_ISPENDR 0x0200
#define GICD_ISACTIVER 0x0300
#define GICD_IPRIORITYR 0x0400
#define GICD_ICFGR 0x0c00
#define GICD_IROUTER 0x6000

#define GICR_CTLR 0x0000
#define GICR_SGI_BASE 0x10000
#define GICR_IGROUPR0 (GICR_SGI_BASE + 0x0080)
#define GICR_ISENABLER0 (GICR_SGI_BASE + 0x0100)
#define GICR_ISPENDR0 (GICR_SGI_BASE + 0x0200)
#define GICR_ISACTIVER0 (GICR_SGI_BASE + 0x0300)
#define GICR_IPRIORITYR0 (GICR_SGI_BASE + 0x0400)
#define GICR_ICFGR0 (GICR_SGI_BASE + 0x0c00)

/* CPU interface system registers in the attribute's instr encoding. */
#define ICC(op0, op1, crn, crm, op2) ((op0) << 14 | (op1) << 11 | (crn) << 7 | (crm) << 3 | (op2))
#define ICC_CTLR_EL1 ICC(3, 0, 12, 12, 4)
#define ICC_PMR_EL1 ICC(3, 0, 4, 6, 0)
#define ICC_BPR0_EL1 ICC(3, 0, 12, 8, 3)
#define ICC_BPR1_EL1 ICC(3, 0, 12, 12, 3)
#define ICC_AP0R_EL1(n) ICC(3, 0, 12, 8, 4 + (n))
#define ICC_AP1R_EL1(n) ICC(3, 0, 12, 9, (n))
#define ICC_IGRPEN0_EL1 ICC(3, 0, 12, 12, 6)
#define ICC_IGRPEN1_EL1 ICC(3, 0, 12, 12, 7)
#define ICC_CTLR_PRIBITS(ctlr) ((((ctlr) >> 8) & 7) + 1)

/* The attribute's MPIDR field: Aff3 in 63:56, Aff2 55:48, Aff1 47:40, Aff0 39:32. */
static uint64_t attr_mpidr(uint64_t mpidr)
{
	uint64_t aff = (mpidr & 0xffffff) | ((mpidr >> 8) & 0xff000000);

	return aff << 32;
}

struct gic_collector {
	int fd;
	struct gic_state *state;
	unsigned int cap;
	int error;
	uint32_t failed_group;
	uint64_t failed_attr;
};

static void collect(struct gic_collector *c, uint32_t group, uint64_t attr)
{
	uint64_t value = 0;
	struct gic_attr *grown;
	int ret;

	if (c->error)
		return;
	ret = kvm_device_get_attr(c->fd, group, attr, &value);
	if (ret == -ENXIO)
		return; /* not implemented by this KVM: nothing to carry */
	if (ret) {
		c->error = ret;
		c->failed_group = group;
		c->failed_attr = attr;
		return;
	}
	if (c->state->nr == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 256;
		grown = realloc(c->state->attrs, c->cap * sizeof(*grown));
		if (!grown) {
			c->error = -ENOMEM;
			return;
		}
		c->state->attrs = grown;
	}
	c->state->attrs[c->state->nr++] = (struct gic_attr){ group, attr, value };
}

/* A block of 32-bit registers covering `bits` bits per interrupt, for SPIs only. */
static void collect_dist_spis(struct gic_collector *c, uint32_t base, unsigned int bits,
			      unsigned int nr_irqs)
{
	unsigned int intid;

	for (intid = 32; intid < nr_irqs; intid += 32 / bits)
		collect(c, KVM_DEV_ARM_VGIC_GRP_DIST_REGS, base + intid * bits / 8);
}

static void collect_redist(struct gic_collector *c, uint64_t mpidr)
{
	uint64_t cpu = attr_mpidr(mpidr);
	unsigned int i;

	collect(c, KVM_DEV_ARM_VGIC_GRP_REDIST_REGS, cpu | GICR_CTLR);
	collect(c, KVM_DEV_ARM_VGIC_GRP_REDIST_REGS, cpu | GICR_IGROUPR0);
	for (i = 0; i < 8; i++)
		collect(c, KVM_DEV_ARM_VGIC_GRP_REDIST_REGS, cpu | (GICR_IPRIORITYR0 + 4 * i));
	collect(c, KVM_DEV_ARM_VGIC_GRP_REDIST_REGS, cpu | GICR_ICFGR0);
	collect(c, KVM_DEV_ARM_VGIC_GRP_REDIST_REGS, cpu | (GICR_ICFGR0 + 4));
	collect(c, KVM_DEV_ARM_VGIC_GRP_REDIST_REGS, cpu | GICR_ISENABLER0);
	collect(c, KVM_DEV_ARM_VGIC_GRP_REDIST_REGS, cpu | GICR_ISPENDR0);
	collect(c, KVM_DEV_ARM_VGIC_GRP_REDIST_REGS, cpu | GICR_ISACTIVER0);
}

static void collect_dist(struct gic_collector *c, unsigned int nr_irqs)
{
	unsigned int intid;

	collect_dist_spis(c, GICD_IGROUPR, 1, nr_irqs);
	collect_dist_spis(c, GICD_IPRIORITYR, 8, nr_irqs);
	collect_dist_spis(c, GICD_ICFGR, 2, nr_irqs);
	for (intid = 32; intid < nr_irqs; intid++) {
		collect(c, KVM_DEV_ARM_VGIC_GRP_DIST_REGS, GICD_IROUTER + 8 * intid);
		collect(c, KVM_DEV_ARM_VGIC_GRP_DIST_REGS, GICD_IROUTER + 8 * intid + 4);
	}
	collect_dist_spis(c, GICD_ISENABLER, 1, nr_irqs);
	collect_dist_spis(c, GICD_ISPENDR, 1, nr_irqs);
	collect_dist_spis(c, GICD_ISACTIVER, 1, nr_irqs);
}

static void collect_levels(struct gic_collector *c, const uint64_t *mpidr, unsigned int nr_cpus,
			   unsigned int nr_irqs)
{
	uint64_t info = (uint64_t)VGIC_LEVEL_INFO_LINE_LEVEL << KVM_DEV_ARM_VGIC_LINE_LEVEL_INFO_SHIFT;
	unsigned int i, intid;

	/* PPIs are per CPU (intid 0..31 with SGIs reading as zero); SPIs are shared. */
	for (i = 0; i < nr_cpus; i++)
		collect(c, KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO, attr_mpidr(mpidr[i]) | info);
	for (intid = 32; intid < nr_irqs; intid += 32)
		collect(c, KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO, attr_mpidr(mpidr[0]) | info | intid);
}

/*
 * ICC_CTLR_EL1 comes first: its PRIbits say how many active-priority
 * registers this CPU interface has (1, 2 or 4 of each group); KVM refuses
 * access to the others.
 */
static void collect_cpu_interface(struct gic_collector *c, uint64_t mpidr)
{
	uint64_t cpu = attr_mpidr(mpidr);
	unsigned int n, nr_apr;

	collect(c, KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS, cpu | ICC_CTLR_EL1);
	if (c->error)
		return;
	n = ICC_CTLR_PRIBITS(c->state->attrs[c->state->nr - 1].value);
	nr_apr = n >= 7 ? 4 : n == 6 ? 2 : 1;
	collect(c, KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS, cpu | ICC_PMR_EL1);
	collect(c, KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS, cpu | ICC_BPR0_EL1);
	collect(c, KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS, cpu | ICC_BPR1_EL1);
	for (n = 0; n < nr_apr; n++) {
		collect(c, KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS, cpu | ICC_AP0R_EL1(n));
		collect(c, KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS, cpu | ICC_AP1R_EL1(n));
	}
	collect(c, KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS, cpu | ICC_IGRPEN0_EL1);
	collect(c, KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS, cpu | ICC_IGRPEN1_EL1);
}

int gic_state_save(int gic_fd, const uint64_t *mpidr, unsigned int nr_cpus, unsigned int nr_irqs,
		   struct gic_state *state)
{
	struct gic_collector c = { .fd = gic_fd, .state = state };
	unsigned int i;

	memset(state, 0, sizeof(*state));
	collect(&c, KVM_DEV_ARM_VGIC_GRP_DIST_REGS, GICD_IIDR);
	collect(&c, KVM_DEV_ARM_VGIC_GRP_DIST_REGS, GICD_CTLR);
	for (i = 0; i < nr_cpus; i++)
		collect_redist(&c, mpidr[i]);
	collect_dist(&c, nr_irqs);
	collect_levels(&c, mpidr, nr_cpus, nr_irqs);
	for (i = 0; i < nr_cpus; i++)
		collect_cpu_interface(&c, mpidr[i]);
	if (c.error) {
		gic_state_free(state);
		state->failed_group = c.failed_group;
		state->failed_attr = c.failed_attr;
	}
	return c.error;
}

int gic_state_restore(int gic_fd, const struct gic_state *state, const struct gic_attr **failed)
{
	unsigned int i;
	int ret;

	for (i = 0; i < state->nr; i++) {
		const struct gic_attr *a = &state->attrs[i];

		ret = kvm_device_set_attr(gic_fd, a->group, a->attr, &a->value);
		if (ret) {
			*failed = a;
			return ret;
		}
	}
	return 0;
}

void gic_state_free(struct gic_state *state)
{
	free(state->attrs);
	state->attrs = NULL;
	state->nr = 0;
}
