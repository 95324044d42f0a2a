// SPDX-License-Identifier: GPL-2.0
/* The timeline of vmm's own work: wall and CPU time per phase, for -v and --json. */
#include "base/timeline.h"

#include <pthread.h>
#include <sys/resource.h>
#include <time.h>

static struct {
	pthread_mutex_t lock;
	struct timespec start;
	uint64_t last_wall_ns, last_cpu_ns;
	struct timeline_phase phases[TIMELINE_MAX_PHASES];
	unsigned int nr, dropped;
} tl = { .lock = PTHREAD_MUTEX_INITIALIZER };

static uint64_t cpu_ns(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru))
		return 0;
	return (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000ULL +
	       (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000ULL;
}

uint64_t timeline_now_ns(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)(now.tv_sec - tl.start.tv_sec) * 1000000000ULL + now.tv_nsec -
	       tl.start.tv_nsec;
}

void timeline_start(void)
{
	pthread_mutex_lock(&tl.lock);
	clock_gettime(CLOCK_MONOTONIC, &tl.start);
	tl.last_wall_ns = 0;
	/* What the process used before main() (exec, the loader) belongs to no phase. */
	tl.last_cpu_ns = cpu_ns();
	tl.nr = tl.dropped = 0;
	pthread_mutex_unlock(&tl.lock);
}

void timeline_reset(void)
{
	timeline_start();
}

static void mark(const char *name, bool guest)
{
	struct timeline_phase *p;
	uint64_t wall, cpu, cpu_delta;

	/* Read under the lock: two threads marking at once must not end phases out of order. */
	pthread_mutex_lock(&tl.lock);
	wall = timeline_now_ns();
	cpu = cpu_ns();
	p = &tl.phases[tl.nr < TIMELINE_MAX_PHASES ? tl.nr : tl.nr - 1];
	/* getrusage ticks coarser than the clock: never below zero */
	cpu_delta = cpu > tl.last_cpu_ns ? cpu - tl.last_cpu_ns : 0;

	if (tl.nr < TIMELINE_MAX_PHASES) {
		*p = (struct timeline_phase){ name, wall - tl.last_wall_ns, cpu_delta, wall, guest };
		tl.nr++;
	} else {
		/* The last slot takes every later phase's time, so that none is lost. */
		*p = (struct timeline_phase){ TIMELINE_FOLDED, p->wall_ns + wall - tl.last_wall_ns,
					      p->cpu_ns + cpu_delta, wall, false };
		tl.dropped++;
	}
	tl.last_wall_ns = wall;
	tl.last_cpu_ns = cpu > tl.last_cpu_ns ? cpu : tl.last_cpu_ns;
	pthread_mutex_unlock(&tl.lock);
}

void timeline_mark(const char *name)
{
	mark(name, false);
}

void timeline_mark_guest(const char *name)
{
	mark(name, true);
}

unsigned int timeline_phases(struct timeline_phase *out, unsigned int max)
{
	unsigned int i, n;

	pthread_mutex_lock(&tl.lock);
	n = tl.nr < max ? tl.nr : max;
	for (i = 0; i < n; i++)
		out[i] = tl.phases[i];
	pthread_mutex_unlock(&tl.lock);
	return n;
}

static double ms(uint64_t ns)
{
	return ns / 1e6;
}

void timeline_totals(const struct timeline_phase *p, unsigned int n, struct timeline_totals *t)
{
	bool guest_seen = false;
	unsigned int i;

	*t = (struct timeline_totals){ 0 };
	for (i = 0; i < n; i++) {
		if (p[i].guest) {
			t->guest_ns += p[i].wall_ns;
			guest_seen = true;
			continue;
		}
		t->cpu_ns += p[i].cpu_ns;
		if (guest_seen)
			t->after_ns += p[i].wall_ns;
		else
			t->before_ns += p[i].wall_ns;
	}
}

void timeline_print_text(FILE *f)
{
	struct timeline_phase p[TIMELINE_MAX_PHASES];
	unsigned int i, n = timeline_phases(p, TIMELINE_MAX_PHASES);
	struct timeline_totals t;

	for (i = 0; i < n; i++)
		fprintf(f, "vmm: phase %-26s %8.2f ms (cpu %6.2f ms), at %8.2f ms%s\n", p[i].name,
			ms(p[i].wall_ns), ms(p[i].cpu_ns), ms(p[i].end_ns),
			p[i].guest ? " (the guest's)" : "");
	timeline_totals(p, n, &t);
	fprintf(f, "vmm: own time %.2f ms before the guest, %.2f ms after it (cpu %.2f ms); "
		   "the guest %.2f ms\n",
		ms(t.before_ns), ms(t.after_ns), ms(t.cpu_ns), ms(t.guest_ns));
	if (tl.dropped)
		fprintf(f, "vmm: phase \"%s\" holds %u phases past the first %u\n",
			TIMELINE_FOLDED, tl.dropped + 1, TIMELINE_MAX_PHASES - 1);
}

/* Phase names are vmm's own literals: plain ASCII with no quote or backslash to escape. */
void timeline_print_json(FILE *f, const struct timeline_summary *s)
{
	struct timeline_phase p[TIMELINE_MAX_PHASES];
	unsigned int i, n = timeline_phases(p, TIMELINE_MAX_PHASES);
	struct timeline_totals t;

	timeline_totals(p, n, &t);
	fprintf(f,
		"{\"exit_status\": %d, \"peak_rss_kib\": %ld, \"guest_ram_kib\": %ld, "
		"\"own_before_ms\": %.3f, \"own_after_ms\": %.3f, \"own_cpu_ms\": %.3f, "
		"\"guest_ms\": %.3f, \"phases\": [",
		s->exit_status, s->peak_rss_kib, s->guest_ram_kib, ms(t.before_ns), ms(t.after_ns),
		ms(t.cpu_ns), ms(t.guest_ns));
	for (i = 0; i < n; i++)
		fprintf(f,
			"%s{\"name\": \"%s\", \"wall_ms\": %.3f, \"cpu_ms\": %.3f, "
			"\"at_ms\": %.3f, \"guest\": %s}",
			i ? ", " : "", p[i].name, ms(p[i].wall_ns), ms(p[i].cpu_ns),
			ms(p[i].end_ns), p[i].guest ? "true" : "false");
	fprintf(f, "]}\n");
	fflush(f);
}
