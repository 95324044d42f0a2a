// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-net (virtio 1.2, 5.1) on a tap or a stream socket (net_backend.h):
 * queue 0 receives, queue 1 transmits, no control queue. Everything runs on
 * the device's worker: a kick on the transmit queue sends what the guest
 * queued, the backend's descriptor becoming readable fills the receive queue.
 *
 * The backend is watched for reading only while the guest has receive
 * buffers: with none, packets wait in the tap's or the socket's queue (the
 * host's stack drops or pushes back, as on a wire) until the guest kicks
 * queue 0 with more. A packet the backend cannot take whole stops the
 * transmit queue until the descriptor is writable again.
 *
 * Offloads go only where they can be honoured: a tap carries the
 * virtio_net_hdr_v1 through IFF_VNET_HDR, so checksum and TSO are offered
 * and what the guest accepts on receive is told to the tap (TUNSETOFFLOAD);
 * a stream carries bare frames, so none are offered.
 */
#include "dev/virtio_net.h"

#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include "base/net_mac.h"
#include "base/util.h"
#include "board/device.h"
#include "dev/net_backend.h"
#include "snapshot/format.h"
#include "virtio/virtio.h"

/* Feature bits (5.1.3). */
#define VIRTIO_NET_F_CSUM 0
#define VIRTIO_NET_F_GUEST_CSUM 1
#define VIRTIO_NET_F_MAC 5
#define VIRTIO_NET_F_GUEST_TSO4 7
#define VIRTIO_NET_F_GUEST_TSO6 8
#define VIRTIO_NET_F_GUEST_ECN 9
#define VIRTIO_NET_F_HOST_TSO4 11
#define VIRTIO_NET_F_HOST_TSO6 12
#define VIRTIO_NET_F_HOST_ECN 13
#define VIRTIO_NET_F_MRG_RXBUF 15
#define VIRTIO_NET_F_STATUS 16

#define VIRTIO_NET_S_LINK_UP 1
#define NET_RX_QUEUE 0
#define NET_TX_QUEUE 1
#define NET_HDR_NUM_BUFFERS 10 /* offset of num_buffers in virtio_net_hdr_v1 */
/* Configuration space (5.1.4): mac, status, max_virtqueue_pairs. */
#define NET_CONFIG_SIZE 10
#define NET_STATE_VERSION 1

struct virtio_net {
	struct virtio_dev vd; /* first: what the core and the machine see */
	struct net_backend *be;
	struct net_backend own; /* be, when no backend was opened for vmm beforehand */
	uint8_t mac[NET_MAC_LEN];
	uint16_t link; /* atomic: VIRTIO_NET_S_LINK_UP while the backend works */
	/* worker: */
	uint32_t watched;  /* the events the backend's descriptor is watched for */
	bool rx_stalled;   /* a packet waits for receive buffers the guest has not given */
	size_t rx_len;	   /* bytes of the packet in rx_buf, 0 for none */
	uint64_t dropped;  /* packets no buffer or backend could take */
	uint16_t heads[VIRTQ_MAX_SIZE];
	uint32_t lens[VIRTQ_MAX_SIZE];
	/* kept off the worker's small stack, as the buffer below */
	struct virtq_chain first, chain; /* receive: the packet's first buffer, the one being filled */
	uint8_t rx_buf[NET_PACKET_MAX];
};

static struct virtio_net *to_net(struct virtio_dev *vd)
{
	return (struct virtio_net *)vd;
}

static void net_config_read(struct virtio_dev *vd, uint32_t offset, void *buf, unsigned int len)
{
	struct virtio_net *n = to_net(vd);
	uint8_t config[NET_CONFIG_SIZE];
	uint16_t status = htole16(__atomic_load_n(&n->link, __ATOMIC_ACQUIRE));
	uint16_t pairs = htole16(1);

	memcpy(config, n->mac, NET_MAC_LEN);
	memcpy(config + 6, &status, 2);
	memcpy(config + 8, &pairs, 2);
	memset(buf, 0, len);
	if (offset < NET_CONFIG_SIZE)
		memcpy(buf, config + offset,
		       len < NET_CONFIG_SIZE - offset ? len : NET_CONFIG_SIZE - offset);
}

/* Watches the backend for what the device can take now: packets in, room out. */
static void net_watch_update(struct virtio_net *n)
{
	uint32_t events = 0;

	if (n->be->fd < 0)
		return;
	if (virtio_queues_live(&n->vd) && !n->rx_stalled)
		events |= EPOLLIN;
	if (net_backend_busy(n->be))
		events |= EPOLLOUT;
	if (events != n->watched && !virtio_watch_modify(&n->vd, n->be->fd, events))
		n->watched = events;
}

/* The backend failed for good (the socket's peer went away): the link goes down. */
static void net_backend_lost(struct virtio_net *n, int err)
{
	vmm_err("network %s: %s; the guest's link is down", n->be->target,
		err == -ECONNRESET ? "closed by its peer" :
		err == -EPROTO	   ? "sent a frame longer than 64 KiB, not the stream framing" :
				     strerror(-err));
	virtio_unwatch(&n->vd, n->be->fd);
	net_backend_close(n->be);
	n->rx_len = 0;
	__atomic_store_n(&n->link, 0, __ATOMIC_RELEASE);
	virtio_notify_config(&n->vd);
}

/* The next receive buffer: the first of a packet into n->first, the others into n->chain. */
static int rx_pop(struct virtio_net *n, struct virtq *vq, unsigned int nr)
{
	return virtq_pop(vq, nr ? &n->chain : &n->first);
}

/*
 * Copies the packet in rx_buf into the guest's receive buffers, setting
 * num_buffers: how many buffers it took, 0 when the guest has not given
 * enough yet (none taken), -EMSGSIZE when it never fits them (without
 * MRG_RXBUF, one buffer; with it, the whole queue), -errno a bad chain.
 */
static int rx_fill(struct virtio_net *n, struct virtq *vq, bool mergeable)
{
	unsigned int nr = 0, max = mergeable ? vq->size : 1;
	size_t off = 0, put;
	uint16_t nbufs;
	int ret;

	while (off < n->rx_len) {
		ret = nr < max ? rx_pop(n, vq, nr) : -EMSGSIZE;
		if (ret <= 0) {
			virtq_unpop(vq, nr);
			return ret;
		}
		const struct virtq_chain *c = nr ? &n->chain : &n->first;

		put = iov_from_buf(c->in, c->nr_in, 0, n->rx_buf + off, n->rx_len - off);
		n->heads[nr] = c->head;
		n->lens[nr++] = put;
		off += put;
		/* The first buffer holds the header whole (5.1.6.3.1). */
		if (nr == 1 && put < NET_HDR_LEN) {
			virtq_unpop(vq, nr);
			return -EMSGSIZE;
		}
	}
	nbufs = htole16(nr);
	iov_from_buf(n->first.in, n->first.nr_in, NET_HDR_NUM_BUFFERS, &nbufs, sizeof(nbufs));
	return nr;
}

/* Packets from the backend into the receive queue while both have some. */
static void net_rx(struct virtio_net *n)
{
	struct virtq *vq = &n->vd.vqs[NET_RX_QUEUE];
	bool mergeable = virtio_has_feature(&n->vd, VIRTIO_NET_F_MRG_RXBUF), pushed = false;
	ssize_t got;
	int ret, i;

	while (virtio_queues_live(&n->vd) && n->be->fd >= 0) {
		if (!n->rx_len) {
			got = net_backend_recv(n->be, n->rx_buf);
			if (got < 0)
				net_backend_lost(n, got);
			if (got <= 0)
				break;
			n->rx_len = got;
		}
		ret = rx_fill(n, vq, mergeable);
		if (!ret) {
			n->rx_stalled = true; /* until the guest kicks queue 0 */
			break;
		}
		if (ret == -EMSGSIZE) {
			n->dropped++;
		} else if (ret < 0) {
			virtio_dev_broken(&n->vd, "virtio-net: bad receive chain (%s)", strerror(-ret));
			break;
		}
		for (i = 0; i < ret; i++)
			virtq_push(vq, n->heads[i], n->lens[i]);
		pushed |= ret > 0;
		n->rx_len = 0;
	}
	if (pushed)
		virtio_notify(&n->vd, NET_RX_QUEUE);
	net_watch_update(n);
}

/* The guest's packets to the backend, until the queue is empty or the backend full. */
static void net_tx(struct virtio_net *n)
{
	struct virtq *vq = &n->vd.vqs[NET_TX_QUEUE];
	bool pushed = false;
	int ret = 0;

	do {
		virtq_disable_notify(vq);
		while (!net_backend_busy(n->be) && (ret = virtq_pop(vq, &n->chain)) > 0) {
			/* A packet the backend refuses (too short, too long, tap gone) is dropped. */
			if (n->be->fd < 0 || net_backend_send(n->be, n->chain.out, n->chain.nr_out))
				n->dropped++;
			virtq_push(vq, n->chain.head, 0);
			pushed = true;
		}
		if (ret < 0) {
			virtio_dev_broken(&n->vd, "virtio-net: bad transmit chain (%s)", strerror(-ret));
			break;
		}
		/* Full: the backend's EPOLLOUT brings the worker back here, no kick needed. */
		if (net_backend_busy(n->be))
			break;
	} while (virtq_enable_notify(vq));
	if (pushed)
		virtio_notify(&n->vd, NET_TX_QUEUE);
	net_watch_update(n);
}

static void net_queue_event(struct virtio_dev *vd, unsigned int q)
{
	struct virtio_net *n = to_net(vd);

	if (q == NET_RX_QUEUE) {
		n->rx_stalled = false;
		net_rx(n);
	} else if (q == NET_TX_QUEUE) {
		net_tx(n);
	}
}

static void net_backend_event(struct virtio_dev *vd, int fd, uint32_t events)
{
	struct virtio_net *n = to_net(vd);

	(void)fd;
	if ((events & EPOLLOUT) && net_backend_flush(n->be) != -EAGAIN && virtio_queues_live(vd))
		net_tx(n); /* flushed (or failed, the packet dropped): the queue goes on */
	/* A peer that hung up: what it sent before is read first, then the link goes down. */
	if (events & EPOLLIN)
		net_rx(n);
	else if (n->be->fd >= 0 && (events & (EPOLLHUP | EPOLLERR)))
		net_backend_lost(n, -ECONNRESET);
	net_watch_update(n);
}

/* What the guest takes on receive, told to a tap: it then hands such packets over whole. */
static unsigned int net_rx_offloads(struct virtio_dev *vd)
{
	static const struct {
		unsigned int feature, offload;
	} map[] = {
		{ VIRTIO_NET_F_GUEST_CSUM, NET_OFFLOAD_CSUM },
		{ VIRTIO_NET_F_GUEST_TSO4, NET_OFFLOAD_TSO4 },
		{ VIRTIO_NET_F_GUEST_TSO6, NET_OFFLOAD_TSO6 },
		{ VIRTIO_NET_F_GUEST_ECN, NET_OFFLOAD_ECN },
	};
	unsigned int offloads = 0;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(map); i++)
		if (virtio_has_feature(vd, map[i].feature))
			offloads |= map[i].offload;
	return offloads;
}

static int net_activate(struct virtio_dev *vd)
{
	struct virtio_net *n = to_net(vd);
	int ret = 0;

	n->rx_stalled = false;
	if (n->be->fd >= 0 && net_backend_has_vnet_hdr(n->be))
		ret = net_backend_set_offload(n->be, net_rx_offloads(vd));
	if (ret)
		vmm_err("network %s: cannot set the tap's offloads: %s", n->be->target,
			strerror(-ret));
	return ret;
}

/* The driver reset the device: the packet waiting for buffers goes, nothing is read. */
static void net_reset(struct virtio_dev *vd)
{
	struct virtio_net *n = to_net(vd);

	n->rx_len = 0;
	n->rx_stalled = false;
	net_watch_update(n);
}

/* The NIC's identity: a restore must show the guest the same address. */
static int net_save(struct virtio_dev *vd, struct snap_writer *w)
{
	char mac[NET_MAC_TEXT_LEN];
	int ret;

	net_mac_format(to_net(vd)->mac, mac);
	ret = snap_put_u32(w, NET_STATE_VERSION);
	return ret ?: snap_put_str(w, mac);
}

static int net_restore(struct virtio_dev *vd, struct snap_section *s)
{
	struct virtio_net *n = to_net(vd);
	char mac[NET_MAC_TEXT_LEN], have[NET_MAC_TEXT_LEN];
	uint32_t version;
	int ret;

	ret = snap_get_u32(s, &version);
	ret = ret ?: snap_get_str(s, mac, sizeof(mac));
	if (ret)
		return ret;
	net_mac_format(n->mac, have);
	if (version != NET_STATE_VERSION || strcmp(mac, have)) {
		vmm_err("network %s: the snapshot's NIC (state version %u, MAC %s) is not this one "
			"(version %u, MAC %s)",
			n->be->target, version, mac, NET_STATE_VERSION, have);
		return -EINVAL;
	}
	return 0;
}

static void net_destroy(struct virtio_dev *vd)
{
	struct virtio_net *n = to_net(vd);

	if (n->be == &n->own)
		net_backend_close(&n->own);
	n->be = NULL;
}

#define NET_COMMON_FEATURES                                                               \
	(1ULL << VIRTIO_NET_F_MAC | 1ULL << VIRTIO_NET_F_STATUS | 1ULL << VIRTIO_NET_F_MRG_RXBUF)
#define NET_OFFLOAD_FEATURES                                                              \
	(1ULL << VIRTIO_NET_F_CSUM | 1ULL << VIRTIO_NET_F_GUEST_CSUM |                    \
	 1ULL << VIRTIO_NET_F_GUEST_TSO4 | 1ULL << VIRTIO_NET_F_GUEST_TSO6 |              \
	 1ULL << VIRTIO_NET_F_GUEST_ECN | 1ULL << VIRTIO_NET_F_HOST_TSO4 |                \
	 1ULL << VIRTIO_NET_F_HOST_TSO6 | 1ULL << VIRTIO_NET_F_HOST_ECN)

#define NET_VOPS(FEATURES)                                                                \
	{                                                                                  \
		.device_id = VIRTIO_ID_NET, .nr_queues = 2, .features = (FEATURES),        \
		.config_size = NET_CONFIG_SIZE, .config_read = net_config_read,            \
		.activate = net_activate, .queue_event = net_queue_event,                  \
		.backend_event = net_backend_event, .reset = net_reset, .save = net_save,  \
		.restore = net_restore, .destroy = net_destroy,                            \
	}

static const struct virtio_dev_ops net_vops_tap = NET_VOPS(NET_COMMON_FEATURES |
							   NET_OFFLOAD_FEATURES);
static const struct virtio_dev_ops net_vops_stream = NET_VOPS(NET_COMMON_FEATURES);

/* The backend opened for vmm before privileges went, or one of the device's own. */
static int net_attach(struct virtio_net *n, enum net_kind kind, const char *target)
{
	char why[320];
	int ret;

	n->be = net_backend_find(kind, target);
	if (n->be)
		return 0;
	ret = net_backend_open(&n->own, kind, target, why, sizeof(why));
	if (ret) {
		vmm_err("%s", why);
		return ret;
	}
	n->be = &n->own;
	return 0;
}

static int net_init(struct device *dev, const struct device_desc *desc)
{
	struct virtio_net *n = (struct virtio_net *)dev;
	const char *tap = device_param(desc, "tap"), *stream = device_param(desc, "stream");
	const char *mac = device_param(desc, "mac");
	int ret;

	if (!tap == !stream || (mac && net_mac_parse(mac, n->mac))) {
		vmm_err("virtio-net: need one of tap or stream, and a unicast mac; check the "
			"network's settings");
		return -EINVAL;
	}
	if (!mac)
		net_mac_default(0, n->mac);
	ret = net_attach(n, tap ? NET_TAP : NET_STREAM, tap ? tap : stream);
	if (ret)
		return ret;
	/* A backend an earlier guest of this vmm lost (--on-reboot restart) stays down. */
	n->link = n->be->fd >= 0 ? VIRTIO_NET_S_LINK_UP : 0;
	ret = virtio_dev_init(&n->vd, tap ? &net_vops_tap : &net_vops_stream);
	if (!ret && n->be->fd >= 0)
		ret = virtio_watch(&n->vd, n->be->fd, 0);
	if (ret)
		net_destroy(&n->vd);
	return ret;
}

static const struct device_ops virtio_net_ops = VIRTIO_DEVICE_OPS("virtio-net");
static const char *const virtio_net_params[] = { "tap", "stream", "mac", NULL };

const struct device_model virtio_net_model = {
	.ops = &virtio_net_ops,
	.size = sizeof(struct virtio_net),
	.params = virtio_net_params,
	.init = net_init,
};
