// SPDX-License-Identifier: GPL-2.0
/* vmm: subcommand dispatch; the only place that decides an exit status. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "base/exit.h"
#include "base/timeline.h"
#include "base/util.h"
#include "base/version.h"
#include "cmd/client.h"
#include "cmd/cmd.h"

static int cmd_help(int argc, char **argv);

static int cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("vmm %s\n", VMM_VERSION);
	return 0;
}

/* A command is known by its name, or for a family (the client's) by a function that knows them. */
static const struct subcommand {
	const char *name;
	bool (*known)(const char *name);
	int (*run)(int argc, char **argv);
	const char *usage; /* its lines in vmm --help; NULL: none of its own */
} subcommands[] = {
	{ "run", NULL, cmd_run, "  run [options] KERNEL   boot a guest (vmm run --help)\n" },
	{ "host-info", NULL, cmd_host_info,
	  "  host-info [--json]     what this host's KVM offers: firmware registers, PSCI\n" },
	{ "restore", NULL, cmd_restore,
	  "  restore FILE [--api-socket PATH] [--check] [-v] [--json]   run the VM a\n"
	  "                         snapshot holds (vmm restore --help)\n" },
	{ "inspect", NULL, cmd_inspect, "  inspect FILE [--json]  what a snapshot holds\n" },
	{ NULL, client_command_known, cmd_client,
	  "  save [--stop] --socket PATH FILE   snapshot a running vmm\n"
	  "  pause|resume|stop|info --socket PATH\n" },
	{ "--help", NULL, cmd_help, "  --help, --version\n" },
	{ "-h", NULL, cmd_help, NULL },
	{ "--version", NULL, cmd_version, NULL },
};

static int cmd_help(int argc, char **argv)
{
	size_t i;

	(void)argc;
	(void)argv;
	printf("usage: vmm COMMAND [options]\n\n");
	for (i = 0; i < ARRAY_SIZE(subcommands); i++)
		if (subcommands[i].usage)
			fputs(subcommands[i].usage, stdout);
	printf("\nExit statuses are listed in README.md.\n");
	return 0;
}

static const struct subcommand *subcommand_find(const char *name)
{
	const struct subcommand *c;

	for (c = subcommands; c < subcommands + ARRAY_SIZE(subcommands); c++)
		if (c->name ? !strcmp(name, c->name) : c->known(name))
			return c;
	return NULL;
}

/* How vmm tears the last VM down: by exit(), cmd/start.c says why. */
int main(int argc, char **argv)
{
	const struct subcommand *c;

	timeline_start();
	if (argc < 2) {
		vmm_err("no command given; try vmm run --help");
		return VMM_EXIT_USAGE;
	}
	c = subcommand_find(argv[1]);
	if (c)
		return c->run(argc - 1, argv + 1);
	vmm_err("unknown command '%s'; try vmm --help", argv[1]);
	return VMM_EXIT_USAGE;
}
