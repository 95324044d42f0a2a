// SPDX-License-Identifier: GPL-2.0
/* parse_size, parse_uint, parse_bool and input_file. */
#include <errno.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <limits.h>

#include "base/util.h"
#include "helpers.h"
#include "suites.h"

static const struct {
	const char *text;
	uint64_t bytes;
} good_sizes[] = {
	{ "512M", 512ULL << 20 }, { "2G", 2ULL << 30 },
	{ "64K", 64ULL << 10 },	  { "512", 512ULL << 20 },
	{ "1GiB", 1ULL << 30 },	  { "256MB", 256ULL << 20 },
	{ "16m", 16ULL << 20 },	  { "3g", 3ULL << 30 },
	{ "4KiB", 4096 },	  { "0", 0 },
	{ "10M", 10ULL << 20 },	  { "1024K", 1ULL << 20 },
};

START_TEST(test_parse_size_accepts)
{
	uint64_t bytes = 0xdeadbeef;
	int ret = parse_size(good_sizes[_i].text, &bytes);

	ck_assert_msg(ret == 0, "parse_size(\"%s\"): expected 0, got %d", good_sizes[_i].text, ret);
	ck_assert_msg(bytes == good_sizes[_i].bytes, "parse_size(\"%s\"): expected %llu, got %llu",
		      good_sizes[_i].text, (unsigned long long)good_sizes[_i].bytes,
		      (unsigned long long)bytes);
}
END_TEST

static const char *const bad_sizes[] = {
	"",
	"-1",
	"12Q",
	"M",
	"K",
	"iB",
	"1iB",
	"512 ",
	"1MiBx",
	"2GB2",
	"99999999999999999999", /* beyond unsigned long long */
	"17179869184G",		/* 2^34 GiB: shifts out of 64 bits */
	"18446744073709551615", /* MiB by default, so it overflows too */
	" 512",			/* strtoull skips blanks */
	"+512",			/* and takes a sign */
	"0512M",		/* a leading zero: decimal or refused, never octal */
	"0x200M",		/* sizes are decimal */
	"512\n",
};

START_TEST(test_parse_size_rejects)
{
	uint64_t bytes = 0xdeadbeef;
	int ret = parse_size(bad_sizes[_i], &bytes);

	ck_assert_msg(ret < 0, "parse_size(\"%s\"): expected a negative errno, got %d",
		      bad_sizes[_i], ret);
	ck_assert_msg(bytes == 0xdeadbeef, "parse_size(\"%s\") failed but wrote %llu",
		      bad_sizes[_i], (unsigned long long)bytes);
}
END_TEST

START_TEST(test_parse_size_rejects_null)
{
	uint64_t bytes;
	int ret = parse_size(NULL, &bytes);

	ck_assert_msg(ret == -EINVAL, "parse_size(NULL): expected %d, got %d", -EINVAL, ret);
}
END_TEST

START_TEST(test_parse_size_largest)
{
	uint64_t bytes = 0;
	int ret = parse_size("17179869183G", &bytes);

	ck_assert_msg(ret == 0 && bytes == 17179869183ULL << 30,
		      "parse_size(\"17179869183G\"): expected 0 and %llu, got %d and %llu",
		      17179869183ULL << 30, ret, (unsigned long long)bytes);
}
END_TEST

START_TEST(test_parse_uint_decimal)
{
	unsigned long a = 0, z = 7;
	int ret = parse_uint("42", 100, &a) | parse_uint("0", 100, &z);

	ck_assert_msg(ret == 0 && a == 42 && z == 0,
		      "parse_uint: expected 42 and 0, got %lu and %lu (ret %d)", a, z, ret);
}
END_TEST

START_TEST(test_parse_uint_max_is_inclusive)
{
	unsigned long n = 0;
	int ret = parse_uint("123", 123, &n);

	ck_assert_msg(ret == 0 && n == 123,
		      "parse_uint(\"123\", max 123): expected 123, got %d/%lu", ret, n);
}
END_TEST

START_TEST(test_parse_uint_above_max)
{
	unsigned long n = 7;
	int ret = parse_uint("124", 123, &n);

	ck_assert_msg(ret == -ERANGE, "parse_uint(\"124\", max 123): expected %d, got %d", -ERANGE,
		      ret);
	ck_assert_msg(n == 7, "parse_uint failed but wrote %lu", n);
}
END_TEST

/* --cpus 010 gave 8 vCPUs and --cpus 0x10 gave 16: counts are decimal only. */
static const char *const bad_uints[] = {
	"", "-1", "3x", "x3", "1.5", " ", "010", "0x10", "00", " 4", "+4", "4 ", "4\n",
};

START_TEST(test_parse_uint_rejects)
{
	unsigned long n = 7;
	int ret = parse_uint(bad_uints[_i], 1000, &n);

	ck_assert_msg(ret == -EINVAL && n == 7,
		      "parse_uint(\"%s\"): expected %d and the value untouched, got %d and %lu",
		      bad_uints[_i], -EINVAL, ret, n);
}
END_TEST

START_TEST(test_parse_uint_beyond_64_bits)
{
	unsigned long n = 7;
	int ret = parse_uint("99999999999999999999999", ULONG_MAX, &n);

	ck_assert_msg(ret == -ERANGE && n == 7,
		      "parse_uint(99999999999999999999999): expected %d, got %d and %lu", -ERANGE,
		      ret, n);
}
END_TEST

static const struct {
	const char *text;
	uint64_t value;
} good_u64s[] = {
	{ "0", 0 },
	{ "42", 42 },
	{ "0x10", 16 },
	{ "0XfF", 255 },
	{ "0x6030000000160003", 0x6030000000160003ULL },
	{ "18446744073709551615", UINT64_MAX },
	{ "0xffffffffffffffff", UINT64_MAX },
};

START_TEST(test_parse_u64_accepts)
{
	uint64_t v = 7;
	int ret = parse_u64(good_u64s[_i].text, UINT64_MAX, &v);

	ck_assert_msg(ret == 0 && v == good_u64s[_i].value,
		      "parse_u64(\"%s\"): expected 0 and 0x%llx, got %d and 0x%llx", good_u64s[_i].text,
		      (unsigned long long)good_u64s[_i].value, ret, (unsigned long long)v);
}
END_TEST

/* Register values are unsigned: strtoull took "-1" as 2^64-1 and "010" as 8. */
static const char *const bad_u64s[] = {
	"",	"-1",	" 1",  "+1",	"010",	 "0x",	"0x-1", "0x 1",
	"1 ",	"0x1g", "x10", "0b101", "1e3", "18446744073709551616", "0x10000000000000000",
};

START_TEST(test_parse_u64_rejects)
{
	uint64_t v = 7;
	int ret = parse_u64(bad_u64s[_i], UINT64_MAX, &v);

	ck_assert_msg(ret < 0 && v == 7,
		      "parse_u64(\"%s\"): expected a negative errno and the value untouched, got %d "
		      "and 0x%llx",
		      bad_u64s[_i], ret, (unsigned long long)v);
}
END_TEST

START_TEST(test_parse_u64_fits_width)
{
	uint64_t v = 7;
	int over = parse_u64("0x100000000", width_max(4), &v);
	int fits = parse_u64("0xffffffff", width_max(4), &v);

	ck_assert_msg(over == -ERANGE && fits == 0 && v == 0xffffffff,
		      "32-bit register: expected %d for 2^32 and 0 for 2^32-1, got %d and %d (0x%llx)",
		      -ERANGE, over, fits, (unsigned long long)v);
}
END_TEST

static const struct {
	unsigned int bytes;
	uint64_t max;
} widths[] = { { 1, 0xff }, { 2, 0xffff }, { 4, 0xffffffff }, { 8, UINT64_MAX } };

START_TEST(test_width_max)
{
	uint64_t max = width_max(widths[_i].bytes);

	ck_assert_msg(max == widths[_i].max, "width_max(%u): expected 0x%llx, got 0x%llx",
		      widths[_i].bytes, (unsigned long long)widths[_i].max, (unsigned long long)max);
}
END_TEST

static const struct {
	const char *text;
	bool value;
} good_bools[] = {
	{ "1", true },	{ "yes", true }, { "true", true },   { "on", true },   { "YES", true },
	{ "0", false }, { "no", false }, { "false", false }, { "off", false }, { "Off", false },
};

START_TEST(test_parse_bool_accepts)
{
	bool value = !good_bools[_i].value;
	int ret = parse_bool(good_bools[_i].text, &value);

	ck_assert_msg(ret == 0 && value == good_bools[_i].value,
		      "parse_bool(\"%s\"): expected 0 and %d, got %d and %d", good_bools[_i].text,
		      good_bools[_i].value, ret, value);
}
END_TEST

static const char *const bad_bools[] = { "", "maybe", "2", "y", "enable", "yes " };

START_TEST(test_parse_bool_rejects)
{
	bool value = true;
	int ret = parse_bool(bad_bools[_i], &value);

	ck_assert_msg(ret == -EINVAL, "parse_bool(\"%s\"): expected %d, got %d", bad_bools[_i],
		      -EINVAL, ret);
}
END_TEST

START_TEST(test_input_file_reads_at_offset)
{
	static const char contents[] = "kernel\0bytes\xff";
	char path[sizeof(TEMP_PATH_TEMPLATE)];
	struct input_file f = INPUT_FILE_NONE;
	char got[5] = "";
	int ret;

	temp_file_create(path, contents, sizeof(contents));
	ret = input_file_open(path, &f);
	unlink(path);
	ck_assert_msg(ret == 0 && f.size == sizeof(contents),
		      "input_file_open: expected 0 and %zu bytes, got %d and %llu", sizeof(contents),
		      ret, (unsigned long long)f.size);
	ret = input_file_read(&f, 7, got, 5);
	input_file_close(&f);

	ck_assert_msg(ret == 0 && !memcmp(got, "bytes", 5),
		      "input_file_read(7, 5): expected 0 and \"bytes\", got %d and \"%.5s\"", ret, got);
}
END_TEST

START_TEST(test_input_file_short_read_fails)
{
	char path[sizeof(TEMP_PATH_TEMPLATE)];
	struct input_file f = INPUT_FILE_NONE;
	char got[16];
	int ret;

	temp_file_create(path, "abc", 3);
	ck_assert_int_eq(input_file_open(path, &f), 0);
	unlink(path);
	ret = input_file_read(&f, 0, got, sizeof(got));
	input_file_close(&f);

	ck_assert_msg(ret == -EIO, "reading past the end: expected %d, got %d", -EIO, ret);
}
END_TEST

START_TEST(test_input_file_missing)
{
	struct input_file f = INPUT_FILE_NONE;
	int ret = input_file_open("/nonexistent/vmm-unit/Image", &f);

	ck_assert_msg(ret == -ENOENT, "input_file_open(missing): expected %d, got %d", -ENOENT, ret);
}
END_TEST

START_TEST(test_input_file_directory)
{
	struct input_file f = INPUT_FILE_NONE;
	int ret = input_file_open("/tmp", &f);

	ck_assert_msg(ret == -EISDIR, "input_file_open(/tmp): expected %d, got %d", -EISDIR, ret);
}
END_TEST

/*
 * fstat is replaced in this test binary so that it can fail on demand, as on a
 * broken file system; otherwise it is the system call itself.
 */
static int fstat_fails_with;

int fstat(int fd, struct stat *st)
{
	if (fstat_fails_with) {
		errno = fstat_fails_with;
		fstat_fails_with = 0;
		memset(st, 0xff, sizeof(*st)); /* what an uninitialised buffer may hold */
		return -1;
	}
	return syscall(SYS_fstat, fd, st);
}

START_TEST(test_input_file_fstat_failure)
{
	char path[sizeof(TEMP_PATH_TEMPLATE)];
	struct input_file f = INPUT_FILE_NONE;
	int ret;

	temp_file_create(path, "abc", 3);
	fstat_fails_with = EIO;
	ret = input_file_open(path, &f);
	fstat_fails_with = 0;
	unlink(path);

	ck_assert_msg(ret == -EIO && f.fd == -1,
		      "input_file_open with fstat failing EIO: expected %d and no fd, got %d and %d",
		      -EIO, ret, f.fd);
}
END_TEST

START_TEST(test_input_file_close_resets)
{
	struct input_file f = { .fd = dup(0), .size = 8 };

	input_file_close(&f);

	ck_assert_msg(f.fd == -1 && f.size == 0, "input_file_close: expected -1 and 0, got %d and %llu",
		      f.fd, (unsigned long long)f.size);
}
END_TEST

static void *report_stack(void *arg)
{
	pthread_attr_t attr;
	size_t *size = arg;

	*size = 0;
	if (!pthread_getattr_np(pthread_self(), &attr)) {
		pthread_attr_getstacksize(&attr, size);
		pthread_attr_destroy(&attr);
	}
	return NULL;
}

/* Under 2 MiB, a stack cannot hold a transparent huge page. */
START_TEST(test_thread_stack_below_a_huge_page)
{
	pthread_t t;
	size_t size = 1;

	ck_assert_int_eq(thread_start(&t, report_stack, &size), 0);
	pthread_join(t, NULL);
	ck_assert_msg(size >= VMM_THREAD_STACK && size < (2u << 20),
		      "expected a stack of %u KiB, under 2 MiB; got %zu bytes",
		      VMM_THREAD_STACK >> 10, size);
}
END_TEST

Suite *util_suite(void)
{
	Suite *s = suite_create("util");
	TCase *size = tcase_create("parse_size");
	TCase *uint = tcase_create("parse_uint");
	TCase *boolean = tcase_create("parse_bool");
	TCase *file = tcase_create("file_read_all");

	tcase_add_loop_test(size, test_parse_size_accepts, 0, ARRAY_SIZE(good_sizes));
	tcase_add_loop_test(size, test_parse_size_rejects, 0, ARRAY_SIZE(bad_sizes));
	tcase_add_test(size, test_parse_size_rejects_null);
	tcase_add_test(size, test_parse_size_largest);
	suite_add_tcase(s, size);

	tcase_add_test(uint, test_parse_uint_decimal);
	tcase_add_test(uint, test_parse_uint_max_is_inclusive);
	tcase_add_test(uint, test_parse_uint_above_max);
	tcase_add_loop_test(uint, test_parse_uint_rejects, 0, ARRAY_SIZE(bad_uints));
	tcase_add_test(uint, test_parse_uint_beyond_64_bits);
	tcase_add_loop_test(uint, test_parse_u64_accepts, 0, ARRAY_SIZE(good_u64s));
	tcase_add_loop_test(uint, test_parse_u64_rejects, 0, ARRAY_SIZE(bad_u64s));
	tcase_add_test(uint, test_parse_u64_fits_width);
	tcase_add_loop_test(uint, test_width_max, 0, ARRAY_SIZE(widths));
	suite_add_tcase(s, uint);

	tcase_add_loop_test(boolean, test_parse_bool_accepts, 0, ARRAY_SIZE(good_bools));
	tcase_add_loop_test(boolean, test_parse_bool_rejects, 0, ARRAY_SIZE(bad_bools));
	suite_add_tcase(s, boolean);

	tcase_add_test(file, test_input_file_reads_at_offset);
	tcase_add_test(file, test_input_file_short_read_fails);
	tcase_add_test(file, test_input_file_missing);
	tcase_add_test(file, test_input_file_directory);
	tcase_add_test(file, test_input_file_fstat_failure);
	tcase_add_test(file, test_input_file_close_resets);
	tcase_add_test(file, test_thread_stack_below_a_huge_page);
	suite_add_tcase(s, file);
	return s;
}
