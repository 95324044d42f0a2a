// SPDX-License-Identifier: GPL-2.0
#include "config.h"

#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layout.h"
#include "util.h"

void config_init(struct vm_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->nr_cpus = CONFIG_DEFAULT_CPUS;
	cfg->ram_size = CONFIG_DEFAULT_RAM;
	cfg->on_reboot = REBOOT_EXIT;
	cfg->fw.psci_version = PSCI_VERSION_UNSET;
}

void config_free(struct vm_config *cfg)
{
	free(cfg->kernel_path);
	free(cfg->initrd_path);
	free(cfg->cmdline);
	memset(cfg, 0, sizeof(*cfg));
}

static int set_string(char **field, const char *value)
{
	char *copy = strdup(value);

	if (!copy)
		return -ENOMEM;
	free(*field);
	*field = copy;
	return 0;
}

static int set_kernel(struct vm_config *cfg, const char *value, char *why, size_t len)
{
	(void)why;
	(void)len;
	return set_string(&cfg->kernel_path, value);
}

static int set_initrd(struct vm_config *cfg, const char *value, char *why, size_t len)
{
	(void)why;
	(void)len;
	return set_string(&cfg->initrd_path, value);
}

static int set_cmdline(struct vm_config *cfg, const char *value, char *why, size_t len)
{
	(void)why;
	(void)len;
	return set_string(&cfg->cmdline, value);
}

static int set_cpus(struct vm_config *cfg, const char *value, char *why, size_t len)
{
	unsigned long n;

	if (parse_uint(value, LAYOUT_MAX_CPUS, &n) || n == 0) {
		snprintf(why, len, "need a whole number of vCPUs from 1 to %llu",
			 (unsigned long long)LAYOUT_MAX_CPUS);
		return -EINVAL;
	}
	cfg->nr_cpus = n;
	return 0;
}

static int set_mem(struct vm_config *cfg, const char *value, char *why, size_t len)
{
	uint64_t size;

	if (parse_size(value, &size)) {
		snprintf(why, len, "need a size such as 512M or 2G (K, M, G suffixes)");
		return -EINVAL;
	}
	if (size < LAYOUT_MIN_RAM || size % SZ_2M) {
		snprintf(why, len, "need a multiple of 2M, at least %lluM",
			 (unsigned long long)(LAYOUT_MIN_RAM >> 20));
		return -EINVAL;
	}
	cfg->ram_size = size;
	return 0;
}

static int set_on_reboot(struct vm_config *cfg, const char *value, char *why, size_t len)
{
	if (!strcmp(value, "exit")) {
		cfg->on_reboot = REBOOT_EXIT;
	} else if (!strcmp(value, "restart")) {
		cfg->on_reboot = REBOOT_RESTART;
	} else {
		snprintf(why, len, "need 'exit' or 'restart'");
		return -EINVAL;
	}
	return 0;
}

static int set_verbose(struct vm_config *cfg, const char *value, char *why, size_t len)
{
	if (parse_bool(value, &cfg->verbose)) {
		snprintf(why, len, "need yes or no");
		return -EINVAL;
	}
	return 0;
}

static int set_psci(struct vm_config *cfg, const char *value, char *why, size_t len)
{
	if (!strcmp(value, "host")) {
		cfg->fw.psci_version = PSCI_VERSION_UNSET;
		return 0;
	}
	if (psci_version_parse(value, &cfg->fw.psci_version)) {
		snprintf(why, len, "need one of 0.1, 0.2, 1.0, 1.1, 1.2, 1.3 or host");
		return -EINVAL;
	}
	return 0;
}

typedef int (*config_setter)(struct vm_config *, const char *, char *, size_t);

/* Every setting, by the section and key it has in the config file. */
static const struct {
	const char *section;
	const char *key;
	config_setter set;
} config_keys[] = {
	{ "machine", "kernel", set_kernel },	 { "machine", "initrd", set_initrd },
	{ "machine", "cmdline", set_cmdline },	 { "machine", "cpus", set_cpus },
	{ "machine", "mem", set_mem },		 { "machine", "on_reboot", set_on_reboot },
	{ "machine", "verbose", set_verbose },	 { "firmware", "psci", set_psci },
};

int config_set(struct vm_config *cfg, const char *section, const char *key, const char *value,
	       char *why, size_t why_len)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(config_keys); i++) {
		if (!strcmp(config_keys[i].section, section) && !strcmp(config_keys[i].key, key))
			return config_keys[i].set(cfg, value, why, why_len);
	}
	snprintf(why, why_len, "unknown key '%s' in [%s]", key, section);
	return -ENOENT;
}

struct ini_ctx {
	struct vm_config *cfg;
	bool failed; /* inih goes on after an error; the first one is the one reported */
	char why[160];
};

static int config_ini_line(void *user, const char *section, const char *key, const char *value)
{
	struct ini_ctx *ctx = user;
	int ret;

	if (ctx->failed)
		return 1;
	ret = config_set(ctx->cfg, section, key, value, ctx->why, sizeof(ctx->why));
	if (ret == -ENOMEM)
		snprintf(ctx->why, sizeof(ctx->why), "out of memory");
	else if (ret && ret != -ENOENT) {
		char detail[sizeof(ctx->why)];
		int n;

		memcpy(detail, ctx->why, sizeof(detail));
		n = snprintf(ctx->why, sizeof(ctx->why), "%s = %s: ", key, value);
		if (n > 0 && (size_t)n < sizeof(ctx->why))
			strncat(ctx->why, detail, sizeof(ctx->why) - n - 1);
	}
	ctx->failed = ret != 0;
	return ret == 0; /* inih: nonzero means success */
}

int config_load_file(struct vm_config *cfg, const char *path)
{
	struct ini_ctx ctx = { .cfg = cfg, .why = "malformed line" };
	int line = ini_parse(path, config_ini_line, &ctx);

	if (line == -1) {
		vmm_err("cannot read config file %s; check the path given to --config", path);
		return -ENOENT;
	}
	if (line) {
		vmm_err("%s:%d: %s; see vmm.conf.example", path, line, ctx.why);
		return -EINVAL;
	}
	return 0;
}

int config_validate(const struct vm_config *cfg)
{
	if (!cfg->kernel_path) {
		vmm_err("no kernel given; name an arm64 Image: vmm run [options] KERNEL");
		return -EINVAL;
	}
	return 0;
}
