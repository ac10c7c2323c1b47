// SPDX-License-Identifier: GPL-2.0-or-later
/* pmemctl create-namespace: a new namespace in a labelled region. */
#include <stdio.h>

#include "change.h"

static const struct cli_option options[] = {
	{ "size", 's', "SIZE", "size (default: the largest free extent);\n"
			       "a multiple of the region's alignment" },
	CHANGE_NAMESPACE_OPTIONS("raw, sector, fsdax (default), devdax or\nsystem-ram"),
	{ "name", 'n', "NAME", "a name for the namespace label" },
	CLI_END,
};

struct create_args {
	struct pm_convert_request req;
	bool has_mode;
	uint64_t size;			/* 0: the largest free extent */
	const char *name;
	char created[64];		/* the namespace made */
};

static int option(struct change *ch, int c, const char *arg)
{
	struct create_args *a = ch->args;
	int rc = parse_change_option(ch->ctx, c, arg, &a->req, &a->has_mode);

	if (rc >= 0)
		return rc;
	switch (c) {
	case 's':
		if (pm_parse_size(arg, &a->size) < 0 || !a->size)
			return cli_usage_error(ch->ctx, "bad size '%s': use 512M, 1G, ...", arg);
		return EXIT_OK;
	case 'n':
		a->name = arg;
		return EXIT_OK;
	default:
		return -1;
	}
}

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
	.option = option,
	.run = run,
};

int cmd_create_namespace(int argc, char **argv, struct pmemctl_ctx *ctx)
{
	struct create_args a = { .req.mode = PM_MODE_FSDAX };

	return change_run(ctx, &create, &a, argc, argv);
}
