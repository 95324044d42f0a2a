// SPDX-License-Identifier: GPL-2.0
/* `vmm run [options] KERNEL`: a fresh boot from a kernel, an initrd and a command line. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/api.h"
#include "base/cli.h"
#include "base/config.h"
#include "base/disk.h"
#include "base/exit.h"
#include "base/timeline.h"
#include "base/util.h"
#include "board/image.h"
#include "board/layout.h"
#include "board/virtio_devices.h"
#include "cmd/cmd.h"
#include "cmd/start.h"
#include "kvm/kvm.h"
#include "kvm/lifecycle.h"
#include "kvm/vm.h"

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

/* Taps and sockets, while vmm may still create a tap: a failure is the host's, status 4. */
static int open_networks(const struct vm_config *cfg)
{
	struct virtio_specs *specs;
	int ret;

	if (!cfg->nr_nets)
		return 0;
	specs = malloc(sizeof(*specs));
	ret = specs ? virtio_specs_from_config(cfg, specs) : -ENOMEM;
	ret = ret ?: virtio_nets_open(specs);
	free(specs);
	if (ret == -ENOMEM)
		vmm_err("out of memory");
	return ret ? VMM_EXIT_HOST : 0;
}

int cmd_run(int argc, char **argv)
{
	struct boot_files boot = { .kernel = INPUT_FILE_NONE, .initrd = INPUT_FILE_NONE };
	struct api_server api = { .listen_fd = -1, .client_fd = -1 };
	struct vm_loader loader = vm_boot_loader(&boot);
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
	if (!status && disks_check(cfg.disks, cfg.nr_disks))
		status = VMM_EXIT_INPUT;
	status = status ?: open_networks(&cfg);
	if (status)
		goto summary;
	timeline_mark("kernel, initrd, disks and networks opened");
	kvm_fd = kvm_open_reporting();
	if (kvm_fd < 0) {
		status = VMM_EXIT_HOST;
		goto summary;
	}
	timeline_mark("open /dev/kvm");
	status = vm_check_host(kvm_fd, &cfg);
	timeline_mark("host checks");
	status = status ?: start_prepare(&cfg, &api);
	if (!status)
		status = start_lifecycle(&cfg, kvm_fd, &api, &loader);
summary:
	start_summary(&cfg, status);
out:
	api_server_close(&api);
	input_file_close(&boot.kernel);
	input_file_close(&boot.initrd);
	config_free(&cfg);
	return status;
}
