/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_MIGRATE_FORMAT_INTERNAL_H
#define VMM_MIGRATE_FORMAT_INTERNAL_H

/*
 * What the snapshot writer (format.c) and reader (format_read.c) share: the layout and its
 * byte-order helpers.
 *
 * The snapshot. Every integer is little-endian; offsets are in bytes from its
 * start (a file's or a stream's: the same bytes either way).
 *
 * Header, at 0:
 *     0  magic[8]            "VMMSNAP\0"
 *     8  u32 format_version  SNAP_FORMAT_VERSION
 *    12  u32 header_len      136: the first record starts here
 *    16  vmm_version[32]     NUL-terminated, zero-padded
 *    48  host_release[65]    NUL-terminated, zero-padded, then 7 zero bytes
 *   120  u32 page_size
 *   124  u32 ipa_bits
 *   128  u32 reserved        0 (format 1 had the section count here: it came last)
 *   132  u32 header_crc      crc32 of bytes 0..131
 *
 * Then records back to back, each a 32-byte head, the payload and zeros up to
 * a multiple of 8 bytes:
 *     0  u32 kind            enum snap_section_type
 *     4  u32 version         of that kind's payload (a device's: of that device)
 *     8  u32 index
 *    12  u32 flags           SNAP_REC_SKIPPABLE, or 0
 *    16  u64 payload_len
 *    24  u32 crc             crc32 of head bytes 0..23, then of the payload
 *    28  u32 reserved        0
 * The CRC starts with the head so that a flipped bit in it is caught too:
 * nothing else would notice vcpu 1 turning into vcpu 3.
 *
 * A memory record's payload:
 *     0  u64 gpa                a multiple of SNAP_PAGE
 *     8  u64 pages              at least 1
 *    16  u64 pages_with_data    how many bits the map sets
 *    24  map[(pages + 7) / 8]   bit i % 8 of byte i / 8: page i has data
 * After its padding, zeros up to the next multiple of SNAP_MEM_ALIGN, come the
 * run's pages, pages * SNAP_PAGE bytes: a file's unmarked pages are holes, a
 * stream's zeros. Its CRC continues over the data of every marked page, in
 * page order; the next record follows the last page.
 *
 * The end record, the last, payload:
 *     0  u32 records            before it
 *     4  u32 memory_records     of those, memory
 *     8  u64 pages_with_data    summed over the memory records
 * Nothing follows it.
 *
 * Error messages number sections from 0 in file order.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <zlib.h>

enum {
	HDR_FORMAT_VERSION = 8,
	HDR_HEADER_LEN = 12,
	HDR_VMM_VERSION = 16,
	HDR_HOST_RELEASE = 48,
	HDR_PAD = 113,
	HDR_PAGE_SIZE = 120,
	HDR_IPA_BITS = 124,
	HDR_RESERVED = 128,
	HDR_CRC = 132,
	HDR_LEN = 136,

	SEC_TYPE = 0,
	SEC_VERSION = 4,
	SEC_INDEX = 8,
	SEC_FLAGS = 12,
	SEC_LEN = 16,
	SEC_CRC = 24,
	SEC_RESERVED = 28,
	SEC_HEAD_LEN = 32,

	MEM_GPA = 0,
	MEM_PAGES = 8,
	MEM_PAGES_WITH_DATA = 16,
	MEM_MAP = 24,

	END_RECORDS = 0,
	END_MEMORY_RECORDS = 4,
	END_PAGES_WITH_DATA = 8,
	END_LEN = 16,
};

/* The previous format, refused by name. */
#define SNAP_FORMAT_PREVIOUS 1

/* Where a memory record's data starts, its head at off and its payload len bytes long. */
static inline uint64_t mem_data_offset(uint64_t off, uint64_t len)
{
	return (off + SEC_HEAD_LEN + ((len + 7) & ~7ULL) + SNAP_MEM_ALIGN - 1) &
	       ~(uint64_t)(SNAP_MEM_ALIGN - 1);
}

/* Large enough that save runs at disk speed, not syscall speed. */
#define IO_CHUNK (8ULL << 20)

/*
 * A fuzzer cannot forge CRCs; in its build a mismatch is ignored so that it
 * reaches the parsing behind them. Everything else is still checked.
 */
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
#define crc_differs(a, b) ((void)(a), (void)(b), false)
#else
#define crc_differs(a, b) ((a) != (b))
#endif

static inline void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

static inline void put_le64(uint8_t *p, uint64_t v)
{
	put_le32(p, v);
	put_le32(p + 4, v >> 32);
}

static inline uint32_t get_le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t get_le64(const uint8_t *p)
{
	return get_le32(p) | (uint64_t)get_le32(p + 4) << 32;
}

/* zlib's crc32 restarts at 0 when given NULL, which an empty payload may be. */
static inline uint32_t crc_more(uint32_t crc, const void *p, uint64_t len)
{
	return len ? crc32_z(crc, p, len) : crc;
}

static inline bool all_zero(const uint8_t *p, size_t len)
{
	return !len || (p[0] == 0 && !memcmp(p, p + 1, len - 1));
}

#endif
