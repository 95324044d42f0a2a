// SPDX-License-Identifier: GPL-2.0
/* Guest RAM's mapping: 2 MiB aligned, nothing of the reservation left around it, files private. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/ram_map.h"
#include "base/util.h"
#include "helpers.h"
#include "suites.h"

/* mincore fails with ENOMEM exactly where nothing is mapped. */
static bool page_mapped(const void *addr)
{
	unsigned char v;

	return mincore((void *)((uintptr_t)addr & ~(uintptr_t)4095), 4096, &v) == 0;
}

START_TEST(test_anonymous_ram_aligned_and_zero)
{
	/* An odd size, so that the slack after it is not a whole number of 2 MiB. */
	uint64_t size = 6 * SZ_1M + 3 * SZ_4K;
	uint8_t *ram = ram_map(size, -1, 0);
	uint64_t i, nonzero = 0;

	ck_assert_msg(ram != NULL, "ram_map of %llu bytes failed: %s", (unsigned long long)size,
		      strerror(errno));
	for (i = 0; i < size; i += SZ_4K)
		nonzero += ram[i] != 0;
	ram[size - 1] = 0x5a;
	ck_assert_msg((uintptr_t)ram % SZ_2M == 0 && !nonzero && ram[size - 1] == 0x5a &&
			      !page_mapped(ram + size),
		      "expected zeroed, writable RAM at a 2 MiB boundary with its slack unmapped; got "
		      "%p, %llu nonzero pages, the page after it %s",
		      (void *)ram, (unsigned long long)nonzero,
		      page_mapped(ram + size) ? "mapped" : "unmapped");
	ram_unmap(ram, size);
	ck_assert_msg(!page_mapped(ram), "ram_unmap left the RAM mapped");
}
END_TEST

START_TEST(test_file_ram_private_from_offset)
{
	char path[] = TEMP_PATH_TEMPLATE;
	uint8_t page[4096];
	uint8_t *ram;
	int fd = mkstemp(path);
	unsigned int i;

	ck_assert_msg(fd >= 0, "mkstemp: %s", strerror(errno));
	unlink(path);
	for (i = 0; i < 3; i++) {
		memset(page, 0x10 + i, sizeof(page));
		ck_assert(write(fd, page, sizeof(page)) == sizeof(page));
	}
	ram = ram_map(2 * SZ_4K, fd, SZ_4K);
	ck_assert_msg(ram != NULL, "ram_map of a file failed: %s", strerror(errno));
	ram[0] = 0xee;
	ck_assert(pread(fd, page, 1, SZ_4K) == 1);
	ck_assert_msg((uintptr_t)ram % SZ_2M == 0 && ram[1] == 0x11 && ram[SZ_4K] == 0x12 &&
			      page[0] == 0x11,
		      "expected the file's pages 1 and 2 at a 2 MiB boundary, writes kept from the "
		      "file; got %p, %#x %#x, the file holds %#x",
		      (void *)ram, ram[1], ram[SZ_4K], page[0]);
	ram_unmap(ram, 2 * SZ_4K);
	close(fd);
}
END_TEST

START_TEST(test_impossible_sizes_refused)
{
	errno = 0;
	ck_assert_msg(ram_map(0, -1, 0) == NULL && errno == EINVAL, "size 0: expected EINVAL");
	errno = 0;
	ck_assert_msg(ram_map(UINT64_MAX - SZ_1M, -1, 0) == NULL && errno == EINVAL,
		      "a size that overflows with the alignment slack: expected EINVAL, got %s",
		      strerror(errno));
}
END_TEST

Suite *ram_map_suite(void)
{
	Suite *s = suite_create("ram_map");
	TCase *tc = tcase_create("map");

	tcase_add_test(tc, test_anonymous_ram_aligned_and_zero);
	tcase_add_test(tc, test_file_ram_private_from_offset);
	tcase_add_test(tc, test_impossible_sizes_refused);
	suite_add_tcase(s, tc);
	return s;
}
