/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A change's steps and its result: what every changing verb (convert,
 * create-namespace, destroy-namespace, clear-errors, create-region,
 * destroy-region) plans, runs, undoes and reports.
 */
#ifndef PMEMCTL_LIB_CHANGE_H
#define PMEMCTL_LIB_CHANGE_H

#include <stdbool.h>
#include <stddef.h>

#include "convert.h"

struct pm_clear_range;
struct pm_region_change;
struct pm_labels_change;
struct pm_fw_change;

enum pm_step_status {
	PM_STEP_PLANNED,		/* --dry-run: would be done */
	PM_STEP_DONE,
	PM_STEP_FAILED,
	PM_STEP_UNDONE,			/* rolled back after a later failure */
};

/* What carrying a step out does; the plan decides, the run acts. */
enum pm_step_action {
	PM_ACT_CHECK,			/* the plan's own decisions */
	PM_ACT_LOAD_MODULE,
	PM_ACT_DISABLE,
	PM_ACT_CLEAR_INFO_BLOCK,
	PM_ACT_SET_CLAIM_CLASS,
	PM_ACT_CONFIGURE_NAMESPACE,	/* create: uuid, name, size */
	PM_ACT_CONFIGURE_CLAIM,		/* the pfn, dax or btt seed of to.mode */
	PM_ACT_ENABLE,			/* the claim, or the namespace raw */
	PM_ACT_VERIFY,
	PM_ACT_DELETE,			/* the namespace label */
	PM_ACT_ROLLBACK,
	PM_ACT_WRITE_ZEROS,		/* clear-errors: through the block device */
	PM_ACT_CLEAR_ERROR,		/* clear-errors: the bus's clear command */
	PM_ACT_INJECT,			/* inject-error, inject-smart: the platform's command */
	/* system-ram (lib/convert-sysram.c) */
	PM_ACT_LOAD_KMEM,		/* the kmem module */
	PM_ACT_BIND_KMEM,		/* the dax device from device_dax to kmem */
	PM_ACT_ONLINE_MEMORY,		/* every block online, in the zone asked */
	PM_ACT_OFFLINE_MEMORY,		/* every block offline, or none */
	PM_ACT_UNBIND_KMEM,		/* the dax device back to device_dax */
	/* update-firmware (lib/firmware-update.c) */
	PM_ACT_STAGE_FIRMWARE,		/* the image sent, finished, queried */
	PM_ACT_ACTIVATE_FIRMWARE,	/* the bus activates what is armed */
};

struct pm_step {
	const char *name;		/* disable, clear-info-block, ... */
	enum pm_step_action action;
	enum pm_step_status status;
	int err;			/* -errno when it failed */
	char detail[192];
};

#define PM_MAX_STEPS 24

/* A change's outcome: its steps, the state before and after, its devices. */
struct pm_change_result {
	/* a namespace's configuration before and after (lib/convert.h) */
	struct pm_ns_config from, to;
	bool changed;
	bool noop;			/* already as requested: nothing to do */
	bool rolled_back;		/* a step failed; the old state is back */
	int err;			/* 0, or the failed step's -errno */
	struct pm_step steps[PM_MAX_STEPS];
	size_t nr_steps;
	char blockdev[64];		/* the device after the change */
	char chardev[64];
	char message[256];
	/* clear-errors (lib/clear.h): the bad ranges; the caller frees them */
	struct pm_clear_range *ranges;
	size_t nr_ranges;
	bool no_config;			/* from and to do not apply: null */
	/* create-region, destroy-region (lib/cxl-region.h): the region */
	struct pm_region_change *region;
	char dimm[32];			/* inject-smart: the DIMM; "" for the others */
	/* init-labels, zero-labels, restore-labels (lib/labels-write.h) */
	struct pm_labels_change *labels;
	/* enable, disable (lib/enable.h): the objects named, NULL-terminated */
	const char *const *objects;
	/* update-firmware (lib/firmware.h): the DIMMs and which were updated */
	struct pm_fw_change *firmware;
};

/* Appends a step, planned; past PM_MAX_STEPS it goes nowhere. */
struct pm_step *pm_step_add(struct pm_change_result *res,
			    enum pm_step_action action, const char *name,
			    const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Marks a step done, or failed with rc; returns rc (< 0) or 0. */
int pm_step_close(struct pm_step *s, int rc);
/*
 * pm_step_close() for a step that acted on the platform: the tests make
 * the one named in PMEMCTL_TEST_FAIL_STEP fail with EIO after it ran, to
 * reach every rollback path.
 */
int pm_step_finish(struct pm_step *s, int rc);
/*
 * A check that refuses the change: the message (res->message, and the
 * step's detail) and rc, the check closed failed; returns rc.
 */
int pm_step_refuse(struct pm_change_result *res, struct pm_step *check, int rc,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* planned, done, failed, undone: as the report names them. */
const char *pm_step_status_name(enum pm_step_status status);

#endif
