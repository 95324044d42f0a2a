// SPDX-License-Identifier: GPL-2.0
/*
 * Linked into build/vmm-faults only, never into build/vmm (-Wl,--wrap=epoll_wait):
 * a fault that nothing a test can do from outside makes happen. The boot tests
 * (tests/boot/hangs.sh) run /share/vmm-faults.
 *
 * VMM_FAULT_POLL_MS=T: T ms after the main loop's first wait (event_loop.c's
 * epoll_wait), that wait fails with ENOMEM, and every one after. The event loop
 * is the only caller of epoll_wait; the other waits (console writer, socket
 * replies) call poll and are left alone. No system call is added, so a seccomp
 * filter sees nothing new.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <time.h>

int __real_epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout);
int __wrap_epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout);

static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000LL + t.tv_nsec / 1000000;
}

int __wrap_epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout)
{
	static long long fail_at = -1;
	const char *after = getenv("VMM_FAULT_POLL_MS");
	long long now, left;
	int ret;

	if (!after)
		return __real_epoll_wait(epfd, events, maxevents, timeout);
	now = now_ms();
	if (fail_at < 0)
		fail_at = now + atoll(after);
	left = fail_at - now;
	if (left <= 0) {
		errno = ENOMEM;
		return -1;
	}
	if (timeout >= 0 && timeout < left)
		return __real_epoll_wait(epfd, events, maxevents, timeout);
	/* Wake up when the fault is due, however long the caller meant to sleep. */
	ret = __real_epoll_wait(epfd, events, maxevents, (int)left);
	if (ret == 0) {
		errno = ENOMEM;
		return -1;
	}
	return ret;
}
