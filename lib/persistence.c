// SPDX-License-Identifier: GPL-2.0-or-later
/* Persistence: where the domain is, how to flush into it, what a store needs. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host.h"
#include "pmem.h"
#include "sysfs.h"

#define SYSFS_ND "/sys/bus/nd/devices"

static bool provider_is(const struct pm_region *region, const char *name)
{
	return region->bus->provider && strcmp(region->bus->provider, name) == 0;
}

/*
 * The kernel shows persistence_domain only when the platform declared one;
 * a missing attribute has a cause worth naming.
 */
static const char *domain_reason(const struct pm_region *region)
{
	if (!pm_region_is_pmem(region))
		return "volatile region: its contents do not survive power loss";
	if (region->domain == PM_DOMAIN_NONE)
		return "the platform declares that this region is not persistent";
	/*
	 * No firmware table says so on CXL: the kernel (6.1 drivers/cxl/pmem.c)
	 * declares memory_controller for every CXL pmem region, because a
	 * type-3 device's Global Persistent Flush writes what it holds to
	 * media on power loss.
	 */
	if (region->domain == PM_DOMAIN_MEMORY_CONTROLLER && provider_is(region, "CXL"))
		return "CXL type-3 pmem: the kernel declares memory_controller for every CXL region; the device's Global Persistent Flush (GPF) writes its buffers to media on power loss";
	if (region->domain != PM_DOMAIN_UNKNOWN)
		return NULL;
	if (provider_is(region, "virtio-pmem"))
		return "virtio-pmem declares no domain: data is durable once the host has flushed its backing file (fsync)";
	if (provider_is(region, "e820"))
		return "legacy e820 (memmap=) region: the firmware declares no domain";
	if (provider_is(region, "ACPI.NFIT"))
		return "the ACPI NFIT has no platform capabilities structure declaring a domain";
	return "the platform declares no persistence domain";
}

static void fill_region(struct pm_region *region)
{
	uint64_t value;

	region->domain_reason = domain_reason(region);
	/* nd_virtio registers its regions with ND_REGION_ASYNC. */
	region->async = provider_is(region, "virtio-pmem");
	region->deep_flush_value = -1;
	region->flush_cap = PM_FLUSH_ABSENT;
	if (region->deep_flush == PM_DEEP_FLUSH_ABSENT)
		return;
	if (sysfs_read_u64(&value, SYSFS_ND "/%s/deep_flush", region->dev) == 0)
		region->deep_flush_value = (int)value;
	/*
	 * 0644 and reading 1: flush hints or a flush callback; 0444 and 0:
	 * the DIMMs have none, platform persistence (ADR) is assumed.
	 */
	if (region->deep_flush == PM_DEEP_FLUSH_WRITABLE &&
	    region->deep_flush_value != 0)
		region->flush_cap = PM_FLUSH_SUPPORTED;
	else
		region->flush_cap = PM_FLUSH_NOT_NEEDED;
	/*
	 * sysfs attributes belong to root: root may write one with a write
	 * bit (not a 0444 one, which access() would allow), others only an
	 * o+w one. Decided from the mode, so a replayed capture, owned by
	 * whoever replays it, answers as the live tree did.
	 */
	if (region->deep_flush == PM_DEEP_FLUSH_WRITABLE)
		region->deep_flush_permitted = pm_host_euid() == 0 ?
			(region->deep_flush_mode & 0222) != 0 :
			(region->deep_flush_mode & S_IWOTH) != 0;
}

static enum pm_granularity granularity_of(const struct pm_namespace *ns,
					  enum pm_domain verdict)
{
	const struct pm_region *region = ns->region;

	if (!pm_region_is_pmem(region) || region->domain == PM_DOMAIN_NONE ||
	    ns->system_ram)
		return PM_GRAN_NONE;
	if (!ns->map_sync)
		return PM_GRAN_PAGE;
	/*
	 * Like libpmem2, trust the CPU caches only when every region of the
	 * platform declares cpu_cache: eADR is a property of the platform.
	 */
	if (verdict == PM_DOMAIN_CPU_CACHE)
		return PM_GRAN_BYTE;
	return PM_GRAN_CACHE_LINE;
}

void pm_persistence_fill(struct pm_platform *pf)
{
	bool any_pmem = false;
	size_t i;

	pf->verdict = PM_DOMAIN_CPU_CACHE;
	for (i = 0; i < pf->nr_regions; i++) {
		struct pm_region *region = pf->regions[i];

		fill_region(region);
		if (!pm_region_is_pmem(region))
			continue;
		any_pmem = true;
		if (region->domain < pf->verdict)
			pf->verdict = region->domain;
	}
	if (!any_pmem)
		pf->verdict = PM_DOMAIN_UNKNOWN;

	pf->verdict_granularity = any_pmem ? PM_GRAN_BYTE : PM_GRAN_NONE;
	for (i = 0; i < pf->nr_namespaces; i++) {
		struct pm_namespace *ns = pf->namespaces[i];

		/*
		 * Raw and sector namespaces are block devices without DAX:
		 * raw has no page map, BTT remaps every sector.
		 */
		ns->dax = ns->mode == PM_MODE_FSDAX || ns->mode == PM_MODE_DEVDAX;
		/* System RAM: the kernel's memory, gone at reboot. */
		if (ns->system_ram)
			ns->dax = false;
		/* Asynchronous regions reject MAP_SYNC with EOPNOTSUPP. */
		ns->map_sync = ns->dax && !ns->region->async;
		ns->granularity = granularity_of(ns, pf->verdict);
		/* A volatile region promises nothing: it is not the weakest pmem. */
		if (ns->active && pm_region_is_pmem(ns->region) &&
		    (!pf->weakest || ns->granularity < pf->verdict_granularity)) {
			pf->verdict_granularity = ns->granularity;
			pf->weakest = ns;
		}
	}
}

const char *pm_recipe(enum pm_granularity gran, enum pm_domain domain,
		      bool dax)
{
	switch (gran) {
	case PM_GRAN_NONE:
		return "not persistent: nothing makes stores durable here";
	case PM_GRAN_PAGE:
		if (dax)
			return "no MAP_SYNC (asynchronous region): msync() or fsync() after writing";
		return "block device without DAX: write(), then fsync() or fdatasync()";
	case PM_GRAN_CACHE_LINE:
		if (domain == PM_DOMAIN_UNKNOWN)
			return "domain unknown, assume ADR at best: clwb (or clflushopt, clflush, non-temporal stores) + sfence";
		return "clwb (or clflushopt, clflush, non-temporal stores) + sfence";
	case PM_GRAN_BYTE:
		return "sfence to order stores (the CPU caches are persistent)";
	}
	return "unknown";
}

const char *pm_namespace_recipe(const struct pm_namespace *ns)
{
	if (ns->system_ram)
		return "none: it is system RAM (kmem), the kernel's memory; nothing on it persists, its contents are gone at reboot";
	return pm_recipe(ns->granularity, ns->region->domain, ns->dax);
}

const char *pm_namespace_deep_flush_path(const struct pm_namespace *ns)
{
	const struct pm_region *region = ns->region;
	bool fsync = ns->blockdev && ns->active;

	switch (region->flush_cap) {
	case PM_FLUSH_SUPPORTED:
		return fsync ? "sysfs+fsync" : "sysfs";
	case PM_FLUSH_NOT_NEEDED:
		return "not-needed";
	case PM_FLUSH_ABSENT:
		/* virtio-pmem: REQ_PREFLUSH makes the host fsync its file. */
		if (region->async && fsync)
			return "fsync";
		return "none";
	}
	return "none";
}
