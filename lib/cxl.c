// SPDX-License-Identifier: GPL-2.0-or-later
/* CXL memory devices and regions through libcxl, linked to the nvdimm model. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cxl/libcxl.h>
#include <ndctl/libndctl.h>

#include "pmem.h"
#include "cxl.h"
#include "badblocks.h"
#include "host.h"
#include "sysfs.h"
#include "util.h"

#define SYSFS_CXL "/sys/bus/cxl"

/* libcxl prints its own errors to stderr; lib/ never prints. */
static void quiet_log(struct cxl_ctx *ctx, int priority, const char *file,
		      int line, const char *fn, const char *format,
		      va_list args)
{
}

static int scan_memdevs(struct pm_platform *pf)
{
	struct cxl_memdev *cxlmemdev;

	cxl_memdev_foreach(pf->cxlctx, cxlmemdev) {
		struct pm_memdev *memdev = calloc(1, sizeof(*memdev));
		unsigned long long serial;
		int rc;

		if (!memdev)
			return -ENOMEM;
		rc = pm_push(&pf->memdevs, &pf->nr_memdevs, memdev);
		if (rc) {
			free(memdev);
			return rc;
		}
		memdev->cxlmemdev = cxlmemdev;
		memdev->dev = strdup(cxl_memdev_get_devname(cxlmemdev));
		memdev->host = pm_dup_or_null(cxl_memdev_get_host(cxlmemdev));
		if (!memdev->dev)
			return -ENOMEM;
		/* libcxl's "no serial" is ULLONG_MAX, as cxl list omits it. */
		serial = cxl_memdev_get_serial(cxlmemdev);
		memdev->has_serial = serial < ULLONG_MAX;
		memdev->serial = serial;
		memdev->pmem_size = cxl_memdev_get_pmem_size(cxlmemdev);
		memdev->ram_size = cxl_memdev_get_ram_size(cxlmemdev);
		memdev->numa_node = cxl_memdev_get_numa_node(cxlmemdev);
		memdev->enabled = cxl_memdev_is_enabled(cxlmemdev) == 1;
		pm_memdev_security_read(memdev);
	}
	return 0;
}

static struct pm_memdev *memdev_of(struct pm_platform *pf,
				   struct cxl_memdev *cxlmemdev)
{
	for (size_t i = 0; cxlmemdev && i < pf->nr_memdevs; i++)
		if (pf->memdevs[i]->cxlmemdev == cxlmemdev)
			return pf->memdevs[i];
	return NULL;
}

static int compare_position(const void *a, const void *b)
{
	const struct pm_cxl_target *ta = a, *tb = b;

	/* Unknown positions (-1) last. */
	if (ta->position < 0 || tb->position < 0)
		return (ta->position < 0) - (tb->position < 0);
	return ta->position - tb->position;
}

/*
 * A region's mode: "ram" or "pmem" since 6.3, which made ram regions;
 * absent before, when every region was pmem. libcxl 76 does not read it.
 */
static bool is_ram(const char *dev)
{
	char mode[16];

	return sysfs_read_string(mode, sizeof(mode), "/sys/bus/cxl/devices/%s/mode", dev) == 0 &&
	       strcmp(mode, "ram") == 0;
}

static int scan_region(struct pm_platform *pf, struct cxl_decoder *root,
		       struct cxl_region *cxlregion)
{
	struct pm_cxl_region *region = calloc(1, sizeof(*region));
	struct cxl_memdev_mapping *mapping;
	unsigned long long resource;
	size_t n = 0;
	int rc;

	if (!region)
		return -ENOMEM;
	rc = pm_push(&pf->cxl_regions, &pf->nr_cxl_regions, region);
	if (rc) {
		free(region);
		return rc;
	}
	region->dev = strdup(cxl_region_get_devname(cxlregion));
	region->decoder = strdup(cxl_decoder_get_devname(root));
	if (!region->dev || !region->decoder)
		return -ENOMEM;
	resource = cxl_region_get_resource(cxlregion);
	region->resource = resource == ULLONG_MAX ? UINT64_MAX : resource;
	region->size = cxl_region_get_size(cxlregion);
	if (region->size == ULLONG_MAX)
		region->size = 0;
	/* libcxl answers UINT_MAX for an attribute it could not read. */
	region->ways = cxl_region_get_interleave_ways(cxlregion);
	if (region->ways == UINT_MAX)
		region->ways = 0;
	region->granularity = cxl_region_get_interleave_granularity(cxlregion);
	if (region->granularity == UINT_MAX)
		region->granularity = 0;
	region->committed = cxl_region_decode_is_committed(cxlregion) == 1;
	region->enabled = cxl_region_is_enabled(cxlregion) == 1;
	region->ram = is_ram(region->dev);
	region->cxlregion = cxlregion;

	cxl_mapping_foreach(cxlregion, mapping)
		n++;
	if (!n)
		return 0;
	region->targets = calloc(n, sizeof(*region->targets));
	if (!region->targets)
		return -ENOMEM;
	cxl_mapping_foreach(cxlregion, mapping) {
		struct cxl_decoder *decoder = cxl_mapping_get_decoder(mapping);
		unsigned int position = cxl_mapping_get_position(mapping);
		struct pm_cxl_target *t;

		if (region->nr_targets == n || !decoder)
			continue;
		t = &region->targets[region->nr_targets++];
		t->position = position < INT_MAX ? (int)position : -1;
		t->memdev = memdev_of(pf, cxl_decoder_get_memdev(decoder));
		t->decoder = strdup(cxl_decoder_get_devname(decoder));
		if (!t->decoder)
			return -ENOMEM;
	}
	if (region->nr_targets > 1)
		qsort(region->targets, region->nr_targets, sizeof(*region->targets),
		      compare_position);
	return 0;
}

/* Appends s to a NULL-terminated list of *nr names; 0 or -ENOMEM. */
static int strv_add(const char ***list, size_t *nr, const char *s)
{
	const char **grown = realloc(*list, (*nr + 2) * sizeof(*grown));

	if (!grown)
		return -ENOMEM;
	grown[(*nr)++] = s;
	grown[*nr] = NULL;
	*list = grown;
	return 0;
}

static unsigned long long known(unsigned long long v)
{
	return v == ULLONG_MAX ? UINT64_MAX : v;
}

/* A root decoder: its window, and the memdevs a region in it can take. */
static int scan_decoder(struct pm_platform *pf, struct cxl_decoder *decoder,
			struct pm_cxl_decoder **out)
{
	struct pm_cxl_decoder *d = calloc(1, sizeof(*d));
	int rc;

	if (!d)
		return -ENOMEM;
	rc = pm_push(&pf->cxl_decoders, &pf->nr_cxl_decoders, d);
	if (rc) {
		free(d);
		return rc;
	}
	*out = d;
	d->dev = strdup(cxl_decoder_get_devname(decoder));
	if (!d->dev)
		return -ENOMEM;
	d->resource = known(cxl_decoder_get_resource(decoder));
	d->size = cxl_decoder_get_size(decoder);
	if (d->size == ULLONG_MAX)
		d->size = 0;
	d->max_available_extent = known(cxl_decoder_get_max_available_extent(decoder));
	d->ways = cxl_decoder_get_interleave_ways(decoder);
	if (d->ways == UINT_MAX)
		d->ways = 0;
	d->granularity = cxl_decoder_get_interleave_granularity(decoder);
	if (d->granularity == UINT_MAX)
		d->granularity = 0;
	d->nr_targets = cxl_decoder_get_nr_targets(decoder) > 0 ?
			cxl_decoder_get_nr_targets(decoder) : 0;
	d->pmem_capable = cxl_decoder_is_pmem_capable(decoder);
	d->volatile_capable = cxl_decoder_is_volatile_capable(decoder);
	for (size_t i = 0; i < pf->nr_memdevs; i++) {
		struct pm_memdev *m = pf->memdevs[i];

		if (cxl_decoder_get_target_by_memdev(decoder, m->cxlmemdev) &&
		    (rc = strv_add(&d->memdevs, &d->nr_memdevs, m->dev)))
			return rc;
	}
	return 0;
}

/* CXL regions hang off the root decoders of each CXL root port. */
static int scan_regions(struct pm_platform *pf)
{
	struct cxl_bus *bus;

	cxl_bus_foreach(pf->cxlctx, bus) {
		struct cxl_port *port = cxl_bus_get_port(bus);
		struct cxl_decoder *decoder;

		if (!port)
			continue;
		cxl_decoder_foreach(port, decoder) {
			struct cxl_region *cxlregion;
			struct pm_cxl_decoder *d;
			int rc = scan_decoder(pf, decoder, &d);

			if (rc)
				return rc;
			cxl_region_foreach(decoder, cxlregion) {
				struct pm_cxl_region *r;

				rc = scan_region(pf, decoder, cxlregion);
				if (rc)
					return rc;
				r = pf->cxl_regions[pf->nr_cxl_regions - 1];
				rc = strv_add(&d->regions, &d->nr_regions, r->dev);
				if (!rc && !r->enabled)
					rc = strv_add(&d->disabled_regions,
						      &d->nr_disabled_regions, r->dev);
				if (rc)
					return rc;
			}
		}
	}
	return 0;
}

static bool is_cxl_bus(const struct pm_bus *bus)
{
	return bus->provider && strcmp(bus->provider, "CXL") == 0;
}

/*
 * The kernel (6.1 drivers/cxl/pmem.c) gives the nvdimm region of a CXL
 * region the same resource and the same id (regionN on both buses), and
 * maps the CXL region's target at position i to the nvdimm mapping at
 * position i. nmemN has no link of its own to its memdev (its parent is
 * the nvdimm bus) and is numbered in probe order, so the mappings are the
 * one sure link. The nvdimm region's resource is readable by root only:
 * for other users the name decides.
 */
static bool same_region(const struct pm_region *region,
			const struct pm_cxl_region *cxl)
{
	unsigned long long start = ndctl_region_get_resource(region->ndregion);

	if (start != ULLONG_MAX && cxl->resource != UINT64_MAX)
		return cxl->resource == start;
	return strcmp(region->dev, cxl->dev) == 0;
}

static void link_region(struct pm_platform *pf, struct pm_region *region)
{
	for (size_t i = 0; i < pf->nr_cxl_regions; i++) {
		struct pm_cxl_region *cxl = pf->cxl_regions[i];

		if (!same_region(region, cxl))
			continue;
		region->cxl = cxl;
		for (size_t m = 0; m < region->nr_mappings; m++) {
			struct pm_mapping *map = &region->mappings[m];

			for (size_t t = 0; t < cxl->nr_targets; t++)
				if (map->dimm && map->position >= 0 &&
				    cxl->targets[t].position == map->position)
					map->dimm->memdev = cxl->targets[t].memdev;
		}
		return;
	}
}

/* Whether SYSFS_CXL/devices lists anything. */
static bool has_devices(void)
{
	DIR *dir = opendir(SYSFS_CXL "/devices");
	struct dirent *entry;
	bool any = false;

	if (!dir)
		return false;
	while (!any && (entry = readdir(dir)))
		any = entry->d_name[0] != '.';
	closedir(dir);
	return any;
}

int pm_cxl_scan(struct pm_platform *pf)
{
	int rc;

	/*
	 * cxl_core may be loaded with no device on its bus (nfit_test pulls
	 * it in): libcxl would read the module configuration and flush the
	 * bus's work queue twice to find nothing.
	 */
	if (!has_devices())
		return 0;
	rc = cxl_new(&pf->cxlctx);
	if (rc < 0)
		return rc;
	if (!getenv("PMEMCTL_LIBCXL_LOG"))
		cxl_set_log_fn(pf->cxlctx, quiet_log);
	rc = scan_memdevs(pf);
	if (!rc)
		rc = scan_regions(pf);
	if (rc)
		return rc;
	for (size_t i = 0; i < pf->nr_regions; i++)
		if (is_cxl_bus(pf->regions[i]->bus))
			link_region(pf, pf->regions[i]);
	rc = pm_cxl_ram_scan(pf);
	if (rc)
		return rc;
	return 0;
}

void pm_cxl_free(struct pm_platform *pf)
{
	pm_cxl_ram_free(pf);
	for (size_t i = 0; i < pf->nr_cxl_regions; i++) {
		struct pm_cxl_region *region = pf->cxl_regions[i];

		for (size_t t = 0; t < region->nr_targets; t++)
			free(region->targets[t].decoder);
		free(region->targets);
		free(region->dev);
		free(region->decoder);
		free(region);
	}
	for (size_t i = 0; i < pf->nr_memdevs; i++) {
		free(pf->memdevs[i]->dev);
		free(pf->memdevs[i]->host);
		free(pf->memdevs[i]->health);
		free(pf->memdevs[i]->firmware);
		pm_cxl_poison_free(pf->memdevs[i]->poison);
		pm_badblocks_free(pf->memdevs[i]->badblocks);
		free(pf->memdevs[i]);
	}
	for (size_t i = 0; i < pf->nr_cxl_decoders; i++) {
		struct pm_cxl_decoder *d = pf->cxl_decoders[i];

		free(d->dev);
		free(d->memdevs);
		free(d->regions);
		free(d->disabled_regions);
		free(d);
	}
	free(pf->cxl_decoders);
	free(pf->cxl_regions);
	free(pf->memdevs);
	if (pf->cxlctx)
		cxl_unref(pf->cxlctx);
}

bool pm_platform_has_cxl(const struct pm_platform *pf)
{
	if (pf->nr_memdevs)
		return true;
	for (size_t i = 0; i < pf->nr_buses; i++)
		if (is_cxl_bus(pf->buses[i]))
			return true;
	return false;
}

struct pm_memdev *pm_find_memdev(const struct pm_platform *pf,
				 const char *name)
{
	for (size_t i = 0; i < pf->nr_memdevs; i++)
		if (strcmp(pf->memdevs[i]->dev, name) == 0)
			return pf->memdevs[i];
	return NULL;
}

struct pm_cxl_decoder *pm_find_cxl_decoder(const struct pm_platform *pf,
					   const char *name)
{
	for (size_t i = 0; i < pf->nr_cxl_decoders; i++)
		if (strcmp(pf->cxl_decoders[i]->dev, name) == 0)
			return pf->cxl_decoders[i];
	return NULL;
}

/* A status bit of the answer: libcxl returns it, or -errno. */
static bool bit(int value)
{
	return value > 0;
}

static int read_health(struct pm_memdev *memdev, struct pm_memdev_health *h)
{
	char path[64];
	struct cxl_cmd *cmd;
	int rc, value;

	/* The replaying host's devices would be wrong: the bundle's answer. */
	if (pm_host_replay_root())
		return pm_memdev_health_replay(memdev->dev, h);
	/*
	 * libcxl opens /dev/cxl/memN read-write (root only) before it knows
	 * whether the device has the command; say which of the two it was.
	 */
	snprintf(path, sizeof(path), "/dev/cxl/%s", memdev->dev);
	if (access(path, R_OK | W_OK) < 0)
		return -errno;
	errno = 0;
	cmd = cxl_cmd_new_get_health_info(memdev->cxlmemdev);
	if (!cmd)
		return errno ? -errno : -EOPNOTSUPP;
	rc = cxl_cmd_submit(cmd);
	if (rc == 0 && cxl_cmd_get_mbox_status(cmd) != 0)
		rc = -EIO;
	if (rc < 0) {
		cxl_cmd_unref(cmd);
		return rc;
	}
	h->maintenance_needed = bit(cxl_cmd_health_info_get_maintenance_needed(cmd));
	h->performance_degraded =
		bit(cxl_cmd_health_info_get_performance_degraded(cmd));
	h->hw_replacement_needed =
		bit(cxl_cmd_health_info_get_hw_replacement_needed(cmd));
	h->media_normal = bit(cxl_cmd_health_info_get_media_normal(cmd));
	/* The device's "not implemented" values, as cxl list reads them. */
	value = cxl_cmd_health_info_get_life_used(cmd);
	h->life_used = value < 0 || value == 0xff ? -1 : value;
	value = cxl_cmd_health_info_get_temperature(cmd);
	h->temperature = value < 0 || value == 0xffff ? INT32_MIN : (int16_t)value;
	value = cxl_cmd_health_info_get_dirty_shutdowns(cmd);
	h->dirty_shutdowns = value < 0 ? -1 : (int64_t)(uint32_t)value;
	cxl_cmd_unref(cmd);
	return 0;
}

const struct pm_memdev_health *pm_memdev_health(struct pm_memdev *memdev)
{
	struct pm_memdev_health *h;
	static struct pm_memdev_health no_memory = { .error = -ENOMEM };

	if (memdev->health)
		return memdev->health;
	h = calloc(1, sizeof(*h));
	if (!h)
		return &no_memory;
	h->error = read_health(memdev, h);
	memdev->health = h;
	return h;
}

const char *pm_memdev_health_reason(const struct pm_memdev_health *health)
{
	switch (health->error) {
	case 0:
		return NULL;
	/*
	 * libcxl's query lists every command the kernel knows (6.1); the
	 * kernel refuses one the device did not enable with ENOTTY.
	 */
	case -EOPNOTSUPP:
	case -ENOTTY:
		return "the device does not implement Get Health Info";
	case -EACCES:
	case -EPERM:
		return "health needs root: the command goes through /dev/cxl/memN, which only root may open";
	case -ENOENT:
		return "the device has no /dev/cxl node";
	case -EIO:
		return "the device failed the Get Health Info command";
	case -ENODATA:
		if (pm_host_replay_root())
			return "the bundle holds no health answer for this memdev (written before reports recorded them)";
		return strerror(-health->error);
	default:
		return strerror(-health->error);
	}
}
