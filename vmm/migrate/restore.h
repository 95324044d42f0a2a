/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_MIGRATE_RESTORE_H
#define VMM_MIGRATE_RESTORE_H

#include <stdbool.h>
#include <stdint.h>

#include "../cpu/regs.h"

struct vm;
struct vm_config;
struct snap_reader;

/* The machine a snapshot describes. */
struct restore_config {
	uint32_t nr_cpus;
	uint64_t ram_size;
	uint32_t gic_version, nr_irqs, ipa_bits, psci_version;
	bool system_suspend;
	char cmdline[2048];
};

/* -EINVAL for a config this vmm cannot recreate; -ENOENT when the section is missing. */
int restore_read_config(struct snap_reader *r, struct restore_config *rc);

#define SNAP_VCPU_EVENTS_SIZE 64 /* struct kvm_vcpu_events on arm64 */

/* One vCPU section: how it was created, its registers, MP state and events. */
struct saved_vcpu {
	uint32_t target;
	uint32_t features[7];
	uint32_t mp_state;
	uint8_t events[SNAP_VCPU_EVENTS_SIZE];
	struct reg_values regs;
};

int snap_read_vcpu(struct snap_reader *r, unsigned int i, struct saved_vcpu *v);
void snap_saved_vcpus_free(struct saved_vcpu *v, unsigned int nr);

/* Builds the VM and loads every piece of state; returns 0 or an exit status, after printing. */
int vm_restore_create(struct vm *vm, const struct vm_config *cfg, int kvm_fd,
		      struct snap_reader *r, const struct restore_config *rc);

#endif
