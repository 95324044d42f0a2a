// SPDX-License-Identifier: GPL-2.0
/* Applying firmware pins to KVM, and reading back what the host offers. */
#include "kvm/fw_pins.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/exit.h"
#include "base/util.h"
#include "firmware/fwregs.h"
#include "firmware/pins.h"
#include "firmware/psci.h"
#include "kvm/kvm.h"

int fw_pins_read(int vcpu_fd, struct fwreg_value **out, unsigned int *nr)
{
	struct kvm_reg_list *list;
	struct fwreg_value *regs;
	unsigned int i, n = 0;
	int ret = kvm_get_reg_list(vcpu_fd, &list);

	if (ret)
		return ret;
	regs = calloc(list->n ? list->n : 1, sizeof(*regs));
	if (!regs) {
		free(list);
		return -ENOMEM;
	}
	for (i = 0; i < list->n && !ret; i++) {
		if (!fwreg_is_firmware(list->reg[i]) || reg_size_bytes(list->reg[i]) != 8)
			continue;
		regs[n].id = list->reg[i];
		ret = kvm_get_reg_u64(vcpu_fd, regs[n].id, &regs[n].value);
		n++;
	}
	free(list);
	if (ret) {
		free(regs);
		return ret;
	}
	*out = regs;
	*nr = n;
	return 0;
}

/* Tries each PSCI version from 0.2 up; 0.1 is always there, chosen at vCPU init. */
int fw_psci_probe(int vcpu_fd, uint32_t *accepted, unsigned int max, unsigned int *nr)
{
	uint64_t saved;
	uint32_t version;
	unsigned int i;
	int ret = kvm_get_reg_u64(vcpu_fd, REG_PSCI_VERSION, &saved);

	if (ret)
		return ret;
	*nr = 0;
	for (i = 0; psci_version_name(i, &version) && *nr < max; i++) {
		if (version == PSCI_V_0_1 || !kvm_set_reg_u64(vcpu_fd, REG_PSCI_VERSION, version))
			accepted[(*nr)++] = version;
	}
	return kvm_set_reg_u64(vcpu_fd, REG_PSCI_VERSION, saved);
}

static const struct fwreg_value *find_value(const struct fwreg_value *regs, unsigned int nr,
					     uint64_t id)
{
	unsigned int i;

	for (i = 0; i < nr; i++)
		if (regs[i].id == id)
			return &regs[i];
	return NULL;
}

static void list_names(const struct fwreg_value *regs, unsigned int nr, char *buf, size_t len)
{
	unsigned int i;
	size_t used = 0;
	char name[40];

	buf[0] = '\0';
	for (i = 0; i < nr && used < len; i++) {
		fwreg_format_name(regs[i].id, name, sizeof(name));
		used += snprintf(buf + used, len - used, "%s%s", i ? ", " : "", name);
	}
}

static void psci_refused(int vcpu_fd, uint32_t wanted)
{
	uint32_t accepted[8];
	unsigned int nr = 0, i;
	char offers[64] = "", *p = offers;

	if (!fw_psci_probe(vcpu_fd, accepted, 8, &nr))
		for (i = 0; i < nr; i++)
			p += snprintf(p, offers + sizeof(offers) - p, "%s%u.%u", i ? ", " : "",
				      PSCI_V_MAJOR(accepted[i]), PSCI_V_MINOR(accepted[i]));
	vmm_err("firmware pin refused: PSCI_VERSION = %u.%u; this host's KVM offers PSCI %s; "
		"pin one of those or run on a newer host",
		PSCI_V_MAJOR(wanted), PSCI_V_MINOR(wanted), offers[0] ? offers : "(unknown)");
}

static int pin_write(int fd, const struct fwreg_value *host, unsigned int nr, uint64_t id,
		     uint64_t value)
{
	const struct fwreg_value *def = find_value(host, nr, id);
	char name[40], want[80], offer[80], got_s[80], names[400];
	uint64_t got;
	int ret;

	fwreg_format_name(id, name, sizeof(name));
	fwreg_format_value(id, value, want, sizeof(want));
	if (!def) {
		list_names(host, nr, names, sizeof(names));
		vmm_err("firmware pin refused: this host has no register %s (wanted %s); it has %s",
			name, want, names);
		return VMM_EXIT_FIRMWARE;
	}
	ret = kvm_set_reg_u64(fd, id, value);
	/* Fixed once a vCPU ran (fw-pseudo-registers.rst); what the host offers is irrelevant. */
	if (ret == -EBUSY) {
		vmm_err("firmware pin refused: %s = %s: the VM has already run (EBUSY); firmware "
			"registers can be pinned only before the first KVM_RUN, so pin it at start",
			name, want);
		return VMM_EXIT_FIRMWARE;
	}
	if (ret && id == REG_PSCI_VERSION) {
		psci_refused(fd, value);
		return VMM_EXIT_FIRMWARE;
	}
	fwreg_format_value(id, def->value, offer, sizeof(offer));
	if (ret) {
		vmm_err("firmware pin refused: %s = %s (%s); this host offers %s", name, want,
			strerror(-ret), offer);
		return VMM_EXIT_FIRMWARE;
	}
	ret = kvm_get_reg_u64(fd, id, &got);
	if (ret || got != value) {
		fwreg_format_value(id, got, got_s, sizeof(got_s));
		vmm_err("firmware pin not kept: %s = %s reads back as %s; this host offers %s", name,
			want, ret ? strerror(-ret) : got_s, offer);
		return VMM_EXIT_FIRMWARE;
	}
	return 0;
}

static void note_line(void *ctx, const struct fwreg_value *reg, const struct fwreg_text *t,
		      bool last)
{
	const struct fw_pins *pins = ctx;

	(void)last;
	vmm_note(true, "firmware: %s = %s%s", t->name, t->value,
		 reg->id == REG_PSCI_VERSION && pins->psci_version == PSCI_VERSION_UNSET
			 ? " (the host's default)"
			 : "");
}

static void note_in_force(int vcpu_fd, const struct fw_pins *pins, bool verbose)
{
	struct fwreg_value *regs;
	unsigned int nr;

	if (!verbose || fw_pins_read(vcpu_fd, &regs, &nr))
		return;
	fwreg_each(regs, nr, note_line, (void *)pins);
	free(regs);
}

int fw_pins_apply(int vcpu_fd, const struct fw_pins *pins, bool verbose)
{
	struct fwreg_value *host;
	unsigned int nr, i;
	int status = 0, ret;

	ret = fw_pins_read(vcpu_fd, &host, &nr);
	if (ret) {
		vmm_err("cannot read the firmware registers: %s", strerror(-ret));
		return VMM_EXIT_HOST;
	}
	/* PSCI 0.1 is chosen by leaving KVM_ARM_VCPU_PSCI_0_2 out at vCPU init, not by a write. */
	if (pins->psci_version != PSCI_VERSION_UNSET && pins->psci_version != PSCI_V_0_1)
		status = pin_write(vcpu_fd, host, nr, REG_PSCI_VERSION, pins->psci_version);
	for (i = 0; i < pins->nr && !status; i++)
		status = pin_write(vcpu_fd, host, nr, pins->pin[i].reg_id, pins->pin[i].value);
	free(host);
	if (!status)
		note_in_force(vcpu_fd, pins, verbose);
	return status;
}
