// SPDX-License-Identifier: GPL-2.0
/* vm_save: what a paused VM is, into one snapshot file. */
#include "migrate/snapshot.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "base/util.h"
#include "base/version.h"
#include "kvm/gic_state.h"
#include "kvm/kvm.h"
#include "kvm/regs.h"
#include "kvm/vm.h"
#include "migrate/restore.h"
#include "snapshot/format.h"
#include "snapshot/pagemap.h"

#define FAIL(fmt, ...) (snprintf(why, why_len, fmt, ##__VA_ARGS__), ret)

static int save_config(struct vm *vm, struct snap_writer *w)
{
	const struct vm_config *cfg = vm->cfg;
	static struct restore_config rc; /* the virtio descriptions make it large for a stack */

	rc = (struct restore_config){
		.nr_cpus = vm->nr_vcpus,
		.ram_size = cfg->ram_size,
		.gic_version = vm->machine.gic_version,
		.nr_irqs = GIC_NR_IRQS,
		.ipa_bits = vm->ipa_bits,
		.psci_version = vm->machine.psci_version,
		.system_suspend = cfg->fw.system_suspend,
	};
	const char *cmdline = cfg->cmdline ? cfg->cmdline : "";

	/* run refuses a longer one; restore could not read it back. */
	if (strlen(cmdline) >= sizeof(rc.cmdline))
		return -E2BIG;
	strcpy(rc.cmdline, cmdline);
	rc.virtio = vm->virtio;
	return snap_write_config(w, &rc);
}

/* Every register by ID and size, known to vmm or not, each with its reset value if known. */
static int save_regs(struct snap_writer *w, const struct reg_values *regs)
{
	unsigned int i;
	int ret = snap_put_u32(w, regs->nr);

	for (i = 0; i < regs->nr && !ret; i++) {
		const struct reg_value *r = &regs->regs[i];
		unsigned int size = reg_size_bytes(r->id);

		ret = snap_put_u64(w, r->id);
		ret = ret ?: snap_put_bytes(w, r->value, size);
		ret = ret ?: snap_put_u32(w, r->reset != NULL);
		if (!ret && r->reset)
			ret = snap_put_bytes(w, r->reset, size);
	}
	return ret;
}

static int save_vcpu(struct vcpu *vcpu, struct snap_writer *w)
{
	struct kvm_vcpu_events events;
	struct reg_values regs;
	uint32_t mp_state;
	unsigned int i;
	int ret;

	ret = kvm_get_mp_state(vcpu->fd, &mp_state);
	ret = ret ?: kvm_get_vcpu_events(vcpu->fd, &events);
	ret = ret ?: vcpu_regs_read(vcpu->fd, &vcpu->reset, &regs);
	if (ret)
		return ret;
	ret = snap_record_begin(w, SNAP_SEC_VCPU, vcpu->id, SNAP_VER_VCPU);
	ret = ret ?: snap_put_u32(w, vcpu->init.target);
	for (i = 0; i < 7 && !ret; i++)
		ret = snap_put_u32(w, vcpu->init.features[i]);
	ret = ret ?: snap_put_u32(w, mp_state);
	ret = ret ?: snap_put_u32(w, sizeof(events));
	ret = ret ?: snap_put_bytes(w, &events, sizeof(events));
	ret = ret ?: save_regs(w, &regs);
	ret = ret ?: snap_section_end(w);
	reg_values_free(&regs);
	return ret;
}

static int save_gic(struct vm *vm, struct snap_writer *w)
{
	struct gic_state state;
	unsigned int i;
	int ret;

	ret = gic_state_save(vm->gic_fd, vm->machine.mpidr, vm->nr_vcpus, GIC_NR_IRQS, &state);
	if (ret) {
		vmm_err("vGIC group %u attribute 0x%llx: %s", state.failed_group,
			(unsigned long long)state.failed_attr, strerror(-ret));
		return ret;
	}
	ret = snap_record_begin(w, SNAP_SEC_GIC, 0, SNAP_VER_GIC);
	ret = ret ?: snap_put_u32(w, vm->machine.gic_version);
	ret = ret ?: snap_put_u32(w, state.nr);
	for (i = 0; i < state.nr && !ret; i++) {
		ret = snap_put_u32(w, state.attrs[i].group);
		ret = ret ?: snap_put_u64(w, state.attrs[i].attr);
		ret = ret ?: snap_put_u64(w, state.attrs[i].value);
	}
	gic_state_free(&state);
	return ret ?: snap_section_end(w);
}

static int save_devices(struct vm *vm, struct snap_writer *w)
{
	unsigned int i;
	int ret = 0;

	for (i = 0; i < vm->machine.nr_devices && !ret; i++) {
		struct device *dev = vm->machine.devices[i];

		if (!dev->ops->save)
			continue;
		ret = snap_record_begin(w, SNAP_SEC_DEVICE, i, snap_device_version(dev->ops->name));
		ret = ret ?: snap_put_str(w, dev->ops->name);
		ret = ret ?: dev->ops->save(dev, w);
		ret = ret ?: snap_section_end(w);
	}
	return ret;
}

/*
 * Anonymous pages the host never faulted in nor swapped out are zero: the
 * page map spares reading them (pagemap.h says why not mincore). Not so for
 * RAM mapped from a snapshot, where a page not in memory still holds the
 * file's data: there every page is read.
 */
static int save_memory(struct vm *vm, struct snap_writer *w)
{
	uint64_t pages = vm->cfg->ram_size / SNAP_PAGE;
	unsigned char *resident = NULL;
	int ret;

	if (!vm->ram_from_file) {
		resident = malloc(pages);
		if (resident &&
		    ram_presence_read(ram_presence_fd(), vm->ram, vm->cfg->ram_size, resident)) {
			free(resident);
			resident = NULL;
		}
	}
	ret = snap_write_memory(w, RAM_BASE, vm->ram, vm->cfg->ram_size, resident);
	free(resident);
	return ret;
}

int vm_save(struct vm *vm, const char *path, char *why, size_t why_len)
{
	struct snap_header hdr = { .format_version = SNAP_FORMAT_VERSION };
	struct snap_writer *w;
	const char *what;
	struct utsname u;
	unsigned int i;
	int ret;

	if (vm->machine.gic_version != 3) {
		ret = -EOPNOTSUPP;
		return FAIL("snapshots need GICv3; this VM has GICv2");
	}
	uname(&u);
	snprintf(hdr.vmm_version, sizeof(hdr.vmm_version), "%s", VMM_VERSION);
	snprintf(hdr.host_release, sizeof(hdr.host_release), "%s", u.release);
	hdr.page_size = sysconf(_SC_PAGESIZE);
	hdr.ipa_bits = vm->ipa_bits;
	ret = snap_writer_open(&w, path, &hdr);
	if (ret)
		return FAIL("cannot create a temporary file beside %s: %s; %s is unchanged", path,
			    strerror(-ret), path);
	what = "the machine";
	ret = save_config(vm, w);
	for (i = 0; i < vm->nr_vcpus && !ret; i++) {
		what = "a vCPU";
		ret = save_vcpu(&vm->vcpus[i], w);
	}
	if (!ret) {
		what = "the vGIC";
		ret = save_gic(vm, w);
	}
	if (!ret) {
		what = "the devices";
		ret = save_devices(vm, w);
	}
	if (!ret) {
		what = "guest memory";
		ret = save_memory(vm, w);
	}
	if (ret) {
		snap_writer_abort(w);
		return FAIL("cannot save %s to %s: %s; %s is unchanged", what, path, strerror(-ret),
			    path);
	}
	ret = snap_writer_commit(w);
	if (!ret)
		return 0;
	if (snap_writer_replaced(w))
		snprintf(why, why_len,
			 "%s holds the complete new snapshot, but syncing its directory failed (%s): "
			 "it may not survive a crash",
			 path, strerror(-ret));
	else
		snprintf(why, why_len, "cannot write %s: %s; %s is unchanged", path, strerror(-ret),
			 path);
	snap_writer_abort(w);
	return ret;
}
