// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for virtio-blk requests: the bytes are a chain (how many
 * readable and writable segments, each one's length, then their contents), as
 * the virtqueue walker would hand one over, run by blk_request_handle against
 * a 16 KiB image in a memfd. Whatever the request, the image keeps its size,
 * the answer is one status byte within the chain, and a request the parser
 * accepts lies within the image and the chain's own buffers.
 */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/disk.h"
#include "dev/blk_request.h"

#include "fuzz.h"

#define IMAGE_SIZE (32 * DISK_SECTOR_SIZE)
#define MAX_SEGS 8
#define BUF_SIZE (64 << 10)

static struct disk disk = DISK_NONE;
static struct virtq_chain chain;
static struct blk_request req;
static uint8_t buf[BUF_SIZE];

static void setup_once(void)
{
	char path[64], why[320];
	int fd;

	if (disk.fd >= 0)
		return;
	fuzz_std_fds_fill();
	fd = memfd_create("fuzz-blk", MFD_CLOEXEC);
	check(fd > STDERR_FILENO && !ftruncate(fd, IMAGE_SIZE));
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	check(!disk_open(&disk, path, false, false, why, sizeof(why)));
}

/* Lays the segments out back to back in buf; returns the bytes they take. */
static size_t chain_from(const uint8_t *data, size_t size, size_t *used)
{
	unsigned int nr_out, nr_in, i;
	size_t off = 0, len;

	memset(&chain, 0, sizeof(chain));
	if (size < 2)
		return 0;
	nr_out = data[0] % (MAX_SEGS + 1);
	nr_in = data[1] % (MAX_SEGS + 1);
	*used = 2;
	for (i = 0; i < nr_out + nr_in && *used + 2 <= size; i++) {
		len = (data[*used] | data[*used + 1] << 8) % 4096;
		*used += 2;
		if (off + len > BUF_SIZE)
			break;
		if (i < nr_out) {
			chain.out[chain.nr_out++] = (struct iovec){ buf + off, len };
			chain.out_len += len;
		} else {
			chain.in[chain.nr_in++] = (struct iovec){ buf + off, len };
			chain.in_len += len;
		}
		off += len;
	}
	return off;
}

static bool within_chain(const void *p, size_t len)
{
	const uint8_t *b = p;

	return b >= buf && b + len <= buf + BUF_SIZE;
}

static void request_check(int len)
{
	struct stat st;
	unsigned int i;

	check(!fstat(disk.fd, &st) && st.st_size == IMAGE_SIZE);
	if (len < 0) {
		check(chain.in_len == 0);
		return;
	}
	check(len >= 1 && (size_t)len <= chain.in_len && within_chain(req.status, 1));
	check(*req.status <= VIRTIO_BLK_S_UNSUPP);
	if (*req.status != VIRTIO_BLK_S_OK)
		return;
	for (i = 0; i < req.nr_data; i++)
		check(within_chain(req.data[i].iov_base, req.data[i].iov_len));
	if (req.type == VIRTIO_BLK_T_IN || req.type == VIRTIO_BLK_T_OUT)
		check(req.data_len % DISK_SECTOR_SIZE == 0 &&
		      req.sector + req.data_len / DISK_SECTOR_SIZE <= IMAGE_SIZE / DISK_SECTOR_SIZE);
	for (i = 0; i < req.nr_ranges; i++)
		check(req.ranges[i].sector + req.ranges[i].sectors <= IMAGE_SIZE / DISK_SECTOR_SIZE);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t used = 0, room;
	int len;

	setup_once();
	room = chain_from(data, size, &used);
	memset(buf, 0, room);
	memcpy(buf, data + used, size - used < room ? size - used : room);
	len = blk_request_handle(&disk, "fuzz-serial", 11, &chain, &req);
	request_check(len);
	return 0;
}
