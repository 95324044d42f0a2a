/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_KVM_VCPU_SET_H
#define VMM_KVM_VCPU_SET_H
/*
 * The vCPU threads of one VM as a set: the pause that takes every thread out
 * of KVM_RUN and parks it, the resume that lets them go, and the stop request
 * that any thread may make and the main thread waits for (on event_fd).
 *
 * The set knows its members only as pointers it hands to the kick function
 * (kvm/vcpu.c's threads call in here; nothing here calls into them but the kick).
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "board/layout.h"

/* Makes a member's thread leave KVM_RUN at once, and its next KVM_RUN too. */
typedef void (*vcpu_set_kick_fn)(void *member);

struct vcpu_set {
	pthread_mutex_t lock;
	pthread_cond_t cond; /* vCPUs park on it while paused; vcpu_set_pause waits on it */
	int event_fd;	     /* readable once stopping: the main thread's wake-up */
	bool stopping;
	int exit_status;
	bool pause_requested;
	unsigned int nr_parked;
	unsigned int nr_running; /* vCPU threads started and not yet finished */
	vcpu_set_kick_fn kick;
	void *members[LAYOUT_MAX_CPUS];
	unsigned int nr_members;
};

/* -errno (the eventfd); a set that failed to initialise may still be destroyed. */
int vcpu_set_init(struct vcpu_set *set, vcpu_set_kick_fn kick);
void vcpu_set_destroy(struct vcpu_set *set);
/* A vCPU that a pause must kick; -ENOSPC beyond LAYOUT_MAX_CPUS. */
int vcpu_set_add(struct vcpu_set *set, void *member);

/* From any thread: the first caller decides the status; every vCPU is then stopped. */
void vcpu_set_request_exit(struct vcpu_set *set, int status);
bool vcpu_set_is_stopping(struct vcpu_set *set);
/* The status the first vcpu_set_request_exit gave. */
int vcpu_set_exit_status(struct vcpu_set *set);

/*
 * Takes every vCPU out of KVM_RUN and keeps it out, with pending MMIO
 * completed, so that its state can be read or written; vcpu_set_resume lets
 * them go. Returns 0 once every vCPU has parked; -ESHUTDOWN when the VM is
 * stopping (vCPUs leave rather than park: their state is not to be read),
 * -ETIMEDOUT when one did not park within VCPU_SET_PAUSE_TIMEOUT_MS. On failure
 * the pause is still requested: vcpu_set_resume undoes it.
 */
#define VCPU_SET_PAUSE_TIMEOUT_MS 5000
int vcpu_set_pause(struct vcpu_set *set);
void vcpu_set_resume(struct vcpu_set *set);
bool vcpu_set_is_paused(struct vcpu_set *set);

/* Before starting a vCPU thread; vcpu_set_thread_exited undoes it (also when the start failed). */
void vcpu_set_thread_starting(struct vcpu_set *set);
/*
 * Called by a vCPU thread after KVM_RUN was interrupted: parks it while a
 * pause lasts; then clears its kvm_run's immediate_exit, unless a pause or
 * the stop still wants it out.
 */
void vcpu_set_park(struct vcpu_set *set, uint8_t *immediate_exit);
void vcpu_set_thread_exited(struct vcpu_set *set);

#endif
