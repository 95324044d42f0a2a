/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_CMD_START_H
#define VMM_CMD_START_H

struct api_server;
struct vm_config;
struct vm_loader;

/*
 * What `vmm run` and `vmm restore` share once their files are open. Each
 * returns 0 or a VMM_EXIT_* status after printing why.
 */

/* The control socket (made before privileges go), then no privileges, then the signals. */
int start_prepare(const struct vm_config *cfg, struct api_server *api);
/*
 * The lifecycle: builds a VM, loads its state from loader, runs it, and for a
 * guest that reboots under --on-reboot restart tears it down and does it all
 * again. Returns the last VM's exit status; that VM is left to exit().
 */
int start_lifecycle(const struct vm_config *cfg, int kvm_fd, struct api_server *api,
		    const struct vm_loader *loader);
/* With -v the timeline, with --json the summary: the last thing vmm prints. */
void start_summary(const struct vm_config *cfg, int status);

#endif
