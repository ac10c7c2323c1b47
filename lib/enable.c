// SPDX-License-Identifier: GPL-2.0-or-later
/* Enabling and disabling namespaces, regions, DIMMs, memdevs and CXL regions,
 * in the kernel's order, undone in reverse when a step fails. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <cxl/libcxl.h>
#include <ndctl/libndctl.h>

#include "enable.h"
#include "change.h"
#include "cxl.h"
#include "pmem.h"

static const char *object_dev(enum pm_enable_kind kind, const void *obj)
{
	switch (kind) {
	case PM_EN_NAMESPACE:
		return ((const struct pm_namespace *)obj)->dev;
	case PM_EN_REGION:
		return ((const struct pm_region *)obj)->dev;
	case PM_EN_DIMM:
		return ((const struct pm_dimm *)obj)->dev;
	case PM_EN_MEMDEV:
		return ((const struct pm_memdev *)obj)->dev;
	case PM_EN_CXL_REGION:
		return ((const struct pm_cxl_region *)obj)->dev;
	}
	return "";
}

int pm_enable_add(struct pm_enable_request *req, enum pm_enable_kind kind,
		  void *obj)
{
	struct pm_enable_object *o;

	for (size_t i = 0; i < req->nr_objects; i++)
		if (req->objects[i].obj == obj)
			return 0;
	if (req->nr_objects == PM_ENABLE_MAX_OBJECTS)
		return -E2BIG;
	o = &req->objects[req->nr_objects];
	o->kind = kind;
	o->obj = obj;
	o->dev = object_dev(kind, obj);
	if (kind == PM_EN_CXL_REGION) {
		/* The nvdimm region has the same name: say which one. */
		snprintf(req->cxl_names[req->nr_objects],
			 sizeof(req->cxl_names[0]), "cxl:%s", o->dev);
		o->dev = req->cxl_names[req->nr_objects];
	}
	req->names[req->nr_objects++] = o->dev;
	req->names[req->nr_objects] = NULL;
	return 0;
}

static const char *const step_names[2][5] = {
	[0] = {
		[PM_EN_NAMESPACE] = "disable-namespace",
		[PM_EN_REGION] = "disable-region",
		[PM_EN_DIMM] = "disable-dimm",
		[PM_EN_MEMDEV] = "disable-memdev",
		[PM_EN_CXL_REGION] = "disable-cxl-region",
	},
	[1] = {
		[PM_EN_NAMESPACE] = "enable-namespace",
		[PM_EN_REGION] = "enable-region",
		[PM_EN_DIMM] = "enable-dimm",
		[PM_EN_MEMDEV] = "enable-memdev",
		[PM_EN_CXL_REGION] = "enable-cxl-region",
	},
};

static const char *const step_details[2][5] = {
	[0] = {
		[PM_EN_NAMESPACE] = "disable the namespace (and its btt, pfn or dax claim)",
		[PM_EN_REGION] = "disable the region",
		[PM_EN_DIMM] = "disable the DIMM",
		[PM_EN_MEMDEV] = "disable the memdev (cxl_mem unbinds)",
		[PM_EN_CXL_REGION] = "disable the CXL region (its nvdimm region goes away)",
	},
	[1] = {
		[PM_EN_NAMESPACE] = "enable the namespace (and its claim)",
		[PM_EN_REGION] = "enable the region (the kernel enables its namespaces)",
		[PM_EN_DIMM] = "enable the DIMM",
		[PM_EN_MEMDEV] = "enable the memdev",
		[PM_EN_CXL_REGION] = "enable the CXL region (cxl_pmem gives it to libnvdimm)",
	},
};

/* One step per object at most; false when there is no room for it. */
static bool add_step(struct pm_enable_request *req, struct pm_change_result *res,
		     enum pm_enable_kind kind, void *obj, const char *dev)
{
	for (size_t i = 0; i < res->nr_steps; i++)
		if (req->acts[i].obj == obj)
			return true;
	if (res->nr_steps == PM_MAX_STEPS)
		return false;
	req->acts[res->nr_steps] = (struct pm_enable_object){ kind, obj, dev };
	pm_step_add(res, req->enable ? PM_ACT_ENABLE : PM_ACT_DISABLE,
		    step_names[req->enable][kind], "%s: %s", dev,
		    step_details[req->enable][kind]);
	return true;
}

/* An nvdimm region's active namespaces, then the region. */
static bool plan_region_down(const struct pm_platform *pf,
			     struct pm_enable_request *req,
			     struct pm_change_result *res,
			     struct pm_region *region)
{
	bool ok = true;

	if (!region || !region->enabled)
		return true;
	for (size_t i = 0; i < pf->nr_namespaces && ok; i++) {
		struct pm_namespace *ns = pf->namespaces[i];

		if (ns->region == region && ns->active)
			ok = add_step(req, res, PM_EN_NAMESPACE, ns, ns->dev);
	}
	return ok && add_step(req, res, PM_EN_REGION, region, region->dev);
}

static struct pm_region *nd_region_of(const struct pm_platform *pf,
				      const struct pm_cxl_region *cxl)
{
	for (size_t i = 0; i < pf->nr_regions; i++)
		if (pf->regions[i]->cxl == cxl)
			return pf->regions[i];
	return NULL;
}

/* A DIMM's enabled regions: refused without force, else taken down. */
static int plan_dimm_down(const struct pm_platform *pf,
			  struct pm_enable_request *req,
			  struct pm_change_result *res, struct pm_dimm *dimm)
{
	char names[160] = "";
	size_t n = 0, len = 0;

	for (size_t i = 0; i < pf->nr_regions; i++) {
		struct pm_region *region = pf->regions[i];

		if (!region->enabled || !pm_region_uses_dimm(region, dimm))
			continue;
		n++;
		if (len < sizeof(names))
			len += snprintf(names + len, sizeof(names) - len, "%s%s",
					len ? " " : "", region->dev);
		if (req->force && !plan_region_down(pf, req, res, region))
			return -E2BIG;
	}
	if (n && !req->force)
		return pm_explain(res->message, sizeof(res->message), -EBUSY,
				  "%s backs the enabled region%s %s: disable %s first (pmemctl disable %s), or add --force to take %s down with it",
				  dimm->dev, n == 1 ? "" : "s", names,
				  n == 1 ? "it" : "them", names, n == 1 ? "it" : "them");
	return add_step(req, res, PM_EN_DIMM, dimm, dimm->dev) ? 0 : -E2BIG;
}

static int plan_down(const struct pm_platform *pf, struct pm_enable_request *req,
		     struct pm_change_result *res, const struct pm_enable_object *o)
{
	struct pm_namespace *ns;
	struct pm_memdev *memdev;
	struct pm_cxl_region *cxl;

	switch (o->kind) {
	case PM_EN_NAMESPACE:
		ns = o->obj;
		if (!ns->active)
			return 0;
		return add_step(req, res, o->kind, ns, ns->dev) ? 0 : -E2BIG;
	case PM_EN_REGION:
		return plan_region_down(pf, req, res, o->obj) ? 0 : -E2BIG;
	case PM_EN_DIMM:
		if (!((struct pm_dimm *)o->obj)->enabled)
			return 0;
		return plan_dimm_down(pf, req, res, o->obj);
	case PM_EN_MEMDEV:
		memdev = o->obj;
		if (!memdev->enabled)
			return 0;
		/*
		 * Unbinding a memdev detaches its endpoint decoders from its
		 * region, whose decode is then gone: that is destroy-region's
		 * work, asked for by name, not a side effect of --force.
		 */
		for (size_t i = 0; i < pf->nr_cxl_regions; i++) {
			cxl = pf->cxl_regions[i];
			for (size_t t = 0; t < cxl->nr_targets; t++)
				if (cxl->targets[t].memdev == memdev)
					return pm_explain(res->message, sizeof(res->message), -EBUSY,
							  "%s is a target of CXL region %s: disabling it would undo the region (pmemctl destroy-region cxl:%s does that, namespaces and all)",
							  memdev->dev, cxl->dev, cxl->dev);
		}
		return add_step(req, res, o->kind, memdev, memdev->dev) ? 0 : -E2BIG;
	case PM_EN_CXL_REGION:
		cxl = o->obj;
		if (!cxl->enabled)
			return 0;
		/*
		 * kmem cannot remove memory that is online: the kernel would
		 * keep it, unusable, until the next boot. Offlining is
		 * convert's, asked for by name.
		 */
		if (cxl->ram && pm_ram_region_daxdev(pf, cxl) &&
		    pm_ram_region_daxdev(pf, cxl)->ram)
			return pm_explain(res->message, sizeof(res->message), -EBUSY,
					  "the dax device %s of ram region %s is system RAM: pmemctl convert %s --mode devdax first",
					  pm_ram_region_daxdev(pf, cxl)->dev, cxl->dev,
					  pm_ram_region_daxdev(pf, cxl)->dev);
		/* Its nvdimm region first, then the CXL region. */
		if (!plan_region_down(pf, req, res, nd_region_of(pf, cxl)) ||
		    !add_step(req, res, o->kind, cxl, o->dev))
			return -E2BIG;
		return 0;
	}
	return 0;
}

static int plan_up(const struct pm_platform *pf, struct pm_enable_request *req,
		   struct pm_change_result *res, const struct pm_enable_object *o)
{
	struct pm_namespace *ns;
	struct pm_region *region;

	(void)pf;
	switch (o->kind) {
	case PM_EN_NAMESPACE:
		ns = o->obj;
		if (ns->active)
			return 0;
		if (!ns->size)
			return pm_explain(res->message, sizeof(res->message), -EINVAL,
					  "%s is not configured (an idle seed): nothing to enable; pmemctl create-namespace makes one",
					  ns->dev);
		break;
	case PM_EN_REGION:
		region = o->obj;
		if (region->enabled)
			return 0;
		/* The kernel cannot enable a region whose DIMM is disabled. */
		for (size_t m = 0; m < region->nr_mappings; m++) {
			struct pm_dimm *dimm = region->mappings[m].dimm;

			if (dimm && !dimm->enabled &&
			    !add_step(req, res, PM_EN_DIMM, dimm, dimm->dev))
				return -E2BIG;
		}
		break;
	case PM_EN_DIMM:
		if (((struct pm_dimm *)o->obj)->enabled)
			return 0;
		break;
	case PM_EN_MEMDEV:
		if (((struct pm_memdev *)o->obj)->enabled)
			return 0;
		break;
	case PM_EN_CXL_REGION:
		if (((struct pm_cxl_region *)o->obj)->enabled)
			return 0;
		break;
	}
	return add_step(req, res, o->kind, o->obj, o->dev) ? 0 : -E2BIG;
}

int pm_enable_plan(const struct pm_platform *pf, struct pm_enable_request *req,
		   struct pm_change_result *res)
{
	const char *verb = req->enable ? "enable" : "disable";
	int rc = 0;

	res->no_config = true;
	res->objects = req->names;
	for (size_t i = 0; i < req->nr_objects && !rc; i++)
		rc = req->enable ? plan_up(pf, req, res, &req->objects[i]) :
				   plan_down(pf, req, res, &req->objects[i]);
	if (rc == -E2BIG)
		pm_explain(res->message, sizeof(res->message), rc,
			   "more than %d steps: %s fewer objects at a time", PM_MAX_STEPS, verb);
	if (rc)
		return res->err = rc;
	if (!res->nr_steps) {
		res->noop = true;
		snprintf(res->message, sizeof(res->message), "already %sd", verb);
		return 0;
	}
	snprintf(res->message, sizeof(res->message), "%zu step%s to %s",
		 res->nr_steps, res->nr_steps == 1 ? "" : "s", verb);
	return 0;
}

/* ---- why an object is disabled ----------------------------------------- */

static bool dimm_locked(const struct pm_dimm *dimm)
{
	return dimm->nddimm &&
	       ndctl_dimm_get_security(dimm->nddimm) == NDCTL_SECURITY_LOCKED;
}

const char *pm_disabled_reason(enum pm_object_kind kind, const void *obj,
			       char *buf, size_t len)
{
	const struct pm_region *region = obj;
	const struct pm_dimm *dimm = obj;
	const struct pm_namespace *ns = obj;

	switch (kind) {
	case PM_DIMM:
		if (dimm->enabled)
			return NULL;
		if (dimm_locked(dimm))
			snprintf(buf, len, "locked: its passphrase must unlock it first");
		else
			snprintf(buf, len, "no driver bound (pmemctl enable %s)", dimm->dev);
		return buf;
	case PM_REGION:
		if (region->enabled)
			return NULL;
		/* The kernel enables a region only with all of its DIMMs. */
		for (size_t m = 0; m < region->nr_mappings; m++) {
			dimm = region->mappings[m].dimm;
			if (!dimm) {
				snprintf(buf, len, "a DIMM of its mappings is missing");
				return buf;
			}
			if (dimm_locked(dimm)) {
				snprintf(buf, len, "its DIMM %s is locked", dimm->dev);
				return buf;
			}
			if (!dimm->enabled) {
				snprintf(buf, len, "its DIMM %s is disabled (pmemctl enable %s)",
					 dimm->dev, region->dev);
				return buf;
			}
		}
		snprintf(buf, len, "no driver bound (pmemctl enable %s)", region->dev);
		return buf;
	case PM_NAMESPACE:
		if (ns->active)
			return NULL;
		if (!ns->size)
			snprintf(buf, len, "not configured: the region's seed for a new namespace");
		else
			snprintf(buf, len, "no driver bound (pmemctl enable %s)", ns->dev);
		return buf;
	case PM_DAXDEV:
		if (((const struct pm_daxdev *)obj)->enabled)
			return NULL;
		snprintf(buf, len, "no driver bound");
		return buf;
	case PM_MEMDEV:
		if (((const struct pm_memdev *)obj)->enabled)
			return NULL;
		snprintf(buf, len, "cxl_mem is not bound (pmemctl enable %s)",
			 ((const struct pm_memdev *)obj)->dev);
		return buf;
	default:
		return NULL;
	}
}

/* ---- the run: libndctl and libcxl ------------------------------------- */

static int act(struct pm_enable_object *o, bool enable)
{
	struct ndctl_namespace *ndns;
	struct pm_region *region;
	struct pm_dimm *dimm;
	struct pm_memdev *memdev;
	struct pm_cxl_region *cxl;
	int rc;

	switch (o->kind) {
	case PM_EN_NAMESPACE:
		ndns = pm_namespace_ndns(o->obj);
		if (!ndns)
			return -ENODEV;
		if (!enable)
			return ndctl_namespace_disable_safe(ndns);
		/* 1: the namespace's claim (btt, pfn, dax) came up with it. */
		rc = ndctl_namespace_enable(ndns);
		return rc > 0 ? 0 : rc;
	case PM_EN_REGION:
		region = o->obj;
		/*
		 * Preserve: libndctl keeps the namespace objects, which an
		 * undo of an earlier step may still use.
		 */
		return enable ? ndctl_region_enable(region->ndregion) :
				ndctl_region_disable_preserve(region->ndregion);
	case PM_EN_DIMM:
		dimm = o->obj;
		return enable ? ndctl_dimm_enable(dimm->nddimm) :
				ndctl_dimm_disable(dimm->nddimm);
	case PM_EN_MEMDEV:
		memdev = o->obj;
		return enable ? cxl_memdev_enable(memdev->cxlmemdev) :
				cxl_memdev_disable_invalidate(memdev->cxlmemdev);
	case PM_EN_CXL_REGION:
		cxl = o->obj;
		return enable ? cxl_region_enable(cxl->cxlregion) :
				cxl_region_disable(cxl->cxlregion);
	}
	return -EINVAL;
}

int pm_enable_run(struct pm_platform *pf, struct pm_enable_request *req,
		  struct pm_change_result *res)
{
	size_t failed;
	int rc = 0;

	(void)pf;
	for (failed = 0; failed < res->nr_steps; failed++) {
		rc = pm_step_close(&res->steps[failed], act(&req->acts[failed], req->enable));
		if (rc)
			break;
		res->changed = true;
	}
	if (!rc) {
		snprintf(res->message, sizeof(res->message), "%sd",
			 req->enable ? "enable" : "disable");
		return 0;
	}
	res->err = rc;
	res->rolled_back = true;
	for (size_t i = failed; i-- > 0;) {
		struct pm_step *s = &res->steps[i];

		if (act(&req->acts[i], !req->enable) < 0) {
			res->rolled_back = false;
			continue;
		}
		s->status = PM_STEP_UNDONE;
	}
	if (res->rolled_back)
		res->changed = false;
	snprintf(res->message, sizeof(res->message), "%s failed: %s; %s",
		 res->steps[failed].name, strerror(-rc),
		 failed == 0 ? "nothing was changed" :
		 res->rolled_back ? "the steps before it were undone" :
		 "the steps before it could NOT all be undone (pmemctl list -i shows the state)");
	return rc;
}
