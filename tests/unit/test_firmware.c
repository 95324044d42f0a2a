// SPDX-License-Identifier: GPL-2.0
/*
 * The firmware pseudo-registers: their table (fwregs.c), the pins a user asks for (pins.c),
 * and the same pins through the [firmware] section and vmm run's options.
 */
#include <errno.h>

#include "base/cli.h"
#include "base/config.h"
#include "base/util.h"
#include "firmware/fwregs.h"
#include "firmware/pins.h"
#include "firmware/psci.h"
#include "helpers.h"
#include "suites.h"

/* The IDs as the kernel's UAPI spells them (arch/arm64/include/uapi/asm/kvm.h). */
#define ID_PSCI_VERSION 0x6030000000140000ULL
#define ID_WORKAROUND_1 0x6030000000140001ULL
#define ID_WORKAROUND_2 0x6030000000140002ULL
#define ID_WORKAROUND_3 0x6030000000140003ULL
#define ID_STD_BMAP 0x6030000000160000ULL
#define ID_STD_HYP_BMAP 0x6030000000160001ULL
#define ID_VENDOR_HYP_BMAP 0x6030000000160002ULL
#define ID_VENDOR_HYP_BMAP_2 0x6030000000160003ULL
#define ID_TCR2_EL1 0x603000000013c103ULL

#define WHY_LEN 160

/* fwreg_find: every register vmm knows, by ID */

static const struct {
	uint64_t id;
	const char *name;
	enum fwreg_kind kind;
} known_regs[] = {
	{ ID_PSCI_VERSION, "PSCI_VERSION", FWREG_PSCI_VERSION },
	{ ID_WORKAROUND_1, "SMCCC_ARCH_WORKAROUND_1", FWREG_WORKAROUND },
	{ ID_WORKAROUND_2, "SMCCC_ARCH_WORKAROUND_2", FWREG_WORKAROUND },
	{ ID_WORKAROUND_3, "SMCCC_ARCH_WORKAROUND_3", FWREG_WORKAROUND },
	{ ID_STD_BMAP, "STD_BMAP", FWREG_BITMAP },
	{ ID_STD_HYP_BMAP, "STD_HYP_BMAP", FWREG_BITMAP },
	{ ID_VENDOR_HYP_BMAP, "VENDOR_HYP_BMAP", FWREG_BITMAP },
	{ ID_VENDOR_HYP_BMAP_2, "VENDOR_HYP_BMAP_2", FWREG_BITMAP },
};

START_TEST(test_find_by_id)
{
	const struct fwreg_desc *desc = fwreg_find(known_regs[_i].id);

	ck_assert_msg(desc && !strcmp(desc->name, known_regs[_i].name) &&
			      desc->kind == known_regs[_i].kind,
		      "fwreg_find(0x%016llx): expected %s (kind %d), got %s (kind %d)",
		      (unsigned long long)known_regs[_i].id, known_regs[_i].name,
		      known_regs[_i].kind, desc ? desc->name : "NULL", desc ? (int)desc->kind : -1);
}
END_TEST

/* The [firmware] keys that name one register; the workaround levels are pinned by ID only. */
static const struct {
	const char *key;
	uint64_t id;
} known_keys[] = {
	{ "psci", ID_PSCI_VERSION },
	{ "std", ID_STD_BMAP },
	{ "std_hyp", ID_STD_HYP_BMAP },
	{ "vendor_hyp", ID_VENDOR_HYP_BMAP },
	{ "vendor_hyp_2", ID_VENDOR_HYP_BMAP_2 },
};

START_TEST(test_find_key)
{
	const struct fwreg_desc *desc = fwreg_find_key(known_keys[_i].key);

	ck_assert_msg(desc && desc->id == known_keys[_i].id,
		      "fwreg_find_key(\"%s\"): expected 0x%016llx, got 0x%016llx",
		      known_keys[_i].key, (unsigned long long)known_keys[_i].id,
		      desc ? (unsigned long long)desc->id : 0ULL);
}
END_TEST

START_TEST(test_table_has_nothing_else)
{
	size_t n = 0;

	while (fwreg_at(n))
		n++;

	ck_assert_msg(n == ARRAY_SIZE(known_regs), "fwreg_at: expected %zu registers, got %zu",
		      ARRAY_SIZE(known_regs), n);
}
END_TEST

static const uint64_t unknown_ids[] = {
	0x6030000000140004ULL, /* coproc 0x14 but no such register */
	0x6030000000160004ULL, /* a bitmap Linux has not defined yet */
	ID_TCR2_EL1,
	0,
};

START_TEST(test_find_unknown_id)
{
	const struct fwreg_desc *desc = fwreg_find(unknown_ids[_i]);

	ck_assert_msg(desc == NULL, "fwreg_find(0x%016llx): expected NULL, got %s",
		      (unsigned long long)unknown_ids[_i], desc ? desc->name : "");
}
END_TEST

static const char *const unknown_keys[] = { "workaround_1", "PSCI", "std_bmap", "",
					    "hypercalls",   "reg" };

START_TEST(test_find_key_unknown)
{
	const struct fwreg_desc *desc = fwreg_find_key(unknown_keys[_i]);

	ck_assert_msg(desc == NULL, "fwreg_find_key(\"%s\"): expected NULL, got %s",
		      unknown_keys[_i], desc ? desc->name : "");
}
END_TEST

/* fwreg_is_firmware: coproc 0x14 or 0x16 of an arm64 ID, nothing else */

static const struct {
	uint64_t id;
	bool firmware;
	const char *what;
} firmware_ids[] = {
	{ ID_PSCI_VERSION, true, "PSCI_VERSION" },
	{ ID_WORKAROUND_3, true, "SMCCC_ARCH_WORKAROUND_3" },
	{ ID_STD_BMAP, true, "STD_BMAP" },
	{ ID_VENDOR_HYP_BMAP_2, true, "VENDOR_HYP_BMAP_2" },
	{ 0x6030000000140004ULL, true, "coproc 0x14, unknown to vmm" },
	{ 0x6030000000160004ULL, true, "coproc 0x16, unknown to vmm" },
	{ 0x6030000000100000ULL, false, "X0" },
	{ 0x6020000000110000ULL, false, "DEMUX_CCSIDR(0)" },
	{ ID_TCR2_EL1, false, "TCR2_EL1" },
	{ 0x6030000000150000ULL, false, "coproc 0x15 (SVE)" },
	{ 0x6030000000170000ULL, false, "coproc 0x17" },
	{ 0x4030000000140000ULL, false, "arch arm, not arm64" },
	{ 0x0000000000140000ULL, false, "no arch" },
	{ 0xe030000000160000ULL, false, "arch 0xe0" },
};

START_TEST(test_is_firmware)
{
	bool got = fwreg_is_firmware(firmware_ids[_i].id);

	ck_assert_msg(got == firmware_ids[_i].firmware,
		      "fwreg_is_firmware(0x%016llx, %s): expected %d, got %d",
		      (unsigned long long)firmware_ids[_i].id, firmware_ids[_i].what,
		      firmware_ids[_i].firmware, got);
}
END_TEST

/* fwreg_parse_services */

static const struct {
	uint64_t id;
	const char *list;
	uint64_t value;
} service_lists[] = {
	{ ID_STD_BMAP, "trng", 0x1 },
	{ ID_STD_HYP_BMAP, "pv_time", 0x1 },
	{ ID_VENDOR_HYP_BMAP, "func_feat", 0x1 },
	{ ID_VENDOR_HYP_BMAP, "ptp", 0x2 },
	{ ID_VENDOR_HYP_BMAP, "func_feat,ptp", 0x3 },
	{ ID_VENDOR_HYP_BMAP, "func_feat+ptp", 0x3 },
	{ ID_VENDOR_HYP_BMAP, "ptp+func_feat", 0x3 },
	{ ID_VENDOR_HYP_BMAP, "func_feat, ptp", 0x3 }, /* as an INI value may read */
	{ ID_VENDOR_HYP_BMAP, "ptp,ptp", 0x2 },
	{ ID_VENDOR_HYP_BMAP_2, "discover_impl_ver+discover_impl_cpus", 0x3 },
	{ ID_STD_BMAP, "none", 0 },
	{ ID_VENDOR_HYP_BMAP, "", 0 },
	{ ID_STD_BMAP, "0", 0 },
	{ ID_VENDOR_HYP_BMAP, "3", 0x3 },
	{ ID_VENDOR_HYP_BMAP, "0x3", 0x3 },
	{ ID_STD_HYP_BMAP, "0x80", 0x80 }, /* a number is taken as it is: bits vmm cannot name */
};

START_TEST(test_parse_services)
{
	const struct fwreg_desc *desc = fwreg_find(service_lists[_i].id);
	char why[WHY_LEN] = "";
	uint64_t value = 0xdead;
	int ret = fwreg_parse_services(desc, service_lists[_i].list, &value, why, sizeof(why));

	ck_assert_msg(ret == 0 && value == service_lists[_i].value,
		      "%s \"%s\": expected 0 and 0x%llx, got %d and 0x%llx (%s)", desc->name,
		      service_lists[_i].list, (unsigned long long)service_lists[_i].value, ret,
		      (unsigned long long)value, why);
}
END_TEST

static const struct {
	uint64_t id;
	const char *list;
	const char *known; /* what why must list */
} bad_service_lists[] = {
	{ ID_STD_BMAP, "ptp", "trng" },
	{ ID_STD_BMAP, "TRNG", "trng" },
	{ ID_STD_HYP_BMAP, "trng", "pv_time" },
	{ ID_VENDOR_HYP_BMAP, "func_feat,bogus", "func_feat, ptp" },
	{ ID_VENDOR_HYP_BMAP, "func", "func_feat, ptp" },
	{ ID_VENDOR_HYP_BMAP, ",ptp", "func_feat, ptp" },
	{ ID_VENDOR_HYP_BMAP_2, "ptp", "discover_impl_ver, discover_impl_cpus" },
	{ ID_STD_BMAP, "3x", "trng" },
	{ ID_STD_BMAP, "0xZZ", "trng" },
	{ ID_STD_BMAP, "0x", "trng" },
	{ ID_STD_BMAP, "-1", "trng" },
	{ ID_STD_BMAP, "99999999999999999999", "trng" },
	{ ID_STD_BMAP, "1 ", "trng" },
	{ ID_STD_BMAP, "010", "hex with 0x" }, /* strtoull read it as octal 8 */
	{ ID_STD_BMAP, "0x10000000000000000", "trng" },
};

START_TEST(test_parse_services_refused)
{
	const struct fwreg_desc *desc = fwreg_find(bad_service_lists[_i].id);
	char why[WHY_LEN] = "";
	uint64_t value = 0xdead;
	int ret = fwreg_parse_services(desc, bad_service_lists[_i].list, &value, why, sizeof(why));

	ck_assert_msg(ret == -EINVAL && value == 0xdead,
		      "%s \"%s\": expected %d and the value untouched, got %d and 0x%llx",
		      desc->name, bad_service_lists[_i].list, -EINVAL, ret,
		      (unsigned long long)value);
	ck_assert_msg(strstr(why, bad_service_lists[_i].known),
		      "%s \"%s\": expected why to list \"%s\", got \"%s\"", desc->name,
		      bad_service_lists[_i].list, bad_service_lists[_i].known, why);
}
END_TEST

/* fwreg_format_value and fwreg_format_name */

static const struct {
	uint64_t id;
	uint64_t value;
	const char *text;
} formatted[] = {
	{ ID_PSCI_VERSION, 0x00010001, "1.1" },
	{ ID_PSCI_VERSION, 0x00000002, "0.2" },
	{ ID_PSCI_VERSION, 0x00010003, "1.3" },
	{ ID_WORKAROUND_1, 0, "0 (not available)" },
	{ ID_WORKAROUND_2, 1, "1 (not needed)" },
	{ ID_WORKAROUND_3, 2, "2 (mitigated)" },
	{ ID_WORKAROUND_1, 3, "0x3" }, /* a level the ABI does not define */
	{ ID_VENDOR_HYP_BMAP, 0x3, "0x3 (func_feat,ptp)" },
	{ ID_VENDOR_HYP_BMAP, 0x2, "0x2 (ptp)" },
	{ ID_VENDOR_HYP_BMAP, 0x0, "0x0 (none)" },
	{ ID_VENDOR_HYP_BMAP, 0x7, "0x7 (func_feat,ptp,unknown 0x4)" },
	{ ID_STD_BMAP, 0x1, "0x1 (trng)" },
	{ ID_STD_BMAP, 0x6, "0x6 (unknown 0x6)" },
	{ ID_STD_HYP_BMAP, 0x1, "0x1 (pv_time)" },
	{ ID_VENDOR_HYP_BMAP_2, 0x3, "0x3 (discover_impl_ver,discover_impl_cpus)" },
	{ 0x6030000000160004ULL, 0x5, "0x5 (unknown 0x5)" }, /* a bitmap vmm has no names for */
	{ 0x6030000000140004ULL, 0x5, "0x5" },
};

START_TEST(test_format_value)
{
	char buf[96];

	fwreg_format_value(formatted[_i].id, formatted[_i].value, buf, sizeof(buf));

	ck_assert_msg(!strcmp(buf, formatted[_i].text),
		      "format 0x%016llx = 0x%llx: expected \"%s\", got \"%s\"",
		      (unsigned long long)formatted[_i].id, (unsigned long long)formatted[_i].value,
		      formatted[_i].text, buf);
}
END_TEST

/* Every buffer length from 1 up: a prefix of the whole text, NUL-terminated, nothing past. */
#define WHOLE_BITMAP_TEXT "0x7 (func_feat,ptp,unknown 0x4)"

START_TEST(test_format_value_truncates)
{
	size_t len = _i + 1,
	       want = len - 1 < strlen(WHOLE_BITMAP_TEXT) ? len - 1 : strlen(WHOLE_BITMAP_TEXT);
	char *buf = malloc(len); /* exactly len bytes, so that ASan sees an overrun */

	fwreg_format_value(ID_VENDOR_HYP_BMAP, 0x7, buf, len);

	ck_assert_msg(strlen(buf) == want && !strncmp(buf, WHOLE_BITMAP_TEXT, want),
		      "format into %zu bytes: expected \"%.*s\", got \"%s\"", len, (int)want,
		      WHOLE_BITMAP_TEXT, buf);
	free(buf);
}
END_TEST

START_TEST(test_format_name_known)
{
	char buf[64];

	fwreg_format_name(ID_VENDOR_HYP_BMAP_2, buf, sizeof(buf));

	ck_assert_msg(!strcmp(buf, "VENDOR_HYP_BMAP_2"),
		      "name of 0x%016llx: expected VENDOR_HYP_BMAP_2, got %s",
		      (unsigned long long)ID_VENDOR_HYP_BMAP_2, buf);
}
END_TEST

START_TEST(test_format_name_unknown)
{
	char buf[64];

	fwreg_format_name(0x6030000000160004ULL, buf, sizeof(buf));

	ck_assert_msg(!strcmp(buf, "0x6030000000160004"),
		      "name of an unknown register: expected 0x6030000000160004, got %s", buf);
}
END_TEST

/* fwreg_each and fwreg_values_of: the one loop every listing goes through */

struct each_seen {
	char lines[4][160];
	unsigned int n;
};

static void each_line(void *ctx, const struct fwreg_value *reg, const struct fwreg_text *t,
		      bool last)
{
	struct each_seen *seen = ctx;

	ck_assert_uint_lt(seen->n, 4);
	snprintf(seen->lines[seen->n++], sizeof(seen->lines[0]), "%llx %s = %s%s",
		 (unsigned long long)reg->id, t->name, t->value, last ? " (last)" : "");
}

START_TEST(test_each_in_order)
{
	const struct fwreg_value regs[] = {
		{ ID_PSCI_VERSION, 0x00010001 },
		{ ID_WORKAROUND_3, 2 },
		{ 0x6030000000160004ULL, 7 },
	};
	struct each_seen seen = { .n = 0 };

	fwreg_each(regs, 3, each_line, &seen);
	ck_assert_uint_eq(seen.n, 3);
	ck_assert_str_eq(seen.lines[0], "6030000000140000 PSCI_VERSION = 1.1");
	ck_assert_str_eq(seen.lines[1], "6030000000140003 SMCCC_ARCH_WORKAROUND_3 = 2 (mitigated)");
	ck_assert_str_eq(seen.lines[2], "6030000000160004 0x6030000000160004 = 0x7 (unknown 0x7) (last)");
	seen.n = 0;
	fwreg_each(regs, 0, each_line, &seen);
	ck_assert_uint_eq(seen.n, 0);
}
END_TEST

START_TEST(test_values_of_picks_firmware)
{
	uint64_t psci = 0x00010001, bmap = 3, sysreg = 42;
	uint32_t core32 = 5;
	struct reg_value rv[] = {
		{ ID_TCR2_EL1, (uint8_t *)&sysreg, NULL },
		{ ID_PSCI_VERSION, (uint8_t *)&psci, NULL },
		{ 0x6020000000140001ULL, (uint8_t *)&core32, NULL }, /* coproc 0x14 but 4 bytes */
		{ ID_VENDOR_HYP_BMAP, (uint8_t *)&bmap, NULL },
	};
	struct reg_values regs = { 4, rv };
	struct fwreg_value out[4];

	ck_assert_uint_eq(fwreg_values_of(&regs, out, 4), 2);
	ck_assert_uint_eq(out[0].id, ID_PSCI_VERSION);
	ck_assert_uint_eq(out[0].value, 0x00010001);
	ck_assert_uint_eq(out[1].id, ID_VENDOR_HYP_BMAP);
	ck_assert_uint_eq(out[1].value, 3);
	ck_assert_uint_eq(fwreg_values_of(&regs, out, 1), 1);
}
END_TEST

/* fwreg_parse_id */

static const struct {
	const char *text;
	uint64_t id;
} parsed_ids[] = {
	{ "PSCI_VERSION", ID_PSCI_VERSION },
	{ "SMCCC_ARCH_WORKAROUND_2", ID_WORKAROUND_2 },
	{ "STD_BMAP", ID_STD_BMAP },
	{ "vendor_hyp_bmap_2", ID_VENDOR_HYP_BMAP_2 }, /* names in any case */
	{ "0x6030000000160003", ID_VENDOR_HYP_BMAP_2 },
	{ "0X6030000000140001", ID_WORKAROUND_1 },
	{ "6030000000160000", ID_STD_BMAP },		 /* hex without its 0x */
	{ "0x6030000000160004", 0x6030000000160004ULL }, /* any firmware ID, known or not */
};

START_TEST(test_parse_id)
{
	uint64_t id = 0;
	int ret = fwreg_parse_id(parsed_ids[_i].text, &id);

	ck_assert_msg(ret == 0 && id == parsed_ids[_i].id,
		      "fwreg_parse_id(\"%s\"): expected 0 and 0x%016llx, got %d and 0x%016llx",
		      parsed_ids[_i].text, (unsigned long long)parsed_ids[_i].id, ret,
		      (unsigned long long)id);
}
END_TEST

static const char *const bad_ids[] = {
	"0x603000000013c103",  /* TCR2_EL1: a system register */
	"0x6030000000100000",  /* X0 */
	"0x6030000000150000",  /* SVE */
	"0x16030000000160003", /* 17 digits: overflows */
	"",
	"0x",
	"STD",
	"PSCI",
	"KVM_REG_ARM_PSCI_VERSION",
	"0x6030000000160003 ",
	"0x6030000000160003=0",
	"psci",
};

START_TEST(test_parse_id_refused)
{
	uint64_t id = 0;
	int ret = fwreg_parse_id(bad_ids[_i], &id);

	ck_assert_msg(ret == -EINVAL, "fwreg_parse_id(\"%s\"): expected %d, got %d (0x%016llx)",
		      bad_ids[_i], -EINVAL, ret, (unsigned long long)id);
}
END_TEST

/*
 * strtoull takes a sign, so "-0x9fcfffffffe9fffd" wraps round to VENDOR_HYP_BMAP_2's ID.
 * Fails until fwreg_parse_id (vmm/firmware/fwregs.c) accepts hex digits only.
 */
START_TEST(test_parse_id_refuses_sign)
{
	uint64_t id = 0;
	int ret = fwreg_parse_id("-0x9fcfffffffe9fffd", &id);

	ck_assert_msg(ret == -EINVAL,
		      "fwreg_parse_id(\"-0x9fcfffffffe9fffd\"): expected %d, got %d "
		      "(0x%016llx)",
		      -EINVAL, ret, (unsigned long long)id);
}
END_TEST

/* fw_pins_config_set */

static struct fw_pins pins;
static char pin_why[WHY_LEN];

static void pins_setup(void)
{
	memset(&pins, 0, sizeof(pins));
	pins.psci_version = PSCI_VERSION_UNSET;
	pin_why[0] = '\0';
}

static int pin(const char *key, const char *value)
{
	return fw_pins_config_set(&pins, key, value, pin_why, sizeof(pin_why));
}

/* The value pinned for id, or ~0 when there is no pin. */
static uint64_t pinned(uint64_t id)
{
	const struct fw_pin *p = fw_pins_find(&pins, id);

	return p ? p->value : ~0ULL;
}

START_TEST(test_pin_psci)
{
	int ret = pin("psci", "1.0");

	ck_assert_msg(ret == 0 && pins.psci_version == PSCI_V(1, 0),
		      "psci = 1.0: expected 0 and 0x%x, got %d and 0x%x (%s)", PSCI_V(1, 0), ret,
		      pins.psci_version, pin_why);
}
END_TEST

START_TEST(test_pin_psci_is_not_a_register_pin)
{
	pin("psci", "0.2");

	ck_assert_msg(pins.nr == 0, "psci = 0.2: expected no register pin, got %u", pins.nr);
}
END_TEST

START_TEST(test_pin_psci_host)
{
	int ret = pin("psci", "1.1") | pin("psci", "host");

	ck_assert_msg(ret == 0 && pins.psci_version == PSCI_VERSION_UNSET,
		      "psci = 1.1 then host: expected 0 and 0x%x, got %d and 0x%x",
		      PSCI_VERSION_UNSET, ret, pins.psci_version);
}
END_TEST

START_TEST(test_pin_system_suspend)
{
	int ret = pin("system_suspend", "yes");

	ck_assert_msg(ret == 0 && pins.system_suspend,
		      "system_suspend = yes: expected 0 and true, got %d and %d", ret,
		      pins.system_suspend);
}
END_TEST

START_TEST(test_pin_system_suspend_off)
{
	int ret = pin("system_suspend", "on") | pin("system_suspend", "no");

	ck_assert_msg(ret == 0 && !pins.system_suspend,
		      "system_suspend = on then no: expected 0 and false, got %d and %d", ret,
		      pins.system_suspend);
}
END_TEST

/* One setting, and the one register pin it must leave. */
static const struct {
	const char *key;
	const char *value;
	uint64_t id;
	uint64_t pinned;
} pin_settings[] = {
	{ "std", "trng", ID_STD_BMAP, 0x1 },
	{ "std", "none", ID_STD_BMAP, 0 },
	{ "std_hyp", "pv_time", ID_STD_HYP_BMAP, 0x1 },
	{ "std_hyp", "0", ID_STD_HYP_BMAP, 0 },
	{ "vendor_hyp", "func_feat+ptp", ID_VENDOR_HYP_BMAP, 0x3 },
	{ "vendor_hyp", "func_feat", ID_VENDOR_HYP_BMAP, 0x1 },
	{ "vendor_hyp_2", "none", ID_VENDOR_HYP_BMAP_2, 0 },
	{ "vendor_hyp_2", "discover_impl_cpus", ID_VENDOR_HYP_BMAP_2, 0x2 },
	{ "reg.0x6030000000160003", "0", ID_VENDOR_HYP_BMAP_2, 0 },
	{ "reg.0x6030000000140001", "1", ID_WORKAROUND_1, 1 },
	{ "reg.SMCCC_ARCH_WORKAROUND_3", "0x2", ID_WORKAROUND_3, 2 },
	{ "reg.std_bmap", "1", ID_STD_BMAP, 1 },
	{ "reg.0x6030000000160004", "7", 0x6030000000160004ULL, 7 }, /* unknown to vmm */
	{ "reg", "0x6030000000160003=0", ID_VENDOR_HYP_BMAP_2, 0 },
	{ "reg", "VENDOR_HYP_BMAP=0x3", ID_VENDOR_HYP_BMAP, 3 },
	{ "reg", "0x6030000000140002=2", ID_WORKAROUND_2, 2 },
};

START_TEST(test_pin_setting)
{
	int ret = pin(pin_settings[_i].key, pin_settings[_i].value);

	ck_assert_msg(ret == 0 && pins.nr == 1 &&
			      pinned(pin_settings[_i].id) == pin_settings[_i].pinned,
		      "%s = %s: expected 0 and one pin 0x%016llx = 0x%llx, got %d, %u pins, 0x%llx "
		      "(%s)",
		      pin_settings[_i].key, pin_settings[_i].value,
		      (unsigned long long)pin_settings[_i].id,
		      (unsigned long long)pin_settings[_i].pinned, ret, pins.nr,
		      (unsigned long long)pinned(pin_settings[_i].id), pin_why);
}
END_TEST

START_TEST(test_pin_hypercalls_composite)
{
	int ret = pin("hypercalls", "std=trng,vendor_hyp=func_feat+ptp");

	ck_assert_msg(ret == 0 && pins.nr == 2 && pinned(ID_STD_BMAP) == 0x1 &&
			      pinned(ID_VENDOR_HYP_BMAP) == 0x3,
		      "hypercalls: expected STD_BMAP = 0x1 and VENDOR_HYP_BMAP = 0x3, got %d, %u "
		      "pins, 0x%llx and 0x%llx (%s)",
		      ret, pins.nr, (unsigned long long)pinned(ID_STD_BMAP),
		      (unsigned long long)pinned(ID_VENDOR_HYP_BMAP), pin_why);
}
END_TEST

/* KVM is given the pins in the order the user gave them. */
START_TEST(test_pin_hypercalls_keep_order)
{
	pin("hypercalls", "vendor_hyp=ptp,std_hyp=none,std=trng");

	ck_assert_msg(
		pins.nr == 3 && pins.pin[0].reg_id == ID_VENDOR_HYP_BMAP &&
			pins.pin[1].reg_id == ID_STD_HYP_BMAP && pins.pin[2].reg_id == ID_STD_BMAP,
		"pin order: expected VENDOR_HYP, STD_HYP, STD, got %u pins: 0x%llx 0x%llx "
		"0x%llx",
		pins.nr, (unsigned long long)pins.pin[0].reg_id,
		(unsigned long long)pins.pin[1].reg_id, (unsigned long long)pins.pin[2].reg_id);
}
END_TEST

START_TEST(test_pin_replaced)
{
	int ret = pin("vendor_hyp", "func_feat+ptp") | pin("reg", "0x6030000000160002=1");

	ck_assert_msg(ret == 0 && pins.nr == 1 && pinned(ID_VENDOR_HYP_BMAP) == 0x1,
		      "vendor_hyp twice: expected one pin of 0x1, got %d, %u pins, 0x%llx", ret,
		      pins.nr, (unsigned long long)pinned(ID_VENDOR_HYP_BMAP));
}
END_TEST

/* Registers 0x6030000000140010 and up: firmware IDs, so pinnable, and all distinct. */
static void pin_many(unsigned int n)
{
	char key[64];
	unsigned int i;
	int ret;

	for (i = 0; i < n; i++) {
		snprintf(key, sizeof(key), "reg.0x%llx", 0x6030000000140010ULL + i);
		ret = pin(key, "1");
		ck_assert_msg(ret == 0, "%s = 1 (pin %u): expected 0, got %d (%s)", key, i + 1, ret,
			      pin_why);
	}
}

START_TEST(test_pins_fill_up)
{
	pin_many(FW_PINS_MAX);

	ck_assert_msg(pins.nr == FW_PINS_MAX, "expected %d pins, got %u", FW_PINS_MAX, pins.nr);
}
END_TEST

START_TEST(test_pins_overflow_refused)
{
	int ret;

	pin_many(FW_PINS_MAX);
	ret = pin("std", "trng");

	ck_assert_msg(ret == -ENOSPC && pins.nr == FW_PINS_MAX,
		      "pin %d: expected %d and %d pins, got %d and %u pins", FW_PINS_MAX + 1,
		      -ENOSPC, FW_PINS_MAX, ret, pins.nr);
	ck_assert_msg(strstr(pin_why, "16"), "why: expected it to give the limit 16, got \"%s\"",
		      pin_why);
}
END_TEST

START_TEST(test_pins_full_still_replace)
{
	int ret;

	pin_many(FW_PINS_MAX);
	ret = pin("reg.0x6030000000140010", "0");

	ck_assert_msg(ret == 0 && pinned(0x6030000000140010ULL) == 0,
		      "replacing a pin when full: expected 0 and value 0, got %d and 0x%llx", ret,
		      (unsigned long long)pinned(0x6030000000140010ULL));
}
END_TEST

/* Settings refused: the error, and a why that says what would do. */
static const struct {
	const char *key;
	const char *value;
	int ret;
	const char *why; /* a part of it */
} bad_pins[] = {
	{ "psci", "1.4", -EINVAL, "1.3" },
	{ "psci", "", -EINVAL, "host" },
	{ "system_suspend", "maybe", -EINVAL, "yes or no" },
	{ "std", "ptp", -EINVAL, "trng" },
	{ "vendor_hyp", "func_feat,bogus", -EINVAL, "func_feat, ptp" },
	{ "hypercalls", "std", -EINVAL, "KEY=SERVICES" },
	{ "hypercalls", "psci=1.1", -EINVAL, "vendor_hyp_2" },
	{ "hypercalls", "bogus=trng", -EINVAL, "std, std_hyp" },
	{ "hypercalls", "std=ptp", -EINVAL, "trng" },
	{ "hypercalls", "vendor_hyp=func_feat,ptp", -EINVAL, "KEY=SERVICES" },
	{ "reg", "0x6030000000160003", -EINVAL, "ID=VALUE" },
	{ "reg", "0x603000000013c103=0", -EINVAL, "not a 64-bit firmware register" },
	{ "reg", "PSCI_VERSION=0x10001", -EINVAL, "psci = VERSION" },
	{ "reg", "0x6030000000160003=", -EINVAL, "need an unsigned number" },
	{ "reg", "0x6030000000160003=trng", -EINVAL, "need an unsigned number" },
	{ "reg", "0x6030000000160003=1x", -EINVAL, "need an unsigned number" },
	/* strtoull took a sign, blanks and octal: -1 became 2^64-1, 010 became 8. */
	{ "reg", "0x6030000000160003=-1", -EINVAL, "fits in 64 bits" },
	{ "reg", "0x6030000000160003= 1", -EINVAL, "need an unsigned number" },
	{ "reg", "0x6030000000160003=+1", -EINVAL, "need an unsigned number" },
	{ "reg", "0x6030000000160003=010", -EINVAL, "hex with 0x" },
	{ "reg", "0x6030000000160003=0x10000000000000000", -EINVAL, "fits in 64 bits" },
	{ "reg.0x6030000000160003", "-1", -EINVAL, "need an unsigned number" },
	{ "reg.0x6030000000140000", "0x10001", -EINVAL, "psci = VERSION" },
	{ "reg.0x6020000000140005", "0", -EINVAL, "64-bit" }, /* a 32-bit ID */
	{ "reg.0x6030000000100000", "0", -EINVAL, "coproc 0x14 or 0x16" },
	{ "reg.", "0", -EINVAL, "not a 64-bit firmware register" },
	{ "reg.bogus", "0", -EINVAL, "'bogus'" },
	{ "workaround_1", "1", -ENOENT, "unknown key 'workaround_1'" },
	{ "cpus", "2", -ENOENT, "[firmware]" },
};

START_TEST(test_pin_refused)
{
	int ret = pin(bad_pins[_i].key, bad_pins[_i].value);

	ck_assert_msg(ret == bad_pins[_i].ret, "%s = %s: expected %d, got %d (%s)",
		      bad_pins[_i].key, bad_pins[_i].value, bad_pins[_i].ret, ret, pin_why);
	ck_assert_msg(strstr(pin_why, bad_pins[_i].why),
		      "%s = %s: expected why with \"%s\", got \"%s\"", bad_pins[_i].key,
		      bad_pins[_i].value, bad_pins[_i].why, pin_why);
}
END_TEST

START_TEST(test_pin_refused_leaves_no_pin)
{
	pin("reg", "0x603000000013c103=0");

	ck_assert_msg(pins.nr == 0, "a refused reg: expected no pin, got %u", pins.nr);
}
END_TEST

/* The [firmware] section of a config file, and vmm run's options */

static struct vm_config cfg;
static char ini_path[sizeof(TEMP_PATH_TEMPLATE)];
static char last_stderr[2048];
static const struct cli_capture capture = { &cfg, ini_path, last_stderr, sizeof(last_stderr),
					    NULL, 0 };

static void config_setup(void)
{
	config_init(&cfg);
	ini_path[0] = '\0';
	last_stderr[0] = '\0';
}

static void config_teardown(void)
{
	config_free(&cfg);
	if (ini_path[0])
		unlink(ini_path);
}

static int load_ini(const char *text)
{
	return cli_capture_load_ini(&capture, text);
}

/* `vmm run ARGS...`, NULL-terminated; "@INI" stands for the config file of load_ini's kind. */
#define run_cli(...) cli_capture_run(&capture, __VA_ARGS__)

static uint64_t cfg_pinned(uint64_t id)
{
	const struct fw_pin *p = fw_pins_find(&cfg.fw, id);

	return p ? p->value : ~0ULL;
}

static const char firmware_ini[] = "[machine]\n"
				   "kernel = /boot/Image\n"
				   "[firmware]\n"
				   "psci = 1.0\n"
				   "system_suspend = yes\n"
				   "std = trng\n"
				   "vendor_hyp = func_feat, ptp\n"
				   "reg.0x6030000000160003 = 0\n"
				   "reg.SMCCC_ARCH_WORKAROUND_1 = 1\n";

START_TEST(test_ini_firmware_loads)
{
	int ret = load_ini(firmware_ini);

	ck_assert_msg(ret == 0, "[firmware]: expected 0, got %d (%s)", ret, last_stderr);
}
END_TEST

START_TEST(test_ini_firmware_psci_and_suspend)
{
	load_ini(firmware_ini);

	ck_assert_msg(cfg.fw.psci_version == PSCI_V(1, 0) && cfg.fw.system_suspend,
		      "psci = 1.0, system_suspend = yes: expected 0x%x and true, got 0x%x and %d",
		      PSCI_V(1, 0), cfg.fw.psci_version, cfg.fw.system_suspend);
}
END_TEST

/* The register pins the file above leaves, in its order. */
static const struct fw_pin firmware_ini_pins[] = {
	{ ID_STD_BMAP, 0x1 },
	{ ID_VENDOR_HYP_BMAP, 0x3 },
	{ ID_VENDOR_HYP_BMAP_2, 0 },
	{ ID_WORKAROUND_1, 1 },
};

START_TEST(test_ini_firmware_pins)
{
	const struct fw_pin *want = &firmware_ini_pins[_i];

	load_ini(firmware_ini);

	ck_assert_msg(cfg.fw.nr == ARRAY_SIZE(firmware_ini_pins) &&
			      cfg.fw.pin[_i].reg_id == want->reg_id &&
			      cfg.fw.pin[_i].value == want->value,
		      "pin %d of %zu: expected 0x%016llx = 0x%llx, got %u pins, 0x%016llx = 0x%llx",
		      _i, ARRAY_SIZE(firmware_ini_pins), (unsigned long long)want->reg_id,
		      (unsigned long long)want->value, cfg.fw.nr,
		      (unsigned long long)cfg.fw.pin[_i].reg_id,
		      (unsigned long long)cfg.fw.pin[_i].value);
}
END_TEST

START_TEST(test_ini_firmware_bad_value_by_line)
{
	char where[64];
	int ret;

	ret = load_ini("[firmware]\npsci = 1.1\nstd = ptp\n");
	snprintf(where, sizeof(where), "%s:3: std = ptp: ", ini_path);

	ck_assert_msg(ret == -EINVAL && strstr(last_stderr, where) && strstr(last_stderr, "trng"),
		      "std = ptp: expected %d and \"%s...trng...\", got %d and \"%s\"", -EINVAL,
		      where, ret, last_stderr);
}
END_TEST

START_TEST(test_ini_firmware_unknown_key)
{
	int ret = load_ini("[firmware]\nworkaround_1 = 1\n");

	ck_assert_msg(ret == -EINVAL && strstr(last_stderr, "workaround_1"),
		      "unknown [firmware] key: expected %d and its name, got %d and \"%s\"",
		      -EINVAL, ret, last_stderr);
}
END_TEST

START_TEST(test_cli_firmware_options)
{
	enum cli_result res = run_cli(
		"--psci", "1.1", "--hypercalls", "std=trng,vendor_hyp=func_feat+ptp", "--fw-reg",
		"0x6030000000160003=0", "--system-suspend", "yes", "Image", NULL);

	ck_assert_msg(res == CLI_RUN, "firmware options: expected CLI_RUN (%d), got %d (%s)",
		      CLI_RUN, res, last_stderr);
	ck_assert_msg(cfg.fw.psci_version == PSCI_V(1, 1) && cfg.fw.system_suspend &&
			      cfg.fw.nr == 3 && cfg_pinned(ID_STD_BMAP) == 0x1 &&
			      cfg_pinned(ID_VENDOR_HYP_BMAP) == 0x3 &&
			      cfg_pinned(ID_VENDOR_HYP_BMAP_2) == 0,
		      "expected psci 0x%x, suspend, STD 0x1, VENDOR_HYP 0x3, VENDOR_HYP_2 0; got "
		      "0x%x, %d, %u pins: 0x%llx, 0x%llx, 0x%llx",
		      PSCI_V(1, 1), cfg.fw.psci_version, cfg.fw.system_suspend, cfg.fw.nr,
		      (unsigned long long)cfg_pinned(ID_STD_BMAP),
		      (unsigned long long)cfg_pinned(ID_VENDOR_HYP_BMAP),
		      (unsigned long long)cfg_pinned(ID_VENDOR_HYP_BMAP_2));
}
END_TEST

START_TEST(test_cli_fw_reg_by_name)
{
	enum cli_result res = run_cli("--fw-reg=SMCCC_ARCH_WORKAROUND_2=1", "Image", NULL);

	ck_assert_msg(res == CLI_RUN && cfg_pinned(ID_WORKAROUND_2) == 1,
		      "--fw-reg=SMCCC_ARCH_WORKAROUND_2=1: expected CLI_RUN and 1, got %d and "
		      "0x%llx (%s)",
		      res, (unsigned long long)cfg_pinned(ID_WORKAROUND_2), last_stderr);
}
END_TEST

START_TEST(test_cli_hypercalls_over_config)
{
	static const char ini[] = "[firmware]\nstd = trng\nvendor_hyp = ptp\n";
	enum cli_result res;

	temp_file_create(ini_path, ini, strlen(ini));
	res = run_cli("--config", "@INI", "--hypercalls", "std=none", "Image", NULL);

	ck_assert_msg(res == CLI_RUN && cfg.fw.nr == 2 && cfg_pinned(ID_STD_BMAP) == 0 &&
			      cfg_pinned(ID_VENDOR_HYP_BMAP) == 0x2,
		      "std = trng in the file, --hypercalls std=none: expected STD 0 and "
		      "VENDOR_HYP 0x2 kept, got %d, %u pins, 0x%llx and 0x%llx (%s)",
		      res, cfg.fw.nr, (unsigned long long)cfg_pinned(ID_STD_BMAP),
		      (unsigned long long)cfg_pinned(ID_VENDOR_HYP_BMAP), last_stderr);
}
END_TEST

/* Refused options: CLI_INVALID, one line naming the option and saying what would do. */
static const struct {
	const char *option;
	const char *value;
	const char *said; /* a part of the error line */
} bad_options[] = {
	{ "--psci", "1.4", "--psci 1.4: need one of" },
	{ "--hypercalls", "std=ptp", "trng" },
	{ "--hypercalls", "trng", "KEY=SERVICES" },
	{ "--fw-reg", "0x603000000013c103=0", "not a 64-bit firmware register" },
	{ "--fw-reg", "PSCI_VERSION=0x10001", "psci = VERSION" },
	{ "--fw-reg", "0x6030000000160003", "ID=VALUE" },
	{ "--system-suspend", "maybe", "yes or no" },
};

START_TEST(test_cli_firmware_refused)
{
	enum cli_result res = run_cli(bad_options[_i].option, bad_options[_i].value, "Image", NULL);

	ck_assert_msg(res == CLI_INVALID, "%s %s: expected CLI_INVALID (%d), got %d",
		      bad_options[_i].option, bad_options[_i].value, CLI_INVALID, res);
	ck_assert_msg(count_lines(last_stderr) == 1 && strstr(last_stderr, bad_options[_i].said),
		      "%s %s: expected one line with \"%s\", got \"%s\"", bad_options[_i].option,
		      bad_options[_i].value, bad_options[_i].said, last_stderr);
}
END_TEST

Suite *firmware_suite(void)
{
	Suite *s = suite_create("firmware");
	TCase *table = tcase_create("fwregs");
	TCase *services = tcase_create("services");
	TCase *format = tcase_create("format");
	TCase *ids = tcase_create("parse_id");
	TCase *pin_tc = tcase_create("pins");
	TCase *config = tcase_create("config");

	tcase_add_loop_test(table, test_find_by_id, 0, ARRAY_SIZE(known_regs));
	tcase_add_loop_test(table, test_find_key, 0, ARRAY_SIZE(known_keys));
	tcase_add_test(table, test_table_has_nothing_else);
	tcase_add_loop_test(table, test_find_unknown_id, 0, ARRAY_SIZE(unknown_ids));
	tcase_add_loop_test(table, test_find_key_unknown, 0, ARRAY_SIZE(unknown_keys));
	tcase_add_loop_test(table, test_is_firmware, 0, ARRAY_SIZE(firmware_ids));

	tcase_add_loop_test(services, test_parse_services, 0, ARRAY_SIZE(service_lists));
	tcase_add_loop_test(services, test_parse_services_refused, 0,
			    ARRAY_SIZE(bad_service_lists));

	tcase_add_loop_test(format, test_format_value, 0, ARRAY_SIZE(formatted));
	tcase_add_loop_test(format, test_format_value_truncates, 0, sizeof(WHOLE_BITMAP_TEXT) + 4);
	tcase_add_test(format, test_format_name_known);
	tcase_add_test(format, test_format_name_unknown);
	tcase_add_test(format, test_each_in_order);
	tcase_add_test(format, test_values_of_picks_firmware);

	tcase_add_loop_test(ids, test_parse_id, 0, ARRAY_SIZE(parsed_ids));
	tcase_add_loop_test(ids, test_parse_id_refused, 0, ARRAY_SIZE(bad_ids));
	tcase_add_test(ids, test_parse_id_refuses_sign);

	tcase_add_checked_fixture(pin_tc, pins_setup, NULL);
	tcase_add_test(pin_tc, test_pin_psci);
	tcase_add_test(pin_tc, test_pin_psci_is_not_a_register_pin);
	tcase_add_test(pin_tc, test_pin_psci_host);
	tcase_add_test(pin_tc, test_pin_system_suspend);
	tcase_add_test(pin_tc, test_pin_system_suspend_off);
	tcase_add_loop_test(pin_tc, test_pin_setting, 0, ARRAY_SIZE(pin_settings));
	tcase_add_test(pin_tc, test_pin_hypercalls_composite);
	tcase_add_test(pin_tc, test_pin_hypercalls_keep_order);
	tcase_add_test(pin_tc, test_pin_replaced);
	tcase_add_test(pin_tc, test_pins_fill_up);
	tcase_add_test(pin_tc, test_pins_overflow_refused);
	tcase_add_test(pin_tc, test_pins_full_still_replace);
	tcase_add_loop_test(pin_tc, test_pin_refused, 0, ARRAY_SIZE(bad_pins));
	tcase_add_test(pin_tc, test_pin_refused_leaves_no_pin);

	tcase_add_checked_fixture(config, config_setup, config_teardown);
	tcase_add_test(config, test_ini_firmware_loads);
	tcase_add_test(config, test_ini_firmware_psci_and_suspend);
	tcase_add_loop_test(config, test_ini_firmware_pins, 0, ARRAY_SIZE(firmware_ini_pins));
	tcase_add_test(config, test_ini_firmware_bad_value_by_line);
	tcase_add_test(config, test_ini_firmware_unknown_key);
	tcase_add_test(config, test_cli_firmware_options);
	tcase_add_test(config, test_cli_fw_reg_by_name);
	tcase_add_test(config, test_cli_hypercalls_over_config);
	tcase_add_loop_test(config, test_cli_firmware_refused, 0, ARRAY_SIZE(bad_options));

	suite_add_tcase(s, table);
	suite_add_tcase(s, services);
	suite_add_tcase(s, format);
	suite_add_tcase(s, ids);
	suite_add_tcase(s, pin_tc);
	suite_add_tcase(s, config);
	return s;
}
