/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_FIRMWARE_PINS_H
#define VMM_FIRMWARE_PINS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FW_PINS_MAX 16
#define PSCI_VERSION_UNSET 0xffffffffu /* the host's default is kept */

/* A firmware pseudo-register value the user asked for, written before any vCPU runs. */
struct fw_pin {
	uint64_t reg_id;
	uint64_t value;
};

struct fw_pins {
	uint32_t psci_version; /* PSCI_VERSION_UNSET or PSCI_V(major, minor) */
	bool system_suspend;   /* offer PSCI SYSTEM_SUSPEND (KVM_CAP_ARM_SYSTEM_SUSPEND) */
	unsigned int nr;
	struct fw_pin pin[FW_PINS_MAX]; /* every pin but PSCI, in the order given */
};

/* Adds or replaces the pin of a register; -ENOSPC past FW_PINS_MAX. */
int fw_pins_set(struct fw_pins *pins, uint64_t reg_id, uint64_t value);
const struct fw_pin *fw_pins_find(const struct fw_pins *pins, uint64_t reg_id);

/*
 * The [firmware] settings: psci, system_suspend, std, std_hyp, vendor_hyp,
 * vendor_hyp_2, reg.<ID> (any firmware register by ID or name), and the
 * command line's composite forms "hypercalls" (std=trng,vendor_hyp=func_feat+ptp)
 * and "reg" (ID=VALUE). Returns -ENOENT for a key that is none of these.
 */
int fw_pins_config_set(struct fw_pins *pins, const char *key, const char *value, char *why,
		       size_t why_len);

#endif
