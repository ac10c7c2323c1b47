// SPDX-License-Identifier: GPL-2.0-or-later
/* CXL region provisioning through libcxl: the facts, creating a region and
 * destroying one, each step undone when a later one fails. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cxl/libcxl.h>
#include <ndctl/libndctl.h>
#include <uuid/uuid.h>

#include "cxl-region.h"
#include "convert-plan.h"
#include "cxl.h"
#include "holders.h"
#include "pmem.h"
#include "sysfs.h"
#include "sysram.h"

static struct cxl_port *endpoint_port(struct cxl_memdev *memdev)
{
	struct cxl_endpoint *ep = memdev ? cxl_memdev_get_endpoint(memdev) : NULL;

	return ep ? cxl_endpoint_get_port(ep) : NULL;
}

/*
 * The endpoint decoder a new region takes: the first without a range.
 * The kernel (6.1 cxl_dpa_alloc()) allocates DPA in decoder order, so
 * the first free one is the only one that can take it.
 */
static struct cxl_decoder *free_decoder(struct cxl_memdev *memdev)
{
	struct cxl_port *port = endpoint_port(memdev);
	struct cxl_decoder *decoder;

	if (!port)
		return NULL;
	cxl_decoder_foreach(port, decoder)
		if (cxl_decoder_get_size(decoder) == 0 &&
		    (cxl_decoder_get_dpa_size(decoder) == 0 ||
		     cxl_decoder_get_dpa_size(decoder) == ULLONG_MAX))
			return decoder;
	return NULL;
}

static void read_memdev(struct pm_platform *pf, struct pm_memdev *memdev,
			struct pm_cxl_memdev_facts *m)
{
	struct cxl_port *port = endpoint_port(memdev->cxlmemdev);
	struct cxl_decoder *decoder;

	m->dev = memdev->dev;
	m->pmem_size = memdev->pmem_size;
	m->ram_size = memdev->ram_size;
	m->no_endpoint = !port;
	if (port) {
		cxl_decoder_foreach(port, decoder) {
			unsigned long long dpa = cxl_decoder_get_dpa_size(decoder);

			if (dpa == ULLONG_MAX)
				continue;
			if (cxl_decoder_get_mode(decoder) == CXL_DECODER_MODE_PMEM)
				m->dpa_used += dpa;
			else if (cxl_decoder_get_mode(decoder) == CXL_DECODER_MODE_RAM)
				m->ram_dpa_used += dpa;
		}
	}
	m->free_decoder = free_decoder(memdev->cxlmemdev) != NULL;
	for (size_t r = 0; r < pf->nr_cxl_regions && !m->region; r++)
		for (size_t t = 0; t < pf->cxl_regions[r]->nr_targets; t++)
			if (pf->cxl_regions[r]->targets[t].memdev == memdev)
				m->region = pf->cxl_regions[r]->dev;
}

static int read_root(struct cxl_decoder *decoder, struct pm_platform *pf,
		     const struct pm_cxl_request *req, struct pm_cxl_root_facts *root)
{
	struct cxl_region *region;
	unsigned long long v;

	root->dev = cxl_decoder_get_devname(decoder);
	root->pmem_capable = cxl_decoder_is_pmem_capable(decoder);
	root->ram_capable = cxl_decoder_is_volatile_capable(decoder);
	root->ways = cxl_decoder_get_interleave_ways(decoder);
	if (root->ways == UINT_MAX)
		root->ways = 0;
	root->granularity = cxl_decoder_get_interleave_granularity(decoder);
	if (root->granularity == UINT_MAX)
		root->granularity = 0;
	v = cxl_decoder_get_resource(decoder);
	root->start = v == ULLONG_MAX ? 0 : v;
	v = cxl_decoder_get_size(decoder);
	root->size = v == ULLONG_MAX ? 0 : v;
	cxl_region_foreach(decoder, region) {
		unsigned long long start = cxl_region_get_resource(region);
		unsigned long long size = cxl_region_get_size(region);

		if (start == ULLONG_MAX || size == ULLONG_MAX || !size)
			continue;
		if (root->nr_busy < sizeof(root->busy) / sizeof(root->busy[0])) {
			root->busy[root->nr_busy][0] = start;
			root->busy[root->nr_busy++][1] = size;
		}
	}
	for (size_t i = 0; i < req->nr_memdevs; i++) {
		struct pm_memdev *m = pm_find_memdev(pf, req->memdevs[i]);

		root->reaches[i] = m && cxl_decoder_get_target_by_memdev(decoder, m->cxlmemdev);
	}
	return 0;
}

void pm_cxl_facts_free(struct pm_cxl_facts *f)
{
	free(f->roots);
	free(f->regions);
	f->roots = NULL;
	f->regions = NULL;
}

/* The root decoders: those of the CXL root port of every CXL bus. */
#define foreach_root(pf, bus, decoder)                                        \
	cxl_bus_foreach((pf)->cxlctx, bus)                                    \
		if (cxl_bus_get_port(bus))                                    \
			cxl_decoder_foreach(cxl_bus_get_port(bus), decoder)

bool pm_cxl_root_decoder_exists(struct pm_platform *pf, const char *name)
{
	struct cxl_decoder *decoder;
	struct cxl_bus *bus;

	if (!pf->cxlctx)
		return false;
	foreach_root(pf, bus, decoder)
		if (strcmp(cxl_decoder_get_devname(decoder), name) == 0)
			return true;
	return false;
}

static struct cxl_decoder *find_root(struct pm_platform *pf, const char *name)
{
	struct cxl_decoder *decoder;
	struct cxl_bus *bus;

	if (!pf->cxlctx)
		return NULL;
	foreach_root(pf, bus, decoder)
		if (strcmp(cxl_decoder_get_devname(decoder), name) == 0)
			return decoder;
	return NULL;
}

int pm_cxl_facts_read(struct pm_platform *pf, const struct pm_cxl_request *req,
		      struct pm_cxl_facts *f)
{
	struct cxl_decoder *decoder;
	struct cxl_bus *bus;
	size_t n = 0;

	memset(f, 0, sizeof(*f));
	for (size_t i = 0; i < req->nr_memdevs && i < PM_CXL_MAX_WAYS; i++) {
		struct pm_memdev *m = pm_find_memdev(pf, req->memdevs[i]);

		if (m)
			read_memdev(pf, m, &f->memdevs[i]);
	}
	if (pf->cxlctx)
		foreach_root(pf, bus, decoder)
			n++;
	f->roots = calloc(n ? n : 1, sizeof(*f->roots));
	f->regions = calloc(pf->nr_cxl_regions ? pf->nr_cxl_regions : 1,
			    sizeof(*f->regions));
	if (!f->roots || !f->regions) {
		pm_cxl_facts_free(f);
		return -ENOMEM;
	}
	if (pf->cxlctx)
		foreach_root(pf, bus, decoder)
			if (f->nr_roots < n)
				read_root(decoder, pf, req, &f->roots[f->nr_roots++]);
	for (size_t i = 0; i < pf->nr_cxl_regions; i++) {
		const struct pm_cxl_region *cr = pf->cxl_regions[i];
		struct pm_cxl_region_facts *r = &f->regions[f->nr_regions++];

		r->dev = cr->dev;
		r->decoder = cr->decoder;
		r->committed = cr->committed;
		r->ram = cr->ram;
		r->ways = cr->ways;
		r->granularity = cr->granularity;
		r->size = cr->size;
		for (size_t t = 0; t < cr->nr_targets && r->nr_memdevs < PM_CXL_MAX_WAYS; t++)
			r->memdevs[r->nr_memdevs++] = cr->targets[t].memdev ?
				cr->targets[t].memdev->dev : NULL;
	}
	return 0;
}

/* What a failed create must take back, in reverse order. */
struct create_undo {
	struct cxl_ctx *ctx;		/* ram: the context the region is in */
	struct cxl_region *region;
	struct cxl_decoder *eps[PM_CXL_MAX_WAYS];	/* DPA allocated */
	bool target[PM_CXL_MAX_WAYS];			/* set at position i */
	bool committed, enabled;
};

static int rollback_create(struct pm_change_result *res, struct create_undo *u,
			   unsigned int ways)
{
	struct pm_step *s;
	int rc = 0, r;

	if (!u->region)
		return 0;
	s = pm_step_add(res, PM_ACT_ROLLBACK, "rollback", "disable, reset, free the DPA, delete %s",
			cxl_region_get_devname(u->region));
	if (u->enabled && (r = cxl_region_disable(u->region)) < 0)
		rc = rc ? rc : r;
	if (u->committed && (r = cxl_region_decode_reset(u->region)) < 0)
		rc = rc ? rc : r;
	for (unsigned int i = 0; i < ways; i++) {
		if (u->target[i] && (r = cxl_region_clear_target(u->region, i)) < 0)
			rc = rc ? rc : r;
		if (u->eps[i] && (r = cxl_decoder_set_dpa_size(u->eps[i], 0)) < 0)
			rc = rc ? rc : r;
	}
	r = cxl_region_delete(u->region);
	if (r < 0)
		rc = rc ? rc : r;
	return pm_step_close(s, rc);
}

/* A sysfs attribute of a device, as an unsigned number: 0 or -errno. */
static int read_hex(const char *path, unsigned long long *v)
{
	char buf[64];
	FILE *f = fopen(path, "r");

	if (!f)
		return -errno;
	if (!fgets(buf, sizeof(buf), f)) {
		fclose(f);
		return -EIO;
	}
	fclose(f);
	*v = strtoull(buf, NULL, 0);
	return 0;
}

/*
 * The nvdimm region cxl_pmem makes of an enabled region: the same
 * physical range (6.1 drivers/cxl/pmem.c), found by its resource. The
 * driver probes asynchronously: up to 10 s.
 */
static bool find_nd_region(const char *cxl_region, char *out, size_t len)
{
	char path[PATH_MAX];
	unsigned long long start, nd_start;

	snprintf(path, sizeof(path), "/sys/bus/cxl/devices/%s/resource", cxl_region);
	if (read_hex(path, &start) < 0)
		return false;
	for (int tries = 0; tries < 100; tries++) {
		for (int id = 0; id < 64; id++) {
			snprintf(path, sizeof(path), "/sys/bus/nd/devices/region%d/resource", id);
			if (read_hex(path, &nd_start) == 0 && nd_start == start) {
				snprintf(out, len, "region%d", id);
				return true;
			}
		}
		usleep(100 * 1000);
	}
	return false;
}

int pm_create_region(struct pm_platform *pf, struct pm_region_change *change,
		     struct pm_change_result *res)
{
	struct cxl_decoder *root = find_root(pf, change->decoder);
	struct create_undo u = { 0 };
	unsigned int ways = change->ways;
	struct pm_step *s = NULL;
	size_t next = 1;		/* the steps after the plan's check */
	char size[32];
	enum cxl_decoder_mode mode = change->ram ? CXL_DECODER_MODE_RAM : CXL_DECODER_MODE_PMEM;
	uuid_t uuid;
	int rc = 0;

	if (!root)
		return res->err = -ENOENT;
#define STEP() (next < res->nr_steps ? &res->steps[next++] : NULL)
	s = STEP();
	errno = 0;
	if (change->ram) {
		u.region = pm_cxl_ram_region_new(change->decoder, &u.ctx, &rc);
	} else {
		u.region = cxl_decoder_create_pmem_region(root);
		rc = u.region ? 0 : (errno ? -errno : -ENXIO);
	}
	if ((s && pm_step_finish(s, rc)) || rc)
		goto fail;
	snprintf(change->cxl_region, sizeof(change->cxl_region), "%s",
		 cxl_region_get_devname(u.region));
	snprintf(s->detail, sizeof(s->detail), "created %s under %s", change->cxl_region,
		 change->decoder);

	s = STEP();
	uuid_generate(uuid);
	rc = cxl_region_set_interleave_granularity(u.region, change->granularity);
	if (!rc)
		rc = cxl_region_set_interleave_ways(u.region, ways);
	/* A ram region has no uuid: nothing of it outlives a boot. */
	if (!rc && !change->ram)
		rc = cxl_region_set_uuid(u.region, uuid);
	if (!rc)
		rc = cxl_region_set_size(u.region, change->size);
	if (pm_step_finish(s, rc))
		goto fail;

	for (unsigned int i = 0; i < ways; i++) {
		struct pm_memdev *m = pm_find_memdev(pf, change->memdevs[i]);
		struct cxl_decoder *ep = m ? free_decoder(m->cxlmemdev) : NULL;

		s = STEP();
		rc = ep ? 0 : -EBUSY;
		if (!rc && cxl_decoder_get_mode(ep) != mode) {
			rc = cxl_decoder_set_dpa_size(ep, 0);
			if (!rc)
				rc = cxl_decoder_set_mode(ep, mode);
		}
		if (!rc) {
			rc = cxl_decoder_set_dpa_size(ep, change->size / ways);
			if (!rc)
				u.eps[i] = ep;
		}
		if (!rc) {
			rc = cxl_region_set_target(u.region, i, ep);
			if (!rc)
				u.target[i] = true;
		}
		if (ep)
			snprintf(s->detail, sizeof(s->detail),
				 "%s: endpoint decoder %s, %llu MiB of %s DPA, position %u",
				 change->memdevs[i], cxl_decoder_get_devname(ep),
				 (unsigned long long)(change->size / ways >> 20),
				 change->ram ? "ram" : "pmem", i);
		if (pm_step_finish(s, rc))
			goto fail;
	}

	s = STEP();
	rc = cxl_region_decode_commit(u.region);
	u.committed = rc == 0;
	if (pm_step_finish(s, rc))
		goto fail;
	s = STEP();
	if (change->ram) {
		rc = pm_cxl_ram_enable(u.region, change->daxdev, sizeof(change->daxdev),
				       s->detail, sizeof(s->detail));
		u.enabled = cxl_region_is_enabled(u.region) == 1;
	} else {
		rc = cxl_region_enable(u.region);
		u.enabled = rc == 0;
	}
	if (pm_step_finish(s, rc))
		goto fail;
	if (change->ram) {
		s = STEP();
		rc = pm_cxl_ram_verify(change->daxdev, s->detail, sizeof(s->detail));
		if (pm_step_finish(s, rc))
			goto fail;
		res->changed = true;
		snprintf(res->chardev, sizeof(res->chardev), "%s", change->daxdev);
		pm_format_size(change->size, size, sizeof(size));
		snprintf(res->message, sizeof(res->message),
			 "created CXL ram %s (dax device %s, devdax): %s, %u way%s at %u bytes under %s",
			 change->cxl_region, change->daxdev, size, ways, ways == 1 ? "" : "s",
			 change->granularity, change->decoder);
		cxl_unref(u.ctx);
		return 0;
	}

	s = STEP();
	if (find_nd_region(change->cxl_region, change->region, sizeof(change->region)))
		snprintf(s->detail, sizeof(s->detail), "nvdimm region %s", change->region);
	else
		snprintf(s->detail, sizeof(s->detail),
			 "no nvdimm region yet: is cxl_pmem loaded? (modprobe cxl_pmem)");
	pm_step_finish(s, 0);
	res->changed = true;
	pm_format_size(change->size, size, sizeof(size));
	snprintf(res->message, sizeof(res->message),
		 "created CXL %s (nvdimm %s): %s, %u way%s at %u bytes under %s",
		 change->cxl_region, change->region[0] ? change->region : "region: none yet",
		 size, ways, ways == 1 ? "" : "s", change->granularity, change->decoder);
	return 0;
#undef STEP

fail:
	res->err = rc ? rc : -EIO;
	if (!rc)
		rc = res->err;
	res->rolled_back = rollback_create(res, &u, ways) == 0;
	for (size_t i = 1; i < res->nr_steps; i++)
		if (res->steps[i].status == PM_STEP_DONE &&
		    strcmp(res->steps[i].name, "rollback") != 0)
			res->steps[i].status = PM_STEP_UNDONE;
	snprintf(res->message, sizeof(res->message), "step %s failed: %s; %s",
		 s ? s->name : "create-region", strerror(-rc),
		 !u.region ? "nothing was changed" :
		 res->rolled_back ? "the region is deleted and the memdevs' DPA freed: the platform is as before" :
		 "the platform could NOT be fully restored (pmemctl list -W -C -i shows what is left)");
	if (res->rolled_back)
		change->cxl_region[0] = '\0';
	if (u.ctx)
		cxl_unref(u.ctx);
	return rc;
}

static struct cxl_region *find_cxl_region(struct pm_platform *pf,
					  const struct pm_cxl_region *cxl)
{
	struct cxl_decoder *root = find_root(pf, cxl->decoder);
	struct cxl_region *region;

	if (!root)
		return NULL;
	cxl_region_foreach(root, region)
		if (strcmp(cxl_region_get_devname(region), cxl->dev) == 0)
			return region;
	return NULL;
}

int pm_destroy_region(struct pm_platform *pf, const struct pm_cxl_region *cxl,
		      struct pm_region *nd, bool dry_run, bool offline,
		      struct pm_region_change *change,
		      struct pm_change_result *res)
{
	struct pm_step *check, *s_disable_ns = NULL, *s_labels = NULL, *s_disable,
		*s_reset, *s_free, *s_delete, *s_offline = NULL, *s_unbind = NULL;
	const struct pm_daxdev *dax = cxl->ram ? pm_ram_region_daxdev(pf, cxl) : NULL;
	struct pm_kmem_undo k = { 0 };
	char why[256];
	/* The rollback enables again the active namespaces before this index. */
	size_t disabled_upto = 0, nr_ns = 0, nr_labels = 0;
	struct cxl_region *region = NULL;
	bool enabled = false, undoable = true;
	int rc = 0;

	res->no_config = true;
	snprintf(change->cxl_region, sizeof(change->cxl_region), "%s", cxl->dev);
	snprintf(change->decoder, sizeof(change->decoder), "%s", cxl->decoder ? cxl->decoder : "");
	snprintf(change->region, sizeof(change->region), "%s", nd ? nd->dev : "");
	memset(change->memdevs, 0, sizeof(change->memdevs));
	for (size_t t = 0; t < cxl->nr_targets && t < PM_CXL_MAX_WAYS; t++)
		snprintf(change->memdevs[t], sizeof(change->memdevs[t]), "%s",
			 cxl->targets[t].memdev ? cxl->targets[t].memdev->dev : "?");
	pm_region_change_finish(change);
	change->ways = cxl->ways;
	change->granularity = cxl->granularity;
	change->size = cxl->size;

	for (size_t i = 0; nd && i < pf->nr_namespaces; i++) {
		struct pm_namespace *ns = pf->namespaces[i];

		if (ns->region != nd)
			continue;
		if (ns->active)
			nr_ns++;
		if (ns->size || ns->uuid)
			nr_labels++;
	}
	check = pm_step_add(res, PM_ACT_CHECK, "check", "%s under %s, %zu namespace%s",
			    cxl->dev, cxl->decoder ? cxl->decoder : "?", nr_labels,
			    nr_labels == 1 ? "" : "s");
	change->ram = cxl->ram;
	if (dax)
		snprintf(change->daxdev, sizeof(change->daxdev), "%s", dax->dev);
	/* Online memory is in use: the kernel's until taken back on purpose. */
	if (dax && dax->ram && dax->ram->nr_online && !offline)
		return pm_step_refuse(res, check, -EBUSY,
				      "its dax device %s is system RAM, %zu memory blocks online (%s): convert %s --mode devdax first, or add --offline",
				      dax->dev, dax->ram->nr_online,
				      pm_zone_name(dax->ram->zone) ? pm_zone_name(dax->ram->zone) : "mixed",
				      dax->dev);
	if (dax && pm_daxdev_in_use(dax, why, sizeof(why)) == -EBUSY)
		return pm_step_refuse(res, check, -EBUSY, "in use: %s", why);
	pm_step_close(check, 0);
	/* kmem cannot give back online memory: offline, then device_dax. */
	if (dax && dax->ram) {
		snprintf(k.dev, sizeof(k.dev), "%s", dax->dev);
		if (dax->ram->nr_online)
			s_offline = pm_step_add(res, PM_ACT_OFFLINE_MEMORY, "offline-memory",
						"offline the %zu online memory blocks of %s",
						dax->ram->nr_online, dax->dev);
		s_unbind = pm_step_add(res, PM_ACT_UNBIND_KMEM, "unbind-kmem",
				       "hand %s back from kmem to device_dax", dax->dev);
	}
	if (nr_ns)
		s_disable_ns = pm_step_add(res, PM_ACT_DISABLE, "disable-namespaces",
					   "disable the %zu namespace%s of %s", nr_ns,
					   nr_ns == 1 ? "" : "s", nd->dev);
	if (nr_labels)
		s_labels = pm_step_add(res, PM_ACT_DELETE, "delete-namespaces",
				       "delete the namespaces' labels: their data goes");
	s_disable = pm_step_add(res, PM_ACT_DISABLE, "disable", "disable %s%s%s", cxl->dev,
				nd ? ": libnvdimm drops " : "", nd ? nd->dev : "");
	s_reset = pm_step_add(res, PM_ACT_DISABLE, "reset-decode", "reset the decoders of every port");
	s_free = pm_step_add(res, PM_ACT_DELETE, "free-dpa", "clear the targets, free the memdevs' DPA");
	s_delete = pm_step_add(res, PM_ACT_DELETE, "delete", "delete %s", cxl->dev);
	snprintf(res->message, sizeof(res->message), "%s %s", dry_run ? "would destroy" : "destroying",
		 cxl->dev);
	if (dry_run)
		return 0;

	region = find_cxl_region(pf, cxl);
	if (!region) {
		rc = -ENOENT;
		pm_step_finish(s_offline ? s_offline : s_unbind ? s_unbind :
			       s_disable_ns ? s_disable_ns : s_labels ? s_labels : s_disable, rc);
		goto fail;
	}
	if (s_offline) {
		rc = pm_kmem_offline(&k, s_offline->detail, sizeof(s_offline->detail));
		if (pm_step_finish(s_offline, rc))
			goto fail;
	}
	if (s_unbind) {
		rc = pm_kmem_unbind(&k, s_unbind->detail, sizeof(s_unbind->detail));
		if (pm_step_finish(s_unbind, rc))
			goto fail;
	}
	if (s_disable_ns) {
		for (size_t i = 0; i < pf->nr_namespaces && !rc; i++) {
			struct pm_namespace *ns = pf->namespaces[i];

			struct ndctl_namespace *ndns;

			if (ns->region != nd || !ns->active)
				continue;
			ndns = pm_namespace_ndns(ns);
			rc = ndns ? ndctl_namespace_disable_safe(ndns) : -ENODEV;
			if (!rc)
				disabled_upto = i + 1;
		}
		if (pm_step_finish(s_disable_ns, rc))
			goto fail;
	}
	if (s_labels) {
		for (size_t i = 0; i < pf->nr_namespaces && !rc; i++) {
			struct pm_namespace *ns = pf->namespaces[i];

			struct ndctl_namespace *ndns;

			if (ns->region == nd && (ns->size || ns->uuid)) {
				ndns = pm_namespace_ndns(ns);
				if (!ndns) {
					rc = -ENODEV;
					break;
				}
				ndctl_namespace_disable_invalidate(ndns);
				rc = ndctl_namespace_delete(ndns);
			}
		}
		undoable = false;
		if (pm_step_finish(s_labels, rc))
			goto fail;
	}
	enabled = cxl_region_is_enabled(region) == 1;
	rc = enabled ? cxl_region_disable(region) : 0;
	if (pm_step_finish(s_disable, rc))
		goto fail;
	rc = cxl_region_decode_reset(region);
	if (pm_step_finish(s_reset, rc))
		goto fail;
	undoable = false;
	for (unsigned int i = 0; i < cxl->ways && !rc; i++) {
		struct cxl_decoder *ep = cxl_region_get_target_decoder(region, i);

		rc = cxl_region_clear_target(region, i);
		if (!rc && ep)
			rc = cxl_decoder_set_dpa_size(ep, 0);
	}
	if (pm_step_finish(s_free, rc))
		goto fail;
	rc = cxl_region_delete(region);
	if (pm_step_finish(s_delete, rc))
		goto fail;
	pm_kmem_undo_free(&k);
	res->changed = true;
	snprintf(res->message, sizeof(res->message), "destroyed CXL %s%s%s%s", cxl->dev,
		 nd ? " (nvdimm " : "", nd ? nd->dev : "", nd ? ")" : "");
	return 0;

fail:
	if (!rc)
		rc = -EIO;
	res->err = rc;
	if (undoable) {
		struct pm_step *s = pm_step_add(res, PM_ACT_ROLLBACK, "rollback",
						"put back what was taken down");
		int r = 0;

		if (region && cxl_region_decode_is_committed(region) != 1)
			r = cxl_region_decode_commit(region);
		if (!r && region && enabled && cxl_region_is_enabled(region) != 1)
			r = cxl_region_enable(region);
		/* The memory last: kmem back, its blocks online as they were. */
		if (!r && k.unbound)
			r = pm_kmem_undo_unbind(&k);
		else if (!r && k.blocks_changed)
			r = pm_kmem_undo_blocks(&k);
		/* No list to fill: every namespace disabled, however many. */
		for (size_t i = 0; i < disabled_upto && !r; i++) {
			struct pm_namespace *ns = pf->namespaces[i];
			struct ndctl_namespace *ndns;

			if (ns->region != nd || !ns->active)
				continue;
			ndns = pm_namespace_ndns(ns);
			r = ndns ? ndctl_namespace_enable(ndns) : -ENODEV;
		}
		res->rolled_back = pm_step_close(s, r) == 0;
		for (size_t i = 1; i < res->nr_steps; i++)
			if (res->steps[i].status == PM_STEP_DONE &&
			    strcmp(res->steps[i].name, "rollback") != 0)
				res->steps[i].status = PM_STEP_UNDONE;
	}
	pm_kmem_undo_free(&k);
	snprintf(res->message, sizeof(res->message), "destroy failed: %s; %s", strerror(-rc),
		 res->rolled_back ? "the region is as it was" :
		 undoable ? "the region could NOT be fully restored" :
		 "the namespaces' labels are gone: destroy-region again finishes it");
	return rc;
}
