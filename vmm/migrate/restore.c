// SPDX-License-Identifier: GPL-2.0
/*
 * vmm restore: a VM recreated from a snapshot, on this host or another. The
 * firmware registers go first, before anything runs; then the other vCPU
 * registers, MP state and events; then the vGIC (after every vCPU exists);
 * then the devices. Registers the two hosts do not share follow regpolicy.c.
 */
#include "migrate/snapshot.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "base/exit.h"
#include "base/timeline.h"
#include "base/util.h"
#include "firmware/fwregs.h"
#include "firmware/psci.h"
#include "kvm/gic_state.h"
#include "kvm/kvm.h"
#include "kvm/lifecycle.h"
#include "kvm/vm.h"
#include "migrate/regpolicy.h"
#include "migrate/restore.h"
#include "snapshot/format.h"

_Static_assert(sizeof(struct kvm_vcpu_events) == SNAP_VCPU_EVENTS_SIZE,
	       "the snapshot carries struct kvm_vcpu_events as the UAPI lays it out");

static void reg_describe(uint64_t id, char *buf, size_t len)
{
	if (fwreg_is_firmware(id) || reg_coproc(id) != REG_COPROC_SYSREG) {
		fwreg_format_name(id, buf, len);
		return;
	}
	snprintf(buf, len, "0x%016llx (sysreg %u,%u,%u,%u,%u)", (unsigned long long)id,
		 (unsigned int)(id >> 14) & 3, (unsigned int)(id >> 11) & 7,
		 (unsigned int)(id >> 7) & 15, (unsigned int)(id >> 3) & 15, (unsigned int)id & 7);
}

static void reg_value_text(uint64_t id, const uint8_t *value, char *buf, size_t len)
{
	uint64_t v = 0;

	if (reg_size_bytes(id) > 8) {
		snprintf(buf, len, "(%u-byte value)", reg_size_bytes(id));
		return;
	}
	memcpy(&v, value, reg_size_bytes(id));
	fwreg_format_value(id, v, buf, len);
}

static void report_plan(const struct reg_plan *plan, unsigned int cpu, bool verbose)
{
	unsigned int i, counts[REG_KEEP + 1] = { 0 };
	char name[64];

	for (i = 0; i < plan->nr; i++) {
		counts[plan->d[i].action]++;
		if (plan->d[i].action == REG_RESTORE)
			continue;
		reg_describe(plan->d[i].id, name, sizeof(name));
		vmm_note(verbose, "vCPU %u: %s: %s", cpu, name, reg_action_name(plan->d[i].action));
	}
	vmm_note(verbose && cpu == 0,
		 "vCPU 0 registers: %u restored, %u skipped, %u zeroed, %u kept, %u refused",
		 counts[REG_RESTORE], counts[REG_SKIP], counts[REG_ZERO], counts[REG_KEEP],
		 counts[REG_REFUSE]);
}

static int refuse_reg(uint64_t id, const uint8_t *value, const char *reason)
{
	char name[64], text[96];

	reg_describe(id, name, sizeof(name));
	reg_value_text(id, value, text, sizeof(text));
	vmm_err("snapshot refused: register %s = %s %s", name, text, reason);
	return VMM_EXIT_SNAPSHOT;
}

/* Names what the host holds instead, which is usually what it would accept. */
static int refuse_written(struct vcpu *vcpu, uint64_t id, const uint8_t *value)
{
	uint8_t host[REG_MAX_BYTES] __attribute__((aligned(16)));
	char reason[256], text[96];

	if (kvm_get_reg(vcpu->fd, id, host)) {
		snprintf(reason, sizeof(reason), "is refused by this host's KVM");
	} else {
		reg_value_text(id, host, text, sizeof(text));
		snprintf(reason, sizeof(reason),
			 "is refused by this host's KVM, which has %s; restore on a host that "
			 "offers the saved value",
			 text);
	}
	return refuse_reg(id, value, reason);
}

/*
 * KVM before 6.7 let no ID register be written, and a newer host may refuse
 * an old host's value even where it only adds a feature (6.12 shows FEAT_HCX,
 * which 6.1 hid). The guest keeps working when every feature it saw is still
 * there, so the host's value stays; a feature gone is a refusal.
 */
static bool id_register_kept(struct vcpu *vcpu, const struct reg_decision *d)
{
	uint64_t host, saved;
	char name[64];

	if (!reg_is_id_register(d->id) || reg_size_bytes(d->id) != 8 ||
	    kvm_get_reg_u64(vcpu->fd, d->id, &host))
		return false;
	memcpy(&saved, d->saved->value, 8);
	if (!idreg_host_covers(d->id, host, saved))
		return false;
	reg_describe(d->id, name, sizeof(name));
	vmm_note(vcpu->env->verbose,
		 "vCPU %u: ID register %s: this host shows 0x%llx where the snapshot has 0x%llx; "
		 "every saved feature is still offered, so the host's value stays",
		 vcpu->id, name, (unsigned long long)host, (unsigned long long)saved);
	return true;
}

static int write_planned(struct vcpu *vcpu, const struct reg_plan *plan)
{
	static const uint8_t zero[REG_MAX_BYTES];
	unsigned int i;
	int ret;

	for (i = 0; i < plan->nr; i++) {
		const struct reg_decision *d = &plan->d[i];

		if (d->action == REG_REFUSE)
			return refuse_reg(d->id, d->saved->value,
					  "is not on this host, and its value is not the reset one");
		if (d->action == REG_ZERO)
			ret = kvm_set_reg(vcpu->fd, d->id, zero);
		else if (d->action == REG_RESTORE)
			ret = kvm_set_reg(vcpu->fd, d->id, d->saved->value);
		else
			continue;
		if (ret && d->action == REG_RESTORE && id_register_kept(vcpu, d))
			continue;
		if (ret)
			return refuse_written(vcpu, d->id, d->action == REG_ZERO ? zero : d->saved->value);
	}
	return 0;
}

/* The saved reset values stay with the VM, for its next snapshot's policy. */
static int keep_reset_values(struct vcpu *vcpu, const struct reg_values *saved)
{
	unsigned int i;
	int ret = 0;

	reg_values_free(&vcpu->reset);
	for (i = 0; i < saved->nr && !ret; i++)
		if (saved->regs[i].reset)
			ret = reg_values_add(&vcpu->reset, saved->regs[i].id, saved->regs[i].reset,
					     NULL);
	return ret ? vm_fail("cannot keep the reset values", ret, VMM_EXIT_INTERNAL) : 0;
}

static int apply_vcpu(struct vm *vm, struct vcpu *vcpu, struct saved_vcpu *v)
{
	struct kvm_vcpu_events events;
	struct kvm_reg_list *host;
	struct reg_plan plan;
	int ret, status;

	ret = kvm_get_reg_list(vcpu->fd, &host);
	if (ret)
		return vm_fail("cannot list this host's vCPU registers", ret, VMM_EXIT_HOST);
	ret = reg_policy_plan(&v->regs, (const uint64_t *)host->reg, host->n, &plan);
	free(host);
	if (ret)
		return vm_fail("cannot plan the register restore", ret, VMM_EXIT_INTERNAL);
	report_plan(&plan, vcpu->id, vm->cfg->verbose);
	status = write_planned(vcpu, &plan);
	reg_plan_free(&plan);
	if (status)
		return status;
	memcpy(&events, v->events, sizeof(events));
	ret = kvm_set_vcpu_events(vcpu->fd, &events);
	ret = ret ?: kvm_set_mp_state(vcpu->fd, v->mp_state);
	if (ret)
		return vm_fail("cannot restore a vCPU's MP state and events", ret, VMM_EXIT_SNAPSHOT);
	return keep_reset_values(vcpu, &v->regs);
}

static int apply_gic(struct vm *vm, struct snap_reader *r)
{
	const struct snap_section *found = snap_reader_find(r, SNAP_SEC_GIC, 0);
	struct gic_state state = { 0 };
	const struct gic_attr *failed = NULL;
	struct snap_section s;
	uint32_t version, nr, i;
	int ret;

	if (!found)
		return vm_fail("snapshot refused: no vGIC section", -EINVAL, VMM_EXIT_SNAPSHOT);
	s = *found;
	ret = snap_get_u32(&s, &version);
	ret = ret ?: snap_get_u32(&s, &nr);
	if (!ret && (nr > s.len / 20 || version != 3 || s.version != SNAP_VER_GIC))
		ret = -EINVAL;
	if (!ret) {
		state.attrs = calloc(nr + 1, sizeof(*state.attrs));
		ret = state.attrs ? 0 : -ENOMEM;
	}
	for (i = 0; i < nr && !ret; i++, state.nr++) {
		ret = snap_get_u32(&s, &state.attrs[i].group);
		ret = ret ?: snap_get_u64(&s, &state.attrs[i].attr);
		ret = ret ?: snap_get_u64(&s, &state.attrs[i].value);
	}
	/* Bytes left over would be state this vmm does not know it dropped. */
	if (!ret && s.pos != s.len)
		ret = -EINVAL;
	if (ret) {
		gic_state_free(&state);
		return vm_fail("snapshot refused: its vGIC section", ret, VMM_EXIT_SNAPSHOT);
	}
	ret = gic_state_restore(vm->gic_fd, &state, &failed);
	if (ret)
		vmm_err("snapshot refused: this host's vGIC rejects group %u attribute 0x%llx = 0x%llx: %s",
			failed->group, (unsigned long long)failed->attr,
			(unsigned long long)failed->value, strerror(-ret));
	gic_state_free(&state);
	return ret ? VMM_EXIT_SNAPSHOT : 0;
}

/* Sections of one model (two disks) go to its devices in slot order: the next not restored. */
static struct device *device_named(struct machine *m, const char *name, const bool *restored,
				   unsigned int *index)
{
	unsigned int d;

	for (d = 0; d < m->nr_devices; d++) {
		if (!strcmp(m->devices[d]->ops->name, name) && !restored[d]) {
			*index = d;
			return m->devices[d];
		}
	}
	return NULL;
}

static int apply_device(struct device *dev, const struct snap_section *found)
{
	struct snap_section s = *found;
	char name[32];
	int ret;

	snap_get_str(&s, name, sizeof(name));
	if (s.version != snap_device_version(name)) {
		vmm_err("snapshot refused: device '%s' state version %u, this vmm reads version %u",
			name, s.version, snap_device_version(name));
		return VMM_EXIT_SNAPSHOT;
	}
	ret = dev->ops->restore(dev, &s);
	if (!ret && s.pos != s.len)
		ret = -EINVAL;
	if (ret && ret != -EMEDIUMTYPE) /* that one said its line */
		vmm_err("snapshot refused: the state of device '%s' is not one it can take (%s)",
			name, strerror(-ret));
	return ret ? VMM_EXIT_SNAPSHOT : 0;
}

/* Every device that keeps state gets its section, exactly one, read to its end. */
static int apply_devices(struct vm *vm, struct snap_reader *r)
{
	unsigned int i, d, n = snap_reader_count(r, SNAP_SEC_DEVICE);
	bool restored[MACHINE_MAX_DEVICES] = { false };
	char name[32];
	int status;

	for (i = 0; i < n; i++) {
		struct snap_section s = *snap_reader_find(r, SNAP_SEC_DEVICE, i);
		struct device *dev = NULL;

		if (!snap_get_str(&s, name, sizeof(name)))
			dev = device_named(&vm->machine, name, restored, &d);
		if (!dev || !dev->ops->restore) {
			vmm_err("snapshot refused: device section %u ('%s') is not one of this "
				"machine's devices, or one too many", i, dev ? name : "?");
			return VMM_EXIT_SNAPSHOT;
		}
		status = apply_device(dev, snap_reader_find(r, SNAP_SEC_DEVICE, i));
		if (status)
			return status;
		restored[d] = true;
	}
	for (d = 0; d < vm->machine.nr_devices; d++) {
		if (vm->machine.devices[d]->ops->restore && !restored[d]) {
			vmm_err("snapshot refused: it holds no state for device '%s'",
				vm->machine.devices[d]->ops->name);
			return VMM_EXIT_SNAPSHOT;
		}
	}
	return 0;
}

/* A piece of the memory check per turn of the main loop: about a millisecond's worth. */
#define MEMORY_CHECK_STEP (1ULL << 20)

static struct memory_check_task {
	struct snap_reader *r;
	const char *path;
	uint64_t started_ns;
} memory_check;

static int memory_check_step(struct vm *vm, void *ctx)
{
	struct memory_check_task *c = ctx;
	char why[256] = "";
	int ret = snap_reader_check_memory(c->r, MEMORY_CHECK_STEP, why, sizeof(why));

	if (ret > 0)
		return 1;
	if (!ret) {
		vmm_note(vm->cfg->verbose, "snapshot memory checksum verified in %.0f ms, the guest "
			 "running meanwhile", (timeline_now_ns() - c->started_ns) / 1e6);
		return 0;
	}
	vmm_err("snapshot %s refused after the guest started: %s; the guest is stopped, restore "
		"from a good copy",
		c->path, why);
	vcpu_set_request_exit(&vm->vcpu_set, VMM_EXIT_SNAPSHOT);
	return ret;
}

void restore_check_memory_later(struct vm *vm, struct snap_reader *r, const char *path)
{
	memory_check = (struct memory_check_task){ r, path, timeline_now_ns() };
	vm->idle = (struct vm_idle_task){ .step = memory_check_step, .ctx = &memory_check };
}

/* A memory record's pages: mapped from the file where host pages allow, else copied. */
static int map_run(struct vm *vm, int fd, const struct snap_section *s)
{
	uint64_t off = s->gpa - RAM_BASE, len = s->pages * SNAP_PAGE, done;
	uint64_t host_page = sysconf(_SC_PAGESIZE);
	ssize_t n;

	if (!(off % host_page) && !(len % host_page) && !(s->data_offset % host_page)) {
		if (mmap((uint8_t *)vm->ram + off, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_FIXED | MAP_NORESERVE, fd, s->data_offset) == MAP_FAILED)
			return -errno;
		return 0;
	}
	for (done = 0; done < len; done += n) {
		n = pread(fd, (uint8_t *)vm->ram + off + done, len - done, s->data_offset + done);
		if (n < 0 && errno == EINTR)
			n = 0;
		else if (n <= 0)
			return n ? -errno : -EIO;
	}
	return 0;
}

/*
 * Anonymous RAM, each memory record's run mapped over it in file order, so a
 * later round's pages replace an earlier one's. Mapping is flat in RAM size:
 * pages are read when the guest first touches them.
 */
static int restore_map_memory(struct vm *vm, struct snap_reader *r)
{
	uint64_t ram_size = vm->cfg->ram_size;
	const struct snap_section *recs;
	unsigned int i, n;
	int ret;

	recs = snap_reader_records(r, &n);
	for (i = 0; i < n; i++) {
		const struct snap_section *s = &recs[i];

		if (s->type == SNAP_SEC_MEMORY &&
		    (s->gpa < RAM_BASE || s->gpa - RAM_BASE > ram_size ||
		     s->pages * SNAP_PAGE > ram_size - (s->gpa - RAM_BASE))) {
			vmm_err("snapshot refused: memory record %u (0x%llx, %llu pages) lies outside "
				"guest RAM", i, (unsigned long long)s->gpa, (unsigned long long)s->pages);
			return VMM_EXIT_SNAPSHOT;
		}
	}
	ret = vm_map_ram(vm, -1, 0);
	if (ret)
		return vm_fail("cannot map guest RAM", ret, VMM_EXIT_HOST);
	for (i = 0; i < n && !ret; i++)
		if (recs[i].type == SNAP_SEC_MEMORY)
			ret = map_run(vm, snap_reader_fd(r), &recs[i]);
	if (ret)
		return vm_fail("cannot map guest RAM from the snapshot", ret, VMM_EXIT_HOST);
	/* A page not in memory still holds the file's data: a save reads every one. */
	vm->ram_from_file = vm->vcpu_env.ram_from_file = true;
	vm_catch_sigbus(vm->ram, ram_size);
	return 0;
}

static unsigned int restore_ipa_bits(const struct vm_config *cfg, void *ctx)
{
	const struct restore_config *rc = ((struct restore_load *)ctx)->rc;

	(void)cfg;
	return rc->ipa_bits ? rc->ipa_bits : layout_ipa_bits(rc->ram_size);
}

static int restore_map_ram(struct vm *vm, void *ctx)
{
	return restore_map_memory(vm, ((struct restore_load *)ctx)->r);
}

static int restore_vcpu_inits(struct vm *vm, void *ctx, struct kvm_vcpu_init *inits)
{
	struct restore_load *l = ctx;
	struct kvm_vcpu_init preferred;
	char why[256] = "";
	unsigned int i;
	int ret;

	ret = kvm_preferred_target(vm->vm_fd, &preferred);
	if (ret)
		return vm_fail("cannot learn the host's preferred vCPU type", ret, VMM_EXIT_HOST);
	l->saved = calloc(l->rc->nr_cpus, sizeof(*l->saved));
	if (!l->saved)
		return vm_fail("cannot read the vCPUs", -ENOMEM, VMM_EXIT_INTERNAL);
	for (i = 0, ret = 0; i < l->rc->nr_cpus && !ret; i++) {
		ret = snap_read_vcpu(l->r, i, &l->saved[i], why, sizeof(why));
		/* The CPU type is this host's; the features are the guest's. */
		inits[i] = preferred;
		memcpy(inits[i].features, l->saved[i].features, sizeof(inits[i].features));
	}
	if (ret == -ENOMEM)
		return vm_fail("cannot read the vCPUs", ret, VMM_EXIT_INTERNAL);
	if (ret) {
		vmm_err("snapshot refused: %s", why);
		return VMM_EXIT_SNAPSHOT;
	}
	timeline_mark("vCPU sections read");
	return 0;
}

/* Every saved register: the plan writes the firmware's first (regpolicy.c). */
static int restore_registers(struct vm *vm, void *ctx)
{
	struct restore_load *l = ctx;
	unsigned int i;
	int ret = 0;

	for (i = 0; i < vm->nr_vcpus && !ret; i++)
		ret = apply_vcpu(vm, &vm->vcpus[i], &l->saved[i]);
	if (ret)
		return ret;
	timeline_mark("vCPU registers");
	vm->machine.psci_version = l->rc->psci_version;
	return 0;
}

static int restore_gic_and_devices(struct vm *vm, void *ctx)
{
	struct snap_reader *r = ((struct restore_load *)ctx)->r;
	int ret = apply_gic(vm, r);

	if (ret)
		return ret;
	timeline_mark("vGIC state");
	ret = machine_add_board_devices(&vm->machine);
	if (ret)
		return vm_fail("cannot create the devices", ret, VMM_EXIT_INTERNAL);
	/* The saved devices on their slots, with the paths --disk and --net gave instead. */
	vm->virtio = ((struct restore_load *)ctx)->rc->virtio;
	if (virtio_specs_override(&vm->virtio, vm->cfg))
		return VMM_EXIT_USAGE;
	if (virtio_specs_create(&vm->machine, &vm->virtio))
		return VMM_EXIT_SNAPSHOT;
	ret = apply_devices(vm, r);
	timeline_mark("devices");
	return ret;
}

static int restore_ready(struct vm *vm, void *ctx)
{
	struct restore_load *l = ctx;
	const struct restore_config *rc = l->rc;

	if (!l->check) {
		restore_check_memory_later(vm, l->r, l->path);
		return 0;
	}
	printf("vmm: the snapshot can be restored on this host: %u vCPUs, %lluM RAM, PSCI %u.%u\n",
	       rc->nr_cpus, (unsigned long long)(rc->ram_size >> 20),
	       PSCI_V_MAJOR(rc->psci_version), PSCI_V_MINOR(rc->psci_version));
	return VM_LOADER_NO_RUN;
}

/* A guest that stopped before the memory check ended: the check still decides. */
static int restore_ran(struct vm *vm, void *ctx, int status)
{
	(void)ctx;
	return vm_idle_finish(vm) ? status : VMM_EXIT_SNAPSHOT;
}

static void restore_finish(void *ctx)
{
	struct restore_load *l = ctx;

	if (l->saved)
		snap_saved_vcpus_free(l->saved, l->rc->nr_cpus);
	l->saved = NULL;
}

const struct vm_loader_ops restore_loader_ops = {
	.ipa_bits = restore_ipa_bits,
	.map_ram = restore_map_ram,
	.vcpu_inits = restore_vcpu_inits,
	.firmware = restore_registers,
	.load = restore_gic_and_devices,
	.ready = restore_ready,
	.ran = restore_ran,
	.finish = restore_finish,
};
