/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_FIRMWARE_PSCI_H
#define VMM_FIRMWARE_PSCI_H

#include <stdint.h>

#define PSCI_V(major, minor) (((uint32_t)(major) << 16) | (minor))
#define PSCI_V_0_1 PSCI_V(0, 1)
#define PSCI_V_MAJOR(v) ((v) >> 16)
#define PSCI_V_MINOR(v) ((v)&0xffff)

/* "0.1" .. "1.3" into PSCI_V(); -EINVAL for anything KVM has never implemented. */
int psci_version_parse(const char *s, uint32_t *version);

/* The versions as "0.1".."1.3", oldest first; returns NULL past the end. */
const char *psci_version_name(unsigned int index, uint32_t *version);

/* The /psci node for the version in force: 0.1 needs its function IDs spelled out. */
int psci_fdt_node(void *fdt, uint32_t version);

#endif
