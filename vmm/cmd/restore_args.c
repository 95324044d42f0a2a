// SPDX-License-Identifier: GPL-2.0
/* `vmm restore`'s command line (restore_args.h). */
#include "cmd/restore_args.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/config.h"
#include "base/exit.h"
#include "base/util.h"

/*
 * An option that replaces the backing of the n-th saved device of its kind.
 * Only what the word's first field names (a path, a tap, a socket) can change:
 * ro, serial, cache and mac are the guest's view of the device, and the
 * snapshot's state was taken with them.
 */
struct restore_override {
	const char *option;
	const char *takes; /* for the messages */
	int (*add)(struct vm_config *cfg, const char *word, char *why, size_t why_len);
};

static const struct restore_override overrides[] = {
	{ "disk", "PATH", config_add_disk },
};

#define NR_OVERRIDES (sizeof(overrides) / sizeof(overrides[0]))
/* getopt values of the overrides: OVERRIDE_OPT + their index, past every character. */
#define OVERRIDE_OPT 0x100

static const struct option fixed_opts[] = {
	{ "api-socket", required_argument, NULL, 's' }, { "check", no_argument, NULL, 'c' },
	{ "verbose", no_argument, NULL, 'v' },		{ "help", no_argument, NULL, 'h' },
	{ "user", required_argument, NULL, 'u' },	{ "seccomp", required_argument, NULL, 'S' },
	{ "json", no_argument, NULL, 'j' },
};

#define NR_FIXED_OPTS (sizeof(fixed_opts) / sizeof(fixed_opts[0]))

/* getopt's table: the fixed options, each override, the terminator. */
static void options_build(struct option out[NR_FIXED_OPTS + NR_OVERRIDES + 1])
{
	unsigned int i;

	memcpy(out, fixed_opts, sizeof(fixed_opts));
	for (i = 0; i < NR_OVERRIDES; i++)
		out[NR_FIXED_OPTS + i] = (struct option){ overrides[i].option, required_argument,
							  NULL, OVERRIDE_OPT + (int)i };
	out[NR_FIXED_OPTS + NR_OVERRIDES] = (struct option){ NULL, 0, NULL, 0 };
}

static int override_add(const struct restore_override *o, struct vm_config *cfg, const char *word)
{
	const char *comma = strchr(word, ',');
	char why[160] = "";
	int ret;

	if (comma) {
		vmm_err("restore: --%s %s: a restore takes only %s, the device keeps its saved "
			"settings; drop '%s'",
			o->option, word, o->takes, comma);
		return VMM_EXIT_USAGE;
	}
	ret = o->add(cfg, word, why, sizeof(why));
	if (!ret)
		return 0;
	vmm_err("restore: --%s %s: %s", o->option, word, ret == -ENOMEM ? "out of memory" : why);
	return VMM_EXIT_USAGE;
}

static int sandbox_option(struct vm_config *cfg, int c, const char *value)
{
	const char *key = c == 'u' ? "user" : "seccomp";
	char why[160];

	if (!config_set(cfg, "sandbox", key, value, why, sizeof(why)))
		return 0;
	vmm_err("restore: --%s %s: %s", key, value, why);
	return VMM_EXIT_USAGE;
}

static void usage(void)
{
	printf("usage: vmm restore FILE [--api-socket PATH] [--check] [-v] [--json]\n"
	       "                   [--user UID[:GID]] [--seccomp on|off] [--disk PATH]...\n"
	       "Recreate the VM a snapshot holds and run it; --check only says whether\n"
	       "this host can, and exits 0 if so. -v and --json as for vmm run.\n"
	       "The n-th --disk PATH backs the snapshot's n-th disk instead of its saved\n"
	       "path; the image must have the saved size, ro, serial and cache stay as saved.\n");
}

/* One option; 0 to go on, -1 after --help, VMM_EXIT_USAGE after its line. */
static int option_apply(int c, struct vm_config *cfg, struct restore_args *a, const char *opt)
{
	if (c >= OVERRIDE_OPT && c < OVERRIDE_OPT + (int)NR_OVERRIDES)
		return override_add(&overrides[c - OVERRIDE_OPT], cfg, optarg);
	switch (c) {
	case 's':
		free(cfg->api_socket);
		cfg->api_socket = strdup(optarg);
		return cfg->api_socket ? 0 : VMM_EXIT_INTERNAL;
	case 'c':
		a->check = true;
		return 0;
	case 'v':
		cfg->verbose = true;
		return 0;
	case 'j':
		cfg->json = true;
		return 0;
	case 'u':
	case 'S':
		return sandbox_option(cfg, c, optarg);
	case 'h':
		usage();
		return -1;
	case ':':
		vmm_err("restore: %s needs a value; see vmm restore --help", opt);
		return VMM_EXIT_USAGE;
	}
	vmm_err("restore: bad option %s; see vmm restore --help", opt);
	return VMM_EXIT_USAGE;
}

int restore_args_parse(int argc, char **argv, struct vm_config *cfg, struct restore_args *a)
{
	struct option opts[NR_FIXED_OPTS + NR_OVERRIDES + 1];
	int c, ret;

	options_build(opts);
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":v", opts, NULL)) != -1) {
		ret = option_apply(c, cfg, a, argv[optind - 1]);
		if (ret)
			return ret;
	}
	if (optind != argc - 1) {
		vmm_err("restore: give exactly one snapshot FILE; see vmm restore --help");
		return VMM_EXIT_USAGE;
	}
	a->path = argv[optind];
	return 0;
}
