// SPDX-License-Identifier: GPL-2.0
/* term_escape_filter: Ctrl-A x quits, Ctrl-A Ctrl-A sends one Ctrl-A, the rest passes through. */
#include <string.h>

#include "base/term.h"
#include "suites.h"

static struct term_escape esc;
static uint8_t buf[64];
static bool quit;

static void term_setup(void)
{
	memset(&esc, 0, sizeof(esc));
	memset(buf, 0, sizeof(buf));
	quit = false;
}

/* Filters text (length given, it may hold NULs) through the shared escape state. */
static size_t filter(const char *text, size_t len)
{
	memcpy(buf, text, len);
	return term_escape_filter(&esc, buf, len, &quit);
}

START_TEST(test_plain_bytes_pass)
{
	size_t n = filter("hello\r\n\0\x7f", 9);

	ck_assert_msg(n == 9 && !memcmp(buf, "hello\r\n\0\x7f", 9),
		      "plain bytes: expected all 9 unchanged, got %zu", n);
}
END_TEST

START_TEST(test_plain_bytes_no_quit)
{
	filter("hello", 5);

	ck_assert_msg(!quit, "plain bytes: expected no quit, got quit");
}
END_TEST

START_TEST(test_ctrl_a_x_quits)
{
	filter("ab\x01x", 4);

	ck_assert_msg(quit, "Ctrl-A x: expected quit, got none");
}
END_TEST

START_TEST(test_ctrl_a_upper_x_quits)
{
	filter("\x01X", 2);

	ck_assert_msg(quit, "Ctrl-A X: expected quit, got none");
}
END_TEST

START_TEST(test_ctrl_a_x_keeps_bytes_before)
{
	size_t n = filter("ab\x01xcd", 6);

	ck_assert_msg(n == 2 && !memcmp(buf, "ab", 2),
		      "ab Ctrl-A x cd: expected \"ab\" (2 bytes), got %zu bytes \"%.*s\"", n,
		      (int)n, (char *)buf);
}
END_TEST

START_TEST(test_ctrl_a_ctrl_a_sends_one)
{
	size_t n = filter("a\x01\x01"
			  "b",
			  4);

	ck_assert_msg(n == 3 && !memcmp(buf,
					"a\x01"
					"b",
					3),
		      "a Ctrl-A Ctrl-A b: expected a 0x01 b, got %zu bytes", n);
}
END_TEST

START_TEST(test_ctrl_a_ctrl_a_no_quit)
{
	filter("\x01\x01x", 3);

	ck_assert_msg(!quit, "Ctrl-A Ctrl-A x: expected no quit (x is plain), got quit");
}
END_TEST

START_TEST(test_ctrl_a_across_buffers_quits)
{
	size_t first = filter("a\x01", 2);

	filter("x", 1);

	ck_assert_msg(first == 1 && quit,
		      "Ctrl-A | x: expected 1 byte then quit, got %zu bytes and quit %d", first,
		      quit);
}
END_TEST

START_TEST(test_ctrl_a_across_buffers_sends_one)
{
	size_t n;

	filter("\x01", 1);
	n = filter("\x01z", 2);

	ck_assert_msg(n == 2 && buf[0] == 0x01 && buf[1] == 'z',
		      "Ctrl-A | Ctrl-A z: expected 0x01 z, got %zu bytes (0x%02x)", n, buf[0]);
}
END_TEST

START_TEST(test_unknown_escape_swallowed)
{
	size_t n = filter("\x01qa", 3);

	ck_assert_msg(n == 1 && buf[0] == 'a', "Ctrl-A q a: expected \"a\", got %zu bytes", n);
}
END_TEST

START_TEST(test_quit_cleared_next_call)
{
	filter("\x01x", 2);
	filter("a", 1);

	ck_assert_msg(!quit, "after a quit, plain input: expected quit false, got true");
}
END_TEST

START_TEST(test_empty_buffer)
{
	size_t n = filter("", 0);

	ck_assert_msg(n == 0 && !quit, "empty: expected 0 bytes no quit, got %zu/%d", n, quit);
}
END_TEST

Suite *term_suite(void)
{
	Suite *s = suite_create("term");
	TCase *escape = tcase_create("escape");

	tcase_add_checked_fixture(escape, term_setup, NULL);
	tcase_add_test(escape, test_plain_bytes_pass);
	tcase_add_test(escape, test_plain_bytes_no_quit);
	tcase_add_test(escape, test_ctrl_a_x_quits);
	tcase_add_test(escape, test_ctrl_a_upper_x_quits);
	tcase_add_test(escape, test_ctrl_a_x_keeps_bytes_before);
	tcase_add_test(escape, test_ctrl_a_ctrl_a_sends_one);
	tcase_add_test(escape, test_ctrl_a_ctrl_a_no_quit);
	tcase_add_test(escape, test_ctrl_a_across_buffers_quits);
	tcase_add_test(escape, test_ctrl_a_across_buffers_sends_one);
	tcase_add_test(escape, test_unknown_escape_swallowed);
	tcase_add_test(escape, test_quit_cleared_next_call);
	tcase_add_test(escape, test_empty_buffer);
	suite_add_tcase(s, escape);
	return s;
}
