// SPDX-License-Identifier: GPL-2.0
/* The KVM capabilities vmm needs or reports (kvm/caps.h). */
#include "kvm/caps.h"

#include <stddef.h>

#include "base/util.h"
#include "kvm/kvm.h"

/* The needed ones first: vm_check_host names the first one missing. */
const struct kvm_cap_desc kvm_caps[] = {
	{ KVM_CAP_ONE_REG, "KVM_CAP_ONE_REG", "to set registers" },
	{ KVM_CAP_ARM_PSCI_0_2, "KVM_CAP_ARM_PSCI_0_2", "for PSCI CPU_ON and power-off" },
	{ KVM_CAP_DEVICE_CTRL, "KVM_CAP_DEVICE_CTRL", "for the in-kernel GIC" },
	{ KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT", "to pause vCPUs reliably" },
	{ KVM_CAP_IRQ_ROUTING, "KVM_CAP_IRQ_ROUTING", "to raise device interrupts" },
	{ KVM_CAP_IOEVENTFD, "KVM_CAP_IOEVENTFD", "for virtio queue notifications" },
	{ KVM_CAP_IRQFD, "KVM_CAP_IRQFD", "for virtio interrupts" },
	{ KVM_CAP_ARM_VM_IPA_SIZE, "KVM_CAP_ARM_VM_IPA_SIZE", NULL },
	{ KVM_CAP_MAX_VCPUS, "KVM_CAP_MAX_VCPUS", NULL },
	{ KVM_CAP_ARM_SYSTEM_SUSPEND, "KVM_CAP_ARM_SYSTEM_SUSPEND", NULL },
};

_Static_assert(ARRAY_SIZE(kvm_caps) == KVM_CAPS_NR, "KVM_CAPS_NR counts kvm_caps");
