// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for `vmm inspect FILE [--json]` (cmd_inspect), which prints what an
 * untrusted file says: the bytes are the file (a memfd). Text and JSON both run; whatever
 * --json prints for a snapshot it accepts must be one valid JSON document, for the tools
 * that read it, whatever strings the file carries.
 *
 * Run it with -close_fd_mask=3 (tests/fuzz/run does): the target takes fd 1 over itself.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cmd/cmd.h"

#include "fuzz.h"

static int file_fd = -1, out_fd = -1;
static char file_path[64];

static void setup_once(void)
{
	if (file_fd >= 0)
		return;
	fuzz_std_fds_fill();
	file_fd = memfd_create("fuzz-inspect", MFD_CLOEXEC);
	out_fd = memfd_create("fuzz-inspect-out", MFD_CLOEXEC);
	check(file_fd > STDERR_FILENO && out_fd > STDERR_FILENO);
	snprintf(file_path, sizeof(file_path), "/proc/self/fd/%d", file_fd);
}

/* A tiny JSON grammar check (RFC 8259): one value, then only whitespace. */
struct json {
	const char *p, *end;
	unsigned int depth;
};

static bool json_value(struct json *j);

static void json_space(struct json *j)
{
	while (j->p < j->end && strchr(" \t\n\r", *j->p) && *j->p)
		j->p++;
}

static bool json_eat(struct json *j, char c)
{
	json_space(j);
	if (j->p == j->end || *j->p != c)
		return false;
	j->p++;
	return true;
}

static bool json_string(struct json *j)
{
	if (!json_eat(j, '"'))
		return false;
	while (j->p < j->end && *j->p != '"') {
		unsigned char c = *j->p++;

		if (c < 0x20)
			return false;
		if (c != '\\')
			continue;
		if (j->p == j->end || !strchr("\"\\/bfnrtu", *j->p) || !*j->p)
			return false;
		if (*j->p++ == 'u') {
			if (j->end - j->p < 4 || strspn(j->p, "0123456789abcdefABCDEF") < 4)
				return false;
			j->p += 4;
		}
	}
	return json_eat(j, '"');
}

static bool json_number(struct json *j)
{
	const char *start;

	json_space(j);
	if (j->p < j->end && *j->p == '-')
		j->p++;
	start = j->p;
	while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
		j->p++;
	if (j->p == start || (*start == '0' && j->p - start > 1))
		return false;
	return true; /* vmm prints integers only */
}

static bool json_list(struct json *j, char close, bool members)
{
	if (json_eat(j, close))
		return true;
	do {
		if (members && (!json_string(j) || !json_eat(j, ':')))
			return false;
		if (!json_value(j))
			return false;
	} while (json_eat(j, ','));
	return json_eat(j, close);
}

static bool json_word(struct json *j, const char *w)
{
	size_t n = strlen(w);

	if ((size_t)(j->end - j->p) < n || memcmp(j->p, w, n))
		return false;
	j->p += n;
	return true;
}

static bool json_value(struct json *j)
{
	bool ok;

	json_space(j);
	if (j->p == j->end || ++j->depth > 16)
		return false;
	if (*j->p == '{')
		ok = json_eat(j, '{') && json_list(j, '}', true);
	else if (*j->p == '[')
		ok = json_eat(j, '[') && json_list(j, ']', false);
	else if (*j->p == '"')
		ok = json_string(j);
	else if (*j->p == 't' || *j->p == 'f' || *j->p == 'n')
		ok = json_word(j, "true") || json_word(j, "false") || json_word(j, "null");
	else
		ok = json_number(j);
	j->depth--;
	return ok;
}

static bool json_valid(const char *text, size_t len)
{
	struct json j = { text, text + len, 0 };

	if (!json_value(&j))
		return false;
	json_space(&j);
	return j.p == j.end;
}

/* cmd_inspect with its stdout in out_fd; returns its status, *out what it printed. */
static int inspect_run(bool json, char **out, size_t *len)
{
	char *argv[] = { "inspect", file_path, json ? "--json" : NULL, NULL };
	int status, saved = dup(STDOUT_FILENO);
	off_t end;

	check(saved >= 0 && !ftruncate(out_fd, 0) && lseek(out_fd, 0, SEEK_SET) == 0);
	fflush(stdout);
	check(dup2(out_fd, STDOUT_FILENO) == STDOUT_FILENO);
	status = cmd_inspect(json ? 3 : 2, argv);
	fflush(stdout);
	check(dup2(saved, STDOUT_FILENO) == STDOUT_FILENO);
	close(saved);
	end = lseek(out_fd, 0, SEEK_END);
	check(end >= 0);
	*len = end;
	*out = malloc(*len + 1);
	check(*out && pread(out_fd, *out, *len, 0) == (ssize_t)*len);
	(*out)[*len] = '\0';
	return status;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int text_status, json_status;
	size_t len;
	char *out;

	setup_once();
	check(pwrite(file_fd, data, size, 0) == (ssize_t)size && !ftruncate(file_fd, size));
	text_status = inspect_run(false, &out, &len);
	check(text_status || len); /* an accepted snapshot is described */
	free(out);
	json_status = inspect_run(true, &out, &len);
	check(json_status == text_status);
	if (!json_status)
		check(json_valid(out, len));
	free(out);
	return 0;
}
