// SPDX-License-Identifier: GPL-2.0
/* A virtio-net device's host side (net_backend.h): what tap and stream share. */
#include "dev/net_backend.h"
#include "dev/net_backend_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int net_backend_open(struct net_backend *be, enum net_kind kind, const char *target, char *why,
		     size_t why_len)
{
	int ret;

	memset(be, 0, sizeof(*be));
	be->fd = -1;
	be->kind = kind;
	snprintf(be->target, sizeof(be->target), "%s", target);
	be->out = malloc(NET_OUT_SIZE);
	be->in = kind == NET_STREAM ? malloc(NET_STREAM_IN_SIZE) : NULL;
	if (!be->out || (kind == NET_STREAM && !be->in)) {
		snprintf(why, why_len, "out of memory for network %s", target);
		net_backend_close(be);
		return -ENOMEM;
	}
	ret = kind == NET_TAP ? net_tap_open(be, target, why, why_len) :
				net_stream_open(be, target, why, why_len);
	if (ret)
		net_backend_close(be);
	return ret;
}

void net_backend_close(struct net_backend *be)
{
	if (be->fd >= 0)
		close(be->fd);
	be->fd = -1;
	free(be->in);
	free(be->out);
	be->in = be->out = NULL;
}

bool net_backend_busy(const struct net_backend *be)
{
	return be->out_off < be->out_len;
}

int net_backend_flush(struct net_backend *be)
{
	ssize_t n;

	while (net_backend_busy(be)) {
		n = write(be->fd, be->out + be->out_off, be->out_len - be->out_off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			if (errno == EAGAIN)
				return -EAGAIN;
			be->out_off = be->out_len = 0;
			return -errno;
		}
		/* A tap takes a packet whole or not at all; a stream may take part of it. */
		be->out_off = be->kind == NET_TAP ? be->out_len : be->out_off + n;
	}
	be->out_off = be->out_len = 0;
	return 0;
}

/* A tap: writev the guest's segments as they are, copied only when the tap is full. */
static int tap_send(struct net_backend *be, const struct iovec *iov, unsigned int nr, size_t len)
{
	ssize_t n;
	size_t off = 0;
	unsigned int i;

	do
		n = writev(be->fd, iov, nr);
	while (n < 0 && errno == EINTR);
	if (n >= 0)
		return 0;
	if (errno != EAGAIN)
		return -errno;
	for (i = 0; i < nr; off += iov[i].iov_len, i++)
		memcpy(be->out + off, iov[i].iov_base, iov[i].iov_len);
	be->out_off = 0;
	be->out_len = len;
	return 0;
}

int net_backend_send(struct net_backend *be, const struct iovec *iov, unsigned int nr)
{
	size_t len = 0;
	unsigned int i;
	int ret;

	for (i = 0; i < nr; i++)
		len += iov[i].iov_len;
	if (len < NET_HDR_LEN || len > NET_PACKET_MAX)
		return -EMSGSIZE;
	if (be->kind == NET_TAP)
		return tap_send(be, iov, nr, len);
	ret = net_stream_frame_out(be, iov, nr);
	ret = ret ?: net_backend_flush(be);
	return ret == -EAGAIN ? 0 : ret;
}

ssize_t net_backend_recv(struct net_backend *be, uint8_t *buf)
{
	ssize_t n;

	if (be->kind == NET_STREAM)
		return net_stream_recv(be, buf);
	do
		n = read(be->fd, buf, NET_PACKET_MAX);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EAGAIN ? 0 : -errno;
	/* Shorter than its header: nothing a guest could take; read on. */
	return n < NET_HDR_LEN ? 0 : n;
}

int net_backend_set_offload(struct net_backend *be, unsigned int offloads)
{
	return be->kind == NET_TAP ? net_tap_set_offload(be, offloads) : (offloads ? -EINVAL : 0);
}

bool net_backend_has_vnet_hdr(const struct net_backend *be)
{
	return be->kind == NET_TAP;
}

/* Opened before privileges go: one for each network of the configuration. */
static struct net_backend preopened[CONFIG_MAX_NETS];
static unsigned int nr_preopened;

int net_backend_preopen(enum net_kind kind, const char *target, char *why, size_t why_len)
{
	if (net_backend_find(kind, target))
		return 0;
	if (nr_preopened == CONFIG_MAX_NETS) {
		snprintf(why, why_len, "at most %d networks", CONFIG_MAX_NETS);
		return -E2BIG;
	}
	int ret = net_backend_open(&preopened[nr_preopened], kind, target, why, why_len);

	if (!ret)
		nr_preopened++;
	return ret;
}

struct net_backend *net_backend_find(enum net_kind kind, const char *target)
{
	unsigned int i;

	for (i = 0; i < nr_preopened; i++)
		if (preopened[i].kind == kind && !strcmp(preopened[i].target, target))
			return &preopened[i];
	return NULL;
}
