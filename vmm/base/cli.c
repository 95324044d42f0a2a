// SPDX-License-Identifier: GPL-2.0
#include "base/cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "base/version.h"

enum { OPT_CONFIG = 0x100, OPT_HELP, OPT_VERSION, OPT_JSON, OPT_DISK, OPT_NET, OPT_FIRST_SETTING };

/* Command-line options that are settings: each names the config-file key it overrides. */
static const struct {
	struct option opt;
	const char *section;
	const char *key;
} setting_options[] = {
	{ { "cpus", required_argument, NULL, 0 }, "machine", "cpus" },
	{ { "mem", required_argument, NULL, 0 }, "machine", "mem" },
	{ { "initrd", required_argument, NULL, 0 }, "machine", "initrd" },
	{ { "cmdline", required_argument, NULL, 0 }, "machine", "cmdline" },
	{ { "on-reboot", required_argument, NULL, 0 }, "machine", "on_reboot" },
	{ { "api-socket", required_argument, NULL, 0 }, "machine", "api_socket" },
	{ { "psci", required_argument, NULL, 0 }, "firmware", "psci" },
	{ { "hypercalls", required_argument, NULL, 0 }, "firmware", "hypercalls" },
	{ { "fw-reg", required_argument, NULL, 0 }, "firmware", "reg" },
	{ { "system-suspend", required_argument, NULL, 0 }, "firmware", "system_suspend" },
	{ { "user", required_argument, NULL, 0 }, "sandbox", "user" },
	{ { "seccomp", required_argument, NULL, 0 }, "sandbox", "seccomp" },
	{ { "rng", required_argument, NULL, 0 }, "machine", "rng" },
};

#define NR_SETTINGS ARRAY_SIZE(setting_options)

void cli_print_run_usage(void)
{
	printf("usage: vmm run [options] KERNEL\n"
	       "Boot an arm64 Linux Image (or anything with its header) under KVM.\n\n"
	       "  --cpus N             vCPUs, decimal (default %d)\n"
	       "  --mem SIZE           guest RAM, K/M/G suffixes (default %lluM)\n"
	       "  --initrd FILE        initial ramdisk\n"
	       "  --cmdline STRING     kernel command line; console=ttyS0 is added unless it names a console\n"
	       "  --on-reboot ACTION   exit (default, status 10) or restart the guest\n"
	       "  --api-socket PATH    control socket for vmm save/pause/resume/stop/info\n"
	       "  --psci VERSION       pin the guest's PSCI: 0.1 0.2 1.0 1.1 1.2 1.3, or host\n"
	       "  --hypercalls LIST    pin hypercall services, e.g. std=trng,vendor_hyp=func_feat+ptp\n"
	       "                       (std: trng; std_hyp: pv_time; vendor_hyp: func_feat, ptp;\n"
	       "                       vendor_hyp_2; 'none' or a number also work)\n"
	       "  --fw-reg ID=VALUE    pin any firmware register by ID, e.g. 0x6030000000160003=0\n"
	       "  --system-suspend yes offer PSCI SYSTEM_SUSPEND (default no)\n"
	       "  --user UID[:GID]     run as this user once /dev/kvm, files and socket are open\n"
	       "  --seccomp on|off     the system call filter (default on; off is for debugging)\n"
	       "  --rng on|off         a virtio-rng device fed by the host's getrandom (default on)\n"
	       "  --disk PATH[,ro][,serial=S][,cache=writeback|none]\n"
	       "                       a virtio-blk disk (repeatable, up to %d, /dev/vda first);\n"
	       "                       after the config file's [disk] sections\n"
	       "  --net tap=NAME[,mac=M] | stream=PATH[,mac=M]\n"
	       "                       a virtio-net NIC (repeatable, up to %d) on a tap device\n"
	       "                       (made if missing; needs CAP_NET_ADMIN) or a UNIX stream\n"
	       "                       socket with QEMU's framing, as passt serves it\n"
	       "  --config FILE        INI settings (see vmm.conf.example); options override it\n"
	       "  -v, --verbose        say what vmm does, and at exit how long each step took\n"
	       "  --json               at exit, the run's summary (timeline, peak RSS) as one\n"
	       "                       JSON line on stderr\n"
	       "  --help, --version\n\n"
	       "Console: Ctrl-A x quits, Ctrl-A Ctrl-A sends Ctrl-A.\n",
	       CONFIG_DEFAULT_CPUS, (unsigned long long)(CONFIG_DEFAULT_RAM >> 20),
	       CONFIG_MAX_DISKS, CONFIG_MAX_NETS);
}

static void build_long_options(struct option *opts)
{
	size_t i;

	for (i = 0; i < NR_SETTINGS; i++) {
		opts[i] = setting_options[i].opt;
		opts[i].val = OPT_FIRST_SETTING + i;
	}
	opts[i++] = (struct option){ "config", required_argument, NULL, OPT_CONFIG };
	opts[i++] = (struct option){ "verbose", no_argument, NULL, 'v' };
	opts[i++] = (struct option){ "json", no_argument, NULL, OPT_JSON };
	opts[i++] = (struct option){ "disk", required_argument, NULL, OPT_DISK };
	opts[i++] = (struct option){ "net", required_argument, NULL, OPT_NET };
	opts[i++] = (struct option){ "help", no_argument, NULL, OPT_HELP };
	opts[i++] = (struct option){ "version", no_argument, NULL, OPT_VERSION };
	opts[i] = (struct option){ NULL, 0, NULL, 0 };
}

/*
 * The config file is read before any option so that options win wherever they
 * appear; a first pass finds it the way the second will (abbreviations too).
 */
static const char *find_config_path(int argc, char **argv, const struct option *opts)
{
	/* GNU getopt permutes what it scans: a copy, so the second pass sees the user's order. */
	char **copy = malloc((argc + 1) * sizeof(*copy));
	const char *path = NULL;
	int c;

	if (!copy)
		return NULL;
	memcpy(copy, argv, (argc + 1) * sizeof(*copy));
	optind = 0; /* glibc: 0 restarts the scan from scratch */
	opterr = 0;
	while ((c = getopt_long(argc, copy, ":v", opts, NULL)) != -1)
		if (c == OPT_CONFIG)
			path = optarg;
	free(copy);
	return path;
}

/* --disk or --net: add(cfg, spec, ...) is config_add_disk or config_add_net. */
static int add_device(struct vm_config *cfg, const char *opt, const char *spec,
		      int (*add)(struct vm_config *, const char *, char *, size_t))
{
	char why[160] = "";
	int ret = add(cfg, spec, why, sizeof(why));

	if (ret)
		vmm_err("--%s %s: %s", opt, spec, ret == -ENOMEM ? "out of memory" : why);
	return ret;
}

static int apply_setting(struct vm_config *cfg, size_t idx, const char *value)
{
	char why[160] = "";
	int ret;

	ret = config_set(cfg, setting_options[idx].section, setting_options[idx].key, value, why,
			 sizeof(why));
	if (ret)
		vmm_err("--%s %s: %s", setting_options[idx].opt.name, value,
			ret == -ENOMEM ? "out of memory" : why);
	return ret;
}

enum cli_result cli_parse_run(int argc, char **argv, struct vm_config *cfg)
{
	struct option opts[NR_SETTINGS + 8];
	const char *config_path;
	int c;

	build_long_options(opts);
	config_path = find_config_path(argc, argv, opts);
	if (config_path && config_load_file(cfg, config_path))
		return CLI_INVALID;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":v", opts, NULL)) != -1) {
		switch (c) {
		case 'v':
			cfg->verbose = true;
			break;
		case OPT_CONFIG:
			break;
		case OPT_JSON:
			cfg->json = true;
			break;
		case OPT_DISK:
		case OPT_NET:
			if (add_device(cfg, c == OPT_DISK ? "disk" : "net", optarg,
				       c == OPT_DISK ? config_add_disk : config_add_net))
				return CLI_INVALID;
			break;
		case OPT_HELP:
			cli_print_run_usage();
			return CLI_DONE;
		case OPT_VERSION:
			printf("vmm %s\n", VMM_VERSION);
			return CLI_DONE;
		case ':':
			vmm_err("%s needs a value; see vmm run --help", argv[optind - 1]);
			return CLI_INVALID;
		case '?':
			vmm_err("unknown option %s; see vmm run --help", argv[optind - 1]);
			return CLI_INVALID;
		default:
			if (apply_setting(cfg, c - OPT_FIRST_SETTING, optarg))
				return CLI_INVALID;
		}
	}
	if (optind < argc && config_set(cfg, "machine", "kernel", argv[optind++], NULL, 0))
		return CLI_INVALID;
	if (optind < argc) {
		vmm_err("unexpected argument '%s'; give exactly one KERNEL",
			argv[optind]);
		return CLI_INVALID;
	}
	return config_validate(cfg) ? CLI_INVALID : CLI_RUN;
}
