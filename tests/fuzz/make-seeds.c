// SPDX-License-Identifier: GPL-2.0
/*
 * Writes the snapshot fuzzers' seed corpora with the real writer, so mutations start from
 * files that reach every section:
 *   DIR/snapshot/  the format layer: sections of any content, with and without memory
 *   DIR/restore/   what vm_save writes (save.c's layout): the machine, vCPUs with a real
 *                  host's register list, the vGIC, and the devices' own save callbacks
 *   DIR/inspect/   the same with a small memory section, which inspect needs
 *   DIR/virtqueue/ split rings a driver would write: a block request, an indirect table
 *                  with EVENT_IDX at indices about to wrap, a chain through the whole queue
 * The restore seeds carry no memory section: the format seeds cover it, and 64 KiB of
 * alignment per input would only slow the restore target down.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "base/util.h"
#include "board/layout.h"
#include "board/machine.h"
#include "cpu/regs.h"
#include "firmware/psci.h"
#include "migrate/restore.h"
#include "snapshot/format.h"
#include "virtio/virtqueue.h"

#include "fuzz_virtqueue.h"

static const struct snap_header seed_hdr = {
	.vmm_version = "vmm seed",
	.host_release = "6.12.0-arm64",
	.page_size = 4096,
	.ipa_bits = 40,
};

static const uint64_t regs_6_1[] = {
#include "reglist-6.1.inc"
};

static const uint64_t regs_7[] = {
#include "reglist-7.inc"
};

static int sections_put(struct snap_writer *w, unsigned int vcpus)
{
	unsigned int i;
	int ret = snap_section_begin(w, SNAP_SEC_CONFIG, 0) ?: snap_put_u32(w, vcpus) ?:
		  snap_put_u64(w, 0x40000000) ?: snap_put_str(w, "console=ttyAMA0 quiet") ?:
		  snap_section_end(w);

	for (i = 0; !ret && i < vcpus; i++)
		ret = snap_section_begin(w, SNAP_SEC_VCPU, i) ?: snap_put_u64(w, 0x6030000000100000) ?:
		      snap_put_u64(w, i) ?: snap_put_bytes(w, "\x01\x02\x03\x04\x05", 5) ?:
		      snap_section_end(w);
	ret = ret ?: snap_section_begin(w, SNAP_SEC_GIC, 0) ?: snap_put_u32(w, 3) ?:
		     snap_put_u64(w, 0x8000000) ?: snap_section_end(w);
	return ret ?: snap_section_begin(w, SNAP_SEC_DEVICE, 0) ?: snap_put_str(w, "pl011") ?:
		     snap_put_u32(w, 0x30) ?: snap_put_str(w, "") ?: snap_section_end(w);
}

static int seed_write(const char *dir, const char *name, unsigned int vcpus, size_t ram_pages)
{
	static unsigned char ram[8 * 4096];
	struct snap_writer *w;
	char path[4096];
	int ret;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	ret = snap_writer_open(&w, path, &seed_hdr);
	if (ret)
		return ret;
	/* Pages 1 and 2 (a run), then 4: the reader walks runs of marked pages. */
	memset(ram + 4096, 0x11, 2 * 4096);
	memset(ram + 4 * 4096, 0x33, 100);
	ret = vcpus ? sections_put(w, vcpus) : 0;
	if (!ret && ram_pages)
		ret = snap_write_memory(w, 0x40000000, ram, ram_pages * 4096, NULL);
	ret = ret ?: snap_writer_commit(w);
	if (ret)
		snap_writer_abort(w);
	return ret;
}

static int format_seeds_write(const char *dir)
{
	return seed_write(dir, "empty.snap", 0, 0) ?: seed_write(dir, "sections.snap", 2, 0) ?:
		       seed_write(dir, "memory.snap", 1, 8) ?:
		       seed_write(dir, "odd-pages.snap", 1, 5);
}

/* The machine section by the writer save uses. */
static int restore_config_put(struct snap_writer *w, unsigned int vcpus, uint32_t psci)
{
	struct restore_config rc = {
		.nr_cpus = vcpus,
		.ram_size = 256ULL << 20,
		.gic_version = 3,
		.nr_irqs = GIC_NR_IRQS,
		.ipa_bits = 40,
		.psci_version = psci,
		.system_suspend = psci == PSCI_V(1, 3),
		.cmdline = "console=ttyS0 quiet",
	};

	return snap_write_config(w, &rc);
}

/*
 * Values that differ by register so the policy meets zero, reset-valued and live registers:
 * every third has a reset value, every fifth a value the reset one does not match.
 */
static int reg_put(struct snap_writer *w, uint64_t id, unsigned int i)
{
	uint8_t value[REG_MAX_BYTES] = { 0 }, reset[REG_MAX_BYTES] = { 0 };
	unsigned int size = reg_size_bytes(id);

	if (size > REG_MAX_BYTES)
		return -EINVAL;
	if (i % 5 == 0)
		value[0] = i;
	if (i % 2)
		value[size - 1] = 0x80;
	memcpy(reset, value, size);
	if (i % 5 == 0)
		reset[0] = 0;
	return snap_put_u64(w, id) ?: snap_put_bytes(w, value, size) ?:
		       snap_put_u32(w, i % 3 == 0) ?:
		       (i % 3 == 0 ? snap_put_bytes(w, reset, size) : 0);
}

/* A vCPU section as save_vcpu() writes it, with nr of the host's registers. */
static int restore_vcpu_put(struct snap_writer *w, unsigned int cpu, const uint64_t *ids,
			    unsigned int nr)
{
	static const uint8_t events[SNAP_VCPU_EVENTS_SIZE];
	unsigned int i;
	int ret;

	ret = snap_section_begin(w, SNAP_SEC_VCPU, cpu) ?: snap_put_u32(w, 5);
	for (i = 0; i < 7 && !ret; i++)
		ret = snap_put_u32(w, i == 0 ? 1u << 2 : 0); /* KVM_ARM_VCPU_PSCI_0_2 */
	ret = ret ?: snap_put_u32(w, cpu ? 1 : 0) ?: snap_put_u32(w, sizeof(events)) ?:
		     snap_put_bytes(w, events, sizeof(events)) ?: snap_put_u32(w, nr);
	for (i = 0; i < nr && !ret; i++)
		ret = reg_put(w, ids[i], i);
	return ret ?: snap_section_end(w);
}

static int restore_gic_put(struct snap_writer *w)
{
	return snap_section_begin(w, SNAP_SEC_GIC, 0) ?: snap_put_u32(w, 3) ?: snap_put_u32(w, 1) ?:
		       snap_put_u32(w, 1) ?: snap_put_u64(w, 0) ?: snap_put_u64(w, 0x37) ?:
		       snap_section_end(w);
}

static void console_write_nowhere(void *ctx, const uint8_t *buf, size_t len)
{
	(void)ctx;
	(void)buf;
	(void)len;
}

/* The board's devices in a state worth saving: UART registers set, bytes waiting, LR set. */
static void devices_dirty(struct machine *m)
{
	uint8_t b;
	uint32_t lr = 1000000;

	b = 0x83;
	machine_mmio(m, UART_BASE + 3, &b, 1, true); /* DLAB, to set the divisor */
	b = 1;
	machine_mmio(m, UART_BASE + 0, &b, 1, true);
	b = 0x03;
	machine_mmio(m, UART_BASE + 3, &b, 1, true);
	b = 0x07;
	machine_mmio(m, UART_BASE + 1, &b, 1, true);
	b = 0x5a;
	machine_mmio(m, UART_BASE + 7, &b, 1, true);
	machine_console_input(m, (const uint8_t *)"ls\r", 3);
	machine_mmio(m, RTC_BASE + 0x08, (uint8_t *)&lr, 4, true);
}

/* The device sections as save_devices() writes them, each by the device's own callback. */
static int restore_devices_put(struct snap_writer *w, bool dirty)
{
	struct machine m = { .console_write = console_write_nowhere };
	unsigned int i;
	int ret = machine_add_board_devices(&m);

	if (!ret && dirty)
		devices_dirty(&m);
	for (i = 0; i < m.nr_devices && !ret; i++) {
		struct device *dev = m.devices[i];

		if (!dev->ops->save)
			continue;
		ret = snap_section_begin(w, SNAP_SEC_DEVICE, i) ?: snap_put_str(w, dev->ops->name) ?:
			      dev->ops->save(dev, w) ?: snap_section_end(w);
	}
	machine_destroy_devices(&m);
	return ret;
}

struct restore_seed {
	const char *name;
	unsigned int vcpus;
	uint32_t psci;
	const uint64_t *ids;
	unsigned int nr_ids;
	bool dirty;
};

/* With memory (a few pages: inspect reads only the map) for inspect, without for restore. */
static int restore_seed_write(const char *dir, const struct restore_seed *seed, bool memory)
{
	static uint8_t ram[4 * SNAP_PAGE] = { [SNAP_PAGE] = 0x5a };
	struct snap_writer *w;
	char path[4096];
	unsigned int i;
	int ret;

	snprintf(path, sizeof(path), "%s/%s", dir, seed->name);
	ret = snap_writer_open(&w, path, &seed_hdr);
	if (ret)
		return ret;
	ret = restore_config_put(w, seed->vcpus, seed->psci);
	for (i = 0; i < seed->vcpus && !ret; i++)
		ret = restore_vcpu_put(w, i, seed->ids, i ? seed->nr_ids / 8 : seed->nr_ids);
	ret = ret ?: restore_gic_put(w) ?: restore_devices_put(w, seed->dirty);
	if (!ret && memory)
		ret = snap_write_memory(w, RAM_BASE, ram, sizeof(ram), NULL);
	ret = ret ?: snap_writer_commit(w);
	if (ret)
		snap_writer_abort(w);
	return ret;
}

static const struct restore_seed restore_seeds[] = {
	{ "linux-6.1.snap", 2, PSCI_V(1, 1), regs_6_1, ARRAY_SIZE(regs_6_1), true },
	{ "linux-7.snap", 1, PSCI_V(1, 3), regs_7, ARRAY_SIZE(regs_7), false },
	{ "few-regs.snap", 4, PSCI_V(1, 0), regs_7 + 70, 16, true },
};

/* A virtqueue fuzz input being built: its parameters, RAM image and operations. */
struct vq_seed {
	struct vqf_params p;
	uint8_t ram[VQF_RAM_SIZE];
	uint8_t ops[16];
	size_t nr_ops;
};

/* Rings at RAM offsets 0 (descriptors), 0x800 (avail), 0xa00 (used); buffers from 0xc00. */
#define SEED_AVAIL 0x800
#define SEED_USED 0xa00
#define SEED_BUF 0xc00

static void vq_seed_init(struct vq_seed *s, uint16_t size, uint8_t features, uint16_t start)
{
	memset(s, 0, sizeof(*s));
	s->p = (struct vqf_params){ .size = size,
				    .features = features,
				    .desc = VQF_GPA_BIAS,
				    .avail = SEED_AVAIL + VQF_GPA_BIAS,
				    .used = SEED_USED + VQF_GPA_BIAS,
				    .start = start,
				    .image_len = VQF_RAM_SIZE };
	memcpy(s->ram + SEED_AVAIL + 2, &start, 2);
	memcpy(s->ram + SEED_USED + 2, &start, 2);
}

/* Descriptor i of the table at RAM offset table; addr is a RAM offset too. */
static void vq_seed_desc(struct vq_seed *s, unsigned int table, unsigned int i, unsigned int addr,
			 uint32_t len, uint16_t flags, uint16_t next)
{
	uint64_t gpa = VQF_RAM_BASE + addr;
	uint8_t *d = s->ram + table + 16 * i;

	memcpy(d, &gpa, 8);
	memcpy(d + 8, &len, 4);
	memcpy(d + 12, &flags, 2);
	memcpy(d + 14, &next, 2);
}

static void vq_seed_avail(struct vq_seed *s, uint16_t head)
{
	uint16_t idx;

	memcpy(&idx, s->ram + SEED_AVAIL + 2, 2);
	memcpy(s->ram + SEED_AVAIL + 4 + 2 * (idx % s->p.size), &head, 2);
	idx++;
	memcpy(s->ram + SEED_AVAIL + 2, &idx, 2);
}

static int vq_seed_write(const char *dir, const char *name, const struct vq_seed *s)
{
	char path[4096];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f)
		return -errno;
	ok = fwrite(&s->p, sizeof(s->p), 1, f) == 1 && fwrite(s->ram, sizeof(s->ram), 1, f) == 1 &&
	     fwrite(s->ops, 1, s->nr_ops, f) == s->nr_ops;
	return fclose(f) || !ok ? -EIO : 0;
}

/* A block request: header, data to fill, status; then pop, push, notify, enable. */
static int vq_seed_blk(const char *dir, struct vq_seed *s)
{
	static const uint8_t ops[] = { VQF_OP_POP, VQF_OP_PUSH, VQF_OP_NOTIFY, VQF_OP_ENABLE };

	vq_seed_init(s, 8, 0, 0);
	vq_seed_desc(s, 0, 0, SEED_BUF, 16, VIRTQ_DESC_F_NEXT, 1);
	vq_seed_desc(s, 0, 1, SEED_BUF + 0x10, 512, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 2);
	vq_seed_desc(s, 0, 2, SEED_BUF + 0x210, 1, VIRTQ_DESC_F_WRITE, 0);
	vq_seed_avail(s, 0);
	memcpy(s->ops, ops, sizeof(ops));
	s->nr_ops = sizeof(ops);
	return vq_seed_write(dir, "blk", s);
}

/* Two chains, one through an indirect table, with indices wrapping past 65535. */
static int vq_seed_indirect(const char *dir, struct vq_seed *s)
{
	static const uint8_t ops[] = { VQF_OP_DISABLE, VQF_OP_DRAIN, VQF_OP_ENABLE, VQF_OP_POKE,
				       0x02, 0x08, 0x00, VQF_OP_DRAIN };

	vq_seed_init(s, 4, VQF_EVENT_IDX | VQF_INDIRECT, 65535);
	vq_seed_desc(s, 0x400, 0, SEED_BUF, 16, VIRTQ_DESC_F_NEXT, 1);
	vq_seed_desc(s, 0x400, 1, SEED_BUF + 0x10, 64, VIRTQ_DESC_F_WRITE, 0);
	vq_seed_desc(s, 0, 0, 0x400, 2 * 16, VIRTQ_DESC_F_INDIRECT, 0);
	vq_seed_desc(s, 0, 1, SEED_BUF + 0x100, 8, 0, 0);
	vq_seed_avail(s, 0);
	vq_seed_avail(s, 1);
	memcpy(s->ops, ops, sizeof(ops));
	s->nr_ops = sizeof(ops);
	return vq_seed_write(dir, "indirect-event-idx", s);
}

/* One chain through every descriptor of a 64-entry queue; no operations: a drain. */
static int vq_seed_long(const char *dir, struct vq_seed *s)
{
	unsigned int i;

	vq_seed_init(s, 64, 0, 0);
	for (i = 0; i < 64; i++)
		vq_seed_desc(s, 0, i, SEED_BUF + 8 * i, 8,
			     i < 63 ? VIRTQ_DESC_F_NEXT : VIRTQ_DESC_F_WRITE, i + 1);
	vq_seed_avail(s, 0);
	return vq_seed_write(dir, "whole-queue", s);
}

static int vq_seeds_write(const char *dir)
{
	static struct vq_seed s;

	return vq_seed_blk(dir, &s) ?: vq_seed_indirect(dir, &s) ?: vq_seed_long(dir, &s);
}

static int subdir(char *path, size_t len, const char *dir, const char *name)
{
	snprintf(path, len, "%s/%s", dir, name);
	return mkdir(path, 0755) && errno != EEXIST ? -errno : 0;
}

int main(int argc, char **argv)
{
	char snapshot_dir[4096], restore_dir[4096], inspect_dir[4096], vq_dir[4096];
	unsigned int i;
	int ret;

	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	ret = subdir(snapshot_dir, sizeof(snapshot_dir), argv[1], "snapshot") ?:
		      subdir(restore_dir, sizeof(restore_dir), argv[1], "restore") ?:
		      subdir(inspect_dir, sizeof(inspect_dir), argv[1], "inspect") ?:
		      subdir(vq_dir, sizeof(vq_dir), argv[1], "virtqueue") ?:
		      format_seeds_write(snapshot_dir) ?: vq_seeds_write(vq_dir);
	for (i = 0; i < ARRAY_SIZE(restore_seeds) && !ret; i++)
		ret = restore_seed_write(restore_dir, &restore_seeds[i], false)
			      ?: restore_seed_write(inspect_dir, &restore_seeds[i], true);
	if (ret) {
		fprintf(stderr, "make-seeds: writing into %s failed: %s\n", argv[1],
			strerror(-ret));
		return 1;
	}
	return 0;
}
