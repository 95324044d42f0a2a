// SPDX-License-Identifier: GPL-2.0
/* The client side of the control socket: `vmm save|pause|resume|stop|info --socket PATH`. */
#include "cmd/client.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "base/api.h"
#include "base/exit.h"
#include "base/util.h"
#include "cmd/cmd.h"

/* The socket's commands are the subcommands: one list, api.c's. */
bool client_command_known(const char *name)
{
	return api_command_find(name) >= 0;
}

static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000LL + t.tv_nsec / 1000000;
}

/* Milliseconds left until deadline, for poll: 0 once it has passed. */
static int ms_left(long long deadline)
{
	long long left = deadline - now_ms();

	return left < 0 ? 0 : left > 1000000 ? 1000000 : (int)left;
}

/*
 * Non-blocking: a vmm serving another client leaves new ones in its listen
 * backlog, and a connect() to a full backlog would otherwise wait without end.
 */
static int client_connect(const char *path, long long deadline)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd, ret;

	if (strlen(path) >= sizeof(addr.sun_path))
		return -ENAMETOOLONG;
	strcpy(addr.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	while (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		ret = -errno;
		if ((ret == -EAGAIN || ret == -EINTR) && ms_left(deadline) > 0) {
			poll(NULL, 0, 20); /* the backlog is full: try again shortly */
			continue;
		}
		close(fd);
		return ret == -EAGAIN ? -ETIMEDOUT : ret;
	}
	return fd;
}

static int client_send(int fd, const char *buf, size_t len, long long deadline)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };

	while (len) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n > 0) {
			buf += n;
			len -= n;
		} else if (n < 0 && errno == EAGAIN) {
			if (!poll(&p, 1, ms_left(deadline)))
				return -ETIMEDOUT;
		} else if (n < 0 && errno != EINTR) {
			return -errno;
		}
	}
	return 0;
}

/* One reply line: printed, or the end of the reply. Returns -1 to read on, else the status. */
static int client_reply_line(const char *line, const char *command)
{
	if (!strcmp(line, "ok"))
		return 0;
	if (!strncmp(line, "error: ", 7)) {
		vmm_err("%s failed: %s", command, line + 7);
		return VMM_EXIT_REQUEST;
	}
	puts(line);
	return -1;
}

#define CLIENT_LINE_MAX (1 << 20) /* a reply line longer than this is not vmm's */

/* Prints the reply's lines, of any number and length, but the last, which says how it went. */
static int client_read_reply(int fd, const char *command, const char *socket_path,
			     unsigned long timeout_s, long long deadline)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	size_t len = 0, cap = 4096, used;
	char *buf = malloc(cap), *nl;
	int status = -1;
	ssize_t n;

	if (!buf) {
		vmm_err("%s: out of memory", command);
		return VMM_EXIT_INTERNAL;
	}
	for (;;) {
		if (len + 1 == cap) {
			char *bigger = cap < CLIENT_LINE_MAX ? realloc(buf, cap * 2) : NULL;

			if (!bigger) {
				vmm_err("%s: the reply has a line longer than %d bytes; is %s a vmm "
					"socket?",
					command, CLIENT_LINE_MAX, socket_path);
				status = VMM_EXIT_REQUEST;
				break;
			}
			buf = bigger;
			cap *= 2;
		}
		if (!poll(&p, 1, ms_left(deadline))) {
			vmm_err("%s: no answer from the vmm at %s within %lu s; it may be busy (a save "
				"of a large guest takes a while) or hung; --timeout SECS waits longer",
				command, socket_path, timeout_s);
			status = VMM_EXIT_REQUEST;
			break;
		}
		n = read(fd, buf + len, cap - 1 - len);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n <= 0) {
			/* The end: a last line without its newline still counts. */
			buf[len] = '\0';
			if (len)
				status = client_reply_line(buf, command);
			break;
		}
		len += n;
		buf[len] = '\0';
		used = 0;
		while (status < 0 && (nl = memchr(buf + used, '\n', len - used))) {
			*nl = '\0';
			status = client_reply_line(buf + used, command);
			used = nl + 1 - buf;
		}
		if (status >= 0)
			break;
		memmove(buf, buf + used, len - used);
		len -= used;
	}
	free(buf);
	if (status < 0) {
		vmm_err("%s: the VM closed the socket without an answer; it may have stopped",
			command);
		status = VMM_EXIT_REQUEST;
	}
	return status;
}

/* The server needs an absolute path: it does not share this process's working directory. */
static int absolute_path(const char *file, char *out, size_t len)
{
	char cwd[4096];

	if (file[0] == '/')
		return snprintf(out, len, "%s", file) < (int)len ? 0 : -ENAMETOOLONG;
	if (!getcwd(cwd, sizeof(cwd)))
		return -errno;
	return snprintf(out, len, "%s/%s", cwd, file) < (int)len ? 0 : -ENAMETOOLONG;
}

static int client_usage(const char *command)
{
	bool is_save = !strcmp(command, "save"), is_info = !strcmp(command, "info");

	vmm_err("usage: vmm %s%s%s --socket PATH [--timeout SECS]%s", command,
		is_save ? " [--stop]" : "", is_info ? " [--json]" : "", is_save ? " FILE" : "");
	return VMM_EXIT_USAGE;
}

int cmd_client(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "stop", no_argument, NULL, 'x' },
		{ "json", no_argument, NULL, 'j' },
		{ "timeout", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	const char *command = argv[0], *socket_path = NULL;
	bool is_save = !strcmp(command, "save"), stop = false, json = false;
	unsigned long timeout_s = is_save ? CLIENT_SAVE_TIMEOUT_S : CLIENT_TIMEOUT_S;
	char line[API_LINE_MAX], file[4096];
	long long deadline;
	int c, fd, status, ret;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		if (c == 's') {
			socket_path = optarg;
		} else if (c == 'x' && is_save) {
			stop = true;
		} else if (c == 'j' && !strcmp(command, "info")) {
			json = true;
		} else if (c == 't') {
			if (parse_uint(optarg, CLIENT_TIMEOUT_MAX_S, &timeout_s) || !timeout_s) {
				vmm_err("%s: --timeout %s is not a number of seconds from 1 to %d",
					command, optarg, CLIENT_TIMEOUT_MAX_S);
				return VMM_EXIT_USAGE;
			}
		} else {
			return client_usage(command);
		}
	}
	if (!socket_path || optind != argc - (is_save ? 1 : 0))
		return client_usage(command);
	if (is_save) {
		if (absolute_path(argv[optind], file, sizeof(file))) {
			vmm_err("save: path %s is too long", argv[optind]);
			return VMM_EXIT_USAGE;
		}
		snprintf(line, sizeof(line), "save %s%s\n", stop ? "--stop " : "", file);
	} else {
		snprintf(line, sizeof(line), "%s%s\n", command, json ? " --json" : "");
	}
	deadline = now_ms() + timeout_s * 1000LL;
	fd = client_connect(socket_path, deadline);
	if (fd == -ETIMEDOUT) {
		vmm_err("%s: the vmm at %s took no connection within %lu s; it may be busy or hung; "
			"--timeout SECS waits longer",
			command, socket_path, timeout_s);
		return VMM_EXIT_REQUEST;
	}
	if (fd < 0) {
		vmm_err("no vmm answers at %s (%s); start one with vmm run --api-socket %s",
			socket_path, strerror(-fd), socket_path);
		return VMM_EXIT_NO_VM;
	}
	ret = client_send(fd, line, strlen(line), deadline);
	if (ret) {
		vmm_err("%s: cannot send the request: %s", command, strerror(-ret));
		close(fd);
		return VMM_EXIT_NO_VM;
	}
	status = client_read_reply(fd, command, socket_path, timeout_s, deadline);
	close(fd);
	return status;
}
