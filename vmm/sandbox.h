/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_SANDBOX_H
#define VMM_SANDBOX_H

/*
 * Drops every capability (and the bounding set where allowed) once vmm holds
 * all the files it needs: a guest that escapes into vmm finds a process that
 * cannot do more than its user.
 */
int sandbox_drop_capabilities(void);

#endif
