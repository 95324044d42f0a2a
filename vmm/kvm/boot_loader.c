// SPDX-License-Identifier: GPL-2.0
/*
 * The fresh boot's loader (kvm/lifecycle.h): anonymous RAM, vCPUs at reset,
 * the firmware pins, then the kernel, initrd and device tree in RAM and the
 * boot vCPU pointed at them.
 */
#include "kvm/lifecycle.h"

#include <errno.h>
#include <stdlib.h>

#include "base/exit.h"
#include "base/timeline.h"
#include "base/util.h"
#include "board/boot.h"
#include "board/fdt.h"
#include "board/layout.h"
#include "cpu/regs.h"
#include "firmware/psci.h"
#include "kvm/fw_pins.h"
#include "kvm/kvm.h"
#include "kvm/regs.h"
#include "kvm/vm.h"

#define FDT_BUF_SIZE 0x10000

static unsigned int boot_ipa_bits(const struct vm_config *cfg, void *ctx)
{
	(void)ctx;
	return layout_ipa_bits(cfg->ram_size);
}

static int boot_map_ram(struct vm *vm, void *ctx)
{
	int ret = vm_map_ram(vm, -1, 0);

	(void)ctx;
	return ret ? vm_fail("cannot map guest RAM", ret, VMM_EXIT_HOST) : 0;
}

/* What every boot gives a vCPU; secondaries wait powered off for the guest's PSCI CPU_ON. */
static int boot_vcpu_inits(struct vm *vm, void *ctx, struct kvm_vcpu_init *inits)
{
	unsigned int i;
	int ret = kvm_preferred_target(vm->vm_fd, &inits[0]);

	(void)ctx;
	if (ret)
		return vm_fail("cannot learn the host's preferred vCPU type", ret, VMM_EXIT_HOST);
	/* Without PSCI_0_2 KVM offers PSCI 0.1 and nothing later. */
	if (vm->cfg->fw.psci_version != PSCI_V_0_1)
		inits[0].features[0] |= 1u << KVM_ARM_VCPU_PSCI_0_2;
	for (i = 1; i < vm->cfg->nr_cpus; i++) {
		inits[i] = inits[0];
		inits[i].features[0] |= 1u << KVM_ARM_VCPU_POWER_OFF;
	}
	return 0;
}

static int read_psci_version(struct vm *vm)
{
	uint64_t version;
	int ret = kvm_get_reg_u64(vm->vcpus[0].fd, REG_PSCI_VERSION, &version);

	if (ret)
		return ret;
	vm->machine.psci_version = version;
	return 0;
}

/* What each vCPU holds before it first runs: restore tells a reset value from a guest's. */
static int record_reset_values(struct vm *vm)
{
	unsigned int i;
	int ret = 0;

	for (i = 0; i < vm->nr_vcpus && !ret; i++)
		ret = vcpu_regs_read(vm->vcpus[i].fd, NULL, &vm->vcpus[i].reset);
	return ret;
}

static int boot_firmware(struct vm *vm, void *ctx)
{
	int ret = fw_pins_apply(vm->vcpus[0].fd, &vm->cfg->fw, vm->cfg->verbose);

	(void)ctx;
	if (ret)
		return ret;
	ret = read_psci_version(vm);
	if (ret)
		return vm_fail("cannot read the PSCI version", ret, VMM_EXIT_HOST);
	timeline_mark("firmware pins");
	/* Only a save needs them, and only the control socket asks for one. */
	if (vm->cfg->api_socket) {
		ret = record_reset_values(vm);
		if (ret)
			return vm_fail("cannot read the vCPU registers", ret, VMM_EXIT_HOST);
		timeline_mark("reset values");
	}
	return 0;
}

static int load_guest(struct vm *vm, const struct boot_files *boot)
{
	const struct boot_layout *l = &boot->layout;
	struct vcpu *boot_cpu = &vm->vcpus[0];
	char *bootargs;
	void *fdt;
	int ret;

	bootargs = boot_cmdline(vm->cfg->cmdline, UART_BASE);
	fdt = calloc(1, FDT_BUF_SIZE);
	if (!bootargs || !fdt) {
		ret = -ENOMEM;
		goto out;
	}
	vm->machine.layout = *l;
	vm->machine.bootargs = bootargs;
	ret = fdt_build(&vm->machine, fdt, FDT_BUF_SIZE);
	vm->machine.bootargs = NULL;
	if (ret)
		goto out;
	timeline_mark("device tree");
	ret = boot_load(vm->ram, l, &boot->kernel, &boot->initrd, fdt, FDT_BUF_SIZE);
	if (ret)
		goto out;
	timeline_mark("kernel and initrd copied");
	vmm_note(vm->cfg->verbose, "kernel at 0x%llx, initrd at 0x%llx (%llu bytes), dtb at 0x%llx",
		 (unsigned long long)l->kernel_addr, (unsigned long long)l->initrd_addr,
		 (unsigned long long)l->initrd_size, (unsigned long long)l->fdt_addr);
	vmm_note(vm->cfg->verbose, "bootargs: %s", bootargs);

	/* booting.rst: x0 = dtb address, x1-x3 = 0, enter at the image's first byte. */
	ret = kvm_set_reg_u64(boot_cpu->fd, REG_CORE_PC, l->kernel_addr);
	if (!ret)
		ret = kvm_set_reg_u64(boot_cpu->fd, REG_CORE_X(0), l->fdt_addr);
out:
	free(bootargs);
	free(fdt);
	return ret;
}

static int boot_load_state(struct vm *vm, void *ctx)
{
	int ret = machine_add_board_devices(&vm->machine);

	if (ret)
		return vm_fail("cannot create the devices", ret, VMM_EXIT_INTERNAL);
	/* Each failure below has said why in one line. */
	if (virtio_specs_from_config(vm->cfg, &vm->virtio) ||
	    virtio_specs_create(&vm->machine, &vm->virtio))
		return VMM_EXIT_USAGE;
	timeline_mark("devices");
	ret = load_guest(vm, ctx);
	if (ret)
		return vm_fail("cannot load the guest", ret, VMM_EXIT_INTERNAL);
	return 0;
}

static const struct vm_loader_ops boot_loader_ops = {
	.ipa_bits = boot_ipa_bits,
	.map_ram = boot_map_ram,
	.vcpu_inits = boot_vcpu_inits,
	.firmware = boot_firmware,
	.load = boot_load_state,
};

struct vm_loader vm_boot_loader(const struct boot_files *boot)
{
	/* The ops never write through ctx: the files stay as run opened them, for a restart. */
	return (struct vm_loader){ .ops = &boot_loader_ops, .ctx = (void *)boot };
}
