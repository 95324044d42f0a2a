// SPDX-License-Identifier: GPL-2.0
/* Guest RAM's resident size, from /proc/self/smaps. */
#include "base/resident.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* vmm has a few dozen mappings of about 1 KiB of text each. */
#define SMAPS_MAX (1 << 20)

static int smaps_fd = -1;

void resident_prepare(void)
{
	if (smaps_fd < 0)
		smaps_fd = open("/proc/self/smaps", O_RDONLY | O_CLOEXEC);
}

/* The whole file from offset 0, NUL-terminated: a seq_file reads anew at each pread from 0. */
static char *smaps_read(int fd, size_t *len)
{
	size_t cap = 64 << 10, n = 0;
	char *buf = malloc(cap + 1), *bigger;
	ssize_t got;

	while (buf) {
		got = pread(fd, buf + n, cap - n, n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		n += got;
		if (n < cap)
			continue;
		bigger = cap < SMAPS_MAX ? realloc(buf, 2 * cap + 1) : NULL;
		if (!bigger) {
			errno = E2BIG;
			got = -1;
			break;
		}
		buf = bigger;
		cap *= 2;
	}
	if (!buf || got < 0) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

/*
 * Every mapping that begins inside [addr, addr + size) counts: the RAM's one,
 * or its pieces should anything have split it. A mapping's first line is
 * "start-end perms ...", addresses in hex as the kernel prints them (%08lx).
 */
long resident_kib_read(int fd, const void *addr, uint64_t size)
{
	uintptr_t from = (uintptr_t)addr, start;
	char *text, *at, *next, *rss;
	long kib = 0, n;
	bool found = false;
	size_t len;

	text = smaps_read(fd, &len);
	if (!text)
		return -errno;
	for (at = text; at; at = next) {
		next = strchr(at, '\n');
		next = next ? next + 1 : NULL;
		if (sscanf(at, "%lx-", &start) != 1 || start < from || start - from >= size)
			continue;
		rss = strstr(at, "\nRss:");
		if (!rss || sscanf(rss, "\nRss: %ld kB", &n) != 1) {
			kib = -EINVAL;
			break;
		}
		kib += n;
		found = true;
	}
	free(text);
	return kib < 0 ? kib : found ? kib : -ENOENT;
}

long resident_kib(const void *addr, uint64_t size)
{
	long kib = smaps_fd < 0 ? -1 : resident_kib_read(smaps_fd, addr, size);

	return kib < 0 ? -1 : kib;
}
