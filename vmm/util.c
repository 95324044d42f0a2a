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

int file_read_all(const char *path, struct file_buf *buf)
{
	struct stat st;
	size_t done = 0;
	int fd, ret = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		ret = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = -EISDIR;
		goto out;
	}
	buf->size = st.st_size;
	buf->data = malloc(buf->size ? buf->size : 1);
	if (!buf->data) {
		ret = -ENOMEM;
		goto out;
	}
	while (done < buf->size) {
		ssize_t n = read(fd, (char *)buf->data + done, buf->size - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			ret = n < 0 ? -errno : -EIO;
			file_buf_free(buf);
			goto out;
		}
		done += n;
	}
out:
	close(fd);
	return ret;
}

void file_buf_free(struct file_buf *buf)
{
	free(buf->data);
	buf->data = NULL;
	buf->size = 0;
}
