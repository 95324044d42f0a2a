// SPDX-License-Identifier: GPL-2.0
/* boot_cmdline (what the console needs, added to the user's line) and boot_load. */
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "board/boot.h"
#include "helpers.h"
#include "suites.h"

#define CONSOLE_ARGS "console=ttyS0 earlycon=uart8250,mmio,0x9000000"

static const struct {
	const char *user;
	const char *want;
} cmdlines[] = {
	{ NULL, CONSOLE_ARGS },
	{ "", CONSOLE_ARGS },
	{ "quiet", CONSOLE_ARGS " quiet" },
	{ "root=/dev/vda rw", CONSOLE_ARGS " root=/dev/vda rw" },
	{ "console=hvc0", "console=hvc0" },
	{ "quiet console=ttyAMA0,115200", "quiet console=ttyAMA0,115200" },
	{ "quiet\tconsole=ttyS1", "quiet\tconsole=ttyS1" },
	{ "earlycon", "console=ttyS0 earlycon" },
	{ "earlycon=pl011,0x9000000 quiet", "console=ttyS0 earlycon=pl011,0x9000000 quiet" },
	{ "xconsole=foo", CONSOLE_ARGS " xconsole=foo" },
	{ "netconsole=6665@10.0.0.1/eth0", CONSOLE_ARGS " netconsole=6665@10.0.0.1/eth0" },
	{ "xconsole=a console=hvc0", "xconsole=a console=hvc0" },
	{ "noearlycon=1", CONSOLE_ARGS " noearlycon=1" },
};

START_TEST(test_cmdline)
{
	char *got = boot_cmdline(cmdlines[_i].user, UART_BASE);
	bool same = got && !strcmp(got, cmdlines[_i].want);

	ck_assert_msg(same, "boot_cmdline(\"%s\"): expected \"%s\", got \"%s\"",
		      cmdlines[_i].user ? cmdlines[_i].user : "(null)", cmdlines[_i].want,
		      got ? got : "(null)");
	free(got);
}
END_TEST

START_TEST(test_cmdline_uses_uart_base)
{
	char *got = boot_cmdline("", 0x1c090000);
	bool same = got && !strcmp(got, "console=ttyS0 earlycon=uart8250,mmio,0x1c090000");

	ck_assert_msg(same, "uart at 0x1c090000: expected earlycon at 0x1c090000, got \"%s\"",
		      got ? got : "(null)");
	free(got);
}
END_TEST

START_TEST(test_cmdline_long_user_line)
{
	char user[2048];
	char *got;
	size_t want_len;

	memset(user, 'a', sizeof(user) - 1);
	user[sizeof(user) - 1] = '\0';
	got = boot_cmdline(user, UART_BASE);
	want_len = strlen(CONSOLE_ARGS) + 1 + strlen(user);

	ck_assert_msg(got && strlen(got) == want_len &&
			      !strcmp(got + want_len - strlen(user), user),
		      "2047-byte user line: expected %zu bytes ending with it, got %zu", want_len,
		      got ? strlen(got) : 0);
	free(got);
}
END_TEST

/* boot_load: a 16 MiB guest RAM with a 1 MiB kernel, a small initrd and a device tree. */

#define GUEST_RAM (16ULL << 20)

static uint8_t *ram;
static struct boot_layout layout;
static uint8_t kernel_bytes[4096], initrd_bytes[3000], fdt_bytes[512];
static struct input_file kernel = INPUT_FILE_NONE, initrd = INPUT_FILE_NONE;

/* Backs f with a file holding len bytes of value, unlinked at once: only the fd remains. */
static void input_file_fill(struct input_file *f, uint8_t *bytes, uint8_t value, size_t len)
{
	char path[sizeof(TEMP_PATH_TEMPLATE)];

	memset(bytes, value, len);
	temp_file_create(path, bytes, len);
	ck_assert_msg(input_file_open(path, f) == 0, "input_file_open(%s) failed", path);
	unlink(path);
}

static void load_setup(void)
{
	static const struct arm64_image img = { .text_offset = 0x80000, .image_size = 1 << 20 };
	int ret = layout_plan(GUEST_RAM, &img, sizeof(initrd_bytes), &layout);

	ck_assert_msg(ret == 0, "layout_plan: expected 0, got %d", ret);
	ram = calloc(1, GUEST_RAM);
	ck_assert_msg(ram != NULL, "calloc(16M): expected memory, got NULL");
	input_file_fill(&kernel, kernel_bytes, 'K', sizeof(kernel_bytes));
	input_file_fill(&initrd, initrd_bytes, 'I', sizeof(initrd_bytes));
	memset(fdt_bytes, 'F', sizeof(fdt_bytes));
}

static void load_teardown(void)
{
	free(ram);
	ram = NULL;
	input_file_close(&kernel);
	input_file_close(&initrd);
}

static uint8_t *guest(uint64_t gpa)
{
	return ram + (gpa - layout.ram_base);
}

static bool all_bytes(const uint8_t *p, uint8_t value, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (p[i] != value)
			return false;
	}
	return true;
}

START_TEST(test_load_kernel_at_kernel_addr)
{
	ck_assert_int_eq(boot_load(ram, &layout, &kernel, &initrd, fdt_bytes, sizeof(fdt_bytes)), 0);

	ck_assert_msg(all_bytes(guest(layout.kernel_addr), 'K', sizeof(kernel_bytes)),
		      "kernel: expected %zu 'K' bytes at 0x%llx", sizeof(kernel_bytes),
		      (unsigned long long)layout.kernel_addr);
}
END_TEST

START_TEST(test_load_nothing_before_kernel)
{
	ck_assert_int_eq(boot_load(ram, &layout, &kernel, &initrd, fdt_bytes, sizeof(fdt_bytes)), 0);

	ck_assert_msg(all_bytes(ram, 0, layout.kernel_addr - layout.ram_base),
		      "below the kernel: expected zeros up to text_offset 0x80000");
}
END_TEST

START_TEST(test_load_initrd_at_initrd_addr)
{
	ck_assert_int_eq(boot_load(ram, &layout, &kernel, &initrd, fdt_bytes, sizeof(fdt_bytes)), 0);

	ck_assert_msg(all_bytes(guest(layout.initrd_addr), 'I', sizeof(initrd_bytes)),
		      "initrd: expected %zu 'I' bytes at 0x%llx", sizeof(initrd_bytes),
		      (unsigned long long)layout.initrd_addr);
}
END_TEST

START_TEST(test_load_fdt_at_fdt_addr)
{
	ck_assert_int_eq(boot_load(ram, &layout, &kernel, &initrd, fdt_bytes, sizeof(fdt_bytes)), 0);

	ck_assert_msg(all_bytes(guest(layout.fdt_addr), 'F', sizeof(fdt_bytes)),
		      "fdt: expected %zu 'F' bytes at 0x%llx", sizeof(fdt_bytes),
		      (unsigned long long)layout.fdt_addr);
}
END_TEST

START_TEST(test_load_fdt_addr_is_last_2m)
{
	ck_assert_msg(guest(layout.fdt_addr) == ram + GUEST_RAM - SZ_2M,
		      "fdt offset in RAM: expected 0x%llx, got 0x%llx", GUEST_RAM - SZ_2M,
		      (unsigned long long)(layout.fdt_addr - layout.ram_base));
}
END_TEST

START_TEST(test_load_without_initrd)
{
	layout.initrd_addr = 0;
	layout.initrd_size = 0;
	ck_assert_int_eq(boot_load(ram, &layout, &kernel, NULL, fdt_bytes, sizeof(fdt_bytes)), 0);

	ck_assert_msg(all_bytes(guest(layout.fdt_addr), 'F', sizeof(fdt_bytes)),
		      "no initrd: expected the fdt still loaded at 0x%llx",
		      (unsigned long long)layout.fdt_addr);
}
END_TEST

START_TEST(test_load_full_fdt_block)
{
	/* vm.c copies the whole 2 MiB FDT buffer: it must end exactly at the top of RAM. */
	uint8_t *big = malloc(FDT_MAX_SIZE);

	memset(big, 'B', FDT_MAX_SIZE);
	ck_assert_int_eq(boot_load(ram, &layout, &kernel, &initrd, big, FDT_MAX_SIZE), 0);
	free(big);

	ck_assert_msg(ram[GUEST_RAM - 1] == 'B', "last RAM byte: expected 'B', got 0x%02x",
		      ram[GUEST_RAM - 1]);
}
END_TEST

Suite *boot_suite(void)
{
	Suite *s = suite_create("boot");
	TCase *cmdline = tcase_create("cmdline");
	TCase *load = tcase_create("load");

	tcase_add_loop_test(cmdline, test_cmdline, 0, ARRAY_SIZE(cmdlines));
	tcase_add_test(cmdline, test_cmdline_uses_uart_base);
	tcase_add_test(cmdline, test_cmdline_long_user_line);
	suite_add_tcase(s, cmdline);

	tcase_add_checked_fixture(load, load_setup, load_teardown);
	tcase_add_test(load, test_load_kernel_at_kernel_addr);
	tcase_add_test(load, test_load_nothing_before_kernel);
	tcase_add_test(load, test_load_initrd_at_initrd_addr);
	tcase_add_test(load, test_load_fdt_at_fdt_addr);
	tcase_add_test(load, test_load_fdt_addr_is_last_2m);
	tcase_add_test(load, test_load_without_initrd);
	tcase_add_test(load, test_load_full_fdt_block);
	suite_add_tcase(s, load);
	return s;
}
