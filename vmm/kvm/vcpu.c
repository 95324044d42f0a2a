// SPDX-License-Identifier: GPL-2.0
/* One thread per vCPU: KVM_RUN in a loop, dispatching each exit. */
#include "kvm/vcpu.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/exit.h"
#include "base/timeline.h"
#include "base/util.h"
#include "board/machine.h"
#include "cpu/regs.h"
#include "kvm/kvm.h"
#include "kvm/sandbox.h"
#include "kvm/vcpu_set.h"

#ifndef KVM_SYSTEM_EVENT_SHUTDOWN_FLAG_PSCI_OFF2
#define KVM_SYSTEM_EVENT_SHUTDOWN_FLAG_PSCI_OFF2 (1ULL << 0) /* Linux 6.13 */
#endif

#define VCPU_KICK_SIGNAL SIGUSR1

int vcpu_create(struct vcpu *vcpu, const struct vcpu_env *env, unsigned int id,
		const struct kvm_vcpu_init *init)
{
	int ret;

	memset(vcpu, 0, sizeof(*vcpu));
	vcpu->env = env;
	vcpu->id = id;
	vcpu->init = *init;
	vcpu->fd = kvm_create_vcpu(env->vm_fd, id);
	if (vcpu->fd < 0)
		return vcpu->fd;
	vcpu->run = mmap(NULL, env->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu->fd, 0);
	if (vcpu->run == MAP_FAILED) {
		ret = -errno;
		vcpu->run = NULL;
		return ret;
	}
	return kvm_vcpu_init(vcpu->fd, init);
}

void vcpu_destroy(struct vcpu *vcpu)
{
	if (vcpu->run)
		munmap(vcpu->run, vcpu->env->run_size);
	if (vcpu->fd >= 0)
		close(vcpu->fd);
	vcpu->run = NULL;
	vcpu->fd = -1;
	reg_values_free(&vcpu->reset);
}

static void vcpu_mmio(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	struct machine *machine = vcpu->env->machine;

	if (!machine_mmio(machine, run->mmio.phys_addr, run->mmio.data, run->mmio.len,
			  run->mmio.is_write) &&
	    machine->unclaimed_mmio == 1)
		vmm_note(vcpu->env->verbose,
			 "no device at 0x%llx: reads give zero, writes are ignored",
			 (unsigned long long)run->mmio.phys_addr);
}

static int vcpu_system_event(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	uint64_t flags = run->system_event.ndata ? run->system_event.data[0] : 0;

	switch (run->system_event.type) {
	case KVM_SYSTEM_EVENT_SHUTDOWN:
		if (flags & KVM_SYSTEM_EVENT_SHUTDOWN_FLAG_PSCI_OFF2) {
			vmm_err("the guest hibernated (PSCI SYSTEM_OFF2); boot it again to resume it");
			return VMM_EXIT_HIBERNATE;
		}
		vmm_note(vcpu->env->verbose, "the guest powered off");
		return VMM_EXIT_POWEROFF;
	case KVM_SYSTEM_EVENT_RESET:
		vmm_note(vcpu->env->verbose, "the guest asked for a %s",
			 (flags & KVM_SYSTEM_EVENT_RESET_FLAG_PSCI_RESET2) ? "SYSTEM_RESET2" :
									     "reset");
		return VMM_EXIT_REBOOT;
	case KVM_SYSTEM_EVENT_SUSPEND:
		/*
		 * api.rst: to honour SYSTEM_SUSPEND, make the vCPU wait as in WFI;
		 * any interrupt wakes the guest, which resumes from its entry point.
		 */
		vmm_note(vcpu->env->verbose, "the guest suspended; an interrupt wakes it");
		if (kvm_set_mp_state(vcpu->fd, KVM_MP_STATE_SUSPENDED)) {
			vmm_err("vCPU %u: cannot suspend as the guest asked", vcpu->id);
			return VMM_EXIT_INTERNAL;
		}
		return -1;
	case KVM_SYSTEM_EVENT_CRASH:
		vmm_err("the guest reported a crash (PSCI SYSTEM_OFF after a panic)");
		return VMM_EXIT_CRASH;
	default:
		vmm_err("vCPU %u: unknown system event %u; the guest is stopped", vcpu->id,
			run->system_event.type);
		return VMM_EXIT_CRASH;
	}
}

/* Returns -1 to keep running, or the exit status the VM should end with. */
static int vcpu_handle_exit(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;

	switch (run->exit_reason) {
	case KVM_EXIT_MMIO:
		vcpu_mmio(vcpu);
		return -1;
	case KVM_EXIT_SYSTEM_EVENT:
		return vcpu_system_event(vcpu);
	case KVM_EXIT_ARM_NISV:
		vmm_err("vCPU %u: the guest touched MMIO at 0x%llx with an instruction KVM cannot "
			"emulate; the guest is stopped",
			vcpu->id, (unsigned long long)run->arm_nisv.fault_ipa);
		return VMM_EXIT_CRASH;
	case KVM_EXIT_FAIL_ENTRY:
		vmm_err("vCPU %u: KVM could not enter the guest (reason 0x%llx)", vcpu->id,
			(unsigned long long)run->fail_entry.hardware_entry_failure_reason);
		return VMM_EXIT_CRASH;
	case KVM_EXIT_INTERNAL_ERROR:
		vmm_err("vCPU %u: KVM internal error %u", vcpu->id, run->internal.suberror);
		return VMM_EXIT_CRASH;
	default:
		vmm_err("vCPU %u: unexpected KVM exit %u; the guest is stopped", vcpu->id,
			run->exit_reason);
		return VMM_EXIT_CRASH;
	}
}

/* From vCPU 0's thread: vmm's work before the guest's first instruction ends here. */
static void vcpu_note_first_run(const struct vcpu *vcpu)
{
	timeline_mark("first KVM_RUN");
	vmm_note(vcpu->env->verbose, "first KVM_RUN %.1f ms after vmm started",
		 timeline_now_ns() / 1e6);
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *vcpu = arg;
	struct vcpu_set *set = vcpu->env->set;
	sigset_t kick;
	int ret, status = sandbox_vcpu_thread_enter() ? VMM_EXIT_INTERNAL : -1;

	sigemptyset(&kick);
	sigaddset(&kick, VCPU_KICK_SIGNAL);
	pthread_sigmask(SIG_UNBLOCK, &kick, NULL);

	if (vcpu->id == 0 && !vcpu_set_is_stopping(set))
		vcpu_note_first_run(vcpu);
	while (status < 0 && !vcpu_set_is_stopping(set)) {
		ret = kvm_run(vcpu->fd);
		/*
		 * Interrupted: by a stop, or by a pause. KVM_RUN with immediate_exit
		 * has completed any MMIO the last exit left pending, so the
		 * state a pause exposes is consistent (api.rst, immediate_exit).
		 */
		if (ret == -EINTR || ret == -EAGAIN) {
			vcpu_set_park(set, &vcpu->run->immediate_exit);
			continue;
		}
		/* KVM could not fault a page in: RAM mapped from a snapshot that lost it. */
		if (ret == -EFAULT && vcpu->env->ram_from_file) {
			vmm_err("%s", VM_RAM_LOST_MESSAGE);
			status = VMM_EXIT_RAM_LOST;
			break;
		}
		if (ret < 0) {
			vmm_err("vCPU %u: KVM_RUN failed: %s", vcpu->id, strerror(-ret));
			status = VMM_EXIT_INTERNAL;
			break;
		}
		status = vcpu_handle_exit(vcpu);
	}
	if (status >= 0)
		vcpu_set_request_exit(set, status);
	vcpu_set_thread_exited(set);
	return NULL;
}

static void vcpu_kick_handler(int sig)
{
	(void)sig; /* its only job is to interrupt KVM_RUN */
}

int vcpu_start(struct vcpu *vcpu)
{
	struct sigaction sa = { .sa_handler = vcpu_kick_handler };
	int ret;

	/* No SA_RESTART: KVM_RUN must come back with EINTR. */
	sigaction(VCPU_KICK_SIGNAL, &sa, NULL);
	ret = thread_start(&vcpu->thread, vcpu_thread, vcpu);
	if (ret)
		return ret;
	vcpu->started = true;
	return 0;
}

void vcpu_kick(struct vcpu *vcpu)
{
	if (!vcpu->started)
		return;
	/*
	 * immediate_exit covers a thread that is between two KVM_RUN calls when
	 * the signal lands: its next KVM_RUN returns EINTR at once.
	 */
	__atomic_store_n(&vcpu->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
	pthread_kill(vcpu->thread, VCPU_KICK_SIGNAL);
}

void vcpu_stop(struct vcpu *vcpu)
{
	if (!vcpu->started)
		return;
	vcpu_kick(vcpu);
	pthread_join(vcpu->thread, NULL);
	vcpu->run->immediate_exit = 0;
	vcpu->started = false;
}
