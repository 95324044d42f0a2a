/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PROBE_FDT_H
#define PROBE_FDT_H

#include "types.h"

struct fdt {
	const u32 *struct_start;
	const u32 *struct_end;
	const char *strings;
	u32 strings_size;
};

/* A node as seen by a visitor: its properties are complete, its children not yet walked. */
struct fdt_node {
	const struct fdt *fdt;
	const char *name;
	const u32 *props;
	unsigned int depth;
	unsigned int address_cells;
};

typedef void (*fdt_visit_fn)(const struct fdt_node *node, void *ctx);

int fdt_for_each_node(const void *blob, fdt_visit_fn visit, void *ctx);
const void *fdt_node_prop(const struct fdt_node *node, const char *name, u32 *len);
const char *fdt_node_prop_string(const struct fdt_node *node, const char *name);
bool fdt_node_is_compatible(const struct fdt_node *node, const char *compatible);
bool fdt_node_is_enabled(const struct fdt_node *node);
int fdt_node_reg_address(const struct fdt_node *node, u64 *address);
u32 fdt_read_u32(const void *cell);

#endif
