// SPDX-License-Identifier: GPL-2.0
/* The models a device description can name, and the board's fixed devices. */
#include "board/board_devices.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "board/machine.h"
#include "dev/rtc.h"
#include "dev/uart.h"
#include "dev/virtio_rng.h"
#include "dev/virtio_blk.h"
#include "dev/virtio_net.h"

static const struct device_model *const models[] = {
	&uart_model,
	&rtc_model,
	&virtio_rng_model,
	&virtio_blk_model,
	&virtio_net_model,
};

/* Every vmm machine has these, where QEMU's virt board has them; the UART is the console. */
static const struct device_desc board_devices[] = {
	{ .model = "uart", .slot = { UART_BASE, UART_SIZE, UART_SPI }, .console = true },
	{ .model = "rtc", .slot = { RTC_BASE, RTC_SIZE, RTC_SPI } },
};

const struct device_model *board_find_model(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(models); i++)
		if (!strcmp(models[i]->ops->name, name))
			return models[i];
	return NULL;
}

int board_add_device(struct machine *m, const struct device_desc *desc)
{
	const struct device_model *model = board_find_model(desc->model);

	char names[128] = "";
	size_t i;

	if (!model) {
		for (i = 0; i < ARRAY_SIZE(models); i++)
			snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
				 i ? ", " : "", models[i]->ops->name);
		vmm_err("unknown device model '%s'; use one of %s", desc->model, names);
		return -EINVAL;
	}
	return machine_create_device(m, model, desc, NULL);
}

int machine_add_board_devices(struct machine *m)
{
	size_t i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(board_devices); i++) {
		ret = board_add_device(m, &board_devices[i]);
		if (ret)
			return ret;
	}
	return 0;
}
