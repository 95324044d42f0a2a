/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_MIGRATE_RESTORE_H
#define VMM_MIGRATE_RESTORE_H

#include <stdbool.h>
#include <stdint.h>

#include "board/boot.h"
#include "board/virtio_devices.h"
#include "cpu/regs.h"

struct vm;
struct vm_config;
struct vm_loader_ops;
struct snap_reader;
struct snap_writer;

/* The machine a snapshot describes. */
struct restore_config {
	uint32_t nr_cpus;
	uint64_t ram_size;
	uint32_t gic_version, nr_irqs, ipa_bits, psci_version;
	bool system_suspend;
	char cmdline[BOOT_CMDLINE_MAX]; /* what run accepts: one limit for both */
	struct virtio_specs virtio;	/* the virtio devices, remade on their slots */
};

/* The machine section, as save writes it and restore_read_config() reads it. */
int snap_write_config(struct snap_writer *w, const struct restore_config *rc);
/*
 * The machine section and the vCPU sections' order: -EINVAL, with why naming
 * the field, for a machine this vmm cannot build; -ENOMEM.
 */
int restore_read_config(struct snap_reader *r, struct restore_config *rc, char *why,
			size_t why_len);

#define SNAP_VCPU_EVENTS_SIZE 64 /* struct kvm_vcpu_events on arm64 */

/* One vCPU section: how it was created, its registers, MP state and events. */
struct saved_vcpu {
	uint32_t target;
	uint32_t features[7];
	uint32_t mp_state;
	uint8_t events[SNAP_VCPU_EVENTS_SIZE];
	struct reg_values regs;
};

/* vCPU i's section: -EINVAL with why naming what is wrong (a register twice...), -ENOMEM. */
int snap_read_vcpu(struct snap_reader *r, unsigned int i, struct saved_vcpu *v, char *why,
		   size_t why_len);
void snap_saved_vcpus_free(struct saved_vcpu *v, unsigned int nr);

/*
 * A snapshot as the state a VM is loaded with: restore_loader_ops with a
 * struct restore_load as ctx (kvm/lifecycle.h). RAM is mapped from the file;
 * the vCPUs are created as the snapshot says, then get their registers (the
 * firmware's first), the vGIC and the devices their sections. With check, the
 * VM is built and loaded, then not run: one line says this host can restore it.
 */
struct restore_load {
	struct snap_reader *r;
	const struct restore_config *rc;
	const char *path;
	bool check;
	struct saved_vcpu *saved; /* read with the vCPUs' creation, freed once applied */
};
extern const struct vm_loader_ops restore_loader_ops;

/*
 * The memory CRC the reader deferred (SNAP_READ_DEFER_MEMORY_CRC), as the VM's
 * idle task: it runs while the guest does. A mismatch stops the VM with
 * VMM_EXIT_SNAPSHOT and one line naming path.
 */
void restore_check_memory_later(struct vm *vm, struct snap_reader *r, const char *path);

#endif
