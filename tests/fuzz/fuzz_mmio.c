// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for what a guest can do to the board: the bytes are a sequence of MMIO
 * accesses (any length of 1, 2, 4 or 8 bytes, in and around the UART and RTC windows or
 * anywhere in the address space) and console input, through machine_mmio() and
 * machine_console_input() as the vCPU threads and the main loop call them. A small model
 * of what the guest may rely on checks every result:
 *   dispatch  an access is claimed exactly when it lies inside a device; reads of
 *             unclaimed space and of unimplemented registers give zeros, every byte written
 *   UART      the receive FIFO gives the console's and loopback's bytes back in order, 16
 *             at most; LSR, LCR, MCR and IER read what the model holds; transmitted bytes
 *             reach the console in order and none is invented (buffered ones may still
 *             wait); the line is low with IER 0 and high while received data is enabled
 *             and waiting
 *   RTC       DR and LR read the wall clock plus what LR set, MR and IMSC what was
 *             written, CR 1, the PrimeCell ID registers their fixed values
 *
 * Each operation starts with one byte:
 *   bits 0-1  0 read, 1 write, 2 console input, 3 access at an absolute 8-byte address
 *   bits 2-3  access length 1, 2, 4, 8
 *   bits 4-6  window: UART, RTC, after the UART, after the RTC, GIC distributor, RAM, 0,
 *             the top of the address space; then a 16-bit signed little-endian offset
 *   bit 7     for 3: a write
 * a write is followed by its data bytes; console input by a count byte (0-32), then that
 * many bytes.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "board/layout.h"
#include "board/machine.h"

#include "fuzz.h"

enum { OP_READ, OP_WRITE, OP_CONSOLE, OP_ABSOLUTE };

#define FIFO_SIZE 16
#define LCR_DLAB 0x80
#define MCR_LOOP 0x10
#define IER_RDI 0x01

static const uint64_t windows[8] = {
	UART_BASE,
	RTC_BASE,
	UART_BASE + UART_SIZE, /* the gap after it, and its last bytes at negative offsets */
	RTC_BASE + RTC_SIZE,
	GIC_DIST_BASE, /* the in-kernel vGIC's: no device of the machine */
	RAM_BASE,
	0,
	UINT64_MAX - 0x7fff, /* accesses whose end wraps around */
};

static const uint8_t pl031_id[8] = { 0x31, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };

struct model {
	/* UART */
	uint8_t lcr, mcr, ier;
	uint8_t fifo[FIFO_SIZE];
	unsigned int head, count;
	bool irq_level;
	bool rx_unknown; /* the UART took more input than its FIFO holds: it queues it itself */
	uint8_t *tx_expected, *tx_seen;
	size_t nr_tx_expected, nr_tx_seen;
	/* RTC: the guest's clock minus the host's lies in [offset_lo, offset_hi] */
	int64_t offset_lo, offset_hi;
	uint32_t mr, imsc;
};

struct input {
	const uint8_t *data;
	size_t size, pos;
};

static bool take(struct input *in, void *out, size_t len)
{
	if (in->size - in->pos < len)
		return false;
	memcpy(out, in->data + in->pos, len);
	in->pos += len;
	return true;
}

static void irq_set(void *ctx, unsigned int spi, bool level)
{
	struct model *m = ctx;

	check(spi == UART_SPI);
	m->irq_level = level;
}

static void console_write(void *ctx, const uint8_t *buf, size_t len)
{
	struct model *m = ctx;

	check(buf && len && m->nr_tx_seen + len <= m->nr_tx_expected);
	memcpy(m->tx_seen + m->nr_tx_seen, buf, len);
	m->nr_tx_seen += len;
	/* Out in order, nothing invented. */
	check(!memcmp(m->tx_seen, m->tx_expected, m->nr_tx_seen));
}

static void fifo_push(struct model *m, uint8_t byte)
{
	if (m->count < FIFO_SIZE)
		m->fifo[(m->head + m->count++) % FIFO_SIZE] = byte;
}

static uint8_t fifo_pop(struct model *m)
{
	uint8_t byte;

	if (!m->count)
		return 0;
	byte = m->fifo[m->head];
	m->head = (m->head + 1) % FIFO_SIZE;
	m->count--;
	return byte;
}

static void uart_irq_check(const struct model *m)
{
	if (!m->ier)
		check(!m->irq_level);
	if ((m->ier & IER_RDI) && m->count && !m->rx_unknown)
		check(m->irq_level);
}

static void uart_write(struct model *m, unsigned int reg, uint8_t v)
{
	bool dlab = m->lcr & LCR_DLAB;

	switch (reg) {
	case 0:
		if (dlab)
			break;
		if (m->mcr & MCR_LOOP)
			fifo_push(m, v);
		else
			m->tx_expected[m->nr_tx_expected++] = v;
		break;
	case 1:
		if (!dlab)
			m->ier = v & 0x0f;
		break;
	case 2:
		if (v & 0x02)
			m->head = m->count = 0;
		break;
	case 3:
		m->lcr = v;
		break;
	case 4:
		m->mcr = v & 0x1f;
		break;
	}
}

static void uart_read_check(struct model *m, unsigned int reg, uint8_t v)
{
	bool dlab = m->lcr & LCR_DLAB;

	switch (reg) {
	case 0:
		if (!dlab)
			check(v == fifo_pop(m) || m->rx_unknown);
		break;
	case 1:
		if (!dlab)
			check(v == m->ier);
		break;
	case 3:
		check(v == m->lcr);
		break;
	case 4:
		check(v == m->mcr);
		break;
	case 5:
		check((v & 0x60) == 0x60);
		check((v & 0x01) == (m->count ? 1 : 0) || m->rx_unknown);
		break;
	}
}

/*
 * Registers are bytes; a wider access sees the byte at its address, the rest zero. A write
 * goes into the model first: the UART may hand a transmitted byte on while it runs.
 */
static void uart_access(struct model *m, uint64_t off, uint8_t *buf, unsigned int len,
			bool is_write, bool done)
{
	unsigned int i;

	if (is_write && !done && off < 8)
		uart_write(m, off, buf[0]);
	if (!done)
		return;
	if (!is_write) {
		for (i = off < 8 ? 1 : 0; i < len; i++)
			check(buf[i] == 0);
		if (off < 8)
			uart_read_check(m, off, buf[0]);
	}
	uart_irq_check(m);
}

static void time_bounds(time_t before, time_t after, const struct model *m, uint32_t v)
{
	uint32_t lo = (uint32_t)(before + m->offset_lo);
	uint64_t span = (uint64_t)((after + m->offset_hi) - (before + m->offset_lo));

	check((uint32_t)(v - lo) <= span);
}

static uint32_t rtc_expected(const struct model *m, uint64_t off)
{
	switch (off) {
	case 0x04:
		return m->mr;
	case 0x0c:
		return 1;
	case 0x10:
		return m->imsc;
	default:
		return off >= 0xfe0 && off < 0x1000 ? pl031_id[(off - 0xfe0) / 4] : 0;
	}
}

/* 32-bit registers at word offsets; anything else reads zero and writes nothing. */
static void rtc_access(struct model *m, uint64_t off, uint8_t *buf, unsigned int len, bool is_write,
		       time_t before, time_t after)
{
	uint32_t v = 0;
	unsigned int i;

	if (len != 4 || off % 4) {
		for (i = 0; !is_write && i < len; i++)
			check(buf[i] == 0);
		return;
	}
	memcpy(&v, buf, 4);
	if (is_write && off == 0x08) {
		m->offset_lo = (int64_t)v - after;
		m->offset_hi = (int64_t)v - before;
	} else if (is_write && off == 0x04) {
		m->mr = v;
	} else if (is_write && off == 0x10) {
		m->imsc = v & 1;
	} else if (!is_write && (off == 0x00 || off == 0x08)) {
		time_bounds(before, after, m, v);
	} else if (!is_write) {
		check(v == rtc_expected(m, off));
	}
}

static bool inside(uint64_t addr, unsigned int len, uint64_t base, uint64_t size)
{
	return addr >= base && addr - base < size && addr - base + len <= size;
}

static void access_run(struct machine *mach, struct model *m, uint64_t addr, unsigned int len,
		       bool is_write, const uint8_t *wdata)
{
	uint8_t buf[8];
	bool claimed, in_uart = inside(addr, len, UART_BASE, UART_SIZE),
		      in_rtc = inside(addr, len, RTC_BASE, RTC_SIZE);
	time_t before, after;
	unsigned int i;

	if (is_write)
		memcpy(buf, wdata, len);
	else
		memset(buf, 0xa5, sizeof(buf));
	if (in_uart)
		uart_access(m, addr - UART_BASE, buf, len, is_write, false);
	before = time(NULL);
	claimed = machine_mmio(mach, addr, buf, len, is_write);
	after = time(NULL);
	check(claimed == (in_uart || in_rtc));
	if (in_uart)
		uart_access(m, addr - UART_BASE, buf, len, is_write, true);
	else if (in_rtc)
		rtc_access(m, addr - RTC_BASE, buf, len, is_write, before, after);
	else
		for (i = 0; !is_write && i < len; i++)
			check(buf[i] == 0);
}

static void console_run(struct machine *mach, struct model *m, const uint8_t *bytes, size_t n)
{
	size_t taken = machine_console_input(mach, bytes, n), room = FIFO_SIZE - m->count, i;

	/* Nothing refused while the FIFO has room; more than that is the UART's own queue. */
	check(taken <= n && taken >= (n < room ? n : room));
	m->rx_unknown |= taken > room;
	for (i = 0; i < taken; i++)
		fifo_push(m, bytes[i]);
	uart_irq_check(m);
}

/* One operation; false when the bytes end inside it. */
static bool op_run(struct machine *mach, struct model *m, struct input *in)
{
	uint8_t op, wdata[8], bytes[32], n;
	unsigned int len;
	uint64_t addr;
	int16_t off;
	bool is_write;

	if (!take(in, &op, 1))
		return false;
	len = 1u << ((op >> 2) & 3);
	if ((op & 3) == OP_CONSOLE) {
		if (!take(in, &n, 1) || !take(in, bytes, n % 33))
			return false;
		console_run(mach, m, bytes, n % 33);
		return true;
	}
	if ((op & 3) == OP_ABSOLUTE) {
		if (!take(in, &addr, 8))
			return false;
		is_write = op & 0x80;
	} else {
		if (!take(in, &off, 2))
			return false;
		addr = windows[(op >> 4) & 7] + (uint64_t)(int64_t)off;
		is_write = (op & 3) == OP_WRITE;
	}
	if (is_write && !take(in, wdata, len))
		return false;
	access_run(mach, m, addr, len, is_write, wdata);
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct model m = { .lcr = 0x03 };
	struct machine mach = { .irq_set = irq_set,
				.console_write = console_write,
				.hook_ctx = &m };
	struct input in = { data, size, 0 };

	m.tx_expected = malloc(size + 1);
	m.tx_seen = malloc(size + 1);
	check(m.tx_expected && m.tx_seen);
	check(!machine_add_board_devices(&mach));
	while (op_run(&mach, &m, &in))
		;
	machine_destroy_devices(&mach);
	free(m.tx_expected);
	free(m.tx_seen);
	return 0;
}
