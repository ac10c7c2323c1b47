// SPDX-License-Identifier: GPL-2.0-or-later
/* pmemctl destroy-namespace: give a namespace's capacity back, safely. */
#include "change.h"

/* Dry or not: destroying has no plan apart from its run. */
static int run(struct change *ch)
{
	return pm_destroy(ch->pf, ch->t.ns, ch->dry_run, ch->res);
}

static const struct change_verb destroy = {
	.doing = "destroying",
	.targets = CHANGE_NAMESPACE,
	.flags = CHANGE_REFUSE_IN_USE | CHANGE_ASK_DATA,
	.usage = "Usage: pmemctl destroy-namespace [options] NAMESPACE\n"
		 "\n"
		 "Destroy a namespace: clear its info block and delete its label,\n"
		 "so its capacity returns to the region (a label-less namespace\n"
		 "is left raw). In use: refused, the holder named. A personality\n"
		 "or a filesystem needs --force.\n"
		 "\n",
	.force_help = "destroy a personality or a filesystem",
	.run = run,
};

int cmd_destroy_namespace(int argc, char **argv, struct pmemctl_ctx *ctx)
{
	return change_run(ctx, &destroy, NULL, argc, argv);
}
