// SPDX-License-Identifier: GPL-2.0
/* Privileges and the seccomp filter: what vmm gives up once setup is over. */
#include "kvm/sandbox.h"

#include <cap-ng.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/filter.h>
#include <linux/if_tun.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/exit.h"
#include "base/sandbox_rules.h"
#include "base/util.h"
#include "kvm/kvm.h"

/* Root can still clear the bounding set; the user it becomes could not. */
static int become_user(uint32_t uid, uint32_t gid)
{
	gid_t groups[1] = { gid };

	if (capng_get_caps_process())
		return -EPERM;
	capng_clear(CAPNG_SELECT_BOUNDS);
	capng_apply(CAPNG_SELECT_BOUNDS);
	if (setgroups(1, groups) || setresgid(gid, gid, gid) || setresuid(uid, uid, uid))
		return -errno;
	/* Leaving root must be for good: a way back means something kept a saved ID. */
	if (getuid() != uid || geteuid() != uid || getgid() != gid || getegid() != gid ||
	    (uid && setresuid(-1, 0, -1) == 0))
		return -EPERM;
	return 0;
}

static int drop_capabilities(void)
{
	if (capng_get_caps_process())
		return -EPERM;
	if (capng_have_capabilities(CAPNG_SELECT_CAPS) == CAPNG_NONE)
		return 0; /* an unprivileged user in the kvm group: nothing to drop */
	capng_clear(CAPNG_SELECT_ALL);
	/*
	 * Clearing the bounding set needs CAP_SETPCAP, which root has and a user
	 * given capabilities by a file may not: then the bounding set stays.
	 */
	capng_apply(CAPNG_SELECT_BOUNDS);
	if (capng_apply(CAPNG_SELECT_BOTH))
		return -EPERM;
	capng_get_caps_process();
	return capng_have_capabilities(CAPNG_SELECT_CAPS) == CAPNG_NONE ? 0 : -EPERM;
}

int sandbox_drop_privileges(bool change_user, uint32_t uid, uint32_t gid)
{
	int ret;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -errno;
	if (change_user) {
		ret = become_user(uid, gid);
		if (ret)
			return ret;
	}
	return drop_capabilities();
}

/* The tables, as numbers: a name that is not an arm64 system call fails to build here. */
#define SYSCALL_NR(name, threads, args) { __NR_##name, threads, args },
#define IOCTL_REQUEST(request, threads) { request, threads },

static const struct {
	int nr;
	unsigned int threads;
	enum sandbox_args args;
} syscall_rules[] = { SANDBOX_SYSCALLS(SYSCALL_NR) };

static const struct {
	unsigned long request;
	unsigned int threads;
} ioctl_rules[] = { SANDBOX_IOCTLS(IOCTL_REQUEST) };

#define MAX_SYSCALL_NR 512

/*
 * What the SIGSYS handler reports: names resolved while malloc may still be
 * called, the thread kind in a thread-local the handler can read.
 */
static char *syscall_names[MAX_SYSCALL_NR];
static __thread enum sandbox_thread current_thread = SANDBOX_PROCESS;
static struct sock_fprog vcpu_filter;
static bool installed;

static void append(char *buf, size_t len, size_t *used, const char *s)
{
	while (*s && *used + 1 < len)
		buf[(*used)++] = *s++;
	buf[*used] = '\0';
}

static void append_number(char *buf, size_t len, size_t *used, unsigned int n)
{
	char digits[12];
	int i = sizeof(digits) - 1;

	digits[i] = '\0';
	do {
		digits[--i] = '0' + n % 10;
		n /= 10;
	} while (n && i > 0);
	append(buf, len, used, digits + i);
}

/* Async-signal-safe: no stdio, no malloc; the line is built by hand and the process ends. */
static void sigsys_handler(int sig, siginfo_t *si, void *context)
{
	unsigned int nr = si->si_syscall;
	const char *name = nr < MAX_SYSCALL_NR && syscall_names[nr] ? syscall_names[nr] : "unknown";
	char line[256];
	size_t used = 0;

	(void)sig;
	(void)context;
	append(line, sizeof(line), &used, "vmm: seccomp: system call ");
	append_number(line, sizeof(line), &used, nr);
	append(line, sizeof(line), &used, " (");
	append(line, sizeof(line), &used, name);
	append(line, sizeof(line), &used, ") is not allowed in the ");
	append(line, sizeof(line), &used, sandbox_thread_name(current_thread));
	append(line, sizeof(line), &used, " thread; rerun with --seccomp off and report it\n");
	if (write(STDERR_FILENO, line, used) < 0)
		_exit(VMM_EXIT_INTERNAL);
	_exit(VMM_EXIT_INTERNAL);
}

static int add_syscall_rule(scmp_filter_ctx ctx, enum sandbox_thread t, int nr,
			    enum sandbox_args args)
{
	unsigned int bit = 1u << t;
	size_t i;
	int ret = 0;

	switch (args) {
	case SB_ANY:
		return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
	case SB_NO_EXEC:
		/* vmm never makes code at run time: PROT_EXEC would only serve an attacker. */
		return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
					SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	case SB_IOCTL:
		/* The kernel reads the request as 32 bits: so does the filter. */
		for (i = 0; i < ARRAY_SIZE(ioctl_rules) && !ret; i++)
			if (ioctl_rules[i].threads & bit)
				ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
						       SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffUL,
							       ioctl_rules[i].request));
		return ret;
	}
	return -EINVAL;
}

/* Anything not allowed traps to sigsys_handler, which ends vmm. */
static int build_filter(enum sandbox_thread t, scmp_filter_ctx *out)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_TRAP);
	size_t i;
	int ret = ctx ? 0 : -ENOMEM;

	for (i = 0; i < ARRAY_SIZE(syscall_rules) && !ret; i++)
		if (syscall_rules[i].threads & (1u << t))
			ret = add_syscall_rule(ctx, t, syscall_rules[i].nr, syscall_rules[i].args);
	if (ret && ctx)
		seccomp_release(ctx);
	if (!ret)
		*out = ctx;
	return ret;
}

/*
 * libseccomp 2.5 exports BPF only to a descriptor: the vCPU filter goes through
 * a pipe, whose 64 KiB buffer holds it many times over (a few hundred bytes).
 */
static int export_filter(scmp_filter_ctx ctx, struct sock_fprog *prog)
{
	size_t cap = 64 * 1024, len = 0;
	char *buf = malloc(cap);
	int fds[2], ret;
	ssize_t n;

	if (!buf || pipe2(fds, O_CLOEXEC)) {
		free(buf);
		return -ENOMEM;
	}
	ret = seccomp_export_bpf(ctx, fds[1]);
	close(fds[1]);
	while (!ret && (n = read(fds[0], buf + len, cap - len)) > 0)
		len += n;
	close(fds[0]);
	if (!ret && (len == 0 || len == cap || len % sizeof(struct sock_filter)))
		ret = -EIO;
	if (ret) {
		free(buf);
		return ret;
	}
	prog->filter = (struct sock_filter *)buf;
	prog->len = len / sizeof(struct sock_filter);
	return 0;
}

static int install_sigsys_handler(void)
{
	struct sigaction sa = { .sa_sigaction = sigsys_handler, .sa_flags = SA_SIGINFO };
	int nr;

	for (nr = 0; nr < MAX_SYSCALL_NR; nr++)
		syscall_names[nr] = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
	return sigaction(SIGSYS, &sa, NULL) ? -errno : 0;
}

int sandbox_install(void)
{
	scmp_filter_ctx process = NULL, vcpu = NULL;
	int ret;

	if (installed)
		return 0;
	ret = install_sigsys_handler();
	ret = ret ?: build_filter(SANDBOX_VCPU, &vcpu);
	ret = ret ?: export_filter(vcpu, &vcpu_filter);
	ret = ret ?: build_filter(SANDBOX_PROCESS, &process);
	/*
	 * The virtio workers started with their devices, before this filter:
	 * TSYNC puts it on every thread of the process, not only this one.
	 */
	ret = ret ?: seccomp_attr_set(process, SCMP_FLTATR_CTL_TSYNC, 1);
	ret = ret ?: seccomp_load(process);
	if (vcpu)
		seccomp_release(vcpu);
	if (process)
		seccomp_release(process);
	installed = !ret;
	return ret;
}

int sandbox_vcpu_thread_enter(void)
{
	if (!vcpu_filter.filter)
		return 0;
	current_thread = SANDBOX_VCPU;
	if (syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, &vcpu_filter)) {
		int ret = -errno;

		vmm_err("cannot install a vCPU thread's system call filter: %s; rerun with "
			"--seccomp off and report it",
			strerror(errno));
		return ret;
	}
	return 0;
}
