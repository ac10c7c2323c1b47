// SPDX-License-Identifier: GPL-2.0-or-later
/* pmemctl scrub: start an address range scrub, wait for it, say what it found. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "escape.h"
#include "pmemctl.h"
#include "../lib/badblocks.h"
#include "../lib/compat.h"
#include "../lib/pmem.h"
#include "../lib/scrub.h"

#define DEFAULT_TIMEOUT 300	/* seconds: nfit_test takes 1-2, a large DIMM minutes */
#define MAX_TIMEOUT 604800	/* a week: beyond that it is a typo */

struct scrub_row {
	char *dev;			/* ndbus1: the bus survives a rescan by name */
	struct pm_bus *bus;		/* in the current snapshot */
	struct pm_scrub_state before;
	struct pm_scrub_state after;
	bool started;			/* false: one was running, we waited for it */
	bool waited;
	bool timed_out;
	double elapsed;
	const struct pm_platform *pf;
};

/* scrub --json: one document; each key a column of this spec. */
enum { SCRUB_DOCUMENT, SCRUB_BUS, SCRUB_REGION, SCRUB_BADBLOCK, SCRUB_NR_KINDS };

#define ROW(obj) ((const struct scrub_row *)(obj)->ptr)
#define REGION(obj) ((const struct pm_region *)(obj)->ptr)
#define BADBLOCK(obj) ((const struct pm_badblock *)(obj)->ptr)

static void get_bus_dev(const struct out_obj *obj, struct out_cell *cell)
{
	cell->str = ROW(obj)->dev;
}

static void get_bus_provider(const struct out_obj *obj, struct out_cell *cell)
{
	cell->str = ROW(obj)->bus->provider;
	cell->null = !cell->str;
}

static void get_started(const struct out_obj *obj, struct out_cell *cell)
{
	cell->b = ROW(obj)->started;
}

static void get_running(const struct out_obj *obj, struct out_cell *cell)
{
	cell->b = ROW(obj)->after.running;
}

static void get_timed_out(const struct out_obj *obj, struct out_cell *cell)
{
	cell->b = ROW(obj)->timed_out;
}

static void get_elapsed(const struct out_obj *obj, struct out_cell *cell)
{
	cell->f = ROW(obj)->elapsed;
	cell->decimals = 1;
	cell->null = !ROW(obj)->waited;
}

static void get_count_before(const struct out_obj *obj, struct out_cell *cell)
{
	cell->u = ROW(obj)->before.count;
}

static void get_count(const struct out_obj *obj, struct out_cell *cell)
{
	cell->u = ROW(obj)->after.count;
}

static void get_region_dev(const struct out_obj *obj, struct out_cell *cell)
{
	cell->str = REGION(obj)->dev;
}

static void get_badblock_count(const struct out_obj *obj, struct out_cell *cell)
{
	cell->u = pm_region_badblocks(REGION(obj))->count;
}

static void get_offset(const struct out_obj *obj, struct out_cell *cell)
{
	cell->u = BADBLOCK(obj)->offset;
}

static void get_length(const struct out_obj *obj, struct out_cell *cell)
{
	cell->u = BADBLOCK(obj)->length;
}

static void get_dimms(const struct out_obj *obj, struct out_cell *cell)
{
	cell->strv = pm_badblock_dimms(BADBLOCK(obj));
}

#define DOC (1u << SCRUB_DOCUMENT)
#define BUS (1u << SCRUB_BUS)
#define RGN (1u << SCRUB_REGION)
#define BB (1u << SCRUB_BADBLOCK)

/* Keys come out in this order, kind by kind. */
static const struct out_column scrub_columns[] = {
	{ "SCRUB.BUSES", "buses", "one object per bus scrubbed",
	  OUT_ARRAY, DOC, 0, NULL, SCRUB_BUS },

	{ "BUS.DEV", "dev", "the bus (ndbus1)", OUT_STRING, BUS, 0, get_bus_dev },
	{ "BUS.PROVIDER", "provider", "its provider (nfit_test.0, ACPI.NFIT)",
	  OUT_STRING, BUS, 0, get_bus_provider },
	{ "BUS.STARTED", "started", "this command started the scrub; false: one was already running (--wait waits for that one)",
	  OUT_BOOL, BUS, 0, get_started },
	{ "BUS.RUNNING", "running", "a scrub is still running (without --wait, or after a timeout)",
	  OUT_BOOL, BUS, 0, get_running },
	{ "BUS.TIMED_OUT", "timed_out", "--wait gave up after --timeout seconds",
	  OUT_BOOL, BUS, 0, get_timed_out },
	{ "BUS.ELAPSED_SECONDS", "elapsed_seconds", "seconds waited; null without --wait",
	  OUT_FLOAT, BUS, 0, get_elapsed },
	{ "BUS.SCRUB_COUNT_BEFORE", "scrub_count_before", "scrubs the kernel had completed before",
	  OUT_UINT, BUS, 0, get_count_before },
	{ "BUS.SCRUB_COUNT", "scrub_count", "scrubs completed now (one more after a scrub that finished)",
	  OUT_UINT, BUS, 0, get_count },
	{ "BUS.REGIONS", "regions", "the bus's regions with the media errors now known",
	  OUT_ARRAY, BUS, 0, NULL, SCRUB_REGION },

	{ "REGION.DEV", "dev", "the region (region3)", OUT_STRING, RGN, 0,
	  get_region_dev },
	{ "REGION.BADBLOCK_COUNT", "badblock_count", "bad 512-byte sectors, as ndctl list -M counts them",
	  OUT_UINT, RGN, 0, get_badblock_count },
	{ "REGION.BADBLOCKS", "badblocks", "the bad ranges, as ndctl list -M gives them",
	  OUT_ARRAY, RGN, 0, NULL, SCRUB_BADBLOCK },

	{ "BADBLOCK.OFFSET", "offset", "first bad sector, from the region's start",
	  OUT_UINT, BB, 0, get_offset },
	{ "BADBLOCK.LENGTH", "length", "bad sectors in the range", OUT_UINT, BB, 0,
	  get_length },
	{ "BADBLOCK.DIMMS", "dimms", "the DIMMs under the range", OUT_STRV, BB, 0,
	  get_dimms },
};

static const char *const scrub_kinds[] = { "scrub", "bus", "region", "badblock" };

static const struct out_spec scrub_spec = {
	.columns = scrub_columns,
	.nr_columns = ARRAY_SIZE(scrub_columns),
	.kind_keys = scrub_kinds,
	.kind_names = scrub_kinds,
	.nr_kinds = SCRUB_NR_KINDS,
	.document = OUT_DOC_OBJECT,
	.root_kind = 0,			/* "scrub" */
};

static bool add_regions(struct out_node *bus_node, const struct scrub_row *row)
{
	for (size_t i = 0; i < row->pf->nr_regions; i++) {
		const struct pm_region *region = row->pf->regions[i];
		const struct pm_badblocks *bbs;
		struct out_node *rnode;

		if (region->bus != row->bus)
			continue;
		rnode = out_node_add(bus_node, SCRUB_REGION, region);
		if (!rnode)
			return false;
		bbs = pm_region_badblocks(region);
		for (size_t j = 0; j < bbs->nr; j++)
			if (!out_node_add(rnode, SCRUB_BADBLOCK, &bbs->v[j]))
				return false;
	}
	return true;
}

static int print_json(const struct scrub_row *rows, size_t nr)
{
	struct out_node root = { .obj = { SCRUB_DOCUMENT, rows } };
	struct out_opts opts = { .output_all = true };
	struct out_selection sel;
	struct json_object *j = NULL;
	bool ok = true;

	out_select(&scrub_spec, &opts, (1u << SCRUB_NR_KINDS) - 1, &sel, NULL, 0);
	for (size_t i = 0; ok && i < nr; i++) {
		struct out_node *bus_node = out_node_add(&root, SCRUB_BUS, &rows[i]);

		ok = bus_node && add_regions(bus_node, &rows[i]);
	}
	if (ok)
		j = out_document_json(&scrub_spec, &sel, &root);
	out_node_free(&root);
	if (!j)
		return -ENOMEM;
	return out_print_document(stdout, &scrub_spec, j);
}

static void print_regions(const struct scrub_row *row)
{
	for (size_t i = 0; i < row->pf->nr_regions; i++) {
		const struct pm_region *region = row->pf->regions[i];
		const struct pm_badblocks *bbs;

		if (region->bus != row->bus)
			continue;
		bbs = pm_region_badblocks(region);
		if (!bbs->nr) {
			printf("  %s: no media errors\n", esc(region->dev));
			continue;
		}
		printf("  %s: %zu bad range%s, %llu sectors\n", esc(region->dev),
		       bbs->nr, bbs->nr == 1 ? "" : "s",
		       (unsigned long long)bbs->count);
		for (size_t j = 0; j < bbs->nr; j++) {
			const char *const *dimms = pm_badblock_dimms(&bbs->v[j]);

			printf("    sectors %llu-%llu", (unsigned long long)bbs->v[j].offset,
			       (unsigned long long)(bbs->v[j].offset + bbs->v[j].length - 1));
			for (size_t k = 0; dimms[k]; k++)
				printf("%s%s", k ? ", " : " on ", esc(dimms[k]));
			printf("\n");
		}
	}
}

static void print_human(const struct scrub_row *rows, size_t nr)
{
	for (size_t i = 0; i < nr; i++) {
		const struct scrub_row *row = &rows[i];
		const char *what = row->started ? "scrub started" :
				   "a scrub was already running";

		printf("%s (%s): ", esc(row->bus->provider), esc(row->dev));
		if (!row->waited)
			printf("%s; scrub count %u\n", what, row->before.count);
		else if (row->timed_out)
			printf("%s; still running after %.0f s; scrub count %u\n",
			       what, row->elapsed, row->after.count);
		else
			printf("scrubbed in %.0f s; scrub count %u -> %u\n",
			       row->elapsed, row->before.count, row->after.count);
		if (row->waited)
			print_regions(row);
	}
}

/* On a terminal: one line on stderr, rewritten each second. */
static void progress(double elapsed, void *arg)
{
	const char *names = arg;

	fprintf(stderr, "\rscrubbing %s: %.0f s", esc(names), elapsed);
	fflush(stderr);
}

enum {
	OPT_TIMEOUT = OPT_FIRST_COMMAND_OPT,
};

static struct scrub_param {
	struct out_opts out;
	bool wait;
	unsigned long timeout;
} param = { .timeout = DEFAULT_TIMEOUT };

static int parse_timeout(struct pmemctl_ctx *ctx, const char *arg, void *value);

static const struct cli_option options[] = {
	CLI_HEADING("Options:"),
	OPT_FLAG('w', "wait", &param.wait, "wait for the scrub, then show the media errors\nfound"),
	OPT_CALLBACK('t', "timeout", &param, "SECONDS", "stop waiting after SECONDS (default 300;\n"
		     "0: look once); implies --wait", parse_timeout),
	OPT_DOCUMENT_GROUP(&param.out, "JSON: {\"buses\": [...]}"),
	CLI_COMMON_OPTIONS,
	CLI_END,
};

static void usage(void)
{
	printf("Usage: pmemctl scrub [options] [BUS|all]...\n"
	       "\n"
	       "Start an address range scrub (ARS): the platform reads every\n"
	       "range of the bus and reports the media errors it finds, which\n"
	       "the kernel adds to the regions' badblocks. A scrub already\n"
	       "running is waited for, not started again. BUS: ndbus1 or a\n"
	       "provider (nfit_test.0); without BUS or with 'all': every bus\n"
	       "that has a scrub. Starting one needs root.\n"
	       "\n");
	cli_print_options(stdout, options);
	printf("\n"
	       "Exit: 0 started (or done with --wait), 3 unknown bus, 4 not root,\n"
	       "5 no scrub on the bus, 12 still running after --timeout.\n"
	       "See pmemctl-scrub(1).\n");
}

static int add_row(struct scrub_row **rows, size_t *nr, struct pm_bus *bus)
{
	struct scrub_row *grown;

	for (size_t i = 0; i < *nr; i++)
		if ((*rows)[i].bus == bus)
			return 0;
	grown = realloc(*rows, (*nr + 1) * sizeof(**rows));
	if (!grown)
		return -ENOMEM;
	*rows = grown;
	memset(&grown[*nr], 0, sizeof(grown[*nr]));
	grown[*nr].bus = bus;
	grown[*nr].dev = strdup(bus->dev);
	if (!grown[*nr].dev)
		return -ENOMEM;
	(*nr)++;
	return 0;
}

static void free_rows(struct scrub_row *rows, size_t nr)
{
	for (size_t i = 0; i < nr; i++)
		free(rows[i].dev);
	free(rows);
}

/* Every bus with a scrub; none: exit 5 naming each bus and why. */
static int add_all(struct pm_platform *pf, struct scrub_row **rows, size_t *nr)
{
	size_t added = 0;
	int rc;

	for (size_t i = 0; i < pf->nr_buses; i++) {
		struct pm_scrub_state state;

		rc = pm_bus_scrub_state(pf->buses[i], &state);
		if (rc < 0) {
			cli_error(pf->buses[i]->dev, "cannot read the scrub state: %s",
				  strerror(-rc));
			return EXIT_FAIL;
		}
		if (!state.supported)
			continue;
		if (add_row(rows, nr, pf->buses[i]))
			return EXIT_FAIL;
		added++;
	}
	if (added)
		return EXIT_OK;
	if (!pf->nr_buses) {
		cli_error("all", "no nvdimm bus here, so nothing to scrub");
		return EXIT_UNSUPPORTED;
	}
	for (size_t i = 0; i < pf->nr_buses; i++) {
		struct pm_scrub_state state;

		pm_bus_scrub_state(pf->buses[i], &state);
		cli_error("all", "no address range scrub on %s (%s): %s",
			  pf->buses[i]->dev, pf->buses[i]->provider, state.reason);
	}
	return EXIT_UNSUPPORTED;
}

static int resolve_buses(struct pm_platform *pf, char **names, int count,
			 struct scrub_row **rows, size_t *nr)
{
	if (!count)
		return add_all(pf, rows, nr);
	for (int i = 0; i < count; i++) {
		struct pm_scrub_state state;
		struct pm_bus *bus;
		int rc;

		if (strcmp(names[i], "all") == 0) {
			rc = add_all(pf, rows, nr);
			if (rc)
				return rc;
			continue;
		}
		bus = pm_find_bus(pf, names[i]);
		if (!bus) {
			cli_error(names[i], "no such bus (pmemctl list -B names them)");
			return EXIT_NOT_FOUND;
		}
		rc = pm_bus_scrub_state(bus, &state);
		if (rc < 0) {
			cli_error(names[i], "cannot read the scrub state: %s",
				  strerror(-rc));
			return EXIT_FAIL;
		}
		if (!state.supported) {
			cli_error(names[i], "no address range scrub on %s (%s): %s",
				  bus->dev, bus->provider, state.reason);
			return EXIT_UNSUPPORTED;
		}
		if (add_row(rows, nr, bus))
			return EXIT_FAIL;
	}
	return EXIT_OK;
}

static int start_all(struct scrub_row *rows, size_t nr)
{
	for (size_t i = 0; i < nr; i++) {
		struct scrub_row *row = &rows[i];
		int rc;

		rc = pm_bus_scrub_state(row->bus, &row->before);
		if (rc < 0) {
			cli_error(row->bus->provider, "cannot read the scrub state: %s",
				  strerror(-rc));
			return EXIT_FAIL;
		}
		/* Another request would queue a second full scrub behind it. */
		if (row->before.running)
			continue;
		rc = pm_bus_scrub_start(row->bus);
		if (rc == -EACCES || rc == -EPERM) {
			cli_error(row->bus->provider, "starting a scrub needs root (it writes %s/nfit/scrub)",
				  row->dev);
			return EXIT_PERMISSION;
		}
		if (rc == -ENOTTY) {
			cli_error(row->bus->provider, "the kernel has no range left to scrub: the firmware failed ARS on each (see the kernel log)");
			return EXIT_FAIL;
		}
		if (rc < 0) {
			cli_error(row->bus->provider, "cannot start a scrub: %s",
				  strerror(-rc));
			return cli_exit_code(rc) == EXIT_USAGE ? EXIT_FAIL :
			       cli_exit_code(rc);
		}
		row->started = rc == 0;
	}
	return EXIT_OK;
}

static int wait_all(struct scrub_row *rows, size_t nr, unsigned long timeout)
{
	const struct pm_bus **buses = calloc(nr, sizeof(*buses));
	char names[256] = "";
	bool tty = isatty(STDERR_FILENO);
	double elapsed;
	int rc;

	if (!buses)
		return -ENOMEM;
	for (size_t i = 0; i < nr; i++) {
		size_t len = strlen(names);

		buses[i] = rows[i].bus;
		snprintf(names + len, sizeof(names) - len, "%s%s", i ? ", " : "",
			 rows[i].bus->provider);
	}
	rc = pm_bus_scrub_wait(buses, nr, timeout * 1000, tty ? progress : NULL,
			       names, &elapsed);
	if (tty)
		fprintf(stderr, "\r\033[K");
	free(buses);
	for (size_t i = 0; i < nr; i++) {
		rows[i].waited = true;
		rows[i].elapsed = elapsed;
	}
	return rc;
}

/* A fresh snapshot: the scrub added ranges the old one had cached. */
static int refresh(struct pmemctl_ctx *ctx, struct scrub_row *rows, size_t nr)
{
	struct pm_platform *pf;
	int exit_code = EXIT_OK;

	pf = ctx_rescan(ctx, &exit_code);
	if (!pf)
		return exit_code;
	for (size_t i = 0; i < nr; i++) {
		struct scrub_row *row = &rows[i];
		int rc;

		row->pf = pf;
		row->bus = pm_find_bus(pf, row->dev);
		if (!row->bus) {
			cli_error(row->dev, "the bus went away");
			return EXIT_FAIL;
		}
		rc = pm_bus_scrub_state(row->bus, &row->after);
		if (rc < 0) {
			cli_error(row->bus->provider, "cannot read the scrub state: %s",
				  strerror(-rc));
			return EXIT_FAIL;
		}
		row->timed_out = row->waited && row->after.running;
	}
	return EXIT_OK;
}

/* --timeout: whole seconds; it implies --wait. */
static int parse_timeout(struct pmemctl_ctx *ctx, const char *arg, void *value)
{
	struct scrub_param *p = value;
	char *end;

	errno = 0;
	p->timeout = strtoul(arg, &end, 10);
	if (errno || end == arg || *end || arg[0] == '-' || p->timeout > MAX_TIMEOUT)
		return cli_usage_error(ctx, "--timeout takes whole seconds, 0 to %d: '%s'",
				       MAX_TIMEOUT, arg);
	p->wait = true;
	return EXIT_OK;
}

int cmd_scrub(int argc, char **argv, struct pmemctl_ctx *ctx)
{
	const struct cli_parser parser = {
		.table = options, .usage = usage, .out = &param.out, .spec = &scrub_spec,
	};
	struct scrub_row *rows = NULL;
	struct pm_platform *pf;
	size_t nr = 0;
	int rc, exit_code;

	exit_code = cli_parse(ctx, argc, argv, &parser);
	if (exit_code != CLI_GO_ON)
		return exit_code;
	exit_code = EXIT_OK;
	pf = ctx_platform(ctx, &exit_code);
	if (!pf)
		return exit_code;
	exit_code = resolve_buses(pf, argv + optind, argc - optind, &rows, &nr);
	if (!exit_code)
		exit_code = start_all(rows, nr);
	if (!exit_code && param.wait) {
		rc = wait_all(rows, nr, param.timeout);
		if (rc < 0 && rc != -ETIMEDOUT) {
			cli_error(NULL, "waiting for the scrub: %s", strerror(-rc));
			exit_code = EXIT_FAIL;
		}
	}
	if (!exit_code)
		exit_code = refresh(ctx, rows, nr);
	if (exit_code) {
		free_rows(rows, nr);
		return exit_code;
	}
	if (param.out.json && print_json(rows, nr) < 0) {
		cli_error(NULL, "out of memory");
		exit_code = EXIT_FAIL;
	}
	if (!param.out.json)
		print_human(rows, nr);
	for (size_t i = 0; i < nr; i++)
		if (rows[i].timed_out && exit_code != EXIT_FAIL) {
			fflush(stdout);
			cli_error(rows[i].bus->provider,
				  "still scrubbing after %lu s (--timeout); it goes on: 'pmemctl scrub --wait %s' waits for it without starting another",
				  param.timeout, rows[i].bus->provider);
			exit_code = EXIT_TIMEOUT;
		}
	free_rows(rows, nr);
	return exit_code;
}
