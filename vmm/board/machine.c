// SPDX-License-Identifier: GPL-2.0
/* The board's device registry and the MMIO dispatch by guest-physical address. */
#include "board/machine.h"

#include <errno.h>
#include <string.h>

#include "base/util.h"
#include "dev/rtc.h"
#include "dev/uart.h"

/* The devices every vmm machine has; each registers its own range and DT node. */
static int (*const board_devices[])(struct machine *m) = {
	uart_register,
	rtc_register,
};

int machine_add_board_devices(struct machine *m)
{
	size_t i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(board_devices); i++) {
		ret = board_devices[i](m);
		if (ret)
			return ret;
	}
	return 0;
}

int machine_add_device(struct machine *m, struct device *dev)
{
	unsigned int i, pos = 0;

	if (m->nr_devices == MACHINE_MAX_DEVICES || !dev->size)
		return -ENOSPC;
	for (i = 0; i < m->nr_devices; i++) {
		const struct device *d = m->devices[i];

		if (dev->base < d->base + d->size && d->base < dev->base + dev->size)
			return -EBUSY;
		if (d->base < dev->base)
			pos = i + 1;
	}
	memmove(&m->devices[pos + 1], &m->devices[pos],
		(m->nr_devices - pos) * sizeof(m->devices[0]));
	m->devices[pos] = dev;
	m->nr_devices++;
	dev->machine = m;
	return 0;
}

void machine_destroy_devices(struct machine *m)
{
	while (m->nr_devices) {
		struct device *dev = m->devices[--m->nr_devices];

		if (dev->ops->destroy)
			dev->ops->destroy(dev);
	}
	m->console = NULL;
}

struct device *machine_find_device(const struct machine *m, uint64_t addr, unsigned int len)
{
	unsigned int lo = 0, hi = m->nr_devices;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;
		struct device *d = m->devices[mid];

		if (addr < d->base)
			hi = mid;
		else if (addr - d->base >= d->size)
			lo = mid + 1;
		else
			return addr - d->base + len <= d->size ? d : NULL;
	}
	return NULL;
}

bool machine_mmio(struct machine *m, uint64_t addr, uint8_t *data, unsigned int len,
		  bool is_write)
{
	struct device *dev = machine_find_device(m, addr, len);

	if (!dev || !dev->ops->mmio) {
		if (!is_write)
			memset(data, 0, len);
		__atomic_add_fetch(&m->unclaimed_mmio, 1, __ATOMIC_RELAXED);
		return false;
	}
	dev->ops->mmio(dev, addr - dev->base, data, len, is_write);
	return true;
}

size_t machine_console_input(struct machine *m, const uint8_t *buf, size_t len)
{
	if (!m->console || !m->console->ops->console_input)
		return len; /* nobody listens: drop it rather than stall the reader */
	return m->console->ops->console_input(m->console, buf, len);
}
