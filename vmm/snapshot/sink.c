// SPDX-License-Identifier: GPL-2.0
/*
 * Where a snapshot writer's bytes go: a file, made durable and put in place
 * atomically, or a stream (a pipe, a socket) that cannot seek.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "base/util.h"
#include "snapshot/format.h"

/* A stream */

struct fd_sink {
	struct snap_sink sink;
	int fd;
};

static int fd_sink_write(struct snap_sink *s, const void *buf, size_t len)
{
	return fd_write_all(((struct fd_sink *)s)->fd, buf, len);
}

static int fd_sink_zeros(struct snap_sink *s, uint64_t len)
{
	static const uint8_t zeros[64 << 10];
	int ret = 0;

	while (len && !ret) {
		size_t n = len < sizeof(zeros) ? len : sizeof(zeros);

		ret = fd_sink_write(s, zeros, n);
		len -= n;
	}
	return ret;
}

static int fd_sink_finish(struct snap_sink *s)
{
	free(s);
	return 0;
}

static void fd_sink_abort(struct snap_sink *s)
{
	free(s);
}

static const struct snap_sink_ops fd_sink_ops = {
	.write = fd_sink_write,
	.zeros = fd_sink_zeros,
	.finish = fd_sink_finish,
	.abort = fd_sink_abort,
};

int snap_fd_sink_new(struct snap_sink **sp, int fd)
{
	struct fd_sink *s = calloc(1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	s->sink.ops = &fd_sink_ops;
	s->fd = fd;
	*sp = &s->sink;
	return 0;
}

/* A file */

struct file_sink {
	struct snap_sink sink;
	int fd;
	bool renamed;
	uint64_t size; /* bytes so far, holes included */
	char *path, *tmp_path;
};

static int file_sink_write(struct snap_sink *s, const void *buf, size_t len)
{
	struct file_sink *f = (struct file_sink *)s;
	int ret = fd_write_all(f->fd, buf, len);

	if (!ret)
		f->size += len;
	return ret;
}

/* A hole: the file takes no space for zero pages, and reads them back as zeros. */
static int file_sink_zeros(struct snap_sink *s, uint64_t len)
{
	struct file_sink *f = (struct file_sink *)s;

	if (len > (uint64_t)INT64_MAX - f->size)
		return -EFBIG;
	if (lseek(f->fd, f->size + len, SEEK_SET) < 0)
		return -errno;
	f->size += len;
	return 0;
}

static void file_sink_free(struct file_sink *f)
{
	if (f->fd >= 0)
		close(f->fd);
	if (!f->renamed)
		unlink(f->tmp_path);
	free(f);
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

/* Closes the file (some filesystems, NFS, report a failed write only then) and renames it. */
static int file_sink_put_in_place(struct file_sink *f)
{
	int ret, dir_fd;

	/* A trailing hole has no byte to make the file that long. */
	ret = ftruncate(f->fd, f->size) || fsync(f->fd) ? -errno : 0;
	if (!ret)
		ret = close(f->fd) ? -errno : 0;
	f->fd = -1;
	if (ret)
		return ret;
	/* Opened before the rename, so that after it only the fsync can fail. */
	dir_fd = open_parent_dir(f->path);
	if (dir_fd < 0)
		return dir_fd;
	if (rename(f->tmp_path, f->path)) {
		ret = -errno;
		close(dir_fd);
		return ret;
	}
	f->renamed = true;
	/* Without it the rename may not survive a crash; PATH already holds the new file. */
	if (fsync(dir_fd))
		ret = -errno;
	close(dir_fd);
	return ret;
}

/*
 * On failure the sink stays (the caller aborts it): snap_file_sink_replaced
 * then says whether PATH holds the new file.
 */
static int file_sink_finish(struct snap_sink *s)
{
	struct file_sink *f = (struct file_sink *)s;
	int ret = file_sink_put_in_place(f);

	if (!ret)
		file_sink_free(f);
	return ret;
}

static void file_sink_abort(struct snap_sink *s)
{
	file_sink_free((struct file_sink *)s);
}

static const struct snap_sink_ops file_sink_ops = {
	.write = file_sink_write,
	.zeros = file_sink_zeros,
	.finish = file_sink_finish,
	.abort = file_sink_abort,
};

/* Room for PATH + ".XXXXXXXX.tmp" and its NUL. */
#define TMP_SUFFIX_LEN (1 + 8 + 4 + 1)

/*
 * The temporary file gets a name nobody else has: O_EXCL refuses whatever is
 * there, a symlink included, so a save cannot be turned onto another file, and
 * two saves to one path write two files, of which rename keeps one whole.
 */
static int tmp_create(struct file_sink *f, size_t path_len)
{
	unsigned int tries, r;

	for (tries = 0; tries < 64; tries++) {
		if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != sizeof(r))
			r = (unsigned int)getpid() * 2654435761u + tries;
		snprintf(f->tmp_path + path_len, TMP_SUFFIX_LEN, ".%08x.tmp", r);
		f->fd = open(f->tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (f->fd >= 0)
			return 0;
		if (errno != EEXIST)
			return -errno;
	}
	return -EEXIST;
}

int snap_file_sink_open(struct snap_sink **sp, const char *path)
{
	size_t n = strlen(path);
	struct file_sink *f = calloc(1, sizeof(*f) + 2 * n + 1 + TMP_SUFFIX_LEN);
	int ret;

	if (!f)
		return -ENOMEM;
	f->sink.ops = &file_sink_ops;
	f->path = (char *)(f + 1);
	f->tmp_path = f->path + n + 1;
	memcpy(f->path, path, n + 1);
	memcpy(f->tmp_path, path, n);
	ret = tmp_create(f, n);
	if (ret) {
		free(f);
		return ret;
	}
	*sp = &f->sink;
	return 0;
}

const char *snap_file_sink_tmp_path(const struct snap_sink *s)
{
	return s->ops == &file_sink_ops ? ((const struct file_sink *)s)->tmp_path : NULL;
}

bool snap_file_sink_replaced(const struct snap_sink *s)
{
	return s->ops == &file_sink_ops && ((const struct file_sink *)s)->renamed;
}
