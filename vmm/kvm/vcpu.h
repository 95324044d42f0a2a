/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_CPU_VCPU_H
#define VMM_CPU_VCPU_H

#include <linux/kvm.h>
#include <pthread.h>
#include <stdbool.h>

#include "cpu/regs.h"

struct vm;

struct vcpu {
	struct vm *vm;
	unsigned int id;
	int fd;
	struct kvm_run *run;
	pthread_t thread;
	bool started;
	struct kvm_vcpu_init init;  /* as created: a snapshot recreates it so */
	struct reg_values reset;    /* registers before the first KVM_RUN */
};

int vcpu_create(struct vm *vm, struct vcpu *vcpu, unsigned int id, const struct kvm_vcpu_init *init);
void vcpu_destroy(struct vcpu *vcpu);
int vcpu_start(struct vcpu *vcpu);
/* Makes the thread leave KVM_RUN at once: its next KVM_RUN returns EINTR too. */
void vcpu_kick(struct vcpu *vcpu);
/* Makes the thread leave KVM_RUN and not enter it again; then joins it. */
void vcpu_stop(struct vcpu *vcpu);

#endif
