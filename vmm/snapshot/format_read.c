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
	uint64_t next_page; /* the first page not yet summed */
	uint32_t crc, expected;
	uint8_t *bounce; /* kept from one call to the next */
	size_t bounce_len;
	int result; /* once not pending: 0, or the failure, which stays */
};

struct snap_reader {
	struct snap_header hdr;
	struct snap_section *sections; /* hdr.nr_sections of them, payloads malloced */
	bool has_memory;
	struct snap_memory mem;
	struct memory_check check;
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
		return why_set(src, -EPROTONOSUPPORT,
			       "header: format version %u, this vmm reads version %u",
			       get_le32(h + HDR_FORMAT_VERSION), SNAP_FORMAT_VERSION);
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
	    !all_zero(h + HDR_PAD, HDR_PAGE_SIZE - HDR_PAD))
		return why_set(src, -EINVAL, "header: unterminated string or nonzero padding");
	r->hdr.format_version = SNAP_FORMAT_VERSION;
	memcpy(r->hdr.vmm_version, h + HDR_VMM_VERSION, sizeof(r->hdr.vmm_version));
	memcpy(r->hdr.host_release, h + HDR_HOST_RELEASE, sizeof(r->hdr.host_release));
	r->hdr.page_size = get_le32(h + HDR_PAGE_SIZE);
	r->hdr.ipa_bits = get_le32(h + HDR_IPA_BITS);
	r->hdr.nr_sections = get_le32(h + HDR_NR_SECTIONS);
	if (r->hdr.nr_sections > SNAP_MAX_SECTIONS)
		return why_set(src, -EINVAL, "header: %u sections, at most %u are allowed",
			       r->hdr.nr_sections, SNAP_MAX_SECTIONS);
	if (r->hdr.nr_sections > (src->size - HDR_LEN) / SEC_HEAD_LEN)
		return why_set(src, -EINVAL, "header: %u sections cannot fit in a %llu-byte file",
			       r->hdr.nr_sections, (unsigned long long)src->size);
	r->sections = calloc(r->hdr.nr_sections ? r->hdr.nr_sections : 1, sizeof(*r->sections));
	if (!r->sections)
		return why_set(src, -ENOMEM, "out of memory for %u sections", r->hdr.nr_sections);
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
 * Sums the memory data's pages into the check from where it stopped, at most
 * budget bytes (whole runs of data pages, so a little more); returns 1 while
 * pages remain, 0 once they all match, -EINVAL when they do not, or -errno.
 */
static int memory_crc_step(struct snap_reader *r, struct source *src, uint64_t budget)
{
	const uint8_t *map = r->sections[r->hdr.nr_sections - 1].data + MEM_MAP;
	uint64_t pages = r->mem.size / SNAP_PAGE, i = r->check.next_page, j, done = 0;
	int ret;

	for (; i < pages && done < budget; i = j) {
		j = i + 1;
		if (!(i % 8) && !map[i / 8]) {
			j = i + 8;
			continue;
		}
		if (!page_marked(map, i))
			continue;
		while (j < pages && page_marked(map, j) && (j - i) * SNAP_PAGE < piece(src))
			j++;
		ret = source_crc(src, r->mem.file_offset + i * SNAP_PAGE, (j - i) * SNAP_PAGE,
				 &r->check.crc);
		if (ret)
			return ret;
		done += (j - i) * SNAP_PAGE;
	}
	r->check.next_page = i;
	if (i < pages)
		return 1;
	r->check.pending = false;
	return crc_differs(r->check.expected, r->check.crc) ? -EINVAL : 0;
}

/* The memory section at pos, its head already read; the checks are the ones its writer promises. */
static int parse_memory(struct snap_reader *r, struct source *src, unsigned int nr,
			const uint8_t *head, uint64_t pos)
{
	struct snap_section *s = &r->sections[nr];
	uint64_t len = get_le64(head + SEC_LEN), size, pages, map_len, data_off, marked = 0, i;
	uint8_t fields[MEM_MAP], *payload;
	const uint8_t *map, *gap;
	int ret;

	if (len < MEM_MAP)
		return section_fail(src, nr, s, "payload of %llu bytes, its fields take %u",
				    (unsigned long long)len, MEM_MAP);
	ret = source_read(src, pos + SEC_HEAD_LEN, fields, MEM_MAP);
	if (ret)
		return read_fail(src, nr, ret);
	size = get_le64(fields + MEM_SIZE);
	pages = size / SNAP_PAGE;
	map_len = (pages + 7) / 8;
	data_off = get_le64(fields + MEM_DATA_OFFSET);
	if (size % SNAP_PAGE || len != MEM_MAP + map_len)
		return section_fail(src, nr, s, "payload of %llu bytes does not fit RAM of %#llx",
				    (unsigned long long)len, (unsigned long long)size);
	if (data_off != ALIGN_UP(pos + SEC_HEAD_LEN + ALIGN_UP(len, 8), SNAP_MEM_ALIGN))
		return section_fail(src, nr, s, "memory data at %#llx, not right after the section",
				    (unsigned long long)data_off);
	if (data_off > src->size || size > src->size - data_off)
		return section_fail(src, nr, s, "file ends inside the memory data");
	if (size != src->size - data_off)
		return section_fail(src, nr, s, "%llu bytes of garbage after the memory data",
				    (unsigned long long)(src->size - data_off - size));

	payload = malloc(len);
	if (!payload)
		return why_set(src, -ENOMEM, "out of memory for the page map");
	s->data = payload;
	s->len = len;
	ret = source_read(src, pos + SEC_HEAD_LEN, payload, len);
	if (ret)
		return read_fail(src, nr, ret);
	map = payload + MEM_MAP;
	if (pages % 8 && map[map_len - 1] >> (pages % 8))
		return section_fail(src, nr, s, "page map marks pages beyond the end of RAM");
	for (i = 0; i < map_len; i++)
		marked += __builtin_popcount(map[i]);
	if (marked != get_le64(fields + MEM_PAGES_WITH_DATA))
		return section_fail(src, nr, s, "page map marks %llu pages, the section says %llu",
				    (unsigned long long)marked,
				    (unsigned long long)get_le64(fields + MEM_PAGES_WITH_DATA));
	/* Padding and the gap to data_off: under 64 KiB + 8, no CRC covers them. */
	ret = source_view(src, pos + SEC_HEAD_LEN + len, data_off - pos - SEC_HEAD_LEN - len, &gap);
	if (ret)
		return read_fail(src, nr, ret);
	if (!all_zero(gap, data_off - pos - SEC_HEAD_LEN - len))
		return section_fail(src, nr, s, "nonzero bytes between the page map and the data");

	r->mem = (struct snap_memory){ .gpa = get_le64(fields + MEM_GPA),
				       .size = size,
				       .file_offset = data_off,
				       .pages_with_data = marked };
	r->check = (struct memory_check){ .pending = true,
					  .crc = crc_more(crc32_z(0, head, SEC_CRC), payload, len),
					  .expected = get_le32(head + SEC_CRC) };
	if (!(src->flags & SNAP_READ_DEFER_MEMORY_CRC)) {
		ret = memory_crc_step(r, src, UINT64_MAX);
		if (ret < 0)
			return ret == -EINVAL ? section_fail(src, nr, s, "%s", MEMORY_CRC_MISMATCH)
					      : read_fail(src, nr, ret);
	}
	ret = holes_check(src, map, pages, data_off);
	if (ret > 0)
		return section_fail(src, nr, s, "page %llu is a hole in the page map but holds data",
				    (unsigned long long)(ret - 1));
	if (ret)
		return read_fail(src, nr, ret);
	r->has_memory = true;
	return 0;
}

/* Section nr at *pos; moves *pos past it. */
static int parse_section(struct snap_reader *r, struct source *src, unsigned int nr, uint64_t *pos)
{
	struct snap_section *s = &r->sections[nr];
	uint8_t head[SEC_HEAD_LEN], *payload;
	const uint8_t *pad;
	uint64_t len, left;
	int ret;

	if (src->size - *pos < SEC_HEAD_LEN)
		return why_set(src, -EINVAL, "file ends inside the head of section %u", nr);
	ret = source_read(src, *pos, head, SEC_HEAD_LEN);
	if (ret)
		return read_fail(src, nr, ret);
	s->type = get_le32(head + SEC_TYPE);
	s->index = get_le32(head + SEC_INDEX);
	len = get_le64(head + SEC_LEN);
	left = src->size - *pos - SEC_HEAD_LEN;
	if (s->type < SNAP_SEC_CONFIG || s->type > SNAP_SEC_MEMORY)
		return section_fail(src, nr, s, "unknown type %u", (unsigned int)s->type);
	if (get_le32(head + SEC_RESERVED))
		return section_fail(src, nr, s, "reserved field is not zero");
	if (len > snap_section_max_len(s->type))
		return section_fail(src, nr, s, "claims %llu bytes, a %s section has at most %llu",
				    (unsigned long long)len, snap_section_name(s->type),
				    (unsigned long long)snap_section_max_len(s->type));
	if (len > left || ALIGN_UP(len, 8) > left)
		return section_fail(src, nr, s, "file ends inside it (%llu bytes of %llu)",
				    (unsigned long long)left, (unsigned long long)ALIGN_UP(len, 8));
	if (s->type == SNAP_SEC_MEMORY) {
		if (nr + 1 != r->hdr.nr_sections)
			return section_fail(src, nr, s, "memory is not the last section");
		return parse_memory(r, src, nr, head, *pos);
	}

	payload = malloc(len ? len : 1);
	if (!payload)
		return why_set(src, -ENOMEM, "out of memory for section %u", nr);
	s->data = payload;
	s->len = len;
	ret = source_read(src, *pos + SEC_HEAD_LEN, payload, len);
	if (!ret)
		ret = source_view(src, *pos + SEC_HEAD_LEN + len, ALIGN_UP(len, 8) - len, &pad);
	if (ret)
		return read_fail(src, nr, ret);
	if (!all_zero(pad, ALIGN_UP(len, 8) - len))
		return section_fail(src, nr, s, "padding is not zero");
	if (crc_differs(get_le32(head + SEC_CRC),
			crc_more(crc32_z(0, head, SEC_CRC), payload, len)))
		return section_fail(src, nr, s, "checksum mismatch");
	*pos += SEC_HEAD_LEN + ALIGN_UP(len, 8);
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
	ret = parse_header(r, src);
	for (i = 0; !ret && i < r->hdr.nr_sections; i++)
		ret = parse_section(r, src, i, &pos);
	if (!ret && !r->has_memory && pos != src->size)
		ret = why_set(src, -EINVAL, "%llu bytes of garbage after the last section",
			      (unsigned long long)(src->size - pos));
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
	} else if ((uint64_t)st.st_size < r->mem.file_offset + r->mem.size) {
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
	for (i = 0; r->sections && i < r->hdr.nr_sections; i++)
		free((void *)r->sections[i].data);
	free(r->sections);
	free(r->check.bounce);
	if (r->fd >= 0)
		close(r->fd);
	free(r);
}

const struct snap_header *snap_reader_header(const struct snap_reader *r)
{
	return &r->hdr;
}

const struct snap_section *snap_reader_find(const struct snap_reader *r,
					    enum snap_section_type type, uint32_t i)
{
	unsigned int j;

	for (j = 0; j < r->hdr.nr_sections; j++)
		if (r->sections[j].type == type && i-- == 0)
			return &r->sections[j];
	return NULL;
}

unsigned int snap_reader_count(const struct snap_reader *r, enum snap_section_type type)
{
	unsigned int j, n = 0;

	for (j = 0; j < r->hdr.nr_sections; j++)
		n += r->sections[j].type == type;
	return n;
}

int snap_reader_memory(const struct snap_reader *r, struct snap_memory *mem)
{
	if (!r->has_memory)
		return -ENOENT;
	*mem = r->mem;
	return 0;
}

int snap_reader_fd(const struct snap_reader *r)
{
	return r->fd;
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
