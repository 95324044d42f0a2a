/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_BLK_REQUEST_H
#define VMM_BLK_REQUEST_H
/*
 * The virtio block protocol (virtio 1.2, 5.2), apart from the transport: the
 * configuration space a driver reads, a request taken apart from its chain
 * (blk_request_parse: pure, unit tested and fuzzed) and carried out on a
 * disk (blk_request_run). A request is untrusted from its first byte; nothing
 * outside the disk's sectors and the chain's own buffers is ever touched.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "virtio/virtqueue.h"

struct disk;

/* Feature bits (5.2.3). */
#define VIRTIO_BLK_F_SEG_MAX 2
#define VIRTIO_BLK_F_RO 5
#define VIRTIO_BLK_F_BLK_SIZE 6
#define VIRTIO_BLK_F_FLUSH 9
#define VIRTIO_BLK_F_DISCARD 13
#define VIRTIO_BLK_F_WRITE_ZEROES 14

/* Request types and status values (5.2.6). */
#define VIRTIO_BLK_T_IN 0
#define VIRTIO_BLK_T_OUT 1
#define VIRTIO_BLK_T_FLUSH 4
#define VIRTIO_BLK_T_GET_ID 8
#define VIRTIO_BLK_T_DISCARD 11
#define VIRTIO_BLK_T_WRITE_ZEROES 13
#define VIRTIO_BLK_S_OK 0
#define VIRTIO_BLK_S_IOERR 1
#define VIRTIO_BLK_S_UNSUPP 2
#define VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP 1
#define VIRTIO_BLK_ID_BYTES 20 /* GET_ID's answer: the serial, NUL-padded, unterminated at 20 */

#define BLK_HEADER_SIZE 16 /* le32 type, le32 reserved, le64 sector */
#define BLK_RANGE_SIZE 16  /* a discard or write-zeroes segment: le64 sector, le32 num, le32 flags */
/* Data segments in one request: the walker's limit less the header's and the status's. */
#define BLK_SEG_MAX (VIRTQ_CHAIN_MAX - 2)
#define BLK_MAX_RANGES 32		 /* max_discard_seg, max_write_zeroes_seg */
#define BLK_MAX_RANGE_SECTORS (1u << 22) /* per range: 2 GiB, one fallocate call */
/* The configuration space through write_zeroes_may_unmap and its padding (5.2.4). */
#define BLK_CONFIG_SIZE 60

/* Fills the configuration space of a disk of capacity sectors (little-endian, 5.2.4). */
void blk_config_build(uint8_t config[BLK_CONFIG_SIZE], uint64_t capacity);

struct blk_range {
	uint64_t sector;
	uint32_t sectors;
	bool unmap;
};

/* A request taken apart: what blk_request_run needs, every piece within the chain. */
struct blk_request {
	uint32_t type;
	uint64_t sector;
	/* IN, OUT, GET_ID: the data, the header and status byte cut off. */
	struct iovec data[VIRTQ_CHAIN_MAX];
	unsigned int nr_data;
	size_t data_len;
	struct blk_range ranges[BLK_MAX_RANGES]; /* DISCARD, WRITE_ZEROES */
	unsigned int nr_ranges;
	uint8_t *status; /* the chain's last writable byte */
};

/*
 * Takes the request in chain apart, for a disk of capacity sectors. Returns
 * VIRTIO_BLK_S_OK (run it), VIRTIO_BLK_S_IOERR or VIRTIO_BLK_S_UNSUPP (answer
 * that without touching the disk; r->status is set), or -EINVAL when the chain
 * has no writable byte for a status: the driver broke the device.
 */
int blk_request_parse(const struct virtq_chain *chain, uint64_t capacity, bool readonly,
		      struct blk_request *r);

/*
 * Carries out a request blk_request_parse accepted, on d; serial answers
 * GET_ID (serial_len bytes, at most VIRTIO_BLK_ID_BYTES). Writes the status
 * byte and returns the bytes written into the chain (the used length).
 */
uint32_t blk_request_run(struct disk *d, const char *serial, size_t serial_len,
			 struct blk_request *r);

/*
 * Both, for one chain: the used length, or -EINVAL as blk_request_parse. r is
 * scratch space (large: keep it out of a small stack).
 */
int blk_request_handle(struct disk *d, const char *serial, size_t serial_len,
		       const struct virtq_chain *chain, struct blk_request *r);

#endif
