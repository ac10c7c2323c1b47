// SPDX-License-Identifier: GPL-2.0-or-later
/* pmemctl create-region: a CXL pmem region interleaving the memdevs named. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "change.h"
#include "../lib/cxl.h"
#include "../lib/cxl-region.h"

static const struct cli_option options[] = {
	{ "type", 't', "TYPE", "pmem (default), or ram: the memdevs' volatile\n"
			       "capacity, its dax device left devdax" },
	{ "granularity", 'g', "N", "interleave granularity in bytes: 256 to\n"
				   "16384, a power of two (default: the root\n"
				   "decoder's)" },
	{ "size", 's', "SIZE", "size (default: the largest that fits); a\n"
			       "multiple of 256M per memdev" },
	{ "decoder", 'd', "DECODER", "the root decoder (default: the one reaching\n"
				     "every memdev with the largest free window)" },
	CLI_END,
};

struct create_region_args {
	struct pm_cxl_request req;
	struct pm_region_change change;
};

static int option(struct change *ch, int c, const char *arg)
{
	struct create_region_args *a = ch->args;
	uint64_t value;

	switch (c) {
	case 't':
		if (strcmp(arg, "pmem") && strcmp(arg, "ram"))
			return cli_usage_error(ch->ctx, "unknown type '%s': use pmem or ram", arg);
		a->req.ram = strcmp(arg, "ram") == 0;
		return EXIT_OK;
	case 'g':
		if (pm_parse_size(arg, &value) < 0 || value < 256 || value > 16384 ||
		    (value & (value - 1)))
			return cli_usage_error(ch->ctx, "bad granularity '%s': a power of two from 256 to 16384",
					       arg);
		a->req.granularity = value;
		return EXIT_OK;
	case 's':
		if (pm_parse_size(arg, &value) < 0 || !value)
			return cli_usage_error(ch->ctx, "bad size '%s': use 512M, 1G, ...", arg);
		a->req.size = value;
		return EXIT_OK;
	case 'd':
		a->req.decoder = arg;
		return EXIT_OK;
	default:
		return -1;
	}
}

/* The memdevs, in the order given, and the decoder: they must exist. */
static int resolve(struct change *ch)
{
	struct create_region_args *a = ch->args;
	size_t used = 0;

	if (ch->nr_names > PM_CXL_MAX_WAYS)
		return cli_usage_error(ch->ctx, "%d memdevs: a region interleaves at most %d",
				       ch->nr_names, PM_CXL_MAX_WAYS);
	a->req.nr_memdevs = ch->nr_names;
	ch->object[0] = '\0';
	for (int i = 0; i < ch->nr_names; i++)
		for (int j = 0; j < i; j++)
			if (strcmp(ch->names[j], ch->names[i]) == 0)
				return cli_usage_error(ch->ctx, "%s named twice: each memdev takes one position",
						       ch->names[i]);
	for (int i = 0; i < ch->nr_names; i++) {
		const char *name = ch->names[i];

		if (!pm_find_memdev(ch->pf, name)) {
			cli_error(name, "no such memdev (pmemctl list -C lists them)");
			return EXIT_NOT_FOUND;
		}
		a->req.memdevs[i] = name;
		used += snprintf(ch->object + used, used < sizeof(ch->object) ?
				 sizeof(ch->object) - used : 0, "%s%s", i ? "," : "", name);
	}
	if (a->req.decoder && !pm_cxl_root_decoder_exists(ch->pf, a->req.decoder)) {
		cli_error(a->req.decoder, "no such root decoder (pmemctl list -W lists them)");
		return EXIT_NOT_FOUND;
	}
	return EXIT_OK;
}

static int plan(struct change *ch)
{
	struct create_region_args *a = ch->args;
	struct pm_cxl_facts facts;
	int rc;

	a->req.dry_run = ch->dry_run;
	ch->res->region = &a->change;
	rc = pm_cxl_facts_read(ch->pf, &a->req, &facts);
	if (rc)
		return ch->res->err = rc;
	rc = pm_plan_create_region(&facts, &a->req, &a->change, ch->res);
	pm_cxl_facts_free(&facts);
	if (ch->res->noop && a->change.cxl_region[0] && a->req.ram) {
		/* The dax device of the one that is already there. */
		for (size_t i = 0; i < ch->pf->nr_cxl_regions; i++) {
			const struct pm_cxl_region *cxl = ch->pf->cxl_regions[i];
			const struct pm_daxdev *dax = pm_ram_region_daxdev(ch->pf, cxl);

			if (dax && strcmp(cxl->dev, a->change.cxl_region) == 0)
				snprintf(ch->res->chardev, sizeof(ch->res->chardev), "%s", dax->dev);
		}
	} else if (ch->res->noop && a->change.cxl_region[0]) {
		/* The nvdimm region of the one that is already there. */
		for (size_t i = 0; i < ch->pf->nr_regions; i++)
			if (ch->pf->regions[i]->cxl &&
			    strcmp(ch->pf->regions[i]->cxl->dev, a->change.cxl_region) == 0)
				snprintf(a->change.region, sizeof(a->change.region), "%s",
					 ch->pf->regions[i]->dev);
	}
	return rc;
}

static int run(struct change *ch)
{
	struct create_region_args *a = ch->args;
	int rc = pm_create_region(ch->pf, &a->change, ch->res);

	if (a->change.region[0] || a->change.cxl_region[0])
		snprintf(ch->object, sizeof(ch->object), "%s%s",
			 a->change.ram ? "cxl:" : "",
			 a->change.region[0] ? a->change.region : a->change.cxl_region);
	return rc;
}

static const struct change_verb create_region = {
	.doing = "creating a region",
	.targets = CHANGE_OWN,
	.noun = "memdev",
	.usage = "Usage: pmemctl create-region [options] <MEMDEV>...\n"
		 "\n"
		 "Create a CXL persistent memory region interleaving the memdevs\n"
		 "named, in that order (ways: how many are named); with --type\n"
		 "ram, a volatile one, whose dax device 'pmemctl convert --mode\n"
		 "system-ram' hands to the kernel. A region that already is\n"
		 "exactly that is left as it is (changed: false). A failed step\n"
		 "undoes those before it: the platform is as before.\n"
		 "\n",
	.usage_end = "\nExit: 0 done or nothing to do, 2 usage, 3 no such memdev or\n"
		     "decoder, 4 not root, 5 no room or no window reaches them all,\n"
		     "6 a memdev is in another region, 1 a step failed.\n",
	.options = options,
	.force_help = "accepted, as by every changing verb: creating\n"
		      "destroys nothing",
	.option = option,
	.resolve = resolve,
	.plan = plan,
	.run = run,
};

int cmd_create_region(int argc, char **argv, struct pmemctl_ctx *ctx)
{
	struct create_region_args a = { .req.nr_memdevs = 0 };

	return change_run(ctx, &create_region, &a, argc, argv);
}
