/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_MIGRATE_FORMAT_H
#define VMM_MIGRATE_FORMAT_H

/*
 * The snapshot: a header, then self-describing records, then an end record.
 * It is written front to back, never seeking, so that the one writer serves a
 * file and a stream (a pipe, a socket: live migration). vmm/migrate/ owns
 * what goes in the records; devices and vCPUs only put and get values.
 *
 *   header   magic "VMMSNAP\0", format version, vmm version, host kernel
 *            release, page size, IPA bits, header CRC
 *   record   kind, version (each kind, each device its own), index, flags,
 *            payload length, CRC over the head and the payload
 *   memory   a record per run of guest-physical pages: its gpa, page count
 *            and a page map (a bit per 4 KiB page that holds data); the run's
 *            pages follow at the next SNAP_MEM_ALIGN file offset, so restore
 *            can mmap them MAP_PRIVATE straight from a file. Pages the map
 *            does not mark are zeros (holes, in a file). Runs may repeat
 *            pages: a later record supersedes an earlier one (rounds).
 *   end      how many records came before it: a cut stream is caught.
 *
 * All integers are little-endian. A reader checks every length against what
 * is left before it reads: the reader is fed untrusted files (and a fuzzer).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SNAP_MAGIC "VMMSNAP"	/* 8 bytes with its NUL */
#define SNAP_FORMAT_VERSION 2
#define SNAP_MEM_ALIGN 0x10000	/* file offset of guest memory: any host page size maps it */
#define SNAP_PAGE 4096		/* the page map's granule */

/*
 * What a file may claim before the reader believes it: far above what vmm
 * writes (123 vCPUs of a few hundred registers), far below what would let a
 * crafted file make inspect or restore allocate gigabytes.
 */
#define SNAP_MAX_SECTIONS 512
/* Memory records: save merges gaps under SNAP_MEM_MERGE, so a TiB of RAM takes fewer. */
#define SNAP_MAX_MEMORY_RECORDS (1u << 20)
#define SNAP_MEM_MERGE (1ULL << 20)

enum snap_section_type {
	SNAP_SEC_CONFIG = 1, /* the machine: cpus, RAM, GIC version, IPA bits, cmdline... */
	SNAP_SEC_VCPU = 2,   /* one per vCPU: init features, registers, MP state, events */
	SNAP_SEC_GIC = 3,    /* vGIC attributes: (group, attr, value) triples */
	SNAP_SEC_DEVICE = 4, /* one per device: its name, then what it saved */
	SNAP_SEC_MEMORY = 5, /* a run of guest RAM pages */
	SNAP_SEC_END = 6,    /* the last record: the count of those before it */
};

/*
 * A record a reader may pass over when it does not know its kind: for hints a
 * newer vmm adds that an older one can do without. Without the flag an unknown
 * kind is refused: it may hold state the guest needs, and restoring without it
 * would be silently wrong.
 */
#define SNAP_REC_SKIPPABLE 1u

/* The version of each record kind this vmm writes and reads. */
#define SNAP_VER_CONFIG 2 /* 2: the virtio devices' descriptions */
#define SNAP_VER_VCPU 1
#define SNAP_VER_GIC 1
#define SNAP_VER_MEMORY 1
#define SNAP_VER_END 1

struct snap_header {
	uint32_t format_version;
	char vmm_version[32];
	char host_release[65]; /* uname -r of the host that saved */
	uint32_t page_size;
	uint32_t ipa_bits;
	uint32_t nr_sections; /* read: the records before the end record */
};

/*
 * Where a writer's bytes go. write takes them all or fails; zeros appends len
 * zero bytes (a file leaves a hole, a stream sends them); finish makes the
 * whole durable (a file: fsync, rename, fsync of the directory) and abort
 * throws it away. finish and abort free the sink. Every op returns 0 or -errno.
 */
struct snap_sink;
struct snap_sink_ops {
	int (*write)(struct snap_sink *s, const void *buf, size_t len);
	int (*zeros)(struct snap_sink *s, uint64_t len);
	int (*finish)(struct snap_sink *s);
	void (*abort)(struct snap_sink *s);
};
struct snap_sink {
	const struct snap_sink_ops *ops;
};

/*
 * A file sink: a new PATH.XXXXXXXX.tmp (mode 0600, O_EXCL|O_NOFOLLOW: never an
 * existing file or a symlink's target); nothing at PATH changes before finish.
 */
int snap_file_sink_open(struct snap_sink **s, const char *path);
const char *snap_file_sink_tmp_path(const struct snap_sink *s);
bool snap_file_sink_replaced(const struct snap_sink *s);
/* A stream sink over fd (a pipe, a socket): never seeks; fd stays open and the caller's. */
int snap_fd_sink_new(struct snap_sink **s, int fd);

/* Writing. Every function returns 0 or -errno, and after an error the writer only aborts. */
struct snap_writer;

/*
 * A writer over sink, which it owns from then on (commit finishes it, abort
 * aborts it); the header is written at once.
 */
int snap_writer_new(struct snap_writer **w, struct snap_sink *sink, const struct snap_header *hdr);
/* snap_writer_new over snap_file_sink_open(path). */
int snap_writer_open(struct snap_writer **w, const char *path, const struct snap_header *hdr);
const char *snap_writer_tmp_path(const struct snap_writer *w); /* NULL unless a file */
/* Records are built in memory (all but memory are small), then written with their CRC. */
int snap_record_begin(struct snap_writer *w, enum snap_section_type type, uint32_t index,
		      uint32_t version);
/* A record of version 1. */
int snap_section_begin(struct snap_writer *w, enum snap_section_type type, uint32_t index);
int snap_put_u32(struct snap_writer *w, uint32_t v);
int snap_put_u64(struct snap_writer *w, uint64_t v);
int snap_put_bytes(struct snap_writer *w, const void *data, size_t len);
int snap_put_str(struct snap_writer *w, const char *s); /* u32 length, then the bytes */
int snap_section_end(struct snap_writer *w);
/*
 * Writes a round of memory: ram maps guest-physical gpa..gpa+size. Pages that
 * are all zero become holes; SNAP_MEM_ALIGN blocks of them, SNAP_MEM_MERGE of
 * them in a row, are left out of every record. It may be called again (a
 * later round, of all RAM or of part: the reader applies rounds in order). resident, when not NULL, marks (a byte per 4 KiB
 * page, bit 0 set: see pagemap.h) the pages that may hold data; the others
 * are taken to be zero and not read.
 */
int snap_write_memory(struct snap_writer *w, uint64_t gpa, const void *ram, uint64_t size,
		      const unsigned char *resident);
/*
 * Writes the end record and finishes the sink (a file: fsyncs it, renames it to PATH,
 * fsyncs the directory), frees w. On 0, the file and its directory entry are on disk. On failure PATH
 * is either as it was or, when snap_writer_replaced() says so, the complete new
 * snapshot whose directory entry may not survive a crash.
 */
int snap_writer_commit(struct snap_writer *w);
bool snap_writer_replaced(const struct snap_writer *w);
/* Removes the temporary file (unless it was renamed to PATH) and frees w. */
void snap_writer_abort(struct snap_writer *w);

/* Reading. */
struct snap_reader;

/* A record: for a memory record the payload is its fields and page map. */
struct snap_section {
	enum snap_section_type type;
	uint32_t index;
	uint32_t version, flags;
	const uint8_t *data; /* the payload, inside the reader's buffer (NULL once skipped) */
	uint64_t len;
	uint64_t pos;	 /* the cursor of the snap_get_* calls */
	uint64_t offset; /* of its head in the file */
	/* Memory only: the run, and where its first page is in the file (SNAP_MEM_ALIGN-aligned). */
	uint64_t gpa, pages, pages_with_data, data_offset;
};

/* Every memory record together. */
struct snap_memory {
	uint64_t gpa, size;   /* the span the runs cover */
	uint64_t file_offset; /* of the first run's data */
	uint64_t pages_with_data; /* over all records: a page sent twice counts twice */
	unsigned int nr_records;
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
/* Every record but the end, in file order; *n of them. */
const struct snap_section *snap_reader_records(const struct snap_reader *r, unsigned int *n);
/* The i-th section of a type (by file order), or NULL. */
const struct snap_section *snap_reader_find(const struct snap_reader *r,
					    enum snap_section_type type, uint32_t i);
unsigned int snap_reader_count(const struct snap_reader *r, enum snap_section_type type);
/* The memory records' facts, or -ENOENT when there are none. */
int snap_reader_memory(const struct snap_reader *r, struct snap_memory *mem);
/* The file descriptor to mmap memory from (-1 for a buffer reader). */
int snap_reader_fd(const struct snap_reader *r);

/* Cursor reads on a section: -EINVAL (and nothing read) past the end. */
int snap_get_u32(struct snap_section *s, uint32_t *v);
int snap_get_u64(struct snap_section *s, uint64_t *v);
int snap_get_bytes(struct snap_section *s, void *out, size_t len);
/*
 * The checks every consumer makes: the version it reads, and nothing left
 * unread (-EINVAL, why naming the record and what is wrong).
 */
int snap_section_check_version(const struct snap_section *s, uint32_t version, char *why,
			       size_t why_len);
int snap_section_done(const struct snap_section *s, char *why, size_t why_len);
/* A string put by snap_put_str, copied NUL-terminated into out; -EINVAL when it does not fit. */
int snap_get_str(struct snap_section *s, char *out, size_t out_len);

const char *snap_section_name(enum snap_section_type type);
/* The largest payload a section of that type may have (memory: its page map and fields). */
uint64_t snap_section_max_len(enum snap_section_type type);

#endif
