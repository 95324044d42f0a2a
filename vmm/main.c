// SPDX-License-Identifier: GPL-2.0
/* vmm: subcommand dispatch; the only place that decides an exit status. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cli.h"
#include "exit.h"
#include "hostinfo.h"
#include "kvm.h"
#include "layout.h"
#include "sandbox.h"
#include "util.h"
#include "version.h"
#include "vm.h"

#define KVM_API_VERSION_EXPECTED 12

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

static int check_host(int kvm_fd, const struct vm_config *cfg)
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

/* The vCPU kick must only reach vCPU threads, and stop requests come through a signalfd. */
static void block_signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static long peak_rss_kib(void)
{
	struct rusage ru;

	return getrusage(RUSAGE_SELF, &ru) ? -1 : ru.ru_maxrss;
}

/* Guest RAM the host holds in memory: what the peak RSS owes to the guest, not to vmm. */
static unsigned long resident_kib(void *addr, uint64_t size)
{
	size_t pages = size / SZ_4K, i;
	unsigned char vec[4096];
	unsigned long resident = 0;
	long page = sysconf(_SC_PAGESIZE);

	if (page != (long)SZ_4K)
		return 0;
	for (i = 0; i < pages; i += sizeof(vec)) {
		size_t n = pages - i < sizeof(vec) ? pages - i : sizeof(vec);
		size_t j;

		if (mincore((char *)addr + i * SZ_4K, n * SZ_4K, vec))
			return 0;
		for (j = 0; j < n; j++)
			resident += vec[j] & 1;
	}
	return resident * 4;
}

static int run_guest(const struct vm_config *cfg, int kvm_fd, const struct boot_files *boot)
{
	struct vm *vm = calloc(1, sizeof(*vm));
	int status;

	if (!vm) {
		vmm_err("out of memory");
		return VMM_EXIT_INTERNAL;
	}
	for (;;) {
		status = vm_create(vm, cfg, kvm_fd, boot);
		if (!status)
			status = vm_run(vm);
		if (cfg->verbose && vm->ram)
			vmm_note(true, "peak RSS %ld KiB, of which guest RAM %lu KiB", peak_rss_kib(),
				 resident_kib(vm->ram, cfg->ram_size));
		vm_destroy(vm);
		if (status != VMM_EXIT_REBOOT || cfg->on_reboot != REBOOT_RESTART)
			break;
		vmm_note(cfg->verbose, "restarting the guest");
	}
	free(vm);
	return status;
}

static int cmd_run(int argc, char **argv)
{
	struct boot_files boot = { .kernel = INPUT_FILE_NONE, .initrd = INPUT_FILE_NONE };
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
	status = load_boot_files(&cfg, &boot);
	if (status)
		goto out;
	kvm_fd = kvm_open_reporting();
	if (kvm_fd < 0) {
		status = VMM_EXIT_HOST;
		goto out;
	}
	status = check_host(kvm_fd, &cfg);
	if (status)
		goto out;
	if (sandbox_drop_capabilities()) {
		vmm_err("cannot drop capabilities; run vmm as root or as a user in the kvm group");
		status = VMM_EXIT_HOST;
		goto out;
	}
	block_signals();
	status = run_guest(&cfg, kvm_fd, &boot);
out:
	if (kvm_fd >= 0)
		close(kvm_fd);
	input_file_close(&boot.kernel);
	input_file_close(&boot.initrd);
	config_free(&cfg);
	return status;
}

static void print_usage(void)
{
	printf("usage: vmm COMMAND [options]\n\n"
	       "  run [options] KERNEL   boot a guest (vmm run --help)\n"
	       "  host-info [--json]     what this host's KVM offers: firmware registers, PSCI\n"
	       "  --help, --version\n\n"
	       "Exit statuses are listed in README.md.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		vmm_err("no command given; try vmm run --help");
		return VMM_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "run"))
		return cmd_run(argc - 1, argv + 1);
	if (!strcmp(argv[1], "host-info"))
		return cmd_host_info(argc - 1, argv + 1);
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
