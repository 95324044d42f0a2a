/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_CLIENT_H
#define VMM_CLIENT_H

#include <stdbool.h>

/* save, pause, resume, stop, info: requests to a running vmm over its control socket. */
bool client_command_known(const char *name);
int cmd_client(int argc, char **argv);

#endif
