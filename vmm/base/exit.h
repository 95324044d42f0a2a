/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_EXIT_H
#define VMM_EXIT_H

/* vmm's exit statuses; README.md lists them for users and scripts. */
enum vmm_exit {
	VMM_EXIT_POWEROFF = 0,	/* the guest powered off (PSCI SYSTEM_OFF) */
	VMM_EXIT_INTERNAL = 1,	/* vmm itself failed: an unexpected KVM or system error */
	VMM_EXIT_USAGE = 2,	/* bad option, config value or config file */
	VMM_EXIT_INPUT = 3,	/* kernel or initrd missing, unreadable, not an arm64 Image, too big */
	VMM_EXIT_HOST = 4,	/* no usable /dev/kvm, or the host lacks something vmm needs */
	VMM_EXIT_FIRMWARE = 5,	/* a firmware pin the host cannot honour */
	VMM_EXIT_REQUEST = 6,	/* a request to a running vmm failed: its reply says why */
	VMM_EXIT_NO_VM = 7,	/* nothing answers at the control socket */
	VMM_EXIT_SNAPSHOT = 8,	/* a snapshot damaged, foreign, or not restorable on this host */
	VMM_EXIT_REBOOT = 10,	/* the guest rebooted and --on-reboot=exit */
	VMM_EXIT_CRASH = 11,	/* the guest crashed or KVM could not run it */
	VMM_EXIT_HIBERNATE = 12, /* the guest hibernated (PSCI 1.3 SYSTEM_OFF2) */
	VMM_EXIT_QUIT = 13,	/* the user pressed Ctrl-A x */
	VMM_EXIT_RAM_LOST = 14,	/* a restored VM's snapshot file was truncated or changed under it */
	VMM_EXIT_SIGNAL = 128,	/* plus the signal number: vmm was told to stop */
};

#endif
