// SPDX-License-Identifier: GPL-2.0
/* `vmm host-info`: what this host's KVM offers a guest, firmware registers first. */
#include "cmd/cmd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "base/exit.h"
#include "base/json.h"
#include "base/util.h"
#include "firmware/fwregs.h"
#include "firmware/psci.h"
#include "kvm/caps.h"
#include "kvm/fw_pins.h"
#include "kvm/kvm.h"

struct host_facts {
	int api_version;
	int cap_values[KVM_CAPS_NR];
	bool gic_v3, gic_v2;
	unsigned int reg_list_size;
	uint64_t *reg_list;
	struct fwreg_value *fw;
	unsigned int nr_fw;
	uint32_t psci[8];
	unsigned int nr_psci;
};

/* A VM with one initialised vCPU, never run: firmware defaults are read there. */
static int scratch_vcpu(int kvm_fd, int *vm_fd, int *vcpu_fd)
{
	struct kvm_vcpu_init init;
	int ret;

	*vm_fd = kvm_create_vm(kvm_fd, 0);
	if (*vm_fd < 0)
		return *vm_fd;
	ret = kvm_preferred_target(*vm_fd, &init);
	if (ret)
		return ret;
	init.features[0] |= 1u << KVM_ARM_VCPU_PSCI_0_2;
	*vcpu_fd = kvm_create_vcpu(*vm_fd, 0);
	if (*vcpu_fd < 0)
		return *vcpu_fd;
	return kvm_vcpu_init(*vcpu_fd, &init);
}

static int gather(int kvm_fd, struct host_facts *f)
{
	struct kvm_reg_list *list;
	int vm_fd = -1, vcpu_fd = -1, ret;
	size_t i;

	f->api_version = kvm_api_version(kvm_fd);
	for (i = 0; i < KVM_CAPS_NR; i++)
		f->cap_values[i] = kvm_check_extension(kvm_fd, kvm_caps[i].cap);
	ret = scratch_vcpu(kvm_fd, &vm_fd, &vcpu_fd);
	if (ret)
		goto out;
	f->gic_v3 = !kvm_create_device_test(vm_fd, KVM_DEV_TYPE_ARM_VGIC_V3);
	f->gic_v2 = !kvm_create_device_test(vm_fd, KVM_DEV_TYPE_ARM_VGIC_V2);
	ret = kvm_get_reg_list(vcpu_fd, &list);
	if (ret)
		goto out;
	f->reg_list_size = list->n;
	f->reg_list = malloc(list->n * sizeof(*f->reg_list) + 1);
	if (f->reg_list)
		memcpy(f->reg_list, list->reg, list->n * sizeof(*f->reg_list));
	free(list);
	ret = fw_pins_read(vcpu_fd, &f->fw, &f->nr_fw);
	if (!ret)
		ret = fw_psci_probe(vcpu_fd, f->psci, ARRAY_SIZE(f->psci), &f->nr_psci);
out:
	if (vcpu_fd >= 0)
		close(vcpu_fd);
	if (vm_fd >= 0)
		close(vm_fd);
	return ret;
}

static void text_line(void *ctx, const struct fwreg_value *reg, const struct fwreg_text *t,
		      bool last)
{
	(void)ctx;
	(void)last;
	printf("  %-24s 0x%016llx = %s%s\n", t->name, (unsigned long long)reg->id, t->value,
	       fwreg_find(reg->id) ? "" : "   [unknown to vmm]");
}

static void json_line(void *ctx, const struct fwreg_value *reg, const struct fwreg_text *t,
		      bool last)
{
	(void)ctx;
	printf("    {\"id\": \"0x%016llx\", \"name\": \"%s\", \"known\": %s, "
	       "\"value\": %llu, \"decoded\": \"%s\"}%s\n",
	       (unsigned long long)reg->id, t->name, fwreg_find(reg->id) ? "true" : "false",
	       (unsigned long long)reg->value, t->value, last ? "" : ",");
}

static void print_text(const struct host_facts *f, const struct utsname *u)
{
	unsigned int i;

	printf("host kernel:      %s %s\n", u->release, u->machine);
	printf("KVM API version:  %d\n", f->api_version);
	printf("GIC:              %s%s\n", f->gic_v3 ? "v3 " : "", f->gic_v2 ? "v2" : "");
	printf("capabilities:\n");
	for (i = 0; i < KVM_CAPS_NR; i++)
		printf("  %-28s %d\n", kvm_caps[i].name, f->cap_values[i]);
	printf("KVM_GET_REG_LIST: %u registers\n", f->reg_list_size);
	printf("firmware registers (defaults):\n");
	fwreg_each(f->fw, f->nr_fw, text_line, NULL);
	printf("PSCI versions accepted:");
	for (i = 0; i < f->nr_psci; i++)
		printf(" %u.%u", PSCI_V_MAJOR(f->psci[i]), PSCI_V_MINOR(f->psci[i]));
	printf("\n");
}

static void print_json(const struct host_facts *f, const struct utsname *u)
{
	unsigned int i;

	/* A kernel's release string is whatever its builder chose: quoted as JSON. */
	printf("{\n  \"host_kernel\": ");
	json_print_string(stdout, u->release);
	printf(",\n  \"kvm_api_version\": %d,\n", f->api_version);
	printf("  \"gic\": {\"v3\": %s, \"v2\": %s},\n", f->gic_v3 ? "true" : "false",
	       f->gic_v2 ? "true" : "false");
	printf("  \"capabilities\": {");
	for (i = 0; i < KVM_CAPS_NR; i++)
		printf("%s\"%s\": %d", i ? ", " : "", kvm_caps[i].name, f->cap_values[i]);
	printf("},\n  \"reg_list_size\": %u,\n  \"firmware_registers\": [\n", f->reg_list_size);
	fwreg_each(f->fw, f->nr_fw, json_line, NULL);
	printf("  ],\n  \"psci_versions\": [");
	for (i = 0; i < f->nr_psci; i++)
		printf("%s\"%u.%u\"", i ? ", " : "", PSCI_V_MAJOR(f->psci[i]),
		       PSCI_V_MINOR(f->psci[i]));
	printf("]\n}\n");
}

int cmd_host_info(int argc, char **argv)
{
	struct host_facts facts = { 0 };
	struct utsname u;
	bool json = false, reg_list = false;
	int i, fd, ret;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if (!strcmp(argv[i], "--reg-list")) {
			reg_list = true;
		} else if (!strcmp(argv[i], "--help")) {
			printf("usage: vmm host-info [--json | --reg-list]\n"
			       "What this host's KVM offers: capabilities, GIC versions, every\n"
			       "firmware register with its default, the PSCI versions it accepts.\n"
			       "--reg-list prints every ID KVM_GET_REG_LIST gives a vCPU, one a line.\n");
			return 0;
		} else {
			vmm_err("host-info: unknown argument '%s'; try vmm host-info --help", argv[i]);
			return VMM_EXIT_USAGE;
		}
	}
	fd = kvm_open_reporting();
	if (fd < 0)
		return VMM_EXIT_HOST;
	ret = gather(fd, &facts);
	close(fd);
	if (ret) {
		vmm_err("cannot query KVM: %s", strerror(-ret));
		free(facts.fw);
		return VMM_EXIT_HOST;
	}
	uname(&u);
	if (reg_list)
		for (i = 0; facts.reg_list && i < (int)facts.reg_list_size; i++)
			printf("0x%016llx\n", (unsigned long long)facts.reg_list[i]);
	else if (json)
		print_json(&facts, &u);
	else
		print_text(&facts, &u);
	free(facts.reg_list);
	free(facts.fw);
	return 0;
}
