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
#include "board/machine.h"
#include "firmware/fwregs.h"
#include "kvm/fw_pins.h"
#include "kvm/vcpu_set.h"

_Static_assert(VCPU_SET_PAUSE_TIMEOUT_MS == 5000, "pause_failure says 5 s");

/*
 * The devices with threads of their own (virtio) stop after the vCPUs, so
 * that no kick arrives once they are still, and go on before them.
 */
static int target_pause(const struct control_target *t)
{
	int ret = vcpu_set_pause(t->vcpus);

	if (!ret)
		machine_pause_devices(t->machine);
	return ret;
}

static void target_resume(const struct control_target *t)
{
	machine_resume_devices(t->machine);
	vcpu_set_resume(t->vcpus);
}

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

static void info_text_line(void *api, const struct fwreg_value *reg, const struct fwreg_text *t,
			   bool last)
{
	(void)reg;
	(void)last;
	api_server_reply(api, "firmware %s = %s", t->name, t->value);
}

static void info_json_line(void *api, const struct fwreg_value *reg, const struct fwreg_text *t,
			   bool last)
{
	/* Quoted, a byte may take six: \u00XX. */
	char qname[6 * sizeof(t->name) + 3], qvalue[6 * sizeof(t->value) + 3];

	json_quote(qname, sizeof(qname), t->name);
	json_quote(qvalue, sizeof(qvalue), t->value);
	api_server_reply(api,
			 "    {\"id\": \"0x%016llx\", \"name\": %s, \"value\": %llu, \"decoded\": %s}%s",
			 (unsigned long long)reg->id, qname, (unsigned long long)reg->value, qvalue,
			 last ? "" : ",");
}

/* Answered from what vm_run read before the first KVM_RUN: never waits for a vCPU. */
static void control_info_text(const struct control_target *t, struct api_server *api)
{
	api_server_reply(api, "state %s", vcpu_set_is_paused(t->vcpus) ? "paused" : "running");
	api_server_reply(api, "vcpus %u", t->nr_vcpus);
	api_server_reply(api, "memory %lluM", (unsigned long long)(t->ram_size >> 20));
	api_server_reply(api, "gic v%u", t->gic_version);
	api_server_reply(api, "console_dropped %llu", t->console_dropped());
	fwreg_each(t->fw_regs, t->nr_fw_regs, info_text_line, api);
}

/* The same facts as one JSON object, a line at a time; the names follow vmm inspect --json. */
static void control_info_json(const struct control_target *t, struct api_server *api)
{
	api_server_reply(api, "{");
	api_server_reply(api, "  \"state\": \"%s\",",
			 vcpu_set_is_paused(t->vcpus) ? "paused" : "running");
	api_server_reply(api, "  \"vcpus\": %u,", t->nr_vcpus);
	api_server_reply(api, "  \"ram_bytes\": %llu,", (unsigned long long)t->ram_size);
	api_server_reply(api, "  \"gic_version\": %u,", t->gic_version);
	api_server_reply(api, "  \"console_dropped\": %llu,", t->console_dropped());
	api_server_reply(api, "  \"firmware_registers\": [");
	fwreg_each(t->fw_regs, t->nr_fw_regs, info_json_line, api);
	api_server_reply(api, "  ]");
	api_server_reply(api, "}");
}

static void control_save(const struct control_target *t, struct api_server *api,
			 const struct api_request *req)
{
	bool was_paused = vcpu_set_is_paused(t->vcpus);
	char why[512];
	int ret;

	/* A restored VM's memory is saved only once its snapshot's checksum has passed. */
	if (!t->memory_ready(t->ctx)) {
		api_server_finish(api, "the snapshot this VM was restored from has damaged "
				       "memory; nothing was saved");
		return;
	}
	ret = target_pause(t);
	if (ret) {
		/*
		 * A VM that is stopping has vCPUs that left instead of parking: what a
		 * save would read is not a state the guest was ever in.
		 */
		snprintf(why, sizeof(why), "%s; nothing was saved", pause_failure(ret));
		if (!was_paused)
			target_resume(t);
		api_server_finish(api, why);
		return;
	}
	ret = t->save(t->ctx, req->arg, why, sizeof(why));
	if (ret) {
		/* A failed save leaves the guest as it was: running, unless it was paused. */
		if (!was_paused)
			target_resume(t);
		api_server_finish(api, why);
		return;
	}
	vmm_note(t->verbose, "saved the VM to %s", req->arg);
	api_server_finish(api, NULL);
	if (req->stop_after)
		vcpu_set_request_exit(t->vcpus, VMM_EXIT_POWEROFF);
	else if (!was_paused)
		target_resume(t);
}

static void control_pause(const struct control_target *t, struct api_server *api)
{
	bool was_paused = vcpu_set_is_paused(t->vcpus);
	const char *why = pause_failure(target_pause(t));

	if (why && !was_paused)
		target_resume(t);
	api_server_finish(api, why);
}

void control_request(const struct control_target *t, struct api_server *api,
		     const struct api_request *req)
{
	switch (req->command) {
	case API_PAUSE:
		control_pause(t, api);
		return;
	case API_RESUME:
		target_resume(t);
		break;
	case API_STOP:
		api_server_finish(api, NULL);
		vcpu_set_request_exit(t->vcpus, VMM_EXIT_POWEROFF);
		return;
	case API_INFO:
		if (req->json)
			control_info_json(t, api);
		else
			control_info_text(t, api);
		break;
	case API_SAVE:
		control_save(t, api, req);
		return;
	}
	api_server_finish(api, NULL);
}
