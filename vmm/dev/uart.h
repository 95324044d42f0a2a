/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_DEV_UART_H
#define VMM_DEV_UART_H

struct machine;

/* A 16550A at UART_BASE on UART_SPI, the console: "ns16550a" in the device tree. */
int uart_register(struct machine *m);

#endif
