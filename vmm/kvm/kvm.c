// SPDX-License-Identifier: GPL-2.0
#include "kvm/kvm.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "base/util.h"

static int kvm_ioctl(int fd, unsigned long request, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, request, arg);
	} while (ret < 0 && errno == EINTR && request != KVM_RUN);
	return ret < 0 ? -errno : ret;
}

int kvm_open_reporting(void)
{
	int fd = open(KVM_DEVICE, O_RDWR | O_CLOEXEC);

	if (fd >= 0)
		return fd;
	fd = -errno;
	if (fd == -ENOENT)
		vmm_err("%s does not exist: this host has no KVM; run on an arm64 host with KVM "
			"(or inside tests/armhost/run)",
			KVM_DEVICE);
	else if (fd == -EACCES || fd == -EPERM)
		vmm_err("no permission to open %s; add your user to the kvm group or run as root",
			KVM_DEVICE);
	else
		vmm_err("cannot open %s: %s", KVM_DEVICE, strerror(-fd));
	return fd;
}

int kvm_api_version(int kvm_fd)
{
	return kvm_ioctl(kvm_fd, KVM_GET_API_VERSION, NULL);
}

int kvm_check_extension(int fd, long cap)
{
	return kvm_ioctl(fd, KVM_CHECK_EXTENSION, (void *)cap);
}

int kvm_create_vm(int kvm_fd, unsigned int ipa_bits)
{
	return kvm_ioctl(kvm_fd, KVM_CREATE_VM, (void *)(unsigned long)KVM_VM_TYPE_ARM_IPA_SIZE(ipa_bits));
}

int kvm_vcpu_mmap_size(int kvm_fd)
{
	return kvm_ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, NULL);
}

int kvm_set_memory(int vm_fd, unsigned int slot, uint64_t gpa, uint64_t size, void *hva)
{
	struct kvm_userspace_memory_region region = {
		.slot = slot,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (uint64_t)(unsigned long)hva,
	};

	return kvm_ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION, &region);
}

int kvm_create_vcpu(int vm_fd, unsigned int id)
{
	return kvm_ioctl(vm_fd, KVM_CREATE_VCPU, (void *)(unsigned long)id);
}

int kvm_preferred_target(int vm_fd, struct kvm_vcpu_init *init)
{
	return kvm_ioctl(vm_fd, KVM_ARM_PREFERRED_TARGET, init);
}

int kvm_vcpu_init(int vcpu_fd, const struct kvm_vcpu_init *init)
{
	return kvm_ioctl(vcpu_fd, KVM_ARM_VCPU_INIT, (void *)init);
}

int kvm_get_reg(int vcpu_fd, uint64_t id, void *value)
{
	struct kvm_one_reg reg = { .id = id, .addr = (uint64_t)(unsigned long)value };

	return kvm_ioctl(vcpu_fd, KVM_GET_ONE_REG, &reg);
}

int kvm_set_reg(int vcpu_fd, uint64_t id, const void *value)
{
	struct kvm_one_reg reg = { .id = id, .addr = (uint64_t)(unsigned long)value };

	return kvm_ioctl(vcpu_fd, KVM_SET_ONE_REG, &reg);
}

int kvm_get_reg_u64(int vcpu_fd, uint64_t id, uint64_t *value)
{
	return kvm_get_reg(vcpu_fd, id, value);
}

int kvm_set_reg_u64(int vcpu_fd, uint64_t id, uint64_t value)
{
	return kvm_set_reg(vcpu_fd, id, &value);
}

/* The first call learns the count (E2BIG), the second fills the list. */
int kvm_get_reg_list(int vcpu_fd, struct kvm_reg_list **out)
{
	struct kvm_reg_list probe = { .n = 0 }, *list;
	int ret = kvm_ioctl(vcpu_fd, KVM_GET_REG_LIST, &probe);

	if (ret != -E2BIG)
		return ret ? ret : -EINVAL;
	list = malloc(sizeof(*list) + probe.n * sizeof(list->reg[0]));
	if (!list)
		return -ENOMEM;
	list->n = probe.n;
	ret = kvm_ioctl(vcpu_fd, KVM_GET_REG_LIST, list);
	if (ret) {
		free(list);
		return ret;
	}
	*out = list;
	return 0;
}

int kvm_create_device(int vm_fd, uint32_t type)
{
	struct kvm_create_device dev = { .type = type };
	int ret = kvm_ioctl(vm_fd, KVM_CREATE_DEVICE, &dev);

	return ret < 0 ? ret : (int)dev.fd;
}

int kvm_create_device_test(int vm_fd, uint32_t type)
{
	struct kvm_create_device dev = { .type = type, .flags = KVM_CREATE_DEVICE_TEST };

	return kvm_ioctl(vm_fd, KVM_CREATE_DEVICE, &dev);
}

int kvm_device_set_attr(int dev_fd, uint32_t group, uint64_t attr, const void *value)
{
	struct kvm_device_attr a = { .group = group, .attr = attr,
				     .addr = (uint64_t)(unsigned long)value };

	return kvm_ioctl(dev_fd, KVM_SET_DEVICE_ATTR, &a);
}

int kvm_device_get_attr(int dev_fd, uint32_t group, uint64_t attr, void *value)
{
	struct kvm_device_attr a = { .group = group, .attr = attr,
				     .addr = (uint64_t)(unsigned long)value };

	return kvm_ioctl(dev_fd, KVM_GET_DEVICE_ATTR, &a);
}

int kvm_device_has_attr(int dev_fd, uint32_t group, uint64_t attr)
{
	struct kvm_device_attr a = { .group = group, .attr = attr };

	return kvm_ioctl(dev_fd, KVM_HAS_DEVICE_ATTR, &a);
}

int kvm_irq_line(int vm_fd, uint32_t irq, bool level)
{
	struct kvm_irq_level line = { .irq = irq, .level = level };

	return kvm_ioctl(vm_fd, KVM_IRQ_LINE, &line);
}

int kvm_ioeventfd(int vm_fd, uint64_t addr, unsigned int len, uint64_t datamatch, int fd)
{
	struct kvm_ioeventfd io = { .datamatch = datamatch, .addr = addr, .len = len, .fd = fd,
				    .flags = KVM_IOEVENTFD_FLAG_DATAMATCH };

	return kvm_ioctl(vm_fd, KVM_IOEVENTFD, &io);
}

/*
 * arm64 routes irqfds by default as gsi = SPI number, injected as INTID gsi + 32
 * (api.rst, KVM_IRQFD; virt/kvm/arm/vgic/vgic-irqfd.c adds VGIC_NR_PRIVATE_IRQS).
 */
int kvm_irqfd(int vm_fd, unsigned int gsi, int fd)
{
	struct kvm_irqfd irq = { .fd = fd, .gsi = gsi };

	return kvm_ioctl(vm_fd, KVM_IRQFD, &irq);
}

int kvm_run(int vcpu_fd)
{
	return kvm_ioctl(vcpu_fd, KVM_RUN, NULL);
}

int kvm_enable_cap(int vm_fd, uint32_t cap, uint64_t arg0)
{
	struct kvm_enable_cap c = { .cap = cap, .args = { arg0 } };

	return kvm_ioctl(vm_fd, KVM_ENABLE_CAP, &c);
}

int kvm_set_mp_state(int vcpu_fd, uint32_t state)
{
	struct kvm_mp_state mp = { .mp_state = state };

	return kvm_ioctl(vcpu_fd, KVM_SET_MP_STATE, &mp);
}

int kvm_get_mp_state(int vcpu_fd, uint32_t *state)
{
	struct kvm_mp_state mp;
	int ret = kvm_ioctl(vcpu_fd, KVM_GET_MP_STATE, &mp);

	if (!ret)
		*state = mp.mp_state;
	return ret;
}

int kvm_get_vcpu_events(int vcpu_fd, struct kvm_vcpu_events *events)
{
	return kvm_ioctl(vcpu_fd, KVM_GET_VCPU_EVENTS, events);
}

int kvm_set_vcpu_events(int vcpu_fd, const struct kvm_vcpu_events *events)
{
	return kvm_ioctl(vcpu_fd, KVM_SET_VCPU_EVENTS, (void *)events);
}
