// SPDX-License-Identifier: GPL-2.0
/* The machine's virtio devices as descriptions (virtio_devices.h). */
#include "board/virtio_devices.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/config.h"
#include "base/net_mac.h"
#include "base/util.h"
#include "board/board_devices.h"
#include "dev/net_backend.h"

static int copy_str(char *dst, size_t size, const char *src)
{
	if (strlen(src) >= size)
		return -E2BIG;
	strcpy(dst, src);
	return 0;
}

int virtio_spec_set(struct virtio_spec *spec, const char *key, const char *value)
{
	unsigned int i = spec->nr_params;

	if (i == VIRTIO_SPEC_PARAMS)
		return -E2BIG;
	if (copy_str(spec->key[i], sizeof(spec->key[i]), key) ||
	    copy_str(spec->value[i], sizeof(spec->value[i]), value))
		return -E2BIG;
	spec->nr_params++;
	return 0;
}

const char *virtio_spec_get(const struct virtio_spec *spec, const char *key)
{
	unsigned int i;

	for (i = 0; i < spec->nr_params; i++)
		if (!strcmp(spec->key[i], key))
			return spec->value[i];
	return NULL;
}

static int disk_spec(const struct disk_config *d, struct virtio_spec *spec)
{
	int ret = virtio_spec_set(spec, "path", d->path ? d->path : "");

	ret = ret ?: virtio_spec_set(spec, "ro", d->readonly ? "on" : "off");
	if (!ret && d->serial)
		ret = virtio_spec_set(spec, "serial", d->serial);
	return ret ?: virtio_spec_set(spec, "cache",
				      d->cache == DISK_CACHE_NONE ? "none" : "writeback");
}

/* The MAC is always written down, the default one too: a restore must show the guest the same. */
static int net_spec(const struct net_config *n, unsigned int index, struct virtio_spec *spec)
{
	char text[NET_MAC_TEXT_LEN];
	uint8_t mac[NET_MAC_LEN];
	int ret = virtio_spec_set(spec, n->backend == NET_TAP ? "tap" : "stream",
				  n->target ? n->target : "");

	if (n->mac_set)
		memcpy(mac, n->mac, sizeof(mac));
	else
		net_mac_default(index, mac);
	net_mac_format(mac, text);
	return ret ?: virtio_spec_set(spec, "mac", text);
}

static struct virtio_spec *spec_add(struct virtio_specs *out, const char *model)
{
	struct virtio_spec *spec;

	if (out->nr == VIRTIO_MMIO_SLOTS)
		return NULL;
	spec = &out->dev[out->nr];
	memset(spec, 0, sizeof(*spec));
	snprintf(spec->model, sizeof(spec->model), "%s", model);
	spec->slot = out->nr++;
	return spec;
}

int virtio_specs_from_config(const struct vm_config *cfg, struct virtio_specs *out)
{
	struct virtio_spec *spec;
	unsigned int i;
	int ret = 0;

	out->nr = 0;
	for (i = 0; i < cfg->nr_disks && !ret; i++)
		ret = (spec = spec_add(out, "virtio-blk")) ? disk_spec(&cfg->disks[i], spec) : -ENOSPC;
	for (i = 0; i < cfg->nr_nets && !ret; i++)
		ret = (spec = spec_add(out, "virtio-net")) ? net_spec(&cfg->nets[i], i, spec) : -ENOSPC;
	if (!ret && cfg->rng && !spec_add(out, "virtio-rng"))
		ret = -ENOSPC;
	if (ret == -ENOSPC)
		vmm_err("more virtio devices than the %d slots; use fewer disks or networks",
			VIRTIO_MMIO_SLOTS);
	else if (ret)
		vmm_err("a disk or network setting is longer than %d bytes; use a shorter path",
			VIRTIO_SPEC_VALUE_MAX - 1);
	return ret;
}

/* The i-th spec of model, or NULL. */
static struct virtio_spec *nth_of(struct virtio_specs *specs, const char *model, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < specs->nr; i++)
		if (!strcmp(specs->dev[i].model, model) && !n--)
			return &specs->dev[i];
	return NULL;
}

/* Replaces key's value, or the first of keys present, keeping the rest. */
static int spec_replace(struct virtio_spec *spec, const char *const *keys, const char *key,
			const char *value)
{
	unsigned int i, k;

	for (i = 0; i < spec->nr_params; i++)
		for (k = 0; keys[k]; k++)
			if (!strcmp(spec->key[i], keys[k]))
				return copy_str(spec->key[i], sizeof(spec->key[i]), key) ?:
				       copy_str(spec->value[i], sizeof(spec->value[i]), value);
	return virtio_spec_set(spec, key, value);
}

int virtio_specs_override(struct virtio_specs *specs, const struct vm_config *cfg)
{
	static const char *const path_keys[] = { "path", NULL }, *const net_keys[] = { "tap", "stream", NULL };
	struct virtio_spec *spec;
	unsigned int i;
	int ret = 0;

	for (i = 0; i < cfg->nr_disks && !ret; i++) {
		spec = nth_of(specs, "virtio-blk", i);
		if (!spec) {
			vmm_err("restore: --disk %u given, the snapshot has fewer disks; drop it", i + 1);
			return -EINVAL;
		}
		ret = spec_replace(spec, path_keys, "path", cfg->disks[i].path);
	}
	for (i = 0; i < cfg->nr_nets && !ret; i++) {
		const struct net_config *n = &cfg->nets[i];

		spec = nth_of(specs, "virtio-net", i);
		if (!spec) {
			vmm_err("restore: --net %u given, the snapshot has fewer networks; drop it", i + 1);
			return -EINVAL;
		}
		ret = spec_replace(spec, net_keys, n->backend == NET_TAP ? "tap" : "stream", n->target);
	}
	if (ret)
		vmm_err("restore: a --disk or --net value is longer than %d bytes",
			VIRTIO_SPEC_VALUE_MAX - 1);
	return ret;
}

static int spec_create(struct machine *m, const struct virtio_spec *spec)
{
	struct device_param params[VIRTIO_SPEC_PARAMS];
	struct device_desc desc = { .model = spec->model, .params = params,
				    .nr_params = spec->nr_params };
	unsigned int i;
	int ret = layout_virtio_slot(spec->slot, &desc.slot);

	if (ret)
		return ret;
	for (i = 0; i < spec->nr_params; i++)
		params[i] = (struct device_param){ spec->key[i], spec->value[i] };
	ret = board_add_device(m, &desc);
	if (ret && ret != -EINVAL)
		vmm_err("cannot create the %s device on virtio slot %u: %s", spec->model, spec->slot,
			strerror(-ret));
	return ret;
}

int virtio_specs_create(struct machine *m, const struct virtio_specs *specs)
{
	unsigned int i;
	int ret = 0;

	for (i = 0; i < specs->nr && !ret; i++)
		ret = spec_create(m, &specs->dev[i]);
	return ret;
}

int virtio_nets_open(const struct virtio_specs *specs)
{
	const char *tap, *stream;
	unsigned int i;
	char why[320];
	int ret;

	for (i = 0; i < specs->nr; i++) {
		if (strcmp(specs->dev[i].model, "virtio-net"))
			continue;
		tap = virtio_spec_get(&specs->dev[i], "tap");
		stream = virtio_spec_get(&specs->dev[i], "stream");
		ret = net_backend_preopen(tap ? NET_TAP : NET_STREAM, tap ? tap : stream ? stream : "",
					  why, sizeof(why));
		if (ret) {
			vmm_err("%s", why);
			return ret;
		}
	}
	return 0;
}
