// SPDX-License-Identifier: GPL-2.0-or-later
/* doctor's findings about CXL memdevs: security (a sanitize running, locked,
 * frozen) and firmware staged for the next reset. */
#include <stdio.h>
#include <string.h>

#include "doctor.h"
#include "cxl.h"

/* The memdevs in scope: all, or those a region of a CXL bus maps. */
static bool in_scope(const struct pm_region *only, const struct pm_memdev *m)
{
	if (!only)
		return true;
	for (size_t t = 0; only->cxl && t < only->cxl->nr_targets; t++)
		if (only->cxl->targets[t].memdev == m)
			return true;
	return false;
}

static void lint_security(struct pm_diagnosis *d, const struct pm_memdev *m)
{
	char fix[160];

	if (!m->security)
		return;
	if (strcmp(m->security, "sanitize") == 0) {
		snprintf(fix, sizeof(fix), "wait for it to end: pmemctl sanitize-dimm %s", m->dev);
		pm_doctor_add(d, PM_SEV_WARNING, "memdev-sanitize", m->dev, fix,
			      "a sanitize of %s is in progress: its media stay disabled, and no region can use it, until it ends",
			      m->dev);
	} else if (strcmp(m->security, "locked") == 0) {
		pm_doctor_add(d, PM_SEV_ERROR, "memdev-locked", m->dev,
			      "unlock it with its passphrase (the kernel unlocks a CXL memdev through its nvdimm, nmemN, and load-keys)",
			      "%s is locked: its persistent memory cannot be used until it is unlocked",
			      m->dev);
	} else if (strcmp(m->security, "frozen") == 0) {
		pm_doctor_add(d, PM_SEV_INFO, "security-frozen", m->dev,
			      "expected when the BIOS or a boot script freezes security; else reboot before changing the passphrase",
			      "%s: security frozen: no passphrase change or sanitize until a reboot",
			      m->dev);
	}
}

/*
 * Kernel 6.12 activates an uploaded image offline: the memdev runs it
 * after its next reset, which an unplanned reboot may bring.
 */
static void lint_staged(struct pm_diagnosis *d, struct pm_memdev *m)
{
	const struct pm_memdev_fw *fw = pm_memdev_firmware(m);

	if (fw->error || !fw->staged_slot)
		return;
	pm_doctor_add(d, PM_SEV_WARNING, "firmware-staged", m->dev,
		      "plan the reset (a reboot or power cycle) that runs it in a maintenance window",
		      "%s has firmware %s staged in slot %d but still runs %s: its next reset switches it",
		      m->dev, fw->next_version ? fw->next_version : "(no revision)",
		      fw->staged_slot, fw->current_version ? fw->current_version : "an unknown version");
}

void pm_doctor_memdevs(const struct pm_platform *pf, struct pm_diagnosis *d,
		       const struct pm_region *only)
{
	for (size_t i = 0; i < pf->nr_memdevs; i++) {
		struct pm_memdev *m = pf->memdevs[i];

		if (!in_scope(only, m))
			continue;
		lint_security(d, m);
		lint_staged(d, m);
	}
}
