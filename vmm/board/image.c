// SPDX-License-Identifier: GPL-2.0
#include "board/image.h"

#include <errno.h>
#include <string.h>

#include "base/util.h"

static uint64_t read_le64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static uint32_t read_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int arm64_image_parse(const void *header, uint64_t size, struct arm64_image *img)
{
	const uint8_t *hdr = header;
	uint64_t flags;

	if (size < ARM64_IMAGE_HEADER_SIZE || read_le32(hdr + 56) != ARM64_IMAGE_MAGIC)
		return -ENOEXEC;

	img->text_offset = read_le64(hdr + 8);
	img->image_size = read_le64(hdr + 16);
	flags = read_le64(hdr + 24);
	img->file_size = size;
	img->big_endian = flags & 1;

	/* Before Linux 3.17 image_size was zero and text_offset meant 0x80000. */
	if (img->image_size == 0) {
		img->text_offset = 0x80000;
		img->image_size = ALIGN_UP(size, SZ_2M);
	}
	if (img->image_size < size || img->text_offset >= SZ_2M * 16 ||
	    img->text_offset % 8 || img->image_size > SZ_1G * 4)
		return -EINVAL;
	return 0;
}
