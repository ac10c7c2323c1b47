// SPDX-License-Identifier: GPL-2.0-or-later
/* pmemctl create-namespace: a new namespace in a labelled region. */
#include <stdio.h>

#include "change.h"

struct create_args {
	struct pm_convert_request req;
	uint64_t size;			/* 0: the largest free extent */
	const char *name;
	char created[64];		/* the namespace made */
};

static struct create_args param = { .req.mode = PM_MODE_FSDAX };

static int parse_size(struct pmemctl_ctx *ctx, const char *arg, void *size)
{
	if (pm_parse_size(arg, size) < 0 || !*(uint64_t *)size)
		return cli_usage_error(ctx, "bad size '%s': use 512M, 1G, ...", arg);
	return EXIT_OK;
}

static const struct cli_option options[] = {
	OPT_CALLBACK('s', "size", &param.size, "SIZE", "size (default: the largest free extent);\n"
		     "a multiple of the region's alignment", parse_size),
	CHANGE_NAMESPACE_GROUP(&param.req, "raw, sector, fsdax (default), devdax or\nsystem-ram"),
	OPT_STRING('n', "name", &param.name, "NAME", "a name for the namespace label"),
	CLI_END,
};

/* One call, dry or not: the plan needs root here, as it always has. */
static int run(struct change *ch)
{
	struct create_args *a = ch->args;
	int rc;

	a->req.dry_run = ch->dry_run;
	rc = pm_create(ch->pf, ch->t.region, a->size, a->name, &a->req, ch->res,
		       a->created, sizeof(a->created));
	if (a->created[0])
		snprintf(ch->object, sizeof(ch->object), "%s", a->created);
	return rc;
}

static const struct change_verb create = {
	.doing = "creating a namespace",
	.targets = CHANGE_REGION,
	.whole = "creating a namespace in it",
	.usage = "Usage: pmemctl create-namespace [options] REGION\n"
		 "\n"
		 "Create a namespace in a labelled region and give it a mode\n"
		 "(system-ram: its memory handed to the kernel). A failed step\n"
		 "deletes the half-made namespace: the region is left as it was.\n"
		 "\n",
	.options = options,
	.run = run,
};

int cmd_create_namespace(int argc, char **argv, struct pmemctl_ctx *ctx)
{
	return change_run(ctx, &create, &param, argc, argv);
}
