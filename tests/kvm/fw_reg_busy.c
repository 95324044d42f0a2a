// SPDX-License-Identifier: GPL-2.0
/*
 * The firmware pseudo-registers that KVM fixes once a vCPU has run
 * (fw-pseudo-registers.rst, the bitmap registers of coproc 0x16): after the
 * first KVM_RUN, a new value is refused with EBUSY at the ioctl layer, and
 * vmm's fw_pins_apply refuses such a pin with its usual status and one line
 * that names the register and says what to do. PSCI_VERSION (coproc 0x14) is
 * not among them: KVM takes a new version after the first run too (Linux 6.1
 * to 7 check only the bitmaps), so this program reports what the host did
 * with it as a comment, not as a check.
 */
#include <errno.h>
#include <unistd.h>

#include "base/exit.h"
#include "firmware/fwregs.h"
#include "firmware/psci.h"
#include "kvm/fw_pins.h"
#include "kvm_test.h"

static const struct {
	uint64_t id;
	const char *what;
} busy_regs[] = {
	{ FWREG_STD_BMAP, "STD_BMAP written after the first KVM_RUN fails with EBUSY" },
	{ FWREG_STD_HYP_BMAP, "STD_HYP_BMAP written after the first KVM_RUN fails with EBUSY" },
	{ FWREG_VENDOR_HYP_BMAP,
	  "VENDOR_HYP_BMAP written after the first KVM_RUN fails with EBUSY" },
};

/* PSCI 1.0 and 0.2 are accepted by every PSCI 0.2 vCPU; a bitmap may always drop a service. */
static uint64_t other_value(uint64_t id, uint64_t value)
{
	if (id == REG_PSCI_VERSION)
		return value == PSCI_V(1, 0) ? PSCI_V(0, 2) : PSCI_V(1, 0);
	return value ? 0 : 1;
}

/* A register's value; false when this host's KVM does not have it. */
static bool read_reg(struct vm *vm, uint64_t id, uint64_t *value)
{
	return kvm_get_reg_u64(vm->vcpus[0].fd, id, value) == 0;
}

/* The first KVM_RUN: the guest's first MMIO store brings it back. */
static bool run_once(struct vm *vm)
{
	int ret = kvm_run(vm->vcpus[0].fd);

	return kt_check(!ret && vm->vcpus[0].run->exit_reason == KVM_EXIT_MMIO,
			"the vCPU runs until its first MMIO exit",
			"expected KVM_RUN 0 with exit %d, got %s with exit %u", KVM_EXIT_MMIO,
			strerror(-ret), vm->vcpus[0].run->exit_reason);
}

static void check_ioctl_busy(struct vm *vm)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(busy_regs); i++) {
		uint64_t id = busy_regs[i].id, value;
		int ret;

		if (!read_reg(vm, id, &value)) {
			kt_skip(busy_regs[i].what, "this host's KVM does not have the register");
			continue;
		}
		ret = kvm_set_reg_u64(vm->vcpus[0].fd, id, other_value(id, value));
		kt_check(ret == -EBUSY, busy_regs[i].what, "expected %s, got %s", strerror(EBUSY),
			 ret ? strerror(-ret) : "success");
	}
}

/* What fd printed while fn ran, in buf. */
/* vmm's own step, as the boot loader calls it. */
static int apply_pins(struct vm *vm)
{
	return fw_pins_apply(vm->vcpus[0].fd, &vm->cfg->fw, vm->cfg->verbose);
}

static int capture(int fd, int (*fn)(struct vm *), struct vm *vm, char *buf, size_t len)
{
	FILE *f = tmpfile();
	int saved = dup(fd), ret;
	size_t n;

	fflush(NULL);
	dup2(fileno(f), fd);
	ret = fn(vm);
	fflush(NULL);
	dup2(saved, fd);
	close(saved);
	rewind(f);
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
	return ret;
}

/* How many lines s holds; each newline becomes a space, so that s fits on a result line. */
static unsigned int join_lines(char *s)
{
	unsigned int n = 0;

	for (; *s; s++)
		if (*s == '\n') {
			*s = ' ';
			n++;
		}
	return n;
}

/* What this host does with a new PSCI version after the first run: said, not judged. */
static void note_psci_after_run(struct vm *vm)
{
	uint64_t value;
	int ret;

	if (!read_reg(vm, REG_PSCI_VERSION, &value))
		return;
	ret = kvm_set_reg_u64(vm->vcpus[0].fd, REG_PSCI_VERSION,
			      other_value(REG_PSCI_VERSION, value));
	printf("# PSCI_VERSION written after the first KVM_RUN: %s\n",
	       ret ? strerror(-ret) : "accepted (KVM fixes only the bitmap registers)");
	kvm_set_reg_u64(vm->vcpus[0].fd, REG_PSCI_VERSION, value);
}

static void check_pin_refused(struct vm *vm, struct vm_config *cfg)
{
	const char *what = "fw_pins_apply after the first KVM_RUN refuses in one line";
	char err[1024];
	unsigned int lines;
	uint64_t value;
	int status;

	if (!read_reg(vm, FWREG_STD_BMAP, &value)) {
		kt_skip(what, "this host's KVM does not have STD_BMAP");
		return;
	}
	cfg->fw.nr = 1;
	cfg->fw.pin[0].reg_id = FWREG_STD_BMAP;
	cfg->fw.pin[0].value = other_value(FWREG_STD_BMAP, value);
	status = capture(STDERR_FILENO, apply_pins, vm, err, sizeof(err));
	lines = join_lines(err);
	kt_check(status == VMM_EXIT_FIRMWARE && lines == 1 && strstr(err, "STD_BMAP") &&
			 strstr(err, "before the first KVM_RUN"),
		 what,
		 "expected status %d and one line naming STD_BMAP and saying to pin it "
		 "before the first KVM_RUN, got status %d and %u lines '%s'",
		 VMM_EXIT_FIRMWARE, status, lines, err);
}

int main(void)
{
	struct vm_config cfg;
	struct vm vm;

	if (kt_vm_ready(&vm, &cfg, 1) && run_once(&vm)) {
		check_ioctl_busy(&vm);
		note_psci_after_run(&vm);
		check_pin_refused(&vm, &cfg);
	}
	return kt_done();
}
