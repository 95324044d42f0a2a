// SPDX-License-Identifier: GPL-2.0
/*
 * An ARM PL031 RTC. The guest's clock is the host's plus an offset it may set
 * through LR. The match alarm is stored but never fires: Linux reads the time
 * at boot and the arch timer keeps it afterwards.
 */
#include "dev/rtc.h"

#include <errno.h>
#include <libfdt.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "board/device.h"
#include "board/fdt_node.h"
#include "snapshot/format.h"

#define RTC_DR 0x00
#define RTC_MR 0x04
#define RTC_LR 0x08
#define RTC_CR 0x0c
#define RTC_IMSC 0x10
#define RTC_RIS 0x14
#define RTC_MIS 0x18
#define RTC_ICR 0x1c
#define RTC_ID_BASE 0xfe0

/* PeriphID0-3 then PrimeCell ID0-3: the AMBA bus matches the driver on these. */
static const uint8_t pl031_id[8] = { 0x31, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };

struct rtc {
	struct device dev;
	pthread_mutex_t lock;
	int64_t offset; /* guest seconds minus host seconds */
	uint32_t mr, imsc;
};

#define RTC_MAX_OFFSET (1LL << 34)

static uint32_t rtc_now(const struct rtc *r)
{
	/* Unsigned: the low 32 bits are the same, and no offset a file holds can overflow. */
	return (uint32_t)((uint64_t)time(NULL) + (uint64_t)r->offset);
}

static uint32_t rtc_read(struct rtc *r, uint64_t offset)
{
	switch (offset) {
	case RTC_DR:
		return rtc_now(r);
	case RTC_MR:
		return r->mr;
	case RTC_LR:
		return rtc_now(r);
	case RTC_CR:
		return 1; /* always started */
	case RTC_IMSC:
		return r->imsc;
	case RTC_RIS:
	case RTC_MIS:
		return 0;
	default:
		if (offset >= RTC_ID_BASE && offset < RTC_ID_BASE + 4 * sizeof(pl031_id))
			return pl031_id[(offset - RTC_ID_BASE) / 4];
		return 0;
	}
}

static void rtc_write(struct rtc *r, uint64_t offset, uint32_t val)
{
	switch (offset) {
	case RTC_MR:
		r->mr = val;
		break;
	case RTC_LR:
		r->offset = (int64_t)val - (int64_t)time(NULL);
		break;
	case RTC_IMSC:
		r->imsc = val & 1;
		break;
	default: /* CR cannot stop it; ICR has nothing to clear */
		break;
	}
}

static void rtc_mmio(struct device *dev, uint64_t offset, uint8_t *data, unsigned int len,
		     bool is_write)
{
	struct rtc *r = (struct rtc *)dev;
	uint32_t val = 0;

	/* Registers are 32-bit and word-aligned; anything else reads zero and writes nothing. */
	if (len != 4 || offset % 4) {
		if (!is_write)
			memset(data, 0, len);
		return;
	}
	pthread_mutex_lock(&r->lock);
	if (is_write) {
		memcpy(&val, data, 4);
		rtc_write(r, offset, val);
	} else {
		val = rtc_read(r, offset);
		memcpy(data, &val, 4);
	}
	pthread_mutex_unlock(&r->lock);
}

static int rtc_fdt_node(struct device *dev, void *fdt)
{
	const char compat[] = "arm,pl031\0arm,primecell";
	int ret = 0;

	ret |= fdt_node_begin(fdt, "rtc", dev);
	ret |= fdt_property(fdt, "compatible", compat, sizeof(compat));
	ret |= fdt_node_reg_irq(fdt, dev);
	ret |= fdt_property_u32(fdt, "clocks", FDT_PHANDLE_APB_PCLK);
	ret |= fdt_property_string(fdt, "clock-names", "apb_pclk");
	ret |= fdt_end_node(fdt);
	return ret ? -ENOSPC : 0;
}

/* The guest's clock is kept as an offset from the host's wall clock, here and there. */
static int rtc_save(struct device *dev, struct snap_writer *w)
{
	struct rtc *r = (struct rtc *)dev;
	int ret;

	pthread_mutex_lock(&r->lock);
	ret = snap_put_u64(w, (uint64_t)r->offset);
	ret = ret ?: snap_put_u32(w, r->mr);
	ret = ret ?: snap_put_u32(w, r->imsc);
	pthread_mutex_unlock(&r->lock);
	return ret;
}

static int rtc_restore(struct device *dev, struct snap_section *s)
{
	struct rtc *r = (struct rtc *)dev;
	uint64_t offset;
	uint32_t mr, imsc;
	int ret;

	ret = snap_get_u64(s, &offset);
	ret = ret ?: snap_get_u32(s, &mr);
	ret = ret ?: snap_get_u32(s, &imsc);
	/* A guest sets a 32-bit time, so its offset from a 64-bit clock stays within 2^33 s. */
	if (!ret && ((int64_t)offset > RTC_MAX_OFFSET || (int64_t)offset < -RTC_MAX_OFFSET))
		ret = -EINVAL;
	if (ret)
		return ret;
	pthread_mutex_lock(&r->lock);
	r->offset = (int64_t)offset;
	r->mr = mr;
	r->imsc = imsc & 1;
	pthread_mutex_unlock(&r->lock);
	return 0;
}

static int rtc_init(struct device *dev, const struct device_desc *desc)
{
	(void)desc;
	return -pthread_mutex_init(&((struct rtc *)dev)->lock, NULL);
}

static void rtc_destroy(struct device *dev)
{
	pthread_mutex_destroy(&((struct rtc *)dev)->lock);
}

static const struct device_ops rtc_ops = {
	.name = "rtc",
	.mmio = rtc_mmio,
	.fdt_node = rtc_fdt_node,
	.save = rtc_save,
	.restore = rtc_restore,
	.destroy = rtc_destroy,
};

const struct device_model rtc_model = {
	.ops = &rtc_ops,
	.size = sizeof(struct rtc),
	.init = rtc_init,
};
