// SPDX-License-Identifier: GPL-2.0
/*
 * Asks the firmware (PSCI, SMCCC, TRNG, KVM vendor and PV time services)
 * every question whose answer is fixed for a given firmware and prints the
 * answers as one line, once a second. Comparing the lines printed before and
 * after a snapshot restore shows whether the restore changed the firmware
 * interface the guest sees; see README.md for the fields.
 */
#include "console.h"
#include "fdt.h"
#include "smccc.h"

#define PSCI_VERSION 0x84000000
#define PSCI_FEATURES 0x8400000a
#define SMCCC_VERSION 0x80000000
#define SMCCC_ARCH_FEATURES 0x80000001
#define TRNG_VERSION 0x84000050
#define TRNG_FEATURES 0x84000051
#define VENDOR_HYP_CALL_UID 0x8600ff01
#define VENDOR_HYP_KVM_FEATURES 0x86000000
#define PV_TIME_FEATURES 0xc5000020

/* Linux include/linux/arm-smccc.h: ARM_SMCCC_KVM_FUNC_PTP is bit 1 of the KVM features word. */
#define KVM_FEATURE_PTP 1

/* KVM's vendor hypervisor UID, 28b46fb6-2ec5-11e9-a9ca-4b564d003a74, as returned in w0..w3. */
static const u32 kvm_hyp_uid[] = { 0xb66fb428, 0xe911c52e, 0x564bcaa9, 0x743a004d };

/* Every PSCI function up to PSCI 1.3, in function number order. */
static const u32 psci_function_ids[] = {
	0xc4000001, /* CPU_SUSPEND */
	0x84000002, /* CPU_OFF */
	0xc4000003, /* CPU_ON */
	0xc4000004, /* AFFINITY_INFO */
	0xc4000005, /* MIGRATE */
	0x84000006, /* MIGRATE_INFO_TYPE */
	0xc4000007, /* MIGRATE_INFO_UP_CPU */
	0x84000008, /* SYSTEM_OFF */
	0x84000009, /* SYSTEM_RESET */
	0x8400000a, /* PSCI_FEATURES */
	0x8400000b, /* CPU_FREEZE */
	0xc400000c, /* CPU_DEFAULT_SUSPEND */
	0xc400000d, /* NODE_HW_STATE */
	0xc400000e, /* SYSTEM_SUSPEND */
	0x8400000f, /* PSCI_SET_SUSPEND_MODE */
	0xc4000010, /* PSCI_STAT_RESIDENCY */
	0xc4000011, /* PSCI_STAT_COUNT */
	0xc4000012, /* SYSTEM_RESET2 */
	0x84000013, /* MEM_PROTECT */
	0xc4000014, /* MEM_PROTECT_CHECK_RANGE */
	0x84000015, /* SYSTEM_OFF2 */
};

static const u32 arch_feature_ids[] = {
	0x80008000, /* ARCH_WORKAROUND_1 */
	0x80007fff, /* ARCH_WORKAROUND_2 */
	0x80003fff, /* ARCH_WORKAROUND_3 */
	0x80000002, /* SMCCC_ARCH_SOC_ID */
};

/* TRNG_RND64 is only asked about, never called: its answer changes every time. */
static const u32 trng_function_ids[] = {
	0x84000052, /* TRNG_GET_UUID */
	0xc4000053, /* TRNG_RND64 */
};

/* Newest first: the line names the newest PSCI binding the node claims. */
static const char psci_compatibles[][16] = {
	"arm,psci-1.0",
	"arm,psci-0.2",
	"arm,psci",
};

struct psci_node {
	bool found;
	bool use_smc;
	unsigned int compatible;
};

static struct psci_node psci;

static void psci_consider(const struct fdt_node *node, void *ctx)
{
	struct psci_node *found = ctx;
	const char *method;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(psci_compatibles) && !found->found; i++) {
		if (!fdt_node_is_compatible(node, psci_compatibles[i]))
			continue;
		found->found = true;
		found->compatible = i;
		/* A node without "method" gets hvc: the conduit KVM always provides. */
		method = fdt_node_prop_string(node, "method");
		found->use_smc = method && str_eq(method, "smc");
	}
}

static void firmware_call(u32 function_id, u32 arg1, struct smccc_result *result)
{
	if (psci.use_smc)
		smccc_smc(function_id, arg1, result);
	else
		smccc_hvc(function_id, arg1, result);
}

/* SMCCC 32-bit results are in w0: the upper half of x0 is not part of the answer. */
static u32 firmware_call_w0(u32 function_id, u32 arg1)
{
	struct smccc_result result;

	firmware_call(function_id, arg1, &result);
	return (u32)result.a0;
}

static void put_hex_field(const char *label, u32 function_id, u32 arg1)
{
	console_puts(label);
	console_puts("0x");
	console_put_hex(firmware_call_w0(function_id, arg1));
}

static void put_feature_list(const char *label, u32 query_id, const u32 *ids, unsigned int count)
{
	unsigned int i;

	console_puts(label);
	for (i = 0; i < count; i++) {
		if (i)
			console_putc(',');
		console_put_hex(firmware_call_w0(query_id, ids[i]));
	}
}

static void put_registers(const char *label, const struct smccc_result *result, char separator)
{
	console_puts(label);
	console_put_hex((u32)result->a0);
	console_putc(separator);
	console_put_hex((u32)result->a1);
	console_putc(separator);
	console_put_hex((u32)result->a2);
	console_putc(separator);
	console_put_hex((u32)result->a3);
}

static bool hyp_uid_is_kvm(const struct smccc_result *uid)
{
	return (u32)uid->a0 == kvm_hyp_uid[0] && (u32)uid->a1 == kvm_hyp_uid[1] &&
	       (u32)uid->a2 == kvm_hyp_uid[2] && (u32)uid->a3 == kvm_hyp_uid[3];
}

static void put_hypervisor_fields(void)
{
	struct smccc_result uid, features;
	bool ptp;

	firmware_call(VENDOR_HYP_CALL_UID, 0, &uid);
	put_registers(" hyp_uid=", &uid, '-');
	firmware_call(VENDOR_HYP_KVM_FEATURES, 0, &features);
	put_registers(" hyp_features=", &features, ',');
	/*
	 * The PTP call itself reads the counters, so only its feature bit is
	 * stable. Like Linux (drivers/firmware/smccc/kvm_guest.c), trust the
	 * bitmap only from KVM: elsewhere NOT_SUPPORTED would read as all ones.
	 */
	ptp = hyp_uid_is_kvm(&uid) && ((u32)features.a0 >> KVM_FEATURE_PTP) & 1;
	console_puts(ptp ? " ptp=1" : " ptp=0");
	put_hex_field(" pv_time=", PV_TIME_FEATURES, PV_TIME_FEATURES);
}

static void put_report_line(u64 seq)
{
	console_puts("probe: seq=");
	console_put_dec(seq);
	console_puts(" dt=");
	console_puts(psci.found ? psci_compatibles[psci.compatible] : "none");
	console_puts(psci.use_smc ? " conduit=smc" : " conduit=hvc");
	put_hex_field(" psci_version=", PSCI_VERSION, 0);
	put_feature_list(" psci_features=", PSCI_FEATURES, psci_function_ids,
			 ARRAY_SIZE(psci_function_ids));
	put_hex_field(" smccc_version=", SMCCC_VERSION, 0);
	put_feature_list(" arch_features=", SMCCC_ARCH_FEATURES, arch_feature_ids,
			 ARRAY_SIZE(arch_feature_ids));
	put_hex_field(" trng_version=", TRNG_VERSION, 0);
	put_feature_list(" trng_features=", TRNG_FEATURES, trng_function_ids,
			 ARRAY_SIZE(trng_function_ids));
	put_hypervisor_fields();
	console_puts("\r\n");
}

static u64 counter_frequency(void)
{
	u64 frequency;

	asm volatile("mrs %0, cntfrq_el0" : "=r"(frequency));
	/* CNTFRQ_EL0 is set by firmware; a zero would turn the wait into a flood. */
	return frequency ? frequency : 62500000;
}

static u64 counter_now(void)
{
	u64 count;

	asm volatile("isb; mrs %0, cntvct_el0" : "=r"(count) : : "memory");
	return count;
}

/*
 * Waits from now rather than toward a fixed deadline: a restored guest can
 * see the virtual counter jump either way, and this neither prints a burst
 * of lines to catch up nor stalls. The unsigned difference of a backward
 * jump is huge, which ends the wait.
 */
static void wait_one_second(void)
{
	u64 start = counter_now();
	u64 frequency = counter_frequency();

	while (counter_now() - start < frequency)
		;
}

/* Called from head.S with the device tree address from x0. */
void probe_main(const void *fdt)
{
	u64 seq;

	if (console_init(fdt))
		return;
	/* Without a PSCI node the defaults stand: hvc, printed as dt=none. */
	fdt_for_each_node(fdt, psci_consider, &psci);
	/* Ask again for every line: one printed after a restore must show the restored firmware. */
	for (seq = 0;; seq++) {
		put_report_line(seq);
		wait_one_second();
	}
}

/* Called from the vectors in head.S: vector is the table slot (0-15). */
__attribute__((noreturn)) void probe_exception(u64 vector, u64 esr, u64 elr)
{
	console_puts("probe: exception vector=");
	console_put_dec(vector);
	console_puts(" esr=0x");
	console_put_hex(esr);
	console_puts(" elr=0x");
	console_put_hex(elr);
	console_puts("\r\n");
	for (;;)
		asm volatile("wfe");
}
