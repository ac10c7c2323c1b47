/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What pmemctl monitor's files share: an event's row and its kinds. */
#ifndef PMEMCTL_CLI_MONITOR_H
#define PMEMCTL_CLI_MONITOR_H

#include <stddef.h>

#include "output.h"
#include "../lib/monitor.h"

/*
 * Each event is one document of kind "event"; "health" and "previous" (a
 * DIMM's) share their keys, and a CXL record is one object of its kind.
 */
enum {
	EV_EVENT, EV_HEALTH, EV_PREVIOUS,
	EV_GENERAL_MEDIA, EV_DRAM, EV_MEMORY_MODULE, EV_POISON,
	EV_NR_KINDS
};

/* A flag list of a CXL record split into words, for OUT_STRV. */
struct monitor_words {
	char buf[160];
	const char *v[16];		/* NULL-terminated */
};

struct event_row {
	char timestamp[40];
	const struct pm_monitor_event *ev;
	const char *changes[PM_HEALTH_NR_FIELDS + 1];	/* NULL-terminated */
	char error[128];
	struct monitor_words flags, dpa_flags, descriptor, health_status,
			     poison_flags;
};

#define ROW(obj) ((const struct event_row *)(obj)->ptr)

/* cli/monitor-cxl.c: the columns of the four CXL kinds, in key order. */
extern const struct out_column monitor_cxl_columns[];
extern const size_t monitor_cxl_nr_columns;
/* The row's word lists from its CXL record. */
void monitor_cxl_fill(struct event_row *row);
/* One line for the journal (every string escaped). */
void monitor_cxl_print(const struct event_row *row);

#endif
