// SPDX-License-Identifier: GPL-2.0-or-later
/* CXL ram (volatile) regions: their place in the model and their dax
 * device, and the steps of making one that libcxl 76 cannot take. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cxl/libcxl.h>

#include "cxl.h"
#include "cxl-region.h"
#include "pmem.h"
#include "sysfs.h"
#include "sysram.h"
#include "util.h"

#define CXL_DEVICES "/sys/bus/cxl/devices"
/* The dax device appears once dax_cxl has probed the dax region. */
#define DAX_WAIT_TRIES 100		/* x 100 ms */

static const char ram_reason[] =
	"volatile CXL memory (a ram region): nothing survives power loss or a reboot, there is no persistence domain";

static int scan_one(struct pm_platform *pf, struct pm_cxl_region *cxl)
{
	struct pm_region *region = calloc(1, sizeof(*region));
	size_t first = pf->nr_daxdevs;
	int rc, fd;

	if (!region)
		return -ENOMEM;
	rc = pm_push(&pf->ram_regions, &pf->nr_ram_regions, region);
	if (rc) {
		free(region);
		return rc;
	}
	if (asprintf(&region->dev, "cxl:%s", cxl->dev) < 0) {
		region->dev = NULL;
		return -ENOMEM;
	}
	/* cxl-cli's word for a CXL region of volatile capacity. */
	region->type = "ram";
	region->size = cxl->size;
	region->numa_node = -1;
	region->target_node = -1;
	region->enabled = cxl->enabled;
	region->domain = PM_DOMAIN_NONE;
	region->domain_reason = ram_reason;
	region->deep_flush = PM_DEEP_FLUSH_ABSENT;
	region->deep_flush_value = -1;
	region->flush_cap = PM_FLUSH_ABSENT;
	region->cxl = cxl;
	cxl->ram_region = region;
	/* 6.3+ drivers/cxl/core/region.c: regionN/dax_regionN/daxN.M */
	fd = sysfs_open_dir(CXL_DEVICES "/%s/dax_%s", cxl->dev, cxl->dev);
	if (fd < 0)
		return 0;
	rc = pm_scan_daxdevs(pf, NULL, region, fd);
	close(fd);
	if (!rc && pf->nr_daxdevs > first) {
		region->target_node = pf->daxdevs[first]->target_node;
		region->align = pf->daxdevs[first]->align;
	}
	return rc;
}

int pm_cxl_ram_scan(struct pm_platform *pf)
{
	int rc = 0;

	for (size_t i = 0; i < pf->nr_cxl_regions && !rc; i++)
		if (pf->cxl_regions[i]->ram)
			rc = scan_one(pf, pf->cxl_regions[i]);
	return rc;
}

void pm_cxl_ram_free(struct pm_platform *pf)
{
	for (size_t i = 0; i < pf->nr_ram_regions; i++) {
		free(pf->ram_regions[i]->dev);
		free(pf->ram_regions[i]);
	}
	free(pf->ram_regions);
	pf->ram_regions = NULL;
	pf->nr_ram_regions = 0;
}

struct pm_region *pm_find_ram_region(const struct pm_platform *pf,
				     const char *name)
{
	for (size_t i = 0; i < pf->nr_ram_regions; i++)
		if (strcmp(pf->ram_regions[i]->dev, name) == 0)
			return pf->ram_regions[i];
	return NULL;
}

struct pm_daxdev *pm_ram_region_daxdev(const struct pm_platform *pf,
				       const struct pm_cxl_region *cxl)
{
	for (size_t i = 0; cxl && cxl->ram_region && i < pf->nr_daxdevs; i++)
		if (pf->daxdevs[i]->region == cxl->ram_region)
			return pf->daxdevs[i];
	return NULL;
}

/* ------------------------------------------------------------ creating */

struct cxl_region *pm_cxl_ram_region_new(const char *root, struct cxl_ctx **ctx,
					 int *err)
{
	struct cxl_decoder *decoder;
	struct cxl_region *region;
	struct cxl_bus *bus;
	char name[32];
	int rc;

	*ctx = NULL;
	/*
	 * The kernel's protocol (cxl-cli does the same): read the name the
	 * next region takes, write it back to claim it.
	 */
	rc = sysfs_read_string(name, sizeof(name), CXL_DEVICES "/%s/create_ram_region", root);
	if (!rc)
		rc = sysfs_write_string(name, CXL_DEVICES "/%s/create_ram_region", root);
	if (rc) {
		*err = rc;
		return NULL;
	}
	/* A context of its own: the platform's listed the regions before. */
	rc = cxl_new(ctx);
	if (rc < 0) {
		*err = rc;
		sysfs_write_string(name, CXL_DEVICES "/%s/delete_region", root);
		return NULL;
	}
	cxl_bus_foreach(*ctx, bus) {
		if (!cxl_bus_get_port(bus))
			continue;
		cxl_decoder_foreach(cxl_bus_get_port(bus), decoder) {
			if (strcmp(cxl_decoder_get_devname(decoder), root))
				continue;
			cxl_region_foreach(decoder, region)
				if (strcmp(cxl_region_get_devname(region), name) == 0)
					return region;
		}
	}
	*err = -ENXIO;
	sysfs_write_string(name, CXL_DEVICES "/%s/delete_region", root);
	cxl_unref(*ctx);
	*ctx = NULL;
	return NULL;
}

/* The region's dax device (daxN.M), waiting for dax_cxl: 0 or -ENODEV. */
static int find_dax(const char *region, char *dax, size_t len)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), CXL_DEVICES "/%s/dax_%s", region, region);
	for (int tries = 0; tries < DAX_WAIT_TRIES; tries++) {
		DIR *dir = opendir(path);
		struct dirent *entry;
		unsigned int a, b;

		while (dir && (entry = readdir(dir)))
			if (sscanf(entry->d_name, "dax%u.%u", &a, &b) == 2) {
				snprintf(dax, len, "%s", entry->d_name);
				closedir(dir);
				return 0;
			}
		if (dir)
			closedir(dir);
		usleep(100 * 1000);
	}
	return -ENODEV;
}

/*
 * The kernel gives a ram region's dax device to kmem when it can
 * (IORESOURCE_DAX_KMEM, 6.12 drivers/dax/cxl.c) and kmem onlines it by
 * auto_online_blocks, which Debian's kernels set to "online": ZONE_NORMAL,
 * which may never come offline again. Held at "offline" while the region
 * comes up, the memory stays offline, and it is handed to device_dax:
 * `convert --mode system-ram` then onlines it movable, as for NVDIMMs.
 */
int pm_cxl_ram_enable(struct cxl_region *region, char *dax, size_t len,
		      char *detail, size_t dlen)
{
	const char *name = cxl_region_get_devname(region);
	char policy[32] = "";
	bool held = false;
	struct pm_kmem_undo k = { 0 };
	int rc;

	dax[0] = '\0';
	if (pm_auto_online_policy(policy, sizeof(policy)) == 0 && strcmp(policy, "offline")) {
		rc = sysfs_write_string("offline", "/sys/devices/system/memory/auto_online_blocks");
		if (rc) {
			snprintf(detail, dlen, "cannot hold auto_online_blocks (%s) at offline: %s",
				 policy, strerror(-rc));
			return rc;
		}
		held = true;
	}
	rc = cxl_region_enable(region);
	if (!rc) {
		/* udev loads them where it runs; a minimal system may not. */
		pm_module_load("device_dax");
		pm_module_load("dax_cxl");
		rc = find_dax(name, dax, len);
		if (rc)
			snprintf(detail, dlen, "%s has no dax device: is dax_cxl available?", name);
	}
	if (!rc) {
		snprintf(k.dev, sizeof(k.dev), "%s", dax);
		rc = pm_kmem_undo_bind(&k);
		pm_kmem_undo_free(&k);
		if (rc)
			snprintf(detail, dlen, "%s: cannot hand it to device_dax: %s", dax,
				 strerror(-rc));
	}
	if (held)
		sysfs_write_string(policy, "/sys/devices/system/memory/auto_online_blocks");
	if (!rc)
		snprintf(detail, dlen, "%s enabled, its dax device %s devdax%s%s%s", name, dax,
			 held ? " (auto_online_blocks " : "", held ? policy : "",
			 held ? " held at offline meanwhile)" : "");
	return rc;
}

int pm_cxl_ram_verify(const char *dax, char *detail, size_t dlen)
{
	char link[PATH_MAX], path[PATH_MAX];
	const char *driver;
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/dax/devices/%s/driver", dax);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0) {
		snprintf(detail, dlen, "%s has no driver", dax);
		return -ENXIO;
	}
	link[n] = '\0';
	driver = strrchr(link, '/') ? strrchr(link, '/') + 1 : link;
	if (strcmp(driver, "device_dax")) {
		snprintf(detail, dlen, "%s is bound to %s, not device_dax", dax, driver);
		return -EIO;
	}
	snprintf(detail, dlen, "%s is devdax: none of its memory is the kernel's", dax);
	return 0;
}
