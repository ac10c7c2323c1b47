// SPDX-License-Identifier: GPL-2.0-or-later
/* pmemctl convert: change a namespace's mode safely and idempotently. */
#include "change.h"

struct convert_args {
	struct pm_convert_request req;	/* mode PM_MODE_UNKNOWN: not given */
};

static struct convert_args param = { .req.mode = PM_MODE_UNKNOWN };

static const struct cli_option options[] = {
	CHANGE_NAMESPACE_GROUP(&param.req, "raw, sector, fsdax, devdax or system-ram"),
	CLI_END,
};

static int check(struct change *ch)
{
	const struct convert_args *a = ch->args;

	if (a->req.mode == PM_MODE_UNKNOWN)
		return cli_usage_error(ch->ctx, "--mode is required (raw, sector, fsdax, devdax or system-ram)");
	if ((a->req.no_movable || a->req.no_online) && a->req.mode != PM_MODE_SYSTEM_RAM)
		return cli_usage_error(ch->ctx, "--no-movable and --no-online apply to --mode system-ram only");
	return EXIT_OK;
}

static int plan(struct change *ch)
{
	struct convert_args *a = ch->args;

	a->req.dry_run = true;
	if (!ch->t.ns)
		return pm_convert_daxdev(ch->t.daxdev, &a->req, ch->res);
	return pm_convert(ch->pf, ch->t.ns, &a->req, ch->res);
}

static int run(struct change *ch)
{
	struct convert_args *a = ch->args;

	a->req.dry_run = false;
	if (!ch->t.ns)
		return pm_convert_daxdev(ch->t.daxdev, &a->req, ch->res);
	return pm_convert(ch->pf, ch->t.ns, &a->req, ch->res);
}

static const struct change_verb convert = {
	.doing = "converting",
	.targets = CHANGE_NAMESPACE,
	.flags = CHANGE_REFUSE_IN_USE | CHANGE_ASK_DATA | CHANGE_SYSTEM_RAM | CHANGE_CXL_DAX,
	.usage = "Usage: pmemctl convert [options] NAMESPACE --mode MODE\n"
		 "\n"
		 "Convert a namespace between raw, sector, fsdax and devdax in\n"
		 "place, keeping its uuid, size and name, or hand it to the\n"
		 "kernel as system RAM (a NUMA node's memory) and back. Already\n"
		 "in that mode, alignment and zone: nothing changes (exit 0). In\n"
		 "use, or memory that cannot be offlined: refused, the holder or\n"
		 "the blocks named. A failed step puts the previous configuration\n"
		 "back. NAMESPACE: namespace0.0, pmem0, dax0.0, /dev/...; or the\n"
		 "dax device of a CXL ram region (devdax or system-ram only).\n"
		 "\n",
	.usage_end = "\n"
		     "Exit: 0 converted or unchanged, 2 bad option or alignment,\n"
		     "3 no such namespace, 4 not root, 5 not possible here, 6 in use,\n"
		     "9 data would be destroyed without --force, 1 a step failed\n"
		     "(previous configuration restored). See pmemctl-convert(1).\n",
	.options = options,
	.force_help = "destroy a personality or a filesystem",
	.check = check,
	.plan = plan,
	.run = run,
};

int cmd_convert(int argc, char **argv, struct pmemctl_ctx *ctx)
{
	return change_run(ctx, &convert, &param, argc, argv);
}
