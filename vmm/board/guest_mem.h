/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_GUEST_MEM_H
#define VMM_GUEST_MEM_H
/*
 * Guest RAM as a device doing DMA sees it: one contiguous guest-physical range
 * mapped at one host address. Every address a guest hands a device (a virtqueue,
 * a buffer) goes through here, so a range that leaves RAM, or wraps past 2^64,
 * is refused before anything is read or written.
 */
#include <stddef.h>
#include <stdint.h>

struct guest_mem {
	uint8_t *host; /* where guest-physical base is mapped; NULL: no RAM yet */
	uint64_t base, size;
};

/* -EINVAL when RAM would end beyond 2^64, or host is NULL with a size. */
int guest_mem_init(struct guest_mem *gm, void *host, uint64_t base, uint64_t size);
/* The host address of [gpa, gpa + len), or NULL unless all of it is RAM (len 0: gpa is). */
void *guest_mem_ptr(const struct guest_mem *gm, uint64_t gpa, uint64_t len);
/* Copies between guest RAM and buf; -EFAULT (nothing copied) when the range is not all RAM. */
int guest_mem_read(const struct guest_mem *gm, uint64_t gpa, void *buf, size_t len);
int guest_mem_write(const struct guest_mem *gm, uint64_t gpa, const void *buf, size_t len);

#endif
