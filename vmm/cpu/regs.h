/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_CPU_REGS_H
#define VMM_CPU_REGS_H

/*
 * KVM's arm64 register IDs (Documentation/virt/kvm/api.rst, KVM_SET_ONE_REG),
 * spelled out here so that code which names registers builds on any host.
 */
#include <stdint.h>

#define REG_ARM64 0x6000000000000000ULL
#define REG_SIZE_SHIFT 52
#define REG_SIZE_MASK 0x00f0000000000000ULL
#define REG_SIZE_U32 0x0020000000000000ULL
#define REG_SIZE_U64 0x0030000000000000ULL
#define REG_COPROC_SHIFT 16
#define REG_COPROC_MASK 0x000000000fff0000ULL
#define REG_COPROC_CORE 0x0010
#define REG_COPROC_DEMUX 0x0011
#define REG_COPROC_SYSREG 0x0013
#define REG_COPROC_FW 0x0014
#define REG_COPROC_SVE 0x0015
#define REG_COPROC_FW_FEAT_BMAP 0x0016

#define REG_CORE(off32) (REG_ARM64 | REG_SIZE_U64 | (REG_COPROC_CORE << REG_COPROC_SHIFT) | (off32))
/* Core registers are addressed in 32-bit words of struct kvm_regs. */
#define REG_CORE_X(n) REG_CORE((n)*2)
#define REG_CORE_SP REG_CORE(62)
#define REG_CORE_PC REG_CORE(64)
#define REG_CORE_PSTATE REG_CORE(66)

#define REG_SYS(op0, op1, crn, crm, op2)                                                          \
	(REG_ARM64 | REG_SIZE_U64 | (REG_COPROC_SYSREG << REG_COPROC_SHIFT) |                     \
	 ((uint64_t)(op0) << 14) | ((uint64_t)(op1) << 11) | ((uint64_t)(crn) << 7) |             \
	 ((uint64_t)(crm) << 3) | (uint64_t)(op2))
#define REG_MPIDR_EL1 REG_SYS(3, 0, 0, 0, 5)

#define REG_FW(n) (REG_ARM64 | REG_SIZE_U64 | (REG_COPROC_FW << REG_COPROC_SHIFT) | (n))
#define REG_FW_FEAT_BMAP(n)                                                                       \
	(REG_ARM64 | REG_SIZE_U64 | (REG_COPROC_FW_FEAT_BMAP << REG_COPROC_SHIFT) | (n))
#define REG_PSCI_VERSION REG_FW(0)

#define REG_MAX_BYTES 256 /* SVE Z registers: 2048 bits */

/* A register's value, and the value it had at vCPU reset where that is known. */
struct reg_value {
	uint64_t id;
	uint8_t *value;
	uint8_t *reset; /* NULL when unknown */
};

struct reg_values {
	unsigned int nr;
	struct reg_value *regs;
};

void reg_values_free(struct reg_values *rv);
const struct reg_value *reg_values_find(const struct reg_values *rv, uint64_t id);
/* Appends a register; value and reset (may be NULL) are copied. -ENOMEM, -EINVAL (size). */
int reg_values_add(struct reg_values *rv, uint64_t id, const void *value, const void *reset);

static inline unsigned int reg_coproc(uint64_t id)
{
	return (id & REG_COPROC_MASK) >> REG_COPROC_SHIFT;
}

static inline unsigned int reg_size_bytes(uint64_t id)
{
	return 1u << ((id & REG_SIZE_MASK) >> REG_SIZE_SHIFT);
}

static inline int reg_is_zero(uint64_t id, const uint8_t *value)
{
	unsigned int i;

	for (i = 0; i < reg_size_bytes(id); i++)
		if (value[i])
			return 0;
	return 1;
}

#endif
