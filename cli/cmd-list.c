// SPDX-License-Identifier: GPL-2.0-or-later
/* pmemctl list: buses, DIMMs, regions, namespaces, dax devices, CXL memdevs. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "columns.h"
#include "objects.h"
#include "pmemctl.h"
#include "../lib/compat.h"
#include "../lib/pmem.h"
#include "../lib/cxl.h"

/* One line for a person at a terminal when the platform has no pmem. */
static void explain_empty_platform(void)
{
	static const char *const modules[] = {
		"libnvdimm", "nfit", "nd_pmem", "virtio_pmem", "nd_e820",
	};
	char loaded[128] = "", available[128] = "", missing[128] = "";

	for (size_t i = 0; i < ARRAY_SIZE(modules); i++) {
		enum pm_module_state state;
		char *list;

		if (pm_module_state(modules[i], &state) < 0)
			continue;
		list = state == PM_MODULE_LOADED ? loaded :
		       state == PM_MODULE_AVAILABLE ? available : missing;
		if (list[0])
			strcat(list, ", ");
		strcat(list, modules[i]);
	}
	fprintf(stderr, "pmemctl: no nvdimm bus found");
	if (loaded[0])
		fprintf(stderr, "; loaded: %s", loaded);
	if (available[0])
		fprintf(stderr, "; not loaded: %s (modprobe them if this machine has persistent memory)",
			available);
	if (missing[0])
		fprintf(stderr, "; not installed: %s", missing);
	fputc('\n', stderr);
}

enum {
	OPT_BUS = OPT_FIRST_COMMAND_OPT,
	OPT_REGION,
	OPT_NAMESPACE,
};

static struct {
	struct out_opts out;
	unsigned int selected;		/* a bit per kind; 0: the default */
	bool idle, health, firmware, media_errors;
	struct filter_mode {
		enum pm_ns_mode mode;
		bool given;
	} mode;
	struct wanted wanted[4 * MAX_FILTER];
	size_t nr_wanted;
} param;

static int parse_mode(struct pmemctl_ctx *ctx, const char *arg, void *value)
{
	struct filter_mode *m = value;

	if (pm_ns_mode_parse(arg, &m->mode) < 0)
		return cli_usage_error(ctx, "unknown mode '%s': use raw, sector, fsdax, devdax or system-ram",
				       arg);
	m->given = true;
	return EXIT_OK;
}

/* --bus, -d, --region, --namespace: an object named, of that kind. */
static int option(struct pmemctl_ctx *ctx, void *data, int key, const char *arg)
{
	if (key != OPT_BUS && key != 'd' && key != OPT_REGION && key != OPT_NAMESPACE)
		return CLI_GO_ON;
	if (param.nr_wanted == ARRAY_SIZE(param.wanted))
		return cli_usage_error(ctx, "too many objects named");
	param.wanted[param.nr_wanted].kind = key == OPT_BUS ? PM_BUS :
		key == 'd' ? PM_DIMM : key == OPT_REGION ? PM_REGION : PM_NAMESPACE;
	param.wanted[param.nr_wanted++].name = arg;
	return EXIT_OK;
}

#define KIND(k) (1u << (k))

static const struct cli_option options[] = {
	CLI_HEADING("Objects:"),
	OPT_BITS('B', "buses", &param.selected, KIND(PM_BUS), "include buses"),
	OPT_BITS('D', "dimms", &param.selected, KIND(PM_DIMM), "include DIMMs"),
	OPT_BITS('R', "regions", &param.selected, KIND(PM_REGION), "include regions"),
	OPT_BITS('N', "namespaces", &param.selected, KIND(PM_NAMESPACE), "include namespaces"),
	OPT_BITS('X', "daxdevs", &param.selected, KIND(PM_DAXDEV), "include dax devices"),
	OPT_BITS('C', "cxl", &param.selected, KIND(PM_MEMDEV), "include CXL memory devices (memdevs)"),
	OPT_BITS('W', "decoders", &param.selected, KIND(PM_DECODER), "include CXL root decoders: the windows CXL\nregions are made in, and what they reach"),
	OPT_FLAG('i', "idle", &param.idle, "include disabled and unconfigured objects"),
	OPT_FLAG('H', "health", &param.health, "include DIMM health (SMART; implies -D\nwhen no object kind is given)"),
	OPT_FLAG('F', "firmware", &param.firmware, "include DIMM and CXL memdev firmware\nversions and the buses' activation\n(implies -D when no object kind is given)"),
	OPT_FLAG('M', "media-errors", &param.media_errors, "include the media errors (badblocks) of\nregions and namespaces, and CXL poison"),
	CLI_HEADING("Filters:"),
	OPT_KEY(OPT_BUS, "bus", "BUS", "only objects on BUS"),
	OPT_KEY('d', "dimm", "DIMM", "only objects using DIMM"),
	OPT_KEY(OPT_REGION, "region", "REGION", "only REGION and what is in it"),
	OPT_KEY(OPT_NAMESPACE, "namespace", "NS", "only namespace NS"),
	OPT_CALLBACK('m', "mode", &param.mode, "MODE",
		     "only namespaces in MODE (raw, sector,\nfsdax, devdax, system-ram)", parse_mode),
	OPT_OUTPUT_GROUP(&param.out),
	CLI_COMMON_OPTIONS,
	CLI_END,
};

static void usage(void)
{
	printf("Usage: pmemctl list [options] [OBJECT...]\n"
	       "\n"
	       "List persistent-memory buses, DIMMs, regions, namespaces, dax\n"
	       "devices, CXL memory devices and CXL root decoders. Without\n"
	       "-B/-D/-R/-N/-X/-C/-W: regions with their namespaces. OBJECT names\n"
	       "an object to show (ndbus0, nmem0, region0, namespace0.0, dax0.0,\n"
	       "mem0, decoder0.0, or a bus provider such as ACPI.NFIT). With -i\n"
	       "the table says why an object is disabled (STATE_REASON).\n"
	       "\n");
	cli_print_options(stdout, options);
	printf(	       "\n"
	       "JSON always has one top-level object with an array per listed\n"
	       "kind; see pmemctl-list(1) for the schema and exit codes.\n");
}

int cmd_list(int argc, char **argv, struct pmemctl_ctx *ctx)
{
	const struct cli_parser parser = {
		.table = options, .usage = usage, .out = &param.out,
		.spec = &object_spec, .option = option,
	};
	struct out_opts *opts = &param.out;
	struct wanted *wanted = param.wanted;
	struct out_selection sel;
	struct out_node root = { 0 };
	struct filter filter = { 0 };
	struct pm_platform *pf;
	unsigned int selected;
	bool health, firmware, media_errors;
	int rc, exit_code;

	exit_code = cli_parse(ctx, argc, argv, &parser);
	if (exit_code != CLI_GO_ON)
		return exit_code;
	exit_code = EXIT_OK;
	for (; optind < argc; optind++) {
		if (param.nr_wanted == ARRAY_SIZE(param.wanted))
			return cli_usage_error(ctx, "too many objects named");
		wanted[param.nr_wanted].kind = PM_NR_KINDS;
		wanted[param.nr_wanted++].name = argv[optind];
	}
	selected = param.selected;
	health = param.health;
	firmware = param.firmware;
	media_errors = param.media_errors;
	filter.idle = param.idle;
	filter.mode = param.mode.mode;
	filter.has_mode = param.mode.given;
	if (!selected)
		selected = health || firmware ? 1u << PM_DIMM :
			   (1u << PM_REGION) | (1u << PM_NAMESPACE);
	rc = select_columns(ctx, &object_spec, opts, selected, &sel);
	if (rc)
		return rc;
	if ((health && object_select_health(&sel, opts->json)) ||
	    (firmware && object_select_firmware(&sel, opts->json)) ||
	    (filter.idle && !opts->json && object_select_state(&sel)) ||
	    (media_errors && opts->json && object_select_media_errors(&sel)))
		return cli_usage_error(ctx, "too many columns (at most %d)",
				       OUT_MAX_COLUMNS);

	/* -M: a CXL region's and memdev's media errors include poison. */
	pm_cxl_poison_want(media_errors);
	pf = ctx_platform(ctx, &exit_code);
	if (!pf)
		return exit_code;
	for (size_t i = 0; i < param.nr_wanted; i++) {
		rc = resolve_object(pf, &wanted[i], &filter);
		if (rc)
			return rc;
	}
	if (opts->json && (object_select_cxl(&sel, pf) ||
			   (media_errors && object_select_poison(&sel, pf))))
		return cli_usage_error(ctx, "too many columns (at most %d)",
				       OUT_MAX_COLUMNS);
	rc = build_object_tree(pf, selected, &filter, &root);
	if (!rc && opts->json)
		rc = object_add_badblocks(&root, &sel);
	if (!rc && opts->json)
		rc = object_add_cxl(&root, &sel);
	if (!rc)
		rc = out_print(stdout, &object_spec, opts, &sel, &root);
	out_node_free(&root);
	if (rc) {
		cli_error(NULL, "%s", strerror(-rc));
		return EXIT_FAIL;
	}
	if (!pf->nr_buses && isatty(STDOUT_FILENO))
		explain_empty_platform();
	if (object_health_denied(pf) && isatty(STDOUT_FILENO))
		fprintf(stderr, "pmemctl: reading SMART health needs root: its values are null\n");
	if (object_firmware_denied(pf) && isatty(STDOUT_FILENO))
		fprintf(stderr, "pmemctl: reading firmware versions needs root: their values are null\n");
	return EXIT_OK;
}
