// SPDX-License-Identifier: GPL-2.0
/* Runs every unit-test suite; exits nonzero when any check fails. */
#include <stdlib.h>

#include "suites.h"

static Suite *(*const all_suites[])(void) = {
	util_suite, image_suite,  layout_suite,	  config_suite, mmio_suite,
	uart_suite, rtc_suite,	  fdt_suite,	  boot_suite,	term_suite,
	psci_suite, format_suite, firmware_suite, api_suite,	regpolicy_suite,
	snapread_suite, pagemap_suite, timeline_suite, sandbox_suite, ram_map_suite,
	resident_suite, guest_mem_suite, event_loop_suite, virtqueue_suite,
	virtio_mmio_suite,
	virtio_blk_suite,
	restore_args_suite,
};

int main(void)
{
	SRunner *runner = srunner_create(NULL);
	size_t i;
	int failed;

	for (i = 0; i < sizeof(all_suites) / sizeof(all_suites[0]); i++)
		srunner_add_suite(runner, all_suites[i]());
	srunner_run_all(runner, CK_NORMAL);
	failed = srunner_ntests_failed(runner);
	srunner_free(runner);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
