// SPDX-License-Identifier: GPL-2.0
/* The timeline: phases in order, each its own share of the time, and JSON that says the same. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/timeline.h"
#include "base/util.h"
#include "helpers.h"
#include "suites.h"

static void spin_ms(unsigned int ms)
{
	uint64_t until = timeline_now_ns() + ms * 1000000ULL;

	while (timeline_now_ns() < until)
		;
}

START_TEST(test_phases_in_order_with_their_own_time)
{
	struct timeline_phase p[4];
	unsigned int n;

	timeline_reset();
	spin_ms(5);
	timeline_mark("first");
	timeline_mark("second");
	spin_ms(20);
	timeline_mark("third");
	n = timeline_phases(p, 4);

	ck_assert_msg(n == 3 && !strcmp(p[0].name, "first") && !strcmp(p[2].name, "third") &&
			      p[0].wall_ns >= 5000000 && p[1].wall_ns < 5000000 &&
			      p[2].wall_ns >= 20000000 &&
			      p[2].end_ns == p[0].wall_ns + p[1].wall_ns + p[2].wall_ns,
		      "three phases of 5, 0 and 20 ms: expected them in order, each its own time, "
		      "summing to the last end; got %u: %llu %llu %llu ns, end %llu",
		      n, (unsigned long long)p[0].wall_ns, (unsigned long long)p[1].wall_ns,
		      (unsigned long long)p[2].wall_ns, (unsigned long long)p[2].end_ns);
}
END_TEST

/* Until this process has used ms more of CPU (a loaded machine gives it less than wall time). */
static void spin_cpu_ms(unsigned int ms)
{
	struct timespec t0, t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
	do
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	while ((t.tv_sec - t0.tv_sec) * 1000000000LL + t.tv_nsec - t0.tv_nsec < ms * 1000000LL);
}

/* Spinning is CPU time; sleeping is not. */
START_TEST(test_cpu_time_is_the_process_own)
{
	struct timespec nap = { .tv_nsec = 30000000 };
	struct timeline_phase p[2];

	timeline_reset();
	spin_cpu_ms(40);
	timeline_mark("spin");
	nanosleep(&nap, NULL);
	timeline_mark("sleep");
	timeline_phases(p, 2);

	ck_assert_msg(p[0].cpu_ns >= 20000000 && p[1].cpu_ns < 20000000 && p[1].wall_ns >= 30000000,
		      "40 ms spinning then 30 ms asleep: expected cpu >= 20 ms then < 20 ms, got "
		      "%llu and %llu ns (sleep wall %llu)",
		      (unsigned long long)p[0].cpu_ns, (unsigned long long)p[1].cpu_ns,
		      (unsigned long long)p[1].wall_ns);
}
END_TEST

/* Past the limit the last phase takes the later ones' time: the phases still sum to the end. */
START_TEST(test_marks_past_the_limit_folded)
{
	struct timeline_phase p[TIMELINE_MAX_PHASES + 1];
	unsigned int i, n;
	uint64_t sum = 0;

	timeline_reset();
	for (i = 0; i < TIMELINE_MAX_PHASES + 5; i++) {
		spin_ms(1);
		timeline_mark("again");
	}
	n = timeline_phases(p, TIMELINE_MAX_PHASES + 1);
	for (i = 0; i < n; i++)
		sum += p[i].wall_ns;

	ck_assert_msg(n == TIMELINE_MAX_PHASES && !strcmp(p[n - 1].name, TIMELINE_FOLDED) &&
			      sum == p[n - 1].end_ns && p[n - 1].wall_ns >= 6000000,
		      "%u marks: expected %u kept, the last \"%s\" holding 6 phases (>= 6 ms) and "
		      "the phases summing to the end; got %u, \"%s\", %llu ns, sum %llu, end %llu",
		      TIMELINE_MAX_PHASES + 5, TIMELINE_MAX_PHASES, TIMELINE_FOLDED, n,
		      n ? p[n - 1].name : "", n ? (unsigned long long)p[n - 1].wall_ns : 0ULL,
		      (unsigned long long)sum, n ? (unsigned long long)p[n - 1].end_ns : 0ULL);
}
END_TEST

START_TEST(test_json_lists_every_phase)
{
	static const char head[] = "{\"exit_status\": 0, \"peak_rss_kib\": 1234, \"guest_ram_kib\": 1000, ";
	struct output_capture c;
	const char *text;

	timeline_reset();
	timeline_mark("open /dev/kvm");
	timeline_mark("first KVM_RUN");
	output_capture_begin(&c, STDOUT_FILENO);
	timeline_print_json(stdout, &(struct timeline_summary){ 0, 1234, 1000 });
	text = output_capture_end(&c);

	ck_assert_msg(!strncmp(text, head, strlen(head)) &&
			      strstr(text, "{\"name\": \"open /dev/kvm\", \"wall_ms\": ") &&
			      strstr(text, "\"guest\": false}") &&
			      strstr(text, "}, {\"name\": \"first KVM_RUN\"") && strstr(text, "]}\n") &&
			      count_lines(text) == 1,
		      "JSON of two phases: expected one object listing both, got %s", text);
}
END_TEST

/* The guest's phase is nobody's own time; vmm's phases before and after it are summed apart. */
START_TEST(test_totals_split_around_the_guest)
{
	const struct timeline_phase p[] = {
		{ "kvm", 3000, 1000, 3000, false },	  { "first KVM_RUN", 2000, 2000, 5000, false },
		{ "guest ran", 100000, 90000, 105000, true }, { "vCPUs stopped", 700, 100, 105700, false },
		{ "guest ran", 50000, 40000, 155700, true },  { "console", 300, 50, 156000, false },
	};
	struct timeline_totals t;

	timeline_totals(p, 6, &t);
	ck_assert_msg(t.before_ns == 5000 && t.after_ns == 1000 && t.guest_ns == 150000 &&
			      t.cpu_ns == 3150,
		      "expected before 5000, after 1000, guest 150000, own cpu 3150 ns; got %llu "
		      "%llu %llu %llu",
		      (unsigned long long)t.before_ns, (unsigned long long)t.after_ns,
		      (unsigned long long)t.guest_ns, (unsigned long long)t.cpu_ns);
}
END_TEST

Suite *timeline_suite(void)
{
	Suite *s = suite_create("timeline");
	TCase *tc = tcase_create("phases");

	tcase_add_test(tc, test_phases_in_order_with_their_own_time);
	tcase_add_test(tc, test_cpu_time_is_the_process_own);
	tcase_add_test(tc, test_marks_past_the_limit_folded);
	tcase_add_test(tc, test_json_lists_every_phase);
	tcase_add_test(tc, test_totals_split_around_the_guest);
	suite_add_tcase(s, tc);
	return s;
}
