/* SPDX-License-Identifier: GPL-2.0 */
/* Test helpers shared by several suites; static inline so each test file has its own copy. */
#ifndef VMM_TESTS_UNIT_HELPERS_H
#define VMM_TESTS_UNIT_HELPERS_H

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cli.h"
#include "base/config.h"

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

/*
 * Where a suite that parses vmm's configuration keeps a call's surroundings:
 * the config it fills, the temporary INI file ("" when none), and what the
 * last call printed (out NULL: stdout is only kept out of the test log).
 */
struct cli_capture {
	struct vm_config *cfg;
	char *ini_path; /* sizeof(TEMP_PATH_TEMPLATE) bytes */
	char *err;
	size_t err_size;
	char *out;
	size_t out_size;
};

#define CLI_CAPTURE_MAX_ARGS 32

/*
 * `vmm run ARGS...`, NULL-terminated; "@INI" stands for c->ini_path. A suite
 * names it run_cli: #define run_cli(...) cli_capture_run(&its_capture, __VA_ARGS__)
 */
static inline enum cli_result __attribute__((sentinel))
cli_capture_run(const struct cli_capture *c, const char *arg, ...)
{
	struct output_capture out, err;
	char *argv[CLI_CAPTURE_MAX_ARGS + 1] = { "run" };
	enum cli_result res;
	int argc = 1;
	va_list ap;

	va_start(ap, arg);
	for (; arg; arg = va_arg(ap, const char *)) {
		ck_assert_msg(argc < CLI_CAPTURE_MAX_ARGS, "run_cli: more than %d arguments",
			      CLI_CAPTURE_MAX_ARGS);
		argv[argc++] = (char *)(strcmp(arg, "@INI") ? arg : c->ini_path);
	}
	va_end(ap);
	argv[argc] = NULL;

	output_capture_begin(&out, STDOUT_FILENO);
	output_capture_begin(&err, STDERR_FILENO);
	res = cli_parse_run(argc, argv, c->cfg);
	if (c->ini_path[0])
		unlink(c->ini_path); /* now, so that a failed check leaves nothing in /tmp */
	snprintf(c->err, c->err_size, "%s", output_capture_end(&err));
	output_capture_end(&out);
	if (c->out)
		snprintf(c->out, c->out_size, "%s", out.text);
	return res;
}

/* config_load_file of an INI file holding text, written to c->ini_path and removed after. */
static inline int cli_capture_load_ini(const struct cli_capture *c, const char *text)
{
	struct output_capture err;
	int ret;

	temp_file_create(c->ini_path, text, strlen(text));
	output_capture_begin(&err, STDERR_FILENO);
	ret = config_load_file(c->cfg, c->ini_path);
	unlink(c->ini_path);
	snprintf(c->err, c->err_size, "%s", output_capture_end(&err));
	return ret;
}

#endif
