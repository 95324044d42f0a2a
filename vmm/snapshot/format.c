// SPDX-License-Identifier: GPL-2.0
/* The snapshot writer, and the names of sections; format_internal.h has the file layout. */
#include "snapshot/format.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>
#include <zlib.h>

#include "base/util.h"
#include "snapshot/format_internal.h"

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

uint64_t snap_section_max_len(enum snap_section_type type)
{
	static const uint64_t max[] = {
		[SNAP_SEC_CONFIG] = 16 << 10, /* a 2 KiB command line and a few numbers */
		[SNAP_SEC_VCPU] = 1 << 20,    /* ~300 registers of up to 2 x 256 bytes */
		[SNAP_SEC_GIC] = 4 << 20,     /* 20 bytes an attribute, 123 redistributors */
		[SNAP_SEC_DEVICE] = 64 << 10,
		/* The page map of the largest RAM a 52-bit IPA holds, 4 KiB pages, bit each. */
		[SNAP_SEC_MEMORY] = 32 + (1ULL << (52 - 12 - 3)),
	};

	if ((unsigned int)type >= ARRAY_SIZE(max))
		return 0;
	return max[type];
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

/* Room for PATH + ".XXXXXXXX.tmp" and its NUL. */
#define TMP_SUFFIX_LEN (1 + 8 + 4 + 1)

/*
 * The temporary file gets a name nobody else has: O_EXCL refuses whatever is
 * there, a symlink included, so a save cannot be turned onto another file, and
 * two saves to one path write two files, of which rename keeps one whole.
 */
static int tmp_create(struct snap_writer *w, size_t path_len)
{
	unsigned int tries, r;

	for (tries = 0; tries < 64; tries++) {
		if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != sizeof(r))
			r = (unsigned int)getpid() * 2654435761u + tries;
		snprintf(w->tmp_path + path_len, TMP_SUFFIX_LEN, ".%08x.tmp", r);
		w->fd = open(w->tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (w->fd >= 0)
			return 0;
		if (errno != EEXIST)
			return -errno;
	}
	return -EEXIST;
}

int snap_writer_open(struct snap_writer **wp, const char *path, const struct snap_header *hdr)
{
	size_t n = strlen(path);
	struct snap_writer *w;
	int ret;

	if (strnlen(hdr->vmm_version, sizeof(hdr->vmm_version)) == sizeof(hdr->vmm_version) ||
	    strnlen(hdr->host_release, sizeof(hdr->host_release)) == sizeof(hdr->host_release))
		return -EINVAL;
	w = calloc(1, sizeof(*w) + 2 * n + 1 + TMP_SUFFIX_LEN);
	if (!w)
		return -ENOMEM;
	w->path = (char *)(w + 1);
	w->tmp_path = w->path + n + 1;
	memcpy(w->path, path, n + 1);
	memcpy(w->tmp_path, path, n);
	ret = tmp_create(w, n);
	if (ret) {
		free(w);
		return ret;
	}
	w->hdr = *hdr;
	w->off = HDR_LEN; /* the header goes in last, when the section count is known */
	*wp = w;
	return 0;
}

const char *snap_writer_tmp_path(const struct snap_writer *w)
{
	return w->tmp_path;
}

bool snap_writer_replaced(const struct snap_writer *w)
{
	return w->renamed;
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
	/* Never write what no reader would take. */
	if (payload_len > snap_section_max_len(get_le32(w->buf + SEC_TYPE)))
		return writer_fail(w, -E2BIG);
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
