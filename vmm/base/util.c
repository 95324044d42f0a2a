// SPDX-License-Identifier: GPL-2.0
#include "base/util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void vmm_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("vmm: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

void vmm_note(bool verbose, const char *fmt, ...)
{
	va_list ap;

	if (!verbose)
		return;
	va_start(ap, fmt);
	fputs("vmm: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/*
 * The digits of a decimal number and nothing else: no sign, no blanks, no base
 * prefix, and no leading zero, so that "010" can never be read as octal 8.
 * Returns -EINVAL for anything else, -ERANGE beyond 64 bits.
 */
static int scan_decimal(const char *s, uint64_t *value, const char **end)
{
	uint64_t v = 0;
	const char *p = s;

	if (!s || *s < '0' || *s > '9' || (s[0] == '0' && s[1] >= '0' && s[1] <= '9'))
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, *p - '0', &v))
			return -ERANGE;
	}
	*value = v;
	*end = p;
	return 0;
}

/* Hex digits after an explicit 0x, at most 64 bits of them. */
static int scan_hex(const char *s, uint64_t *value)
{
	uint64_t v = 0;
	const char *p = s;

	if (!*p)
		return -EINVAL;
	for (; *p; p++) {
		unsigned int digit;

		if (*p >= '0' && *p <= '9')
			digit = *p - '0';
		else if ((*p | 0x20) >= 'a' && (*p | 0x20) <= 'f')
			digit = (*p | 0x20) - 'a' + 10;
		else
			return -EINVAL;
		if (v >> 60)
			return -ERANGE;
		v = v << 4 | digit;
	}
	*value = v;
	return 0;
}

/* The size suffixes: a bare number is MiB, as in QEMU's -m. */
static const struct {
	char letter;
	unsigned int shift;
} size_suffixes[] = {
	{ '\0', 20 }, { 'k', 10 }, { 'K', 10 }, { 'm', 20 }, { 'M', 20 }, { 'g', 30 }, { 'G', 30 },
};

/* Accepts "512", "512K", "256M", "2G", "2GiB" (binary units); a bare number is MiB, as in QEMU. */
int parse_size(const char *s, uint64_t *out)
{
	const char *end;
	uint64_t value;
	size_t i;
	int ret = scan_decimal(s, &value, &end);

	if (ret)
		return ret;
	for (i = 0; i < ARRAY_SIZE(size_suffixes) && size_suffixes[i].letter != *end; i++)
		;
	if (i == ARRAY_SIZE(size_suffixes))
		return -EINVAL;
	if (*end)
		end++;
	/* "MiB" and "MB" mean the same here, as they do in QEMU's -m. */
	if (end[-1] > '9' && (!strcmp(end, "iB") || !strcmp(end, "B")))
		end += strlen(end);
	if (*end != '\0')
		return -EINVAL;
	if (value > (UINT64_MAX >> size_suffixes[i].shift))
		return -ERANGE;
	*out = value << size_suffixes[i].shift;
	return 0;
}

int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	const char *end;
	uint64_t value;
	int ret = scan_decimal(s, &value, &end);

	if (ret)
		return ret;
	if (*end != '\0')
		return -EINVAL;
	if (value > max)
		return -ERANGE;
	*out = value;
	return 0;
}

int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	const char *end;
	uint64_t value;
	int ret;

	if (s && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		ret = scan_hex(s + 2, &value);
	else if (!(ret = scan_decimal(s, &value, &end)) && *end)
		ret = -EINVAL;
	if (ret)
		return ret;
	if (value > max)
		return -ERANGE;
	*out = value;
	return 0;
}

uint64_t width_max(unsigned int bytes)
{
	return bytes >= 8 ? UINT64_MAX : (1ULL << (8 * bytes)) - 1;
}

int parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "1", "yes", "true", "on" };
	static const char *const no[] = { "0", "no", "false", "off" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(yes); i++) {
		if (!strcasecmp(s, yes[i])) {
			*out = true;
			return 0;
		}
		if (!strcasecmp(s, no[i])) {
			*out = false;
			return 0;
		}
	}
	return -EINVAL;
}

int input_file_open(const char *path, struct input_file *f)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		int ret = -errno;

		close(fd);
		return ret;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return -EISDIR;
	}
	f->fd = fd;
	f->size = st.st_size;
	return 0;
}

int input_file_read(const struct input_file *f, uint64_t offset, void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pread(f->fd, (char *)buf + done, len - done, offset + done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		done += n;
	}
	return 0;
}

int fd_write_all(int fd, const void *data, size_t len)
{
	const uint8_t *buf = data;

	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			/* A descriptor someone else made non-blocking: wait for room. */
			struct pollfd p = { .fd = fd, .events = POLLOUT };

			if (poll(&p, 1, -1) < 0 && errno != EINTR)
				return -errno;
			continue;
		}
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		buf += n;
		len -= n;
	}
	return 0;
}

void input_file_close(struct input_file *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
	f->size = 0;
}

int thread_start(pthread_t *thread, void *(*fn)(void *), void *arg)
{
	pthread_attr_t attr;
	int ret = pthread_attr_init(&attr);

	if (ret)
		return -ret;
	ret = pthread_attr_setstacksize(&attr, VMM_THREAD_STACK);
	ret = ret ?: pthread_create(thread, &attr, fn, arg);
	pthread_attr_destroy(&attr);
	return -ret;
}
