/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Deep flush: through the region's sysfs attribute or the block layer. */
#ifndef PMEMCTL_FLUSH_H
#define PMEMCTL_FLUSH_H

#include "pmem.h"

enum pm_flush_method {
	PM_METHOD_AUTO,			/* the path that works for the target */
	PM_METHOD_SYSFS,		/* write 1 to the region's deep_flush */
	PM_METHOD_FSYNC,		/* fsync the block device: REQ_PREFLUSH */
};

/* Distinct outcomes: a flush either happens or says exactly why not. */
enum pm_flush_outcome {
	PM_OUTCOME_FLUSHED,
	PM_OUTCOME_DRY_RUN,		/* would flush; nothing done */
	PM_OUTCOME_NOT_NEEDED,		/* the platform declares no flush needed */
	PM_OUTCOME_NOT_PERMITTED,	/* a path exists, the caller lacks rights */
	PM_OUTCOME_NOT_SUPPORTED,	/* no path exists for this target */
	PM_OUTCOME_FAILED,		/* the kernel returned an error */
};

struct pm_flush_result {
	enum pm_flush_method method;	/* the one used, or AUTO for none */
	enum pm_flush_outcome outcome;
	int err;			/* errno for failures, else 0 */
	bool timed;			/* latency_ns was measured */
	uint64_t latency_ns;		/* of the write or the fsync alone */
	char device[128];		/* the attribute or device node used */
	char message[320];		/* one sentence: what happened, or why not */
	char warning[256];		/* DIMM health that puts the flush in doubt */
};

void pm_deep_flush(const struct pm_target *t, enum pm_flush_method method,
		   bool dry_run, struct pm_flush_result *r);

const char *pm_flush_method_name(enum pm_flush_method method);
int pm_flush_method_parse(const char *name, enum pm_flush_method *method);
const char *pm_flush_outcome_name(enum pm_flush_outcome outcome);

#endif
