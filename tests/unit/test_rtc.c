// SPDX-License-Identifier: GPL-2.0
/* The PL031 model through the MMIO dispatch: time, load register, identification. */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "base/util.h"
#include "board/machine.h"
#include "snapshot/format.h"
#include "suites.h"

#define RTC_DR 0x00
#define RTC_MR 0x04
#define RTC_LR 0x08
#define RTC_CR 0x0c
#define RTC_IMSC 0x10
#define RTC_RIS 0x14
#define RTC_MIS 0x18

static struct machine m;

static void rtc_setup(void)
{
	int ret;

	memset(&m, 0, sizeof(m));
	ret = machine_add_board_devices(&m);
	ck_assert_msg(ret == 0, "machine_add_board_devices: expected 0, got %d", ret);
}

static void rtc_teardown(void)
{
	machine_destroy_devices(&m);
}

static uint32_t read32(uint64_t offset)
{
	uint32_t val = 0xdeadbeef;

	machine_mmio(&m, RTC_BASE + offset, (uint8_t *)&val, 4, false);
	return val;
}

static void write32(uint64_t offset, uint32_t val)
{
	machine_mmio(&m, RTC_BASE + offset, (uint8_t *)&val, 4, true);
}

START_TEST(test_dr_is_host_time)
{
	uint32_t before = (uint32_t)time(NULL);
	uint32_t dr = read32(RTC_DR);
	uint32_t after = (uint32_t)time(NULL);

	ck_assert_msg(dr >= before && dr <= after, "DR: expected between %u and %u, got %u", before,
		      after, dr);
}
END_TEST

START_TEST(test_lr_sets_dr)
{
	uint32_t dr;

	write32(RTC_LR, 1000000);
	dr = read32(RTC_DR);

	ck_assert_msg(dr >= 1000000 && dr <= 1000002,
		      "DR after LR=1000000: expected 1000000..2, "
		      "got %u",
		      dr);
}
END_TEST

START_TEST(test_lr_into_future)
{
	uint32_t target = (uint32_t)time(NULL) + 86400;
	uint32_t dr;

	write32(RTC_LR, target);
	dr = read32(RTC_DR);

	ck_assert_msg(dr >= target && dr <= target + 2,
		      "DR after LR=now+1d: expected %u..+2, got %u", target, dr);
}
END_TEST

START_TEST(test_dr_write_ignored)
{
	uint32_t before = (uint32_t)time(NULL);
	uint32_t dr;

	write32(RTC_DR, 5);
	dr = read32(RTC_DR);

	ck_assert_msg(dr >= before, "DR after writing DR=5: expected >= %u (read-only), got %u",
		      before, dr);
}
END_TEST

START_TEST(test_cr_started)
{
	uint32_t cr = read32(RTC_CR);

	ck_assert_msg(cr == 1, "CR: expected 1 (started), got %u", cr);
}
END_TEST

START_TEST(test_mr_reads_back)
{
	uint32_t mr;

	write32(RTC_MR, 0x12345678);
	mr = read32(RTC_MR);

	ck_assert_msg(mr == 0x12345678, "MR: expected 0x12345678, got 0x%x", mr);
}
END_TEST

START_TEST(test_imsc_one_bit)
{
	uint32_t imsc;

	write32(RTC_IMSC, 0xffffffff);
	imsc = read32(RTC_IMSC);

	ck_assert_msg(imsc == 1, "IMSC after writing ~0: expected 1, got 0x%x", imsc);
}
END_TEST

START_TEST(test_no_interrupt_status)
{
	uint32_t ris = read32(RTC_RIS), mis = read32(RTC_MIS);

	ck_assert_msg(ris == 0 && mis == 0, "RIS/MIS: expected 0/0, got %u/%u", ris, mis);
}
END_TEST

/* PeriphID0-3, PCellID0-3: what the AMBA bus matches the pl031 driver on. */
static const uint8_t pl031_ids[8] = { 0x31, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };

START_TEST(test_id_registers)
{
	uint64_t offset = 0xfe0 + 4 * _i;
	uint32_t id = read32(offset);

	ck_assert_msg(id == pl031_ids[_i], "ID at 0x%llx: expected 0x%02x, got 0x%x",
		      (unsigned long long)offset, pl031_ids[_i], id);
}
END_TEST

START_TEST(test_unused_register_zero)
{
	uint32_t val = read32(0x800);

	ck_assert_msg(val == 0, "register 0x800: expected 0, got 0x%x", val);
}
END_TEST

static const struct {
	uint64_t offset;
	unsigned int len;
} odd_accesses[] = {
	{ RTC_DR, 1 }, { RTC_DR, 2 }, { RTC_DR, 8 }, { 0xfe1, 4 }, { 0xfe2, 2 }, { 0xffc, 1 },
};

START_TEST(test_non_word_access_reads_zero)
{
	uint8_t data[8];
	static const uint8_t zeros[8];

	memset(data, 0xee, sizeof(data));
	machine_mmio(&m, RTC_BASE + odd_accesses[_i].offset, data, odd_accesses[_i].len, false);

	ck_assert_msg(!memcmp(data, zeros, odd_accesses[_i].len),
		      "%u-byte read at 0x%llx: expected zeros, got %02x %02x...",
		      odd_accesses[_i].len, (unsigned long long)odd_accesses[_i].offset, data[0],
		      data[1]);
}
END_TEST

/* An offset no guest can set (it writes 32-bit times) is refused: once it overflowed rtc_now. */
START_TEST(test_restore_refuses_impossible_offset)
{
	uint8_t payload[16] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f };
	struct snap_section s = { .type = SNAP_SEC_DEVICE, .data = payload, .len = 16 };
	struct device *rtc = machine_find_device(&m, RTC_BASE, 4);
	int ret = rtc->ops->restore(rtc, &s);

	ck_assert_msg(ret == -EINVAL, "offset 0x7fffffffffffffff: expected %d, got %d", -EINVAL,
		      ret);
}
END_TEST

START_TEST(test_restore_takes_a_guest_offset)
{
	/* -1000 s, mr 0, imsc 1 */
	uint8_t payload[16] = { 0x18, 0xfc, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 1 };
	struct snap_section s = { .type = SNAP_SEC_DEVICE, .data = payload, .len = 16 };
	struct device *rtc = machine_find_device(&m, RTC_BASE, 4);
	int ret = rtc->ops->restore(rtc, &s);
	uint32_t now = time(NULL), dr = read32(RTC_DR);

	ck_assert_msg(ret == 0 && dr + 1000 >= now && dr + 1000 <= now + 1,
		      "offset -1000: expected 0 and DR 1000 s behind %u, got %d and %u", now, ret, dr);
}
END_TEST

START_TEST(test_narrow_write_ignored)
{
	uint8_t byte = 0x7f;
	uint32_t mr;

	write32(RTC_MR, 0x11111111);
	machine_mmio(&m, RTC_BASE + RTC_MR, &byte, 1, true);
	mr = read32(RTC_MR);

	ck_assert_msg(mr == 0x11111111, "MR after a byte write: expected 0x11111111, got 0x%x", mr);
}
END_TEST

Suite *rtc_suite(void)
{
	Suite *s = suite_create("rtc");
	TCase *clock = tcase_create("clock");
	TCase *regs = tcase_create("registers");

	tcase_add_checked_fixture(clock, rtc_setup, rtc_teardown);
	tcase_add_test(clock, test_dr_is_host_time);
	tcase_add_test(clock, test_lr_sets_dr);
	tcase_add_test(clock, test_lr_into_future);
	tcase_add_test(clock, test_dr_write_ignored);
	suite_add_tcase(s, clock);

	tcase_add_checked_fixture(regs, rtc_setup, rtc_teardown);
	tcase_add_test(regs, test_cr_started);
	tcase_add_test(regs, test_mr_reads_back);
	tcase_add_test(regs, test_imsc_one_bit);
	tcase_add_test(regs, test_no_interrupt_status);
	tcase_add_loop_test(regs, test_id_registers, 0, ARRAY_SIZE(pl031_ids));
	tcase_add_test(regs, test_unused_register_zero);
	tcase_add_loop_test(regs, test_non_word_access_reads_zero, 0, ARRAY_SIZE(odd_accesses));
	tcase_add_test(regs, test_narrow_write_ignored);
	tcase_add_test(regs, test_restore_refuses_impossible_offset);
	tcase_add_test(regs, test_restore_takes_a_guest_offset);
	suite_add_tcase(s, regs);
	return s;
}
