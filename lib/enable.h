/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Enabling and disabling namespaces, regions, DIMMs, memdevs, CXL regions. */
#ifndef PMEMCTL_ENABLE_H
#define PMEMCTL_ENABLE_H

#include <stdbool.h>
#include <stddef.h>

#include "change.h"

enum pm_enable_kind {
	PM_EN_NAMESPACE,		/* struct pm_namespace */
	PM_EN_REGION,			/* struct pm_region (libnvdimm) */
	PM_EN_DIMM,			/* struct pm_dimm */
	PM_EN_MEMDEV,			/* struct pm_memdev (CXL) */
	PM_EN_CXL_REGION,		/* struct pm_cxl_region */
};

#define PM_ENABLE_MAX_OBJECTS 16

/* An object named, or one a step acts on. */
struct pm_enable_object {
	enum pm_enable_kind kind;
	void *obj;
	const char *dev;		/* its name: namespace0.0, cxl:region0 */
};

struct pm_enable_request {
	bool enable;			/* else disable */
	/* disable: a DIMM's enabled regions (and namespaces) go down first */
	bool force;
	struct pm_enable_object objects[PM_ENABLE_MAX_OBJECTS];
	size_t nr_objects;
	/* The plan: what step i acts on is acts[i]. */
	struct pm_enable_object acts[PM_MAX_STEPS];
	const char *names[PM_ENABLE_MAX_OBJECTS + 1];	/* NULL-terminated */
	char cxl_names[PM_ENABLE_MAX_OBJECTS][40];	/* cxl:regionN */
};

/*
 * Adds an object to the request: 0, or -E2BIG past PM_ENABLE_MAX_OBJECTS.
 * Named twice: once.
 */
int pm_enable_add(struct pm_enable_request *req, enum pm_enable_kind kind,
		  void *obj);

/*
 * The plan, in the kernel's order: disabling a region disables its
 * namespaces first, a DIMM its regions (only with force: -EBUSY naming
 * them otherwise), a CXL region the namespaces of its nvdimm region;
 * enabling a region enables its disabled DIMMs first. Objects already in
 * the state asked add no step; none at all: res->noop. -EBUSY (a DIMM's
 * regions, a memdev in a CXL region), -EINVAL (a namespace with nothing
 * to enable), -E2BIG (too many steps), the reason in res->message.
 */
int pm_enable_plan(const struct pm_platform *pf, struct pm_enable_request *req,
		   struct pm_change_result *res);

/*
 * Carries the planned steps out; on a failed step, undoes the steps done
 * before it, in reverse. 0 or the failed step's -errno. The caller
 * checked the namespaces (pm_namespace_in_use()) and holds the locks.
 */
int pm_enable_run(struct pm_platform *pf, struct pm_enable_request *req,
		  struct pm_change_result *res);

/*
 * Why a disabled object is disabled, as far as the kernel says (a region
 * whose DIMM is disabled or locked, a DIMM locked, a namespace that is
 * an idle seed, no driver bound), into buf; NULL when it is enabled.
 * kind: PM_DIMM, PM_REGION, PM_NAMESPACE, PM_DAXDEV or PM_MEMDEV.
 */
const char *pm_disabled_reason(enum pm_object_kind kind, const void *obj,
			       char *buf, size_t len);

#endif
