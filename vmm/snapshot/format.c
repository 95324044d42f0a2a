// SPDX-License-Identifier: GPL-2.0
/* The snapshot writer, and the names of sections; format_internal.h has the file layout. */
#include "snapshot/format.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "base/util.h"
#include "snapshot/format_internal.h"

const char *snap_section_name(enum snap_section_type type)
{
	static const char *const names[] = {
		[SNAP_SEC_CONFIG] = "config", [SNAP_SEC_VCPU] = "vcpu",	    [SNAP_SEC_GIC] = "gic",
		[SNAP_SEC_DEVICE] = "device", [SNAP_SEC_MEMORY] = "memory", [SNAP_SEC_END] = "end",
	};

	if ((unsigned int)type >= ARRAY_SIZE(names) || !names[type])
		return "unknown";
	return names[type];
}

uint64_t snap_section_max_len(enum snap_section_type type)
{
	static const uint64_t max[] = {
		[SNAP_SEC_CONFIG] = 16 << 10, /* a 2 KiB command line and a few numbers */
		[SNAP_SEC_VCPU] = 1 << 20,    /* ~300 registers of up to 2 x 256 bytes */
		[SNAP_SEC_GIC] = 4 << 20,     /* 20 bytes an attribute, 123 redistributors */
		[SNAP_SEC_DEVICE] = 64 << 10,
		/* The page map of the largest RAM a 52-bit IPA holds, 4 KiB pages, bit each. */
		[SNAP_SEC_MEMORY] = MEM_MAP + (1ULL << (52 - 12 - 3)),
		[SNAP_SEC_END] = END_LEN,
	};

	if ((unsigned int)type >= ARRAY_SIZE(max))
		return 0;
	return max[type];
}

/* Writing */

struct snap_writer {
	struct snap_sink *sink;
	int err; /* the first error: every later call returns it */
	bool in_section;
	struct snap_header hdr;
	uint32_t nr_records, nr_memory, rounds;
	uint64_t pages_with_data;
	uint64_t off; /* bytes written so far: where the next record goes */
	uint8_t *buf; /* the open record: head, then payload */
	size_t len, cap;
};

static int writer_fail(struct snap_writer *w, int err)
{
	if (!w->err)
		w->err = err;
	return w->err;
}

static int emit(struct snap_writer *w, const void *buf, uint64_t len)
{
	int ret = len ? w->sink->ops->write(w->sink, buf, len) : 0;

	if (ret)
		return writer_fail(w, ret);
	w->off += len;
	return 0;
}

static int emit_zeros(struct snap_writer *w, uint64_t len)
{
	int ret = len ? w->sink->ops->zeros(w->sink, len) : 0;

	if (ret)
		return writer_fail(w, ret);
	w->off += len;
	return 0;
}

static void header_encode(uint8_t *p, const struct snap_header *hdr)
{
	memset(p, 0, HDR_LEN);
	memcpy(p, SNAP_MAGIC, sizeof(SNAP_MAGIC));
	put_le32(p + HDR_FORMAT_VERSION, SNAP_FORMAT_VERSION);
	put_le32(p + HDR_HEADER_LEN, HDR_LEN);
	memcpy(p + HDR_VMM_VERSION, hdr->vmm_version, strlen(hdr->vmm_version));
	memcpy(p + HDR_HOST_RELEASE, hdr->host_release, strlen(hdr->host_release));
	put_le32(p + HDR_PAGE_SIZE, hdr->page_size);
	put_le32(p + HDR_IPA_BITS, hdr->ipa_bits);
	put_le32(p + HDR_CRC, crc32_z(0, p, HDR_CRC));
}

int snap_writer_new(struct snap_writer **wp, struct snap_sink *sink, const struct snap_header *hdr)
{
	uint8_t head[HDR_LEN];
	struct snap_writer *w;

	if (strnlen(hdr->vmm_version, sizeof(hdr->vmm_version)) == sizeof(hdr->vmm_version) ||
	    strnlen(hdr->host_release, sizeof(hdr->host_release)) == sizeof(hdr->host_release)) {
		sink->ops->abort(sink);
		return -EINVAL;
	}
	w = calloc(1, sizeof(*w));
	if (!w) {
		sink->ops->abort(sink);
		return -ENOMEM;
	}
	w->sink = sink;
	w->hdr = *hdr;
	header_encode(head, hdr);
	if (emit(w, head, HDR_LEN)) {
		int ret = w->err;

		snap_writer_abort(w);
		return ret;
	}
	*wp = w;
	return 0;
}

int snap_writer_open(struct snap_writer **wp, const char *path, const struct snap_header *hdr)
{
	struct snap_sink *sink;
	int ret;

	if (strnlen(hdr->vmm_version, sizeof(hdr->vmm_version)) == sizeof(hdr->vmm_version) ||
	    strnlen(hdr->host_release, sizeof(hdr->host_release)) == sizeof(hdr->host_release))
		return -EINVAL;
	ret = snap_file_sink_open(&sink, path);
	return ret ? ret : snap_writer_new(wp, sink, hdr);
}

const char *snap_writer_tmp_path(const struct snap_writer *w)
{
	return snap_file_sink_tmp_path(w->sink);
}

bool snap_writer_replaced(const struct snap_writer *w)
{
	return snap_file_sink_replaced(w->sink);
}

/* Makes room for len more bytes in the open record and points p at them. */
static int section_grow(struct snap_writer *w, size_t len, uint8_t **p)
{
	if (w->err)
		return w->err;
	if (!w->in_section)
		return writer_fail(w, -EINVAL);
	if (len > w->cap - w->len) {
		size_t cap = w->cap ? w->cap : 256;
		uint8_t *buf;

		while (len > cap - w->len) {
			if (cap > SIZE_MAX / 2)
				return writer_fail(w, -ENOMEM);
			cap *= 2;
		}
		buf = realloc(w->buf, cap);
		if (!buf)
			return writer_fail(w, -ENOMEM);
		w->buf = buf;
		w->cap = cap;
	}
	*p = w->buf + w->len;
	w->len += len;
	return 0;
}

static void head_encode(uint8_t *head, uint32_t type, uint32_t index, uint32_t version)
{
	memset(head, 0, SEC_HEAD_LEN);
	put_le32(head + SEC_TYPE, type);
	put_le32(head + SEC_VERSION, version);
	put_le32(head + SEC_INDEX, index);
}

static int record_open(struct snap_writer *w, uint32_t type, uint32_t index, uint32_t version)
{
	uint8_t *head;

	w->in_section = true;
	w->len = 0;
	if (section_grow(w, SEC_HEAD_LEN, &head))
		return w->err;
	head_encode(head, type, index, version);
	return 0;
}

int snap_record_begin(struct snap_writer *w, enum snap_section_type type, uint32_t index,
		      uint32_t version)
{
	if (w->err)
		return w->err;
	/* Memory goes through snap_write_memory(), the end through commit. */
	if (w->in_section || type < SNAP_SEC_CONFIG || type >= SNAP_SEC_MEMORY)
		return writer_fail(w, -EINVAL);
	return record_open(w, type, index, version);
}

int snap_section_begin(struct snap_writer *w, enum snap_section_type type, uint32_t index)
{
	return snap_record_begin(w, type, index, 1);
}

int snap_put_bytes(struct snap_writer *w, const void *data, size_t len)
{
	uint8_t *p;
	int ret = section_grow(w, len, &p);

	if (!ret && len)
		memcpy(p, data, len);
	return ret;
}

int snap_put_u32(struct snap_writer *w, uint32_t v)
{
	uint8_t b[4];

	put_le32(b, v);
	return snap_put_bytes(w, b, sizeof(b));
}

int snap_put_u64(struct snap_writer *w, uint64_t v)
{
	uint8_t b[8];

	put_le64(b, v);
	return snap_put_bytes(w, b, sizeof(b));
}

int snap_put_str(struct snap_writer *w, const char *s)
{
	size_t n = strlen(s);
	int ret;

	if (n > UINT32_MAX)
		return writer_fail(w, -EINVAL);
	ret = snap_put_u32(w, n);
	return ret ? ret : snap_put_bytes(w, s, n);
}

/* Fills in a record head's length; returns its CRC so far, over the head and the payload. */
static uint32_t section_seal(uint8_t *head, const uint8_t *payload, uint64_t len)
{
	put_le64(head + SEC_LEN, len);
	return crc_more(crc32_z(0, head, SEC_CRC), payload, len);
}

/* The open record, CRC of what follows its payload (memory data) already in extra_crc. */
static int record_close(struct snap_writer *w, uint32_t extra_crc, uint64_t extra_len)
{
	static const uint8_t zeros[8];
	uint64_t payload_len = w->len - SEC_HEAD_LEN;
	uint32_t crc;
	int ret;

	/* Never write what no reader would take. */
	if (payload_len > snap_section_max_len(get_le32(w->buf + SEC_TYPE)))
		return writer_fail(w, -E2BIG);
	crc = section_seal(w->buf, w->buf + SEC_HEAD_LEN, payload_len);
	put_le32(w->buf + SEC_CRC, crc32_combine(crc, extra_crc, extra_len));
	ret = snap_put_bytes(w, zeros, ALIGN_UP(payload_len, 8) - payload_len);
	ret = ret ?: emit(w, w->buf, w->len);
	if (ret)
		return ret;
	w->nr_records++;
	w->in_section = false;
	return 0;
}

int snap_section_end(struct snap_writer *w)
{
	if (w->err)
		return w->err;
	if (!w->in_section)
		return writer_fail(w, -EINVAL);
	return record_close(w, 0, 0);
}

/* Memory */

struct ram_round {
	uint64_t gpa;
	const uint8_t *ram;
	uint64_t pages;
	uint8_t *map; /* a bit per page of all RAM: it holds data */
};

static bool ram_marked(const struct ram_round *rr, uint64_t page)
{
	return rr->map[page / 8] >> (page % 8) & 1;
}

/* Fills the map; returns how many pages it marks. */
static uint64_t ram_scan(struct ram_round *rr, const unsigned char *resident)
{
	uint64_t i, n = 0;

	for (i = 0; i < rr->pages; i++) {
		if ((resident && !(resident[i] & 1)) ||
		    all_zero(rr->ram + i * SNAP_PAGE, SNAP_PAGE))
			continue;
		rr->map[i / 8] |= 1u << (i % 8);
		n++;
	}
	return n;
}

#define BLOCK_PAGES (SNAP_MEM_ALIGN / SNAP_PAGE)

static bool block_has_data(const struct ram_round *rr, uint64_t block)
{
	uint64_t i;

	for (i = block * BLOCK_PAGES; i < rr->pages && i < (block + 1) * BLOCK_PAGES; i++)
		if (ram_marked(rr, i))
			return true;
	return false;
}

/*
 * The next run from page *from: whole blocks from the first with data to the
 * last before SNAP_MEM_MERGE of blocks without. Blocks keep a run mappable on
 * any host page size; merging keeps a restore's mappings few.
 */
static bool next_run(const struct ram_round *rr, uint64_t *from, uint64_t *end)
{
	uint64_t blocks = (rr->pages + BLOCK_PAGES - 1) / BLOCK_PAGES;
	uint64_t b = (*from + BLOCK_PAGES - 1) / BLOCK_PAGES; /* past the last run, a partial block */
	uint64_t last, gap = SNAP_MEM_MERGE / SNAP_MEM_ALIGN;

	while (b < blocks && !block_has_data(rr, b))
		b++;
	if (b >= blocks)
		return false;
	*from = b * BLOCK_PAGES;
	for (last = b; b < blocks && b - last <= gap; b++)
		if (block_has_data(rr, b))
			last = b;
	*end = (last + 1) * BLOCK_PAGES < rr->pages ? (last + 1) * BLOCK_PAGES : rr->pages;
	return true;
}

/* Pages [from, end) after the record's head: marked ones written, the rest as zeros. */
static int run_data(struct snap_writer *w, const struct ram_round *rr, uint64_t from, uint64_t end)
{
	uint64_t i, j;
	int ret = 0;

	for (i = from; i < end && !ret; i = j) {
		bool data = ram_marked(rr, i);

		for (j = i + 1; j < end && ram_marked(rr, j) == data &&
				(!data || (j - i) * SNAP_PAGE < IO_CHUNK);
		     j++)
			;
		ret = data ? emit(w, rr->ram + i * SNAP_PAGE, (j - i) * SNAP_PAGE)
			   : emit_zeros(w, (j - i) * SNAP_PAGE);
	}
	return ret;
}

static int write_run(struct snap_writer *w, const struct ram_round *rr, uint64_t from, uint64_t end)
{
	uint64_t i, pages = end - from, marked = 0, data_off;
	uint32_t data_crc = 0;
	uint8_t *fields, *map;
	int ret = record_open(w, SNAP_SEC_MEMORY, w->rounds, SNAP_VER_MEMORY);

	ret = ret ?: section_grow(w, MEM_MAP + (pages + 7) / 8, &fields);
	if (ret)
		return ret;
	map = fields + MEM_MAP;
	memset(map, 0, (pages + 7) / 8);
	/* The CRC goes in the head, before the data: a stream cannot go back for it. */
	for (i = 0; i < pages; i++) {
		if (!ram_marked(rr, from + i))
			continue;
		map[i / 8] |= 1u << (i % 8);
		marked++;
		data_crc = crc32_z(data_crc, rr->ram + (from + i) * SNAP_PAGE, SNAP_PAGE);
	}
	put_le64(fields + MEM_GPA, rr->gpa + from * SNAP_PAGE);
	put_le64(fields + MEM_PAGES, pages);
	put_le64(fields + MEM_PAGES_WITH_DATA, marked);
	data_off = mem_data_offset(w->off, MEM_MAP + (pages + 7) / 8);
	ret = record_close(w, data_crc, marked * SNAP_PAGE);
	ret = ret ?: emit_zeros(w, data_off - w->off);
	ret = ret ?: run_data(w, rr, from, end);
	if (ret)
		return ret;
	w->nr_memory++;
	w->pages_with_data += marked;
	return 0;
}

int snap_write_memory(struct snap_writer *w, uint64_t gpa, const void *ram, uint64_t size,
		      const unsigned char *resident)
{
	struct ram_round rr = { .gpa = gpa, .ram = ram, .pages = size / SNAP_PAGE };
	uint64_t from = 0, end;
	int ret = 0;

	if (w->err)
		return w->err;
	if (w->in_section || size % SNAP_PAGE || gpa % SNAP_PAGE || (size && !ram) ||
	    size > (1ULL << 52) || gpa > (1ULL << 52))
		return writer_fail(w, -EINVAL);
	rr.map = calloc(1, (rr.pages + 7) / 8 + 1);
	if (!rr.map)
		return writer_fail(w, -ENOMEM);
	ram_scan(&rr, resident);
	while (!ret && next_run(&rr, &from, &end)) {
		if (w->nr_memory >= SNAP_MAX_MEMORY_RECORDS)
			ret = writer_fail(w, -E2BIG);
		else
			ret = write_run(w, &rr, from, end);
		from = end;
	}
	free(rr.map);
	if (!ret)
		w->rounds++;
	return ret;
}

static int write_end(struct snap_writer *w)
{
	uint32_t records = w->nr_records;
	int ret = record_open(w, SNAP_SEC_END, 0, SNAP_VER_END);

	ret = ret ?: snap_put_u32(w, records);
	ret = ret ?: snap_put_u32(w, w->nr_memory);
	ret = ret ?: snap_put_u64(w, w->pages_with_data);
	return ret ?: record_close(w, 0, 0);
}

int snap_writer_commit(struct snap_writer *w)
{
	int ret;

	if (w->err)
		return w->err;
	if (w->in_section)
		return writer_fail(w, -EINVAL);
	ret = write_end(w);
	if (ret)
		return ret;
	ret = w->sink->ops->finish(w->sink);
	if (ret)
		return writer_fail(w, ret);
	free(w->buf);
	free(w);
	return 0;
}

void snap_writer_abort(struct snap_writer *w)
{
	if (!w)
		return;
	w->sink->ops->abort(w->sink);
	free(w->buf);
	free(w);
}
