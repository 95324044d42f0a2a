// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for what a driver can put in guest RAM for a split virtqueue: the input
 * is the queue's parameters, RAM's contents and a sequence of device operations and driver
 * writes (fuzz_virtqueue.h). RAM is a heap block of exactly VQF_RAM_SIZE bytes, so ASan
 * reports any access beyond it. Checked after each operation:
 *   activate  accepted rings lie wholly in RAM; a refusal resolves nothing
 *   pop       a chain taken advanced last_avail by one, has a head inside the queue, at most
 *             VIRTQ_CHAIN_MAX segments each non-empty and inside RAM, totals that match
 *             them and fit 32 bits; nothing taken (0 or -errno) left last_avail alone; the
 *             segments are read and written whole (iov_to_buf, iov_from_buf)
 *   push      used idx in RAM follows used_idx
 *   enable    its answer is whether avail idx in RAM differs from last_avail
 */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "virtio/virtqueue.h"

#include "fuzz.h"
#include "fuzz_virtqueue.h"

#define MAX_TAKEN VIRTQ_MAX_SIZE

struct state {
	uint8_t *ram;
	struct guest_mem gm;
	struct virtq vq;
	bool active;
	struct virtq_chain chain;
	uint16_t taken[MAX_TAKEN]; /* heads popped, not yet pushed */
	uint32_t taken_len[MAX_TAKEN];
	unsigned int first, nr_taken;
	const uint8_t *ops;
	size_t nr_ops, pos;
};

static uint8_t scratch[VIRTQ_CHAIN_MAX * VQF_RAM_SIZE];

static bool in_ram(const struct state *s, const void *p, size_t len)
{
	const uint8_t *b = p;

	return b >= s->ram && len <= VQF_RAM_SIZE && (size_t)(b - s->ram) <= VQF_RAM_SIZE - len;
}

static uint16_t ram_load16(const void *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return le16toh(v);
}

static void activate(struct state *s, const struct vqf_params *p, uint16_t start)
{
	struct virtq *vq = &s->vq;
	uint64_t event = p->features & VQF_EVENT_IDX ? 2 : 0;

	virtq_reset(vq);
	vq->size = p->size;
	vq->ready = true;
	vq->desc_gpa = VQF_RAM_BASE + p->desc - VQF_GPA_BIAS;
	vq->avail_gpa = VQF_RAM_BASE + p->avail - VQF_GPA_BIAS;
	vq->used_gpa = VQF_RAM_BASE + p->used - VQF_GPA_BIAS;
	vq->event_idx = p->features & VQF_EVENT_IDX;
	vq->indirect = p->features & VQF_INDIRECT;
	vq->last_avail = vq->used_idx = vq->signalled_used = start;
	s->active = !virtq_activate(vq, &s->gm);
	s->first = s->nr_taken = 0;
	if (!s->active) {
		check(!vq->desc && !vq->avail && !vq->used);
		return;
	}
	check(in_ram(s, vq->desc, 16 * vq->size));
	check(in_ram(s, vq->avail, 4 + 2 * vq->size + event));
	check(in_ram(s, vq->used, 4 + 8 * vq->size + event));
}

static void chain_check(struct state *s)
{
	const struct virtq_chain *c = &s->chain;
	size_t out = 0, in = 0, n;
	unsigned int i;

	check(c->head < s->vq.size);
	check(c->nr_out <= VIRTQ_CHAIN_MAX && c->nr_in <= VIRTQ_CHAIN_MAX);
	check(c->nr_out + c->nr_in <= VIRTQ_CHAIN_MAX);
	for (i = 0; i < c->nr_out; i++) {
		check(c->out[i].iov_len && in_ram(s, c->out[i].iov_base, c->out[i].iov_len));
		out += c->out[i].iov_len;
	}
	for (i = 0; i < c->nr_in; i++) {
		check(c->in[i].iov_len && in_ram(s, c->in[i].iov_base, c->in[i].iov_len));
		in += c->in[i].iov_len;
	}
	check(out == c->out_len && in == c->in_len && out + in <= UINT32_MAX);
	n = iov_to_buf(c->out, c->nr_out, 0, scratch, sizeof(scratch));
	check(n == out);
	memset(scratch, 0xa5, in);
	n = iov_from_buf(c->in, c->nr_in, 0, scratch, in);
	check(n == in);
}

static void push_oldest(struct state *s)
{
	struct virtq *vq = &s->vq;
	unsigned int i = s->first;

	if (!s->nr_taken)
		return;
	virtq_push(vq, s->taken[i], s->taken_len[i]);
	s->first = (i + 1) % MAX_TAKEN;
	s->nr_taken--;
	check(ram_load16((uint8_t *)vq->used + 2) == vq->used_idx);
}

/* 1 taken, else what virtq_pop said; nothing is taken unless it says 1. */
static int pop(struct state *s)
{
	uint16_t before = s->vq.last_avail;
	int ret;

	if (s->nr_taken == MAX_TAKEN)
		push_oldest(s);
	ret = virtq_pop(&s->vq, &s->chain);
	check(ret <= 1);
	if (ret != 1) {
		check(s->vq.last_avail == before);
		return ret;
	}
	check(s->vq.last_avail == (uint16_t)(before + 1));
	chain_check(s);
	s->taken[(s->first + s->nr_taken) % MAX_TAKEN] = s->chain.head;
	s->taken_len[(s->first + s->nr_taken) % MAX_TAKEN] = s->chain.in_len;
	s->nr_taken++;
	return 1;
}

static void drain(struct state *s)
{
	unsigned int i;

	for (i = 0; i <= 2u * s->vq.size && pop(s) == 1; i++)
		push_oldest(s);
	while (s->nr_taken)
		push_oldest(s);
	virtq_should_notify(&s->vq);
}

static bool take(struct state *s, void *out, size_t len)
{
	if (s->nr_ops - s->pos < len)
		return false;
	memcpy(out, s->ops + s->pos, len);
	s->pos += len;
	return true;
}

static void enable(struct state *s)
{
	struct virtq *vq = &s->vq;
	bool more = virtq_enable_notify(vq);

	check(more == (ram_load16((uint8_t *)vq->avail + 2) != vq->last_avail));
}

/* One operation; false when the input ends inside it. */
static bool op_run(struct state *s, const struct vqf_params *p)
{
	uint8_t op, value;
	uint16_t off;

	if (!take(s, &op, 1))
		return false;
	if ((op & 7) == VQF_OP_POKE) {
		if (!take(s, &off, 2) || !take(s, &value, 1))
			return false;
		s->ram[le16toh(off) % VQF_RAM_SIZE] = value;
		return true;
	}
	if ((op & 7) == VQF_OP_RESTORE) {
		if (!take(s, &off, 2))
			return false;
		activate(s, p, le16toh(off));
		return true;
	}
	if (!s->active)
		return true;
	switch (op & 7) {
	case VQF_OP_POP:
		pop(s);
		break;
	case VQF_OP_PUSH:
		push_oldest(s);
		break;
	case VQF_OP_NOTIFY:
		virtq_should_notify(&s->vq);
		break;
	case VQF_OP_ENABLE:
		enable(s);
		break;
	case VQF_OP_DISABLE:
		virtq_disable_notify(&s->vq);
		break;
	case VQF_OP_DRAIN:
		drain(s);
		break;
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct state s;
	struct vqf_params p;
	size_t image;

	if (size < sizeof(p))
		return 0;
	memcpy(&p, data, sizeof(p));
	image = p.image_len;
	if (image > VQF_RAM_SIZE)
		image = VQF_RAM_SIZE;
	if (image > size - sizeof(p))
		image = size - sizeof(p);
	s.ram = calloc(1, VQF_RAM_SIZE);
	check(s.ram);
	memcpy(s.ram, data + sizeof(p), image);
	check(!guest_mem_init(&s.gm, s.ram, VQF_RAM_BASE, VQF_RAM_SIZE));
	s.ops = data + sizeof(p) + image;
	s.nr_ops = size - sizeof(p) - image;
	s.pos = 0;
	activate(&s, &p, p.start);
	if (!s.nr_ops && s.active)
		drain(&s);
	while (op_run(&s, &p))
		;
	free(s.ram);
	return 0;
}
