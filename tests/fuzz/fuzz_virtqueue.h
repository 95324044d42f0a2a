/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The virtqueue fuzz target's input, shared with make-seeds.c which writes its seeds:
 *   struct vqf_params, then image_len bytes of guest RAM (the rest of RAM zero), then
 *   operations, one byte each (enum vqf_op in its low 3 bits), some with operands.
 * Ring offsets are biased: gpa = VQF_RAM_BASE + offset - VQF_GPA_BIAS, so small offsets
 * fall below RAM and large ones beyond it.
 */
#ifndef VMM_TESTS_FUZZ_VIRTQUEUE_H
#define VMM_TESTS_FUZZ_VIRTQUEUE_H

#include <stdint.h>

#define VQF_RAM_BASE 0x40000000ULL
#define VQF_RAM_SIZE 4096
#define VQF_GPA_BIAS 256

#define VQF_EVENT_IDX 1
#define VQF_INDIRECT 2

struct vqf_params {
	uint16_t size;		    /* QueueNum, unchecked: activate must refuse bad ones */
	uint8_t features;	    /* VQF_EVENT_IDX, VQF_INDIRECT */
	uint16_t desc, avail, used; /* biased offsets */
	uint16_t start;		    /* last_avail and used_idx, as a restore would set them */
	uint16_t image_len;	    /* RAM bytes that follow */
} __attribute__((packed));	    /* little-endian, as the fuzzing host is */

enum vqf_op {
	VQF_OP_POP,	/* one virtq_pop; a chain taken is read, written and pushed later */
	VQF_OP_PUSH,	/* the oldest chain taken back on the used ring */
	VQF_OP_NOTIFY,	/* virtq_should_notify */
	VQF_OP_ENABLE,	/* virtq_enable_notify */
	VQF_OP_DISABLE, /* virtq_disable_notify */
	VQF_OP_POKE,	/* the driver writes: offset (2 bytes LE, modulo RAM), value (1 byte) */
	VQF_OP_DRAIN,	/* pop and push until nothing is available or the ring is refused */
	VQF_OP_RESTORE, /* reset, then activate again at the index in the next 2 bytes */
};

#endif
