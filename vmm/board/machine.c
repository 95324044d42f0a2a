// SPDX-License-Identifier: GPL-2.0
/* The board's device registry, devices made from descriptions, the MMIO dispatch. */
#include "board/machine.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

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
	dev->irq = (struct irq_line){ .machine = m, .spi = dev->spi };
	dev->mem = &m->mem;
	return 0;
}

static void machine_release(struct device *dev)
{
	if (dev->watching && dev->machine && dev->machine->loop)
		event_loop_del(dev->machine->loop, dev->watched_fd);
	dev->watching = false;
	if (dev->ops->destroy)
		dev->ops->destroy(dev);
	if (dev->model)
		free(dev);
}

void machine_destroy_devices(struct machine *m)
{
	while (m->nr_devices)
		machine_release(m->devices[--m->nr_devices]);
	m->console = NULL;
}

void machine_pause_devices(struct machine *m)
{
	unsigned int i;

	for (i = 0; i < m->nr_devices; i++)
		if (m->devices[i]->ops->pause)
			m->devices[i]->ops->pause(m->devices[i]);
}

void machine_resume_devices(struct machine *m)
{
	unsigned int i = m->nr_devices;

	while (i--)
		if (m->devices[i]->ops->resume)
			m->devices[i]->ops->resume(m->devices[i]);
}

/*
 * A device gets, besides its window and SPI from the slot: a handle on that
 * SPI, guest RAM (m->mem, filled in when RAM is mapped, before the guest
 * runs), and through machine_watch_fd the event loop.
 */
static struct device *machine_alloc_device(struct machine *m, const struct device_model *model,
					   const struct device_desc *desc)
{
	struct device *dev = calloc(1, model->size);

	if (!dev)
		return NULL;
	*dev = (struct device){ .ops = model->ops,
				.model = model,
				.machine = m,
				.base = desc->slot.base,
				.size = desc->slot.size,
				.spi = desc->slot.spi,
				.irq = { .machine = m, .spi = desc->slot.spi },
				.mem = &m->mem }; /* for init; machine_add_device sets them again */
	return dev;
}

int machine_create_device(struct machine *m, const struct device_model *model,
			  const struct device_desc *desc, struct device **out)
{
	struct device *dev;
	int ret = device_params_check(model, desc);

	if (ret)
		return ret;
	if (model->size < sizeof(*dev) || !desc->slot.size)
		return -EINVAL;
	dev = machine_alloc_device(m, model, desc);
	if (!dev)
		return -ENOMEM;
	ret = model->init ? model->init(dev, desc) : 0;
	if (ret) {
		free(dev);
		return ret;
	}
	ret = machine_add_device(m, dev);
	if (ret) {
		machine_release(dev);
		return ret;
	}
	if (desc->console)
		m->console = dev;
	if (out)
		*out = dev;
	return 0;
}

int machine_watch_fd(struct device *dev, int fd, uint32_t events, event_fn fn, void *ctx)
{
	struct event_loop *loop = dev->machine ? dev->machine->loop : NULL;
	int ret;

	if (!loop) /* unit tests build machines without one */
		return -ENODEV;
	if (dev->watching)
		return -EEXIST;
	ret = event_loop_add(loop, fd, events, fn, ctx);
	if (ret)
		return ret;
	dev->watched_fd = fd;
	dev->watching = true;
	return 0;
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

bool machine_mmio(struct machine *m, uint64_t addr, uint8_t *data, unsigned int len, bool is_write)
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
