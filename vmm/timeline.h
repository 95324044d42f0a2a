/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_TIMELINE_H
#define VMM_TIMELINE_H

/*
 * vmm's own time, phase by phase: how long each step of setup and teardown took
 * in wall time and in CPU time (getrusage, every thread), printed with -v and,
 * with --json, as one JSON object. A phase ends when it is marked; it began where
 * the one before it ended, the first one where vmm started.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define TIMELINE_MAX_PHASES 32

struct timeline_phase {
	const char *name;  /* a string literal: the timeline keeps the pointer */
	uint64_t wall_ns;  /* this phase's own */
	uint64_t cpu_ns;
	uint64_t end_ns;   /* since vmm started */
};

/* Where time starts: call first thing in main(). */
void timeline_start(void);
/* Ends the current phase under name; past TIMELINE_MAX_PHASES, marks are counted and dropped. */
void timeline_mark(const char *name);
/* Copies out the phases so far; returns how many. */
unsigned int timeline_phases(struct timeline_phase *out, unsigned int max);
/* Since timeline_start(), in ns. */
uint64_t timeline_now_ns(void);

/* "vmm: phase NAME  W ms (cpu C ms), at T ms" lines. */
void timeline_print_text(FILE *f);
/* {"phases": [{"name": ..., "wall_ms": ..., "cpu_ms": ..., "at_ms": ...}, ...] ...} */
void timeline_print_json(FILE *f, int exit_status, long peak_rss_kib);

/* For tests: forget every phase and start again. */
void timeline_reset(void);

#endif
