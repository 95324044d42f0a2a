/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_DEV_NET_BACKEND_H
#define VMM_DEV_NET_BACKEND_H
/*
 * Where a virtio-net device's packets go on the host: a TAP device (with
 * IFF_VNET_HDR, so checksum and segmentation offloads pass through) or a UNIX
 * stream socket with QEMU's stream framing (net_stream_frame.h), as passt
 * serves it for rootless networking. Both descriptors are non-blocking, read
 * and written only by the device's worker.
 *
 * Packets cross this interface with the 12-byte virtio_net_hdr_v1 in front,
 * the layout the guest uses (virtio 1.x, 5.1.6) and the one a tap with
 * TUNSETVNETHDRSZ 12 reads and writes: a tap gets it as it is, a stream
 * backend drops it on the way out and puts a zeroed one (no offloads) on the
 * way in.
 *
 * A backend is opened before vmm gives up its privileges (creating a tap needs
 * CAP_NET_ADMIN) and lives as long as the process: a guest restarted by
 * --on-reboot restart gets the same one (net_backend_preopen, _find).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "base/config.h"
#include "dev/net_stream_frame.h"

#define NET_HDR_LEN 12 /* struct virtio_net_hdr_v1 */
#define NET_PACKET_MAX (NET_HDR_LEN + NET_FRAME_MAX)

/* Offloads a tap can be told the guest takes (TUNSETOFFLOAD); a stream has none. */
#define NET_OFFLOAD_CSUM 1u
#define NET_OFFLOAD_TSO4 2u
#define NET_OFFLOAD_TSO6 4u
#define NET_OFFLOAD_ECN 8u

struct net_backend {
	enum net_kind kind;
	char target[NET_STREAM_PATH_MAX]; /* the tap's name or the socket's path */
	int fd;
	/* stream: bytes read that are not a whole frame yet, from in + in_off */
	uint8_t *in;
	size_t in_off, in_len;
	/* a packet the backend could not take whole yet: out[out_off..out_len) */
	uint8_t *out;
	size_t out_off, out_len;
};

/*
 * Opens kind's target: a tap by that name (the existing one, or a new one
 * that goes when vmm exits), or a connection to the socket. -errno with why
 * naming the target, the reason and what to do.
 */
int net_backend_open(struct net_backend *be, enum net_kind kind, const char *target, char *why,
		     size_t why_len);
void net_backend_close(struct net_backend *be);

/*
 * One packet, header first, gathered from iov: 0 when the backend has it
 * (written, or kept in out until the descriptor is writable again, when
 * net_backend_busy says so), -EMSGSIZE for one shorter than the header or
 * longer than NET_PACKET_MAX, -errno for a backend that failed: the packet is
 * dropped, as a wire would.
 */
int net_backend_send(struct net_backend *be, const struct iovec *iov, unsigned int nr);
/* A packet is waiting in out: take no more until net_backend_flush has sent it. */
bool net_backend_busy(const struct net_backend *be);
/* When writable: 0 when out went out whole, -EAGAIN not yet, -errno the backend failed. */
int net_backend_flush(struct net_backend *be);

/*
 * The next packet into buf (NET_PACKET_MAX bytes), header first: its length,
 * 0 when none is ready, -ECONNRESET when the peer went away, -EPROTO when a
 * stream's framing broke, -errno.
 */
ssize_t net_backend_recv(struct net_backend *be, uint8_t *buf);

/* A tap: which offloads (NET_OFFLOAD_*) the guest takes on received packets; -errno. */
int net_backend_set_offload(struct net_backend *be, unsigned int offloads);
/* Whether packets may carry offloads at all (a tap with IFF_VNET_HDR). */
bool net_backend_has_vnet_hdr(const struct net_backend *be);

/*
 * The process's backends, opened while vmm still has its privileges, found by
 * the devices that use them (NULL: none; the device opens its own).
 */
int net_backend_preopen(enum net_kind kind, const char *target, char *why, size_t why_len);
struct net_backend *net_backend_find(enum net_kind kind, const char *target);

#endif
