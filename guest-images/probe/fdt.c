// SPDX-License-Identifier: GPL-2.0
/*
 * Minimal flattened device tree reader (devicetree specification v0.4,
 * chapter 5): just enough to find a UART and the PSCI node. Every access is
 * an aligned 32-bit or byte load because the MMU is off and the blob is
 * Device memory, where an unaligned access faults.
 */
#include "fdt.h"

#define FDT_MAGIC 0xd00dfeed
#define FDT_BEGIN_NODE 1
#define FDT_END_NODE 2
#define FDT_PROP 3
#define FDT_NOP 4
#define FDT_END 9

/* Deep enough for any real tree; QEMU virt and vmm use at most 3 levels. */
#define FDT_MAX_DEPTH 16
/* Devicetree spec 2.3.5: a node without #address-cells gives its children 2. */
#define FDT_DEFAULT_ADDRESS_CELLS 2

struct fdt_header {
	u32 magic;
	u32 totalsize;
	u32 off_dt_struct;
	u32 off_dt_strings;
	u32 off_mem_rsvmap;
	u32 version;
	u32 last_comp_version;
	u32 boot_cpuid_phys;
	u32 size_dt_strings;
	u32 size_dt_struct;
};

struct fdt_prop {
	const char *name;
	const void *value;
	u32 len;
};

u32 fdt_read_u32(const void *cell)
{
	return __builtin_bswap32(*(const u32 *)cell);
}

static u32 fdt_words(u32 bytes)
{
	return (bytes + 3) / 4;
}

static int fdt_open(const void *blob, struct fdt *fdt)
{
	const struct fdt_header *header = blob;
	const char *base = blob;
	u32 total;

	if (!blob || ((uintptr_t)blob & 3) || fdt_read_u32(&header->magic) != FDT_MAGIC)
		return -EINVAL;
	total = fdt_read_u32(&header->totalsize);
	if (fdt_read_u32(&header->off_dt_struct) + fdt_read_u32(&header->size_dt_struct) > total ||
	    fdt_read_u32(&header->off_dt_strings) + fdt_read_u32(&header->size_dt_strings) > total)
		return -EINVAL;
	fdt->struct_start = (const u32 *)(base + fdt_read_u32(&header->off_dt_struct));
	fdt->struct_end = fdt->struct_start + fdt_read_u32(&header->size_dt_struct) / 4;
	fdt->strings = base + fdt_read_u32(&header->off_dt_strings);
	fdt->strings_size = fdt_read_u32(&header->size_dt_strings);
	return 0;
}

/* Returns the token after the property at @p (just past FDT_PROP), or NULL if it overruns. */
static const u32 *fdt_prop_parse(const struct fdt *fdt, const u32 *p, struct fdt_prop *prop)
{
	u32 name_offset;

	if (p + 2 > fdt->struct_end)
		return NULL;
	prop->len = fdt_read_u32(&p[0]);
	name_offset = fdt_read_u32(&p[1]);
	prop->value = p + 2;
	if (name_offset >= fdt->strings_size || prop->len > 4 * (u32)(fdt->struct_end - (p + 2)))
		return NULL;
	prop->name = fdt->strings + name_offset;
	return p + 2 + fdt_words(prop->len);
}

/* Returns the token after the node name at @p, or NULL if the name is unterminated. */
static const u32 *fdt_skip_name(const struct fdt *fdt, const u32 *p)
{
	const char *name = (const char *)p;
	const char *end = (const char *)fdt->struct_end;
	u32 len = 0;

	while (name + len < end && name[len])
		len++;
	if (name + len >= end)
		return NULL;
	return p + fdt_words(len + 1);
}

const void *fdt_node_prop(const struct fdt_node *node, const char *name, u32 *len)
{
	const u32 *p = node->props;
	struct fdt_prop prop;

	while (p && p < node->fdt->struct_end) {
		u32 token = fdt_read_u32(p++);

		if (token == FDT_NOP)
			continue;
		if (token != FDT_PROP)
			break;
		p = fdt_prop_parse(node->fdt, p, &prop);
		if (p && str_eq(prop.name, name)) {
			*len = prop.len;
			return prop.value;
		}
	}
	return NULL;
}

/* Only a NUL-terminated value counts as a string; anything else is ignored. */
const char *fdt_node_prop_string(const struct fdt_node *node, const char *name)
{
	const char *value;
	u32 len;

	value = fdt_node_prop(node, name, &len);
	if (!value || !len || value[len - 1])
		return NULL;
	return value;
}

bool fdt_node_is_compatible(const struct fdt_node *node, const char *compatible)
{
	const char *list;
	u32 len, at = 0;

	list = fdt_node_prop(node, "compatible", &len);
	if (!list || !len || list[len - 1])
		return false;
	while (at < len) {
		if (str_eq(list + at, compatible))
			return true;
		at += str_len(list + at) + 1;
	}
	return false;
}

/* Devicetree spec 2.3.4: a missing status means "okay". */
bool fdt_node_is_enabled(const struct fdt_node *node)
{
	const char *status = fdt_node_prop_string(node, "status");

	return !status || str_eq(status, "okay") || str_eq(status, "ok");
}

int fdt_node_reg_address(const struct fdt_node *node, u64 *address)
{
	const u32 *cells;
	u32 len, i;

	cells = fdt_node_prop(node, "reg", &len);
	if (!cells || node->address_cells < 1 || node->address_cells > 2 ||
	    len < 4 * node->address_cells)
		return -EINVAL;
	*address = 0;
	for (i = 0; i < node->address_cells; i++)
		*address = (*address << 32) | fdt_read_u32(&cells[i]);
	return 0;
}

/*
 * A node's #address-cells describes its children's "reg", so it is recorded
 * one level down; properties always precede subnodes in the structure block.
 */
static void fdt_note_property(const struct fdt_prop *prop, unsigned int depth, u32 *cells)
{
	if (prop->len == 4 && str_eq(prop->name, "#address-cells"))
		cells[depth + 1] = fdt_read_u32(prop->value);
}

int fdt_for_each_node(const void *blob, fdt_visit_fn visit, void *ctx)
{
	u32 address_cells[FDT_MAX_DEPTH + 2];
	struct fdt_node node = { 0 };
	bool pending = false;
	const u32 *p;
	struct fdt_prop prop;
	struct fdt fdt;
	int depth = -1;

	if (fdt_open(blob, &fdt))
		return -EINVAL;
	node.fdt = &fdt;
	address_cells[0] = FDT_DEFAULT_ADDRESS_CELLS;
	for (p = fdt.struct_start; p && p < fdt.struct_end;) {
		u32 token = fdt_read_u32(p++);

		switch (token) {
		case FDT_BEGIN_NODE:
			if (pending)
				visit(&node, ctx);
			if (++depth > FDT_MAX_DEPTH)
				return -EINVAL;
			node.name = (const char *)p;
			node.props = p = fdt_skip_name(&fdt, p);
			node.depth = depth;
			node.address_cells = address_cells[depth];
			address_cells[depth + 1] = FDT_DEFAULT_ADDRESS_CELLS;
			pending = true;
			break;
		case FDT_PROP:
			p = fdt_prop_parse(&fdt, p, &prop);
			if (p && depth >= 0)
				fdt_note_property(&prop, depth, address_cells);
			break;
		case FDT_END_NODE:
			if (pending)
				visit(&node, ctx);
			pending = false;
			depth--;
			break;
		case FDT_NOP:
			break;
		case FDT_END:
			return 0;
		default:
			return -EINVAL;
		}
	}
	return -EINVAL;
}
