/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_CLI_H
#define VMM_CLI_H

#include "base/config.h"

enum cli_result {
	CLI_RUN,     /* cfg is complete: boot it */
	CLI_DONE,    /* --help or --version was printed */
	CLI_INVALID, /* an error line was printed */
};

/* `vmm run` arguments (argv[0] is "run"); the config file first, the command line over it. */
enum cli_result cli_parse_run(int argc, char **argv, struct vm_config *cfg);
void cli_print_run_usage(void);

#endif
