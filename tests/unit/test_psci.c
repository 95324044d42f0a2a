// SPDX-License-Identifier: GPL-2.0
/* psci_version_parse: every version KVM has implemented, and nothing else. */
#include <errno.h>

#include "base/util.h"
#include "firmware/psci.h"
#include "suites.h"

static const struct {
	const char *text;
	uint32_t version;
} versions[] = {
	{ "0.1", 0x00000001 }, { "0.2", 0x00000002 }, { "1.0", 0x00010000 },
	{ "1.1", 0x00010001 }, { "1.2", 0x00010002 }, { "1.3", 0x00010003 },
};

START_TEST(test_version_parses)
{
	uint32_t version = 0xdeadbeef;
	int ret = psci_version_parse(versions[_i].text, &version);

	ck_assert_msg(ret == 0 && version == versions[_i].version,
		      "psci_version_parse(\"%s\"): expected 0 and 0x%08x, got %d and 0x%08x",
		      versions[_i].text, versions[_i].version, ret, version);
}
END_TEST

START_TEST(test_version_macros)
{
	uint32_t v = PSCI_V(1, 3);

	ck_assert_msg(PSCI_V_MAJOR(v) == 1 && PSCI_V_MINOR(v) == 3,
		      "PSCI_V(1, 3): expected major 1 minor 3, got %u.%u", PSCI_V_MAJOR(v),
		      PSCI_V_MINOR(v));
}
END_TEST

static const char *const bad_versions[] = { "1.4",  "2",    "",	    "0.3",  "1",   "1.10",
					    "01.1", "1.1 ", " 1.1", "v1.1", "2.0", "host" };

START_TEST(test_version_rejected)
{
	uint32_t version = 0xdeadbeef;
	int ret = psci_version_parse(bad_versions[_i], &version);

	ck_assert_msg(ret == -EINVAL, "psci_version_parse(\"%s\"): expected %d, got %d",
		      bad_versions[_i], -EINVAL, ret);
	ck_assert_msg(version == 0xdeadbeef, "psci_version_parse(\"%s\") failed but wrote 0x%x",
		      bad_versions[_i], version);
}
END_TEST

Suite *psci_suite(void)
{
	Suite *s = suite_create("psci");
	TCase *parse = tcase_create("version_parse");

	tcase_add_loop_test(parse, test_version_parses, 0, ARRAY_SIZE(versions));
	tcase_add_test(parse, test_version_macros);
	tcase_add_loop_test(parse, test_version_rejected, 0, ARRAY_SIZE(bad_versions));
	suite_add_tcase(s, parse);
	return s;
}
