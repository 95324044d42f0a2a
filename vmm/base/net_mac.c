// SPDX-License-Identifier: GPL-2.0
#include "base/net_mac.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static int hex_digit(char c)
{
	return isdigit((unsigned char)c) ? c - '0' : tolower((unsigned char)c) - 'a' + 10;
}

int net_mac_parse(const char *text, uint8_t mac[NET_MAC_LEN])
{
	uint8_t out[NET_MAC_LEN];
	bool any = false;
	unsigned int i;

	if (strlen(text) != NET_MAC_TEXT_LEN - 1)
		return -EINVAL;
	for (i = 0; i < NET_MAC_LEN; i++) {
		const char *p = text + 3 * i;

		if (!isxdigit((unsigned char)p[0]) || !isxdigit((unsigned char)p[1]))
			return -EINVAL;
		if (i + 1 < NET_MAC_LEN && p[2] != ':' && p[2] != '-')
			return -EINVAL;
		if (i && p[-1] != text[2])
			return -EINVAL; /* one separator throughout */
		out[i] = hex_digit(p[0]) << 4 | hex_digit(p[1]);
		any |= out[i] != 0;
	}
	/* Bit 0 of the first octet: a group address, never a station's own. */
	if (!any || (out[0] & 1))
		return -EINVAL;
	memcpy(mac, out, NET_MAC_LEN);
	return 0;
}

void net_mac_format(const uint8_t mac[NET_MAC_LEN], char text[NET_MAC_TEXT_LEN])
{
	snprintf(text, NET_MAC_TEXT_LEN, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2],
		 mac[3], mac[4], mac[5]);
}

void net_mac_default(unsigned int index, uint8_t mac[NET_MAC_LEN])
{
	static const uint8_t base[NET_MAC_LEN] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

	memcpy(mac, base, NET_MAC_LEN);
	mac[5] += index;
}
