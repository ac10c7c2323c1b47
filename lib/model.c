// SPDX-License-Identifier: GPL-2.0-or-later
/* Lookups and names over the platform model. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "compat.h"
#include "pmem.h"

/*
 * Objects are named as the kernel names them ("region0"), or by the number
 * after the prefix ("0"), as ndctl accepts them.
 */
static bool name_matches(const char *dev, const char *prefix, const char *name)
{
	size_t len = strlen(prefix);

	if (strcmp(dev, name) == 0)
		return true;
	return strncmp(dev, prefix, len) == 0 && strcmp(dev + len, name) == 0;
}

struct pm_bus *pm_find_bus(const struct pm_platform *pf, const char *name)
{
	for (size_t i = 0; i < pf->nr_buses; i++) {
		struct pm_bus *bus = pf->buses[i];

		if (name_matches(bus->dev, "ndbus", name) ||
		    (bus->provider && strcmp(bus->provider, name) == 0))
			return bus;
	}
	return NULL;
}

struct pm_dimm *pm_find_dimm(const struct pm_platform *pf, const char *name)
{
	for (size_t i = 0; i < pf->nr_dimms; i++)
		if (name_matches(pf->dimms[i]->dev, "nmem", name))
			return pf->dimms[i];
	return NULL;
}

struct pm_region *pm_find_region(const struct pm_platform *pf,
				 const char *name)
{
	for (size_t i = 0; i < pf->nr_regions; i++)
		if (name_matches(pf->regions[i]->dev, "region", name))
			return pf->regions[i];
	return NULL;
}

struct pm_namespace *pm_find_namespace(const struct pm_platform *pf,
				       const char *name)
{
	for (size_t i = 0; i < pf->nr_namespaces; i++)
		if (name_matches(pf->namespaces[i]->dev, "namespace", name))
			return pf->namespaces[i];
	return NULL;
}

bool pm_region_uses_dimm(const struct pm_region *region,
			 const struct pm_dimm *dimm)
{
	for (size_t i = 0; i < region->nr_mappings; i++)
		if (region->mappings[i].dimm == dimm)
			return true;
	return false;
}

bool pm_region_is_pmem(const struct pm_region *region)
{
	return region->type && strcmp(region->type, "pmem") == 0;
}

const char *pm_domain_name(enum pm_domain domain)
{
	switch (domain) {
	case PM_DOMAIN_CPU_CACHE:
		return "cpu_cache";
	case PM_DOMAIN_MEMORY_CONTROLLER:
		return "memory_controller";
	case PM_DOMAIN_NONE:
		return "none";
	default:
		return "unknown";
	}
}

const char *pm_deep_flush_attr_name(enum pm_deep_flush_attr attr)
{
	switch (attr) {
	case PM_DEEP_FLUSH_WRITABLE:
		return "writable";
	case PM_DEEP_FLUSH_READ_ONLY:
		return "read-only";
	default:
		return "absent";
	}
}

static const char *const mode_names[] = {
	[PM_MODE_UNKNOWN] = "unknown",
	[PM_MODE_RAW] = "raw",
	[PM_MODE_SECTOR] = "sector",
	[PM_MODE_FSDAX] = "fsdax",
	[PM_MODE_DEVDAX] = "devdax",
	[PM_MODE_SYSTEM_RAM] = "system-ram",
};

const char *pm_ns_mode_name(enum pm_ns_mode mode)
{
	if ((size_t)mode >= ARRAY_SIZE(mode_names))
		return "unknown";
	return mode_names[mode];
}

int pm_ns_mode_parse(const char *name, enum pm_ns_mode *mode)
{
	/* The old names ndctl still accepts mean the same modes. */
	static const struct {
		const char *name;
		enum pm_ns_mode mode;
	} aliases[] = {
		{ "raw", PM_MODE_RAW },
		{ "sector", PM_MODE_SECTOR },
		{ "safe", PM_MODE_SECTOR },
		{ "fsdax", PM_MODE_FSDAX },
		{ "memory", PM_MODE_FSDAX },
		{ "devdax", PM_MODE_DEVDAX },
		{ "dax", PM_MODE_DEVDAX },
		{ "system-ram", PM_MODE_SYSTEM_RAM },
	};

	for (size_t i = 0; i < ARRAY_SIZE(aliases); i++) {
		if (strcmp(aliases[i].name, name) == 0) {
			*mode = aliases[i].mode;
			return 0;
		}
	}
	return -EINVAL;
}

int pm_explain(char *buf, size_t len, int rc, const char *fmt, ...)
{
	va_list ap;

	if (!len)
		return rc;
	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return rc;
}

const char *const pm_kind_names[PM_NR_KINDS] = { PM_KIND_NAME_INITIALIZERS };

const char *pm_kind_name(enum pm_object_kind kind)
{
	return kind < PM_NR_KINDS ? pm_kind_names[kind] : "unknown";
}

const struct pm_dimm_flag pm_dimm_flags[] = {
	{ offsetof(struct pm_dimm, failed_save), "save_fail", "save-failed", true,
	  "%s failed to save its contents at the last power loss (flag_failed_save)",
	  "check the DIMM's health; restore data from a backup",
	  "its last save to media failed" },
	{ offsetof(struct pm_dimm, failed_arm), "not_armed", "not-armed", true,
	  "%s is not armed: a power loss now may lose its data (flag_failed_arm)",
	  "check the energy source (NVDIMM-N supercap/battery)",
	  "it is not armed: a power loss may not save its data" },
	{ offsetof(struct pm_dimm, failed_restore), "restore_fail", "restore-failed", true,
	  "%s failed to restore its contents (flag_failed_restore)", NULL, NULL },
	{ offsetof(struct pm_dimm, failed_flush), "flush_fail", "flush-failed", true,
	  "the last flush of %s did not complete (flag_failed_flush)",
	  "check the DIMM's health; replace it",
	  "its last flush failed (flag_failed_flush)" },
	{ offsetof(struct pm_dimm, failed_map), "map_fail", "map-failed", false,
	  "%s is not mapped into the address space (flag_failed_map)", NULL, NULL },
	{ offsetof(struct pm_dimm, smart_event), "smart_event", "smart-event", false,
	  "%s has a pending SMART health event",
	  "read its SMART health (pmemctl show %s) and act on what changed", NULL },
};

const size_t pm_nr_dimm_flags = ARRAY_SIZE(pm_dimm_flags);

const char *pm_flush_cap_name(enum pm_flush_cap cap)
{
	switch (cap) {
	case PM_FLUSH_SUPPORTED:
		return "supported";
	case PM_FLUSH_NOT_NEEDED:
		return "not-needed";
	default:
		return "absent";
	}
}

const char *pm_granularity_name(enum pm_granularity gran)
{
	switch (gran) {
	case PM_GRAN_BYTE:
		return "byte";
	case PM_GRAN_CACHE_LINE:
		return "cache-line";
	case PM_GRAN_PAGE:
		return "page";
	default:
		return "none";
	}
}
