/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Events: DIMM health (which DIMMs raise them, what changed) and CXL
 * event records (lib/cxl-events.h), waited for in one poll().
 */
#ifndef PMEMCTL_MONITOR_H
#define PMEMCTL_MONITOR_H

#include <stdbool.h>
#include <stddef.h>

#include "cxl-events.h"
#include "health.h"

struct pm_dimm;
struct pollfd;
struct timespec;

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
	struct pm_cxl_watch *cxl;	/* NULL: no CXL records watched */
	const char **memdevs;		/* the memdevs whose records count; NULL: all */
	size_t nr_memdevs;
	bool cxl_ready;			/* the trace pipe may hold more records */
	/* one per DIMM, the trace pipe (or -1), then the caller's stop fd */
	struct pollfd *fds;
	size_t next;			/* the next DIMM whose readiness to handle */
	bool scanning;			/* fds[] holds a poll's result not yet handled */
};

enum pm_monitor_event_type {
	PM_EVENT_HEALTH,		/* dimm, previous, current, change */
	PM_EVENT_CXL,			/* cxl */
};

struct pm_monitor_event {
	enum pm_monitor_event_type type;
	struct pm_cxl_event cxl;
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
 * Adds the CXL event records of the memdevs named (all when names is
 * NULL) through lib/cxl-events.c's tracing instance; its errors.
 */
int pm_monitor_watch_cxl(struct pm_monitor *m, const char *const *names,
			 size_t nr);
/*
 * Sleeps in poll() until an event, until stop_fd is readable (a signalfd)
 * or until deadline (CLOCK_MONOTONIC; NULL: none). 1: *ev holds the event
 * (a DIMM's SMART read again, or a CXL record); 0: stop_fd is readable;
 * -ETIMEDOUT: the deadline passed; -errno.
 */
int pm_monitor_wait(struct pm_monitor *m, int stop_fd,
		    const struct timespec *deadline,
		    struct pm_monitor_event *ev);
/* Closes everything; the CXL tracing instance is removed. */
void pm_monitor_close(struct pm_monitor *m);

#endif
