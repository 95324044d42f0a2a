// SPDX-License-Identifier: GPL-2.0
/*
 * Which guest RAM pages save reads: a page swapped out holds data too. A fake
 * pagemap checks the bits; the real one, with MADV_PAGEOUT, checks that written
 * pages survive a save and read back whatever the kernel did with them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/util.h"
#include "helpers.h"
#include "snapshot/format.h"
#include "snapshot/pagemap.h"
#include "suites.h"

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

#define PM_PRESENT (1ULL << 63)
#define PM_SWAPPED (1ULL << 62)
#define FAKE_ADDR ((void *)0x7f0000000000ULL)

/* A pagemap file with entries for 4 pages at FAKE_ADDR: present, swapped, neither, both. */
START_TEST(test_swapped_page_counts_as_data)
{
	const uint64_t entries[4] = { PM_PRESENT | 0x1234, PM_SWAPPED | 0x55, 0, PM_PRESENT | PM_SWAPPED };
	char path[sizeof(TEMP_PATH_TEMPLATE)];
	unsigned char out[4] = { 9, 9, 9, 9 };
	int fd, ret;

	temp_file_create(path, "", 0);
	fd = open(path, O_RDWR);
	ck_assert_int_eq(pwrite(fd, entries, sizeof(entries),
				(uintptr_t)FAKE_ADDR / SZ_4K * sizeof(uint64_t)),
			 sizeof(entries));
	ret = ram_presence_read(fd, FAKE_ADDR, 4 * SZ_4K, out);
	close(fd);
	unlink(path);

	ck_assert_msg(ret == 0 && out[0] == 1 && out[1] == 1 && out[2] == 0 && out[3] == 1,
		      "present, swapped, neither, both: expected 0 and 1 1 0 1, got %d and %u %u %u "
		      "%u",
		      ret, out[0], out[1], out[2], out[3]);
}
END_TEST

START_TEST(test_unaligned_address_refused)
{
	unsigned char out[1];
	int ret = ram_presence_read(0, (char *)FAKE_ADDR + 1, SZ_4K, out);

	ck_assert_msg(ret == -EINVAL, "an unaligned address: expected %d, got %d", -EINVAL, ret);
}
END_TEST

/*
 * The real thing: pages written, then pushed out (to swap where there is one;
 * without swap the kernel keeps them), must all be marked, and the untouched
 * ones not; written through the format code they read back intact.
 */
START_TEST(test_paged_out_ram_survives_save)
{
	const size_t pages = 64, size = pages * SZ_4K;
	uint8_t *ram = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned char *resident = calloc(pages, 1);
	static const struct snap_header hdr = { .vmm_version = "t", .host_release = "t" };
	char dir[] = "/tmp/vmm-pagemap-XXXXXX", path[sizeof(dir) + 8];
	unsigned int i, wrong = 0, marked = 0;
	struct snap_writer *w;
	struct snap_reader *r;
	struct snap_memory mem;
	uint8_t *back;

	ck_assert(ram != MAP_FAILED && mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/snap", dir);
	for (i = 0; i < pages; i += 3)
		memset(ram + i * SZ_4K, 0x40 + i, SZ_4K);
	madvise(ram, size, MADV_PAGEOUT); /* EINVAL before Linux 5.4: then nothing moved */
	ram_presence_prepare();
	ck_assert_int_eq(ram_presence_read(ram_presence_fd(), ram, size, resident), 0);
	for (i = 0; i < pages; i++)
		marked += resident[i] && i % 3 == 0, wrong += !!resident[i] != (i % 3 == 0);
	ck_assert_int_eq(snap_writer_open(&w, path, &hdr), 0);
	ck_assert_int_eq(snap_write_memory(w, 0x40000000ULL, ram, size, resident), 0);
	ck_assert_int_eq(snap_writer_commit(w), 0);
	ck_assert_int_eq(snap_reader_open(&r, path, NULL, 0), 0);
	ck_assert_int_eq(snap_reader_memory(r, &mem), 0);
	back = mmap(NULL, size, PROT_READ, MAP_PRIVATE, snap_reader_fd(r), mem.file_offset);
	ck_assert(back != MAP_FAILED);
	for (i = 0; i < pages; i++)
		wrong += memcmp(back + i * SZ_4K, ram + i * SZ_4K, SZ_4K) != 0;
	munmap(back, size);
	snap_reader_close(r);
	unlink(path);
	rmdir(dir);
	munmap(ram, size);
	free(resident);

	ck_assert_msg(marked == 22 && wrong == 0 && mem.pages_with_data == 22,
		      "22 of 64 pages written and paged out: expected 22 marked, 22 saved, 0 wrong; "
		      "got %u, %llu, %u",
		      marked, (unsigned long long)mem.pages_with_data, wrong);
}
END_TEST

Suite *pagemap_suite(void)
{
	Suite *s = suite_create("pagemap");
	TCase *tc = tcase_create("presence");

	tcase_add_test(tc, test_swapped_page_counts_as_data);
	tcase_add_test(tc, test_unaligned_address_refused);
	tcase_add_test(tc, test_paged_out_ram_survives_save);
	suite_add_tcase(s, tc);
	return s;
}
