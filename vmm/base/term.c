// SPDX-License-Identifier: GPL-2.0
#include "base/term.h"

#include <errno.h>
#include <unistd.h>

size_t term_escape_filter(struct term_escape *esc, uint8_t *buf, size_t len, bool *quit)
{
	size_t in, out = 0;

	*quit = false;
	for (in = 0; in < len; in++) {
		uint8_t c = buf[in];

		if (!esc->armed && c == TERM_ESCAPE_CHAR) {
			esc->armed = true;
			continue;
		}
		if (esc->armed) {
			esc->armed = false;
			if (c == 'x' || c == 'X') {
				*quit = true;
				return out;
			}
			if (c != TERM_ESCAPE_CHAR)
				continue; /* unknown escapes are swallowed, as QEMU does */
		}
		buf[out++] = c;
	}
	return out;
}

int term_raw_enter(struct term *t, int fd)
{
	struct termios raw;

	t->fd = fd;
	t->raw = false;
	if (!isatty(fd))
		return 0;
	if (tcgetattr(fd, &t->saved) < 0)
		return -errno;
	raw = t->saved;
	cfmakeraw(&raw);
	/* Keep output post-processing so that vmm's own messages still start a fresh line. */
	raw.c_oflag |= OPOST | ONLCR;
	if (tcsetattr(fd, TCSANOW, &raw) < 0)
		return -errno;
	t->raw = true;
	return 0;
}

void term_raw_leave(struct term *t)
{
	if (t->raw)
		tcsetattr(t->fd, TCSANOW, &t->saved);
	t->raw = false;
}
