/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PROBE_TYPES_H
#define PROBE_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint32_t u32;
typedef uint64_t u64;

/* Freestanding: no <errno.h>, so only the few values we return. */
#define ENODEV 19
#define EINVAL 22

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

bool str_eq(const char *a, const char *b);
size_t str_len(const char *s);

#endif
