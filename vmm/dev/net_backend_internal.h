/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_DEV_NET_BACKEND_INTERNAL_H
#define VMM_DEV_NET_BACKEND_INTERNAL_H
/* What net_backend.c asks of each kind: net_tap.c and net_stream.c. */
/*
 * Not including net_backend.h keeps the include graph a tree: every user has
 * included it before this, and the sizes below are expanded where used.
 */
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct iovec;
struct net_backend;

/* A stream's read buffer: two whole frames, so one read can take more than one. */
#define NET_STREAM_IN_SIZE (2 * (NET_STREAM_HDR_LEN + NET_FRAME_MAX))
/* The pending packet: a whole one, with a stream's length word or a tap's header. */
#define NET_OUT_SIZE (NET_STREAM_HDR_LEN + NET_PACKET_MAX)

int net_tap_open(struct net_backend *be, const char *name, char *why, size_t why_len);
int net_tap_set_offload(struct net_backend *be, unsigned int offloads);

int net_stream_open(struct net_backend *be, const char *path, char *why, size_t why_len);
/* The packet (header first) as the stream's next frame, into be->out. */
int net_stream_frame_out(struct net_backend *be, const struct iovec *iov, unsigned int nr);
ssize_t net_stream_recv(struct net_backend *be, uint8_t *buf);

#endif
