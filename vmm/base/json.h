/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_JSON_H
#define VMM_JSON_H

#include <stddef.h>
#include <stdio.h>

/*
 * s as a JSON string, quotes included, into out (NUL-terminated, truncated to
 * size like snprintf); returns the length the whole string needs. '"', '\' and
 * control characters are escaped; bytes that are not UTF-8 (a path may hold
 * any) become U+FFFD, so that the output is always valid JSON.
 */
size_t json_quote(char *out, size_t size, const char *s);
/* The same, printed to f. */
void json_print_string(FILE *f, const char *s);

#endif
