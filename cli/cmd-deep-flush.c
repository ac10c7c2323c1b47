// SPDX-License-Identifier: GPL-2.0-or-later
/* pmemctl deep-flush: flush into the persistence domain, or say why not. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "../lib/compat.h"
#include "pmemctl.h"
#include "../lib/flush.h"
#include "../lib/pmem.h"

struct flush_row {
	struct pm_target target;
	struct pm_flush_result result;
};

#define ROW(obj) ((const struct flush_row *)(obj)->ptr)

static void get_target(const struct out_obj *obj, struct out_cell *cell)
{
	cell->str = ROW(obj)->target.name;
}

static void get_region(const struct out_obj *obj, struct out_cell *cell)
{
	cell->str = ROW(obj)->target.region->dev;
}

static void get_namespace(const struct out_obj *obj, struct out_cell *cell)
{
	const struct pm_namespace *ns = ROW(obj)->target.ns;

	cell->str = ns ? ns->dev : NULL;
}

static void get_method(const struct out_obj *obj, struct out_cell *cell)
{
	const struct pm_flush_result *r = &ROW(obj)->result;

	/* "auto" here means no method applied: say so with null. */
	cell->str = r->method == PM_METHOD_AUTO ? NULL :
		    pm_flush_method_name(r->method);
}

static void get_device(const struct out_obj *obj, struct out_cell *cell)
{
	const char *device = ROW(obj)->result.device;

	cell->str = device[0] ? device : NULL;
}

static void get_outcome(const struct out_obj *obj, struct out_cell *cell)
{
	cell->str = pm_flush_outcome_name(ROW(obj)->result.outcome);
}

static void get_latency(const struct out_obj *obj, struct out_cell *cell)
{
	cell->u = ROW(obj)->result.latency_ns;
	cell->null = !ROW(obj)->result.timed;
}

static void get_errno(const struct out_obj *obj, struct out_cell *cell)
{
	cell->i = ROW(obj)->result.err;
	cell->null = !ROW(obj)->result.err;
}

static void get_message(const struct out_obj *obj, struct out_cell *cell)
{
	cell->str = ROW(obj)->result.message;
}

static void get_warning(const struct out_obj *obj, struct out_cell *cell)
{
	const char *warning = ROW(obj)->result.warning;

	cell->str = warning[0] ? warning : NULL;
}

static const struct out_column flush_columns[] = {
	{ "TARGET", "target", "the target as given", OUT_STRING, 1,
	  OUT_DEFAULT, get_target },
	{ "REGION", "region", "its region", OUT_STRING, 1, OUT_DEFAULT,
	  get_region },
	{ "NAMESPACE", "namespace", "its namespace (null for a region)",
	  OUT_STRING, 1, 0, get_namespace },
	{ "METHOD", "method", "sysfs or fsync (null: nothing was done)",
	  OUT_STRING, 1, OUT_DEFAULT, get_method },
	{ "DEVICE", "device", "the attribute or device node used", OUT_STRING,
	  1, 0, get_device },
	{ "OUTCOME", "outcome",
	  "flushed, dry-run, not-needed, not-permitted, not-supported, failed",
	  OUT_STRING, 1, OUT_DEFAULT, get_outcome },
	{ "LATENCY_NS", "latency_ns", "time of the flush itself in ns",
	  OUT_UINT, 1, OUT_DEFAULT | OUT_RIGHT, get_latency },
	{ "ERRNO", "errno", "the kernel's error number on failure", OUT_INT, 1,
	  0, get_errno },
	{ "MESSAGE", "message", "what happened, or why nothing did", OUT_STRING,
	  1, OUT_DEFAULT, get_message },
	{ "WARNING", "warning", "DIMM health that puts the flush in doubt",
	  OUT_STRING, 1, 0, get_warning },
};

static const char *const flush_keys[] = { "flushes" };
static const char *const flush_names[] = { "flush" };

static const struct out_spec flush_spec = {
	.columns = flush_columns,
	.nr_columns = ARRAY_SIZE(flush_columns),
	.kind_keys = flush_keys,
	.kind_names = flush_names,
	.nr_kinds = 1,
};

static int outcome_exit_code(enum pm_flush_outcome outcome, bool strict)
{
	switch (outcome) {
	case PM_OUTCOME_FLUSHED:
	case PM_OUTCOME_DRY_RUN:
		return EXIT_OK;
	case PM_OUTCOME_NOT_NEEDED:
		return strict ? EXIT_NOT_NEEDED : EXIT_OK;
	case PM_OUTCOME_NOT_PERMITTED:
		return EXIT_PERMISSION;
	case PM_OUTCOME_NOT_SUPPORTED:
		return EXIT_UNSUPPORTED;
	default:
		return EXIT_FAIL;
	}
}

static void print_human(const struct flush_row *row)
{
	const struct pm_flush_result *r = &row->result;
	const char *outcome = pm_flush_outcome_name(r->outcome);

	switch (r->outcome) {
	case PM_OUTCOME_FLUSHED:
		printf("%s: flushed via %s in %.1f us (%s)\n", esc(row->target.name),
		       pm_flush_method_name(r->method), r->latency_ns / 1000.0,
		       esc(r->message));
		break;
	case PM_OUTCOME_DRY_RUN:
	case PM_OUTCOME_NOT_NEEDED:
		printf("%s: %s: %s\n", esc(row->target.name), outcome, esc(r->message));
		break;
	default:
		cli_error(row->target.name, "%s: %s", outcome, r->message);
		break;
	}
	if (r->warning[0])
		cli_error(row->target.name, "warning: %s", r->warning);
}

enum {
	OPT_STRICT = OPT_FIRST_COMMAND_OPT,
	OPT_DRY_RUN,
};

static struct {
	struct out_opts out;
	enum pm_flush_method method;
	bool strict, dry_run;
} param = { .out.output_all = true, .method = PM_METHOD_AUTO };

static int parse_method(struct pmemctl_ctx *ctx, const char *arg, void *value)
{
	if (pm_flush_method_parse(arg, value) < 0)
		return cli_usage_error(ctx, "unknown method '%s': use auto, sysfs or fsync",
				       arg);
	return EXIT_OK;
}

static const struct cli_option options[] = {
	CLI_HEADING("Options:"),
	OPT_CALLBACK('m', "method", &param.method, "METHOD",
		     "auto (default), sysfs (the region's\ndeep_flush) or fsync (the block device)",
		     parse_method),
	OPT_FLAG(OPT_STRICT, "strict", &param.strict, "'not needed' is an error (exit 8)"),
	OPT_FLAG(OPT_DRY_RUN, "dry-run", &param.dry_run, "say what would be done; flush nothing"),
	OPT_DOCUMENT_GROUP(&param.out, "JSON: {\"flushes\": [...]}"),
	CLI_COMMON_OPTIONS,
	CLI_END,
};

static void usage(void)
{
	printf("Usage: pmemctl deep-flush [options] TARGET...\n"
	       "\n"
	       "Flush the write-pending queues of the DIMMs behind TARGET into\n"
	       "the persistence domain, by the path that works for it, or say\n"
	       "exactly why none is needed or possible. TARGET: a region\n"
	       "(region0), a namespace (namespace0.0), a block device\n"
	       "(/dev/pmem0), a dax device (/dev/dax0.0), a file or mount point\n"
	       "on a DAX filesystem, or 'all' (every pmem region).\n"
	       "\n");
	cli_print_options(stdout, options);
	printf(	       "\n"
	       "Exit: 0 flushed or not needed, 3 unknown target, 4 not permitted,\n"
	       "5 not supported, 1 failed, 8 not needed with --strict, 7 some of\n"
	       "several targets failed. See pmemctl-deep-flush(1).\n");
}

/* Every enabled pmem region: "all" flushes what the platform has. */
static int add_all_regions(struct pm_platform *pf, struct flush_row **rows,
			   size_t *nr)
{
	for (size_t i = 0; i < pf->nr_regions; i++) {
		struct pm_region *region = pf->regions[i];
		struct flush_row *grown;

		if (!pm_region_is_pmem(region) || !region->enabled)
			continue;
		grown = realloc(*rows, (*nr + 1) * sizeof(**rows));
		if (!grown)
			return -ENOMEM;
		*rows = grown;
		memset(&grown[*nr], 0, sizeof(grown[*nr]));
		grown[*nr].target.pf = pf;
		grown[*nr].target.name = region->dev;
		grown[*nr].target.region = region;
		(*nr)++;
	}
	return 0;
}

static int resolve_targets(struct pm_platform *pf, char **names, int count,
			   struct flush_row **rows, size_t *nr)
{
	for (int i = 0; i < count; i++) {
		struct flush_row *grown;
		struct pm_target t;
		int rc;

		if (strcmp(names[i], "all") == 0) {
			if (add_all_regions(pf, rows, nr))
				return EXIT_FAIL;
			continue;
		}
		rc = pm_resolve_target(pf, names[i], &t);
		if (rc == -ENODEV) {
			cli_error(names[i], "not on persistent memory (it is on %s)",
				  t.device[0] ? t.device : "another device");
			return EXIT_NOT_FOUND;
		}
		if (rc) {
			cli_error(names[i], "no such region, namespace, device or file");
			return EXIT_NOT_FOUND;
		}
		if (t.ns && t.ns->system_ram) {
			cli_error(names[i], "%s is system RAM (kmem): nothing on it is persistent, a deep flush does not apply",
				  t.ns->dev);
			return EXIT_UNSUPPORTED;
		}
		grown = realloc(*rows, (*nr + 1) * sizeof(**rows));
		if (!grown)
			return EXIT_FAIL;
		*rows = grown;
		memset(&grown[*nr], 0, sizeof(grown[*nr]));
		grown[(*nr)++].target = t;
	}
	return EXIT_OK;
}

int cmd_deep_flush(int argc, char **argv, struct pmemctl_ctx *ctx)
{
	const struct cli_parser parser = {
		.table = options, .usage = usage, .out = &param.out, .spec = &flush_spec,
	};
	const struct out_opts *opts = &param.out;
	struct flush_row *rows = NULL;
	struct out_node root = { .child_kinds = 1 };
	size_t nr = 0, nr_failed = 0;
	struct out_selection sel;
	struct pm_platform *pf;
	int rc, exit_code, first_code = EXIT_OK;
	bool same_code = true;

	exit_code = cli_parse(ctx, argc, argv, &parser);
	if (exit_code != CLI_GO_ON)
		return exit_code;
	exit_code = EXIT_OK;
	if (optind == argc)
		return cli_usage_error(ctx, "no target given (a region, namespace, device, path or 'all')");
	select_columns(ctx, &flush_spec, opts, 1, &sel);

	pf = ctx_platform(ctx, &exit_code);
	if (!pf)
		return exit_code;
	rc = resolve_targets(pf, argv + optind, argc - optind, &rows, &nr);
	if (rc) {
		free(rows);
		return rc;
	}
	if (!nr) {
		free(rows);
		cli_error("all", "no enabled persistent-memory region to flush");
		return EXIT_NOT_FOUND;
	}

	for (size_t i = 0; i < nr; i++) {
		int code;

		pm_deep_flush(&rows[i].target, param.method, param.dry_run, &rows[i].result);
		code = outcome_exit_code(rows[i].result.outcome, param.strict);
		if (i == 0)
			first_code = code;
		same_code &= code == first_code;
		nr_failed += code != EXIT_OK;
		if (!opts->json)
			print_human(&rows[i]);
		else if (!out_node_add(&root, 0, &rows[i]))
			rc = -ENOMEM;
	}
	if (opts->json && !rc)
		rc = out_print(stdout, &flush_spec, opts, &sel, &root);
	out_node_free(&root);
	free(rows);
	if (rc) {
		cli_error(NULL, "%s", strerror(-rc));
		return EXIT_FAIL;
	}
	/* One target: its own code. Several: all ok, some, or all failed. */
	if (!nr_failed)
		return EXIT_OK;
	if (nr_failed < nr)
		return EXIT_PARTIAL;
	return same_code ? first_code : EXIT_FAIL;
}
