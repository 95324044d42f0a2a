/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_MIGRATE_SNAPSHOT_H
#define VMM_MIGRATE_SNAPSHOT_H

#include <stddef.h>

struct vm;

/*
 * Writes the whole state of a paused VM to path, atomically: on failure
 * (-errno, with why saying what went wrong) an older file at path is intact.
 */
int vm_save(struct vm *vm, const char *path, char *why, size_t why_len);

/*
 * The version of a device's state in its snapshot record: a device that changes
 * what it saves bumps it here, and restore refuses any other.
 */
unsigned int snap_device_version(const char *name);

#endif
