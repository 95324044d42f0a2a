/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_TERM_H
#define VMM_TERM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <termios.h>

/* The console escape, as in QEMU: Ctrl-A x quits, Ctrl-A Ctrl-A sends one Ctrl-A. */
#define TERM_ESCAPE_CHAR 0x01

struct term_escape {
	bool armed; /* the last byte was the escape character */
};

/*
 * Filters typed bytes in place, removing escape sequences; returns how many
 * bytes remain for the guest and sets *quit when Ctrl-A x was typed.
 */
size_t term_escape_filter(struct term_escape *esc, uint8_t *buf, size_t len, bool *quit);

struct term {
	int fd;
	bool raw; /* saved holds the settings to restore */
	struct termios saved;
};

/* Raw mode on fd when it is a terminal, so that keys reach the guest as typed. */
int term_raw_enter(struct term *t, int fd);
void term_raw_leave(struct term *t);

#endif
