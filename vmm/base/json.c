// SPDX-License-Identifier: GPL-2.0
/* JSON string escaping, for the --json outputs. */
#include "base/json.h"

#include <stdint.h>
#include <stdlib.h>

/* The length of the valid UTF-8 sequence at s, or 0 when it is not one (RFC 3629). */
static size_t utf8_length(const unsigned char *s)
{
	uint32_t cp;
	size_t len, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80) /* also stops at the NUL */
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

struct json_out {
	char *buf;
	size_t size, len;
};

static void put(struct json_out *o, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++, o->len++)
		if (o->len + 1 < o->size)
			o->buf[o->len] = s[i];
}

size_t json_quote(char *out, size_t size, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	struct json_out o = { .buf = out, .size = size };

	put(&o, "\"", 1);
	while (*p) {
		size_t n = utf8_length(p);
		char esc[6] = { '\\', 'u', '0', '0', hex[*p >> 4], hex[*p & 15] };

		if (!n) {
			put(&o, "\\ufffd", 6);
			p++;
		} else if (*p == '"' || *p == '\\') {
			esc[1] = *p;
			put(&o, esc, 2);
			p++;
		} else if (*p == '\n' || *p == '\r' || *p == '\t') {
			esc[1] = *p == '\n' ? 'n' : *p == '\r' ? 'r' : 't';
			put(&o, esc, 2);
			p++;
		} else if (*p < 0x20) {
			put(&o, esc, 6);
			p++;
		} else {
			put(&o, (const char *)p, n);
			p += n;
		}
	}
	put(&o, "\"", 1);
	if (size)
		out[o.len < size ? o.len : size - 1] = '\0';
	return o.len;
}

void json_print_string(FILE *f, const char *s)
{
	char small[256], *big;
	size_t n = json_quote(small, sizeof(small), s);

	if (n < sizeof(small)) {
		fputs(small, f);
		return;
	}
	big = malloc(n + 1);
	if (!big) {
		fputs("\"\"", f); /* never invalid JSON, even out of memory */
		return;
	}
	json_quote(big, n + 1, s);
	fputs(big, f);
	free(big);
}
