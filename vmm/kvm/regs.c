// SPDX-License-Identifier: GPL-2.0
#include "kvm/regs.h"

#include <errno.h>
#include <stdlib.h>

#include "kvm/kvm.h"

int vcpu_regs_read(int vcpu_fd, const struct reg_values *reset, struct reg_values *out)
{
	uint8_t value[REG_MAX_BYTES] __attribute__((aligned(16)));
	struct kvm_reg_list *list;
	unsigned int i;
	int ret;

	out->nr = 0;
	out->regs = NULL;
	ret = kvm_get_reg_list(vcpu_fd, &list);
	if (ret)
		return ret;
	for (i = 0; i < list->n && !ret; i++) {
		const struct reg_value *r = reset ? reg_values_find(reset, list->reg[i]) : NULL;

		if (reg_size_bytes(list->reg[i]) > REG_MAX_BYTES) {
			ret = -E2BIG;
			break;
		}
		ret = kvm_get_reg(vcpu_fd, list->reg[i], value);
		if (!ret)
			ret = reg_values_add(out, list->reg[i], value, r ? r->value : NULL);
	}
	free(list);
	if (ret)
		reg_values_free(out);
	return ret;
}
