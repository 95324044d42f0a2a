/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_CONTROL_H
#define VMM_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct api_request;
struct api_server;
struct fwreg_value;
struct machine;
struct vcpu_set;

/* What the control socket's requests act on and report; the VM fills it before its vCPUs run. */
struct control_target {
	struct vcpu_set *vcpus; /* pause, resume, stop */
	unsigned int nr_vcpus;
	struct machine *machine; /* its devices pause and resume with the vCPUs */
	uint64_t ram_size;
	unsigned int gic_version;
	/*
	 * The firmware registers, read before the first KVM_RUN (they cannot change
	 * after it): reading them from a running vCPU would wait for it to leave
	 * KVM_RUN, which a guest CPU taken offline never does.
	 */
	const struct fwreg_value *fw_regs;
	unsigned int nr_fw_regs;
	bool verbose;
	unsigned long long (*console_dropped)(void);
	/* Before a save: false when the VM's memory is not to be saved (a failed check). */
	bool (*memory_ready)(void *ctx);
	/* Writes the paused VM to path; -errno with why filled. */
	int (*save)(void *ctx, const char *path, char *why, size_t why_len);
	void *ctx; /* for memory_ready and save */
};

/* Carries out one request and answers it on api. */
void control_request(const struct control_target *t, struct api_server *api,
		     const struct api_request *req);

#endif
