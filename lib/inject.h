/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Drills: media errors and SMART health injected through the platform. */
#ifndef PMEMCTL_INJECT_H
#define PMEMCTL_INJECT_H

#include <stdbool.h>
#include <stdint.h>

#include "convert.h"

struct pm_dimm;

/* inject-error: what to inject, uninject or report, and where. */
struct pm_inject_request {
	/*
	 * Bytes from the namespace's first data byte (its block device's
	 * sector 0: after an fsdax or devdax info block), multiples of 512:
	 * the unit of the platform's list and of ndctl inject-error's blocks.
	 */
	uint64_t offset, length;
	const char *file;		/* instead: the sector under file_offset */
	uint64_t file_offset;
	bool uninject;			/* take the ranges off the injection list */
	bool status;			/* only report what is injected */
	bool notify;			/* the platform tells the OS (a scrub follows) */
	bool force;			/* a namespace in use, without --file */
	bool dry_run;
};

/*
 * Injects (or uninjects) req's range into ns through the bus's ACPI
 * error-injection commands, or with req->status reads the injected ranges
 * (res->noop, res->ranges). res->ranges holds the ranges concerned, in
 * 512-byte sectors from the data start (the caller frees them). -EINVAL:
 * a range outside the namespace, a file not on it; -EOPNOTSUPP: no
 * injection here (res->message says why); -EBUSY: ns in use and neither
 * req->file nor req->force.
 */
int pm_inject_error(struct pm_platform *pf, struct pm_namespace *ns,
		    const struct pm_inject_request *req,
		    struct pm_change_result *res);

/* The SMART health fields a platform may inject, after ndctl inject-smart. */
enum pm_smart_field {
	PM_SMART_MEDIA_TEMPERATURE,
	PM_SMART_CTRL_TEMPERATURE,
	PM_SMART_SPARES,
	PM_SMART_FATAL,
	PM_SMART_UNSAFE_SHUTDOWN,
	PM_SMART_NR_FIELDS,
};

struct pm_smart_request {
	unsigned int inject;		/* 1 << enum pm_smart_field */
	unsigned int uninject;
	double media_temperature;	/* Celsius */
	double ctrl_temperature;
	unsigned int spares;		/* percent */
	bool all;			/* uninject every field the DIMM injects */
	bool dry_run;
};

/* The field's name in messages and options: "media-temperature". */
const char *pm_smart_field_name(enum pm_smart_field f);

/*
 * Sends each field of req to dimm's SMART injection command, in field
 * order (temperatures in 1/16 C); stops at the first failure (what was sent stays: a drill's state
 * is undone with the fields' uninject). -EOPNOTSUPP with the reason in
 * res->message when the DIMM cannot inject a field asked.
 */
int pm_inject_smart(struct pm_dimm *dimm, const struct pm_smart_request *asked_req,
		    struct pm_change_result *res);

#endif
