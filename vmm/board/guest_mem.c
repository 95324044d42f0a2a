// SPDX-License-Identifier: GPL-2.0
/* Bounds-checked translation of guest-physical ranges for devices that do DMA. */
#include "board/guest_mem.h"

#include <errno.h>
#include <string.h>

int guest_mem_init(struct guest_mem *gm, void *host, uint64_t base, uint64_t size)
{
	uint64_t last;

	/* The last byte, not the end: RAM may end at 2^64 exactly. */
	if (size && (__builtin_add_overflow(base, size - 1, &last) || !host))
		return -EINVAL;
	*gm = (struct guest_mem){ .host = host, .base = base, .size = size };
	return 0;
}

/*
 * Offsets, not ends: gpa - base wraps to a huge number for gpa below base, and
 * len is compared with what is left, so no sum here can overflow.
 */
void *guest_mem_ptr(const struct guest_mem *gm, uint64_t gpa, uint64_t len)
{
	uint64_t offset = gpa - gm->base;

	if (!gm->host || offset >= gm->size || len > gm->size - offset)
		return NULL;
	return gm->host + offset;
}

int guest_mem_read(const struct guest_mem *gm, uint64_t gpa, void *buf, size_t len)
{
	const void *src = guest_mem_ptr(gm, gpa, len);

	if (!src)
		return -EFAULT;
	memcpy(buf, src, len);
	return 0;
}

int guest_mem_write(const struct guest_mem *gm, uint64_t gpa, const void *buf, size_t len)
{
	void *dst = guest_mem_ptr(gm, gpa, len);

	if (!dst)
		return -EFAULT;
	memcpy(dst, buf, len);
	return 0;
}
