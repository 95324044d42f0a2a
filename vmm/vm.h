/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_VM_H
#define VMM_VM_H

#include <pthread.h>
#include <stdbool.h>

#include "config.h"
#include "cpu/vcpu.h"
#include "image.h"
#include "machine.h"
#include "util.h"

/* What `vmm run` loaded before dropping its privileges; kept for reboots. */
struct boot_files {
	struct input_file kernel;
	struct input_file initrd;
	struct arm64_image image;
	struct boot_layout layout;
};

/* The VM object: the only mutable state vmm has. */
struct vm {
	const struct vm_config *cfg;
	const struct boot_files *boot;
	int kvm_fd;
	int vm_fd;
	int gic_fd;
	void *ram;
	struct machine machine;
	struct vcpu vcpus[LAYOUT_MAX_CPUS];
	unsigned int nr_vcpus;
	int run_size;

	/* vCPU threads report why the VM must stop; the main thread waits on event_fd. */
	pthread_mutex_t lock;
	int event_fd;
	bool stopping;
	int exit_status;
};

/* Returns 0 or a VMM_EXIT_* status after printing why. */
int vm_create(struct vm *vm, const struct vm_config *cfg, int kvm_fd, const struct boot_files *boot);
/* Runs until the guest or the user ends it; returns the exit status. */
int vm_run(struct vm *vm);
void vm_destroy(struct vm *vm);

/* From any thread: the first caller decides the status; every vCPU is then stopped. */
void vm_request_exit(struct vm *vm, int status);
bool vm_is_stopping(struct vm *vm);

/* GICv3 where the host has it, else GICv2; after all vCPUs exist, before any runs. */
int gic_create(struct vm *vm);

#endif
