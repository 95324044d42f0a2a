// SPDX-License-Identifier: GPL-2.0
/* The seccomp allow-lists (sandbox_rules.c): their own rules, and what each thread must have. */
#include <errno.h>

#include "base/sandbox_rules.h"
#include "base/util.h"
#include "helpers.h"
#include "suites.h"

START_TEST(test_rules_are_consistent)
{
	char why[160] = "";
	int ret = sandbox_rules_check(why, sizeof(why));

	ck_assert_msg(ret == 0, "sandbox_rules_check: expected 0, got %d (%s)", ret, why);
}
END_TEST

/* Every thread: taking a lock, its signals, its exit, and reporting an error. */
static const char *const every_thread[] = {
	"futex",	 "rt_sigreturn", "rt_sigprocmask", "exit", "exit_group",
	"write",	 "madvise",	 "munmap",	   "mmap", "mprotect",
	"clock_gettime", "getrusage",	 "ioctl",
};

START_TEST(test_every_thread_has)
{
	enum sandbox_thread t;

	for (t = 0; t < SANDBOX_NR_THREADS; t++)
		ck_assert_msg(sandbox_allows_syscall(t, every_thread[_i]),
			      "%s thread: expected %s allowed, got refused", sandbox_thread_name(t),
			      every_thread[_i]);
}
END_TEST

/*
 * The main thread after setup: the main loop (epoll; a restarted guest's new VM
 * makes a new epoll instance), vmm save (temporary file, rename,
 * pagemap), a restarted guest's new VM and threads, the vCPU kick.
 */
static const char *const main_thread[] = {
	"ppoll",	  "read",
	"accept4",	  "fcntl",
	"signalfd4",	  "eventfd2",
	"openat",	  "close",
	"pwrite64",	  "pread64",
	"fsync",	  "fdatasync",
	"ftruncate",	  "linkat",
	"renameat",	  "renameat2",
	"unlinkat",	  "epoll_create1",
	"uname",	  "clone",
	"clone3",	  "set_robust_list",
	"rseq",		  "tgkill",
	"getpid",	  "rt_sigaction",
	"sigaltstack",	  "brk",
	"mremap",	  "newfstatat",
	"fstat",	  "seccomp",
	"timerfd_create", "epoll_pwait",
	"epoll_ctl",
};

START_TEST(test_main_thread_has)
{
	ck_assert_msg(sandbox_allows_syscall(SANDBOX_PROCESS, main_thread[_i]),
		      "main thread: expected %s allowed, got refused", main_thread[_i]);
}
END_TEST

/* A vCPU thread runs the guest and its MMIO: no files, no sockets, no new threads or VMs. */
static const char *const not_for_vcpus[] = {
	"openat",   "read",	    "accept4", "clone",	   "clone3", "linkat",	  "renameat",
	"unlinkat", "rt_sigaction", "seccomp", "eventfd2", "close",  "ftruncate",
};

START_TEST(test_vcpu_thread_lacks)
{
	ck_assert_msg(!sandbox_allows_syscall(SANDBOX_VCPU, not_for_vcpus[_i]),
		      "vCPU thread: expected %s refused, got allowed", not_for_vcpus[_i]);
}
END_TEST

static const char *const vcpu_ioctls[] = {
	"KVM_RUN", "KVM_IRQ_LINE", "KVM_SET_MP_STATE", "KVM_GET_ONE_REG", "KVM_SET_ONE_REG",
};

START_TEST(test_vcpu_ioctls)
{
	ck_assert_msg(sandbox_allows_ioctl(SANDBOX_VCPU, vcpu_ioctls[_i]),
		      "vCPU thread: expected ioctl %s allowed, got refused", vcpu_ioctls[_i]);
}
END_TEST

static const char *const vcpu_lacks_ioctls[] = {
	"KVM_CREATE_VM",
	"KVM_CREATE_VCPU",
	"KVM_SET_USER_MEMORY_REGION",
	"KVM_CREATE_DEVICE",
	"KVM_SET_DEVICE_ATTR",
	"KVM_GET_REG_LIST",
	"TCSETS",
	"KVM_ENABLE_CAP",
};

START_TEST(test_vcpu_lacks_ioctls)
{
	ck_assert_msg(!sandbox_allows_ioctl(SANDBOX_VCPU, vcpu_lacks_ioctls[_i]),
		      "vCPU thread: expected ioctl %s refused, got allowed", vcpu_lacks_ioctls[_i]);
}
END_TEST

/* What vmm save and --on-reboot restart ask KVM for, from the main thread. */
static const char *const main_ioctls[] = {
	"KVM_GET_ONE_REG",
	"KVM_GET_REG_LIST",
	"KVM_GET_MP_STATE",
	"KVM_GET_VCPU_EVENTS",
	"KVM_GET_DEVICE_ATTR",
	"KVM_HAS_DEVICE_ATTR",
	"KVM_CREATE_VM",
	"KVM_CREATE_VCPU",
	"KVM_ARM_VCPU_INIT",
	"KVM_SET_USER_MEMORY_REGION",
	"KVM_CREATE_DEVICE",
	"KVM_SET_DEVICE_ATTR",
	"KVM_SET_ONE_REG",
	"KVM_ENABLE_CAP",
	"KVM_CHECK_EXTENSION",
	"KVM_ARM_PREFERRED_TARGET",
	"KVM_GET_VCPU_MMAP_SIZE",
	"KVM_RUN",
	"TCGETS",
	"TCSETS",
	"FIONBIO",
};

START_TEST(test_main_ioctls)
{
	ck_assert_msg(sandbox_allows_ioctl(SANDBOX_PROCESS, main_ioctls[_i]),
		      "process filter: expected ioctl %s allowed, got refused", main_ioctls[_i]);
}
END_TEST

/* Never after setup: new programs, new sockets, ptrace, changing ids back. */
static const char *const never[] = {
	"execve",    "execveat",
	"socket",    "connect",
	"bind",	     "ptrace",
	"setuid",    "setresuid",
	"setgroups", "mount",
	"kill",	     "process_vm_writev",
	"open",	     "KVM_GET_API_VERSION",
};

START_TEST(test_never_allowed)
{
	enum sandbox_thread t;

	for (t = 0; t < SANDBOX_NR_THREADS; t++)
		ck_assert_msg(!sandbox_allows_syscall(t, never[_i]) &&
				      !sandbox_allows_ioctl(t, never[_i]),
			      "%s thread: expected %s refused, got allowed", sandbox_thread_name(t),
			      never[_i]);
}
END_TEST

START_TEST(test_memory_is_never_executable)
{
	size_t i;

	for (i = 0; i < sandbox_nr_syscalls; i++) {
		const struct sandbox_syscall *s = &sandbox_syscalls[i];

		if (!strcmp(s->name, "mmap") || !strcmp(s->name, "mprotect"))
			ck_assert_msg(
				s->args == SB_NO_EXEC,
				"%s: expected its PROT_EXEC refused (SB_NO_EXEC), got args %d",
				s->name, s->args);
	}
}
END_TEST

START_TEST(test_thread_names)
{
	ck_assert_msg(!strcmp(sandbox_thread_name(SANDBOX_PROCESS), "main") &&
			      !strcmp(sandbox_thread_name(SANDBOX_VCPU), "vCPU") &&
			      !strcmp(sandbox_thread_name(SANDBOX_NR_THREADS), "unknown"),
		      "thread names: expected main, vCPU, unknown, got %s, %s, %s",
		      sandbox_thread_name(SANDBOX_PROCESS), sandbox_thread_name(SANDBOX_VCPU),
		      sandbox_thread_name(SANDBOX_NR_THREADS));
}
END_TEST

Suite *sandbox_suite(void)
{
	Suite *s = suite_create("sandbox");
	TCase *rules = tcase_create("rules");
	TCase *threads = tcase_create("threads");

	tcase_add_test(rules, test_rules_are_consistent);
	tcase_add_test(rules, test_memory_is_never_executable);
	tcase_add_test(rules, test_thread_names);
	tcase_add_loop_test(rules, test_never_allowed, 0, ARRAY_SIZE(never));
	suite_add_tcase(s, rules);

	tcase_add_loop_test(threads, test_every_thread_has, 0, ARRAY_SIZE(every_thread));
	tcase_add_loop_test(threads, test_main_thread_has, 0, ARRAY_SIZE(main_thread));
	tcase_add_loop_test(threads, test_vcpu_thread_lacks, 0, ARRAY_SIZE(not_for_vcpus));
	tcase_add_loop_test(threads, test_vcpu_ioctls, 0, ARRAY_SIZE(vcpu_ioctls));
	tcase_add_loop_test(threads, test_vcpu_lacks_ioctls, 0, ARRAY_SIZE(vcpu_lacks_ioctls));
	tcase_add_loop_test(threads, test_main_ioctls, 0, ARRAY_SIZE(main_ioctls));
	suite_add_tcase(s, threads);
	return s;
}
