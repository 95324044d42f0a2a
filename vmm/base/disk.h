/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_DISK_H
#define VMM_DISK_H
/*
 * A disk image as a block device model reads and writes it: a regular file or
 * a block device, opened once, locked against a second vmm, its size in
 * 512-byte sectors. No VM in it: the unit tests run it on temporary files.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#define DISK_SECTOR_SIZE 512u
/* cache=none: what a buffer, a length and an offset are aligned to for O_DIRECT. */
#define DISK_DIRECT_ALIGN 512u
/* cache=none: requests whose guest buffers are not aligned go through this, a piece at a time. */
#define DISK_BOUNCE_SIZE (1u << 20)

struct disk {
	int fd;
	uint64_t size; /* bytes: a non-zero multiple of DISK_SECTOR_SIZE */
	bool readonly;
	bool direct;   /* cache=none: O_DIRECT */
	void *bounce;  /* cache=none: DISK_BOUNCE_SIZE bytes, DISK_DIRECT_ALIGN-aligned */
};

#define DISK_NONE ((struct disk){ .fd = -1 })

/*
 * Opens path read-write (read-only with readonly), with O_DIRECT when direct,
 * and takes an OFD lock on all of it: a write lock, or a read lock for a
 * read-only disk, so that read-only users may share an image but nobody writes
 * one another vmm uses. Returns 0, or -errno with why holding the one line to
 * print (naming path, what is wrong and what to do): -ENOENT, -EACCES (and
 * other open errors), -EINVAL (not a file or block device, a size that is not
 * a multiple of 512 or is 0, a file system refusing O_DIRECT), -EAGAIN (locked).
 */
int disk_open(struct disk *d, const char *path, bool readonly, bool direct, char *why,
	      size_t why_len);
void disk_close(struct disk *d);

/* Whether an O_DIRECT transfer of these buffers at offset must go through d->bounce. */
bool disk_needs_bounce(const struct disk *d, uint64_t offset, const struct iovec *iov,
		       unsigned int nr);
/*
 * All len bytes of iov (nr segments, which may be advanced in place) at
 * offset: 0, or -errno (-EIO when the file ended early). The caller keeps
 * offset + len within d->size.
 */
int disk_readv(struct disk *d, uint64_t offset, struct iovec *iov, unsigned int nr, size_t len);
int disk_writev(struct disk *d, uint64_t offset, struct iovec *iov, unsigned int nr, size_t len);
/* What the guest wrote, on stable storage (fdatasync). */
int disk_flush(struct disk *d);
/* The range need not be kept: its blocks are given back when the file system can. */
int disk_discard(struct disk *d, uint64_t offset, uint64_t len);
/* The range reads as zeros; unmap lets its blocks be given back. */
int disk_write_zeroes(struct disk *d, uint64_t offset, uint64_t len, bool unmap);

struct disk_config;

/*
 * Before anything else of the VM exists: opens every disk as its device will
 * (and closes them again), so that a missing, unreadable, locked or badly
 * sized image, or one image given twice, stops vmm with one line before any
 * guest code runs. Returns 0 or -errno, the line printed.
 */
int disks_check(const struct disk_config *disks, unsigned int nr);

#endif
