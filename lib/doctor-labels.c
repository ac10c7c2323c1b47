// SPDX-License-Identifier: GPL-2.0-or-later
/* doctor's findings about namespace labels: check-labels' checks, in scope. */
#include <unistd.h>

#include "doctor.h"
#include "host.h"
#include "labels.h"

void pm_doctor_labels(const struct pm_platform *pf, struct pm_diagnosis *d,
		      const struct pm_region *only_region)
{
	struct pm_label_set set;

	/*
	 * Reading labels takes root; a replay reads what the report
	 * recorded (a bundle without them: no label finding).
	 */
	if ((!pm_host_replay_root() && geteuid() != 0) || !pf->nr_dimms)
		return;
	if (pm_label_set_read(pf, &set) < 0)
		return;
	for (size_t i = 0; i < set.nr; i++) {
		const struct pm_dimm *dimm = set.dimms[i];

		set.facts[i].report = !only_region;
		for (size_t m = 0; only_region && m < only_region->nr_mappings; m++)
			set.facts[i].report |= only_region->mappings[m].dimm == dimm;
	}
	/* A blank area is the normal state of a label-less DIMM: no finding. */
	pm_labels_check(set.facts, set.nr, false, d);
	pm_label_set_release(&set);
}
