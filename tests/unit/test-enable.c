// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests: the plans of enable and disable over a synthetic platform. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "lib/change.h"
#include "lib/cxl.h"
#include "lib/enable.h"

/*
 * Two DIMMs interleaved in region0 (namespace0.0 active, namespace0.1 a
 * seed), nmem2 alone in region1 (disabled), a memdev in a CXL region and
 * one in none.
 */
static struct pm_dimm d0 = { .dev = "nmem0", .enabled = true };
static struct pm_dimm d1 = { .dev = "nmem1", .enabled = true };
static struct pm_dimm d2 = { .dev = "nmem2", .enabled = false };
static struct pm_mapping m0[] = { { .dimm = &d0 }, { .dimm = &d1 } };
static struct pm_mapping m1[] = { { .dimm = &d2 } };
static struct pm_region r0 = { .dev = "region0", .enabled = true, .mappings = m0, .nr_mappings = 2 };
static struct pm_region r1 = { .dev = "region1", .enabled = false, .mappings = m1, .nr_mappings = 1 };
static struct pm_namespace n0 = { .dev = "namespace0.0", .active = true, .size = 1 << 30, .region = &r0 };
static struct pm_namespace n1 = { .dev = "namespace0.1", .active = false, .size = 0, .region = &r0 };
static struct pm_memdev mem0 = { .dev = "mem0", .enabled = true };
static struct pm_memdev mem1 = { .dev = "mem1", .enabled = true };
static struct pm_cxl_target t0 = { .memdev = &mem0, .position = 0 };
static struct pm_cxl_region cxl0 = { .dev = "region5", .enabled = true, .targets = &t0, .nr_targets = 1 };

static struct pm_dimm *dimms[] = { &d0, &d1, &d2 };
static struct pm_region *regions[] = { &r0, &r1 };
static struct pm_namespace *namespaces[] = { &n0, &n1 };
static struct pm_memdev *memdevs[] = { &mem0, &mem1 };
static struct pm_cxl_region *cxl_regions[] = { &cxl0 };

static struct pm_platform pf = {
	.dimms = dimms, .nr_dimms = 3,
	.regions = regions, .nr_regions = 2,
	.namespaces = namespaces, .nr_namespaces = 2,
	.memdevs = memdevs, .nr_memdevs = 2,
	.cxl_regions = cxl_regions, .nr_cxl_regions = 1,
};

static struct pm_change_result res;
static struct pm_enable_request req;

/* Plans enable (or disable) of the objects: its rc; the steps in steps. */
static int plan(bool enable, bool force, char *steps, size_t len,
		enum pm_enable_kind kind, void *obj)
{
	int rc;

	memset(&res, 0, sizeof(res));
	memset(&req, 0, sizeof(req));
	req.enable = enable;
	req.force = force;
	pm_enable_add(&req, kind, obj);
	rc = pm_enable_plan(&pf, &req, &res);
	steps[0] = '\0';
	for (size_t i = 0; i < res.nr_steps; i++)
		snprintf(steps + strlen(steps), len - strlen(steps), "%s%s %s",
			 i ? ", " : "", res.steps[i].name, req.acts[i].dev);
	return rc;
}

static void is_steps(const char *got, const char *want, const char *what)
{
	ok(strcmp(got, want) == 0, "%s (got: %s)", what, got);
}

int main(void)
{
	char s[512], buf[160];

	/* disable */
	ok(plan(false, false, s, sizeof(s), PM_EN_NAMESPACE, &n0) == 0, "disable an active namespace: planned");
	is_steps(s, "disable-namespace namespace0.0", "one step");
	ok(plan(false, false, s, sizeof(s), PM_EN_NAMESPACE, &n1) == 0 && res.noop,
	   "disable a disabled one: nothing to do");
	ok(strcmp(res.message, "already disabled") == 0, "said so: %s", res.message);
	ok(plan(false, false, s, sizeof(s), PM_EN_REGION, &r0) == 0, "disable a region: planned");
	is_steps(s, "disable-namespace namespace0.0, disable-region region0",
		 "its active namespaces first, the seed untouched");
	ok(plan(false, false, s, sizeof(s), PM_EN_DIMM, &d1) == -EBUSY,
	   "disable a DIMM of an enabled region without force: -EBUSY");
	ok(strstr(res.message, "nmem1 backs the enabled region region0") &&
	   strstr(res.message, "pmemctl disable region0") && strstr(res.message, "--force"),
	   "the region named, and --force: %s", res.message);
	ok(plan(false, true, s, sizeof(s), PM_EN_DIMM, &d1) == 0, "with force: planned");
	is_steps(s, "disable-namespace namespace0.0, disable-region region0, disable-dimm nmem1",
		 "namespace, region, then the DIMM");
	ok(plan(false, false, s, sizeof(s), PM_EN_DIMM, &d2) == 0 && res.noop,
	   "a disabled DIMM: nothing to do");
	d2.enabled = true;
	ok(plan(false, false, s, sizeof(s), PM_EN_DIMM, &d2) == 0, "a DIMM whose region is disabled: no force needed");
	is_steps(s, "disable-dimm nmem2", "the DIMM alone");
	d2.enabled = false;
	ok(plan(false, true, s, sizeof(s), PM_EN_MEMDEV, &mem0) == -EBUSY &&
	   strstr(res.message, "pmemctl destroy-region cxl:region5"),
	   "a memdev in a CXL region: -EBUSY even with force, destroy-region named");
	ok(plan(false, false, s, sizeof(s), PM_EN_MEMDEV, &mem1) == 0, "a memdev in none: planned");
	is_steps(s, "disable-memdev mem1", "one step");
	ok(plan(false, false, s, sizeof(s), PM_EN_CXL_REGION, &cxl0) == 0, "a CXL region: planned");
	is_steps(s, "disable-cxl-region cxl:region5", "named cxl:, its nvdimm region (none here) first");
	ok(res.no_config && res.objects && strcmp(res.objects[0], "cxl:region5") == 0 && !res.objects[1],
	   "the report: no configuration, the objects named");

	/* enable */
	ok(plan(true, false, s, sizeof(s), PM_EN_NAMESPACE, &n0) == 0 && res.noop,
	   "enable an active namespace: nothing to do");
	ok(strcmp(res.message, "already enabled") == 0, "said so");
	ok(plan(true, false, s, sizeof(s), PM_EN_NAMESPACE, &n1) == -EINVAL &&
	   strstr(res.message, "create-namespace"), "enable a seed: -EINVAL, create-namespace named");
	ok(plan(true, false, s, sizeof(s), PM_EN_REGION, &r1) == 0, "enable a region whose DIMM is disabled");
	is_steps(s, "enable-dimm nmem2, enable-region region1", "its DIMM first");

	/* named twice: once */
	memset(&req, 0, sizeof(req));
	memset(&res, 0, sizeof(res));
	pm_enable_add(&req, PM_EN_REGION, &r0);
	pm_enable_add(&req, PM_EN_NAMESPACE, &n0);
	pm_enable_add(&req, PM_EN_REGION, &r0);
	ok(req.nr_objects == 2 && pm_enable_plan(&pf, &req, &res) == 0 && res.nr_steps == 2,
	   "a region and its namespace, the region twice: two steps");

	/* why */
	ok(!pm_disabled_reason(PM_REGION, &r0, buf, sizeof(buf)), "an enabled region: no reason");
	ok(pm_disabled_reason(PM_REGION, &r1, buf, sizeof(buf)) &&
	   strcmp(buf, "its DIMM nmem2 is disabled (pmemctl enable region1)") == 0,
	   "a region whose DIMM is disabled: %s", buf);
	d2.enabled = true;
	ok(pm_disabled_reason(PM_REGION, &r1, buf, sizeof(buf)) &&
	   strcmp(buf, "no driver bound (pmemctl enable region1)") == 0,
	   "its DIMM enabled: no driver bound: %s", buf);
	ok(pm_disabled_reason(PM_NAMESPACE, &n1, buf, sizeof(buf)) && strstr(buf, "not configured"),
	   "a seed: not configured");
	return done_testing();
}
