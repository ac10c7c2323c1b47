// SPDX-License-Identifier: GPL-2.0-or-later
/* A DIMM's health: SMART data through libndctl, and the dirty shutdown count. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <limits.h>

#include <ndctl/libndctl.h>

#include "compat.h"
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

const char *const pm_health_state_names[] = { "ok", "non-critical", "critical", "fatal", NULL };
const char *const pm_health_shutdown_names[] = { "clean", "dirty", NULL };

const struct pm_smart_field pm_smart_fields[PM_HEALTH_NR_FIELDS] = {
#define PM_SMART_ROW(id_, member_, column_, key_, type_, unit_, flags_, names_, \
		     help_, metric_, metric_help_)				\
	[PM_HEALTH_##id_] = {						\
		.id = #id_, .member = #member_, .column = column_, .key = key_, \
		.offset = offsetof(struct pm_health, member_),		\
		.type = PM_SMART_##type_, .unit = PM_SMART_##unit_,	\
		.flags = flags_, .names = names_, .help = help_,	\
		.metric = metric_, .metric_help = metric_help_,		\
	},
	PM_SMART_FIELDS(PM_SMART_ROW)
#undef PM_SMART_ROW
};

void pm_smart_get(const struct pm_health *h, const struct pm_smart_field *field,
		  struct pm_smart_value *v)
{
	const void *f = (const char *)h + field->offset;

	memset(v, 0, sizeof(*v));
	switch (field->type) {
	case PM_SMART_NAME:
		v->name = *(const char *const *)f;
		v->valid = v->name != NULL;
		break;
	case PM_SMART_TEMP:
		v->valid = ((const struct pm_health_temp *)f)->valid;
		v->number = ((const struct pm_health_temp *)f)->celsius;
		break;
	case PM_SMART_UINT:
		v->valid = ((const struct pm_health_uint *)f)->valid;
		v->number = ((const struct pm_health_uint *)f)->value;
		break;
	case PM_SMART_BOOL:
		v->valid = ((const struct pm_health_bool *)f)->valid;
		v->number = ((const struct pm_health_bool *)f)->value;
		break;
	}
}

/*
 * The SMART fields as a report records them, one "key value" line each
 * (the member's name as key), names first: the ioctl cannot be replayed,
 * so the bundle carries what it answered.
 */
int pm_health_format(const struct pm_health *h, char *buf, size_t len)
{
	size_t used = 0;
	int n;

#define PUT(...) do { \
		n = snprintf(buf + used, len - used, __VA_ARGS__); \
		if (n < 0 || (size_t)n >= len - used) \
			return -ENOSPC; \
		used += n; \
	} while (0)
	PUT("error %d\n", h->error);
	for (int names = 1; names >= 0; names--) {
		for (size_t i = 0; i < PM_HEALTH_NR_FIELDS; i++) {
			const struct pm_smart_field *field = &pm_smart_fields[i];
			struct pm_smart_value v;

			if ((field->type == PM_SMART_NAME) != names)
				continue;
			pm_smart_get(h, field, &v);
			if (!v.valid)
				continue;
			if (field->type == PM_SMART_NAME)
				PUT("%s %s\n", field->member, v.name);
			else if (field->type == PM_SMART_TEMP)
				PUT("%s %.4f\n", field->member, v.number);
			else
				PUT("%s %u\n", field->member, (unsigned int)v.number);
		}
	}
#undef PUT
	return (int)used;
}

/* A recorded name, as one of ours: the struct points at constant strings. */
static const char *known_name(const char *const *names, const char *value)
{
	for (; *names; names++)
		if (strcmp(*names, value) == 0)
			return *names;
	return NULL;
}

/* Unknown keys and malformed lines are skipped: a newer bundle still reads. */
static void parse_line(const char *key, const char *value, void *data)
{
	struct pm_health *h = data;
	char *end;

	if (strcmp(key, "error") == 0) {
		h->error = (int)strtol(value, NULL, 10);
		return;
	}
	for (size_t i = 0; i < PM_HEALTH_NR_FIELDS; i++) {
		const struct pm_smart_field *field = &pm_smart_fields[i];
		void *f = (char *)h + field->offset;
		double d;
		unsigned long u;

		if (strcmp(key, field->member))
			continue;
		errno = 0;
		switch (field->type) {
		case PM_SMART_NAME:
			*(const char **)f = known_name(field->names, value);
			break;
		case PM_SMART_TEMP:
			d = strtod(value, &end);
			if (end != value && !errno) {
				((struct pm_health_temp *)f)->valid = true;
				((struct pm_health_temp *)f)->celsius = d;
			}
			break;
		case PM_SMART_UINT:
		case PM_SMART_BOOL:
			u = strtoul(value, &end, 10);
			if (end == value || errno || u > UINT32_MAX ||
			    (field->type == PM_SMART_BOOL && u > 1))
				break;
			if (field->type == PM_SMART_UINT) {
				((struct pm_health_uint *)f)->valid = true;
				((struct pm_health_uint *)f)->value = u;
			} else {
				((struct pm_health_bool *)f)->valid = true;
				((struct pm_health_bool *)f)->value = u;
			}
			break;
		}
		return;
	}
}

void pm_health_parse(const char *text, struct pm_health *h)
{
	h->error = -ENODATA;
	pm_record_foreach(text, parse_line, h);
}

/* What the bundle recorded for the DIMM; -ENODATA when it holds nothing. */
static int replay_smart(const char *dev, struct pm_health *h)
{
	char text[4096];

	if (pm_bundle_read_record(PM_REPORT_HEALTH_DIR, dev, text, sizeof(text)) < 0)
		return -ENODATA;
	pm_health_parse(text, h);
	return h->error;
}

static int read_smart(const struct pm_dimm *dimm, struct pm_health *h)
{
	struct ndctl_dimm *nddimm = dimm->nddimm;
	struct ndctl_cmd *cmd;
	unsigned int flags;
	int rc;

	/* The replaying host's DIMMs would be wrong: the bundle's answer. */
	if (pm_host_replay_root())
		return replay_smart(dimm->dev, h);
	if (!nddimm)
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

int pm_dimm_health_read(const struct pm_dimm *dimm, struct pm_health *out)
{
	uint64_t count;

	memset(out, 0, sizeof(*out));
	out->error = read_smart(dimm, out);
	out->dirty_shutdown = -1;
	if (sysfs_read_u64(&count, SYSFS_ND "/%s/nfit/dirty_shutdown",
			   dimm->dev) == 0)
		out->dirty_shutdown = (int64_t)count;
	return out->error;
}

const struct pm_health *pm_dimm_health(const struct pm_dimm *dimm)
{
	static const struct pm_health no_memory = { .error = -ENOMEM,
						    .dirty_shutdown = -1 };
	/* The snapshot's cache: the model is otherwise read-only here. */
	struct pm_dimm *cache = (struct pm_dimm *)dimm;
	struct pm_health *h;

	if (dimm->health)
		return dimm->health;
	h = malloc(sizeof(*h));
	if (!h)
		return &no_memory;
	pm_dimm_health_read(dimm, h);
	cache->health = h;
	return h;
}

const char *pm_health_reason(const struct pm_health *health)
{
	switch (health->error) {
	case 0:
		return NULL;
	case -EOPNOTSUPP:
		return "the DIMM implements no SMART health command (QEMU NVDIMMs and CXL DIMMs answer label commands only)";
	case -EACCES:
	case -EPERM:
		return "SMART needs root: the command goes through /dev/nmemN, which only root may open";
	case -ENODATA:
		return pm_host_replay_root() ?
		       "the bundle holds no SMART answer for this DIMM (written before reports recorded them)" :
		       "libndctl has no handle on this DIMM";
	default:
		return strerror(-health->error);
	}
}

bool pm_health_denied(const struct pm_health *health)
{
	return health->error == -EACCES || health->error == -EPERM;
}
