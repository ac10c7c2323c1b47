// SPDX-License-Identifier: GPL-2.0-or-later
/* The report of a change: a human summary, or one JSON document whose keys
 * are columns of the output engine. */
#include <stdio.h>
#include <string.h>

#include "escape.h"
#include "change.h"
#include "../lib/clear.h"
#include "../lib/compat.h"
#include "../lib/cxl-region.h"
#include "../lib/firmware.h"
#include "../lib/labels-write.h"
#include "../lib/pmem.h"
#include "../lib/sysram.h"

/* The document, its two configurations and its steps. */
enum { K_CHANGE, K_FROM, K_TO, K_STEP, K_RANGE };

struct change_doc {
	const char *object;		/* the namespace (or region) named */
	const struct pm_change_result *res;
	bool dry_run;
};

#define DOC(obj) ((const struct change_doc *)(obj)->ptr)
#define RES(obj) (DOC(obj)->res)
#define CFG(obj) ((const struct pm_ns_config *)(obj)->ptr)
#define STEP(obj) ((const struct pm_step *)(obj)->ptr)
#define RANGE(obj) ((const struct pm_clear_range *)(obj)->ptr)

static void get_namespace(const struct out_obj *obj, struct out_cell *cell)
{
	if (obj->kind == K_RANGE) {
		cell->str = RANGE(obj)->ns;
		cell->null = !cell->str[0];
		return;
	}
	cell->str = DOC(obj)->object;
	/* A region verb, a DIMM's, a label verb, enable or disable: no namespace. */
	cell->null = RES(obj)->region != NULL || RES(obj)->dimm[0] ||
		     RES(obj)->labels != NULL || RES(obj)->objects != NULL ||
		     RES(obj)->firmware != NULL;
}

static void get_objects(const struct out_obj *obj, struct out_cell *cell)
{
	static const char *const none[] = { NULL };

	cell->strv = RES(obj)->objects ? (const char *const *)RES(obj)->objects : none;
}

#define REGION_CHANGE(obj) (RES(obj)->region)

static void get_region(const struct out_obj *obj, struct out_cell *cell)
{
	cell->str = REGION_CHANGE(obj) ? REGION_CHANGE(obj)->region : "";
	cell->null = !cell->str[0];
}

static void get_cxl_region(const struct out_obj *obj, struct out_cell *cell)
{
	cell->str = REGION_CHANGE(obj) ? REGION_CHANGE(obj)->cxl_region : "";
	cell->null = !cell->str[0];
}

static void get_decoder(const struct out_obj *obj, struct out_cell *cell)
{
	cell->str = REGION_CHANGE(obj) ? REGION_CHANGE(obj)->decoder : "";
	cell->null = !cell->str[0];
}

static void get_memdevs(const struct out_obj *obj, struct out_cell *cell)
{
	static const char *const none[] = { NULL };

	cell->strv = REGION_CHANGE(obj) ? REGION_CHANGE(obj)->memdev_names : none;
}

static void get_ways(const struct out_obj *obj, struct out_cell *cell)
{
	cell->u = REGION_CHANGE(obj) ? REGION_CHANGE(obj)->ways : 0;
	cell->null = !cell->u;
}

static void get_granularity(const struct out_obj *obj, struct out_cell *cell)
{
	cell->u = REGION_CHANGE(obj) ? REGION_CHANGE(obj)->granularity : 0;
	cell->null = !cell->u;
}

static void get_region_size(const struct out_obj *obj, struct out_cell *cell)
{
	cell->u = REGION_CHANGE(obj) ? REGION_CHANGE(obj)->size : 0;
	cell->null = !cell->u;
}

static void get_dimms(const struct out_obj *obj, struct out_cell *cell)
{
	static const char *const none[] = { NULL };

	cell->strv = RES(obj)->labels ? RES(obj)->labels->dimm_names :
		     RES(obj)->firmware ? RES(obj)->firmware->dimms : none;
}

static void get_updated(const struct out_obj *obj, struct out_cell *cell)
{
	static const char *const none[] = { NULL };

	cell->strv = RES(obj)->firmware ? RES(obj)->firmware->updated : none;
}

static void get_activation(const struct out_obj *obj, struct out_cell *cell)
{
	cell->str = RES(obj)->firmware ? RES(obj)->firmware->activation : NULL;
	cell->null = !cell->str;
}

static void get_label_version(const struct out_obj *obj, struct out_cell *cell)
{
	cell->str = RES(obj)->labels ? RES(obj)->labels->version_name : "";
	cell->null = !cell->str[0];
}

static void get_namespaces_lost(const struct out_obj *obj, struct out_cell *cell)
{
	static const char *const none[] = { NULL };

	cell->strv = RES(obj)->labels ? RES(obj)->labels->lost : none;
}

static void get_changed(const struct out_obj *obj, struct out_cell *cell)
{
	cell->b = RES(obj)->changed;
}

static void get_dry_run(const struct out_obj *obj, struct out_cell *cell)
{
	cell->b = DOC(obj)->dry_run;
}

static void get_rolled_back(const struct out_obj *obj, struct out_cell *cell)
{
	cell->b = RES(obj)->rolled_back;
}

static void get_blockdev(const struct out_obj *obj, struct out_cell *cell)
{
	cell->str = RES(obj)->blockdev;
	cell->null = !cell->str[0];
}

static void get_chardev(const struct out_obj *obj, struct out_cell *cell)
{
	cell->str = RES(obj)->chardev;
	cell->null = !cell->str[0];
}

static void get_error(const struct out_obj *obj, struct out_cell *cell)
{
	cell->null = !RES(obj)->err;
	if (!cell->null)
		cell->str = strerror(-RES(obj)->err);
}

static void get_message(const struct out_obj *obj, struct out_cell *cell)
{
	cell->str = RES(obj)->message;
}

static void get_mode(const struct out_obj *obj, struct out_cell *cell)
{
	cell->str = pm_ns_mode_name(CFG(obj)->mode);
}

static void get_map(const struct out_obj *obj, struct out_cell *cell)
{
	cell->str = CFG(obj)->map;
	cell->null = !cell->str;
}

static void get_align(const struct out_obj *obj, struct out_cell *cell)
{
	cell->u = CFG(obj)->align;
	cell->null = !cell->u;
}

static void get_sector_size(const struct out_obj *obj, struct out_cell *cell)
{
	cell->u = CFG(obj)->sector_size;
	cell->null = !cell->u;
}

static void get_uuid(const struct out_obj *obj, struct out_cell *cell)
{
	cell->str = CFG(obj)->uuid;
	cell->null = !cell->str[0];
}

static void get_size(const struct out_obj *obj, struct out_cell *cell)
{
	cell->u = CFG(obj)->size;
}

static void get_zone(const struct out_obj *obj, struct out_cell *cell)
{
	cell->str = CFG(obj)->mode == PM_MODE_SYSTEM_RAM ?
		    pm_zone_name(CFG(obj)->zone) : NULL;
	cell->null = !cell->str;
}

static void get_target_node(const struct out_obj *obj, struct out_cell *cell)
{
	cell->i = CFG(obj)->target_node;
	cell->null = CFG(obj)->mode != PM_MODE_SYSTEM_RAM || cell->i < 0;
}

static void get_step(const struct out_obj *obj, struct out_cell *cell)
{
	cell->str = STEP(obj)->name;
}

static void get_status(const struct out_obj *obj, struct out_cell *cell)
{
	cell->str = pm_step_status_name(STEP(obj)->status);
}

static void get_detail(const struct out_obj *obj, struct out_cell *cell)
{
	cell->str = STEP(obj)->detail;
}

static void get_errno(const struct out_obj *obj, struct out_cell *cell)
{
	cell->i = -STEP(obj)->err;
	cell->null = !cell->i;
}

static void get_offset(const struct out_obj *obj, struct out_cell *cell)
{
	cell->u = RANGE(obj)->offset;
}

static void get_length(const struct out_obj *obj, struct out_cell *cell)
{
	cell->u = RANGE(obj)->length;
}

static void get_source(const struct out_obj *obj, struct out_cell *cell)
{
	cell->str = RANGE(obj)->injected ? "injected" : RANGE(obj)->block ? "block" :
		    RANGE(obj)->method == PM_CLEAR_POISON ? "poison" : "ars";
}

static void get_method(const struct out_obj *obj, struct out_cell *cell)
{
	cell->str = pm_clear_method_name(RANGE(obj)->method);
	cell->null = RANGE(obj)->injected;
}

static void get_dimm(const struct out_obj *obj, struct out_cell *cell)
{
	cell->str = RES(obj)->dimm;
}

static void get_cleared(const struct out_obj *obj, struct out_cell *cell)
{
	cell->b = RANGE(obj)->cleared;
}

#define CHANGE (1u << K_CHANGE)
#define CONFIG (1u << K_FROM | 1u << K_TO)
#define STEPS (1u << K_STEP)
#define RANGES (1u << K_RANGE)

/* Keys come out in this order, per kind. */
static const struct out_column change_columns[] = {
	{ "NAMESPACE", "namespace",
	  "the namespace changed (or made), or the region; of a range: its namespace (null: outside every namespace)",
	  OUT_STRING, CHANGE | RANGES, 0, get_namespace },
	{ "FROM", "from", "its configuration before (clear-errors: null)", OUT_OBJECT, CHANGE, 0,
	  NULL, K_FROM },
	{ "TO", "to", "its configuration after, or planned (clear-errors: null)", OUT_OBJECT,
	  CHANGE, 0, NULL, K_TO },
	{ "CHANGED", "changed", "the platform was changed", OUT_BOOL, CHANGE, 0,
	  get_changed },
	{ "DRY_RUN", "dry_run", "--dry-run: nothing was done", OUT_BOOL, CHANGE,
	  0, get_dry_run },
	{ "ROLLED_BACK", "rolled_back",
	  "a step failed and the previous configuration is back", OUT_BOOL,
	  CHANGE, 0, get_rolled_back },
	{ "STEPS", "steps", "the steps, in order", OUT_ARRAY, CHANGE, 0, NULL,
	  K_STEP },
	{ "BLOCKDEV", "blockdev", "the block device now", OUT_STRING, CHANGE, 0,
	  get_blockdev },
	{ "CHARDEV", "chardev", "the dax device now", OUT_STRING, CHANGE, 0,
	  get_chardev },
	{ "ERROR", "error", "the failed step's error", OUT_STRING, CHANGE, 0,
	  get_error },
	{ "MESSAGE", "message", "what happened, in a sentence", OUT_STRING,
	  CHANGE, 0, get_message },
	{ "RANGES", "ranges",
	  "clear-errors: the bad ranges cleared (or planned); inject-error: the range injected or uninjected (--status: every injected range); [] for the other verbs",
	  OUT_ARRAY, CHANGE, 0, NULL, K_RANGE },
	{ "DIMM", "dimm", "inject-smart: the DIMM", OUT_STRING, CHANGE,
	  OUT_ON_REQUEST, get_dimm },
	/* create-region and destroy-region only: the region verbs select them. */
	{ "REGION", "region",
	  "create-region, destroy-region: the nvdimm region (null until libnvdimm has it)",
	  OUT_STRING, CHANGE, OUT_ON_REQUEST, get_region },
	{ "CXL_REGION", "cxl_region",
	  "create-region, destroy-region: the CXL region (null until made)",
	  OUT_STRING, CHANGE, OUT_ON_REQUEST, get_cxl_region },
	{ "DECODER", "decoder",
	  "create-region, destroy-region: the root decoder (CXL window) of the region",
	  OUT_STRING, CHANGE, OUT_ON_REQUEST, get_decoder },
	{ "MEMDEVS", "memdevs",
	  "create-region, destroy-region: the memdevs, in interleave position order",
	  OUT_STRV, CHANGE, OUT_ON_REQUEST, get_memdevs },
	{ "INTERLEAVE_WAYS", "interleave_ways",
	  "create-region, destroy-region: how many memdevs the region interleaves",
	  OUT_UINT, CHANGE, OUT_ON_REQUEST, get_ways },
	{ "INTERLEAVE_GRANULARITY", "interleave_granularity",
	  "create-region, destroy-region: bytes per memdev before the next one",
	  OUT_UINT, CHANGE, OUT_ON_REQUEST, get_granularity },
	{ "REGION_SIZE", "size",
	  "create-region, destroy-region: the region's size (null: unknown)",
	  OUT_SIZE, CHANGE, OUT_ON_REQUEST, get_region_size },
	/* init-labels, zero-labels and restore-labels only. */
	{ "DIMMS", "dimms", "init-, zero-, restore-labels: the DIMMs whose label areas are written; update-firmware: the DIMMs named, in order",
	  OUT_STRV, CHANGE, OUT_ON_REQUEST, get_dimms },
	{ "LABEL_VERSION", "label_version",
	  "init-labels: the label format written, 1.1 or 1.2 (null for the others)",
	  OUT_STRING, CHANGE, OUT_ON_REQUEST, get_label_version },
	{ "NAMESPACES_LOST", "namespaces_lost",
	  "init-, zero-, restore-labels: the namespaces whose definitions the write destroys (or would)",
	  OUT_STRV, CHANGE, OUT_ON_REQUEST, get_namespaces_lost },

	/* update-firmware only. */
	{ "UPDATED", "updated",
	  "update-firmware: the DIMMs whose new image is staged and verified (those after a failure are not)",
	  OUT_STRV, CHANGE, OUT_ON_REQUEST, get_updated },
	{ "ACTIVATION", "activation",
	  "update-firmware --activate: live or quiesce, done or planned (null: not asked)",
	  OUT_STRING, CHANGE, OUT_ON_REQUEST, get_activation },

	/* enable and disable only. */
	{ "OBJECTS", "objects",
	  "enable, disable: the objects named (a CXL region as cxl:regionN); each step's detail names the object it acts on",
	  OUT_STRV, CHANGE, OUT_ON_REQUEST, get_objects },

	{ "MODE", "mode", "raw, sector, fsdax, devdax or system-ram", OUT_STRING,
	  CONFIG, 0, get_mode },
	{ "MAP", "map", "where the page map is: mem or dev", OUT_STRING, CONFIG,
	  0, get_map },
	{ "ALIGN", "align", "fsdax and devdax mapping alignment", OUT_SIZE,
	  CONFIG, 0, get_align },
	{ "SECTOR_SIZE", "sector_size", "sector mode's sector size", OUT_UINT,
	  CONFIG, 0, get_sector_size },
	{ "UUID", "uuid", "the namespace label's uuid (a conversion keeps it)",
	  OUT_STRING, CONFIG, 0, get_uuid },
	{ "SIZE", "size", "usable bytes", OUT_SIZE, CONFIG, 0, get_size },
	{ "ZONE", "zone",
	  "system-ram: the zone the kernel put the online memory blocks in (movable, normal, mixed; null: none online)",
	  OUT_STRING, CONFIG, 0, get_zone },
	{ "TARGET_NODE", "target_node", "system-ram: the NUMA node of the memory",
	  OUT_INT, CONFIG, 0, get_target_node },

	{ "STEP", "step", "disable, clear-info-block, ...", OUT_STRING, STEPS, 0,
	  get_step },
	{ "STATUS", "status", "done, planned, failed or undone", OUT_STRING,
	  STEPS, 0, get_status },
	{ "DETAIL", "detail", "what the step does, or why it failed",
	  OUT_STRING, STEPS, 0, get_detail },
	{ "ERRNO", "errno", "the step's error number", OUT_INT, STEPS, 0,
	  get_errno },

	{ "OFFSET", "offset",
	  "512-byte sectors from the namespace's first data byte (its block device's sector 0), or from the region's start",
	  OUT_UINT, RANGES, 0, get_offset },
	{ "LENGTH", "length", "512-byte sectors", OUT_UINT, RANGES, 0, get_length },
	{ "SOURCE", "source",
	  "ars: the region's list (ndctl list -M); block: only the block device's badblocks; poison: a CXL memdev's poison list; injected: the platform's injection list",
	  OUT_STRING, RANGES, 0, get_source },
	{ "METHOD", "method",
	  "clear: the bus's clear-error command; write: zeros through the block device; forget: the kernel's list dropped, nothing repaired; clear-poison: a CXL memdev's clear_poison (null: injected)",
	  OUT_STRING, RANGES, 0, get_method },
	{ "CLEARED", "cleared", "cleared and no longer listed", OUT_BOOL,
	  RANGES, 0, get_cleared },
};

static const char *const change_kinds[] = {
	[K_CHANGE] = "change",
	[K_FROM] = "from",
	[K_TO] = "to",
	[K_STEP] = "step",
	[K_RANGE] = "range",
};

const struct out_spec change_report_spec = {
	.columns = change_columns,
	.nr_columns = ARRAY_SIZE(change_columns),
	.kind_keys = change_kinds,
	.kind_names = change_kinds,
	.nr_kinds = ARRAY_SIZE(change_kinds),
	/*
	 * 4: dimm (inject-smart); 5: the label verbs' keys; 6: objects
	 * (enable, disable); 7: updated, activation (update-firmware).
	 */
	.schema_version = 7,
	.document = OUT_DOC_OBJECT,
	.root_kind = K_CHANGE,
};

/* Whether res's verb carries the on-request key of c. */
static bool carries(const struct pm_change_result *res, const struct out_column *c)
{
	if (c->get == get_dimms)
		return res->labels != NULL || res->firmware != NULL;
	if (c->get == get_label_version || c->get == get_namespaces_lost)
		return res->labels != NULL;
	if (c->get == get_updated || c->get == get_activation)
		return res->firmware != NULL;
	if (c->get == get_dimm)
		return res->dimm[0];
	if (c->get == get_objects)
		return res->objects != NULL;
	return res->region != NULL;
}

static void print_json(const struct change_doc *doc)
{
	const struct pm_change_result *res = doc->res;
	struct out_node root = { .obj = { K_CHANGE, doc } };
	struct out_selection sel = { .nr = 0 };
	struct json_object *j = NULL;
	bool added = res->no_config || (out_node_add(&root, K_FROM, &res->from) &&
					out_node_add(&root, K_TO, &res->to));

	/*
	 * The keys of the region verbs, the DIMM verb, the label verbs,
	 * enable and disable: the others do not carry them.
	 */
	for (size_t i = 0; i < change_report_spec.nr_columns; i++)
		if ((change_columns[i].flags & OUT_ON_REQUEST) && carries(res, &change_columns[i]))
			out_select_add(&sel, i);

	for (size_t i = 0; added && i < res->nr_steps; i++)
		added = out_node_add(&root, K_STEP, &res->steps[i]);
	for (size_t i = 0; added && i < res->nr_ranges; i++)
		added = out_node_add(&root, K_RANGE, &res->ranges[i]);
	if (added)
		j = out_document_json(&change_report_spec, &sel, &root);
	out_node_free(&root);
	if (!j) {
		cli_error(doc->object, "cannot build the JSON report: out of memory");
		return;
	}
	if (out_print_document(stdout, &change_report_spec, j))
		cli_error(doc->object, "cannot build the JSON report: out of memory");
}

static void config_text(const struct pm_ns_config *cfg, char *buf, size_t len)
{
	char align[32] = "";

	if (cfg->align)
		pm_format_size(cfg->align, align, sizeof(align));
	if (cfg->mode == PM_MODE_SYSTEM_RAM) {
		snprintf(buf, len, "system-ram %s node=%d",
			 pm_zone_name(cfg->zone) ? pm_zone_name(cfg->zone) : "offline",
			 cfg->target_node);
		return;
	}
	snprintf(buf, len, "%s%s%s%s%s", pm_ns_mode_name(cfg->mode),
		 cfg->map ? " map=" : "", cfg->map ? cfg->map : "",
		 cfg->align ? " align=" : "", align);
}

/*
 * clear-errors names every range it clears (or would, or could not);
 * inject-error the one it injects, or with --status every injected one.
 */
static void print_ranges(FILE *f, const struct pm_change_result *res)
{
	for (size_t i = 0; i < res->nr_ranges; i++) {
		const struct pm_clear_range *r = &res->ranges[i];
		char sectors[64];

		snprintf(sectors, sizeof(sectors), "sectors %llu-%llu",
			 (unsigned long long)r->offset,
			 (unsigned long long)(r->offset + r->length - 1));
		if (r->injected) {
			fprintf(f, "  %-14s %s\n", esc(r->ns), sectors);
			continue;
		}
		fprintf(f, "  %-14s %-24s %-6s %s%s\n", r->ns[0] ? esc(r->ns) : "(region)",
			sectors, r->block ? "block" : "ars",
			pm_clear_method_name(r->method), r->cleared ? ", cleared" : "");
	}
}

void change_report(const char *object, const struct pm_change_result *res,
		   bool json, bool dry_run)
{
	if (json) {
		const struct change_doc doc = { object, res, dry_run };

		print_json(&doc);
		return;
	}
	if (res->err) {
		cli_error(object, "%s", res->message);
		for (size_t i = 0; i < res->nr_steps; i++)
			fprintf(stderr, "  %-8s %-20s %s%s%s\n",
				pm_step_status_name(res->steps[i].status),
				res->steps[i].name, esc(res->steps[i].detail),
				res->steps[i].err ? ": " : "",
				res->steps[i].err ? strerror(-res->steps[i].err) : "");
		print_ranges(stderr, res);
		return;
	}
	if (res->noop && res->no_config) {
		printf("%s: %s\n", esc(object), esc(res->message));
		print_ranges(stdout, res);	/* inject-error --status */
		return;
	}
	if (res->noop) {
		char now[96];

		config_text(&res->from, now, sizeof(now));
		printf("%s: unchanged (%s)\n", esc(object), esc(now));
		return;
	}
	printf("%s: %s", esc(object), esc(res->message));
	if (res->blockdev[0] || res->chardev[0])
		printf(" (/dev/%s)", esc(res->blockdev[0] ? res->blockdev : res->chardev));
	putchar('\n');
	print_ranges(stdout, res);
	if (dry_run) {
		for (size_t i = 0; i < res->nr_steps; i++)
			printf("  %-8s %-20s %s\n", pm_step_status_name(res->steps[i].status),
			       res->steps[i].name, esc(res->steps[i].detail));
	}
}
