// SPDX-License-Identifier: GPL-2.0
/* The device registry and MMIO dispatch: sorted insertion, overlap, lookup by range. */
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "base/event_loop.h"
#include "base/util.h"
#include "board/board_devices.h"
#include "board/machine.h"
#include "suites.h"

static struct machine m;

/* The last access a fake device saw. */
static struct {
	struct device *dev;
	uint64_t offset;
	unsigned int len;
	bool is_write;
	unsigned int calls;
} seen;

static void fake_mmio(struct device *dev, uint64_t offset, uint8_t *data, unsigned int len,
		      bool is_write)
{
	seen.dev = dev;
	seen.offset = offset;
	seen.len = len;
	seen.is_write = is_write;
	seen.calls++;
	if (!is_write)
		memset(data, 0xab, len);
}

static const struct device_ops fake_ops = { .name = "fake", .mmio = fake_mmio };
static const struct device_ops silent_ops = { .name = "silent" };

static struct device devs[MACHINE_MAX_DEVICES + 1];

static struct device *fake(unsigned int i, uint64_t base, uint64_t size)
{
	devs[i] = (struct device){ .ops = &fake_ops, .base = base, .size = size };
	return &devs[i];
}

static void mmio_setup(void)
{
	memset(&m, 0, sizeof(m));
	memset(&seen, 0, sizeof(seen));
	memset(devs, 0, sizeof(devs));
}

static void mmio_teardown(void)
{
	machine_destroy_devices(&m);
}

static void add_ok(struct device *dev)
{
	int ret = machine_add_device(&m, dev);

	ck_assert_msg(ret == 0, "machine_add_device(0x%llx+0x%llx): expected 0, got %d",
		      (unsigned long long)dev->base, (unsigned long long)dev->size, ret);
}

/* Three devices: [0x1000,0x2000) [0x2000,0x3000) [0x5000,0x6000), added out of order. */
static void add_three(void)
{
	add_ok(fake(0, 0x5000, 0x1000));
	add_ok(fake(1, 0x1000, 0x1000));
	add_ok(fake(2, 0x2000, 0x1000));
}

START_TEST(test_add_sorts_by_base)
{
	add_three();

	ck_assert_msg(m.nr_devices == 3 && m.devices[0]->base == 0x1000 &&
			      m.devices[1]->base == 0x2000 && m.devices[2]->base == 0x5000,
		      "order: expected 0x1000 0x2000 0x5000, got %u devices: 0x%llx 0x%llx 0x%llx",
		      m.nr_devices, (unsigned long long)m.devices[0]->base,
		      (unsigned long long)m.devices[1]->base,
		      (unsigned long long)m.devices[2]->base);
}
END_TEST

START_TEST(test_add_sets_machine)
{
	add_ok(fake(0, 0x1000, 0x1000));

	ck_assert_msg(devs[0].machine == &m, "dev->machine: expected %p, got %p", (void *)&m,
		      (void *)devs[0].machine);
}
END_TEST

static const struct {
	uint64_t base, size;
} overlaps[] = {
	{ 0x1800, 0x1000 }, /* across the end of the first */
	{ 0x0800, 0x1000 }, /* across the start of the first */
	{ 0x1000, 0x1000 }, /* the same range */
	{ 0x1100, 0x10 },   /* inside */
	{ 0x0000, 0x8000 }, /* around all three */
	{ 0x5fff, 0x1 },    /* the last byte of the third */
};

START_TEST(test_add_overlap_busy)
{
	int ret;

	add_three();
	ret = machine_add_device(&m, fake(3, overlaps[_i].base, overlaps[_i].size));

	ck_assert_msg(ret == -EBUSY, "add 0x%llx+0x%llx: expected %d, got %d",
		      (unsigned long long)overlaps[_i].base, (unsigned long long)overlaps[_i].size,
		      -EBUSY, ret);
}
END_TEST

START_TEST(test_add_overlap_leaves_registry)
{
	add_three();
	machine_add_device(&m, fake(3, 0x1800, 0x1000));

	ck_assert_msg(m.nr_devices == 3, "after -EBUSY: expected 3 devices, got %u", m.nr_devices);
}
END_TEST

START_TEST(test_add_adjacent_in_gap)
{
	add_three();
	add_ok(fake(3, 0x3000, 0x2000)); /* fills [0x3000,0x5000) exactly */

	ck_assert_msg(m.nr_devices == 4 && m.devices[2] == &devs[3],
		      "gap filler: expected 4 devices with it third, got %u, third base 0x%llx",
		      m.nr_devices, (unsigned long long)m.devices[2]->base);
}
END_TEST

START_TEST(test_add_zero_size)
{
	int ret = machine_add_device(&m, fake(0, 0x1000, 0));

	ck_assert_msg(ret == -ENOSPC, "size 0: expected %d, got %d", -ENOSPC, ret);
}
END_TEST

START_TEST(test_add_full)
{
	unsigned int i;
	int ret;

	for (i = 0; i < MACHINE_MAX_DEVICES; i++)
		add_ok(fake(i, 0x1000 * (MACHINE_MAX_DEVICES - i), 0x1000));
	ret = machine_add_device(&m, fake(MACHINE_MAX_DEVICES, 0x100000, 0x1000));

	ck_assert_msg(ret == -ENOSPC, "device %d: expected %d, got %d", MACHINE_MAX_DEVICES + 1,
		      -ENOSPC, ret);
}
END_TEST

START_TEST(test_find_every_device_of_full_registry)
{
	unsigned int i, found = 0;

	for (i = 0; i < MACHINE_MAX_DEVICES; i++)
		add_ok(fake(i, 0x10000 * ((i * 7) % MACHINE_MAX_DEVICES), 0x100));
	for (i = 0; i < MACHINE_MAX_DEVICES; i++)
		found += machine_find_device(&m, devs[i].base + 0x80, 4) == &devs[i];

	ck_assert_msg(found == MACHINE_MAX_DEVICES, "bisection: expected %d devices found, got %u",
		      MACHINE_MAX_DEVICES, found);
}
END_TEST

static const struct {
	const char *what;
	uint64_t addr;
	unsigned int len;
	int dev; /* index in devs[], or -1 */
} lookups[] = {
	{ "first byte", 0x1000, 1, 1 },
	{ "last byte", 0x1fff, 1, 1 },
	{ "last word", 0x1ffc, 4, 1 },
	{ "next device's first byte", 0x2000, 4, 2 },
	{ "straddling the end of the last device", 0x5ffe, 4, -1 },
	{ "straddling two devices", 0x1ffe, 4, -1 },
	{ "below every device", 0x0fff, 1, -1 },
	{ "in the gap", 0x3000, 4, -1 },
	{ "one past the last device", 0x6000, 1, -1 },
	{ "far above", 0xffffffff00000000ULL, 8, -1 },
};

START_TEST(test_find_device)
{
	struct device *want, *got;

	add_three();
	want = lookups[_i].dev < 0 ? NULL : &devs[lookups[_i].dev];
	got = machine_find_device(&m, lookups[_i].addr, lookups[_i].len);

	ck_assert_msg(got == want, "%s (0x%llx len %u): expected %s, got %s", lookups[_i].what,
		      (unsigned long long)lookups[_i].addr, lookups[_i].len,
		      want ? "the device" : "NULL", got ? "a device" : "NULL");
}
END_TEST

START_TEST(test_find_empty_registry)
{
	struct device *got = machine_find_device(&m, 0x1000, 4);

	ck_assert_msg(got == NULL, "empty registry: expected NULL, got %p", (void *)got);
}
END_TEST

START_TEST(test_mmio_dispatch_offset)
{
	uint8_t data[4] = { 1, 2, 3, 4 };
	bool claimed;

	add_three();
	claimed = machine_mmio(&m, 0x2010, data, 4, true);

	ck_assert_msg(claimed && seen.dev == &devs[2] && seen.offset == 0x10 && seen.len == 4 &&
			      seen.is_write,
		      "write 0x2010: expected device at 0x2000 offset 0x10 len 4 write, got "
		      "claimed %d dev %p offset 0x%llx len %u write %d",
		      claimed, (void *)seen.dev, (unsigned long long)seen.offset, seen.len,
		      seen.is_write);
}
END_TEST

START_TEST(test_mmio_read_from_device)
{
	uint8_t data[2] = { 0 };

	add_three();
	machine_mmio(&m, 0x1000, data, 2, false);

	ck_assert_msg(data[0] == 0xab && data[1] == 0xab,
		      "read: expected the device's 0xab 0xab, got 0x%02x 0x%02x", data[0], data[1]);
}
END_TEST

START_TEST(test_mmio_unclaimed_read_zeros)
{
	uint8_t data[8];
	bool claimed;

	memset(data, 0xff, sizeof(data));
	add_three();
	claimed = machine_mmio(&m, 0x3000, data, sizeof(data), false);

	ck_assert_msg(!claimed, "read of a hole: expected unclaimed, got claimed");
	ck_assert_msg(!memcmp(data, "\0\0\0\0\0\0\0\0", 8),
		      "read of a hole: expected 8 zero bytes, got %02x%02x%02x%02x%02x%02x%02x%02x",
		      data[0], data[1], data[2], data[3], data[4], data[5], data[6], data[7]);
}
END_TEST

START_TEST(test_mmio_unclaimed_counted)
{
	uint8_t data[4] = { 0 };

	add_three();
	machine_mmio(&m, 0x3000, data, 4, false);
	machine_mmio(&m, 0x5ffe, data, 4, true);
	machine_mmio(&m, 0x1000, data, 4, true);

	ck_assert_msg(m.unclaimed_mmio == 2, "unclaimed_mmio: expected 2, got %lu",
		      m.unclaimed_mmio);
}
END_TEST

START_TEST(test_mmio_unclaimed_write_untouched)
{
	uint8_t data[4] = { 9, 8, 7, 6 };

	machine_mmio(&m, 0x3000, data, 4, true);

	ck_assert_msg(data[0] == 9 && data[3] == 6,
		      "write to a hole: expected data kept, got %u..%u", data[0], data[3]);
}
END_TEST

START_TEST(test_mmio_device_without_handler)
{
	uint8_t data[4] = { 1, 1, 1, 1 };
	bool claimed;

	devs[0] = (struct device){ .ops = &silent_ops, .base = 0x1000, .size = 0x1000 };
	add_ok(&devs[0]);
	claimed = machine_mmio(&m, 0x1000, data, 4, false);

	ck_assert_msg(!claimed && data[0] == 0, "no mmio op: expected unclaimed zeros, got %d/%u",
		      claimed, data[0]);
}
END_TEST

START_TEST(test_console_input_without_console)
{
	static const uint8_t typed[] = "abc";
	size_t taken = machine_console_input(&m, typed, 3);

	ck_assert_msg(taken == 3, "no console: expected all 3 bytes dropped, got %zu", taken);
}
END_TEST

START_TEST(test_board_devices_count)
{
	int ret = machine_add_board_devices(&m);

	ck_assert_msg(ret == 0 && m.nr_devices == 2, "board: expected 0 and 2 devices, got %d/%u",
		      ret, m.nr_devices);
}
END_TEST

START_TEST(test_board_uart_is_console)
{
	machine_add_board_devices(&m);

	ck_assert_msg(m.console && m.console->base == UART_BASE && m.console->size == UART_SIZE &&
			      m.console->spi == UART_SPI,
		      "console: expected uart at 0x%llx size 0x%llx spi %d, got %p", UART_BASE,
		      UART_SIZE, UART_SPI, (void *)m.console);
}
END_TEST

START_TEST(test_board_rtc_found)
{
	struct device *rtc;

	machine_add_board_devices(&m);
	rtc = machine_find_device(&m, RTC_BASE, 4);

	ck_assert_msg(rtc && rtc->base == RTC_BASE && rtc->spi == RTC_SPI,
		      "rtc: expected a device at 0x%llx on spi %d, got %p", RTC_BASE, RTC_SPI,
		      (void *)rtc);
}
END_TEST

START_TEST(test_board_twice_busy)
{
	int ret;

	machine_add_board_devices(&m);
	ret = machine_add_board_devices(&m);

	ck_assert_msg(ret == -EBUSY, "board devices twice: expected %d, got %d", -EBUSY, ret);
}
END_TEST

START_TEST(test_destroy_empties)
{
	machine_add_board_devices(&m);
	machine_destroy_devices(&m);

	ck_assert_msg(m.nr_devices == 0 && m.console == NULL,
		      "after destroy: expected 0 devices and no console, got %u/%p", m.nr_devices,
		      (void *)m.console);
}
END_TEST

/* A model for machine_create_device: counts its init and destroy calls, takes "color". */
struct probe_dev {
	struct device dev;
	const char *color;
};

static struct {
	unsigned int inits, destroys;
	int init_ret;
	unsigned int irq_spi, irq_calls;
	bool irq_level;
} probe;

static int probe_init(struct device *dev, const struct device_desc *desc)
{
	probe.inits++;
	((struct probe_dev *)dev)->color = device_param(desc, "color");
	return probe.init_ret;
}

static void probe_destroy(struct device *dev)
{
	(void)dev;
	probe.destroys++;
}

static void probe_irq_set(void *ctx, unsigned int spi, bool level)
{
	(void)ctx;
	probe.irq_spi = spi;
	probe.irq_level = level;
	probe.irq_calls++;
}

static const struct device_ops probe_ops = { .name = "probe",
					     .mmio = fake_mmio,
					     .destroy = probe_destroy };
static const char *const probe_params[] = { "color", NULL };
static const struct device_model probe_model = { .ops = &probe_ops,
						 .size = sizeof(struct probe_dev),
						 .params = probe_params,
						 .init = probe_init };
static const struct device_param blue[] = { { "color", "blue" } };
static const struct device_param bogus[] = { { "flavour", "mint" } };

static void create_setup(void)
{
	mmio_setup();
	memset(&probe, 0, sizeof(probe));
	m.irq_set = probe_irq_set;
}

static int create(uint64_t base, const struct device_param *params, unsigned int nr,
		  struct device **out)
{
	struct device_desc desc = {
		.model = "probe", .slot = { base, 0x200, 7 }, .params = params, .nr_params = nr
	};

	return machine_create_device(&m, &probe_model, &desc, out);
}

START_TEST(test_create_takes_slot)
{
	struct device *dev = NULL;
	int ret = create(0x1000, NULL, 0, &dev);

	ck_assert_msg(ret == 0 && dev && dev->base == 0x1000 && dev->size == 0x200 &&
			      dev->spi == 7 && dev->machine == &m && dev->mem == &m.mem,
		      "created device: expected 0x1000+0x200 on SPI 7 with the machine's RAM, got "
		      "%d, %p",
		      ret, (void *)dev);
}
END_TEST

START_TEST(test_create_registers)
{
	struct device *dev = NULL;

	create(0x1000, NULL, 0, &dev);

	ck_assert_msg(machine_find_device(&m, 0x1004, 4) == dev && m.nr_devices == 1,
		      "after create: expected the device found at 0x1004, got %p (%u devices)",
		      (void *)machine_find_device(&m, 0x1004, 4), m.nr_devices);
}
END_TEST

START_TEST(test_create_irq_line)
{
	struct device *dev = NULL;

	create(0x1000, NULL, 0, &dev);
	irq_line_set(&dev->irq, true);

	ck_assert_msg(probe.irq_calls == 1 && probe.irq_spi == 7 && probe.irq_level,
		      "irq_line_set: expected SPI 7 raised once, got %u calls, SPI %u, level %d",
		      probe.irq_calls, probe.irq_spi, probe.irq_level);
}
END_TEST

START_TEST(test_create_setting_reaches_init)
{
	struct device *dev = NULL;
	int ret = create(0x1000, blue, 1, &dev);
	const char *color = dev ? ((struct probe_dev *)dev)->color : NULL;

	ck_assert_msg(ret == 0 && color && !strcmp(color, "blue"),
		      "setting color=blue: expected init to see \"blue\", got %d, %s", ret,
		      color ? color : "(null)");
}
END_TEST

START_TEST(test_create_unknown_setting)
{
	int ret = create(0x1000, bogus, 1, NULL);

	ck_assert_msg(ret == -EINVAL && m.nr_devices == 0 && probe.inits == 0,
		      "setting flavour: expected %d, no device and no init, got %d, %u, %u",
		      -EINVAL, ret, m.nr_devices, probe.inits);
}
END_TEST

START_TEST(test_create_init_fails)
{
	int ret;

	probe.init_ret = -ENOMEM;
	ret = create(0x1000, NULL, 0, NULL);

	ck_assert_msg(ret == -ENOMEM && m.nr_devices == 0 && probe.destroys == 0,
		      "failing init: expected %d, no device and no destroy, got %d, %u, %u",
		      -ENOMEM, ret, m.nr_devices, probe.destroys);
}
END_TEST

START_TEST(test_create_overlap_destroys)
{
	int ret;

	create(0x1000, NULL, 0, NULL);
	ret = create(0x1100, NULL, 0, NULL);

	ck_assert_msg(ret == -EBUSY && m.nr_devices == 1 && probe.destroys == 1,
		      "overlapping window: expected %d, 1 device and the loser destroyed, got %d, "
		      "%u, %u",
		      -EBUSY, ret, m.nr_devices, probe.destroys);
}
END_TEST

START_TEST(test_create_zero_slot)
{
	struct device_desc desc = { .model = "probe", .slot = { 0x1000, 0, 7 } };
	int ret = machine_create_device(&m, &probe_model, &desc, NULL);

	ck_assert_msg(ret == -EINVAL && probe.inits == 0,
		      "empty slot: expected %d and no init, got %d, %u", -EINVAL, ret, probe.inits);
}
END_TEST

START_TEST(test_destroy_calls_model)
{
	create(0x1000, NULL, 0, NULL);
	create(0x2000, NULL, 0, NULL);
	machine_destroy_devices(&m);

	ck_assert_msg(probe.destroys == 2 && m.nr_devices == 0,
		      "destroy: expected each device's destroy once, got %u (%u left)",
		      probe.destroys, m.nr_devices);
}
END_TEST

START_TEST(test_create_console)
{
	struct device_desc desc = { .model = "probe",
				    .slot = { 0x1000, 0x200, 7 },
				    .console = true };
	struct device *dev = NULL;
	int ret = machine_create_device(&m, &probe_model, &desc, &dev);

	ck_assert_msg(ret == 0 && m.console == dev, "console device: expected %p, got %d, %p",
		      (void *)dev, ret, (void *)m.console);
}
END_TEST

START_TEST(test_watch_without_loop)
{
	struct device *dev = NULL;
	int ret;

	create(0x1000, NULL, 0, &dev);
	ret = machine_watch_fd(dev, 0, 1, NULL, NULL);

	ck_assert_msg(ret == -ENODEV && !dev->watching,
		      "watch with no event loop: expected %d, got %d", -ENODEV, ret);
}
END_TEST

static void count_event(void *ctx, int fd, uint32_t events)
{
	char c;

	(void)events;
	ck_assert_int_eq(read(fd, &c, 1), 1);
	(*(unsigned int *)ctx)++;
}

/* A device's descriptor on a real loop: its callback runs; once destroyed, the loop forgets it. */
START_TEST(test_watch_with_loop)
{
	struct event_loop loop;
	struct device *dev = NULL;
	unsigned int fired = 0;
	int p[2], ret;

	ck_assert_int_eq(event_loop_init(&loop), 0);
	ck_assert_int_eq(pipe(p), 0);
	m.loop = &loop;
	create(0x1000, NULL, 0, &dev);
	ret = machine_watch_fd(dev, p[0], EPOLLIN, count_event, &fired);
	ck_assert_msg(ret == 0 && dev->watching, "watch: expected 0, got %d", ret);
	ck_assert_int_eq(machine_watch_fd(dev, p[1], EPOLLOUT, count_event, &fired), -EEXIST);
	ck_assert_int_eq(write(p[1], "x", 1), 1);
	ck_assert_int_eq(event_loop_run_once(&loop, 1000), 1);
	ck_assert_uint_eq(fired, 1);
	machine_destroy_devices(&m);
	ck_assert_int_eq(write(p[1], "y", 1), 1);
	ret = event_loop_run_once(&loop, 0);
	ck_assert_msg(ret == 0 && fired == 1,
		      "after the device is destroyed: expected no callback, got %d (fired %u)", ret,
		      fired);
	/* The loop must have let go of it: registering the same fd again succeeds. */
	ck_assert_int_eq(event_loop_add(&loop, p[0], EPOLLIN, count_event, &fired), 0);
	m.loop = NULL;
	event_loop_close(&loop);
	close(p[0]);
	close(p[1]);
}
END_TEST

START_TEST(test_board_unknown_model)
{
	struct device_desc desc = { .model = "floppy", .slot = { 0x1000, 0x200, 7 } };
	int ret = board_add_device(&m, &desc);

	ck_assert_msg(ret == -EINVAL && m.nr_devices == 0,
		      "model floppy: expected %d and no device, got %d", -EINVAL, ret);
}
END_TEST

START_TEST(test_board_model_by_name)
{
	const struct device_model *uart = board_find_model("uart");

	ck_assert_msg(uart && !strcmp(uart->ops->name, "uart"),
		      "board_find_model(uart): expected the UART, got %p", (const void *)uart);
}
END_TEST

Suite *mmio_suite(void)
{
	Suite *s = suite_create("mmio");
	TCase *registry = tcase_create("registry");
	TCase *lookup = tcase_create("lookup");
	TCase *dispatch = tcase_create("dispatch");
	TCase *board = tcase_create("board");
	TCase *created = tcase_create("create");

	tcase_add_checked_fixture(registry, mmio_setup, mmio_teardown);
	tcase_add_test(registry, test_add_sorts_by_base);
	tcase_add_test(registry, test_add_sets_machine);
	tcase_add_loop_test(registry, test_add_overlap_busy, 0, ARRAY_SIZE(overlaps));
	tcase_add_test(registry, test_add_overlap_leaves_registry);
	tcase_add_test(registry, test_add_adjacent_in_gap);
	tcase_add_test(registry, test_add_zero_size);
	tcase_add_test(registry, test_add_full);
	suite_add_tcase(s, registry);

	tcase_add_checked_fixture(lookup, mmio_setup, mmio_teardown);
	tcase_add_loop_test(lookup, test_find_device, 0, ARRAY_SIZE(lookups));
	tcase_add_test(lookup, test_find_empty_registry);
	tcase_add_test(lookup, test_find_every_device_of_full_registry);
	suite_add_tcase(s, lookup);

	tcase_add_checked_fixture(dispatch, mmio_setup, mmio_teardown);
	tcase_add_test(dispatch, test_mmio_dispatch_offset);
	tcase_add_test(dispatch, test_mmio_read_from_device);
	tcase_add_test(dispatch, test_mmio_unclaimed_read_zeros);
	tcase_add_test(dispatch, test_mmio_unclaimed_counted);
	tcase_add_test(dispatch, test_mmio_unclaimed_write_untouched);
	tcase_add_test(dispatch, test_mmio_device_without_handler);
	tcase_add_test(dispatch, test_console_input_without_console);
	suite_add_tcase(s, dispatch);

	tcase_add_checked_fixture(board, mmio_setup, mmio_teardown);
	tcase_add_test(board, test_board_devices_count);
	tcase_add_test(board, test_board_uart_is_console);
	tcase_add_test(board, test_board_rtc_found);
	tcase_add_test(board, test_board_twice_busy);
	tcase_add_test(board, test_destroy_empties);
	suite_add_tcase(s, board);

	tcase_add_checked_fixture(created, create_setup, mmio_teardown);
	tcase_add_test(created, test_create_takes_slot);
	tcase_add_test(created, test_create_registers);
	tcase_add_test(created, test_create_irq_line);
	tcase_add_test(created, test_create_setting_reaches_init);
	tcase_add_test(created, test_create_unknown_setting);
	tcase_add_test(created, test_create_init_fails);
	tcase_add_test(created, test_create_overlap_destroys);
	tcase_add_test(created, test_create_zero_slot);
	tcase_add_test(created, test_destroy_calls_model);
	tcase_add_test(created, test_create_console);
	tcase_add_test(created, test_watch_without_loop);
	tcase_add_test(created, test_watch_with_loop);
	tcase_add_test(created, test_board_unknown_model);
	tcase_add_test(created, test_board_model_by_name);
	suite_add_tcase(s, created);
	return s;
}
