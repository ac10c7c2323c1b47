// SPDX-License-Identifier: GPL-2.0-or-later
/* Planning a CXL region: the root decoder, its size and granularity, and
 * whether the region already is, decided over plain facts. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat.h"
#include "cxl-region.h"
#include "convert-plan.h"
#include "pmem.h"

#define ALIGN_DOWN(x, a) ((x) / (a) * (a))
#define ALIGN_UP(x, a) (((x) + (a) - 1) / (a) * (a))

void pm_region_change_finish(struct pm_region_change *rc)
{
	size_t n = 0;

	for (size_t i = 0; i < PM_CXL_MAX_WAYS && rc->memdevs[i][0]; i++)
		rc->memdev_names[n++] = rc->memdevs[i];
	rc->memdev_names[n] = NULL;
}

static int compare_start(const void *a, const void *b)
{
	const uint64_t *ra = a, *rb = b;

	return ra[0] < rb[0] ? -1 : ra[0] > rb[0];
}

/*
 * The kernel (6.1 alloc_hpa()) places a region of W ways at an address
 * aligned to W x 256M inside the window, and its size must be a multiple
 * of that: what is left between the regions already there, so aligned.
 */
uint64_t pm_cxl_window_free(const struct pm_cxl_root_facts *root,
			    unsigned int ways)
{
	uint64_t busy[PM_CXL_MAX_WAYS * 4][2], unit = PM_CXL_UNIT * (ways ? ways : 1);
	uint64_t at = root->start, end = root->start + root->size, best = 0;
	size_t n = root->nr_busy < ARRAY_SIZE(busy) ? root->nr_busy : ARRAY_SIZE(busy);

	memcpy(busy, root->busy, n * sizeof(busy[0]));
	qsort(busy, n, sizeof(busy[0]), compare_start);
	for (size_t i = 0; i <= n; i++) {
		uint64_t gap_end = i < n ? busy[i][0] : end;
		uint64_t from = ALIGN_UP(at, unit);

		if (gap_end > end)
			gap_end = end;
		if (gap_end > from && ALIGN_DOWN(gap_end - from, unit) > best)
			best = ALIGN_DOWN(gap_end - from, unit);
		if (i < n && busy[i][0] + busy[i][1] > at)
			at = busy[i][0] + busy[i][1];
	}
	return best;
}

static bool same_memdevs(const struct pm_cxl_region_facts *r,
			 const struct pm_cxl_request *req)
{
	if (r->nr_memdevs != req->nr_memdevs)
		return false;
	for (size_t i = 0; i < r->nr_memdevs; i++)
		if (!r->memdevs[i] || strcmp(r->memdevs[i], req->memdevs[i]))
			return false;
	return true;
}

/* A committed region of exactly these memdevs, in this order, as asked. */
static const struct pm_cxl_region_facts *
existing(const struct pm_cxl_facts *f, const struct pm_cxl_request *req)
{
	for (size_t i = 0; i < f->nr_regions; i++) {
		const struct pm_cxl_region_facts *r = &f->regions[i];

		if (!r->committed || r->ram != req->ram || !same_memdevs(r, req))
			continue;
		if (req->decoder && (!r->decoder || strcmp(req->decoder, r->decoder)))
			continue;
		if (req->granularity && req->granularity != r->granularity)
			continue;
		if (req->size && req->size != r->size)
			continue;
		return r;
	}
	return NULL;
}

static void fill(struct pm_region_change *rc, const char *cxl_region,
		 const char *decoder, const struct pm_cxl_request *req,
		 unsigned int granularity, uint64_t size)
{
	snprintf(rc->cxl_region, sizeof(rc->cxl_region), "%s", cxl_region ? cxl_region : "");
	snprintf(rc->decoder, sizeof(rc->decoder), "%s", decoder ? decoder : "");
	memset(rc->memdevs, 0, sizeof(rc->memdevs));
	for (size_t i = 0; i < req->nr_memdevs && i < PM_CXL_MAX_WAYS; i++)
		snprintf(rc->memdevs[i], sizeof(rc->memdevs[i]), "%s", req->memdevs[i]);
	rc->ways = req->nr_memdevs;
	rc->granularity = granularity;
	rc->size = size;
	pm_region_change_finish(rc);
}

/* Why root cannot take the request; NULL when it can. */
static const char *unfit(const struct pm_cxl_root_facts *root,
			 const struct pm_cxl_request *req, char *buf, size_t len)
{
	unsigned int ways = req->nr_memdevs;

	if (!req->ram && !root->pmem_capable)
		return "it is not pmem capable";
	if (req->ram && !root->ram_capable)
		return "it is not volatile capable";
	for (size_t i = 0; i < req->nr_memdevs; i++)
		if (!root->reaches[i]) {
			snprintf(buf, len, "%s is not behind its host bridges", req->memdevs[i]);
			return buf;
		}
	if (!root->ways || ways % root->ways) {
		snprintf(buf, len, "it interleaves %u host bridges: the ways (%u) must be a multiple",
			 root->ways, ways);
		return buf;
	}
	return NULL;
}

int pm_plan_create_region(const struct pm_cxl_facts *f,
			  const struct pm_cxl_request *req,
			  struct pm_region_change *change,
			  struct pm_change_result *res)
{
	const struct pm_cxl_root_facts *root = NULL;
	const struct pm_cxl_region_facts *r;
	unsigned int ways = req->nr_memdevs, granularity;
	uint64_t per_dev = UINT64_MAX, window, most, size, unit;
	const char *smallest = NULL;
	char why[160], a[32], b[32];
	struct pm_step *check;

	res->no_config = true;
	check = pm_step_add(res, PM_ACT_CHECK, "check", "memdevs, root decoder, size");
	if (!ways || ways > PM_CXL_MAX_WAYS)
		return pm_step_refuse(res, check, -EINVAL, "a region interleaves 1 to %d memdevs",
				      PM_CXL_MAX_WAYS);
	unit = PM_CXL_UNIT * ways;
	for (size_t i = 0; i < ways; i++)
		if (!f->memdevs[i].dev)
			return pm_step_refuse(res, check, -ENOENT, "%s: no such memdev", req->memdevs[i]);

	r = existing(f, req);
	if (r) {
		fill(change, r->dev, r->decoder, req, r->granularity, r->size);
		change->ram = r->ram;
		res->noop = true;
		snprintf(res->message, sizeof(res->message),
			 "%s already interleaves these memdevs in this order", r->dev);
		snprintf(check->detail, sizeof(check->detail), "%.*s",
			 (int)sizeof(check->detail) - 1, res->message);
		pm_step_close(check, 0);
		return 0;
	}
	for (size_t i = 0; i < ways; i++) {
		const struct pm_cxl_memdev_facts *m = &f->memdevs[i];
		uint64_t cap = req->ram ? m->ram_size : m->pmem_size;
		uint64_t used = req->ram ? m->ram_dpa_used : m->dpa_used;
		uint64_t free_dpa = cap > used ? cap - used : 0;

		if (m->region)
			return pm_step_refuse(res, check, -EBUSY,
					      "%s is in region %s: destroy that region first (pmemctl destroy-region cxl:%s), or name another memdev",
					      m->dev, m->region, m->region);
		if (m->no_endpoint)
			return pm_step_refuse(res, check, -EOPNOTSUPP,
					      "%s has no endpoint port: enable it (pmemctl enable %s), with cxl_mem and cxl_port loaded",
					      m->dev, m->dev);
		if (!m->free_decoder)
			return pm_step_refuse(res, check, -EBUSY,
					      "%s has no free endpoint decoder: destroy a region it is in first",
					      m->dev);
		free_dpa = ALIGN_DOWN(free_dpa, PM_CXL_UNIT);
		if (free_dpa < per_dev) {
			per_dev = free_dpa;
			smallest = m->dev;
		}
	}
	if (!per_dev) {
		pm_format_size(PM_CXL_UNIT, a, sizeof(a));
		return pm_step_refuse(res, check, -ENOSPC,
				      "%s has no free %s capacity (a region takes %s or more of each memdev)",
				      smallest, req->ram ? "volatile" : "persistent", a);
	}

	if (req->decoder) {
		for (size_t i = 0; i < f->nr_roots && !root; i++)
			if (strcmp(f->roots[i].dev, req->decoder) == 0)
				root = &f->roots[i];
		if (!root)
			return pm_step_refuse(res, check, -ENOENT,
					      "%s: no such root decoder (pmemctl list -W lists them)",
					      req->decoder);
		if (unfit(root, req, why, sizeof(why)))
			return pm_step_refuse(res, check, -EOPNOTSUPP, "%s cannot take this region: %s",
					      root->dev, unfit(root, req, why, sizeof(why)));
	} else {
		uint64_t best = 0;

		for (size_t i = 0; i < f->nr_roots; i++) {
			uint64_t free_hpa;

			if (unfit(&f->roots[i], req, why, sizeof(why)))
				continue;
			free_hpa = pm_cxl_window_free(&f->roots[i], ways);
			if (!root || free_hpa > best) {
				root = &f->roots[i];
				best = free_hpa;
			}
		}
		if (!root)
			return pm_step_refuse(res, check, -EOPNOTSUPP,
					      "no %s-capable root decoder reaches all of these memdevs in %u ways: name memdevs behind one CXL window (pmemctl list -W names the memdevs each reaches)",
					      req->ram ? "volatile" : "pmem", ways);
	}

	granularity = req->granularity ? req->granularity : root->granularity;
	if (req->granularity && root->ways > 1 && req->granularity != root->granularity)
		return pm_step_refuse(res, check, -EINVAL,
				      "%s interleaves %u host bridges at %u bytes: a region under it takes that granularity only",
				      root->dev, root->ways, root->granularity);
	if (!granularity)
		return pm_step_refuse(res, check, -EINVAL, "%s: its interleave granularity is unknown; give -g",
				      root->dev);

	window = pm_cxl_window_free(root, ways);
	most = per_dev * ways;
	if (window < most)
		most = window;
	if (req->size) {
		if (req->size % unit) {
			pm_format_size(unit, a, sizeof(a));
			return pm_step_refuse(res, check, -EINVAL,
					      "a region of %u ways is a multiple of %s (256M per memdev)", ways, a);
		}
		if (req->size > per_dev * ways) {
			pm_format_size(per_dev * ways, a, sizeof(a));
			return pm_step_refuse(res, check, -ENOSPC,
					      "too large: %s has room for at most %s in %u ways", smallest, a, ways);
		}
		if (req->size > window) {
			pm_format_size(window, a, sizeof(a));
			return pm_step_refuse(res, check, -ENOSPC,
					      "too large: the window of %s has %s free for %u ways",
					      root->dev, a, ways);
		}
		size = req->size;
	} else {
		size = most;
	}
	if (!size)
		return pm_step_refuse(res, check, -ENOSPC,
				      "the window of %s has no free range for a region of %u ways",
				      root->dev, ways);

	fill(change, NULL, root->dev, req, granularity, size);
	change->ram = req->ram;
	pm_format_size(size, a, sizeof(a));
	pm_format_size(size / ways, b, sizeof(b));
	snprintf(check->detail, sizeof(check->detail),
		 "%s, %u way%s at %u bytes, %s (%s of each memdev)", root->dev, ways,
		 ways == 1 ? "" : "s", granularity, a, b);
	pm_step_close(check, 0);

	pm_step_add(res, PM_ACT_CONFIGURE_NAMESPACE, "create-region",
		    "%s a %s region under %s", req->dry_run ? "would create" : "create",
		    req->ram ? "ram" : "pmem", root->dev);
	pm_step_add(res, PM_ACT_CONFIGURE_NAMESPACE, "set-geometry",
		    "interleave ways %u, granularity %u, size %s%s", ways,
		    granularity, a, req->ram ? "" : ", a new uuid");
	for (size_t i = 0; i < ways; i++)
		pm_step_add(res, PM_ACT_CONFIGURE_CLAIM, "attach",
			    "%s: %s of %s DPA on a free endpoint decoder, at position %zu",
			    req->memdevs[i], b, req->ram ? "ram" : "pmem", i);
	pm_step_add(res, PM_ACT_ENABLE, "commit", "commit the decoders of every port");
	if (req->ram) {
		pm_step_add(res, PM_ACT_ENABLE, "enable",
			    "enable the region, the kernel's auto-online policy held at offline meanwhile");
		pm_step_add(res, PM_ACT_VERIFY, "verify",
			    "its dax device appears (dax_cxl), as devdax: none of its memory online");
	} else {
		pm_step_add(res, PM_ACT_ENABLE, "enable", "enable the region (cxl_pmem gives it to libnvdimm)");
		pm_step_add(res, PM_ACT_VERIFY, "verify", "the nvdimm region appears");
	}
	snprintf(res->message, sizeof(res->message), "%s a %s %s region of %u way%s under %s",
		 req->dry_run ? "would create" : "creating", a, req->ram ? "ram" : "pmem",
		 ways, ways == 1 ? "" : "s", root->dev);
	return 0;
}
