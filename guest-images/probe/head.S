/* SPDX-License-Identifier: GPL-2.0 */
/*
 * arm64 Linux Image header and entry (Documentation/arch/arm64/booting.rst).
 * Entered with the MMU and caches off, x0 = device tree address. Everything
 * here is PC-relative: the image is linked at 0 but runs wherever the loader
 * put it. adrp needs the load address to keep the link-time 4 KiB page
 * offset, which a 2 MiB aligned base plus our text_offset of 0 guarantees.
 */

/* booting.rst flags: bit 0 little-endian (0), bits 1-2 4K pages (1), bit 3 anywhere (1). */
#define PROBE_IMAGE_FLAGS ((1 << 1) | (1 << 3))

#define CURRENT_EL_EL2 (2 << 2)

	.section .head.text, "ax"
	.globl _head
_head:
	b	primary_entry		/* code0 */
	.long	0			/* code1 */
	.quad	0			/* text_offset */
	.quad	probe_image_size	/* image_size, includes .bss and the stack */
	.quad	PROBE_IMAGE_FLAGS
	.quad	0			/* res2 */
	.quad	0			/* res3 */
	.quad	0			/* res4 */
	.ascii	"ARM\x64"		/* magic */
	.long	0			/* res5: no PE/COFF header */

primary_entry:
	mov	x19, x0
	msr	daifset, #0xf
	msr	spsel, #1

	adrp	x0, __bss_start
	add	x0, x0, :lo12:__bss_start
	adrp	x1, __bss_end
	add	x1, x1, :lo12:__bss_end
1:	cmp	x0, x1
	b.hs	2f
	stp	xzr, xzr, [x0], #16
	b	1b
2:
	adrp	x0, __stack_top
	add	x0, x0, :lo12:__stack_top
	mov	sp, x0

	/*
	 * QEMU's virt with virtualization=on enters at EL2, so the vectors go
	 * wherever we run. They only report: a probe that faults is a bug.
	 */
	adrp	x0, exception_vectors
	add	x0, x0, :lo12:exception_vectors
	mrs	x1, CurrentEL
	cmp	x1, #CURRENT_EL_EL2
	b.eq	3f
	msr	vbar_el1, x0
	b	4f
3:	msr	vbar_el2, x0
4:	isb

	mov	x0, x19
	bl	probe_main
5:	wfe
	b	5b

	.macro	vector_entry index
	.balign	0x80
	mov	x0, #\index
	b	exception_common
	.endm

	/* VBAR_ELx ignores bits [10:0]: the table must be 2 KiB aligned. */
	.section .text.vectors, "ax"
	.balign	0x800
exception_vectors:
	.irp	index, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	vector_entry \index
	.endr

exception_common:
	mrs	x1, CurrentEL
	cmp	x1, #CURRENT_EL_EL2
	b.eq	1f
	mrs	x1, esr_el1
	mrs	x2, elr_el1
	b	probe_exception
1:	mrs	x1, esr_el2
	mrs	x2, elr_el2
	b	probe_exception
