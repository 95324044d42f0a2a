/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_DEV_RTC_H
#define VMM_DEV_RTC_H

struct device_model;

/* A PL031 real-time clock (at RTC_BASE on the board): the guest reads the host's time. */
extern const struct device_model rtc_model;

#endif
