// SPDX-License-Identifier: GPL-2.0
/* The control socket's requests, carried out on the running VM by the main thread. */
#include "control.h"

#include <stdlib.h>

#include "api.h"
#include "exit.h"
#include "firmware/fwregs.h"
#include "firmware/pins_kvm.h"
#include "migrate/snapshot.h"
#include "util.h"
#include "vm.h"

static void control_info(struct vm *vm)
{
	struct fw_reg_value *regs;
	unsigned int nr, i;
	char name[40], value[96];

	api_server_reply(vm->api, "state %s", vm_is_paused(vm) ? "paused" : "running");
	api_server_reply(vm->api, "vcpus %u", vm->nr_vcpus);
	api_server_reply(vm->api, "memory %lluM", (unsigned long long)(vm->cfg->ram_size >> 20));
	api_server_reply(vm->api, "gic v%u", vm->machine.gic_version);
	if (fw_regs_read(vm->vcpus[0].fd, &regs, &nr))
		return;
	for (i = 0; i < nr; i++) {
		fwreg_format_name(regs[i].id, name, sizeof(name));
		fwreg_format_value(regs[i].id, regs[i].value, value, sizeof(value));
		api_server_reply(vm->api, "firmware %s = %s", name, value);
	}
	free(regs);
}

static void control_save(struct vm *vm, const struct api_request *req)
{
	bool was_paused = vm_is_paused(vm);
	char why[512];
	int ret;

	vm_pause(vm);
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

void control_request(struct vm *vm, const struct api_request *req)
{
	switch (req->command) {
	case API_PAUSE:
		vm_pause(vm);
		break;
	case API_RESUME:
		vm_resume(vm);
		break;
	case API_STOP:
		api_server_finish(vm->api, NULL);
		vm_request_exit(vm, VMM_EXIT_POWEROFF);
		return;
	case API_INFO:
		control_info(vm);
		break;
	case API_SAVE:
		control_save(vm, req);
		return;
	}
	api_server_finish(vm->api, NULL);
}

