/* SPDX-License-Identifier: GPL-2.0 */
/* Test helpers shared by several suites; static inline so each test file has its own copy. */
#ifndef VMM_TESTS_UNIT_HELPERS_H
#define VMM_TESTS_UNIT_HELPERS_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TEMP_PATH_TEMPLATE "/tmp/vmm-unit-XXXXXX"

/* Writes contents to a new file under /tmp; path gets its name and the caller unlinks it. */
static inline void temp_file_create(char path[sizeof(TEMP_PATH_TEMPLATE)], const void *contents,
				    size_t len)
{
	ssize_t written;
	int fd;

	memcpy(path, TEMP_PATH_TEMPLATE, sizeof(TEMP_PATH_TEMPLATE));
	fd = mkstemp(path);
	ck_assert_msg(fd >= 0, "mkstemp(%s): expected a descriptor, got %d", TEMP_PATH_TEMPLATE,
		      fd);
	written = write(fd, contents, len);
	close(fd);
	ck_assert_msg(written == (ssize_t)len, "write %s: expected %zu bytes, got %zd", path, len,
		      written);
}

/* What vmm printed on one stream while a call ran: keeps the test log clean and checkable. */
struct output_capture {
	int fd;
	int saved_fd;
	FILE *file;
	char text[2048];
};

static inline void output_capture_begin(struct output_capture *c, int fd)
{
	fflush(stdout);
	fflush(stderr);
	c->fd = fd;
	c->file = tmpfile();
	ck_assert_msg(c->file != NULL, "tmpfile: expected a FILE, got NULL");
	c->saved_fd = dup(fd);
	ck_assert_msg(c->saved_fd >= 0, "dup(%d): expected a descriptor, got %d", fd, c->saved_fd);
	dup2(fileno(c->file), fd);
}

static inline const char *output_capture_end(struct output_capture *c)
{
	size_t n;

	fflush(stdout);
	fflush(stderr);
	dup2(c->saved_fd, c->fd);
	close(c->saved_fd);
	rewind(c->file);
	n = fread(c->text, 1, sizeof(c->text) - 1, c->file);
	c->text[n] = '\0';
	fclose(c->file);
	return c->text;
}

static inline unsigned int count_lines(const char *text)
{
	unsigned int lines = 0;

	for (; *text; text++)
		lines += *text == '\n';
	return lines;
}

#endif
