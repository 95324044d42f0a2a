// SPDX-License-Identifier: GPL-2.0
#include "dev/net_stream_frame.h"

#include <errno.h>

ssize_t net_stream_frame_next(const uint8_t *buf, size_t len, size_t *frame_len)
{
	uint32_t n;

	if (len < NET_STREAM_HDR_LEN)
		return 0;
	n = (uint32_t)buf[0] << 24 | (uint32_t)buf[1] << 16 | (uint32_t)buf[2] << 8 | buf[3];
	if (n > NET_FRAME_MAX)
		return -EPROTO;
	if (len - NET_STREAM_HDR_LEN < n)
		return 0;
	*frame_len = n;
	return NET_STREAM_HDR_LEN + n;
}

void net_stream_frame_header(uint8_t hdr[NET_STREAM_HDR_LEN], uint32_t frame_len)
{
	hdr[0] = frame_len >> 24;
	hdr[1] = frame_len >> 16;
	hdr[2] = frame_len >> 8;
	hdr[3] = frame_len;
}
