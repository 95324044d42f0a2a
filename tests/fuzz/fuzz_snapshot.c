// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the snapshot reader: whatever the bytes, snap_reader_open_mem()
 * either refuses them with a reason or returns sections every get function can walk.
 * Built with FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION, so CRC mismatches pass (format.c).
 * The same bytes as a file (a memfd), through snap_reader_open() as restore and inspect
 * read it, must get the same verdict and the same sections: the two readers share the
 * parser but not how they fetch bytes, hole checks included. So must restore's
 * reader, which sums the memory's CRC later, piece by piece.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "snapshot/format.h"

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

static int file_fd = -1;
static char file_path[64];

static void file_set(const uint8_t *data, size_t size)
{
	if (file_fd < 0) {
		file_fd = memfd_create("fuzz-snapshot", MFD_CLOEXEC);
		check(file_fd >= 0);
		snprintf(file_path, sizeof(file_path), "/proc/self/fd/%d", file_fd);
	}
	/* Overwritten, then cut: truncating to 0 first would free and fault in every page again. */
	check(pwrite(file_fd, data, size, 0) == (ssize_t)size);
	check(!ftruncate(file_fd, size));
}

static bool sections_equal(const struct snap_section *a, const struct snap_section *b)
{
	return a->type == b->type && a->index == b->index && a->len == b->len && a->pos == b->pos &&
	       a->version == b->version && a->flags == b->flags && a->offset == b->offset &&
	       a->gpa == b->gpa && a->pages == b->pages && a->data_offset == b->data_offset &&
	       !a->data == !b->data && (!a->len || !a->data || !memcmp(a->data, b->data, a->len));
}

static bool headers_equal(const struct snap_header *a, const struct snap_header *b)
{
	return a->format_version == b->format_version && !strcmp(a->vmm_version, b->vmm_version) &&
	       !strcmp(a->host_release, b->host_release) && a->page_size == b->page_size &&
	       a->ipa_bits == b->ipa_bits && a->nr_sections == b->nr_sections;
}

/*
 * Restore's way: the memory CRC deferred, then summed a page at a time. CRCs
 * pass in this build, so the verdict must be the full open's.
 */
static int deferred_verdict(void)
{
	struct snap_reader *r;
	char why[200] = "";
	unsigned int calls = 0;
	int ret = snap_reader_open_flags(&r, file_path, SNAP_READ_DEFER_MEMORY_CRC, why,
					 sizeof(why));

	if (ret) {
		check(why[0]);
		return ret;
	}
	do
		ret = snap_reader_check_memory(r, 4096, why, sizeof(why));
	while (ret == 1 && ++calls < (1u << 24));
	snap_reader_close(r);
	return ret;
}

/* The file reader against the buffer reader's verdict (ret) and result (mem_r, if ret is 0). */
static void file_reader_check(const uint8_t *data, size_t size, int ret,
			      const struct snap_reader *mem_r)
{
	const struct snap_section *recs_a, *recs_b;
	struct snap_memory a, b;
	struct snap_reader *r;
	char why[200] = "";
	unsigned int i, n, nb;
	int type;

	file_set(data, size);
	check(deferred_verdict() == ret);
	check(snap_reader_open(&r, file_path, why, sizeof(why)) == ret);
	if (ret) {
		check(why[0]);
		return;
	}
	check(snap_reader_fd(r) >= 0);
	check(headers_equal(snap_reader_header(r), snap_reader_header(mem_r)));
	recs_a = snap_reader_records(r, &n);
	recs_b = snap_reader_records(mem_r, &nb);
	check(n == nb);
	for (i = 0; i < n; i++)
		check(sections_equal(&recs_a[i], &recs_b[i]));
	for (type = SNAP_SEC_CONFIG; type <= SNAP_SEC_MEMORY; type++) {
		n = snap_reader_count(r, type);
		check(n == snap_reader_count(mem_r, type));
		for (i = 0; i < n; i++)
			check(sections_equal(snap_reader_find(r, type, i),
					     snap_reader_find(mem_r, type, i)));
	}
	ret = snap_reader_memory(r, &a);
	check(ret == snap_reader_memory(mem_r, &b));
	check(ret || (a.gpa == b.gpa && a.size == b.size && a.file_offset == b.file_offset &&
		      a.pages_with_data == b.pages_with_data && a.nr_records == b.nr_records));
	snap_reader_close(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct snap_section *recs;
	const struct snap_header *hdr;
	struct snap_reader *r;
	unsigned int i, n, total = 0;
	int type;
	char why[200] = "";
	int ret = snap_reader_open_mem(&r, data, size, why, sizeof(why));

	if (ret) {
		if (!why[0])
			__builtin_trap(); /* every refusal says why */
		file_reader_check(data, size, ret, NULL);
		return 0;
	}
	file_reader_check(data, size, 0, r);
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
	recs = snap_reader_records(r, &n);
	if (total > n || n != hdr->nr_sections || snap_reader_fd(r) != -1)
		__builtin_trap();
	for (i = 0; i < n; i++) {
		struct snap_section s = recs[i];

		/* A record passed over (unknown, skippable) offers nothing to get. */
		if (!s.data && (s.pos != s.len || !snap_get_bytes(&s, &type, 1)))
			__builtin_trap();
		/* The memory data must lie inside the buffer: restore would map it. */
		if (s.type == SNAP_SEC_MEMORY &&
		    (s.data_offset % SNAP_MEM_ALIGN || s.data_offset > size || !s.pages ||
		     s.pages * SNAP_PAGE > size - s.data_offset || s.data_offset < s.offset))
			__builtin_trap();
	}
	snap_reader_close(r);
	return 0;
}
