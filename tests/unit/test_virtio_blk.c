// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-blk requests on a temporary image: each request type, the
 * configuration space, every malformed request, read-only disks, the lock and
 * the size checks. Chains are built by hand, as the walker would hand them over.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "base/config.h"
#include "base/disk.h"
#include "base/util.h"
#include "dev/blk_request.h"
#include "helpers.h"
#include "suites.h"

#define IMAGE_SECTORS 64
#define DATA_BYTES 1024

static char image[sizeof(TEMP_PATH_TEMPLATE)];
static struct disk disk;
static struct virtq_chain chain;
static struct blk_request req;
static uint8_t header[BLK_HEADER_SIZE], data[DATA_BYTES], status, ranges[4 * BLK_RANGE_SIZE];

static void image_create(size_t size)
{
	uint8_t *fill = malloc(size);

	ck_assert_msg(fill != NULL, "malloc %zu: expected memory", size);
	for (size_t i = 0; i < size; i++)
		fill[i] = i / DISK_SECTOR_SIZE + 1; /* sector n holds n + 1 */
	temp_file_create(image, fill, size);
	free(fill);
}

static void blk_setup(void)
{
	char why[320];
	int ret;

	image_create(IMAGE_SECTORS * DISK_SECTOR_SIZE);
	ret = disk_open(&disk, image, false, false, why, sizeof(why));
	ck_assert_msg(ret == 0, "disk_open %s: expected 0, got %d (%s)", image, ret, why);
	status = 0xff;
}

static void blk_teardown(void)
{
	disk_close(&disk);
	unlink(image);
}

static void header_set(uint32_t type, uint64_t sector)
{
	type = htole32(type);
	sector = htole64(sector);
	memset(header, 0, sizeof(header));
	memcpy(header, &type, 4);
	memcpy(header + 8, &sector, 8);
}

/* header, then out_extra readable bytes of data; in_data writable bytes, then the status. */
static void chain_build(uint32_t type, uint64_t sector, size_t out_extra, size_t in_data)
{
	header_set(type, sector);
	memset(&chain, 0, sizeof(chain));
	chain.out[chain.nr_out++] = (struct iovec){ header, sizeof(header) };
	if (out_extra)
		chain.out[chain.nr_out++] = (struct iovec){ type == VIRTIO_BLK_T_OUT ? data : ranges,
							     out_extra };
	if (in_data)
		chain.in[chain.nr_in++] = (struct iovec){ data, in_data };
	chain.in[chain.nr_in++] = (struct iovec){ &status, 1 };
	chain.out_len = sizeof(header) + out_extra;
	chain.in_len = in_data + 1;
}

static int handle(const char *serial)
{
	return blk_request_handle(&disk, serial, serial ? strlen(serial) : 0, &chain, &req);
}

static void assert_status(int len, int want_len, uint8_t want)
{
	ck_assert_msg(len == want_len && status == want,
		      "expected used length %d and status %u, got %d and %u", want_len, want, len,
		      status);
}

static uint8_t image_byte(uint64_t offset)
{
	uint8_t b = 0;
	int fd = open(image, O_RDONLY);

	ck_assert_msg(pread(fd, &b, 1, offset) == 1, "pread %s at %llu: expected a byte", image,
		      (unsigned long long)offset);
	close(fd);
	return b;
}

static void range_set(unsigned int i, uint64_t sector, uint32_t sectors, uint32_t flags)
{
	sector = htole64(sector);
	sectors = htole32(sectors);
	flags = htole32(flags);
	memcpy(ranges + i * BLK_RANGE_SIZE, &sector, 8);
	memcpy(ranges + i * BLK_RANGE_SIZE + 8, &sectors, 4);
	memcpy(ranges + i * BLK_RANGE_SIZE + 12, &flags, 4);
}

START_TEST(test_read)
{
	chain_build(VIRTIO_BLK_T_IN, 3, 0, DATA_BYTES);
	assert_status(handle(NULL), DATA_BYTES + 1, VIRTIO_BLK_S_OK);
	ck_assert_msg(data[0] == 4 && data[511] == 4 && data[512] == 5,
		      "expected sectors 3 and 4 (bytes 4, 5), got %u %u %u", data[0], data[511],
		      data[512]);
}
END_TEST

/* A read split across segments, the status byte sharing the last one. */
START_TEST(test_read_segments_status_shared)
{
	static uint8_t tail[DISK_SECTOR_SIZE + 1];

	chain_build(VIRTIO_BLK_T_IN, 0, 0, DISK_SECTOR_SIZE);
	chain.in[1] = (struct iovec){ tail, sizeof(tail) };
	chain.in_len = DISK_SECTOR_SIZE + sizeof(tail);
	tail[DISK_SECTOR_SIZE] = 0xff;
	ck_assert_int_eq(handle(NULL), 2 * DISK_SECTOR_SIZE + 1);
	ck_assert_msg(data[0] == 1 && tail[0] == 2 && tail[DISK_SECTOR_SIZE] == VIRTIO_BLK_S_OK,
		      "expected sector 0, sector 1, status OK; got %u %u %u", data[0], tail[0],
		      tail[DISK_SECTOR_SIZE]);
}
END_TEST

START_TEST(test_write)
{
	memset(data, 0xab, sizeof(data));
	chain_build(VIRTIO_BLK_T_OUT, IMAGE_SECTORS - 2, DATA_BYTES, 0);
	assert_status(handle(NULL), 1, VIRTIO_BLK_S_OK);
	ck_assert_msg(image_byte((IMAGE_SECTORS - 1) * DISK_SECTOR_SIZE + 511) == 0xab &&
			      image_byte((IMAGE_SECTORS - 3) * DISK_SECTOR_SIZE) == IMAGE_SECTORS - 2,
		      "expected the last two sectors written, the one before untouched");
}
END_TEST

START_TEST(test_flush)
{
	chain_build(VIRTIO_BLK_T_FLUSH, 0, 0, 0);
	assert_status(handle(NULL), 1, VIRTIO_BLK_S_OK);
}
END_TEST

START_TEST(test_get_id)
{
	memset(data, 0xff, sizeof(data));
	chain_build(VIRTIO_BLK_T_GET_ID, 0, 0, VIRTIO_BLK_ID_BYTES);
	assert_status(handle("vmm-disk-1"), VIRTIO_BLK_ID_BYTES + 1, VIRTIO_BLK_S_OK);
	ck_assert_msg(!memcmp(data, "vmm-disk-1", 10) && data[10] == 0 && data[19] == 0 &&
			      data[20] == 0xff,
		      "expected the serial NUL-padded to 20 bytes, nothing beyond");
}
END_TEST

START_TEST(test_get_id_20_bytes_unterminated)
{
	chain_build(VIRTIO_BLK_T_GET_ID, 0, 0, VIRTIO_BLK_ID_BYTES);
	assert_status(handle("12345678901234567890"), VIRTIO_BLK_ID_BYTES + 1, VIRTIO_BLK_S_OK);
	ck_assert_msg(!memcmp(data, "12345678901234567890", 20), "expected all 20 bytes of the serial");
}
END_TEST

START_TEST(test_discard)
{
	range_set(0, 8, 2, 0);
	chain_build(VIRTIO_BLK_T_DISCARD, 0, BLK_RANGE_SIZE, 0);
	assert_status(handle(NULL), 1, VIRTIO_BLK_S_OK);
	ck_assert_msg(image_byte(7 * DISK_SECTOR_SIZE) == 8 && image_byte(10 * DISK_SECTOR_SIZE) == 11,
		      "expected the sectors around the discarded ones kept");
}
END_TEST

START_TEST(test_write_zeroes)
{
	range_set(0, 1, 1, 0);
	range_set(1, 4, 2, VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP);
	chain_build(VIRTIO_BLK_T_WRITE_ZEROES, 0, 2 * BLK_RANGE_SIZE, 0);
	assert_status(handle(NULL), 1, VIRTIO_BLK_S_OK);
	ck_assert_msg(image_byte(0) == 1 && image_byte(DISK_SECTOR_SIZE) == 0 &&
			      image_byte(2 * DISK_SECTOR_SIZE) == 3 &&
			      image_byte(5 * DISK_SECTOR_SIZE + 511) == 0 &&
			      image_byte(6 * DISK_SECTOR_SIZE) == 7,
		      "expected sectors 1, 4, 5 zero and 0, 2, 6 kept");
}
END_TEST

START_TEST(test_unknown_type_unsupp)
{
	chain_build(99, 0, 0, 0);
	assert_status(handle(NULL), 1, VIRTIO_BLK_S_UNSUPP);
}
END_TEST

START_TEST(test_discard_unmap_flag_unsupp)
{
	range_set(0, 0, 1, VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP);
	chain_build(VIRTIO_BLK_T_DISCARD, 0, BLK_RANGE_SIZE, 0);
	assert_status(handle(NULL), 1, VIRTIO_BLK_S_UNSUPP);
	ck_assert_msg(image_byte(0) == 1, "expected sector 0 untouched");
}
END_TEST

/* Malformed requests: IOERR, and the image unchanged (its last sector still holds 64). */
enum bad_kind {
	BAD_SHORT_HEADER,
	BAD_READ_PAST_END,
	BAD_READ_OVERFLOW,
	BAD_WRITE_PAST_END,
	BAD_PARTIAL_SECTOR,
	BAD_READ_WITH_OUT_DATA,
	BAD_WRITE_WITH_IN_DATA,
	BAD_TOO_MANY_SEGMENTS,
	BAD_RANGE_PAST_END,
	BAD_RANGE_TOO_LONG,
	BAD_RANGE_PARTIAL,
	BAD_RANGE_NONE,
	BAD_RANGES_TOO_MANY,
	BAD_FLUSH_WITH_DATA,
	NR_BAD,
};

static void bad_build(enum bad_kind kind)
{
	switch (kind) {
	case BAD_SHORT_HEADER:
		chain_build(VIRTIO_BLK_T_IN, 0, 0, 512);
		chain.out[0].iov_len = chain.out_len = BLK_HEADER_SIZE - 1;
		break;
	case BAD_READ_PAST_END:
		chain_build(VIRTIO_BLK_T_IN, IMAGE_SECTORS - 1, 0, 1024);
		break;
	case BAD_READ_OVERFLOW:
		chain_build(VIRTIO_BLK_T_IN, UINT64_MAX, 0, 512);
		break;
	case BAD_WRITE_PAST_END:
		chain_build(VIRTIO_BLK_T_OUT, IMAGE_SECTORS, DISK_SECTOR_SIZE, 0);
		break;
	case BAD_PARTIAL_SECTOR:
		chain_build(VIRTIO_BLK_T_OUT, 0, 511, 0);
		break;
	case BAD_READ_WITH_OUT_DATA:
		chain_build(VIRTIO_BLK_T_IN, 0, 0, 512);
		chain.out[0].iov_len = chain.out_len = BLK_HEADER_SIZE;
		chain.out[chain.nr_out++] = (struct iovec){ data, 512 };
		chain.out_len += 512;
		break;
	case BAD_WRITE_WITH_IN_DATA:
		chain_build(VIRTIO_BLK_T_OUT, IMAGE_SECTORS - 1, 512, 512);
		break;
	case BAD_TOO_MANY_SEGMENTS:
		chain_build(VIRTIO_BLK_T_OUT, 0, 0, 0);
		for (unsigned int i = 0; i < BLK_SEG_MAX + 1; i++)
			chain.out[chain.nr_out++] = (struct iovec){ data, 512 };
		chain.out_len += (BLK_SEG_MAX + 1) * 512;
		header_set(VIRTIO_BLK_T_OUT, 0);
		break;
	case BAD_RANGE_PAST_END:
		range_set(0, IMAGE_SECTORS - 1, 2, 0);
		chain_build(VIRTIO_BLK_T_WRITE_ZEROES, 0, BLK_RANGE_SIZE, 0);
		break;
	case BAD_RANGE_TOO_LONG:
		range_set(0, 0, BLK_MAX_RANGE_SECTORS + 1, 0);
		chain_build(VIRTIO_BLK_T_DISCARD, 0, BLK_RANGE_SIZE, 0);
		break;
	case BAD_RANGE_PARTIAL:
		range_set(0, 0, 1, 0);
		chain_build(VIRTIO_BLK_T_WRITE_ZEROES, 0, BLK_RANGE_SIZE - 1, 0);
		break;
	case BAD_RANGE_NONE:
		chain_build(VIRTIO_BLK_T_DISCARD, 0, 0, 0);
		break;
	case BAD_RANGES_TOO_MANY:
		chain_build(VIRTIO_BLK_T_DISCARD, 0, 0, 0);
		for (unsigned int i = 0; i <= BLK_MAX_RANGES; i++)
			chain.out[chain.nr_out++] = (struct iovec){ ranges, BLK_RANGE_SIZE };
		chain.out_len += (BLK_MAX_RANGES + 1) * BLK_RANGE_SIZE;
		range_set(0, IMAGE_SECTORS - 1, 1, 0);
		break;
	case BAD_FLUSH_WITH_DATA:
		chain_build(VIRTIO_BLK_T_FLUSH, 0, 0, 512);
		break;
	case NR_BAD:
		break;
	}
}

START_TEST(test_malformed_ioerr)
{
	memset(data, 0xcd, sizeof(data));
	bad_build(_i);
	assert_status(handle(NULL), 1, VIRTIO_BLK_S_IOERR);
	ck_assert_msg(image_byte((IMAGE_SECTORS - 1) * DISK_SECTOR_SIZE) == IMAGE_SECTORS &&
			      image_byte(0) == 1,
		      "case %d: expected the image untouched", _i);
}
END_TEST

START_TEST(test_no_status_byte_breaks)
{
	chain_build(VIRTIO_BLK_T_IN, 0, 0, 0);
	chain.nr_in = 0;
	chain.in_len = 0;
	ck_assert_msg(handle(NULL) == -EINVAL, "expected -EINVAL for a chain with no writable byte");
}
END_TEST

START_TEST(test_config_space)
{
	uint8_t cfg[BLK_CONFIG_SIZE];
	uint64_t cap;
	uint32_t v[6];

	blk_config_build(cfg, 12345);
	memcpy(&cap, cfg, 8);
	memcpy(&v[0], cfg + 12, 4); /* seg_max */
	memcpy(&v[1], cfg + 20, 4); /* blk_size */
	memcpy(&v[2], cfg + 36, 4); /* max_discard_sectors */
	memcpy(&v[3], cfg + 40, 4); /* max_discard_seg */
	memcpy(&v[4], cfg + 48, 4); /* max_write_zeroes_sectors */
	memcpy(&v[5], cfg + 52, 4); /* max_write_zeroes_seg */
	ck_assert_msg(le64toh(cap) == 12345 && le32toh(v[0]) == BLK_SEG_MAX &&
			      le32toh(v[1]) == 512 && le32toh(v[2]) == BLK_MAX_RANGE_SECTORS &&
			      le32toh(v[3]) == BLK_MAX_RANGES && le32toh(v[4]) == BLK_MAX_RANGE_SECTORS &&
			      le32toh(v[5]) == BLK_MAX_RANGES && cfg[56] == 1,
		      "expected capacity 12345, seg_max %d, blk_size 512, discard and write-zeroes "
		      "limits, may_unmap 1",
		      BLK_SEG_MAX);
}
END_TEST

START_TEST(test_readonly_refuses_writes)
{
	char why[320];

	disk_close(&disk);
	ck_assert_int_eq(disk_open(&disk, image, true, false, why, sizeof(why)), 0);
	chain_build(VIRTIO_BLK_T_OUT, 0, DISK_SECTOR_SIZE, 0);
	assert_status(handle(NULL), 1, VIRTIO_BLK_S_IOERR);
	range_set(0, 0, 1, 0);
	chain_build(VIRTIO_BLK_T_WRITE_ZEROES, 0, BLK_RANGE_SIZE, 0);
	assert_status(handle(NULL), 1, VIRTIO_BLK_S_IOERR);
	chain_build(VIRTIO_BLK_T_IN, 0, 0, DISK_SECTOR_SIZE);
	assert_status(handle(NULL), DISK_SECTOR_SIZE + 1, VIRTIO_BLK_S_OK);
	ck_assert_msg(image_byte(0) == 1, "expected the read-only image untouched");
}
END_TEST

/* The lock: a second writer refused naming the file; two readers share. */
START_TEST(test_lock_second_writer_refused)
{
	struct disk other;
	char why[320];
	int ret = disk_open(&other, image, false, false, why, sizeof(why));

	ck_assert_msg(ret == -EAGAIN && strstr(why, image) &&
			      strstr(why, "is in use by another vmm (locked)"),
		      "expected -EAGAIN naming %s as locked, got %d \"%s\"", image, ret, why);
	ret = disk_open(&other, image, true, false, why, sizeof(why));
	ck_assert_msg(ret == -EAGAIN, "expected a reader refused while a writer has it, got %d", ret);
}
END_TEST

START_TEST(test_lock_readers_share)
{
	struct disk a, b;
	char why[320];

	disk_close(&disk);
	ck_assert_int_eq(disk_open(&a, image, true, false, why, sizeof(why)), 0);
	ck_assert_msg(disk_open(&b, image, true, false, why, sizeof(why)) == 0,
		      "expected a second read-only open allowed, got \"%s\"", why);
	disk_close(&b);
	ck_assert_msg(disk_open(&b, image, false, false, why, sizeof(why)) == -EAGAIN,
		      "expected a writer refused while a reader has it");
	disk_close(&a);
}
END_TEST

static const struct {
	size_t size;
	const char *expect;
} bad_sizes[] = {
	{ 0, "is not a non-zero multiple of 512" },
	{ 1000, "(1000 bytes) is not a non-zero multiple of 512" },
};

START_TEST(test_bad_size_refused)
{
	char path[sizeof(TEMP_PATH_TEMPLATE)], why[320];
	static uint8_t zeros[1000];
	struct disk d;
	int ret;

	temp_file_create(path, zeros, bad_sizes[_i].size);
	ret = disk_open(&d, path, true, false, why, sizeof(why));
	unlink(path);
	ck_assert_msg(ret == -EINVAL && strstr(why, path) && strstr(why, bad_sizes[_i].expect),
		      "size %zu: expected -EINVAL '%s', got %d \"%s\"", bad_sizes[_i].size,
		      bad_sizes[_i].expect, ret, why);
}
END_TEST

START_TEST(test_missing_and_unreadable)
{
	struct disk d;
	char why[320];
	int ret = disk_open(&d, "/nonexistent/disk.img", false, false, why, sizeof(why));

	ck_assert_msg(ret == -ENOENT && strstr(why, "/nonexistent/disk.img: no such file"),
		      "expected -ENOENT naming the file, got %d \"%s\"", ret, why);
	ret = disk_open(&d, "/tmp", true, false, why, sizeof(why));
	ck_assert_msg(ret < 0 && strstr(why, "/tmp"), "expected a directory refused, got %d \"%s\"",
		      ret, why);
}
END_TEST

/* cache=none: misaligned guest buffers go through the bounce buffer (where O_DIRECT works). */
START_TEST(test_direct_misaligned_bounces)
{
	static uint8_t buf[2 * DISK_SECTOR_SIZE + 1] __attribute__((aligned(512)));
	char why[320];
	int ret;

	disk_close(&disk);
	ret = disk_open(&disk, image, false, true, why, sizeof(why));
	if (ret == -EINVAL) { /* this file system has no O_DIRECT: the error must say so */
		ck_assert_msg(strstr(why, "refuses O_DIRECT (cache=none)"), "got \"%s\"", why);
		return;
	}
	ck_assert_int_eq(ret, 0);
	chain_build(VIRTIO_BLK_T_IN, 2, 0, DISK_SECTOR_SIZE);
	chain.in[0] = (struct iovec){ buf + 1, DISK_SECTOR_SIZE };
	assert_status(handle(NULL), DISK_SECTOR_SIZE + 1, VIRTIO_BLK_S_OK);
	ck_assert_msg(buf[1] == 3 && buf[DISK_SECTOR_SIZE] == 3, "expected sector 2 read, got %u",
		      buf[1]);
}
END_TEST

/* disks_check: one image given twice is refused before the lock would blame another vmm. */
START_TEST(test_disks_check_twice)
{
	struct disk_config disks[2] = { { .path = image }, { .path = image, .readonly = true } };
	struct output_capture err;
	const char *text;
	int ret;

	disk_close(&disk);
	output_capture_begin(&err, STDERR_FILENO);
	ret = disks_check(disks, 2);
	text = output_capture_end(&err);
	ck_assert_msg(ret == -EINVAL && strstr(text, "is given twice (disks 1 and 2)") &&
			      count_lines(text) == 1,
		      "expected one line saying the image is given twice, got %d \"%s\"", ret, text);
	ck_assert_msg(disks_check(disks, 1) == 0, "expected one disk accepted");
}
END_TEST

Suite *virtio_blk_suite(void)
{
	Suite *s = suite_create("virtio_blk");
	TCase *requests = tcase_create("requests");
	TCase *backend = tcase_create("disk");

	tcase_add_checked_fixture(requests, blk_setup, blk_teardown);
	tcase_add_checked_fixture(backend, blk_setup, blk_teardown);
	tcase_add_test(requests, test_read);
	tcase_add_test(requests, test_read_segments_status_shared);
	tcase_add_test(requests, test_write);
	tcase_add_test(requests, test_flush);
	tcase_add_test(requests, test_get_id);
	tcase_add_test(requests, test_get_id_20_bytes_unterminated);
	tcase_add_test(requests, test_discard);
	tcase_add_test(requests, test_write_zeroes);
	tcase_add_test(requests, test_unknown_type_unsupp);
	tcase_add_test(requests, test_discard_unmap_flag_unsupp);
	tcase_add_loop_test(requests, test_malformed_ioerr, 0, NR_BAD);
	tcase_add_test(requests, test_no_status_byte_breaks);
	tcase_add_test(requests, test_config_space);
	tcase_add_test(requests, test_readonly_refuses_writes);
	tcase_add_test(backend, test_lock_second_writer_refused);
	tcase_add_test(backend, test_lock_readers_share);
	tcase_add_loop_test(backend, test_bad_size_refused, 0, ARRAY_SIZE(bad_sizes));
	tcase_add_test(backend, test_missing_and_unreadable);
	tcase_add_test(backend, test_direct_misaligned_bounces);
	tcase_add_test(backend, test_disks_check_twice);
	suite_add_tcase(s, requests);
	suite_add_tcase(s, backend);
	return s;
}
