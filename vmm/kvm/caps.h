/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_KVM_CAPS_H
#define VMM_KVM_CAPS_H

/*
 * The KVM capabilities vmm asks a host about, in one table: vm_check_host
 * refuses a host without the ones a guest needs, and host-info reports all of
 * them, in this order.
 */
struct kvm_cap_desc {
	long cap;
	const char *name;
	const char *needed_for; /* why vmm cannot run a guest without it; NULL: only reported */
};

#define KVM_CAPS_NR 10
extern const struct kvm_cap_desc kvm_caps[];

#endif
