// SPDX-License-Identifier: GPL-2.0
#include "sandbox.h"

#include <cap-ng.h>
#include <errno.h>
#include <sys/prctl.h>

int sandbox_drop_capabilities(void)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -errno;
	if (capng_get_caps_process())
		return -EPERM;
	if (capng_have_capabilities(CAPNG_SELECT_CAPS) == CAPNG_NONE)
		return 0; /* an unprivileged user in the kvm group: nothing to drop */
	capng_clear(CAPNG_SELECT_ALL);
	/*
	 * Clearing the bounding set needs CAP_SETPCAP, which root has and a user
	 * given capabilities by a file may not: then the bounding set stays.
	 */
	capng_apply(CAPNG_SELECT_BOUNDS);
	if (capng_apply(CAPNG_SELECT_BOTH))
		return -EPERM;
	capng_get_caps_process();
	return capng_have_capabilities(CAPNG_SELECT_CAPS) == CAPNG_NONE ? 0 : -EPERM;
}
