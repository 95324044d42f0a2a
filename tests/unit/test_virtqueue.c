// SPDX-License-Identifier: GPL-2.0
/* virtqueue: the split ring walked as a device does, over rings built in a fake guest RAM. */
#include <endian.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "virtio/virtqueue.h"
#include "suites.h"

#define BASE 0x40000000ULL
#define SIZE 0x10000ULL
#define DESC_GPA (BASE + 0x0000)
#define AVAIL_GPA (BASE + 0x1000)
#define USED_GPA (BASE + 0x2000)
#define TABLE_GPA (BASE + 0x3000) /* indirect tables */
#define BUF_GPA (BASE + 0x8000)	  /* buffers */
#define QSIZE 8

#define F_NEXT VIRTQ_DESC_F_NEXT
#define F_WRITE VIRTQ_DESC_F_WRITE
#define F_INDIRECT VIRTQ_DESC_F_INDIRECT

static uint8_t *ram;
static struct guest_mem gm;
static struct virtq vq;
static struct virtq_chain chain;
static uint16_t driver_avail; /* the driver's avail idx */

static void *host(uint64_t gpa)
{
	return ram + (gpa - BASE);
}

static void put16(uint64_t gpa, uint16_t v)
{
	v = htole16(v);
	memcpy(host(gpa), &v, 2);
}

static uint16_t get16(uint64_t gpa)
{
	uint16_t v;

	memcpy(&v, host(gpa), 2);
	return le16toh(v);
}

static uint32_t get32(uint64_t gpa)
{
	uint32_t v;

	memcpy(&v, host(gpa), 4);
	return le32toh(v);
}

/* Entry i of the descriptor table at table (the queue's or an indirect one). */
static void desc_put(uint64_t table, unsigned int i, uint64_t addr, uint32_t len, uint16_t flags,
		     uint16_t next)
{
	uint8_t *d = host(table + 16ULL * i);
	uint64_t a = htole64(addr);
	uint32_t l = htole32(len);
	uint16_t f = htole16(flags), n = htole16(next);

	memcpy(d, &a, 8);
	memcpy(d + 8, &l, 4);
	memcpy(d + 12, &f, 2);
	memcpy(d + 14, &n, 2);
}

/* The driver offers head: ring entry, then idx. */
static void avail_add(uint16_t head)
{
	put16(AVAIL_GPA + 4 + 2 * (driver_avail % vq.size), head);
	put16(AVAIL_GPA + 2, ++driver_avail);
}

static void queue_start(uint16_t size, bool event_idx, bool indirect, uint16_t start)
{
	int ret;

	virtq_reset(&vq);
	vq.size = size;
	vq.desc_gpa = DESC_GPA;
	vq.avail_gpa = AVAIL_GPA;
	vq.used_gpa = USED_GPA;
	vq.event_idx = event_idx;
	vq.indirect = indirect;
	vq.ready = true;
	vq.last_avail = vq.used_idx = vq.signalled_used = start;
	driver_avail = start;
	put16(AVAIL_GPA + 2, start);
	put16(USED_GPA + 2, start);
	ret = virtq_activate(&vq, &gm);
	ck_assert_msg(ret == 0, "virtq_activate: expected 0, got %d", ret);
}

static void setup(void)
{
	int ret;

	ram = calloc(1, SIZE);
	ck_assert_msg(ram != NULL, "calloc of fake RAM failed");
	ret = guest_mem_init(&gm, ram, BASE, SIZE);
	ck_assert_msg(ret == 0, "guest_mem_init: expected 0, got %d", ret);
	memset(&chain, 0, sizeof(chain));
	queue_start(QSIZE, false, false, 0);
}

static void teardown(void)
{
	free(ram);
}

static void pop_ok(uint16_t head, unsigned int nr_out, unsigned int nr_in, size_t out_len,
		   size_t in_len)
{
	uint16_t before = vq.last_avail;
	int ret = virtq_pop(&vq, &chain);

	ck_assert_msg(ret == 1, "virtq_pop: expected 1, got %d", ret);
	ck_assert_msg(chain.head == head, "head: expected %u, got %u", head, chain.head);
	ck_assert_msg(chain.nr_out == nr_out && chain.nr_in == nr_in,
		      "segments: expected %u out %u in, got %u out %u in", nr_out, nr_in,
		      chain.nr_out, chain.nr_in);
	ck_assert_msg(chain.out_len == out_len && chain.in_len == in_len,
		      "lengths: expected %zu out %zu in, got %zu out %zu in", out_len, in_len,
		      chain.out_len, chain.in_len);
	ck_assert_msg(vq.last_avail == (uint16_t)(before + 1), "last_avail: expected %u, got %u",
		      (uint16_t)(before + 1), vq.last_avail);
}

/* A refused chain: the errno, and nothing consumed (asked again, the same answer). */
static void pop_fails(int err)
{
	uint16_t before = vq.last_avail;
	int ret = virtq_pop(&vq, &chain);

	ck_assert_msg(ret == err, "virtq_pop: expected %d, got %d", err, ret);
	ck_assert_msg(vq.last_avail == before, "last_avail: expected %u (unchanged), got %u",
		      before, vq.last_avail);
	ret = virtq_pop(&vq, &chain);
	ck_assert_msg(ret == err, "virtq_pop again: expected %d, got %d", err, ret);
	ck_assert_msg(vq.last_avail == before, "last_avail again: expected %u, got %u", before,
		      vq.last_avail);
}

static void seg_is(const struct iovec *iov, uint64_t gpa, size_t len)
{
	ck_assert_msg(iov->iov_base == host(gpa) && iov->iov_len == len,
		      "segment: expected %p+%zu, got %p+%zu", host(gpa), len, iov->iov_base,
		      iov->iov_len);
}

START_TEST(test_single)
{
	desc_put(DESC_GPA, 3, BUF_GPA, 100, 0, 0);
	avail_add(3);
	pop_ok(3, 1, 0, 100, 0);
	seg_is(&chain.out[0], BUF_GPA, 100);
	ck_assert_msg(virtq_pop(&vq, &chain) == 0, "second pop: expected 0 (none available)");
}
END_TEST

/* A block request: 16-byte header, 512 bytes of data to fill, a status byte. */
static void blk_chain(uint64_t table, unsigned int first)
{
	desc_put(table, first, BUF_GPA, 16, F_NEXT, first + 1);
	desc_put(table, first + 1, BUF_GPA + 0x100, 512, F_NEXT | F_WRITE, first + 2);
	desc_put(table, first + 2, BUF_GPA + 0x400, 1, F_WRITE, 0);
}

static void blk_check(void)
{
	seg_is(&chain.out[0], BUF_GPA, 16);
	seg_is(&chain.in[0], BUF_GPA + 0x100, 512);
	seg_is(&chain.in[1], BUF_GPA + 0x400, 1);
}

START_TEST(test_blk_chain)
{
	blk_chain(DESC_GPA, 0);
	avail_add(0);
	pop_ok(0, 1, 2, 16, 513);
	blk_check();
}
END_TEST

START_TEST(test_indirect)
{
	queue_start(QSIZE, false, true, 0);
	blk_chain(TABLE_GPA, 0);
	desc_put(DESC_GPA, 5, TABLE_GPA, 3 * 16, F_INDIRECT, 0);
	avail_add(5);
	pop_ok(5, 1, 2, 16, 513);
	blk_check();
}
END_TEST

/* Direct descriptors, then an indirect table for the rest. */
START_TEST(test_indirect_after_direct)
{
	queue_start(QSIZE, false, true, 0);
	desc_put(DESC_GPA, 0, BUF_GPA, 16, F_NEXT, 1);
	desc_put(DESC_GPA, 1, TABLE_GPA, 2 * 16, F_INDIRECT, 0);
	desc_put(TABLE_GPA, 0, BUF_GPA + 0x100, 512, F_NEXT | F_WRITE, 1);
	desc_put(TABLE_GPA, 1, BUF_GPA + 0x400, 1, F_WRITE, 0);
	avail_add(0);
	pop_ok(0, 1, 2, 16, 513);
	blk_check();
}
END_TEST

START_TEST(test_indirect_not_negotiated)
{
	blk_chain(TABLE_GPA, 0);
	desc_put(DESC_GPA, 0, TABLE_GPA, 3 * 16, F_INDIRECT, 0);
	avail_add(0);
	pop_fails(-EINVAL);
}
END_TEST

/* Indirect descriptors the driver must not write (2.7.5.3.1), each with its errno. */
static const struct {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	int err;
} bad_indirect[] = {
	{ TABLE_GPA, 0, F_INDIRECT, -EINVAL },			       /* empty */
	{ TABLE_GPA, 17, F_INDIRECT, -EINVAL },			       /* not a multiple of 16 */
	{ TABLE_GPA, 3 * 16, F_INDIRECT | F_NEXT, -EINVAL },	       /* chained on */
	{ TABLE_GPA, 16 * (VIRTQ_CHAIN_MAX + 1), F_INDIRECT, -E2BIG }, /* too many entries */
	{ BASE + SIZE - 32, 3 * 16, F_INDIRECT, -EFAULT },	       /* partly outside RAM */
	{ BASE + SIZE, 16, F_INDIRECT, -EFAULT },		       /* outside RAM */
};

START_TEST(test_indirect_bad)
{
	queue_start(QSIZE, false, true, 0);
	blk_chain(TABLE_GPA, 0);
	desc_put(DESC_GPA, 0, bad_indirect[_i].addr, bad_indirect[_i].len, bad_indirect[_i].flags,
		 1);
	desc_put(DESC_GPA, 1, BUF_GPA, 1, 0, 0);
	avail_add(0);
	pop_fails(bad_indirect[_i].err);
}
END_TEST

START_TEST(test_indirect_nested)
{
	queue_start(QSIZE, false, true, 0);
	desc_put(TABLE_GPA, 0, BUF_GPA, 16, F_NEXT, 1);
	desc_put(TABLE_GPA, 1, TABLE_GPA + 0x100, 16, F_INDIRECT, 0);
	desc_put(TABLE_GPA + 0x100, 0, BUF_GPA, 1, F_WRITE, 0);
	desc_put(DESC_GPA, 0, TABLE_GPA, 2 * 16, F_INDIRECT, 0);
	avail_add(0);
	pop_fails(-EINVAL);
}
END_TEST

START_TEST(test_indirect_loop)
{
	queue_start(QSIZE, false, true, 0);
	desc_put(TABLE_GPA, 0, BUF_GPA, 1, F_NEXT, 1);
	desc_put(TABLE_GPA, 1, BUF_GPA, 1, F_NEXT, 0);
	desc_put(DESC_GPA, 0, TABLE_GPA, 2 * 16, F_INDIRECT, 0);
	avail_add(0);
	pop_fails(-ELOOP);
}
END_TEST

/* next past the indirect table's end, though within the queue's size. */
START_TEST(test_indirect_next_past_table)
{
	queue_start(QSIZE, false, true, 0);
	desc_put(TABLE_GPA, 0, BUF_GPA, 1, F_NEXT, 2);
	desc_put(TABLE_GPA, 1, BUF_GPA, 1, 0, 0);
	desc_put(DESC_GPA, 0, TABLE_GPA, 2 * 16, F_INDIRECT, 0);
	avail_add(0);
	pop_fails(-EINVAL);
}
END_TEST

/* A full indirect table after a direct segment: one segment more than a chain may have. */
START_TEST(test_too_many_segments)
{
	unsigned int i;

	queue_start(QSIZE, false, true, 0);
	for (i = 0; i < VIRTQ_CHAIN_MAX; i++)
		desc_put(TABLE_GPA, i, BUF_GPA + i, 1, i + 1 < VIRTQ_CHAIN_MAX ? F_NEXT : 0, i + 1);
	desc_put(DESC_GPA, 0, BUF_GPA, 1, F_NEXT, 1);
	desc_put(DESC_GPA, 1, TABLE_GPA, 16 * VIRTQ_CHAIN_MAX, F_INDIRECT, 0);
	avail_add(1);
	pop_ok(1, VIRTQ_CHAIN_MAX, 0, VIRTQ_CHAIN_MAX, 0); /* the table alone fits exactly */
	seg_is(&chain.out[VIRTQ_CHAIN_MAX - 1], BUF_GPA + VIRTQ_CHAIN_MAX - 1, 1);
	avail_add(0);
	pop_fails(-E2BIG);
}
END_TEST

START_TEST(test_loop)
{
	desc_put(DESC_GPA, 0, BUF_GPA, 1, F_NEXT, 1);
	desc_put(DESC_GPA, 1, BUF_GPA, 1, F_NEXT, 0);
	avail_add(0);
	pop_fails(-ELOOP);
}
END_TEST

/* Every entry of the queue in one chain is fine; one hop more cannot be. */
START_TEST(test_longer_than_queue)
{
	unsigned int i;

	for (i = 0; i < QSIZE; i++)
		desc_put(DESC_GPA, i, BUF_GPA, 1, F_NEXT, (i + 1) % QSIZE);
	desc_put(DESC_GPA, QSIZE - 1, BUF_GPA, 1, 0, 0);
	avail_add(0);
	pop_ok(0, QSIZE, 0, QSIZE, 0);
	desc_put(DESC_GPA, QSIZE - 1, BUF_GPA, 1, F_NEXT, 0);
	avail_add(0);
	pop_fails(-ELOOP);
}
END_TEST

START_TEST(test_index_past_queue)
{
	avail_add(QSIZE); /* head */
	pop_fails(-EINVAL);
	vq.last_avail = driver_avail; /* the test's own reset: skip that entry */
	desc_put(DESC_GPA, 0, BUF_GPA, 1, F_NEXT, QSIZE); /* next */
	avail_add(0);
	pop_fails(-EINVAL);
}
END_TEST

/* Buffers not all in RAM. */
static const struct {
	uint64_t addr;
	uint32_t len;
} bad_buffers[] = {
	{ BASE + SIZE, 1 },	   /* just past RAM */
	{ BASE - 16, 1 },	   /* below RAM */
	{ BASE + SIZE - 10, 100 }, /* partly outside */
	{ UINT64_MAX - 10, 100 },  /* wraps past 2^64 */
	{ 0, 1 },		   /* address 0 */
};

START_TEST(test_buffer_outside_ram)
{
	desc_put(DESC_GPA, 0, BUF_GPA, 16, F_NEXT, 1);
	desc_put(DESC_GPA, 1, bad_buffers[_i].addr, bad_buffers[_i].len, F_WRITE, 0);
	avail_add(0);
	pop_fails(-EFAULT);
}
END_TEST

/* An empty buffer carries nothing, wherever it points. */
START_TEST(test_empty_buffer)
{
	desc_put(DESC_GPA, 0, BUF_GPA, 16, F_NEXT, 1);
	desc_put(DESC_GPA, 1, 0, 0, F_WRITE | F_NEXT, 2);
	desc_put(DESC_GPA, 2, BUF_GPA + 0x400, 1, F_WRITE, 0);
	avail_add(0);
	pop_ok(0, 1, 1, 16, 1);
	seg_is(&chain.in[0], BUF_GPA + 0x400, 1);
}
END_TEST

START_TEST(test_length_overflow)
{
	desc_put(DESC_GPA, 0, BUF_GPA, 16, F_NEXT, 1);
	desc_put(DESC_GPA, 1, BUF_GPA, UINT32_MAX, F_WRITE, 0);
	avail_add(0);
	pop_fails(-EOVERFLOW);
}
END_TEST

START_TEST(test_readable_after_writable)
{
	desc_put(DESC_GPA, 0, BUF_GPA, 16, F_WRITE | F_NEXT, 1);
	desc_put(DESC_GPA, 1, BUF_GPA + 0x100, 16, 0, 0);
	avail_add(0);
	pop_fails(-EINVAL);
}
END_TEST

START_TEST(test_avail_jump)
{
	unsigned int i;

	desc_put(DESC_GPA, 0, BUF_GPA, 1, 0, 0);
	put16(AVAIL_GPA + 2, QSIZE + 1);
	pop_fails(-EPROTO);
	/* Exactly size ahead is a full ring: fine. */
	for (i = 0; i < QSIZE; i++)
		avail_add(0);
	for (i = 0; i < QSIZE; i++)
		pop_ok(0, 1, 0, 1, 0);
	ck_assert_msg(virtq_pop(&vq, &chain) == 0, "pop of an empty ring: expected 0");
}
END_TEST

START_TEST(test_not_activated)
{
	virtq_reset(&vq);
	ck_assert_msg(virtq_pop(&vq, &chain) == 0, "pop before activate: expected 0");
	ck_assert_msg(vq.avail == NULL && vq.last_avail == 0 && !vq.ready, "reset state");
}
END_TEST

START_TEST(test_push)
{
	desc_put(DESC_GPA, 2, BUF_GPA, 1, F_WRITE, 0);
	avail_add(2);
	pop_ok(2, 0, 1, 0, 1);
	virtq_push(&vq, chain.head, 1);
	ck_assert_msg(get32(USED_GPA + 4) == 2 && get32(USED_GPA + 8) == 1,
		      "used elem: expected {2, 1}, got {%u, %u}", get32(USED_GPA + 4),
		      get32(USED_GPA + 8));
	ck_assert_msg(get16(USED_GPA + 2) == 1, "used idx: expected 1, got %u",
		      get16(USED_GPA + 2));
}
END_TEST

/* Indices near 65535 wrap through 0 and slots wrap through the ring. */
START_TEST(test_index_wrap)
{
	unsigned int i;

	queue_start(QSIZE, true, false, 65534);
	for (i = 0; i < 3; i++)
		desc_put(DESC_GPA, i, BUF_GPA, 1, F_WRITE, 0);
	for (i = 0; i < 3; i++)
		avail_add(i); /* slots 6, 7, 0 */
	ck_assert_msg(get16(AVAIL_GPA + 2) == 1, "avail idx wrapped: expected 1");
	for (i = 0; i < 3; i++) {
		pop_ok(i, 0, 1, 0, 1);
		virtq_push(&vq, chain.head, 10 + i);
	}
	ck_assert_msg(get16(USED_GPA + 2) == 1, "used idx: expected 1, got %u",
		      get16(USED_GPA + 2));
	ck_assert_msg(get32(USED_GPA + 4 + 8 * 6) == 0 && get32(USED_GPA + 4 + 8 * 7) == 1 &&
			      get32(USED_GPA + 4) == 2 && get32(USED_GPA + 8) == 12,
		      "used ring slots 6, 7, 0: expected heads 0, 1, 2");
	/* The driver wants an interrupt once entry 65535 is used: pushed since 65534. */
	vq.signalled_valid = true;
	put16(AVAIL_GPA + 4 + 2 * QSIZE, 65535);
	ck_assert_msg(virtq_should_notify(&vq), "used_event 65535, pushed 65534..0: expected true");
	ck_assert_msg(vq.signalled_used == 1, "signalled_used: expected 1, got %u",
		      vq.signalled_used);
}
END_TEST

static void push_one(void)
{
	desc_put(DESC_GPA, 0, BUF_GPA, 1, F_WRITE, 0);
	avail_add(0);
	pop_ok(0, 0, 1, 0, 1);
	virtq_push(&vq, 0, 1);
}

START_TEST(test_notify_event_idx)
{
	queue_start(QSIZE, true, false, 0);
	ck_assert_msg(virtq_should_notify(&vq), "first check: expected true (never signalled)");
	ck_assert_msg(!virtq_should_notify(&vq), "nothing pushed since: expected false");
	put16(AVAIL_GPA + 4 + 2 * QSIZE, 0); /* used_event: after entry 0 */
	push_one();
	ck_assert_msg(virtq_should_notify(&vq), "used_event 0, pushed 0: expected true");
	put16(AVAIL_GPA + 4 + 2 * QSIZE, 5);
	push_one();
	push_one();
	ck_assert_msg(!virtq_should_notify(&vq), "used_event 5, pushed 1..2: expected false");
	ck_assert_msg(vq.signalled_used == 3, "signalled_used: expected 3, got %u",
		      vq.signalled_used);
	push_one();
	push_one();
	push_one();
	ck_assert_msg(virtq_should_notify(&vq), "used_event 5, pushed 3..5: expected true");
	/* The flag means nothing with EVENT_IDX. */
	put16(AVAIL_GPA, VIRTQ_AVAIL_F_NO_INTERRUPT);
	put16(AVAIL_GPA + 4 + 2 * QSIZE, 6);
	push_one();
	ck_assert_msg(virtq_should_notify(&vq), "used_event 6 with NO_INTERRUPT: expected true");
}
END_TEST

START_TEST(test_notify_flags)
{
	push_one();
	ck_assert_msg(virtq_should_notify(&vq), "flags 0: expected true");
	put16(AVAIL_GPA, VIRTQ_AVAIL_F_NO_INTERRUPT);
	push_one();
	ck_assert_msg(!virtq_should_notify(&vq), "NO_INTERRUPT: expected false");
}
END_TEST

START_TEST(test_enable_notify_event_idx)
{
	queue_start(QSIZE, true, false, 40000);
	ck_assert_msg(!virtq_enable_notify(&vq), "nothing available: expected false");
	ck_assert_msg(get16(USED_GPA + 4 + 8 * QSIZE) == 40000,
		      "avail_event: expected 40000, got %u", get16(USED_GPA + 4 + 8 * QSIZE));
	virtq_disable_notify(&vq);
	ck_assert_msg(get16(USED_GPA) == 0, "used flags with EVENT_IDX: expected 0, got %u",
		      get16(USED_GPA));
	desc_put(DESC_GPA, 0, BUF_GPA, 1, 0, 0);
	avail_add(0); /* raced in before the device slept */
	ck_assert_msg(virtq_enable_notify(&vq), "one available: expected true");
	pop_ok(0, 1, 0, 1, 0);
	ck_assert_msg(!virtq_enable_notify(&vq), "taken: expected false");
	ck_assert_msg(get16(USED_GPA + 4 + 8 * QSIZE) == 40001,
		      "avail_event: expected 40001, got %u", get16(USED_GPA + 4 + 8 * QSIZE));
}
END_TEST

START_TEST(test_enable_notify_flags)
{
	virtq_disable_notify(&vq);
	ck_assert_msg(get16(USED_GPA) == VIRTQ_USED_F_NO_NOTIFY, "disabled: expected NO_NOTIFY");
	ck_assert_msg(!virtq_enable_notify(&vq), "nothing available: expected false");
	ck_assert_msg(get16(USED_GPA) == 0, "enabled: expected flags 0, got %u", get16(USED_GPA));
	desc_put(DESC_GPA, 0, BUF_GPA, 1, 0, 0);
	avail_add(0);
	ck_assert_msg(virtq_enable_notify(&vq), "one available: expected true");
}
END_TEST

/* Queue sizes: a power of 2 from 1 to VIRTQ_MAX_SIZE. */
static const struct {
	uint16_t size;
	int ret;
} sizes[] = {
	{ 0, -EINVAL }, { 1, 0 },	  { 3, -EINVAL },   { 6, -EINVAL },
	{ 256, 0 },	{ 512, -EINVAL }, { 257, -EINVAL }, { 32768, -EINVAL },
};

START_TEST(test_activate_size)
{
	int ret;

	vq.size = sizes[_i].size;
	vq.avail = NULL;
	ret = virtq_activate(&vq, &gm);
	ck_assert_msg(ret == sizes[_i].ret, "size %u: expected %d, got %d", sizes[_i].size,
		      sizes[_i].ret, ret);
	ck_assert_msg(ret == 0 || vq.avail == NULL, "refused: rings stay unresolved");
}
END_TEST

/* Rings at edges of RAM and of their alignment, for QSIZE: desc 128, avail 20 (+2), used 68 (+2).
 */
static const struct {
	uint64_t desc, avail, used;
	bool event_idx;
	int ret;
} rings[] = {
	{ BASE + SIZE - 128, AVAIL_GPA, USED_GPA, false, 0 },
	{ BASE + SIZE - 112, AVAIL_GPA, USED_GPA, false, -EFAULT },
	{ DESC_GPA, BASE + SIZE - 20, USED_GPA, false, 0 },
	{ DESC_GPA, BASE + SIZE - 20, USED_GPA, true, -EFAULT }, /* used_event past RAM */
	{ DESC_GPA, AVAIL_GPA, BASE + SIZE - 68, false, 0 },
	{ DESC_GPA, AVAIL_GPA, BASE + SIZE - 68, true, -EFAULT }, /* avail_event past RAM */
	{ DESC_GPA, AVAIL_GPA, BASE + SIZE - 72, true, 0 },
	{ BASE - 16, AVAIL_GPA, USED_GPA, false, -EFAULT },
	{ DESC_GPA, UINT64_MAX - 1, USED_GPA, false, -EFAULT },
	{ DESC_GPA + 8, AVAIL_GPA, USED_GPA, false, -EINVAL },
	{ DESC_GPA, AVAIL_GPA + 1, USED_GPA, false, -EINVAL },
	{ DESC_GPA, AVAIL_GPA, USED_GPA + 2, false, -EINVAL },
};

START_TEST(test_activate_rings)
{
	int ret;

	virtq_reset(&vq);
	vq.size = QSIZE;
	vq.desc_gpa = rings[_i].desc;
	vq.avail_gpa = rings[_i].avail;
	vq.used_gpa = rings[_i].used;
	vq.event_idx = rings[_i].event_idx;
	ret = virtq_activate(&vq, &gm);
	ck_assert_msg(ret == rings[_i].ret, "rings %d: expected %d, got %d", _i, rings[_i].ret,
		      ret);
	ck_assert_msg(ret || vq.desc == host(rings[_i].desc), "desc: resolved to its host address");
	ck_assert_msg(!ret || (!vq.desc && !vq.avail && !vq.used), "refused: nothing resolved");
}
END_TEST

/* Segments of 3, 0 and 5 bytes: "abc", "", "defgh". */
START_TEST(test_iov_copy)
{
	char a[3] = "abc", b[1], c[5] = "defgh", out[16];
	const struct iovec iov[] = { { a, 3 }, { b, 0 }, { c, 5 } };
	size_t n;

	memset(out, 0, sizeof(out));
	n = iov_to_buf(iov, 3, 2, out, 4);
	ck_assert_msg(n == 4 && !memcmp(out, "cdef", 4), "to_buf at 2: expected cdef, got %zu %.4s",
		      n, out);
	n = iov_to_buf(iov, 3, 3, out, 16);
	ck_assert_msg(n == 5 && !memcmp(out, "defgh", 5), "to_buf at 3: expected 5, got %zu", n);
	n = iov_to_buf(iov, 3, 8, out, 16);
	ck_assert_msg(n == 0, "to_buf at the end: expected 0, got %zu", n);
	n = iov_to_buf(iov, 3, 100, out, 16);
	ck_assert_msg(n == 0, "to_buf past the end: expected 0, got %zu", n);
	n = iov_from_buf(iov, 3, 1, "XYZW", 4);
	ck_assert_msg(n == 4 && !memcmp(a, "aXY", 3) && !memcmp(c, "ZWfgh", 5),
		      "from_buf at 1: expected aXY ZWfgh, got %zu %.3s %.5s", n, a, c);
	n = iov_from_buf(iov, 3, 6, "123456", 6);
	ck_assert_msg(n == 2 && !memcmp(c, "ZWf12", 5), "from_buf at 6: expected 2, got %zu", n);
	n = iov_to_buf(iov, 0, 0, out, 16);
	ck_assert_msg(n == 0, "no segments: expected 0, got %zu", n);
}
END_TEST

Suite *virtqueue_suite(void)
{
	Suite *s = suite_create("virtqueue");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_single);
	tcase_add_test(tc, test_blk_chain);
	tcase_add_test(tc, test_indirect);
	tcase_add_test(tc, test_indirect_after_direct);
	tcase_add_test(tc, test_indirect_not_negotiated);
	tcase_add_loop_test(tc, test_indirect_bad, 0,
			    sizeof(bad_indirect) / sizeof(bad_indirect[0]));
	tcase_add_test(tc, test_indirect_nested);
	tcase_add_test(tc, test_indirect_loop);
	tcase_add_test(tc, test_indirect_next_past_table);
	tcase_add_test(tc, test_too_many_segments);
	tcase_add_test(tc, test_loop);
	tcase_add_test(tc, test_longer_than_queue);
	tcase_add_test(tc, test_index_past_queue);
	tcase_add_loop_test(tc, test_buffer_outside_ram, 0,
			    sizeof(bad_buffers) / sizeof(bad_buffers[0]));
	tcase_add_test(tc, test_empty_buffer);
	tcase_add_test(tc, test_length_overflow);
	tcase_add_test(tc, test_readable_after_writable);
	tcase_add_test(tc, test_avail_jump);
	tcase_add_test(tc, test_not_activated);
	tcase_add_test(tc, test_push);
	tcase_add_test(tc, test_index_wrap);
	tcase_add_test(tc, test_notify_event_idx);
	tcase_add_test(tc, test_notify_flags);
	tcase_add_test(tc, test_enable_notify_event_idx);
	tcase_add_test(tc, test_enable_notify_flags);
	tcase_add_loop_test(tc, test_activate_size, 0, sizeof(sizes) / sizeof(sizes[0]));
	tcase_add_loop_test(tc, test_activate_rings, 0, sizeof(rings) / sizeof(rings[0]));
	tcase_add_test(tc, test_iov_copy);
	suite_add_tcase(s, tc);
	return s;
}
