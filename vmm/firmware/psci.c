// SPDX-License-Identifier: GPL-2.0
#include "firmware/psci.h"

#include <errno.h>
#include <libfdt.h>
#include <string.h>

#include "base/util.h"

/* Every PSCI version some KVM release has implemented, oldest first. */
static const struct {
	const char *name;
	uint32_t version;
} psci_versions[] = {
	{ "0.1", PSCI_V(0, 1) }, { "0.2", PSCI_V(0, 2) }, { "1.0", PSCI_V(1, 0) },
	{ "1.1", PSCI_V(1, 1) }, { "1.2", PSCI_V(1, 2) }, { "1.3", PSCI_V(1, 3) },
};

int psci_version_parse(const char *s, uint32_t *version)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(psci_versions); i++) {
		if (!strcmp(s, psci_versions[i].name)) {
			*version = psci_versions[i].version;
			return 0;
		}
	}
	return -EINVAL;
}

const char *psci_version_name(unsigned int index, uint32_t *version)
{
	if (index >= ARRAY_SIZE(psci_versions))
		return NULL;
	*version = psci_versions[index].version;
	return psci_versions[index].name;
}

/*
 * PSCI 0.1 never fixed its function numbers, so the device tree carries the
 * ones KVM's 0.1 implementation answers to (KVM_PSCI_FN_BASE and up).
 */
#define KVM_PSCI_0_1_FN_BASE 0x95c1ba5eu

static const struct {
	const char *property;
	uint32_t id;
} psci_0_1_functions[] = {
	{ "cpu_suspend", KVM_PSCI_0_1_FN_BASE + 0 },
	{ "cpu_off", KVM_PSCI_0_1_FN_BASE + 1 },
	{ "cpu_on", KVM_PSCI_0_1_FN_BASE + 2 },
	{ "migrate", KVM_PSCI_0_1_FN_BASE + 3 },
};

int psci_fdt_node(void *fdt, uint32_t version)
{
	static const char compat_1_0[] = "arm,psci-1.0\0arm,psci-0.2";
	static const char compat_0_2[] = "arm,psci-0.2";
	static const char compat_0_1[] = "arm,psci";
	size_t i;
	int ret = 0;

	ret |= fdt_begin_node(fdt, "psci");
	if (version == PSCI_V_0_1) {
		ret |= fdt_property(fdt, "compatible", compat_0_1, sizeof(compat_0_1));
		for (i = 0; i < ARRAY_SIZE(psci_0_1_functions); i++)
			ret |= fdt_property_u32(fdt, psci_0_1_functions[i].property,
						psci_0_1_functions[i].id);
	} else if (version == PSCI_V(0, 2)) {
		ret |= fdt_property(fdt, "compatible", compat_0_2, sizeof(compat_0_2));
	} else {
		ret |= fdt_property(fdt, "compatible", compat_1_0, sizeof(compat_1_0));
	}
	/* KVM answers SMCCC calls made with HVC; SMC would trap to EL3 firmware we don't have. */
	ret |= fdt_property_string(fdt, "method", "hvc");
	ret |= fdt_end_node(fdt);
	return ret ? -ENOSPC : 0;
}
