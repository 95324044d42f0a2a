/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The harness of the KVM-level tests (tests/README.md, tests/kvm): each program
 * prints one line per check,
 *   ok N - WHAT
 *   not ok N - WHAT: WHY (what was expected, what came)
 *   skip N - WHAT: WHY (the precondition this host lacks)
 * then the plan "1..N", and exits 0 only when no check failed. WHAT never holds
 * ": ", so tests/boot/kvm.sh can tell it from WHY. The VM is built through
 * vmm's own layer (kvm/vm.c), as vmm builds it.
 */
#ifndef VMM_TESTS_KVM_TEST_H
#define VMM_TESTS_KVM_TEST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/config.h"
#include "board/layout.h"
#include "cpu/regs.h"
#include "kvm/kvm.h"
#include "kvm/vm.h"

static unsigned int kt_checks, kt_failed;

/* One check: ok when cond holds, otherwise "not ok" with the formatted WHY. */
static inline bool __attribute__((format(printf, 3, 4)))
kt_check(bool cond, const char *what, const char *why, ...)
{
	va_list ap;

	kt_checks++;
	if (cond) {
		printf("ok %u - %s\n", kt_checks, what);
	} else {
		kt_failed++;
		printf("not ok %u - %s: ", kt_checks, what);
		va_start(ap, why);
		vprintf(why, ap);
		va_end(ap);
		putchar('\n');
	}
	fflush(stdout); /* a crash later must not take the lines already decided */
	return cond;
}

/* A check this host cannot run: counted and reported, never a pass. */
static inline void kt_skip(const char *what, const char *why)
{
	printf("skip %u - %s: %s\n", ++kt_checks, what, why);
	fflush(stdout);
}

/* The plan line, and the exit status main returns. */
static inline int kt_done(void)
{
	printf("1..%u\n", kt_checks);
	return kt_failed ? 1 : 0;
}

/*
 * The address a test guest writes to: nothing is mapped there, so each write is
 * an MMIO exit. Past the virtio-mmio slots (0x0a000000 up), which devices will claim.
 */
#define KT_MMIO_ADDR 0x0b000000ULL
#define KT_RAM_SIZE LAYOUT_MIN_RAM
#define KT_CODE_GPA RAM_BASE
/* One 64-bit counter per vCPU, on a page of its own after the code. */
#define KT_COUNTER_GPA(id) (RAM_BASE + 0x1000 + 8 * (id))

/*
 * The test guest, hand-assembled: forever, ++*x0 and a store of it to *x1.
 * x0 and x1 are set per vCPU (kt_vm_create); the store to x1 exits to vmm,
 * and the counter shows from outside that the vCPU ran in between.
 */
static const uint32_t kt_guest_loop[] = {
	0xf9400002, /* loop: ldr x2, [x0]   */
	0x91000442, /*       add x2, x2, #1 */
	0xf9000002, /*       str x2, [x0]   */
	0xb9000022, /*       str w2, [x1]   (MMIO: a plain store, which KVM decodes) */
	0x17fffffc, /*       b loop         */
};

/* The guest's counter of vCPU id, as the guest last stored it. */
static inline uint64_t kt_counter(const struct vm *vm, unsigned int id)
{
	const volatile uint64_t *c =
		(const volatile uint64_t *)((char *)vm->ram + (KT_COUNTER_GPA(id) - RAM_BASE));

	return *c;
}

/*
 * Every vCPU starts at the loop with its own counter (none powered off, unlike
 * vmm's secondaries, which wait for PSCI CPU_ON). Returns 0 or -errno.
 */
static inline int kt_vcpus_enter_loop(struct vm *vm)
{
	unsigned int i;
	int ret = 0;

	memcpy(vm->ram, kt_guest_loop, sizeof(kt_guest_loop));
	for (i = 0; i < vm->nr_vcpus && !ret; i++) {
		ret = kvm_set_reg_u64(vm->vcpus[i].fd, REG_CORE_PC, KT_CODE_GPA);
		ret = ret ?: kvm_set_reg_u64(vm->vcpus[i].fd, REG_CORE_X(0), KT_COUNTER_GPA(i));
		ret = ret ?: kvm_set_reg_u64(vm->vcpus[i].fd, REG_CORE_X(1), KT_MMIO_ADDR);
	}
	return ret;
}

/*
 * A VM as vmm builds one (vm_setup, RAM, vCPUs with PSCI 0.2, the vGIC), its
 * vCPUs at the test loop, none run yet. cfg must outlive vm. Returns 0, or a
 * VMM_EXIT_* status (vmm's layer has printed why) or -errno.
 */
static inline int kt_vm_create(struct vm *vm, struct vm_config *cfg, int kvm_fd,
			       unsigned int nr_cpus)
{
	struct kvm_vcpu_init inits[LAYOUT_MAX_CPUS];
	unsigned int i;
	int ret;

	config_init(cfg);
	cfg->nr_cpus = nr_cpus;
	cfg->ram_size = KT_RAM_SIZE;
	ret = vm_setup(vm, cfg, kvm_fd, layout_ipa_bits(cfg->ram_size));
	ret = ret ?: vm_map_ram(vm, -1, 0);
	ret = ret ?: kvm_preferred_target(vm->vm_fd, &inits[0]);
	if (ret)
		return ret;
	inits[0].features[0] |= 1u << KVM_ARM_VCPU_PSCI_0_2;
	for (i = 1; i < nr_cpus; i++)
		inits[i] = inits[0];
	ret = vm_add_vcpus(vm, inits);
	return ret ?: kt_vcpus_enter_loop(vm);
}

/*
 * /dev/kvm (opened once) and a VM of nr_cpus from kt_vm_create, as one check:
 * false when either failed, which the check has said.
 */
static inline bool kt_vm_ready(struct vm *vm, struct vm_config *cfg, unsigned int nr_cpus)
{
	static int kvm_fd = -1;
	int ret = 0;

	if (kvm_fd < 0)
		kvm_fd = kvm_open_reporting();
	if (kvm_fd < 0)
		ret = kvm_fd;
	else
		ret = kt_vm_create(vm, cfg, kvm_fd, nr_cpus);
	return kt_check(!ret, "create a VM at the test loop", "expected 0 (%u vCPUs), got %d: %s",
			nr_cpus, ret,
			ret < 0 ? strerror(-ret) : "the exit status vmm would end with");
}

#endif
