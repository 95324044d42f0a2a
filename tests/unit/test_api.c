// SPDX-License-Identifier: GPL-2.0
/* The control socket: request lines (api_parse) and the server over a real UNIX socket. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "api.h"
#include "helpers.h"
#include "suites.h"
#include "util.h"

#define WHY_LEN 160

static const char *command_name(enum api_command command)
{
	static const char *const names[] = {
		[API_PAUSE] = "API_PAUSE", [API_RESUME] = "API_RESUME", [API_STOP] = "API_STOP",
		[API_INFO] = "API_INFO",   [API_SAVE] = "API_SAVE",
	};

	return (unsigned int)command < ARRAY_SIZE(names) ? names[command] : "?";
}

/* api_parse: requests it takes */

static const struct {
	const char *line;
	enum api_command command;
	bool stop_after;
	const char *arg;
} requests[] = {
	{ "pause", API_PAUSE, false, "" },
	{ "resume", API_RESUME, false, "" },
	{ "stop", API_STOP, false, "" },
	{ "info", API_INFO, false, "" },
	{ "  info\t ", API_INFO, false, "" },
	{ "save /abs/path", API_SAVE, false, "/abs/path" },
	{ "save --stop /abs/path", API_SAVE, true, "/abs/path" },
	{ "save\t--stop\t/abs/path", API_SAVE, true, "/abs/path" },
	{ "save   /tmp/with space", API_SAVE, false, "/tmp/with space" },
	{ "save /--stop", API_SAVE, false, "/--stop" },
	{ "save /", API_SAVE, false, "/" },
};

START_TEST(test_parse)
{
	struct api_request req;
	char why[WHY_LEN] = "";
	int ret = api_parse(requests[_i].line, &req, why, sizeof(why));

	ck_assert_msg(ret == 0 && req.command == requests[_i].command &&
			      req.stop_after == requests[_i].stop_after &&
			      !strcmp(req.arg, requests[_i].arg),
		      "api_parse(\"%s\"): expected 0, %s, stop %d, \"%s\"; got %d, %s, stop %d, "
		      "\"%s\" (%s)",
		      requests[_i].line, command_name(requests[_i].command),
		      requests[_i].stop_after, requests[_i].arg, ret, command_name(req.command),
		      req.stop_after, req.arg, why);
}
END_TEST

/* The longest path that fits api_request.arg with its NUL, and one byte more. */
static void long_save_line(char *line, size_t path_len)
{
	memcpy(line, "save /", 6);
	memset(line + 6, 'p', path_len - 1);
	line[5 + path_len] = '\0';
}

START_TEST(test_parse_longest_path)
{
	static char line[sizeof(((struct api_request *)0)->arg) + 8];
	size_t path_len = sizeof(((struct api_request *)0)->arg) - 1;
	struct api_request req;
	char why[WHY_LEN] = "";
	int ret;

	long_save_line(line, path_len);
	ret = api_parse(line, &req, why, sizeof(why));

	ck_assert_msg(ret == 0 && strlen(req.arg) == path_len,
		      "save of a %zu-byte path: expected 0 and the path, got %d and %zu bytes (%s)",
		      path_len, ret, strlen(req.arg), why);
}
END_TEST

START_TEST(test_parse_overlong_path)
{
	static char line[sizeof(((struct api_request *)0)->arg) + 8];
	size_t path_len = sizeof(((struct api_request *)0)->arg);
	struct api_request req;
	char why[WHY_LEN] = "";
	int ret;

	long_save_line(line, path_len);
	ret = api_parse(line, &req, why, sizeof(why));

	ck_assert_msg(ret == -EINVAL && strstr(why, "absolute file path"),
		      "save of a %zu-byte path: expected %d and why, got %d and \"%s\"", path_len,
		      -EINVAL, ret, why);
}
END_TEST

/* api_parse: requests it refuses, and what it says */

static const struct {
	const char *line;
	const char *why; /* a part of it */
} bad_requests[] = {
	{ "", "unknown request; requests are pause, resume, stop, info, save [--stop] PATH" },
	{ "   ", "unknown request" },
	{ "PAUSE", "unknown request" },
	{ "halt", "unknown request" },
	{ "savefile /abs/path", "unknown request" },
	{ "info\n", "unknown request" }, /* the server strips the newline, not api_parse */
	{ "averyveryverylongrequestname", "unknown request" },
	{ "info16charsxxxxx", "unknown request" },
	{ "pause now", "'pause' takes no argument" },
	{ "resume 1", "'resume' takes no argument" },
	{ "stop --force", "'stop' takes no argument" },
	{ "info all", "'info' takes no argument" },
	{ "save", "'save' needs an absolute file path" },
	{ "save    ", "'save' needs an absolute file path" },
	{ "save snap", "'save' needs an absolute file path" },
	{ "save ./snap", "'save' needs an absolute file path" },
	{ "save ~/snap", "'save' needs an absolute file path" },
	{ "save --stop", "'save' needs an absolute file path" },
	{ "save --stop ", "'save' needs an absolute file path" },
	{ "save --stop snap", "'save' needs an absolute file path" },
	{ "save --stopper /abs/path", "'save' needs an absolute file path" },
};

START_TEST(test_parse_refused)
{
	struct api_request req;
	char why[WHY_LEN] = "";
	int ret = api_parse(bad_requests[_i].line, &req, why, sizeof(why));

	ck_assert_msg(ret == -EINVAL, "api_parse(\"%s\"): expected %d, got %d",
		      bad_requests[_i].line, -EINVAL, ret);
	ck_assert_msg(strstr(why, bad_requests[_i].why),
		      "api_parse(\"%s\"): expected why with \"%s\", got \"%s\"",
		      bad_requests[_i].line, bad_requests[_i].why, why);
}
END_TEST

START_TEST(test_parse_why_truncated)
{
	struct api_request req;
	char why[8];
	int ret = api_parse("halt", &req, why, sizeof(why));

	ck_assert_msg(ret == -EINVAL && strlen(why) == sizeof(why) - 1,
		      "api_parse(\"halt\") into 8 bytes: expected %d and 7 characters, got %d and "
		      "\"%s\"",
		      -EINVAL, ret, why);
}
END_TEST

/* The server, over a socket in a directory of its own under /tmp */

#define SCRATCH_TEMPLATE "/tmp/vmm-api-XXXXXX"
#define SERVE_ROUNDS 50
#define POLL_MS 2000

static char dir[sizeof(SCRATCH_TEMPLATE)];
static char sock_path[sizeof(SCRATCH_TEMPLATE) + 16];
static struct api_server server;

static void server_setup(void)
{
	memcpy(dir, SCRATCH_TEMPLATE, sizeof(SCRATCH_TEMPLATE));
	ck_assert_msg(mkdtemp(dir) != NULL, "mkdtemp(%s): expected a directory, got NULL",
		      SCRATCH_TEMPLATE);
	snprintf(sock_path, sizeof(sock_path), "%s/api.sock", dir);
	memset(&server, 0, sizeof(server));
	server.listen_fd = server.client_fd = -1;
}

static void server_teardown(void)
{
	api_server_close(&server);
	unlink(sock_path);
	rmdir(dir);
}

static void server_open(void)
{
	int ret = api_server_open(&server, sock_path);

	ck_assert_msg(ret == 0, "api_server_open(%s): expected 0, got %d (%s)", sock_path, ret,
		      strerror(-ret));
}

/* A socket bound to path and closed: the file a vmm that died leaves behind. */
static void stale_socket_create(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	ck_assert_msg(fd >= 0 && bind(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0,
		      "bind %s: expected a bound socket, got errno %d", path, errno);
	close(fd);
}

static int client_connect(void)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	int ret;

	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", sock_path);
	ret = connect(fd, (struct sockaddr *)&addr, sizeof(addr));
	ck_assert_msg(fd >= 0 && ret == 0, "connect %s: expected 0, got %d (errno %d)", sock_path,
		      ret, errno);
	return fd;
}

static void client_send(int fd, const char *text)
{
	ssize_t n = write(fd, text, strlen(text));

	ck_assert_msg(n == (ssize_t)strlen(text), "client write: expected %zu bytes, got %zd",
		      strlen(text), n);
}

/* What the server answered, up to its end of the exchange (EOF). */
static const char *client_read_all(int fd)
{
	static char text[1024];
	struct pollfd p = { .fd = fd, .events = POLLIN };
	size_t len = 0;
	ssize_t n;

	do {
		ck_assert_msg(poll(&p, 1, POLL_MS) == 1,
			      "client: expected an answer, got none in %d ms", POLL_MS);
		n = read(fd, text + len, sizeof(text) - 1 - len);
		if (n > 0)
			len += n;
	} while (n > 0 && len < sizeof(text) - 1);
	text[len] = '\0';
	return text;
}

static bool fd_readable(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, timeout_ms) == 1;
}

/* The main loop's part: poll, then receive, until a request comes. */
static void serve_until_request(struct api_request *req)
{
	int round;

	for (round = 0; round < SERVE_ROUNDS; round++) {
		ck_assert_msg(fd_readable(api_server_poll_fd(&server), POLL_MS),
			      "server: expected its descriptor readable within %d ms", POLL_MS);
		if (api_server_receive(&server, req) == 1)
			return;
	}
	ck_abort_msg("server: expected a request within %d rounds, got none", SERVE_ROUNDS);
}

/* Serves until the client has an answer: for requests the server answers itself. */
static void serve_until_answered(int client)
{
	struct api_request req;
	int round, ret;

	for (round = 0; round < SERVE_ROUNDS && !fd_readable(client, 0); round++) {
		ck_assert_msg(fd_readable(api_server_poll_fd(&server), POLL_MS),
			      "server: expected its descriptor readable within %d ms", POLL_MS);
		ret = api_server_receive(&server, &req);
		ck_assert_msg(ret == 0,
			      "api_server_receive: expected 0 for a refused request, got %d", ret);
	}
	ck_assert_msg(fd_readable(client, 0), "client: expected an answer within %d rounds",
		      SERVE_ROUNDS);
}

START_TEST(test_open_creates_socket)
{
	struct stat st;

	server_open();

	ck_assert_msg(lstat(sock_path, &st) == 0 && S_ISSOCK(st.st_mode),
		      "%s: expected a socket, got mode 0%o", sock_path, st.st_mode);
}
END_TEST

START_TEST(test_open_mode_0600)
{
	struct stat st = { 0 };

	server_open();
	lstat(sock_path, &st);

	ck_assert_msg((st.st_mode & 07777) == 0600, "%s: expected mode 0600, got 0%o", sock_path,
		      st.st_mode & 07777);
}
END_TEST

START_TEST(test_open_restores_umask)
{
	mode_t after;

	umask(022);
	server_open();
	after = umask(022);

	ck_assert_msg(after == 022, "umask after api_server_open: expected 022, got 0%o", after);
}
END_TEST

START_TEST(test_open_replaces_stale_socket)
{
	int ret, client;

	stale_socket_create(sock_path);
	ret = api_server_open(&server, sock_path);
	client = client_connect();
	close(client);

	ck_assert_msg(ret == 0, "api_server_open over a stale socket: expected 0, got %d", ret);
}
END_TEST

START_TEST(test_open_refuses_live_socket)
{
	struct api_server second;
	int ret;

	server_open();
	ret = api_server_open(&second, sock_path);
	api_server_close(&second);

	ck_assert_msg(ret == -EADDRINUSE, "a second server on a live socket: expected %d, got %d",
		      -EADDRINUSE, ret);
}
END_TEST

START_TEST(test_refused_open_leaves_live_socket)
{
	struct api_server second;
	struct api_request req;
	int client;

	server_open();
	api_server_open(&second, sock_path);
	api_server_close(&second);
	/* The probe of the second open is the first connection; then comes a real client. */
	client = client_connect();
	client_send(client, "info\n");
	serve_until_request(&req);
	close(client);

	ck_assert_msg(req.command == API_INFO,
		      "the first server after a refused second one: expected API_INFO, got %s",
		      command_name(req.command));
}
END_TEST

/*
 * A socket the opener may not connect to (EACCES) is not stale: someone may be listening.
 * remove_stale_socket() unlinks it on any connect() failure, so a second user who can write
 * the directory takes over a live vmm's socket path. Needs root, to be that second user.
 * Fails until vmm/api.c unlinks only when connect() says ECONNREFUSED.
 */
START_TEST(test_open_keeps_socket_it_cannot_probe)
{
	struct api_server second;
	int status = 0;
	pid_t pid;

	if (geteuid() != 0)
		return; /* only root can become another user here */
	server_open();
	chmod(dir, 0777); /* writable by all, no sticky bit */
	pid = fork();
	ck_assert_msg(pid >= 0, "fork: expected a child, got %d", pid);
	if (pid == 0) {
		int ret;

		if (setgid(65534) || setuid(65534))
			_exit(100);
		ret = api_server_open(&second, sock_path);
		api_server_close(&second);
		_exit(ret ? 0 : 1);
	}
	waitpid(pid, &status, 0);
	server_teardown(); /* now: a failed check skips the fixture's, and 0777 must not linger */

	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "user 65534 opening root's live socket: expected a refusal, got it replaced "
		      "(child status 0x%x)",
		      status);
}
END_TEST

START_TEST(test_open_refuses_regular_file)
{
	struct stat st;
	int fd = open(sock_path, O_CREAT | O_WRONLY, 0600);
	int ret;

	close(fd);
	ret = api_server_open(&server, sock_path);

	ck_assert_msg(ret == -EEXIST && lstat(sock_path, &st) == 0 && S_ISREG(st.st_mode),
		      "a regular file at the path: expected %d and the file kept, got %d", -EEXIST,
		      ret);
}
END_TEST

START_TEST(test_open_path_too_long)
{
	char path[sizeof(((struct sockaddr_un *)0)->sun_path) + 1];
	int ret;

	memset(path, 'a', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	ret = api_server_open(&server, path);

	ck_assert_msg(ret == -ENAMETOOLONG, "a %zu-byte path: expected %d, got %d",
		      sizeof(path) - 1, -ENAMETOOLONG, ret);
}
END_TEST

START_TEST(test_close_removes_socket)
{
	struct stat st;
	int ret;

	server_open();
	api_server_close(&server);
	ret = lstat(sock_path, &st);

	ck_assert_msg(ret < 0 && errno == ENOENT, "%s after close: expected ENOENT, got %d/%d",
		      sock_path, ret, errno);
}
END_TEST

START_TEST(test_poll_fd_is_listener_when_idle)
{
	server_open();

	ck_assert_msg(api_server_poll_fd(&server) == server.listen_fd,
		      "idle server: expected to poll the listener %d, got %d", server.listen_fd,
		      api_server_poll_fd(&server));
}
END_TEST

START_TEST(test_receive_info)
{
	struct api_request req;
	int client;

	server_open();
	client = client_connect();
	client_send(client, "info\n");
	serve_until_request(&req);
	close(client);

	ck_assert_msg(req.command == API_INFO, "\"info\\n\": expected API_INFO, got %s",
		      command_name(req.command));
}
END_TEST

START_TEST(test_receive_save_with_path)
{
	struct api_request req;
	int client;

	server_open();
	client = client_connect();
	client_send(client, "save --stop /tmp/x.snap\r\n");
	serve_until_request(&req);
	close(client);

	ck_assert_msg(
		req.command == API_SAVE && req.stop_after && !strcmp(req.arg, "/tmp/x.snap"),
		"\"save --stop /tmp/x.snap\\r\\n\": expected API_SAVE, stop, /tmp/x.snap; got "
		"%s, %d, \"%s\"",
		command_name(req.command), req.stop_after, req.arg);
}
END_TEST

START_TEST(test_receive_line_in_pieces)
{
	struct api_request req;
	int client;

	server_open();
	client = client_connect();
	client_send(client, "pa");
	/* Serve the accept and the first piece before the rest is sent. */
	ck_assert_msg(fd_readable(server.listen_fd, POLL_MS) &&
			      api_server_receive(&server, &req) == 0,
		      "accept: expected 0");
	ck_assert_msg(fd_readable(server.client_fd, POLL_MS) &&
			      api_server_receive(&server, &req) == 0,
		      "\"pa\": expected 0, more needed");
	client_send(client, "use\n");
	serve_until_request(&req);
	close(client);

	ck_assert_msg(req.command == API_PAUSE, "\"pa\" + \"use\\n\": expected API_PAUSE, got %s",
		      command_name(req.command));
}
END_TEST

START_TEST(test_reply_and_finish)
{
	struct api_request req;
	const char *answer;
	int client;

	server_open();
	client = client_connect();
	client_send(client, "info\n");
	serve_until_request(&req);
	api_server_reply(&server, "state %s", "running");
	api_server_finish(&server, NULL);
	answer = client_read_all(client);
	close(client);

	ck_assert_msg(!strcmp(answer, "state running\nok\n"),
		      "info answered: expected \"state running\\nok\\n\", got \"%s\"", answer);
}
END_TEST

START_TEST(test_finish_with_error)
{
	struct api_request req;
	const char *answer;
	int client;

	server_open();
	client = client_connect();
	client_send(client, "pause\n");
	serve_until_request(&req);
	api_server_finish(&server, "already paused");
	answer = client_read_all(client);
	close(client);

	ck_assert_msg(!strcmp(answer, "error: already paused\n"),
		      "finish with why: expected \"error: already paused\\n\", got \"%s\"", answer);
}
END_TEST

START_TEST(test_malformed_answered)
{
	const char *answer;
	int client;

	server_open();
	client = client_connect();
	client_send(client, "bogus\n");
	serve_until_answered(client);
	answer = client_read_all(client);
	close(client);

	ck_assert_msg(!strncmp(answer, "error: unknown request", 22) && count_lines(answer) == 1,
		      "\"bogus\\n\": expected one line \"error: unknown request...\", got \"%s\"",
		      answer);
}
END_TEST

START_TEST(test_malformed_then_next_client)
{
	struct api_request req;
	int first, second;

	server_open();
	first = client_connect();
	client_send(first, "save relative.snap\n");
	serve_until_answered(first);
	close(first);
	second = client_connect();
	client_send(second, "resume\n");
	serve_until_request(&req);
	close(second);

	ck_assert_msg(req.command == API_RESUME,
		      "the client after a refused one: expected API_RESUME, got %s",
		      command_name(req.command));
}
END_TEST

START_TEST(test_overlong_line_answered)
{
	static char line[API_LINE_MAX + 16];
	const char *answer;
	int client;

	server_open();
	client = client_connect();
	memset(line, 'a', sizeof(line) - 1);
	client_send(client, line);
	serve_until_answered(client);
	answer = client_read_all(client);
	close(client);

	ck_assert_msg(!strcmp(answer, "error: request line too long\n"),
		      "a %zu-byte line: expected \"error: request line too long\\n\", got \"%s\"",
		      sizeof(line) - 1, answer);
}
END_TEST

START_TEST(test_silent_client_dropped)
{
	struct api_request req;
	int first, second;

	server_open();
	first = client_connect();
	ck_assert_msg(fd_readable(server.listen_fd, POLL_MS) &&
			      api_server_receive(&server, &req) == 0,
		      "accept: expected 0");
	close(first);
	second = client_connect();
	client_send(second, "stop\n");
	serve_until_request(&req);
	close(second);

	ck_assert_msg(req.command == API_STOP,
		      "the client after one that hung up: expected API_STOP, got %s",
		      command_name(req.command));
}
END_TEST

Suite *api_suite(void)
{
	Suite *s = suite_create("api");
	TCase *parse = tcase_create("parse");
	TCase *server_tc = tcase_create("server");

	tcase_add_loop_test(parse, test_parse, 0, ARRAY_SIZE(requests));
	tcase_add_test(parse, test_parse_longest_path);
	tcase_add_test(parse, test_parse_overlong_path);
	tcase_add_loop_test(parse, test_parse_refused, 0, ARRAY_SIZE(bad_requests));
	tcase_add_test(parse, test_parse_why_truncated);

	tcase_add_checked_fixture(server_tc, server_setup, server_teardown);
	tcase_add_test(server_tc, test_open_creates_socket);
	tcase_add_test(server_tc, test_open_mode_0600);
	tcase_add_test(server_tc, test_open_restores_umask);
	tcase_add_test(server_tc, test_open_replaces_stale_socket);
	tcase_add_test(server_tc, test_open_refuses_live_socket);
	tcase_add_test(server_tc, test_refused_open_leaves_live_socket);
	tcase_add_test(server_tc, test_open_keeps_socket_it_cannot_probe);
	tcase_add_test(server_tc, test_open_refuses_regular_file);
	tcase_add_test(server_tc, test_open_path_too_long);
	tcase_add_test(server_tc, test_close_removes_socket);
	tcase_add_test(server_tc, test_poll_fd_is_listener_when_idle);
	tcase_add_test(server_tc, test_receive_info);
	tcase_add_test(server_tc, test_receive_save_with_path);
	tcase_add_test(server_tc, test_receive_line_in_pieces);
	tcase_add_test(server_tc, test_reply_and_finish);
	tcase_add_test(server_tc, test_finish_with_error);
	tcase_add_test(server_tc, test_malformed_answered);
	tcase_add_test(server_tc, test_malformed_then_next_client);
	tcase_add_test(server_tc, test_overlong_line_answered);
	tcase_add_test(server_tc, test_silent_client_dropped);
	suite_add_tcase(s, parse);
	suite_add_tcase(s, server_tc);
	return s;
}
