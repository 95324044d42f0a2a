/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_UTIL_H
#define VMM_UTIL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define SZ_4K 0x1000ULL
#define SZ_64K 0x10000ULL
#define SZ_1M 0x100000ULL
#define SZ_2M 0x200000ULL
#define SZ_1G 0x40000000ULL
#define ALIGN_UP(x, a) (((x) + (a)-1) & ~((uint64_t)(a)-1))
#define ALIGN_DOWN(x, a) ((x) & ~((uint64_t)(a)-1))

/* The one place user-facing errors are formatted: "vmm: <what>; <what to do>". */
void vmm_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Progress notes printed only with -v. */
void vmm_note(bool verbose, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Counts and sizes are decimal digits only (a leading zero is refused, never
 * octal; no sign, no blanks); sizes take the K, M, G suffixes. Each returns
 * 0, -EINVAL for anything else or -ERANGE beyond max (or 64 bits), and leaves
 * *out alone on failure.
 */
int parse_size(const char *s, uint64_t *out);
int parse_uint(const char *s, unsigned long max, unsigned long *out);
/* A register value or ID: decimal as above, or hex with an explicit 0x. */
int parse_u64(const char *s, uint64_t max, uint64_t *out);
/* The largest unsigned value a register of that many bytes holds. */
uint64_t width_max(unsigned int bytes);
int parse_bool(const char *s, bool *out);

/*
 * A kernel or initrd, kept open rather than read into memory: it is read
 * straight into guest RAM, and again on a guest reboot, after vmm has dropped
 * the capabilities it would need to reopen it.
 */
struct input_file {
	int fd;
	uint64_t size;
};

#define INPUT_FILE_NONE ((struct input_file){ .fd = -1 })

/* Returns 0, or -errno; -EISDIR for anything that is not a regular file. */
int input_file_open(const char *path, struct input_file *f);
/* Reads exactly len bytes at offset, or returns -errno (-EIO for a short file). */
int input_file_read(const struct input_file *f, uint64_t offset, void *buf, size_t len);

/*
 * Writes all of buf, blocking as long as the reader makes it (waiting for room
 * on a descriptor someone else made non-blocking); -errno when it fails.
 */
int fd_write_all(int fd, const void *buf, size_t len);
void input_file_close(struct input_file *f);

/*
 * vmm's threads (vCPUs, the console writer) run shallow code on stacks of
 * VMM_THREAD_STACK: glibc's default 8 MiB stack holds a 2 MiB-aligned range,
 * which a host with transparent huge pages set to "always" backs with a huge
 * page at the first touch, 2 MiB of RSS per thread for a few KiB of stack.
 * Returns 0 or -errno, as pthread_create's error.
 */
#define VMM_THREAD_STACK (256u << 10)
int thread_start(pthread_t *thread, void *(*fn)(void *), void *arg);

#endif
