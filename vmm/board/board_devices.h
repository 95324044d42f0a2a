/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_BOARD_DEVICES_H
#define VMM_BOARD_DEVICES_H
/*
 * The device models vmm knows, by name, and the devices every machine has.
 * (machine_add_board_devices, in machine.h, is defined here: this unit knows
 * the models, the machine does not.)
 */
struct device_desc;
struct device_model;
struct machine;

/* The model called name, or NULL. */
const struct device_model *board_find_model(const char *name);
/* Makes the device desc describes; -EINVAL, with one line on stderr, for an unknown model. */
int board_add_device(struct machine *m, const struct device_desc *desc);

#endif
