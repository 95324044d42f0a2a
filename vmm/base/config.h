/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_CONFIG_H
#define VMM_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "firmware/pins.h"
#include "firmware/psci.h"

enum reboot_action {
	REBOOT_EXIT,	/* vmm exits with VMM_EXIT_REBOOT: CI sees that the guest rebooted */
	REBOOT_RESTART, /* a fresh VM boots the same kernel, as a real machine would */
};

#define CONFIG_MAX_DISKS 8
#define CONFIG_MAX_NETS 4
#define DISK_SERIAL_MAX 20 /* VIRTIO_BLK_ID_BYTES: what GET_ID answers */

enum disk_cache {
	DISK_CACHE_WRITEBACK, /* the host's page cache; FLUSH is fdatasync */
	DISK_CACHE_NONE,      /* O_DIRECT */
};

/* One --disk PATH[,ro][,serial=S][,cache=writeback|none], or one [disk] section. */
struct disk_config {
	char *path;
	char *serial; /* NULL: none (GET_ID answers an empty string) */
	bool readonly;
	enum disk_cache cache;
};

enum net_kind {
	NET_NONE,   /* a [net] section that has not named its backend yet */
	NET_TAP,    /* --net tap=NAME */
	NET_STREAM, /* --net stream=PATH: QEMU's stream framing, as passt serves it */
};

#define NET_TAP_NAME_MAX 16	/* IFNAMSIZ: the name and its NUL */
#define NET_STREAM_PATH_MAX 108 /* sizeof(sun_path) */

/* One --net tap=NAME|stream=PATH[,mac=M], or one [net] section. */
struct net_config {
	enum net_kind backend;
	char *target; /* the tap's name or the socket's path */
	uint8_t mac[6];
	bool mac_set; /* false: a locally administered MAC derived from the slot */
};

/* Everything `vmm run` was asked for; strings are owned and freed by config_free(). */
struct vm_config {
	char *kernel_path;
	char *initrd_path;
	char *cmdline;
	char *api_socket; /* the control socket's path, or NULL */
	unsigned int nr_cpus;
	uint64_t ram_size;
	enum reboot_action on_reboot;
	bool verbose;
	bool json; /* the run's summary as one JSON line on stderr at exit */
	bool seccomp;	  /* the system call filter once set up (default on) */
	bool change_user; /* become uid:gid once the files and sockets are open */
	uint32_t uid, gid;
	struct fw_pins fw;
	/* virtio devices, slots in this order: disks, then networks, then the RNG. */
	struct disk_config disks[CONFIG_MAX_DISKS];
	unsigned int nr_disks;
	struct net_config nets[CONFIG_MAX_NETS];
	unsigned int nr_nets;
	bool rng; /* virtio-rng (default on; --rng off) */
};

#define CONFIG_DEFAULT_CPUS 1
#define CONFIG_DEFAULT_RAM (512ULL << 20)
#define CONFIG_MAX_ID 4294967294UL /* (uid_t)-1 means "unchanged" to setresuid */

void config_init(struct vm_config *cfg);
void config_free(struct vm_config *cfg);

/*
 * One setting by its config-file name ("cpus", "psci", ...), from either the
 * command line or the config file. On failure `why` says what is wrong with
 * the value and what is accepted.
 */
int config_set(struct vm_config *cfg, const char *section, const char *key, const char *value,
	       char *why, size_t why_len);

/*
 * A section header of the config file was read: for a section that repeats
 * ([disk]) a new entry begins, which the section's keys then fill. -E2BIG past
 * the limit (why says it).
 */
int config_section_begin(struct vm_config *cfg, const char *section, char *why, size_t why_len);

/*
 * --disk PATH[,ro][,serial=S][,cache=writeback|none]: one more disk, after
 * those of the config file. Fails as config_set does.
 */
int config_add_disk(struct vm_config *cfg, const char *spec, char *why, size_t why_len);

/* --net tap=NAME|stream=PATH[,mac=M]: one more network, after the config file's. */
int config_add_net(struct vm_config *cfg, const char *spec, char *why, size_t why_len);

/* Returns 0, -ENOENT for an unreadable file, -EINVAL for a bad line (already reported). */
int config_load_file(struct vm_config *cfg, const char *path);

/* Checks that need every setting at once; prints the error. */
int config_validate(const struct vm_config *cfg);

#endif
