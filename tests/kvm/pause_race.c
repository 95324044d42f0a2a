// SPDX-License-Identifier: GPL-2.0
/*
 * vmm's pause rendezvous against vCPUs that leave KVM_RUN all the time: the
 * guest exits to userspace on every loop (an MMIO store), so a pause races an
 * exit nearly every time. 1000 times over: the pause returns 0 with every vCPU
 * parked, no guest counter moves while paused, and each moves again once
 * resumed (looked at every tenth round). Then the VM stops within a bound.
 */
#include <errno.h>
#include <time.h>
#include <unistd.h>

#include "kvm_test.h"

#define NR_CPUS 2
#define ROUNDS 1000
#define PROGRESS_TIMEOUT_MS 2000
#define STOP_TIMEOUT_MS 2000
/* Every this many rounds, the paused guest is watched for a while: it must not move. */
#define STILL_EVERY 100
#define STILL_MS 5
/*
 * Every this many rounds, the next pause waits until each vCPU has moved on.
 * The rounds between pause at once after the resume, racing the vCPUs' way
 * back into KVM_RUN; waiting every round would cost a scheduler tick each.
 */
#define PROGRESS_EVERY 10

/* The rendezvous under test (kvm/vcpu_set.h). */
static int pause_vcpus(struct vm *vm)
{
	return vcpu_set_pause(&vm->vcpu_set);
}

static void resume_vcpus(struct vm *vm)
{
	vcpu_set_resume(&vm->vcpu_set);
}

static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000LL + t.tv_nsec / 1000000;
}

/* As vm_run starts them: each counted as running before its thread exists. */
static int start_vcpus(struct vm *vm)
{
	unsigned int i;
	int ret = 0;

	for (i = 0; i < vm->nr_vcpus && !ret; i++) {
		vcpu_set_thread_starting(&vm->vcpu_set);
		ret = vcpu_start(&vm->vcpus[i]);
		if (ret)
			vcpu_set_thread_exited(&vm->vcpu_set);
	}
	return ret;
}

static unsigned int nr_parked(struct vm *vm)
{
	unsigned int n;

	pthread_mutex_lock(&vm->vcpu_set.lock);
	n = vm->vcpu_set.nr_parked;
	pthread_mutex_unlock(&vm->vcpu_set.lock);
	return n;
}

/*
 * Waits until every vCPU's counter has passed what it was at the pause. It
 * sleeps between looks: spinning would take a host CPU from the vCPUs it waits for.
 */
static bool all_moved(struct vm *vm, const uint64_t *at_pause)
{
	long long deadline = now_ms() + PROGRESS_TIMEOUT_MS;
	unsigned int i = 0;

	while (i < vm->nr_vcpus && now_ms() < deadline) {
		if (kt_counter(vm, i) != at_pause[i])
			i++;
		else
			usleep(50);
	}
	return i == vm->nr_vcpus;
}

static bool none_moved(struct vm *vm, const uint64_t *at_pause)
{
	unsigned int i;

	for (i = 0; i < vm->nr_vcpus; i++)
		if (kt_counter(vm, i) != at_pause[i])
			return false;
	return true;
}

struct round_failures {
	unsigned int pause, parked, still, progress;
	int first_pause_error;
	long long pause_ms, progress_ms; /* time spent in each, said at the end */
};

static void one_round(struct vm *vm, unsigned int round, struct round_failures *f)
{
	uint64_t at_pause[NR_CPUS];
	long long start = now_ms();
	unsigned int i;
	int ret = pause_vcpus(vm);

	f->pause_ms += now_ms() - start;

	if (ret) {
		f->first_pause_error = f->first_pause_error ?: ret;
		f->pause++;
	}
	f->parked += nr_parked(vm) != vm->nr_vcpus;
	for (i = 0; i < vm->nr_vcpus; i++)
		at_pause[i] = kt_counter(vm, i);
	if (round % STILL_EVERY == 0) {
		usleep(STILL_MS * 1000);
		f->still += !none_moved(vm, at_pause);
	}
	resume_vcpus(vm);
	if (round % PROGRESS_EVERY)
		return;
	start = now_ms();
	f->progress += !all_moved(vm, at_pause);
	f->progress_ms += now_ms() - start;
}

static void race(struct vm *vm)
{
	struct round_failures f = { 0 };
	unsigned int round;

	for (round = 0; round < ROUNDS; round++)
		one_round(vm, round, &f);
	printf("# %d rounds: %lld ms pausing, %lld ms waiting for progress\n", ROUNDS, f.pause_ms,
	       f.progress_ms);
	kt_check(!f.pause, "1000 pauses each return 0",
		 "expected 0 every time, got %u failures, the first %s", f.pause,
		 strerror(-f.first_pause_error));
	kt_check(!f.parked, "every vCPU parked at each pause",
		 "expected %u parked every time, got fewer in %u rounds", vm->nr_vcpus, f.parked);
	kt_check(!f.still, "no guest counter moves while paused",
		 "expected the counters still for %d ms, got movement in %u of %d looks", STILL_MS,
		 f.still, ROUNDS / STILL_EVERY);
	kt_check(!f.progress, "every vCPU makes progress between pauses",
		 "expected each counter to move within %d ms of a resume, got %u of %d without",
		 PROGRESS_TIMEOUT_MS, f.progress, ROUNDS / PROGRESS_EVERY);
}

/* As vm_run ends: the stop is requested, then each vCPU is kicked and joined. */
static void stop(struct vm *vm)
{
	long long start = now_ms(), took;
	unsigned int i, running;

	vcpu_set_request_exit(&vm->vcpu_set, 0);
	for (i = 0; i < vm->nr_vcpus; i++)
		vcpu_stop(&vm->vcpus[i]);
	took = now_ms() - start;
	pthread_mutex_lock(&vm->vcpu_set.lock);
	running = vm->vcpu_set.nr_running;
	pthread_mutex_unlock(&vm->vcpu_set.lock);
	kt_check(running == 0 && took < STOP_TIMEOUT_MS, "the VM stops cleanly and soon",
		 "expected 0 vCPUs running within %d ms, got %u after %lld ms", STOP_TIMEOUT_MS,
		 running, took);
}

int main(void)
{
	struct vm_config cfg;
	struct vm vm;
	int ret;

	if (!kt_vm_ready(&vm, &cfg, NR_CPUS))
		return kt_done();
	/* vcpu_set_pause relies on it (vm.c's required capabilities): without it there is no test. */
	if (kvm_check_extension(vm.vm_fd, KVM_CAP_IMMEDIATE_EXIT) <= 0) {
		kt_skip("1000 pauses each return 0", "this host lacks KVM_CAP_IMMEDIATE_EXIT");
		return kt_done();
	}
	ret = start_vcpus(&vm);
	if (kt_check(!ret, "start the vCPU threads", "expected 0, got %s", strerror(-ret)) &&
	    kt_check(all_moved(&vm, (uint64_t[NR_CPUS]){ 0 }), "the guest runs on every vCPU",
		     "expected every counter above 0 within %d ms", PROGRESS_TIMEOUT_MS))
		race(&vm);
	stop(&vm);
	return kt_done();
}
