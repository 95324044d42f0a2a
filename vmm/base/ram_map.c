// SPDX-License-Identifier: GPL-2.0
/* Guest RAM's host mapping: 2 MiB aligned, huge pages where the host allows. */
#include "base/ram_map.h"

#include <errno.h>
#include <stddef.h>
#include <sys/mman.h>

/*
 * A reservation RAM_MAP_ALIGN larger than asked, the RAM placed at its first
 * aligned address (MAP_FIXED inside what this function owns), the slack on
 * either side given back.
 */
void *ram_map(uint64_t size, int fd, uint64_t offset)
{
	int flags = MAP_PRIVATE | MAP_NORESERVE | MAP_FIXED | (fd < 0 ? MAP_ANONYMOUS : 0);
	uint64_t span = size + RAM_MAP_ALIGN;
	uintptr_t start, aligned;
	void *reserved, *ram;
	int err;

	if (!size || span < size) {
		errno = EINVAL;
		return NULL;
	}
	reserved = mmap(NULL, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (reserved == MAP_FAILED)
		return NULL;
	start = (uintptr_t)reserved;
	aligned = (start + RAM_MAP_ALIGN - 1) & ~(uintptr_t)(RAM_MAP_ALIGN - 1);
	ram = mmap((void *)aligned, size, PROT_READ | PROT_WRITE, flags, fd, fd < 0 ? 0 : offset);
	if (ram == MAP_FAILED) {
		err = errno;
		munmap(reserved, span);
		errno = err;
		return NULL;
	}
	if (aligned > start)
		munmap(reserved, aligned - start);
	if (start + span > aligned + size)
		munmap((void *)(aligned + size), start + span - aligned - size);
	/* Advice only: a host without THP (or with it off) runs the guest on small pages. */
	if (fd < 0)
		madvise(ram, size, MADV_HUGEPAGE);
	return ram;
}

void ram_unmap(void *ram, uint64_t size)
{
	if (ram)
		munmap(ram, size);
}
