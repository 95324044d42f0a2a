// SPDX-License-Identifier: GPL-2.0
/*
 * The tap backend: /dev/net/tun with IFF_TAP | IFF_NO_PI | IFF_VNET_HDR and a
 * 12-byte vnet header, so that packets keep the guest's virtio_net_hdr_v1 and
 * checksum and segmentation offloads go through to the host's stack whole.
 */
#include "dev/net_backend.h"
#include "dev/net_backend_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define TUN_PATH "/dev/net/tun"

static void tap_why(const char *name, int err, char *why, size_t len)
{
	switch (err) {
	case ENOENT:
	case ENODEV:
		snprintf(why, len, "tap %s: %s is missing; load the tun module (modprobe tun)", name,
			 TUN_PATH);
		break;
	case EPERM:
	case EACCES:
		snprintf(why, len,
			 "tap %s: not allowed to create or attach it; run vmm as root, or create it "
			 "first for this user (ip tuntap add %s mode tap user $USER)",
			 name, name);
		break;
	case EBUSY:
		snprintf(why, len, "tap %s is in use by another process; give this guest its own tap",
			 name);
		break;
	default:
		snprintf(why, len, "tap %s cannot be opened: %s; check that %s is a tap, not a tun",
			 name, strerror(err), name);
	}
}

int net_tap_open(struct net_backend *be, const char *name, char *why, size_t why_len)
{
	struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR };
	int hdr_len = NET_HDR_LEN, fd, err;

	fd = open(TUN_PATH, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		err = errno;
		tap_why(name, err, why, why_len);
		return -err;
	}
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	/* The tap does not exist: TUNSETIFF makes it, not persistent, so it goes with fd. */
	if (ioctl(fd, TUNSETIFF, &ifr) || ioctl(fd, TUNSETVNETHDRSZ, &hdr_len) ||
	    ioctl(fd, TUNSETOFFLOAD, 0)) {
		err = errno;
		close(fd);
		tap_why(name, err, why, why_len);
		return -err;
	}
	be->fd = fd;
	return 0;
}

int net_tap_set_offload(struct net_backend *be, unsigned int offloads)
{
	static const struct {
		unsigned int offload, tun;
	} map[] = {
		{ NET_OFFLOAD_CSUM, TUN_F_CSUM },
		{ NET_OFFLOAD_TSO4, TUN_F_TSO4 },
		{ NET_OFFLOAD_TSO6, TUN_F_TSO6 },
		{ NET_OFFLOAD_ECN, TUN_F_TSO_ECN },
	};
	unsigned long flags = 0;
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (offloads & map[i].offload)
			flags |= map[i].tun;
	return ioctl(be->fd, TUNSETOFFLOAD, flags) ? -errno : 0;
}
