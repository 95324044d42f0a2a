/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_KVM_H
#define VMM_KVM_H

/*
 * The thin layer over the KVM ioctls: every ioctl vmm makes is here, each
 * returning 0 (or a value) or -errno. Only this file, vm.c and cpu/vcpu.c
 * need an arm64 host.
 */
#include <linux/kvm.h>
#include <stdbool.h>
#include <stdint.h>

#define KVM_DEVICE "/dev/kvm"

/* Opens /dev/kvm; on failure prints the line that tells the user what to do. */
int kvm_open_reporting(void);
int kvm_api_version(int kvm_fd);
int kvm_check_extension(int fd, long cap);
int kvm_create_vm(int kvm_fd, unsigned int ipa_bits);
int kvm_vcpu_mmap_size(int kvm_fd);
int kvm_set_memory(int vm_fd, unsigned int slot, uint64_t gpa, uint64_t size, void *hva);
int kvm_create_vcpu(int vm_fd, unsigned int id);
int kvm_preferred_target(int vm_fd, struct kvm_vcpu_init *init);
int kvm_vcpu_init(int vcpu_fd, const struct kvm_vcpu_init *init);
int kvm_get_reg(int vcpu_fd, uint64_t id, void *value);
int kvm_set_reg(int vcpu_fd, uint64_t id, const void *value);
int kvm_get_reg_u64(int vcpu_fd, uint64_t id, uint64_t *value);
int kvm_set_reg_u64(int vcpu_fd, uint64_t id, uint64_t value);
/* Returns a malloc'd list; the caller frees it. */
int kvm_get_reg_list(int vcpu_fd, struct kvm_reg_list **list);
int kvm_create_device(int vm_fd, uint32_t type);
/* 0 when this host's KVM can create a device of that type. */
int kvm_create_device_test(int vm_fd, uint32_t type);
int kvm_device_set_attr(int dev_fd, uint32_t group, uint64_t attr, const void *value);
int kvm_device_get_attr(int dev_fd, uint32_t group, uint64_t attr, void *value);
int kvm_device_has_attr(int dev_fd, uint32_t group, uint64_t attr);
int kvm_irq_line(int vm_fd, uint32_t irq, bool level);
/* A guest write of datamatch (len bytes) at MMIO addr signals fd instead of exiting. */
int kvm_ioeventfd(int vm_fd, uint64_t addr, unsigned int len, uint64_t datamatch, int fd);
/* A write to fd raises gsi: on arm64 the SPI number, which KVM injects as INTID gsi + 32. */
int kvm_irqfd(int vm_fd, unsigned int gsi, int fd);
int kvm_run(int vcpu_fd);
int kvm_enable_cap(int vm_fd, uint32_t cap, uint64_t arg0);
int kvm_set_mp_state(int vcpu_fd, uint32_t state);
int kvm_get_mp_state(int vcpu_fd, uint32_t *state);
int kvm_get_vcpu_events(int vcpu_fd, struct kvm_vcpu_events *events);
int kvm_set_vcpu_events(int vcpu_fd, const struct kvm_vcpu_events *events);

#endif
