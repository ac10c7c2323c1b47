// SPDX-License-Identifier: GPL-2.0-or-later
/* Build the platform snapshot from libndctl, libdaxctl and sysfs, once. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <daxctl/libdaxctl.h>
#include <ndctl/libndctl.h>
#include <uuid/uuid.h>

#include "pmem.h"
#include "badblocks.h"
#include "cxl.h"
#include "sysfs.h"

#define SYSFS_ND "/sys/bus/nd/devices"

/*
 * The kernel's device type of label-less namespaces (uapi ndctl.h); the
 * header ndctl installs for it pulls in headers it does not install.
 */
#ifndef ND_DEVICE_NAMESPACE_IO
#define ND_DEVICE_NAMESPACE_IO 4
#endif

/* Grow an array of pointers by one slot; returns 0 or -ENOMEM. */
static int push(void *arrayp, size_t *nr, void *item)
{
	void ***array = arrayp;
	void **grown = realloc(*array, (*nr + 1) * sizeof(void *));

	if (!grown)
		return -ENOMEM;
	grown[(*nr)++] = item;
	*array = grown;
	return 0;
}

/* strdup that maps NULL and "" to NULL, so "absent" has one spelling. */
static char *dup_or_null(const char *s)
{
	return s && s[0] ? strdup(s) : NULL;
}

static char *uuid_string(const uuid_t uuid)
{
	char buf[40];

	if (uuid_is_null(uuid))
		return NULL;
	uuid_unparse(uuid, buf);
	return strdup(buf);
}

/*
 * Bound to a driver: libndctl's *_is_enabled() answers the same, but
 * settles the bus's asynchronous probing on every call; the scan settles
 * it once per bus and then only looks at the driver link.
 */
static bool bound(const char *dev)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), SYSFS_ND "/%s/driver", dev);
	return lstat(path, &st) == 0 && S_ISLNK(st.st_mode);
}

/* libndctl prints its own errors to stderr; lib/ never prints. */
static void quiet_log(struct ndctl_ctx *ctx, int priority, const char *file,
		      int line, const char *fn, const char *format,
		      va_list args)
{
}

static void quiet_dax_log(struct daxctl_ctx *ctx, int priority, const char *file,
			  int line, const char *fn, const char *format,
			  va_list args)
{
}

static int scan_bus(struct pm_platform *pf, struct ndctl_bus *ndbus)
{
	struct pm_bus *bus = calloc(1, sizeof(*bus));
	struct ndctl_dimm *nddimm;
	int rc;

	if (!bus)
		return -ENOMEM;
	rc = push(&pf->buses, &pf->nr_buses, bus);
	if (rc) {
		free(bus);
		return rc;
	}
	bus->ndbus = ndbus;
	bus->dev = strdup(ndctl_bus_get_devname(ndbus));
	bus->provider = dup_or_null(ndctl_bus_get_provider(ndbus));
	if (!bus->dev)
		return -ENOMEM;

	ndctl_dimm_foreach(ndbus, nddimm) {
		struct pm_dimm *dimm = calloc(1, sizeof(*dimm));

		if (!dimm)
			return -ENOMEM;
		rc = push(&pf->dimms, &pf->nr_dimms, dimm);
		if (rc) {
			free(dimm);
			return rc;
		}
		dimm->nddimm = nddimm;
		dimm->bus = bus;
		dimm->dev = strdup(ndctl_dimm_get_devname(nddimm));
		dimm->id = dup_or_null(ndctl_dimm_get_unique_id(nddimm));
		/* All ones means none, as ndctl list reads them. */
		dimm->handle = ndctl_dimm_get_handle(nddimm);
		dimm->has_handle = dimm->handle < UINT_MAX;
		dimm->phys_id = ndctl_dimm_get_phys_id(nddimm);
		dimm->has_phys_id = dimm->phys_id < USHRT_MAX;
		dimm->enabled = bound(dimm->dev);
		dimm->failed_save = ndctl_dimm_failed_save(nddimm) == 1;
		dimm->failed_arm = ndctl_dimm_failed_arm(nddimm) == 1;
		dimm->failed_restore = ndctl_dimm_failed_restore(nddimm) == 1;
		dimm->failed_flush = ndctl_dimm_failed_flush(nddimm) == 1;
		dimm->failed_map = ndctl_dimm_failed_map(nddimm) == 1;
		dimm->smart_event = ndctl_dimm_smart_pending(nddimm) == 1;
		if (!dimm->dev)
			return -ENOMEM;
	}
	return 0;
}

static struct pm_dimm *dimm_of(struct pm_platform *pf,
			       struct ndctl_dimm *nddimm)
{
	for (size_t i = 0; i < pf->nr_dimms; i++)
		if (pf->dimms[i]->nddimm == nddimm)
			return pf->dimms[i];
	return NULL;
}

static enum pm_domain domain_of(struct ndctl_region *ndregion)
{
	switch (ndctl_region_get_persistence_domain(ndregion)) {
	case PERSISTENCE_CPU_CACHE:
		return PM_DOMAIN_CPU_CACHE;
	case PERSISTENCE_MEM_CTRL:
		return PM_DOMAIN_MEMORY_CONTROLLER;
	case PERSISTENCE_NONE:
		return PM_DOMAIN_NONE;
	default:
		return PM_DOMAIN_UNKNOWN;
	}
}

/*
 * libndctl opens deep_flush at enumeration and answers -EBADF for every
 * way it can be unusable; the attribute's mode tells them apart: the kernel
 * makes it 0644 only when nvdimm_has_flush() found flush hints or a flush
 * callback, 0444 when the DIMMs have none, and hides it without mappings.
 */
static enum pm_deep_flush_attr deep_flush_of(const char *region, mode_t *mode)
{
	*mode = 0;
	if (sysfs_attr_mode(mode, SYSFS_ND "/%s/deep_flush", region) < 0)
		return PM_DEEP_FLUSH_ABSENT;
	return *mode & 0200 ? PM_DEEP_FLUSH_WRITABLE : PM_DEEP_FLUSH_READ_ONLY;
}

/*
 * libndctl names a volatile region "pmem" (it knows only pmem and blk);
 * the kernel's device type tells them apart.
 */
static const char *region_type(const char *dev, struct ndctl_region *ndregion)
{
	char devtype[32];

	if (sysfs_read_string(devtype, sizeof(devtype), SYSFS_ND "/%s/devtype",
			      dev) == 0 && strcmp(devtype, "nd_volatile") == 0)
		return "volatile";
	return ndctl_region_get_type_name(ndregion);
}

static int scan_mappings(struct pm_platform *pf, struct pm_region *region)
{
	struct ndctl_mapping *mapping;
	size_t n = ndctl_region_get_mappings(region->ndregion);

	if (!n)
		return 0;
	region->mappings = calloc(n, sizeof(*region->mappings));
	if (!region->mappings)
		return -ENOMEM;
	ndctl_mapping_foreach(region->ndregion, mapping) {
		struct pm_mapping *m;

		if (region->nr_mappings == n)
			break;
		m = &region->mappings[region->nr_mappings++];
		m->dimm = dimm_of(pf, ndctl_mapping_get_dimm(mapping));
		m->offset = ndctl_mapping_get_offset(mapping);
		m->length = ndctl_mapping_get_length(mapping);
		m->position = ndctl_mapping_get_position(mapping);
	}
	return 0;
}

static int scan_daxdevs(struct pm_platform *pf, struct pm_namespace *ns,
			struct daxctl_region *dax_region)
{
	struct daxctl_dev *dev;
	int rc;

	daxctl_dev_foreach(dax_region, dev) {
		struct pm_daxdev *daxdev = calloc(1, sizeof(*daxdev));

		if (!daxdev)
			return -ENOMEM;
		rc = push(&pf->daxdevs, &pf->nr_daxdevs, daxdev);
		if (rc) {
			free(daxdev);
			return rc;
		}
		daxdev->ns = ns;
		daxdev->dev = strdup(daxctl_dev_get_devname(dev));
		daxdev->size = daxctl_dev_get_size(dev);
		daxdev->align = daxctl_dev_get_align(dev);
		daxdev->target_node = daxctl_dev_get_target_node(dev);
		daxdev->enabled = daxctl_dev_is_enabled(dev) == 1;
		daxdev->mode = daxctl_dev_get_memory(dev) ? "system-ram" :
							   "devdax";
		if (!daxdev->dev)
			return -ENOMEM;
	}
	return 0;
}

static const char *pfn_location(enum ndctl_pfn_loc loc)
{
	switch (loc) {
	case NDCTL_PFN_LOC_RAM:
		return "mem";
	case NDCTL_PFN_LOC_PMEM:
		return "dev";
	default:
		return NULL;
	}
}

/*
 * A namespace's usable size, device and identity live in whichever claim
 * owns it (btt, pfn or dax), as ndctl reports them; only an unclaimed
 * namespace reports its own.
 */
static int scan_namespace(struct pm_platform *pf, struct pm_region *region,
			  struct ndctl_namespace *ndns)
{
	struct pm_namespace *ns = calloc(1, sizeof(*ns));
	struct ndctl_btt *btt = ndctl_namespace_get_btt(ndns);
	struct ndctl_pfn *pfn = ndctl_namespace_get_pfn(ndns);
	struct ndctl_dax *dax = ndctl_namespace_get_dax(ndns);
	const char *bdev = NULL;
	uuid_t uuid;
	int rc;

	if (!ns)
		return -ENOMEM;
	rc = push(&pf->namespaces, &pf->nr_namespaces, ns);
	if (rc) {
		free(ns);
		return rc;
	}
	ns->ndns = ndns;
	ns->region = region;
	ns->dev = strdup(ndctl_namespace_get_devname(ndns));
	if (!ns->dev)
		return -ENOMEM;
	/* Active: the namespace, or the claim on it, is enabled. */
	ns->active = bound(ns->dev) ||
		     (btt && bound(ndctl_btt_get_devname(btt))) ||
		     (pfn && bound(ndctl_pfn_get_devname(pfn))) ||
		     (dax && bound(ndctl_dax_get_devname(dax)));
	ns->numa_node = ndctl_namespace_get_numa_node(ndns);
	ns->target_node = ndctl_namespace_get_target_node(ndns);
	ns->name = dup_or_null(ndctl_namespace_get_alt_name(ndns));
	ns->size = ndctl_namespace_get_size(ndns);

	switch (ndctl_namespace_get_mode(ndns)) {
	case NDCTL_NS_MODE_FSDAX:
		ns->mode = PM_MODE_FSDAX;
		if (pfn) {
			ns->size = ndctl_pfn_get_size(pfn);
			ns->map = pfn_location(ndctl_pfn_get_location(pfn));
		} else {
			/* e820 and virtio-pmem: mapped without an info block */
			ns->map = "mem";
		}
		break;
	case NDCTL_NS_MODE_DEVDAX:
		ns->mode = PM_MODE_DEVDAX;
		if (dax) {
			ns->size = ndctl_dax_get_size(dax);
			ns->map = pfn_location(ndctl_dax_get_location(dax));
		}
		break;
	case NDCTL_NS_MODE_SECTOR:
		ns->mode = PM_MODE_SECTOR;
		if (btt)
			ns->size = ndctl_btt_get_size(btt);
		break;
	case NDCTL_NS_MODE_RAW:
		ns->mode = PM_MODE_RAW;
		break;
	default:
		ns->mode = PM_MODE_UNKNOWN;
		break;
	}
	if (ns->size == ULLONG_MAX)
		ns->size = 0;

	if (btt) {
		ndctl_btt_get_uuid(btt, uuid);
		ns->uuid = uuid_string(uuid);
		bdev = ndctl_btt_get_block_device(btt);
		ns->sector_size = ndctl_btt_get_sector_size(btt);
	} else if (pfn) {
		ndctl_pfn_get_uuid(pfn, uuid);
		ns->uuid = uuid_string(uuid);
		ns->align = ndctl_pfn_get_align(pfn);
		bdev = ndctl_pfn_get_block_device(pfn);
	} else if (dax) {
		struct daxctl_region *dax_region = ndctl_dax_get_daxctl_region(dax);

		ndctl_dax_get_uuid(dax, uuid);
		ns->uuid = uuid_string(uuid);
		ns->align = ndctl_dax_get_align(dax);
		if (dax_region) {
			struct daxctl_dev *first = daxctl_dev_get_first(dax_region);

			if (first)
				ns->chardev = dup_or_null(daxctl_dev_get_devname(first));
			rc = scan_daxdevs(pf, ns, dax_region);
			if (rc)
				return rc;
		}
	} else {
		if (ndctl_namespace_get_type(ndns) != ND_DEVICE_NAMESPACE_IO) {
			ndctl_namespace_get_uuid(ndns, uuid);
			ns->uuid = uuid_string(uuid);
		}
		bdev = ndctl_namespace_get_block_device(ndns);
	}
	/*
	 * The kernel defaults to 512-byte sectors on namespaces that do not
	 * state one (pre-v1.2 labels, label-less namespaces).
	 */
	if (!btt && !dax) {
		ns->sector_size = ndctl_namespace_get_sector_size(ndns);
		if (!ns->sector_size || ns->sector_size == UINT_MAX)
			ns->sector_size = 512;
	}
	ns->blockdev = dup_or_null(bdev);
	return 0;
}

static int scan_region(struct pm_platform *pf, struct pm_bus *bus,
		       struct ndctl_region *ndregion)
{
	struct pm_region *region = calloc(1, sizeof(*region));
	struct ndctl_interleave_set *iset;
	struct ndctl_namespace *ndns;
	unsigned long align;
	int rc;

	if (!region)
		return -ENOMEM;
	rc = push(&pf->regions, &pf->nr_regions, region);
	if (rc) {
		free(region);
		return rc;
	}
	region->ndregion = ndregion;
	region->bus = bus;
	region->dev = strdup(ndctl_region_get_devname(ndregion));
	if (!region->dev)
		return -ENOMEM;
	region->type = region_type(region->dev, ndregion);
	region->size = ndctl_region_get_size(ndregion);
	region->available_size = ndctl_region_get_available_size(ndregion);
	region->max_available_extent =
		ndctl_region_get_max_available_extent(ndregion);
	if (region->max_available_extent == ULLONG_MAX)
		region->max_available_extent = region->available_size;
	align = ndctl_region_get_align(ndregion);
	region->align = align == ULONG_MAX ? 0 : align;
	region->numa_node = ndctl_region_get_numa_node(ndregion);
	region->target_node = ndctl_region_get_target_node(ndregion);
	region->enabled = bound(region->dev);
	region->domain = domain_of(ndregion);
	region->deep_flush = deep_flush_of(region->dev, &region->deep_flush_mode);
	iset = ndctl_region_get_interleave_set(ndregion);
	if (iset) {
		region->has_iset_id = true;
		region->iset_id = ndctl_interleave_set_get_cookie(iset);
	}
	rc = scan_mappings(pf, region);
	if (rc)
		return rc;

	ndctl_namespace_foreach(ndregion, ndns) {
		rc = scan_namespace(pf, region, ndns);
		if (rc)
			return rc;
	}
	return 0;
}

/* Every object struct starts with its name, so one comparison sorts all. */
static int compare_dev(const void *a, const void *b)
{
	const char *const *da = *(const char *const *const *)a;
	const char *const *db = *(const char *const *const *)b;

	return strverscmp(*da, *db);
}

/* libndctl lists objects in discovery order; people read ndbus0 first. */
static void sort_objects(void *objects, size_t count)
{
	/* An empty list is a NULL array, which qsort may not be given. */
	if (count > 1)
		qsort(objects, count, sizeof(void *), compare_dev);
}

static void sort_by_dev(struct pm_platform *pf)
{
	sort_objects(pf->buses, pf->nr_buses);
	sort_objects(pf->dimms, pf->nr_dimms);
	sort_objects(pf->regions, pf->nr_regions);
	sort_objects(pf->namespaces, pf->nr_namespaces);
	sort_objects(pf->daxdevs, pf->nr_daxdevs);
	sort_objects(pf->memdevs, pf->nr_memdevs);
	sort_objects(pf->cxl_regions, pf->nr_cxl_regions);
}

int pm_platform_scan(struct pm_platform **out)
{
	struct pm_platform *pf = calloc(1, sizeof(*pf));
	struct ndctl_bus *ndbus;
	int rc;

	if (!pf)
		return -ENOMEM;
	rc = ndctl_new(&pf->ndctx);
	if (rc < 0) {
		free(pf);
		return rc;
	}
	if (!getenv("PMEMCTL_LIBNDCTL_LOG")) {
		ndctl_set_log_fn(pf->ndctx, quiet_log);
		/* libndctl's own libdaxctl context logs on its own. */
		if (ndctl_get_daxctl_ctx(pf->ndctx))
			daxctl_set_log_fn(ndctl_get_daxctl_ctx(pf->ndctx), quiet_dax_log);
	}

	ndctl_bus_foreach(pf->ndctx, ndbus) {
		struct ndctl_region *ndregion;
		struct pm_bus *bus;

		ndctl_bus_wait_probe(ndbus);
		rc = scan_bus(pf, ndbus);
		if (rc)
			goto err;
		bus = pf->buses[pf->nr_buses - 1];
		ndctl_region_foreach(ndbus, ndregion) {
			rc = scan_region(pf, bus, ndregion);
			if (rc)
				goto err;
		}
	}
	rc = pm_cxl_scan(pf);
	if (rc)
		goto err;
	sort_by_dev(pf);
	pm_persistence_fill(pf);
	*out = pf;
	return 0;
err:
	pm_platform_free(pf);
	return rc;
}

void pm_platform_free(struct pm_platform *pf)
{
	size_t i;

	if (!pf)
		return;
	for (i = 0; i < pf->nr_daxdevs; i++) {
		free(pf->daxdevs[i]->dev);
		free(pf->daxdevs[i]);
	}
	for (i = 0; i < pf->nr_namespaces; i++) {
		struct pm_namespace *ns = pf->namespaces[i];

		free(ns->dev);
		free(ns->blockdev);
		free(ns->chardev);
		free(ns->uuid);
		free(ns->name);
		pm_badblocks_free(ns->badblocks);
		free(ns);
	}
	for (i = 0; i < pf->nr_regions; i++) {
		pm_badblocks_free(pf->regions[i]->badblocks);
		free(pf->regions[i]->dev);
		free(pf->regions[i]->mappings);
		free(pf->regions[i]);
	}
	for (i = 0; i < pf->nr_dimms; i++) {
		free(pf->dimms[i]->dev);
		free(pf->dimms[i]->id);
		free(pf->dimms[i]->health);
		free(pf->dimms[i]);
	}
	for (i = 0; i < pf->nr_buses; i++) {
		free(pf->buses[i]->dev);
		free(pf->buses[i]->provider);
		free(pf->buses[i]);
	}
	free(pf->daxdevs);
	free(pf->namespaces);
	free(pf->regions);
	free(pf->dimms);
	free(pf->buses);
	pm_cxl_free(pf);
	if (pf->ndctx)
		ndctl_unref(pf->ndctx);
	free(pf);
}
