// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the user's input to `vmm run`: the bytes are an INI config file, read
 * by config_load_file(), and, split at NUL bytes, a command line for cli_parse_run(). Any
 * --config on that command line names the same bytes, so the two meet as they do in vmm.
 * Whatever either accepts must be a configuration vmm can boot.
 *
 * Run it with -close_fd_mask=3 (tests/fuzz/run does): most inputs make vmm print an error.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/cli.h"
#include "base/config.h"
#include "base/util.h"
#include "board/layout.h"
#include "firmware/psci.h"

#include "fuzz.h"

#define MAX_ARGS 64

static int config_fd = -1;
static char config_path[64];

static void setup_once(void)
{
	if (config_fd >= 0)
		return;
	fuzz_std_fds_fill();
	config_fd = memfd_create("fuzz-config", MFD_CLOEXEC);
	check(config_fd > STDERR_FILENO);
	snprintf(config_path, sizeof(config_path), "/proc/self/fd/%d", config_fd);
}

static void config_file_set(const uint8_t *data, size_t size)
{
	check(!ftruncate(config_fd, 0));
	check(pwrite(config_fd, data, size, 0) == (ssize_t)size);
}

/* What any accepted configuration holds, from the file, the options, or both. */
static void config_check(const struct vm_config *cfg)
{
	unsigned int i, j;

	check(cfg->nr_cpus >= 1 && cfg->nr_cpus <= LAYOUT_MAX_CPUS);
	check(cfg->ram_size >= LAYOUT_MIN_RAM && cfg->ram_size % SZ_2M == 0);
	check(cfg->on_reboot == REBOOT_EXIT || cfg->on_reboot == REBOOT_RESTART);
	check(cfg->fw.psci_version == PSCI_VERSION_UNSET ||
	      (PSCI_V_MAJOR(cfg->fw.psci_version) <= 1 && PSCI_V_MINOR(cfg->fw.psci_version) <= 3));
	check(cfg->fw.nr <= FW_PINS_MAX);
	/* A register pinned twice is one pin, the last value: restore writes each pin once. */
	for (i = 0; i < cfg->fw.nr; i++)
		for (j = i + 1; j < cfg->fw.nr; j++)
			check(cfg->fw.pin[i].reg_id != cfg->fw.pin[j].reg_id);
}

static void file_run(void)
{
	struct vm_config cfg;

	config_init(&cfg);
	if (!config_load_file(&cfg, config_path))
		config_check(&cfg);
	config_free(&cfg);
}

/*
 * getopt_long takes any unambiguous prefix of "--config" ("--co" on), with its value after
 * '=' or in the next word: point each at the bytes themselves, never at a file of the host.
 */
static bool names_config(const char *arg)
{
	size_t len = strcspn(arg, "=");

	return len >= 4 && len <= 8 && !strncmp(arg, "--config", len);
}

static size_t argv_split(char *buf, size_t size, char **argv)
{
	static char config_arg[80];
	size_t argc = 0, pos = 0;

	snprintf(config_arg, sizeof(config_arg), "--config=%s", config_path);
	argv[argc++] = "run";
	while (pos < size && argc < MAX_ARGS) {
		char *arg = buf + pos;

		pos += strlen(arg) + 1;
		if (names_config(arg)) {
			argv[argc++] = config_arg;
			if (!strchr(arg, '=') && pos < size)
				pos += strlen(buf + pos) + 1; /* its value, in the next word */
			continue;
		}
		argv[argc++] = arg;
	}
	argv[argc] = NULL;
	return argc;
}

static void cli_run(const uint8_t *data, size_t size)
{
	char *argv[MAX_ARGS + 1], *buf = malloc(size + 1);
	struct vm_config cfg;
	size_t argc;

	check(buf);
	memcpy(buf, data, size);
	buf[size] = '\0';
	argc = argv_split(buf, size, argv);
	config_init(&cfg);
	if (cli_parse_run(argc, argv, &cfg) == CLI_RUN) {
		config_check(&cfg);
		check(cfg.kernel_path);
	}
	config_free(&cfg);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	setup_once();
	config_file_set(data, size);
	file_run();
	cli_run(data, size);
	return 0;
}
