// SPDX-License-Identifier: GPL-2.0-or-later
/* pmemctl show: the platform verdict and a detailed view of objects. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "../lib/compat.h"
#include "columns.h"
#include "objects.h"
#include "pmemctl.h"
#include "../lib/pmem.h"

/* The platform as one object, for the column engine. */
struct platform_view {
	const struct pm_platform *pf;
	const char **weakest_regions;	/* NULL-terminated */
	const char **reasons;		/* "region2: ..." per weakest region */
};

#define VIEW(obj) ((const struct platform_view *)(obj)->ptr)

static void get_name(const struct out_obj *obj, struct out_cell *cell)
{
	cell->str = "platform";
}

static void get_domain(const struct out_obj *obj, struct out_cell *cell)
{
	cell->str = pm_domain_name(VIEW(obj)->pf->verdict);
}

static void get_weakest(const struct out_obj *obj, struct out_cell *cell)
{
	cell->strv = VIEW(obj)->weakest_regions;
}

static void get_reasons(const struct out_obj *obj, struct out_cell *cell)
{
	cell->strv = VIEW(obj)->reasons;
	cell->null = !VIEW(obj)->reasons[0];
}

static void get_granularity(const struct out_obj *obj, struct out_cell *cell)
{
	const struct pm_platform *pf = VIEW(obj)->pf;

	cell->str = pm_granularity_name(pf->verdict_granularity);
	cell->null = !pf->weakest;
}

static void get_recipe(const struct out_obj *obj, struct out_cell *cell)
{
	const struct pm_platform *pf = VIEW(obj)->pf;

	cell->null = !pf->weakest;
	if (pf->weakest)
		cell->str = pm_namespace_recipe(pf->weakest);
}

static void get_weakest_ns(const struct out_obj *obj, struct out_cell *cell)
{
	const struct pm_platform *pf = VIEW(obj)->pf;

	cell->null = !pf->weakest;
	if (pf->weakest)
		cell->str = pf->weakest->dev;
}

static void get_nr_regions(const struct out_obj *obj, struct out_cell *cell)
{
	cell->u = VIEW(obj)->pf->nr_regions;
}

static void get_nr_namespaces(const struct out_obj *obj, struct out_cell *cell)
{
	const struct pm_platform *pf = VIEW(obj)->pf;

	for (size_t i = 0; i < pf->nr_namespaces; i++)
		cell->u += pf->namespaces[i]->active;
}

enum { SHOW_PLATFORM, SHOW_DOCUMENT };

static const struct out_column platform_columns[] = {
	{ "NAME", NULL, "platform", OUT_STRING, 1, 0, get_name },
	{ "PERSISTENCE", "persistence_domain",
	  "weakest persistence domain over all pmem regions", OUT_STRING, 1, 0,
	  get_domain },
	{ "WEAKEST", "weakest_regions", "the regions that set it", OUT_STRV, 1,
	  0, get_weakest },
	{ "REASONS", "reasons", "why their domain is unknown or none, or memory_controller on CXL",
	  OUT_STRV, 1, 0, get_reasons },
	{ "GRANULARITY", "granularity",
	  "weakest store granularity over active namespaces", OUT_STRING, 1, 0,
	  get_granularity },
	{ "WEAKEST_NS", "weakest_namespace", "a namespace with that granularity",
	  OUT_STRING, 1, 0, get_weakest_ns },
	{ "RECIPE", "recipe", "what an application must do after a store there",
	  OUT_STRING, 1, 0, get_recipe },
	{ "REGIONS", "regions", "number of regions", OUT_UINT, 1, 0,
	  get_nr_regions },
	{ "NAMESPACES", "namespaces", "number of active namespaces", OUT_UINT, 1,
	  0, get_nr_namespaces },
	{ "PLATFORM", "platform", "the platform verdict (then the object arrays of list)",
	  OUT_OBJECT, 1 << SHOW_DOCUMENT, 0, NULL, SHOW_PLATFORM },
};

static const char *const platform_keys[] = {
	[SHOW_PLATFORM] = "platform",
	[SHOW_DOCUMENT] = "show",
};

static const struct out_spec platform_spec = {
	.columns = platform_columns,
	.nr_columns = ARRAY_SIZE(platform_columns),
	.kind_keys = platform_keys,
	.kind_names = platform_keys,
	.nr_kinds = ARRAY_SIZE(platform_keys),
	/* With the object arrays of list's spec after "platform". */
	.document = OUT_DOC_OBJECT,
	/*
	 * 2: list's objects gained CXL memdevs and keys (list's 2).
	 * 3: persistence_reason on CXL regions (list's 3), and reasons.
	 * 4: the system-ram keys of dax devices (list's 4).
	 * 5: state_reason (list's 5).
	 * 6: dimms[].security, security_frozen (list's 6).
	 * 7: CXL poison keys of badblocks, memdevs' badblocks (list's 7).
	 * 8: a DIMM's firmware and firmware_reason (list's 8).
	 * 9: a CXL memdev's security and firmware (list's 9).
	 */
	.schema_version = 9,
	.root_kind = SHOW_DOCUMENT,
};

static int make_view(const struct pm_platform *pf, struct platform_view *view)
{
	size_t n = 0;

	view->pf = pf;
	view->weakest_regions = calloc(pf->nr_regions + 1, sizeof(char *));
	view->reasons = calloc(pf->nr_regions + 1, sizeof(char *));
	if (!view->weakest_regions || !view->reasons)
		return -ENOMEM;
	for (size_t i = 0; i < pf->nr_regions; i++) {
		const struct pm_region *region = pf->regions[i];
		char *reason;

		if (!pm_region_is_pmem(region) ||
		    region->domain != pf->verdict)
			continue;
		view->weakest_regions[n] = region->dev;
		if (region->domain_reason &&
		    asprintf(&reason, "%s: %s", region->dev, region->domain_reason) > 0)
			view->reasons[n] = reason;
		n++;
	}
	/* Compact the reasons: a region whose firmware declares a domain has none. */
	for (size_t i = 0, j = 0; i <= n; i++)
		if (view->reasons[i] || i == n)
			view->reasons[j++] = view->reasons[i];
	return 0;
}

static void free_view(struct platform_view *view)
{
	for (size_t i = 0; view->reasons && view->reasons[i]; i++)
		free((char *)view->reasons[i]);
	free(view->reasons);
	free(view->weakest_regions);
}

static struct {
	struct out_opts out;
	bool idle;
} param;

/* The listing's -o and -b; a page of fields has no headings or raw form. */
static const struct cli_option options[] = {
	CLI_HEADING("Options:"),
	OPT_FLAG('i', "idle", &param.idle, "include disabled and unconfigured objects"),
	OPT_FLAG('J', "json", &param.out.json, "JSON: {\"platform\": {...}, \"regions\": [...]}"),
	OPT_STRING('o', "output", &param.out.columns, "LIST", "only these fields (see list --list-columns)"),
	OPT_FLAG('b', "bytes", &param.out.bytes, "sizes in bytes"),
	OPT_LIST_COLUMNS_ROW(&param.out),
	CLI_COMMON_OPTIONS,
	CLI_END,
};

static void usage(void)
{
	printf("Usage: pmemctl show [options] [OBJECT...]\n"
	       "\n"
	       "Show the platform's persistence verdict (the weakest domain of\n"
	       "all regions, as libpmem2 judges eADR) and every region and\n"
	       "namespace in detail: persistence domain and why, deep flush,\n"
	       "block-layer flush, MAP_SYNC, store granularity and what an\n"
	       "application must do after a store. OBJECT (region0,\n"
	       "namespace0.0, pmem0, dax0.0, ...) narrows the view.\n"
	       "\n");
	cli_print_options(stdout, options);
}

static int print_json(const struct out_selection *platform_sel,
		      const struct platform_view *view,
		      const struct out_selection *sel, const struct out_node *root)
{
	struct out_node doc = { .obj = { SHOW_DOCUMENT, NULL } };
	struct json_object *jdoc = NULL, *jobjects = NULL;
	int rc = -ENOMEM;

	/* The platform first, then the object arrays as list prints them. */
	if (out_node_add(&doc, SHOW_PLATFORM, view))
		jdoc = out_document_json(&platform_spec, platform_sel, &doc);
	if (jdoc)
		jobjects = out_to_json(&object_spec, sel, root);
	if (jobjects && !out_json_append(jdoc, jobjects)) {
		rc = out_print_document(stdout, &platform_spec, jdoc);
		jdoc = NULL;
	}
	json_object_put(jdoc);
	out_node_free(&doc);
	return rc;
}

int cmd_show(int argc, char **argv, struct pmemctl_ctx *ctx)
{
	unsigned int selected = (1u << PM_REGION) | (1u << PM_NAMESPACE);
	const struct cli_parser parser = {
		.table = options, .usage = usage, .out = &param.out, .spec = &platform_spec,
	};
	struct out_opts *opts = &param.out, platform_opts = { 0 };
	struct out_selection sel, platform_sel;
	struct out_node root = { 0 }, platform_root = { 0 };
	struct platform_view view = { 0 };
	struct filter filter = { 0 };
	struct pm_platform *pf;
	int rc, exit_code;

	exit_code = cli_parse(ctx, argc, argv, &parser);
	if (exit_code != CLI_GO_ON)
		return exit_code;
	exit_code = EXIT_OK;
	filter.idle = param.idle;
	/* Without -o every field that applies is shown, as in JSON. */
	if (!opts->columns)
		opts->output_all = true;
	rc = select_columns(ctx, &object_spec, opts, selected, &sel);
	if (rc)
		return rc;
	sel.explicit_columns = opts->columns != NULL;
	platform_opts.output_all = true;
	select_columns(ctx, &platform_spec, &platform_opts, 1, &platform_sel);

	pf = ctx_platform(ctx, &exit_code);
	if (!pf)
		return exit_code;
	for (int i = optind; i < argc; i++) {
		struct wanted w = { .kind = PM_NR_KINDS, .name = argv[i] };

		rc = resolve_object(pf, &w, &filter);
		if (rc)
			return rc;
	}
	if (filter.nr_daxdevs)
		selected |= 1u << PM_DAXDEV;
	/* A DIMM named: its SMART health and firmware, and why they are null. */
	if (filter.nr_dimms) {
		selected |= 1u << PM_DIMM;
		if (!opts->columns)
			rc = object_select_health(&sel, true) ?:
			     object_select_health_reason(&sel) ?:
			     object_select_firmware(&sel, true) ?:
			     object_select_firmware_reason(&sel);
		if (rc) {
			cli_error(NULL, "%s", strerror(-rc));
			return EXIT_FAIL;
		}
	}

	/* A memdev named: its firmware, and why its slots are null. */
	if (filter.nr_memdevs)
		selected |= 1u << PM_MEMDEV;
	if (filter.nr_memdevs && !filter.nr_dimms && !opts->columns) {
		rc = object_select_firmware(&sel, true) ?: object_select_firmware_reason(&sel);
		if (rc) {
			cli_error(NULL, "%s", strerror(-rc));
			return EXIT_FAIL;
		}
	}

	/* Null elsewhere, so only where the platform has CXL. */
	if (object_select_cxl(&sel, pf)) {
		cli_error(NULL, "%s", strerror(E2BIG));
		return EXIT_FAIL;
	}
	platform_root.child_kinds = 1;
	rc = make_view(pf, &view);
	if (!rc && !out_node_add(&platform_root, 0, &view))
		rc = -ENOMEM;
	if (!rc)
		rc = build_object_tree(pf, selected, &filter, &root);
	if (!rc && opts->json)
		rc = object_add_cxl(&root, &sel);
	if (!rc && opts->json) {
		rc = print_json(&platform_sel, &view, &sel, &root);
	} else if (!rc) {
		out_print_details(stdout, &platform_spec, opts, &platform_sel,
				  &platform_root);
		if (root.nr_children)
			fputc('\n', stdout);
		out_print_details(stdout, &object_spec, opts, &sel, &root);
	}
	out_node_free(&root);
	out_node_free(&platform_root);
	free_view(&view);
	if (rc) {
		cli_error(NULL, "%s", strerror(-rc));
		return EXIT_FAIL;
	}
	return EXIT_OK;
}
