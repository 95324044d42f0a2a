// SPDX-License-Identifier: GPL-2.0
/*
 * The machine and vCPU sections: the machine written by save, both read back
 * by restore and inspect. What a file claims is checked here against what vmm
 * itself can build, field by field, so that a refusal names the field.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "board/boot.h"
#include "board/layout.h"
#include "firmware/psci.h"
#include "migrate/restore.h"
#include "migrate/snapshot.h"
#include "snapshot/format.h"

#define IPA_BITS_MIN 32 /* KVM_CAP_ARM_VM_IPA_SIZE: 32 bits at the least, 52 at the most */
#define IPA_BITS_MAX 52
#define IPA_BITS_DEFAULT 40 /* what type 0 gives, on hosts without the capability */

__attribute__((format(printf, 3, 4))) static int refuse(char *why, size_t why_len,
							const char *fmt, ...)
{
	va_list ap;

	if (why && why_len) {
		va_start(ap, fmt);
		vsnprintf(why, why_len, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

unsigned int snap_device_version(const char *name)
{
	static const struct {
		const char *name;
		unsigned int version;
	} versions[] = { { "uart", 1 }, { "rtc", 1 }, { "virtio-rng", 1 } };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(versions); i++)
		if (!strcmp(versions[i].name, name))
			return versions[i].version;
	return 1;
}

/* Each virtio device: model, slot, then its settings as key and value strings. */
static int write_virtio(struct snap_writer *w, const struct virtio_specs *v)
{
	unsigned int i, p;
	int ret = snap_put_u32(w, v->nr);

	for (i = 0; i < v->nr && !ret; i++) {
		const struct virtio_spec *d = &v->dev[i];

		ret = snap_put_str(w, d->model);
		ret = ret ?: snap_put_u32(w, d->slot);
		ret = ret ?: snap_put_u32(w, d->nr_params);
		for (p = 0; p < d->nr_params && !ret; p++) {
			ret = snap_put_str(w, d->key[p]);
			ret = ret ?: snap_put_str(w, d->value[p]);
		}
	}
	return ret;
}

static int read_virtio_spec(struct snap_section *s, struct virtio_spec *d, char *why,
			    size_t why_len)
{
	unsigned int p;
	int ret;

	ret = snap_get_str(s, d->model, sizeof(d->model));
	ret = ret ?: snap_get_u32(s, &d->slot);
	ret = ret ?: snap_get_u32(s, &d->nr_params);
	if (!ret && (d->slot >= VIRTIO_MMIO_SLOTS || d->nr_params > VIRTIO_SPEC_PARAMS))
		return refuse(why, why_len, "virtio device '%s': slot %u or %u settings out of range",
			      d->model, d->slot, d->nr_params);
	for (p = 0; p < d->nr_params && !ret; p++) {
		ret = snap_get_str(s, d->key[p], sizeof(d->key[p]));
		ret = ret ?: snap_get_str(s, d->value[p], sizeof(d->value[p]));
	}
	return ret ? refuse(why, why_len, "a virtio device's description is cut short or too long")
		   : 0;
}

static int read_virtio(struct snap_section *s, struct virtio_specs *v, char *why, size_t why_len)
{
	bool taken[VIRTIO_MMIO_SLOTS] = { false };
	unsigned int i;
	int ret;

	if (snap_get_u32(s, &v->nr) || v->nr > VIRTIO_MMIO_SLOTS)
		return refuse(why, why_len, "no virtio device count, or more than %d",
			      VIRTIO_MMIO_SLOTS);
	for (i = 0; i < v->nr; i++) {
		ret = read_virtio_spec(s, &v->dev[i], why, why_len);
		if (ret)
			return ret;
		if (taken[v->dev[i].slot])
			return refuse(why, why_len, "two virtio devices on slot %u", v->dev[i].slot);
		taken[v->dev[i].slot] = true;
	}
	return 0;
}

int snap_write_config(struct snap_writer *w, const struct restore_config *rc)
{
	int ret;

	ret = snap_record_begin(w, SNAP_SEC_CONFIG, 0, SNAP_VER_CONFIG);
	ret = ret ?: snap_put_u32(w, rc->nr_cpus);
	ret = ret ?: snap_put_u64(w, rc->ram_size);
	ret = ret ?: snap_put_u64(w, RAM_BASE);
	ret = ret ?: snap_put_u32(w, rc->gic_version);
	ret = ret ?: snap_put_u32(w, rc->nr_irqs);
	ret = ret ?: snap_put_u32(w, rc->ipa_bits);
	ret = ret ?: snap_put_u32(w, rc->psci_version);
	ret = ret ?: snap_put_u32(w, rc->system_suspend);
	ret = ret ?: snap_put_str(w, rc->cmdline);
	ret = ret ?: write_virtio(w, &rc->virtio);
	return ret ?: snap_section_end(w);
}

static bool psci_version_known(uint32_t version)
{
	uint32_t v;
	unsigned int i;

	for (i = 0; psci_version_name(i, &v); i++)
		if (v == version)
			return true;
	return false;
}

/* RAM and the address space it needs, as vm_check_host and layout_plan would take them. */
static int check_memory(const struct restore_config *rc, char *why, size_t why_len)
{
	unsigned int ipa = rc->ipa_bits ? rc->ipa_bits : IPA_BITS_DEFAULT;

	if (rc->ram_size < LAYOUT_MIN_RAM || rc->ram_size % SZ_2M ||
	    rc->ram_size > (1ULL << IPA_BITS_MAX) - RAM_BASE)
		return refuse(why, why_len,
			      "ram_size %#llx is not a multiple of 2M from %lluM up to the 52-bit "
			      "address space",
			      (unsigned long long)rc->ram_size,
			      (unsigned long long)(LAYOUT_MIN_RAM >> 20));
	if ((rc->ipa_bits && (rc->ipa_bits < IPA_BITS_MIN || rc->ipa_bits > IPA_BITS_MAX)) ||
	    layout_ipa_bits(rc->ram_size) > ipa)
		return refuse(why, why_len, "ipa_bits %u cannot hold RAM of %lluM at %#llx",
			      rc->ipa_bits, (unsigned long long)(rc->ram_size >> 20),
			      (unsigned long long)RAM_BASE);
	return 0;
}

static int check_config(const struct restore_config *rc, uint64_t ram_base, uint32_t suspend,
			char *why, size_t why_len)
{
	if (ram_base != RAM_BASE)
		return refuse(why, why_len, "ram_base %#llx, vmm places RAM at %#llx",
			      (unsigned long long)ram_base, (unsigned long long)RAM_BASE);
	if (!rc->nr_cpus || rc->nr_cpus > LAYOUT_MAX_CPUS)
		return refuse(why, why_len, "nr_cpus %u, vmm builds 1 to %llu", rc->nr_cpus,
			      (unsigned long long)LAYOUT_MAX_CPUS);
	if (rc->gic_version != 3 || rc->nr_irqs != GIC_NR_IRQS)
		return refuse(why, why_len, "GICv%u with %u interrupts, vmm restores GICv3 with %u",
			      rc->gic_version, rc->nr_irqs, GIC_NR_IRQS);
	if (!psci_version_known(rc->psci_version))
		return refuse(why, why_len, "psci_version %#x is no PSCI version KVM implements",
			      rc->psci_version);
	if (suspend > 1)
		return refuse(why, why_len, "system_suspend %u, expected 0 or 1", suspend);
	return check_memory(rc, why, why_len);
}

/* The vCPU sections come one per vCPU, in index order, and there are no others. */
static int check_vcpu_sections(struct snap_reader *r, uint32_t nr_cpus, char *why,
			       size_t why_len)
{
	unsigned int i, n = snap_reader_count(r, SNAP_SEC_VCPU);

	if (n != nr_cpus)
		return refuse(why, why_len, "%u vCPU sections for a machine of %u vCPUs", n,
			      nr_cpus);
	for (i = 0; i < n; i++)
		if (snap_reader_find(r, SNAP_SEC_VCPU, i)->index != i)
			return refuse(why, why_len, "vCPU section %u has index %u", i,
				      snap_reader_find(r, SNAP_SEC_VCPU, i)->index);
	return 0;
}

int restore_read_config(struct snap_reader *r, struct restore_config *rc, char *why,
			size_t why_len)
{
	const struct snap_section *found = snap_reader_find(r, SNAP_SEC_CONFIG, 0);
	struct snap_section s;
	uint64_t ram_base;
	uint32_t suspend;
	int ret;

	memset(rc, 0, sizeof(*rc));
	if (!found || snap_reader_count(r, SNAP_SEC_CONFIG) != 1)
		return refuse(why, why_len, "expected one machine section, found %u",
			      snap_reader_count(r, SNAP_SEC_CONFIG));
	s = *found;
	if (snap_section_check_version(&s, SNAP_VER_CONFIG, why, why_len))
		return -EINVAL;
	ret = snap_get_u32(&s, &rc->nr_cpus);
	ret = ret ?: snap_get_u64(&s, &rc->ram_size);
	ret = ret ?: snap_get_u64(&s, &ram_base);
	ret = ret ?: snap_get_u32(&s, &rc->gic_version);
	ret = ret ?: snap_get_u32(&s, &rc->nr_irqs);
	ret = ret ?: snap_get_u32(&s, &rc->ipa_bits);
	ret = ret ?: snap_get_u32(&s, &rc->psci_version);
	ret = ret ?: snap_get_u32(&s, &suspend);
	if (ret)
		return refuse(why, why_len, "the machine section ends too early");
	if (snap_get_str(&s, rc->cmdline, sizeof(rc->cmdline)))
		return refuse(why, why_len, "cmdline is not a string of at most %d bytes",
			      BOOT_CMDLINE_MAX - 1);
	ret = read_virtio(&s, &rc->virtio, why, why_len);
	if (ret)
		return ret;
	if (s.pos != s.len)
		return refuse(why, why_len, "%llu bytes left over in the machine section",
			      (unsigned long long)(s.len - s.pos));
	rc->system_suspend = suspend;
	ret = check_config(rc, ram_base, suspend, why, why_len);
	return ret ?: check_vcpu_sections(r, rc->nr_cpus, why, why_len);
}

static int compare_ids(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Two values for one register would leave restore writing whichever came last. */
static int check_unique_ids(const struct reg_values *regs, char *why, size_t why_len)
{
	uint64_t *ids = malloc((regs->nr ? regs->nr : 1) * sizeof(*ids));
	unsigned int i;
	int ret = 0;

	if (!ids)
		return -ENOMEM;
	for (i = 0; i < regs->nr; i++)
		ids[i] = regs->regs[i].id;
	qsort(ids, regs->nr, sizeof(*ids), compare_ids);
	for (i = 1; i < regs->nr && !ret; i++)
		if (ids[i] == ids[i - 1])
			ret = refuse(why, why_len, "register 0x%016llx appears twice",
				     (unsigned long long)ids[i]);
	free(ids);
	return ret;
}

static int read_regs(struct snap_section *s, struct reg_values *regs, char *why, size_t why_len)
{
	uint8_t value[REG_MAX_BYTES], reset[REG_MAX_BYTES];
	uint32_t nr, has_reset, i;
	uint64_t id;
	int ret = snap_get_u32(s, &nr);

	for (i = 0; i < nr && !ret; i++) {
		ret = snap_get_u64(s, &id);
		if (!ret && (reg_size_bytes(id) > REG_MAX_BYTES || (id & REG_ARM64) != REG_ARM64))
			return refuse(why, why_len, "register 0x%016llx is no arm64 register ID",
				      (unsigned long long)id);
		ret = ret ?: snap_get_bytes(s, value, reg_size_bytes(id));
		ret = ret ?: snap_get_u32(s, &has_reset);
		if (!ret && has_reset > 1)
			return refuse(why, why_len, "register 0x%016llx: has_reset %u, expected 0 or 1",
				      (unsigned long long)id, has_reset);
		if (!ret && has_reset)
			ret = snap_get_bytes(s, reset, reg_size_bytes(id));
		if (ret)
			return refuse(why, why_len, "the register list ends inside register %u of %u",
				      i, nr);
		ret = reg_values_add(regs, id, value, has_reset ? reset : NULL);
	}
	if (ret)
		return ret == -ENOMEM ? ret : refuse(why, why_len, "no register count");
	return check_unique_ids(regs, why, why_len);
}

int snap_read_vcpu(struct snap_reader *r, unsigned int i, struct saved_vcpu *v, char *why,
		   size_t why_len)
{
	const struct snap_section *found = snap_reader_find(r, SNAP_SEC_VCPU, i);
	struct snap_section s;
	uint32_t events_len;
	unsigned int f;
	int ret;

	memset(v, 0, sizeof(*v));
	if (!found)
		return refuse(why, why_len, "no section for vCPU %u", i);
	s = *found;
	if (snap_section_check_version(&s, SNAP_VER_VCPU, why, why_len))
		return -EINVAL;
	ret = snap_get_u32(&s, &v->target);
	for (f = 0; f < 7 && !ret; f++)
		ret = snap_get_u32(&s, &v->features[f]);
	ret = ret ?: snap_get_u32(&s, &v->mp_state);
	ret = ret ?: snap_get_u32(&s, &events_len);
	if (ret)
		return refuse(why, why_len, "vCPU %u: its section ends too early", i);
	if (events_len != sizeof(v->events))
		return refuse(why, why_len, "vCPU %u: events of %u bytes, expected %zu", i,
			      events_len, sizeof(v->events));
	ret = snap_get_bytes(&s, &v->events, sizeof(v->events));
	if (ret)
		return refuse(why, why_len, "vCPU %u: its section ends too early", i);
	ret = read_regs(&s, &v->regs, why, why_len);
	if (!ret && s.pos != s.len)
		ret = refuse(why, why_len, "vCPU %u: %llu bytes left over in its section", i,
			     (unsigned long long)(s.len - s.pos));
	if (ret == -EINVAL && why && why_len && strncmp(why, "vCPU", 4)) {
		char inner[200];

		snprintf(inner, sizeof(inner), "%s", why);
		snprintf(why, why_len, "vCPU %u: %s", i, inner);
	}
	return ret;
}

void snap_saved_vcpus_free(struct saved_vcpu *v, unsigned int nr)
{
	unsigned int i;

	for (i = 0; v && i < nr; i++)
		reg_values_free(&v[i].regs);
	free(v);
}
