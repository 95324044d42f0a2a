// SPDX-License-Identifier: GPL-2.0
/*
 * Polled output on the first enabled UART the device tree describes. No
 * interrupts, no FIFO setup: both the vmm's 16550 and QEMU's PL011 accept
 * characters from reset.
 */
#include "console.h"
#include "fdt.h"

enum uart_kind {
	UART_NONE,
	UART_NS16550A,
	UART_PL011,
};

/* In order of preference: the vmm's UART first, QEMU virt's as a fallback. */
static const struct uart_match {
	char compatible[16];
	enum uart_kind kind;
} uart_matches[] = {
	{ "ns16550a", UART_NS16550A },
	{ "arm,pl011", UART_PL011 },
};

#define NS16550_THR 0
#define NS16550_LSR 5
#define NS16550_LSR_THRE (1 << 5)

#define PL011_DR 0x00
#define PL011_FR 0x18
#define PL011_FR_TXFF (1 << 5)

struct uart {
	enum uart_kind kind;
	unsigned int rank;
	u64 base;
	u32 reg_shift;
};

static struct uart console;

static void uart_consider(const struct fdt_node *node, void *ctx)
{
	struct uart *best = ctx;
	const void *shift;
	unsigned int rank;
	u32 len;
	u64 base;

	if (!fdt_node_is_enabled(node) || fdt_node_reg_address(node, &base))
		return;
	for (rank = 0; rank < ARRAY_SIZE(uart_matches); rank++) {
		if (best->kind != UART_NONE && rank >= best->rank)
			return;
		if (!fdt_node_is_compatible(node, uart_matches[rank].compatible))
			continue;
		best->kind = uart_matches[rank].kind;
		best->rank = rank;
		best->base = base;
		shift = fdt_node_prop(node, "reg-shift", &len);
		best->reg_shift = shift && len == 4 ? fdt_read_u32(shift) : 0;
		return;
	}
}

int console_init(const void *fdt)
{
	struct uart found = { .kind = UART_NONE };
	int err;

	err = fdt_for_each_node(fdt, uart_consider, &found);
	if (err)
		return err;
	if (found.kind == UART_NONE)
		return -ENODEV;
	console = found;
	return 0;
}

/* The vmm's 16550 has 8-bit registers: byte accesses only, spaced by reg-shift. */
static volatile u8 *ns16550_reg(const struct uart *uart, unsigned int reg)
{
	return (volatile u8 *)(uintptr_t)(uart->base + ((u64)reg << uart->reg_shift));
}

static void ns16550_putc(const struct uart *uart, char c)
{
	while (!(*ns16550_reg(uart, NS16550_LSR) & NS16550_LSR_THRE))
		;
	*ns16550_reg(uart, NS16550_THR) = c;
}

static void pl011_putc(const struct uart *uart, char c)
{
	volatile u32 *dr = (volatile u32 *)(uintptr_t)(uart->base + PL011_DR);
	volatile u32 *fr = (volatile u32 *)(uintptr_t)(uart->base + PL011_FR);

	while (*fr & PL011_FR_TXFF)
		;
	*dr = (u8)c;
}

void console_putc(char c)
{
	switch (console.kind) {
	case UART_NS16550A:
		ns16550_putc(&console, c);
		break;
	case UART_PL011:
		pl011_putc(&console, c);
		break;
	case UART_NONE:
		break;
	}
}

void console_puts(const char *s)
{
	while (*s)
		console_putc(*s++);
}

static void put_digits(u64 value, unsigned int base)
{
	char digits[20];
	unsigned int n = 0;

	do {
		digits[n++] = "0123456789abcdef"[value % base];
		value /= base;
	} while (value);
	while (n)
		console_putc(digits[--n]);
}

/* Lower case, no prefix, no leading zeros: the format every field of the line uses. */
void console_put_hex(u64 value)
{
	put_digits(value, 16);
}

void console_put_dec(u64 value)
{
	put_digits(value, 10);
}
