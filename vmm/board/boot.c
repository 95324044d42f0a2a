// SPDX-License-Identifier: GPL-2.0
#include "board/boot.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* True when word appears in s as the start of a whitespace-separated parameter. */
static bool cmdline_has_param(const char *s, const char *word)
{
	size_t len = strlen(word);
	const char *p = s;

	while ((p = strstr(p, word))) {
		if (p == s || p[-1] == ' ' || p[-1] == '\t')
			return true;
		p += len;
	}
	return false;
}

char *boot_cmdline(const char *user, uint64_t uart_base)
{
	char console[96] = "";
	char *out;
	size_t size;

	if (!user)
		user = "";
	if (!cmdline_has_param(user, "console=")) {
		/* earlycon shows a kernel that dies before its console driver binds. */
		if (cmdline_has_param(user, "earlycon"))
			snprintf(console, sizeof(console), "console=ttyS0");
		else
			snprintf(console, sizeof(console), "console=ttyS0 earlycon=uart8250,mmio,0x%llx",
				 (unsigned long long)uart_base);
	}
	size = strlen(user) + strlen(console) + 2;
	out = malloc(size);
	if (!out)
		return NULL;
	snprintf(out, size, "%s%s%s", console, console[0] && user[0] ? " " : "", user);
	return out;
}

int boot_load(void *ram, const struct boot_layout *layout, const struct input_file *kernel,
	      const struct input_file *initrd, const void *fdt, size_t fdt_size)
{
	uint8_t *base = ram;
	int ret;

	ret = input_file_read(kernel, 0, base + (layout->kernel_addr - layout->ram_base),
			      kernel->size);
	if (!ret && initrd && initrd->fd >= 0 && initrd->size)
		ret = input_file_read(initrd, 0, base + (layout->initrd_addr - layout->ram_base),
				      initrd->size);
	if (!ret)
		memcpy(base + (layout->fdt_addr - layout->ram_base), fdt, fdt_size);
	return ret;
}
