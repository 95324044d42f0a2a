/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_MIGRATE_PAGEMAP_H
#define VMM_MIGRATE_PAGEMAP_H

#include <stdint.h>

/*
 * Which pages of anonymous guest RAM may hold data, for save to skip the rest
 * without reading them. mincore() will not do: it calls a page that was
 * swapped out (or moved to zswap) absent, and such a page holds data. The
 * kernel's /proc/self/pagemap tells present and swapped apart from never
 * touched (Documentation/admin-guide/mm/pagemap.rst: bit 63 present, bit 62
 * swapped), and gives those bits to an unprivileged reader too.
 */

/*
 * Opens /proc/self/pagemap once, before privileges go: after a change of user
 * the process is no longer dumpable and /proc/self/ is root's. Safe to call
 * again; without it, save reads every page.
 */
void ram_presence_prepare(void);
/* The descriptor ram_presence_prepare() opened, or -1. */
int ram_presence_fd(void);

/*
 * Fills out[i] with 1 when the 4 KiB page at addr + i * 4096 is present or
 * swapped, per the pagemap read from fd, else 0; size is a multiple of 4 KiB.
 * Returns 0 or -errno (nothing is then known: read every page).
 */
int ram_presence_read(int fd, const void *addr, uint64_t size, unsigned char *out);

#endif
