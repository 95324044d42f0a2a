// SPDX-License-Identifier: GPL-2.0
/*
 * The virtio-mmio transport driven through machine_mmio as a driver would,
 * natively: no ioeventfd hook (QueueNotify writes the kick eventfd), no irqfd
 * hook (interrupts pulse the irq_set hook), the worker a real thread.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "board/board_devices.h"
#include "board/layout.h"
#include "board/machine.h"
#include "dev/virtio_rng.h"
#include "suites.h"
#include "virtio/virtio.h"

#define BASE VIRTIO_MMIO_BASE
#define RAM_SIZE (1u << 20)
#define DESC_GPA (RAM_BASE + 0x1000)
#define AVAIL_GPA (RAM_BASE + 0x2000)
#define USED_GPA (RAM_BASE + 0x3000)
#define BUF_GPA (RAM_BASE + 0x10000)
#define QSIZE 8

static struct machine m;
static uint8_t *ram;
static atomic_uint irq_pulses;

static void count_irq(void *ctx, unsigned int spi, bool level)
{
	(void)ctx;
	if (level && spi == VIRTIO_MMIO_SPI)
		irq_pulses++;
}

static void w32(uint64_t off, uint32_t v)
{
	machine_mmio(&m, BASE + off, (uint8_t *)&v, 4, true);
}

static uint32_t r32(uint64_t off)
{
	uint32_t v = 0xdeadbeef;

	machine_mmio(&m, BASE + off, (uint8_t *)&v, 4, false);
	return v;
}

static void *gpa(uint64_t addr)
{
	return ram + (addr - RAM_BASE);
}

static void machine_setup(void)
{
	memset(&m, 0, sizeof(m));
	ram = calloc(1, RAM_SIZE);
	ck_assert(ram != NULL);
	ck_assert_int_eq(guest_mem_init(&m.mem, ram, RAM_BASE, RAM_SIZE), 0);
	m.irq_set = count_irq;
	irq_pulses = 0;
}

static void rng_setup(void)
{
	struct device_desc desc = { .model = "virtio-rng" };
	int ret;

	machine_setup();
	layout_virtio_slot(0, &desc.slot);
	ret = board_add_device(&m, &desc);
	ck_assert_msg(ret == 0, "virtio-rng on slot 0: expected 0, got %d", ret);
	machine_resume_devices(&m);
}

static void teardown(void)
{
	machine_destroy_devices(&m);
	free(ram);
}

/* What Linux's virtio_mmio does up to FEATURES_OK, accepting VERSION_1 and nothing else. */
static uint32_t negotiate(uint32_t high_features)
{
	w32(0x070, 0);
	w32(0x070, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	w32(0x024, 0);
	w32(0x020, 0);
	w32(0x024, 1);
	w32(0x020, high_features);
	w32(0x070, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
			   VIRTIO_CONFIG_S_FEATURES_OK);
	return r32(0x070);
}

static void queue_setup(void)
{
	w32(0x030, 0);
	w32(0x038, QSIZE);
	w32(0x080, (uint32_t)DESC_GPA);
	w32(0x084, 0);
	w32(0x090, (uint32_t)AVAIL_GPA);
	w32(0x094, 0);
	w32(0x0a0, (uint32_t)USED_GPA);
	w32(0x0a4, 0);
	w32(0x044, 1);
}

static void driver_ok(void)
{
	uint32_t st = negotiate(1);

	ck_assert_msg(st & VIRTIO_CONFIG_S_FEATURES_OK, "FEATURES_OK: expected set, status 0x%x", st);
	queue_setup();
	w32(0x070, st | VIRTIO_CONFIG_S_DRIVER_OK);
}

/* One writable descriptor of len bytes at BUF_GPA as avail entry n, then a kick. */
static void offer_buffer(uint16_t n, uint32_t len)
{
	uint8_t *d = gpa(DESC_GPA) + 16 * (n % QSIZE);
	uint64_t addr = BUF_GPA + 0x100 * n;
	uint16_t flags = VIRTQ_DESC_F_WRITE, next = 0, *avail = gpa(AVAIL_GPA);

	memcpy(d, &addr, 8);
	memcpy(d + 8, &len, 4);
	memcpy(d + 12, &flags, 2);
	memcpy(d + 14, &next, 2);
	avail[2 + n % QSIZE] = n % QSIZE;
	__atomic_store_n(&avail[1], (uint16_t)(n + 1), __ATOMIC_RELEASE);
	w32(0x050, 0);
}

static uint16_t used_idx(void)
{
	return __atomic_load_n((uint16_t *)gpa(USED_GPA) + 1, __ATOMIC_ACQUIRE);
}

/* The worker is another thread: wait up to 2 s for the used ring to reach idx. */
static bool wait_used(uint16_t idx)
{
	int i;

	for (i = 0; i < 2000 && used_idx() != idx; i++)
		usleep(1000);
	return used_idx() == idx;
}

START_TEST(test_identity)
{
	ck_assert_msg(r32(0x000) == 0x74726976, "MagicValue: expected 0x74726976, got 0x%x",
		      r32(0x000));
	ck_assert_msg(r32(0x004) == 2, "Version: expected 2, got %u", r32(0x004));
	ck_assert_msg(r32(0x008) == VIRTIO_ID_RNG, "DeviceID: expected 4, got %u", r32(0x008));
	ck_assert_msg(r32(0x00c) != 0, "VendorID: expected nonzero, got 0");
}
END_TEST

START_TEST(test_features_offered)
{
	uint32_t lo, hi;

	w32(0x014, 0);
	lo = r32(0x010);
	w32(0x014, 1);
	hi = r32(0x010);
	ck_assert_msg(hi & 1, "DeviceFeatures[1]: expected VERSION_1 (bit 0), got 0x%x", hi);
	ck_assert_msg((lo & (3u << 28)) == (3u << 28),
		      "DeviceFeatures[0]: expected INDIRECT_DESC and EVENT_IDX, got 0x%x", lo);
}
END_TEST

START_TEST(test_features_without_version_1_refused)
{
	uint32_t st = negotiate(0);

	ck_assert_msg(!(st & VIRTIO_CONFIG_S_FEATURES_OK),
		      "FEATURES_OK without VERSION_1: expected clear, status 0x%x", st);
}
END_TEST

START_TEST(test_features_not_offered_refused)
{
	uint32_t st = negotiate(1 | 0x80);

	ck_assert_msg(!(st & VIRTIO_CONFIG_S_FEATURES_OK),
		      "FEATURES_OK with bit 39 never offered: expected clear, status 0x%x", st);
}
END_TEST

START_TEST(test_features_ok_read_back)
{
	uint32_t st = negotiate(1);

	ck_assert_msg(st & VIRTIO_CONFIG_S_FEATURES_OK, "FEATURES_OK: expected set, status 0x%x",
		      st);
}
END_TEST

START_TEST(test_queue_num_max)
{
	w32(0x030, 0);
	ck_assert_msg(r32(0x034) == VIRTQ_MAX_SIZE, "QueueNumMax[0]: expected %u, got %u",
		      VIRTQ_MAX_SIZE, r32(0x034));
	w32(0x030, 1);
	ck_assert_msg(r32(0x034) == 0, "QueueNumMax[1] (no such queue): expected 0, got %u",
		      r32(0x034));
}
END_TEST

START_TEST(test_wrong_width_ignored)
{
	uint16_t v = 0xffff;

	machine_mmio(&m, BASE + 0x000, (uint8_t *)&v, 2, false);
	ck_assert_msg(v == 0, "2-byte read of MagicValue: expected 0, got 0x%x", v);
	v = 7;
	machine_mmio(&m, BASE + 0x070, (uint8_t *)&v, 2, true);
	ck_assert_msg(r32(0x070) == 0, "2-byte write of Status: expected ignored, status 0x%x",
		      r32(0x070));
}
END_TEST

START_TEST(test_rng_request)
{
	static const uint8_t zero[64];

	driver_ok();
	offer_buffer(0, 64);
	ck_assert_msg(wait_used(1), "used idx after one request: expected 1, got %u", used_idx());
	ck_assert_msg(((uint32_t *)gpa(USED_GPA))[2] == 64, "used len: expected 64, got %u",
		      ((uint32_t *)gpa(USED_GPA))[2]);
	ck_assert_msg(memcmp(gpa(BUF_GPA), zero, 64), "buffer: expected random bytes, got zeros");
	ck_assert_msg(irq_pulses >= 1, "interrupts: expected at least 1, got %u", irq_pulses);
	ck_assert_msg(r32(0x060) & 1, "InterruptStatus: expected the used-ring bit, got 0x%x",
		      r32(0x060));
	w32(0x064, 1);
	ck_assert_msg(r32(0x060) == 0, "InterruptStatus after ACK: expected 0, got 0x%x",
		      r32(0x060));
}
END_TEST

START_TEST(test_driver_ok_without_features_ok_breaks)
{
	w32(0x070, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	queue_setup();
	w32(0x070, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_DRIVER_OK);
	ck_assert_msg(r32(0x070) & VIRTIO_CONFIG_S_NEEDS_RESET,
		      "DRIVER_OK without FEATURES_OK: expected NEEDS_RESET, status 0x%x", r32(0x070));
}
END_TEST

START_TEST(test_address_change_live_needs_reset)
{
	driver_ok();
	w32(0x080, (uint32_t)(DESC_GPA + 0x100));
	ck_assert_msg(r32(0x070) & VIRTIO_CONFIG_S_NEEDS_RESET,
		      "QueueDescLow while live: expected NEEDS_RESET, status 0x%x", r32(0x070));
	ck_assert_msg(r32(0x080) == (uint32_t)DESC_GPA,
		      "QueueDescLow while live: expected unchanged 0x%x, got 0x%x",
		      (uint32_t)DESC_GPA, r32(0x080));
	offer_buffer(0, 16);
	usleep(50000);
	ck_assert_msg(used_idx() == 0, "a broken device's queue: expected untouched, used idx %u",
		      used_idx());
	w32(0x070, 0);
	ck_assert_msg(r32(0x070) == 0, "after reset: expected status 0, got 0x%x", r32(0x070));
}
END_TEST

START_TEST(test_pause_resume)
{
	driver_ok();
	machine_pause_devices(&m);
	offer_buffer(0, 32);
	usleep(100000);
	ck_assert_msg(used_idx() == 0, "while paused: expected no work done, used idx %u",
		      used_idx());
	machine_resume_devices(&m);
	ck_assert_msg(wait_used(1), "after resume: expected used idx 1, got %u", used_idx());
}
END_TEST

START_TEST(test_reset_returns_queue_state)
{
	driver_ok();
	offer_buffer(0, 16);
	ck_assert(wait_used(1));
	w32(0x070, 0);
	w32(0x030, 0);
	ck_assert_msg(r32(0x044) == 0 && r32(0x038) == 0,
		      "after reset: expected QueueReady 0 and QueueNum 0, got %u and %u", r32(0x044),
		      r32(0x038));
}
END_TEST

/* A device whose request waits for the test's word: the worker is busy while the test resets. */
struct slow_dev {
	struct virtio_dev vd;
	atomic_int entered, go, reset_seen;
	struct virtq_chain chain;
};

static void slow_queue_event(struct virtio_dev *vd, unsigned int q)
{
	struct slow_dev *s = (struct slow_dev *)vd;

	if (virtq_pop(&vd->vqs[q], &s->chain) <= 0)
		return;
	s->entered = 1;
	while (!s->go)
		usleep(1000);
	virtq_push(&vd->vqs[q], s->chain.head, 0);
}

static void slow_reset(struct virtio_dev *vd)
{
	((struct slow_dev *)vd)->reset_seen = 1;
}

static const struct virtio_dev_ops slow_vops = {
	.device_id = 99, .nr_queues = 1, .queue_event = slow_queue_event, .reset = slow_reset,
};

static int slow_init(struct device *dev, const struct device_desc *desc)
{
	(void)desc;
	return virtio_dev_init((struct virtio_dev *)dev, &slow_vops);
}

static const struct device_ops slow_ops = VIRTIO_DEVICE_OPS("virtio-slow");
static const struct device_model slow_model = { .ops = &slow_ops,
						.size = sizeof(struct slow_dev),
						.init = slow_init };
static struct slow_dev *slow;
static atomic_int reset_done;

static void slow_setup(void)
{
	struct device_desc desc = { .model = "virtio-slow" };
	struct device *dev = NULL;

	machine_setup();
	layout_virtio_slot(0, &desc.slot);
	ck_assert_int_eq(machine_create_device(&m, &slow_model, &desc, &dev), 0);
	slow = (struct slow_dev *)dev;
	reset_done = 0;
	machine_resume_devices(&m);
}

static void *reset_thread(void *arg)
{
	(void)arg;
	w32(0x070, 0);
	reset_done = 1;
	return NULL;
}

START_TEST(test_reset_waits_for_busy_worker)
{
	pthread_t t;
	int i;

	driver_ok();
	slow->reset_seen = 0; /* negotiate's own reset */
	offer_buffer(0, 16);
	for (i = 0; i < 2000 && !slow->entered; i++)
		usleep(1000);
	ck_assert_msg(slow->entered, "the request: expected taken by the worker, it was not");
	pthread_create(&t, NULL, reset_thread, NULL);
	usleep(100000);
	ck_assert_msg(!reset_done && !slow->reset_seen,
		      "reset while a request is in flight: expected to wait, it returned");
	slow->go = 1;
	pthread_join(t, NULL);
	ck_assert_msg(slow->reset_seen && r32(0x070) == 0,
		      "after the request: expected the reset done, status 0x%x", r32(0x070));
	ck_assert_msg(used_idx() == 1, "the request in flight: expected finished, used idx %u",
		      used_idx());
}
END_TEST

Suite *virtio_mmio_suite(void)
{
	Suite *s = suite_create("virtio_mmio");
	TCase *tc = tcase_create("registers");
	TCase *busy = tcase_create("busy worker");

	tcase_add_checked_fixture(tc, rng_setup, teardown);
	tcase_add_test(tc, test_identity);
	tcase_add_test(tc, test_features_offered);
	tcase_add_test(tc, test_features_without_version_1_refused);
	tcase_add_test(tc, test_features_not_offered_refused);
	tcase_add_test(tc, test_features_ok_read_back);
	tcase_add_test(tc, test_queue_num_max);
	tcase_add_test(tc, test_wrong_width_ignored);
	tcase_add_test(tc, test_rng_request);
	tcase_add_test(tc, test_driver_ok_without_features_ok_breaks);
	tcase_add_test(tc, test_address_change_live_needs_reset);
	tcase_add_test(tc, test_pause_resume);
	tcase_add_test(tc, test_reset_returns_queue_state);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(busy, slow_setup, teardown);
	tcase_add_test(busy, test_reset_waits_for_busy_worker);
	suite_add_tcase(s, busy);
	return s;
}
