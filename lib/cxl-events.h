/* SPDX-License-Identifier: GPL-2.0-or-later */
/* CXL event records as the kernel traces them, for monitor. */
#ifndef PMEMCTL_CXL_EVENTS_H
#define PMEMCTL_CXL_EVENTS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The trace events monitor reports (drivers/cxl/core/trace.h): cxl_pci
 * traces a record of the first three when it drains a device's event log
 * after its interrupt (Linux 6.3 and later); cxl_poison is a poison list
 * record (read when someone triggers the list) or an injection or clear
 * through debugfs (6.8 and later).
 */
enum pm_cxl_event_kind {
	PM_CXL_GENERAL_MEDIA,
	PM_CXL_DRAM,
	PM_CXL_MEMORY_MODULE,
	PM_CXL_POISON,
	PM_CXL_NR_EVENTS,
};

/* "general_media", "dram", "memory_module", "poison" */
extern const char *const pm_cxl_event_names[PM_CXL_NR_EVENTS];

/* Which location fields of a general media or DRAM record are valid. */
enum pm_cxl_valid {
	PM_CXL_VALID_CHANNEL = 1 << 0,
	PM_CXL_VALID_RANK = 1 << 1,
	PM_CXL_VALID_DEVICE = 1 << 2,
	PM_CXL_VALID_NIBBLE = 1 << 3,
	PM_CXL_VALID_BANK_GROUP = 1 << 4,
	PM_CXL_VALID_BANK = 1 << 5,
	PM_CXL_VALID_ROW = 1 << 6,
	PM_CXL_VALID_COLUMN = 1 << 7,
};

/*
 * One record. The flag lists are the kernel's words joined by "|" (spaces
 * around the bar removed); they and the names are bytes of the trace,
 * unescaped: printers escape them.
 */
struct pm_cxl_event {
	enum pm_cxl_event_kind kind;
	char memdev[32];
	uint64_t serial;
	char log[16];			/* Informational, Warning, Failure, Fatal; "" for poison */
	char flags[128];		/* the record's: PERMANENT_CONDITION|MAINTENANCE_NEEDED */
	/* general media, DRAM and poison */
	uint64_t dpa;
	uint64_t hpa;			/* UINT64_MAX: not mapped into a region */
	char region[32];		/* "" when not mapped */
	/* general media and DRAM */
	char dpa_flags[64];		/* VOLATILE|NOT_REPAIRABLE */
	char descriptor[96];		/* UNCORRECTABLE_EVENT|THRESHOLD_EVENT */
	char type[48];			/* ECC Error */
	char transaction_type[48];	/* Host Read */
	unsigned int valid;		/* enum pm_cxl_valid */
	uint32_t channel, rank, device, nibble_mask, bank_group, bank, row, column;
	/* memory module: a copy of the device's health at the event */
	char event_type[48];		/* Health Status Change */
	char health_status[96];		/* MAINTENANCE_NEEDED|PERFORMANCE_DEGRADED|REPLACEMENT_NEEDED */
	char media_status[64];		/* Normal */
	uint32_t life_used;		/* percent */
	int32_t temperature;		/* Celsius */
	uint32_t dirty_shutdowns, corrected_volatile, corrected_persistent;
	/* poison */
	char trace_type[16];		/* List, Inject, Clear */
	uint64_t length;		/* bytes */
	char source[16];		/* Unknown, External, Internal, Injected, Vendor */
	char poison_flags[32];		/* More|Overflow|Scanning */
};

/*
 * One line of the instance's trace_pipe, printed without context (the
 * line starts with the event's name): true and *ev filled for a record of
 * the four events, false for anything else. Pure (tests/unit/test-cxl-events.c).
 */
bool pm_cxl_event_parse(const char *line, struct pm_cxl_event *ev);

/* The events of a tracing instance of our own, read as they come. */
struct pm_cxl_watch {
	char instance[PATH_MAX];	/* "" when none is made */
	int fd;				/* its trace_pipe, non-blocking; -1 */
	char buf[8192];			/* a line read in part */
	size_t len;
	bool skipping;			/* the rest of a line longer than buf */
	unsigned int events;		/* bit per kind enabled */
};

/*
 * Makes the instance (tracefs instances/pmemctl-monitor-PID), enables the
 * events this kernel has and opens its trace_pipe. -ENOENT: tracefs is not
 * mounted; -EOPNOTSUPP: the kernel has no CXL event records; -EACCES and
 * -EPERM: not root. Nothing is left behind on failure.
 */
int pm_cxl_watch_open(struct pm_cxl_watch *w);
/*
 * The next record read from the pipe, without waiting: 1 and *ev; 0 when
 * none is ready (poll w->fd for POLLIN); -errno.
 */
int pm_cxl_watch_next(struct pm_cxl_watch *w, struct pm_cxl_event *ev);
/* Disables the events and removes the instance. */
void pm_cxl_watch_close(struct pm_cxl_watch *w);

#endif
