/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_SANDBOX_H
#define VMM_SANDBOX_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Drops what vmm no longer needs once it holds every file and socket it will
 * use: with change_user, it becomes uid:gid (no supplementary groups but gid);
 * then every capability goes, and the bounding set where allowed. A guest that
 * escapes into vmm finds a process that cannot do more than that user.
 * Returns 0 or -errno.
 */
int sandbox_drop_privileges(bool change_user, uint32_t uid, uint32_t gid);

/*
 * The system call filter (sandbox_rules.h), installed once setup is over and
 * before any vCPU thread starts: the process filter goes on the calling thread,
 * which every later thread inherits, and the vCPU filter is prepared for
 * sandbox_vcpu_thread_enter(). A call outside the lists ends vmm with one line
 * on stderr naming the call and the thread. Installing twice does nothing.
 * Returns 0 or -errno.
 */
int sandbox_install(void);

/*
 * The first thing a vCPU thread does: its own, narrower filter on top of the
 * process one (nothing when the filter is off). Returns 0, or -errno after
 * printing why.
 */
int sandbox_vcpu_thread_enter(void);

#endif
