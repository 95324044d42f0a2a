// SPDX-License-Identifier: GPL-2.0
/* The VM's life: create it from a config, run it until it ends, tear it down. */
#include "kvm/vm.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "base/api.h"
#include "base/console.h"
#include "base/event_loop.h"
#include "base/exit.h"
#include "base/ram_map.h"
#include "base/term.h"
#include "base/timeline.h"
#include "cpu/regs.h"
#include "kvm/caps.h"
#include "kvm/control.h"
#include "kvm/fw_pins.h"
#include "kvm/kvm.h"
#include "kvm/regs.h"
#include "migrate/snapshot.h"

#define KVM_API_VERSION_EXPECTED 12
/* At exit, what the console still holds may take this long without progress, then is lost. */
#define CONSOLE_FLUSH_IDLE_MS 1000

/*
 * The guest's console output, on its way to stdout: one for the process, as
 * stdout is, and never stopped (its writer may be stuck on a reader that
 * stalled; exit ends it).
 */
static struct console_out vm_console;

int vm_check_host(int kvm_fd, const struct vm_config *cfg)
{
	unsigned int need_ipa = layout_ipa_bits(cfg->ram_size);
	int version, max_ipa, max_vcpus;
	size_t i;

	version = kvm_api_version(kvm_fd);
	if (version != KVM_API_VERSION_EXPECTED) {
		vmm_err("%s speaks KVM API %d, vmm needs %d; use a newer host kernel", KVM_DEVICE,
			version, KVM_API_VERSION_EXPECTED);
		return VMM_EXIT_HOST;
	}
	for (i = 0; i < KVM_CAPS_NR; i++) {
		if (kvm_caps[i].needed_for && kvm_check_extension(kvm_fd, kvm_caps[i].cap) <= 0) {
			vmm_err("this host's KVM lacks %s, needed %s; use a newer host kernel",
				kvm_caps[i].name, kvm_caps[i].needed_for);
			return VMM_EXIT_HOST;
		}
	}
	max_ipa = kvm_check_extension(kvm_fd, KVM_CAP_ARM_VM_IPA_SIZE);
	if (max_ipa <= 0)
		max_ipa = 40;
	if ((int)need_ipa > max_ipa) {
		vmm_err("--mem %lluM ends beyond this host's %d-bit guest physical address space; "
			"use at most %lluM",
			(unsigned long long)(cfg->ram_size >> 20), max_ipa,
			(unsigned long long)(((1ULL << max_ipa) - RAM_BASE) >> 20));
		return VMM_EXIT_HOST;
	}
	max_vcpus = kvm_check_extension(kvm_fd, KVM_CAP_MAX_VCPUS);
	if (max_vcpus > 0 && cfg->nr_cpus > (unsigned int)max_vcpus) {
		vmm_err("--cpus %u is more than this host's KVM allows (%d); use fewer", cfg->nr_cpus,
			max_vcpus);
		return VMM_EXIT_HOST;
	}
	return 0;
}


static void vm_irq_set(void *ctx, unsigned int spi, bool level)
{
	struct vm *vm = ctx;
	uint32_t irq = (KVM_ARM_IRQ_TYPE_SPI << KVM_ARM_IRQ_TYPE_SHIFT) | (spi + 32);

	kvm_irq_line(vm->vm_fd, irq, level);
}

static int vm_ioeventfd(void *ctx, uint64_t addr, unsigned int len, uint64_t datamatch, int fd)
{
	return kvm_ioeventfd(((struct vm *)ctx)->vm_fd, addr, len, datamatch, fd);
}

static int vm_irqfd(void *ctx, unsigned int spi, int fd)
{
	return kvm_irqfd(((struct vm *)ctx)->vm_fd, spi, fd);
}

/* From a vCPU, under the UART's lock: a copy into the console's ring, never a write. */
static void vm_console_write(void *ctx, const uint8_t *buf, size_t len)
{
	(void)ctx;
	console_out_write(&vm_console, buf, len);
}

unsigned long long vm_console_dropped(void)
{
	return console_out_dropped(&vm_console);
}

/* Where RAM mapped from a snapshot lies, for the SIGBUS handler. */
static uintptr_t file_ram_start, file_ram_end;

/*
 * vmm's own reads of restored RAM (a save) fault on a page the file lost:
 * one line and a status of its own instead of a crash. Outside that RAM the
 * signal is a vmm bug, left to its default action.
 */
static void vm_sigbus(int sig, siginfo_t *info, void *uctx)
{
	static const char msg[] = "vmm: " VM_RAM_LOST_MESSAGE "\n";
	uintptr_t addr = (uintptr_t)info->si_addr;

	(void)uctx;
	if (addr >= file_ram_start && addr < file_ram_end) {
		if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0) {
			/* nothing more can be done in a signal handler */
		}
		_exit(VMM_EXIT_RAM_LOST);
	}
	signal(sig, SIG_DFL);
}

void vm_catch_sigbus(void *ram, uint64_t size)
{
	struct sigaction sa = { .sa_sigaction = vm_sigbus, .sa_flags = SA_SIGINFO };

	file_ram_start = (uintptr_t)ram;
	file_ram_end = file_ram_start + size;
	sigaction(SIGBUS, &sa, NULL);
}

/*
 * Anonymous for a fresh boot; for a restore, the snapshot's
 * memory mapped MAP_PRIVATE so that pages are read only when the guest
 * touches them: the file stays open and must stay as it is while the VM runs.
 * Either way 2 MiB aligned (ram_map.h says why).
 */
int vm_map_ram(struct vm *vm, int fd, uint64_t offset)
{
	uint64_t size = vm->cfg->ram_size;
	int ret;

	vm->ram = ram_map(size, fd, offset);
	if (!vm->ram)
		return -errno;
	vm->ram_from_file = vm->vcpu_env.ram_from_file = fd >= 0;
	if (vm->ram_from_file)
		vm_catch_sigbus(vm->ram, size);
	ret = kvm_set_memory(vm->vm_fd, 0, RAM_BASE, size, vm->ram);
	ret = ret ?: guest_mem_init(&vm->machine.mem, vm->ram, RAM_BASE, size);
	timeline_mark("guest RAM");
	return ret;
}

int vm_add_vcpus(struct vm *vm, const struct kvm_vcpu_init *inits)
{
	unsigned int i;
	int ret;

	for (i = 0; i < vm->cfg->nr_cpus; i++) {
		ret = vcpu_create(&vm->vcpus[i], &vm->vcpu_env, i, &inits[i]);
		vm->nr_vcpus = i + 1;
		ret = ret ?: vcpu_set_add(&vm->vcpu_set, &vm->vcpus[i]);
		if (ret)
			return vm_fail("cannot create the vCPUs", ret, VMM_EXIT_HOST);
		ret = kvm_get_reg_u64(vm->vcpus[i].fd, REG_MPIDR_EL1, &vm->machine.mpidr[i]);
		if (ret)
			return vm_fail("cannot read a vCPU's MPIDR", ret, VMM_EXIT_HOST);
	}
	vm->machine.nr_cpus = vm->nr_vcpus;
	timeline_mark("vCPUs");
	ret = gic_create(vm);
	if (ret == -E2BIG) {
		vmm_err("this host has only GICv2, which serves at most 8 vCPUs; use --cpus 8 or fewer");
		return VMM_EXIT_HOST;
	}
	if (ret)
		return vm_fail("cannot create the interrupt controller (GICv3 or GICv2)", ret,
			       VMM_EXIT_HOST);
	timeline_mark("GIC");
	vmm_note(vm->cfg->verbose, "GICv%u, %u vCPUs, %lluM RAM, %u-bit IPA",
		 vm->machine.gic_version, vm->nr_vcpus,
		 (unsigned long long)(vm->cfg->ram_size >> 20), vm->ipa_bits ? vm->ipa_bits : 40);
	return 0;
}

/* SYSTEM_SUSPEND is part of the firmware the guest sees, so it is offered only when asked. */
int vm_enable_system_suspend(struct vm *vm)
{
	int ret;

	if (!vm->cfg->fw.system_suspend)
		return 0;
	if (kvm_check_extension(vm->vm_fd, KVM_CAP_ARM_SYSTEM_SUSPEND) <= 0) {
		vmm_err("this host's KVM cannot offer PSCI SYSTEM_SUSPEND (Linux 6.1 or later has "
			"KVM_CAP_ARM_SYSTEM_SUSPEND); drop --system-suspend");
		return VMM_EXIT_FIRMWARE;
	}
	ret = kvm_enable_cap(vm->vm_fd, KVM_CAP_ARM_SYSTEM_SUSPEND, 0);
	if (ret) {
		vmm_err("cannot enable KVM_CAP_ARM_SYSTEM_SUSPEND: %s", strerror(-ret));
		return VMM_EXIT_FIRMWARE;
	}
	return 0;
}

int vm_fail(const char *what, int err, int status)
{
	vmm_err("%s: %s", what, strerror(-err));
	return status;
}

static void vm_kick_vcpu(void *vcpu)
{
	vcpu_kick(vcpu);
}

int vm_setup(struct vm *vm, const struct vm_config *cfg, int kvm_fd, unsigned int ipa_bits)
{
	int ret;

	memset(vm, 0, sizeof(*vm));
	vm->cfg = cfg;
	vm->kvm_fd = kvm_fd;
	vm->gic_fd = -1;
	/* Both first: vm_destroy may follow any failure below. */
	ret = vcpu_set_init(&vm->vcpu_set, vm_kick_vcpu);
	ret = event_loop_init(&vm->loop) ?: ret;
	if (ret)
		return vm_fail("cannot set up the VM", ret, VMM_EXIT_INTERNAL);
	vm->vcpu_env = (struct vcpu_env){ .set = &vm->vcpu_set,
					  .machine = &vm->machine,
					  .verbose = cfg->verbose };
	vm->machine.loop = &vm->loop; /* devices watch their descriptors on it */
	vm->machine.irq_set = vm_irq_set;
	vm->machine.console_write = vm_console_write;
	vm->machine.ioeventfd = vm_ioeventfd;
	vm->machine.irqfd = vm_irqfd;
	vm->machine.verbose = cfg->verbose;
	vm->machine.hook_ctx = vm;

	/* Hosts without KVM_CAP_ARM_VM_IPA_SIZE have exactly 40 bits: type 0. */
	if (kvm_check_extension(kvm_fd, KVM_CAP_ARM_VM_IPA_SIZE) <= 0)
		ipa_bits = 0;
	vm->ipa_bits = ipa_bits;
	vm->vm_fd = kvm_create_vm(kvm_fd, ipa_bits);
	if (vm->vm_fd < 0)
		return vm_fail("cannot create a KVM VM", vm->vm_fd, VMM_EXIT_HOST);
	vm->vcpu_env.vm_fd = vm->vm_fd;
	vm->vcpu_env.run_size = kvm_vcpu_mmap_size(kvm_fd);
	if (vm->vcpu_env.run_size <= 0)
		return vm_fail("cannot set up the VM", -errno, VMM_EXIT_INTERNAL);
	timeline_mark("VM");
	return 0;
}

/* Typed bytes the UART could not take yet wait here; the FIFO drains as the guest reads. */
struct console_input {
	struct vm *vm;
	uint8_t buf[256];
	size_t len;
	struct term_escape esc;
	bool open;
	bool watched;	 /* stdin is registered with the loop */
	bool unpollable; /* a file or /dev/null, which epoll refuses: always readable */
};

static void console_input_feed(struct console_input *in)
{
	size_t taken = machine_console_input(&in->vm->machine, in->buf, in->len);

	memmove(in->buf, in->buf + taken, in->len - taken);
	in->len -= taken;
}

static void console_input_read(struct console_input *in)
{
	ssize_t n = read(STDIN_FILENO, in->buf + in->len, sizeof(in->buf) - in->len);
	bool quit;

	if (n <= 0) {
		if (n == 0 || (errno != EINTR && errno != EAGAIN))
			in->open = false; /* end of input: the guest keeps running */
		return;
	}
	in->len += term_escape_filter(&in->esc, in->buf + in->len, n, &quit);
	if (quit) {
		vmm_note(in->vm->cfg->verbose, "Ctrl-A x: quitting");
		vcpu_set_request_exit(&in->vm->vcpu_set, VMM_EXIT_QUIT);
	}
	console_input_feed(in);
}

static void console_input_event(void *ctx, int fd, uint32_t events)
{
	(void)fd;
	(void)events; /* readable, hung up or failed: the read says which */
	console_input_read(ctx);
}

static bool console_input_wanted(const struct console_input *in)
{
	return in->open && in->len < sizeof(in->buf);
}

/*
 * stdin is watched only while it is open and the buffer has room; left
 * registered when full, a hung-up terminal would wake the loop at once, again
 * and again, with nothing it could do.
 */
static void console_input_watch(struct console_input *in)
{
	struct event_loop *loop = &in->vm->loop;
	int ret;

	if (in->unpollable || console_input_wanted(in) == in->watched)
		return;
	if (in->watched) {
		event_loop_del(loop, STDIN_FILENO);
		in->watched = false;
		return;
	}
	ret = event_loop_add(loop, STDIN_FILENO, EPOLLIN, console_input_event, in);
	in->watched = !ret;
	if (ret == -EPERM)
		in->unpollable = true;
	else if (ret)
		in->open = false; /* not a descriptor (closed): no input, as poll's POLLNVAL was */
}

/* Each turn: offer the UART what waits, read an unpollable stdin, and say how soon to retry. */
static int console_input_turn(void *ctx)
{
	struct console_input *in = ctx;

	if (in->len)
		console_input_feed(in);
	if (in->unpollable && console_input_wanted(in))
		console_input_read(in);
	console_input_watch(in);
	/* While typed bytes wait for FIFO room, look again soon. */
	if (in->len)
		return 10;
	return in->unpollable && console_input_wanted(in) ? 0 : -1;
}

static void console_input_stop(struct console_input *in)
{
	if (in->watched)
		event_loop_del(&in->vm->loop, STDIN_FILENO);
	in->watched = false;
	event_loop_del_turn(&in->vm->loop, console_input_turn, in);
}

void vm_stop_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
}

static int vm_signal_fd(void)
{
	sigset_t set;

	vm_stop_signals(&set);
	return signalfd(-1, &set, SFD_CLOEXEC);
}

static void vm_signal_event(void *ctx, int fd, uint32_t events)
{
	struct vm *vm = ctx;
	struct signalfd_siginfo si;

	(void)events;
	if (read(fd, &si, sizeof(si)) == sizeof(si))
		vcpu_set_request_exit(&vm->vcpu_set, VMM_EXIT_SIGNAL + si.ssi_signo);
}

/* The vCPUs' stop: the loop's test of vcpu_set_is_stopping after the turn ends it. */
static void vm_stop_event(void *ctx, int fd, uint32_t events)
{
	(void)ctx;
	(void)fd;
	(void)events;
}

static int vm_idle_step(struct vm *vm);

/* Idle work goes a piece per turn, and the loop does not sleep while some remains. */
static int vm_idle_turn(void *ctx)
{
	struct vm *vm = ctx;

	vm_idle_step(vm);
	return vm->idle.step ? 0 : -1;
}

/* The main thread: console input, signals, requests on the socket, and the vCPUs' stop. */
static void vm_main_loop(struct vm *vm)
{
	while (!vcpu_set_is_stopping(&vm->vcpu_set)) {
		int ret = event_loop_run_once(&vm->loop, -1);

		if (ret == -EINTR)
			continue;
		if (ret < 0) {
			/*
			 * Breaking out alone would leave the vCPUs running and vm_run
			 * joining them. ("poll" names the wait, whatever it calls.)
			 */
			vmm_err("cannot wait for events (poll): %s; stopping the guest",
				strerror(-ret));
			vcpu_set_request_exit(&vm->vcpu_set, VMM_EXIT_INTERNAL);
			break;
		}
	}
}

/* One piece of the idle task, if any; 1 while more remains. The task ends at 0 or on failure. */
static int vm_idle_step(struct vm *vm)
{
	int ret;

	if (!vm->idle.step)
		return 0;
	ret = vm->idle.step(vm, vm->idle.ctx);
	if (ret <= 0)
		vm->idle.step = NULL;
	vm->idle.failed = ret < 0;
	return ret;
}

bool vm_idle_finish(struct vm *vm)
{
	while (vm_idle_step(vm) > 0)
		;
	return !vm->idle.failed;
}

/* Once for the process: stdout outlives the VMs of a restarting guest. */
static int vm_console_start(void)
{
	if (vm_console.started)
		return 0;
	return console_out_start(&vm_console, STDOUT_FILENO, CONSOLE_RING_SIZE);
}

/* What the console could not show, with -v: the guest's output is never waited for. */
static void vm_console_finish(struct vm *vm, unsigned long long dropped_before)
{
	bool flushed = console_out_flush(&vm_console, CONSOLE_FLUSH_IDLE_MS);
	unsigned long long dropped = console_out_dropped(&vm_console) - dropped_before;

	if (dropped)
		vmm_note(vm->cfg->verbose,
			 "console: %llu bytes of guest output dropped; stdout did not keep up", dropped);
	if (!flushed)
		vmm_note(vm->cfg->verbose,
			 "console: stdout took nothing for %d ms; the guest's last output is lost",
			 CONSOLE_FLUSH_IDLE_MS);
}

static bool vm_memory_ready(void *vm)
{
	return vm_idle_finish(vm);
}

static int vm_save_to(void *vm, const char *path, char *why, size_t why_len)
{
	return vm_save(vm, path, why, why_len);
}

static void vm_control_request(void *ctx, struct api_server *api, const struct api_request *req)
{
	control_request(ctx, api, req);
}

static struct control_target vm_control_target(struct vm *vm)
{
	return (struct control_target){
		.vcpus = &vm->vcpu_set,
		.nr_vcpus = vm->nr_vcpus,
		.machine = &vm->machine,
		.ram_size = vm->cfg->ram_size,
		.gic_version = vm->machine.gic_version,
		.fw_regs = vm->fw_regs,
		.nr_fw_regs = vm->nr_fw_regs,
		.verbose = vm->cfg->verbose,
		.console_dropped = vm_console_dropped,
		.memory_ready = vm_memory_ready,
		.save = vm_save_to,
		.ctx = vm,
	};
}

/* What the main loop watches for this run; each failure is -errno, nothing said yet. */
static int vm_watch(struct vm *vm, int sig_fd, struct console_input *in,
		    struct control_target *control)
{
	struct event_loop *loop = &vm->loop;
	int ret;

	ret = event_loop_add(loop, vm->vcpu_set.event_fd, EPOLLIN, vm_stop_event, vm);
	ret = ret ?: event_loop_add(loop, sig_fd, EPOLLIN, vm_signal_event, vm);
	ret = ret ?: event_loop_add_turn(loop, console_input_turn, in);
	ret = ret ?: event_loop_add_turn(loop, vm_idle_turn, vm);
	if (!ret && vm->api)
		ret = api_server_attach(vm->api, loop, vm_control_request, control);
	return ret;
}

static void vm_unwatch(struct vm *vm, int sig_fd, struct console_input *in)
{
	if (vm->api)
		api_server_detach(vm->api);
	event_loop_del_turn(&vm->loop, vm_idle_turn, vm);
	console_input_stop(in);
	event_loop_del(&vm->loop, sig_fd);
	event_loop_del(&vm->loop, vm->vcpu_set.event_fd);
}

static void vm_start_vcpus(struct vm *vm)
{
	unsigned int i;
	int ret;

	for (i = 0; i < vm->nr_vcpus; i++) {
		vcpu_set_thread_starting(&vm->vcpu_set);
		ret = vcpu_start(&vm->vcpus[i]);
		if (ret) {
			vcpu_set_thread_exited(&vm->vcpu_set);
			vmm_err("cannot start vCPU %u: %s", i, strerror(-ret));
			vcpu_set_request_exit(&vm->vcpu_set, VMM_EXIT_INTERNAL);
			break;
		}
	}
}

int vm_run(struct vm *vm)
{
	struct console_input in = { .vm = vm, .open = true };
	struct control_target control;
	unsigned long long dropped_before;
	struct term term;
	unsigned int i;
	int ret, sig_fd;

	ret = vm_console_start();
	if (ret)
		return vm_fail("cannot start the console", ret, VMM_EXIT_INTERNAL);
	/* For info, which only the control socket asks for. */
	ret = vm->api ? fw_pins_read(vm->vcpus[0].fd, &vm->fw_regs, &vm->nr_fw_regs) : 0;
	if (ret)
		return vm_fail("cannot read the firmware registers", ret, VMM_EXIT_HOST);
	sig_fd = vm_signal_fd();
	if (sig_fd < 0)
		return vm_fail("cannot create a signalfd for the stop signals", -errno,
			       VMM_EXIT_INTERNAL);
	control = vm_control_target(vm);
	ret = vm_watch(vm, sig_fd, &in, &control);
	if (ret) {
		vm_unwatch(vm, sig_fd, &in);
		close(sig_fd);
		return vm_fail("cannot set up the main loop", ret, VMM_EXIT_INTERNAL);
	}
	dropped_before = console_out_dropped(&vm_console);
	term_raw_enter(&term, STDIN_FILENO);
	timeline_mark("console and firmware registers");
	machine_resume_devices(&vm->machine); /* held since they were made (virtio workers) */
	vm_start_vcpus(vm);
	vm_main_loop(vm);
	/* However the loop ended, the vCPUs must be told: vcpu_stop only kicks and joins. */
	vcpu_set_request_exit(&vm->vcpu_set, VMM_EXIT_INTERNAL);
	for (i = 0; i < vm->nr_vcpus; i++)
		vcpu_stop(&vm->vcpus[i]);
	timeline_mark("vCPU threads joined");
	vm_unwatch(vm, sig_fd, &in);
	vm_console_finish(vm, dropped_before);
	term_raw_leave(&term);
	close(sig_fd);
	timeline_mark("console flushed");
	return vcpu_set_exit_status(&vm->vcpu_set);
}

void vm_destroy(struct vm *vm)
{
	unsigned int i;

	for (i = 0; i < vm->nr_vcpus; i++)
		vcpu_destroy(&vm->vcpus[i]);
	machine_destroy_devices(&vm->machine);
	if (vm->gic_fd >= 0)
		close(vm->gic_fd);
	ram_unmap(vm->ram, vm->cfg->ram_size);
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	event_loop_close(&vm->loop);
	vcpu_set_destroy(&vm->vcpu_set);
	free(vm->fw_regs);
	vm->fw_regs = NULL;
	timeline_mark("the VM torn down");
}
