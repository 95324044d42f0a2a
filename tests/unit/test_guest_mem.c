// SPDX-License-Identifier: GPL-2.0
/* guest_mem: guest-physical ranges to host pointers, refused at every edge of RAM. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "base/util.h"
#include "board/guest_mem.h"
#include "suites.h"

#define BASE 0x40000000ULL
#define SIZE 0x1000ULL

static uint8_t ram[SIZE];
static struct guest_mem gm;

static void setup(void)
{
	int ret;

	memset(ram, 0, sizeof(ram));
	ret = guest_mem_init(&gm, ram, BASE, SIZE);
	ck_assert_msg(ret == 0, "guest_mem_init: expected 0, got %d", ret);
}

/* A range and whether it lies in RAM [BASE, BASE + SIZE). */
static const struct {
	uint64_t gpa, len;
	bool inside;
} ranges[] = {
	{ BASE, SIZE, true },		 /* all of RAM */
	{ BASE, 1, true },		 /* first byte */
	{ BASE + SIZE - 1, 1, true },	 /* last byte */
	{ BASE + SIZE - 1, 2, false },	 /* crosses RAM's end */
	{ BASE + SIZE, 1, false },	 /* first byte past RAM */
	{ BASE - 1, 1, false },		 /* base - 1 */
	{ BASE - 1, 2, false },		 /* crosses RAM's start */
	{ BASE, SIZE + 1, false },	 /* one byte more than RAM */
	{ BASE, 0, true },		 /* zero length at a RAM address */
	{ BASE + SIZE - 1, 0, true },	 /* zero length at the last byte */
	{ BASE + SIZE, 0, false },	 /* zero length past RAM */
	{ BASE - 1, 0, false },		 /* zero length below RAM */
	{ BASE + 8, UINT64_MAX, false }, /* a length that wraps past 2^64 */
	{ UINT64_MAX, 2, false },	 /* an address whose end wraps */
	{ 0, 1, false },		 /* address 0 */
};

START_TEST(test_ptr_edges)
{
	void *p = guest_mem_ptr(&gm, ranges[_i].gpa, ranges[_i].len);
	void *want = ranges[_i].inside ? ram + (ranges[_i].gpa - BASE) : NULL;

	ck_assert_msg(p == want, "guest_mem_ptr(0x%llx, 0x%llx): expected %p, got %p",
		      (unsigned long long)ranges[_i].gpa, (unsigned long long)ranges[_i].len, want,
		      p);
}
END_TEST

/* The same ranges through the copy helper, those a buffer can hold. */
START_TEST(test_read_edges)
{
	uint8_t buf[SIZE + 1];
	int want = ranges[_i].inside ? 0 : -EFAULT, ret;

	if (ranges[_i].len > sizeof(buf))
		return; /* wider than any buffer: test_ptr_edges covers it */
	ret = guest_mem_read(&gm, ranges[_i].gpa, buf, ranges[_i].len);
	ck_assert_msg(ret == want, "guest_mem_read(0x%llx, 0x%llx): expected %d, got %d",
		      (unsigned long long)ranges[_i].gpa, (unsigned long long)ranges[_i].len, want,
		      ret);
}
END_TEST

START_TEST(test_write_then_read)
{
	static const uint8_t data[] = { 1, 2, 3, 4 };
	uint8_t back[4] = { 0 };
	int ret = guest_mem_write(&gm, BASE + SIZE - 4, data, sizeof(data));

	ret = ret ?: guest_mem_read(&gm, BASE + SIZE - 4, back, sizeof(back));
	ck_assert_msg(ret == 0 && !memcmp(back, data, 4) && ram[SIZE - 1] == 4,
		      "last 4 bytes: expected 0 and 01020304 in RAM, got %d, %02x%02x%02x%02x", ret,
		      back[0], back[1], back[2], back[3]);
}
END_TEST

START_TEST(test_refused_write_copies_nothing)
{
	static const uint8_t data[] = { 0xaa, 0xbb };
	int ret = guest_mem_write(&gm, BASE + SIZE - 1, data, sizeof(data));

	ck_assert_msg(ret == -EFAULT && ram[SIZE - 1] == 0,
		      "write across RAM's end: expected -EFAULT and RAM untouched, got %d, 0x%02x",
		      ret, ram[SIZE - 1]);
}
END_TEST

START_TEST(test_size_zero_refuses_all)
{
	struct guest_mem empty;
	int ret = guest_mem_init(&empty, ram, BASE, 0);
	void *p0 = guest_mem_ptr(&empty, BASE, 0), *p1 = guest_mem_ptr(&empty, BASE, 1);

	ck_assert_msg(ret == 0 && !p0 && !p1,
		      "size 0: expected 0 and every range refused, got %d, %p, %p", ret, p0, p1);
}
END_TEST

START_TEST(test_unmapped_refuses_all)
{
	struct guest_mem none = { 0 };
	void *p = guest_mem_ptr(&none, 0, 1);

	ck_assert_msg(p == NULL, "no RAM yet: expected NULL, got %p", p);
}
END_TEST

START_TEST(test_init_refuses_wrap)
{
	struct guest_mem wrap;
	int ret = guest_mem_init(&wrap, ram, UINT64_MAX - SIZE + 2, SIZE);

	ck_assert_msg(ret == -EINVAL, "RAM ending past 2^64: expected %d, got %d", -EINVAL, ret);
}
END_TEST

/* RAM that ends exactly at 2^64: its last byte is reachable, one more wraps and is refused. */
START_TEST(test_ram_at_top_of_space)
{
	struct guest_mem top;
	int ret = guest_mem_init(&top, ram, 0 - SIZE, SIZE);
	void *last = guest_mem_ptr(&top, UINT64_MAX, 1), *wrap = guest_mem_ptr(&top, UINT64_MAX, 2);

	ck_assert_msg(ret == 0 && last == ram + SIZE - 1 && wrap == NULL,
		      "RAM up to 2^64: expected 0, %p and NULL, got %d, %p, %p",
		      (void *)(ram + SIZE - 1), ret, last, wrap);
}
END_TEST

START_TEST(test_init_refuses_null_host)
{
	struct guest_mem bad;
	int ret = guest_mem_init(&bad, NULL, BASE, SIZE);

	ck_assert_msg(ret == -EINVAL, "NULL host with a size: expected %d, got %d", -EINVAL, ret);
}
END_TEST

Suite *guest_mem_suite(void)
{
	Suite *s = suite_create("guest_mem");
	TCase *edges = tcase_create("edges");
	TCase *init = tcase_create("init");

	tcase_add_checked_fixture(edges, setup, NULL);
	tcase_add_loop_test(edges, test_ptr_edges, 0, ARRAY_SIZE(ranges));
	tcase_add_loop_test(edges, test_read_edges, 0, ARRAY_SIZE(ranges));
	tcase_add_test(edges, test_write_then_read);
	tcase_add_test(edges, test_refused_write_copies_nothing);
	tcase_add_test(init, test_size_zero_refuses_all);
	tcase_add_test(init, test_unmapped_refuses_all);
	tcase_add_test(init, test_init_refuses_wrap);
	tcase_add_test(init, test_ram_at_top_of_space);
	tcase_add_test(init, test_init_refuses_null_host);
	suite_add_tcase(s, edges);
	suite_add_tcase(s, init);
	return s;
}
