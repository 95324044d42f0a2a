// SPDX-License-Identifier: GPL-2.0
/* vmm: subcommand dispatch; the only place that decides an exit status. */
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "base/api.h"
#include "base/cli.h"
#include "base/exit.h"
#include "base/resident.h"
#include "base/timeline.h"
#include "base/util.h"
#include "base/version.h"
#include "board/layout.h"
#include "cmd/client.h"
#include "cmd/hostinfo.h"
#include "firmware/psci.h"
#include "kvm/kvm.h"
#include "kvm/sandbox.h"
#include "kvm/vm.h"
#include "migrate/restore.h"
#include "migrate/snapshot.h"
#include "snapshot/format.h"
#include "snapshot/pagemap.h"


static int load_boot_files(const struct vm_config *cfg, struct boot_files *boot)
{
	uint8_t header[ARM64_IMAGE_HEADER_SIZE];
	int ret;

	ret = input_file_open(cfg->kernel_path, &boot->kernel);
	if (ret) {
		vmm_err("cannot read kernel %s: %s; check the path", cfg->kernel_path, strerror(-ret));
		return VMM_EXIT_INPUT;
	}
	ret = input_file_read(&boot->kernel, 0, header,
			      boot->kernel.size < sizeof(header) ? boot->kernel.size : sizeof(header));
	if (ret) {
		vmm_err("cannot read kernel %s: %s; check the file", cfg->kernel_path, strerror(-ret));
		return VMM_EXIT_INPUT;
	}
	ret = arm64_image_parse(header, boot->kernel.size, &boot->image);
	if (ret == -ENOEXEC) {
		vmm_err("%s is not an arm64 Linux Image (no ARM\\x64 magic); give an uncompressed "
			"Image, e.g. arch/arm64/boot/Image",
			cfg->kernel_path);
		return VMM_EXIT_INPUT;
	}
	if (ret || boot->image.big_endian) {
		vmm_err("%s: %s; give a little-endian arm64 Image", cfg->kernel_path,
			ret ? "the Image header has impossible text_offset or image_size"
			    : "the Image is big-endian");
		return VMM_EXIT_INPUT;
	}
	if (cfg->initrd_path) {
		ret = input_file_open(cfg->initrd_path, &boot->initrd);
		if (ret) {
			vmm_err("cannot read initrd %s: %s; check the path", cfg->initrd_path,
				strerror(-ret));
			return VMM_EXIT_INPUT;
		}
	}
	ret = layout_plan(cfg->ram_size, &boot->image, boot->initrd.size, &boot->layout);
	if (ret) {
		vmm_err("the kernel (%lluM with BSS) and initrd (%lluM) do not fit in %lluM of RAM "
			"with the device tree; raise --mem",
			(unsigned long long)(boot->image.image_size >> 20),
			(unsigned long long)(boot->initrd.size >> 20),
			(unsigned long long)(cfg->ram_size >> 20));
		return VMM_EXIT_INPUT;
	}
	return 0;
}

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

/* With -v the timeline, with --json the summary: the last thing vmm prints. */
static void print_summary(const struct vm_config *cfg, int status)
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

/* The steps every VM takes once its files are open: the socket, no privileges, signals. */
static int prepare_to_run(const struct vm_config *cfg, struct api_server *api)
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

static int run_guest(const struct vm_config *cfg, int kvm_fd, const struct boot_files *boot,
		     struct api_server *api)
{
	struct vm *vm = calloc(1, sizeof(*vm));
	int status;

	if (!vm) {
		vmm_err("out of memory");
		return VMM_EXIT_INTERNAL;
	}
	for (;;) {
		status = vm_create(vm, cfg, kvm_fd, boot);
		vm->api = cfg->api_socket ? api : NULL;
		status = status ?: enter_sandbox(cfg);
		if (!status)
			status = vm_run(vm);
		note_peak_rss(vm);
		if (status != VMM_EXIT_REBOOT || cfg->on_reboot != REBOOT_RESTART)
			break;
		vm_destroy(vm);
		vmm_note(cfg->verbose, "restarting the guest");
	}
	/* The last VM is left to exit(), as main's comment on teardown says. */
	return status;
}

static int cmd_run(int argc, char **argv)
{
	struct boot_files boot = { .kernel = INPUT_FILE_NONE, .initrd = INPUT_FILE_NONE };
	struct api_server api = { .listen_fd = -1, .client_fd = -1 };
	struct vm_config cfg;
	int kvm_fd = -1, status;

	config_init(&cfg);
	switch (cli_parse_run(argc, argv, &cfg)) {
	case CLI_DONE:
		status = 0;
		goto out;
	case CLI_INVALID:
		status = VMM_EXIT_USAGE;
		goto out;
	case CLI_RUN:
		break;
	}
	timeline_mark("command line");
	status = load_boot_files(&cfg, &boot);
	if (status)
		goto summary;
	timeline_mark("kernel and initrd opened");
	kvm_fd = kvm_open_reporting();
	if (kvm_fd < 0) {
		status = VMM_EXIT_HOST;
		goto summary;
	}
	timeline_mark("open /dev/kvm");
	status = vm_check_host(kvm_fd, &cfg);
	timeline_mark("host checks");
	status = status ?: prepare_to_run(&cfg, &api);
	if (!status)
		status = run_guest(&cfg, kvm_fd, &boot, &api);
summary:
	print_summary(&cfg, status);
out:
	api_server_close(&api);
	input_file_close(&boot.kernel);
	input_file_close(&boot.initrd);
	config_free(&cfg);
	return status;
}

struct restore_args {
	const char *path;
	bool check;
};

static int parse_restore_args(int argc, char **argv, struct vm_config *cfg, struct restore_args *a)
{
	static const struct option opts[] = {
		{ "api-socket", required_argument, NULL, 's' }, { "check", no_argument, NULL, 'c' },
		{ "verbose", no_argument, NULL, 'v' },		{ "help", no_argument, NULL, 'h' },
		{ "user", required_argument, NULL, 'u' },	{ "seccomp", required_argument, NULL, 'S' },
		{ "json", no_argument, NULL, 'j' },		{ NULL, 0, NULL, 0 },
	};
	char why[160];
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":v", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			free(cfg->api_socket);
			cfg->api_socket = strdup(optarg);
			break;
		case 'c':
			a->check = true;
			break;
		case 'v':
			cfg->verbose = true;
			break;
		case 'j':
			cfg->json = true;
			break;
		case 'u':
		case 'S':
			if (!config_set(cfg, "sandbox", c == 'u' ? "user" : "seccomp", optarg, why,
					sizeof(why)))
				break;
			vmm_err("restore: --%s %s: %s", c == 'u' ? "user" : "seccomp", optarg, why);
			return VMM_EXIT_USAGE;
		case 'h':
			printf("usage: vmm restore FILE [--api-socket PATH] [--check] [-v] [--json]\n"
			       "                   [--user UID[:GID]] [--seccomp on|off]\n"
			       "Recreate the VM a snapshot holds and run it; --check only says whether\n"
			       "this host can, and exits 0 if so. -v and --json as for vmm run.\n");
			return -1;
		default:
			vmm_err("restore: bad option %s; see vmm restore --help", argv[optind - 1]);
			return VMM_EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		vmm_err("restore: give exactly one snapshot FILE; see vmm restore --help");
		return VMM_EXIT_USAGE;
	}
	a->path = argv[optind];
	return 0;
}

/* The machine the snapshot describes, as vm_config: what vm_setup and friends read. */
static int restore_config_apply(const struct restore_config *rc, struct vm_config *cfg)
{
	cfg->nr_cpus = rc->nr_cpus;
	cfg->ram_size = rc->ram_size;
	cfg->fw.psci_version = rc->psci_version;
	cfg->fw.system_suspend = rc->system_suspend;
	cfg->cmdline = strdup(rc->cmdline);
	return cfg->cmdline ? 0 : -ENOMEM;
}

static int restore_and_run(const struct vm_config *cfg, int kvm_fd, struct snap_reader *r,
			   const struct restore_config *rc, struct api_server *api,
			   const struct restore_args *args)
{
	struct vm *vm = calloc(1, sizeof(*vm));
	int status;

	if (!vm)
		return VMM_EXIT_INTERNAL;
	status = vm_restore_create(vm, cfg, kvm_fd, r, rc);
	vm->api = cfg->api_socket ? api : NULL;
	if (args->check && !status)
		printf("vmm: the snapshot can be restored on this host: %u vCPUs, %lluM RAM, "
		       "PSCI %u.%u\n",
		       rc->nr_cpus, (unsigned long long)(rc->ram_size >> 20),
		       PSCI_V_MAJOR(rc->psci_version), PSCI_V_MINOR(rc->psci_version));
	else if (!status) {
		restore_check_memory_later(vm, r, args->path);
		status = enter_sandbox(cfg);
		if (!status) {
			status = vm_run(vm);
			/* A guest that stopped before the check ended: the check still decides. */
			if (!vm_idle_finish(vm))
				status = VMM_EXIT_SNAPSHOT;
		}
	}
	note_peak_rss(vm);
	return status; /* the VM is left to exit(), as main's comment on teardown says */
}

static int cmd_restore(int argc, char **argv)
{
	struct api_server api = { .listen_fd = -1, .client_fd = -1 };
	struct restore_args args = { 0 };
	struct restore_config rc;
	struct snap_reader *r = NULL;
	struct vm_config cfg;
	char why[256] = "";
	int kvm_fd = -1, status, ret;

	config_init(&cfg);
	status = parse_restore_args(argc, argv, &cfg, &args);
	if (status)
		goto out;
	timeline_mark("command line");
	/*
	 * The memory's CRC costs what the guest's data costs: a restore checks it
	 * while the guest runs (restore_check_memory_later), --check before it.
	 */
	ret = snap_reader_open_flags(&r, args.path, args.check ? 0 : SNAP_READ_DEFER_MEMORY_CRC,
				     why, sizeof(why));
	if (!ret)
		ret = restore_read_config(r, &rc, why, sizeof(why));
	if (ret) {
		vmm_err("snapshot %s refused: %s", args.path, why[0] ? why : strerror(-ret));
		status = VMM_EXIT_SNAPSHOT;
		goto summary;
	}
	timeline_mark("snapshot opened and checked");
	vmm_note(cfg.verbose, "snapshot saved by vmm %s on Linux %s",
		 snap_reader_header(r)->vmm_version, snap_reader_header(r)->host_release);
	status = restore_config_apply(&rc, &cfg) ? VMM_EXIT_INTERNAL : 0;
	kvm_fd = status ? -1 : kvm_open_reporting();
	if (!status && kvm_fd < 0)
		status = VMM_EXIT_HOST;
	timeline_mark("open /dev/kvm");
	status = status ?: vm_check_host(kvm_fd, &cfg);
	timeline_mark("host checks");
	status = status ?: prepare_to_run(&cfg, &api);
	status = status ?: restore_and_run(&cfg, kvm_fd, r, &rc, &api, &args);
summary:
	print_summary(&cfg, status);
out:
	status = status < 0 ? 0 : status;
	api_server_close(&api);
	/* The reader's descriptor is the restored RAM's file: it stays open until exit. */
	config_free(&cfg);
	return status;
}

static void print_usage(void)
{
	printf("usage: vmm COMMAND [options]\n\n"
	       "  run [options] KERNEL   boot a guest (vmm run --help)\n"
	       "  host-info [--json]     what this host's KVM offers: firmware registers, PSCI\n"
	       "  restore FILE [--api-socket PATH] [--check] [-v] [--json]   run the VM a\n"
	       "                         snapshot holds (vmm restore --help)\n"
	       "  inspect FILE [--json]  what a snapshot holds\n"
	       "  save [--stop] --socket PATH FILE   snapshot a running vmm\n"
	       "  pause|resume|stop|info --socket PATH\n"
	       "  --help, --version\n\n"
	       "Exit statuses are listed in README.md.\n");
}

/*
 * Teardown: vmm leaves the last VM, its descriptors and its RAM to exit(),
 * which takes them down in one go. Unmapping guest RAM by hand first made
 * KVM unmap it from the guest range by range: 0.4-0.5 s of a 256 MiB guest
 * in the emulated host, where exit's teardown takes a few ms more than
 * nothing. Only the control socket's path is removed by hand: exit leaves it.
 */
int main(int argc, char **argv)
{
	timeline_start();
	if (argc < 2) {
		vmm_err("no command given; try vmm run --help");
		return VMM_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "run"))
		return cmd_run(argc - 1, argv + 1);
	if (!strcmp(argv[1], "host-info"))
		return cmd_host_info(argc - 1, argv + 1);
	if (!strcmp(argv[1], "restore"))
		return cmd_restore(argc - 1, argv + 1);
	if (!strcmp(argv[1], "inspect"))
		return cmd_inspect(argc - 1, argv + 1);
	if (client_command_known(argv[1]))
		return cmd_client(argc - 1, argv + 1);
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		print_usage();
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("vmm %s\n", VMM_VERSION);
		return 0;
	}
	vmm_err("unknown command '%s'; try vmm --help", argv[1]);
	return VMM_EXIT_USAGE;
}
