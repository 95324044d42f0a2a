// SPDX-License-Identifier: GPL-2.0
/* The snapshot file: round trips, memory holes, and a reader that refuses every damaged file. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sanitizer/asan_interface.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/util.h"
#include "helpers.h"
#include "snapshot/format.h"
#include "snapshot/format_internal.h"
#include "suites.h"

#define SCRATCH_TEMPLATE "/tmp/vmm-format-XXXXXX"
#define RAM_GPA 0x40000000ULL
#define RAM_SIZE SZ_1M
#define SMALL_PAGES 4

/* A directory per test, with PATH and PATH.tmp inside: what the writer touches. */
static char dir[sizeof(SCRATCH_TEMPLATE)];
static char path[sizeof(SCRATCH_TEMPLATE) + 16];
static char tmp_path[sizeof(SCRATCH_TEMPLATE) + 16];

static const struct snap_header test_hdr = {
	.vmm_version = "vmm 0.1-test",
	.host_release = "6.12.0-31-arm64",
	.page_size = 16384,
	.ipa_bits = 40,
};

static void scratch_setup(void)
{
	memcpy(dir, SCRATCH_TEMPLATE, sizeof(SCRATCH_TEMPLATE));
	ck_assert_msg(mkdtemp(dir) != NULL, "mkdtemp(%s): expected a directory, got NULL",
		      SCRATCH_TEMPLATE);
	snprintf(path, sizeof(path), "%s/snap", dir);
	snprintf(tmp_path, sizeof(tmp_path), "%s/snap.tmp", dir);
}

static void scratch_teardown(void)
{
	char keep[sizeof(path) + 8];
	struct dirent *e;
	DIR *d;

	snprintf(keep, sizeof(keep), "%s/keep", path);
	unlink(keep);
	unlink(path);
	rmdir(path);
	unlink(tmp_path);
	d = opendir(dir);
	while (d && (e = readdir(d))) {
		char name[sizeof(dir) + 256 + 2];

		snprintf(name, sizeof(name), "%s/%s", dir, e->d_name);
		if (e->d_name[0] != '.')
			unlink(name);
	}
	if (d)
		closedir(d);
	rmdir(dir);
}

/* Files in the scratch directory besides PATH: a writer must leave none behind. */
static unsigned int leftovers(void)
{
	unsigned int n = 0;
	struct dirent *e;
	DIR *d = opendir(dir);

	while (d && (e = readdir(d)))
		n += e->d_name[0] != '.' && strcmp(e->d_name, "snap");
	if (d)
		closedir(d);
	return n;
}

static void *file_read_whole(const char *name, size_t *len)
{
	struct stat st;
	void *buf;
	int fd = open(name, O_RDONLY);

	ck_assert_msg(fd >= 0 && fstat(fd, &st) == 0, "open %s: expected success", name);
	buf = malloc(st.st_size);
	ck_assert_msg(read(fd, buf, st.st_size) == st.st_size, "read %s: expected %lld bytes", name,
		      (long long)st.st_size);
	close(fd);
	*len = st.st_size;
	return buf;
}

/* Page i of the fake RAM: runs of two data pages between runs of three zero pages. */
static bool page_has_data(unsigned int i)
{
	return i % 5 < 2;
}

static uint8_t *fake_ram(uint64_t size)
{
	uint8_t *ram = calloc(1, size);
	unsigned int i, j;

	for (i = 0; i < size / SNAP_PAGE; i++)
		for (j = 0; page_has_data(i) && j < SNAP_PAGE; j += 61)
			ram[i * SNAP_PAGE + j] = i * 7 + j + 1;
	return ram;
}

/* config, vcpu 0, vcpu 1, device 0 and, when ram is given, memory. */
static int snapshot_write(const void *ram, uint64_t size, const unsigned char *resident)
{
	struct snap_writer *w;
	int ret = snap_writer_open(&w, path, &test_hdr);

	if (ret)
		return ret;
	ret = snap_section_begin(w, SNAP_SEC_CONFIG, 0) ?: snap_put_u32(w, 4) ?:
	      snap_put_u64(w, 0x0123456789abcdefULL) ?: snap_put_str(w, "console=ttyAMA0") ?:
	      snap_section_end(w);
	for (uint32_t i = 0; !ret && i < 2; i++)
		ret = snap_section_begin(w, SNAP_SEC_VCPU, i) ?: snap_put_u64(w, 0x80000000 + i) ?:
		      snap_put_bytes(w, "\x01\x02\x03", 3) ?: snap_section_end(w);
	ret = ret ?: snap_section_begin(w, SNAP_SEC_DEVICE, 0) ?: snap_put_str(w, "pl011") ?:
		     snap_put_u32(w, 0x30) ?: snap_section_end(w);
	if (!ret && ram)
		ret = snap_write_memory(w, RAM_GPA, ram, size, resident);
	ret = ret ?: snap_writer_commit(w);
	if (ret)
		snap_writer_abort(w);
	return ret;
}

/* The small file the damage tests spoil: 4 pages of RAM, pages 0 and 1 marked. */
static void *small_snapshot(size_t *len, struct snap_memory *mem)
{
	uint8_t *ram = fake_ram(SMALL_PAGES * SNAP_PAGE);
	struct snap_reader *r;
	int ret = snapshot_write(ram, SMALL_PAGES * SNAP_PAGE, NULL);

	free(ram);
	ck_assert_msg(ret == 0, "writing the small snapshot: expected 0, got %d", ret);
	ck_assert_int_eq(snap_reader_open(&r, path, NULL, 0), 0);
	ck_assert_int_eq(snap_reader_memory(r, mem), 0);
	snap_reader_close(r);
	return file_read_whole(path, len);
}

START_TEST(test_header_round_trip)
{
	struct snap_reader *r;
	const struct snap_header *h;
	char why[160] = "";
	int ret;

	ck_assert_int_eq(snapshot_write(NULL, 0, NULL), 0);
	ret = snap_reader_open(&r, path, why, sizeof(why));
	ck_assert_msg(ret == 0, "snap_reader_open: expected 0, got %d (%s)", ret, why);
	h = snap_reader_header(r);

	ck_assert_msg(
		h->format_version == SNAP_FORMAT_VERSION &&
			!strcmp(h->vmm_version, test_hdr.vmm_version) &&
			!strcmp(h->host_release, test_hdr.host_release) && h->page_size == 16384 &&
			h->ipa_bits == 40 && h->nr_sections == 4,
		"header: expected v%u \"%s\" \"%s\" 16384 40 4, got v%u \"%s\" \"%s\" %u %u %u",
		SNAP_FORMAT_VERSION, test_hdr.vmm_version, test_hdr.host_release, h->format_version,
		h->vmm_version, h->host_release, h->page_size, h->ipa_bits, h->nr_sections);
	snap_reader_close(r);
}
END_TEST

START_TEST(test_sections_round_trip)
{
	struct snap_section config, vcpu1, device;
	struct snap_reader *r;
	char cmdline[32] = "", name[8] = "";
	uint32_t cpus = 0, offset = 0;
	uint64_t magic = 0, mpidr = 0;
	uint8_t bytes[3] = { 0 };

	ck_assert_int_eq(snapshot_write(NULL, 0, NULL), 0);
	ck_assert_int_eq(snap_reader_open(&r, path, NULL, 0), 0);
	config = *snap_reader_find(r, SNAP_SEC_CONFIG, 0);
	vcpu1 = *snap_reader_find(r, SNAP_SEC_VCPU, 1);
	device = *snap_reader_find(r, SNAP_SEC_DEVICE, 0);
	snap_get_u32(&config, &cpus);
	snap_get_u64(&config, &magic);
	snap_get_str(&config, cmdline, sizeof(cmdline));
	snap_get_u64(&vcpu1, &mpidr);
	snap_get_bytes(&vcpu1, bytes, 3);
	snap_get_str(&device, name, sizeof(name));
	snap_get_u32(&device, &offset);
	snap_reader_close(r);

	ck_assert_msg(cpus == 4 && magic == 0x0123456789abcdefULL &&
			      !strcmp(cmdline, "console=ttyAMA0") && vcpu1.index == 1 &&
			      mpidr == 0x80000001 && !memcmp(bytes, "\x01\x02\x03", 3) &&
			      !strcmp(name, "pl011") && offset == 0x30,
		      "values: expected 4 %#llx console=ttyAMA0 1 0x80000001 010203 pl011 0x30, "
		      "got %u %#llx %s %u %#llx %02x%02x%02x %s %#x",
		      0x0123456789abcdefULL, cpus, (unsigned long long)magic, cmdline, vcpu1.index,
		      (unsigned long long)mpidr, bytes[0], bytes[1], bytes[2], name, offset);
}
END_TEST

START_TEST(test_find_and_count_by_type)
{
	struct snap_reader *r;
	unsigned int vcpus, gics;
	bool third_vcpu, memory_absent;
	struct snap_memory mem;

	ck_assert_int_eq(snapshot_write(NULL, 0, NULL), 0);
	ck_assert_int_eq(snap_reader_open(&r, path, NULL, 0), 0);
	vcpus = snap_reader_count(r, SNAP_SEC_VCPU);
	gics = snap_reader_count(r, SNAP_SEC_GIC);
	third_vcpu = snap_reader_find(r, SNAP_SEC_VCPU, 2) != NULL;
	memory_absent = snap_reader_memory(r, &mem) == -ENOENT;
	snap_reader_close(r);

	ck_assert_msg(vcpus == 2 && gics == 0 && !third_vcpu && memory_absent,
		      "expected 2 vcpus, 0 gic, no vcpu 2, no memory; got %u, %u, %d, %d", vcpus,
		      gics, third_vcpu, !memory_absent);
}
END_TEST

START_TEST(test_memory_facts)
{
	uint8_t *ram = fake_ram(RAM_SIZE);
	uint64_t expected_pages = RAM_SIZE / SNAP_PAGE / 5 * 2 + 1; /* 256 = 51 * 5 + 1 */
	struct snap_memory mem = { 0 };
	struct snap_reader *r;
	struct stat st;

	ck_assert_int_eq(snapshot_write(ram, RAM_SIZE, NULL), 0);
	free(ram);
	ck_assert_int_eq(snap_reader_open(&r, path, NULL, 0), 0);
	snap_reader_memory(r, &mem);
	fstat(snap_reader_fd(r), &st);
	snap_reader_close(r);

	ck_assert_msg(mem.gpa == RAM_GPA && mem.size == RAM_SIZE &&
			      mem.pages_with_data == expected_pages &&
			      mem.file_offset % SNAP_MEM_ALIGN == 0 &&
			      (uint64_t)st.st_size == mem.file_offset + RAM_SIZE + SEC_HEAD_LEN + END_LEN,
		      "memory: expected gpa %#llx size %#llx, %llu pages, aligned offset, file "
		      "offset+size+end record; got %#llx %#llx %llu offset %#llx file %lld",
		      RAM_GPA, RAM_SIZE, (unsigned long long)expected_pages,
		      (unsigned long long)mem.gpa, (unsigned long long)mem.size,
		      (unsigned long long)mem.pages_with_data, (unsigned long long)mem.file_offset,
		      (long long)st.st_size);
}
END_TEST

START_TEST(test_memory_zero_pages_are_holes)
{
	uint8_t *ram = fake_ram(RAM_SIZE);
	struct stat st;

	ck_assert_int_eq(snapshot_write(ram, RAM_SIZE, NULL), 0);
	free(ram);
	stat(path, &st);

	/* 40% of the pages hold data; whole-file allocation would be RAM_SIZE and more. */
	ck_assert_msg((uint64_t)st.st_blocks * 512 < RAM_SIZE / 2,
		      "allocated: expected under %llu bytes, got %llu", RAM_SIZE / 2,
		      (unsigned long long)st.st_blocks * 512);
}
END_TEST

START_TEST(test_memory_mmap_reads_back)
{
	uint8_t *ram = fake_ram(RAM_SIZE), *mapped;
	struct snap_memory mem;
	struct snap_reader *r;
	bool same;

	ck_assert_int_eq(snapshot_write(ram, RAM_SIZE, NULL), 0);
	ck_assert_int_eq(snap_reader_open(&r, path, NULL, 0), 0);
	snap_reader_memory(r, &mem);
	mapped = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE, snap_reader_fd(r),
		      mem.file_offset);
	ck_assert_msg(mapped != MAP_FAILED, "mmap at %#llx: expected a mapping, got MAP_FAILED",
		      (unsigned long long)mem.file_offset);
	same = !memcmp(mapped, ram, RAM_SIZE);
	munmap(mapped, RAM_SIZE);
	snap_reader_close(r);
	free(ram);

	ck_assert_msg(same, "RAM mapped from the file: expected the saved bytes, got others");
}
END_TEST

/* Data beyond one write chunk (8 MiB): the run is split, and must come back whole. */
START_TEST(test_memory_long_run_round_trip)
{
	const uint64_t size = 12 * SZ_1M;
	uint8_t *ram = malloc(size), *mapped;
	struct snap_memory mem = { 0 };
	struct snap_reader *r;
	bool same;

	for (uint64_t i = 0; i < size; i++)
		ram[i] = i % 251 + 1;
	ck_assert_int_eq(snapshot_write(ram, size, NULL), 0);
	ck_assert_int_eq(snap_reader_open(&r, path, NULL, 0), 0);
	snap_reader_memory(r, &mem);
	mapped = mmap(NULL, size, PROT_READ, MAP_PRIVATE, snap_reader_fd(r), mem.file_offset);
	same = mapped != MAP_FAILED && !memcmp(mapped, ram, size);
	munmap(mapped, size);
	snap_reader_close(r);
	free(ram);

	ck_assert_msg(same && mem.pages_with_data == size / SNAP_PAGE,
		      "12 MiB of data: expected the same bytes and %llu pages, got %s and %llu",
		      (unsigned long long)(size / SNAP_PAGE), same ? "the same" : "others",
		      (unsigned long long)mem.pages_with_data);
}
END_TEST

/* The pages resident[] calls absent are made unreadable: touching one would crash the test. */
START_TEST(test_memory_resident_map_respected)
{
	const size_t pages = 64;
	uint8_t *ram = mmap(NULL, pages * SNAP_PAGE, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned char resident[64];
	struct snap_memory mem = { 0 };
	struct snap_reader *r;
	uint8_t *mapped;
	size_t i, wrong = 0;

	for (i = 0; i < pages; i++) {
		memset(ram + i * SNAP_PAGE, 0x5a, SNAP_PAGE);
		resident[i] = i % 2 == 0 ? 1 : 0xfe; /* only bit 0 counts */
		if (i % 2)
			mprotect(ram + i * SNAP_PAGE, SNAP_PAGE, PROT_NONE);
	}
	ck_assert_int_eq(snapshot_write(ram, pages * SNAP_PAGE, resident), 0);
	ck_assert_int_eq(snap_reader_open(&r, path, NULL, 0), 0);
	snap_reader_memory(r, &mem);
	mapped = mmap(NULL, pages * SNAP_PAGE, PROT_READ, MAP_PRIVATE, snap_reader_fd(r),
		      mem.file_offset);
	for (i = 0; i < pages * SNAP_PAGE; i++)
		wrong += mapped[i] != ((i / SNAP_PAGE) % 2 ? 0 : 0x5a);
	munmap(mapped, pages * SNAP_PAGE);
	munmap(ram, pages * SNAP_PAGE);
	snap_reader_close(r);

	ck_assert_msg(mem.pages_with_data == 32 && wrong == 0,
		      "resident pages only: expected 32 pages and 0 wrong bytes, got %llu and %zu",
		      (unsigned long long)mem.pages_with_data, wrong);
}
END_TEST

START_TEST(test_every_truncation_refused_in_memory)
{
	struct snap_memory mem;
	size_t len, cut, accepted = 0, silent = 0, first_bad = SIZE_MAX;
	uint8_t *file = small_snapshot(&len, &mem);

	for (cut = len; cut-- > 0;) {
		struct snap_reader *r = NULL;
		char why[160] = "";
		int ret;

		/* What lies past the cut is poisoned: a read there is an ASan report, not luck. */
		ASAN_POISON_MEMORY_REGION(file + cut, len - cut);
		ret = snap_reader_open_mem(&r, file, cut, why, sizeof(why));
		if (ret != -EINVAL && first_bad == SIZE_MAX)
			first_bad = cut;
		accepted += ret != -EINVAL;
		silent += ret == -EINVAL && !why[0];
		if (!ret)
			snap_reader_close(r);
	}
	ASAN_UNPOISON_MEMORY_REGION(file, len);
	free(file);

	ck_assert_msg(accepted == 0 && silent == 0,
		      "truncations of %zu bytes: expected all -EINVAL with a reason, got %zu "
		      "otherwise (first at %zu) and %zu without reason",
		      len, accepted, first_bad, silent);
}
END_TEST

START_TEST(test_every_truncation_refused_on_disk)
{
	struct snap_memory mem;
	size_t len, cut, accepted = 0, first_bad = SIZE_MAX;
	uint8_t *file = small_snapshot(&len, &mem);
	int fd = open(path, O_WRONLY);

	free(file);
	for (cut = len; cut-- > 0;) {
		struct snap_reader *r = NULL;
		int ret;

		ck_assert_int_eq(ftruncate(fd, cut), 0);
		ret = snap_reader_open(&r, path, NULL, 0);
		if (ret != -EINVAL && first_bad == SIZE_MAX)
			first_bad = cut;
		accepted += ret != -EINVAL;
		if (!ret)
			snap_reader_close(r);
	}
	close(fd);

	ck_assert_msg(accepted == 0,
		      "file truncations: expected all -EINVAL, got %zu otherwise "
		      "(first at %zu)",
		      accepted, first_bad);
}
END_TEST

/*
 * A flip anywhere: header, sections, the gap before the memory data, the
 * marked pages (CRC) and the holes (which must read as zeros, since restore
 * maps them too).
 */
static uint64_t flip_offset(unsigned int *seed, const struct snap_memory *mem, size_t len)
{
	unsigned int page;

	switch (rand_r(seed) % 4) {
	case 3: /* the end record */
		return len - SEC_HEAD_LEN - END_LEN + rand_r(seed) % (SEC_HEAD_LEN + END_LEN);
	case 0: /* header and sections: the first 420 bytes or so */
		return rand_r(seed) % 1024;
	case 1:
		return rand_r(seed) % mem->file_offset;
	default:
		page = rand_r(seed) % SMALL_PAGES; /* pages 0 and 1 hold data, 2 and 3 are holes */
		ck_assert(mem->file_offset + (page + 1) * SNAP_PAGE <= len);
		return mem->file_offset + page * SNAP_PAGE + rand_r(seed) % SNAP_PAGE;
	}
}

static int flip_expected(uint64_t off)
{
	/* The version field is checked before the CRC: another version may lay out the rest. */
	return off >= 8 && off < 12 ? -EPROTONOSUPPORT : -EINVAL;
}

START_TEST(test_bit_flips_detected_in_memory)
{
	unsigned int seed = 20240601, i, missed = 0;
	uint64_t first_missed = 0;
	struct snap_memory mem;
	size_t len;
	uint8_t *file = small_snapshot(&len, &mem);

	for (i = 0; i < 2000; i++) {
		uint64_t off = flip_offset(&seed, &mem, len);
		uint8_t bit = 1 << (rand_r(&seed) % 8);
		struct snap_reader *r = NULL;
		int ret;

		file[off] ^= bit;
		ret = snap_reader_open_mem(&r, file, len, NULL, 0);
		file[off] ^= bit;
		if (ret != flip_expected(off) && !missed++)
			first_missed = off;
		if (!ret)
			snap_reader_close(r);
	}
	free(file);

	ck_assert_msg(missed == 0,
		      "2000 bit flips: expected all refused, got %u missed (first at "
		      "%#llx)",
		      missed, (unsigned long long)first_missed);
}
END_TEST

START_TEST(test_bit_flips_detected_on_disk)
{
	unsigned int seed = 7, i, missed = 0;
	uint64_t first_missed = 0;
	struct snap_memory mem;
	size_t len;
	uint8_t *file = small_snapshot(&len, &mem);
	int fd = open(path, O_WRONLY);

	for (i = 0; i < 2000; i++) {
		uint64_t off = flip_offset(&seed, &mem, len);
		uint8_t flipped = file[off] ^ (1 << (rand_r(&seed) % 8));
		struct snap_reader *r = NULL;
		int ret;

		ck_assert_int_eq(pwrite(fd, &flipped, 1, off), 1);
		ret = snap_reader_open(&r, path, NULL, 0);
		ck_assert_int_eq(pwrite(fd, &file[off], 1, off), 1);
		if (ret != flip_expected(off) && !missed++)
			first_missed = off;
		if (!ret)
			snap_reader_close(r);
	}
	close(fd);
	free(file);

	ck_assert_msg(missed == 0,
		      "2000 bit flips: expected all refused, got %u missed (first at "
		      "%#llx)",
		      missed, (unsigned long long)first_missed);
}
END_TEST

START_TEST(test_why_names_the_section)
{
	struct snap_reader *r;
	char why[160] = "";
	size_t len;
	uint8_t *file;
	int ret;

	ck_assert_int_eq(snapshot_write(NULL, 0, NULL), 0);
	file = file_read_whole(path, &len);
	/* The last payload byte of vcpu 1: 5 bytes of padding, the 48-byte device record, the end. */
	file[len - SEC_HEAD_LEN - END_LEN - 48 - 5 - 1] ^= 0x80;
	ret = snap_reader_open_mem(&r, file, len, why, sizeof(why));
	free(file);

	ck_assert_msg(
		ret == -EINVAL && strstr(why, "section 2 (vcpu 1)") && strstr(why, "checksum"),
		"damaged vcpu 1: expected -EINVAL and \"section 2 (vcpu 1): checksum...\", got "
		"%d and \"%s\"",
		ret, why);
}
END_TEST

START_TEST(test_other_version_refused)
{
	struct snap_reader *r;
	char why[160] = "";
	size_t len;
	uint8_t *file;
	int ret;

	ck_assert_int_eq(snapshot_write(NULL, 0, NULL), 0);
	file = file_read_whole(path, &len);
	file[8] = SNAP_FORMAT_VERSION + 1;
	ret = snap_reader_open_mem(&r, file, len, why, sizeof(why));
	free(file);

	ck_assert_msg(ret == -EPROTONOSUPPORT && strstr(why, "version"),
		      "format version %d: expected %d and a reason naming the version, got %d (%s)",
		      SNAP_FORMAT_VERSION + 1, -EPROTONOSUPPORT, ret, why);
}
END_TEST

START_TEST(test_trailing_bytes_refused)
{
	static const uint8_t extra[8];
	struct snap_reader *r;
	int fd, ret;

	ck_assert_int_eq(snapshot_write(NULL, 0, NULL), 0);
	fd = open(path, O_WRONLY | O_APPEND);
	ck_assert_int_eq(write(fd, extra, sizeof(extra)), (ssize_t)sizeof(extra));
	close(fd);
	ret = snap_reader_open(&r, path, NULL, 0);

	ck_assert_msg(ret == -EINVAL, "8 bytes after the last section: expected %d, got %d",
		      -EINVAL, ret);
}
END_TEST

START_TEST(test_bytes_after_memory_refused)
{
	uint8_t *ram = fake_ram(SMALL_PAGES * SNAP_PAGE);
	struct snap_reader *r;
	struct stat st;
	int ret;

	ck_assert_int_eq(snapshot_write(ram, SMALL_PAGES * SNAP_PAGE, NULL), 0);
	free(ram);
	stat(path, &st);
	ck_assert_int_eq(truncate(path, st.st_size + SNAP_PAGE), 0);
	ret = snap_reader_open(&r, path, NULL, 0);

	ck_assert_msg(ret == -EINVAL, "a page after the memory data: expected %d, got %d", -EINVAL,
		      ret);
}
END_TEST

START_TEST(test_open_missing_file)
{
	struct snap_reader *r;
	char why[160] = "";
	int ret = snap_reader_open(&r, "/nonexistent/vmm-unit/snap", why, sizeof(why));

	ck_assert_msg(ret == -ENOENT && strstr(why, "/nonexistent/vmm-unit/snap"),
		      "missing file: expected %d and its name, got %d (%s)", -ENOENT, ret, why);
}
END_TEST

START_TEST(test_buffer_reader_has_no_fd)
{
	struct snap_reader *r;
	size_t len;
	uint8_t *file;
	int fd;

	ck_assert_int_eq(snapshot_write(NULL, 0, NULL), 0);
	file = file_read_whole(path, &len);
	ck_assert_int_eq(snap_reader_open_mem(&r, file, len, NULL, 0), 0);
	fd = snap_reader_fd(r);
	snap_reader_close(r);
	free(file);

	ck_assert_msg(fd == -1, "buffer reader fd: expected -1, got %d", fd);
}
END_TEST

START_TEST(test_tmp_file_is_private)
{
	struct snap_writer *w;
	struct stat st = { 0 };

	ck_assert_int_eq(snap_writer_open(&w, path, &test_hdr), 0);
	stat(snap_writer_tmp_path(w), &st);
	snap_writer_abort(w);

	ck_assert_msg((st.st_mode & 0777) == 0600, "PATH.tmp mode: expected 0600, got %03o",
		      st.st_mode & 0777);
}
END_TEST

START_TEST(test_abort_removes_tmp)
{
	struct snap_writer *w;

	ck_assert_int_eq(snap_writer_open(&w, path, &test_hdr), 0);
	snap_section_begin(w, SNAP_SEC_CONFIG, 0);
	snap_writer_abort(w);

	ck_assert_msg(leftovers() == 0 && access(path, F_OK),
		      "after abort: expected no temporary file and no PATH, got %u files and %s",
		      leftovers(), access(path, F_OK) ? "no PATH" : "PATH");
}
END_TEST

/* rename() onto a non-empty directory fails, even for root, which ignores a read-only one. */
START_TEST(test_failed_commit_keeps_path)
{
	struct snap_writer *w;
	char keep[sizeof(path) + 8];
	bool replaced;
	int ret, fd;

	mkdir(path, 0700);
	snprintf(keep, sizeof(keep), "%s/keep", path);
	fd = open(keep, O_CREAT | O_WRONLY, 0600);
	close(fd);
	ck_assert_int_eq(snap_writer_open(&w, path, &test_hdr), 0);
	ret = snap_writer_commit(w);
	replaced = snap_writer_replaced(w);
	snap_writer_abort(w);

	ck_assert_msg(ret < 0 && !replaced && access(keep, F_OK) == 0 && leftovers() == 0,
		      "commit onto a directory: expected -errno, not replaced, PATH intact, no "
		      "temporary file; got %d, %s, %s, %u files",
		      ret, replaced ? "replaced" : "not replaced",
		      access(keep, F_OK) ? "PATH changed" : "PATH intact", leftovers());
}
END_TEST

/* A file size limit stands in for a full disk: the write fails the same way, with EFBIG. */
START_TEST(test_write_error_propagates)
{
	struct rlimit old, small = { .rlim_cur = 256 * 1024 };
	uint8_t *ram = malloc(RAM_SIZE);
	size_t len;
	char *kept;
	int ret;

	memset(ram, 0xa5, RAM_SIZE);
	ck_assert_int_eq(snapshot_write(NULL, 0, NULL), 0);
	signal(SIGXFSZ, SIG_IGN);
	getrlimit(RLIMIT_FSIZE, &old);
	small.rlim_max = old.rlim_max;
	setrlimit(RLIMIT_FSIZE, &small);
	ret = snapshot_write(ram, RAM_SIZE, NULL);
	setrlimit(RLIMIT_FSIZE, &old);
	free(ram);
	kept = file_read_whole(path, &len);
	free(kept);

	ck_assert_msg(ret == -EFBIG && len < 1024 && leftovers() == 0,
		      "write past the limit: expected %d, the old PATH and no temporary file; got "
		      "%d, %zu bytes, %u files",
		      -EFBIG, ret, len, leftovers());
}
END_TEST

START_TEST(test_writer_misuse_refused)
{
	struct snap_writer *w;
	int outside, partial_page, nested, end_by_hand;
	uint8_t page[SNAP_PAGE] = { 1 };

	ck_assert_int_eq(snap_writer_open(&w, path, &test_hdr), 0);
	outside = snap_put_u32(w, 1);
	snap_writer_abort(w);
	ck_assert_int_eq(snap_writer_open(&w, path, &test_hdr), 0);
	/* Records may follow memory now (rounds): a record inside a record may not. */
	snap_section_begin(w, SNAP_SEC_VCPU, 0);
	nested = snap_section_begin(w, SNAP_SEC_VCPU, 1);
	snap_writer_abort(w);
	ck_assert_int_eq(snap_writer_open(&w, path, &test_hdr), 0);
	end_by_hand = snap_section_begin(w, SNAP_SEC_END, 0);
	snap_writer_abort(w);
	ck_assert_int_eq(snap_writer_open(&w, path, &test_hdr), 0);
	partial_page = snap_write_memory(w, 0, page, SNAP_PAGE - 1, NULL);
	snap_writer_abort(w);

	ck_assert_msg(outside == -EINVAL && nested == -EINVAL && end_by_hand == -EINVAL &&
			      partial_page == -EINVAL,
		      "put outside a section, section in a section, end record by hand, partial "
		      "page: expected %d x4, got %d %d %d %d",
		      -EINVAL, outside, nested, end_by_hand, partial_page);
}
END_TEST

START_TEST(test_cursor_stops_at_end)
{
	static const uint8_t payload[6] = { 1, 2, 3, 4, 5, 6 };
	struct snap_section s = { .type = SNAP_SEC_DEVICE, .data = payload, .len = 6, .pos = 4 };
	uint64_t v64 = 42;
	uint32_t v32 = 42;
	int ret64 = snap_get_u64(&s, &v64), ret32 = snap_get_u32(&s, &v32);

	ck_assert_msg(ret64 == -EINVAL && ret32 == -EINVAL && v64 == 42 && v32 == 42 && s.pos == 4,
		      "reads past the end: expected %d, values and cursor untouched; got %d %d, "
		      "%llu %u, pos %llu",
		      -EINVAL, ret64, ret32, (unsigned long long)v64, v32,
		      (unsigned long long)s.pos);
}
END_TEST

START_TEST(test_get_str_needs_room_for_nul)
{
	static const uint8_t payload[] = { 5, 0, 0, 0, 'h', 'e', 'l', 'l', 'o' };
	struct snap_section s = { .type = SNAP_SEC_DEVICE, .data = payload, .len = 9 };
	char small[5], fits[6];
	int too_small = snap_get_str(&s, small, sizeof(small));
	int ok = snap_get_str(&s, fits, sizeof(fits));

	ck_assert_msg(too_small == -EINVAL && ok == 0 && !strcmp(fits, "hello"),
		      "\"hello\" into 5 then 6 bytes: expected %d then 0 \"hello\", got %d then %d",
		      -EINVAL, too_small, ok);
}
END_TEST

/* The old fixed name as a symlink to another file: a save must not write through it. */
START_TEST(test_symlink_at_tmp_not_followed)
{
	char victim[sizeof(dir) + 16], text[16] = "";
	int fd, ret;

	snprintf(victim, sizeof(victim), "%s/victim", dir);
	fd = open(victim, O_CREAT | O_WRONLY, 0600);
	ck_assert_int_eq(write(fd, "victim", 6), 6);
	close(fd);
	ck_assert_int_eq(symlink(victim, tmp_path), 0);
	ret = snapshot_write(NULL, 0, NULL);
	fd = open(victim, O_RDONLY);
	ck_assert_int_ge(read(fd, text, sizeof(text) - 1), 0);
	close(fd);
	unlink(victim);

	ck_assert_msg(ret == 0 && !strcmp(text, "victim"),
		      "save with PATH.tmp a symlink: expected 0 and the link's target untouched, got "
		      "%d and \"%s\"",
		      ret, text);
}
END_TEST

static struct snap_writer *writer_with_config(const char *word)
{
	struct snap_writer *w;

	ck_assert_int_eq(snap_writer_open(&w, path, &test_hdr), 0);
	ck_assert_int_eq(snap_section_begin(w, SNAP_SEC_CONFIG, 0), 0);
	ck_assert_int_eq(snap_put_str(w, word), 0);
	return w;
}

/* Two saves to one path at once: each writes its own file, and PATH ends up one of them whole. */
START_TEST(test_two_writers_one_path)
{
	struct snap_writer *first = writer_with_config("first"), *second = writer_with_config("second");
	struct snap_reader *r = NULL;
	struct snap_section s;
	char word[16] = "";
	int ret;

	ck_assert_int_eq(snap_section_end(second), 0);
	ck_assert_int_eq(snap_section_end(first), 0);
	ck_assert_int_eq(snap_writer_commit(first), 0);
	ck_assert_int_eq(snap_writer_commit(second), 0);
	ret = snap_reader_open(&r, path, NULL, 0);
	if (!ret) {
		s = *snap_reader_find(r, SNAP_SEC_CONFIG, 0);
		snap_get_str(&s, word, sizeof(word));
		snap_reader_close(r);
	}

	ck_assert_msg(ret == 0 && !strcmp(word, "second") && leftovers() == 0,
		      "two saves, the second committed last: expected a whole file holding "
		      "\"second\" and no temporary file, got %d, \"%s\", %u files",
		      ret, word, leftovers());
}
END_TEST

/* A byte in a hole page reached the guest once: restore maps holes from the file too. */
static void check_hole_refused(int ret, const char *why)
{
	ck_assert_msg(ret == -EINVAL && strstr(why, "page 3 is a hole"),
		      "0xaa in hole page 3: expected %d and \"page 3 is a hole...\", got %d and "
		      "\"%s\"",
		      -EINVAL, ret, why);
}

START_TEST(test_hole_with_data_refused_in_memory)
{
	struct snap_memory mem;
	struct snap_reader *r = NULL;
	char why[200] = "";
	size_t len;
	uint8_t *file = small_snapshot(&len, &mem);
	int ret;

	file[mem.file_offset + 3 * SNAP_PAGE + 100] = 0xaa;
	ret = snap_reader_open_mem(&r, file, len, why, sizeof(why));
	free(file);
	if (!ret)
		snap_reader_close(r);
	check_hole_refused(ret, why);
}
END_TEST

START_TEST(test_hole_with_data_refused_on_disk)
{
	static const uint8_t byte = 0xaa;
	struct snap_memory mem;
	struct snap_reader *r = NULL;
	char why[200] = "";
	size_t len;
	uint8_t *file = small_snapshot(&len, &mem);
	int fd = open(path, O_WRONLY), ret;

	free(file);
	ck_assert_int_eq(pwrite(fd, &byte, 1, mem.file_offset + 3 * SNAP_PAGE + 100), 1);
	close(fd);
	ret = snap_reader_open(&r, path, why, sizeof(why));
	if (!ret)
		snap_reader_close(r);
	check_hole_refused(ret, why);
}
END_TEST

/* A 64-page RAM (pages i % 5 < 2 hold data) on disk, its memory facts in mem. */
static void deferred_snapshot(struct snap_memory *mem)
{
	uint8_t *ram = fake_ram(64 * SNAP_PAGE);
	struct snap_reader *r;

	ck_assert_int_eq(snapshot_write(ram, 64 * SNAP_PAGE, NULL), 0);
	free(ram);
	ck_assert_int_eq(snap_reader_open(&r, path, NULL, 0), 0);
	ck_assert_int_eq(snap_reader_memory(r, mem), 0);
	snap_reader_close(r);
}

static void poke(uint64_t off, uint8_t byte)
{
	int fd = open(path, O_WRONLY);

	ck_assert_int_eq(pwrite(fd, &byte, 1, off), 1);
	close(fd);
}

/* The check a page at a time, as restore's main loop does it; how many calls it took. */
static int check_in_steps(struct snap_reader *r, char *why, size_t len, unsigned int *calls)
{
	int ret;

	*calls = 0;
	do
		ret = snap_reader_check_memory(r, SNAP_PAGE, why, len), ++*calls;
	while (ret == 1 && *calls < 1000);
	return ret;
}

START_TEST(test_deferred_crc_passes_a_good_file_in_steps)
{
	struct snap_reader *r;
	struct snap_memory mem;
	char why[200] = "";
	unsigned int calls;
	int ret;

	deferred_snapshot(&mem);
	ck_assert_int_eq(snap_reader_open_flags(&r, path, SNAP_READ_DEFER_MEMORY_CRC, why,
						sizeof(why)), 0);
	ret = check_in_steps(r, why, sizeof(why), &calls);
	ck_assert_msg(ret == 0 && calls > 2 && snap_reader_check_memory(r, SNAP_PAGE, NULL, 0) == 0,
		      "26 data pages a page at a time: expected several calls and then 0 for good, "
		      "got %d after %u calls (%s)",
		      ret, calls, why);
	snap_reader_close(r);
}
END_TEST

START_TEST(test_deferred_crc_finds_a_flipped_data_page)
{
	struct snap_reader *r;
	struct snap_memory mem;
	char why[200] = "";
	unsigned int calls;
	int ret;

	deferred_snapshot(&mem);
	poke(mem.file_offset + 61 * SNAP_PAGE + 5, 0xa5); /* the last data page */
	ret = snap_reader_open_flags(&r, path, SNAP_READ_DEFER_MEMORY_CRC, why, sizeof(why));
	ck_assert_msg(ret == 0, "a flipped data page with the CRC deferred: expected the open to "
		      "pass, got %d (%s)", ret, why);
	ret = check_in_steps(r, why, sizeof(why), &calls);
	ck_assert_msg(ret == -EINVAL && calls > 2 && strstr(why, "memory: checksum mismatch") &&
			      snap_reader_check_memory(r, SNAP_PAGE, NULL, 0) == -EINVAL,
		      "expected -EINVAL and \"memory: checksum mismatch...\" after several calls, "
		      "and again on the next call; got %d after %u calls (%s)",
		      ret, calls, why);
	snap_reader_close(r);
	ck_assert_msg(snap_reader_open(&r, path, why, sizeof(why)) == -EINVAL,
		      "the same file opened without deferring: expected -EINVAL");
}
END_TEST

START_TEST(test_deferred_open_still_refuses_data_in_a_hole)
{
	struct snap_reader *r = NULL;
	struct snap_memory mem;
	char why[200] = "";
	int ret;

	deferred_snapshot(&mem);
	poke(mem.file_offset + 3 * SNAP_PAGE + 100, 0xaa);
	ret = snap_reader_open_flags(&r, path, SNAP_READ_DEFER_MEMORY_CRC, why, sizeof(why));
	if (!ret)
		snap_reader_close(r);
	check_hole_refused(ret, why);
}
END_TEST

START_TEST(test_deferred_crc_of_a_file_cut_short)
{
	struct snap_reader *r;
	struct snap_memory mem;
	char why[200] = "";
	unsigned int calls;
	int ret;

	deferred_snapshot(&mem);
	ck_assert_int_eq(snap_reader_open_flags(&r, path, SNAP_READ_DEFER_MEMORY_CRC, NULL, 0), 0);
	ck_assert_int_eq(truncate(path, mem.file_offset + 10 * SNAP_PAGE), 0);
	ret = check_in_steps(r, why, sizeof(why), &calls);
	ck_assert_msg(ret == -EIO && strstr(why, "memory: the file is shorter"),
		      "the file cut short after the open: expected an error naming memory, got %d (%s)",
		      ret, why);
	snap_reader_close(r);
}
END_TEST

START_TEST(test_nothing_deferred_nothing_to_check)
{
	struct snap_reader *r;
	struct snap_memory mem;

	deferred_snapshot(&mem);
	ck_assert_int_eq(snap_reader_open(&r, path, NULL, 0), 0);
	ck_assert_msg(snap_reader_check_memory(r, SNAP_PAGE, NULL, 0) == 0,
		      "a reader that checked everything at open: expected 0 from check_memory");
	snap_reader_close(r);
}
END_TEST

/* A sparse file claiming a 1 GiB section once made inspect allocate 1 GiB. */
START_TEST(test_oversized_section_refused)
{
	struct snap_reader *r = NULL;
	uint8_t len_field[8];
	char why[200] = "";
	int fd, ret;

	ck_assert_int_eq(snapshot_write(NULL, 0, NULL), 0);
	fd = open(path, O_RDWR);
	put_le64(len_field, 1ULL << 30);
	ck_assert_int_eq(pwrite(fd, len_field, 8, HDR_LEN + SEC_LEN), 8);
	ck_assert_int_eq(ftruncate(fd, HDR_LEN + SEC_HEAD_LEN + (1ULL << 30)), 0);
	close(fd);
	ret = snap_reader_open(&r, path, why, sizeof(why));
	if (!ret)
		snap_reader_close(r);

	ck_assert_msg(ret == -EINVAL && strstr(why, "claims 1073741824 bytes") &&
			      strstr(why, "at most"),
		      "a config section of 1 GiB: expected %d and \"claims ... at most\", got %d and "
		      "\"%s\"",
		      -EINVAL, ret, why);
}
END_TEST

START_TEST(test_too_many_sections_refused)
{
	struct snap_reader *r = NULL;
	struct snap_writer *w;
	char why[200] = "";
	int ret = 0;

	/* The header no longer counts them (it comes first): the reader counts as it goes. */
	ck_assert_int_eq(snap_writer_open(&w, path, &test_hdr), 0);
	for (unsigned int i = 0; i <= SNAP_MAX_SECTIONS && !ret; i++)
		ret = snap_section_begin(w, SNAP_SEC_DEVICE, i) ?: snap_section_end(w);
	ck_assert_int_eq(ret ?: snap_writer_commit(w), 0);
	ret = snap_reader_open(&r, path, why, sizeof(why));
	if (!ret)
		snap_reader_close(r);

	ck_assert_msg(ret == -EINVAL && strstr(why, "at most 512"),
		      "%u sections: expected %d and \"at most 512\", got %d and \"%s\"",
		      SNAP_MAX_SECTIONS + 1, -EINVAL, ret, why);
}
END_TEST

/* What the reader would refuse, the writer does not write. */
START_TEST(test_writer_refuses_oversized_section)
{
	size_t big = snap_section_max_len(SNAP_SEC_DEVICE) + 1;
	uint8_t *payload = calloc(1, big);
	struct snap_writer *w;
	int ret;

	ck_assert_int_eq(snap_writer_open(&w, path, &test_hdr), 0);
	snap_section_begin(w, SNAP_SEC_DEVICE, 0);
	snap_put_bytes(w, payload, big);
	ret = snap_section_end(w);
	snap_writer_abort(w);
	free(payload);

	ck_assert_msg(ret == -E2BIG, "a device section of %zu bytes: expected %d, got %d", big,
		      -E2BIG, ret);
}
END_TEST

START_TEST(test_section_names)
{
	ck_assert_msg(!strcmp(snap_section_name(SNAP_SEC_VCPU), "vcpu") &&
			      !strcmp(snap_section_name(SNAP_SEC_MEMORY), "memory") &&
			      !strcmp(snap_section_name(99), "unknown"),
		      "names: expected vcpu memory unknown, got %s %s %s",
		      snap_section_name(SNAP_SEC_VCPU), snap_section_name(SNAP_SEC_MEMORY),
		      snap_section_name(99));
}
END_TEST

/* The small snapshot written through a stream sink into fd. */
static int stream_write(int fd, const void *ram, uint64_t size)
{
	struct snap_writer *w;
	struct snap_sink *sink;
	int ret = snap_fd_sink_new(&sink, fd);

	ret = ret ?: snap_writer_new(&w, sink, &test_hdr);
	if (ret)
		return ret;
	ret = snap_section_begin(w, SNAP_SEC_CONFIG, 0) ?: snap_put_u32(w, 4) ?:
	      snap_put_u64(w, 0x0123456789abcdefULL) ?: snap_put_str(w, "console=ttyAMA0") ?:
	      snap_section_end(w);
	for (uint32_t i = 0; !ret && i < 2; i++)
		ret = snap_section_begin(w, SNAP_SEC_VCPU, i) ?: snap_put_u64(w, 0x80000000 + i) ?:
		      snap_put_bytes(w, "\x01\x02\x03", 3) ?: snap_section_end(w);
	ret = ret ?: snap_section_begin(w, SNAP_SEC_DEVICE, 0) ?: snap_put_str(w, "pl011") ?:
		     snap_put_u32(w, 0x30) ?: snap_section_end(w);
	ret = ret ?: snap_write_memory(w, RAM_GPA, ram, size, NULL);
	ret = ret ?: snap_writer_commit(w);
	if (ret)
		snap_writer_abort(w);
	return ret;
}

/* A pipe cannot seek: a child writes into it, the test reads all of it. */
START_TEST(test_stream_sink_equals_file_sink)
{
	uint8_t *ram = fake_ram(RAM_SIZE), *file, *stream = NULL;
	size_t len, got = 0, cap = 0;
	int fds[2], status = -1;
	ssize_t n;
	pid_t pid;

	ck_assert_int_eq(snapshot_write(ram, RAM_SIZE, NULL), 0);
	file = file_read_whole(path, &len);
	ck_assert_int_eq(pipe(fds), 0);
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		_exit(stream_write(fds[1], ram, RAM_SIZE) ? 1 : 0);
	}
	close(fds[1]);
	do {
		if (got == cap) {
			cap = cap ? 2 * cap : 1 << 16;
			stream = realloc(stream, cap);
		}
		n = read(fds[0], stream + got, cap - got);
		got += n > 0 ? n : 0;
	} while (n > 0);
	close(fds[0]);
	waitpid(pid, &status, 0);
	free(ram);

	ck_assert_msg(status == 0 && got == len && !memcmp(file, stream, len),
		      "the snapshot through a pipe: expected the file's %zu bytes, got status %d "
		      "and %zu bytes, %s",
		      len, status, got, got == len && !memcmp(file, stream, len) ? "same" : "different");
	free(file);
	free(stream);
}
END_TEST

/* RAM as a round would leave it: the memory records applied in order. */
static uint8_t *ram_from_records(struct snap_reader *r, uint64_t size, unsigned int *nr_memory)
{
	const struct snap_section *recs;
	uint8_t *ram = calloc(1, size);
	unsigned int i, n;

	recs = snap_reader_records(r, &n);
	*nr_memory = 0;
	for (i = 0; i < n; i++) {
		if (recs[i].type != SNAP_SEC_MEMORY)
			continue;
		ck_assert(recs[i].gpa >= RAM_GPA && recs[i].gpa + recs[i].pages * SNAP_PAGE <=
								   RAM_GPA + size);
		ck_assert_int_eq(pread(snap_reader_fd(r), ram + recs[i].gpa - RAM_GPA,
				       recs[i].pages * SNAP_PAGE, recs[i].data_offset),
				 (ssize_t)(recs[i].pages * SNAP_PAGE));
		++*nr_memory;
	}
	return ram;
}

/* A second round re-sends what changed since the first: the reader's result is the last. */
START_TEST(test_memory_rounds_later_supersedes)
{
	const uint64_t size = 4 * SZ_1M;
	uint8_t *ram = fake_ram(size), *back;
	struct snap_writer *w;
	struct snap_reader *r;
	char why[200] = "";
	unsigned int nr_memory;
	int ret;

	ck_assert_int_eq(snap_writer_open(&w, path, &test_hdr), 0);
	ret = snap_write_memory(w, RAM_GPA, ram, size, NULL);
	/* Dirtied after the first round: a page in the middle, and the last 64 KiB. */
	memset(ram + SZ_1M + 3 * SNAP_PAGE, 0x77, SNAP_PAGE);
	memset(ram + size - SNAP_MEM_ALIGN, 0x66, SNAP_MEM_ALIGN);
	ret = ret ?: snap_write_memory(w, RAM_GPA + SZ_1M, ram + SZ_1M, SNAP_MEM_ALIGN, NULL);
	ret = ret ?: snap_write_memory(w, RAM_GPA + size - SNAP_MEM_ALIGN,
				       ram + size - SNAP_MEM_ALIGN, SNAP_MEM_ALIGN, NULL);
	ret = ret ?: snap_section_begin(w, SNAP_SEC_DEVICE, 0) ?: snap_put_u32(w, 1) ?:
		     snap_section_end(w);
	ret = ret ?: snap_writer_commit(w);
	ck_assert_int_eq(ret, 0);
	ret = snap_reader_open(&r, path, why, sizeof(why));
	ck_assert_msg(ret == 0, "three rounds: expected the open to pass, got %d (%s)", ret, why);
	back = ram_from_records(r, size, &nr_memory);
	ck_assert_msg(nr_memory >= 3 && !memcmp(back, ram, size) &&
			      snap_reader_find(r, SNAP_SEC_MEMORY, nr_memory - 1)->index == 2 &&
			      snap_reader_count(r, SNAP_SEC_DEVICE) == 1,
		      "rounds applied in order: expected the last RAM, round index 2 last, got %u "
		      "records, %s",
		      nr_memory, memcmp(back, ram, size) ? "other bytes" : "the same bytes");
	snap_reader_close(r);
	free(back);
	free(ram);
}
END_TEST

START_TEST(test_section_not_consumed_refused)
{
	struct snap_reader *r;
	struct snap_section s;
	char why[200] = "", name[8];
	int ret;

	ck_assert_int_eq(snapshot_write(NULL, 0, NULL), 0);
	ck_assert_int_eq(snap_reader_open(&r, path, NULL, 0), 0);
	s = *snap_reader_find(r, SNAP_SEC_DEVICE, 0);
	snap_get_str(&s, name, sizeof(name));
	ret = snap_section_done(&s, why, sizeof(why));
	snap_reader_close(r);

	ck_assert_msg(ret == -EINVAL && strstr(why, "device section 0") && strstr(why, "4 of its"),
		      "a device record read but for its last u32: expected %d naming it, got %d (%s)",
		      -EINVAL, ret, why);
}
END_TEST

START_TEST(test_section_version_checked)
{
	struct snap_writer *w;
	struct snap_reader *r;
	char why[200] = "";
	int ret;

	ck_assert_int_eq(snap_writer_open(&w, path, &test_hdr), 0);
	ck_assert_int_eq(snap_record_begin(w, SNAP_SEC_DEVICE, 0, 7) ?: snap_section_end(w) ?:
				 snap_writer_commit(w),
			 0);
	ck_assert_int_eq(snap_reader_open(&r, path, NULL, 0), 0);
	ret = snap_section_check_version(snap_reader_find(r, SNAP_SEC_DEVICE, 0), 1, why,
					 sizeof(why));
	snap_reader_close(r);

	ck_assert_msg(ret == -EINVAL && strstr(why, "version 7") && strstr(why, "reads version 1"),
		      "a device record of version 7: expected %d naming both, got %d (%s)", -EINVAL,
		      ret, why);
}
END_TEST

START_TEST(test_previous_version_refused)
{
	struct snap_reader *r;
	char why[200] = "";
	size_t len;
	uint8_t *file;
	int ret;

	ck_assert_int_eq(snapshot_write(NULL, 0, NULL), 0);
	file = file_read_whole(path, &len);
	put_le32(file + 8, SNAP_FORMAT_VERSION - 1);
	ret = snap_reader_open_mem(&r, file, len, why, sizeof(why));
	free(file);

	ck_assert_msg(ret == -EPROTONOSUPPORT && strstr(why, "format version 1") &&
			      strstr(why, "reads format version 2") && !strchr(why, '\n') &&
			      strstr(why, "vmm 0.1-test"),
		      "a format 1 snapshot: expected %d and one line naming both versions and its "
		      "vmm, got %d (%s)",
		      -EPROTONOSUPPORT, ret, why);
}
END_TEST

/* Cut at the start of every record, of its payload, of its data and of the end record. */
START_TEST(test_truncated_at_every_record_boundary_refused)
{
	uint8_t *ram = fake_ram(RAM_SIZE), *file;
	const struct snap_section *recs;
	uint64_t cuts[64];
	unsigned int i, n, nr_cuts = 0, accepted = 0, silent = 0;
	struct snap_reader *r;
	size_t len;

	ck_assert_int_eq(snapshot_write(ram, RAM_SIZE, NULL), 0);
	free(ram);
	file = file_read_whole(path, &len);
	ck_assert_int_eq(snap_reader_open(&r, path, NULL, 0), 0);
	recs = snap_reader_records(r, &n);
	cuts[nr_cuts++] = HDR_LEN;
	for (i = 0; i < n && nr_cuts + 4 < ARRAY_SIZE(cuts); i++) {
		cuts[nr_cuts++] = recs[i].offset;
		cuts[nr_cuts++] = recs[i].offset + SEC_HEAD_LEN;
		if (recs[i].type == SNAP_SEC_MEMORY)
			cuts[nr_cuts++] = recs[i].data_offset;
	}
	cuts[nr_cuts++] = len - SEC_HEAD_LEN - END_LEN; /* all but the end record */
	cuts[nr_cuts++] = len - END_LEN;
	snap_reader_close(r);
	for (i = 0; i < nr_cuts; i++) {
		char why[200] = "";
		int ret = snap_reader_open_mem(&r, file, cuts[i], why, sizeof(why));

		accepted += ret != -EINVAL;
		silent += !why[0];
		if (!ret)
			snap_reader_close(r);
	}
	free(file);

	ck_assert_msg(n == 5 && accepted == 0 && silent == 0,
		      "%u cuts at the boundaries of %u records: expected all refused with a reason, "
		      "got %u accepted, %u silent",
		      nr_cuts, n, accepted, silent);
}
END_TEST

/* The device record's kind set to 99, its CRC made to match, and flags as given. */
static void *with_unknown_kind(size_t *len, uint32_t flags)
{
	uint8_t *file, *head;
	uint64_t plen;

	ck_assert_int_eq(snapshot_write(NULL, 0, NULL), 0);
	file = file_read_whole(path, len);
	head = file + *len - SEC_HEAD_LEN - END_LEN - 48;
	ck_assert_int_eq(get_le32(head + SEC_TYPE), SNAP_SEC_DEVICE);
	plen = get_le64(head + SEC_LEN);
	put_le32(head + SEC_TYPE, 99);
	put_le32(head + SEC_FLAGS, flags);
	put_le32(head + SEC_CRC, crc32_z(crc32_z(0, head, SEC_CRC), head + SEC_HEAD_LEN, plen));
	return file;
}

START_TEST(test_unknown_kind_refused_unless_skippable)
{
	struct snap_reader *r = NULL;
	char why[200] = "";
	unsigned int devices = 99, records = 0;
	size_t len;
	uint8_t *file = with_unknown_kind(&len, 0);
	int refused = snap_reader_open_mem(&r, file, len, why, sizeof(why)), skipped;

	free(file);
	ck_assert_msg(refused == -EINVAL && strstr(why, "unknown type 99"),
		      "an unknown kind without the skippable flag: expected %d, got %d (%s)", -EINVAL,
		      refused, why);
	file = with_unknown_kind(&len, SNAP_REC_SKIPPABLE);
	skipped = snap_reader_open_mem(&r, file, len, why, sizeof(why));
	if (!skipped) {
		devices = snap_reader_count(r, SNAP_SEC_DEVICE);
		snap_reader_records(r, &records);
		snap_reader_close(r);
	}
	free(file);
	ck_assert_msg(skipped == 0 && devices == 0 && records == 4,
		      "an unknown kind flagged skippable: expected it passed over (0 devices, 4 "
		      "records), got %d, %u, %u (%s)",
		      skipped, devices, records, why);
}
END_TEST

Suite *format_suite(void)
{
	Suite *s = suite_create("format");
	TCase *round_trip = tcase_create("round_trip");
	TCase *memory = tcase_create("memory");
	TCase *damage = tcase_create("damage");
	TCase *commit = tcase_create("commit");
	TCase *cursor = tcase_create("cursor");
	TCase *all[] = { round_trip, memory, damage, commit, cursor };
	size_t i;

	tcase_add_test(round_trip, test_header_round_trip);
	tcase_add_test(round_trip, test_sections_round_trip);
	tcase_add_test(round_trip, test_find_and_count_by_type);
	tcase_add_test(round_trip, test_buffer_reader_has_no_fd);
	tcase_add_test(memory, test_memory_facts);
	tcase_add_test(memory, test_memory_zero_pages_are_holes);
	tcase_add_test(memory, test_memory_mmap_reads_back);
	tcase_add_test(memory, test_memory_long_run_round_trip);
	tcase_add_test(memory, test_memory_resident_map_respected);
	tcase_add_test(memory, test_memory_rounds_later_supersedes);
	tcase_add_test(memory, test_stream_sink_equals_file_sink);
	tcase_add_test(damage, test_every_truncation_refused_in_memory);
	tcase_add_test(damage, test_every_truncation_refused_on_disk);
	tcase_add_test(damage, test_bit_flips_detected_in_memory);
	tcase_add_test(damage, test_bit_flips_detected_on_disk);
	tcase_add_test(damage, test_why_names_the_section);
	tcase_add_test(damage, test_other_version_refused);
	tcase_add_test(damage, test_trailing_bytes_refused);
	tcase_add_test(damage, test_bytes_after_memory_refused);
	tcase_add_test(damage, test_open_missing_file);
	tcase_add_test(damage, test_hole_with_data_refused_in_memory);
	tcase_add_test(damage, test_hole_with_data_refused_on_disk);
	tcase_add_test(damage, test_deferred_crc_passes_a_good_file_in_steps);
	tcase_add_test(damage, test_deferred_crc_finds_a_flipped_data_page);
	tcase_add_test(damage, test_deferred_open_still_refuses_data_in_a_hole);
	tcase_add_test(damage, test_deferred_crc_of_a_file_cut_short);
	tcase_add_test(damage, test_nothing_deferred_nothing_to_check);
	tcase_add_test(damage, test_oversized_section_refused);
	tcase_add_test(damage, test_too_many_sections_refused);
	tcase_add_test(damage, test_section_not_consumed_refused);
	tcase_add_test(damage, test_section_version_checked);
	tcase_add_test(damage, test_previous_version_refused);
	tcase_add_test(damage, test_truncated_at_every_record_boundary_refused);
	tcase_add_test(damage, test_unknown_kind_refused_unless_skippable);
	/* Every truncation of an 80 KiB file, under ASan: well past Check's 4 s default. */
	tcase_set_timeout(damage, 120);
	tcase_add_test(commit, test_tmp_file_is_private);
	tcase_add_test(commit, test_abort_removes_tmp);
	tcase_add_test(commit, test_failed_commit_keeps_path);
	tcase_add_test(commit, test_write_error_propagates);
	tcase_add_test(commit, test_writer_misuse_refused);
	tcase_add_test(commit, test_symlink_at_tmp_not_followed);
	tcase_add_test(commit, test_two_writers_one_path);
	tcase_add_test(commit, test_writer_refuses_oversized_section);
	tcase_add_test(cursor, test_cursor_stops_at_end);
	tcase_add_test(cursor, test_get_str_needs_room_for_nul);
	tcase_add_test(cursor, test_section_names);
	for (i = 0; i < ARRAY_SIZE(all); i++) {
		tcase_add_checked_fixture(all[i], scratch_setup, scratch_teardown);
		suite_add_tcase(s, all[i]);
	}
	return s;
}
