// SPDX-License-Identifier: GPL-2.0-or-later
/* Clearing media errors: which ranges, how each is cleared here, and doing it. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <ndctl/libndctl.h>
#include <linux/ndctl.h>

#include "clear.h"
#include "compat.h"
#include "cxl.h"
#include "pmem.h"
#include "convert-plan.h"
#include "proc.h"
#include "sysfs.h"

#define SECTOR 512ULL
#define MAX_BLOCK_RANGES 4096

const char *pm_clear_method_name(enum pm_clear_method method)
{
	switch (method) {
	case PM_CLEAR_DSM:
		return "clear";
	case PM_CLEAR_WRITE:
		return "write";
	case PM_CLEAR_POISON:
		return "clear-poison";
	default:
		return "forget";
	}
}

/* ---- the plan: pure --------------------------------------------------- */

struct plan {
	const struct pm_clear_facts *f;
	struct pm_change_result *res;
	size_t alloc;
	int err;			/* the first refusal */
};

static struct pm_clear_range *add_range(struct plan *p, const char *ns,
					uint64_t offset, uint64_t length,
					uint64_t spa, bool block,
					enum pm_clear_method method)
{
	struct pm_change_result *res = p->res;
	struct pm_clear_range *r;

	if (res->nr_ranges == p->alloc) {
		size_t n = p->alloc ? 2 * p->alloc : 8;
		struct pm_clear_range *grown = realloc(res->ranges, n * sizeof(*grown));

		if (!grown)
			return NULL;
		res->ranges = grown;
		p->alloc = n;
	}
	r = &res->ranges[res->nr_ranges++];
	memset(r, 0, sizeof(*r));
	snprintf(r->ns, sizeof(r->ns), "%s", ns ? ns : "");
	r->offset = offset;
	r->length = length;
	r->spa = spa;
	r->block = block;
	r->method = method;
	return r;
}

/* The first reason wins: it is the one the user reads. */
static void refuse(struct plan *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void refuse(struct plan *p, const char *fmt, ...)
{
	va_list ap;

	if (p->err)
		return;
	p->err = -EOPNOTSUPP;
	va_start(ap, fmt);
	vsnprintf(p->res->message, sizeof(p->res->message), fmt, ap);
	va_end(ap);
}

static const char *bus_cannot(const struct pm_clear_facts *f)
{
	static char why[160];

	snprintf(why, sizeof(why), "the %s bus of %s has no clear-error command",
		 f->provider ? f->provider : "?", f->region);
	return why;
}

/* The ARS ranges in ns's extent, each cut to it. */
static int plan_ars(struct plan *p, const struct pm_clear_ns_facts *ns)
{
	const struct pm_clear_facts *f = p->f;

	for (size_t i = 0; i < f->nr_ars; i++) {
		uint64_t b = f->region_start + f->ars[i].offset * SECTOR;
		uint64_t e = b + f->ars[i].length * SECTOR;

		if (e <= ns->start || b >= ns->end)
			continue;
		b = b < ns->start ? ns->start : b;
		e = e > ns->end ? ns->end : e;
		if (!ns->active)
			refuse(p, "%s is disabled and has media errors: enable it first (its data area is unknown)",
			       ns->dev);
		else if (ns->mode == PM_MODE_SECTOR)
			refuse(p, "%s is in sector mode: the BTT maps its sectors itself (ndctl does not clear under it either); rewrite the data through /dev/%s, or convert it to raw first",
			       ns->dev, ns->blockdev ? ns->blockdev : "its block device");
		else if (b < ns->data_start || e > ns->data_end)
			refuse(p, "%s has a media error in its info block or page map, outside its data: destroy it, clear its region %s, then create it again",
			       ns->dev, f->region);
		else if (f->cxl_poison && f->poison_cannot)
			refuse(p, "%s: %s", ns->dev, f->poison_cannot);
		else if (!f->can_dsm && !f->cxl_poison)
			refuse(p, "%s: %s", ns->dev, bus_cannot(f));
		if (!add_range(p, ns->dev, (b - ns->data_start) / SECTOR,
			       (e - b) / SECTOR, b, false,
			       f->cxl_poison ? PM_CLEAR_POISON : PM_CLEAR_DSM))
			return -ENOMEM;
	}
	return 0;
}

static bool covered(const struct pm_change_result *res, size_t first,
		    const struct pm_sector_range *bb)
{
	for (size_t i = first; i < res->nr_ranges; i++) {
		const struct pm_clear_range *r = &res->ranges[i];

		if (!r->block && bb->offset >= r->offset &&
		    bb->offset + bb->length <= r->offset + r->length)
			return true;
	}
	return false;
}

/* The block device's own ranges that no ARS range of ns covers. */
static int plan_block(struct plan *p, const struct pm_clear_ns_facts *ns,
		      size_t first)
{
	const struct pm_clear_facts *f = p->f;
	enum pm_clear_method method = PM_CLEAR_WRITE;

	for (size_t i = 0; i < ns->nr_block; i++) {
		if (covered(p->res, first, &ns->block[i]))
			continue;
		if (ns->mode == PM_MODE_SECTOR)
			refuse(p, "%s is in sector mode: the BTT maps its sectors itself; rewrite the data through /dev/%s",
			       ns->dev, ns->blockdev);
		else if (!f->write_clears && !f->forget)
			refuse(p, "%s: %s: a write to the sectors fails (EIO); --forget drops them from the kernel's list instead, repairing nothing",
			       ns->dev, bus_cannot(f));
		if (!f->write_clears)
			method = PM_CLEAR_FORGET;
		if (!add_range(p, ns->dev, ns->block[i].offset, ns->block[i].length,
			       0, true, method))
			return -ENOMEM;
	}
	return 0;
}

/* The parts of the region's ranges outside every namespace's extent. */
static int plan_outside(struct plan *p)
{
	const struct pm_clear_facts *f = p->f;

	for (size_t i = 0; i < f->nr_ars; i++) {
		uint64_t cur = f->region_start + f->ars[i].offset * SECTOR;
		uint64_t e = cur + f->ars[i].length * SECTOR;

		while (cur < e) {
			uint64_t next = e;
			bool inside = false;

			for (size_t n = 0; n < f->nr_ns; n++) {
				const struct pm_clear_ns_facts *ns = &f->ns[n];

				if (cur >= ns->start && cur < ns->end) {
					inside = true;
					next = ns->end < e ? ns->end : e;
					break;
				}
				if (ns->start > cur && ns->start < next)
					next = ns->start;
			}
			if (!inside) {
				if (f->cxl_poison && f->poison_cannot)
					refuse(p, "%s", f->poison_cannot);
				else if (!f->can_dsm && !f->cxl_poison)
					refuse(p, "%s", bus_cannot(f));
				if (!add_range(p, NULL, (cur - f->region_start) / SECTOR,
					       (next - cur) / SECTOR, cur, false,
					       f->cxl_poison ? PM_CLEAR_POISON : PM_CLEAR_DSM))
					return -ENOMEM;
			}
			cur = next;
		}
	}
	return 0;
}

/* What one namespace's ranges [first, last) ask for. */
struct group {
	const char *ns;			/* NULL: outside every namespace */
	size_t first, last;
	uint64_t write, dsm, forget;	/* sectors per method */
	size_t nr_dsm;
	size_t nr_poison;		/* CXL poison ranges */
};

static size_t next_group(const struct pm_change_result *res, size_t first,
			 struct group *g)
{
	memset(g, 0, sizeof(*g));
	g->first = first;
	g->ns = res->ranges[first].ns[0] ? res->ranges[first].ns : NULL;
	for (g->last = first; g->last < res->nr_ranges &&
	     strcmp(res->ranges[g->last].ns, res->ranges[first].ns) == 0; g->last++) {
		const struct pm_clear_range *r = &res->ranges[g->last];

		if (r->method == PM_CLEAR_WRITE)
			g->write += r->length;
		else if (r->method == PM_CLEAR_FORGET)
			g->forget += r->length;
		else if (r->method == PM_CLEAR_POISON)
			g->nr_poison++;
		else {
			g->dsm += r->length;
			g->nr_dsm++;
		}
	}
	return g->last;
}

static const struct pm_clear_ns_facts *ns_facts(const struct pm_clear_facts *f,
						const char *dev)
{
	for (size_t i = 0; dev && i < f->nr_ns; i++)
		if (strcmp(f->ns[i].dev, dev) == 0)
			return &f->ns[i];
	return NULL;
}

/* The steps of one group, in the order the run takes them. */
static void plan_steps(const struct pm_clear_facts *f, const struct group *g,
		       struct pm_change_result *res)
{
	const struct pm_clear_ns_facts *ns = ns_facts(f, g->ns);

	if (g->nr_poison)
		pm_step_add(res, PM_ACT_CLEAR_ERROR, "clear-poison",
			    "%s: %zu range(s) through the CXL memdevs' clear_poison; the bytes then read as zeros",
			    ns ? ns->dev : f->region, g->nr_poison);
	if (!g->write && !g->dsm && !g->forget)
		return;
	if (!ns) {
		pm_step_add(res, PM_ACT_CLEAR_ERROR, "clear",
			    "%s: %zu range(s) outside every namespace through the bus's clear-error command",
			    f->region, g->nr_dsm);
		return;
	}
	if (g->write)
		pm_step_add(res, PM_ACT_WRITE_ZEROS, "write-zeros",
			    "%s: zeros over %llu sector(s) of /dev/%s; the pmem driver clears them",
			    ns->dev, (unsigned long long)g->write, ns->blockdev);
	if (!g->dsm && !g->forget)
		return;
	pm_step_add(res, PM_ACT_DISABLE, "disable", "%s: disable the namespace", ns->dev);
	if (g->dsm)
		pm_step_add(res, PM_ACT_CLEAR_ERROR, "clear",
			    "%s: %zu range(s) through the bus's clear-error command",
			    ns->dev, g->nr_dsm);
	pm_step_add(res, PM_ACT_ENABLE, "enable", "%s: enable it: %s", ns->dev,
		    g->forget ? "the kernel rebuilds its list from the bus's and forgets the rest" :
				"the kernel rebuilds the block device's list");
}

static uint64_t total_sectors(const struct pm_change_result *res)
{
	uint64_t n = 0;

	for (size_t i = 0; i < res->nr_ranges; i++)
		n += res->ranges[i].length;
	return n;
}

/* "namespace1.0 8-11, 32-39 and 2 more": what the question names. */
static void name_ranges(const struct pm_change_result *res, bool with_ns,
			char *buf, size_t len)
{
	size_t n = 0, shown = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < res->nr_ranges && n < len; i++) {
		const struct pm_clear_range *r = &res->ranges[i];

		if (shown == 4) {
			snprintf(buf + n, len - n, " and %zu more", res->nr_ranges - i);
			return;
		}
		n += snprintf(buf + n, len - n, "%s%s%s%llu-%llu", i ? ", " : "",
			      with_ns ? (r->ns[0] ? r->ns : "region") : "",
			      with_ns ? " " : "", (unsigned long long)r->offset,
			      (unsigned long long)(r->offset + r->length - 1));
		shown++;
	}
}

int pm_clear_plan(const struct pm_clear_facts *f, struct pm_change_result *res)
{
	struct plan p = { .f = f, .res = res };
	struct pm_step *check;
	bool forget_only = true;
	char names[160];
	struct group g;
	int rc = 0;

	free(res->ranges);
	memset(res, 0, sizeof(*res));
	res->no_config = true;
	check = pm_step_add(res, PM_ACT_CHECK, "check",
			    "the media errors of %s, and how this bus clears them",
			    f->whole_region ? f->region : "the namespace");
	for (size_t i = 0; !rc && i < f->nr_ns; i++) {
		size_t first = res->nr_ranges;

		if (!f->ns[i].target)
			continue;
		rc = plan_ars(&p, &f->ns[i]);
		if (!rc)
			rc = plan_block(&p, &f->ns[i], first);
	}
	if (!rc && f->whole_region)
		rc = plan_outside(&p);
	if (rc)
		return res->err = pm_step_close(check, rc);
	if (p.err) {
		res->err = p.err;
		return pm_step_close(check, p.err);
	}
	pm_step_close(check, 0);
	if (!res->nr_ranges) {
		res->noop = true;
		snprintf(res->message, sizeof(res->message), "no media errors: nothing to clear");
		return 0;
	}
	for (size_t i = 0; i < res->nr_ranges; i = g.last) {
		next_group(res, i, &g);
		plan_steps(f, &g, res);
		if (g.dsm || g.write || g.nr_poison)
			forget_only = false;
	}
	pm_step_add(res, PM_ACT_VERIFY, "verify",
		    "the region's list and the block devices' lists no longer have the ranges");
	name_ranges(res, f->whole_region, names, sizeof(names));
	snprintf(res->message, sizeof(res->message),
		 "%s %llu sector(s) in %zu range(s) (%s): %s",
		 forget_only ? "would forget" : "would clear",
		 (unsigned long long)total_sectors(res), res->nr_ranges, names,
		 forget_only ? "the kernel drops them from its list; nothing is repaired" :
			       "what they hold is lost");
	return 0;
}

/* ---- the facts: sysfs and libndctl ------------------------------------ */

static int read_sector_ranges(const char *path, struct pm_sector_range **out,
			      size_t *nr)
{
	unsigned long long offset, length;
	struct pm_sector_range *v = NULL;
	size_t n = 0;
	FILE *file;

	*out = NULL;
	*nr = 0;
	file = fopen(path, "re");
	if (!file)
		return 0;
	while (n < MAX_BLOCK_RANGES && fscanf(file, "%llu %llu", &offset, &length) == 2) {
		struct pm_sector_range *grown = realloc(v, (n + 1) * sizeof(*v));

		if (!grown) {
			free(v);
			fclose(file);
			return -ENOMEM;
		}
		v = grown;
		v[n].offset = offset;
		v[n++].length = length;
	}
	fclose(file);
	*out = v;
	*nr = n;
	return 0;
}

static int region_ars(struct ndctl_region *ndregion, struct pm_sector_range **out,
		      size_t *nr)
{
	struct pm_sector_range *v = NULL;
	struct badblock *b;
	size_t n = 0;

	ndctl_region_badblock_foreach(ndregion, b) {
		struct pm_sector_range *grown = realloc(v, (n + 1) * sizeof(*v));

		if (!grown) {
			free(v);
			return -ENOMEM;
		}
		v = grown;
		v[n].offset = b->offset;
		v[n++].length = b->len;
	}
	*out = v;
	*nr = n;
	return 0;
}

/*
 * A CXL region's poison, as sectors from the region's start: the records
 * of its memdevs' poison lists (read again when fresh) that it maps.
 */
static int region_poison(struct pm_region *region, uint64_t start, bool fresh,
			 struct pm_sector_range **out, size_t *nr)
{
	const struct pm_cxl_region *cxl = region->cxl;
	struct pm_sector_range *v = NULL;
	size_t n = 0;

	*out = NULL;
	*nr = 0;
	for (size_t t = 0; t < cxl->nr_targets; t++) {
		struct pm_memdev *memdev = cxl->targets[t].memdev;
		const struct pm_cxl_poison_list *pl;

		if (!memdev)
			continue;
		if (fresh)
			pm_memdev_poison_forget(memdev);
		pl = pm_memdev_poison(memdev);
		if (pl->error) {
			free(v);
			return pl->error;
		}
		for (size_t i = 0; i < pl->nr; i++) {
			const struct pm_cxl_poison *rec = &pl->v[i];
			struct pm_sector_range *grown;

			if (strcmp(rec->region, cxl->dev) != 0 || rec->hpa == UINT64_MAX ||
			    rec->hpa < start)
				continue;
			grown = realloc(v, (n + 1) * sizeof(*v));
			if (!grown) {
				free(v);
				return -ENOMEM;
			}
			v = grown;
			v[n].offset = (rec->hpa - start) / SECTOR;
			v[n].length = (rec->hpa + rec->length - start + SECTOR - 1) / SECTOR -
				      v[n].offset;
			n++;
		}
	}
	*out = v;
	*nr = n;
	return 0;
}

/* Why debugfs cannot clear a memdev's poison here, or NULL when it can. */
static const char *poison_cannot(const struct pm_region *region)
{
	for (size_t t = 0; t < region->cxl->nr_targets; t++) {
		const struct pm_memdev *memdev = region->cxl->targets[t].memdev;
		char path[128];

		if (!memdev)
			continue;
		snprintf(path, sizeof(path), "/sys/kernel/debug/cxl/%s/clear_poison",
			 memdev->dev);
		if (access(path, W_OK) < 0)
			return errno == ENOENT ?
			       "no clear_poison for its CXL memdevs in debugfs (debugfs not mounted, or not supported by this kernel or device)" :
			       "clearing CXL poison needs root (debugfs)";
	}
	return NULL;
}

/* Clears every 64-byte line of the region's poison records in r. */
static int clear_poison(const struct pm_region *region, const struct pm_clear_range *r)
{
	const struct pm_cxl_region *cxl = region->cxl;
	uint64_t b = r->spa, e = r->spa + r->length * SECTOR;
	int rc = 0;

	for (size_t t = 0; !rc && t < cxl->nr_targets; t++) {
		struct pm_memdev *memdev = cxl->targets[t].memdev;
		const struct pm_cxl_poison_list *pl;

		if (!memdev)
			continue;
		pl = pm_memdev_poison(memdev);
		for (size_t i = 0; !rc && i < pl->nr; i++) {
			const struct pm_cxl_poison *rec = &pl->v[i];

			if (strcmp(rec->region, cxl->dev) != 0 || rec->hpa == UINT64_MAX ||
			    rec->hpa + rec->length <= b || rec->hpa >= e)
				continue;
			for (uint64_t off = 0; !rc && off < rec->length; off += 64)
				if (rec->hpa + off >= b && rec->hpa + off < e)
					rc = pm_cxl_poison_write(memdev, rec->dpa + off, true);
		}
	}
	return rc;
}

/*
 * Buses that register no command hook: the pmem driver's clear succeeds by
 * dropping the entry before it writes (nvdimm_clear_poison(), kernel 6.1).
 */
static bool hookless(const char *provider)
{
	return provider && (strcmp(provider, "e820") == 0 ||
			    strcmp(provider, "virtio-pmem") == 0);
}

struct facts {
	struct pm_clear_facts f;
	struct pm_clear_ns_facts ns[64];
	struct pm_sector_range *ars;
	struct pm_namespace *model[64];	/* NULL: not in the snapshot */
	struct ndctl_namespace *ndns[64];
	struct ndctl_region *ndregion;
	struct pm_region *region;
};

static void free_facts(struct facts *x)
{
	for (size_t i = 0; i < x->f.nr_ns; i++)
		free((void *)x->ns[i].block);
	free(x->ars);
}

static void ns_extent(struct ndctl_namespace *ndns, struct pm_clear_ns_facts *ns)
{
	struct ndctl_pfn *pfn = ndctl_namespace_get_pfn(ndns);
	struct ndctl_dax *dax = ndctl_namespace_get_dax(ndns);
	unsigned long long begin = ULLONG_MAX, size = ULLONG_MAX;

	ns->start = ndctl_namespace_get_resource(ndns);
	ns->end = ns->start + ndctl_namespace_get_size(ndns);
	if (ns->start == ULLONG_MAX) {
		ns->start = ns->end = ns->data_start = ns->data_end = 0;
		return;
	}
	if (pfn) {
		begin = ndctl_pfn_get_resource(pfn);
		size = ndctl_pfn_get_size(pfn);
	} else if (dax) {
		begin = ndctl_dax_get_resource(dax);
		size = ndctl_dax_get_size(dax);
	}
	if (begin == ULLONG_MAX || size == ULLONG_MAX) {
		begin = ns->start;
		size = ns->end - ns->start;
	}
	ns->data_start = begin;
	ns->data_end = begin + size;
}

static int gather(struct pm_platform *pf, struct pm_region *region,
		  struct pm_namespace *target, const struct pm_clear_request *req,
		  struct facts *x)
{
	struct ndctl_region *ndregion = region->ndregion;
	struct ndctl_bus *bus = ndctl_region_get_bus(ndregion);
	struct ndctl_namespace *ndns;
	char path[PATH_MAX];
	int rc;

	x->ndregion = ndregion;
	x->region = region;
	x->f.region = region->dev;
	x->f.provider = ndctl_bus_get_provider(bus);
	x->f.region_start = ndctl_region_get_resource(ndregion);
	x->f.can_dsm = ndctl_bus_is_cmd_supported(bus, ND_CMD_ARS_CAP) &&
		       ndctl_bus_is_cmd_supported(bus, ND_CMD_CLEAR_ERROR);
	x->f.write_clears = x->f.can_dsm || hookless(x->f.provider);
	x->f.forget = req->forget;
	x->f.whole_region = !target;
	x->f.ns = x->ns;
	rc = region_ars(ndregion, &x->ars, &x->f.nr_ars);
	if (rc)
		return rc;
	/*
	 * A CXL bus has no ARS: its list is the poison of the region's
	 * memdevs. A kernel without poison lists (6.1) knows of none.
	 */
	if (region->cxl && !x->f.nr_ars && x->f.region_start != ULLONG_MAX) {
		free(x->ars);
		x->ars = NULL;
		x->f.cxl_poison = true;
		rc = region_poison(region, x->f.region_start, false, &x->ars, &x->f.nr_ars);
		if (rc == -ENOMEM)
			return rc;
		if (rc)
			x->f.nr_ars = 0;
		if (x->f.nr_ars)
			x->f.poison_cannot = poison_cannot(region);
	}
	/*
	 * The physical addresses (resource) are root's: without them a
	 * scrubbed range cannot be placed, but none, or a block device's
	 * own, need none.
	 */
	if (x->f.region_start == ULLONG_MAX) {
		if (x->f.nr_ars)
			return -EACCES;
		x->f.region_start = 0;
	}
	x->f.ars = x->ars;
	ndctl_namespace_foreach(ndregion, ndns) {
		struct pm_clear_ns_facts *ns = &x->ns[x->f.nr_ns];
		struct pm_namespace *model;
		size_t n = x->f.nr_ns;

		if (n == ARRAY_SIZE(x->ns))
			break;
		if (!ndctl_namespace_get_size(ndns))
			continue;
		model = pm_find_namespace(pf, ndctl_namespace_get_devname(ndns));
		memset(ns, 0, sizeof(*ns));
		ns->dev = ndctl_namespace_get_devname(ndns);
		ns->active = model ? model->active : false;
		ns->mode = model ? model->mode : PM_MODE_UNKNOWN;
		ns->blockdev = model && model->active ? model->blockdev : NULL;
		ns->target = target ? model == target : true;
		ns_extent(ndns, ns);
		if (ns->blockdev) {
			struct pm_sector_range *v;

			snprintf(path, sizeof(path), "/sys/block/%s/badblocks", ns->blockdev);
			rc = read_sector_ranges(path, &v, &ns->nr_block);
			if (rc)
				return rc;
			ns->block = v;
		}
		x->model[n] = model;
		x->ndns[n] = ndns;
		x->f.nr_ns++;
	}
	return 0;
}

/* ---- the run ---------------------------------------------------------- */

/*
 * Writes zeros over the range through the block device, widened to its
 * logical block size (a read of that block fails anyway). O_DIRECT, so
 * that the pmem driver sees the write now, not at writeback.
 */
static int write_zeros(const char *blockdev, const struct pm_clear_range *r)
{
	uint64_t lbs = SECTOR, begin, end;
	char path[PATH_MAX];
	void *zeros;
	int fd, rc = 0;

	if (sysfs_read_u64(&lbs, "/sys/block/%s/queue/logical_block_size", blockdev) < 0 ||
	    !lbs || lbs > 65536)
		lbs = SECTOR;
	begin = r->offset * SECTOR / lbs * lbs;
	end = ((r->offset + r->length) * SECTOR + lbs - 1) / lbs * lbs;
	if (posix_memalign(&zeros, 65536, 65536))
		return -ENOMEM;
	memset(zeros, 0, 65536);
	snprintf(path, sizeof(path), "/dev/%s", blockdev);
	fd = open(path, O_WRONLY | O_DIRECT | O_CLOEXEC);
	if (fd < 0) {
		free(zeros);
		return -errno;
	}
	while (!rc && begin < end) {
		size_t chunk = end - begin < 65536 ? end - begin : 65536;
		ssize_t n = pwrite(fd, zeros, chunk, begin);

		if (n < 0)
			rc = -errno;
		else if (n == 0)
			rc = -EIO;
		else
			begin += n;
	}
	if (!rc && fsync(fd) < 0)
		rc = -errno;
	close(fd);
	free(zeros);
	return rc;
}

/* ndctl's bus_send_clear(): ars_cap for the unit, then clear_error. */
static int send_clear(struct ndctl_bus *bus, uint64_t spa, uint64_t len)
{
	struct ndctl_cmd *cap, *clear;
	struct ndctl_range range;
	int rc;

	cap = ndctl_bus_cmd_new_ars_cap(bus, spa, len);
	if (!cap)
		return -ENOTTY;
	rc = ndctl_cmd_submit_xlat(cap);
	if (rc >= 0 && ndctl_cmd_ars_cap_get_range(cap, &range))
		rc = -ENXIO;
	if (rc < 0) {
		ndctl_cmd_unref(cap);
		return rc;
	}
	clear = ndctl_bus_cmd_new_clear_error(range.address, range.length, cap);
	if (!clear) {
		ndctl_cmd_unref(cap);
		return -ENOTTY;
	}
	rc = ndctl_cmd_submit_xlat(clear);
	if (rc >= 0 && ndctl_cmd_clear_error_get_cleared(clear) != range.length)
		rc = -EIO;
	ndctl_cmd_unref(clear);
	ndctl_cmd_unref(cap);
	return rc < 0 ? rc : 0;
}

static bool overlaps(const struct pm_sector_range *v, size_t nr, uint64_t offset,
		     uint64_t length)
{
	for (size_t i = 0; i < nr; i++)
		if (v[i].offset < offset + length && offset < v[i].offset + v[i].length)
			return true;
	return false;
}

/* The lists read again: a range either list still has was not cleared. */
static int verify(struct facts *x, struct pm_change_result *res,
		  struct ndctl_region *ndregion, struct pm_step *s)
{
	struct pm_sector_range *ars = NULL, *block = NULL;
	size_t nr_ars = 0, nr_block = 0, left = 0;
	const char *still = NULL;
	int rc = x->f.cxl_poison ?
		 region_poison(x->region, x->f.region_start, true, &ars, &nr_ars) :
		 region_ars(ndregion, &ars, &nr_ars);

	for (size_t i = 0; !rc && i < res->nr_ranges; i++) {
		struct pm_clear_range *r = &res->ranges[i];
		const struct pm_clear_ns_facts *ns = ns_facts(&x->f, r->ns[0] ? r->ns : NULL);
		bool bad = false;

		if (!r->block)
			bad = overlaps(ars, nr_ars, (r->spa - x->f.region_start) / SECTOR,
				       r->length);
		if (ns && ns->blockdev) {
			char path[PATH_MAX];

			snprintf(path, sizeof(path), "/sys/block/%s/badblocks", ns->blockdev);
			free(block);
			rc = read_sector_ranges(path, &block, &nr_block);
			bad |= overlaps(block, nr_block, r->offset, r->length);
		}
		r->cleared = !bad && !rc;
		if (bad && !left++)
			still = r->ns[0] ? r->ns : x->f.region;
	}
	free(ars);
	free(block);
	if (!rc && left) {
		snprintf(s->detail, sizeof(s->detail), "%zu range(s) still listed (first: %s)",
			 left, still);
		rc = -EIO;
	}
	return pm_step_close(s, rc);
}

static struct pm_step *next_step(struct pm_change_result *res, size_t *i)
{
	return *i < res->nr_steps ? &res->steps[(*i)++] : NULL;
}

/*
 * One group's steps: write, disable, clear, enable. On a failure the
 * namespace is enabled again before returning.
 */
static int run_group(struct facts *x, struct pm_change_result *res,
		     const struct group *g, size_t *step)
{
	struct ndctl_namespace *ndns = NULL;
	const struct pm_clear_ns_facts *ns = NULL;
	struct ndctl_bus *bus;
	bool disabled = false;
	struct pm_step *s;
	int rc = 0;

	for (size_t i = 0; g->ns && i < x->f.nr_ns; i++)
		if (strcmp(x->ns[i].dev, g->ns) == 0) {
			ns = &x->ns[i];
			ndns = x->ndns[i];
		}
	if (g->ns && !ndns)
		return -ENODEV;
	bus = ndctl_region_get_bus(x->ndregion);
	if (g->nr_poison && (s = next_step(res, step))) {
		for (size_t i = g->first; !rc && i < g->last; i++) {
			struct pm_clear_range *r = &res->ranges[i];

			if (r->method != PM_CLEAR_POISON)
				continue;
			rc = clear_poison(x->region, r);
			r->cleared = !rc;
		}
		if (pm_step_close(s, rc))
			return rc;
	}
	if (g->write && (s = next_step(res, step))) {
		for (size_t i = g->first; !rc && i < g->last; i++) {
			struct pm_clear_range *r = &res->ranges[i];

			if (r->method != PM_CLEAR_WRITE)
				continue;
			rc = write_zeros(ns->blockdev, r);
			r->cleared = !rc;
		}
		if (pm_step_close(s, rc))
			return rc;
	}
	if ((g->ns || g->nr_poison) && !g->dsm && !g->forget)
		return 0;
	if (g->ns && (s = next_step(res, step))) {
		rc = pm_step_close(s, ndctl_namespace_disable_safe(ndns));
		if (rc)
			return rc;
		disabled = true;
	}
	if (g->dsm && (s = next_step(res, step))) {
		for (size_t i = g->first; !rc && i < g->last; i++) {
			struct pm_clear_range *r = &res->ranges[i];

			if (r->method != PM_CLEAR_DSM)
				continue;
			rc = send_clear(bus, r->spa, r->length * SECTOR);
			if (rc)
				snprintf(s->detail, sizeof(s->detail),
					 "%s: the bus refused to clear sectors %llu-%llu",
					 g->ns ? g->ns : x->f.region,
					 (unsigned long long)r->offset,
					 (unsigned long long)(r->offset + r->length - 1));
			r->cleared = !rc;
		}
		pm_step_close(s, rc);
	}
	if (!disabled)
		return rc;
	if (rc) {
		s = pm_step_add(res, PM_ACT_ROLLBACK, "rollback-enable",
				"%s: enable the namespace again", g->ns);
		res->rolled_back = pm_step_close(s, ndctl_namespace_enable(ndns)) == 0;
		return rc;
	}
	s = next_step(res, step);
	return s ? pm_step_close(s, ndctl_namespace_enable(ndns)) : 0;
}

static int run(struct facts *x, struct pm_change_result *res)
{
	size_t step = 1;		/* after the check */
	struct pm_step *s;
	struct group g;
	int rc = 0;

	for (size_t i = 0; !rc && i < res->nr_ranges; i = g.last) {
		next_group(res, i, &g);
		rc = run_group(x, res, &g, &step);
	}
	if (rc) {
		/* The steps never reached are not reported. */
		for (size_t i = 0; i < res->nr_steps; i++)
			if (res->steps[i].status == PM_STEP_PLANNED) {
				memmove(&res->steps[i], &res->steps[i + 1],
					(res->nr_steps - i - 1) * sizeof(res->steps[0]));
				res->nr_steps--;
				i--;
			}
		return rc;
	}
	s = next_step(res, &step);
	return s ? verify(x, res, x->ndregion, s) : 0;
}

int pm_clear_errors(struct pm_platform *pf, struct pm_region *region,
		    struct pm_namespace *ns, const struct pm_clear_request *req,
		    struct pm_change_result *res)
{
	struct facts *x = calloc(1, sizeof(*x));
	size_t cleared = 0, failed_at = 0;
	int rc;

	free(res->ranges);
	memset(res, 0, sizeof(*res));
	res->no_config = true;
	if (!x)
		return res->err = -ENOMEM;
	if (ns)
		region = ns->region;
	rc = gather(pf, region, ns, req, x);
	if (rc == -EACCES) {
		snprintf(res->message, sizeof(res->message),
			 "clearing media errors needs root, and so does placing the scrubbed ranges of %s (its physical address is root's)",
			 region->dev);
		res->err = rc;
		goto out;
	}
	if (rc) {
		snprintf(res->message, sizeof(res->message), "cannot read the media errors of %s: %s",
			 region->dev, strerror(-rc));
		res->err = rc;
		goto out;
	}
	rc = pm_clear_plan(&x->f, res);
	if (rc || res->noop || req->dry_run)
		goto out;
	rc = run(x, res);
	for (size_t i = 0; i < res->nr_ranges; i++)
		cleared += res->ranges[i].cleared;
	res->changed = cleared > 0;
	if (rc) {
		for (size_t i = 0; i < res->nr_steps; i++)
			if (res->steps[i].status == PM_STEP_FAILED) {
				failed_at = i;
				break;
			}
		res->err = rc;
		snprintf(res->message, sizeof(res->message),
			 "step %s failed: %s; %zu of %zu range(s) cleared%s",
			 res->steps[failed_at].name, strerror(-rc), cleared,
			 res->nr_ranges, res->rolled_back ? "; the namespace is enabled again" : "");
	} else {
		uint64_t n = total_sectors(res);
		bool forgot = true;

		for (size_t i = 0; i < res->nr_ranges; i++)
			forgot &= res->ranges[i].method == PM_CLEAR_FORGET;
		snprintf(res->message, sizeof(res->message),
			 "%s %llu sector(s) in %zu range(s)%s", forgot ? "forgot" : "cleared",
			 (unsigned long long)n, res->nr_ranges,
			 forgot ? " (dropped from the kernel's list, not repaired)" : "");
	}
out:
	free_facts(x);
	free(x);
	return rc;
}

bool pm_namespace_mount(const struct pm_namespace *ns, struct pm_mount *m)
{
	unsigned int maj, min;
	char text[32];

	if (!ns->blockdev ||
	    sysfs_read_string(text, sizeof(text), "/sys/class/block/%s/dev", ns->blockdev) < 0 ||
	    sscanf(text, "%u:%u", &maj, &min) != 2)
		return false;
	return pm_mount_of_dev(makedev(maj, min), m);
}
