/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_MIGRATE_REGPOLICY_H
#define VMM_MIGRATE_REGPOLICY_H

/*
 * What restore does with each register when the host's KVM_GET_REG_LIST
 * differs from the snapshot's: a host older or newer than the one that saved.
 */
#include <stdbool.h>
#include <stdint.h>

#include "cpu/regs.h"

enum reg_action {
	REG_RESTORE, /* both have it: write the saved value */
	REG_SKIP,    /* only the snapshot has it, and its value is zero or its reset value */
	REG_REFUSE,  /* only the snapshot has it, with a value the guest may depend on */
	REG_ZERO,    /* only the host has it, a hypercall bitmap: offer no service the old host lacked */
	REG_KEEP,    /* only the host has it: it keeps its reset value */
};

struct reg_decision {
	uint64_t id;
	enum reg_action action;
	const struct reg_value *saved; /* NULL for REG_ZERO and REG_KEEP */
};

struct reg_plan {
	unsigned int nr;
	struct reg_decision *d; /* firmware registers first: they are written before the rest */
	unsigned int nr_refused;
};

int reg_policy_plan(const struct reg_values *saved, const uint64_t *host, unsigned int nr_host,
		    struct reg_plan *plan);
void reg_plan_free(struct reg_plan *plan);
const char *reg_action_name(enum reg_action action);

/* An ID register: op0 3, op1 0, CRn 0, CRm 1-7 (the feature ID space). */
bool reg_is_id_register(uint64_t id);
/*
 * True when the host's value of an ID register offers every feature the saved
 * value did (each 4-bit field at least as high, reading the fields the
 * architecture defines as signed, where 0xf means "not implemented", as such).
 * A host that only adds features can run the guest; one that removes any cannot.
 */
bool idreg_host_covers(uint64_t id, uint64_t host, uint64_t saved);

#endif
