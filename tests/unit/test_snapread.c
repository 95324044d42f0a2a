// SPDX-License-Identifier: GPL-2.0
/*
 * The machine and vCPU sections: every field saved and read back at its
 * documented extremes, and every field a file could get wrong refused by name.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "board/layout.h"
#include "firmware/psci.h"
#include "helpers.h"
#include "migrate/restore.h"
#include "snapshot/format.h"
#include "suites.h"

static const struct snap_header hdr = { .vmm_version = "test", .host_release = "6.1.0" };

static char dir[] = "/tmp/vmm-snapread-XXXXXX";
static char path[sizeof(dir) + 8];

static void scratch_setup(void)
{
	memcpy(dir, "/tmp/vmm-snapread-XXXXXX", sizeof(dir));
	ck_assert_msg(mkdtemp(dir) != NULL, "mkdtemp: expected a directory, got NULL");
	snprintf(path, sizeof(path), "%s/snap", dir);
}

static void scratch_teardown(void)
{
	unlink(path);
	rmdir(dir);
}

/* One register; dup_id, when not 0, is written twice. */
static int put_vcpu(struct snap_writer *w, uint32_t index, uint64_t dup_id)
{
	uint8_t events[SNAP_VCPU_EVENTS_SIZE] = { 0 };
	unsigned int f, nr = dup_id ? 2 : 1;
	int ret = snap_section_begin(w, SNAP_SEC_VCPU, index);

	for (f = 0; f < 1 + 7 + 1; f++) /* target, features, mp_state */
		ret = ret ?: snap_put_u32(w, 0);
	ret = ret ?: snap_put_u32(w, sizeof(events)) ?: snap_put_bytes(w, events, sizeof(events));
	ret = ret ?: snap_put_u32(w, nr);
	for (f = 0; f < nr; f++)
		ret = ret ?: snap_put_u64(w, dup_id ? dup_id : REG_MPIDR_EL1) ?: snap_put_u64(w, f) ?:
			     snap_put_u32(w, 0);
	return ret ?: snap_section_end(w);
}

/* The machine rc, and as many vCPU sections as it has (nr_vcpus overrides when not 0). */
static void write_machine(const struct restore_config *rc, unsigned int nr_vcpus, uint64_t dup)
{
	struct snap_writer *w;
	unsigned int i;
	int ret;

	ck_assert_int_eq(snap_writer_open(&w, path, &hdr), 0);
	ret = snap_write_config(w, rc);
	for (i = 0; i < (nr_vcpus ? nr_vcpus : rc->nr_cpus) && !ret; i++)
		ret = put_vcpu(w, i, dup);
	ret = ret ?: snap_writer_commit(w);
	if (ret)
		snap_writer_abort(w);
	ck_assert_msg(ret == 0, "writing the machine: expected 0, got %d", ret);
}

static int read_machine(struct restore_config *rc, char *why, size_t len)
{
	struct snap_reader *r;
	int ret = snap_reader_open(&r, path, why, len);

	if (ret)
		return ret;
	ret = restore_read_config(r, rc, why, len);
	snap_reader_close(r);
	return ret;
}

static struct restore_config machine_default(void)
{
	return (struct restore_config){ .nr_cpus = 2, .ram_size = 256 << 20, .gic_version = 3,
					.nr_irqs = GIC_NR_IRQS, .ipa_bits = 40,
					.psci_version = PSCI_V(1, 1) };
}

/* Every field at its largest: 123 vCPUs, RAM to the top of 52 bits, a 2047-byte cmdline. */
START_TEST(test_config_extremes_round_trip)
{
	struct restore_config in = machine_default(), out;
	char why[200] = "";
	int ret;

	in.nr_cpus = LAYOUT_MAX_CPUS;
	in.ram_size = ALIGN_DOWN((1ULL << 52) - RAM_BASE, SZ_2M);
	in.ipa_bits = 52;
	in.psci_version = PSCI_V(1, 3);
	in.system_suspend = true;
	memset(in.cmdline, 'x', BOOT_CMDLINE_MAX - 1);
	write_machine(&in, 0, 0);
	ret = read_machine(&out, why, sizeof(why));

	ck_assert_msg(ret == 0 && out.nr_cpus == in.nr_cpus && out.ram_size == in.ram_size &&
			      out.ipa_bits == 52 && out.psci_version == in.psci_version &&
			      out.system_suspend && strlen(out.cmdline) == BOOT_CMDLINE_MAX - 1,
		      "the largest machine: expected it back as written, got %d (%s): %u vCPUs, "
		      "%#llx RAM, %u bits, PSCI %#x, cmdline of %zu",
		      ret, why, out.nr_cpus, (unsigned long long)out.ram_size, out.ipa_bits,
		      out.psci_version, strlen(out.cmdline));
}
END_TEST

/* And at its smallest: 1 vCPU, the least RAM, KVM's fixed 40 bits, PSCI 0.1, no cmdline. */
START_TEST(test_config_minimum_round_trip)
{
	struct restore_config in = machine_default(), out;
	char why[200] = "";
	int ret;

	in.nr_cpus = 1;
	in.ram_size = LAYOUT_MIN_RAM;
	in.ipa_bits = 0;
	in.psci_version = PSCI_V_0_1;
	write_machine(&in, 0, 0);
	ret = read_machine(&out, why, sizeof(why));

	ck_assert_msg(ret == 0 && out.nr_cpus == 1 && out.ram_size == LAYOUT_MIN_RAM &&
			      out.ipa_bits == 0 && out.psci_version == PSCI_V_0_1 && !out.cmdline[0],
		      "the smallest machine: expected it back as written, got %d (%s)", ret, why);
}
END_TEST

/* A machine one field away from a good one, and a word the refusal must use. */
#define KEEP 0xffffffffu
static const struct bad_machine {
	const char *what;
	uint32_t nr_cpus, ipa_bits, psci_version, gic_version, nr_irqs;
	uint64_t ram_size; /* 0: keep */
	const char *names;
} bad_machines[] = {
	{ "no vCPUs", 0, KEEP, KEEP, KEEP, KEEP, 0, "nr_cpus" },
	{ "124 vCPUs", LAYOUT_MAX_CPUS + 1, KEEP, KEEP, KEEP, KEEP, 0, "nr_cpus" },
	{ "RAM not a multiple of 2M", KEEP, KEEP, KEEP, KEEP, KEEP, (256 << 20) + SZ_1M, "ram_size" },
	{ "RAM below the minimum", KEEP, KEEP, KEEP, KEEP, KEEP, SZ_2M, "ram_size" },
	{ "RAM beyond 52 bits", KEEP, 52, KEEP, KEEP, KEEP, 1ULL << 52, "ram_size" },
	{ "IPA too small for the RAM", KEEP, 32, KEEP, KEEP, KEEP, 4ULL << 30, "ipa_bits" },
	{ "IPA of 53 bits", KEEP, 53, KEEP, KEEP, KEEP, 0, "ipa_bits" },
	{ "40-bit default too small", KEEP, 0, KEEP, KEEP, KEEP, 1ULL << 40, "ipa_bits" },
	{ "PSCI 1.4", KEEP, KEEP, PSCI_V(1, 4), KEEP, KEEP, 0, "psci_version" },
	{ "GICv2", KEEP, KEEP, KEEP, 2, KEEP, 0, "GICv2" },
	{ "64 interrupts", KEEP, KEEP, KEEP, KEEP, 64, 0, "interrupts" },
};

static void spoil(struct restore_config *rc, const struct bad_machine *b)
{
	const uint32_t *from[] = { &b->nr_cpus, &b->ipa_bits, &b->psci_version, &b->gic_version,
				   &b->nr_irqs };
	uint32_t *to[] = { &rc->nr_cpus, &rc->ipa_bits, &rc->psci_version, &rc->gic_version,
			   &rc->nr_irqs };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(from); i++)
		if (*from[i] != KEEP)
			*to[i] = *from[i];
	if (b->ram_size)
		rc->ram_size = b->ram_size;
}

START_TEST(test_config_field_refused)
{
	const struct bad_machine *b = &bad_machines[_i];
	struct restore_config in = machine_default(), out;
	char why[200] = "";
	int ret;

	spoil(&in, b);
	write_machine(&in, in.nr_cpus > LAYOUT_MAX_CPUS || !in.nr_cpus ? 1 : 0, 0);
	ret = read_machine(&out, why, sizeof(why));

	ck_assert_msg(ret == -EINVAL && strstr(why, b->names),
		      "%s: expected %d and a reason naming %s, got %d and \"%s\"", b->what,
		      -EINVAL, b->names, ret, why);
}
END_TEST

START_TEST(test_vcpu_sections_must_match)
{
	struct restore_config in = machine_default(), out;
	char fewer[200] = "", more[200] = "";
	int ret_fewer, ret_more;

	write_machine(&in, 1, 0);
	ret_fewer = read_machine(&out, fewer, sizeof(fewer));
	write_machine(&in, 3, 0);
	ret_more = read_machine(&out, more, sizeof(more));

	ck_assert_msg(ret_fewer == -EINVAL && strstr(fewer, "1 vCPU sections") &&
			      ret_more == -EINVAL && strstr(more, "3 vCPU sections"),
		      "2 vCPUs with 1 and 3 sections: expected -EINVAL twice naming the count, got "
		      "%d \"%s\" and %d \"%s\"",
		      ret_fewer, fewer, ret_more, more);
}
END_TEST

/*
 * A 1-vCPU machine section written field by field, for values snap_write_config
 * cannot hold: a system_suspend other than 0 or 1, a command line past the limit.
 */
static void write_machine_by_hand(uint32_t suspend, const char *cmdline)
{
	struct snap_writer *w;
	int ret;

	ck_assert_int_eq(snap_writer_open(&w, path, &hdr), 0);
	ret = snap_record_begin(w, SNAP_SEC_CONFIG, 0, SNAP_VER_CONFIG) ?: snap_put_u32(w, 1) ?:
	      snap_put_u64(w, 256 << 20) ?: snap_put_u64(w, RAM_BASE) ?: snap_put_u32(w, 3) ?:
	      snap_put_u32(w, GIC_NR_IRQS) ?: snap_put_u32(w, 40) ?:
	      snap_put_u32(w, PSCI_V(1, 1)) ?: snap_put_u32(w, suspend) ?:
	      snap_put_str(w, cmdline) ?: snap_put_u32(w, 0) ?: snap_section_end(w) ?: put_vcpu(w, 0, 0) ?:
	      snap_writer_commit(w);
	ck_assert_msg(ret == 0, "writing the machine by hand: expected 0, got %d", ret);
}

START_TEST(test_suspend_flag_refused)
{
	struct restore_config out;
	char why[200] = "";
	int ret;

	write_machine_by_hand(2, "");
	ret = read_machine(&out, why, sizeof(why));

	ck_assert_msg(ret == -EINVAL && strstr(why, "system_suspend"),
		      "system_suspend 2: expected %d naming it, got %d \"%s\"", -EINVAL, ret, why);
}
END_TEST

/* 2048 bytes could not come back through a 2048-byte buffer: run refuses it, so must this. */
START_TEST(test_cmdline_over_limit_refused)
{
	struct restore_config out;
	char long_line[BOOT_CMDLINE_MAX + 1], why[200] = "";
	int ret;

	memset(long_line, 'y', BOOT_CMDLINE_MAX);
	long_line[BOOT_CMDLINE_MAX] = '\0';
	write_machine_by_hand(0, long_line);
	ret = read_machine(&out, why, sizeof(why));

	ck_assert_msg(ret == -EINVAL && strstr(why, "cmdline") && strstr(why, "2047"),
		      "a 2048-byte cmdline: expected %d naming cmdline and 2047, got %d \"%s\"",
		      -EINVAL, ret, why);
}
END_TEST

/* vCPU i of the file at path, as restore reads it. */
static int read_vcpu(unsigned int i, struct saved_vcpu *v, char *why, size_t len)
{
	struct snap_reader *r;
	int ret;

	ck_assert_int_eq(snap_reader_open(&r, path, NULL, 0), 0);
	ret = snap_read_vcpu(r, i, v, why, len);
	snap_reader_close(r);
	return ret;
}

START_TEST(test_duplicate_register_refused)
{
	struct restore_config in = machine_default();
	struct saved_vcpu v;
	char why[200] = "";
	int ret;

	in.nr_cpus = 1;
	write_machine(&in, 0, REG_PSCI_VERSION);
	ret = read_vcpu(0, &v, why, sizeof(why));
	reg_values_free(&v.regs);

	ck_assert_msg(ret == -EINVAL && strstr(why, "vCPU 0") && strstr(why, "appears twice"),
		      "PSCI_VERSION twice: expected %d and \"vCPU 0: ... appears twice\", got %d "
		      "\"%s\"",
		      -EINVAL, ret, why);
}
END_TEST

START_TEST(test_vcpu_reads_back)
{
	struct restore_config in = machine_default();
	struct saved_vcpu v;
	char why[200] = "";
	int ret;

	write_machine(&in, 0, 0);
	ret = read_vcpu(1, &v, why, sizeof(why));

	ck_assert_msg(ret == 0 && v.regs.nr == 1 && v.regs.regs[0].id == REG_MPIDR_EL1,
		      "vCPU 1: expected MPIDR_EL1 alone, got %d (%s) with %u registers", ret, why,
		      v.regs.nr);
	reg_values_free(&v.regs);
}
END_TEST

Suite *snapread_suite(void)
{
	Suite *s = suite_create("snapread");
	TCase *tc = tcase_create("machine");

	tcase_add_checked_fixture(tc, scratch_setup, scratch_teardown);
	tcase_add_test(tc, test_config_extremes_round_trip);
	tcase_add_test(tc, test_config_minimum_round_trip);
	tcase_add_loop_test(tc, test_config_field_refused, 0, ARRAY_SIZE(bad_machines));
	tcase_add_test(tc, test_vcpu_sections_must_match);
	tcase_add_test(tc, test_suspend_flag_refused);
	tcase_add_test(tc, test_cmdline_over_limit_refused);
	tcase_add_test(tc, test_duplicate_register_refused);
	tcase_add_test(tc, test_vcpu_reads_back);
	suite_add_tcase(s, tc);
	return s;
}
