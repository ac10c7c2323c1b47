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
};

/* probe-columns.c: one row per measured combination. */
extern const struct out_spec probe_spec;

/* probe-print.c */
#define PROBE_CSV_HEADER "method,size,pattern,sample,offset,ticks,ns\n"
void probe_write_csv(struct probe_state *s, const struct pm_probe_result *r);
int probe_print_json(const struct out_selection *sel,
		     const struct out_node *root,
		     const struct probe_report *rep);
void probe_print_human(const struct out_opts *opts,
		       const struct out_selection *sel,
		       const struct out_node *root,
		       const struct probe_report *rep);

#endif
