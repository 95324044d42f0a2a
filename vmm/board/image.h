/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_IMAGE_H
#define VMM_IMAGE_H

#include <stddef.h>
#include <stdint.h>

/* What Documentation/arch/arm64/booting.rst lets a loader learn from an Image header. */
struct arm64_image {
	uint64_t text_offset; /* distance from a 2 MiB-aligned base to the load address */
	uint64_t image_size;  /* bytes the kernel needs from its load address, BSS included */
	uint64_t file_size;
	int big_endian;
};

#define ARM64_IMAGE_MAGIC 0x644d5241u /* "ARM\x64" */
#define ARM64_IMAGE_HEADER_SIZE 64

/*
 * header holds the file's first ARM64_IMAGE_HEADER_SIZE bytes (all of it when
 * shorter); file_size is the whole file's. Returns 0, -ENOEXEC when it is not
 * an arm64 Image, -EINVAL for a header no loader can honour.
 */
int arm64_image_parse(const void *header, uint64_t file_size, struct arm64_image *img);

#endif
