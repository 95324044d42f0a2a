// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for what restore reads out of a snapshot past the format layer: the
 * machine (restore_read_config), every vCPU (snap_read_vcpu), the register policy of each
 * vCPU's registers against real hosts' KVM_GET_REG_LIST (reg_policy_plan), and the device
 * sections through the devices' own restore callbacks, as restore.c's apply_devices feeds
 * them. The vGIC section is parsed in restore.c, next to its ioctls, so it is not here.
 * Each restored device is then read back through MMIO: a state restore accepts must be one
 * the device can run with.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "board/layout.h"
#include "board/machine.h"
#include "cpu/regs.h"
#include "firmware/fwregs.h"
#include "migrate/regpolicy.h"
#include "migrate/restore.h"
#include "snapshot/format.h"

#include "fuzz.h"

static const uint64_t host_6_1[] = {
#include "reglist-6.1.inc"
};
static const uint64_t host_6_12[] = {
#include "reglist-6.12.inc"
};
static const uint64_t host_7[] = {
#include "reglist-7.inc"
};

static struct {
	const uint64_t *ids;
	unsigned int nr;
	uint64_t *sorted;
} hosts[] = {
	{ host_6_1, ARRAY_SIZE(host_6_1), NULL },
	{ host_6_12, ARRAY_SIZE(host_6_12), NULL },
	{ host_7, ARRAY_SIZE(host_7), NULL },
};

static void config_check(struct snap_reader *r, struct restore_config *rc)
{
	char why[200] = "";
	int ret;

	memset(rc, 0xa5, sizeof(*rc));
	ret = restore_read_config(r, rc, why, sizeof(why));
	if (ret) {
		check(ret == -ENOMEM || (ret == -EINVAL && why[0])); /* every refusal says why */
		rc->nr_cpus = 0;
		return;
	}
	check(rc->nr_cpus >= 1 && rc->nr_cpus <= LAYOUT_MAX_CPUS);
	check(rc->gic_version == 3 && rc->nr_irqs == GIC_NR_IRQS);
	check(rc->ram_size >= LAYOUT_MIN_RAM && rc->ram_size % SZ_2M == 0);
	check(memchr(rc->cmdline, '\0', sizeof(rc->cmdline)));
	check(snap_reader_count(r, SNAP_SEC_VCPU) == rc->nr_cpus);
}

static int id_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The oracle's own look-ups bisect sorted copies: the policy's linear scans cost enough. */
static bool sorted_has(const uint64_t *ids, unsigned int nr, uint64_t id)
{
	return bsearch(&id, ids, nr, sizeof(id), id_cmp);
}

static bool host_has(unsigned int h, uint64_t id)
{
	return sorted_has(hosts[h].sorted, hosts[h].nr, id);
}

static bool reset_matches(const struct reg_value *r)
{
	return r->reset && !memcmp(r->value, r->reset, reg_size_bytes(r->id));
}

/* What regpolicy.h promises of one decision about a register the snapshot has. */
static void saved_decision_check(unsigned int h, const struct reg_decision *d)
{
	const struct reg_value *r = d->saved;

	check(d->id == r->id);
	if (host_has(h, d->id)) {
		check(d->action == REG_RESTORE);
		return;
	}
	if (reg_is_zero(r->id, r->value) || reset_matches(r))
		check(d->action == REG_SKIP);
	else
		check(d->action == REG_REFUSE);
}

/* Every saved register once, every host register once, firmware registers first. */
static void plan_check(unsigned int h, const struct reg_values *saved, const struct reg_plan *p)
{
	unsigned int i, from_saved = 0, refused = 0, host_only = 0;
	uint64_t *saved_ids = malloc((saved->nr + 1) * sizeof(*saved_ids));
	bool firmware = true;

	check(saved_ids);
	for (i = 0; i < saved->nr; i++)
		saved_ids[i] = saved->regs[i].id;
	qsort(saved_ids, saved->nr, sizeof(*saved_ids), id_cmp);
	for (i = 1; i < saved->nr; i++)
		check(saved_ids[i - 1] < saved_ids[i]); /* the reader refuses a register twice */

	check(p->nr <= saved->nr + hosts[h].nr);
	for (i = 0; i < p->nr; i++) {
		const struct reg_decision *d = &p->d[i];

		if (!fwreg_is_firmware(d->id))
			firmware = false;
		check(firmware || !fwreg_is_firmware(d->id));
		refused += d->action == REG_REFUSE;
		if (d->saved) {
			check(d->saved >= saved->regs && d->saved < saved->regs + saved->nr);
			saved_decision_check(h, d);
			from_saved++;
			continue;
		}
		check(host_has(h, d->id) && !sorted_has(saved_ids, saved->nr, d->id));
		check(d->action ==
		      (reg_coproc(d->id) == REG_COPROC_FW_FEAT_BMAP ? REG_ZERO : REG_KEEP));
		host_only++;
	}
	check(from_saved == saved->nr && refused == p->nr_refused);
	for (i = 0; i < hosts[h].nr; i++)
		host_only -= !sorted_has(saved_ids, saved->nr, hosts[h].ids[i]);
	check(host_only == 0);
	free(saved_ids);
}

static void vcpu_check(struct snap_reader *r, unsigned int i)
{
	const struct snap_section *s = snap_reader_find(r, SNAP_SEC_VCPU, i);
	struct saved_vcpu v;
	struct reg_plan plan;
	unsigned int h, k;

	char why[200] = "";
	int ret = snap_read_vcpu(r, i, &v, why, sizeof(why));

	if (ret) {
		check(ret == -ENOMEM || (ret == -EINVAL && why[0]));
		reg_values_free(&v.regs);
		return;
	}
	/* Each register took at least its ID, one value byte and the has-reset word. */
	check(s && v.regs.nr <= s->len / 13);
	for (k = 0; k < v.regs.nr; k++)
		check(reg_size_bytes(v.regs.regs[k].id) <= REG_MAX_BYTES &&
		      (v.regs.regs[k].id & REG_ARM64) == REG_ARM64);
	/* One host per vCPU, in turn: the policy is quadratic, and this keeps the rate up. */
	h = i % ARRAY_SIZE(hosts);
	check(!reg_policy_plan(&v.regs, hosts[h].ids, hosts[h].nr, &plan));
	plan_check(h, &v.regs, &plan);
	reg_plan_free(&plan);
	reg_values_free(&v.regs);
}

/*
 * restore.c's apply_devices: each section names its device, whose callback must read it to
 * its end; a device gets one section, and every device that keeps state gets one.
 */
static bool devices_restore(struct machine *m, struct snap_reader *r)
{
	unsigned int i, d, n = snap_reader_count(r, SNAP_SEC_DEVICE);
	bool restored[MACHINE_MAX_DEVICES] = { false };
	char name[32];

	for (i = 0; i < n; i++) {
		struct snap_section s = *snap_reader_find(r, SNAP_SEC_DEVICE, i);
		struct device *dev = NULL;

		if (snap_get_str(&s, name, sizeof(name)))
			return false;
		for (d = 0; d < m->nr_devices && !dev; d++)
			if (!strcmp(m->devices[d]->ops->name, name))
				dev = m->devices[d];
		if (!dev || !dev->ops->restore || restored[--d])
			return false;
		if (dev->ops->restore(dev, &s))
			return false;
		check(s.pos <= s.len);
		if (s.pos != s.len)
			return false;
		restored[d] = true;
	}
	for (d = 0; d < m->nr_devices; d++)
		if (m->devices[d]->ops->restore && !restored[d])
			return false;
	return true;
}

static uint32_t mmio_read(struct machine *m, uint64_t addr, unsigned int len)
{
	uint8_t buf[8];
	uint32_t v = 0;

	memset(buf, 0xa5, sizeof(buf));
	check(machine_mmio(m, addr, buf, len, false));
	memcpy(&v, buf, len < 4 ? len : 4);
	return v;
}

/*
 * The UART's registers read back only bits a 16550A has (its own write path masks them:
 * IER 0x0f, MCR 0x1f), LSR always says the transmitter is empty; the RTC's CR says started,
 * IMSC holds one bit, and reading the time is defined for any saved offset.
 */
static void devices_read_back(struct machine *m)
{
	unsigned int reg;

	for (reg = 0; reg < 8; reg++)
		mmio_read(m, UART_BASE + reg, 1);
	check((mmio_read(m, UART_BASE + 5, 1) & 0x60) == 0x60);
	check(mmio_read(m, UART_BASE + 4, 1) <= 0x1f);
	if (!(mmio_read(m, UART_BASE + 3, 1) & 0x80))
		check(mmio_read(m, UART_BASE + 1, 1) <= 0x0f);
	check(mmio_read(m, RTC_BASE + 0x0c, 4) == 1);
	check(mmio_read(m, RTC_BASE + 0x10, 4) <= 1);
	mmio_read(m, RTC_BASE + 0x00, 4);
	mmio_read(m, RTC_BASE + 0x08, 4);
}

static void irq_set_ignore(void *ctx, unsigned int spi, bool level)
{
	(void)ctx;
	check(spi == UART_SPI || spi == RTC_SPI);
	(void)level;
}

static void console_write_ignore(void *ctx, const uint8_t *buf, size_t len)
{
	(void)ctx;
	check(buf && len);
}

static void devices_check(struct snap_reader *r)
{
	struct machine m = { .irq_set = irq_set_ignore, .console_write = console_write_ignore };

	check(!machine_add_board_devices(&m));
	if (devices_restore(&m, r))
		devices_read_back(&m);
	machine_destroy_devices(&m);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	unsigned int h;

	(void)argc;
	(void)argv;
	for (h = 0; h < ARRAY_SIZE(hosts); h++) {
		hosts[h].sorted = malloc(hosts[h].nr * sizeof(uint64_t));
		check(hosts[h].sorted);
		memcpy(hosts[h].sorted, hosts[h].ids, hosts[h].nr * sizeof(uint64_t));
		qsort(hosts[h].sorted, hosts[h].nr, sizeof(uint64_t), id_cmp);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct restore_config rc;
	struct snap_reader *r;
	unsigned int i;

	if (snap_reader_open_mem(&r, data, size, NULL, 0))
		return 0;
	config_check(r, &rc);
	/* As restore, the vCPUs the machine names; and one more, which must be harmless. */
	for (i = 0; i <= rc.nr_cpus; i++)
		vcpu_check(r, i);
	devices_check(r);
	snap_reader_close(r);
	return 0;
}
