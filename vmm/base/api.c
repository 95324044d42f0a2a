// SPDX-License-Identifier: GPL-2.0
#include "base/api.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "base/event_loop.h"
#include "base/util.h"

static const struct {
	const char *name;
	enum api_command command;
	bool takes_path;
	bool takes_json;
} api_commands[] = {
	{ "pause", API_PAUSE, false, false }, { "resume", API_RESUME, false, false },
	{ "stop", API_STOP, false, false },   { "info", API_INFO, false, true },
	{ "save", API_SAVE, true, false },
};

int api_command_find(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(api_commands); i++)
		if (!strcmp(name, api_commands[i].name))
			return (int)i;
	return -1;
}

/* The option word at p, alone on the rest of the line but for blanks. */
static bool only_option(const char *p, const char *option)
{
	size_t len = strlen(option);

	return !strncmp(p, option, len) && !p[len + strspn(p + len, " \t")];
}

int api_parse(const char *line, struct api_request *req, char *why, size_t why_len)
{
	char word[16];
	const char *p = line;
	size_t len, i;

	memset(req, 0, sizeof(*req));
	p += strspn(p, " \t");
	len = strcspn(p, " \t");
	if (!len || len >= sizeof(word))
		goto unknown;
	memcpy(word, p, len);
	word[len] = '\0';
	p += len;
	p += strspn(p, " \t");
	for (i = 0; i < ARRAY_SIZE(api_commands); i++) {
		if (strcmp(word, api_commands[i].name))
			continue;
		req->command = api_commands[i].command;
		if (!api_commands[i].takes_path) {
			if (!*p)
				return 0;
			if (api_commands[i].takes_json && only_option(p, "--json")) {
				req->json = true;
				return 0;
			}
			snprintf(why, why_len, "'%s' takes no argument%s", word,
				 api_commands[i].takes_json ? " but --json" : "");
			return -EINVAL;
		}
		if (!strncmp(p, "--stop", 6) && (p[6] == ' ' || p[6] == '\t')) {
			req->stop_after = true;
			p += 6;
			p += strspn(p, " \t");
		}
		len = strlen(p);
		if (!len || len >= sizeof(req->arg) || p[0] != '/') {
			snprintf(why, why_len, "'%s' needs an absolute file path", word);
			return -EINVAL;
		}
		memcpy(req->arg, p, len + 1);
		return 0;
	}
unknown:
	snprintf(why, why_len, "unknown request; requests are pause, resume, stop, info, "
			       "save [--stop] PATH");
	return -EINVAL;
}

static int socket_address(const char *path, struct sockaddr_un *addr)
{
	memset(addr, 0, sizeof(*addr));
	addr->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(addr->sun_path))
		return -ENAMETOOLONG;
	strcpy(addr->sun_path, path);
	return 0;
}

/* A socket file left by a vmm that died is replaced; one that answers is not. */
static int remove_stale_socket(const struct sockaddr_un *addr)
{
	struct stat st;
	int fd, ret;

	if (lstat(addr->sun_path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	ret = connect(fd, (const struct sockaddr *)addr, sizeof(*addr)) ? -errno : 0;
	close(fd);
	if (!ret)
		return -EADDRINUSE;
	/* Only a refused connection proves nobody listens; EACCES proves nothing. */
	if (ret != -ECONNREFUSED)
		return ret;
	return unlink(addr->sun_path) < 0 ? -errno : 0;
}

int api_server_open(struct api_server *s, const char *path)
{
	struct sockaddr_un addr;
	mode_t old_mask;
	int ret;

	s->listen_fd = s->client_fd = -1;
	s->len = 0;
	s->path = NULL;
	s->timeout_ms = API_TIMEOUT_MS;
	s->have_request = s->replying = false;
	s->loop = NULL;
	s->watched_fd = -1;
	ret = socket_address(path, &addr);
	if (!ret)
		ret = remove_stale_socket(&addr);
	if (ret)
		return ret;
	s->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (s->listen_fd < 0)
		return -errno;
	/* The socket controls the VM: only its owner may connect. */
	old_mask = umask(0177);
	ret = bind(s->listen_fd, (struct sockaddr *)&addr, sizeof(addr));
	umask(old_mask);
	if (ret < 0 || listen(s->listen_fd, 4) < 0) {
		ret = -errno;
		close(s->listen_fd);
		s->listen_fd = -1;
		return ret;
	}
	s->path = strdup(path);
	return 0;
}

void api_server_close(struct api_server *s)
{
	api_server_detach(s);
	if (s->client_fd >= 0)
		close(s->client_fd);
	if (s->listen_fd >= 0) {
		close(s->listen_fd);
		if (s->path)
			unlink(s->path);
	}
	free(s->path);
	s->path = NULL;
	s->listen_fd = s->client_fd = -1;
}

int api_server_poll_fd(const struct api_server *s)
{
	return s->client_fd >= 0 ? s->client_fd : s->listen_fd;
}

static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000LL + t.tv_nsec / 1000000;
}

int api_server_timeout_ms(const struct api_server *s)
{
	long long left;

	if (s->client_fd < 0 || s->have_request)
		return -1;
	left = s->deadline - now_ms();
	return left < 0 ? 0 : left > 1000000 ? 1000000 : (int)left;
}

static void api_server_unwatch(struct api_server *s)
{
	if (s->loop && s->watched_fd >= 0)
		event_loop_del(s->loop, s->watched_fd);
	s->watched_fd = -1;
}

static void api_server_watch(struct api_server *s);

static void api_server_drop_client(struct api_server *s)
{
	/* Forgotten before it is closed: the fd number's next owner must not get its events. */
	if (s->watched_fd == s->client_fd)
		api_server_unwatch(s);
	close(s->client_fd);
	s->client_fd = -1;
	s->len = 0;
	s->have_request = s->replying = false;
	api_server_watch(s);
}

void api_server_expire(struct api_server *s)
{
	char why[96];

	if (s->client_fd < 0 || s->have_request || now_ms() < s->deadline)
		return;
	if (s->timeout_ms % 1000)
		snprintf(why, sizeof(why), "no complete request line within %d ms", s->timeout_ms);
	else
		snprintf(why, sizeof(why), "no complete request line within %d s",
			 s->timeout_ms / 1000);
	/* The deadline has passed: the error line gets one try, no wait. */
	s->replying = true;
	api_server_finish(s, why);
}

int api_server_receive(struct api_server *s, struct api_request *req)
{
	char why[160];
	char *nl;
	ssize_t n;

	if (s->client_fd < 0) {
		s->client_fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		s->len = 0;
		s->have_request = s->replying = false;
		s->deadline = now_ms() + s->timeout_ms;
		api_server_watch(s);
		return 0;
	}
	if (s->have_request)
		return 0;
	n = read(s->client_fd, s->buf + s->len, sizeof(s->buf) - 1 - s->len);
	if (n <= 0) {
		if (n == 0 || (errno != EAGAIN && errno != EINTR))
			api_server_drop_client(s);
		return 0;
	}
	/* strchr would stop at a NUL and wait for a newline already received. */
	if (memchr(s->buf + s->len, '\0', n)) {
		api_server_finish(s, "the request contains a NUL byte; send one line of text");
		return 0;
	}
	s->len += n;
	s->buf[s->len] = '\0';
	nl = strchr(s->buf, '\n');
	if (!nl) {
		if (s->len == sizeof(s->buf) - 1)
			api_server_finish(s, "request line too long");
		return 0;
	}
	*nl = '\0';
	if (nl > s->buf && nl[-1] == '\r')
		nl[-1] = '\0';
	if (api_parse(s->buf, req, why, sizeof(why))) {
		api_server_finish(s, why);
		return 0;
	}
	s->have_request = true;
	return 1;
}

/* All of buf, or the client is dropped: it has until the reply's deadline to take it. */
static void api_server_send(struct api_server *s, const char *buf, size_t len)
{
	struct pollfd p = { .fd = s->client_fd, .events = POLLOUT };

	if (!s->replying) {
		s->replying = true;
		s->deadline = now_ms() + s->timeout_ms;
	}
	while (len) {
		ssize_t n = send(s->client_fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
		long long left;

		if (n > 0) {
			buf += n;
			len -= n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		left = s->deadline - now_ms();
		if (n == 0 || errno != EAGAIN || left <= 0 ||
		    (poll(&p, 1, (int)(left > 1000000 ? 1000000 : left)) < 0 && errno != EINTR)) {
			api_server_drop_client(s);
			return;
		}
	}
}

void api_server_reply(struct api_server *s, const char *fmt, ...)
{
	char small[512], *line = small;
	va_list ap;
	int n;

	if (s->client_fd < 0)
		return;
	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n + 1 >= sizeof(small)) {
		line = malloc(n + 2);
		if (!line) {
			api_server_drop_client(s); /* a reply cut short would be a wrong one */
			return;
		}
		va_start(ap, fmt);
		vsnprintf(line, n + 1, fmt, ap);
		va_end(ap);
	}
	line[n++] = '\n';
	api_server_send(s, line, n);
	if (line != small)
		free(line);
}

void api_server_finish(struct api_server *s, const char *why)
{
	if (why)
		api_server_reply(s, "error: %s", why);
	else
		api_server_reply(s, "ok");
	if (s->client_fd >= 0)
		api_server_drop_client(s);
}

static void api_server_event(void *ctx, int fd, uint32_t events)
{
	struct api_server *s = ctx;
	struct api_request req;

	(void)fd;
	(void)events; /* readable, hung up or failed: the read says which */
	if (api_server_receive(s, &req) > 0)
		s->handle(s->handle_ctx, s, &req);
}

/*
 * Keeps the registered descriptor the one api_server_poll_fd() names. A client
 * the loop cannot take is dropped, which registers the listening socket again;
 * a listening socket it cannot take leaves the control socket deaf, said once.
 */
static void api_server_watch(struct api_server *s)
{
	int fd = api_server_poll_fd(s), ret;

	if (!s->loop || fd == s->watched_fd)
		return;
	api_server_unwatch(s);
	if (fd < 0)
		return;
	ret = event_loop_add(s->loop, fd, EPOLLIN, api_server_event, s);
	if (!ret) {
		s->watched_fd = fd;
		return;
	}
	if (fd == s->client_fd) {
		api_server_drop_client(s);
		return;
	}
	vmm_err("the control socket %s stops answering: cannot watch it for connections: %s",
		s->path ? s->path : "", strerror(-ret));
}

/* Each turn: the late client's error line, then how long the loop may sleep before the next. */
static int api_server_turn(void *ctx)
{
	struct api_server *s = ctx;

	api_server_expire(s);
	return api_server_timeout_ms(s);
}

int api_server_attach(struct api_server *s, struct event_loop *loop, api_handler_fn handle,
		      void *ctx)
{
	int ret = event_loop_add_turn(loop, api_server_turn, s);

	if (ret)
		return ret;
	s->handle = handle;
	s->handle_ctx = ctx;
	s->watched_fd = -1;
	ret = event_loop_add(loop, api_server_poll_fd(s), EPOLLIN, api_server_event, s);
	if (ret) {
		event_loop_del_turn(loop, api_server_turn, s);
		return ret;
	}
	s->loop = loop;
	s->watched_fd = api_server_poll_fd(s);
	return 0;
}

void api_server_detach(struct api_server *s)
{
	if (!s->loop)
		return;
	api_server_unwatch(s);
	event_loop_del_turn(s->loop, api_server_turn, s);
	s->loop = NULL;
}
