// SPDX-License-Identifier: GPL-2.0
/*
 * `vmm restore`'s command line (restore_args_parse) and how its --disk
 * overrides meet the snapshot's devices (virtio_specs_override): the n-th
 * --disk replaces the n-th saved disk's path and nothing else.
 */
#include <errno.h>
#include <stdarg.h>

#include "base/config.h"
#include "base/exit.h"
#include "board/virtio_devices.h"
#include "cmd/restore_args.h"
#include "helpers.h"
#include "suites.h"

static struct vm_config cfg;
static struct restore_args args;
static char last_stderr[2048];

static void restore_setup(void)
{
	config_init(&cfg);
	args = (struct restore_args){ 0 };
	last_stderr[0] = '\0';
}

static void restore_teardown(void)
{
	config_free(&cfg);
}

/* `vmm restore ARGS...`, NULL-terminated; stderr lands in last_stderr, stdout is dropped. */
static int __attribute__((sentinel)) parse(const char *arg, ...)
{
	struct output_capture out, err;
	char *argv[16] = { "restore" };
	int argc = 1, ret;
	va_list ap;

	va_start(ap, arg);
	for (; arg; arg = va_arg(ap, const char *)) {
		ck_assert_msg(argc < 15, "parse: more than 14 arguments");
		argv[argc++] = (char *)arg;
	}
	va_end(ap);
	output_capture_begin(&out, STDOUT_FILENO);
	output_capture_begin(&err, STDERR_FILENO);
	ret = restore_args_parse(argc, argv, &cfg, &args);
	snprintf(last_stderr, sizeof(last_stderr), "%s", output_capture_end(&err));
	output_capture_end(&out);
	return ret;
}

static void assert_refused(int got, const char *needle)
{
	ck_assert_msg(got == VMM_EXIT_USAGE, "expected VMM_EXIT_USAGE (%d), got %d (stderr: %s)",
		      VMM_EXIT_USAGE, got, last_stderr);
	ck_assert_msg(count_lines(last_stderr) == 1, "expected one line on stderr, got: %s",
		      last_stderr);
	ck_assert_msg(strstr(last_stderr, needle), "expected stderr to name '%s', got: %s", needle,
		      last_stderr);
}

START_TEST(test_no_disk)
{
	int ret = parse("snap.vmm", "--check", NULL);

	ck_assert_msg(ret == 0, "expected 0, got %d (stderr: %s)", ret, last_stderr);
	ck_assert_str_eq(args.path, "snap.vmm");
	ck_assert_msg(args.check, "expected --check set");
	ck_assert_msg(cfg.nr_disks == 0, "expected no disks, got %u", cfg.nr_disks);
}
END_TEST

START_TEST(test_disks_in_order)
{
	int ret = parse("--disk", "/a.img", "snap.vmm", "--disk=/b.img", NULL);

	ck_assert_msg(ret == 0, "expected 0, got %d (stderr: %s)", ret, last_stderr);
	ck_assert_str_eq(args.path, "snap.vmm");
	ck_assert_msg(cfg.nr_disks == 2, "expected 2 disks, got %u", cfg.nr_disks);
	ck_assert_str_eq(cfg.disks[0].path, "/a.img");
	ck_assert_str_eq(cfg.disks[1].path, "/b.img");
}
END_TEST

START_TEST(test_disk_options_refused)
{
	static const char *const words[] = { "/a.img,ro", "/a.img,serial=x",
					     "/a.img,cache=none", "/a.img," };
	unsigned int i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		restore_teardown();
		restore_setup();
		assert_refused(parse("snap.vmm", "--disk", words[i], NULL), "takes only PATH");
	}
}
END_TEST

START_TEST(test_disk_empty_refused)
{
	assert_refused(parse("snap.vmm", "--disk", "", NULL), "--disk");
}
END_TEST

START_TEST(test_disk_without_value)
{
	assert_refused(parse("snap.vmm", "--disk", NULL), "--disk needs a value");
}
END_TEST

START_TEST(test_too_many_disks)
{
	char name[24];
	int i, ret = 0;

	for (i = 0; i < CONFIG_MAX_DISKS && !ret; i++) {
		snprintf(name, sizeof(name), "--disk=/%d", i);
		ret = parse("snap.vmm", name, NULL);
	}
	ck_assert_msg(ret == 0, "expected %d disks taken, got %d (stderr: %s)", CONFIG_MAX_DISKS,
		      ret, last_stderr);
	assert_refused(parse("snap.vmm", "--disk", "/one-more", NULL), "--disk /one-more");
}
END_TEST

START_TEST(test_two_files_refused)
{
	assert_refused(parse("a.vmm", "b.vmm", NULL), "exactly one snapshot FILE");
}
END_TEST

START_TEST(test_help)
{
	int ret = parse("--help", NULL);

	ck_assert_msg(ret == -1, "expected -1 after --help, got %d", ret);
}
END_TEST

/* Two saved disks with settings, a network and the RNG, as a snapshot's config holds them. */
static void saved_specs(struct virtio_specs *specs)
{
	struct vm_config saved;
	char why[160];

	config_init(&saved);
	ck_assert_int_eq(config_add_disk(&saved, "/saved0.img,ro,serial=s0", why, sizeof(why)), 0);
	ck_assert_int_eq(config_add_disk(&saved, "/saved1.img,cache=none", why, sizeof(why)), 0);
	ck_assert_int_eq(virtio_specs_from_config(&saved, specs), 0);
	config_free(&saved);
}

static void assert_param(const struct virtio_spec *spec, const char *key, const char *want)
{
	const char *got = virtio_spec_get(spec, key);

	ck_assert_msg(got && !strcmp(got, want), "slot %u %s: expected '%s', got '%s'", spec->slot,
		      key, want, got ? got : "(none)");
}

START_TEST(test_override_replaces_path_only)
{
	struct virtio_specs specs;
	int ret;

	saved_specs(&specs);
	ck_assert_int_eq(parse("snap.vmm", "--disk", "/new0.img", "--disk", "/new1.img", NULL), 0);
	ret = virtio_specs_override(&specs, &cfg);
	ck_assert_msg(ret == 0, "virtio_specs_override: expected 0, got %d", ret);
	assert_param(&specs.dev[0], "path", "/new0.img");
	assert_param(&specs.dev[0], "ro", "on");
	assert_param(&specs.dev[0], "serial", "s0");
	assert_param(&specs.dev[1], "path", "/new1.img");
	assert_param(&specs.dev[1], "cache", "none");
	ck_assert_msg(specs.dev[0].nr_params == 4 && specs.dev[1].nr_params == 3,
		      "expected 4 and 3 settings kept, got %u and %u", specs.dev[0].nr_params,
		      specs.dev[1].nr_params);
}
END_TEST

START_TEST(test_override_first_disk_only)
{
	struct virtio_specs specs;

	saved_specs(&specs);
	ck_assert_int_eq(parse("snap.vmm", "--disk", "/new0.img", NULL), 0);
	ck_assert_int_eq(virtio_specs_override(&specs, &cfg), 0);
	assert_param(&specs.dev[0], "path", "/new0.img");
	assert_param(&specs.dev[1], "path", "/saved1.img");
}
END_TEST

START_TEST(test_override_more_disks_than_saved)
{
	struct output_capture err;
	struct virtio_specs specs;
	const char *text;
	int ret;

	saved_specs(&specs);
	ck_assert_int_eq(parse("snap.vmm", "--disk=/a", "--disk=/b", "--disk=/c", NULL), 0);
	output_capture_begin(&err, STDERR_FILENO);
	ret = virtio_specs_override(&specs, &cfg);
	text = output_capture_end(&err);
	ck_assert_msg(ret == -EINVAL, "expected -EINVAL, got %d", ret);
	ck_assert_msg(count_lines(text) == 1 && strstr(text, "--disk 3"),
		      "expected one line naming --disk 3, got: %s", text);
	assert_param(&specs.dev[1], "path", "/b");
}
END_TEST

Suite *restore_args_suite(void)
{
	Suite *s = suite_create("restore_args");
	TCase *parsing = tcase_create("parsing");
	TCase *override = tcase_create("override");

	tcase_add_checked_fixture(parsing, restore_setup, restore_teardown);
	tcase_add_checked_fixture(override, restore_setup, restore_teardown);
	tcase_add_test(parsing, test_no_disk);
	tcase_add_test(parsing, test_disks_in_order);
	tcase_add_test(parsing, test_disk_options_refused);
	tcase_add_test(parsing, test_disk_empty_refused);
	tcase_add_test(parsing, test_disk_without_value);
	tcase_add_test(parsing, test_too_many_disks);
	tcase_add_test(parsing, test_two_files_refused);
	tcase_add_test(parsing, test_help);
	tcase_add_test(override, test_override_replaces_path_only);
	tcase_add_test(override, test_override_first_disk_only);
	tcase_add_test(override, test_override_more_disks_than_saved);
	suite_add_tcase(s, parsing);
	suite_add_tcase(s, override);
	return s;
}
