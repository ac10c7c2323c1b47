// SPDX-License-Identifier: GPL-2.0-or-later
/* pmemctl clear-errors: clear the media errors of a namespace not in use. */
#include <inttypes.h>

#include "change.h"
#include "../lib/clear.h"
#include "../lib/damage.h"
#include "../lib/proc.h"
#include "../lib/cxl.h"

enum { OPT_FORGET = CHANGE_OPT_FIRST };

static const struct cli_option options[] = {
	{ "forget", OPT_FORGET, NULL, "where nothing can clear (QEMU NVDIMM, CXL): drop\n"
				      "the block device's own ranges from the kernel's\n"
				      "list (nothing is repaired)" },
	CLI_END,
};

static int option(struct change *ch, int c, const char *arg)
{
	struct pm_clear_request *req = ch->args;

	(void)arg;
	if (c != OPT_FORGET)
		return -1;
	req->forget = true;
	return EXIT_OK;
}

static int plan(struct change *ch)
{
	struct pm_clear_request *req = ch->args;

	req->dry_run = true;
	return pm_clear_errors(ch->pf, ch->t.region, ch->t.ns, req, ch->res);
}

static int run(struct change *ch)
{
	struct pm_clear_request *req = ch->args;

	req->dry_run = false;
	return pm_clear_errors(ch->pf, ch->t.region, ch->t.ns, req, ch->res);
}

/*
 * A mounted filesystem: its files hold the damage, and rewriting them is
 * the repair that loses nothing else.
 */
/* Beyond this many, doctor lists them: a refusal stays readable. */
#define MAX_FILES_NAMED 20

static void in_use(struct change *ch, const struct pm_namespace *ns)
{
	struct pm_damage damage;
	struct pm_mount m;
	size_t shown = 0;

	(void)ch;
	if (!pm_namespace_mount(ns, &m))
		return;
	if (pm_namespace_damage(ns, &damage) == 0) {
		for (size_t i = 0; i < damage.nr && shown < MAX_FILES_NAMED; i++, shown++)
			cli_error(ns->dev, "damaged: %s, bytes %" PRIu64 "-%" PRIu64 "%s",
				  damage.files[i].path, damage.files[i].offset,
				  damage.files[i].offset + damage.files[i].length - 1,
				  damage.files[i].unwritten ? " (preallocated, no data yet)" : "");
		if (damage.nr > shown)
			cli_error(ns->dev, "and %zu more damaged files: `pmemctl doctor %s` names them all",
				  damage.nr - shown, m.point);
		if (!damage.nr)
			cli_error(ns->dev, "no file holds the bad ranges (free space or metadata%s)",
				  damage.complete ? "" : "; some files could not be mapped: see `pmemctl doctor`");
		pm_damage_free(&damage);
	} else {
		cli_error(ns->dev, "the files hit by its media errors: `pmemctl doctor %s` names them",
			  m.point);
	}
	cli_error(ns->dev, "repair: restore each damaged file from a backup, or rewrite its damaged bytes (a write clears the poison under it); to clear the ranges instead, unmount %s (what they hold is lost)",
		  m.point);
}

static const struct change_verb clear_errors = {
	.doing = "clearing media errors",
	.targets = CHANGE_NAMESPACE | CHANGE_REGION,
	.whole = "clearing its media errors",
	.flags = CHANGE_REFUSE_IN_USE | CHANGE_ASK_PLAN,
	.usage = "Usage: pmemctl clear-errors [options] NAMESPACE|REGION\n"
		 "\n"
		 "Clear the media errors of a namespace that is not in use (of a\n"
		 "region: of each of its namespaces, and outside them), so that\n"
		 "neither ndctl list -M nor the block device's badblocks lists\n"
		 "them. What the cleared sectors held is lost: the ranges are\n"
		 "named, and --force (or a yes on a terminal) is needed. None:\n"
		 "nothing changes (exit 0).\n"
		 "\n",
	.usage_end = "\n"
		     "Exit: 0 cleared or nothing to clear, 2 bad option, 3 no such\n"
		     "namespace or region, 4 not root, 5 cannot be cleared here,\n"
		     "6 in use, 9 would lose data without --force, 1 a step failed.\n"
		     "See pmemctl-clear-errors(1).\n",
	.options = options,
	.force_help = "clear: what the ranges hold is lost",
	.option = option,
	.plan = plan,
	.run = run,
	.in_use = in_use,
};

int cmd_clear_errors(int argc, char **argv, struct pmemctl_ctx *ctx)
{
	struct pm_clear_request req = { .dry_run = true };

	/* Media errors: a CXL region's include its memdevs' poison. */
	pm_cxl_poison_want(true);
	return change_run(ctx, &clear_errors, &req, argc, argv);
}
