/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_MIGRATE_FORMAT_H
#define VMM_MIGRATE_FORMAT_H

/*
 * The snapshot file: a header, then sections, each with its own CRC-32.
 * vmm/migrate/ owns the format; devices and vCPUs only put and get values.
 *
 *   header   magic "VMMSNAP\0", format version, vmm version, host kernel
 *            release, page size, IPA bits, section count, header CRC
 *   section  type, index, payload length, payload CRC, then the payload
 *   memory   its payload is a page map (a bit per 4 KiB page that holds
 *            data) and the guest-physical range; the data itself sits at a
 *            64 KiB-aligned file offset covering the whole RAM, with zero
 *            pages left as holes, so restore can mmap it MAP_PRIVATE and the
 *            file takes no space for untouched memory. Its CRC covers the
 *            page map and the data of the pages the map marks.
 *
 * All integers are little-endian. A reader checks every length against what
 * is left before it reads: the reader is fed untrusted files (and a fuzzer).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SNAP_MAGIC "VMMSNAP"	/* 8 bytes with its NUL */
#define SNAP_FORMAT_VERSION 1
#define SNAP_MEM_ALIGN 0x10000	/* file offset of guest memory: any host page size maps it */
#define SNAP_PAGE 4096		/* the page map's granule */

/*
 * What a file may claim before the reader believes it: far above what vmm
 * writes (123 vCPUs of a few hundred registers), far below what would let a
 * crafted file make inspect or restore allocate gigabytes.
 */
#define SNAP_MAX_SECTIONS 512

enum snap_section_type {
	SNAP_SEC_CONFIG = 1, /* the machine: cpus, RAM, GIC version, IPA bits, cmdline... */
	SNAP_SEC_VCPU = 2,   /* one per vCPU: init features, registers, MP state, events */
	SNAP_SEC_GIC = 3,    /* vGIC attributes: (group, attr, value) triples */
	SNAP_SEC_DEVICE = 4, /* one per device: its name, then what it saved */
	SNAP_SEC_MEMORY = 5, /* guest RAM */
};

struct snap_header {
	uint32_t format_version;
	char vmm_version[32];
	char host_release[65]; /* uname -r of the host that saved */
	uint32_t page_size;
	uint32_t ipa_bits;
	uint32_t nr_sections;
};

/* Writing. Every function returns 0 or -errno, and after an error the writer only aborts. */
struct snap_writer;

/*
 * Creates a new PATH.XXXXXXXX.tmp (mode 0600, O_EXCL: never an existing file or a
 * symlink's target); nothing at PATH changes before snap_writer_commit().
 */
int snap_writer_open(struct snap_writer **w, const char *path, const struct snap_header *hdr);
const char *snap_writer_tmp_path(const struct snap_writer *w);
/* Sections are built in memory (all but memory are small), then written with their CRC. */
int snap_section_begin(struct snap_writer *w, enum snap_section_type type, uint32_t index);
int snap_put_u32(struct snap_writer *w, uint32_t v);
int snap_put_u64(struct snap_writer *w, uint64_t v);
int snap_put_bytes(struct snap_writer *w, const void *data, size_t len);
int snap_put_str(struct snap_writer *w, const char *s); /* u32 length, then the bytes */
int snap_section_end(struct snap_writer *w);
/*
 * Writes the memory section: ram maps guest-physical gpa..gpa+size. Pages that
 * are all zero become holes. resident, when not NULL, marks (a byte per 4 KiB
 * page, bit 0 set: see pagemap.h) the pages that may hold data; the others
 * are taken to be zero and not read.
 */
int snap_write_memory(struct snap_writer *w, uint64_t gpa, const void *ram, uint64_t size,
		      const unsigned char *resident);
/*
 * Writes the header, fsyncs the file, renames it to PATH, fsyncs the directory,
 * frees w. On 0, the file and its directory entry are on disk. On failure PATH
 * is either as it was or, when snap_writer_replaced() says so, the complete new
 * snapshot whose directory entry may not survive a crash.
 */
int snap_writer_commit(struct snap_writer *w);
bool snap_writer_replaced(const struct snap_writer *w);
/* Removes the temporary file (unless it was renamed to PATH) and frees w. */
void snap_writer_abort(struct snap_writer *w);

/* Reading. */
struct snap_reader;

struct snap_section {
	enum snap_section_type type;
	uint32_t index;
	const uint8_t *data; /* the payload, inside the reader's buffer */
	uint64_t len;
	uint64_t pos; /* the cursor of the snap_get_* calls */
};

struct snap_memory {
	uint64_t gpa, size;
	uint64_t file_offset; /* where RAM's first byte is in the file, SNAP_MEM_ALIGN-aligned */
	uint64_t pages_with_data;
};

/*
 * Opens and checks a snapshot: header, every section's CRC, the memory data's
 * CRC. On failure returns -errno (-EINVAL for a damaged or foreign file,
 * -EPROTONOSUPPORT for another format version) and writes in why (when not
 * NULL) one sentence saying what is wrong ("section 3 (vcpu 1): checksum
 * mismatch", "file ends inside section 2", ...).
 */
int snap_reader_open(struct snap_reader **r, const char *path, char *why, size_t why_len);
/*
 * SNAP_READ_DEFER_MEMORY_CRC: everything is checked but the memory data's CRC,
 * which costs what the data costs; snap_reader_check_memory() does it later,
 * piece by piece (restore, while the guest runs). Pages that should be holes
 * are still checked at open: restore maps them.
 */
#define SNAP_READ_DEFER_MEMORY_CRC 1u
int snap_reader_open_flags(struct snap_reader **r, const char *path, unsigned int flags,
			   char *why, size_t why_len);
/*
 * The deferred memory CRC, about budget bytes more of it: returns 1 while data
 * remains, 0 once it all matched (at once for a reader that deferred nothing),
 * -EINVAL when it did not or -errno, with why saying which.
 */
int snap_reader_check_memory(struct snap_reader *r, uint64_t budget, char *why, size_t why_len);
/* The same over a buffer (the fuzz target's entry); memory data must be in the buffer too. */
int snap_reader_open_mem(struct snap_reader **r, const void *buf, size_t len, char *why,
			 size_t why_len);
void snap_reader_close(struct snap_reader *r);
const struct snap_header *snap_reader_header(const struct snap_reader *r);
/* The i-th section of a type (by file order), or NULL. */
const struct snap_section *snap_reader_find(const struct snap_reader *r,
					    enum snap_section_type type, uint32_t i);
unsigned int snap_reader_count(const struct snap_reader *r, enum snap_section_type type);
/* The memory section's facts, or -ENOENT. */
int snap_reader_memory(const struct snap_reader *r, struct snap_memory *mem);
/* The file descriptor to mmap memory from (-1 for a buffer reader). */
int snap_reader_fd(const struct snap_reader *r);

/* Cursor reads on a section: -EINVAL (and nothing read) past the end. */
int snap_get_u32(struct snap_section *s, uint32_t *v);
int snap_get_u64(struct snap_section *s, uint64_t *v);
int snap_get_bytes(struct snap_section *s, void *out, size_t len);
/* A string put by snap_put_str, copied NUL-terminated into out; -EINVAL when it does not fit. */
int snap_get_str(struct snap_section *s, char *out, size_t out_len);

const char *snap_section_name(enum snap_section_type type);
/* The largest payload a section of that type may have (memory: its page map and fields). */
uint64_t snap_section_max_len(enum snap_section_type type);

#endif
