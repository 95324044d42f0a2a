// SPDX-License-Identifier: GPL-2.0
/*
 * The snapshot reader. It is fed untrusted files (and a fuzzer): every length is checked
 * against what is left before it is used. format_internal.h has the file layout.
 */
#include "snapshot/format.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "base/util.h"
#include "snapshot/format_internal.h"

/* The memory data's CRC when the open deferred it: where it stands, and what it must reach. */
struct memory_check {
	bool pending;
	unsigned int next_rec; /* the record being summed */
	uint64_t next_page;    /* its first page not yet summed */
	uint32_t crc;
	uint8_t *bounce; /* kept from one call to the next */
	size_t bounce_len;
	int result; /* once not pending: 0, or the failure, which stays */
};

/* A memory record's CRC: what the head and payload sum to, and what all of it must. */
struct record_crc {
	uint32_t start, expected;
};

struct snap_reader {
	struct snap_header hdr;
	struct snap_section *sections; /* nr of them (the end not among them), payloads malloced */
	struct record_crc *crcs;       /* one per section */
	unsigned int nr, cap, nr_memory;
	struct snap_memory mem;
	struct memory_check check;
	uint64_t size; /* of the file when opened */
	int fd;
};

/* Where a reader gets its bytes: a file, or a caller's buffer that holds one. */
struct source {
	const uint8_t *mem;
	int fd;
	uint64_t size;
	unsigned int flags; /* SNAP_READ_* */
	uint64_t piece;	    /* the largest read: 0 for IO_CHUNK */
	uint8_t *bounce; /* up to a piece, to read a file in large pieces */
	size_t bounce_len;
	char *why;
	size_t why_len;
};

__attribute__((format(printf, 3, 4))) static int why_set(struct source *src, int err,
							 const char *fmt, ...)
{
	va_list ap;

	if (src->why && src->why_len) {
		va_start(ap, fmt);
		vsnprintf(src->why, src->why_len, fmt, ap);
		va_end(ap);
	}
	return err;
}

#define section_fail(src, nr, s, fmt, ...)                                                  \
	why_set(src, -EINVAL, "section %u (%s %u): " fmt, nr, snap_section_name((s)->type), \
		(s)->index, ##__VA_ARGS__)

static int read_fail(struct source *src, unsigned int nr, int err)
{
	return why_set(src, err, "section %u: reading: %s", nr, strerror(-err));
}

static int source_read(struct source *src, uint64_t off, void *dst, size_t len)
{
	struct input_file f = { .fd = src->fd, .size = src->size };

	if (off > src->size || len > src->size - off)
		return -EINVAL;
	if (!len)
		return 0;
	if (!src->mem)
		return input_file_read(&f, off, dst, len);
	memcpy(dst, src->mem + off, len);
	return 0;
}

/*
 * An open reads in pieces of up to IO_CHUNK: on a filesystem that serves a
 * read in parallel requests (9p, NFS), smaller pieces made the hole check of a
 * 256 MiB guest take over 30 s. The memory check that runs beside the guest
 * reads CHECK_PIECE at a time, so that it adds little to vmm's peak RSS.
 */
#define CHECK_PIECE (256ULL << 10)

static uint64_t piece(const struct source *src)
{
	return src->piece ? src->piece : IO_CHUNK;
}

/* Points *p at len (at most a piece) bytes at off: in the buffer itself, or read into bounce. */
static int source_view(struct source *src, uint64_t off, size_t len, const uint8_t **p)
{
	if (src->mem) {
		if (off > src->size || len > src->size - off)
			return -EINVAL;
		*p = src->mem + off;
		return 0;
	}
	/* Sized to need: most files are small, and ASan poisons every byte of a big buffer. */
	if (len > src->bounce_len) {
		free(src->bounce);
		src->bounce_len = 0;
		src->bounce = malloc(len);
		if (!src->bounce)
			return -ENOMEM;
		src->bounce_len = len;
	}
	*p = src->bounce;
	return source_read(src, off, src->bounce, len);
}

static int source_crc(struct source *src, uint64_t off, uint64_t len, uint32_t *crc)
{
	while (len) {
		size_t n = len < piece(src) ? len : piece(src);
		const uint8_t *p;
		int ret = source_view(src, off, n, &p);

		if (ret)
			return ret;
		*crc = crc32_z(*crc, p, n);
		off += n;
		len -= n;
	}
	return 0;
}

static int version_refused(struct source *src, const uint8_t *h, uint64_t have)
{
	uint32_t v = get_le32(h + HDR_FORMAT_VERSION);
	char saved_by[40] = "";

	if (v == SNAP_FORMAT_PREVIOUS && have >= HDR_VMM_VERSION + 32 &&
	    memchr(h + HDR_VMM_VERSION, 0, 32))
		snprintf(saved_by, sizeof(saved_by), " (%.31s)", (const char *)h + HDR_VMM_VERSION);
	return why_set(src, -EPROTONOSUPPORT,
		       "snapshot format version %u, this vmm reads format version %u: %s%s", v,
		       SNAP_FORMAT_VERSION,
		       v == SNAP_FORMAT_PREVIOUS ? "restore it with the vmm that saved it"
						 : "it comes from a vmm this one does not know",
		       saved_by);
}

static int parse_header(struct snap_reader *r, struct source *src)
{
	uint64_t have = src->size < HDR_LEN ? src->size : HDR_LEN;
	uint8_t h[HDR_LEN];
	int ret = source_read(src, 0, h, have);

	if (ret)
		return why_set(src, ret, "header: reading: %s", strerror(-ret));
	if (have < sizeof(SNAP_MAGIC) || memcmp(h, SNAP_MAGIC, sizeof(SNAP_MAGIC)))
		return why_set(src, -EINVAL, "not a vmm snapshot: no %s magic", SNAP_MAGIC);
	/* Checked before the CRC: another version may place the CRC elsewhere. */
	if (have >= HDR_HEADER_LEN && get_le32(h + HDR_FORMAT_VERSION) != SNAP_FORMAT_VERSION)
		return version_refused(src, h, have);
	if (have < HDR_LEN)
		return why_set(src, -EINVAL, "file ends inside the header (%llu of %u bytes)",
			       (unsigned long long)have, HDR_LEN);
	if (crc_differs(get_le32(h + HDR_CRC), crc32_z(0, h, HDR_CRC)))
		return why_set(src, -EINVAL, "header: checksum mismatch");
	if (get_le32(h + HDR_HEADER_LEN) != HDR_LEN)
		return why_set(src, -EINVAL, "header: length %u, expected %u",
			       get_le32(h + HDR_HEADER_LEN), HDR_LEN);
	if (!memchr(h + HDR_VMM_VERSION, 0, sizeof(r->hdr.vmm_version)) ||
	    !memchr(h + HDR_HOST_RELEASE, 0, sizeof(r->hdr.host_release)) ||
	    !all_zero(h + HDR_PAD, HDR_PAGE_SIZE - HDR_PAD) || get_le32(h + HDR_RESERVED))
		return why_set(src, -EINVAL, "header: unterminated string or nonzero padding");
	r->hdr.format_version = SNAP_FORMAT_VERSION;
	memcpy(r->hdr.vmm_version, h + HDR_VMM_VERSION, sizeof(r->hdr.vmm_version));
	memcpy(r->hdr.host_release, h + HDR_HOST_RELEASE, sizeof(r->hdr.host_release));
	r->hdr.page_size = get_le32(h + HDR_PAGE_SIZE);
	r->hdr.ipa_bits = get_le32(h + HDR_IPA_BITS);
	return 0;
}

static bool page_marked(const uint8_t *map, uint64_t page)
{
	return map[page / 8] >> (page % 8) & 1;
}

/*
 * Unmarked pages [first, end) that lie in file bytes [from, to): each must read
 * as zeros, or restore, which maps the whole range, would hand their bytes to
 * the guest. Returns 0, page + 1 of the first that is not, or -errno.
 */
static int64_t holes_zero(struct source *src, const uint8_t *map, uint64_t data_off,
			  uint64_t from, uint64_t to)
{
	uint64_t page = (from - data_off) / SNAP_PAGE, end = (to - data_off + SNAP_PAGE - 1) / SNAP_PAGE;
	uint64_t run, i;
	const uint8_t *p;
	int ret;

	while (page < end) {
		if (page_marked(map, page)) {
			page++;
			continue;
		}
		/* A run of holes, read in one piece. */
		for (run = 1; page + run < end && run < piece(src) / SNAP_PAGE &&
			      !page_marked(map, page + run);
		     run++)
			;
		ret = source_view(src, data_off + page * SNAP_PAGE, run * SNAP_PAGE, &p);
		if (ret)
			return ret;
		for (i = 0; i < run; i++)
			if (!all_zero(p + i * SNAP_PAGE, SNAP_PAGE))
				return page + i + 1;
		page += run;
	}
	return 0;
}

/*
 * Only the file's data extents can hold anything but zeros: SEEK_DATA and
 * SEEK_HOLE find them, so the check costs what the data costs, not the RAM
 * size. A filesystem without them reports one extent, and every hole is read.
 */
static int64_t holes_check(struct source *src, const uint8_t *map, uint64_t pages,
			   uint64_t data_off)
{
	uint64_t end = data_off + pages * SNAP_PAGE, off = data_off;
	int64_t ret;
	off_t data, hole;

	if (src->mem)
		return holes_zero(src, map, data_off, data_off, end);
	while (off < end) {
		data = lseek(src->fd, off, SEEK_DATA);
		if (data < 0 && errno == ENXIO)
			return 0;
		if (data < 0)
			data = off;
		if ((uint64_t)data >= end)
			return 0;
		hole = lseek(src->fd, data, SEEK_HOLE);
		if (hole < 0 || (uint64_t)hole > end)
			hole = end;
		ret = holes_zero(src, map, data_off, ALIGN_DOWN(data, SNAP_PAGE), hole);
		if (ret)
			return ret;
		off = hole > data ? (uint64_t)hole : end;
	}
	return 0;
}

#define MEMORY_CRC_MISMATCH "checksum mismatch in the page map or page data"

/*
 * Sums the memory records' data pages into the check from where it stopped,
 * at most budget bytes (whole runs of data pages, so a little more); returns
 * 1 while pages remain, 0 once they all match, -EINVAL when a record's do not
 * (check.next_rec says which), or -errno.
 */
static int memory_crc_step(struct snap_reader *r, struct source *src, uint64_t budget)
{
	uint64_t done = 0, i, j;
	int ret;

	while (r->check.next_rec < r->nr && done < budget) {
		const struct snap_section *s = &r->sections[r->check.next_rec];
		const uint8_t *map = s->data + MEM_MAP;

		if (s->type != SNAP_SEC_MEMORY) {
			r->check.next_rec++;
			continue;
		}
		if (!r->check.next_page)
			r->check.crc = r->crcs[r->check.next_rec].start;
		for (i = r->check.next_page; i < s->pages && done < budget; i = j) {
			j = i + 1;
			if (!(i % 8) && !map[i / 8]) {
				j = i + 8;
				continue;
			}
			if (!page_marked(map, i))
				continue;
			while (j < s->pages && page_marked(map, j) && (j - i) * SNAP_PAGE < piece(src))
				j++;
			ret = source_crc(src, s->data_offset + i * SNAP_PAGE, (j - i) * SNAP_PAGE,
					 &r->check.crc);
			if (ret)
				return ret;
			done += (j - i) * SNAP_PAGE;
		}
		r->check.next_page = i;
		if (i < s->pages)
			return 1;
		if (crc_differs(r->crcs[r->check.next_rec].expected, r->check.crc)) {
			r->check.pending = false;
			return -EINVAL;
		}
		r->check.next_rec++;
		r->check.next_page = 0;
	}
	if (r->check.next_rec < r->nr)
		return 1;
	r->check.pending = false;
	return 0;
}

/* Room for one more record. */
static struct snap_section *record_add(struct snap_reader *r)
{
	if (r->nr == r->cap) {
		unsigned int cap = r->cap ? 2 * r->cap : 16;
		struct snap_section *sections = realloc(r->sections, cap * sizeof(*sections));
		struct record_crc *crcs;

		if (!sections)
			return NULL;
		/* Zeroed: close frees every slot's payload, used or not. */
		memset(sections + r->cap, 0, (cap - r->cap) * sizeof(*sections));
		r->sections = sections;
		crcs = realloc(r->crcs, cap * sizeof(*crcs));
		if (!crcs)
			return NULL;
		r->crcs = crcs;
		r->cap = cap;
	}
	memset(&r->sections[r->nr], 0, sizeof(r->sections[r->nr]));
	memset(&r->crcs[r->nr], 0, sizeof(r->crcs[r->nr]));
	return &r->sections[r->nr];
}

/* A memory record's run, its payload read: the checks its writer promises. */
static int check_run(struct snap_reader *r, struct source *src, unsigned int nr,
		     struct snap_section *s)
{
	const uint8_t *map = s->data + MEM_MAP, *gap;
	uint64_t map_len = (s->pages + 7) / 8, marked = 0, i, gap_off, gap_len;
	int64_t hole;
	int ret;

	if (s->pages % 8 && map[map_len - 1] >> (s->pages % 8))
		return section_fail(src, nr, s, "page map marks pages beyond the end of the run");
	for (i = 0; i < map_len; i++)
		marked += __builtin_popcount(map[i]);
	if (marked != s->pages_with_data)
		return section_fail(src, nr, s, "page map marks %llu pages, the record says %llu",
				    (unsigned long long)marked,
				    (unsigned long long)s->pages_with_data);
	/* Padding and the gap to the data: under 64 KiB + 8, no CRC covers them. */
	gap_off = s->offset + SEC_HEAD_LEN + s->len;
	gap_len = s->data_offset - gap_off;
	ret = source_view(src, gap_off, gap_len, &gap);
	if (ret)
		return read_fail(src, nr, ret);
	if (!all_zero(gap, gap_len))
		return section_fail(src, nr, s, "nonzero bytes between the page map and the data");
	hole = holes_check(src, map, s->pages, s->data_offset);
	if (hole > 0)
		return section_fail(src, nr, s, "page %llu is a hole in the page map but holds data",
				    (unsigned long long)(hole - 1));
	if (hole)
		return read_fail(src, nr, hole);
	(void)r;
	return 0;
}

/* The memory record at s->offset, its head already read. */
static int parse_memory(struct snap_reader *r, struct source *src, unsigned int nr,
			struct snap_section *s, const uint8_t *head)
{
	uint8_t *payload;
	uint64_t end;
	int ret;

	if (s->version != SNAP_VER_MEMORY)
		return section_fail(src, nr, s, "version %u, this vmm reads version %u",
				    s->version, SNAP_VER_MEMORY);
	if (s->len < MEM_MAP)
		return section_fail(src, nr, s, "payload of %llu bytes, its fields take %u",
				    (unsigned long long)s->len, MEM_MAP);
	if (++r->nr_memory > SNAP_MAX_MEMORY_RECORDS)
		return section_fail(src, nr, s, "more than %u memory records",
				    SNAP_MAX_MEMORY_RECORDS);
	payload = malloc(s->len);
	if (!payload)
		return why_set(src, -ENOMEM, "out of memory for the page map");
	s->data = payload;
	ret = source_read(src, s->offset + SEC_HEAD_LEN, payload, s->len);
	if (ret)
		return read_fail(src, nr, ret);
	s->gpa = get_le64(payload + MEM_GPA);
	s->pages = get_le64(payload + MEM_PAGES);
	s->pages_with_data = get_le64(payload + MEM_PAGES_WITH_DATA);
	if (!s->pages || s->pages > (1ULL << 40) || s->len != MEM_MAP + (s->pages + 7) / 8)
		return section_fail(src, nr, s, "payload of %llu bytes does not fit a run of %llu pages",
				    (unsigned long long)s->len, (unsigned long long)s->pages);
	if (s->gpa % SNAP_PAGE || s->gpa > (1ULL << 52) ||
	    s->pages * SNAP_PAGE > (1ULL << 52) - s->gpa)
		return section_fail(src, nr, s, "run at %#llx is no page range of a 52-bit space",
				    (unsigned long long)s->gpa);
	s->data_offset = mem_data_offset(s->offset, s->len);
	end = s->data_offset + s->pages * SNAP_PAGE;
	if (s->data_offset > src->size || end > src->size)
		return section_fail(src, nr, s, "file ends inside the memory data");
	r->crcs[nr] = (struct record_crc){ .start = crc_more(crc32_z(0, head, SEC_CRC), payload,
							     s->len),
					   .expected = get_le32(head + SEC_CRC) };
	return check_run(r, src, nr, s);
}

/* The end record: what it counts must be what came. */
static int parse_end(struct snap_reader *r, struct source *src, unsigned int nr,
		     struct snap_section *s, uint64_t pos)
{
	uint8_t p[END_LEN];
	uint64_t pages = 0;
	unsigned int i;
	int ret;

	if (s->version != SNAP_VER_END || s->len != END_LEN)
		return section_fail(src, nr, s, "version %u of %llu bytes, this vmm reads version %u of %u",
				    s->version, (unsigned long long)s->len, SNAP_VER_END, END_LEN);
	ret = source_read(src, pos + SEC_HEAD_LEN, p, END_LEN);
	if (ret)
		return read_fail(src, nr, ret);
	if (crc_differs(r->crcs[nr].expected, crc_more(r->crcs[nr].start, p, END_LEN)))
		return section_fail(src, nr, s, "checksum mismatch");
	for (i = 0; i < r->nr; i++)
		pages += r->sections[i].type == SNAP_SEC_MEMORY ? r->sections[i].pages_with_data : 0;
	if (get_le32(p + END_RECORDS) != r->nr || get_le32(p + END_MEMORY_RECORDS) != r->nr_memory ||
	    get_le64(p + END_PAGES_WITH_DATA) != pages)
		return section_fail(src, nr, s, "counts %u records (%u of memory, %llu pages), "
				    "the snapshot holds %u (%u, %llu)",
				    get_le32(p + END_RECORDS), get_le32(p + END_MEMORY_RECORDS),
				    (unsigned long long)get_le64(p + END_PAGES_WITH_DATA), r->nr,
				    r->nr_memory, (unsigned long long)pages);
	if (src->size - pos != SEC_HEAD_LEN + END_LEN)
		return why_set(src, -EINVAL, "%llu bytes of garbage after the end record",
			       (unsigned long long)(src->size - pos - SEC_HEAD_LEN - END_LEN));
	return 0;
}

/* A record the reader keeps whole: its payload read, padding and CRC checked. */
static int parse_payload(struct snap_reader *r, struct source *src, unsigned int nr,
			 struct snap_section *s, const uint8_t *head)
{
	uint8_t *payload = malloc(s->len ? s->len : 1);
	const uint8_t *pad;
	int ret;

	if (!payload)
		return why_set(src, -ENOMEM, "out of memory for section %u", nr);
	s->data = payload;
	ret = source_read(src, s->offset + SEC_HEAD_LEN, payload, s->len);
	if (!ret)
		ret = source_view(src, s->offset + SEC_HEAD_LEN + s->len, ALIGN_UP(s->len, 8) - s->len,
				  &pad);
	if (ret)
		return read_fail(src, nr, ret);
	if (!all_zero(pad, ALIGN_UP(s->len, 8) - s->len))
		return section_fail(src, nr, s, "padding is not zero");
	if (crc_differs(get_le32(head + SEC_CRC), crc_more(crc32_z(0, head, SEC_CRC), payload, s->len)))
		return section_fail(src, nr, s, "checksum mismatch");
	(void)r;
	return 0;
}

static bool kind_known(uint32_t kind)
{
	return kind >= SNAP_SEC_CONFIG && kind <= SNAP_SEC_END;
}

/* The head of record nr at *pos: the checks that come before its payload. */
static int parse_head(struct source *src, unsigned int nr, struct snap_section *s,
		      uint8_t *head, uint64_t pos)
{
	uint64_t left, max;
	int ret;

	if (src->size - pos < SEC_HEAD_LEN)
		return why_set(src, -EINVAL, pos == src->size
					     ? "file ends after section %u, before the end record"
					     : "file ends inside the head of section %u",
			       nr);
	ret = source_read(src, pos, head, SEC_HEAD_LEN);
	if (ret)
		return read_fail(src, nr, ret);
	s->type = get_le32(head + SEC_TYPE);
	s->version = get_le32(head + SEC_VERSION);
	s->index = get_le32(head + SEC_INDEX);
	s->flags = get_le32(head + SEC_FLAGS);
	s->len = get_le64(head + SEC_LEN);
	s->offset = pos;
	left = src->size - pos - SEC_HEAD_LEN;
	if (!kind_known(s->type) && !(s->flags & SNAP_REC_SKIPPABLE))
		return section_fail(src, nr, s, "unknown type %u", (unsigned int)s->type);
	if (get_le32(head + SEC_RESERVED) || s->flags & ~SNAP_REC_SKIPPABLE)
		return section_fail(src, nr, s, "reserved field or flags not zero");
	/* An unknown record may be skipped, not be any size: a device's bound is plenty. */
	max = snap_section_max_len(kind_known(s->type) ? s->type : SNAP_SEC_DEVICE);
	if (s->len > max)
		return section_fail(src, nr, s, "claims %llu bytes, a %s section has at most %llu",
				    (unsigned long long)s->len, snap_section_name(s->type),
				    (unsigned long long)max);
	if (s->len > left || ALIGN_UP(s->len, 8) > left)
		return section_fail(src, nr, s, "file ends inside it (%llu bytes of %llu)",
				    (unsigned long long)left, (unsigned long long)ALIGN_UP(s->len, 8));
	return 0;
}

/* Record nr at *pos; moves *pos past it. Returns 1 after the end record. */
static int parse_section(struct snap_reader *r, struct source *src, unsigned int nr, uint64_t *pos)
{
	struct snap_section *s = record_add(r);
	uint8_t head[SEC_HEAD_LEN];
	int ret;

	if (!s)
		return why_set(src, -ENOMEM, "out of memory for section %u", nr);
	ret = parse_head(src, nr, s, head, *pos);
	if (ret)
		return ret;
	if (s->type == SNAP_SEC_END) {
		r->crcs[nr] = (struct record_crc){ .start = crc32_z(0, head, SEC_CRC),
						   .expected = get_le32(head + SEC_CRC) };
		ret = parse_end(r, src, nr, s, *pos);
		return ret ? ret : 1;
	}
	if (s->type == SNAP_SEC_MEMORY) {
		r->nr++;
		ret = parse_memory(r, src, nr, s, head);
		*pos = s->data_offset + s->pages * SNAP_PAGE;
		return ret;
	}
	if (nr - r->nr_memory >= SNAP_MAX_SECTIONS)
		return why_set(src, -EINVAL, "more than %u sections: at most %u are allowed",
			       SNAP_MAX_SECTIONS, SNAP_MAX_SECTIONS);
	r->nr++;
	ret = parse_payload(r, src, nr, s, head);
	*pos += SEC_HEAD_LEN + ALIGN_UP(s->len, 8);
	/* Passed over: a newer vmm's hint this one does without (SNAP_REC_SKIPPABLE). */
	if (!ret && !kind_known(s->type)) {
		free((void *)s->data);
		s->data = NULL;
		s->pos = s->len; /* nothing left to get */
	}
	return ret;
}

static void memory_summary(struct snap_reader *r)
{
	uint64_t lo = UINT64_MAX, hi = 0;
	unsigned int i;

	r->mem = (struct snap_memory){ .nr_records = r->nr_memory };
	for (i = 0; i < r->nr; i++) {
		const struct snap_section *s = &r->sections[i];

		if (s->type != SNAP_SEC_MEMORY)
			continue;
		if (!r->mem.file_offset)
			r->mem.file_offset = s->data_offset;
		lo = s->gpa < lo ? s->gpa : lo;
		hi = s->gpa + s->pages * SNAP_PAGE > hi ? s->gpa + s->pages * SNAP_PAGE : hi;
		r->mem.pages_with_data += s->pages_with_data;
	}
	if (r->nr_memory) {
		r->mem.gpa = lo;
		r->mem.size = hi - lo;
	}
}

/* The memory CRC at open, unless deferred: a mismatch names its record. */
static int memory_crc_now(struct snap_reader *r, struct source *src)
{
	int ret;

	r->check = (struct memory_check){ .pending = r->nr_memory > 0 };
	if (!r->check.pending || (src->flags & SNAP_READ_DEFER_MEMORY_CRC))
		return 0;
	ret = memory_crc_step(r, src, UINT64_MAX);
	if (ret == -EINVAL)
		return section_fail(src, r->check.next_rec, &r->sections[r->check.next_rec], "%s",
				    MEMORY_CRC_MISMATCH);
	if (ret < 0)
		return read_fail(src, r->check.next_rec, ret);
	return 0;
}

static int reader_load(struct snap_reader **rp, struct source *src)
{
	struct snap_reader *r = calloc(1, sizeof(*r));
	uint64_t pos = HDR_LEN;
	unsigned int i;
	int ret;

	if (!r)
		return why_set(src, -ENOMEM, "out of memory");
	r->fd = -1;
	r->size = src->size;
	ret = parse_header(r, src);
	for (i = 0; !ret; i++)
		ret = parse_section(r, src, i, &pos);
	if (ret == 1) {
		r->hdr.nr_sections = r->nr;
		memory_summary(r);
		ret = memory_crc_now(r, src);
	}
	free(src->bounce);
	if (ret) {
		snap_reader_close(r);
		return ret;
	}
	*rp = r;
	return 0;
}

int snap_reader_open(struct snap_reader **rp, const char *path, char *why, size_t why_len)
{
	return snap_reader_open_flags(rp, path, 0, why, why_len);
}

int snap_reader_open_flags(struct snap_reader **rp, const char *path, unsigned int flags,
			   char *why, size_t why_len)
{
	struct source src = { .flags = flags, .why = why, .why_len = why_len };
	struct stat st;
	int ret;

	src.fd = open(path, O_RDONLY | O_CLOEXEC);
	if (src.fd < 0 || fstat(src.fd, &st)) {
		ret = -errno;
		if (src.fd >= 0)
			close(src.fd);
		return why_set(&src, ret, "%s: %s", path, strerror(-ret));
	}
	src.size = st.st_size;
	if (!S_ISREG(st.st_mode))
		ret = why_set(&src, -EINVAL, "%s: not a regular file", path);
	else
		ret = reader_load(rp, &src);
	if (ret) {
		close(src.fd);
		return ret;
	}
	(*rp)->fd = src.fd;
	return 0;
}

int snap_reader_open_mem(struct snap_reader **rp, const void *buf, size_t len, char *why,
			 size_t why_len)
{
	struct source src = { .mem = buf, .fd = -1, .size = len, .why = why, .why_len = why_len };

	if (!buf && len)
		return why_set(&src, -EINVAL, "no buffer");
	/* A NULL mem would mean "read the file"; any non-NULL pointer does for an empty buffer. */
	if (!buf)
		src.mem = (const uint8_t *)"";
	return reader_load(rp, &src);
}

int snap_reader_check_memory(struct snap_reader *r, uint64_t budget, char *why, size_t why_len)
{
	struct source src = { .mem = NULL, .fd = r->fd, .piece = CHECK_PIECE, .bounce = r->check.bounce,
			      .bounce_len = r->check.bounce_len, .why = why, .why_len = why_len };
	struct stat st;
	int ret;

	if (!r->check.pending && r->check.result)
		return why_set(&src, r->check.result, "memory: %s", r->check.result == -EINVAL ?
				       MEMORY_CRC_MISMATCH : "its check failed already");
	if (!r->check.pending)
		return 0;
	/* Cut short since the open: what the restored RAM maps is gone too. */
	if (fstat(r->fd, &st)) {
		ret = -errno;
		why_set(&src, ret, "memory: %s", strerror(-ret));
	} else if ((uint64_t)st.st_size < r->size) {
		ret = why_set(&src, -EIO, "memory: the file is shorter than when it was opened");
	} else {
		src.size = st.st_size;
		/* At least one run of pages a call, whatever the budget. */
		ret = memory_crc_step(r, &src, budget ? budget : 1);
		if (ret == -EINVAL)
			why_set(&src, ret, "memory: %s", MEMORY_CRC_MISMATCH);
		else if (ret < 0)
			why_set(&src, ret, "memory: reading: %s", strerror(-ret));
	}
	r->check.bounce = src.bounce;
	r->check.bounce_len = src.bounce_len;
	if (ret != 1) {
		/* Done either way: a failure is final (the running CRC took in part of a piece). */
		r->check.pending = false;
		r->check.result = ret;
		free(r->check.bounce);
		r->check.bounce = NULL;
		r->check.bounce_len = 0;
	}
	return ret;
}

void snap_reader_close(struct snap_reader *r)
{
	unsigned int i;

	if (!r)
		return;
	/* A record that failed to parse may hold a payload past nr. */
	for (i = 0; r->sections && i < r->cap; i++)
		free((void *)r->sections[i].data);
	free(r->sections);
	free(r->crcs);
	free(r->check.bounce);
	if (r->fd >= 0)
		close(r->fd);
	free(r);
}

const struct snap_header *snap_reader_header(const struct snap_reader *r)
{
	return &r->hdr;
}

const struct snap_section *snap_reader_records(const struct snap_reader *r, unsigned int *n)
{
	*n = r->nr;
	return r->sections;
}

const struct snap_section *snap_reader_find(const struct snap_reader *r,
					    enum snap_section_type type, uint32_t i)
{
	unsigned int j;

	for (j = 0; j < r->nr; j++)
		if (r->sections[j].type == type && i-- == 0)
			return &r->sections[j];
	return NULL;
}

unsigned int snap_reader_count(const struct snap_reader *r, enum snap_section_type type)
{
	unsigned int j, n = 0;

	for (j = 0; j < r->nr; j++)
		n += r->sections[j].type == type;
	return n;
}

int snap_reader_memory(const struct snap_reader *r, struct snap_memory *mem)
{
	if (!r->nr_memory)
		return -ENOENT;
	*mem = r->mem;
	return 0;
}

int snap_reader_fd(const struct snap_reader *r)
{
	return r->fd;
}

int snap_section_check_version(const struct snap_section *s, uint32_t version, char *why,
			       size_t why_len)
{
	if (s->version == version)
		return 0;
	if (why && why_len)
		snprintf(why, why_len, "%s section %u: version %u, this vmm reads version %u",
			 snap_section_name(s->type), s->index, s->version, version);
	return -EINVAL;
}

int snap_section_done(const struct snap_section *s, char *why, size_t why_len)
{
	if (s->pos == s->len)
		return 0;
	if (why && why_len)
		snprintf(why, why_len, "%s section %u: %llu of its %llu bytes left unread",
			 snap_section_name(s->type), s->index,
			 (unsigned long long)(s->pos < s->len ? s->len - s->pos : 0),
			 (unsigned long long)s->len);
	return -EINVAL;
}

int snap_get_bytes(struct snap_section *s, void *out, size_t len)
{
	if (s->pos > s->len || len > s->len - s->pos)
		return -EINVAL;
	if (len)
		memcpy(out, s->data + s->pos, len);
	s->pos += len;
	return 0;
}

int snap_get_u32(struct snap_section *s, uint32_t *v)
{
	uint8_t b[4];
	int ret = snap_get_bytes(s, b, sizeof(b));

	if (!ret)
		*v = get_le32(b);
	return ret;
}

int snap_get_u64(struct snap_section *s, uint64_t *v)
{
	uint8_t b[8];
	int ret = snap_get_bytes(s, b, sizeof(b));

	if (!ret)
		*v = get_le64(b);
	return ret;
}

int snap_get_str(struct snap_section *s, char *out, size_t out_len)
{
	uint64_t start = s->pos;
	uint32_t n;

	if (snap_get_u32(s, &n))
		return -EINVAL;
	/* A NUL inside would cut the string short without anyone noticing. */
	if (n >= out_len || n > s->len - s->pos || memchr(s->data + s->pos, 0, n)) {
		s->pos = start;
		return -EINVAL;
	}
	memcpy(out, s->data + s->pos, n);
	out[n] = '\0';
	s->pos += n;
	return 0;
}
