/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_FIRMWARE_PINS_H
#define VMM_FIRMWARE_PINS_H

#include <stdbool.h>
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
	unsigned int nr;
	struct fw_pin pin[FW_PINS_MAX];
};

#endif
