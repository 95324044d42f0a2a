// SPDX-License-Identifier: GPL-2.0
/* Register lists as vmm carries them: by KVM ID, whatever the ID names. */
#include "cpu/regs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void reg_values_free(struct reg_values *rv)
{
	unsigned int i;

	for (i = 0; i < rv->nr; i++) {
		free(rv->regs[i].value);
		free(rv->regs[i].reset);
	}
	free(rv->regs);
	rv->regs = NULL;
	rv->nr = 0;
}

const struct reg_value *reg_values_find(const struct reg_values *rv, uint64_t id)
{
	unsigned int i;

	for (i = 0; i < rv->nr; i++)
		if (rv->regs[i].id == id)
			return &rv->regs[i];
	return NULL;
}

static void *dup_bytes(const void *src, size_t len)
{
	void *p = malloc(len);

	if (p)
		memcpy(p, src, len);
	return p;
}

int reg_values_add(struct reg_values *rv, uint64_t id, const void *value, const void *reset)
{
	unsigned int size = reg_size_bytes(id);
	struct reg_value *grown, *r;

	if (size > REG_MAX_BYTES)
		return -EINVAL;
	/* Grow by doubling: the count is a power of two whenever the array is full. */
	if (!(rv->nr & (rv->nr - 1))) {
		grown = realloc(rv->regs, (rv->nr ? rv->nr * 2 : 1) * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		rv->regs = grown;
	}
	r = &rv->regs[rv->nr];
	r->id = id;
	r->value = dup_bytes(value, size);
	r->reset = reset ? dup_bytes(reset, size) : NULL;
	if (!r->value || (reset && !r->reset)) {
		free(r->value);
		free(r->reset);
		return -ENOMEM;
	}
	rv->nr++;
	return 0;
}
