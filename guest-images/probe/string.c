// SPDX-License-Identifier: GPL-2.0
/* The two string helpers the probe needs; there is no libc. */
#include "types.h"

bool str_eq(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

size_t str_len(const char *s)
{
	size_t len = 0;

	while (s[len])
		len++;
	return len;
}
