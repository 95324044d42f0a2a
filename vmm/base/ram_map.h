/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_RAM_MAP_H
#define VMM_RAM_MAP_H

#include <stdint.h>

/*
 * Guest RAM as the hardware likes it: 2 MiB aligned in vmm's address space, so
 * that the host can back it with transparent huge pages and KVM can map the
 * guest with 2 MiB blocks at stage 2 (a block needs host and guest addresses
 * to agree modulo 2 MiB; RAM_BASE is 2 MiB aligned). Anonymous RAM is also
 * marked MADV_HUGEPAGE, for hosts whose THP setting is "madvise".
 *
 * fd < 0: anonymous, zero-filled. Otherwise the file's bytes from offset
 * (a multiple of the page size), MAP_PRIVATE: read as the guest touches them.
 * Returns the address or NULL with errno set; ram_unmap() undoes it.
 */
#define RAM_MAP_ALIGN 0x200000ULL

void *ram_map(uint64_t size, int fd, uint64_t offset);
void ram_unmap(void *ram, uint64_t size);

#endif
