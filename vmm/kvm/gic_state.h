/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_MIGRATE_GIC_STATE_H
#define VMM_MIGRATE_GIC_STATE_H

#include <stdint.h>

/* One vGIC device attribute and its value, as KVM_{GET,SET}_DEVICE_ATTR see it. */
struct gic_attr {
	uint32_t group;
	uint64_t attr;
	uint64_t value;
};

struct gic_state {
	unsigned int nr;
	struct gic_attr *attrs; /* in the order they must be restored */
	uint32_t failed_group;	/* after gic_state_save fails: the attribute that did */
	uint64_t failed_attr;
};

/*
 * Reads the whole GICv3 state of a paused VM (Documentation/virt/kvm/devices/
 * arm-vgic-v3.rst): distributor, each redistributor, line levels, each CPU
 * interface. Attributes this KVM does not implement (ENXIO) are left out.
 */
int gic_state_save(int gic_fd, const uint64_t *mpidr, unsigned int nr_cpus, unsigned int nr_irqs,
		   struct gic_state *state);
/* Writes it back in the saved order; on failure *failed says which attribute. */
int gic_state_restore(int gic_fd, const struct gic_state *state, const struct gic_attr **failed);
void gic_state_free(struct gic_state *state);

#endif
