/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_RESIDENT_H
#define VMM_RESIDENT_H

#include <stdint.h>

/*
 * How much of guest RAM the host holds in memory: what the peak RSS owes to the
 * guest rather than to vmm. The kernel's own count, the mapping's Rss line in
 * /proc/self/smaps, walks page tables only; mincore() looked every page up,
 * which for a restored VM's file-backed RAM took 0.2 s per GiB in the
 * emulated host, and counted page cache pages the guest never mapped.
 */

/* Opens /proc/self/smaps once, before privileges go (pagemap.h says why). */
void resident_prepare(void);
/* KiB resident of the mappings in [addr, addr + size), from the smaps text read from fd; -errno. */
long resident_kib_read(int fd, const void *addr, uint64_t size);
/* The same from the descriptor resident_prepare() opened; -1 when unknown. */
long resident_kib(const void *addr, uint64_t size);

#endif
