/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_CPU_REGS_KVM_H
#define VMM_CPU_REGS_KVM_H

#include "cpu/regs.h"

/*
 * Every register KVM_GET_REG_LIST names for this vCPU, with its value; the
 * reset values of `reset` (when not NULL) are attached to the same IDs.
 */
int vcpu_regs_read(int vcpu_fd, const struct reg_values *reset, struct reg_values *out);

#endif
