// SPDX-License-Identifier: GPL-2.0
/* Guest RAM's resident size, from /proc/self/smaps. */
#include "resident.h"

#include <errno.h>
#include <fcntl.h>
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

long resident_kib_read(int fd, const void *addr)
{
	char head[32], *text, *at, *next, *rss;
	long kib = -ENOENT;
	size_t len;

	text = smaps_read(fd, &len);
	if (!text)
		return -errno;
	/* A mapping's first line is "start-end perms ...", addresses in lower-case hex. */
	snprintf(head, sizeof(head), "%lx-", (unsigned long)(uintptr_t)addr);
	for (at = text; at; at = next) {
		next = strchr(at, '\n');
		next = next ? next + 1 : NULL;
		if (strncmp(at, head, strlen(head)))
			continue;
		rss = strstr(at, "\nRss:");
		if (rss && sscanf(rss, "\nRss: %ld kB", &kib) != 1)
			kib = -EINVAL;
		break;
	}
	free(text);
	return kib;
}

long resident_kib(const void *addr)
{
	long kib = smaps_fd < 0 ? -1 : resident_kib_read(smaps_fd, addr);

	return kib < 0 ? -1 : kib;
}
