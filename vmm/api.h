/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_API_H
#define VMM_API_H

/*
 * The control socket (`vmm run --api-socket PATH`): a UNIX stream socket,
 * one request line per connection, answered by zero or more lines and then
 * "ok" or "error: <what is wrong>". README.md documents the protocol.
 */
#include <stdbool.h>
#include <stddef.h>

enum api_command {
	API_PAUSE,
	API_RESUME,
	API_STOP,
	API_INFO,
	API_SAVE, /* arg: the snapshot path; stop_after: --stop */
};

struct api_request {
	enum api_command command;
	bool stop_after;
	char arg[4096];
};

#define API_LINE_MAX 4200

/* Parses one request line (without its newline); on failure why says what is wrong. */
int api_parse(const char *line, struct api_request *req, char *why, size_t why_len);

struct api_server {
	int listen_fd;
	int client_fd; /* the connection being served, or -1 */
	char buf[API_LINE_MAX];
	size_t len;
	char *path;
};

/* Creates the socket at path, mode 0600; replaces a stale socket no one listens on. */
int api_server_open(struct api_server *s, const char *path);
void api_server_close(struct api_server *s);
/* The descriptor the main loop should poll: the client while one is being served. */
int api_server_poll_fd(const struct api_server *s);
/*
 * Call when api_server_poll_fd() is readable. Returns 1 with *req filled when
 * a whole request line has arrived, 0 when more is needed, and answers
 * malformed requests itself.
 */
int api_server_receive(struct api_server *s, struct api_request *req);
/* Sends one reply line to the client being served. */
void api_server_reply(struct api_server *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Ends the exchange: "ok", or "error: why" when why is not NULL. */
void api_server_finish(struct api_server *s, const char *why);

#endif
