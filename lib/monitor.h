/* SPDX-License-Identifier: GPL-2.0-or-later */
/* DIMM health events: which DIMMs raise them, waiting for one, what changed. */
#ifndef PMEMCTL_MONITOR_H
#define PMEMCTL_MONITOR_H

#include <stdbool.h>
#include <stddef.h>

#include "health.h"

struct pm_dimm;
struct pollfd;

/* What differs between two reads of a DIMM's SMART. */
struct pm_health_change {
	/* a bit per enum pm_health_field: those with PM_SMART_EVENT */
	unsigned int fields;
	bool unsafe_shutdown;		/* shutdown_state became dirty, or the count rose */
};

/* Pure: compares two reads (a field that became unknown changed too). */
void pm_health_compare(const struct pm_health *old, const struct pm_health *now,
		       struct pm_health_change *out);

/*
 * Whether the DIMM raises SMART health events: SMART, and firmware that
 * notifies (nfit/flags has smart_notify). 0, or -EOPNOTSUPP with the
 * reason in *why. Sysfs and libndctl's command mask only: no root needed.
 */
int pm_dimm_events_supported(const struct pm_dimm *dimm, const char **why);

struct pm_monitor_dimm {
	const struct pm_dimm *dimm;
	int fd;				/* nmemN/nfit/flags: libndctl's, not closed here */
	struct pm_health last;		/* the values the next event compares with */
};

struct pm_monitor {
	struct pm_monitor_dimm *dimms;
	size_t nr;
	struct pollfd *fds;		/* one per DIMM, then the caller's stop fd */
	size_t next;			/* the next DIMM whose readiness to handle */
	bool scanning;			/* fds[] holds a poll's result not yet handled */
};

struct pm_monitor_event {
	const struct pm_dimm *dimm;
	struct pm_health previous;
	struct pm_health current;	/* current.error: the re-read failed */
	struct pm_health_change change;
};

/*
 * Arms each DIMM's event file, then reads its SMART: the values the first
 * event compares with. -EACCES or -EPERM: SMART needs root; *failed names
 * the DIMM whose read failed.
 */
int pm_monitor_open(struct pm_monitor *m, struct pm_dimm *const *dimms,
		    size_t nr, const struct pm_dimm **failed);
/*
 * Sleeps in poll() until a DIMM's event or until stop_fd is readable (a
 * signalfd), with no timeout. 1: *ev holds the event (SMART read again);
 * 0: stop_fd is readable; -errno.
 */
int pm_monitor_wait(struct pm_monitor *m, int stop_fd,
		    struct pm_monitor_event *ev);
void pm_monitor_close(struct pm_monitor *m);

#endif
