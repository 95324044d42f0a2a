// SPDX-License-Identifier: GPL-2.0
/* fdt_build: the whole device tree, read back node by node with libfdt. */
#include <errno.h>
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "board/fdt.h"
#include "board/fdt_node.h"
#include "board/machine.h"
#include "firmware/pins.h"
#include "firmware/psci.h"
#include "suites.h"

#define NR_CPUS 4
#define RAM_SIZE (512ULL << 20)
#define INITRD_SIZE 0x123456ULL
#define BOOTARGS "console=ttyS0 earlycon=uart8250,mmio,0x9000000 quiet"

static struct machine m;
static uint8_t fdt[64 * 1024];

/* A 4-vCPU machine as vm.c would hand it over, with the board devices and an initrd. */
static void prepare(unsigned int gic_version, uint32_t psci_version)
{
	static const struct arm64_image kernel = { .text_offset = 0x80000, .image_size = 16 << 20 };
	unsigned int i;
	int ret;

	memset(&m, 0, sizeof(m));
	memset(fdt, 0, sizeof(fdt));
	ret = layout_plan(RAM_SIZE, &kernel, INITRD_SIZE, &m.layout);
	ck_assert_msg(ret == 0, "layout_plan: expected 0, got %d", ret);
	m.nr_cpus = NR_CPUS;
	for (i = 0; i < NR_CPUS; i++)
		m.mpidr[i] = 0x80000000ULL | i; /* bit 31 is RES1 in MPIDR_EL1 */
	m.gic_version = gic_version;
	m.psci_version = psci_version;
	m.bootargs = BOOTARGS;
	ret = machine_add_board_devices(&m);
	ck_assert_msg(ret == 0, "machine_add_board_devices: expected 0, got %d", ret);
}

static void build(void)
{
	int ret = fdt_build(&m, fdt, sizeof(fdt));

	ck_assert_msg(ret == 0, "fdt_build: expected 0, got %d", ret);
}

static void teardown(void)
{
	machine_destroy_devices(&m);
}

static void setup_v3(void)
{
	prepare(3, PSCI_V(1, 1));
}

static int node(const char *path)
{
	int offset = fdt_path_offset(fdt, path);

	ck_assert_msg(offset >= 0, "node %s: expected it to exist, got %s", path,
		      fdt_strerror(offset));
	return offset;
}

static const void *prop(const char *path, const char *name, int *len)
{
	const void *value = fdt_getprop(fdt, node(path), name, len);

	ck_assert_msg(value != NULL, "%s:%s: expected the property, got %s", path, name,
		      fdt_strerror(*len));
	return value;
}

static uint32_t prop_u32(const char *path, const char *name, int index)
{
	int len;
	const fdt32_t *cells = prop(path, name, &len);

	ck_assert_msg(len >= 4 * (index + 1), "%s:%s: expected at least %d cells, got %d bytes",
		      path, name, index + 1, len);
	return fdt32_to_cpu(cells[index]);
}

/* The index-th 64-bit value of a property made of 2-cell numbers. */
static uint64_t prop_u64(const char *path, const char *name, int index)
{
	return (uint64_t)prop_u32(path, name, 2 * index) << 32 |
	       prop_u32(path, name, 2 * index + 1);
}

static bool prop_equals(const char *path, const char *name, const void *want, int want_len)
{
	int len;
	const void *value = prop(path, name, &len);

	return len == want_len && !memcmp(value, want, len);
}

static const char *prop_string(const char *path, const char *name)
{
	int len;
	const char *value = prop(path, name, &len);

	ck_assert_msg(len > 0 && value[len - 1] == '\0', "%s:%s: expected a string, got %d bytes",
		      path, name, len);
	return value;
}

#define assert_string(path, name, want)                                                        \
	do {                                                                                   \
		const char *got_ = prop_string(path, name);                                    \
		ck_assert_msg(!strcmp(got_, want), "%s:%s: expected \"%s\", got \"%s\"", path, \
			      name, want, got_);                                               \
	} while (0)

#define assert_u32(path, name, index, want)                                                   \
	do {                                                                                  \
		uint32_t got_ = prop_u32(path, name, index);                                  \
		ck_assert_msg(got_ == (uint32_t)(want), "%s:%s[%d]: expected 0x%x, got 0x%x", \
			      path, name, index, (uint32_t)(want), got_);                     \
	} while (0)

#define assert_u64(path, name, index, want)                                                       \
	do {                                                                                      \
		uint64_t got_ = prop_u64(path, name, index);                                      \
		ck_assert_msg(got_ == (uint64_t)(want), "%s:%s[%d]: expected 0x%llx, got 0x%llx", \
			      path, name, index, (unsigned long long)(want),                      \
			      (unsigned long long)got_);                                          \
	} while (0)

/* The tree as a whole */

START_TEST(test_header_valid)
{
	int ret;

	build();
	ret = fdt_check_header(fdt);

	ck_assert_msg(ret == 0, "fdt_check_header: expected 0, got %s", fdt_strerror(ret));
}
END_TEST

START_TEST(test_structure_valid)
{
	int ret;

	build();
	ret = fdt_check_full(fdt, sizeof(fdt));

	ck_assert_msg(ret == 0, "fdt_check_full: expected 0, got %s", fdt_strerror(ret));
}
END_TEST

START_TEST(test_fits_fdt_max_size)
{
	build();

	ck_assert_msg(fdt_totalsize(fdt) <= FDT_MAX_SIZE, "totalsize: expected <= 0x%llx, got 0x%x",
		      FDT_MAX_SIZE, fdt_totalsize(fdt));
}
END_TEST

START_TEST(test_root)
{
	build();

	assert_string("/", "compatible", "linux,dummy-virt");
	assert_u32("/", "#address-cells", 0, 2);
	assert_u32("/", "#size-cells", 0, 2);
}
END_TEST

START_TEST(test_root_interrupt_parent_is_gic)
{
	uint32_t parent;
	int target;

	build();
	parent = prop_u32("/", "interrupt-parent", 0);
	target = fdt_node_offset_by_phandle(fdt, parent);

	ck_assert_msg(target == node("/intc@8000000"),
		      "interrupt-parent %u: expected /intc@8000000 (offset %d), got offset %d",
		      parent, node("/intc@8000000"), target);
}
END_TEST

/* Memory */

START_TEST(test_memory_reg)
{
	build();

	assert_u64("/memory@40000000", "reg", 0, 0x40000000);
	assert_u64("/memory@40000000", "reg", 1, RAM_SIZE);
}
END_TEST

START_TEST(test_memory_device_type)
{
	build();

	assert_string("/memory@40000000", "device_type", "memory");
}
END_TEST

/* CPUs */

START_TEST(test_cpus_cells)
{
	build();

	assert_u32("/cpus", "#address-cells", 0, 2);
	assert_u32("/cpus", "#size-cells", 0, 0);
}
END_TEST

START_TEST(test_cpu_count)
{
	int offset, count = 0;

	build();
	fdt_for_each_subnode(offset, fdt, node("/cpus")) count++;

	ck_assert_msg(count == NR_CPUS, "/cpus: expected %d cpu nodes, got %d", NR_CPUS, count);
}
END_TEST

START_TEST(test_cpu_node)
{
	char path[32];

	build();
	snprintf(path, sizeof(path), "/cpus/cpu@%d", _i);

	assert_u64(path, "reg", 0, _i);
	assert_string(path, "enable-method", "psci");
	assert_string(path, "device_type", "cpu");
}
END_TEST

START_TEST(test_cpu_named_by_affinity)
{
	m.mpidr[1] = 0x80000100ULL;		      /* Aff1 = 1 */
	m.mpidr[2] = 0x8100000000ULL | 0x80000000ULL; /* Aff3 = 0x81 */
	build();

	assert_u64("/cpus/cpu@100", "reg", 0, 0x100);
	assert_u64("/cpus/cpu@8100000000", "reg", 0, 0x8100000000ULL);
}
END_TEST

/* vm.c builds the tree in a 64 KiB buffer: the largest machine must fit it. */
START_TEST(test_max_cpus_fit_64k)
{
	unsigned int i;
	int offset, count = 0, ret;

	m.nr_cpus = LAYOUT_MAX_CPUS;
	for (i = 0; i < LAYOUT_MAX_CPUS; i++) /* as KVM's reset_mpidr() numbers vCPUs */
		m.mpidr[i] = 0x80000000ULL | ((i >> 4) & 0xff) << 8 | (i & 0xf);
	ret = fdt_build(&m, fdt, 0x10000);
	ck_assert_msg(ret == 0, "%llu CPUs in 64 KiB: expected 0, got %d", LAYOUT_MAX_CPUS, ret);
	fdt_for_each_subnode(offset, fdt, node("/cpus")) count++;

	ck_assert_msg(count == LAYOUT_MAX_CPUS, "/cpus: expected %llu cpu nodes, got %d",
		      LAYOUT_MAX_CPUS, count);
}
END_TEST

/* PSCI */

static const char compat_psci_1_0[] = "arm,psci-1.0\0arm,psci-0.2";

static const uint32_t psci_1_x[] = { PSCI_V(1, 0), PSCI_V(1, 1), PSCI_V(1, 2), PSCI_V(1, 3),
				     PSCI_VERSION_UNSET };

START_TEST(test_psci_1_x_compatible)
{
	bool same;

	m.psci_version = psci_1_x[_i];
	build();
	same = prop_equals("/psci", "compatible", compat_psci_1_0, sizeof(compat_psci_1_0));

	ck_assert_msg(same, "PSCI 0x%x: expected compatible \"arm,psci-1.0\\0arm,psci-0.2\"",
		      psci_1_x[_i]);
}
END_TEST

START_TEST(test_psci_method_hvc)
{
	build();

	assert_string("/psci", "method", "hvc");
}
END_TEST

START_TEST(test_psci_1_1_no_function_ids)
{
	int len;

	build();
	fdt_getprop(fdt, node("/psci"), "cpu_on", &len);

	ck_assert_msg(len == -FDT_ERR_NOTFOUND, "PSCI 1.1 cpu_on: expected no property, got %d",
		      len);
}
END_TEST

START_TEST(test_psci_0_2_compatible)
{
	bool same;

	m.psci_version = PSCI_V(0, 2);
	build();
	same = prop_equals("/psci", "compatible", "arm,psci-0.2", sizeof("arm,psci-0.2"));

	ck_assert_msg(same, "PSCI 0.2: expected compatible \"arm,psci-0.2\" alone, got \"%s\"",
		      prop_string("/psci", "compatible"));
}
END_TEST

START_TEST(test_psci_0_1_compatible)
{
	bool same;

	m.psci_version = PSCI_V_0_1;
	build();
	same = prop_equals("/psci", "compatible", "arm,psci", sizeof("arm,psci"));

	ck_assert_msg(same, "PSCI 0.1: expected compatible \"arm,psci\" alone, got \"%s\"",
		      prop_string("/psci", "compatible"));
}
END_TEST

/* KVM_PSCI_FN_BASE and up, from arch/arm64/include/uapi/asm/kvm.h. */
static const struct {
	const char *name;
	uint32_t id;
} psci_0_1_ids[] = {
	{ "cpu_suspend", 0x95c1ba5e },
	{ "cpu_off", 0x95c1ba5f },
	{ "cpu_on", 0x95c1ba60 },
	{ "migrate", 0x95c1ba61 },
};

START_TEST(test_psci_0_1_function_id)
{
	m.psci_version = PSCI_V_0_1;
	build();

	assert_u32("/psci", psci_0_1_ids[_i].name, 0, psci_0_1_ids[_i].id);
}
END_TEST

START_TEST(test_psci_0_1_method_hvc)
{
	m.psci_version = PSCI_V_0_1;
	build();

	assert_string("/psci", "method", "hvc");
}
END_TEST

/* Interrupt controller */

START_TEST(test_gic_v3_compatible)
{
	build();

	assert_string("/intc@8000000", "compatible", "arm,gic-v3");
}
END_TEST

START_TEST(test_gic_v3_reg)
{
	build();

	assert_u64("/intc@8000000", "reg", 0, 0x08000000);
	assert_u64("/intc@8000000", "reg", 1, 0x10000);
	assert_u64("/intc@8000000", "reg", 2, 0x080a0000);
	assert_u64("/intc@8000000", "reg", 3, NR_CPUS * 0x20000);
}
END_TEST

START_TEST(test_gic_v3_redistributors_scale)
{
	m.nr_cpus = 8;
	build();

	assert_u64("/intc@8000000", "reg", 3, 8 * 0x20000);
}
END_TEST

START_TEST(test_gic_controller_properties)
{
	int len = 0;

	build();
	prop("/intc@8000000", "interrupt-controller", &len);

	ck_assert_msg(len == 0, "interrupt-controller: expected an empty property, got %d bytes",
		      len);
	assert_u32("/intc@8000000", "#interrupt-cells", 0, 3);
}
END_TEST

START_TEST(test_gic_v2_compatible)
{
	m.gic_version = 2;
	build();

	assert_string("/intc@8000000", "compatible", "arm,cortex-a15-gic");
}
END_TEST

START_TEST(test_gic_v2_reg)
{
	m.gic_version = 2;
	build();

	assert_u64("/intc@8000000", "reg", 0, 0x08000000);
	assert_u64("/intc@8000000", "reg", 1, 0x10000);
	assert_u64("/intc@8000000", "reg", 2, 0x08010000);
	assert_u64("/intc@8000000", "reg", 3, 0x2000);
}
END_TEST

/* Timer: secure, non-secure, virtual, hypervisor PPIs. */

static const uint32_t timer_ppis[] = { 13, 14, 11, 10 };

START_TEST(test_timer_compatible)
{
	build();

	assert_string("/timer", "compatible", "arm,armv8-timer");
}
END_TEST

START_TEST(test_timer_gic_v3_interrupt)
{
	build();

	assert_u32("/timer", "interrupts", 3 * _i, FDT_IRQ_TYPE_PPI);
	assert_u32("/timer", "interrupts", 3 * _i + 1, timer_ppis[_i]);
	assert_u32("/timer", "interrupts", 3 * _i + 2, FDT_IRQ_LEVEL_HIGH);
}
END_TEST

START_TEST(test_timer_gic_v2_cpu_mask)
{
	m.gic_version = 2;
	build();

	/* Four CPUs: mask 0xf in bits 15:8 of the flags cell. */
	assert_u32("/timer", "interrupts", 3 * _i + 1, timer_ppis[_i]);
	assert_u32("/timer", "interrupts", 3 * _i + 2, 0xf04);
}
END_TEST

START_TEST(test_timer_gic_v2_cpu_mask_caps_at_8)
{
	m.gic_version = 2;
	m.nr_cpus = 10;
	build();

	assert_u32("/timer", "interrupts", 2, 0xff04);
}
END_TEST

START_TEST(test_timer_cell_count)
{
	int len;

	build();
	prop("/timer", "interrupts", &len);

	ck_assert_msg(len == 4 * 3 * 4, "timer interrupts: expected 48 bytes, got %d", len);
}
END_TEST

/* UART */

START_TEST(test_uart_compatible)
{
	build();

	assert_string("/uart@9000000", "compatible", "ns16550a");
}
END_TEST

START_TEST(test_uart_reg)
{
	build();

	assert_u64("/uart@9000000", "reg", 0, 0x09000000);
	assert_u64("/uart@9000000", "reg", 1, 0x1000);
}
END_TEST

START_TEST(test_uart_interrupts)
{
	build();

	assert_u32("/uart@9000000", "interrupts", 0, 0);
	assert_u32("/uart@9000000", "interrupts", 1, 1);
	assert_u32("/uart@9000000", "interrupts", 2, 4);
}
END_TEST

START_TEST(test_uart_clock_frequency)
{
	build();

	assert_u32("/uart@9000000", "clock-frequency", 0, 1843200);
}
END_TEST

/* RTC */

START_TEST(test_rtc_compatible)
{
	static const char compat[] = "arm,pl031\0arm,primecell";
	bool same;

	build();
	same = prop_equals("/rtc@9010000", "compatible", compat, sizeof(compat));

	ck_assert_msg(same, "rtc: expected compatible \"arm,pl031\\0arm,primecell\", got \"%s\"",
		      prop_string("/rtc@9010000", "compatible"));
}
END_TEST

START_TEST(test_rtc_reg_and_interrupts)
{
	build();

	assert_u64("/rtc@9010000", "reg", 0, 0x09010000);
	assert_u32("/rtc@9010000", "interrupts", 0, 0);
	assert_u32("/rtc@9010000", "interrupts", 1, 2);
	assert_u32("/rtc@9010000", "interrupts", 2, 4);
}
END_TEST

START_TEST(test_rtc_clock_is_fixed_clock)
{
	uint32_t phandle;
	int clock;
	const char *compat;

	build();
	phandle = prop_u32("/rtc@9010000", "clocks", 0);
	clock = fdt_node_offset_by_phandle(fdt, phandle);
	ck_assert_msg(clock >= 0, "rtc clocks <%u>: expected a node, got %s", phandle,
		      fdt_strerror(clock));
	compat = fdt_getprop(fdt, clock, "compatible", NULL);

	ck_assert_msg(compat && !strcmp(compat, "fixed-clock"),
		      "rtc clocks <%u>: expected a fixed-clock, got \"%s\"", phandle,
		      compat ? compat : "(none)");
}
END_TEST

START_TEST(test_rtc_clock_names)
{
	build();

	assert_string("/rtc@9010000", "clock-names", "apb_pclk");
}
END_TEST

/* /chosen and /aliases */

START_TEST(test_chosen_bootargs)
{
	build();

	assert_string("/chosen", "bootargs", BOOTARGS);
}
END_TEST

START_TEST(test_chosen_null_bootargs)
{
	m.bootargs = NULL;
	build();

	assert_string("/chosen", "bootargs", "");
}
END_TEST

/* No virtio device yet: an empty virtio-mmio slot gets no node, so the guest probes none. */
START_TEST(test_no_node_for_empty_virtio_slot)
{
	int offset, found = 0;

	build();
	fdt_for_each_subnode(offset, fdt, 0) found +=
		!strncmp(fdt_get_name(fdt, offset, NULL), "virtio_mmio", 11);
	offset = fdt_node_offset_by_compatible(fdt, -1, "virtio,mmio");

	ck_assert_msg(found == 0 && offset == -FDT_ERR_NOTFOUND,
		      "virtio-mmio nodes: expected none, got %d by name, offset %d by compatible",
		      found, offset);
}
END_TEST

START_TEST(test_chosen_stdout_path)
{
	build();

	assert_string("/chosen", "stdout-path", "/uart@9000000");
}
END_TEST

START_TEST(test_chosen_stdout_path_resolves)
{
	const char *path;

	build();
	path = prop_string("/chosen", "stdout-path");

	ck_assert_msg(fdt_path_offset(fdt, path) == node("/uart@9000000"),
		      "stdout-path \"%s\": expected it to name the uart node", path);
}
END_TEST

START_TEST(test_chosen_initrd_start)
{
	build();

	assert_u64("/chosen", "linux,initrd-start", 0, m.layout.initrd_addr);
}
END_TEST

START_TEST(test_chosen_initrd_end)
{
	build();

	assert_u64("/chosen", "linux,initrd-end", 0, m.layout.initrd_addr + INITRD_SIZE);
}
END_TEST

START_TEST(test_chosen_no_initrd)
{
	int len;

	m.layout.initrd_addr = 0;
	m.layout.initrd_size = 0;
	build();
	fdt_getprop(fdt, node("/chosen"), "linux,initrd-start", &len);

	ck_assert_msg(len == -FDT_ERR_NOTFOUND, "no initrd: expected no initrd-start, got %d", len);
}
END_TEST

START_TEST(test_aliases_serial0)
{
	build();

	assert_string("/aliases", "serial0", "/uart@9000000");
}
END_TEST

START_TEST(test_no_console_no_stdout_path)
{
	int len;

	machine_destroy_devices(&m);
	build();
	fdt_getprop(fdt, node("/chosen"), "stdout-path", &len);

	ck_assert_msg(len == -FDT_ERR_NOTFOUND, "no console: expected no stdout-path, got %d", len);
}
END_TEST

/* Buffers too small */

static const size_t small_sizes[] = { 16, 64, 256, 1024 };

START_TEST(test_small_buffer_enospc)
{
	uint8_t *buf = calloc(1, small_sizes[_i]);
	int ret = fdt_build(&m, buf, small_sizes[_i]);

	free(buf);
	ck_assert_msg(ret == -ENOSPC, "fdt_build into %zu bytes: expected %d, got %d",
		      small_sizes[_i], -ENOSPC, ret);
}
END_TEST

START_TEST(test_one_byte_short_enospc)
{
	uint32_t need;
	uint8_t *buf;
	int ret;

	build();
	need = fdt_totalsize(fdt);
	buf = calloc(1, need - 1);
	ret = fdt_build(&m, buf, need - 1);
	free(buf);

	ck_assert_msg(ret == -ENOSPC, "fdt_build into %u bytes (needs %u): expected %d, got %d",
		      need - 1, need, -ENOSPC, ret);
}
END_TEST

START_TEST(test_exact_size_fits)
{
	uint32_t need;
	uint8_t *buf;
	int ret;

	build();
	need = fdt_totalsize(fdt);
	buf = calloc(1, need);
	ret = fdt_build(&m, buf, need);
	free(buf);

	ck_assert_msg(ret == 0, "fdt_build into exactly %u bytes: expected 0, got %d", need, ret);
}
END_TEST

Suite *fdt_suite(void)
{
	Suite *s = suite_create("fdt");
	TCase *tree = tcase_create("tree");
	TCase *cpus = tcase_create("cpus");
	TCase *psci = tcase_create("psci");
	TCase *gic = tcase_create("gic");
	TCase *timer = tcase_create("timer");
	TCase *devices = tcase_create("devices");
	TCase *chosen = tcase_create("chosen");
	TCase *space = tcase_create("space");
	TCase *all[] = { tree, cpus, psci, gic, timer, devices, chosen, space };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(all); i++)
		tcase_add_checked_fixture(all[i], setup_v3, teardown);

	tcase_add_test(tree, test_header_valid);
	tcase_add_test(tree, test_structure_valid);
	tcase_add_test(tree, test_fits_fdt_max_size);
	tcase_add_test(tree, test_root);
	tcase_add_test(tree, test_root_interrupt_parent_is_gic);
	tcase_add_test(tree, test_memory_reg);
	tcase_add_test(tree, test_memory_device_type);

	tcase_add_test(cpus, test_cpus_cells);
	tcase_add_test(cpus, test_cpu_count);
	tcase_add_loop_test(cpus, test_cpu_node, 0, NR_CPUS);
	tcase_add_test(cpus, test_cpu_named_by_affinity);
	tcase_add_test(cpus, test_max_cpus_fit_64k);

	tcase_add_loop_test(psci, test_psci_1_x_compatible, 0, ARRAY_SIZE(psci_1_x));
	tcase_add_test(psci, test_psci_method_hvc);
	tcase_add_test(psci, test_psci_1_1_no_function_ids);
	tcase_add_test(psci, test_psci_0_2_compatible);
	tcase_add_test(psci, test_psci_0_1_compatible);
	tcase_add_loop_test(psci, test_psci_0_1_function_id, 0, ARRAY_SIZE(psci_0_1_ids));
	tcase_add_test(psci, test_psci_0_1_method_hvc);

	tcase_add_test(gic, test_gic_v3_compatible);
	tcase_add_test(gic, test_gic_v3_reg);
	tcase_add_test(gic, test_gic_v3_redistributors_scale);
	tcase_add_test(gic, test_gic_controller_properties);
	tcase_add_test(gic, test_gic_v2_compatible);
	tcase_add_test(gic, test_gic_v2_reg);

	tcase_add_test(timer, test_timer_compatible);
	tcase_add_loop_test(timer, test_timer_gic_v3_interrupt, 0, ARRAY_SIZE(timer_ppis));
	tcase_add_loop_test(timer, test_timer_gic_v2_cpu_mask, 0, ARRAY_SIZE(timer_ppis));
	tcase_add_test(timer, test_timer_gic_v2_cpu_mask_caps_at_8);
	tcase_add_test(timer, test_timer_cell_count);

	tcase_add_test(devices, test_uart_compatible);
	tcase_add_test(devices, test_uart_reg);
	tcase_add_test(devices, test_uart_interrupts);
	tcase_add_test(devices, test_uart_clock_frequency);
	tcase_add_test(devices, test_rtc_compatible);
	tcase_add_test(devices, test_rtc_reg_and_interrupts);
	tcase_add_test(devices, test_no_node_for_empty_virtio_slot);
	tcase_add_test(devices, test_rtc_clock_is_fixed_clock);
	tcase_add_test(devices, test_rtc_clock_names);

	tcase_add_test(chosen, test_chosen_bootargs);
	tcase_add_test(chosen, test_chosen_null_bootargs);
	tcase_add_test(chosen, test_chosen_stdout_path);
	tcase_add_test(chosen, test_chosen_stdout_path_resolves);
	tcase_add_test(chosen, test_chosen_initrd_start);
	tcase_add_test(chosen, test_chosen_initrd_end);
	tcase_add_test(chosen, test_chosen_no_initrd);
	tcase_add_test(chosen, test_aliases_serial0);
	tcase_add_test(chosen, test_no_console_no_stdout_path);

	tcase_add_loop_test(space, test_small_buffer_enospc, 0, ARRAY_SIZE(small_sizes));
	tcase_add_test(space, test_one_byte_short_enospc);
	tcase_add_test(space, test_exact_size_fits);

	for (i = 0; i < ARRAY_SIZE(all); i++)
		suite_add_tcase(s, all[i]);
	return s;
}
