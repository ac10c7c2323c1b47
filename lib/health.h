/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A DIMM's health: SMART data through libndctl, and the dirty shutdown count. */
#ifndef PMEMCTL_HEALTH_H
#define PMEMCTL_HEALTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pm_dimm;

/* A SMART field: valid only when the DIMM reported it (as ndctl prints it). */
struct pm_health_temp {
	bool valid;
	double celsius;
};

struct pm_health_uint {
	bool valid;
	unsigned int value;
};

struct pm_health_bool {
	bool valid;
	bool value;
};

struct pm_health {
	/*
	 * 0: SMART was read; -EOPNOTSUPP: the DIMM has no SMART; -EACCES,
	 * -EPERM: /dev/nmemN needs root; other -errno: the command failed.
	 */
	int error;
	const char *state;		/* ok, non-critical, critical, fatal; NULL */
	struct pm_health_temp temperature;
	struct pm_health_temp ctrl_temperature;
	struct pm_health_uint spares;
	struct pm_health_bool alarm_temperature;
	struct pm_health_bool alarm_ctrl_temperature;
	struct pm_health_bool alarm_spares;
	/* The thresholds: an alarm_enabled flag, and its value when enabled. */
	struct pm_health_bool alarm_enabled_temperature;
	struct pm_health_temp temperature_threshold;
	struct pm_health_bool alarm_enabled_ctrl_temperature;
	struct pm_health_temp ctrl_temperature_threshold;
	struct pm_health_bool alarm_enabled_spares;
	struct pm_health_uint spares_threshold;
	struct pm_health_uint life_used;
	const char *shutdown_state;	/* clean, dirty; NULL */
	struct pm_health_uint shutdown_count;
	/* nmemN/nfit/dirty_shutdown (sysfs, no root needed); -1: absent. */
	int64_t dirty_shutdown;
};

/*
 * The DIMM's health, read on the first call (the SMART ioctl costs: list
 * reads it only when asked) and kept in the snapshot. Never NULL.
 */
const struct pm_health *pm_dimm_health(const struct pm_dimm *dimm);
/*
 * The SMART answer as text ("key value" lines), for a support bundle:
 * the length written, or -ENOSPC. Parsing fills what the text holds and
 * leaves the rest invalid; error is -ENODATA when the text has none.
 */
int pm_health_format(const struct pm_health *health, char *buf, size_t len);
void pm_health_parse(const char *text, struct pm_health *health);
/* Why the SMART values are unknown, in words; NULL when they were read. */
const char *pm_health_reason(const struct pm_health *health);
/*
 * A fresh read into the caller's struct, nothing cached (monitor reads
 * again after each event). Returns out->error.
 */
int pm_dimm_health_read(const struct pm_dimm *dimm, struct pm_health *out);
/* Whether SMART failed for want of privilege: the caller's note. */
bool pm_health_denied(const struct pm_health *health);

#endif
