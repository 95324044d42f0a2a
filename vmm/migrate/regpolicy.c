// SPDX-License-Identifier: GPL-2.0
#include "migrate/regpolicy.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include "firmware/fwregs.h"

static bool host_has(const uint64_t *host, unsigned int nr_host, uint64_t id)
{
	unsigned int i;

	for (i = 0; i < nr_host; i++)
		if (host[i] == id)
			return true;
	return false;
}

static enum reg_action saved_action(const struct reg_value *r, const uint64_t *host,
				    unsigned int nr_host)
{
	unsigned int size = reg_size_bytes(r->id), i;
	bool is_reset = r->reset != NULL;

	if (host_has(host, nr_host, r->id))
		return REG_RESTORE;
	for (i = 0; is_reset && i < size; i++)
		is_reset = r->value[i] == r->reset[i];
	return reg_is_zero(r->id, r->value) || is_reset ? REG_SKIP : REG_REFUSE;
}

static void plan_add(struct reg_plan *plan, uint64_t id, enum reg_action action,
		     const struct reg_value *saved)
{
	plan->d[plan->nr++] = (struct reg_decision){ id, action, saved };
	if (action == REG_REFUSE)
		plan->nr_refused++;
}

/* Two passes over the same lists: firmware registers, then all the others. */
static void plan_pass(struct reg_plan *plan, const struct reg_values *saved, const uint64_t *host,
		      unsigned int nr_host, bool firmware)
{
	unsigned int i;

	for (i = 0; i < saved->nr; i++) {
		const struct reg_value *r = &saved->regs[i];

		if (fwreg_is_firmware(r->id) == firmware)
			plan_add(plan, r->id, saved_action(r, host, nr_host), r);
	}
	for (i = 0; i < nr_host; i++) {
		if (fwreg_is_firmware(host[i]) != firmware || reg_values_find(saved, host[i]))
			continue;
		plan_add(plan, host[i],
			 reg_coproc(host[i]) == REG_COPROC_FW_FEAT_BMAP ? REG_ZERO : REG_KEEP, NULL);
	}
}

int reg_policy_plan(const struct reg_values *saved, const uint64_t *host, unsigned int nr_host,
		    struct reg_plan *plan)
{
	plan->nr = plan->nr_refused = 0;
	plan->d = calloc(saved->nr + nr_host + 1, sizeof(*plan->d));
	if (!plan->d)
		return -ENOMEM;
	plan_pass(plan, saved, host, nr_host, true);
	plan_pass(plan, saved, host, nr_host, false);
	return 0;
}

void reg_plan_free(struct reg_plan *plan)
{
	free(plan->d);
	plan->d = NULL;
	plan->nr = plan->nr_refused = 0;
}

const char *reg_action_name(enum reg_action action)
{
	static const char *const names[] = {
		[REG_RESTORE] = "restore", [REG_SKIP] = "skip (host lacks it; zero or reset value)",
		[REG_REFUSE] = "refuse (host lacks it)", [REG_ZERO] = "zero (new service bitmap)",
		[REG_KEEP] = "keep reset value (new register)",
	};

	return names[action];
}

bool reg_is_id_register(uint64_t id)
{
	unsigned int crm = (id >> 3) & 15;

	return reg_coproc(id) == REG_COPROC_SYSREG && ((id >> 14) & 3) == 3 &&
	       ((id >> 11) & 7) == 0 && ((id >> 7) & 15) == 0 && crm >= 1 && crm <= 7;
}

/* The signed ID fields of the registers KVM lets a guest see (Arm ARM, D19.2). */
static const struct {
	uint64_t id;
	unsigned int shift;
} signed_id_fields[] = {
	{ REG_SYS(3, 0, 0, 4, 0), 16 }, /* ID_AA64PFR0_EL1.FP */
	{ REG_SYS(3, 0, 0, 4, 0), 20 }, /* ID_AA64PFR0_EL1.AdvSIMD */
	{ REG_SYS(3, 0, 0, 7, 0), 24 }, /* ID_AA64MMFR0_EL1.TGran64 */
	{ REG_SYS(3, 0, 0, 7, 0), 28 }, /* ID_AA64MMFR0_EL1.TGran4 */
	{ REG_SYS(3, 0, 0, 5, 0), 28 }, /* ID_AA64DFR0_EL1.DoubleLock */
};

static bool field_is_signed(uint64_t id, unsigned int shift)
{
	unsigned int i;

	for (i = 0; i < sizeof(signed_id_fields) / sizeof(signed_id_fields[0]); i++)
		if (signed_id_fields[i].id == id && signed_id_fields[i].shift == shift)
			return true;
	return false;
}

bool idreg_host_covers(uint64_t id, uint64_t host, uint64_t saved)
{
	unsigned int shift;

	for (shift = 0; shift < 64; shift += 4) {
		int h = (host >> shift) & 0xf, s = (saved >> shift) & 0xf;

		if (field_is_signed(id, shift)) {
			h = h >= 8 ? h - 16 : h;
			s = s >= 8 ? s - 16 : s;
		}
		if (h < s)
			return false;
	}
	return true;
}
