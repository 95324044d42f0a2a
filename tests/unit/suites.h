/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_TESTS_UNIT_SUITES_H
#define VMM_TESTS_UNIT_SUITES_H

#include <check.h>

/* One suite per area; main.c runs them all. */
Suite *util_suite(void);
Suite *image_suite(void);
Suite *layout_suite(void);
Suite *config_suite(void);
Suite *mmio_suite(void);
Suite *uart_suite(void);
Suite *rtc_suite(void);
Suite *fdt_suite(void);
Suite *boot_suite(void);
Suite *term_suite(void);
Suite *psci_suite(void);
Suite *format_suite(void);
Suite *firmware_suite(void);
Suite *api_suite(void);
Suite *regpolicy_suite(void);
Suite *snapread_suite(void);
Suite *pagemap_suite(void);
Suite *timeline_suite(void);
Suite *sandbox_suite(void);
Suite *ram_map_suite(void);
Suite *resident_suite(void);
Suite *guest_mem_suite(void);
Suite *event_loop_suite(void);
Suite *virtqueue_suite(void);
Suite *virtio_mmio_suite(void);
Suite *virtio_blk_suite(void);
Suite *restore_args_suite(void);

#endif
