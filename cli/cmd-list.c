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

static const struct cli_option options[] = {
	CLI_HEADING("Objects:"),
	{ "buses", 'B', NULL, "include buses" },
	{ "dimms", 'D', NULL, "include DIMMs" },
	{ "regions", 'R', NULL, "include regions" },
	{ "namespaces", 'N', NULL, "include namespaces" },
	{ "daxdevs", 'X', NULL, "include dax devices" },
	{ "cxl", 'C', NULL, "include CXL memory devices (memdevs)" },
	{ "idle", 'i', NULL, "include disabled and unconfigured objects" },
	{ "health", 'H', NULL, "include DIMM health (SMART; implies -D\nwhen no object kind is given)" },
	{ "media-errors", 'M', NULL, "include the media errors (badblocks) of\nregions and namespaces" },
	CLI_HEADING("Filters:"),
	{ "bus", OPT_BUS, "BUS", "only objects on BUS" },
	{ "dimm", 'd', "DIMM", "only objects using DIMM" },
	{ "region", OPT_REGION, "REGION", "only REGION and what is in it" },
	{ "namespace", OPT_NAMESPACE, "NS", "only namespace NS" },
	{ "mode", 'm', "MODE", "only namespaces in MODE (raw, sector,\nfsdax, devdax, system-ram)" },
	CLI_OUTPUT_OPTIONS,
	CLI_COMMON_OPTIONS,
	CLI_END,
};

static void usage(void)
{
	printf("Usage: pmemctl list [options] [OBJECT...]\n"
	       "\n"
	       "List persistent-memory buses, DIMMs, regions, namespaces, dax\n"
	       "devices and CXL memory devices. Without -B/-D/-R/-N/-X/-C: regions\n"
	       "with their namespaces. OBJECT names an object to show (ndbus0,\n"
	       "nmem0, region0, namespace0.0, dax0.0, mem0, or a bus provider\n"
	       "such as ACPI.NFIT).\n"
	       "\n");
	cli_print_options(stdout, options);
	printf(	       "\n"
	       "JSON always has one top-level object with an array per listed\n"
	       "kind; see pmemctl-list(1) for the schema and exit codes.\n");
}

int cmd_list(int argc, char **argv, struct pmemctl_ctx *ctx)
{
	struct wanted wanted[4 * MAX_FILTER];
	size_t nr_wanted = 0;
	struct out_opts opts = { 0 };
	struct out_selection sel;
	struct out_node root = { 0 };
	struct filter filter = { 0 };
	struct pm_platform *pf;
	struct cli_getopt g;
	unsigned int selected = 0;
	bool health = false, media_errors = false;
	int c, rc, exit_code = EXIT_OK;

	cli_getopt_init(&g, ctx, options);
	while ((c = cli_getopt(&g, argc, argv)) != -1) {
		if (output_option(c, optarg, &opts))
			continue;
		switch (c) {
		case 'B':
			selected |= 1u << PM_BUS;
			break;
		case 'D':
			selected |= 1u << PM_DIMM;
			break;
		case 'R':
			selected |= 1u << PM_REGION;
			break;
		case 'N':
			selected |= 1u << PM_NAMESPACE;
			break;
		case 'X':
			selected |= 1u << PM_DAXDEV;
			break;
		case 'C':
			selected |= 1u << PM_MEMDEV;
			break;
		case 'i':
			filter.idle = true;
			break;
		case 'H':
			health = true;
			break;
		case 'M':
			media_errors = true;
			break;
		case OPT_BUS:
		case 'd':
		case OPT_REGION:
		case OPT_NAMESPACE:
			if (nr_wanted == ARRAY_SIZE(wanted))
				return cli_usage_error(ctx, "too many objects named");
			wanted[nr_wanted].kind = c == OPT_BUS ? PM_BUS :
				c == 'd' ? PM_DIMM : c == OPT_REGION ? PM_REGION :
				PM_NAMESPACE;
			wanted[nr_wanted++].name = optarg;
			break;
		case 'm':
			if (pm_ns_mode_parse(optarg, &filter.mode) < 0)
				return cli_usage_error(ctx,
					"unknown mode '%s': use raw, sector, fsdax, devdax or system-ram",
					optarg);
			filter.has_mode = true;
			break;
		default:
			return cli_other_option(ctx, c, argv, options, usage);
		}
	}
	for (; optind < argc; optind++) {
		if (nr_wanted == ARRAY_SIZE(wanted))
			return cli_usage_error(ctx, "too many objects named");
		wanted[nr_wanted].kind = PM_NR_KINDS;
		wanted[nr_wanted++].name = argv[optind];
	}

	if (opts.list_columns) {
		out_list_columns(stdout, &object_spec, opts.json);
		return EXIT_OK;
	}
	if (!selected)
		selected = health ? 1u << PM_DIMM :
			   (1u << PM_REGION) | (1u << PM_NAMESPACE);
	rc = select_columns(ctx, &object_spec, &opts, selected, &sel);
	if (rc)
		return rc;
	if ((health && object_select_health(&sel, opts.json)) ||
	    (media_errors && opts.json && object_select_media_errors(&sel)))
		return cli_usage_error(ctx, "too many columns (at most %d)",
				       OUT_MAX_COLUMNS);

	pf = ctx_platform(ctx, &exit_code);
	if (!pf)
		return exit_code;
	for (size_t i = 0; i < nr_wanted; i++) {
		rc = resolve_object(pf, &wanted[i], &filter);
		if (rc)
			return rc;
	}
	if (opts.json && object_select_cxl(&sel, pf))
		return cli_usage_error(ctx, "too many columns (at most %d)",
				       OUT_MAX_COLUMNS);
	rc = build_object_tree(pf, selected, &filter, &root);
	if (!rc && opts.json)
		rc = object_add_badblocks(&root, &sel);
	if (!rc && opts.json)
		rc = object_add_cxl(&root, &sel);
	if (!rc)
		rc = out_print(stdout, &object_spec, &opts, &sel, &root);
	out_node_free(&root);
	if (rc) {
		cli_error(NULL, "%s", strerror(-rc));
		return EXIT_FAIL;
	}
	if (!pf->nr_buses && isatty(STDOUT_FILENO))
		explain_empty_platform();
	if (object_health_denied(pf) && isatty(STDOUT_FILENO))
		fprintf(stderr, "pmemctl: reading SMART health needs root: its values are null\n");
	return EXIT_OK;
}
