/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_DEV_UART_H
#define VMM_DEV_UART_H

struct device_model;

/* A 16550A, "ns16550a" in the device tree; the board puts it at UART_BASE as the console. */
extern const struct device_model uart_model;

#endif
