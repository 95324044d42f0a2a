// SPDX-License-Identifier: GPL-2.0
/* Reading the machine and the vCPUs out of a snapshot: shared by restore and inspect. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../layout.h"
#include "../util.h"
#include "format.h"
#include "restore.h"

int restore_read_config(struct snap_reader *r, struct restore_config *rc)
{
	const struct snap_section *found = snap_reader_find(r, SNAP_SEC_CONFIG, 0);
	struct snap_section s;
	uint64_t ram_base;
	uint32_t suspend;
	int ret;

	if (!found)
		return -ENOENT;
	s = *found;
	ret = snap_get_u32(&s, &rc->nr_cpus);
	ret = ret ?: snap_get_u64(&s, &rc->ram_size);
	ret = ret ?: snap_get_u64(&s, &ram_base);
	ret = ret ?: snap_get_u32(&s, &rc->gic_version);
	ret = ret ?: snap_get_u32(&s, &rc->nr_irqs);
	ret = ret ?: snap_get_u32(&s, &rc->ipa_bits);
	ret = ret ?: snap_get_u32(&s, &rc->psci_version);
	ret = ret ?: snap_get_u32(&s, &suspend);
	ret = ret ?: snap_get_str(&s, rc->cmdline, sizeof(rc->cmdline));
	if (ret)
		return ret;
	rc->system_suspend = suspend;
	if (ram_base != RAM_BASE || !rc->nr_cpus || rc->nr_cpus > LAYOUT_MAX_CPUS ||
	    rc->gic_version != 3 || rc->nr_irqs != GIC_NR_IRQS || rc->ram_size % SZ_2M)
		return -EINVAL;
	return 0;
}

static int read_regs(struct snap_section *s, struct reg_values *regs)
{
	uint8_t value[REG_MAX_BYTES], reset[REG_MAX_BYTES];
	uint32_t nr, has_reset, i;
	uint64_t id;
	int ret = snap_get_u32(s, &nr);

	for (i = 0; i < nr && !ret; i++) {
		ret = snap_get_u64(s, &id);
		if (!ret && reg_size_bytes(id) > REG_MAX_BYTES)
			ret = -EINVAL;
		ret = ret ?: snap_get_bytes(s, value, reg_size_bytes(id));
		ret = ret ?: snap_get_u32(s, &has_reset);
		if (!ret && has_reset)
			ret = snap_get_bytes(s, reset, reg_size_bytes(id));
		ret = ret ?: reg_values_add(regs, id, value, has_reset ? reset : NULL);
	}
	return ret;
}

int snap_read_vcpu(struct snap_reader *r, unsigned int i, struct saved_vcpu *v)
{
	const struct snap_section *found = snap_reader_find(r, SNAP_SEC_VCPU, i);
	struct snap_section s;
	uint32_t events_len;
	unsigned int f;
	int ret;

	memset(v, 0, sizeof(*v));
	if (!found)
		return -ENOENT;
	s = *found;
	ret = snap_get_u32(&s, &v->target);
	for (f = 0; f < 7 && !ret; f++)
		ret = snap_get_u32(&s, &v->features[f]);
	ret = ret ?: snap_get_u32(&s, &v->mp_state);
	ret = ret ?: snap_get_u32(&s, &events_len);
	if (!ret && events_len != sizeof(v->events))
		ret = -EINVAL;
	ret = ret ?: snap_get_bytes(&s, &v->events, sizeof(v->events));
	ret = ret ?: read_regs(&s, &v->regs);
	return ret;
}

void snap_saved_vcpus_free(struct saved_vcpu *v, unsigned int nr)
{
	unsigned int i;

	for (i = 0; v && i < nr; i++)
		reg_values_free(&v[i].regs);
	free(v);
}
