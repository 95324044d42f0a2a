/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_DEV_RTC_H
#define VMM_DEV_RTC_H

struct machine;

/* A PL031 real-time clock at RTC_BASE: the guest reads the host's wall-clock time. */
int rtc_register(struct machine *m);

#endif
