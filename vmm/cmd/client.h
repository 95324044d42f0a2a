/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_CLIENT_H
#define VMM_CLIENT_H

#include <stdbool.h>

/*
 * save, pause, resume, stop, info: requests to a running vmm over its control
 * socket. Each waits for its answer at most --timeout SECS: CLIENT_TIMEOUT_S by
 * default, CLIENT_SAVE_TIMEOUT_S for a save, which writes all of guest RAM.
 */
#define CLIENT_TIMEOUT_S 10
#define CLIENT_SAVE_TIMEOUT_S 300
#define CLIENT_TIMEOUT_MAX_S 86400

/* Whether name is one of those commands, which cmd_client (cmd/cmd.h) carries out. */
bool client_command_known(const char *name);

#endif
