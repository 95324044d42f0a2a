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

/* A boot takes about 20; each restart of a rebooting guest about 17 more. */
#define TIMELINE_MAX_PHASES 64
/* Past the limit, the last phase takes the time of every later one, under this name. */
#define TIMELINE_FOLDED "later phases"

struct timeline_phase {
	const char *name;  /* a string literal: the timeline keeps the pointer */
	uint64_t wall_ns;  /* this phase's own */
	uint64_t cpu_ns;
	uint64_t end_ns;   /* since vmm started */
	bool guest;	   /* the guest's time (vmm only waited), not vmm's own work */
};

/* What the run's summary says besides the phases. */
struct timeline_summary {
	int exit_status;
	long peak_rss_kib;  /* -1 when unknown */
	long guest_ram_kib; /* of the peak, what the guest's RAM holds resident; -1 when unknown */
};

/* Where time starts: call first thing in main(). */
void timeline_start(void);
/* Ends the current phase under name; past TIMELINE_MAX_PHASES, see TIMELINE_FOLDED. */
void timeline_mark(const char *name);
/* Ends the current phase as the guest's: time vmm spent waiting for it, not working. */
void timeline_mark_guest(const char *name);
/* Copies out the phases so far; returns how many. */
unsigned int timeline_phases(struct timeline_phase *out, unsigned int max);
/* Since timeline_start(), in ns. */
uint64_t timeline_now_ns(void);

/*
 * vmm's own time before the guest's first phase and after it (a restarting
 * guest's second setup counts as after), the guest's, and vmm's own CPU time.
 */
struct timeline_totals {
	uint64_t before_ns, after_ns, guest_ns, cpu_ns; /* cpu_ns: vmm's own phases only */
};
void timeline_totals(const struct timeline_phase *p, unsigned int n, struct timeline_totals *t);

/* "vmm: phase NAME  W ms (cpu C ms), at T ms" lines, then the totals. */
void timeline_print_text(FILE *f);
/*
 * One line: {"exit_status": ..., "peak_rss_kib": ..., "guest_ram_kib": ...,
 * "own_before_ms": ..., "own_after_ms": ..., "own_cpu_ms": ..., "guest_ms": ...,
 * "phases": [{"name": ..., "wall_ms": ..., "cpu_ms": ..., "at_ms": ..., "guest": ...}, ...]}
 */
void timeline_print_json(FILE *f, const struct timeline_summary *s);

/* For tests: forget every phase and start again. */
void timeline_reset(void);

#endif
