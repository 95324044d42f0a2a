// SPDX-License-Identifier: GPL-2.0
/*
 * What `vmm run` and `vmm restore` share: the control socket, privileges and
 * signals, the system call filter, the VMs' lifecycle and the summary at exit.
 *
 * Teardown: vmm leaves the last VM, its descriptors and its RAM to exit(),
 * which takes them down in one go. Unmapping guest RAM by hand first made
 * KVM unmap it from the guest range by range: 0.4-0.5 s of a 256 MiB guest
 * in the emulated host, where exit's teardown takes a few ms more than
 * nothing. Only the control socket's path is removed by hand: exit leaves it.
 */
#include "cmd/start.h"

#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "base/api.h"
#include "base/config.h"
#include "base/exit.h"
#include "base/resident.h"
#include "base/timeline.h"
#include "base/util.h"
#include "kvm/lifecycle.h"
#include "kvm/sandbox.h"
#include "kvm/vm.h"
#include "snapshot/pagemap.h"

/* The vCPU kick must only reach vCPU threads, and stop requests come through a signalfd. */
static void block_signals(void)
{
	sigset_t set;

	vm_stop_signals(&set);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static long peak_rss_kib(void)
{
	struct rusage ru;

	return getrusage(RUSAGE_SELF, &ru) ? -1 : ru.ru_maxrss;
}

/* What the run's summary says at exit, besides the timeline. */
static struct timeline_summary summary = { .peak_rss_kib = -1, .guest_ram_kib = -1 };

/* While the guest's RAM is still mapped: how much of the peak is the guest's. */
static void note_peak_rss(const struct vm *vm)
{
	if (!(vm->cfg->verbose || vm->cfg->json) || !vm->ram)
		return;
	summary.peak_rss_kib = peak_rss_kib();
	summary.guest_ram_kib = resident_kib(vm->ram, vm->cfg->ram_size);
	vmm_note(vm->cfg->verbose, "peak RSS %ld KiB, of which guest RAM %ld KiB",
		 summary.peak_rss_kib, summary.guest_ram_kib);
	timeline_mark("peak RSS measured");
}

void start_summary(const struct vm_config *cfg, int status)
{
	timeline_mark("exit");
	if (cfg->verbose)
		timeline_print_text(stderr);
	summary.exit_status = status;
	if (cfg->json)
		timeline_print_json(stderr, &summary);
}

/* The socket is made before privileges go, and outlives the VMs of a restarting guest. */
static int open_api_socket(const struct vm_config *cfg, struct api_server *api)
{
	int ret;

	api->listen_fd = api->client_fd = -1;
	api->path = NULL;
	if (!cfg->api_socket)
		return 0;
	ret = api_server_open(api, cfg->api_socket);
	if (ret) {
		vmm_err("cannot create the control socket %s: %s; choose another --api-socket path",
			cfg->api_socket, strerror(-ret));
		return VMM_EXIT_USAGE;
	}
	return 0;
}

/* The user vmm becomes must be able to answer on its own socket, and to remove it. */
static int give_socket_to_user(const struct vm_config *cfg, const struct api_server *api)
{
	if (!cfg->change_user || !api->path || !chown(api->path, cfg->uid, cfg->gid))
		return 0;
	vmm_err("cannot hand the control socket %s to user %u:%u: %s; choose another "
		"--api-socket path",
		api->path, cfg->uid, cfg->gid, strerror(errno));
	return VMM_EXIT_HOST;
}

static int drop_privileges(const struct vm_config *cfg)
{
	int ret = sandbox_drop_privileges(cfg->change_user, cfg->uid, cfg->gid);

	if (!ret)
		return 0;
	if (cfg->change_user)
		vmm_err("cannot become user %u:%u: %s; --user needs vmm started as root",
			cfg->uid, cfg->gid, strerror(-ret));
	else
		vmm_err("cannot drop capabilities; run vmm as root or as a user in the kvm group");
	return VMM_EXIT_HOST;
}

int start_prepare(const struct vm_config *cfg, struct api_server *api)
{
	int status = open_api_socket(cfg, api);

	/* Before a change of user makes /proc/self root's; each only for who reads it. */
	if (cfg->api_socket)
		ram_presence_prepare(); /* save, which only the socket asks for */
	if (cfg->verbose || cfg->json)
		resident_prepare(); /* the summary's guest_ram_kib */
	status = status ?: give_socket_to_user(cfg, api);
	status = status ?: drop_privileges(cfg);
	if (status)
		return status;
	block_signals();
	timeline_mark("socket and privileges");
	return 0;
}

/*
 * After the VM is built and before its vCPU threads start, so that they inherit
 * the filter; a restarted guest's VM is built under it.
 */
static int enter_sandbox(const struct vm_config *cfg)
{
	static bool warned;
	int ret;

	if (!cfg->seccomp) {
		if (!warned)
			vmm_err("warning: --seccomp off: running without a system call filter; for "
				"debugging only");
		warned = true;
		return 0;
	}
	ret = sandbox_install();
	/*
	 * What setup freed (libseccomp's rule trees, the register lists) goes back
	 * to the kernel before the guest's RAM grows to the peak RSS.
	 */
	malloc_trim(0);
	timeline_mark("system call filter");
	if (!ret)
		return 0;
	vmm_err("cannot install the system call filter: %s; this host kernel needs "
		"CONFIG_SECCOMP_FILTER (or rerun with --seccomp off)",
		strerror(-ret));
	return VMM_EXIT_HOST;
}

/* One VM, from its building to its end: returns its exit status. */
static int vm_live(struct vm *vm, const struct vm_config *cfg, int kvm_fd, struct api_server *api,
		   const struct vm_loader *loader)
{
	const struct vm_loader_ops *ops = loader->ops;
	int status = vm_build(vm, cfg, kvm_fd, loader);

	vm->api = cfg->api_socket ? api : NULL;
	if (!status && ops->ready) {
		status = ops->ready(vm, loader->ctx);
		if (status == VM_LOADER_NO_RUN)
			return 0;
	}
	status = status ?: enter_sandbox(cfg);
	if (status)
		return status;
	status = vm_run(vm);
	return ops->ran ? ops->ran(vm, loader->ctx, status) : status;
}

int start_lifecycle(const struct vm_config *cfg, int kvm_fd, struct api_server *api,
		    const struct vm_loader *loader)
{
	struct vm *vm = calloc(1, sizeof(*vm));
	int status;

	if (!vm) {
		vmm_err("out of memory");
		return VMM_EXIT_INTERNAL;
	}
	for (;;) {
		status = vm_live(vm, cfg, kvm_fd, api, loader);
		note_peak_rss(vm);
		if (status != VMM_EXIT_REBOOT || cfg->on_reboot != REBOOT_RESTART)
			break;
		vm_destroy(vm);
		vmm_note(cfg->verbose, "restarting the guest");
	}
	/* The last VM is left to exit(), as the comment at the top says. */
	return status;
}
