// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit test for the probe's device tree reader, built with ASan and
 * UBSan by `make check`. Blobs are assembled in memory so the test needs no
 * dtc; the reader is the same fdt.c the guest links.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../fdt.h"

#define BLOB_WORDS 512

struct builder {
	u32 structure[BLOB_WORDS];
	u32 words;
	char strings[512];
	u32 strings_len;
};

static int failures;

#define EXPECT_EQ(what, expected, got)                                                         \
	do {                                                                                   \
		unsigned long long e_ = (expected), g_ = (got);                                \
		if (e_ != g_) {                                                                \
			fprintf(stderr, "FAIL %s: expected %#llx, got %#llx\n", what, e_, g_); \
			failures++;                                                            \
		}                                                                              \
	} while (0)

static void put_word(struct builder *b, u32 value)
{
	b->structure[b->words++] = __builtin_bswap32(value);
}

static void put_bytes(struct builder *b, const void *data, u32 len)
{
	memset(&b->structure[b->words], 0, (len + 3) & ~3u);
	memcpy(&b->structure[b->words], data, len);
	b->words += (len + 3) / 4;
}

static void begin_node(struct builder *b, const char *name)
{
	put_word(b, 1);
	put_bytes(b, name, strlen(name) + 1);
}

static void end_node(struct builder *b)
{
	put_word(b, 2);
}

static void prop(struct builder *b, const char *name, const void *value, u32 len)
{
	put_word(b, 3);
	put_word(b, len);
	put_word(b, b->strings_len);
	memcpy(b->strings + b->strings_len, name, strlen(name) + 1);
	b->strings_len += strlen(name) + 1;
	put_bytes(b, value, len);
}

/* A string property; "a\0b" lists need the explicit length, hence sizeof at the call sites. */
#define prop_str(b, name, literal) prop(b, name, literal, sizeof(literal))

static void prop_cells(struct builder *b, const char *name, const u32 *cells, u32 count)
{
	u32 be[8];
	u32 i;

	for (i = 0; i < count; i++)
		be[i] = __builtin_bswap32(cells[i]);
	prop(b, name, be, 4 * count);
}

/* Header, empty reservation map, structure block, strings block: spec chapter 5 order. */
static u32 *finish(struct builder *b, u32 *blob)
{
	const u32 header_words = 10, rsvmap_words = 4;
	u32 off_struct, off_strings, i;
	u32 fields[10];

	put_word(b, 9);
	off_struct = 4 * (header_words + rsvmap_words);
	off_strings = off_struct + 4 * b->words;
	fields[0] = 0xd00dfeed;
	fields[1] = off_strings + b->strings_len;
	fields[2] = off_struct;
	fields[3] = off_strings;
	fields[4] = 4 * header_words;
	fields[5] = 17;
	fields[6] = 16;
	fields[7] = 0;
	fields[8] = b->strings_len;
	fields[9] = 4 * b->words;
	memset(blob, 0, 4 * BLOB_WORDS * 2);
	for (i = 0; i < header_words; i++)
		blob[i] = __builtin_bswap32(fields[i]);
	memcpy(blob + header_words + rsvmap_words, b->structure, 4 * b->words);
	memcpy((char *)blob + off_strings, b->strings, b->strings_len);
	return blob;
}

static const u32 cells_one[] = { 1 };
static const u32 uart_reg_two_cells[] = { 0x1, 0x9000000, 0, 0x1000 };
static const u32 uart_reg_one_cell[] = { 0x10000000, 0x100 };
static const u32 reg_shift[] = { 2 };

static u32 *build_tree(u32 *blob)
{
	static struct builder b;

	memset(&b, 0, sizeof(b));
	begin_node(&b, "");
	begin_node(&b, "psci");
	prop_str(&b, "compatible", "arm,psci-0.2\0arm,psci");
	prop_str(&b, "method", "smc");
	end_node(&b);
	begin_node(&b, "pl011@109000000");
	prop_str(&b, "compatible", "arm,pl011\0arm,primecell");
	prop_cells(&b, "reg", uart_reg_two_cells, 4);
	end_node(&b);
	begin_node(&b, "soc");
	prop_cells(&b, "#address-cells", cells_one, 1);
	prop_cells(&b, "#size-cells", cells_one, 1);
	begin_node(&b, "serial@10000000");
	prop_str(&b, "status", "disabled");
	prop_str(&b, "compatible", "ns16550a");
	prop_cells(&b, "reg", uart_reg_one_cell, 2);
	prop_cells(&b, "reg-shift", reg_shift, 1);
	prop(&b, "unterminated", "abc", 3);
	end_node(&b);
	end_node(&b);
	end_node(&b);
	return finish(&b, blob);
}

struct seen {
	int nodes;
	u64 pl011_base;
	u64 serial_base;
	int serial_enabled;
	int serial_unterminated_is_string;
	int psci_compatible;
	const char *psci_method;
};

static void record(const struct fdt_node *node, void *ctx)
{
	struct seen *seen = ctx;

	seen->nodes++;
	if (fdt_node_is_compatible(node, "arm,pl011"))
		fdt_node_reg_address(node, &seen->pl011_base);
	if (fdt_node_is_compatible(node, "ns16550a")) {
		fdt_node_reg_address(node, &seen->serial_base);
		seen->serial_enabled = fdt_node_is_enabled(node);
		seen->serial_unterminated_is_string = !!fdt_node_prop_string(node, "unterminated");
	}
	if (fdt_node_is_compatible(node, "arm,psci")) {
		seen->psci_compatible = fdt_node_is_compatible(node, "arm,psci-0.2");
		seen->psci_method = fdt_node_prop_string(node, "method");
	}
}

static void test_walk(void)
{
	static u32 blob[BLOB_WORDS * 2];
	struct seen seen = { 0 };

	EXPECT_EQ("walk result", 0, fdt_for_each_node(build_tree(blob), record, &seen));
	EXPECT_EQ("nodes visited", 5, seen.nodes);
	EXPECT_EQ("pl011 reg with 2 address cells", 0x109000000ull, seen.pl011_base);
	EXPECT_EQ("serial reg with 1 address cell", 0x10000000, seen.serial_base);
	EXPECT_EQ("disabled serial", 0, seen.serial_enabled);
	EXPECT_EQ("unterminated value as string", 0, seen.serial_unterminated_is_string);
	EXPECT_EQ("second compatible entry matches", 1, seen.psci_compatible);
	EXPECT_EQ("psci method", 0, seen.psci_method ? strcmp(seen.psci_method, "smc") : -1);
}

static void count_nodes(const struct fdt_node *node, void *ctx)
{
	(void)node;
	(*(int *)ctx)++;
}

static void test_bad_blobs(void)
{
	static u32 blob[BLOB_WORDS * 2];
	int nodes = 0;

	build_tree(blob)[0] = 0;
	EXPECT_EQ("bad magic", (u32)-EINVAL, (u32)fdt_for_each_node(blob, count_nodes, &nodes));
	build_tree(blob)[9] = __builtin_bswap32(40);
	EXPECT_EQ("truncated structure", (u32)-EINVAL,
		  (u32)fdt_for_each_node(blob, count_nodes, &nodes));
	EXPECT_EQ("misaligned blob", (u32)-EINVAL,
		  (u32)fdt_for_each_node((char *)blob + 2, count_nodes, &nodes));
}

int main(void)
{
	test_walk();
	test_bad_blobs();
	if (failures)
		return EXIT_FAILURE;
	printf("fdt_test: all passed\n");
	return EXIT_SUCCESS;
}
