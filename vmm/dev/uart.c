// SPDX-License-Identifier: GPL-2.0
/*
 * A 16550A UART, enough of it for Linux's 8250 driver and for polled writers:
 * transmission is instant (THR is always empty again by the next access), the
 * receive FIFO holds what the console typed, and the interrupt line is level,
 * driven from IIR. A transmitted byte goes to machine_console_write with the
 * lock held, so that hook must never block: vmm's copies into a ring (console.h).
 */
#include "dev/uart.h"

#include <errno.h>
#include <libfdt.h>
#include <pthread.h>
#include <string.h>

#include "board/device.h"
#include "board/fdt_node.h"
#include "board/machine.h"
#include "snapshot/format.h"

enum uart_reg { RBR_THR_DLL, IER_DLM, IIR_FCR, LCR, MCR, LSR, MSR, SCR };

#define IER_RDI 0x01  /* receive data interrupt */
#define IER_THRI 0x02 /* transmit holding register empty interrupt */
#define IIR_NONE 0x01
#define IIR_THRI 0x02
#define IIR_RDI 0x04
#define IIR_FIFO_ON 0xc0
#define FCR_FIFO_ENABLE 0x01
#define FCR_CLEAR_RX 0x02
#define LCR_DLAB 0x80
#define MCR_LOOP 0x10
#define LSR_DR 0x01
#define LSR_THRE 0x20
#define LSR_TEMT 0x40
#define MSR_CTS 0x10
#define MSR_DSR 0x20
#define MSR_RI 0x40
#define MSR_DCD 0x80

#define UART_FIFO_SIZE 16
#define UART_CLOCK_HZ 1843200 /* the classic crystal: 115200 baud at divisor 1 */

struct uart {
	struct device dev;
	pthread_mutex_t lock;
	uint8_t rx[UART_FIFO_SIZE];
	unsigned int rx_head, rx_count;
	uint8_t ier, fcr, lcr, mcr, scr, dll, dlm;
	bool thri_pending; /* THR went empty and the guest has not yet seen it in IIR */
	bool irq_level;
};

static struct uart *to_uart(struct device *dev)
{
	return (struct uart *)dev;
}

static uint8_t uart_iir(const struct uart *u)
{
	uint8_t fifo = (u->fcr & FCR_FIFO_ENABLE) ? IIR_FIFO_ON : 0;

	if ((u->ier & IER_RDI) && u->rx_count)
		return fifo | IIR_RDI;
	if ((u->ier & IER_THRI) && u->thri_pending)
		return fifo | IIR_THRI;
	return fifo | IIR_NONE;
}

static void uart_update_irq(struct uart *u)
{
	bool level = !(uart_iir(u) & IIR_NONE);

	if (level != u->irq_level) {
		u->irq_level = level;
		irq_line_set(&u->dev.irq, level);
	}
}

static bool uart_rx_push(struct uart *u, uint8_t byte)
{
	if (u->rx_count == UART_FIFO_SIZE)
		return false;
	u->rx[(u->rx_head + u->rx_count) % UART_FIFO_SIZE] = byte;
	u->rx_count++;
	return true;
}

static uint8_t uart_rx_pop(struct uart *u)
{
	uint8_t byte;

	if (!u->rx_count)
		return 0;
	byte = u->rx[u->rx_head];
	u->rx_head = (u->rx_head + 1) % UART_FIFO_SIZE;
	u->rx_count--;
	return byte;
}

static void uart_transmit(struct uart *u, uint8_t byte)
{
	if (u->mcr & MCR_LOOP)
		uart_rx_push(u, byte);
	else
		machine_console_write(u->dev.machine, &byte, 1);
	u->thri_pending = true;
}

/* In loopback the modem outputs come back as inputs: DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD. */
static uint8_t uart_msr(const struct uart *u)
{
	if (u->mcr & MCR_LOOP)
		return (u->mcr & 0x0c) << 4 | (u->mcr & 0x01) << 5 | (u->mcr & 0x02) << 3;
	return MSR_DCD | MSR_DSR | MSR_CTS;
}

static uint8_t uart_read(struct uart *u, unsigned int reg)
{
	uint8_t iir;

	switch (reg) {
	case RBR_THR_DLL:
		return (u->lcr & LCR_DLAB) ? u->dll : uart_rx_pop(u);
	case IER_DLM:
		return (u->lcr & LCR_DLAB) ? u->dlm : u->ier;
	case IIR_FCR:
		iir = uart_iir(u);
		/* Reading IIR is how the guest acknowledges a THR-empty interrupt. */
		if ((iir & 0x0f) == IIR_THRI)
			u->thri_pending = false;
		return iir;
	case LCR:
		return u->lcr;
	case MCR:
		return u->mcr;
	case LSR:
		return LSR_THRE | LSR_TEMT | (u->rx_count ? LSR_DR : 0);
	case MSR:
		return uart_msr(u);
	default:
		return u->scr;
	}
}

static void uart_write(struct uart *u, unsigned int reg, uint8_t val)
{
	switch (reg) {
	case RBR_THR_DLL:
		if (u->lcr & LCR_DLAB)
			u->dll = val;
		else
			uart_transmit(u, val);
		break;
	case IER_DLM:
		if (u->lcr & LCR_DLAB) {
			u->dlm = val;
			break;
		}
		/* Enabling the THR-empty interrupt while THR is empty raises it at once. */
		if (!(u->ier & IER_THRI) && (val & IER_THRI))
			u->thri_pending = true;
		u->ier = val & 0x0f;
		break;
	case IIR_FCR:
		if (val & FCR_CLEAR_RX)
			u->rx_head = u->rx_count = 0;
		u->fcr = val & 0xc9;
		break;
	case LCR:
		u->lcr = val;
		break;
	case MCR:
		u->mcr = val & 0x1f;
		break;
	case SCR:
		u->scr = val;
		break;
	default: /* LSR and MSR are read-only */
		break;
	}
}

static void uart_mmio(struct device *dev, uint64_t offset, uint8_t *data, unsigned int len,
		      bool is_write)
{
	struct uart *u = to_uart(dev);

	/* Registers are bytes (reg-io-width 1); a wider access sees the byte at its address. */
	pthread_mutex_lock(&u->lock);
	if (offset < 8) {
		if (is_write) {
			uart_write(u, offset, data[0]);
		} else {
			memset(data, 0, len);
			data[0] = uart_read(u, offset);
		}
	} else if (!is_write) {
		memset(data, 0, len);
	}
	uart_update_irq(u);
	pthread_mutex_unlock(&u->lock);
}

static size_t uart_console_input(struct device *dev, const uint8_t *buf, size_t len)
{
	struct uart *u = to_uart(dev);
	size_t taken = 0;

	pthread_mutex_lock(&u->lock);
	while (taken < len && uart_rx_push(u, buf[taken]))
		taken++;
	uart_update_irq(u);
	pthread_mutex_unlock(&u->lock);
	return taken;
}

static int uart_fdt_node(struct device *dev, void *fdt)
{
	int ret = 0;

	ret |= fdt_node_begin(fdt, "uart", dev);
	ret |= fdt_property_string(fdt, "compatible", "ns16550a");
	ret |= fdt_node_reg_irq(fdt, dev);
	ret |= fdt_property_u32(fdt, "clock-frequency", UART_CLOCK_HZ);
	ret |= fdt_property_u32(fdt, "reg-shift", 0);
	ret |= fdt_property_u32(fdt, "reg-io-width", 1);
	ret |= fdt_end_node(fdt);
	return ret ? -ENOSPC : 0;
}

/* Every register, the receive FIFO in order, and the line level the GIC last saw. */
static int uart_save(struct device *dev, struct snap_writer *w)
{
	struct uart *u = to_uart(dev);
	uint8_t regs[7];
	unsigned int i;
	int ret;

	/* Under the lock: a vCPU may still be inside uart_mmio when a save races a stop. */
	pthread_mutex_lock(&u->lock);
	regs[0] = u->ier;
	regs[1] = u->fcr;
	regs[2] = u->lcr;
	regs[3] = u->mcr;
	regs[4] = u->scr;
	regs[5] = u->dll;
	regs[6] = u->dlm;
	ret = snap_put_bytes(w, regs, sizeof(regs));
	ret = ret ?: snap_put_u32(w, u->thri_pending | u->irq_level << 1);
	ret = ret ?: snap_put_u32(w, u->rx_count);
	for (i = 0; i < u->rx_count && !ret; i++)
		ret = snap_put_bytes(w, &u->rx[(u->rx_head + i) % UART_FIFO_SIZE], 1);
	pthread_mutex_unlock(&u->lock);
	return ret;
}

static int uart_restore(struct device *dev, struct snap_section *s)
{
	struct uart *u = to_uart(dev);
	uint8_t regs[7];
	uint32_t flags, count;
	int ret;

	ret = snap_get_bytes(s, regs, sizeof(regs));
	ret = ret ?: snap_get_u32(s, &flags);
	ret = ret ?: snap_get_u32(s, &count);
	if (!ret && (count > UART_FIFO_SIZE || flags > 3))
		ret = -EINVAL;
	if (ret)
		return ret;
	pthread_mutex_lock(&u->lock);
	/* Masked as uart_write masks them: only bits a guest could have set. */
	u->ier = regs[0] & 0x0f;
	u->fcr = regs[1] & 0xc9;
	u->lcr = regs[2];
	u->mcr = regs[3] & 0x1f;
	u->scr = regs[4];
	u->dll = regs[5];
	u->dlm = regs[6];
	u->thri_pending = flags & 1;
	/* The vGIC's saved line level already matches: no edge to send now. */
	u->irq_level = flags & 2;
	u->rx_head = 0;
	ret = snap_get_bytes(s, u->rx, count);
	u->rx_count = ret ? 0 : count;
	pthread_mutex_unlock(&u->lock);
	return ret;
}

static int uart_init(struct device *dev, const struct device_desc *desc)
{
	struct uart *u = to_uart(dev);

	(void)desc;
	u->lcr = 0x03; /* 8n1, as firmware would leave it */
	return -pthread_mutex_init(&u->lock, NULL);
}

static void uart_destroy(struct device *dev)
{
	pthread_mutex_destroy(&to_uart(dev)->lock);
}

static const struct device_ops uart_ops = {
	.name = "uart",
	.mmio = uart_mmio,
	.fdt_node = uart_fdt_node,
	.console_input = uart_console_input,
	.save = uart_save,
	.restore = uart_restore,
	.destroy = uart_destroy,
};

const struct device_model uart_model = {
	.ops = &uart_ops,
	.size = sizeof(struct uart),
	.init = uart_init,
};
