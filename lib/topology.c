// SPDX-License-Identifier: GPL-2.0-or-later
/* Build the platform snapshot from libndctl, libdaxctl and sysfs, once. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <daxctl/libdaxctl.h>
#include <ndctl/libndctl.h>
#include <uuid/uuid.h>

#include "pmem.h"
#include "badblocks.h"
#include "cxl.h"
#include "security.h"
#include "sysfs.h"
#include "sysram.h"
#include "util.h"

#define SYSFS_ND "/sys/bus/nd/devices"

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

static int scan_bus(struct pm_platform *pf, struct ndctl_bus *ndbus, bool dimms)
{
	struct pm_bus *bus = calloc(1, sizeof(*bus));
	struct ndctl_dimm *nddimm;
	int rc;

	if (!bus)
		return -ENOMEM;
	rc = pm_push(&pf->buses, &pf->nr_buses, bus);
	if (rc) {
		free(bus);
		return rc;
	}
	bus->ndbus = ndbus;
	bus->dev = strdup(ndctl_bus_get_devname(ndbus));
	bus->provider = pm_dup_or_null(ndctl_bus_get_provider(ndbus));
	if (!bus->dev)
		return -ENOMEM;
	if (!dimms)
		return 0;

	ndctl_dimm_foreach(ndbus, nddimm) {
		struct pm_dimm *dimm = calloc(1, sizeof(*dimm));

		if (!dimm)
			return -ENOMEM;
		rc = pm_push(&pf->dimms, &pf->nr_dimms, dimm);
		if (rc) {
			free(dimm);
			return rc;
		}
		dimm->nddimm = nddimm;
		dimm->bus = bus;
		dimm->dev = strdup(ndctl_dimm_get_devname(nddimm));
		dimm->id = pm_dup_or_null(ndctl_dimm_get_unique_id(nddimm));
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
		if (dimm->dev)
			pm_security_read(dimm);
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

/* A dax device is listed only with its /dev node, as libdaxctl lists it. */
static bool dev_node(const char *name)
{
	char path[NAME_MAX + 8];
	struct stat st;

	snprintf(path, sizeof(path), "/dev/%s", name);
	return stat(path, &st) == 0;
}

/*
 * The device-dax instances below an nd_dax device (dax0.0/dax0.1), read
 * as libdaxctl reads them: size, align, target_node, the driver link
 * (kmem: system-ram).
 */
int pm_scan_daxdevs(struct pm_platform *pf, struct pm_namespace *ns,
		    struct pm_region *region, int daxfd)
{
	struct dirent *entry;
	unsigned int a, b;
	int fd, rc = 0;
	DIR *dir;

	fd = openat(daxfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return 0;
	}
	while (!rc && (entry = readdir(dir))) {
		struct pm_daxdev *daxdev;
		char link[PATH_MAX];
		uint64_t v;
		ssize_t n;
		int len = 0, devfd;

		if (sscanf(entry->d_name, "dax%u.%u%n", &a, &b, &len) != 2 ||
		    entry->d_name[len] || !dev_node(entry->d_name))
			continue;
		devfd = openat(daxfd, entry->d_name, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (devfd < 0)
			continue;
		daxdev = calloc(1, sizeof(*daxdev));
		rc = daxdev ? pm_push(&pf->daxdevs, &pf->nr_daxdevs, daxdev) : -ENOMEM;
		if (rc) {
			free(daxdev);
			close(devfd);
			break;
		}
		daxdev->ns = ns;
		daxdev->region = region;
		daxdev->dev = strdup(entry->d_name);
		if (sysfs_read_u64_at(devfd, "size", &v) == 0)
			daxdev->size = v;
		if (sysfs_read_u64_at(devfd, "align", &v) == 0)
			daxdev->align = v;
		daxdev->target_node = sysfs_read_int_at(devfd, "target_node", -1);
		n = readlinkat(devfd, "driver", link, sizeof(link) - 1);
		daxdev->enabled = n > 0;
		link[n > 0 ? n : 0] = '\0';
		daxdev->mode = daxdev->enabled && strrchr(link, '/') &&
			       strcmp(strrchr(link, '/') + 1, "kmem") == 0 ?
			       "system-ram" : "devdax";
		close(devfd);
		/* Its memory blocks: a few attributes per block, read now. */
		if (ns)
			ns->system_ram |= strcmp(daxdev->mode, "system-ram") == 0;
		if (strcmp(daxdev->mode, "system-ram") == 0 &&
		    (daxdev->ram = calloc(1, sizeof(*daxdev->ram))))
			pm_sysram_read(entry->d_name, daxdev->ram);
		if (!daxdev->dev)
			rc = -ENOMEM;
	}
	closedir(dir);
	return rc;
}

/* The kernel's names of a namespace's mode (mode_show(), namespace_devs.c). */
static enum pm_ns_mode mode_of(int nsfd)
{
	char buf[32];

	if (sysfs_read_string_at(nsfd, "mode", buf, sizeof(buf)) < 0)
		return PM_MODE_UNKNOWN;
	if (strcmp(buf, "memory") == 0)
		return PM_MODE_FSDAX;
	if (strcmp(buf, "dax") == 0)
		return PM_MODE_DEVDAX;
	if (strcmp(buf, "safe") == 0)
		return PM_MODE_SECTOR;
	if (strcmp(buf, "raw") == 0)
		return PM_MODE_RAW;
	return PM_MODE_UNKNOWN;
}

/* pfn and dax claims: "ram" puts the page map in memory, "pmem" on the device. */
static const char *pfn_location(int claimfd)
{
	char buf[16];

	if (sysfs_read_string_at(claimfd, "mode", buf, sizeof(buf)) < 0)
		return NULL;
	if (strcmp(buf, "ram") == 0)
		return "mem";
	if (strcmp(buf, "pmem") == 0)
		return "dev";
	return NULL;
}

/* The selected one of a size list such as "[512] 4096"; 0 when none is. */
static unsigned int selected_size(int fd)
{
	char buf[128], *sel;

	if (sysfs_read_string_at(fd, "sector_size", buf, sizeof(buf)) < 0)
		return 0;
	sel = strchr(buf, '[');
	return sel ? (unsigned int)strtoul(sel + 1, NULL, 10) : 0;
}

static char *uuid_attr(int fd)
{
	char buf[64];
	uuid_t uuid;

	if (sysfs_read_string_at(fd, "uuid", buf, sizeof(buf)) < 0 ||
	    uuid_parse(buf, uuid) < 0)
		return NULL;
	return uuid_string(uuid);
}

/* The block device of a bound namespace or claim: the entry of its block/. */
static char *block_device(int fd)
{
	char name[NAME_MAX + 1];

	if (!sysfs_is_link_at(fd, "driver") ||
	    sysfs_first_entry_at(fd, "block", name, sizeof(name)) < 0)
		return NULL;
	return strdup(name);
}

/* A 0/1 attribute of a block device: 1, 0, or -1 when absent. */
static int block_flag(int fd, const char *blockdev, const char *attr)
{
	char path[NAME_MAX + 64];
	uint64_t value;

	snprintf(path, sizeof(path), "block/%s/%s", blockdev, attr);
	if (sysfs_read_u64_at(fd, path, &value) < 0)
		return -1;
	return value != 0;
}

/*
 * The block layer's flags (the persistence rules' inputs), read below the
 * device that holds the block device (fd) rather than through /sys/block.
 */
static void block_flags(struct pm_namespace *ns, int fd)
{
	char path[NAME_MAX + 64], buf[32];

	ns->fua = ns->write_cache = ns->dax_write_cache = -1;
	if (!ns->blockdev)
		return;
	ns->fua = block_flag(fd, ns->blockdev, "queue/fua");
	ns->dax_write_cache = block_flag(fd, ns->blockdev, "dax/write_cache");
	snprintf(path, sizeof(path), "block/%s/queue/write_cache", ns->blockdev);
	if (sysfs_read_string_at(fd, path, buf, sizeof(buf)) == 0)
		ns->write_cache = strcmp(buf, "write back") == 0;
}

/* A size attribute, 0 when unreadable (a disabled claim has none). */
static uint64_t size_attr(int fd)
{
	uint64_t v;

	return sysfs_read_u64_at(fd, "size", &v) == 0 && v != ULLONG_MAX ? v : 0;
}

/*
 * A namespace read from sysfs directly, the attributes the listing shows
 * and no more: libndctl's namespace object (pm_namespace_ndns()) is made
 * only for the code that changes or inspects a namespace through it.
 * A namespace's usable size, device and identity live in whichever claim
 * owns it (btt, pfn or dax: its holder), as ndctl reports them; only an
 * unclaimed namespace reports its own.
 */
static int scan_namespace(struct pm_platform *pf, struct pm_region *region,
			  int regionfd, const char *name)
{
	struct pm_namespace *ns = calloc(1, sizeof(*ns));
	char holder[64] = "";
	int nsfd, claimfd = -1, rc;
	bool btt = false, pfn = false, dax = false;

	if (!ns)
		return -ENOMEM;
	rc = pm_push(&pf->namespaces, &pf->nr_namespaces, ns);
	if (rc) {
		free(ns);
		return rc;
	}
	ns->region = region;
	ns->fua = ns->write_cache = ns->dax_write_cache = -1;
	ns->dev = strdup(name);
	if (!ns->dev)
		return -ENOMEM;
	nsfd = openat(regionfd, name, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (nsfd < 0)
		return 0;
	if (sysfs_read_string_at(nsfd, "holder", holder, sizeof(holder)) == 0 &&
	    holder[0]) {
		btt = strncmp(holder, "btt", 3) == 0;
		pfn = strncmp(holder, "pfn", 3) == 0;
		dax = strncmp(holder, "dax", 3) == 0;
		if (btt || pfn || dax)
			claimfd = openat(regionfd, holder, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (claimfd < 0)
			btt = pfn = dax = false;
	}
	/* Active: the namespace, or the claim on it, is enabled. */
	ns->active = sysfs_is_link_at(nsfd, "driver") ||
		     (claimfd >= 0 && sysfs_is_link_at(claimfd, "driver"));
	ns->numa_node = sysfs_read_int_at(nsfd, "numa_node", -1);
	ns->target_node = sysfs_read_int_at(nsfd, "target_node", -1);
	ns->size = size_attr(nsfd);

	ns->mode = mode_of(nsfd);
	switch (ns->mode) {
	case PM_MODE_FSDAX:
		if (pfn) {
			ns->size = size_attr(claimfd);
			ns->map = pfn_location(claimfd);
		} else {
			/* e820 and virtio-pmem: mapped without an info block */
			ns->map = "mem";
		}
		break;
	case PM_MODE_DEVDAX:
		if (dax) {
			ns->size = size_attr(claimfd);
			ns->map = pfn_location(claimfd);
		}
		break;
	case PM_MODE_SECTOR:
		if (btt)
			ns->size = size_attr(claimfd);
		break;
	default:
		break;
	}

	if (btt) {
		ns->uuid = uuid_attr(claimfd);
		ns->blockdev = block_device(claimfd);
		block_flags(ns, claimfd);
		ns->sector_size = selected_size(claimfd);
	} else if (pfn || dax) {
		uint64_t align;

		ns->uuid = uuid_attr(claimfd);
		if (sysfs_read_u64_at(claimfd, "align", &align) == 0)
			ns->align = align;
		if (pfn) {
			ns->blockdev = block_device(claimfd);
			block_flags(ns, claimfd);
		} else {
			size_t first = pf->nr_daxdevs;

			rc = pm_scan_daxdevs(pf, ns, ns->region, claimfd);
			if (!rc && pf->nr_daxdevs > first)
				ns->chardev = strdup(pf->daxdevs[first]->dev);
			block_flags(ns, claimfd);
		}
	} else {
		/* Label-less namespaces have no uuid attribute. */
		ns->uuid = uuid_attr(nsfd);
		ns->blockdev = block_device(nsfd);
		block_flags(ns, nsfd);
	}
	{
		char alt[128];

		if (sysfs_read_string_at(nsfd, "alt_name", alt, sizeof(alt)) == 0)
			ns->name = pm_dup_or_null(alt);
	}
	/*
	 * The kernel defaults to 512-byte sectors on namespaces that do not
	 * state one (pre-v1.2 labels, label-less namespaces).
	 */
	if (!btt && !dax) {
		ns->sector_size = selected_size(nsfd);
		if (!ns->sector_size || ns->sector_size == UINT_MAX)
			ns->sector_size = 512;
	}
	if (claimfd >= 0)
		close(claimfd);
	close(nsfd);
	return rc;
}

/* The region's namespaces, as libndctl enumerates them: namespaceX.Y entries. */
static int scan_namespaces(struct pm_platform *pf, struct pm_region *region)
{
	struct dirent *entry;
	int regionfd, fd, rc = 0;
	unsigned int a, b;
	DIR *dir;

	regionfd = sysfs_open_dir(SYSFS_ND "/%s", region->dev);
	if (regionfd < 0)
		return 0;
	fd = openat(regionfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	dir = fd >= 0 ? fdopendir(fd) : NULL;
	if (!dir) {
		if (fd >= 0)
			close(fd);
		close(regionfd);
		return 0;
	}
	while (!rc && (entry = readdir(dir))) {
		int len = 0;

		if (sscanf(entry->d_name, "namespace%u.%u%n", &a, &b, &len) == 2 &&
		    !entry->d_name[len])
			rc = scan_namespace(pf, region, regionfd, entry->d_name);
	}
	closedir(dir);
	close(regionfd);
	return rc;
}

/* A cache, like a DIMM's health: filled through a const snapshot. */
struct ndctl_namespace *pm_namespace_ndns(const struct pm_namespace *ns)
{
	struct pm_namespace *memo = (struct pm_namespace *)ns;
	struct ndctl_namespace *ndns;

	if (ns->lazy_ndns || !ns->region->ndregion)
		return ns->lazy_ndns;
	ndctl_namespace_foreach(ns->region->ndregion, ndns)
		if (strcmp(ndctl_namespace_get_devname(ndns), ns->dev) == 0) {
			memo->lazy_ndns = ndns;
			break;
		}
	return ns->lazy_ndns;
}

static int scan_region(struct pm_platform *pf, struct pm_bus *bus,
		       struct ndctl_region *ndregion, const char *only,
		       bool dimms)
{
	struct pm_region *region = calloc(1, sizeof(*region));
	struct ndctl_interleave_set *iset;
	unsigned long align;
	int rc;

	if (!region)
		return -ENOMEM;
	rc = pm_push(&pf->regions, &pf->nr_regions, region);
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
	rc = dimms ? scan_mappings(pf, region) : 0;
	if (rc || (only && strcmp(region->dev, only)))
		return rc;
	return scan_namespaces(pf, region);
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

static void free_daxdev(struct pm_daxdev *daxdev)
{
	if (daxdev->ram)
		pm_sysram_free(daxdev->ram);
	free(daxdev->ram);
	free(daxdev->dev);
	free(daxdev);
}

static void free_namespace(struct pm_namespace *ns)
{
	free(ns->dev);
	free(ns->blockdev);
	free(ns->chardev);
	free(ns->uuid);
	free(ns->name);
	pm_badblocks_free(ns->badblocks);
	free(ns);
}

/*
 * What a change needs again under its lock: the region's own state and its
 * namespaces and dax devices, as they are now. libndctl's objects of the
 * region's namespaces are looked up after this (pm_namespace_ndns()), so
 * they are as fresh; the rest of the snapshot stays as it was read.
 */
int pm_region_rescan(struct pm_platform *pf, struct pm_region *region)
{
	size_t i, kept;

	for (i = kept = 0; i < pf->nr_daxdevs; i++) {
		if (pf->daxdevs[i]->ns && pf->daxdevs[i]->ns->region == region)
			free_daxdev(pf->daxdevs[i]);
		else
			pf->daxdevs[kept++] = pf->daxdevs[i];
	}
	pf->nr_daxdevs = kept;
	for (i = kept = 0; i < pf->nr_namespaces; i++) {
		if (pf->namespaces[i]->region == region)
			free_namespace(pf->namespaces[i]);
		else
			pf->namespaces[kept++] = pf->namespaces[i];
	}
	pf->nr_namespaces = kept;
	pf->weakest = NULL;
	if (region->ndregion) {
		region->available_size = ndctl_region_get_available_size(region->ndregion);
		region->max_available_extent =
			ndctl_region_get_max_available_extent(region->ndregion);
		if (region->max_available_extent == ULLONG_MAX)
			region->max_available_extent = region->available_size;
	}
	region->enabled = bound(region->dev);
	i = scan_namespaces(pf, region);
	sort_objects(pf->namespaces, pf->nr_namespaces);
	sort_objects(pf->daxdevs, pf->nr_daxdevs);
	pm_persistence_fill(pf);
	return (int)i;
}

static int platform_scan(struct pm_platform **out, const char *only,
			 bool dimms)
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
		rc = scan_bus(pf, ndbus, dimms);
		if (rc)
			goto err;
		bus = pf->buses[pf->nr_buses - 1];
		ndctl_region_foreach(ndbus, ndregion) {
			rc = scan_region(pf, bus, ndregion, only, dimms);
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

int pm_platform_scan(struct pm_platform **out)
{
	return platform_scan(out, NULL, true);
}

int pm_platform_scan_region(struct pm_platform **out, const char *region,
			    bool dimms)
{
	return platform_scan(out, region, dimms);
}

void pm_platform_free(struct pm_platform *pf)
{
	size_t i;

	if (!pf)
		return;
	for (i = 0; i < pf->nr_daxdevs; i++)
		free_daxdev(pf->daxdevs[i]);
	for (i = 0; i < pf->nr_namespaces; i++)
		free_namespace(pf->namespaces[i]);
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
		free(pf->dimms[i]->firmware);
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
