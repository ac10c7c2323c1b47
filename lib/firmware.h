/* SPDX-License-Identifier: GPL-2.0-or-later */
/* DIMM firmware: versions, staging and activation through libndctl. */
#ifndef PMEMCTL_FIRMWARE_H
#define PMEMCTL_FIRMWARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pm_bus;
struct pm_dimm;
struct pm_platform;
struct pm_change_result;

/* A value the DIMM may not report: valid only when it did. */
struct pm_fw_version {
	bool valid;
	uint64_t value;
};

struct pm_fw_bool {
	bool valid;
	bool value;
};

/*
 * The firmware fields of a DIMM, one row each, in ndctl list -F's order:
 * the one place a field is described (as PM_SMART_FIELDS in health.h).
 * From the rows follow a report's record of the answer and its replay,
 * list's and show's columns and keys (cli/columns.c), and the metrics.
 *
 * X(ID, member, column, key, type, help)
 *   member	its member of struct pm_firmware, and its key in a report
 *   column	list's column (JSON-typed: versions as integers)
 *   key	the JSON key under "firmware" (ndctl's)
 *   type	VERSION, BOOL, NAME (one of pm_fw_dimm_state_names)
 */
#define PM_FW_FIELDS(X)							\
	X(CURRENT, current_version, "FW_CURRENT", "current_version",	\
	  VERSION, "the running firmware version (null: not reported)")	\
	X(CAN_UPDATE, can_update, "FW_CAN_UPDATE", "can_update", BOOL,	\
	  "an image can be staged (the DIMM and the kernel have the update commands)") \
	X(NEXT, next_version, "FW_NEXT", "next_version", VERSION,	\
	  "the staged version, run after activation or a power cycle (null: none staged)") \
	X(ACTIVATE_STATE, activate_state, "FW_STATE", "activate_state",	\
	  NAME, "a staged image: idle, armed (the next activation takes it), busy") \
	X(NEED_POWERCYCLE, need_powercycle, "FW_POWERCYCLE",		\
	  "need_powercycle", BOOL,					\
	  "a staged image: only a power cycle activates it (the last activation failed or the bus cannot)")

enum pm_fw_type {
	PM_FW_VERSION,			/* struct pm_fw_version */
	PM_FW_BOOL,			/* struct pm_fw_bool */
	PM_FW_NAME,			/* const char *: a state name, or NULL */
};

enum pm_fw_field {
#define PM_FW_ENUM(id, ...) PM_FW_##id,
	PM_FW_FIELDS(PM_FW_ENUM)
#undef PM_FW_ENUM
	PM_FW_NR_FIELDS,
};

struct pm_fw_field_desc {
	const char *id;
	const char *member;
	const char *column;
	const char *key;
	size_t offset;			/* its value in struct pm_firmware */
	enum pm_fw_type type;
	const char *help;
};

extern const struct pm_fw_field_desc pm_fw_fields[PM_FW_NR_FIELDS];
/* idle, armed, busy (NULL-terminated). */
extern const char *const pm_fw_dimm_state_names[];

struct pm_firmware {
	/*
	 * 0: Get Firmware Info answered; -EOPNOTSUPP: the DIMM has no
	 * firmware commands; -EACCES, -EPERM: root only; -ENODATA: no
	 * handle, or a bundle without the record; -EIO: the DIMM failed
	 * the command; other -errno.
	 */
	int error;
	struct pm_fw_version current_version;
	struct pm_fw_bool can_update;
	struct pm_fw_version next_version;
	const char *activate_state;	/* idle, armed, busy; NULL */
	struct pm_fw_bool need_powercycle;
};

/* Read on first use and kept in the snapshot (an ioctl). Never NULL. */
const struct pm_firmware *pm_dimm_firmware(const struct pm_dimm *dimm);
/* A fresh read, nothing cached (after a staging). Returns out->error. */
int pm_dimm_firmware_read(const struct pm_dimm *dimm, struct pm_firmware *out);
/* Why the firmware values are null, in words; NULL when they were read. */
const char *pm_firmware_reason(const struct pm_firmware *fw);
bool pm_firmware_denied(const struct pm_firmware *fw);
/* A staged image waits for activation (a next version is reported). */
bool pm_firmware_staged(const struct pm_firmware *fw);

/*
 * The answer as "key value" lines for a report, and back: the ioctl
 * cannot be replayed. The length written, or -ENOSPC.
 */
int pm_firmware_format(const struct pm_firmware *fw, char *buf, size_t len);
void pm_firmware_parse(const char *text, struct pm_firmware *fw);

/*
 * A bus's activation, as ndctl list -BF shows it: method reset, suspend
 * or live, and state idle, armed or overflow. NULL when no DIMM of the
 * bus can take an update (ndctl then prints no "firmware" object) or the
 * kernel does not say.
 */
const char *pm_bus_fw_activate_method(const struct pm_bus *bus);
const char *pm_bus_fw_activate_state(const struct pm_bus *bus);
/* What activating through the bus does to the running system, in words. */
const char *pm_bus_fw_activate_effect(const struct pm_bus *bus);

/* update-firmware: what is asked. */
struct pm_fw_request {
	const void *image;		/* the image, read whole */
	uint64_t image_size;
	bool dry_run;
	bool no_arm;			/* stage without arming for activation */
	bool wait_scrub;		/* wait for a running scrub instead of refusing */
};

/* Two steps each (stage, verify), a check and an activation: PM_MAX_STEPS. */
#define PM_FW_MAX_DIMMS 11
/* --wait-scrub: a long scrub of a large bus takes an hour at most. */
#define PM_FW_SCRUB_WAIT_MS (2 * 3600 * 1000UL)

/* What update-firmware did: the report's keys. */
struct pm_fw_change {
	const char *dimms[PM_FW_MAX_DIMMS + 1];	  /* named, NULL-terminated */
	const char *updated[PM_FW_MAX_DIMMS + 1]; /* staged and verified */
	const char *activation;		/* live, quiesce; NULL: not asked */
};

typedef void (*pm_fw_progress_fn)(const char *dimm, uint64_t sent,
				  uint64_t total, void *arg);

/*
 * Checks every DIMM first (update commands, not locked, no scrub on its
 * bus, the image fits), then stages the image on each in turn (get info,
 * start, send in chunks, finish, query), verifies the staged version
 * where the DIMM reports it and arms it; stops at the first failure,
 * aborting that DIMM's transfer. With dry_run, only the checks (those
 * that need root are skipped without it). progress (may be NULL) gets
 * the bytes sent. The steps and change->updated say what happened; 0 or
 * the failure's -errno, res->message in words.
 */
int pm_update_firmware(struct pm_dimm *const *dimms, size_t nr,
		       const struct pm_fw_request *req,
		       struct pm_fw_change *change, struct pm_change_result *res,
		       pm_fw_progress_fn progress, void *arg);

/*
 * Whether bus can activate what is staged: 0, or -EOPNOTSUPP with the
 * reason in why.
 */
int pm_bus_fw_can_activate(const struct pm_bus *bus, char *why, size_t len);
/* Activates through bus (live, or quiesced); a step in res; dry_run plans. */
int pm_activate_firmware(const struct pm_bus *bus, bool dry_run,
			 struct pm_fw_change *change, struct pm_change_result *res);

#endif
