// SPDX-License-Identifier: GPL-2.0
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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

/* Accepts "512", "512K", "256M", "2G", "2GiB" (binary units); a bare number is MiB, as in QEMU. */
int parse_size(const char *s, uint64_t *out)
{
	unsigned long long value;
	unsigned int shift = 20;
	char *end;

	if (!s || !*s || *s == '-')
		return -EINVAL;
	errno = 0;
	value = strtoull(s, &end, 10);
	if (errno || end == s)
		return -EINVAL;
	switch (*end) {
	case '\0':
		break;
	case 'k':
	case 'K':
		shift = 10;
		end++;
		break;
	case 'm':
	case 'M':
		shift = 20;
		end++;
		break;
	case 'g':
	case 'G':
		shift = 30;
		end++;
		break;
	default:
		return -EINVAL;
	}
	/* "MiB" and "MB" mean the same here, as they do in QEMU's -m. */
	if (end[-1] > '9' && (!strcmp(end, "iB") || !strcmp(end, "B")))
		end += strlen(end);
	if (*end != '\0')
		return -EINVAL;
	if (value > (UINT64_MAX >> shift))
		return -ERANGE;
	*out = (uint64_t)value << shift;
	return 0;
}

int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long value;
	char *end;

	if (!s || !*s || *s == '-')
		return -EINVAL;
	errno = 0;
	value = strtoul(s, &end, 0);
	if (errno || end == s || *end != '\0')
		return -EINVAL;
	if (value > max)
		return -ERANGE;
	*out = value;
	return 0;
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
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		int ret = S_ISDIR(st.st_mode) || !S_ISREG(st.st_mode) ? -EISDIR : -errno;

		close(fd);
		return ret;
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

void input_file_close(struct input_file *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
	f->size = 0;
}
