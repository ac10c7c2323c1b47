// SPDX-License-Identifier: GPL-2.0-or-later
/* DIMM firmware inventory: versions through libndctl, activation from sysfs. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ndctl/libndctl.h>

#include "firmware.h"
#include "host.h"
#include "pmem.h"

const char *const pm_fw_dimm_state_names[] = { "idle", "armed", "busy", NULL };

const struct pm_fw_field_desc pm_fw_fields[PM_FW_NR_FIELDS] = {
#define PM_FW_ROW(id_, member_, column_, key_, type_, help_)		\
	[PM_FW_##id_] = { .id = #id_, .member = #member_,		\
			  .column = column_, .key = key_,		\
			  .offset = offsetof(struct pm_firmware, member_), \
			  .type = PM_FW_##type_, .help = help_ },
	PM_FW_FIELDS(PM_FW_ROW)
#undef PM_FW_ROW
};

static const char *dimm_state_name(enum ndctl_fwa_state state)
{
	switch (state) {
	case NDCTL_FWA_IDLE:
		return "idle";
	case NDCTL_FWA_ARMED:
		return "armed";
	case NDCTL_FWA_BUSY:
		return "busy";
	default:
		return NULL;
	}
}

/*
 * What ndctl's util_dimm_firmware_to_json() reads, with its rules: the
 * staged image's state and whether it needs a power cycle only when one
 * is staged; an activation result that is missing or failed leaves a
 * power cycle as the only way.
 */
static int read_live(struct ndctl_dimm *nddimm, struct pm_firmware *fw)
{
	struct ndctl_cmd *cmd = ndctl_dimm_cmd_new_fw_get_info(nddimm);
	unsigned long long run, next;
	enum ndctl_fwa_result result;
	int rc;

	if (!cmd)
		return -EOPNOTSUPP;
	rc = ndctl_cmd_submit(cmd);
	if (rc < 0 || ndctl_cmd_fw_xlat_firmware_status(cmd) != FW_SUCCESS) {
		ndctl_cmd_unref(cmd);
		return rc < 0 ? rc : -EIO;
	}
	run = ndctl_cmd_fw_info_get_run_version(cmd);
	next = ndctl_cmd_fw_info_get_updated_version(cmd);
	ndctl_cmd_unref(cmd);
	if (run == ULLONG_MAX)
		return 0;
	fw->current_version = (struct pm_fw_version){ true, run };
	fw->can_update = (struct pm_fw_bool){ true,
		ndctl_dimm_fw_update_supported(nddimm) == 0 };
	if (next == ULLONG_MAX || !next)
		return 0;
	fw->next_version = (struct pm_fw_version){ true, next };
	fw->activate_state = dimm_state_name(ndctl_dimm_get_fw_activate_state(nddimm));
	result = ndctl_dimm_get_fw_activate_result(nddimm);
	fw->need_powercycle.valid = true;
	fw->need_powercycle.value = !(result == NDCTL_FWA_RESULT_NONE ||
				      result == NDCTL_FWA_RESULT_SUCCESS ||
				      result == NDCTL_FWA_RESULT_NOTSTAGED);
	return 0;
}

int pm_firmware_format(const struct pm_firmware *fw, char *buf, size_t len)
{
	size_t used = 0;
	int n;

#define PUT(...) do { \
		n = snprintf(buf + used, len - used, __VA_ARGS__); \
		if (n < 0 || (size_t)n >= len - used) \
			return -ENOSPC; \
		used += n; \
	} while (0)
	PUT("error %d\n", fw->error);
	for (size_t i = 0; i < PM_FW_NR_FIELDS; i++) {
		const struct pm_fw_field_desc *d = &pm_fw_fields[i];
		const void *f = (const char *)fw + d->offset;
		const struct pm_fw_version *v = f;
		const struct pm_fw_bool *b = f;
		const char *name = *(const char *const *)f;

		if (d->type == PM_FW_VERSION && v->valid)
			PUT("%s %llu\n", d->member, (unsigned long long)v->value);
		else if (d->type == PM_FW_BOOL && b->valid)
			PUT("%s %d\n", d->member, b->value);
		else if (d->type == PM_FW_NAME && name)
			PUT("%s %s\n", d->member, name);
	}
#undef PUT
	return (int)used;
}

/* Unknown keys and malformed values are skipped: a newer bundle still reads. */
static void parse_line(const char *key, const char *value, void *data)
{
	struct pm_firmware *fw = data;
	unsigned long long u;
	char *end;

	if (strcmp(key, "error") == 0) {
		long e;

		errno = 0;
		e = strtol(value, &end, 10);
		/* An errno is negative or 0; anything else is damage. */
		if (end != value && !*end && !errno && e <= 0 && e > -4096)
			fw->error = (int)e;
		return;
	}
	for (size_t i = 0; i < PM_FW_NR_FIELDS; i++) {
		const struct pm_fw_field_desc *d = &pm_fw_fields[i];
		void *f = (char *)fw + d->offset;

		if (strcmp(key, d->member))
			continue;
		if (d->type == PM_FW_NAME) {
			for (const char *const *s = pm_fw_dimm_state_names; *s; s++)
				if (strcmp(*s, value) == 0)
					*(const char **)f = *s;
			return;
		}
		errno = 0;
		u = strtoull(value, &end, 10);
		if (end == value || *end || errno || value[0] == '-')
			return;
		if (d->type == PM_FW_VERSION) {
			*(struct pm_fw_version *)f = (struct pm_fw_version){ true, u };
		} else if (u <= 1) {
			*(struct pm_fw_bool *)f = (struct pm_fw_bool){ true, u };
		}
		return;
	}
}

void pm_firmware_parse(const char *text, struct pm_firmware *fw)
{
	memset(fw, 0, sizeof(*fw));
	fw->error = -ENODATA;
	pm_record_foreach(text, parse_line, fw);
}

/* What the bundle recorded for the DIMM; -ENODATA when it holds nothing. */
static int replay_firmware(const char *dev, struct pm_firmware *fw)
{
	char text[4096];

	if (pm_bundle_read_record(PM_REPORT_FIRMWARE_DIR, dev, text, sizeof(text)) < 0)
		return -ENODATA;
	pm_firmware_parse(text, fw);
	return fw->error;
}

int pm_dimm_firmware_read(const struct pm_dimm *dimm, struct pm_firmware *out)
{
	memset(out, 0, sizeof(*out));
	/* The replaying host's DIMMs would be wrong: the bundle's answer. */
	if (pm_host_replay_root())
		out->error = replay_firmware(dimm->dev, out);
	else if (!dimm->nddimm)
		out->error = -ENODATA;
	else
		out->error = read_live(dimm->nddimm, out);
	return out->error;
}

const struct pm_firmware *pm_dimm_firmware(const struct pm_dimm *dimm)
{
	static const struct pm_firmware no_memory = { .error = -ENOMEM };
	/* The snapshot's cache: the model is otherwise read-only here. */
	struct pm_dimm *cache = (struct pm_dimm *)dimm;
	struct pm_firmware *fw;

	if (dimm->firmware)
		return dimm->firmware;
	fw = malloc(sizeof(*fw));
	if (!fw)
		return &no_memory;
	pm_dimm_firmware_read(dimm, fw);
	cache->firmware = fw;
	return fw;
}

const char *pm_firmware_reason(const struct pm_firmware *fw)
{
	switch (fw->error) {
	case 0:
		return NULL;
	case -EOPNOTSUPP:
		return "the DIMM implements no firmware commands (QEMU NVDIMMs and CXL DIMMs answer label commands only)";
	case -EACCES:
	case -EPERM:
		return "firmware information needs root: the command goes through /dev/nmemN, which only root may open";
	case -ENODATA:
		return pm_host_replay_root() ?
		       "the bundle holds no firmware answer for this DIMM (written before reports recorded them)" :
		       "libndctl has no handle on this DIMM";
	case -EIO:
		return "the DIMM failed the Get Firmware Info command";
	default:
		return strerror(-fw->error);
	}
}

bool pm_firmware_denied(const struct pm_firmware *fw)
{
	return fw->error == -EACCES || fw->error == -EPERM;
}

bool pm_firmware_staged(const struct pm_firmware *fw)
{
	return !fw->error && fw->next_version.valid;
}

/* ndctl shows a bus's activation only when one of its DIMMs can update. */
static bool bus_can_update(const struct pm_bus *bus)
{
	struct ndctl_dimm *dimm;

	if (!bus->ndbus)
		return false;
	ndctl_dimm_foreach(bus->ndbus, dimm)
		if (ndctl_dimm_fw_update_supported(dimm) == 0)
			return true;
	return false;
}

const char *pm_bus_fw_activate_method(const struct pm_bus *bus)
{
	if (!bus_can_update(bus))
		return NULL;
	switch (ndctl_bus_get_fw_activate_method(bus->ndbus)) {
	case NDCTL_FWA_METHOD_RESET:
		return "reset";
	case NDCTL_FWA_METHOD_SUSPEND:
		return "suspend";
	case NDCTL_FWA_METHOD_LIVE:
		return "live";
	default:
		return NULL;
	}
}

const char *pm_bus_fw_activate_state(const struct pm_bus *bus)
{
	if (!bus_can_update(bus))
		return NULL;
	switch (ndctl_bus_get_fw_activate_state(bus->ndbus)) {
	case NDCTL_FWA_IDLE:
		return "idle";
	case NDCTL_FWA_ARMED:
		return "armed";
	case NDCTL_FWA_ARM_OVERFLOW:
		return "overflow";
	default:
		return NULL;
	}
}

const char *pm_bus_fw_activate_effect(const struct pm_bus *bus)
{
	const char *method = pm_bus_fw_activate_method(bus);

	if (!method)
		return "the bus cannot activate firmware: a power cycle runs the staged image";
	if (strcmp(method, "live") == 0)
		return "a live activation: the kernel quiesces device I/O for a moment, the system keeps running";
	if (strcmp(method, "suspend") == 0)
		return "a quiesce: the kernel freezes every process and quiesces every device (the hibernation path, no image written) while the platform activates, then thaws them";
	return "the platform activates only at a reset: a reboot or power cycle runs the staged image";
}
