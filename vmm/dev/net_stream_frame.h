/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_DEV_NET_STREAM_FRAME_H
#define VMM_DEV_NET_STREAM_FRAME_H
/*
 * QEMU's "stream" netdev framing, which passt serves on its UNIX socket: each
 * Ethernet frame is sent as a 32-bit big-endian length, then the frame. Pure:
 * the bytes come from another process, untrusted, so this is what is fuzzed.
 */
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define NET_STREAM_HDR_LEN 4
/* The longest frame: 64 KiB of payload, the Ethernet header and a VLAN tag (passt's MTU 65520 fits). */
#define NET_FRAME_MAX (65536 + 18)

/*
 * The first frame in buf[0..len): the bytes it takes with its length word,
 * *frame_len its length (0 is a frame of nothing, for the caller to skip);
 * 0 when buf does not hold it whole yet; -EPROTO when its length is past
 * NET_FRAME_MAX, which no peer speaking the framing sends: the stream cannot
 * be trusted from there on.
 */
ssize_t net_stream_frame_next(const uint8_t *buf, size_t len, size_t *frame_len);
/* The length word for a frame of frame_len bytes (at most NET_FRAME_MAX). */
void net_stream_frame_header(uint8_t hdr[NET_STREAM_HDR_LEN], uint32_t frame_len);

#endif
