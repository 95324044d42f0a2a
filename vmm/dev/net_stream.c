// SPDX-License-Identifier: GPL-2.0
/*
 * The stream backend: a UNIX stream socket speaking QEMU's stream framing
 * (net_stream_frame.h), which passt serves, so a guest reaches the network
 * with no tap and no privileges. The socket carries no vnet header: nothing is
 * offloaded, the guest checksums and segments everything itself.
 */
#include "dev/net_backend.h"
#include "dev/net_backend_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static void stream_why(const char *path, int err, char *why, size_t len)
{
	if (err == ENOENT || err == ECONNREFUSED)
		snprintf(why, len,
			 "network socket %s: %s; start its server first (passt --socket %s)", path,
			 err == ENOENT ? "no such socket" : "nothing listens there", path);
	else
		snprintf(why, len, "network socket %s cannot be connected: %s; check its path and "
			 "permissions", path, strerror(err));
}

int net_stream_open(struct net_backend *be, const char *path, char *why, size_t why_len)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd, err;

	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	/* Connected blocking (a full backlog waits rather than fails), then made non-blocking. */
	if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)) ||
	    fcntl(fd, F_SETFL, O_NONBLOCK)) {
		err = errno;
		if (fd >= 0)
			close(fd);
		stream_why(path, err, why, why_len);
		return -err;
	}
	be->fd = fd;
	return 0;
}

int net_stream_frame_out(struct net_backend *be, const struct iovec *iov, unsigned int nr)
{
	size_t skip = NET_HDR_LEN, len = 0, n;
	unsigned int i;

	for (i = 0; i < nr; i++) {
		n = iov[i].iov_len < skip ? iov[i].iov_len : skip;
		skip -= n;
		if (iov[i].iov_len - n > NET_FRAME_MAX - len)
			return -EMSGSIZE;
		memcpy(be->out + NET_STREAM_HDR_LEN + len, (uint8_t *)iov[i].iov_base + n,
		       iov[i].iov_len - n);
		len += iov[i].iov_len - n;
	}
	if (skip)
		return -EMSGSIZE;
	net_stream_frame_header(be->out, len);
	be->out_off = 0;
	be->out_len = NET_STREAM_HDR_LEN + len;
	return 0;
}

/* More bytes from the socket after what is buffered: 0 none now, -errno, or how many. */
static ssize_t stream_fill(struct net_backend *be)
{
	ssize_t n;

	if (be->in_off) {
		memmove(be->in, be->in + be->in_off, be->in_len);
		be->in_off = 0;
	}
	do
		n = read(be->fd, be->in + be->in_len, NET_STREAM_IN_SIZE - be->in_len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EAGAIN ? 0 : -errno;
	if (!n)
		return -ECONNRESET;
	be->in_len += n;
	return n;
}

ssize_t net_stream_recv(struct net_backend *be, uint8_t *buf)
{
	size_t frame_len;
	ssize_t ret;

	for (;;) {
		ret = net_stream_frame_next(be->in + be->in_off, be->in_len, &frame_len);
		if (ret < 0)
			return ret;
		if (!ret) {
			ret = stream_fill(be);
			if (ret <= 0)
				return ret;
			continue;
		}
		be->in_off += ret;
		be->in_len -= ret;
		if (!frame_len)
			continue; /* a frame of nothing: nothing for the guest */
		memset(buf, 0, NET_HDR_LEN);
		memcpy(buf + NET_HDR_LEN, be->in + be->in_off - frame_len, frame_len);
		return NET_HDR_LEN + frame_len;
	}
}
