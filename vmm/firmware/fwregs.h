/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_FIRMWARE_FWREGS_H
#define VMM_FIRMWARE_FWREGS_H

/*
 * KVM's firmware pseudo-registers (Documentation/virt/kvm/arm/fw-pseudo-registers.rst):
 * coproc 0x14 holds versions (PSCI) and Spectre workaround levels, coproc 0x16
 * bitmaps of the hypercall services the guest is offered. They are VM-wide
 * and writable until the first KVM_RUN.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpu/regs.h"

enum fwreg_kind {
	FWREG_PSCI_VERSION,
	FWREG_WORKAROUND, /* 0: not available, 1: not needed, 2: mitigated (ABI levels) */
	FWREG_BITMAP,	  /* one bit per service */
};

struct fw_service {
	const char *name;
	unsigned int bit;
};

struct fwreg_desc {
	uint64_t id;
	const char *name; /* as in the kernel's UAPI, without KVM_REG_ARM_ */
	const char *key;  /* the [firmware] config key, or NULL where there is none */
	enum fwreg_kind kind;
	const struct fw_service *services;
	unsigned int nr_services;
};

#define FWREG_STD_BMAP REG_FW_FEAT_BMAP(0)
#define FWREG_STD_HYP_BMAP REG_FW_FEAT_BMAP(1)
#define FWREG_VENDOR_HYP_BMAP REG_FW_FEAT_BMAP(2)
#define FWREG_VENDOR_HYP_BMAP_2 REG_FW_FEAT_BMAP(3)

static inline bool fwreg_is_firmware(uint64_t id)
{
	unsigned int coproc = reg_coproc(id);

	return (id & 0xff00000000000000ULL) == REG_ARM64 &&
	       (coproc == REG_COPROC_FW || coproc == REG_COPROC_FW_FEAT_BMAP);
}

const struct fwreg_desc *fwreg_find(uint64_t id);
const struct fwreg_desc *fwreg_find_key(const char *key);
const struct fwreg_desc *fwreg_at(size_t index);

/*
 * A bitmap value from a service list: names ("trng"), joined by ',' or '+',
 * "none", or a number. On failure `why` lists the names this register knows.
 */
int fwreg_parse_services(const struct fwreg_desc *desc, const char *list, uint64_t *value,
			 char *why, size_t why_len);

/* The value as a person reads it: "1.1", "0x3 (func_feat,ptp)", "2 (mitigated)". */
void fwreg_format_value(uint64_t id, uint64_t value, char *buf, size_t len);
/* The register's name, or its ID in hex when vmm does not know it. */
void fwreg_format_name(uint64_t id, char *buf, size_t len);

/*
 * One register as every listing prints it (vmm -v, info, host-info, inspect):
 * its name and its decoded value, each fitting the longest vmm makes.
 */
struct fwreg_text {
	char name[40];
	char value[96];
};
void fwreg_describe(uint64_t id, uint64_t value, struct fwreg_text *t);

/* A firmware register as KVM reports it. */
struct fwreg_value {
	uint64_t id;
	uint64_t value;
};

/*
 * The one loop behind every listing of firmware registers (vmm -v, info and
 * info --json, host-info and --json, inspect and --json): each register in
 * order, described, handed to the listing's own line printer.
 */
typedef void (*fwreg_line_fn)(void *ctx, const struct fwreg_value *reg,
			      const struct fwreg_text *t, bool last);
void fwreg_each(const struct fwreg_value *regs, unsigned int nr, fwreg_line_fn line, void *ctx);
/* The firmware registers among a vCPU's saved ones (8 bytes each), at most max: how many. */
unsigned int fwreg_values_of(const struct reg_values *regs, struct fwreg_value *out,
			     unsigned int max);

/* "0x6030000000160003" or "REG_NAME": the ID of a firmware register. */
int fwreg_parse_id(const char *s, uint64_t *id);

#endif
