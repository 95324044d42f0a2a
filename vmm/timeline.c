// SPDX-License-Identifier: GPL-2.0
/* The timeline of vmm's own work: wall and CPU time per phase, for -v and --json. */
#include "timeline.h"

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

void timeline_mark(const char *name)
{
	uint64_t wall = timeline_now_ns(), cpu = cpu_ns();

	pthread_mutex_lock(&tl.lock);
	if (tl.nr < TIMELINE_MAX_PHASES) {
		tl.phases[tl.nr++] = (struct timeline_phase){
			.name = name,
			.wall_ns = wall - tl.last_wall_ns,
			/* getrusage ticks coarser than the clock: never below zero */
			.cpu_ns = cpu > tl.last_cpu_ns ? cpu - tl.last_cpu_ns : 0,
			.end_ns = wall,
		};
	} else {
		tl.dropped++;
	}
	tl.last_wall_ns = wall;
	tl.last_cpu_ns = cpu > tl.last_cpu_ns ? cpu : tl.last_cpu_ns;
	pthread_mutex_unlock(&tl.lock);
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

void timeline_print_text(FILE *f)
{
	struct timeline_phase p[TIMELINE_MAX_PHASES];
	unsigned int i, n = timeline_phases(p, TIMELINE_MAX_PHASES);

	for (i = 0; i < n; i++)
		fprintf(f, "vmm: phase %-22s %8.2f ms (cpu %6.2f ms), at %8.2f ms\n", p[i].name,
			ms(p[i].wall_ns), ms(p[i].cpu_ns), ms(p[i].end_ns));
}

/* Phase names are vmm's own literals: plain ASCII with no quote or backslash to escape. */
void timeline_print_json(FILE *f, int exit_status, long peak_rss_kib)
{
	struct timeline_phase p[TIMELINE_MAX_PHASES];
	unsigned int i, n = timeline_phases(p, TIMELINE_MAX_PHASES);

	fprintf(f, "{\"exit_status\": %d, \"peak_rss_kib\": %ld, \"phases\": [", exit_status,
		peak_rss_kib);
	for (i = 0; i < n; i++)
		fprintf(f, "%s{\"name\": \"%s\", \"wall_ms\": %.3f, \"cpu_ms\": %.3f, \"at_ms\": %.3f}",
			i ? ", " : "", p[i].name, ms(p[i].wall_ns), ms(p[i].cpu_ns),
			ms(p[i].end_ns));
	fprintf(f, "]}\n");
}
