// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the control socket: api_parse() on the bytes' first line, then the
 * whole bytes as what a client sends to a real server (api_server_open in a temporary
 * directory), cut into chunks whose sizes the first byte seeds, through
 * api_server_receive() as the main loop calls it. Every exchange must end with the server's
 * one reply line, or with no reply when the client hung up before a whole line.
 */
#include <errno.h>
#include <poll.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/api.h"
#include "base/util.h"

#include "fuzz.h"

static const char *const command_names[] = {
	[API_PAUSE] = "pause", [API_RESUME] = "resume", [API_STOP] = "stop",
	[API_INFO] = "info",   [API_SAVE] = "save",
};

static struct api_server server;
static struct sockaddr_un server_addr;
static char server_dir[] = "/tmp/vmm-fuzz-api-XXXXXX";

static void server_close(void)
{
	api_server_close(&server);
	rmdir(server_dir);
}

static void server_open_once(void)
{
	if (server_addr.sun_family)
		return;
	check(mkdtemp(server_dir));
	server_addr.sun_family = AF_UNIX;
	snprintf(server_addr.sun_path, sizeof(server_addr.sun_path), "%s/api.sock", server_dir);
	check(!api_server_open(&server, server_addr.sun_path));
	atexit(server_close);
}

/* A request api_parse accepted says what it read, and reads the same when spelled again. */
static void request_check(const struct api_request *req)
{
	struct api_request again;
	char line[API_LINE_MAX + 16], why[160];

	check(req->command <= API_SAVE);
	check(memchr(req->arg, '\0', sizeof(req->arg)));
	if (req->command != API_SAVE) {
		check(!req->arg[0] && !req->stop_after);
		return;
	}
	check(req->arg[0] == '/');
	snprintf(line, sizeof(line), "save %s%s", req->stop_after ? "--stop " : "", req->arg);
	check(!api_parse(line, &again, why, sizeof(why)));
	check(again.command == API_SAVE && again.stop_after == req->stop_after &&
	      !strcmp(again.arg, req->arg));
}

static void parse_check(const char *line, struct api_request *req)
{
	char why[160] = "";
	int ret = api_parse(line, req, why, sizeof(why));

	check(ret == 0 || (ret == -EINVAL && why[0]));
	if (!ret) {
		request_check(req);
		check(strstr(line, command_names[req->command]));
	}
}

/* The first line of the bytes, as the server should see it: no NUL in it, "\r\n" as "\n". */
static char *first_line(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	size_t len = nl ? (size_t)(nl - data) : size;
	char *line = malloc(len + 1);

	check(line);
	memcpy(line, data, len);
	line[len] = '\0';
	if (len && line[len - 1] == '\r')
		line[len - 1] = '\0';
	return line;
}

static unsigned int chunk_next(uint32_t *state, size_t left)
{
	/* xorshift32: chunks from 1 byte to a little over a line. */
	*state ^= *state << 13;
	*state ^= *state >> 17;
	*state ^= *state << 5;
	return left < 1 + *state % (API_LINE_MAX + 64) ? left : 1 + *state % (API_LINE_MAX + 64);
}

struct exchange {
	int client;
	bool served; /* a whole request arrived, and was answered "ok" */
	struct api_request req;
};

/* The server's side of one chunk arriving; false once it ended the exchange. */
static bool server_take(struct exchange *x)
{
	if (api_server_receive(&server, &x->req) == 1) {
		x->served = true;
		api_server_finish(&server, NULL);
	}
	return server.client_fd >= 0;
}

static void exchange_run(struct exchange *x, const uint8_t *data, size_t size)
{
	uint32_t state = size ? data[0] | 0x100 : 1;
	size_t pos = 0;

	x->client = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	check(x->client >= 0);
	check(!connect(x->client, (struct sockaddr *)&server_addr, sizeof(server_addr)));
	server_take(x); /* accepts it */
	check(server.client_fd >= 0);
	while (pos < size) {
		unsigned int n = chunk_next(&state, size - pos);

		check(send(x->client, data + pos, n, MSG_NOSIGNAL) == n);
		pos += n;
		if (!server_take(x))
			return;
	}
	shutdown(x->client, SHUT_WR);
	server_take(x);
	check(server.client_fd < 0); /* a client that hung up is dropped */
}

/* What came back: nothing, or one line, "ok" after a request served, "error: ..." otherwise. */
static void reply_check(const struct exchange *x)
{
	struct pollfd pfd = { .fd = x->client, .events = POLLIN };
	char reply[600];
	ssize_t n;

	/* The server has answered or hung up by now; a loaded machine gets a second to show it. */
	poll(&pfd, 1, 1000);
	n = recv(x->client, reply, sizeof(reply) - 1, MSG_DONTWAIT);
	check(n >= 0);
	reply[n] = '\0';
	if (x->served)
		check(!strcmp(reply, "ok\n"));
	else
		check(n == 0 ||
		      (!strncmp(reply, "error: ", 7) && strchr(reply, '\n') == reply + n - 1));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct exchange x = { .client = -1 };
	struct api_request req;
	char *line = first_line(data, size);

	server_open_once();
	parse_check(line, &req);
	exchange_run(&x, data, size);
	reply_check(&x);
	/* What the server served is the first line, read as api_parse reads it. */
	if (x.served) {
		const uint8_t *nl = memchr(data, '\n', size);

		check(nl && !memchr(data, '\0', nl - data));
		check(x.req.command == req.command && x.req.stop_after == req.stop_after &&
		      !strcmp(x.req.arg, req.arg));
	}
	close(x.client);
	free(line);
	return 0;
}
