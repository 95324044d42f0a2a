// SPDX-License-Identifier: GPL-2.0
#include "firmware/fwregs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "firmware/psci.h"

/* Bit numbers from the kernel's arch/arm64/include/uapi/asm/kvm.h. */
static const struct fw_service std_services[] = {
	{ "trng", 0 }, /* Arm TRNG firmware interface 1.0 */
};

static const struct fw_service std_hyp_services[] = {
	{ "pv_time", 0 }, /* paravirtualised stolen time */
};

static const struct fw_service vendor_hyp_services[] = {
	{ "func_feat", 0 }, /* the KVM features query itself */
	{ "ptp", 1 },	    /* KVM PTP: host clock for the guest's ptp_kvm */
};

/* Linux 6.16's discovery of the CPU implementations a guest may migrate between. */
static const struct fw_service vendor_hyp_2_services[] = {
	{ "discover_impl_ver", 0 },
	{ "discover_impl_cpus", 1 },
};

#define SERVICES(s) s, ARRAY_SIZE(s)

static const struct fwreg_desc fwregs[] = {
	{ REG_PSCI_VERSION, "PSCI_VERSION", "psci", FWREG_PSCI_VERSION, NULL, 0 },
	{ REG_FW(1), "SMCCC_ARCH_WORKAROUND_1", NULL, FWREG_WORKAROUND, NULL, 0 },
	{ REG_FW(2), "SMCCC_ARCH_WORKAROUND_2", NULL, FWREG_WORKAROUND, NULL, 0 },
	{ REG_FW(3), "SMCCC_ARCH_WORKAROUND_3", NULL, FWREG_WORKAROUND, NULL, 0 },
	{ FWREG_STD_BMAP, "STD_BMAP", "std", FWREG_BITMAP, SERVICES(std_services) },
	{ FWREG_STD_HYP_BMAP, "STD_HYP_BMAP", "std_hyp", FWREG_BITMAP, SERVICES(std_hyp_services) },
	{ FWREG_VENDOR_HYP_BMAP, "VENDOR_HYP_BMAP", "vendor_hyp", FWREG_BITMAP,
	  SERVICES(vendor_hyp_services) },
	{ FWREG_VENDOR_HYP_BMAP_2, "VENDOR_HYP_BMAP_2", "vendor_hyp_2", FWREG_BITMAP,
	  SERVICES(vendor_hyp_2_services) },
};

const struct fwreg_desc *fwreg_find(uint64_t id)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(fwregs); i++)
		if (fwregs[i].id == id)
			return &fwregs[i];
	return NULL;
}

const struct fwreg_desc *fwreg_find_key(const char *key)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(fwregs); i++)
		if (fwregs[i].key && !strcmp(fwregs[i].key, key))
			return &fwregs[i];
	return NULL;
}

const struct fwreg_desc *fwreg_at(size_t index)
{
	return index < ARRAY_SIZE(fwregs) ? &fwregs[index] : NULL;
}

static const struct fw_service *service_find(const struct fwreg_desc *desc, const char *name,
					     size_t len)
{
	unsigned int i;

	for (i = 0; i < desc->nr_services; i++)
		if (strlen(desc->services[i].name) == len && !strncmp(desc->services[i].name, name, len))
			return &desc->services[i];
	return NULL;
}

static void services_known(const struct fwreg_desc *desc, char *buf, size_t len)
{
	unsigned int i;
	size_t used = 0;

	buf[0] = '\0';
	for (i = 0; i < desc->nr_services && used < len; i++)
		used += snprintf(buf + used, len - used, "%s%s", i ? ", " : "", desc->services[i].name);
}

int fwreg_parse_services(const struct fwreg_desc *desc, const char *list, uint64_t *value,
			 char *why, size_t why_len)
{
	const char *p = list;
	uint64_t bits = 0;
	char known[96];

	if (!strcmp(list, "none") || !*list) {
		*value = 0;
		return 0;
	}
	if (list[0] >= '0' && list[0] <= '9') {
		if (parse_u64(list, width_max(reg_size_bytes(desc->id)), &bits))
			goto bad;
		*value = bits;
		return 0;
	}
	while (*p) {
		size_t len = strcspn(p, ",+ ");
		const struct fw_service *svc = service_find(desc, p, len);

		if (!svc)
			goto bad;
		bits |= 1ULL << svc->bit;
		p += len;
		p += strspn(p, ",+ ");
	}
	*value = bits;
	return 0;
bad:
	services_known(desc, known, sizeof(known));
	snprintf(why, why_len, "need service names (%s), none, or a number (decimal, or hex with 0x)",
		 known);
	return -EINVAL;
}

static void format_bitmap(const struct fwreg_desc *desc, uint64_t value, char *buf, size_t len)
{
	uint64_t rest = value;
	size_t used;
	unsigned int i;
	bool first = true;

	used = snprintf(buf, len, "0x%llx (", (unsigned long long)value);
	for (i = 0; desc && i < desc->nr_services && used < len; i++) {
		uint64_t bit = 1ULL << desc->services[i].bit;

		if (!(value & bit))
			continue;
		used += snprintf(buf + used, len - used, "%s%s", first ? "" : ",",
				 desc->services[i].name);
		rest &= ~bit;
		first = false;
	}
	if (rest && used < len)
		used += snprintf(buf + used, len - used, "%sunknown 0x%llx", first ? "" : ",",
				 (unsigned long long)rest);
	else if (first && used < len)
		used += snprintf(buf + used, len - used, "none");
	if (used < len)
		snprintf(buf + used, len - used, ")");
}

void fwreg_format_value(uint64_t id, uint64_t value, char *buf, size_t len)
{
	static const char *const workaround_levels[] = { "not available", "not needed",
							 "mitigated" };
	const struct fwreg_desc *desc = fwreg_find(id);

	if (desc && desc->kind == FWREG_PSCI_VERSION)
		snprintf(buf, len, "%u.%u", PSCI_V_MAJOR((uint32_t)value),
			 PSCI_V_MINOR((uint32_t)value));
	else if (desc && desc->kind == FWREG_WORKAROUND && value < ARRAY_SIZE(workaround_levels))
		snprintf(buf, len, "%llu (%s)", (unsigned long long)value, workaround_levels[value]);
	else if (reg_coproc(id) == REG_COPROC_FW_FEAT_BMAP)
		format_bitmap(desc, value, buf, len);
	else
		snprintf(buf, len, "0x%llx", (unsigned long long)value);
}

void fwreg_format_name(uint64_t id, char *buf, size_t len)
{
	const struct fwreg_desc *desc = fwreg_find(id);

	if (desc)
		snprintf(buf, len, "%s", desc->name);
	else
		snprintf(buf, len, "0x%016llx", (unsigned long long)id);
}

int fwreg_parse_id(const char *s, uint64_t *id)
{
	size_t i;
	char *end;

	for (i = 0; i < ARRAY_SIZE(fwregs); i++) {
		if (!strcasecmp(s, fwregs[i].name)) {
			*id = fwregs[i].id;
			return 0;
		}
	}
	/* Hex digits only: strtoull alone would take a sign or leading blanks. */
	if (!strncasecmp(s, "0x", 2))
		s += 2;
	if (!*s || s[strspn(s, "0123456789abcdefABCDEF")])
		return -EINVAL;
	errno = 0;
	*id = strtoull(s, &end, 16);
	if (errno || !fwreg_is_firmware(*id))
		return -EINVAL;
	return 0;
}

void fwreg_describe(uint64_t id, uint64_t value, struct fwreg_text *t)
{
	fwreg_format_name(id, t->name, sizeof(t->name));
	fwreg_format_value(id, value, t->value, sizeof(t->value));
}

void fwreg_each(const struct fwreg_value *regs, unsigned int nr, fwreg_line_fn line, void *ctx)
{
	struct fwreg_text t;
	unsigned int i;

	for (i = 0; i < nr; i++) {
		fwreg_describe(regs[i].id, regs[i].value, &t);
		line(ctx, &regs[i], &t, i + 1 == nr);
	}
}

unsigned int fwreg_values_of(const struct reg_values *regs, struct fwreg_value *out,
			     unsigned int max)
{
	unsigned int i, n = 0;

	for (i = 0; i < regs->nr && n < max; i++) {
		if (!fwreg_is_firmware(regs->regs[i].id) || reg_size_bytes(regs->regs[i].id) != 8)
			continue;
		out[n].id = regs->regs[i].id;
		memcpy(&out[n].value, regs->regs[i].value, 8);
		n++;
	}
	return n;
}
