// SPDX-License-Identifier: GPL-2.0
/* layout_plan and layout_ipa_bits: where kernel, initrd and device tree land in guest RAM. */
#include <errno.h>
#include <stdbool.h>

#include "base/util.h"
#include "board/layout.h"
#include "suites.h"

#define MiB(x) ((uint64_t)(x) << 20)
#define GiB(x) ((uint64_t)(x) << 30)

static const struct arm64_image kernel_16m = { .text_offset = 0x80000, .image_size = MiB(16) };

START_TEST(test_kernel_at_text_offset)
{
	struct boot_layout l;
	int ret = layout_plan(MiB(512), &kernel_16m, 0, &l);

	ck_assert_msg(ret == 0, "layout_plan: expected 0, got %d", ret);
	ck_assert_msg(l.kernel_addr == RAM_BASE + 0x80000,
		      "kernel_addr: expected 0x%llx, got 0x%llx", RAM_BASE + 0x80000,
		      (unsigned long long)l.kernel_addr);
}
END_TEST

START_TEST(test_kernel_end_includes_bss)
{
	struct boot_layout l;
	int ret = layout_plan(MiB(512), &kernel_16m, 0, &l);

	ck_assert_msg(ret == 0 && l.kernel_end == RAM_BASE + 0x80000 + MiB(16),
		      "kernel_end: expected 0x%llx, got %d/0x%llx", RAM_BASE + 0x80000 + MiB(16),
		      ret, (unsigned long long)l.kernel_end);
}
END_TEST

START_TEST(test_ram_recorded)
{
	struct boot_layout l;
	int ret = layout_plan(MiB(512), &kernel_16m, 0, &l);

	ck_assert_msg(ret == 0 && l.ram_base == RAM_BASE && l.ram_size == MiB(512),
		      "ram: expected 0x%llx + 0x%llx, got %d: 0x%llx + 0x%llx", RAM_BASE,
		      (unsigned long long)MiB(512), ret, (unsigned long long)l.ram_base,
		      (unsigned long long)l.ram_size);
}
END_TEST

START_TEST(test_fdt_in_last_2m)
{
	struct boot_layout l;
	int ret = layout_plan(MiB(512), &kernel_16m, 0, &l);
	uint64_t expected = RAM_BASE + MiB(512) - MiB(2);

	ck_assert_msg(ret == 0 && l.fdt_addr == expected,
		      "fdt_addr: expected 0x%llx, got %d/0x%llx", (unsigned long long)expected, ret,
		      (unsigned long long)l.fdt_addr);
}
END_TEST

START_TEST(test_no_initrd_address_zero)
{
	struct boot_layout l;
	int ret = layout_plan(MiB(512), &kernel_16m, 0, &l);

	ck_assert_msg(ret == 0 && l.initrd_addr == 0 && l.initrd_size == 0,
		      "no initrd: expected addr 0 size 0, got %d: 0x%llx size %llu", ret,
		      (unsigned long long)l.initrd_addr, (unsigned long long)l.initrd_size);
}
END_TEST

/* An initrd size that is not a multiple of the page: the start must still be page-aligned. */
#define ODD_INITRD_SIZE (MiB(5) + 123)

START_TEST(test_initrd_page_aligned)
{
	struct boot_layout l;
	int ret = layout_plan(MiB(512), &kernel_16m, ODD_INITRD_SIZE, &l);

	ck_assert_msg(ret == 0 && l.initrd_addr % SZ_4K == 0,
		      "initrd_addr: expected 4K-aligned, got %d/0x%llx", ret,
		      (unsigned long long)l.initrd_addr);
}
END_TEST

START_TEST(test_initrd_right_below_fdt)
{
	struct boot_layout l;
	int ret = layout_plan(MiB(512), &kernel_16m, ODD_INITRD_SIZE, &l);
	uint64_t initrd_end = l.initrd_addr + l.initrd_size;

	ck_assert_msg(ret == 0, "layout_plan: expected 0, got %d", ret);
	ck_assert_msg(initrd_end <= l.fdt_addr && l.fdt_addr - initrd_end < SZ_4K,
		      "initrd end: expected within 4K below fdt 0x%llx, got 0x%llx",
		      (unsigned long long)l.fdt_addr, (unsigned long long)initrd_end);
}
END_TEST

START_TEST(test_initrd_size_recorded)
{
	struct boot_layout l;
	int ret = layout_plan(MiB(512), &kernel_16m, ODD_INITRD_SIZE, &l);

	ck_assert_msg(ret == 0 && l.initrd_size == ODD_INITRD_SIZE,
		      "initrd_size: expected %llu, got %d/%llu",
		      (unsigned long long)ODD_INITRD_SIZE, ret, (unsigned long long)l.initrd_size);
}
END_TEST

START_TEST(test_initrd_above_kernel)
{
	struct boot_layout l;
	int ret = layout_plan(MiB(64), &kernel_16m, MiB(40), &l);

	ck_assert_msg(ret == 0 && l.initrd_addr >= l.kernel_end,
		      "initrd_addr: expected >= kernel_end 0x%llx, got %d/0x%llx",
		      (unsigned long long)l.kernel_end, ret, (unsigned long long)l.initrd_addr);
}
END_TEST

START_TEST(test_exact_fit)
{
	/* 64M: kernel [0, 2M), initrd [2M, 62M), dtb [62M, 64M). */
	static const struct arm64_image kernel_2m = { .text_offset = 0, .image_size = MiB(2) };
	struct boot_layout l;
	int ret = layout_plan(MiB(64), &kernel_2m, MiB(60), &l);

	ck_assert_msg(ret == 0 && l.initrd_addr == l.kernel_end,
		      "exact fit: expected 0 and initrd at kernel_end 0x%llx, got %d/0x%llx",
		      (unsigned long long)l.kernel_end, ret, (unsigned long long)l.initrd_addr);
}
END_TEST

START_TEST(test_initrd_one_byte_too_big)
{
	static const struct arm64_image kernel_2m = { .text_offset = 0, .image_size = MiB(2) };
	struct boot_layout l;
	int ret = layout_plan(MiB(64), &kernel_2m, MiB(60) + 1, &l);

	ck_assert_msg(ret == -E2BIG, "initrd 60M+1 in 64M: expected %d, got %d", -E2BIG, ret);
}
END_TEST

START_TEST(test_kernel_and_initrd_do_not_fit)
{
	struct boot_layout l;
	int ret = layout_plan(MiB(64), &kernel_16m, MiB(48), &l);

	ck_assert_msg(ret == -E2BIG, "16M kernel + 48M initrd in 64M: expected %d, got %d", -E2BIG,
		      ret);
}
END_TEST

START_TEST(test_kernel_alone_does_not_fit)
{
	static const struct arm64_image kernel_15m = { .text_offset = 0x80000,
						       .image_size = MiB(15) };
	struct boot_layout l;
	int ret = layout_plan(MiB(16), &kernel_15m, 0, &l);

	ck_assert_msg(ret == -E2BIG, "15M kernel in 16M with a 2M dtb: expected %d, got %d", -E2BIG,
		      ret);
}
END_TEST

START_TEST(test_huge_initrd_does_not_wrap)
{
	struct boot_layout l;
	int ret = layout_plan(MiB(512), &kernel_16m, UINT64_MAX - MiB(1), &l);

	ck_assert_msg(ret == -E2BIG, "initrd near 2^64: expected %d, got %d", -E2BIG, ret);
}
END_TEST

START_TEST(test_ram_below_minimum)
{
	static const struct arm64_image tiny = { .text_offset = 0, .image_size = SZ_64K };
	struct boot_layout l;
	int ret = layout_plan(LAYOUT_MIN_RAM - MiB(2), &tiny, 0, &l);

	ck_assert_msg(ret == -EINVAL, "RAM 14M: expected %d, got %d", -EINVAL, ret);
}
END_TEST

START_TEST(test_ram_not_2m_multiple)
{
	struct boot_layout l;
	int ret = layout_plan(MiB(513), &kernel_16m, 0, &l);

	ck_assert_msg(ret == -EINVAL, "RAM 513M: expected %d, got %d", -EINVAL, ret);
}
END_TEST

/* --mem 17179869183G: RAM_BASE + size wrapped to a small number and the guest booted. */
START_TEST(test_ram_that_wraps_is_refused)
{
	struct boot_layout l = { .fdt_addr = 0xdead };
	int ret = layout_plan(17179869183ULL << 30, &kernel_16m, 0, &l);

	ck_assert_msg(ret == -EINVAL && l.fdt_addr == 0xdead,
		      "RAM 17179869183G: expected %d and the layout untouched, got %d and fdt 0x%llx",
		      -EINVAL, ret, (unsigned long long)l.fdt_addr);
}
END_TEST

START_TEST(test_ram_above_max_is_refused)
{
	struct boot_layout l;
	int ret = layout_plan(LAYOUT_MAX_RAM + SZ_2M, &kernel_16m, 0, &l);

	ck_assert_msg(ret == -EINVAL, "RAM LAYOUT_MAX_RAM + 2M: expected %d, got %d", -EINVAL, ret);
}
END_TEST

START_TEST(test_ram_max_fits)
{
	struct boot_layout l;
	int ret = layout_plan(LAYOUT_MAX_RAM, &kernel_16m, 0, &l);

	uint64_t fdt = 0 - SZ_2M - FDT_MAX_SIZE; /* RAM ends 2M below 2^64 */

	ck_assert_msg(ret == 0 && l.fdt_addr == fdt,
		      "RAM LAYOUT_MAX_RAM: expected 0 and the dtb at 0x%llx, got %d and 0x%llx",
		      (unsigned long long)fdt, ret, (unsigned long long)l.fdt_addr);
}
END_TEST

/* A header's image_size near 2^64 must not wrap kernel_end below the device tree. */
START_TEST(test_huge_image_size_does_not_wrap)
{
	static const struct arm64_image huge = { .text_offset = 0x80000,
						 .image_size = UINT64_MAX - 0x1000 };
	struct boot_layout l;
	int ret = layout_plan(MiB(512), &huge, 0, &l);

	ck_assert_msg(ret == -E2BIG, "image_size near 2^64: expected %d, got %d", -E2BIG, ret);
}
END_TEST

START_TEST(test_huge_text_offset_does_not_wrap)
{
	static const struct arm64_image huge = { .text_offset = UINT64_MAX - RAM_BASE + 1,
						 .image_size = MiB(2) };
	struct boot_layout l;
	int ret = layout_plan(MiB(512), &huge, 0, &l);

	ck_assert_msg(ret == -E2BIG, "text_offset wrapping RAM_BASE: expected %d, got %d", -E2BIG,
		      ret);
}
END_TEST

START_TEST(test_ipa_bits_beyond_64)
{
	uint64_t size = 0 - RAM_BASE + SZ_2M; /* RAM would end 2M past 2^64 */
	unsigned int bits = layout_ipa_bits(size);

	ck_assert_msg(bits == 65, "layout_ipa_bits(2^64 - RAM_BASE + 2M): expected 65, got %u",
		      bits);
}
END_TEST

static const struct {
	uint64_t ram_size;
	unsigned int bits;
} ipa_bits[] = {
	{ MiB(16), 32 },	 { MiB(512), 32 },  { GiB(3), 32 },
	{ GiB(3) + MiB(2), 33 }, { GiB(7), 33 },    { GiB(7) + MiB(2), 34 },
	{ GiB(1023), 40 },	 { GiB(1024), 41 }, { GiB(255), 38 },
	{ LAYOUT_MAX_RAM, 64 },
};

START_TEST(test_ipa_bits)
{
	unsigned int bits = layout_ipa_bits(ipa_bits[_i].ram_size);

	ck_assert_msg(bits == ipa_bits[_i].bits, "layout_ipa_bits(%lluM): expected %u, got %u",
		      (unsigned long long)(ipa_bits[_i].ram_size >> 20), ipa_bits[_i].bits, bits);
}
END_TEST

/* Everything else in the guest-physical map: the vGIC's frames, the fixed devices, RAM. */
static const struct {
	const char *name;
	uint64_t base, size;
} map_regions[] = {
	{ "GIC distributor", GIC_DIST_BASE, GIC_DIST_SIZE },
	{ "GICv2 CPU interface", GIC_CPU_BASE, GIC_CPU_SIZE },
	{ "GICv3 redistributors", GIC_REDIST_BASE, GIC_REDIST_LIMIT - GIC_REDIST_BASE },
	{ "UART", UART_BASE, UART_SIZE },
	{ "RTC", RTC_BASE, RTC_SIZE },
	{ "RAM", RAM_BASE, LAYOUT_MAX_RAM },
};

static bool overlaps(uint64_t a, uint64_t a_size, uint64_t b, uint64_t b_size)
{
	return a < b + b_size && b < a + a_size;
}

static struct mmio_slot virtio_slot(unsigned int i)
{
	struct mmio_slot slot;
	int ret = layout_virtio_slot(i, &slot);

	ck_assert_msg(ret == 0, "layout_virtio_slot(%u): expected 0, got %d", i, ret);
	return slot;
}

START_TEST(test_virtio_slots_enough)
{
	ck_assert_msg(VIRTIO_MMIO_SLOTS >= 8, "virtio-mmio slots: expected at least 8, got %d",
		      VIRTIO_MMIO_SLOTS);
}
END_TEST

START_TEST(test_virtio_slot_window_size)
{
	struct mmio_slot slot = virtio_slot(_i);

	ck_assert_msg(slot.size >= 0x200 && slot.base % slot.size == 0,
		      "slot %d: expected a window of at least 0x200 aligned to its size, got "
		      "0x%llx+0x%llx",
		      _i, (unsigned long long)slot.base, (unsigned long long)slot.size);
}
END_TEST

START_TEST(test_virtio_slot_clear_of_map)
{
	struct mmio_slot slot = virtio_slot(_i);
	size_t r;

	for (r = 0; r < ARRAY_SIZE(map_regions); r++)
		ck_assert_msg(
			!overlaps(slot.base, slot.size, map_regions[r].base, map_regions[r].size),
			"slot %d at 0x%llx+0x%llx: expected clear of the %s, got an overlap", _i,
			(unsigned long long)slot.base, (unsigned long long)slot.size,
			map_regions[r].name);
}
END_TEST

START_TEST(test_virtio_slots_disjoint)
{
	struct mmio_slot a = virtio_slot(_i), b;
	unsigned int j;

	for (j = 0; j < VIRTIO_MMIO_SLOTS; j++) {
		if (j == (unsigned int)_i)
			continue;
		b = virtio_slot(j);
		ck_assert_msg(
			!overlaps(a.base, a.size, b.base, b.size) && a.spi != b.spi,
			"slots %d and %u: expected separate windows and SPIs, got 0x%llx/%u and "
			"0x%llx/%u",
			_i, j, (unsigned long long)a.base, a.spi, (unsigned long long)b.base,
			b.spi);
	}
}
END_TEST

/* SPIs count from INTID 32; the vGIC implements GIC_NR_IRQS INTIDs in all. */
START_TEST(test_virtio_slot_spi_valid)
{
	struct mmio_slot slot = virtio_slot(_i);

	ck_assert_msg(slot.spi + 32 < GIC_NR_IRQS && slot.spi != UART_SPI && slot.spi != RTC_SPI,
		      "slot %d: expected an SPI below %d, not the UART's or RTC's, got %u", _i,
		      GIC_NR_IRQS - 32, slot.spi);
}
END_TEST

START_TEST(test_virtio_slot_beyond_table)
{
	struct mmio_slot slot = { 0 };
	int ret = layout_virtio_slot(VIRTIO_MMIO_SLOTS, &slot);

	ck_assert_msg(ret == -ENOENT && slot.size == 0,
		      "slot %d: expected %d and nothing written, got %d", VIRTIO_MMIO_SLOTS,
		      -ENOENT, ret);
}
END_TEST

Suite *layout_suite(void)
{
	Suite *s = suite_create("layout");
	TCase *plan = tcase_create("plan");
	TCase *ipa = tcase_create("ipa_bits");
	TCase *virtio = tcase_create("virtio_slots");

	tcase_add_test(plan, test_kernel_at_text_offset);
	tcase_add_test(plan, test_kernel_end_includes_bss);
	tcase_add_test(plan, test_ram_recorded);
	tcase_add_test(plan, test_fdt_in_last_2m);
	tcase_add_test(plan, test_no_initrd_address_zero);
	tcase_add_test(plan, test_initrd_page_aligned);
	tcase_add_test(plan, test_initrd_right_below_fdt);
	tcase_add_test(plan, test_initrd_size_recorded);
	tcase_add_test(plan, test_initrd_above_kernel);
	tcase_add_test(plan, test_exact_fit);
	tcase_add_test(plan, test_initrd_one_byte_too_big);
	tcase_add_test(plan, test_kernel_and_initrd_do_not_fit);
	tcase_add_test(plan, test_kernel_alone_does_not_fit);
	tcase_add_test(plan, test_huge_initrd_does_not_wrap);
	tcase_add_test(plan, test_ram_below_minimum);
	tcase_add_test(plan, test_ram_not_2m_multiple);
	tcase_add_test(plan, test_ram_that_wraps_is_refused);
	tcase_add_test(plan, test_ram_above_max_is_refused);
	tcase_add_test(plan, test_ram_max_fits);
	tcase_add_test(plan, test_huge_image_size_does_not_wrap);
	tcase_add_test(plan, test_huge_text_offset_does_not_wrap);
	suite_add_tcase(s, plan);

	tcase_add_loop_test(ipa, test_ipa_bits, 0, ARRAY_SIZE(ipa_bits));
	tcase_add_test(ipa, test_ipa_bits_beyond_64);
	suite_add_tcase(s, ipa);

	tcase_add_test(virtio, test_virtio_slots_enough);
	tcase_add_loop_test(virtio, test_virtio_slot_window_size, 0, VIRTIO_MMIO_SLOTS);
	tcase_add_loop_test(virtio, test_virtio_slot_clear_of_map, 0, VIRTIO_MMIO_SLOTS);
	tcase_add_loop_test(virtio, test_virtio_slots_disjoint, 0, VIRTIO_MMIO_SLOTS);
	tcase_add_loop_test(virtio, test_virtio_slot_spi_valid, 0, VIRTIO_MMIO_SLOTS);
	tcase_add_test(virtio, test_virtio_slot_beyond_table);
	suite_add_tcase(s, virtio);
	return s;
}
