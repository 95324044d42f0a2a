/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_VM_H
#define VMM_VM_H

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>

#include "base/config.h"
#include "base/event_loop.h"
#include "base/util.h"
#include "board/machine.h"
#include "board/virtio_devices.h"
#include "kvm/vcpu.h"
#include "kvm/vcpu_set.h"

struct api_server;
struct fwreg_value;

struct vm;

/*
 * Work the main thread does between events, a bounded piece per turn of its
 * loop, so that it still answers the socket and the console (restore's check
 * of the snapshot's memory). step returns 1 while work remains, 0 once it is
 * done, or a negative errno when it failed: it has then reported it and
 * requested the VM's exit.
 */
struct vm_idle_task {
	int (*step)(struct vm *vm, void *ctx);
	void *ctx;
	bool failed;
};

/* The VM object: the only mutable state vmm has. */
struct vm {
	const struct vm_config *cfg;
	int kvm_fd;
	int vm_fd;
	int gic_fd;
	unsigned int ipa_bits; /* 0: KVM's fixed 40 */
	void *ram;
	bool ram_from_file; /* mapped from a snapshot rather than anonymous */
	struct machine machine;
	struct vcpu vcpus[LAYOUT_MAX_CPUS];
	unsigned int nr_vcpus;
	struct vcpu_env vcpu_env; /* what every vCPU thread reaches: the set, the machine */

	/* vCPU threads report why the VM must stop; the main loop wakes on its eventfd. */
	struct vcpu_set vcpu_set;
	/* The main thread's: the VM's own descriptors, and those its devices register. */
	struct event_loop loop;

	struct api_server *api; /* the control socket, when there is one */
	/*
	 * The firmware registers, read before the first KVM_RUN (they cannot change
	 * after it): reading them from a running vCPU would wait for it to leave
	 * KVM_RUN, which a guest CPU taken offline never does.
	 */
	struct fwreg_value *fw_regs;
	unsigned int nr_fw_regs;

	struct vm_idle_task idle; /* step NULL: none */
	/* The virtio devices as made: from the config, or as the snapshot restored them. */
	struct virtio_specs virtio;
};

/* Each returns 0, or a VMM_EXIT_* status after printing why. */
int vm_check_host(int kvm_fd, const struct vm_config *cfg);
/* The steps of vm_build (kvm/lifecycle.h), which loaders call too. */
int vm_setup(struct vm *vm, const struct vm_config *cfg, int kvm_fd, unsigned int ipa_bits);
int vm_map_ram(struct vm *vm, int fd, uint64_t offset); /* -errno */
/* A SIGBUS in ram..ram+size (RAM mapped from a file the file lost): one line, then exit. */
void vm_catch_sigbus(void *ram, uint64_t size);
int vm_add_vcpus(struct vm *vm, const struct kvm_vcpu_init *inits);
int vm_enable_system_suspend(struct vm *vm);
/* Prints "what: strerror(err)" and returns status. */
int vm_fail(const char *what, int err, int status);
/* Runs until the guest or the user ends it; returns the exit status. */
int vm_run(struct vm *vm);
/*
 * Runs the idle task to its end now (before a save, which must not copy
 * memory a check has not passed, and after the guest stopped); false when it
 * failed, which has then requested the VM's exit.
 */
bool vm_idle_finish(struct vm *vm);
/* Before a restarting guest's next VM; the last VM is left to exit() (cmd/start.c says why). */
void vm_destroy(struct vm *vm);
/* Pause, resume and the stop request: vcpu_set_* on vm->vcpu_set (kvm/vcpu_set.h). */

/* Bytes of guest console output dropped since vmm started: stdout did not keep up. */
unsigned long long vm_console_dropped(void);
/* The signals that stop a running VM (through the main loop's signalfd). */
void vm_stop_signals(sigset_t *set);

/* GICv3 where the host has it, else GICv2; after all vCPUs exist, before any runs. */
int gic_create(struct vm *vm);

#endif
