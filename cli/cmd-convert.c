// SPDX-License-Identifier: GPL-2.0-or-later
/* pmemctl convert: change a namespace's mode safely and idempotently. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "change.h"
#include "../lib/pmem.h"

static void usage(void)
{
	printf("Usage: pmemctl convert [options] NAMESPACE --mode MODE\n"
	       "\n"
	       "Convert a namespace between raw, sector, fsdax and devdax in\n"
	       "place, keeping its uuid, size and name. Already in that mode\n"
	       "and alignment: nothing changes (exit 0). In use: refused, the\n"
	       "holder named. A failed step puts the previous configuration\n"
	       "back. NAMESPACE: namespace0.0, pmem0, dax0.0, /dev/...\n"
	       "\n"
	       "Options:\n"
	       "  -m, --mode MODE        raw, sector, fsdax or devdax\n"
	       "  -a, --align SIZE       fsdax/devdax alignment: 4K, 2M, 1G\n"
	       "                         (default 2M)\n"
	       "  -M, --map WHERE        page map in mem or on the dev (default)\n"
	       "  -l, --sector-size N    sector mode: 512 or 4096 (default)\n"
	       "  -f, --force            destroy a personality or a filesystem\n"
	       "      --dry-run          print the plan; change nothing\n"
	       "  -J, --json             JSON report\n"
	       "  -h, --help             show this help\n"
	       "\n"
	       "Exit: 0 converted or unchanged, 2 bad option or alignment,\n"
	       "3 no such namespace, 4 not root, 5 not possible here, 6 in use,\n"
	       "9 data would be destroyed without --force, 1 a step failed\n"
	       "(previous configuration restored). See pmemctl-convert(1).\n");
}

enum {
	OPT_DRY_RUN = OPT_FIRST_COMMAND_OPT,
};

static const struct option options[] = {
	{ "mode", required_argument, NULL, 'm' },
	{ "align", required_argument, NULL, 'a' },
	{ "map", required_argument, NULL, 'M' },
	{ "sector-size", required_argument, NULL, 'l' },
	{ "force", no_argument, NULL, 'f' },
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
	{ "json", no_argument, NULL, 'J' },
	COMMON_LONG_OPTS,
	{ NULL, 0, NULL, 0 },
};

int cmd_convert(int argc, char **argv, struct pmemctl_ctx *ctx)
{
	struct pm_convert_request req = { .mode = PM_MODE_UNKNOWN };
	struct pm_convert_result *res;
	struct pm_namespace *ns;
	struct pm_platform *pf;
	struct pm_target t;
	bool has_mode = false, force = false, json = false, dry_run = false;
	int c, rc, lock = -1, exit_code = EXIT_OK;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":m:a:M:l:fJh", options, NULL)) != -1) {
		rc = parse_change_option(ctx, c, optarg, &req, &has_mode);
		if (rc >= 0) {
			if (rc)
				return rc;
			continue;
		}
		switch (c) {
		case 'f':
			force = true;
			break;
		case OPT_DRY_RUN:
			dry_run = true;
			break;
		case 'J':
			json = true;
			break;
		default:
			return other_option(ctx, c, argv, options, usage);
		}
	}
	if (optind + 1 != argc)
		return pm_usage_error(ctx, optind == argc ? "no namespace given" :
				      "one namespace at a time");
	if (!has_mode)
		return pm_usage_error(ctx, "--mode is required (raw, sector, fsdax or devdax)");

	pf = pm_ctx_platform(ctx, &exit_code);
	if (!pf)
		return exit_code;
	rc = pm_resolve_target(pf, argv[optind], &t);
	if (rc || !t.ns) {
		pm_error(argv[optind], "no such namespace");
		return EXIT_NOT_FOUND;
	}
	res = calloc(1, sizeof(*res));
	if (!res)
		return EXIT_FAIL;
	/*
	 * Another conversion may have finished while we waited for nothing:
	 * with the lock held, look at the platform again before planning.
	 */
	if (!dry_run && geteuid() == 0) {
		exit_code = change_lock_namespace(ctx, &lock, &t);
		if (exit_code)
			goto out;
		pf = ctx->platform;
	}
	ns = t.ns;

	/* Plan first: bad requests and no-ops need neither root nor checks. */
	req.dry_run = true;
	rc = pm_convert(pf, ns, &req, res);
	if (rc || res->noop) {
		change_report(ns->dev, res, json, false);
		exit_code = change_exit_code(rc);
		goto out;
	}
	exit_code = change_needs_root(ns->dev, "converting", dry_run);
	if (!exit_code)
		exit_code = change_guard(pf, ns, "converting", force, dry_run);
	if (exit_code)
		goto out;
	if (dry_run) {
		change_report(ns->dev, res, json, true);
		goto out;
	}
	req.dry_run = false;
	rc = pm_convert(pf, ns, &req, res);
	change_report(ns->dev, res, json, false);
	exit_code = change_exit_code(rc);
out:
	pm_namespace_unlock(lock);
	free(res);
	return exit_code;
}
