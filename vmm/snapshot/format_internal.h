/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_MIGRATE_FORMAT_INTERNAL_H
#define VMM_MIGRATE_FORMAT_INTERNAL_H

/*
 * What the snapshot writer (format.c) and reader (format_read.c) share: the layout and its
 * byte-order helpers.
 *
 * The snapshot file. Every integer is little-endian; offsets are in bytes.
 *
 * Header, at 0:
 *     0  magic[8]            "VMMSNAP\0"
 *     8  u32 format_version  SNAP_FORMAT_VERSION
 *    12  u32 header_len      136: the first section starts here
 *    16  vmm_version[32]     NUL-terminated, zero-padded
 *    48  host_release[65]    NUL-terminated, zero-padded, then 7 zero bytes
 *   120  u32 page_size
 *   124  u32 ipa_bits
 *   128  u32 nr_sections
 *   132  u32 header_crc      crc32 of bytes 0..131
 *
 * Then nr_sections sections back to back, each a 24-byte head, the payload,
 * and zeros up to a multiple of 8 bytes:
 *     0  u32 type            enum snap_section_type
 *     4  u32 index
 *     8  u64 payload_len
 *    16  u32 payload_crc     crc32 of head bytes 0..15, then of the payload
 *    20  u32 reserved        0
 * The CRC starts with type, index and length so that a flipped bit in them is
 * caught too: nothing else would notice vcpu 1 turning into vcpu 3.
 *
 * The memory section, at most one, must be the last. Its payload:
 *     0  u64 gpa
 *     8  u64 size               a multiple of SNAP_PAGE
 *    16  u64 data_file_offset   the section's end rounded up to SNAP_MEM_ALIGN
 *    24  u64 pages_with_data    how many bits the map sets
 *    32  map[(size / SNAP_PAGE + 7) / 8]  bit i % 8 of byte i / 8: page i has data
 * and its CRC continues over the data of every marked page, in page order.
 * Zeros fill the gap up to data_file_offset; page i of RAM is at
 * data_file_offset + i * SNAP_PAGE, unmarked pages are holes never written,
 * and the file ends at data_file_offset + size, so all of it can be mmapped.
 * Without a memory section the file ends with the last section.
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
	HDR_NR_SECTIONS = 128,
	HDR_CRC = 132,
	HDR_LEN = 136,

	SEC_TYPE = 0,
	SEC_INDEX = 4,
	SEC_LEN = 8,
	SEC_CRC = 16,
	SEC_RESERVED = 20,
	SEC_HEAD_LEN = 24,

	MEM_GPA = 0,
	MEM_SIZE = 8,
	MEM_DATA_OFFSET = 16,
	MEM_PAGES_WITH_DATA = 24,
	MEM_MAP = 32,
};

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
