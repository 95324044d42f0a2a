/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_CPU_VCPU_H
#define VMM_CPU_VCPU_H

#include <linux/kvm.h>
#include <pthread.h>
#include <stdbool.h>

#include "cpu/regs.h"

/*
 * Restored RAM is read from the snapshot file as the guest touches it: a file
 * truncated or rewritten meanwhile loses the guest's memory (README, Snapshots).
 */
#define VM_RAM_LOST_MESSAGE                                                                      \
	"guest RAM could not be read from the snapshot file it is mapped from: the file was "    \
	"truncated or changed while the restored VM ran; leave a snapshot unchanged while a VM " \
	"restored from it runs"

struct machine;
struct vcpu_set;

/* What every vCPU of a VM shares; the VM owns it, and it outlives the threads. */
struct vcpu_env {
	struct vcpu_set *set;	 /* pause, park, stop */
	struct machine *machine; /* MMIO dispatch */
	int vm_fd;
	int run_size; /* of the kvm_run area, KVM_GET_VCPU_MMAP_SIZE */
	bool verbose;
	bool ram_from_file; /* KVM_RUN's EFAULT then means the snapshot file lost a page */
};

struct vcpu {
	const struct vcpu_env *env;
	unsigned int id;
	int fd;
	struct kvm_run *run;
	pthread_t thread;
	bool started;
	struct kvm_vcpu_init init;  /* as created: a snapshot recreates it so */
	struct reg_values reset;    /* registers before the first KVM_RUN */
};

int vcpu_create(struct vcpu *vcpu, const struct vcpu_env *env, unsigned int id,
		const struct kvm_vcpu_init *init);
void vcpu_destroy(struct vcpu *vcpu);
int vcpu_start(struct vcpu *vcpu);
/* Makes the thread leave KVM_RUN at once: its next KVM_RUN returns EINTR too. */
void vcpu_kick(struct vcpu *vcpu);
/* Makes the thread leave KVM_RUN and not enter it again; then joins it. */
void vcpu_stop(struct vcpu *vcpu);

#endif
