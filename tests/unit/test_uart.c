// SPDX-License-Identifier: GPL-2.0
/*
 * The 16550A model, driven through the machine's MMIO dispatch as a guest would;
 * and the console ring that vmm puts behind its transmitter (console.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/console.h"
#include "base/util.h"
#include "board/machine.h"
#include "suites.h"

/* 16550 register offsets and bits, as include/uapi/linux/serial_reg.h names them. */
#define UART_RX 0
#define UART_TX 0
#define UART_DLL 0
#define UART_IER 1
#define UART_DLM 1
#define UART_IIR 2
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_MSR 6
#define UART_SCR 7

#define UART_IER_RDI 0x01
#define UART_IER_THRI 0x02
#define UART_IIR_NO_INT 0x01
#define UART_IIR_THRI 0x02
#define UART_IIR_RDI 0x04
#define UART_IIR_ID 0x0f
#define UART_FCR_ENABLE_FIFO 0x01
#define UART_FCR_CLEAR_RCVR 0x02
#define UART_LCR_DLAB 0x80
#define UART_MCR_DTR 0x01
#define UART_MCR_RTS 0x02
#define UART_MCR_OUT1 0x04
#define UART_MCR_OUT2 0x08
#define UART_MCR_LOOP 0x10
#define UART_LSR_DR 0x01
#define UART_LSR_THRE 0x20
#define UART_LSR_TEMT 0x40
#define UART_MSR_CTS 0x10
#define UART_MSR_DSR 0x20
#define UART_MSR_RI 0x40
#define UART_MSR_DCD 0x80

#define FIFO_SIZE 16

static struct machine m;

/* What the hooks saw. */
static struct {
	uint8_t out[256];
	size_t out_len;
	unsigned int irq_calls;
	unsigned int irq_spi;
	bool irq_level;
	void *ctx;
} hooks;

static void capture_irq_set(void *ctx, unsigned int spi, bool level)
{
	hooks.ctx = ctx;
	hooks.irq_calls++;
	hooks.irq_spi = spi;
	hooks.irq_level = level;
}

static void capture_console_write(void *ctx, const uint8_t *buf, size_t len)
{
	hooks.ctx = ctx;
	ck_assert_msg(hooks.out_len + len <= sizeof(hooks.out), "console output overflows %zu",
		      sizeof(hooks.out));
	memcpy(hooks.out + hooks.out_len, buf, len);
	hooks.out_len += len;
}

static void uart_setup(void)
{
	int ret;

	memset(&m, 0, sizeof(m));
	memset(&hooks, 0, sizeof(hooks));
	m.irq_set = capture_irq_set;
	m.console_write = capture_console_write;
	m.hook_ctx = &hooks;
	ret = machine_add_board_devices(&m);
	ck_assert_msg(ret == 0, "machine_add_board_devices: expected 0, got %d", ret);
}

static void uart_teardown(void)
{
	machine_destroy_devices(&m);
}

static uint8_t reg_read(unsigned int reg)
{
	uint8_t val = 0xee;

	machine_mmio(&m, UART_BASE + reg, &val, 1, false);
	return val;
}

static void reg_write(unsigned int reg, uint8_t val)
{
	machine_mmio(&m, UART_BASE + reg, &val, 1, true);
}

static size_t type_keys(const char *text)
{
	return machine_console_input(&m, (const uint8_t *)text, strlen(text));
}

/* Transmit */

START_TEST(test_thr_write_outputs_byte)
{
	reg_write(UART_TX, 'A');

	ck_assert_msg(hooks.out_len == 1 && hooks.out[0] == 'A',
		      "THR 'A': expected console output \"A\", got %zu bytes (first 0x%02x)",
		      hooks.out_len, hooks.out[0]);
}
END_TEST

START_TEST(test_thr_writes_in_order)
{
	const char *text = "hi\r\n";
	size_t i;

	for (i = 0; i < strlen(text); i++)
		reg_write(UART_TX, text[i]);

	ck_assert_msg(hooks.out_len == 4 && !memcmp(hooks.out, text, 4),
		      "THR \"hi\\r\\n\": expected 4 bytes in order, got %zu", hooks.out_len);
}
END_TEST

START_TEST(test_console_write_gets_hook_ctx)
{
	reg_write(UART_TX, 'A');

	ck_assert_msg(hooks.ctx == &hooks, "console_write ctx: expected %p, got %p", (void *)&hooks,
		      hooks.ctx);
}
END_TEST

START_TEST(test_lsr_idle)
{
	uint8_t lsr = reg_read(UART_LSR);

	ck_assert_msg(lsr == (UART_LSR_THRE | UART_LSR_TEMT),
		      "idle LSR: expected 0x%02x (THRE|TEMT), got 0x%02x",
		      UART_LSR_THRE | UART_LSR_TEMT, lsr);
}
END_TEST

START_TEST(test_lsr_after_transmit)
{
	uint8_t lsr;

	reg_write(UART_TX, 'A');
	lsr = reg_read(UART_LSR);

	ck_assert_msg((lsr & (UART_LSR_THRE | UART_LSR_TEMT)) == (UART_LSR_THRE | UART_LSR_TEMT),
		      "LSR after THR write: expected THRE|TEMT, got 0x%02x", lsr);
}
END_TEST

/* Receive */

START_TEST(test_input_sets_lsr_dr)
{
	uint8_t lsr;

	type_keys("a");
	lsr = reg_read(UART_LSR);

	ck_assert_msg(lsr & UART_LSR_DR, "LSR after input: expected DR (0x01), got 0x%02x", lsr);
}
END_TEST

START_TEST(test_rbr_pops_in_order)
{
	uint8_t got[3];

	type_keys("xyz");
	got[0] = reg_read(UART_RX);
	got[1] = reg_read(UART_RX);
	got[2] = reg_read(UART_RX);

	ck_assert_msg(!memcmp(got, "xyz", 3), "RBR: expected \"xyz\", got \"%.3s\"", (char *)got);
}
END_TEST

START_TEST(test_drained_clears_dr)
{
	uint8_t lsr;

	type_keys("ab");
	reg_read(UART_RX);
	reg_read(UART_RX);
	lsr = reg_read(UART_LSR);

	ck_assert_msg(!(lsr & UART_LSR_DR), "LSR after draining: expected no DR, got 0x%02x", lsr);
}
END_TEST

START_TEST(test_empty_rbr_reads_zero)
{
	uint8_t rbr = reg_read(UART_RX);

	ck_assert_msg(rbr == 0, "empty RBR: expected 0, got 0x%02x", rbr);
}
END_TEST

START_TEST(test_fifo_takes_sixteen)
{
	size_t taken = type_keys("0123456789abcdefXYZ");

	ck_assert_msg(taken == FIFO_SIZE, "19 bytes typed: expected %d taken, got %zu", FIFO_SIZE,
		      taken);
}
END_TEST

START_TEST(test_full_fifo_takes_none)
{
	size_t taken;

	type_keys("0123456789abcdef");
	taken = type_keys("g");

	ck_assert_msg(taken == 0, "full FIFO: expected 0 taken, got %zu", taken);
}
END_TEST

START_TEST(test_fifo_wraps)
{
	uint8_t got[FIFO_SIZE];
	unsigned int i;

	type_keys("0123456789");
	for (i = 0; i < 10; i++)
		reg_read(UART_RX);
	type_keys("ABCDEFGHIJKLMNOP");
	for (i = 0; i < FIFO_SIZE; i++)
		got[i] = reg_read(UART_RX);

	ck_assert_msg(!memcmp(got, "ABCDEFGHIJKLMNOP", FIFO_SIZE),
		      "after wrap: expected \"ABCDEFGHIJKLMNOP\", got \"%.16s\"", (char *)got);
}
END_TEST

START_TEST(test_fcr_clears_receiver)
{
	uint8_t lsr;

	type_keys("abc");
	reg_write(UART_FCR, UART_FCR_ENABLE_FIFO | UART_FCR_CLEAR_RCVR);
	lsr = reg_read(UART_LSR);

	ck_assert_msg(!(lsr & UART_LSR_DR), "FCR clear RX: expected no DR, got LSR 0x%02x", lsr);
}
END_TEST

/* Interrupts */

START_TEST(test_no_irq_without_ier)
{
	type_keys("a");

	ck_assert_msg(hooks.irq_calls == 0, "input with IER 0: expected no irq_set, got %u calls",
		      hooks.irq_calls);
}
END_TEST

START_TEST(test_rdi_raises_irq)
{
	reg_write(UART_IER, UART_IER_RDI);
	type_keys("a");

	ck_assert_msg(hooks.irq_calls == 1 && hooks.irq_level && hooks.irq_spi == UART_SPI,
		      "RDI + input: expected one irq_set(spi %d, true), got %u calls, spi %u, "
		      "level %d",
		      UART_SPI, hooks.irq_calls, hooks.irq_spi, hooks.irq_level);
}
END_TEST

START_TEST(test_rdi_iir)
{
	uint8_t iir;

	reg_write(UART_IER, UART_IER_RDI);
	type_keys("a");
	iir = reg_read(UART_IIR);

	ck_assert_msg((iir & UART_IIR_ID) == UART_IIR_RDI,
		      "IIR with data: expected RDI (0x04), "
		      "got 0x%02x",
		      iir);
}
END_TEST

START_TEST(test_rdi_lowered_when_drained)
{
	reg_write(UART_IER, UART_IER_RDI);
	type_keys("ab");
	reg_read(UART_RX);
	reg_read(UART_RX);

	ck_assert_msg(hooks.irq_calls == 2 && !hooks.irq_level,
		      "drained: expected irq raised then lowered (2 calls, level 0), got %u calls, "
		      "level %d",
		      hooks.irq_calls, hooks.irq_level);
}
END_TEST

START_TEST(test_rdi_stays_while_data_left)
{
	reg_write(UART_IER, UART_IER_RDI);
	type_keys("ab");
	reg_read(UART_RX);

	ck_assert_msg(hooks.irq_calls == 1 && hooks.irq_level,
		      "one byte left: expected the line still high after 1 call, got %u calls, "
		      "level %d",
		      hooks.irq_calls, hooks.irq_level);
}
END_TEST

START_TEST(test_enabling_rdi_with_data_raises)
{
	type_keys("a");
	reg_write(UART_IER, UART_IER_RDI);

	ck_assert_msg(hooks.irq_calls == 1 && hooks.irq_level,
		      "IER RDI with data waiting: expected the line raised, got %u calls level %d",
		      hooks.irq_calls, hooks.irq_level);
}
END_TEST

START_TEST(test_thri_enable_sets_iir)
{
	uint8_t iir;

	reg_write(UART_IER, UART_IER_THRI);
	iir = reg_read(UART_IIR);

	ck_assert_msg((iir & UART_IIR_ID) == UART_IIR_THRI,
		      "IIR after enabling THRI: expected THRI (0x02), got 0x%02x", iir);
}
END_TEST

START_TEST(test_thri_enable_raises_irq)
{
	reg_write(UART_IER, UART_IER_THRI);

	ck_assert_msg(hooks.irq_calls == 1 && hooks.irq_level,
		      "enabling THRI: expected the line raised, got %u calls level %d",
		      hooks.irq_calls, hooks.irq_level);
}
END_TEST

START_TEST(test_iir_read_clears_thri)
{
	uint8_t iir;

	reg_write(UART_IER, UART_IER_THRI);
	reg_read(UART_IIR);
	iir = reg_read(UART_IIR);

	ck_assert_msg((iir & UART_IIR_ID) == UART_IIR_NO_INT,
		      "second IIR read: expected no interrupt (0x01), got 0x%02x", iir);
}
END_TEST

START_TEST(test_iir_read_lowers_thri_irq)
{
	reg_write(UART_IER, UART_IER_THRI);
	reg_read(UART_IIR);

	ck_assert_msg(hooks.irq_calls == 2 && !hooks.irq_level,
		      "IIR read: expected the line lowered, got %u calls level %d", hooks.irq_calls,
		      hooks.irq_level);
}
END_TEST

START_TEST(test_transmit_rearms_thri)
{
	uint8_t iir;

	reg_write(UART_IER, UART_IER_THRI);
	reg_read(UART_IIR);
	reg_write(UART_TX, 'A');
	iir = reg_read(UART_IIR);

	ck_assert_msg((iir & UART_IIR_ID) == UART_IIR_THRI,
		      "IIR after a THR write: expected THRI again, got 0x%02x", iir);
}
END_TEST

START_TEST(test_rdi_before_thri)
{
	uint8_t iir;

	reg_write(UART_IER, UART_IER_THRI | UART_IER_RDI);
	type_keys("a");
	iir = reg_read(UART_IIR);

	ck_assert_msg((iir & UART_IIR_ID) == UART_IIR_RDI,
		      "RDI and THRI pending: expected RDI first (0x04), got 0x%02x", iir);
}
END_TEST

START_TEST(test_iir_fifo_bits)
{
	uint8_t iir;

	reg_write(UART_FCR, UART_FCR_ENABLE_FIFO);
	iir = reg_read(UART_IIR);

	ck_assert_msg((iir & 0xc0) == 0xc0, "IIR with FIFOs on: expected bits 7:6 set, got 0x%02x",
		      iir);
}
END_TEST

START_TEST(test_ier_keeps_low_nibble)
{
	uint8_t ier;

	reg_write(UART_IER, 0xff);
	ier = reg_read(UART_IER);

	ck_assert_msg(ier == 0x0f, "IER after writing 0xff: expected 0x0f, got 0x%02x", ier);
}
END_TEST

/* Divisor latch */

START_TEST(test_dlab_dll_does_not_transmit)
{
	reg_write(UART_LCR, UART_LCR_DLAB | 0x03);
	reg_write(UART_DLL, 0x01);

	ck_assert_msg(hooks.out_len == 0, "DLL write with DLAB: expected no output, got %zu bytes",
		      hooks.out_len);
}
END_TEST

START_TEST(test_dlab_divisor_reads_back)
{
	uint8_t dll, dlm;

	reg_write(UART_LCR, UART_LCR_DLAB | 0x03);
	reg_write(UART_DLL, 0x0c);
	reg_write(UART_DLM, 0x01);
	dll = reg_read(UART_DLL);
	dlm = reg_read(UART_DLM);

	ck_assert_msg(dll == 0x0c && dlm == 0x01,
		      "divisor: expected DLL 0x0c DLM 0x01, got 0x%02x "
		      "0x%02x",
		      dll, dlm);
}
END_TEST

START_TEST(test_dlab_dlm_leaves_ier)
{
	uint8_t ier;

	reg_write(UART_LCR, UART_LCR_DLAB | 0x03);
	reg_write(UART_DLM, 0x05);
	reg_write(UART_LCR, 0x03);
	ier = reg_read(UART_IER);

	ck_assert_msg(ier == 0, "IER after a DLM write: expected 0, got 0x%02x", ier);
}
END_TEST

START_TEST(test_dlab_dll_read_keeps_rx)
{
	uint8_t rbr;

	type_keys("q");
	reg_write(UART_LCR, UART_LCR_DLAB | 0x03);
	reg_read(UART_DLL);
	reg_write(UART_LCR, 0x03);
	rbr = reg_read(UART_RX);

	ck_assert_msg(rbr == 'q', "RBR after a DLL read: expected 'q', got 0x%02x", rbr);
}
END_TEST

START_TEST(test_lcr_reset_value)
{
	uint8_t lcr = reg_read(UART_LCR);

	ck_assert_msg(lcr == 0x03, "LCR at reset: expected 0x03 (8n1), got 0x%02x", lcr);
}
END_TEST

/* Loopback and modem status */

START_TEST(test_loopback_thr_to_rbr)
{
	uint8_t rbr;

	reg_write(UART_MCR, UART_MCR_LOOP);
	reg_write(UART_TX, 'L');
	rbr = reg_read(UART_RX);

	ck_assert_msg(rbr == 'L', "loopback: expected RBR 'L', got 0x%02x", rbr);
}
END_TEST

START_TEST(test_loopback_no_console_output)
{
	reg_write(UART_MCR, UART_MCR_LOOP);
	reg_write(UART_TX, 'L');

	ck_assert_msg(hooks.out_len == 0, "loopback: expected no console output, got %zu bytes",
		      hooks.out_len);
}
END_TEST

static const struct {
	uint8_t mcr;
	uint8_t msr;
} loop_msr[] = {
	{ UART_MCR_LOOP, 0 },
	{ UART_MCR_LOOP | UART_MCR_DTR, UART_MSR_DSR },
	{ UART_MCR_LOOP | UART_MCR_RTS, UART_MSR_CTS },
	{ UART_MCR_LOOP | UART_MCR_OUT1, UART_MSR_RI },
	{ UART_MCR_LOOP | UART_MCR_OUT2, UART_MSR_DCD },
	/* What Linux's 8250 autoconfig checks: OUT2|RTS must read back as DCD|CTS. */
	{ UART_MCR_LOOP | UART_MCR_OUT2 | UART_MCR_RTS, UART_MSR_DCD | UART_MSR_CTS },
	{ UART_MCR_LOOP | 0x0f, UART_MSR_DCD | UART_MSR_RI | UART_MSR_DSR | UART_MSR_CTS },
};

START_TEST(test_loopback_msr_reflects_mcr)
{
	uint8_t msr;

	reg_write(UART_MCR, loop_msr[_i].mcr);
	msr = reg_read(UART_MSR);

	ck_assert_msg((msr & 0xf0) == loop_msr[_i].msr,
		      "loopback MCR 0x%02x: expected MSR 0x%02x, got 0x%02x", loop_msr[_i].mcr,
		      loop_msr[_i].msr, msr & 0xf0);
}
END_TEST

START_TEST(test_msr_without_loopback)
{
	uint8_t msr = reg_read(UART_MSR);

	ck_assert_msg((msr & 0xf0) == (UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS),
		      "MSR: expected DCD|DSR|CTS (0xb0), got 0x%02x", msr);
}
END_TEST

START_TEST(test_mcr_reads_back)
{
	uint8_t mcr;

	reg_write(UART_MCR, 0xff);
	mcr = reg_read(UART_MCR);

	ck_assert_msg(mcr == 0x1f, "MCR after writing 0xff: expected 0x1f, got 0x%02x", mcr);
}
END_TEST

START_TEST(test_scratch_register)
{
	uint8_t scr;

	reg_write(UART_SCR, 0xa5);
	scr = reg_read(UART_SCR);

	ck_assert_msg(scr == 0xa5, "SCR: expected 0xa5, got 0x%02x", scr);
}
END_TEST

/* Access widths and the device tree hooks */

START_TEST(test_wide_read_sees_byte)
{
	uint8_t data[4] = { 0xee, 0xee, 0xee, 0xee };

	reg_write(UART_SCR, 0x5a);
	machine_mmio(&m, UART_BASE + UART_SCR, data, 4, false);

	ck_assert_msg(data[0] == 0x5a && data[1] == 0 && data[2] == 0 && data[3] == 0,
		      "32-bit SCR read: expected 5a 00 00 00, got %02x %02x %02x %02x", data[0],
		      data[1], data[2], data[3]);
}
END_TEST

START_TEST(test_above_registers_reads_zero)
{
	uint8_t data[4] = { 0xee, 0xee, 0xee, 0xee };

	machine_mmio(&m, UART_BASE + 0x100, data, 4, false);

	ck_assert_msg(!memcmp(data, "\0\0\0\0", 4),
		      "read at +0x100: expected zeros, got %02x%02x%02x%02x", data[0], data[1],
		      data[2], data[3]);
}
END_TEST

START_TEST(test_above_registers_write_ignored)
{
	reg_write(0x100, 'A');

	ck_assert_msg(hooks.out_len == 0, "write at +0x100: expected no output, got %zu bytes",
		      hooks.out_len);
}
END_TEST

/* The console ring behind the transmitter, on a pipe: what vmm does with stdout */

static struct console_out ring;
static int pipe_fds[2] = { -1, -1 };

static void ring_console_write(void *ctx, const uint8_t *buf, size_t len)
{
	console_out_write(ctx, buf, len);
}

/* A machine whose UART transmits into a ring of ring_size bytes drained into a pipe. */
static void console_setup(size_t ring_size)
{
	int ret;

	memset(&m, 0, sizeof(m));
	ck_assert_msg(pipe(pipe_fds) == 0, "pipe: expected 0, got errno %d", errno);
	ret = console_out_start(&ring, pipe_fds[1], ring_size);
	ck_assert_msg(ret == 0, "console_out_start: expected 0, got %d", ret);
	m.console_write = ring_console_write;
	m.hook_ctx = &ring;
	ret = machine_add_board_devices(&m);
	ck_assert_msg(ret == 0, "machine_add_board_devices: expected 0, got %d", ret);
}

static void console_teardown(void)
{
	machine_destroy_devices(&m);
	console_out_stop(&ring);
	close(pipe_fds[0]);
	close(pipe_fds[1]);
}

static long elapsed_ms(const struct timespec *since)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - since->tv_sec) * 1000 + (now.tv_nsec - since->tv_nsec) / 1000000;
}

/* Bytes no shift of which looks like another part: a dropped stretch cannot hide. */
static void pattern(uint8_t *buf, size_t len)
{
	uint32_t x = 12345;
	size_t i;

	for (i = 0; i < len; i++) {
		x = x * 1103515245 + 12345;
		buf[i] = x >> 16;
	}
}

/* Fills the pipe so that the writer's next write blocks: a reader that stalled. */
static size_t pipe_fill(void)
{
	static const uint8_t junk[4096];
	int flags = fcntl(pipe_fds[1], F_GETFL);
	size_t filled = 0;
	ssize_t n;

	fcntl(pipe_fds[1], F_SETFL, flags | O_NONBLOCK);
	while ((n = write(pipe_fds[1], junk, sizeof(junk))) > 0)
		filled += n;
	fcntl(pipe_fds[1], F_SETFL, flags);
	return filled;
}

/* Reads the pipe until the ring has nothing more for it; returns the bytes after skip. */
static size_t pipe_drain(uint8_t *out, size_t max, size_t skip)
{
	uint8_t buf[4096];
	size_t len = 0;
	ssize_t n;
	int idle = 0;

	fcntl(pipe_fds[0], F_SETFL, O_NONBLOCK);
	while (idle < 20) {
		n = read(pipe_fds[0], buf, sizeof(buf));
		if (n <= 0) {
			if (console_out_flush(&ring, 0))
				idle++;
			poll(NULL, 0, 5);
			continue;
		}
		idle = 0;
		for (ssize_t i = 0; i < n; i++) {
			if (skip) {
				skip--;
				continue;
			}
			ck_assert_msg(len < max, "pipe: expected at most %zu bytes, got more", max);
			out[len++] = buf[i];
		}
	}
	return len;
}

START_TEST(test_console_thr_reaches_reader)
{
	static const char text[] = "hello, console\r\n";
	char got[sizeof(text)] = "";
	size_t i;
	ssize_t n;

	console_setup(CONSOLE_RING_SIZE);
	for (i = 0; i < strlen(text); i++)
		reg_write(UART_TX, text[i]);
	ck_assert_msg(console_out_flush(&ring, 2000), "flush: expected everything written");
	n = read(pipe_fds[0], got, strlen(text));

	ck_assert_msg(n == (ssize_t)strlen(text) && !memcmp(got, text, n) &&
			      console_out_dropped(&ring) == 0,
		      "THR \"hello, console\\r\\n\": expected it on the pipe, none dropped; got %zd "
		      "bytes, %llu dropped",
		      n, (unsigned long long)console_out_dropped(&ring));
	console_teardown();
}
END_TEST

/*
 * The bug: the UART wrote to stdout under its lock, so a stalled reader stopped
 * the vCPU, and with it pause, save and SIGTERM. Now THR writes complete (or the
 * test's timeout would fail it), and the stretch that did not fit is dropped.
 */
START_TEST(test_console_stalled_reader_never_blocks_thr)
{
	enum { RING = 4096, TOTAL = 64 * 1024 };
	static uint8_t sent[TOTAL], got[TOTAL];
	struct timespec t;
	size_t filler, len, head, i;
	unsigned long long dropped;
	bool flushed;
	long ms;

	console_setup(RING);
	filler = pipe_fill();
	pattern(sent, sizeof(sent));
	clock_gettime(CLOCK_MONOTONIC, &t);
	for (i = 0; i < TOTAL; i++)
		reg_write(UART_TX, sent[i]);
	ms = elapsed_ms(&t);
	dropped = console_out_dropped(&ring);
	clock_gettime(CLOCK_MONOTONIC, &t);
	flushed = console_out_flush(&ring, 100);
	ck_assert_msg(!flushed && elapsed_ms(&t) < 1000,
		      "flush with a stalled reader: expected to give up after 100 ms idle, got %s "
		      "after %ld ms",
		      flushed ? "done" : "not done", elapsed_ms(&t));
	len = pipe_drain(got, sizeof(got), filler);
	head = len >= RING ? len - RING : 0;

	ck_assert_msg(dropped >= TOTAL - RING - CONSOLE_CHUNK,
		      "%d bytes into a %d-byte ring with a stalled reader: expected at least %d "
		      "dropped, got %llu (in %ld ms)",
		      TOTAL, RING, TOTAL - RING - CONSOLE_CHUNK, dropped, ms);
	ck_assert_msg(len + console_out_dropped(&ring) == TOTAL,
		      "every byte written or dropped: expected %d, got %zu written + %llu dropped",
		      TOTAL, len, (unsigned long long)console_out_dropped(&ring));
	/*
	 * The pipe was full from the start, so the writer blocked on its first chunk:
	 * the reader gets that chunk (a stretch of what was sent), then the ring,
	 * which holds the newest bytes.
	 */
	ck_assert_msg(len >= RING && head <= CONSOLE_CHUNK &&
			      memmem(sent, TOTAL - RING, got, head) &&
			      !memcmp(got + head, sent + TOTAL - RING, RING),
		      "what the reader got: expected a stretch of up to %d bytes sent, then the "
		      "newest %d; got %zu bytes",
		      CONSOLE_CHUNK, RING, len);
	console_teardown();
}
END_TEST

START_TEST(test_console_write_larger_than_ring_keeps_newest)
{
	enum { RING = 4096 };
	static uint8_t sent[3 * RING], got[2 * RING];
	size_t filler, len;

	console_setup(RING);
	filler = pipe_fill();
	pattern(sent, sizeof(sent));
	console_out_write(&ring, sent, sizeof(sent));
	len = pipe_drain(got, sizeof(got), filler);

	ck_assert_msg(len == RING && !memcmp(got, sent + 2 * RING, RING) &&
			      console_out_dropped(&ring) == 2 * RING,
		      "%zu bytes at once into a %d-byte ring: expected the newest %d written and %d "
		      "dropped, got %zu written (%s) and %llu dropped",
		      sizeof(sent), RING, RING, 2 * RING, len,
		      len == RING && !memcmp(got, sent + 2 * RING, RING) ? "the newest" : "others",
		      (unsigned long long)console_out_dropped(&ring));
	console_teardown();
}
END_TEST

START_TEST(test_console_closed_reader_drops_everything)
{
	static uint8_t sent[10000];
	size_t i;

	signal(SIGPIPE, SIG_IGN); /* as vmm does; this test runs in a child of its own */
	console_setup(CONSOLE_RING_SIZE);
	close(pipe_fds[0]);
	pipe_fds[0] = -1;
	pattern(sent, sizeof(sent));
	for (i = 0; i < sizeof(sent); i++)
		reg_write(UART_TX, sent[i]);

	ck_assert_msg(console_out_flush(&ring, 2000) &&
			      console_out_dropped(&ring) == sizeof(sent),
		      "a reader that closed the pipe: expected all %zu bytes dropped and nothing "
		      "left, got %llu dropped",
		      sizeof(sent), (unsigned long long)console_out_dropped(&ring));
	console_teardown();
}
END_TEST

START_TEST(test_console_flush_with_nothing_written)
{
	struct timespec t;
	bool flushed;

	console_setup(CONSOLE_RING_SIZE);
	clock_gettime(CLOCK_MONOTONIC, &t);
	flushed = console_out_flush(&ring, 1000);

	ck_assert_msg(flushed && elapsed_ms(&t) < 500,
		      "flush of an empty console: expected true at once, got %d after %ld ms",
		      flushed, elapsed_ms(&t));
	console_teardown();
}
END_TEST

Suite *uart_suite(void)
{
	Suite *s = suite_create("uart");
	TCase *tx = tcase_create("transmit");
	TCase *rx = tcase_create("receive");
	TCase *irq = tcase_create("interrupts");
	TCase *dlab = tcase_create("divisor");
	TCase *loop = tcase_create("loopback");
	TCase *access = tcase_create("access");
	TCase *console = tcase_create("console");
	TCase *all[] = { tx, rx, irq, dlab, loop, access };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(all); i++)
		tcase_add_checked_fixture(all[i], uart_setup, uart_teardown);

	tcase_add_test(tx, test_thr_write_outputs_byte);
	tcase_add_test(tx, test_thr_writes_in_order);
	tcase_add_test(tx, test_console_write_gets_hook_ctx);
	tcase_add_test(tx, test_lsr_idle);
	tcase_add_test(tx, test_lsr_after_transmit);

	tcase_add_test(rx, test_input_sets_lsr_dr);
	tcase_add_test(rx, test_rbr_pops_in_order);
	tcase_add_test(rx, test_drained_clears_dr);
	tcase_add_test(rx, test_empty_rbr_reads_zero);
	tcase_add_test(rx, test_fifo_takes_sixteen);
	tcase_add_test(rx, test_full_fifo_takes_none);
	tcase_add_test(rx, test_fifo_wraps);
	tcase_add_test(rx, test_fcr_clears_receiver);

	tcase_add_test(irq, test_no_irq_without_ier);
	tcase_add_test(irq, test_rdi_raises_irq);
	tcase_add_test(irq, test_rdi_iir);
	tcase_add_test(irq, test_rdi_lowered_when_drained);
	tcase_add_test(irq, test_rdi_stays_while_data_left);
	tcase_add_test(irq, test_enabling_rdi_with_data_raises);
	tcase_add_test(irq, test_thri_enable_sets_iir);
	tcase_add_test(irq, test_thri_enable_raises_irq);
	tcase_add_test(irq, test_iir_read_clears_thri);
	tcase_add_test(irq, test_iir_read_lowers_thri_irq);
	tcase_add_test(irq, test_transmit_rearms_thri);
	tcase_add_test(irq, test_rdi_before_thri);
	tcase_add_test(irq, test_iir_fifo_bits);
	tcase_add_test(irq, test_ier_keeps_low_nibble);

	tcase_add_test(dlab, test_dlab_dll_does_not_transmit);
	tcase_add_test(dlab, test_dlab_divisor_reads_back);
	tcase_add_test(dlab, test_dlab_dlm_leaves_ier);
	tcase_add_test(dlab, test_dlab_dll_read_keeps_rx);
	tcase_add_test(dlab, test_lcr_reset_value);

	tcase_add_test(loop, test_loopback_thr_to_rbr);
	tcase_add_test(loop, test_loopback_no_console_output);
	tcase_add_loop_test(loop, test_loopback_msr_reflects_mcr, 0, ARRAY_SIZE(loop_msr));
	tcase_add_test(loop, test_msr_without_loopback);
	tcase_add_test(loop, test_mcr_reads_back);
	tcase_add_test(loop, test_scratch_register);

	tcase_add_test(access, test_wide_read_sees_byte);
	tcase_add_test(access, test_above_registers_reads_zero);
	tcase_add_test(access, test_above_registers_write_ignored);

	/* Each sets up its own ring and pipe: console_setup. */
	tcase_add_test(console, test_console_thr_reaches_reader);
	tcase_add_test(console, test_console_stalled_reader_never_blocks_thr);
	tcase_add_test(console, test_console_write_larger_than_ring_keeps_newest);
	tcase_add_test(console, test_console_closed_reader_drops_everything);
	tcase_add_test(console, test_console_flush_with_nothing_written);

	for (i = 0; i < ARRAY_SIZE(all); i++)
		suite_add_tcase(s, all[i]);
	suite_add_tcase(s, console);
	return s;
}
