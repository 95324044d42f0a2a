// SPDX-License-Identifier: GPL-2.0
/* The firmware pins as the user states them; applying them to KVM is pins_kvm.c's job. */
#include "firmware/pins.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "firmware/fwregs.h"
#include "firmware/psci.h"

int fw_pins_set(struct fw_pins *pins, uint64_t reg_id, uint64_t value)
{
	unsigned int i;

	for (i = 0; i < pins->nr; i++) {
		if (pins->pin[i].reg_id == reg_id) {
			pins->pin[i].value = value;
			return 0;
		}
	}
	if (pins->nr == FW_PINS_MAX)
		return -ENOSPC;
	pins->pin[pins->nr++] = (struct fw_pin){ reg_id, value };
	return 0;
}

const struct fw_pin *fw_pins_find(const struct fw_pins *pins, uint64_t reg_id)
{
	unsigned int i;

	for (i = 0; i < pins->nr; i++)
		if (pins->pin[i].reg_id == reg_id)
			return &pins->pin[i];
	return NULL;
}

static int set_psci(struct fw_pins *pins, const char *value, char *why, size_t len)
{
	if (!strcmp(value, "host")) {
		pins->psci_version = PSCI_VERSION_UNSET;
		return 0;
	}
	if (psci_version_parse(value, &pins->psci_version)) {
		snprintf(why, len, "need one of 0.1, 0.2, 1.0, 1.1, 1.2, 1.3 or host");
		return -EINVAL;
	}
	return 0;
}

static int set_pin(struct fw_pins *pins, uint64_t id, uint64_t value, char *why, size_t len)
{
	if (fw_pins_set(pins, id, value)) {
		snprintf(why, len, "at most %d firmware registers can be pinned", FW_PINS_MAX);
		return -ENOSPC;
	}
	return 0;
}

/* reg.<ID> = VALUE: any firmware register, by raw ID or UAPI name, so new ones need no code. */
static int set_raw_reg(struct fw_pins *pins, const char *id_str, const char *value, char *why,
		       size_t len)
{
	uint64_t id, v;

	if (fwreg_parse_id(id_str, &id) || reg_size_bytes(id) != 8) {
		snprintf(why, len, "'%s' is not a 64-bit firmware register (coproc 0x14 or 0x16) ID",
			 id_str);
		return -EINVAL;
	}
	if (id == REG_PSCI_VERSION) {
		snprintf(why, len, "pin PSCI with psci = VERSION, which also sets up the vCPUs");
		return -EINVAL;
	}
	if (parse_u64(value, width_max(reg_size_bytes(id)), &v)) {
		snprintf(why, len, "need an unsigned number for register %s that fits in %u bits "
			 "(decimal, or hex with 0x)", id_str, 8 * reg_size_bytes(id));
		return -EINVAL;
	}
	return set_pin(pins, id, v, why, len);
}

static int set_bitmap(struct fw_pins *pins, const struct fwreg_desc *desc, const char *value,
		      char *why, size_t len)
{
	uint64_t bits;
	int ret = fwreg_parse_services(desc, value, &bits, why, len);

	return ret ? ret : set_pin(pins, desc->id, bits, why, len);
}

/* "std=trng,vendor_hyp=func_feat+ptp": registers split by ',', services joined by '+'. */
static int set_hypercalls(struct fw_pins *pins, const char *value, char *why, size_t len)
{
	char *copy = strdup(value), *save = NULL, *tok;
	int ret = 0;

	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, ",", &save); tok && !ret; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');
		const struct fwreg_desc *desc;

		if (eq)
			*eq = '\0';
		desc = eq ? fwreg_find_key(tok) : NULL;
		if (!desc || desc->kind != FWREG_BITMAP) {
			snprintf(why, len, "need KEY=SERVICES with KEY one of std, std_hyp, "
					   "vendor_hyp, vendor_hyp_2 (e.g. std=trng,vendor_hyp=func_feat+ptp)");
			ret = -EINVAL;
			break;
		}
		ret = set_bitmap(pins, desc, eq + 1, why, len);
	}
	free(copy);
	return ret;
}

int fw_pins_config_set(struct fw_pins *pins, const char *key, const char *value, char *why,
		       size_t why_len)
{
	const struct fwreg_desc *desc;
	const char *eq;
	char id[64];

	if (!strcmp(key, "psci"))
		return set_psci(pins, value, why, why_len);
	if (!strcmp(key, "system_suspend")) {
		if (!parse_bool(value, &pins->system_suspend))
			return 0;
		snprintf(why, why_len, "need yes or no");
		return -EINVAL;
	}
	if (!strcmp(key, "hypercalls"))
		return set_hypercalls(pins, value, why, why_len);
	if (!strncmp(key, "reg.", 4))
		return set_raw_reg(pins, key + 4, value, why, why_len);
	if (!strcmp(key, "reg")) {
		eq = strchr(value, '=');
		if (!eq || (size_t)(eq - value) >= sizeof(id)) {
			snprintf(why, why_len, "need ID=VALUE, e.g. 0x6030000000160003=0");
			return -EINVAL;
		}
		snprintf(id, sizeof(id), "%.*s", (int)(eq - value), value);
		return set_raw_reg(pins, id, eq + 1, why, why_len);
	}
	desc = fwreg_find_key(key);
	if (desc && desc->kind == FWREG_BITMAP)
		return set_bitmap(pins, desc, value, why, why_len);
	snprintf(why, why_len, "unknown key '%s' in [firmware]", key);
	return -ENOENT;
}
