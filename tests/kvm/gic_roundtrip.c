// SPDX-License-Identifier: GPL-2.0
/*
 * The vGIC state survives vmm's save and restore unchanged: state set on a VM
 * that never ran a guest, saved by gic_state_save, restored by
 * gic_state_restore into a second fresh VM and saved again, is the same list
 * of attributes with the same values, byte for byte.
 */
#include <asm/kvm.h>

#include "kvm/gic_state.h"
#include "kvm_test.h"

#define NR_CPUS 2

/*
 * Distributor and redistributor registers with values other than their reset
 * ones: SPI enable, priority and pending bits, PPI enable and priority on the
 * second CPU (vgic-v3.rst: redistributor attributes carry the MPIDR).
 */
static const struct {
	uint32_t group;
	uint64_t offset;
	bool redist_cpu1; /* the offset is vCPU 1's redistributor's */
	uint32_t value;
} planted[] = {
	{ KVM_DEV_ARM_VGIC_GRP_DIST_REGS, 0x0104, false, 0x00000005 }, /* ISENABLER1: SPIs 32, 34 */
	{ KVM_DEV_ARM_VGIC_GRP_DIST_REGS, 0x0428, false, 0xa0908070 }, /* IPRIORITYR: SPIs 40..43 */
	{ KVM_DEV_ARM_VGIC_GRP_DIST_REGS, 0x0204, false, 0x00000002 }, /* ISPENDR1: SPI 33 */
	{ KVM_DEV_ARM_VGIC_GRP_REDIST_REGS, 0x10100, true, 0x08000000 }, /* ISENABLER0: PPI 27 */
	{ KVM_DEV_ARM_VGIC_GRP_REDIST_REGS, 0x10418, true, 0xc0000000 }, /* IPRIORITYR6: PPI 27 */
};

static uint64_t planted_attr(const struct vm *vm, unsigned int i)
{
	uint64_t mpidr = vm->machine.mpidr[1];
	/* The attribute's MPIDR field: Aff3 in 63:56, Aff2 55:48, Aff1 47:40, Aff0 39:32. */
	uint64_t aff = (mpidr & 0xffffff) | ((mpidr >> 8) & 0xff000000);

	return planted[i].offset | (planted[i].redist_cpu1 ? aff << 32 : 0);
}

static int plant_state(const struct vm *vm)
{
	unsigned int i;
	int ret = 0;

	for (i = 0; i < ARRAY_SIZE(planted) && !ret; i++) {
		uint32_t value = planted[i].value;

		ret = kvm_device_set_attr(vm->gic_fd, planted[i].group, planted_attr(vm, i),
					  &value);
	}
	return ret;
}

static const struct gic_attr *find_attr(const struct gic_state *s, uint32_t group, uint64_t attr)
{
	unsigned int i;

	for (i = 0; i < s->nr; i++)
		if (s->attrs[i].group == group && s->attrs[i].attr == attr)
			return &s->attrs[i];
	return NULL;
}

/* Without this, a save that read nothing would round-trip too. */
static void check_planted_saved(const struct vm *vm, const struct gic_state *s)
{
	unsigned int i, found = 0;

	for (i = 0; i < ARRAY_SIZE(planted); i++) {
		const struct gic_attr *a = find_attr(s, planted[i].group, planted_attr(vm, i));

		if (a && (a->value & planted[i].value) == planted[i].value)
			found++;
		else
			printf("# attr group %u 0x%llx: planted 0x%x, saved %s0x%llx\n",
			       planted[i].group, (unsigned long long)planted_attr(vm, i),
			       planted[i].value, a ? "" : "nothing, ",
			       a ? (unsigned long long)a->value : 0ULL);
	}
	kt_check(found == ARRAY_SIZE(planted), "the saved state holds the planted bits",
		 "expected %zu planted registers in the save, found %u", ARRAY_SIZE(planted),
		 found);
}

static int save(const struct vm *vm, struct gic_state *s)
{
	return gic_state_save(vm->gic_fd, vm->machine.mpidr, vm->nr_vcpus, GIC_NR_IRQS, s);
}

static void check_same(const struct gic_state *a, const struct gic_state *b)
{
	unsigned int i = 0;

	while (i < a->nr && i < b->nr && !memcmp(&a->attrs[i], &b->attrs[i], sizeof(a->attrs[i])))
		i++;
	kt_check(a->nr == b->nr && i == a->nr, "save, restore, save gives the same state",
		 "expected %u attributes identical, got %u saved again, first difference at %u "
		 "(group %u attr 0x%llx: 0x%llx then 0x%llx)",
		 a->nr, b->nr, i, i < a->nr ? a->attrs[i].group : 0,
		 i < a->nr ? (unsigned long long)a->attrs[i].attr : 0ULL,
		 i < a->nr ? (unsigned long long)a->attrs[i].value : 0ULL,
		 i < b->nr ? (unsigned long long)b->attrs[i].value : 0ULL);
}

static void roundtrip(struct vm *first, struct vm *second)
{
	struct gic_state s1 = { 0 }, s2 = { 0 };
	const struct gic_attr *failed = NULL;
	int ret;

	ret = plant_state(first);
	if (!kt_check(!ret, "plant distributor and redistributor state",
		      "expected KVM_SET_DEVICE_ATTR to succeed, got %s", strerror(-ret)))
		return;
	ret = save(first, &s1);
	if (!kt_check(!ret && s1.nr > 0, "save the first VM's GIC",
		      "expected attributes, got %s at group %u attr 0x%llx", strerror(-ret),
		      s1.failed_group, (unsigned long long)s1.failed_attr))
		return;
	check_planted_saved(first, &s1);
	ret = gic_state_restore(second->gic_fd, &s1, &failed);
	if (kt_check(!ret, "restore it into a fresh VM",
		     "expected success, got %s at group %u attr 0x%llx", strerror(-ret),
		     failed ? failed->group : 0,
		     failed ? (unsigned long long)failed->attr : 0ULL)) {
		ret = save(second, &s2);
		if (kt_check(!ret, "save the second VM's GIC", "expected success, got %s",
			     strerror(-ret)))
			check_same(&s1, &s2);
	}
	gic_state_free(&s1);
	gic_state_free(&s2);
}

int main(void)
{
	struct vm_config cfg1, cfg2;
	struct vm first, second;

	if (!kt_vm_ready(&first, &cfg1, NR_CPUS) || !kt_vm_ready(&second, &cfg2, NR_CPUS))
		return kt_done();
	/* gic_state_save speaks the GICv3 attribute groups only. */
	if (first.machine.gic_version != 3)
		kt_skip("save, restore, save gives the same state", "this host has no GICv3");
	else
		roundtrip(&first, &second);
	return kt_done();
}
