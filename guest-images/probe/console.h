/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PROBE_CONSOLE_H
#define PROBE_CONSOLE_H

#include "types.h"

int console_init(const void *fdt);
void console_putc(char c);
void console_puts(const char *s);
void console_put_hex(u64 value);
void console_put_dec(u64 value);

#endif
