// SPDX-License-Identifier: GPL-2.0
/* arm64_image_parse against synthetic headers laid out as in Documentation/arch/arm64/booting.rst.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "board/image.h"
#include "suites.h"

#define IMAGE_BUF_SIZE 4096

static uint8_t image[IMAGE_BUF_SIZE];

static void put_le64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		p[i] = v >> (8 * i);
}

/* code0/code1, text_offset, image_size, flags, res2-4, magic "ARM\x64", res5. */
static void make_header(uint64_t text_offset, uint64_t image_size, uint64_t flags)
{
	memset(image, 0, sizeof(image));
	put_le64(image + 8, text_offset);
	put_le64(image + 16, image_size);
	put_le64(image + 24, flags);
	memcpy(image + 56, "ARM\x64", 4);
}

START_TEST(test_text_offset_little_endian)
{
	struct arm64_image img = { 0 };
	int ret;

	make_header(0x1234568, 0x12345678, 0);
	ret = arm64_image_parse(image, ARM64_IMAGE_HEADER_SIZE, &img);

	ck_assert_msg(ret == 0, "arm64_image_parse: expected 0, got %d", ret);
	ck_assert_msg(img.text_offset == 0x1234568, "text_offset: expected 0x1234568, got 0x%llx",
		      (unsigned long long)img.text_offset);
}
END_TEST

START_TEST(test_image_size_little_endian)
{
	struct arm64_image img = { 0 };
	int ret;

	make_header(0x80000, 0x12345678, 0);
	ret = arm64_image_parse(image, ARM64_IMAGE_HEADER_SIZE, &img);

	ck_assert_msg(ret == 0 && img.image_size == 0x12345678,
		      "image_size: expected 0 and 0x12345678, got %d and 0x%llx", ret,
		      (unsigned long long)img.image_size);
}
END_TEST

START_TEST(test_file_size_recorded)
{
	struct arm64_image img = { 0 };
	int ret;

	make_header(0, 0x200000, 0);
	ret = arm64_image_parse(image, IMAGE_BUF_SIZE, &img);

	ck_assert_msg(ret == 0 && img.file_size == IMAGE_BUF_SIZE,
		      "file_size: expected 0 and %d, got %d and %llu", IMAGE_BUF_SIZE, ret,
		      (unsigned long long)img.file_size);
}
END_TEST

START_TEST(test_big_endian_flag)
{
	struct arm64_image img = { 0 };
	int ret;

	make_header(0x80000, 0x200000, 0x1 | 0x2 /* 4K pages */);
	ret = arm64_image_parse(image, ARM64_IMAGE_HEADER_SIZE, &img);

	ck_assert_msg(ret == 0 && img.big_endian, "flags bit 0: expected big_endian, got %d/%d",
		      ret, img.big_endian);
}
END_TEST

START_TEST(test_little_endian_flag)
{
	struct arm64_image img = { .big_endian = 1 };
	int ret;

	make_header(0x80000, 0x200000, 0xa);
	ret = arm64_image_parse(image, ARM64_IMAGE_HEADER_SIZE, &img);

	ck_assert_msg(ret == 0 && !img.big_endian, "flags 0xa: expected little-endian, got %d/%d",
		      ret, img.big_endian);
}
END_TEST

START_TEST(test_missing_magic)
{
	struct arm64_image img;
	int ret;

	make_header(0x80000, 0x200000, 0);
	image[59] = 0x65; /* "ARMe" */
	ret = arm64_image_parse(image, ARM64_IMAGE_HEADER_SIZE, &img);

	ck_assert_msg(ret == -ENOEXEC, "bad magic: expected %d, got %d", -ENOEXEC, ret);
}
END_TEST

START_TEST(test_zero_buffer)
{
	struct arm64_image img;
	int ret;

	memset(image, 0, sizeof(image));
	ret = arm64_image_parse(image, sizeof(image), &img);

	ck_assert_msg(ret == -ENOEXEC, "all zeros: expected %d, got %d", -ENOEXEC, ret);
}
END_TEST

START_TEST(test_truncated_header)
{
	/* Exactly 63 bytes on the heap, so that ASan sees any read past them. */
	uint8_t *short_image = malloc(ARM64_IMAGE_HEADER_SIZE - 1);
	struct arm64_image img;
	int ret;

	make_header(0x80000, 0x200000, 0);
	memcpy(short_image, image, ARM64_IMAGE_HEADER_SIZE - 1);
	ret = arm64_image_parse(short_image, ARM64_IMAGE_HEADER_SIZE - 1, &img);
	free(short_image);

	ck_assert_msg(ret == -ENOEXEC, "63-byte buffer: expected %d, got %d", -ENOEXEC, ret);
}
END_TEST

START_TEST(test_legacy_zero_image_size_text_offset)
{
	struct arm64_image img = { 0 };
	int ret;

	make_header(0x1000, 0, 0);
	ret = arm64_image_parse(image, IMAGE_BUF_SIZE, &img);

	ck_assert_msg(ret == 0 && img.text_offset == 0x80000,
		      "image_size 0: expected text_offset 0x80000, got %d/0x%llx", ret,
		      (unsigned long long)img.text_offset);
}
END_TEST

START_TEST(test_legacy_zero_image_size_rounds_file)
{
	struct arm64_image img = { 0 };
	int ret;

	make_header(0, 0, 0);
	ret = arm64_image_parse(image, IMAGE_BUF_SIZE, &img);

	ck_assert_msg(ret == 0 && img.image_size == SZ_2M,
		      "image_size 0: expected the file rounded up to 2M (0x200000), got %d/0x%llx",
		      ret, (unsigned long long)img.image_size);
}
END_TEST

START_TEST(test_image_size_smaller_than_file)
{
	struct arm64_image img;
	int ret;

	make_header(0x80000, IMAGE_BUF_SIZE / 2, 0);
	ret = arm64_image_parse(image, IMAGE_BUF_SIZE, &img);

	ck_assert_msg(ret == -EINVAL, "image_size < file: expected %d, got %d", -EINVAL, ret);
}
END_TEST

START_TEST(test_image_size_equal_to_file)
{
	struct arm64_image img;
	int ret;

	make_header(0x80000, IMAGE_BUF_SIZE, 0);
	ret = arm64_image_parse(image, IMAGE_BUF_SIZE, &img);

	ck_assert_msg(ret == 0, "image_size == file: expected 0, got %d", ret);
}
END_TEST

START_TEST(test_text_offset_unaligned)
{
	struct arm64_image img;
	int ret;

	make_header(0x80004, 0x200000, 0);
	ret = arm64_image_parse(image, ARM64_IMAGE_HEADER_SIZE, &img);

	ck_assert_msg(ret == -EINVAL, "text_offset 0x80004: expected %d, got %d", -EINVAL, ret);
}
END_TEST

START_TEST(test_text_offset_too_large)
{
	struct arm64_image img;
	int ret;

	make_header(32ULL << 20, 0x200000, 0);
	ret = arm64_image_parse(image, ARM64_IMAGE_HEADER_SIZE, &img);

	ck_assert_msg(ret == -EINVAL, "text_offset 32M: expected %d, got %d", -EINVAL, ret);
}
END_TEST

START_TEST(test_image_size_too_large)
{
	struct arm64_image img;
	int ret;

	make_header(0, 4 * SZ_1G + 1, 0);
	ret = arm64_image_parse(image, ARM64_IMAGE_HEADER_SIZE, &img);

	ck_assert_msg(ret == -EINVAL, "image_size 4G+1: expected %d, got %d", -EINVAL, ret);
}
END_TEST

Suite *image_suite(void)
{
	Suite *s = suite_create("image");
	TCase *header = tcase_create("header");
	TCase *reject = tcase_create("reject");

	tcase_add_test(header, test_text_offset_little_endian);
	tcase_add_test(header, test_image_size_little_endian);
	tcase_add_test(header, test_file_size_recorded);
	tcase_add_test(header, test_big_endian_flag);
	tcase_add_test(header, test_little_endian_flag);
	tcase_add_test(header, test_legacy_zero_image_size_text_offset);
	tcase_add_test(header, test_legacy_zero_image_size_rounds_file);
	tcase_add_test(header, test_image_size_equal_to_file);
	suite_add_tcase(s, header);

	tcase_add_test(reject, test_missing_magic);
	tcase_add_test(reject, test_zero_buffer);
	tcase_add_test(reject, test_truncated_header);
	tcase_add_test(reject, test_image_size_smaller_than_file);
	tcase_add_test(reject, test_text_offset_unaligned);
	tcase_add_test(reject, test_text_offset_too_large);
	tcase_add_test(reject, test_image_size_too_large);
	suite_add_tcase(s, reject);
	return s;
}
