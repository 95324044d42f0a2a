// SPDX-License-Identifier: GPL-2.0
/* A disk image: opened, sized and locked before the guest runs; its reads, writes and trims. */
#include "base/disk.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/config.h"
#include "base/util.h"

static int open_error(const char *path, bool readonly, bool direct, char *why, size_t len)
{
	int err = errno;

	if (err == ENOENT)
		snprintf(why, len, "disk %s: no such file; check the --disk path", path);
	else if (err == EINVAL && direct)
		snprintf(why, len,
			 "disk %s: its file system refuses O_DIRECT (cache=none); use "
			 "cache=writeback or put the image on a file system that has it",
			 path);
	else if ((err == EACCES || err == EROFS || err == EPERM) && !readonly)
		snprintf(why, len,
			 "disk %s: cannot open it for writing (%s); make it writable or add ,ro",
			 path, strerror(err));
	else
		snprintf(why, len, "disk %s: cannot open it (%s); check the path and its permissions",
			 path, strerror(err));
	return -err;
}

/* A regular file's length, or a block device's (BLKGETSIZE64). */
static int disk_size(struct disk *d, const char *path, char *why, size_t len)
{
	struct stat st;

	if (fstat(d->fd, &st) < 0) {
		snprintf(why, len, "disk %s: cannot stat it (%s)", path, strerror(errno));
		return -errno;
	}
	if (S_ISREG(st.st_mode)) {
		d->size = st.st_size;
	} else if (!S_ISBLK(st.st_mode) || ioctl(d->fd, BLKGETSIZE64, &d->size) < 0) {
		snprintf(why, len, "disk %s: not a regular file or block device; give a disk image",
			 path);
		return -EINVAL;
	}
	if (!d->size || d->size % DISK_SECTOR_SIZE) {
		snprintf(why, len,
			 "disk %s: its size (%llu bytes) is not a non-zero multiple of %u; "
			 "resize it, e.g. truncate -s 64M %s",
			 path, (unsigned long long)d->size, DISK_SECTOR_SIZE, path);
		return -EINVAL;
	}
	return 0;
}

/* OFD locks belong to the open file, not the process: two vmm (or two disks) never share one. */
static int disk_lock(struct disk *d, const char *path, char *why, size_t len)
{
	struct flock fl = { .l_type = d->readonly ? F_RDLCK : F_WRLCK, .l_whence = SEEK_SET };

	if (!fcntl(d->fd, F_OFD_SETLK, &fl))
		return 0;
	if (errno == EAGAIN || errno == EACCES) {
		snprintf(why, len,
			 "disk %s is in use by another vmm (locked); stop that one, or give each "
			 "a copy (read-only users may share an image: ,ro on every one)",
			 path);
		return -EAGAIN;
	}
	snprintf(why, len, "disk %s: cannot lock it (%s); put it on a file system with locks",
		 path, strerror(errno));
	return -errno;
}

int disk_open(struct disk *d, const char *path, bool readonly, bool direct, char *why,
	      size_t why_len)
{
	int flags = (readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC | (direct ? O_DIRECT : 0);
	int ret;

	*d = DISK_NONE;
	d->readonly = readonly;
	d->direct = direct;
	d->fd = open(path, flags);
	if (d->fd < 0)
		return open_error(path, readonly, direct, why, why_len);
	ret = disk_size(d, path, why, why_len) ?: disk_lock(d, path, why, why_len);
	if (!ret && direct && posix_memalign(&d->bounce, DISK_DIRECT_ALIGN, DISK_BOUNCE_SIZE)) {
		d->bounce = NULL;
		snprintf(why, why_len, "out of memory");
		ret = -ENOMEM;
	}
	if (ret)
		disk_close(d);
	return ret;
}

void disk_close(struct disk *d)
{
	if (d->fd >= 0)
		close(d->fd);
	free(d->bounce);
	*d = DISK_NONE;
}

bool disk_needs_bounce(const struct disk *d, uint64_t offset, const struct iovec *iov,
		       unsigned int nr)
{
	unsigned int i;

	if (!d->direct)
		return false;
	if (offset % DISK_DIRECT_ALIGN)
		return true;
	for (i = 0; i < nr; i++)
		if ((uintptr_t)iov[i].iov_base % DISK_DIRECT_ALIGN ||
		    iov[i].iov_len % DISK_DIRECT_ALIGN)
			return true;
	return false;
}

/* After n bytes moved: drops what is done from the front of iov. */
static unsigned int iov_advance(struct iovec **iov, unsigned int nr, size_t n)
{
	while (nr && n >= (*iov)->iov_len) {
		n -= (*iov)->iov_len;
		(*iov)++;
		nr--;
	}
	if (nr && n) {
		(*iov)->iov_base = (uint8_t *)(*iov)->iov_base + n;
		(*iov)->iov_len -= n;
	}
	return nr;
}

static int disk_rw(struct disk *d, uint64_t offset, struct iovec *iov, unsigned int nr,
		   size_t len, bool write)
{
	ssize_t n;

	while (len) {
		n = write ? pwritev(d->fd, iov, nr, offset) : preadv(d->fd, iov, nr, offset);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		nr = iov_advance(&iov, nr, n);
		offset += n;
		len -= n;
	}
	return 0;
}

int disk_readv(struct disk *d, uint64_t offset, struct iovec *iov, unsigned int nr, size_t len)
{
	return disk_rw(d, offset, iov, nr, len, false);
}

int disk_writev(struct disk *d, uint64_t offset, struct iovec *iov, unsigned int nr, size_t len)
{
	return d->readonly ? -EROFS : disk_rw(d, offset, iov, nr, len, true);
}

int disk_flush(struct disk *d)
{
	if (d->readonly)
		return 0;
	return fdatasync(d->fd) ? -errno : 0;
}

static int disk_punch(struct disk *d, uint64_t offset, uint64_t len)
{
	return fallocate(d->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, offset, len) ? -errno
											 : 0;
}

int disk_discard(struct disk *d, uint64_t offset, uint64_t len)
{
	int ret;

	if (d->readonly)
		return -EROFS;
	ret = disk_punch(d, offset, len);
	/* A discard is a hint (virtio 1.2, 5.2.6.2): a file system without holes keeps the data. */
	return ret == -EOPNOTSUPP ? 0 : ret;
}

/* The slow way, for a file system that has neither ZERO_RANGE nor holes: zeros written. */
static int disk_write_zero_buffer(struct disk *d, uint64_t offset, uint64_t len)
{
	static uint8_t zeros[64 << 10] __attribute__((aligned(DISK_DIRECT_ALIGN)));
	struct iovec iov;
	int ret = 0;

	while (len && !ret) {
		iov.iov_base = zeros;
		iov.iov_len = len < sizeof(zeros) ? len : sizeof(zeros);
		ret = disk_rw(d, offset, &iov, 1, iov.iov_len, true);
		offset += sizeof(zeros);
		len -= len < sizeof(zeros) ? len : sizeof(zeros);
	}
	return ret;
}

static int disk_zero_range(struct disk *d, uint64_t offset, uint64_t len)
{
	return fallocate(d->fd, FALLOC_FL_ZERO_RANGE, offset, len) ? -errno : 0;
}

int disk_write_zeroes(struct disk *d, uint64_t offset, uint64_t len, bool unmap)
{
	int ret = -EOPNOTSUPP;

	if (d->readonly)
		return -EROFS;
	if (unmap)
		ret = disk_punch(d, offset, len);
	if (ret == -EOPNOTSUPP)
		ret = disk_zero_range(d, offset, len);
	/* tmpfs has holes but no ZERO_RANGE; a hole reads as zeros. */
	if (ret == -EOPNOTSUPP && !unmap)
		ret = disk_punch(d, offset, len);
	return ret == -EOPNOTSUPP ? disk_write_zero_buffer(d, offset, len) : ret;
}

/* The same file twice would be two devices on one image (the lock would call it in use). */
static int disk_duplicate(const struct disk_config *disks, unsigned int i)
{
	struct stat st, other;
	unsigned int j;

	if (stat(disks[i].path, &st))
		return -1; /* disk_open says why */
	for (j = 0; j < i; j++)
		if (!stat(disks[j].path, &other) && other.st_dev == st.st_dev &&
		    other.st_ino == st.st_ino)
			return j;
	return -1;
}

int disks_check(const struct disk_config *disks, unsigned int nr)
{
	struct disk open[CONFIG_MAX_DISKS];
	unsigned int i, n = 0;
	char why[320];
	int ret = 0, dup;

	for (i = 0; i < nr && i < CONFIG_MAX_DISKS && !ret; i++) {
		dup = disk_duplicate(disks, i);
		if (dup >= 0) {
			vmm_err("disk %s is given twice (disks %d and %u); give each disk its own "
				"image",
				disks[i].path, dup + 1, i + 1);
			ret = -EINVAL;
			break;
		}
		ret = disk_open(&open[n], disks[i].path, disks[i].readonly,
				disks[i].cache == DISK_CACHE_NONE, why, sizeof(why));
		if (ret)
			vmm_err("%s", why);
		else
			n++;
	}
	while (n)
		disk_close(&open[--n]);
	return ret;
}
