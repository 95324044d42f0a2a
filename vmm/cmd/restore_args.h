/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_CMD_RESTORE_ARGS_H
#define VMM_CMD_RESTORE_ARGS_H
/*
 * `vmm restore`'s command line, KVM-free: the snapshot, --check, the sandbox
 * and output options, and the overrides (--disk PATH) that give a saved
 * device another backing file.
 */
#include <stdbool.h>

struct vm_config;

struct restore_args {
	const char *path;
	bool check;
};

/*
 * Fills cfg and a from argv. 0 to go on, -1 when --help printed the usage,
 * VMM_EXIT_USAGE after one line on stderr. Overrides land in cfg->disks in
 * their order; virtio_specs_override matches them with the saved devices.
 */
int restore_args_parse(int argc, char **argv, struct vm_config *cfg, struct restore_args *a);

#endif
