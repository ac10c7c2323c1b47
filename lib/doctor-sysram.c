// SPDX-License-Identifier: GPL-2.0-or-later
/* doctor's findings about persistent memory handed to the kernel as RAM. */
#include <stdio.h>
#include <string.h>

#include "doctor.h"
#include "sysram.h"

void pm_doctor_sysram(const struct pm_platform *pf, struct pm_diagnosis *d,
		      const struct pm_region *only_region,
		      const struct pm_namespace *only)
{
	char policy[32], fix[160];
	bool any_ram = false;
	enum pm_zone auto_zone = PM_ZONE_NONE;

	if (pm_auto_online_policy(policy, sizeof(policy)) == 0)
		auto_zone = pm_auto_online_zone(policy);
	for (size_t i = 0; i < pf->nr_daxdevs; i++) {
		const struct pm_daxdev *dax = pf->daxdevs[i];
		const struct pm_sysram *ram = dax->ram;
		/* A CXL ram region's has no namespace: it is converted by name. */
		const char *ns = dax->ns ? dax->ns->dev : dax->dev;

		if ((only && dax->ns != only) || (only_region && dax->region != only_region))
			continue;
		if (strcmp(dax->mode, "system-ram") != 0)
			continue;
		any_ram = true;
		snprintf(fix, sizeof(fix), "pmemctl convert %s --mode devdax (or fsdax) to use it as persistent memory", ns);
		/* Volatile CXL memory as system RAM is what it is for. */
		if (dax->ns)
			pm_doctor_add(d, PM_SEV_WARNING, "kmem", dax->dev, fix,
				      "%s (%s) is system RAM (kmem): the kernel owns its memory, nothing on it is persistent and its contents are gone at reboot",
				      dax->dev, ns);
		if (!ram || ram->err)
			continue;
		snprintf(fix, sizeof(fix), "pmemctl convert %s --mode system-ram%s", ns,
			 ram->zone == PM_ZONE_NORMAL ? " --movable" : "");
		if (ram->nr_online < ram->nr_blocks)
			pm_doctor_add(d, PM_SEV_WARNING, "system-ram-offline", dax->dev, fix,
				      "%zu of %zu memory blocks of %s are offline: node %d lacks %llu MiB it was given",
				      ram->nr_blocks - ram->nr_online, ram->nr_blocks, dax->dev,
				      ram->target_node,
				      (unsigned long long)((ram->nr_blocks - ram->nr_online) *
							   ram->block_size >> 20));
		if (ram->zone == PM_ZONE_MIXED)
			pm_doctor_add(d, PM_SEV_WARNING, "system-ram-mixed-zones", dax->dev, fix,
				      "the memory blocks of %s are in different zones: the normal ones may never be offlined again",
				      dax->dev);
		else if (ram->zone == PM_ZONE_NORMAL)
			pm_doctor_add(d, PM_SEV_INFO, "system-ram-not-movable", dax->dev, fix,
				      "the memory of %s is in ZONE_NORMAL, not movable: kernel allocations there may keep it from ever being offlined",
				      dax->dev);
	}
	/*
	 * Blocks kmem adds are onlined by this policy before anyone asks:
	 * where memory is a tier, new blocks land in a kernel zone.
	 */
	if (any_ram && auto_zone == PM_ZONE_NORMAL)
		pm_doctor_add(d, PM_SEV_WARNING, "auto-online-zone", "memory",
			      "echo offline > /sys/devices/system/memory/auto_online_blocks (pmemctl onlines them where asked)",
			      "auto_online_blocks is '%s': memory a dax device adds goes into a kernel zone first, not movable",
			      policy);
}
