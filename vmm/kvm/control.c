// SPDX-License-Identifier: GPL-2.0
/* The control socket's requests, carried out on the running VM by the main thread. */
#include "kvm/control.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/api.h"
#include "base/exit.h"
#include "base/json.h"
#include "base/util.h"
#include "firmware/fwregs.h"
#include "kvm/fw_pins.h"
#include "kvm/vm.h"
#include "migrate/snapshot.h"

_Static_assert(VM_PAUSE_TIMEOUT_MS == 5000, "pause_failure says 5 s");

/* Why a pause did not happen, for the client; NULL when every vCPU parked. */
static const char *pause_failure(int ret)
{
	switch (ret) {
	case 0:
		return NULL;
	case -ESHUTDOWN:
		return "the guest is shutting down";
	default:
		return "a vCPU did not stop within 5 s";
	}
}

/* Answered from what vm_run read before the first KVM_RUN: never waits for a vCPU. */
static void control_info_text(struct vm *vm)
{
	char name[40], value[96];
	unsigned int i;

	api_server_reply(vm->api, "state %s", vm_is_paused(vm) ? "paused" : "running");
	api_server_reply(vm->api, "vcpus %u", vm->nr_vcpus);
	api_server_reply(vm->api, "memory %lluM", (unsigned long long)(vm->cfg->ram_size >> 20));
	api_server_reply(vm->api, "gic v%u", vm->machine.gic_version);
	api_server_reply(vm->api, "console_dropped %llu", vm_console_dropped());
	for (i = 0; i < vm->nr_fw_regs; i++) {
		fwreg_format_name(vm->fw_regs[i].id, name, sizeof(name));
		fwreg_format_value(vm->fw_regs[i].id, vm->fw_regs[i].value, value, sizeof(value));
		api_server_reply(vm->api, "firmware %s = %s", name, value);
	}
}

/* The same facts as one JSON object, a line at a time; the names follow vmm inspect --json. */
static void control_info_json(struct vm *vm)
{
	/* Quoted, a byte may take six: \u00XX. */
	char name[40], value[96], qname[6 * 40 + 3], qvalue[6 * 96 + 3];
	unsigned int i;

	api_server_reply(vm->api, "{");
	api_server_reply(vm->api, "  \"state\": \"%s\",", vm_is_paused(vm) ? "paused" : "running");
	api_server_reply(vm->api, "  \"vcpus\": %u,", vm->nr_vcpus);
	api_server_reply(vm->api, "  \"ram_bytes\": %llu,", (unsigned long long)vm->cfg->ram_size);
	api_server_reply(vm->api, "  \"gic_version\": %u,", vm->machine.gic_version);
	api_server_reply(vm->api, "  \"console_dropped\": %llu,", vm_console_dropped());
	api_server_reply(vm->api, "  \"firmware_registers\": [");
	for (i = 0; i < vm->nr_fw_regs; i++) {
		fwreg_format_name(vm->fw_regs[i].id, name, sizeof(name));
		fwreg_format_value(vm->fw_regs[i].id, vm->fw_regs[i].value, value, sizeof(value));
		json_quote(qname, sizeof(qname), name);
		json_quote(qvalue, sizeof(qvalue), value);
		api_server_reply(vm->api,
				 "    {\"id\": \"0x%016llx\", \"name\": %s, \"value\": %llu, "
				 "\"decoded\": %s}%s",
				 (unsigned long long)vm->fw_regs[i].id, qname,
				 (unsigned long long)vm->fw_regs[i].value, qvalue,
				 i + 1 < vm->nr_fw_regs ? "," : "");
	}
	api_server_reply(vm->api, "  ]");
	api_server_reply(vm->api, "}");
}

static void control_save(struct vm *vm, const struct api_request *req)
{
	bool was_paused = vm_is_paused(vm);
	char why[512];
	int ret;

	/* A restored VM's memory is saved only once its snapshot's checksum has passed. */
	if (!vm_idle_finish(vm)) {
		api_server_finish(vm->api, "the snapshot this VM was restored from has damaged "
					   "memory; nothing was saved");
		return;
	}
	ret = vm_pause(vm);
	if (ret) {
		/*
		 * A VM that is stopping has vCPUs that left instead of parking: what a
		 * save would read is not a state the guest was ever in.
		 */
		snprintf(why, sizeof(why), "%s; nothing was saved", pause_failure(ret));
		if (!was_paused)
			vm_resume(vm);
		api_server_finish(vm->api, why);
		return;
	}
	ret = vm_save(vm, req->arg, why, sizeof(why));
	if (ret) {
		/* A failed save leaves the guest as it was: running, unless it was paused. */
		if (!was_paused)
			vm_resume(vm);
		api_server_finish(vm->api, why);
		return;
	}
	vmm_note(vm->cfg->verbose, "saved the VM to %s", req->arg);
	api_server_finish(vm->api, NULL);
	if (req->stop_after)
		vm_request_exit(vm, VMM_EXIT_POWEROFF);
	else if (!was_paused)
		vm_resume(vm);
}

static void control_pause(struct vm *vm)
{
	bool was_paused = vm_is_paused(vm);
	const char *why = pause_failure(vm_pause(vm));

	if (why && !was_paused)
		vm_resume(vm);
	api_server_finish(vm->api, why);
}

void control_request(struct vm *vm, const struct api_request *req)
{
	switch (req->command) {
	case API_PAUSE:
		control_pause(vm);
		return;
	case API_RESUME:
		vm_resume(vm);
		break;
	case API_STOP:
		api_server_finish(vm->api, NULL);
		vm_request_exit(vm, VMM_EXIT_POWEROFF);
		return;
	case API_INFO:
		if (req->json)
			control_info_json(vm);
		else
			control_info_text(vm);
		break;
	case API_SAVE:
		control_save(vm, req);
		return;
	}
	api_server_finish(vm->api, NULL);
}
