// SPDX-License-Identifier: GPL-2.0
/*
 * Every VM is built in one order, whatever its state comes from (kvm/lifecycle.h):
 * KVM wants the vCPUs initialised before the GIC is (vm_add_vcpus), and the
 * firmware registers written after both and before any vCPU first runs.
 */
#include "kvm/lifecycle.h"

#include "base/config.h"
#include "kvm/vm.h"

static int vm_build_machine(struct vm *vm, const struct vm_config *cfg, int kvm_fd,
			    const struct vm_loader *loader)
{
	const struct vm_loader_ops *ops = loader->ops;
	struct kvm_vcpu_init inits[LAYOUT_MAX_CPUS];
	int status;

	status = vm_setup(vm, cfg, kvm_fd, ops->ipa_bits(cfg, loader->ctx));
	status = status ?: ops->map_ram(vm, loader->ctx);
	status = status ?: ops->vcpu_inits(vm, loader->ctx, inits);
	status = status ?: vm_add_vcpus(vm, inits);
	return status ?: vm_enable_system_suspend(vm);
}

int vm_build(struct vm *vm, const struct vm_config *cfg, int kvm_fd, const struct vm_loader *loader)
{
	const struct vm_loader_ops *ops = loader->ops;
	int status = vm_build_machine(vm, cfg, kvm_fd, loader);

	status = status ?: ops->firmware(vm, loader->ctx);
	status = status ?: ops->load(vm, loader->ctx);
	if (ops->finish)
		ops->finish(loader->ctx);
	return status;
}
