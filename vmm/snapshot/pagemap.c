// SPDX-License-Identifier: GPL-2.0
/* Which guest RAM pages hold data: present or swapped, from /proc/self/pagemap. */
#include "snapshot/pagemap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/util.h"

#define PM_PRESENT (1ULL << 63)
#define PM_SWAPPED (1ULL << 62)
#define PM_ENTRIES 4096 /* read at a time: 32 KiB of entries */

static int pagemap_fd = -1;

void ram_presence_prepare(void)
{
	if (pagemap_fd < 0)
		pagemap_fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
}

int ram_presence_fd(void)
{
	return pagemap_fd;
}

/* Host pages [first, first + n) into entries; each pagemap entry is 8 bytes. */
static int pagemap_read(int fd, uint64_t first, uint64_t *entries, size_t n)
{
	struct input_file f = { .fd = fd };

	return input_file_read(&f, first * sizeof(*entries), entries, n * sizeof(*entries));
}

int ram_presence_read(int fd, const void *addr, uint64_t size, unsigned char *out)
{
	long host_page = sysconf(_SC_PAGESIZE);
	uint64_t per_host, first, nr_host, i, j, n;
	uint64_t *entries;
	int ret = 0;

	/* Guest RAM is mapped at a host page boundary, and a host page is 4, 16 or 64 KiB. */
	if (fd < 0 || host_page < (long)SZ_4K || host_page % SZ_4K || (uintptr_t)addr % host_page ||
	    size % SZ_4K)
		return -EINVAL;
	per_host = host_page / SZ_4K;
	first = (uintptr_t)addr / host_page;
	nr_host = (size / SZ_4K + per_host - 1) / per_host;
	entries = malloc(PM_ENTRIES * sizeof(*entries));
	if (!entries)
		return -ENOMEM;
	for (i = 0; i < nr_host && !ret; i += n) {
		n = nr_host - i < PM_ENTRIES ? nr_host - i : PM_ENTRIES;
		ret = pagemap_read(fd, first + i, entries, n);
		for (j = 0; j < n * per_host && !ret; j++) {
			uint64_t page = i * per_host + j;

			if (page < size / SZ_4K)
				out[page] = !!(entries[j / per_host] & (PM_PRESENT | PM_SWAPPED));
		}
	}
	free(entries);
	return ret;
}
