// SPDX-License-Identifier: GPL-2.0
/* `vmm restore FILE`: the VM a snapshot holds, recreated on this host and run. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/api.h"
#include "base/config.h"
#include "base/exit.h"
#include "base/timeline.h"
#include "base/util.h"
#include "board/virtio_devices.h"
#include "cmd/cmd.h"
#include "cmd/restore_args.h"
#include "cmd/start.h"
#include "kvm/kvm.h"
#include "kvm/lifecycle.h"
#include "kvm/vm.h"
#include "migrate/restore.h"
#include "snapshot/format.h"

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

static int run_snapshot(const struct vm_config *cfg, int kvm_fd, struct api_server *api,
			struct snap_reader *r, const struct restore_config *rc,
			const struct restore_args *args)
{
	struct restore_load load = { .r = r, .rc = rc, .path = args->path, .check = args->check };
	struct vm_loader loader = { .ops = &restore_loader_ops, .ctx = &load };

	return start_lifecycle(cfg, kvm_fd, api, &loader);
}

/*
 * The snapshot's taps and sockets (or those --net gives), before privileges
 * go: a tap is made again by its name. The same override is applied again
 * when the devices are made.
 */
static int restore_open_networks(const struct restore_config *rc, const struct vm_config *cfg)
{
	struct virtio_specs *specs = malloc(sizeof(*specs));
	int status = 0;

	if (!specs) {
		vmm_err("out of memory");
		return VMM_EXIT_INTERNAL;
	}
	*specs = rc->virtio;
	if (virtio_specs_override(specs, cfg))
		status = VMM_EXIT_USAGE;
	else if (virtio_nets_open(specs))
		status = VMM_EXIT_HOST;
	free(specs);
	return status;
}

int cmd_restore(int argc, char **argv)
{
	struct api_server api = { .listen_fd = -1, .client_fd = -1 };
	struct restore_args args = { 0 };
	struct restore_config rc;
	struct snap_reader *r = NULL;
	struct vm_config cfg;
	char why[256] = "";
	int kvm_fd = -1, status, ret;

	config_init(&cfg);
	status = restore_args_parse(argc, argv, &cfg, &args);
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
	status = status ?: restore_open_networks(&rc, &cfg);
	status = status ?: start_prepare(&cfg, &api);
	status = status ?: run_snapshot(&cfg, kvm_fd, &api, r, &rc, &args);
summary:
	start_summary(&cfg, status);
out:
	status = status < 0 ? 0 : status;
	api_server_close(&api);
	/* The reader's descriptor is the restored RAM's file: it stays open until exit. */
	config_free(&cfg);
	return status;
}
