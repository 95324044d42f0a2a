/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_SANDBOX_RULES_H
#define VMM_SANDBOX_RULES_H

/*
 * What each kind of vmm thread may ask the kernel once setup is over: the
 * system call filter's allow-lists, as tables. The process filter goes on the
 * main thread before any vCPU thread starts, so every thread inherits it and it
 * must hold what any of them needs; each vCPU thread then stacks its own,
 * narrower filter (the kernel runs both, and the stricter answer wins).
 *
 * The virtio workers (virtio/worker.c) run under the process filter: they
 * wait in epoll_pwait, read and write eventfds, take futexes, and the RNG's
 * calls getrandom.
 *
 * The lists are X-macros: sandbox_rules.c turns them into names (pure, unit
 * tested natively), sandbox.c into __NR_ numbers and ioctl request values on
 * arm64, where a name that is no arm64 system call fails to compile.
 */

#include <stdbool.h>
#include <stddef.h>

enum sandbox_thread {
	SANDBOX_PROCESS, /* the main thread, and what every thread inherits */
	SANDBOX_VCPU,
	SANDBOX_NR_THREADS,
};

#define SB_P (1u << SANDBOX_PROCESS)
#define SB_PV (SB_P | (1u << SANDBOX_VCPU))

/* How a system call's arguments are checked. */
enum sandbox_args {
	SB_ANY,	    /* any arguments */
	SB_IOCTL,   /* the request must be in SANDBOX_IOCTLS for the thread */
	SB_NO_EXEC, /* the protection (argument 2) must not include PROT_EXEC */
};

/* X(name, threads, args) */
#define SANDBOX_SYSCALLS(X)                                                              \
	/* files and descriptors: console, control socket, snapshots, pagemap */        \
	X(read, SB_P, SB_ANY)                                                            \
	X(write, SB_PV, SB_ANY)                                                          \
	X(readv, SB_P, SB_ANY)                                                           \
	X(writev, SB_PV, SB_ANY)                                                         \
	X(pread64, SB_P, SB_ANY)                                                         \
	X(pwrite64, SB_P, SB_ANY)                                                        \
	/* virtio-blk's worker: requests, FLUSH (fdatasync), DISCARD and WRITE_ZEROES */ \
	X(preadv, SB_P, SB_ANY)                                                          \
	X(pwritev, SB_P, SB_ANY)                                                         \
	X(fallocate, SB_P, SB_ANY)                                                       \
	X(lseek, SB_P, SB_ANY)                                                           \
	X(openat, SB_P, SB_ANY)                                                          \
	X(close, SB_P, SB_ANY)                                                           \
	X(dup, SB_P, SB_ANY)                                                             \
	X(dup3, SB_P, SB_ANY)                                                            \
	X(fcntl, SB_P, SB_ANY)                                                           \
	X(fstat, SB_P, SB_ANY)                                                           \
	X(newfstatat, SB_P, SB_ANY)                                                      \
	X(ftruncate, SB_P, SB_ANY)                                                       \
	X(fsync, SB_P, SB_ANY)                                                           \
	X(fdatasync, SB_P, SB_ANY)                                                       \
	X(linkat, SB_P, SB_ANY)                                                          \
	X(renameat, SB_P, SB_ANY)                                                        \
	X(renameat2, SB_P, SB_ANY)                                                       \
	X(unlinkat, SB_P, SB_ANY)                                                        \
	X(ioctl, SB_PV, SB_IOCTL)                                                        \
	/* the main loop (epoll), poll's other waits, wake-ups, the socket's clients */  \
	X(ppoll, SB_P, SB_ANY)                                                           \
	X(pselect6, SB_P, SB_ANY)                                                        \
	X(epoll_create1, SB_P, SB_ANY)                                                   \
	X(epoll_ctl, SB_P, SB_ANY)                                                       \
	X(epoll_pwait, SB_P, SB_ANY)                                                     \
	X(eventfd2, SB_P, SB_ANY)                                                        \
	X(signalfd4, SB_P, SB_ANY)                                                       \
	X(timerfd_create, SB_P, SB_ANY)                                                  \
	X(timerfd_settime, SB_P, SB_ANY)                                                 \
	X(timerfd_gettime, SB_P, SB_ANY)                                                 \
	X(accept4, SB_P, SB_ANY)                                                         \
	X(sendto, SB_P, SB_ANY)                                                          \
	X(shutdown, SB_P, SB_ANY)                                                        \
	/* memory: guest RAM, vCPU run areas, malloc and its thread arenas */           \
	X(mmap, SB_PV, SB_NO_EXEC)                                                       \
	X(mprotect, SB_PV, SB_NO_EXEC)                                                   \
	X(munmap, SB_PV, SB_ANY)                                                         \
	X(mremap, SB_P, SB_ANY)                                                          \
	X(madvise, SB_PV, SB_ANY)                                                        \
	X(brk, SB_PV, SB_ANY)                                                            \
	/* threads: starting vCPUs, kicking them, locks; a vCPU thread's own exit */   \
	X(clone, SB_P, SB_ANY)                                                           \
	X(clone3, SB_P, SB_ANY)                                                          \
	X(set_robust_list, SB_P, SB_ANY)                                                 \
	X(rseq, SB_P, SB_ANY)                                                            \
	X(futex, SB_PV, SB_ANY)                                                          \
	X(tgkill, SB_PV, SB_ANY)                                                         \
	X(getpid, SB_PV, SB_ANY)                                                         \
	X(gettid, SB_PV, SB_ANY)                                                         \
	X(sched_yield, SB_PV, SB_ANY)                                                    \
	X(exit, SB_PV, SB_ANY)                                                           \
	X(exit_group, SB_PV, SB_ANY)                                                     \
	/* the vCPU threads' own filter goes on through seccomp(2) */                   \
	X(seccomp, SB_P, SB_ANY)                                                         \
	/* signals: the vCPU kick, SIGBUS while saving, this filter's SIGSYS */         \
	X(rt_sigaction, SB_P, SB_ANY)                                                    \
	X(rt_sigprocmask, SB_PV, SB_ANY)                                                 \
	X(rt_sigreturn, SB_PV, SB_ANY)                                                   \
	X(sigaltstack, SB_P, SB_ANY)                                                     \
	X(restart_syscall, SB_PV, SB_ANY)                                                \
	/* time and accounting: the RTC, -v timings and peak RSS */                     \
	X(clock_gettime, SB_PV, SB_ANY)                                                  \
	X(clock_getres, SB_PV, SB_ANY)                                                   \
	X(gettimeofday, SB_PV, SB_ANY)                                                   \
	X(nanosleep, SB_PV, SB_ANY)                                                      \
	X(clock_nanosleep, SB_PV, SB_ANY)                                                \
	X(getrusage, SB_PV, SB_ANY)                                                      \
	/* a snapshot's header names the host kernel */                                 \
	X(uname, SB_P, SB_ANY)                                                           \
	X(getrandom, SB_P, SB_ANY)

/* X(request, threads): ioctl requests, by their <linux/kvm.h> and <termios.h> names. */
#define SANDBOX_IOCTLS(X)                                                                \
	/* the vCPU loop: run, raise a device's interrupt, PSCI suspend */              \
	X(KVM_RUN, SB_PV)                                                                \
	X(KVM_IRQ_LINE, SB_PV)                                                           \
	X(KVM_SET_MP_STATE, SB_PV)                                                       \
	X(KVM_GET_ONE_REG, SB_PV)                                                        \
	X(KVM_SET_ONE_REG, SB_PV)                                                        \
	/* vmm save: registers, MP state, events, the vGIC */                           \
	X(KVM_GET_REG_LIST, SB_P)                                                        \
	X(KVM_GET_MP_STATE, SB_P)                                                        \
	X(KVM_GET_VCPU_EVENTS, SB_P)                                                     \
	X(KVM_SET_VCPU_EVENTS, SB_P)                                                     \
	X(KVM_GET_DEVICE_ATTR, SB_P)                                                     \
	X(KVM_HAS_DEVICE_ATTR, SB_P)                                                     \
	X(KVM_SET_DEVICE_ATTR, SB_P)                                                     \
	/* --on-reboot restart builds a whole new VM, its virtio devices included */                                 \
	X(KVM_CHECK_EXTENSION, SB_P)                                                     \
	X(KVM_CREATE_VM, SB_P)                                                           \
	X(KVM_GET_VCPU_MMAP_SIZE, SB_P)                                                  \
	X(KVM_SET_USER_MEMORY_REGION, SB_P)                                              \
	X(KVM_ARM_PREFERRED_TARGET, SB_P)                                                \
	X(KVM_CREATE_VCPU, SB_P)                                                         \
	X(KVM_ARM_VCPU_INIT, SB_P)                                                       \
	X(KVM_CREATE_DEVICE, SB_P)                                                       \
	X(KVM_ENABLE_CAP, SB_P)                                                          \
	X(KVM_IOEVENTFD, SB_P)                                                           \
	X(KVM_IRQFD, SB_P)                                                               \
	/* virtio-net's worker: the offloads the guest accepted, told to its tap */     \
	X(TUNSETOFFLOAD, SB_P)                                                           \
	/* the console: raw mode on a terminal and back, non-blocking descriptors */    \
	X(TCGETS, SB_P)                                                                  \
	X(TCSETS, SB_P)                                                                  \
	X(TCSETSW, SB_P)                                                                 \
	X(TCSETSF, SB_P)                                                                 \
	X(FIONBIO, SB_P)

struct sandbox_syscall {
	const char *name;
	unsigned int threads; /* a bit per enum sandbox_thread */
	enum sandbox_args args;
};

struct sandbox_ioctl {
	const char *name;
	unsigned int threads;
};

extern const struct sandbox_syscall sandbox_syscalls[];
extern const size_t sandbox_nr_syscalls;
extern const struct sandbox_ioctl sandbox_ioctls[];
extern const size_t sandbox_nr_ioctls;

/* "main" or "vCPU": how the SIGSYS report names a thread. */
const char *sandbox_thread_name(enum sandbox_thread t);
/* Whether the tables let a thread of that kind make the call (or ioctl request). */
bool sandbox_allows_syscall(enum sandbox_thread t, const char *name);
bool sandbox_allows_ioctl(enum sandbox_thread t, const char *name);

/*
 * The tables' own rules: no name twice, every entry for some thread, and
 * nothing for a vCPU that the process filter (which the vCPU threads also
 * run under) refuses. Returns 0, or -EINVAL with why naming the entry.
 */
int sandbox_rules_check(char *why, size_t why_len);

#endif
