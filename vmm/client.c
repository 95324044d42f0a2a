// SPDX-License-Identifier: GPL-2.0
/* The client side of the control socket: `vmm save|pause|resume|stop|info --socket PATH`. */
#include "client.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "api.h"
#include "exit.h"
#include "util.h"

static const char *const client_commands[] = { "save", "pause", "resume", "stop", "info" };

bool client_command_known(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(client_commands); i++)
		if (!strcmp(name, client_commands[i]))
			return true;
	return false;
}

static int client_connect(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(addr.sun_path))
		return -ENAMETOOLONG;
	strcpy(addr.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		int ret = -errno;

		close(fd);
		return ret;
	}
	return fd;
}

/* Prints the reply's lines but the last, which says how the request went. */
static int client_read_reply(int fd, const char *command)
{
	char buf[8192], *line, *next;
	size_t len = 0;
	ssize_t n;

	while (len < sizeof(buf) - 1 && (n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += n;
	buf[len] = '\0';
	for (line = buf; *line; line = next) {
		next = strchr(line, '\n');
		next = next ? (*next = '\0', next + 1) : line + strlen(line);
		if (!strcmp(line, "ok"))
			return 0;
		if (!strncmp(line, "error: ", 7)) {
			vmm_err("%s failed: %s", command, line + 7);
			return VMM_EXIT_REQUEST;
		}
		puts(line);
	}
	vmm_err("%s: the VM closed the socket without an answer; it may have stopped", command);
	return VMM_EXIT_REQUEST;
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
	vmm_err("usage: vmm %s%s --socket PATH%s", command,
		strcmp(command, "save") ? "" : " [--stop]", strcmp(command, "save") ? "" : " FILE");
	return VMM_EXIT_USAGE;
}

int cmd_client(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "stop", no_argument, NULL, 'x' },
		{ NULL, 0, NULL, 0 },
	};
	const char *command = argv[0], *socket_path = NULL;
	bool is_save = !strcmp(command, "save"), stop = false;
	char line[API_LINE_MAX], file[4096];
	int c, fd, status;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		if (c == 's')
			socket_path = optarg;
		else if (c == 'x' && is_save)
			stop = true;
		else
			return client_usage(command);
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
		snprintf(line, sizeof(line), "%s\n", command);
	}
	fd = client_connect(socket_path);
	if (fd < 0) {
		vmm_err("no vmm answers at %s (%s); start one with vmm run --api-socket %s",
			socket_path, strerror(-fd), socket_path);
		return VMM_EXIT_NO_VM;
	}
	if (write(fd, line, strlen(line)) != (ssize_t)strlen(line)) {
		vmm_err("%s: cannot send the request: %s", command, strerror(errno));
		close(fd);
		return VMM_EXIT_NO_VM;
	}
	status = client_read_reply(fd, command);
	close(fd);
	return status;
}
