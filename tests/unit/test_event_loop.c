// SPDX-License-Identifier: GPL-2.0
/* The epoll loop (event_loop.c): callbacks, modify, delete from a callback, turn hooks. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "base/event_loop.h"
#include "helpers.h"
#include "suites.h"

static struct event_loop loop;

static void setup(void)
{
	int ret = event_loop_init(&loop);

	ck_assert_msg(ret == 0, "event_loop_init: expected 0, got %d", ret);
}

static void teardown(void)
{
	event_loop_close(&loop);
}

/* What a callback saw. */
struct seen {
	int calls;
	int fd;
	uint32_t events;
};

static void record(void *ctx, int fd, uint32_t events)
{
	struct seen *s = ctx;

	s->calls++;
	s->fd = fd;
	s->events = events;
}

static void make_pipe(int fds[2])
{
	ck_assert_msg(pipe(fds) == 0, "pipe: expected 0, got errno %d", errno);
}

static void close_pipe(int fds[2])
{
	close(fds[0]);
	close(fds[1]);
}

static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000LL + t.tv_nsec / 1000000;
}

START_TEST(test_readable_pipe_calls_back)
{
	struct seen seen = { 0 };
	int fds[2], ret;

	make_pipe(fds);
	ret = event_loop_add(&loop, fds[0], EPOLLIN, record, &seen);
	ck_assert_msg(ret == 0, "event_loop_add: expected 0, got %d", ret);
	ck_assert_msg(write(fds[1], "x", 1) == 1, "write to the pipe failed");
	ret = event_loop_run_once(&loop, 1000);
	ck_assert_msg(ret == 1 && seen.calls == 1 && seen.fd == fds[0] && (seen.events & EPOLLIN),
		      "a readable pipe: expected 1 callback for fd %d with EPOLLIN, got %d "
		      "(returned %d) for fd %d with events 0x%x",
		      fds[0], seen.calls, ret, seen.fd, seen.events);
	close_pipe(fds);
}
END_TEST

START_TEST(test_eventfd_and_pipe_in_one_turn)
{
	struct seen a = { 0 }, b = { 0 };
	uint64_t one = 1;
	int fds[2], efd = eventfd(0, EFD_CLOEXEC), ret;

	make_pipe(fds);
	event_loop_add(&loop, fds[0], EPOLLIN, record, &a);
	event_loop_add(&loop, efd, EPOLLIN, record, &b);
	ck_assert_msg(write(fds[1], "x", 1) == 1 && write(efd, &one, 8) == 8, "writes failed");
	ret = event_loop_run_once(&loop, 1000);
	ck_assert_msg(ret == 2 && a.calls == 1 && b.calls == 1,
		      "two ready descriptors: expected 2 callbacks, one each, got %d (%d, %d)", ret,
		      a.calls, b.calls);
	close(efd);
	close_pipe(fds);
}
END_TEST

START_TEST(test_nothing_ready_times_out)
{
	struct seen seen = { 0 };
	long long start;
	int fds[2], ret;

	make_pipe(fds);
	event_loop_add(&loop, fds[0], EPOLLIN, record, &seen);
	start = now_ms();
	ret = event_loop_run_once(&loop, 30);
	ck_assert_msg(ret == 0 && seen.calls == 0 && now_ms() - start >= 25,
		      "nothing ready, 30 ms: expected 0 callbacks after about 30 ms, got %d after "
		      "%lld ms",
		      seen.calls, now_ms() - start);
	close_pipe(fds);
}
END_TEST

START_TEST(test_add_twice_is_eexist)
{
	struct seen seen = { 0 };
	int fds[2], ret;

	make_pipe(fds);
	event_loop_add(&loop, fds[0], EPOLLIN, record, &seen);
	ret = event_loop_add(&loop, fds[0], EPOLLIN, record, &seen);
	ck_assert_msg(ret == -EEXIST, "the same fd twice: expected -EEXIST, got %d", ret);
	close_pipe(fds);
}
END_TEST

START_TEST(test_add_errors)
{
	struct seen seen = { 0 };
	char path[sizeof(TEMP_PATH_TEMPLATE)];
	int fd, ret;

	ret = event_loop_add(&loop, -1, EPOLLIN, record, &seen);
	ck_assert_msg(ret == -EBADF, "fd -1: expected -EBADF, got %d", ret);
	/* A regular file: epoll refuses it with EPERM, and the loop says so. */
	temp_file_create(path, "x", 1);
	fd = open(path, O_RDONLY);
	unlink(path);
	ret = event_loop_add(&loop, fd, EPOLLIN, record, &seen);
	ck_assert_msg(ret == -EPERM, "a regular file: expected -EPERM, got %d", ret);
	/* The refused fd left no trace: a second try fails the same way, not with -EEXIST. */
	ret = event_loop_add(&loop, fd, EPOLLIN, record, &seen);
	ck_assert_msg(ret == -EPERM, "a regular file again: expected -EPERM, got %d", ret);
	close(fd);
}
END_TEST

START_TEST(test_modify)
{
	struct seen seen = { 0 };
	int fds[2], ret;

	make_pipe(fds);
	/* The write end: writable at once, once watched for it. */
	event_loop_add(&loop, fds[1], 0, record, &seen);
	ret = event_loop_run_once(&loop, 0);
	ck_assert_msg(ret == 0 && seen.calls == 0,
		      "watched for nothing: expected no callback, got %d", seen.calls);
	ret = event_loop_modify(&loop, fds[1], EPOLLOUT);
	ck_assert_msg(ret == 0, "event_loop_modify: expected 0, got %d", ret);
	ret = event_loop_run_once(&loop, 1000);
	ck_assert_msg(ret == 1 && (seen.events & EPOLLOUT),
		      "watched for EPOLLOUT: expected 1 callback with EPOLLOUT, got %d, 0x%x", ret,
		      seen.events);
	ret = event_loop_modify(&loop, fds[0], EPOLLIN);
	ck_assert_msg(ret == -ENOENT, "modify of an unregistered fd: expected -ENOENT, got %d",
		      ret);
	close_pipe(fds);
}
END_TEST

START_TEST(test_deleted_fd_is_not_called)
{
	struct seen seen = { 0 };
	int fds[2], ret;

	make_pipe(fds);
	event_loop_add(&loop, fds[0], EPOLLIN, record, &seen);
	event_loop_del(&loop, fds[0]);
	event_loop_del(&loop, fds[0]); /* twice: harmless */
	ck_assert_msg(write(fds[1], "x", 1) == 1, "write to the pipe failed");
	ret = event_loop_run_once(&loop, 0);
	ck_assert_msg(ret == 0 && seen.calls == 0, "a deleted fd: expected no callback, got %d",
		      seen.calls);
	ret = event_loop_add(&loop, fds[0], EPOLLIN, record, &seen);
	ck_assert_msg(ret == 0, "adding it again: expected 0, got %d", ret);
	close_pipe(fds);
}
END_TEST

/* Two readable pipes; whichever callback runs first deletes and closes the other. */
struct pair {
	struct event_loop *loop;
	int fds[2][2];
	int calls[2];
	bool closed[2];
};

static void delete_other(void *ctx, int fd, uint32_t events)
{
	struct pair *p = ctx;
	int me = fd == p->fds[1][0], other = !me;

	(void)events;
	p->calls[me]++;
	if (p->closed[other])
		return;
	event_loop_del(p->loop, p->fds[other][0]);
	close_pipe(p->fds[other]);
	p->closed[other] = true;
}

START_TEST(test_delete_other_within_batch)
{
	struct pair p = { .loop = &loop };
	int i, ret;

	for (i = 0; i < 2; i++) {
		make_pipe(p.fds[i]);
		event_loop_add(&loop, p.fds[i][0], EPOLLIN, delete_other, &p);
		ck_assert_msg(write(p.fds[i][1], "x", 1) == 1, "write to pipe %d failed", i);
	}
	ret = event_loop_run_once(&loop, 1000);
	ck_assert_msg(
		ret == 1 && p.calls[0] + p.calls[1] == 1,
		"two ready, the first deletes the second: expected 1 callback, got %d (%d, %d)",
		ret, p.calls[0], p.calls[1]);
	for (i = 0; i < 2; i++)
		if (!p.closed[i])
			close_pipe(p.fds[i]);
}
END_TEST

/*
 * Both pipes are due in the batch; the first callback deletes the other and
 * registers a new descriptor, which takes the freed slot: the stale event must
 * reach neither the deleted descriptor nor the new one.
 */
struct reuse {
	struct event_loop *loop;
	int fds[2][2];
	int newer[2];
	struct seen old, fresh;
};

static void reuse_fresh(void *ctx, int fd, uint32_t events)
{
	record(&((struct reuse *)ctx)->fresh, fd, events);
}

static void reuse_slot(void *ctx, int fd, uint32_t events)
{
	struct reuse *r = ctx;
	int other = fd == r->fds[0][0] ? 1 : 0;

	record(&r->old, fd, events);
	if (r->newer[0] >= 0)
		return;
	event_loop_del(r->loop, r->fds[other][0]);
	make_pipe(r->newer);
	event_loop_add(r->loop, r->newer[0], EPOLLIN, reuse_fresh, r);
}

START_TEST(test_deleted_slot_reused_within_batch)
{
	struct reuse r = { .loop = &loop, .newer = { -1, -1 } };
	int i, ret;

	for (i = 0; i < 2; i++) {
		make_pipe(r.fds[i]);
		event_loop_add(&loop, r.fds[i][0], EPOLLIN, reuse_slot, &r);
		ck_assert_msg(write(r.fds[i][1], "x", 1) == 1, "write to pipe %d failed", i);
	}
	ret = event_loop_run_once(&loop, 1000);
	ck_assert_msg(ret == 1 && r.old.calls == 1 && r.fresh.calls == 0,
		      "the deleted fd's pending event, its slot reused: expected 1 callback and "
		      "none for the new fd, got %d (old %d, new %d)",
		      ret, r.old.calls, r.fresh.calls);
	for (i = 0; i < 2; i++)
		close_pipe(r.fds[i]);
	close_pipe(r.newer);
}
END_TEST

static void delete_self(void *ctx, int fd, uint32_t events)
{
	struct seen *s = ctx;

	record(s, fd, events);
	event_loop_del(&loop, fd);
}

START_TEST(test_delete_self)
{
	struct seen seen = { 0 };
	int fds[2], ret;

	make_pipe(fds);
	event_loop_add(&loop, fds[0], EPOLLIN, delete_self, &seen);
	ck_assert_msg(write(fds[1], "x", 1) == 1, "write to the pipe failed");
	event_loop_run_once(&loop, 1000);
	ret = event_loop_run_once(&loop, 0);
	ck_assert_msg(seen.calls == 1 && ret == 0,
		      "a callback that deletes its fd: expected 1 call over two turns, got %d",
		      seen.calls);
	close_pipe(fds);
}
END_TEST

/* A turn hook: counts its runs and asks for the timeout it was given. */
struct hook {
	int runs;
	int timeout;
};

static int hook_run(void *ctx)
{
	struct hook *h = ctx;

	h->runs++;
	return h->timeout;
}

START_TEST(test_turn_hook_shortens_the_wait)
{
	struct hook h = { .timeout = 20 }, none = { .timeout = -1 };
	long long start = now_ms();
	int ret;

	event_loop_add_turn(&loop, hook_run, &h);
	event_loop_add_turn(&loop, hook_run, &none);
	ret = event_loop_run_once(&loop, -1);
	ck_assert_msg(ret == 0 && h.runs == 1 && none.runs == 1 && now_ms() - start < 1000,
		      "hooks asking 20 ms and no limit, caller no limit: expected one run each and "
		      "a 20 ms wait, got %d and %d runs, %lld ms",
		      h.runs, none.runs, now_ms() - start);
}
END_TEST

START_TEST(test_turn_hook_zero_does_not_wait)
{
	struct hook h = { .timeout = 0 };
	long long start = now_ms();

	event_loop_add_turn(&loop, hook_run, &h);
	event_loop_run_once(&loop, 5000);
	ck_assert_msg(now_ms() - start < 1000,
		      "a hook asking 0 ms, caller 5 s: expected no wait, got %lld ms",
		      now_ms() - start);
}
END_TEST

START_TEST(test_deleted_turn_hook_does_not_run)
{
	struct hook a = { .timeout = 0 }, b = { .timeout = 0 }, c = { .timeout = 0 };

	event_loop_add_turn(&loop, hook_run, &a);
	event_loop_add_turn(&loop, hook_run, &b);
	event_loop_del_turn(&loop, hook_run, &a);
	event_loop_add_turn(&loop, hook_run, &c); /* takes a's place */
	event_loop_run_once(&loop, 0);
	ck_assert_msg(a.runs == 0 && b.runs == 1 && c.runs == 1,
		      "hooks a (deleted), b, c: expected 0, 1, 1 runs, got %d, %d, %d", a.runs,
		      b.runs, c.runs);
}
END_TEST

START_TEST(test_wait_error)
{
	int ret;

	close(loop.epoll_fd);
	ret = event_loop_run_once(&loop, 0);
	loop.epoll_fd = -1;
	ck_assert_msg(ret == -EBADF, "a wait on a closed epoll fd: expected -EBADF, got %d", ret);
}
END_TEST

START_TEST(test_many_descriptors_grow_the_table)
{
	struct seen seen = { 0 };
	int fds[40][2], i, ret;

	for (i = 0; i < 40; i++) {
		make_pipe(fds[i]);
		ret = event_loop_add(&loop, fds[i][0], EPOLLIN, record, &seen);
		ck_assert_msg(ret == 0, "descriptor %d of 40: expected 0, got %d", i, ret);
	}
	ck_assert_msg(write(fds[39][1], "x", 1) == 1, "write to the last pipe failed");
	ret = event_loop_run_once(&loop, 1000);
	ck_assert_msg(ret == 1 && seen.fd == fds[39][0],
		      "the 40th descriptor ready: expected its callback, got %d for fd %d", ret,
		      seen.fd);
	for (i = 0; i < 40; i++)
		close_pipe(fds[i]);
}
END_TEST

Suite *event_loop_suite(void)
{
	Suite *s = suite_create("event_loop");
	TCase *fds = tcase_create("descriptors");
	TCase *turns = tcase_create("turns");

	tcase_add_checked_fixture(fds, setup, teardown);
	tcase_add_test(fds, test_readable_pipe_calls_back);
	tcase_add_test(fds, test_eventfd_and_pipe_in_one_turn);
	tcase_add_test(fds, test_nothing_ready_times_out);
	tcase_add_test(fds, test_add_twice_is_eexist);
	tcase_add_test(fds, test_add_errors);
	tcase_add_test(fds, test_modify);
	tcase_add_test(fds, test_deleted_fd_is_not_called);
	tcase_add_test(fds, test_delete_other_within_batch);
	tcase_add_test(fds, test_deleted_slot_reused_within_batch);
	tcase_add_test(fds, test_delete_self);
	tcase_add_test(fds, test_many_descriptors_grow_the_table);
	suite_add_tcase(s, fds);

	tcase_add_checked_fixture(turns, setup, teardown);
	tcase_add_test(turns, test_turn_hook_shortens_the_wait);
	tcase_add_test(turns, test_turn_hook_zero_does_not_wait);
	tcase_add_test(turns, test_deleted_turn_hook_does_not_run);
	tcase_add_test(turns, test_wait_error);
	suite_add_tcase(s, turns);
	return s;
}
