/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_HOSTINFO_H
#define VMM_HOSTINFO_H

int cmd_host_info(int argc, char **argv);

#endif
