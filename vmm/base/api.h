/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_API_H
#define VMM_API_H

/*
 * The control socket (`vmm run --api-socket PATH`): a UNIX stream socket,
 * one request line per connection, answered by zero or more lines and then
 * "ok" or "error: <what is wrong>". README.md documents the protocol.
 *
 * One connection is served at a time, and none for long: the request line must
 * arrive within API_TIMEOUT_MS of the accept, and each reply must be taken by
 * the client within API_TIMEOUT_MS, or the connection is dropped. The main
 * thread never blocks on a client.
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

/* The command named name (its index in the table, the one list of them), or -1. */
int api_command_find(const char *name);

struct api_request {
	enum api_command command;
	bool stop_after;
	bool json; /* info --json */
	char arg[4096];
};

#define API_LINE_MAX 4200
#define API_TIMEOUT_MS 5000

/* Parses one request line (without its newline); on failure why says what is wrong. */
int api_parse(const char *line, struct api_request *req, char *why, size_t why_len);

struct api_server;
struct event_loop;

/* A whole request line, parsed: carry it out, then answer with api_server_reply and _finish. */
typedef void (*api_handler_fn)(void *ctx, struct api_server *s, const struct api_request *req);

struct api_server {
	int listen_fd;
	int client_fd; /* the connection being served, or -1 */
	char buf[API_LINE_MAX];
	size_t len;
	char *path;
	int timeout_ms;	    /* API_TIMEOUT_MS; the unit tests shorten it */
	bool have_request;  /* the request arrived and is being carried out: no deadline */
	bool replying;	    /* a reply began: deadline is the reply's */
	long long deadline; /* CLOCK_MONOTONIC ms: for the request line, then for the reply */
	/* While attached (api_server_attach): the loop, the fd registered with it, the handler. */
	struct event_loop *loop;
	int watched_fd;
	api_handler_fn handle;
	void *handle_ctx;
};

/* Creates the socket at path, mode 0600; replaces a stale socket no one listens on. */
int api_server_open(struct api_server *s, const char *path);
void api_server_close(struct api_server *s);
/* The descriptor the main loop should poll: the client while one is being served. */
int api_server_poll_fd(const struct api_server *s);
/*
 * How long the main loop may sleep before api_server_expire must look at the
 * connection: -1 for as long as it likes (no client), else milliseconds, >= 0.
 */
int api_server_timeout_ms(const struct api_server *s);
/* Call after every wake-up: drops a client whose request line is late, with an error line. */
void api_server_expire(struct api_server *s);
/*
 * Call when api_server_poll_fd() is readable. Returns 1 with *req filled when
 * a whole request line has arrived, 0 when more is needed, and answers
 * malformed requests itself.
 */
int api_server_receive(struct api_server *s, struct api_request *req);
/*
 * Sends one reply line, of any length, to the client being served, written in
 * full; a client that does not take it within the timeout is dropped.
 */
void api_server_reply(struct api_server *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Ends the exchange: "ok", or "error: why" when why is not NULL. */
void api_server_finish(struct api_server *s, const char *why);

/*
 * Serves through an event loop instead of by the calls above: the server
 * registers the descriptor api_server_poll_fd() names (the listening socket,
 * or the client being served) and keeps it registered as clients come and
 * go, enforces the deadline from a turn hook, and hands each request to
 * handle. -errno when the loop refused; nothing is then registered.
 */
int api_server_attach(struct api_server *s, struct event_loop *loop, api_handler_fn handle,
		      void *ctx);
/* Deregisters from the loop; a client being served stays connected for the next attach. */
void api_server_detach(struct api_server *s);

#endif
