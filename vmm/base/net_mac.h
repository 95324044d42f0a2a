/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_BASE_NET_MAC_H
#define VMM_BASE_NET_MAC_H
/* Ethernet addresses as users write them (52:54:00:12:34:56) and as vmm picks them. */
#include <stdint.h>

#define NET_MAC_LEN 6
#define NET_MAC_TEXT_LEN 18 /* "xx:xx:xx:xx:xx:xx" and its NUL */

/*
 * Six hex octets separated by ':' (or '-'). -EINVAL for anything else, and for
 * an address no NIC may have as its own: a group (multicast or broadcast)
 * address, or all zeroes.
 */
int net_mac_parse(const char *text, uint8_t mac[NET_MAC_LEN]);
void net_mac_format(const uint8_t mac[NET_MAC_LEN], char text[NET_MAC_TEXT_LEN]);
/*
 * The address of the index-th network when none is given: 52:54:00:12:34:56
 * onwards, what QEMU users know, and the same on every run and restore.
 */
void net_mac_default(unsigned int index, uint8_t mac[NET_MAC_LEN]);

#endif
