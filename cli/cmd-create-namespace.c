// SPDX-License-Identifier: GPL-2.0-or-later
/* pmemctl create-namespace: a new namespace in a labelled region. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "change.h"
#include "../lib/pmem.h"

static void usage(void)
{
	printf("Usage: pmemctl create-namespace [options] REGION\n"
	       "\n"
	       "Create a namespace in a labelled region and give it a mode. A\n"
	       "failed step deletes the half-made namespace: the region is left\n"
	       "as it was.\n"
	       "\n"
	       "Options:\n"
	       "  -s, --size SIZE        size (default: the largest free extent);\n"
	       "                         a multiple of the region's alignment\n"
	       "  -m, --mode MODE        raw, sector, fsdax (default) or devdax\n"
	       "  -a, --align SIZE       fsdax/devdax alignment (default 2M)\n"
	       "  -M, --map WHERE        page map in mem or on the dev (default)\n"
	       "  -l, --sector-size N    sector mode: 512 or 4096 (default)\n"
	       "  -n, --name NAME        a name for the namespace label\n"
	       "      --dry-run          print the plan; change nothing\n"
	       "  -J, --json             JSON report\n"
	       "  -h, --help             show this help\n");
}

enum {
	OPT_DRY_RUN = OPT_FIRST_COMMAND_OPT,
};

static const struct option options[] = {
	{ "size", required_argument, NULL, 's' },
	{ "mode", required_argument, NULL, 'm' },
	{ "align", required_argument, NULL, 'a' },
	{ "map", required_argument, NULL, 'M' },
	{ "sector-size", required_argument, NULL, 'l' },
	{ "name", required_argument, NULL, 'n' },
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
	{ "json", no_argument, NULL, 'J' },
	COMMON_LONG_OPTS,
	{ NULL, 0, NULL, 0 },
};

int cmd_create_namespace(int argc, char **argv, struct pmemctl_ctx *ctx)
{
	struct pm_convert_request req = { .mode = PM_MODE_FSDAX };
	struct pm_convert_result *res;
	struct pm_region *region;
	struct pm_platform *pf;
	const char *name = NULL;
	bool has_mode = false, json = false;
	char created[64];
	uint64_t size = 0;
	int c, rc, lock = -1, exit_code = EXIT_OK;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":s:m:a:M:l:n:Jh", options, NULL)) != -1) {
		rc = parse_change_option(ctx, c, optarg, &req, &has_mode);
		if (rc >= 0) {
			if (rc)
				return rc;
			continue;
		}
		switch (c) {
		case 's':
			if (pm_parse_size(optarg, &size) < 0 || !size)
				return pm_usage_error(ctx, "bad size '%s': use 512M, 1G, ...",
						      optarg);
			break;
		case 'n':
			name = optarg;
			break;
		case OPT_DRY_RUN:
			req.dry_run = true;
			break;
		case 'J':
			json = true;
			break;
		default:
			return other_option(ctx, c, argv, options, usage);
		}
	}
	if (optind + 1 != argc)
		return pm_usage_error(ctx, optind == argc ? "no region given" :
				      "one region at a time");
	pf = pm_ctx_platform(ctx, &exit_code);
	if (!pf)
		return exit_code;
	region = pm_find_region(pf, argv[optind]);
	if (!region) {
		pm_error(argv[optind], "no such region");
		return EXIT_NOT_FOUND;
	}
	exit_code = change_needs_root(region->dev, "creating a namespace", req.dry_run);
	if (exit_code)
		return exit_code;
	res = calloc(1, sizeof(*res));
	if (!res)
		return EXIT_FAIL;
	if (!req.dry_run) {
		char dev[64];

		snprintf(dev, sizeof(dev), "%s", region->dev);
		exit_code = change_lock(dev, &lock);
		if (exit_code)
			goto out;
		pf = pm_ctx_rescan(ctx, &exit_code);
		region = pf ? pm_find_region(pf, dev) : NULL;
		if (!region) {
			exit_code = exit_code ? exit_code : EXIT_NOT_FOUND;
			goto out;
		}
	}
	rc = pm_create(pf, region, size, name, &req, res, created, sizeof(created));
	change_report(created[0] ? created : region->dev, res, json, req.dry_run);
	exit_code = change_exit_code(rc);
out:
	pm_namespace_unlock(lock);
	free(res);
	return exit_code;
}
