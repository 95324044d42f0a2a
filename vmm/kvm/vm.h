/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_VM_H
#define VMM_VM_H

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>

#include "base/config.h"
#include "base/util.h"
#include "board/image.h"
#include "board/machine.h"
#include "kvm/vcpu.h"

struct api_server;
struct fwreg_value;

/* What `vmm run` loaded before dropping its privileges; kept for reboots. */
struct boot_files {
	struct input_file kernel;
	struct input_file initrd;
	struct arm64_image image;
	struct boot_layout layout;
};

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
	const struct boot_files *boot;
	int kvm_fd;
	int vm_fd;
	int gic_fd;
	unsigned int ipa_bits; /* 0: KVM's fixed 40 */
	void *ram;
	bool ram_from_file; /* mapped from a snapshot rather than anonymous */
	struct machine machine;
	struct vcpu vcpus[LAYOUT_MAX_CPUS];
	unsigned int nr_vcpus;
	int run_size;

	/* vCPU threads report why the VM must stop; the main thread waits on event_fd. */
	pthread_mutex_t lock;
	pthread_cond_t cond; /* vCPUs park on it while paused; vm_pause waits on it */
	int event_fd;
	bool stopping;
	int exit_status;
	bool pause_requested;
	unsigned int nr_parked;
	unsigned int nr_running; /* vCPU threads started and not yet finished */

	struct api_server *api; /* the control socket, when there is one */
	/*
	 * The firmware registers, read before the first KVM_RUN (they cannot change
	 * after it): reading them from a running vCPU would wait for it to leave
	 * KVM_RUN, which a guest CPU taken offline never does.
	 */
	struct fwreg_value *fw_regs;
	unsigned int nr_fw_regs;

	struct vm_idle_task idle; /* step NULL: none */
};

/*
 * Restored RAM is read from the snapshot file as the guest touches it: a file
 * truncated or rewritten meanwhile loses the guest's memory (README, Snapshots).
 */
#define VM_RAM_LOST_MESSAGE                                                                     \
	"guest RAM could not be read from the snapshot file it is mapped from: the file was "   \
	"truncated or changed while the restored VM ran; leave a snapshot unchanged while a VM " \
	"restored from it runs"

/* Each returns 0, or a VMM_EXIT_* status after printing why. */
int vm_check_host(int kvm_fd, const struct vm_config *cfg);
int vm_create(struct vm *vm, const struct vm_config *cfg, int kvm_fd, const struct boot_files *boot);
/* The parts of vm_create that a restore shares. */
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
/* Before a restarting guest's next VM; the last VM is left to exit() (main.c says why). */
void vm_destroy(struct vm *vm);

/* From any thread: the first caller decides the status; every vCPU is then stopped. */
void vm_request_exit(struct vm *vm, int status);
bool vm_is_stopping(struct vm *vm);

/*
 * Takes every vCPU out of KVM_RUN and keeps it out, with pending MMIO
 * completed, so that its state can be read or written; vm_resume lets them go.
 * Returns 0 once every vCPU has parked; -ESHUTDOWN when the VM is stopping
 * (vCPUs leave rather than park: their state is not to be read), -ETIMEDOUT
 * when one did not park within VM_PAUSE_TIMEOUT_MS. On failure the pause is
 * still requested: vm_resume undoes it.
 */
#define VM_PAUSE_TIMEOUT_MS 5000
int vm_pause(struct vm *vm);
void vm_resume(struct vm *vm);
bool vm_is_paused(struct vm *vm);
/* Called by a vCPU thread after KVM_RUN was interrupted: parks it while a pause lasts. */
void vm_vcpu_park(struct vm *vm, struct vcpu *vcpu);
void vm_vcpu_exited(struct vm *vm);
void vm_note_first_run(struct vm *vm);
/* Bytes of guest console output dropped since vmm started: stdout did not keep up. */
unsigned long long vm_console_dropped(void);
/* The signals that stop a running VM (through the main loop's signalfd). */
void vm_stop_signals(sigset_t *set);

/* GICv3 where the host has it, else GICv2; after all vCPUs exist, before any runs. */
int gic_create(struct vm *vm);

#endif
