// SPDX-License-Identifier: GPL-2.0-or-later
/* A DIMM's health: SMART data through libndctl, and the dirty shutdown count. */
#include <errno.h>
#include <stdlib.h>

#include <ndctl/libndctl.h>

#include "health.h"
#include "host.h"
#include "pmem.h"
#include "sysfs.h"

#define SYSFS_ND "/sys/bus/nd/devices"

static void set_temp(struct pm_health_temp *t, unsigned int raw)
{
	t->valid = true;
	t->celsius = ndctl_decode_smart_temperature(raw);
}

static void set_uint(struct pm_health_uint *u, unsigned int value)
{
	u->valid = true;
	u->value = value;
}

static void set_bool(struct pm_health_bool *b, bool value)
{
	b->valid = true;
	b->value = value;
}

/* What ndctl's smart_threshold_to_json() reads, with its rules. */
static void read_thresholds(struct ndctl_dimm *nddimm, struct pm_health *h)
{
	struct ndctl_cmd *cmd = ndctl_dimm_cmd_new_smart_threshold(nddimm);
	unsigned int control;

	if (!cmd)
		return;
	if (ndctl_cmd_submit_xlat(cmd) < 0) {
		ndctl_cmd_unref(cmd);
		return;
	}
	control = ndctl_cmd_smart_threshold_get_alarm_control(cmd);
	set_bool(&h->alarm_enabled_temperature, control & ND_SMART_TEMP_TRIP);
	if (control & ND_SMART_TEMP_TRIP)
		set_temp(&h->temperature_threshold,
			 ndctl_cmd_smart_threshold_get_temperature(cmd));
	set_bool(&h->alarm_enabled_ctrl_temperature, control & ND_SMART_CTEMP_TRIP);
	if (control & ND_SMART_CTEMP_TRIP)
		set_temp(&h->ctrl_temperature_threshold,
			 ndctl_cmd_smart_threshold_get_ctrl_temperature(cmd));
	set_bool(&h->alarm_enabled_spares, control & ND_SMART_SPARE_TRIP);
	if (control & ND_SMART_SPARE_TRIP)
		set_uint(&h->spares_threshold,
			 ndctl_cmd_smart_threshold_get_spares(cmd));
	ndctl_cmd_unref(cmd);
}

static const char *state_name(unsigned int health)
{
	if (health & ND_SMART_FATAL_HEALTH)
		return "fatal";
	if (health & ND_SMART_CRITICAL_HEALTH)
		return "critical";
	if (health & ND_SMART_NON_CRITICAL_HEALTH)
		return "non-critical";
	return "ok";
}

static int read_smart(struct ndctl_dimm *nddimm, struct pm_health *h)
{
	struct ndctl_cmd *cmd;
	unsigned int flags;
	int rc;

	/* A bundle holds no SMART data: the replaying host's would be wrong. */
	if (!nddimm || pm_host_replay_root())
		return -ENODATA;
	/*
	 * NULL where the DIMM has no SMART (QEMU's label-only DSMs, CXL):
	 * checked first, as libndctl's getters take NULL for zeros.
	 */
	cmd = ndctl_dimm_cmd_new_smart(nddimm);
	if (!cmd)
		return -EOPNOTSUPP;
	rc = ndctl_cmd_submit_xlat(cmd);
	if (rc < 0) {
		ndctl_cmd_unref(cmd);
		return rc;
	}
	flags = ndctl_cmd_smart_get_flags(cmd);
	if (flags & ND_SMART_HEALTH_VALID)
		h->state = state_name(ndctl_cmd_smart_get_health(cmd));
	if (flags & ND_SMART_TEMP_VALID)
		set_temp(&h->temperature, ndctl_cmd_smart_get_temperature(cmd));
	if (flags & ND_SMART_CTEMP_VALID)
		set_temp(&h->ctrl_temperature,
			 ndctl_cmd_smart_get_ctrl_temperature(cmd));
	if (flags & ND_SMART_SPARES_VALID)
		set_uint(&h->spares, ndctl_cmd_smart_get_spares(cmd));
	if (flags & ND_SMART_ALARM_VALID) {
		unsigned int alarm = ndctl_cmd_smart_get_alarm_flags(cmd);

		set_bool(&h->alarm_temperature, alarm & ND_SMART_TEMP_TRIP);
		set_bool(&h->alarm_ctrl_temperature, alarm & ND_SMART_CTEMP_TRIP);
		set_bool(&h->alarm_spares, alarm & ND_SMART_SPARE_TRIP);
	}
	read_thresholds(nddimm, h);
	if (flags & ND_SMART_USED_VALID)
		set_uint(&h->life_used, ndctl_cmd_smart_get_life_used(cmd));
	if (flags & ND_SMART_SHUTDOWN_VALID)
		h->shutdown_state = ndctl_cmd_smart_get_shutdown_state(cmd) ?
				    "dirty" : "clean";
	if (flags & ND_SMART_SHUTDOWN_COUNT_VALID)
		set_uint(&h->shutdown_count,
			 ndctl_cmd_smart_get_shutdown_count(cmd));
	ndctl_cmd_unref(cmd);
	return 0;
}

const struct pm_health *pm_dimm_health(const struct pm_dimm *dimm)
{
	static const struct pm_health no_memory = { .error = -ENOMEM,
						    .dirty_shutdown = -1 };
	/* The snapshot's cache: the model is otherwise read-only here. */
	struct pm_dimm *cache = (struct pm_dimm *)dimm;
	struct pm_health *h;
	uint64_t count;

	if (dimm->health)
		return dimm->health;
	h = calloc(1, sizeof(*h));
	if (!h)
		return &no_memory;
	h->error = read_smart(dimm->nddimm, h);
	h->dirty_shutdown = -1;
	if (sysfs_read_u64(&count, SYSFS_ND "/%s/nfit/dirty_shutdown",
			   dimm->dev) == 0)
		h->dirty_shutdown = (int64_t)count;
	cache->health = h;
	return h;
}

bool pm_health_denied(const struct pm_health *health)
{
	return health->error == -EACCES || health->error == -EPERM;
}
