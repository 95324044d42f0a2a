// SPDX-License-Identifier: GPL-2.0
/* The in-kernel vGIC (Documentation/virt/kvm/devices/arm-vgic-v3.rst and arm-vgic.rst). */
#include <asm/kvm.h>
#include <errno.h>
#include <unistd.h>

#include "base/util.h"
#include "kvm/kvm.h"
#include "kvm/vm.h"

static int gic_set_addr(int fd, uint64_t type, uint64_t addr)
{
	return kvm_device_set_attr(fd, KVM_DEV_ARM_VGIC_GRP_ADDR, type, &addr);
}

static int gic_place_v3(int fd)
{
	int ret;

	ret = gic_set_addr(fd, KVM_VGIC_V3_ADDR_TYPE_DIST, GIC_DIST_BASE);
	if (!ret)
		ret = gic_set_addr(fd, KVM_VGIC_V3_ADDR_TYPE_REDIST, GIC_REDIST_BASE);
	return ret;
}

static int gic_place_v2(int fd)
{
	int ret;

	ret = gic_set_addr(fd, KVM_VGIC_V2_ADDR_TYPE_DIST, GIC_DIST_BASE);
	if (!ret)
		ret = gic_set_addr(fd, KVM_VGIC_V2_ADDR_TYPE_CPU, GIC_CPU_BASE);
	return ret;
}

/* Sizing and initialising are common to both versions; init needs every vCPU created. */
static int gic_finish(int fd)
{
	uint32_t nr_irqs = GIC_NR_IRQS;
	int ret;

	ret = kvm_device_set_attr(fd, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, &nr_irqs);
	if (!ret)
		ret = kvm_device_set_attr(fd, KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_VGIC_CTRL_INIT,
					  NULL);
	return ret;
}

int gic_create(struct vm *vm)
{
	int fd, ret;

	fd = kvm_create_device(vm->vm_fd, KVM_DEV_TYPE_ARM_VGIC_V3);
	if (fd >= 0) {
		vm->machine.gic_version = 3;
		ret = gic_place_v3(fd);
	} else {
		/* A GICv2 CPU interface addresses at most eight CPUs. */
		if (vm->nr_vcpus > 8)
			return -E2BIG;
		fd = kvm_create_device(vm->vm_fd, KVM_DEV_TYPE_ARM_VGIC_V2);
		if (fd < 0)
			return fd;
		vm->machine.gic_version = 2;
		ret = gic_place_v2(fd);
	}
	if (!ret)
		ret = gic_finish(fd);
	if (ret) {
		close(fd);
		return ret;
	}
	vm->gic_fd = fd;
	return 0;
}
