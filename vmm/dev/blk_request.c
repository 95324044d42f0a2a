// SPDX-License-Identifier: GPL-2.0
/* virtio-blk requests: the configuration space, a chain taken apart, and the I/O it asks for. */
#include "dev/blk_request.h"

#include <endian.h>
#include <errno.h>
#include <string.h>

#include "base/disk.h"

#define SECTOR_SHIFT 9

static void put_le32(uint8_t *p, uint32_t v)
{
	v = htole32(v);
	memcpy(p, &v, sizeof(v));
}

/* Offsets in struct virtio_blk_config (5.2.4; Linux's include/uapi/linux/virtio_blk.h). */
enum blk_config_offset {
	CFG_CAPACITY = 0,
	CFG_SEG_MAX = 12,
	CFG_BLK_SIZE = 20,
	CFG_MAX_DISCARD_SECTORS = 36,
	CFG_MAX_DISCARD_SEG = 40,
	CFG_DISCARD_SECTOR_ALIGNMENT = 44,
	CFG_MAX_WRITE_ZEROES_SECTORS = 48,
	CFG_MAX_WRITE_ZEROES_SEG = 52,
	CFG_WRITE_ZEROES_MAY_UNMAP = 56,
};

void blk_config_build(uint8_t config[BLK_CONFIG_SIZE], uint64_t capacity)
{
	uint64_t cap = htole64(capacity);

	memset(config, 0, BLK_CONFIG_SIZE);
	memcpy(config + CFG_CAPACITY, &cap, sizeof(cap));
	put_le32(config + CFG_SEG_MAX, BLK_SEG_MAX);
	put_le32(config + CFG_BLK_SIZE, DISK_SECTOR_SIZE);
	put_le32(config + CFG_MAX_DISCARD_SECTORS, BLK_MAX_RANGE_SECTORS);
	put_le32(config + CFG_MAX_DISCARD_SEG, BLK_MAX_RANGES);
	put_le32(config + CFG_DISCARD_SECTOR_ALIGNMENT, 1);
	put_le32(config + CFG_MAX_WRITE_ZEROES_SECTORS, BLK_MAX_RANGE_SECTORS);
	put_le32(config + CFG_MAX_WRITE_ZEROES_SEG, BLK_MAX_RANGES);
	/* A write-zeroes range may become a hole (disk_write_zeroes punches one when it can). */
	config[CFG_WRITE_ZEROES_MAY_UNMAP] = 1;
}

/* The len bytes of src from byte skip on, as segments of their own (empty ones left out). */
static unsigned int iov_slice(const struct iovec *src, unsigned int nr, size_t skip, size_t len,
			      struct iovec *dst)
{
	unsigned int i, n = 0;
	size_t take;

	for (i = 0; i < nr && len; i++) {
		if (skip >= src[i].iov_len) {
			skip -= src[i].iov_len;
			continue;
		}
		take = src[i].iov_len - skip < len ? src[i].iov_len - skip : len;
		dst[n].iov_base = (uint8_t *)src[i].iov_base + skip;
		dst[n++].iov_len = take;
		len -= take;
		skip = 0;
	}
	return n;
}

/* The chain's last writable byte: where the status goes (5.2.6: the request's last byte). */
static uint8_t *chain_status(const struct virtq_chain *c)
{
	unsigned int i = c->nr_in;

	while (i && !c->in[i - 1].iov_len)
		i--;
	return i ? (uint8_t *)c->in[i - 1].iov_base + c->in[i - 1].iov_len - 1 : NULL;
}

/* [sector, sector + sectors) within a disk of capacity sectors, without overflow. */
static bool in_bounds(uint64_t sector, uint64_t sectors, uint64_t capacity)
{
	return sector <= capacity && sectors <= capacity - sector;
}

/* IN, OUT: whole sectors, within the disk, in at most seg_max segments. */
static int parse_rw(const struct virtq_chain *c, uint64_t capacity, struct blk_request *r)
{
	bool in = r->type == VIRTIO_BLK_T_IN;

	/* Only the data moves: a read has nothing readable past the header, a write nothing
	 * writable before the status. */
	if (in ? c->out_len != BLK_HEADER_SIZE : c->in_len != 1)
		return VIRTIO_BLK_S_IOERR;
	if (in)
		r->nr_data = iov_slice(c->in, c->nr_in, 0, c->in_len - 1, r->data);
	else
		r->nr_data = iov_slice(c->out, c->nr_out, BLK_HEADER_SIZE,
				       c->out_len - BLK_HEADER_SIZE, r->data);
	r->data_len = in ? c->in_len - 1 : c->out_len - BLK_HEADER_SIZE;
	if (r->data_len % DISK_SECTOR_SIZE || r->nr_data > BLK_SEG_MAX ||
	    !in_bounds(r->sector, r->data_len >> SECTOR_SHIFT, capacity))
		return VIRTIO_BLK_S_IOERR;
	return VIRTIO_BLK_S_OK;
}

/* DISCARD, WRITE_ZEROES: a list of ranges after the header (5.2.6.2). */
static int parse_ranges(const struct virtq_chain *c, uint64_t capacity, struct blk_request *r)
{
	size_t len = c->out_len - BLK_HEADER_SIZE;
	uint32_t allowed = r->type == VIRTIO_BLK_T_WRITE_ZEROES ? VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP : 0;
	uint8_t raw[BLK_RANGE_SIZE];
	uint32_t flags, sectors;
	uint64_t sector;
	unsigned int i;

	if (c->in_len != 1 || !len || len % BLK_RANGE_SIZE || len / BLK_RANGE_SIZE > BLK_MAX_RANGES)
		return VIRTIO_BLK_S_IOERR;
	r->nr_ranges = len / BLK_RANGE_SIZE;
	for (i = 0; i < r->nr_ranges; i++) {
		iov_to_buf(c->out, c->nr_out, BLK_HEADER_SIZE + i * BLK_RANGE_SIZE, raw, sizeof(raw));
		memcpy(&sector, raw, 8);
		memcpy(&sectors, raw + 8, 4);
		memcpy(&flags, raw + 12, 4);
		sector = le64toh(sector);
		sectors = le32toh(sectors);
		flags = le32toh(flags);
		/* An unknown flag, or unmap on a discard, is UNSUPP (5.2.6.2). */
		if (flags & ~allowed)
			return VIRTIO_BLK_S_UNSUPP;
		if (sectors > BLK_MAX_RANGE_SECTORS || !in_bounds(sector, sectors, capacity))
			return VIRTIO_BLK_S_IOERR;
		r->ranges[i] = (struct blk_range){ sector, sectors, flags != 0 };
	}
	return VIRTIO_BLK_S_OK;
}

static int parse_body(const struct virtq_chain *c, uint64_t capacity, bool readonly,
		      struct blk_request *r)
{
	switch (r->type) {
	case VIRTIO_BLK_T_IN:
		return parse_rw(c, capacity, r);
	case VIRTIO_BLK_T_OUT:
		return readonly ? VIRTIO_BLK_S_IOERR : parse_rw(c, capacity, r);
	case VIRTIO_BLK_T_FLUSH:
		return c->out_len == BLK_HEADER_SIZE && c->in_len == 1 ? VIRTIO_BLK_S_OK
								       : VIRTIO_BLK_S_IOERR;
	case VIRTIO_BLK_T_GET_ID:
		if (c->out_len != BLK_HEADER_SIZE)
			return VIRTIO_BLK_S_IOERR;
		r->data_len = c->in_len - 1;
		r->nr_data = iov_slice(c->in, c->nr_in, 0, r->data_len, r->data);
		return VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_DISCARD:
	case VIRTIO_BLK_T_WRITE_ZEROES:
		return readonly ? VIRTIO_BLK_S_IOERR : parse_ranges(c, capacity, r);
	default:
		return VIRTIO_BLK_S_UNSUPP;
	}
}

int blk_request_parse(const struct virtq_chain *chain, uint64_t capacity, bool readonly,
		      struct blk_request *r)
{
	uint8_t header[BLK_HEADER_SIZE];
	uint64_t sector;
	uint32_t type;

	r->nr_data = r->nr_ranges = 0;
	r->data_len = 0;
	r->status = chain_status(chain);
	if (!r->status)
		return -EINVAL;
	if (chain->out_len < BLK_HEADER_SIZE)
		return VIRTIO_BLK_S_IOERR;
	iov_to_buf(chain->out, chain->nr_out, 0, header, sizeof(header));
	memcpy(&type, header, 4);
	memcpy(&sector, header + 8, 8);
	r->type = le32toh(type);
	r->sector = le64toh(sector);
	return parse_body(chain, capacity, readonly, r);
}

/* cache=none with guest buffers O_DIRECT cannot take: through the aligned bounce buffer. */
static int run_bounced(struct disk *d, struct blk_request *r, bool write)
{
	uint64_t offset = r->sector << SECTOR_SHIFT;
	struct iovec chunk;
	size_t done, n;
	int ret = 0;

	for (done = 0; done < r->data_len && !ret; done += n) {
		n = r->data_len - done < DISK_BOUNCE_SIZE ? r->data_len - done : DISK_BOUNCE_SIZE;
		chunk = (struct iovec){ d->bounce, n };
		if (write) {
			iov_to_buf(r->data, r->nr_data, done, d->bounce, n);
			ret = disk_writev(d, offset + done, &chunk, 1, n);
		} else {
			ret = disk_readv(d, offset + done, &chunk, 1, n);
			if (!ret)
				iov_from_buf(r->data, r->nr_data, done, d->bounce, n);
		}
	}
	return ret;
}

static int run_rw(struct disk *d, struct blk_request *r, bool write)
{
	uint64_t offset = r->sector << SECTOR_SHIFT;

	if (disk_needs_bounce(d, offset, r->data, r->nr_data))
		return run_bounced(d, r, write);
	if (write)
		return disk_writev(d, offset, r->data, r->nr_data, r->data_len);
	return disk_readv(d, offset, r->data, r->nr_data, r->data_len);
}

static int run_ranges(struct disk *d, const struct blk_request *r)
{
	unsigned int i;
	int ret = 0;

	for (i = 0; i < r->nr_ranges && !ret; i++) {
		uint64_t offset = r->ranges[i].sector << SECTOR_SHIFT;
		uint64_t len = (uint64_t)r->ranges[i].sectors << SECTOR_SHIFT;

		if (!len)
			continue;
		if (r->type == VIRTIO_BLK_T_DISCARD)
			ret = disk_discard(d, offset, len);
		else
			ret = disk_write_zeroes(d, offset, len, r->ranges[i].unmap);
	}
	return ret;
}

/* GET_ID: the serial, NUL-padded to 20 bytes, as much as the buffer holds. */
static size_t run_get_id(const char *serial, size_t serial_len, struct blk_request *r)
{
	char id[VIRTIO_BLK_ID_BYTES] = { 0 };
	size_t len = r->data_len < sizeof(id) ? r->data_len : sizeof(id);

	memcpy(id, serial, serial_len < sizeof(id) ? serial_len : sizeof(id));
	return iov_from_buf(r->data, r->nr_data, 0, id, len);
}

uint32_t blk_request_run(struct disk *d, const char *serial, size_t serial_len,
			 struct blk_request *r)
{
	size_t written = 0;
	int ret;

	switch (r->type) {
	case VIRTIO_BLK_T_IN:
		ret = run_rw(d, r, false);
		written = ret ? 0 : r->data_len;
		break;
	case VIRTIO_BLK_T_OUT:
		ret = run_rw(d, r, true);
		break;
	case VIRTIO_BLK_T_FLUSH:
		ret = disk_flush(d);
		break;
	case VIRTIO_BLK_T_GET_ID:
		written = run_get_id(serial, serial_len, r);
		ret = 0;
		break;
	default: /* DISCARD, WRITE_ZEROES: blk_request_parse lets nothing else through */
		ret = run_ranges(d, r);
		break;
	}
	*r->status = ret ? VIRTIO_BLK_S_IOERR : VIRTIO_BLK_S_OK;
	return written + 1;
}

int blk_request_handle(struct disk *d, const char *serial, size_t serial_len,
		       const struct virtq_chain *chain, struct blk_request *r)
{
	int status = blk_request_parse(chain, d->size >> SECTOR_SHIFT, d->readonly, r);

	if (status < 0)
		return status;
	if (status != VIRTIO_BLK_S_OK) {
		*r->status = status;
		return 1;
	}
	return blk_request_run(d, serial, serial_len, r);
}
