// SPDX-License-Identifier: GPL-2.0-or-later
/* DIMM security: the state each DIMM reports, and its fields. The keys are
 * in security-keys.c, the changes in security-change.c. */
#include <stdlib.h>
#include <string.h>

#include <ndctl/libndctl.h>

#include "compat.h"
#include "pmem.h"
#include "security.h"
#include "sysfs.h"

const char *const pm_security_names[] = {
	"disabled", "unlocked", "locked", "frozen", "overwrite", NULL,
};

const char *pm_security_name(enum pm_security state)
{
	if (state == PM_SECURITY_NONE || state == PM_SECURITY_UNREADABLE)
		return NULL;
	return pm_security_names[state - 1];
}

const struct pm_security_field pm_security_fields[PM_SECURITY_NR_FIELDS] = {
#define PM_SECURITY_ROW(id, column, key, type, help, metric, metric_help) \
	[PM_SECURITY_FIELD_##id] = { column, key, PM_SECURITY_IS_##type, help, \
				     metric, metric_help },
#define PM_SECURITY_IS_STRING false
#define PM_SECURITY_IS_BOOL true
	PM_SECURITY_FIELDS(PM_SECURITY_ROW)
#undef PM_SECURITY_ROW
#undef PM_SECURITY_IS_STRING
#undef PM_SECURITY_IS_BOOL
};

void pm_security_get(const struct pm_dimm *dimm, enum pm_security_field_id id,
		     struct pm_security_value *v)
{
	v->name = pm_security_name(dimm->security);
	v->valid = id == PM_SECURITY_FIELD_STATE ? v->name != NULL :
		   dimm->security != PM_SECURITY_NONE;
	v->b = dimm->security_frozen;
}

static enum pm_security parse_state(const char *s)
{
	for (int i = 0; pm_security_names[i]; i++)
		if (strcmp(s, pm_security_names[i]) == 0)
			return i + 1;
	return PM_SECURITY_NONE;
}

/*
 * The attributes as libndctl reads them (ndctl_dimm_get_security() and
 * _security_is_frozen()), through sysfs so that a replay reads the same:
 * "frozen" in nmemN/security (kernels before 5.5) or nmemN/frozen.
 */
void pm_security_read(struct pm_dimm *dimm)
{
	char buf[32];

	char frozen[8];
	bool has_frozen;

	dimm->security = PM_SECURITY_NONE;
	dimm->security_frozen = false;
	has_frozen = sysfs_read_string(frozen, sizeof(frozen), "/sys/bus/nd/devices/%s/frozen",
				       dimm->dev) >= 0;
	if (sysfs_read_string(buf, sizeof(buf), "/sys/bus/nd/devices/%s/security",
			      dimm->dev) >= 0)
		dimm->security = parse_state(buf);
	else if (has_frozen)
		dimm->security = PM_SECURITY_UNREADABLE;
	dimm->security_frozen = dimm->security == PM_SECURITY_FROZEN ||
				(has_frozen && atoi(frozen) == 1);
}
