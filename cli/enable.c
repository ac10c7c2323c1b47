// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What pmemctl enable and disable share (cli/cmd-enable.c, cmd-disable.c):
 * finding the objects, their locks and guards, the plan and the run.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "enable.h"
#include "../lib/cxl.h"
#include "../lib/enable.h"
#include "../lib/holders.h"

/* A CXL region is named with this prefix (its nvdimm region has its name). */
#define CXL_PREFIX "cxl:"

static struct pm_cxl_region *find_cxl_region(const struct pm_platform *pf,
					     const char *name)
{
	for (size_t i = 0; i < pf->nr_cxl_regions; i++)
		if (strcmp(pf->cxl_regions[i]->dev, name) == 0)
			return pf->cxl_regions[i];
	return NULL;
}

/* What name is: 0 after adding it, or an exit code after a message. */
static int find_object(struct change *ch, const char *name)
{
	struct pm_enable_request *req = ch->args;
	struct pm_platform *pf = ch->pf;
	enum pm_enable_kind kind;
	struct pm_target t;
	void *obj = NULL;

	if (strncmp(name, CXL_PREFIX, strlen(CXL_PREFIX)) == 0) {
		kind = PM_EN_CXL_REGION;
		obj = find_cxl_region(pf, name + strlen(CXL_PREFIX));
	} else if ((obj = pm_find_dimm(pf, name))) {
		kind = PM_EN_DIMM;
	} else if ((obj = pm_find_region(pf, name))) {
		kind = PM_EN_REGION;
	} else if ((obj = pm_find_memdev(pf, name))) {
		kind = PM_EN_MEMDEV;
	} else {
		kind = PM_EN_NAMESPACE;
		if (pm_resolve_target(pf, name, &t) == 0)
			obj = t.ns ? (void *)t.ns : (void *)t.region;
		if (obj && !t.ns)
			kind = PM_EN_REGION;
	}
	if (!obj) {
		if (find_cxl_region(pf, name))
			cli_error(name, "no such nvdimm region; the CXL region of that name is cxl:%s",
				  name);
		else
			cli_error(name, "no such namespace, region, DIMM, memdev or CXL region (pmemctl list -i lists them)");
		return EXIT_NOT_FOUND;
	}
	if (pm_enable_add(req, kind, obj) < 0)
		return cli_usage_error(ch->ctx, "more than %d objects: %s fewer at a time",
				       PM_ENABLE_MAX_OBJECTS, req->enable ? "enable" : "disable");
	return EXIT_OK;
}

/* A lock an object needs; named twice, the stronger (exclusive) wins. */
struct want_lock {
	char name[80];
	bool shared;
};

static void want(struct want_lock *locks, size_t *nr, size_t max,
		 const char *name, bool shared)
{
	for (size_t i = 0; i < *nr; i++)
		if (strcmp(locks[i].name, name) == 0) {
			locks[i].shared &= shared;
			return;
		}
	if (*nr == max)
		return;		/* change_lock_more() refuses past its own limit */
	snprintf(locks[*nr].name, sizeof(locks[0].name), "%s", name);
	locks[(*nr)++].shared = shared;
}

static void want_scope(struct want_lock *locks, size_t *nr, size_t max,
		       const char *region, bool shared)
{
	char scope[80];

	snprintf(scope, sizeof(scope), "%s.scope", region);
	want(locks, nr, max, scope, shared);
}

/*
 * Under the runner's lock: each object's, as the other verbs take them (a
 * namespace's and its region's scope shared, a region's scope exclusive),
 * each lock once, so that naming a region and its namespace works.
 */
static int lock_objects(struct change *ch)
{
	struct pm_enable_request *req = ch->args;
	const char *doing = req->enable ? "enabling it" : "disabling it";
	struct want_lock locks[CHANGE_MAX_LOCKS];
	size_t nr = 0, max = CHANGE_MAX_LOCKS;
	int exit_code = EXIT_OK;

	for (size_t i = 0; i < req->nr_objects; i++) {
		struct pm_enable_object *o = &req->objects[i];
		const struct pm_namespace *ns = o->obj;
		const struct pm_dimm *dimm = o->obj;

		switch (o->kind) {
		case PM_EN_NAMESPACE:
			want_scope(locks, &nr, max, ns->region->dev, true);
			want(locks, &nr, max, ns->dev, false);
			break;
		case PM_EN_REGION:
			want_scope(locks, &nr, max, o->dev, false);
			break;
		case PM_EN_DIMM:
			/* Every region of the DIMM, whose state follows it. */
			for (size_t r = 0; r < ch->pf->nr_regions; r++)
				if (pm_region_uses_dimm(ch->pf->regions[r], dimm))
					want_scope(locks, &nr, max, ch->pf->regions[r]->dev, false);
			want(locks, &nr, max, o->dev, false);
			break;
		case PM_EN_MEMDEV:
		case PM_EN_CXL_REGION:
			/* CXL regions share decoders and memdevs: one lock. */
			want(locks, &nr, max, "cxl-regions", false);
			break;
		}
	}
	for (size_t i = 0; i < nr && !exit_code; i++)
		exit_code = change_lock_more(ch, locks[i].name, locks[i].shared, doing);
	return exit_code;
}

int enable_resolve(struct change *ch)
{
	struct pm_enable_request *req = ch->args;
	size_t used = 0;
	int exit_code;

	req->nr_objects = 0;
	req->names[0] = NULL;
	for (int i = 0; i < ch->nr_names; i++) {
		exit_code = find_object(ch, ch->names[i]);
		if (exit_code)
			return exit_code;
	}
	ch->object[0] = '\0';
	for (size_t i = 0; i < req->nr_objects; i++)
		used += snprintf(ch->object + used, used < sizeof(ch->object) ?
				 sizeof(ch->object) - used : 0, "%s%s", i ? "," : "",
				 req->objects[i].dev);
	/* Called again under the runner's lock, on a fresh snapshot. */
	return ch->lock >= 0 ? lock_objects(ch) : EXIT_OK;
}

/* Disable: every namespace a step takes down must be free. */
int enable_guard(struct change *ch)
{
	struct pm_enable_request *req = ch->args;
	char why[256];

	for (size_t i = 0; !req->enable && i < ch->res->nr_steps; i++) {
		const struct pm_namespace *ns = req->acts[i].obj;

		if (req->acts[i].kind != PM_EN_NAMESPACE ||
		    pm_namespace_in_use(ch->pf, ns, why, sizeof(why)) != -EBUSY)
			continue;
		cli_error(ns->dev, "in use: %s; disabling refused", why);
		return EXIT_BUSY;
	}
	return EXIT_OK;
}

int enable_plan(struct change *ch)
{
	struct pm_enable_request *req = ch->args;

	req->force = ch->force;
	return pm_enable_plan(ch->pf, req, ch->res);
}

int enable_run(struct change *ch)
{
	return pm_enable_run(ch->pf, ch->args, ch->res);
}
