// SPDX-License-Identifier: GPL-2.0
#include "base/config.h"

#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/net_mac.h"
#include "base/util.h"
#include "board/boot.h"
#include "board/layout.h"

void config_init(struct vm_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->nr_cpus = CONFIG_DEFAULT_CPUS;
	cfg->ram_size = CONFIG_DEFAULT_RAM;
	cfg->on_reboot = REBOOT_EXIT;
	cfg->fw.psci_version = PSCI_VERSION_UNSET;
	cfg->seccomp = true;
	cfg->rng = true;
}

void config_free(struct vm_config *cfg)
{
	free(cfg->kernel_path);
	free(cfg->initrd_path);
	free(cfg->cmdline);
	free(cfg->api_socket);
	for (unsigned int i = 0; i < cfg->nr_disks; i++) {
		free(cfg->disks[i].path);
		free(cfg->disks[i].serial);
	}
	for (unsigned int i = 0; i < cfg->nr_nets; i++)
		free(cfg->nets[i].target);
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

static int set_api_socket(struct vm_config *cfg, const char *value, char *why, size_t len)
{
	(void)why;
	(void)len;
	return set_string(&cfg->api_socket, value);
}

static int set_cpus(struct vm_config *cfg, const char *value, char *why, size_t len)
{
	unsigned long n;

	if (parse_uint(value, LAYOUT_MAX_CPUS, &n) || n == 0) {
		snprintf(why, len, "need a decimal number of vCPUs from 1 to %llu",
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
		snprintf(why, len, "need a decimal size such as 512M or 2G (K, M, G suffixes)");
		return -EINVAL;
	}
	if (size < LAYOUT_MIN_RAM || size > LAYOUT_MAX_RAM || size % SZ_2M) {
		snprintf(why, len,
			 "need a multiple of 2M, at least %lluM, with RAM's end (1G + size) "
			 "below 2^64",
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

/* "UID" or "UID:GID", numbers only: a static vmm cannot ask NSS for names. */
static int set_user(struct vm_config *cfg, const char *value, char *why, size_t len)
{
	const char *colon = strchr(value, ':');
	unsigned long uid = 0, gid = 0;
	char uid_text[16];
	int ret;

	if (colon && (size_t)(colon - value) < sizeof(uid_text)) {
		snprintf(uid_text, sizeof(uid_text), "%.*s", (int)(colon - value), value);
		ret = parse_uint(uid_text, CONFIG_MAX_ID, &uid)
			      ?: parse_uint(colon + 1, CONFIG_MAX_ID, &gid);
	} else {
		ret = colon ? -EINVAL : parse_uint(value, CONFIG_MAX_ID, &uid);
		gid = uid;
	}
	if (ret) {
		snprintf(why, len,
			 "need a numeric UID or UID:GID (decimal, at most %lu; names are "
			 "not looked up)",
			 (unsigned long)CONFIG_MAX_ID);
		return -EINVAL;
	}
	cfg->change_user = true;
	cfg->uid = uid;
	cfg->gid = gid;
	return 0;
}

static int set_seccomp(struct vm_config *cfg, const char *value, char *why, size_t len)
{
	if (parse_bool(value, &cfg->seccomp)) {
		snprintf(why, len, "need on or off");
		return -EINVAL;
	}
	return 0;
}

static int set_rng(struct vm_config *cfg, const char *value, char *why, size_t len)
{
	if (parse_bool(value, &cfg->rng)) {
		snprintf(why, len, "need on or off");
		return -EINVAL;
	}
	return 0;
}

/* A [disk] section or --disk: a new disk, its keys set after (disks in the order given). */
static int disk_begin(struct vm_config *cfg, char *why, size_t len)
{
	if (cfg->nr_disks == CONFIG_MAX_DISKS) {
		snprintf(why, len, "at most %d disks", CONFIG_MAX_DISKS);
		return -E2BIG;
	}
	cfg->disks[cfg->nr_disks++] = (struct disk_config){ .cache = DISK_CACHE_WRITEBACK };
	return 0;
}

/* The disk a [disk] key sets: the last one begun (a key before any section begins one). */
static struct disk_config *current_disk(struct vm_config *cfg, char *why, size_t len)
{
	if (!cfg->nr_disks && disk_begin(cfg, why, len))
		return NULL;
	return &cfg->disks[cfg->nr_disks - 1];
}

static int set_disk_path(struct vm_config *cfg, const char *value, char *why, size_t len)
{
	struct disk_config *d = current_disk(cfg, why, len);

	if (!d)
		return -E2BIG;
	if (!*value) {
		snprintf(why, len, "need the path of a disk image");
		return -EINVAL;
	}
	return set_string(&d->path, value);
}

static int set_disk_ro(struct vm_config *cfg, const char *value, char *why, size_t len)
{
	struct disk_config *d = current_disk(cfg, why, len);

	if (!d)
		return -E2BIG;
	if (parse_bool(value, &d->readonly)) {
		snprintf(why, len, "need on or off");
		return -EINVAL;
	}
	return 0;
}

/* GET_ID's answer, and /dev/disk/by-id in the guest: printable ASCII, no blanks. */
static bool serial_valid(const char *s)
{
	if (strlen(s) > DISK_SERIAL_MAX)
		return false;
	for (; *s; s++)
		if (*s <= ' ' || *s > '~' || *s == ',')
			return false;
	return true;
}

static int set_disk_serial(struct vm_config *cfg, const char *value, char *why, size_t len)
{
	struct disk_config *d = current_disk(cfg, why, len);

	if (!d)
		return -E2BIG;
	if (!serial_valid(value)) {
		snprintf(why, len,
			 "need at most %d printable ASCII characters, no blank or comma (the "
			 "virtio-blk ID)",
			 DISK_SERIAL_MAX);
		return -EINVAL;
	}
	return set_string(&d->serial, value);
}

static int set_disk_cache(struct vm_config *cfg, const char *value, char *why, size_t len)
{
	struct disk_config *d = current_disk(cfg, why, len);

	if (!d)
		return -E2BIG;
	if (!strcmp(value, "writeback")) {
		d->cache = DISK_CACHE_WRITEBACK;
	} else if (!strcmp(value, "none")) {
		d->cache = DISK_CACHE_NONE;
	} else {
		snprintf(why, len, "need writeback (the host's page cache) or none (O_DIRECT)");
		return -EINVAL;
	}
	return 0;
}

/* A [net] section or --net: a new network (networks in the order given). */
static int net_begin(struct vm_config *cfg, char *why, size_t len)
{
	if (cfg->nr_nets == CONFIG_MAX_NETS) {
		snprintf(why, len, "at most %d networks", CONFIG_MAX_NETS);
		return -E2BIG;
	}
	cfg->nets[cfg->nr_nets++] = (struct net_config){ .backend = NET_NONE };
	return 0;
}

static struct net_config *current_net(struct vm_config *cfg, char *why, size_t len)
{
	if (!cfg->nr_nets && net_begin(cfg, why, len))
		return NULL;
	return &cfg->nets[cfg->nr_nets - 1];
}

/* A tap's name as the kernel takes it (IFNAMSIZ, dev_valid_name); a socket's as sun_path does. */
static bool net_target_valid(enum net_kind backend, const char *value)
{
	size_t len = strlen(value);

	if (backend == NET_STREAM)
		return len && len < NET_STREAM_PATH_MAX;
	return len && len < NET_TAP_NAME_MAX && strcmp(value, ".") && strcmp(value, "..") &&
	       !strpbrk(value, "/: \t\n");
}

static int set_net_backend(struct vm_config *cfg, enum net_kind backend, const char *value,
			   char *why, size_t len)
{
	struct net_config *n = current_net(cfg, why, len);

	if (!n)
		return -E2BIG;
	if (n->backend != NET_NONE) {
		snprintf(why, len, "a network takes one backend, tap or stream");
		return -EINVAL;
	}
	if (!net_target_valid(backend, value)) {
		snprintf(why, len,
			 backend == NET_TAP ?
				 "need a tap name of 1 to %d characters, no '/', ':' or blank" :
				 "need a socket path of 1 to %d bytes",
			 (backend == NET_TAP ? NET_TAP_NAME_MAX : NET_STREAM_PATH_MAX) - 1);
		return -EINVAL;
	}
	n->backend = backend;
	return set_string(&n->target, value);
}

static int set_net_tap(struct vm_config *cfg, const char *value, char *why, size_t len)
{
	return set_net_backend(cfg, NET_TAP, value, why, len);
}

static int set_net_stream(struct vm_config *cfg, const char *value, char *why, size_t len)
{
	return set_net_backend(cfg, NET_STREAM, value, why, len);
}

static int set_net_mac(struct vm_config *cfg, const char *value, char *why, size_t len)
{
	struct net_config *n = current_net(cfg, why, len);

	if (!n)
		return -E2BIG;
	if (net_mac_parse(value, n->mac)) {
		snprintf(why, len, "need a unicast MAC address like 52:54:00:12:34:56");
		return -EINVAL;
	}
	n->mac_set = true;
	return 0;
}

/* Sections that may repeat: each header begins a new entry, in file order. */
static const struct {
	const char *section;
	int (*begin)(struct vm_config *, char *, size_t);
} repeated_sections[] = {
	{ "disk", disk_begin },
	{ "net", net_begin },
};

int config_section_begin(struct vm_config *cfg, const char *section, char *why, size_t why_len)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(repeated_sections); i++)
		if (!strcmp(repeated_sections[i].section, section))
			return repeated_sections[i].begin(cfg, why, why_len);
	return 0;
}

typedef int (*config_setter)(struct vm_config *, const char *, char *, size_t);

/* Every setting, by the section and key it has in the config file. */
static const struct {
	const char *section;
	const char *key;
	config_setter set;
} config_keys[] = {
	{ "machine", "kernel", set_kernel },   { "machine", "initrd", set_initrd },
	{ "machine", "cmdline", set_cmdline }, { "machine", "cpus", set_cpus },
	{ "machine", "mem", set_mem },	       { "machine", "on_reboot", set_on_reboot },
	{ "machine", "verbose", set_verbose }, { "machine", "api_socket", set_api_socket },
	{ "sandbox", "user", set_user },       { "sandbox", "seccomp", set_seccomp },
	{ "machine", "rng", set_rng },
	{ "disk", "path", set_disk_path },     { "disk", "ro", set_disk_ro },
	{ "disk", "serial", set_disk_serial }, { "disk", "cache", set_disk_cache },
	{ "net", "tap", set_net_tap },	       { "net", "stream", set_net_stream },
	{ "net", "mac", set_net_mac },
};

int config_set(struct vm_config *cfg, const char *section, const char *key, const char *value,
	       char *why, size_t why_len)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(config_keys); i++) {
		if (!strcmp(config_keys[i].section, section) && !strcmp(config_keys[i].key, key))
			return config_keys[i].set(cfg, value, why, why_len);
	}
	if (!strcmp(section, "firmware"))
		return fw_pins_config_set(&cfg->fw, key, value, why, why_len);
	snprintf(why, why_len, "unknown key '%s' in [%s]", key, section);
	return -ENOENT;
}

/* Splits a --disk or --net value at its commas: word(cfg, i, text) for each, in order. */
static int words_apply(struct vm_config *cfg, const char *spec,
		       int (*word)(struct vm_config *, unsigned int, const char *, char *, size_t),
		       char *why, size_t why_len)
{
	char *copy = strdup(spec), *w, *save = NULL;
	unsigned int i = 0;
	int ret = 0;

	if (!copy)
		return -ENOMEM;
	for (w = strtok_r(copy, ",", &save); w && !ret; w = strtok_r(NULL, ",", &save))
		ret = word(cfg, i++, w, why, why_len);
	free(copy);
	return ret;
}

/* key=value of a word, for the [section] key of that name; -ENOENT when it is not one. */
static int word_set(struct vm_config *cfg, const char *section, const char *word, char *why,
		    size_t why_len)
{
	const char *eq = strchr(word, '=');
	size_t len = eq ? (size_t)(eq - word) : 0;
	char key[16];

	if (!len || len >= sizeof(key))
		return -ENOENT;
	snprintf(key, sizeof(key), "%.*s", (int)len, word);
	return config_set(cfg, section, key, eq + 1, why, why_len);
}

/* A word word_set did not know: -EINVAL, why naming it and the syntax. */
static int word_unknown(const char *word, const char *syntax, char *why, size_t why_len)
{
	snprintf(why, why_len, "unknown part '%s'; %s", word, syntax);
	return -EINVAL;
}

#define DISK_SYNTAX "need PATH[,ro][,serial=S][,cache=writeback|none]"

/* A --disk word: the path first, then "ro", or key=value for a [disk] key other than path. */
static int disk_word(struct vm_config *cfg, unsigned int i, const char *word, char *why,
		     size_t why_len)
{
	int ret;

	if (!i)
		return config_set(cfg, "disk", "path", word, why, why_len);
	if (!strcmp(word, "ro"))
		return config_set(cfg, "disk", "ro", "on", why, why_len);
	ret = strncmp(word, "path=", 5) ? word_set(cfg, "disk", word, why, why_len) : -ENOENT;
	return ret == -ENOENT ? word_unknown(word, DISK_SYNTAX, why, why_len) : ret;
}

int config_add_disk(struct vm_config *cfg, const char *spec, char *why, size_t why_len)
{
	int ret = disk_begin(cfg, why, why_len);

	if (!ret && (!*spec || spec[0] == ',')) {
		snprintf(why, why_len, DISK_SYNTAX);
		return -EINVAL;
	}
	return ret ?: words_apply(cfg, spec, disk_word, why, why_len);
}

#define NET_SYNTAX "need tap=NAME[,mac=M] or stream=PATH[,mac=M]"

/* A --net word: the backend first (tap= or stream=), then mac=. */
static int net_word(struct vm_config *cfg, unsigned int i, const char *word, char *why,
		    size_t why_len)
{
	bool backend = !strncmp(word, "tap=", 4) || !strncmp(word, "stream=", 7);
	int ret;

	if (!i != backend) {
		snprintf(why, why_len, "'%s' %s; " NET_SYNTAX, word,
			 backend ? "is a second backend" : "is not a backend");
		return -EINVAL;
	}
	ret = word_set(cfg, "net", word, why, why_len);
	return ret == -ENOENT ? word_unknown(word, NET_SYNTAX, why, why_len) : ret;
}

int config_add_net(struct vm_config *cfg, const char *spec, char *why, size_t why_len)
{
	int ret = net_begin(cfg, why, why_len);

	if (!ret && !*spec) {
		snprintf(why, why_len, NET_SYNTAX);
		return -EINVAL;
	}
	return ret ?: words_apply(cfg, spec, net_word, why, why_len);
}

struct ini_ctx {
	struct vm_config *cfg;
	FILE *file;
	int line;	/* lines read so far: inih reports only the first error's line */
	int error_line; /* where the handler first refused a setting */
	int long_line;	/* the first line longer than inih's buffer */
	bool new_section; /* a section header was read: its first key begins a repeated one */
	char why[256];
};

/* inih's reader: counts lines, and notices one too long for inih's fixed buffer. */
static char *config_read_line(char *str, int num, void *stream)
{
	struct ini_ctx *ctx = stream;
	size_t len;

	if (!fgets(str, num, ctx->file))
		return NULL;
	len = strlen(str);
	/* inih tells its handler only the section's name: a [disk] twice is two disks. */
	if (str[strspn(str, " \t")] == '[')
		ctx->new_section = true;
	if (len && str[len - 1] == '\n') {
		ctx->line++;
	} else if (!feof(ctx->file)) {
		if (!ctx->long_line)
			ctx->long_line = ctx->line + 1;
		/* Skip the rest so that it is not read as lines of its own. */
		while (fgets(str, num, ctx->file) && !strchr(str, '\n'))
			;
		ctx->line++;
		str[0] = '\0';
	}
	return str;
}

static int config_ini_line(void *user, const char *section, const char *key, const char *value)
{
	struct ini_ctx *ctx = user;
	char detail[160];
	int ret;

	if (ctx->error_line)
		return 1; /* inih goes on after an error; the first one is reported */
	ret = ctx->new_section ? config_section_begin(ctx->cfg, section, detail, sizeof(detail)) : 0;
	ctx->new_section = false;
	ret = ret ?: config_set(ctx->cfg, section, key, value, detail, sizeof(detail));
	if (!ret)
		return 1;
	ctx->error_line = ctx->line;
	if (ret == -ENOMEM) {
		snprintf(ctx->why, sizeof(ctx->why), "out of memory");
	} else if (ret == -ENOENT || ret == -E2BIG) {
		snprintf(ctx->why, sizeof(ctx->why), "%s", detail);
	} else {
		snprintf(ctx->why, sizeof(ctx->why), "%s = %s: %s", key, value, detail);
	}
	return 0;
}

int config_load_file(struct vm_config *cfg, const char *path)
{
	struct ini_ctx ctx = { .cfg = cfg };
	struct stat st;
	int line;

	ctx.file = fopen(path, "r");
	/* A device such as /dev/zero would feed the line reader forever. */
	if (ctx.file && (fstat(fileno(ctx.file), &st) || !S_ISREG(st.st_mode))) {
		fclose(ctx.file);
		ctx.file = NULL;
		errno = EINVAL;
	}
	if (!ctx.file) {
		vmm_err("cannot read config file %s: %s; check the path given to --config", path,
			strerror(errno));
		return -ENOENT;
	}
	line = ini_parse_stream(config_read_line, &ctx, config_ini_line, &ctx);
	fclose(ctx.file);
	if (ctx.long_line && (!line || ctx.long_line <= line)) {
		vmm_err("%s:%d: line too long for the config parser; shorten it or give the value "
			"on the command line",
			path, ctx.long_line);
		return -EINVAL;
	}
	if (line) {
		vmm_err("%s:%d: %s; see vmm.conf.example", path, line,
			line == ctx.error_line ? ctx.why : "malformed line (expected key = value)");
		return -EINVAL;
	}
	return 0;
}

/* The kernel keeps BOOT_CMDLINE_MAX - 1 bytes of what vmm passes, console= included. */
static int cmdline_validate(const struct vm_config *cfg)
{
	char *bootargs = boot_cmdline(cfg->cmdline, UART_BASE);
	size_t len = bootargs ? strlen(bootargs) : 0;

	free(bootargs);
	if (!bootargs) {
		vmm_err("out of memory");
		return -ENOMEM;
	}
	if (len >= BOOT_CMDLINE_MAX) {
		vmm_err("--cmdline: the kernel command line would be %zu bytes, an arm64 kernel takes "
			"at most %d; shorten it",
			len, BOOT_CMDLINE_MAX - 1);
		return -EINVAL;
	}
	return 0;
}

/* A [disk] section with keys but no path. */
static int disks_validate(const struct vm_config *cfg)
{
	unsigned int i;

	for (i = 0; i < cfg->nr_disks; i++) {
		if (!cfg->disks[i].path) {
			vmm_err("disk %u has no path; give it path = IMAGE in its [disk] section", i + 1);
			return -EINVAL;
		}
	}
	return 0;
}

/* A [net] section with a mac but no backend; one tap or socket given twice. */
static int nets_validate(const struct vm_config *cfg)
{
	unsigned int i, j;

	for (i = 0; i < cfg->nr_nets; i++) {
		const struct net_config *n = &cfg->nets[i];

		if (n->backend == NET_NONE) {
			vmm_err("network %u has no backend; give it tap = NAME or stream = PATH in "
				"its [net] section",
				i + 1);
			return -EINVAL;
		}
		for (j = 0; j < i; j++) {
			if (cfg->nets[j].backend == n->backend && !strcmp(cfg->nets[j].target, n->target)) {
				vmm_err("%s %s is given to networks %u and %u; give each network its "
					"own",
					n->backend == NET_TAP ? "tap" : "socket", n->target, j + 1, i + 1);
				return -EINVAL;
			}
		}
	}
	return 0;
}

int config_validate(const struct vm_config *cfg)
{
	if (!cfg->kernel_path) {
		vmm_err("no kernel given; name an arm64 Image: vmm run [options] KERNEL");
		return -EINVAL;
	}
	return disks_validate(cfg) ?: nets_validate(cfg) ?: cmdline_validate(cfg);
}
