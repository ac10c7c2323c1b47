/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What pmemctl probe's files share: the rows measured, columns, printers. */
#ifndef PMEMCTL_PROBE_CLI_H
#define PMEMCTL_PROBE_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "output.h"
#include "../lib/probe.h"

/* The kinds of object in probe's output; the results are the table's. */
enum probe_kind {
	PROBE_RESULT,			/* one method x size x pattern */
	PROBE_DOCUMENT,			/* the JSON document */
	PROBE_TARGET,
	PROBE_CPU,
	PROBE_TIMER,
	PROBE_RUN,
	PROBE_SKIPPED,
	PROBE_NR_KINDS,
};

/* A method asked for by default that cannot run here. */
struct probe_skipped {
	enum pm_probe_method method;
	char reason[400];
};

/* The run as it goes: a row per combination, the CSV of every sample. */
struct probe_state {
	struct pm_probe_figures *rows;
	size_t nr_rows;
	size_t alloc;
	FILE *csv;
	bool csv_failed;
	bool histogram;
	bool progress;
	double clock_overhead_ns;
};

/* Everything the printers show. */
struct probe_report {
	const struct probe_state *s;
	const struct pm_probe_target *t;
	const struct pm_cpu_features *cpu;
	const struct pm_probe_timer *tm;
	const struct probe_skipped *skipped;
	size_t nr_skipped;
	const struct pm_probe_finding *findings;
	size_t nr_findings;
	unsigned long long iterations;	/* per combination */
	uint64_t duration_ns;		/* the time limit; 0: none */
	uint64_t elapsed_ns;
	bool interrupted;
	const char *features[8];	/* what cpuid reports, NULL-ended */
	const char *notes[PM_PROBE_MAX_FINDINGS + 1]; /* the findings' text */
};

/*
 * probe-columns.c: the table's columns (the results), and the same with
 * every key of the JSON document after them.
 */
extern const struct out_spec probe_spec;
extern const struct out_spec probe_document_spec;
void probe_report_lists(struct probe_report *rep);

/* probe-print.c */
#define PROBE_CSV_HEADER "method,size,pattern,sample,offset,ticks,ns\n"
void probe_write_csv(struct probe_state *s, const struct pm_probe_result *r);
/* Each returns 0 or -ENOMEM. */
int probe_print_json(const struct out_selection *sel,
		     const struct probe_report *rep);
int probe_print_human(const struct out_opts *opts,
		      const struct out_selection *sel,
		      const struct probe_report *rep);

#endif
