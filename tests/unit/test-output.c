// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests: column selection, JSON shape, table rendering, empty platform. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "tap.h"
#include "cli/columns.h"
#include "cli/objects.h"
#include "lib/pmem.h"

#define BIT(k) (1u << (k))

static struct pm_bus bus0 = { .dev = "ndbus0", .provider = "ACPI.NFIT" };
static struct pm_dimm nmem0 = { .dev = "nmem0", .id = "8680-56341200",
				.has_handle = true, .handle = 1, .enabled = true,
				.bus = &bus0 };
static struct pm_mapping map0 = { .dimm = &nmem0, .length = 1 << 30 };
static struct pm_region region0 = {
	.dev = "region0", .type = "pmem", .size = 1ULL << 30,
	.available_size = 0, .align = 16 << 20, .numa_node = -1,
	.target_node = -1, .enabled = true,
	.domain = PM_DOMAIN_MEMORY_CONTROLLER,
	.deep_flush = PM_DEEP_FLUSH_READ_ONLY, .mappings = &map0,
	.nr_mappings = 1, .bus = &bus0,
};
static struct pm_namespace ns0 = {
	.dev = "namespace0.0", .mode = PM_MODE_FSDAX, .map = "dev",
	.size = 1056964608, .align = 2 << 20, .sector_size = 512,
	.blockdev = "pmem0", .active = true,
	.numa_node = -1, .target_node = -1, .region = &region0,
};
static struct pm_namespace seed = {
	.dev = "namespace0.1", .mode = PM_MODE_RAW, .sector_size = 512,
	.numa_node = -1, .target_node = -1, .region = &region0,
};

static struct pm_bus *buses[] = { &bus0 };
static struct pm_dimm *dimms[] = { &nmem0 };
static struct pm_region *regions[] = { &region0 };
static struct pm_namespace *namespaces[] = { &ns0, &seed };

static struct pm_platform platform = {
	.buses = buses, .nr_buses = 1,
	.dimms = dimms, .nr_dimms = 1,
	.regions = regions, .nr_regions = 1,
	.namespaces = namespaces, .nr_namespaces = 2,
};
static struct pm_platform empty;

static struct json_object *list_json(struct pm_platform *pf,
				     unsigned int selected,
				     const struct filter *f,
				     const char *columns)
{
	struct out_opts opts = { .json = true, .columns = columns };
	struct out_selection sel;
	struct out_node root = { 0 };
	struct json_object *j;
	char bad[64];

	if (out_select(&object_spec, &opts, ~0u, &sel, bad, sizeof(bad)))
		return NULL;
	if (build_object_tree(pf, selected, f, &root))
		return NULL;
	j = out_to_json(&object_spec, &sel, &root);
	out_node_free(&root);
	return j;
}

static const char *json_str(struct json_object *j, const char *path)
{
	char *copy = strdup(path), *save, *part;
	struct json_object *cur = j;
	bool found = true;

	for (part = strtok_r(copy, ".", &save); part && found;
	     part = strtok_r(NULL, ".", &save)) {
		if (!cur)
			found = false;
		else if (json_object_is_type(cur, json_type_array))
			found = (cur = json_object_array_get_idx(cur, atoi(part)));
		else
			found = json_object_object_get_ex(cur, part, &cur);
	}
	free(copy);
	if (!found)
		return "<missing>";
	/* A key holding JSON null is found, with a NULL object. */
	return cur ? json_object_to_json_string_ext(cur, JSON_C_TO_STRING_PLAIN) :
		     "null";
}

static void test_selection(void)
{
	struct out_opts opts = { 0 };
	struct out_selection sel;
	char bad[64];
	size_t defaults, on_request = 0;

	ok(out_select(&object_spec, &opts, ~0u, &sel, bad, sizeof(bad)) == 0 &&
	   sel.nr > 3 && !sel.explicit_columns, "defaults select several columns");
	defaults = sel.nr;
	ok(strcmp(object_spec.columns[sel.index[0]].name, "DEV") == 0,
	   "DEV comes first");

	opts.columns = "dev,size";
	ok(out_select(&object_spec, &opts, ~0u, &sel, bad, sizeof(bad)) == 0 &&
	   sel.nr == 2 && sel.explicit_columns, "-o dev,size: two columns, any case");

	opts.columns = "persistence_domain,available_size";
	ok(out_select(&object_spec, &opts, ~0u, &sel, bad, sizeof(bad)) == 0 &&
	   sel.nr == 2 && strcmp(object_spec.columns[sel.index[0]].name, "PERSISTENCE") == 0,
	   "-o takes JSON keys too");

	opts.columns = "+UUID,STATE";
	ok(out_select(&object_spec, &opts, ~0u, &sel, bad, sizeof(bad)) == 0 &&
	   sel.nr == defaults + 2 && !sel.explicit_columns,
	   "-o +UUID,STATE adds two to the defaults");

	opts.columns = "DEV,DEV,SIZE";
	ok(out_select(&object_spec, &opts, ~0u, &sel, bad, sizeof(bad)) == 0 &&
	   sel.nr == 2, "a repeated column counts once");

	opts.columns = "DEV,BOGUS";
	ok(out_select(&object_spec, &opts, ~0u, &sel, bad, sizeof(bad)) == -EINVAL &&
	   strcmp(bad, "BOGUS") == 0, "unknown column named in the error");

	opts.columns = ",";
	ok(out_select(&object_spec, &opts, ~0u, &sel, bad, sizeof(bad)) == -ENODATA,
	   "an empty list is refused");

	opts.columns = NULL;
	ok(out_select(&object_spec, &opts, 1u << PM_DIMM, &sel, bad, sizeof(bad)) == 0 &&
	   sel.nr == 3, "DIMMs alone: only the default columns that apply (DEV, FLAGS, SECURITY)");

	opts.columns = NULL;
	opts.output_all = true;
	for (size_t i = 0; i < object_spec.nr_columns; i++)
		on_request += !!(object_spec.columns[i].flags & OUT_ON_REQUEST);
	ok(out_select(&object_spec, &opts, ~0u, &sel, bad, sizeof(bad)) == 0 &&
	   on_request && sel.nr == object_spec.nr_columns - on_request,
	   "--output-all selects all but the columns read on request (health, media errors)");
}

static void test_json_shape(void)
{
	struct filter f = { 0 };
	struct json_object *j;

	j = list_json(&platform, BIT(PM_REGION) | BIT(PM_NAMESPACE), &f, NULL);
	ok(j && json_object_is_type(j, json_type_object), "top level is an object");
	ok(strcmp(json_str(j, "regions.0.dev"), "\"region0\"") == 0, "region dev");
	ok(strcmp(json_str(j, "regions.0.size"), "1073741824") == 0,
	   "size is an integer");
	ok(strcmp(json_str(j, "regions.0.persistence_domain"),
		  "\"memory_controller\"") == 0, "persistence_domain key");
	ok(strcmp(json_str(j, "regions.0.deep_flush"), "\"read-only\"") == 0,
	   "deep_flush key");
	ok(strcmp(json_str(j, "regions.0.numa_node"), "null") == 0,
	   "unknown NUMA node is null");
	ok(strcmp(json_str(j, "regions.0.namespaces.0.blockdev"), "\"pmem0\"") == 0,
	   "namespace nested in its region");
	ok(strcmp(json_str(j, "regions.0.namespaces.0.chardev"), "null") == 0,
	   "absent chardev is null, key kept");
	ok(strcmp(json_str(j, "regions.0.namespaces.1"), "<missing>") == 0,
	   "idle seed hidden without -i");
	ok(strcmp(json_str(j, "regions.0.namespaces.0.mode"), "\"fsdax\"") == 0,
	   "mode");
	ok(strcmp(json_str(j, "regions.0.namespaces.0.KIND"), "<missing>") == 0,
	   "table-only columns stay out of JSON");
	json_object_put(j);

	f.idle = true;
	j = list_json(&platform, BIT(PM_REGION) | BIT(PM_NAMESPACE), &f, NULL);
	ok(strcmp(json_str(j, "regions.0.namespaces.1.state"), "\"disabled\"") == 0,
	   "-i shows the idle seed as disabled");
	json_object_put(j);

	f.idle = false;
	j = list_json(&platform, BIT(PM_NAMESPACE), &f, "dev,size");
	ok(strcmp(json_str(j, "namespaces.0"),
		  "{\"dev\":\"namespace0.0\",\"size\":1056964608}") == 0,
	   "-N -o dev,size: flat list with only those keys");
	ok(strcmp(json_str(j, "regions"), "<missing>") == 0,
	   "unselected kinds have no key");
	json_object_put(j);

	j = list_json(&platform, BIT(PM_BUS) | BIT(PM_DIMM) | BIT(PM_REGION), &f, NULL);
	ok(strcmp(json_str(j, "buses.0.dimms.0.dev"), "\"nmem0\"") == 0 &&
	   strcmp(json_str(j, "buses.0.regions.0.dev"), "\"region0\"") == 0,
	   "-B -D -R: DIMMs and regions under their bus");
	ok(strcmp(json_str(j, "buses.0.dimms.0.handle"), "1") == 0,
	   "handle is an integer");
	json_object_put(j);

	f.has_mode = true;
	f.mode = PM_MODE_DEVDAX;
	j = list_json(&platform, BIT(PM_REGION) | BIT(PM_NAMESPACE), &f, NULL);
	ok(strcmp(json_str(j, "regions.0.namespaces"), "[]") == 0,
	   "no match: an empty array, not a missing key");
	json_object_put(j);
}

static void test_empty_platform(void)
{
	struct filter f = { 0 };
	struct json_object *j;

	j = list_json(&empty, BIT(PM_REGION) | BIT(PM_NAMESPACE), &f, NULL);
	ok(j && strcmp(json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN),
		       "{\"regions\":[]}") == 0, "empty platform: {\"regions\":[]}");
	json_object_put(j);

	j = list_json(&empty, BIT(PM_BUS) | BIT(PM_DIMM) | BIT(PM_REGION) |
			      BIT(PM_NAMESPACE) | BIT(PM_DAXDEV), &f, NULL);
	ok(j && strcmp(json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN),
		       "{\"buses\":[]}") == 0, "empty platform, everything: {\"buses\":[]}");
	json_object_put(j);
}

static void test_resolve(void)
{
	struct filter f = { 0 };
	struct wanted w = { .kind = PM_NR_KINDS, .name = "region0" };

	ok(resolve_object(&platform, &w, &f) == 0 && f.nr_regions == 1,
	   "region0 resolves by its prefix");
	w.name = "ACPI.NFIT";
	ok(resolve_object(&platform, &w, &f) == 0 && f.nr_buses == 1,
	   "a provider names its bus");
	w.kind = PM_REGION;
	w.name = "9";
	ok(resolve_object(&platform, &w, &f) == 3, "region 9: exit code 3");
}

static void test_table(void)
{
	struct out_opts opts = { .raw = true, .noheadings = true,
				 .columns = "DEV,SIZE" };
	struct out_selection sel;
	struct out_node root = { 0 };
	struct filter f = { 0 };
	char bad[64], *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);

	out_select(&object_spec, &opts, ~0u, &sel, bad, sizeof(bad));
	build_object_tree(&platform, BIT(PM_REGION) | BIT(PM_NAMESPACE), &f, &root);
	out_print(mem, &object_spec, &opts, &sel, &root);
	fclose(mem);
	ok(strcmp(buf, "region0 1G\nnamespace0.0 1008M\n") == 0,
	   "raw table without headings (got '%s')", buf);
	free(buf);

	opts.bytes = true;
	mem = open_memstream(&buf, &len);
	out_print(mem, &object_spec, &opts, &sel, &root);
	fclose(mem);
	ok(strcmp(buf, "region0 1073741824\nnamespace0.0 1056964608\n") == 0,
	   "-b prints bytes");
	free(buf);

	opts.raw = opts.noheadings = opts.bytes = false;
	mem = open_memstream(&buf, &len);
	out_print(mem, &object_spec, &opts, &sel, &root);
	fclose(mem);
	ok(strstr(buf, "DEV") == buf && strstr(buf, "-namespace0.0") != NULL,
	   "table has a header and a tree (got '%s')", buf);
	free(buf);
	out_node_free(&root);
}

/* OUT_FLOAT: the table and the JSON show the same digits. */
static void get_float(const struct out_obj *obj, struct out_cell *cell)
{
	cell->f = *(const double *)obj->ptr;
	cell->decimals = 1;
}

static void test_float(void)
{
	static const struct out_column cols[] = {
		{ "NS", "ns", "a latency", OUT_FLOAT, 1, OUT_DEFAULT | OUT_RIGHT,
		  get_float },
	};
	static const char *const keys[] = { "samples" };
	static const struct out_spec spec = {
		.columns = cols, .nr_columns = 1, .kind_keys = keys,
		.kind_names = keys, .nr_kinds = 1,
	};
	double a = 55.25, b = 1234.0;
	struct out_opts opts = { 0 };
	struct out_node root = { .child_kinds = 1 };
	struct out_selection sel;
	struct json_object *j;
	char *buf = NULL;
	size_t len;
	FILE *mem;

	out_select(&spec, &opts, 1, &sel, NULL, 0);
	out_node_add(&root, 0, &a);
	out_node_add(&root, 0, &b);
	j = out_to_json(&spec, &sel, &root);
	ok(j && strcmp(json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN),
		       "{\"samples\":[{\"ns\":55.2},{\"ns\":1234.0}]}") == 0,
	   "OUT_FLOAT in JSON: a number with the column's decimals (got %s)",
	   j ? json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN) : "NULL");
	json_object_put(j);
	mem = open_memstream(&buf, &len);
	out_print(mem, &spec, &opts, &sel, &root);
	fclose(mem);
	ok(strcmp(buf, "    NS\n  55.2\n1234.0\n") == 0,
	   "OUT_FLOAT in the table: right-aligned, same digits (got '%s')", buf);
	free(buf);
	out_node_free(&root);
}

/* A document: nested objects and arrays, keys in declaration order. */
enum { DOC, TARGET, ITEM };

static void get_text(const struct out_obj *obj, struct out_cell *cell)
{
	cell->str = obj->ptr;
}

static void test_document(void)
{
	static const struct out_column cols[] = {
		{ "NAME", "name", "the document", OUT_STRING, 1 << DOC, 0, get_text },
		{ "TARGET", "target", "one object or null", OUT_OBJECT, 1 << DOC, 0,
		  NULL, TARGET },
		{ "ITEMS", "items", "an array", OUT_ARRAY, 1 << DOC, 0, NULL, ITEM },
		{ "EMPTY", "empty", "an empty array", OUT_ARRAY, 1 << DOC, 0, NULL,
		  DOC },
		{ "DEV", "dev", "a target", OUT_STRING, 1 << TARGET, 0, get_text },
		{ "TEXT", "text", "an item", OUT_STRING, 1 << ITEM, 0, get_text },
	};
	static const char *const keys[] = { "document", "target", "items" };
	static const struct out_spec spec = {
		.columns = cols, .nr_columns = 6, .kind_keys = keys,
		.kind_names = keys, .nr_kinds = 3,
	};
	struct out_opts opts = { .output_all = true };
	struct out_node doc = { .obj = { DOC, "d" } }, bare = { .obj = { DOC, "e" } };
	struct out_selection sel;
	struct json_object *j;
	const char *text;

	out_select(&spec, &opts, 7, &sel, NULL, 0);
	out_node_add(&doc, ITEM, "a");
	out_node_add(&doc, TARGET, "pmem0");
	out_node_add(&doc, ITEM, "b\xff\xc0\x80" "c\xe2\x82\xac");
	j = out_document_json(&spec, &sel, &doc);
	text = j ? json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN) : "NULL";
	ok(strcmp(text, "{\"name\":\"d\",\"target\":{\"dev\":\"pmem0\"},"
		  "\"items\":[{\"text\":\"a\"},{\"text\":\"b\\\\xff\\\\xc0\\\\x80" "c\xe2\x82\xac\"}],"
		  "\"empty\":[]}") == 0,
	   "document: keys in order, an object, arrays ([] when empty), bytes that are not UTF-8 escaped as \\xNN (got %s)",
	   text);
	json_object_put(j);
	{
		struct out_node loud = { .obj = { DOC, "a\xc2\x9b" "b\x7f\\\x1b\xc3\xa9\"" } };

		j = out_document_json(&spec, &sel, &loud);
		text = j ? json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN) : "NULL";
		ok(strstr(text, "\"name\":\"a\\u009bb\\u007f\\\\\\\\\\u001b\xc3\xa9\\\"\"") != NULL,
		   "document: C1 and DEL written as \\u escapes too, a backslash as \\\\ (got %s)",
		   text);
		json_object_put(j);
		out_node_free(&loud);
	}
	j = out_document_json(&spec, &sel, &bare);
	text = j ? json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN) : "NULL";
	ok(strcmp(text, "{\"name\":\"e\",\"target\":null,\"items\":[],\"empty\":[]}") == 0,
	   "document without children: null object, empty arrays (got %s)", text);
	json_object_put(j);
	out_node_free(&doc);
}

/* "group.key" nests; OUT_ON_REQUEST keys only when selected. */
static void test_groups(void)
{
	static const struct out_column cols[] = {
		{ "DEV", "dev", "a row", OUT_STRING, 1, OUT_DEFAULT, get_text },
		{ "A", "health.a", "nested", OUT_STRING, 1, OUT_ON_REQUEST, get_text },
		{ "B", "health.b", "nested too", OUT_STRING, 1, OUT_ON_REQUEST, get_text },
		{ "C", "c", "after the group", OUT_STRING, 1, 0, get_text },
	};
	static const char *const keys[] = { "rows" };
	static const struct out_spec spec = {
		.columns = cols, .nr_columns = 4, .kind_keys = keys,
		.kind_names = keys, .nr_kinds = 1,
	};
	struct out_opts opts = { .json = true };
	struct out_node root = { .child_kinds = 1 };
	struct out_selection sel;
	struct json_object *j;
	const char *text;

	out_node_add(&root, 0, "x");
	out_select(&spec, &opts, 1, &sel, NULL, 0);
	j = out_to_json(&spec, &sel, &root);
	text = j ? json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN) : "NULL";
	ok(strcmp(text, "{\"rows\":[{\"dev\":\"x\",\"c\":\"x\"}]}") == 0,
	   "OUT_ON_REQUEST: not in JSON unless selected (got %s)", text);
	json_object_put(j);
	out_select_add(&sel, 2);
	out_select_add(&sel, 1);
	j = out_to_json(&spec, &sel, &root);
	text = j ? json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN) : "NULL";
	ok(strcmp(text, "{\"rows\":[{\"dev\":\"x\",\"health\":{\"a\":\"x\",\"b\":\"x\"},\"c\":\"x\"}]}") == 0,
	   "selected: \"group.key\" nests in declaration order (got %s)", text);
	json_object_put(j);
	opts.columns = "health.b,dev";
	out_select(&spec, &opts, 1, &sel, NULL, 0);
	j = out_to_json(&spec, &sel, &root);
	text = j ? json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN) : "NULL";
	ok(strcmp(text, "{\"rows\":[{\"health\":{\"b\":\"x\"},\"dev\":\"x\"}]}") == 0,
	   "-o names a nested key (got %s)", text);
	json_object_put(j);
	out_node_free(&root);
}

static void get_number(const struct out_obj *obj, struct out_cell *cell)
{
	cell->u = *(const unsigned int *)obj->ptr;
}

/* OUT_HIDE_EMPTY: the table drops a column of zeros, unless -o names it. */
static void test_hide_empty(void)
{
	static const struct out_column cols[] = {
		{ "N", "n", "a number", OUT_UINT, 1, OUT_DEFAULT, get_number },
		{ "BAD", "bad", "zero mostly", OUT_UINT, 1,
		  OUT_DEFAULT | OUT_HIDE_EMPTY, get_number },
	};
	static const char *const keys[] = { "rows" };
	static const struct out_spec spec = {
		.columns = cols, .nr_columns = 2, .kind_keys = keys,
		.kind_names = keys, .nr_kinds = 1,
	};
	unsigned int zero = 0, two = 2;
	struct out_opts opts = { 0 };
	struct out_node root = { .child_kinds = 1 };
	struct out_selection sel;
	char *buf = NULL;
	size_t len;
	FILE *mem;

	out_node_add(&root, 0, &zero);
	out_select(&spec, &opts, 1, &sel, NULL, 0);
	mem = open_memstream(&buf, &len);
	out_print(mem, &spec, &opts, &sel, &root);
	fclose(mem);
	ok(strcmp(buf, "N\n0\n") == 0, "OUT_HIDE_EMPTY: all zero, not shown (got '%s')", buf);
	free(buf);
	opts.columns = "n,bad";
	out_select(&spec, &opts, 1, &sel, NULL, 0);
	mem = open_memstream(&buf, &len);
	out_print(mem, &spec, &opts, &sel, &root);
	fclose(mem);
	ok(strcmp(buf, "N BAD\n0 0\n") == 0, "OUT_HIDE_EMPTY: shown when -o names it (got '%s')", buf);
	free(buf);
	out_node_add(&root, 0, &two);
	opts.columns = NULL;
	out_select(&spec, &opts, 1, &sel, NULL, 0);
	mem = open_memstream(&buf, &len);
	out_print(mem, &spec, &opts, &sel, &root);
	fclose(mem);
	ok(strcmp(buf, "N BAD\n0 0\n2 2\n") == 0, "OUT_HIDE_EMPTY: shown when a row has a value (got '%s')", buf);
	free(buf);
	out_node_free(&root);
}

int main(void)
{
	test_hide_empty();
	test_selection();
	test_groups();
	test_document();
	test_float();
	test_json_shape();
	test_empty_platform();
	test_resolve();
	test_table();
	return done_testing();
}
