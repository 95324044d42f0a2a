// SPDX-License-Identifier: GPL-2.0
/*
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
#include "format.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "../util.h"

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

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

static void put_le64(uint8_t *p, uint64_t v)
{
	put_le32(p, v);
	put_le32(p + 4, v >> 32);
}

static uint32_t get_le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get_le64(const uint8_t *p)
{
	return get_le32(p) | (uint64_t)get_le32(p + 4) << 32;
}

/* zlib's crc32 restarts at 0 when given NULL, which an empty payload may be. */
static uint32_t crc_more(uint32_t crc, const void *p, uint64_t len)
{
	return len ? crc32_z(crc, p, len) : crc;
}

static bool all_zero(const uint8_t *p, size_t len)
{
	return !len || (p[0] == 0 && !memcmp(p, p + 1, len - 1));
}

const char *snap_section_name(enum snap_section_type type)
{
	static const char *const names[] = {
		[SNAP_SEC_CONFIG] = "config", [SNAP_SEC_VCPU] = "vcpu",	    [SNAP_SEC_GIC] = "gic",
		[SNAP_SEC_DEVICE] = "device", [SNAP_SEC_MEMORY] = "memory",
	};

	if ((unsigned int)type >= ARRAY_SIZE(names) || !names[type])
		return "unknown";
	return names[type];
}

/* Writing */

struct snap_writer {
	int fd;
	int err; /* the first error: every later call returns it */
	bool in_section, memory_written, renamed;
	struct snap_header hdr;
	uint32_t nr_sections;
	uint64_t off; /* where the next section goes */
	uint8_t *buf; /* the open section: head, then payload */
	size_t len, cap;
	char *path, *tmp_path;
};

static int writer_fail(struct snap_writer *w, int err)
{
	if (!w->err)
		w->err = err;
	return w->err;
}

static int write_full(int fd, const void *buf, uint64_t len, uint64_t off)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = pwrite(fd, p, len, off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		p += n;
		len -= n;
		off += n;
	}
	return 0;
}

int snap_writer_open(struct snap_writer **wp, const char *path, const struct snap_header *hdr)
{
	size_t n = strlen(path);
	struct snap_writer *w;
	int ret;

	if (strnlen(hdr->vmm_version, sizeof(hdr->vmm_version)) == sizeof(hdr->vmm_version) ||
	    strnlen(hdr->host_release, sizeof(hdr->host_release)) == sizeof(hdr->host_release))
		return -EINVAL;
	w = calloc(1, sizeof(*w) + 2 * n + sizeof(".tmp") + 1);
	if (!w)
		return -ENOMEM;
	w->path = (char *)(w + 1);
	w->tmp_path = w->path + n + 1;
	memcpy(w->path, path, n + 1);
	memcpy(w->tmp_path, path, n);
	memcpy(w->tmp_path + n, ".tmp", sizeof(".tmp"));
	w->fd = open(w->tmp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (w->fd < 0) {
		ret = -errno;
		free(w);
		return ret;
	}
	w->hdr = *hdr;
	w->off = HDR_LEN; /* the header goes in last, when the section count is known */
	*wp = w;
	return 0;
}

/* Makes room for len more bytes in the open section and points p at them. */
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

int snap_section_begin(struct snap_writer *w, enum snap_section_type type, uint32_t index)
{
	uint8_t *head;

	if (w->err)
		return w->err;
	/* Memory goes through snap_write_memory() and must come last. */
	if (w->in_section || w->memory_written || type < SNAP_SEC_CONFIG || type >= SNAP_SEC_MEMORY)
		return writer_fail(w, -EINVAL);
	w->in_section = true;
	w->len = 0;
	if (section_grow(w, SEC_HEAD_LEN, &head))
		return w->err;
	put_le32(head + SEC_TYPE, type);
	put_le32(head + SEC_INDEX, index);
	return 0;
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

/* Fills in a section head's length; returns its CRC so far, over the head and the payload. */
static uint32_t section_seal(uint8_t *head, const uint8_t *payload, uint64_t len)
{
	put_le64(head + SEC_LEN, len);
	put_le32(head + SEC_RESERVED, 0);
	return crc_more(crc32_z(0, head, SEC_CRC), payload, len);
}

int snap_section_end(struct snap_writer *w)
{
	static const uint8_t zeros[8];
	uint64_t payload_len;
	int ret;

	if (w->err)
		return w->err;
	if (!w->in_section)
		return writer_fail(w, -EINVAL);
	payload_len = w->len - SEC_HEAD_LEN;
	put_le32(w->buf + SEC_CRC, section_seal(w->buf, w->buf + SEC_HEAD_LEN, payload_len));
	ret = snap_put_bytes(w, zeros, ALIGN_UP(payload_len, 8) - payload_len);
	if (!ret)
		ret = write_full(w->fd, w->buf, w->len, w->off);
	if (ret)
		return writer_fail(w, ret);
	w->off += w->len;
	w->nr_sections++;
	w->in_section = false;
	return 0;
}

int snap_write_memory(struct snap_writer *w, uint64_t gpa, const void *ram, uint64_t size,
		      const unsigned char *resident)
{
	uint64_t pages = size / SNAP_PAGE, map_len = (pages + 7) / 8;
	uint64_t sec_len = SEC_HEAD_LEN + ALIGN_UP(MEM_MAP + map_len, 8);
	uint64_t data_off = ALIGN_UP(w->off + sec_len, SNAP_MEM_ALIGN);
	uint64_t i, run = 0, run_pages = 0, data_pages = 0;
	uint32_t data_crc = 0, crc;
	uint8_t *buf, *payload, *map;
	int ret = 0;

	if (w->err)
		return w->err;
	if (w->in_section || w->memory_written || size % SNAP_PAGE || (size && !ram) ||
	    size > INT64_MAX - data_off)
		return writer_fail(w, -EINVAL);
	buf = calloc(1, sec_len);
	if (!buf)
		return writer_fail(w, -ENOMEM);
	payload = buf + SEC_HEAD_LEN;
	map = payload + MEM_MAP;

	/* One pass: each data page is checksummed while the zero test has it in cache. */
	for (i = 0; i < pages; i++) {
		const uint8_t *page = (const uint8_t *)ram + i * SNAP_PAGE;

		if ((resident && !(resident[i] & 1)) || all_zero(page, SNAP_PAGE))
			continue;
		map[i / 8] |= 1u << (i % 8);
		data_pages++;
		data_crc = crc32_z(data_crc, page, SNAP_PAGE);
		if (run_pages && (run + run_pages != i || run_pages * SNAP_PAGE == IO_CHUNK)) {
			ret = write_full(w->fd, (const uint8_t *)ram + run * SNAP_PAGE,
					 run_pages * SNAP_PAGE, data_off + run * SNAP_PAGE);
			if (ret)
				goto out;
			run_pages = 0;
		}
		if (!run_pages)
			run = i;
		run_pages++;
	}
	if (run_pages)
		ret = write_full(w->fd, (const uint8_t *)ram + run * SNAP_PAGE,
				 run_pages * SNAP_PAGE, data_off + run * SNAP_PAGE);
	if (ret)
		goto out;

	put_le32(buf + SEC_TYPE, SNAP_SEC_MEMORY);
	put_le32(buf + SEC_INDEX, 0);
	put_le64(payload + MEM_GPA, gpa);
	put_le64(payload + MEM_SIZE, size);
	put_le64(payload + MEM_DATA_OFFSET, data_off);
	put_le64(payload + MEM_PAGES_WITH_DATA, data_pages);
	crc = section_seal(buf, payload, MEM_MAP + map_len);
	put_le32(buf + SEC_CRC, crc32_combine(crc, data_crc, data_pages * SNAP_PAGE));
	ret = write_full(w->fd, buf, sec_len, w->off);
	/* The size covers the holes, so restore can mmap data_off..data_off + size. */
	if (!ret && ftruncate(w->fd, data_off + size))
		ret = -errno;
out:
	free(buf);
	if (ret)
		return writer_fail(w, ret);
	w->off = data_off + size;
	w->memory_written = true;
	w->nr_sections++;
	return 0;
}

static void header_encode(uint8_t *p, const struct snap_header *hdr, uint32_t nr_sections)
{
	memset(p, 0, HDR_LEN);
	memcpy(p, SNAP_MAGIC, sizeof(SNAP_MAGIC));
	put_le32(p + HDR_FORMAT_VERSION, SNAP_FORMAT_VERSION);
	put_le32(p + HDR_HEADER_LEN, HDR_LEN);
	memcpy(p + HDR_VMM_VERSION, hdr->vmm_version, strlen(hdr->vmm_version));
	memcpy(p + HDR_HOST_RELEASE, hdr->host_release, strlen(hdr->host_release));
	put_le32(p + HDR_PAGE_SIZE, hdr->page_size);
	put_le32(p + HDR_IPA_BITS, hdr->ipa_bits);
	put_le32(p + HDR_NR_SECTIONS, nr_sections);
	put_le32(p + HDR_CRC, crc32_z(0, p, HDR_CRC));
}

static int open_parent_dir(const char *path)
{
	char *copy = strdup(path);
	int fd;

	if (!copy)
		return -ENOMEM;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		fd = -errno;
	free(copy);
	return fd;
}

int snap_writer_commit(struct snap_writer *w)
{
	uint8_t head[HDR_LEN];
	int ret, dir_fd;

	if (w->err)
		return w->err;
	if (w->in_section)
		return writer_fail(w, -EINVAL);
	header_encode(head, &w->hdr, w->nr_sections);
	ret = write_full(w->fd, head, HDR_LEN, 0);
	if (!ret && fsync(w->fd))
		ret = -errno;
	/* Some filesystems (NFS) report a failed write only at close; the fd is gone either way. */
	if (!ret) {
		ret = close(w->fd) ? -errno : 0;
		w->fd = -1;
	}
	if (ret)
		return writer_fail(w, ret);
	/* Opened before the rename, so that after it only the fsync can fail. */
	dir_fd = open_parent_dir(w->path);
	if (dir_fd < 0)
		return writer_fail(w, dir_fd);
	if (rename(w->tmp_path, w->path)) {
		ret = -errno;
		close(dir_fd);
		return writer_fail(w, ret);
	}
	w->renamed = true;
	/* Without it the rename may not survive a crash; PATH already holds the new file. */
	if (fsync(dir_fd))
		ret = -errno;
	close(dir_fd);
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
	if (w->fd >= 0)
		close(w->fd);
	if (!w->renamed)
		unlink(w->tmp_path);
	free(w->buf);
	free(w);
}

/* Reading */

struct snap_reader {
	struct snap_header hdr;
	struct snap_section *sections; /* hdr.nr_sections of them, payloads malloced */
	bool has_memory;
	struct snap_memory mem;
	int fd;
};

/* Where a reader gets its bytes: a file, or a caller's buffer that holds one. */
struct source {
	const uint8_t *mem;
	int fd;
	uint64_t size;
	uint8_t *bounce; /* up to IO_CHUNK bytes, to read a file in large pieces */
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

/* Points *p at len (at most IO_CHUNK) bytes at off: in the buffer itself, or read into bounce. */
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
		size_t n = len < IO_CHUNK ? len : IO_CHUNK;
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

/* The memory section at pos, its head already read; the checks are the ones its writer promises. */
static int parse_memory(struct snap_reader *r, struct source *src, unsigned int nr,
			const uint8_t *head, uint64_t pos)
{
	struct snap_section *s = &r->sections[nr];
	uint64_t len = get_le64(head + SEC_LEN), size, pages, map_len, data_off, marked = 0, i, j;
	uint8_t fields[MEM_MAP], *payload;
	const uint8_t *map, *gap;
	uint32_t crc;
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

	crc = crc_more(crc32_z(0, head, SEC_CRC), payload, len);
	for (i = 0; i < pages; i = j) {
		j = i + 1;
		if (!(i % 8) && !map[i / 8]) {
			j = i + 8;
			continue;
		}
		if (!page_marked(map, i))
			continue;
		while (j < pages && page_marked(map, j))
			j++;
		ret = source_crc(src, data_off + i * SNAP_PAGE, (j - i) * SNAP_PAGE, &crc);
		if (ret)
			return read_fail(src, nr, ret);
	}
	if (crc_differs(get_le32(head + SEC_CRC), crc))
		return section_fail(src, nr, s, "checksum mismatch in the page map or page data");
	r->has_memory = true;
	r->mem = (struct snap_memory){ .gpa = get_le64(fields + MEM_GPA),
				       .size = size,
				       .file_offset = data_off,
				       .pages_with_data = marked };
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
	struct source src = { .why = why, .why_len = why_len };
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

void snap_reader_close(struct snap_reader *r)
{
	unsigned int i;

	if (!r)
		return;
	for (i = 0; r->sections && i < r->hdr.nr_sections; i++)
		free((void *)r->sections[i].data);
	free(r->sections);
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
