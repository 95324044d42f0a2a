/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_KVM_LIFECYCLE_H
#define VMM_KVM_LIFECYCLE_H

#include <linux/kvm.h>

#include "base/util.h"
#include "board/image.h"
#include "board/layout.h"

struct vm;
struct vm_config;

/* What `vmm run` loaded before dropping its privileges; kept for reboots. */
struct boot_files {
	struct input_file kernel;
	struct input_file initrd;
	struct arm64_image image;
	struct boot_layout layout;
};

/*
 * Where a VM's state comes from. Every VM is built the same way (vm_build):
 * the VM, guest RAM, the vCPUs and the GIC, then its firmware, then the rest
 * of its state; a loader answers only what differs. Two exist: boot files
 * (kernel, initrd and device tree, vCPUs at reset: vm_boot_loader) and a
 * snapshot reader (migrate/restore.h). Hibernation relaunch and incoming
 * migration are loaders to come. Each op returns 0, or a VMM_EXIT_* status
 * after printing the one line that says why.
 */
struct vm_loader_ops {
	/* The guest-physical address bits the VM is created with (vm_setup). */
	unsigned int (*ipa_bits)(const struct vm_config *cfg, void *ctx);
	/* Guest RAM, through vm_map_ram: anonymous, or from a file. */
	int (*map_ram)(struct vm *vm, void *ctx);
	/* How each of cfg->nr_cpus vCPUs is created. */
	int (*vcpu_inits)(struct vm *vm, void *ctx, struct kvm_vcpu_init *inits);
	/* Once every vCPU and the GIC exist, before anything runs: the firmware the guest sees. */
	int (*firmware)(struct vm *vm, void *ctx);
	/* The rest: the devices and what the guest finds in RAM, registers and the vGIC. */
	int (*load)(struct vm *vm, void *ctx);
	/*
	 * Optional, after a VM is built and loaded and before it runs: 0 runs it,
	 * VM_LOADER_NO_RUN ends the lifecycle with status 0 (restore --check).
	 */
	int (*ready)(struct vm *vm, void *ctx);
	/* Optional, once the VM ran: the exit status it ends with, given vm_run's. */
	int (*ran)(struct vm *vm, void *ctx, int status);
	/* Optional, once after each vm_build whatever its result: frees what loading needed. */
	void (*finish)(void *ctx);
};

#define VM_LOADER_NO_RUN (-1)

struct vm_loader {
	const struct vm_loader_ops *ops;
	void *ctx;
};

/*
 * Builds the machine and loads its state, in that order for every loader;
 * returns 0 or an exit status after printing. vm is overwritten: a VM of a
 * restarting guest is vm_destroy'd before it is built again.
 */
int vm_build(struct vm *vm, const struct vm_config *cfg, int kvm_fd,
	     const struct vm_loader *loader);

/* A fresh boot from files `vmm run` opened; the same files serve every restart. */
struct vm_loader vm_boot_loader(const struct boot_files *boot);

#endif
