// SPDX-License-Identifier: GPL-2.0-or-later
/* pmemctl destroy-region: a CXL region and its namespaces, refused in use. */
#include <stdio.h>
#include <string.h>

#include "change.h"
#include "../lib/cxl.h"
#include "../lib/cxl-region.h"

/* A CXL region not (yet) bound to libnvdimm is named with this prefix. */
#define CXL_PREFIX "cxl:"

struct destroy_region_args {
	const struct pm_cxl_region *cxl;
	struct pm_region *nd;
	struct pm_region_change change;
	bool offline;			/* --offline: a ram region's memory first */
};

static struct destroy_region_args param;

enum { OPT_OFFLINE = CHANGE_OPT_FIRST };

static const struct cli_option options[] = {
	OPT_FLAG(OPT_OFFLINE, "offline", &param.offline,
		 "a ram region whose memory is online as system\n"
		 "RAM: offline it first (refused without)"),
	CLI_END,
};

static int resolve(struct change *ch)
{
	struct destroy_region_args *a = ch->args;
	const char *name = ch->names[0];

	if (ch->nr_names != 1)
		return cli_usage_error(ch->ctx, "one region at a time");
	a->cxl = NULL;
	a->nd = NULL;
	if (strncmp(name, CXL_PREFIX, strlen(CXL_PREFIX)) == 0) {
		const char *dev = name + strlen(CXL_PREFIX);

		for (size_t i = 0; i < ch->pf->nr_cxl_regions && !a->cxl; i++)
			if (strcmp(ch->pf->cxl_regions[i]->dev, dev) == 0)
				a->cxl = ch->pf->cxl_regions[i];
		if (!a->cxl) {
			cli_error(name, "no such CXL region (pmemctl list -C -R -o +CXL_REGION lists them)");
			return EXIT_NOT_FOUND;
		}
		for (size_t i = 0; i < ch->pf->nr_regions && !a->nd; i++)
			if (ch->pf->regions[i]->cxl == a->cxl)
				a->nd = ch->pf->regions[i];
	} else {
		a->nd = pm_find_region(ch->pf, name);
		if (!a->nd) {
			bool cxl = false;

			for (size_t i = 0; i < ch->pf->nr_cxl_regions; i++)
				cxl |= strcmp(ch->pf->cxl_regions[i]->dev, name) == 0;
			cli_error(name, cxl ? "no such nvdimm region; the CXL region of that name is cxl:%s" :
				  "no such region", name);
			return EXIT_NOT_FOUND;
		}
		a->cxl = a->nd->cxl;
		if (!a->cxl) {
			cli_error(name, "not a CXL region: destroy-region removes CXL regions only (the platform's firmware defines the others)");
			return EXIT_UNSUPPORTED;
		}
	}
	ch->t.pf = ch->pf;
	ch->t.region = a->nd;
	snprintf(ch->object, sizeof(ch->object), "%s%s", a->nd ? "" : CXL_PREFIX,
		 a->nd ? a->nd->dev : a->cxl->dev);
	return EXIT_OK;
}

/* The steps as a dry run; the question when namespaces would go. */
static int plan(struct change *ch)
{
	struct destroy_region_args *a = ch->args;
	size_t n = 0;
	int rc;

	ch->res->region = &a->change;
	rc = pm_destroy_region(ch->pf, a->cxl, a->nd, true, a->offline, &a->change, ch->res);
	for (size_t i = 0; a->nd && i < ch->pf->nr_namespaces; i++) {
		const struct pm_namespace *ns = ch->pf->namespaces[i];

		if (ns->region == a->nd && (ns->size || ns->uuid))
			n++;
	}
	ch->nothing_to_lose = n == 0;
	if (n)
		snprintf(ch->res->message, sizeof(ch->res->message),
			 "destroying %s deletes its %zu namespace%s and their data", ch->object,
			 n, n == 1 ? "" : "s");
	return rc;
}

static int run(struct change *ch)
{
	struct destroy_region_args *a = ch->args;
	struct pm_change_result *res = ch->res;

	memset(res, 0, sizeof(*res));
	res->region = &a->change;
	return pm_destroy_region(ch->pf, a->cxl, a->nd, false, a->offline, &a->change, res);
}

static const struct change_verb destroy_region = {
	.doing = "destroying a region",
	.targets = CHANGE_OWN,
	.noun = "region",
	.whole = "destroying it",
	.flags = CHANGE_REFUSE_IN_USE | CHANGE_ASK_PLAN,
	.usage = "Usage: pmemctl destroy-region [options] <REGION>\n"
		 "\n"
		 "Destroy a CXL region: REGION is its nvdimm region (regionN, as\n"
		 "pmemctl list -R shows it) or the CXL region as cxl:regionN (one\n"
		 "not bound to libnvdimm too, and a ram region). Its namespaces go\n"
		 "with it: refused while one is in use (the holder named), and\n"
		 "without --force when it has any. A ram region whose memory is\n"
		 "online as system RAM: refused without --offline. The memdevs'\n"
		 "capacity is free again.\n"
		 "\n",
	.usage_end = "\nExit: 0 done, 2 usage, 3 no such region, 4 not root, 5 not a CXL\n"
		     "region, 6 a namespace is in use or memory online (no --offline),\n"
		     "9 namespaces and no --force, 1 a step failed.\n",
	.options = options,
	.force_help = "destroy the region's namespaces and their data",
	.resolve = resolve,
	.plan = plan,
	.run = run,
};

int cmd_destroy_region(int argc, char **argv, struct pmemctl_ctx *ctx)
{
	return change_run(ctx, &destroy_region, &param, argc, argv);
}
