// SPDX-License-Identifier: GPL-2.0
/*
 * Writes the fuzzer's seed corpus with the real writer: valid snapshots with
 * and without memory, so mutations start from files that reach every section.
 */
#include <stdio.h>
#include <string.h>

#include "migrate/format.h"

static const struct snap_header seed_hdr = {
	.vmm_version = "vmm seed",
	.host_release = "6.12.0-arm64",
	.page_size = 4096,
	.ipa_bits = 40,
};

static int sections_put(struct snap_writer *w, unsigned int vcpus)
{
	unsigned int i;
	int ret = snap_section_begin(w, SNAP_SEC_CONFIG, 0) ?: snap_put_u32(w, vcpus) ?:
		  snap_put_u64(w, 0x40000000) ?: snap_put_str(w, "console=ttyAMA0 quiet") ?:
		  snap_section_end(w);

	for (i = 0; !ret && i < vcpus; i++)
		ret = snap_section_begin(w, SNAP_SEC_VCPU, i) ?: snap_put_u64(w, 0x6030000000100000) ?:
		      snap_put_u64(w, i) ?: snap_put_bytes(w, "\x01\x02\x03\x04\x05", 5) ?:
		      snap_section_end(w);
	ret = ret ?: snap_section_begin(w, SNAP_SEC_GIC, 0) ?: snap_put_u32(w, 3) ?:
		     snap_put_u64(w, 0x8000000) ?: snap_section_end(w);
	return ret ?: snap_section_begin(w, SNAP_SEC_DEVICE, 0) ?: snap_put_str(w, "pl011") ?:
		     snap_put_u32(w, 0x30) ?: snap_put_str(w, "") ?: snap_section_end(w);
}

static int seed_write(const char *dir, const char *name, unsigned int vcpus, size_t ram_pages)
{
	static unsigned char ram[8 * 4096];
	struct snap_writer *w;
	char path[4096];
	int ret;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	ret = snap_writer_open(&w, path, &seed_hdr);
	if (ret)
		return ret;
	/* Pages 1 and 2 (a run), then 4: the reader walks runs of marked pages. */
	memset(ram + 4096, 0x11, 2 * 4096);
	memset(ram + 4 * 4096, 0x33, 100);
	ret = vcpus ? sections_put(w, vcpus) : 0;
	if (!ret && ram_pages)
		ret = snap_write_memory(w, 0x40000000, ram, ram_pages * 4096, NULL);
	ret = ret ?: snap_writer_commit(w);
	if (ret)
		snap_writer_abort(w);
	return ret;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	if (seed_write(argv[1], "empty.snap", 0, 0) || seed_write(argv[1], "sections.snap", 2, 0) ||
	    seed_write(argv[1], "memory.snap", 1, 8) ||
	    seed_write(argv[1], "odd-pages.snap", 1, 5)) {
		fprintf(stderr, "make-seeds: writing into %s failed\n", argv[1]);
		return 1;
	}
	return 0;
}
