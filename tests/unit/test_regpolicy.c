// SPDX-License-Identifier: GPL-2.0
/*
 * reg_policy_plan over the register lists real hosts give: KVM_GET_REG_LIST of a vCPU on
 * the Linux 6.1, 6.12 and 7 armhost kernels, as `vmm host-info --reg-list` printed them
 * (tests/unit/data/reglist-*.txt; tests/armhost/run -k K a script running that command).
 * Like the kernel's get-reg-list selftest, the differences between the lists are tables.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "cpu/regs.h"
#include "firmware/fwregs.h"
#include "migrate/regpolicy.h"
#include "suites.h"

#define REGLIST_DIR "tests/unit/data"

enum host { HOST_6_1, HOST_6_12, HOST_7, NR_HOSTS };

static const struct {
	const char *name;
	unsigned int nr_regs;
} hosts[NR_HOSTS] = {
	[HOST_6_1] = { "6.1", 242 },
	[HOST_6_12] = { "6.12", 259 },
	[HOST_7] = { "7", 257 },
};

struct named_reg {
	uint64_t id;
	const char *name;
};

#define ID_TCR2_EL1 0x603000000013c103ULL
#define ID_PIRE0_EL1 0x603000000013c512ULL
#define ID_PIR_EL1 0x603000000013c513ULL
#define ID_VENDOR_HYP_BMAP_2 0x6030000000160003ULL

/* What 6.12 lists and 6.1 does not. */
static const struct named_reg added_in_6_12[] = {
	{ 0x6020000000110003ULL, "DEMUX_CCSIDR(3)" },
	{ 0x6020000000110004ULL, "DEMUX_CCSIDR(4)" },
	{ 0x6020000000110005ULL, "DEMUX_CCSIDR(5)" },
	{ 0x6020000000110006ULL, "DEMUX_CCSIDR(6)" },
	{ 0x6020000000110007ULL, "DEMUX_CCSIDR(7)" },
	{ 0x6020000000110008ULL, "DEMUX_CCSIDR(8)" },
	{ 0x6020000000110009ULL, "DEMUX_CCSIDR(9)" },
	{ 0x602000000011000aULL, "DEMUX_CCSIDR(10)" },
	{ 0x602000000011000bULL, "DEMUX_CCSIDR(11)" },
	{ 0x602000000011000cULL, "DEMUX_CCSIDR(12)" },
	{ 0x602000000011000dULL, "DEMUX_CCSIDR(13)" },
	{ ID_TCR2_EL1, "TCR2_EL1" },
	{ ID_PIRE0_EL1, "PIRE0_EL1" },
	{ ID_PIR_EL1, "PIR_EL1" },
	{ 0x603000000013df01ULL, "CNTPCT_EL0" },
	{ 0x603000000013df11ULL, "CNTP_CTL_EL0" },
	{ 0x603000000013df12ULL, "CNTP_CVAL_EL0" },
};

/* What 6.12 lists and 7 does not. */
static const struct named_reg dropped_in_7[] = {
	{ ID_TCR2_EL1, "TCR2_EL1" },
	{ ID_PIRE0_EL1, "PIRE0_EL1" },
	{ ID_PIR_EL1, "PIR_EL1" },
};

/* What 7 lists and 6.12 does not. */
static const struct named_reg added_in_7[] = {
	{ ID_VENDOR_HYP_BMAP_2, "VENDOR_HYP_BMAP_2" },
};

/* The lists, read afresh for each test. */

static uint64_t *host_regs[NR_HOSTS];
static unsigned int nr_host_regs[NR_HOSTS];

static void reglist_load(enum host h)
{
	char path[64], line[64];
	unsigned int cap = 0, lineno = 0;
	FILE *f;

	snprintf(path, sizeof(path), REGLIST_DIR "/reglist-%s.txt", hosts[h].name);
	f = fopen(path, "r");
	ck_assert_msg(f != NULL,
		      "%s: expected a register list (tests run from the repo root), "
		      "got errno %d",
		      path, errno);
	while (fgets(line, sizeof(line), f)) {
		char *end;
		uint64_t id;

		lineno++;
		if (line[0] == '\n')
			continue;
		errno = 0;
		id = strtoull(line, &end, 16);
		ck_assert_msg(!errno && end != line && (*end == '\n' || !*end),
			      "%s:%u: expected a register ID, got \"%s\"", path, lineno, line);
		if (nr_host_regs[h] == cap) {
			cap = cap ? cap * 2 : 256;
			host_regs[h] = realloc(host_regs[h], cap * sizeof(*host_regs[h]));
			ck_assert_msg(host_regs[h] != NULL, "%s: out of memory", path);
		}
		host_regs[h][nr_host_regs[h]++] = id;
	}
	fclose(f);
}

static void reglists_setup(void)
{
	int h;

	for (h = 0; h < NR_HOSTS; h++)
		reglist_load(h);
}

static void reglists_teardown(void)
{
	int h;

	for (h = 0; h < NR_HOSTS; h++) {
		free(host_regs[h]);
		host_regs[h] = NULL;
		nr_host_regs[h] = 0;
	}
}

static bool host_lists(enum host h, uint64_t id)
{
	unsigned int i;

	for (i = 0; i < nr_host_regs[h]; i++)
		if (host_regs[h][i] == id)
			return true;
	return false;
}

/* How many of a's registers b lacks; the first of them in *first. */
static unsigned int count_missing(enum host a, enum host b, uint64_t *first)
{
	unsigned int i, n = 0;

	for (i = 0; i < nr_host_regs[a]; i++) {
		if (host_lists(b, host_regs[a][i]))
			continue;
		if (!n && first)
			*first = host_regs[a][i];
		n++;
	}
	return n;
}

/* The lists themselves */

START_TEST(test_reglist_count)
{
	ck_assert_msg(nr_host_regs[_i] == hosts[_i].nr_regs,
		      "Linux %s: expected %u registers, got %u", hosts[_i].name, hosts[_i].nr_regs,
		      nr_host_regs[_i]);
}
END_TEST

START_TEST(test_reglist_no_duplicates)
{
	unsigned int i, j;

	for (i = 0; i < nr_host_regs[_i]; i++)
		for (j = i + 1; j < nr_host_regs[_i]; j++)
			ck_assert_msg(host_regs[_i][i] != host_regs[_i][j],
				      "Linux %s: expected each ID once, got 0x%016llx twice",
				      hosts[_i].name, (unsigned long long)host_regs[_i][i]);
}
END_TEST

/* One difference between two hosts' lists, as its table gives it. */
static const struct {
	enum host has, lacks;
	const struct named_reg *regs;
	unsigned int nr;
} differences[] = {
	{ HOST_6_12, HOST_6_1, added_in_6_12, ARRAY_SIZE(added_in_6_12) },
	{ HOST_6_12, HOST_7, dropped_in_7, ARRAY_SIZE(dropped_in_7) },
	{ HOST_7, HOST_6_12, added_in_7, ARRAY_SIZE(added_in_7) },
	{ HOST_6_1, HOST_6_12, NULL, 0 },
	{ HOST_6_1, HOST_7, NULL, 0 },
};

START_TEST(test_reglist_difference_listed)
{
	unsigned int i;

	for (i = 0; i < differences[_i].nr; i++) {
		const struct named_reg *r = &differences[_i].regs[i];

		ck_assert_msg(host_lists(differences[_i].has, r->id) &&
				      !host_lists(differences[_i].lacks, r->id),
			      "%s (0x%016llx): expected on Linux %s and not on %s", r->name,
			      (unsigned long long)r->id, hosts[differences[_i].has].name,
			      hosts[differences[_i].lacks].name);
	}
}
END_TEST

START_TEST(test_reglist_difference_complete)
{
	uint64_t first = 0;
	unsigned int n = count_missing(differences[_i].has, differences[_i].lacks, &first);

	ck_assert_msg(n == differences[_i].nr,
		      "Linux %s lists %u registers that %s lacks, expected %u (the first: "
		      "0x%016llx)",
		      hosts[differences[_i].has].name, n, hosts[differences[_i].lacks].name,
		      differences[_i].nr, (unsigned long long)first);
}
END_TEST

/* Plans for every ordered pair of hosts, with the saved values made four ways */

enum saved_values {
	VALUES_ZERO,	      /* every register saved as zero */
	VALUES_AT_RESET,      /* nonzero, equal to the reset value */
	VALUES_CHANGED,	      /* nonzero, the reset value zero */
	VALUES_RESET_UNKNOWN, /* nonzero, no reset value recorded */
	NR_SAVED_VALUES,
};

static const char *const saved_values_names[] = {
	[VALUES_ZERO] = "zero",
	[VALUES_AT_RESET] = "at reset",
	[VALUES_CHANGED] = "changed since reset",
	[VALUES_RESET_UNKNOWN] = "reset unknown",
};

#define NR_PAIRS (NR_HOSTS * (NR_HOSTS - 1))
#define NR_PLAN_CASES (NR_PAIRS * NR_SAVED_VALUES)

struct plan_case {
	enum host saver, restorer;
	enum saved_values values;
};

static struct plan_case plan_case(int i)
{
	int pair = i / NR_SAVED_VALUES, saver = pair / (NR_HOSTS - 1),
	    restorer = pair % (NR_HOSTS - 1);

	if (restorer >= saver)
		restorer++;
	return (struct plan_case){ saver, restorer, i % NR_SAVED_VALUES };
}

static void saved_add(struct reg_values *rv, uint64_t id, uint64_t value, const uint64_t *reset)
{
	uint8_t v[REG_MAX_BYTES] = { 0 }, r[REG_MAX_BYTES] = { 0 };
	unsigned int size = reg_size_bytes(id);
	int ret;

	memcpy(v, &value, size < sizeof(value) ? size : sizeof(value));
	if (reset)
		memcpy(r, reset, size < sizeof(*reset) ? size : sizeof(*reset));
	ret = reg_values_add(rv, id, v, reset ? r : NULL);
	ck_assert_msg(ret == 0, "reg_values_add(0x%016llx): expected 0, got %d",
		      (unsigned long long)id, ret);
}

/* Every register of the saving host, with values made the way the case says. */
static void saved_make(struct reg_values *rv, enum host saver, enum saved_values values)
{
	static const uint64_t zero = 0, pattern = 0x5a;
	unsigned int i;

	for (i = 0; i < nr_host_regs[saver]; i++) {
		uint64_t id = host_regs[saver][i];

		switch (values) {
		case VALUES_ZERO:
			saved_add(rv, id, 0, NULL);
			break;
		case VALUES_AT_RESET:
			saved_add(rv, id, pattern, &pattern);
			break;
		case VALUES_CHANGED:
			saved_add(rv, id, pattern, &zero);
			break;
		default:
			saved_add(rv, id, pattern, NULL);
		}
	}
}

/* The rule, from the two lists alone. */
static enum reg_action expected_action(const struct plan_case *c, uint64_t id)
{
	bool in_saver = host_lists(c->saver, id), in_restorer = host_lists(c->restorer, id);

	if (in_saver && in_restorer)
		return REG_RESTORE;
	if (in_saver)
		return c->values == VALUES_ZERO || c->values == VALUES_AT_RESET ? REG_SKIP
										: REG_REFUSE;
	return reg_coproc(id) == REG_COPROC_FW_FEAT_BMAP ? REG_ZERO : REG_KEEP;
}

static struct plan_case pc;
static struct reg_values saved;
static struct reg_plan plan;

static void plan_for(enum host saver, enum host restorer, enum saved_values values)
{
	int ret;

	pc = (struct plan_case){ saver, restorer, values };
	saved_make(&saved, saver, values);
	ret = reg_policy_plan(&saved, host_regs[restorer], nr_host_regs[restorer], &plan);
	ck_assert_msg(ret == 0, "reg_policy_plan %s -> %s: expected 0, got %d", hosts[saver].name,
		      hosts[restorer].name, ret);
}

static void plan_case_run(int i)
{
	struct plan_case c = plan_case(i);

	plan_for(c.saver, c.restorer, c.values);
}

static void plan_teardown(void)
{
	reg_plan_free(&plan);
	reg_values_free(&saved);
	reglists_teardown();
}

#define CASE_FMT "%s -> %s, saved values %s"
#define CASE_ARGS hosts[pc.saver].name, hosts[pc.restorer].name, saved_values_names[pc.values]

static const struct reg_decision *decision_find(uint64_t id)
{
	unsigned int i;

	for (i = 0; i < plan.nr; i++)
		if (plan.d[i].id == id)
			return &plan.d[i];
	return NULL;
}

START_TEST(test_plan_covers_both_lists)
{
	unsigned int want;

	plan_case_run(_i);
	want = nr_host_regs[pc.saver] + count_missing(pc.restorer, pc.saver, NULL);

	ck_assert_msg(plan.nr == want, CASE_FMT ": expected %u decisions, got %u", CASE_ARGS, want,
		      plan.nr);
}
END_TEST

START_TEST(test_plan_one_decision_per_register)
{
	unsigned int i, j;

	plan_case_run(_i);

	for (i = 0; i < plan.nr; i++)
		for (j = i + 1; j < plan.nr; j++)
			ck_assert_msg(plan.d[i].id != plan.d[j].id,
				      CASE_FMT ": expected one decision for 0x%016llx, got two",
				      CASE_ARGS, (unsigned long long)plan.d[i].id);
}
END_TEST

START_TEST(test_plan_actions)
{
	unsigned int i;

	plan_case_run(_i);

	for (i = 0; i < plan.nr; i++) {
		enum reg_action want = expected_action(&pc, plan.d[i].id);

		ck_assert_msg(plan.d[i].action == want, CASE_FMT ": 0x%016llx: expected %s, got %s",
			      CASE_ARGS, (unsigned long long)plan.d[i].id, reg_action_name(want),
			      reg_action_name(plan.d[i].action));
	}
}
END_TEST

/* Restore writes saved values: each decision that has one points at its own register's. */
START_TEST(test_plan_saved_values)
{
	unsigned int i;

	plan_case_run(_i);

	for (i = 0; i < plan.nr; i++) {
		const struct reg_decision *d = &plan.d[i];
		bool from_saver = host_lists(pc.saver, d->id);

		ck_assert_msg(from_saver ? d->saved && d->saved->id == d->id : !d->saved,
			      CASE_FMT ": 0x%016llx: expected %s, got %p", CASE_ARGS,
			      (unsigned long long)d->id,
			      from_saver ? "its saved value" : "no saved value", (void *)d->saved);
	}
}
END_TEST

/* KVM takes the firmware registers only before the others are written: they come first. */
START_TEST(test_plan_firmware_first)
{
	unsigned int i, nr_firmware = 0;

	plan_case_run(_i);
	while (nr_firmware < plan.nr && fwreg_is_firmware(plan.d[nr_firmware].id))
		nr_firmware++;

	for (i = nr_firmware; i < plan.nr; i++)
		ck_assert_msg(!fwreg_is_firmware(plan.d[i].id),
			      CASE_FMT ": expected firmware registers first, got 0x%016llx at %u "
				       "after %u others",
			      CASE_ARGS, (unsigned long long)plan.d[i].id, i, i - nr_firmware);
}
END_TEST

START_TEST(test_plan_counts_refusals)
{
	unsigned int i, refusals = 0;

	plan_case_run(_i);
	for (i = 0; i < plan.nr; i++)
		refusals += plan.d[i].action == REG_REFUSE;

	ck_assert_msg(plan.nr_refused == refusals,
		      CASE_FMT ": expected nr_refused %u (the refusals), got %u", CASE_ARGS,
		      refusals, plan.nr_refused);
}
END_TEST

/* The cases by name */

static void saved_set(uint64_t id, uint64_t value, const uint64_t *reset)
{
	unsigned int i;

	for (i = 0; i < saved.nr && saved.regs[i].id != id; i++)
		;
	ck_assert_msg(i < saved.nr, "0x%016llx: expected it saved", (unsigned long long)id);
	memcpy(saved.regs[i].value, &value, sizeof(value));
	free(saved.regs[i].reset);
	saved.regs[i].reset = NULL;
	if (reset) {
		saved.regs[i].reset = malloc(sizeof(*reset));
		memcpy(saved.regs[i].reset, reset, sizeof(*reset));
	}
}

/* 6.12 -> 7 with every register saved at its reset value but TCR2_EL1. */
static void plan_6_12_to_7_with_tcr2(uint64_t value, const uint64_t *reset)
{
	int ret;

	pc = (struct plan_case){ HOST_6_12, HOST_7, VALUES_AT_RESET };
	saved_make(&saved, HOST_6_12, VALUES_AT_RESET);
	saved_set(ID_TCR2_EL1, value, reset);
	ret = reg_policy_plan(&saved, host_regs[HOST_7], nr_host_regs[HOST_7], &plan);
	ck_assert_msg(ret == 0, "reg_policy_plan 6.12 -> 7: expected 0, got %d", ret);
}

static enum reg_action action_of(uint64_t id)
{
	const struct reg_decision *d = decision_find(id);

	ck_assert_msg(d != NULL, "0x%016llx: expected a decision, got none",
		      (unsigned long long)id);
	return d->action;
}

START_TEST(test_6_12_to_7_tcr2_zero_skipped)
{
	enum reg_action got;

	plan_6_12_to_7_with_tcr2(0, NULL);
	got = action_of(ID_TCR2_EL1);

	ck_assert_msg(got == REG_SKIP, "6.12 -> 7, TCR2_EL1 = 0: expected %s, got %s",
		      reg_action_name(REG_SKIP), reg_action_name(got));
}
END_TEST

START_TEST(test_6_12_to_7_tcr2_set_refused)
{
	static const uint64_t reset = 0;
	enum reg_action got;

	plan_6_12_to_7_with_tcr2(0x1, &reset);
	got = action_of(ID_TCR2_EL1);

	ck_assert_msg(got == REG_REFUSE, "6.12 -> 7, TCR2_EL1 = 0x1, reset 0: expected %s, got %s",
		      reg_action_name(REG_REFUSE), reg_action_name(got));
}
END_TEST

START_TEST(test_6_12_to_7_tcr2_set_is_the_one_refusal)
{
	static const uint64_t reset = 0;

	plan_6_12_to_7_with_tcr2(0x1, &reset);

	ck_assert_msg(plan.nr_refused == 1,
		      "6.12 -> 7, only TCR2_EL1 changed since reset: expected 1 refusal, got %u",
		      plan.nr_refused);
}
END_TEST

START_TEST(test_6_12_to_7_tcr2_at_reset_skipped)
{
	static const uint64_t reset = 0x1;
	enum reg_action got;

	plan_6_12_to_7_with_tcr2(0x1, &reset);
	got = action_of(ID_TCR2_EL1);

	ck_assert_msg(got == REG_SKIP, "6.12 -> 7, TCR2_EL1 = reset = 0x1: expected %s, got %s",
		      reg_action_name(REG_SKIP), reg_action_name(got));
}
END_TEST

START_TEST(test_6_12_to_7_tcr2_reset_unknown_refused)
{
	enum reg_action got;

	plan_6_12_to_7_with_tcr2(0x1, NULL);
	got = action_of(ID_TCR2_EL1);

	ck_assert_msg(got == REG_REFUSE,
		      "6.12 -> 7, TCR2_EL1 = 0x1, reset unknown: expected %s, got %s",
		      reg_action_name(REG_REFUSE), reg_action_name(got));
}
END_TEST

START_TEST(test_6_1_to_7_zeroes_vendor_hyp_bmap_2)
{
	const struct reg_decision *d;

	plan_for(HOST_6_1, HOST_7, VALUES_CHANGED);
	d = decision_find(ID_VENDOR_HYP_BMAP_2);

	ck_assert_msg(d && d->action == REG_ZERO && !d->saved,
		      "6.1 -> 7: VENDOR_HYP_BMAP_2: expected %s without a saved value, got %s",
		      reg_action_name(REG_ZERO), d ? reg_action_name(d->action) : "no decision");
}
END_TEST

START_TEST(test_6_1_to_7_zeroes_nothing_else)
{
	unsigned int i, zeroed = 0;

	plan_for(HOST_6_1, HOST_7, VALUES_CHANGED);
	for (i = 0; i < plan.nr; i++)
		zeroed += plan.d[i].action == REG_ZERO;

	ck_assert_msg(zeroed == 1, "6.1 -> 7: expected 1 register zeroed, got %u", zeroed);
}
END_TEST

START_TEST(test_7_to_6_12_vendor_hyp_bmap_2_set_refused)
{
	enum reg_action got;

	plan_for(HOST_7, HOST_6_12, VALUES_AT_RESET);
	saved_set(ID_VENDOR_HYP_BMAP_2, 0x3, NULL);
	reg_plan_free(&plan);
	ck_assert_msg(
		reg_policy_plan(&saved, host_regs[HOST_6_12], nr_host_regs[HOST_6_12], &plan) == 0,
		"reg_policy_plan 7 -> 6.12: expected 0");
	got = action_of(ID_VENDOR_HYP_BMAP_2);

	ck_assert_msg(got == REG_REFUSE,
		      "7 -> 6.12, VENDOR_HYP_BMAP_2 = 0x3 (a guest that saw the services): "
		      "expected %s, got %s",
		      reg_action_name(REG_REFUSE), reg_action_name(got));
}
END_TEST

START_TEST(test_6_1_to_6_12_keeps_new_register)
{
	const struct named_reg *r = &added_in_6_12[_i];
	enum reg_action got;

	plan_for(HOST_6_1, HOST_6_12, VALUES_CHANGED);
	got = action_of(r->id);

	ck_assert_msg(got == REG_KEEP, "6.1 -> 6.12: %s: expected %s, got %s", r->name,
		      reg_action_name(REG_KEEP), reg_action_name(got));
}
END_TEST

START_TEST(test_6_1_to_6_12_keeps_17)
{
	unsigned int i, kept = 0;

	plan_for(HOST_6_1, HOST_6_12, VALUES_CHANGED);
	for (i = 0; i < plan.nr; i++)
		kept += plan.d[i].action == REG_KEEP;

	ck_assert_msg(kept == 17, "6.1 -> 6.12: expected 17 registers kept, got %u", kept);
}
END_TEST

START_TEST(test_6_1_to_6_12_refuses_nothing)
{
	plan_for(HOST_6_1, HOST_6_12, VALUES_CHANGED);

	ck_assert_msg(plan.nr_refused == 0,
		      "6.1 -> 6.12 (a newer host has all of 6.1's): expected 0 refusals, got %u",
		      plan.nr_refused);
}
END_TEST

START_TEST(test_6_12_to_6_1_refuses_the_17)
{
	plan_for(HOST_6_12, HOST_6_1, VALUES_CHANGED);

	ck_assert_msg(plan.nr_refused == ARRAY_SIZE(added_in_6_12),
		      "6.12 -> 6.1, all changed since reset: expected %zu refusals, got %u",
		      ARRAY_SIZE(added_in_6_12), plan.nr_refused);
}
END_TEST

/* ID registers: the host may add features the snapshot's host hid, never remove one. */
#define ID_AA64MMFR1_EL1 REG_SYS(3, 0, 0, 7, 1)
#define ID_AA64PFR0_EL1 REG_SYS(3, 0, 0, 4, 0)

static const struct {
	uint64_t id, host, saved;
	bool covers;
	const char *why;
} idreg_cases[] = {
	/* The values a 6.12 and a 6.1 host gave the same emulated CPU: 6.12 adds FEAT_HCX. */
	{ ID_AA64MMFR1_EL1, 0x0010112010312122, 0x0010102010312122, true, "6.12 adds HCX" },
	{ ID_AA64MMFR1_EL1, 0x0010102010312122, 0x0010112010312122, false, "HCX taken away" },
	{ ID_AA64MMFR1_EL1, 0x0010102010312122, 0x0010102010312122, true, "the same value" },
	/* AdvSIMD (23:20) is signed: 0xf, not implemented, is below 0. */
	{ ID_AA64PFR0_EL1, 0x0000000000000011, 0x0000000000f00011, true, "AdvSIMD added" },
	{ ID_AA64PFR0_EL1, 0x0000000000f00011, 0x0000000000000011, false, "AdvSIMD removed" },
};

START_TEST(test_idreg_host_covers)
{
	bool got = idreg_host_covers(idreg_cases[_i].id, idreg_cases[_i].host,
				     idreg_cases[_i].saved);

	ck_assert_msg(got == idreg_cases[_i].covers, "%s: expected %s, got %s", idreg_cases[_i].why,
		      idreg_cases[_i].covers ? "covers" : "does not cover",
		      got ? "covers" : "does not cover");
}
END_TEST

START_TEST(test_reg_is_id_register)
{
	ck_assert_msg(reg_is_id_register(ID_AA64MMFR1_EL1), "ID_AA64MMFR1_EL1: expected an ID register");
	ck_assert_msg(!reg_is_id_register(REG_SYS(3, 0, 2, 0, 3)), "TCR2_EL1: expected no ID register");
	ck_assert_msg(!reg_is_id_register(REG_PSCI_VERSION), "PSCI_VERSION: expected no ID register");
}
END_TEST

Suite *regpolicy_suite(void)
{
	Suite *s = suite_create("regpolicy");
	TCase *lists = tcase_create("reglists");
	TCase *pairs = tcase_create("host_pairs");
	TCase *named = tcase_create("named_cases");

	tcase_add_checked_fixture(lists, reglists_setup, reglists_teardown);
	tcase_add_loop_test(lists, test_reglist_count, 0, NR_HOSTS);
	tcase_add_loop_test(lists, test_reglist_no_duplicates, 0, NR_HOSTS);
	tcase_add_loop_test(lists, test_reglist_difference_listed, 0, ARRAY_SIZE(differences));
	tcase_add_loop_test(lists, test_reglist_difference_complete, 0, ARRAY_SIZE(differences));

	tcase_add_checked_fixture(pairs, reglists_setup, plan_teardown);
	tcase_add_loop_test(pairs, test_plan_covers_both_lists, 0, NR_PLAN_CASES);
	tcase_add_loop_test(pairs, test_plan_one_decision_per_register, 0, NR_PLAN_CASES);
	tcase_add_loop_test(pairs, test_plan_actions, 0, NR_PLAN_CASES);
	tcase_add_loop_test(pairs, test_plan_saved_values, 0, NR_PLAN_CASES);
	tcase_add_loop_test(pairs, test_plan_firmware_first, 0, NR_PLAN_CASES);
	tcase_add_loop_test(pairs, test_plan_counts_refusals, 0, NR_PLAN_CASES);

	tcase_add_checked_fixture(named, reglists_setup, plan_teardown);
	tcase_add_test(named, test_6_12_to_7_tcr2_zero_skipped);
	tcase_add_loop_test(named, test_idreg_host_covers, 0, ARRAY_SIZE(idreg_cases));
	tcase_add_test(named, test_reg_is_id_register);
	tcase_add_test(named, test_6_12_to_7_tcr2_set_refused);
	tcase_add_test(named, test_6_12_to_7_tcr2_set_is_the_one_refusal);
	tcase_add_test(named, test_6_12_to_7_tcr2_at_reset_skipped);
	tcase_add_test(named, test_6_12_to_7_tcr2_reset_unknown_refused);
	tcase_add_test(named, test_6_1_to_7_zeroes_vendor_hyp_bmap_2);
	tcase_add_test(named, test_6_1_to_7_zeroes_nothing_else);
	tcase_add_test(named, test_7_to_6_12_vendor_hyp_bmap_2_set_refused);
	tcase_add_loop_test(named, test_6_1_to_6_12_keeps_new_register, 0,
			    ARRAY_SIZE(added_in_6_12));
	tcase_add_test(named, test_6_1_to_6_12_keeps_17);
	tcase_add_test(named, test_6_1_to_6_12_refuses_nothing);
	tcase_add_test(named, test_6_12_to_6_1_refuses_the_17);
	suite_add_tcase(s, lists);
	suite_add_tcase(s, pairs);
	suite_add_tcase(s, named);
	return s;
}
