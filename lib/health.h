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

/*
 * The SMART fields, one row each, in ndctl's order: the one place a field
 * is described. Everything else follows from these rows: the exported
 * pm_smart_fields[] (a report's record of the answer, monitor's keys and
 * what it compares, the metrics), list's and show's columns (cli/columns.c
 * expands this list, as a C initializer cannot read an array).
 *
 * A new field: its member in struct pm_health, its read in health.c
 * (read_smart()), and a row here. Nothing else; then `make regen`.
 *
 * X(ID, member, column, key, type, unit, flags, names, help, metric, metric_help)
 *   ID		enum pm_health_field's PM_HEALTH_<ID>; monitor's HEALTH.<ID>
 *   member	its member of struct pm_health, and its key in a report
 *   column	list's and show's column
 *   key	the JSON key under "health" (ndctl's)
 *   type	how it is held: NAME (one of names), TEMP, UINT, BOOL
 *   unit	NONE, CELSIUS, PERCENT (a metric divides it by 100: a
 *		ratio), COUNT (a metric is a counter)
 *   flags	PM_SMART_EVENT: monitor compares and reports it;
 *		PM_SMART_ALARM: a tripped alarm, pmem_dimm_alarm's series
 *		with the key after "alarm_" as its label
 *   names	NAME: the values it may take, NULL-terminated; else NULL
 *   metric	its Prometheus family (pmem_dimm_...), or NULL
 */
#define PM_SMART_FIELDS(X)						\
	X(STATE, state, "HEALTH", "health_state", NAME, NONE,		\
	  PM_SMART_EVENT, pm_health_state_names,				\
	  "SMART health: ok, non-critical, critical, fatal (null without SMART or root)", \
	  NULL, NULL)							\
	X(TEMPERATURE, temperature, "TEMP", "temperature_celsius", TEMP,	\
	  CELSIUS, PM_SMART_EVENT, NULL,					\
	  "media temperature, degrees Celsius",				\
	  "pmem_dimm_temperature_celsius", "The DIMM's media temperature.") \
	X(CTRL_TEMPERATURE, ctrl_temperature, "CTRL_TEMP",		\
	  "controller_temperature_celsius", TEMP, CELSIUS, PM_SMART_EVENT, \
	  NULL, "controller temperature, degrees Celsius",		\
	  "pmem_dimm_controller_temperature_celsius",			\
	  "The DIMM's controller temperature.")				\
	X(SPARES, spares, "SPARES", "spares_percentage", UINT, PERCENT,	\
	  PM_SMART_EVENT, NULL, "spare blocks left, percent",		\
	  "pmem_dimm_spares_ratio", "Spare blocks left, 0 to 1.")	\
	X(ALARM_TEMPERATURE, alarm_temperature, "ALARM_TEMP",		\
	  "alarm_temperature", BOOL, NONE, PM_SMART_EVENT | PM_SMART_ALARM, \
	  NULL, "the media temperature passed its threshold", NULL, NULL) \
	X(ALARM_CTRL_TEMPERATURE, alarm_ctrl_temperature, "ALARM_CTRL_TEMP", \
	  "alarm_controller_temperature", BOOL, NONE,			\
	  PM_SMART_EVENT | PM_SMART_ALARM, NULL,			\
	  "the controller temperature passed its threshold", NULL, NULL) \
	X(ALARM_SPARES, alarm_spares, "ALARM_SPARES", "alarm_spares", BOOL, \
	  NONE, PM_SMART_EVENT | PM_SMART_ALARM, NULL,			\
	  "the spares fell to their threshold", NULL, NULL)		\
	X(ALARM_ENABLED_TEMPERATURE, alarm_enabled_temperature,		\
	  "ALARM_EN_TEMP", "alarm_enabled_media_temperature", BOOL, NONE, 0, \
	  NULL, "the media temperature alarm is enabled", NULL, NULL)	\
	X(TEMPERATURE_THRESHOLD, temperature_threshold, "TEMP_THRESHOLD", \
	  "temperature_threshold", TEMP, CELSIUS, 0, NULL,		\
	  "media temperature alarm threshold, degrees Celsius (when enabled)", \
	  "pmem_dimm_temperature_threshold_celsius",			\
	  "The media temperature alarm threshold, when the alarm is enabled.") \
	X(ALARM_ENABLED_CTRL_TEMPERATURE, alarm_enabled_ctrl_temperature, \
	  "ALARM_EN_CTEMP", "alarm_enabled_ctrl_temperature", BOOL, NONE, 0, \
	  NULL, "the controller temperature alarm is enabled", NULL, NULL) \
	X(CTRL_TEMPERATURE_THRESHOLD, ctrl_temperature_threshold,	\
	  "CTEMP_THRESHOLD", "controller_temperature_threshold", TEMP,	\
	  CELSIUS, 0, NULL,						\
	  "controller temperature alarm threshold, degrees Celsius (when enabled)", \
	  "pmem_dimm_controller_temperature_threshold_celsius",		\
	  "The controller temperature alarm threshold, when the alarm is enabled.") \
	X(ALARM_ENABLED_SPARES, alarm_enabled_spares, "ALARM_EN_SPARES", \
	  "alarm_enabled_spares", BOOL, NONE, 0, NULL,			\
	  "the spares alarm is enabled", NULL, NULL)			\
	X(SPARES_THRESHOLD, spares_threshold, "SPARES_THRESHOLD",	\
	  "spares_threshold", UINT, PERCENT, 0, NULL,			\
	  "spares alarm threshold, percent (when enabled)",		\
	  "pmem_dimm_spares_threshold_ratio",				\
	  "The spares alarm threshold, 0 to 1, when the alarm is enabled.") \
	X(LIFE_USED, life_used, "LIFE_USED", "life_used_percentage", UINT, \
	  PERCENT, PM_SMART_EVENT, NULL, "life used, percent",		\
	  "pmem_dimm_life_used_ratio", "Life used, 0 to 1.")		\
	X(SHUTDOWN_STATE, shutdown_state, "SHUTDOWN", "shutdown_state",	\
	  NAME, NONE, PM_SMART_EVENT, pm_health_shutdown_names,		\
	  "last shutdown as SMART saw it: clean, dirty", NULL, NULL)	\
	X(SHUTDOWN_COUNT, shutdown_count, "SHUTDOWN_COUNT", "shutdown_count", \
	  UINT, COUNT, PM_SMART_EVENT, NULL,				\
	  "unsafe shutdowns counted by the DIMM (SMART)",		\
	  "pmem_dimm_unsafe_shutdowns_total",				\
	  "Unsafe shutdowns the DIMM has counted (SMART shutdown count).")

/* ok, non-critical, critical, fatal; clean, dirty (NULL-terminated). */
extern const char *const pm_health_state_names[];
extern const char *const pm_health_shutdown_names[];

/* How a field is held in struct pm_health. */
enum pm_smart_type {
	PM_SMART_NAME,			/* const char *: one of names, or NULL */
	PM_SMART_TEMP,			/* struct pm_health_temp */
	PM_SMART_UINT,			/* struct pm_health_uint */
	PM_SMART_BOOL,			/* struct pm_health_bool */
};

enum pm_smart_unit {
	PM_SMART_NONE,
	PM_SMART_CELSIUS,
	PM_SMART_PERCENT,
	PM_SMART_COUNT,
};

enum pm_smart_flags {
	PM_SMART_EVENT = 1 << 0,
	PM_SMART_ALARM = 1 << 1,
};

/* Each field's index in pm_smart_fields[]; a bit each in monitor's changes. */
enum pm_health_field {
#define PM_SMART_ENUM(id, ...) PM_HEALTH_##id,
	PM_SMART_FIELDS(PM_SMART_ENUM)
#undef PM_SMART_ENUM
	PM_HEALTH_NR_FIELDS,
};

struct pm_smart_field {
	const char *id;			/* TEMPERATURE */
	const char *member;		/* temperature */
	const char *column;		/* TEMP */
	const char *key;		/* temperature_celsius */
	size_t offset;			/* its value in struct pm_health */
	enum pm_smart_type type;
	enum pm_smart_unit unit;
	unsigned int flags;		/* enum pm_smart_flags */
	const char *const *names;	/* PM_SMART_NAME: the values it may take */
	const char *help;
	const char *metric;		/* NULL: none */
	const char *metric_help;
};

extern const struct pm_smart_field pm_smart_fields[PM_HEALTH_NR_FIELDS];

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

/*
 * A field's value: *valid false when the DIMM did not report it. name
 * for PM_SMART_NAME, the number otherwise (a bool as 0 or 1).
 */
struct pm_smart_value {
	bool valid;
	const char *name;
	double number;
};
void pm_smart_get(const struct pm_health *health,
		  const struct pm_smart_field *field, struct pm_smart_value *v);

#endif
