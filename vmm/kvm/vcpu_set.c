// SPDX-License-Identifier: GPL-2.0
/* The pause/stop rendezvous of a VM's vCPU threads. */
#include "kvm/vcpu_set.h"

#include <errno.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "base/timeline.h"
#include "base/util.h"

int vcpu_set_init(struct vcpu_set *set, vcpu_set_kick_fn kick)
{
	pthread_condattr_t attr;

	memset(set, 0, sizeof(*set));
	set->kick = kick;
	pthread_mutex_init(&set->lock, NULL);
	/* vcpu_set_pause's wait is bounded: by a clock that the date cannot move. */
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&set->cond, &attr);
	pthread_condattr_destroy(&attr);
	set->event_fd = eventfd(0, EFD_CLOEXEC);
	return set->event_fd < 0 ? -errno : 0;
}

void vcpu_set_destroy(struct vcpu_set *set)
{
	if (set->event_fd >= 0)
		close(set->event_fd);
	set->event_fd = -1;
	pthread_mutex_destroy(&set->lock);
	pthread_cond_destroy(&set->cond);
}

int vcpu_set_add(struct vcpu_set *set, void *member)
{
	if (set->nr_members >= LAYOUT_MAX_CPUS)
		return -ENOSPC;
	pthread_mutex_lock(&set->lock);
	set->members[set->nr_members++] = member;
	pthread_mutex_unlock(&set->lock);
	return 0;
}

void vcpu_set_request_exit(struct vcpu_set *set, int status)
{
	uint64_t one = 1;

	pthread_mutex_lock(&set->lock);
	if (!set->stopping) {
		set->stopping = true;
		set->exit_status = status;
		timeline_mark_guest("the guest ran");
		if (write(set->event_fd, &one, sizeof(one)) < 0)
			vmm_err("cannot wake the main thread: %s", strerror(errno));
	}
	pthread_cond_broadcast(&set->cond); /* parked vCPUs must see the stop too */
	pthread_mutex_unlock(&set->lock);
}

bool vcpu_set_is_stopping(struct vcpu_set *set)
{
	bool stopping;

	pthread_mutex_lock(&set->lock);
	stopping = set->stopping;
	pthread_mutex_unlock(&set->lock);
	return stopping;
}

int vcpu_set_exit_status(struct vcpu_set *set)
{
	int status;

	pthread_mutex_lock(&set->lock);
	status = set->exit_status;
	pthread_mutex_unlock(&set->lock);
	return status;
}

int vcpu_set_pause(struct vcpu_set *set)
{
	struct timespec deadline;
	unsigned int i;
	int ret = 0;

	pthread_mutex_lock(&set->lock);
	if (!set->pause_requested) {
		set->pause_requested = true;
		for (i = 0; i < set->nr_members; i++)
			set->kick(set->members[i]);
	}
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += VCPU_SET_PAUSE_TIMEOUT_MS / 1000;
	while (set->nr_parked < set->nr_running && !set->stopping && ret != ETIMEDOUT)
		ret = pthread_cond_timedwait(&set->cond, &set->lock, &deadline);
	/* A stopping VM's vCPUs leave instead of parking, and may still be in KVM_RUN. */
	if (set->stopping)
		ret = -ESHUTDOWN;
	else
		ret = set->nr_parked < set->nr_running ? -ETIMEDOUT : 0;
	pthread_mutex_unlock(&set->lock);
	return ret;
}

void vcpu_set_resume(struct vcpu_set *set)
{
	pthread_mutex_lock(&set->lock);
	set->pause_requested = false;
	pthread_cond_broadcast(&set->cond);
	pthread_mutex_unlock(&set->lock);
}

bool vcpu_set_is_paused(struct vcpu_set *set)
{
	bool paused;

	pthread_mutex_lock(&set->lock);
	paused = set->pause_requested;
	pthread_mutex_unlock(&set->lock);
	return paused;
}

void vcpu_set_thread_starting(struct vcpu_set *set)
{
	pthread_mutex_lock(&set->lock);
	set->nr_running++;
	pthread_mutex_unlock(&set->lock);
}

void vcpu_set_park(struct vcpu_set *set, uint8_t *immediate_exit)
{
	pthread_mutex_lock(&set->lock);
	if (set->pause_requested && !set->stopping) {
		set->nr_parked++;
		pthread_cond_broadcast(&set->cond);
		while (set->pause_requested && !set->stopping)
			pthread_cond_wait(&set->cond, &set->lock);
		set->nr_parked--;
	}
	/* Cleared under the lock, so that a pause that begins now sets it again after. */
	if (!set->pause_requested && !set->stopping)
		*immediate_exit = 0;
	pthread_mutex_unlock(&set->lock);
}

void vcpu_set_thread_exited(struct vcpu_set *set)
{
	pthread_mutex_lock(&set->lock);
	set->nr_running--;
	pthread_cond_broadcast(&set->cond);
	pthread_mutex_unlock(&set->lock);
}
