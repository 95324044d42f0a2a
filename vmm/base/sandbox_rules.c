// SPDX-License-Identifier: GPL-2.0
/* The system call filter's allow-lists by name: what sandbox.c compiles, checked here. */
#include "base/sandbox_rules.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/util.h"

#define SYSCALL_NAME(name, threads, args) { #name, threads, args },
#define IOCTL_NAME(request, threads) { #request, threads },

const struct sandbox_syscall sandbox_syscalls[] = { SANDBOX_SYSCALLS(SYSCALL_NAME) };
const size_t sandbox_nr_syscalls = ARRAY_SIZE(sandbox_syscalls);
const struct sandbox_ioctl sandbox_ioctls[] = { SANDBOX_IOCTLS(IOCTL_NAME) };
const size_t sandbox_nr_ioctls = ARRAY_SIZE(sandbox_ioctls);

static const char *const thread_names[SANDBOX_NR_THREADS] = {
	[SANDBOX_PROCESS] = "main",
	[SANDBOX_VCPU] = "vCPU",
};

const char *sandbox_thread_name(enum sandbox_thread t)
{
	return t < SANDBOX_NR_THREADS ? thread_names[t] : "unknown";
}

bool sandbox_allows_syscall(enum sandbox_thread t, const char *name)
{
	size_t i;

	for (i = 0; i < sandbox_nr_syscalls; i++)
		if (!strcmp(sandbox_syscalls[i].name, name))
			return sandbox_syscalls[i].threads & (1u << t);
	return false;
}

bool sandbox_allows_ioctl(enum sandbox_thread t, const char *name)
{
	size_t i;

	if (!sandbox_allows_syscall(t, "ioctl"))
		return false;
	for (i = 0; i < sandbox_nr_ioctls; i++)
		if (!strcmp(sandbox_ioctls[i].name, name))
			return sandbox_ioctls[i].threads & (1u << t);
	return false;
}

/* One table's rules; names and masks are read through the accessors given. */
static int check_entries(const char *what, size_t n, const char *(*name)(size_t),
			 unsigned int (*threads)(size_t), char *why, size_t why_len)
{
	const unsigned int all = (1u << SANDBOX_NR_THREADS) - 1;
	size_t i, j;

	for (i = 0; i < n; i++) {
		unsigned int t = threads(i);

		if (!t || (t & ~all)) {
			snprintf(why, why_len, "%s %s: no thread, or one that does not exist", what,
				 name(i));
			return -EINVAL;
		}
		if (!(t & SB_P)) {
			snprintf(why, why_len,
				 "%s %s: allowed for vCPUs but refused by the process "
				 "filter they run under",
				 what, name(i));
			return -EINVAL;
		}
		for (j = 0; j < i; j++) {
			if (!strcmp(name(i), name(j))) {
				snprintf(why, why_len, "%s %s: listed twice", what, name(i));
				return -EINVAL;
			}
		}
	}
	return 0;
}

static const char *syscall_name(size_t i)
{
	return sandbox_syscalls[i].name;
}

static unsigned int syscall_threads(size_t i)
{
	return sandbox_syscalls[i].threads;
}

static const char *ioctl_name(size_t i)
{
	return sandbox_ioctls[i].name;
}

static unsigned int ioctl_threads(size_t i)
{
	return sandbox_ioctls[i].threads;
}

int sandbox_rules_check(char *why, size_t why_len)
{
	unsigned int ioctl_users = 0;
	size_t i;
	int ret;

	ret = check_entries("system call", sandbox_nr_syscalls, syscall_name, syscall_threads, why,
			    why_len);
	ret = ret
		      ?: check_entries("ioctl", sandbox_nr_ioctls, ioctl_name, ioctl_threads, why,
				       why_len);
	if (ret)
		return ret;
	/* An ioctl request is only reachable by a thread that may call ioctl at all. */
	for (i = 0; i < sandbox_nr_syscalls; i++)
		if (!strcmp(sandbox_syscalls[i].name, "ioctl"))
			ioctl_users = sandbox_syscalls[i].threads;
	for (i = 0; i < sandbox_nr_ioctls; i++) {
		if (sandbox_ioctls[i].threads & ~ioctl_users) {
			snprintf(why, why_len,
				 "ioctl %s: allowed for a thread that may not call "
				 "ioctl",
				 sandbox_ioctls[i].name);
			return -EINVAL;
		}
	}
	return 0;
}
