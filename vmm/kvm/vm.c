// SPDX-License-Identifier: GPL-2.0
/* The VM's life: create it from a config, run it until it ends, tear it down. */
#include "kvm/vm.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "base/api.h"
#include "base/console.h"
#include "base/exit.h"
#include "base/ram_map.h"
#include "base/term.h"
#include "base/timeline.h"
#include "board/boot.h"
#include "board/fdt.h"
#include "cpu/regs.h"
#include "firmware/psci.h"
#include "kvm/control.h"
#include "kvm/fw_pins.h"
#include "kvm/kvm.h"
#include "kvm/regs.h"

#define FDT_BUF_SIZE 0x10000
#define KVM_API_VERSION_EXPECTED 12
/* At exit, what the console still holds may take this long without progress, then is lost. */
#define CONSOLE_FLUSH_IDLE_MS 1000

/*
 * The guest's console output, on its way to stdout: one for the process, as
 * stdout is, and never stopped (its writer may be stuck on a reader that
 * stalled; exit ends it).
 */
static struct console_out vm_console;

/* The capabilities vmm cannot run a guest without, each with what it is for. */
static const struct {
	long cap;
	const char *name;
	const char *why;
} required_caps[] = {
	{ KVM_CAP_ONE_REG, "KVM_CAP_ONE_REG", "to set registers" },
	{ KVM_CAP_ARM_PSCI_0_2, "KVM_CAP_ARM_PSCI_0_2", "for PSCI CPU_ON and power-off" },
	{ KVM_CAP_DEVICE_CTRL, "KVM_CAP_DEVICE_CTRL", "for the in-kernel GIC" },
	{ KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT", "to pause vCPUs reliably" },
	{ KVM_CAP_IRQ_ROUTING, "KVM_CAP_IRQ_ROUTING", "to raise device interrupts" },
};

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
	for (i = 0; i < ARRAY_SIZE(required_caps); i++) {
		if (kvm_check_extension(kvm_fd, required_caps[i].cap) <= 0) {
			vmm_err("this host's KVM lacks %s, needed %s; use a newer host kernel",
				required_caps[i].name, required_caps[i].why);
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
	vm->ram_from_file = fd >= 0;
	if (vm->ram_from_file)
		vm_catch_sigbus(vm->ram, size);
	ret = kvm_set_memory(vm->vm_fd, 0, RAM_BASE, size, vm->ram);
	timeline_mark("guest RAM");
	return ret;
}

/* What every boot gives a vCPU; secondaries wait powered off for the guest's PSCI CPU_ON. */
static int vm_boot_vcpu_inits(struct vm *vm, struct kvm_vcpu_init *inits)
{
	unsigned int i;
	int ret = kvm_preferred_target(vm->vm_fd, &inits[0]);

	if (ret)
		return ret;
	/* Without PSCI_0_2 KVM offers PSCI 0.1 and nothing later. */
	if (vm->cfg->fw.psci_version != PSCI_V_0_1)
		inits[0].features[0] |= 1u << KVM_ARM_VCPU_PSCI_0_2;
	for (i = 1; i < vm->cfg->nr_cpus; i++) {
		inits[i] = inits[0];
		inits[i].features[0] |= 1u << KVM_ARM_VCPU_POWER_OFF;
	}
	return 0;
}

int vm_add_vcpus(struct vm *vm, const struct kvm_vcpu_init *inits)
{
	unsigned int i;
	int ret;

	for (i = 0; i < vm->cfg->nr_cpus; i++) {
		ret = vcpu_create(vm, &vm->vcpus[i], i, &inits[i]);
		vm->nr_vcpus = i + 1;
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

static int vm_read_psci_version(struct vm *vm)
{
	uint64_t version;
	int ret = kvm_get_reg_u64(vm->vcpus[0].fd, REG_PSCI_VERSION, &version);

	if (ret)
		return ret;
	vm->machine.psci_version = version;
	return 0;
}

static int vm_load_guest(struct vm *vm)
{
	const struct boot_layout *l = &vm->boot->layout;
	struct vcpu *boot_cpu = &vm->vcpus[0];
	char *bootargs;
	void *fdt;
	int ret;

	bootargs = boot_cmdline(vm->cfg->cmdline, UART_BASE);
	fdt = calloc(1, FDT_BUF_SIZE);
	if (!bootargs || !fdt) {
		ret = -ENOMEM;
		goto out;
	}
	vm->machine.layout = *l;
	vm->machine.bootargs = bootargs;
	ret = fdt_build(&vm->machine, fdt, FDT_BUF_SIZE);
	vm->machine.bootargs = NULL;
	if (ret)
		goto out;
	timeline_mark("device tree");
	ret = boot_load(vm->ram, l, &vm->boot->kernel, &vm->boot->initrd, fdt, FDT_BUF_SIZE);
	if (ret)
		goto out;
	timeline_mark("kernel and initrd copied");
	vmm_note(vm->cfg->verbose, "kernel at 0x%llx, initrd at 0x%llx (%llu bytes), dtb at 0x%llx",
		 (unsigned long long)l->kernel_addr, (unsigned long long)l->initrd_addr,
		 (unsigned long long)l->initrd_size, (unsigned long long)l->fdt_addr);
	vmm_note(vm->cfg->verbose, "bootargs: %s", bootargs);

	/* booting.rst: x0 = dtb address, x1-x3 = 0, enter at the image's first byte. */
	ret = kvm_set_reg_u64(boot_cpu->fd, REG_CORE_PC, l->kernel_addr);
	if (!ret)
		ret = kvm_set_reg_u64(boot_cpu->fd, REG_CORE_X(0), l->fdt_addr);
out:
	free(bootargs);
	free(fdt);
	return ret;
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

int vm_setup(struct vm *vm, const struct vm_config *cfg, int kvm_fd, unsigned int ipa_bits)
{
	pthread_condattr_t attr;

	memset(vm, 0, sizeof(*vm));
	vm->cfg = cfg;
	vm->kvm_fd = kvm_fd;
	vm->gic_fd = -1;
	vm->event_fd = -1;
	pthread_mutex_init(&vm->lock, NULL);
	/* vm_pause's wait is bounded: by a clock that the date cannot move. */
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&vm->cond, &attr);
	pthread_condattr_destroy(&attr);
	vm->machine.irq_set = vm_irq_set;
	vm->machine.console_write = vm_console_write;
	vm->machine.hook_ctx = vm;

	/* Hosts without KVM_CAP_ARM_VM_IPA_SIZE have exactly 40 bits: type 0. */
	if (kvm_check_extension(kvm_fd, KVM_CAP_ARM_VM_IPA_SIZE) <= 0)
		ipa_bits = 0;
	vm->ipa_bits = ipa_bits;
	vm->vm_fd = kvm_create_vm(kvm_fd, ipa_bits);
	if (vm->vm_fd < 0)
		return vm_fail("cannot create a KVM VM", vm->vm_fd, VMM_EXIT_HOST);
	vm->run_size = kvm_vcpu_mmap_size(kvm_fd);
	vm->event_fd = eventfd(0, EFD_CLOEXEC);
	if (vm->run_size <= 0 || vm->event_fd < 0)
		return vm_fail("cannot set up the VM", -errno, VMM_EXIT_INTERNAL);
	timeline_mark("VM");
	return 0;
}

/* What each vCPU holds before it first runs: restore tells a reset value from a guest's. */
static int vm_record_reset_values(struct vm *vm)
{
	unsigned int i;
	int ret = 0;

	for (i = 0; i < vm->nr_vcpus && !ret; i++)
		ret = vcpu_regs_read(vm->vcpus[i].fd, NULL, &vm->vcpus[i].reset);
	return ret;
}

int vm_create(struct vm *vm, const struct vm_config *cfg, int kvm_fd, const struct boot_files *boot)
{
	struct kvm_vcpu_init inits[LAYOUT_MAX_CPUS];
	int ret;

	ret = vm_setup(vm, cfg, kvm_fd, layout_ipa_bits(cfg->ram_size));
	if (ret)
		return ret;
	vm->boot = boot;
	ret = vm_map_ram(vm, -1, 0);
	if (ret)
		return vm_fail("cannot map guest RAM", ret, VMM_EXIT_HOST);
	ret = vm_boot_vcpu_inits(vm, inits);
	if (ret)
		return vm_fail("cannot learn the host's preferred vCPU type", ret, VMM_EXIT_HOST);
	ret = vm_add_vcpus(vm, inits);
	ret = ret ?: vm_enable_system_suspend(vm);
	ret = ret ?: fw_pins_apply(vm);
	if (ret)
		return ret;
	ret = vm_read_psci_version(vm);
	if (ret)
		return vm_fail("cannot read the PSCI version", ret, VMM_EXIT_HOST);
	timeline_mark("firmware pins");
	/* Only a save needs them, and only the control socket asks for one. */
	if (cfg->api_socket) {
		ret = vm_record_reset_values(vm);
		if (ret)
			return vm_fail("cannot read the vCPU registers", ret, VMM_EXIT_HOST);
		timeline_mark("reset values");
	}
	ret = machine_add_board_devices(&vm->machine);
	if (ret)
		return vm_fail("cannot create the devices", ret, VMM_EXIT_INTERNAL);
	timeline_mark("devices");
	ret = vm_load_guest(vm);
	if (ret)
		return vm_fail("cannot load the guest", ret, VMM_EXIT_INTERNAL);
	return 0;
}

/* From vCPU 0's thread: vmm's work before the guest's first instruction ends here. */
void vm_note_first_run(struct vm *vm)
{
	timeline_mark("first KVM_RUN");
	vmm_note(vm->cfg->verbose, "first KVM_RUN %.1f ms after vmm started",
		 timeline_now_ns() / 1e6);
}

void vm_request_exit(struct vm *vm, int status)
{
	uint64_t one = 1;

	pthread_mutex_lock(&vm->lock);
	if (!vm->stopping) {
		vm->stopping = true;
		vm->exit_status = status;
		timeline_mark_guest("the guest ran");
		if (write(vm->event_fd, &one, sizeof(one)) < 0)
			vmm_err("cannot wake the main thread: %s", strerror(errno));
	}
	pthread_cond_broadcast(&vm->cond); /* parked vCPUs must see the stop too */
	pthread_mutex_unlock(&vm->lock);
}

int vm_pause(struct vm *vm)
{
	struct timespec deadline;
	unsigned int i;
	int ret = 0;

	pthread_mutex_lock(&vm->lock);
	if (!vm->pause_requested) {
		vm->pause_requested = true;
		for (i = 0; i < vm->nr_vcpus; i++)
			vcpu_kick(&vm->vcpus[i]);
	}
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += VM_PAUSE_TIMEOUT_MS / 1000;
	while (vm->nr_parked < vm->nr_running && !vm->stopping && ret != ETIMEDOUT)
		ret = pthread_cond_timedwait(&vm->cond, &vm->lock, &deadline);
	/* A stopping VM's vCPUs leave instead of parking, and may still be in KVM_RUN. */
	if (vm->stopping)
		ret = -ESHUTDOWN;
	else
		ret = vm->nr_parked < vm->nr_running ? -ETIMEDOUT : 0;
	pthread_mutex_unlock(&vm->lock);
	return ret;
}

void vm_resume(struct vm *vm)
{
	pthread_mutex_lock(&vm->lock);
	vm->pause_requested = false;
	pthread_cond_broadcast(&vm->cond);
	pthread_mutex_unlock(&vm->lock);
}

bool vm_is_paused(struct vm *vm)
{
	bool paused;

	pthread_mutex_lock(&vm->lock);
	paused = vm->pause_requested;
	pthread_mutex_unlock(&vm->lock);
	return paused;
}

void vm_vcpu_park(struct vm *vm, struct vcpu *vcpu)
{
	pthread_mutex_lock(&vm->lock);
	if (vm->pause_requested && !vm->stopping) {
		vm->nr_parked++;
		pthread_cond_broadcast(&vm->cond);
		while (vm->pause_requested && !vm->stopping)
			pthread_cond_wait(&vm->cond, &vm->lock);
		vm->nr_parked--;
	}
	/* Cleared under the lock, so that a pause that begins now sets it again after. */
	if (!vm->pause_requested && !vm->stopping)
		vcpu->run->immediate_exit = 0;
	pthread_mutex_unlock(&vm->lock);
}

void vm_vcpu_exited(struct vm *vm)
{
	pthread_mutex_lock(&vm->lock);
	vm->nr_running--;
	pthread_cond_broadcast(&vm->cond);
	pthread_mutex_unlock(&vm->lock);
}

bool vm_is_stopping(struct vm *vm)
{
	bool stopping;

	pthread_mutex_lock(&vm->lock);
	stopping = vm->stopping;
	pthread_mutex_unlock(&vm->lock);
	return stopping;
}

/* Typed bytes the UART could not take yet wait here; the FIFO drains as the guest reads. */
struct console_input {
	uint8_t buf[256];
	size_t len;
	struct term_escape esc;
	bool open;
};

static void console_input_feed(struct vm *vm, struct console_input *in)
{
	size_t taken = machine_console_input(&vm->machine, in->buf, in->len);

	memmove(in->buf, in->buf + taken, in->len - taken);
	in->len -= taken;
}

static void console_input_read(struct vm *vm, struct console_input *in)
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
		vmm_note(vm->cfg->verbose, "Ctrl-A x: quitting");
		vm_request_exit(vm, VMM_EXIT_QUIT);
	}
	console_input_feed(vm, in);
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

static int vm_idle_step(struct vm *vm);

/* The main thread: console input, signals, requests on the socket, and the vCPUs' stop. */
static void vm_main_loop(struct vm *vm, int sig_fd)
{
	struct console_input in = { .open = true };
	struct api_request req;

	while (!vm_is_stopping(vm)) {
		struct pollfd fds[4] = {
			{ .fd = vm->event_fd, .events = POLLIN },
			{ .fd = sig_fd, .events = POLLIN },
			{ .fd = in.open && in.len < sizeof(in.buf) ? STDIN_FILENO : -1,
			  .events = POLLIN },
			{ .fd = vm->api ? api_server_poll_fd(vm->api) : -1, .events = POLLIN },
		};
		/* While typed bytes wait for FIFO room, look again soon; idle work: at once. */
		int timeout = vm->idle.step ? 0 : in.len ? 10 : -1;
		int api_timeout = vm->api ? api_server_timeout_ms(vm->api) : -1;

		/* A client's deadline must be enforced even when nothing else happens. */
		if (api_timeout >= 0 && (timeout < 0 || api_timeout < timeout))
			timeout = api_timeout;
		if (poll(fds, 4, timeout) < 0) {
			if (errno == EINTR)
				continue;
			/* Breaking out alone would leave the vCPUs running and vm_run joining them. */
			vmm_err("cannot wait for events (poll): %s; stopping the guest",
				strerror(errno));
			vm_request_exit(vm, VMM_EXIT_INTERNAL);
			break;
		}
		if ((fds[3].revents & (POLLIN | POLLHUP | POLLERR)) &&
		    api_server_receive(vm->api, &req) > 0)
			control_request(vm, &req);
		if (fds[1].revents & POLLIN) {
			struct signalfd_siginfo si;

			if (read(sig_fd, &si, sizeof(si)) == sizeof(si))
				vm_request_exit(vm, VMM_EXIT_SIGNAL + si.ssi_signo);
		}
		if (fds[2].revents & (POLLIN | POLLHUP | POLLERR))
			console_input_read(vm, &in);
		else if (in.len)
			console_input_feed(vm, &in);
		if (vm->api)
			api_server_expire(vm->api);
		vm_idle_step(vm);
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

int vm_run(struct vm *vm)
{
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
	dropped_before = console_out_dropped(&vm_console);
	term_raw_enter(&term, STDIN_FILENO);
	timeline_mark("console and firmware registers");
	for (i = 0; i < vm->nr_vcpus; i++) {
		pthread_mutex_lock(&vm->lock);
		vm->nr_running++;
		pthread_mutex_unlock(&vm->lock);
		ret = vcpu_start(&vm->vcpus[i]);
		if (ret) {
			vm_vcpu_exited(vm);
			vmm_err("cannot start vCPU %u: %s", i, strerror(-ret));
			vm_request_exit(vm, VMM_EXIT_INTERNAL);
			break;
		}
	}
	vm_main_loop(vm, sig_fd);
	/* However the loop ended, the vCPUs must be told: vcpu_stop only kicks and joins. */
	vm_request_exit(vm, VMM_EXIT_INTERNAL);
	for (i = 0; i < vm->nr_vcpus; i++)
		vcpu_stop(&vm->vcpus[i]);
	timeline_mark("vCPU threads joined");
	vm_console_finish(vm, dropped_before);
	term_raw_leave(&term);
	close(sig_fd);
	timeline_mark("console flushed");
	return vm->exit_status;
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
	if (vm->event_fd >= 0)
		close(vm->event_fd);
	free(vm->fw_regs);
	vm->fw_regs = NULL;
	pthread_mutex_destroy(&vm->lock);
	pthread_cond_destroy(&vm->cond);
	timeline_mark("the VM torn down");
}
