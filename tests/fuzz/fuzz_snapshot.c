// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the snapshot reader: whatever the bytes, snap_reader_open_mem()
 * either refuses them with a reason or returns sections every get function can walk.
 * Built with FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION, so CRC mismatches pass (format.c).
 */
#include <stdint.h>
#include <string.h>

#include "fuzz.h"
#include "migrate/format.h"

/* Lets the payload choose the next read, so every get function meets every offset. */
static void section_walk(struct snap_section *s)
{
	uint8_t bytes[16];
	char str[24];
	uint32_t v32;
	uint64_t v64;

	while (s->pos < s->len) {
		uint8_t pick = s->data[s->pos];
		uint64_t before = s->pos;

		switch (pick % 4) {
		case 0:
			snap_get_u32(s, &v32);
			break;
		case 1:
			snap_get_u64(s, &v64);
			break;
		case 2:
			snap_get_str(s, str, 1 + pick % sizeof(str));
			break;
		default:
			snap_get_bytes(s, bytes, pick % sizeof(bytes));
			break;
		}
		if (s->pos > s->len || (s->pos == before && snap_get_bytes(s, bytes, 1)))
			__builtin_trap();
	}
	if (!snap_get_u32(s, &v32) || !snap_get_u64(s, &v64) || !snap_get_bytes(s, bytes, 1) ||
	    !snap_get_str(s, str, sizeof(str)) || s->pos != s->len)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct snap_header *hdr;
	struct snap_reader *r;
	struct snap_memory mem;
	unsigned int i, n, total = 0;
	int type;
	char why[200] = "";

	if (snap_reader_open_mem(&r, data, size, why, sizeof(why))) {
		if (!why[0])
			__builtin_trap(); /* every refusal says why */
		return 0;
	}
	hdr = snap_reader_header(r);
	if (strlen(hdr->vmm_version) >= sizeof(hdr->vmm_version) ||
	    strlen(hdr->host_release) >= sizeof(hdr->host_release))
		__builtin_trap();
	for (type = SNAP_SEC_CONFIG; type <= SNAP_SEC_MEMORY; type++) {
		n = snap_reader_count(r, type);
		for (i = 0; i < n; i++) {
			struct snap_section s = *snap_reader_find(r, type, i);

			section_walk(&s);
		}
		if (snap_reader_find(r, type, n))
			__builtin_trap();
		total += n;
	}
	if (total != hdr->nr_sections || snap_reader_fd(r) != -1)
		__builtin_trap();
	/* The memory data must lie inside the buffer: restore would map it. */
	if (!snap_reader_memory(r, &mem) &&
	    (mem.file_offset % SNAP_MEM_ALIGN || mem.file_offset > size ||
	     mem.size > size - mem.file_offset))
		__builtin_trap();
	snap_reader_close(r);
	return 0;
}
