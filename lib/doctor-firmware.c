// SPDX-License-Identifier: GPL-2.0-or-later
/* doctor's findings about DIMM firmware: staged images, mixed versions. */
#include <stdio.h>
#include <string.h>

#include "doctor.h"
#include "firmware.h"

/*
 * A staged image runs at the next activation or power cycle: after an
 * unplanned reboot the DIMM runs firmware nobody chose that day.
 */
static void lint_staged(struct pm_diagnosis *d, const struct pm_dimm *m,
			const struct pm_firmware *fw)
{
	char fix[256];

	if (!pm_firmware_staged(fw))
		return;
	if (fw->need_powercycle.valid && fw->need_powercycle.value) {
		pm_doctor_add(d, PM_SEV_WARNING, "firmware-staged", m->dev,
			      "power-cycle the machine in a maintenance window (a reboot without a power cycle does not activate it)",
			      "%s has firmware 0x%llx staged and still runs 0x%llx; its last activation failed or the bus cannot activate: only a power cycle runs it",
			      m->dev, (unsigned long long)fw->next_version.value,
			      (unsigned long long)fw->current_version.value);
		return;
	}
	snprintf(fix, sizeof(fix),
		 "activate it in a maintenance window (pmemctl update-firmware --activate %s), or plan the power cycle that runs it",
		 m->dev);
	pm_doctor_add(d, PM_SEV_WARNING, "firmware-staged", m->dev, fix,
		      "%s has firmware 0x%llx staged (%s) but still runs 0x%llx: the next activation or power cycle switches it",
		      m->dev, (unsigned long long)fw->next_version.value,
		      fw->activate_state ? fw->activate_state : "state unknown",
		      (unsigned long long)fw->current_version.value);
}

/* DIMMs of one interleave set running different firmware behave apart. */
static void lint_mixed(struct pm_diagnosis *d, const struct pm_region *r)
{
	const struct pm_dimm *first = NULL;
	char list[256] = "", dimms[160] = "", fix[256];
	size_t len = 0, dlen = 0;
	bool mixed = false;
	uint64_t version = 0;

	for (size_t i = 0; i < r->nr_mappings; i++) {
		const struct pm_dimm *m = r->mappings[i].dimm;
		const struct pm_firmware *fw = m ? pm_dimm_firmware(m) : NULL;

		if (!fw || fw->error || !fw->current_version.valid)
			continue;
		if (!first) {
			first = m;
			version = fw->current_version.value;
		} else if (fw->current_version.value != version) {
			mixed = true;
		}
		if (len < sizeof(list))
			len += snprintf(list + len, sizeof(list) - len, "%s%s 0x%llx",
					len ? ", " : "", m->dev,
					(unsigned long long)fw->current_version.value);
		if (dlen < sizeof(dimms))
			dlen += snprintf(dimms + dlen, sizeof(dimms) - dlen, " %s", m->dev);
	}
	if (!mixed)
		return;
	snprintf(fix, sizeof(fix),
		 "stage one image on all of them (pmemctl update-firmware --image FILE%s) and activate it",
		 dimms);
	pm_doctor_add(d, PM_SEV_WARNING, "firmware-mixed", r->dev, fix,
		      "the DIMMs of %s run different firmware versions (%s): an interleave set should run one",
		      r->dev, list);
}

void pm_doctor_firmware(const struct pm_platform *pf, struct pm_diagnosis *d,
			const struct pm_region *only)
{
	for (size_t i = 0; i < pf->nr_dimms; i++) {
		const struct pm_dimm *m = pf->dimms[i];

		if (only && !pm_region_uses_dimm(only, m))
			continue;
		lint_staged(d, m, pm_dimm_firmware(m));
	}
	for (size_t i = 0; i < pf->nr_regions; i++)
		if (!only || pf->regions[i] == only)
			lint_mixed(d, pf->regions[i]);
}
