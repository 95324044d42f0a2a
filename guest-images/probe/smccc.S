/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SMCCC conduits. SMCCC v1.0 lets the callee clobber x4-x17, so the result
 * pointer lives on the stack across the call rather than in a scratch
 * register; x0-x18 are caller-saved in AAPCS64 anyway. x2 and x3 are zeroed
 * so that no call sees leftover arguments, which keeps the answers stable.
 */
	.macro smccc_conduit name, insn
	.section .text.\name, "ax"
	.globl \name
	.type \name, %function
	.balign 4
\name:
	str	x2, [sp, #-16]!
	mov	x2, xzr
	mov	x3, xzr
	\insn	#0
	ldr	x4, [sp], #16
	stp	x0, x1, [x4]
	stp	x2, x3, [x4, #16]
	ret
	.size \name, . - \name
	.endm

	smccc_conduit smccc_hvc, hvc
	smccc_conduit smccc_smc, smc
