// SPDX-License-Identifier: GPL-2.0-or-later
/* pmemctl destroy-namespace: give a namespace's capacity back, safely. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "change.h"
#include "../lib/pmem.h"

static void usage(void)
{
	printf("Usage: pmemctl destroy-namespace [options] NAMESPACE\n"
	       "\n"
	       "Destroy a namespace: clear its info block and delete its label,\n"
	       "so its capacity returns to the region (a label-less namespace\n"
	       "is left raw). In use: refused, the holder named. A personality\n"
	       "or a filesystem needs --force.\n"
	       "\n"
	       "Options:\n"
	       "  -f, --force            destroy a personality or a filesystem\n"
	       "      --dry-run          print the plan; change nothing\n"
	       "  -J, --json             JSON report\n"
	       "  -h, --help             show this help\n");
}

enum {
	OPT_DRY_RUN = OPT_FIRST_COMMAND_OPT,
};

static const struct option options[] = {
	{ "force", no_argument, NULL, 'f' },
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
	{ "json", no_argument, NULL, 'J' },
	COMMON_LONG_OPTS,
	{ NULL, 0, NULL, 0 },
};

int cmd_destroy_namespace(int argc, char **argv, struct pmemctl_ctx *ctx)
{
	struct pm_convert_result *res;
	struct pm_namespace *ns;
	struct pm_platform *pf;
	struct pm_target t;
	bool force = false, json = false, dry_run = false;
	int c, rc, lock = -1, exit_code = EXIT_OK;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":fJh", options, NULL)) != -1) {
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
	pf = pm_ctx_platform(ctx, &exit_code);
	if (!pf)
		return exit_code;
	rc = pm_resolve_target(pf, argv[optind], &t);
	if (rc || !t.ns) {
		pm_error(argv[optind], "no such namespace");
		return EXIT_NOT_FOUND;
	}
	ns = t.ns;
	exit_code = change_needs_root(ns->dev, "destroying", dry_run);
	if (!exit_code)
		exit_code = change_guard(pf, ns, "destroying", force, dry_run);
	if (exit_code)
		return exit_code;
	res = calloc(1, sizeof(*res));
	if (!res)
		return EXIT_FAIL;
	if (!dry_run) {
		exit_code = change_lock_namespace(ctx, &lock, &t);
		if (exit_code)
			goto out;
		pf = ctx->platform;
		ns = t.ns;
		exit_code = change_guard(pf, ns, "destroying", force, dry_run);
		if (exit_code)
			goto out;
	}
	rc = pm_destroy(pf, ns, dry_run, res);
	change_report(ns->dev, res, json, dry_run);
	exit_code = change_exit_code(rc);
out:
	pm_namespace_unlock(lock);
	free(res);
	return exit_code;
}
