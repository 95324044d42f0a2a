/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_FIRMWARE_PINS_KVM_H
#define VMM_FIRMWARE_PINS_KVM_H

#include <stdbool.h>
#include <stdint.h>

#include "firmware/fwregs.h"

struct fw_pins;

/*
 * Writes every pin through one vCPU (vCPU 0: the registers are VM-wide) after
 * all vCPUs are initialised and before any runs, then reads each back; with
 * verbose, notes what is in force. Returns 0, or the exit status after
 * printing the one line that says which pin failed.
 */
int fw_pins_apply(int vcpu_fd, const struct fw_pins *pins, bool verbose);

/* Every firmware register the vCPU lists, with its value; -errno on failure. */
int fw_pins_read(int vcpu_fd, struct fwreg_value **regs, unsigned int *nr);

/* Which PSCI versions KVM accepts on this vCPU's VM (a bit per entry of psci_versions). */
int fw_psci_probe(int vcpu_fd, uint32_t *accepted, unsigned int max, unsigned int *nr);

#endif
