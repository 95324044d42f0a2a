// SPDX-License-Identifier: GPL-2.0
/* `vmm inspect FILE [--json]`: what a snapshot holds, without KVM. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/exit.h"
#include "base/json.h"
#include "base/util.h"
#include "cmd/cmd.h"
#include "firmware/fwregs.h"
#include "firmware/psci.h"
#include "migrate/restore.h"
#include "snapshot/format.h"

static void text_line(void *ctx, const struct fwreg_value *reg, const struct fwreg_text *t,
		      bool last)
{
	(void)ctx;
	(void)reg;
	(void)last;
	printf("  %-24s = %s\n", t->name, t->value);
}

static void json_line(void *ctx, const struct fwreg_value *reg, const struct fwreg_text *t,
		      bool last)
{
	unsigned int *n = ctx;

	(void)last;
	printf("%s\n    {\"id\": \"0x%016llx\", \"name\": ", (*n)++ ? "," : "",
	       (unsigned long long)reg->id);
	json_print_string(stdout, t->name);
	printf(", \"value\": %llu, \"decoded\": ", (unsigned long long)reg->value);
	json_print_string(stdout, t->value);
	printf("}");
}

/* The firmware registers vCPU 0 saved, through a listing's line printer. */
static void firmware_list(const struct reg_values *regs, fwreg_line_fn line)
{
	struct fwreg_value *fw = calloc(regs->nr ? regs->nr : 1, sizeof(*fw));
	unsigned int n = 0;

	if (!fw) {
		printf("  (firmware registers not listed: out of memory)\n");
		return;
	}
	fwreg_each(fw, fwreg_values_of(regs, fw, regs->nr), line, &n);
	free(fw);
}

static void firmware_text(const struct reg_values *regs)
{
	firmware_list(regs, text_line);
}

static void firmware_json(const struct reg_values *regs)
{
	firmware_list(regs, json_line);
}

static void virtio_text(const struct virtio_specs *v)
{
	unsigned int i, p;

	for (i = 0; i < v->nr; i++) {
		printf("virtio slot %u: %s", v->dev[i].slot, v->dev[i].model);
		for (p = 0; p < v->dev[i].nr_params; p++)
			printf("%s%s=%s", p ? "," : " ", v->dev[i].key[p], v->dev[i].value[p]);
		printf("\n");
	}
}

static void virtio_json(const struct virtio_specs *v)
{
	unsigned int i, p;

	printf("  \"virtio_devices\": [");
	for (i = 0; i < v->nr; i++) {
		printf("%s\n    {\"slot\": %u, \"model\": ", i ? "," : "", v->dev[i].slot);
		json_print_string(stdout, v->dev[i].model);
		printf(", \"params\": {");
		for (p = 0; p < v->dev[i].nr_params; p++) {
			printf("%s", p ? ", " : "");
			json_print_string(stdout, v->dev[i].key[p]);
			printf(": ");
			json_print_string(stdout, v->dev[i].value[p]);
		}
		printf("}}");
	}
	printf("\n  ],\n");
}

static void print_text(const char *path, struct snap_reader *r, const struct restore_config *rc,
		       const struct saved_vcpu *cpu0, const struct snap_memory *mem)
{
	const struct snap_header *h = snap_reader_header(r);
	const struct snap_section *recs;
	unsigned int i, n;

	printf("snapshot %s\n", path);
	printf("format %u, saved by vmm %s on Linux %s, page size %u, IPA %u bits\n",
	       h->format_version, h->vmm_version, h->host_release, h->page_size, h->ipa_bits);
	printf("machine: %u vCPUs, %lluM RAM, GICv%u with %u interrupts, PSCI %u.%u%s\n",
	       rc->nr_cpus, (unsigned long long)(rc->ram_size >> 20), rc->gic_version,
	       rc->nr_irqs, PSCI_V_MAJOR(rc->psci_version), PSCI_V_MINOR(rc->psci_version),
	       rc->system_suspend ? ", SYSTEM_SUSPEND offered" : "");
	printf("cmdline: %s\n", rc->cmdline);
	virtio_text(&rc->virtio);
	printf("firmware registers:\n");
	firmware_text(&cpu0->regs);
	printf("vCPU 0: %u registers\n", cpu0->regs.nr);
	/* The records in file order, the end record not among them. */
	printf("sections:\n");
	recs = snap_reader_records(r, &n);
	for (i = 0; i < n; i++) {
		const struct snap_section *s = &recs[i];

		printf("  %-8s %-3u %10llu bytes  v%u at %llu", snap_section_name(s->type), s->index,
		       (unsigned long long)s->len, s->version, (unsigned long long)s->offset);
		if (s->type == SNAP_SEC_MEMORY)
			printf("  gpa 0x%llx-0x%llx, %llu of %llu pages hold data, at %llu",
			       (unsigned long long)s->gpa,
			       (unsigned long long)(s->gpa + s->pages * SNAP_PAGE - 1),
			       (unsigned long long)s->pages_with_data, (unsigned long long)s->pages,
			       (unsigned long long)s->data_offset);
		printf("\n");
	}
	printf("memory: %lluM at 0x%llx, %llu pages hold data (%lluK), the rest are holes; "
	       "%u records\n",
	       (unsigned long long)(mem->size >> 20), (unsigned long long)mem->gpa,
	       (unsigned long long)mem->pages_with_data,
	       (unsigned long long)(mem->pages_with_data * SNAP_PAGE >> 10), mem->nr_records);
}

static void print_json(const char *path, struct snap_reader *r, const struct restore_config *rc,
		       const struct saved_vcpu *cpu0, const struct snap_memory *mem)
{
	const struct snap_header *h = snap_reader_header(r);
	const struct snap_section *recs;
	unsigned int i, n;

	/* The strings come from the user (path) and from the file: every one is escaped. */
	printf("{\n  \"path\": ");
	json_print_string(stdout, path);
	printf(",\n  \"format_version\": %u,\n  \"vmm_version\": ", h->format_version);
	json_print_string(stdout, h->vmm_version);
	printf(",\n  \"host_release\": ");
	json_print_string(stdout, h->host_release);
	printf(",\n  \"page_size\": %u,\n  \"ipa_bits\": %u,\n", h->page_size, h->ipa_bits);
	printf("  \"vcpus\": %u,\n  \"ram_bytes\": %llu,\n  \"gic_version\": %u,\n"
	       "  \"psci_version\": \"%u.%u\",\n  \"system_suspend\": %s,\n",
	       rc->nr_cpus, (unsigned long long)rc->ram_size, rc->gic_version,
	       PSCI_V_MAJOR(rc->psci_version), PSCI_V_MINOR(rc->psci_version),
	       rc->system_suspend ? "true" : "false");
	virtio_json(&rc->virtio);
	printf("  \"firmware_registers\": [");
	firmware_json(&cpu0->regs);
	printf("\n  ],\n  \"vcpu0_registers\": %u,\n  \"sections\": [", cpu0->regs.nr);
	recs = snap_reader_records(r, &n);
	for (i = 0; i < n; i++) {
		const struct snap_section *s = &recs[i];

		printf("%s\n    {\"type\": ", i ? "," : "");
		json_print_string(stdout, snap_section_name(s->type));
		printf(", \"index\": %u, \"bytes\": %llu, \"version\": %u, \"offset\": %llu",
		       s->index, (unsigned long long)s->len, s->version,
		       (unsigned long long)s->offset);
		if (s->type == SNAP_SEC_MEMORY)
			printf(", \"gpa\": %llu, \"gpa_end\": %llu, \"pages\": %llu, "
			       "\"pages_with_data\": %llu, \"data_offset\": %llu",
			       (unsigned long long)s->gpa,
			       (unsigned long long)(s->gpa + s->pages * SNAP_PAGE),
			       (unsigned long long)s->pages, (unsigned long long)s->pages_with_data,
			       (unsigned long long)s->data_offset);
		printf("}");
	}
	printf("\n  ],\n  \"memory\": {\"gpa\": %llu, \"bytes\": %llu, \"pages_with_data\": %llu, "
	       "\"records\": %u}\n}\n",
	       (unsigned long long)mem->gpa, (unsigned long long)mem->size,
	       (unsigned long long)mem->pages_with_data, mem->nr_records);
}

int cmd_inspect(int argc, char **argv)
{
	struct saved_vcpu cpu0 = { 0 };
	struct restore_config rc;
	struct snap_memory mem;
	struct snap_reader *r;
	const char *path = NULL;
	bool json = false;
	char why[256] = "";
	int i, ret;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = true;
		else if (!path && argv[i][0] != '-')
			path = argv[i];
		else {
			vmm_err("usage: vmm inspect FILE [--json]");
			return VMM_EXIT_USAGE;
		}
	}
	if (!path) {
		vmm_err("usage: vmm inspect FILE [--json]");
		return VMM_EXIT_USAGE;
	}
	ret = snap_reader_open(&r, path, why, sizeof(why));
	if (ret) {
		vmm_err("snapshot %s refused: %s", path, why[0] ? why : strerror(-ret));
		return VMM_EXIT_SNAPSHOT;
	}
	ret = restore_read_config(r, &rc, why, sizeof(why));
	ret = ret ?: snap_read_vcpu(r, 0, &cpu0, why, sizeof(why));
	if (!ret && snap_reader_memory(r, &mem)) {
		snprintf(why, sizeof(why), "it has no memory section");
		ret = -EINVAL;
	}
	if (ret) {
		vmm_err("snapshot %s refused: %s", path, why);
	} else if (json) {
		print_json(path, r, &rc, &cpu0, &mem);
	} else {
		print_text(path, r, &rc, &cpu0, &mem);
	}
	reg_values_free(&cpu0.regs);
	snap_reader_close(r);
	return ret ? VMM_EXIT_SNAPSHOT : 0;
}
