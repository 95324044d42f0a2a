// SPDX-License-Identifier: GPL-2.0
/* Guest RAM's resident size: the Rss line of its own mapping in smaps, no other. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/resident.h"
#include "helpers.h"
#include "suites.h"

static const char fake_smaps[] =
	"00400000-00452000 r-xp 00000000 08:01 123 /usr/local/bin/vmm\n"
	"Size:                328 kB\n"
	"Rss:                 300 kB\n"
	"7f0000200000-7f0010200000 rw-p 00000000 00:00 0 \n"
	"Size:             262144 kB\n"
	"KernelPageSize:        4 kB\n"
	"Rss:               65536 kB\n"
	"AnonHugePages:     63488 kB\n"
	"7f0010200000-7f0010201000 rw-p 00000000 00:00 0 \n"
	"Rss:                   4 kB\n"
	"7f0020000000-7f0020200000 rw-p 00000000 00:00 0 \n"
	"Rss:                2048 kB\n";

static int fake_fd(void)
{
	char path[] = TEMP_PATH_TEMPLATE;
	int fd;

	temp_file_create(path, fake_smaps, sizeof(fake_smaps) - 1);
	fd = open(path, O_RDONLY);
	unlink(path);
	ck_assert(fd >= 0);
	return fd;
}

START_TEST(test_rss_of_the_mapping_that_starts_there)
{
	int fd = fake_fd();
	long ram = resident_kib_read(fd, (void *)0x7f0000200000UL, 256 << 20);
	long vmm = resident_kib_read(fd, (void *)0x400000UL, 0x52000);
	long inside = resident_kib_read(fd, (void *)0x7f0000201000UL, 4096);
	long split = resident_kib_read(fd, (void *)0x7f0000200000UL, (256 << 20) + 4096);

	close(fd);
	ck_assert_msg(ram == 65536 && vmm == 300 && inside == -ENOENT && split == 65540,
		      "expected 65536 and 300 KiB for the two mappings (addresses zero-padded as the "
		      "kernel prints them), -ENOENT for an address inside one and 65540 for a range "
		      "of two mappings, got %ld, %ld, %ld, %ld",
		      ram, vmm, inside, split);
}
END_TEST

START_TEST(test_rss_of_real_touched_pages)
{
	size_t size = 4 << 20;
	uint8_t *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int fd = open("/proc/self/smaps", O_RDONLY);
	long kib;

	ck_assert(p != MAP_FAILED && fd >= 0);
	madvise(p, size, MADV_NOHUGEPAGE); /* small pages, so that the count is exact */
	p[0] = p[8192] = p[size - 1] = 1;
	kib = resident_kib_read(fd, p, size);
	close(fd);
	munmap(p, size);
	ck_assert_msg(kib == 12, "3 pages touched of 4 MiB: expected 12 KiB resident, got %ld", kib);
}
END_TEST

Suite *resident_suite(void)
{
	Suite *s = suite_create("resident");
	TCase *tc = tcase_create("smaps");

	tcase_add_test(tc, test_rss_of_the_mapping_that_starts_there);
	tcase_add_test(tc, test_rss_of_real_touched_pages);
	suite_add_tcase(s, tc);
	return s;
}
