// SPDX-License-Identifier: GPL-2.0-or-later
/* pmemctl probe's result columns: one row per method x size x pattern. */
#include <math.h>

#include "probe-cli.h"
#include "../lib/compat.h"

#define ROW(obj) ((const struct pm_probe_figures *)(obj)->ptr)

static void get_method(const struct out_obj *obj, struct out_cell *cell)
{
	cell->str = pm_probe_method_name(ROW(obj)->method);
}

static void get_size(const struct out_obj *obj, struct out_cell *cell)
{
	cell->u = ROW(obj)->size;
}

static void get_pattern(const struct out_obj *obj, struct out_cell *cell)
{
	cell->str = pm_probe_pattern_name(ROW(obj)->pattern);
}

static void get_count(const struct out_obj *obj, struct out_cell *cell)
{
	cell->u = ROW(obj)->st.count;
}

/*
 * A latency in ns with one decimal (the TSC ticks in fractions of a ns),
 * always a float in JSON; null when too few samples were measured.
 */
static void ns_cell(struct out_cell *cell, const struct pm_probe_figures *row,
		    double v, size_t min_count)
{
	cell->null = row->st.count == 0 || row->st.count < min_count;
	cell->f = v;
	cell->decimals = 1;
}

#define STAT_GETTER(name, field, min_count)				\
static void get_##name(const struct out_obj *obj, struct out_cell *cell) \
{									\
	ns_cell(cell, ROW(obj), ROW(obj)->st.field, min_count);		\
}
STAT_GETTER(min, min, 1)
STAT_GETTER(p50, p50, 1)
STAT_GETTER(p90, p90, 10)
/* A p99 of fewer than 100 samples is the maximum under another name. */
STAT_GETTER(p99, p99, 100)
STAT_GETTER(p999, p999, 1000)
STAT_GETTER(max, max, 1)
STAT_GETTER(mean, mean, 1)
STAT_GETTER(stddev, stddev, 1)

static void get_batch_ops(const struct out_obj *obj, struct out_cell *cell)
{
	cell->u = ROW(obj)->batch_ops;
	cell->null = !ROW(obj)->batch_ops;
}

static void get_batch_ns(const struct out_obj *obj, struct out_cell *cell)
{
	const struct pm_probe_figures *row = ROW(obj);

	cell->null = !row->batch_ops;
	cell->f = row->batch_ops ? row->batch_ns / (double)row->batch_ops : 0;
	cell->decimals = 1;
}

static void get_gbps(const struct out_obj *obj, struct out_cell *cell)
{
	const struct pm_probe_figures *row = ROW(obj);

	/* Bytes per ns are GB/s (10^9 bytes per second). */
	cell->null = !row->batch_ops || row->batch_ns <= 0;
	cell->f = cell->null ? 0 :
		(double)row->batch_ops * row->size / row->batch_ns;
	/* Three significant digits: 7.554, 0.181, 0.000119. */
	cell->decimals = cell->f >= 1 || cell->f <= 0 ? 3 :
		2 - (int)floor(log10(cell->f));
	if (cell->decimals < 3)
		cell->decimals = 3;
}

static void get_timer(const struct out_obj *obj, struct out_cell *cell)
{
	cell->str = ROW(obj)->clock_timed ? "clock" : "tsc";
}

static void get_overhead(const struct out_obj *obj, struct out_cell *cell)
{
	cell->f = ROW(obj)->overhead_ns;
	cell->decimals = 1;
}

static void get_clamped(const struct out_obj *obj, struct out_cell *cell)
{
	cell->u = ROW(obj)->clamped;
}

static void get_migrations(const struct out_obj *obj, struct out_cell *cell)
{
	cell->u = ROW(obj)->migrations;
}

static void get_timer_bound(const struct out_obj *obj, struct out_cell *cell)
{
	cell->b = ROW(obj)->timer_bound;
	cell->null = ROW(obj)->st.count == 0;
}

static void get_error(const struct out_obj *obj, struct out_cell *cell)
{
	cell->str = ROW(obj)->error;
}

static void get_flags(const struct out_obj *obj, struct out_cell *cell)
{
	const struct pm_probe_figures *row = ROW(obj);

	cell->str = row->error ? "error" : row->timer_bound ? "timer-bound" : NULL;
}

static const struct out_column probe_columns[] = {
	{ "METHOD", "method", "what makes the store durable (see pmemctl-probe(1))",
	  OUT_STRING, 1, OUT_DEFAULT, get_method },
	{ "SIZE", "size", "bytes stored and flushed per op", OUT_SIZE, 1,
	  OUT_DEFAULT | OUT_RIGHT, get_size },
	{ "PATTERN", "pattern", "hot, sequential or random", OUT_STRING, 1,
	  OUT_DEFAULT, get_pattern },
	{ "COUNT", "count", "samples measured", OUT_UINT, 1,
	  OUT_DEFAULT | OUT_RIGHT, get_count },
	{ "MIN", "min_ns", "fastest op, ns", OUT_FLOAT, 1,
	  OUT_DEFAULT | OUT_RIGHT, get_min },
	{ "P50", "p50_ns", "median op, ns", OUT_FLOAT, 1,
	  OUT_DEFAULT | OUT_RIGHT, get_p50 },
	{ "P90", "p90_ns", "90th percentile, ns (null below 10 samples)",
	  OUT_FLOAT, 1, OUT_DEFAULT | OUT_RIGHT, get_p90 },
	{ "P99", "p99_ns", "99th percentile, ns (null below 100 samples)",
	  OUT_FLOAT, 1, OUT_DEFAULT | OUT_RIGHT, get_p99 },
	{ "P99.9", "p99_9_ns", "99.9th percentile, ns (null below 1000 samples)",
	  OUT_FLOAT, 1, OUT_DEFAULT | OUT_RIGHT, get_p999 },
	{ "MAX", "max_ns", "slowest op, ns", OUT_FLOAT, 1,
	  OUT_DEFAULT | OUT_RIGHT, get_max },
	{ "MEAN", "mean_ns", "mean, ns", OUT_FLOAT, 1, OUT_DEFAULT | OUT_RIGHT,
	  get_mean },
	{ "STDDEV", "stddev_ns", "standard deviation, ns", OUT_FLOAT, 1,
	  OUT_DEFAULT | OUT_RIGHT, get_stddev },
	{ "BATCH", "batch_ns_per_op", "ns per op when issued back to back",
	  OUT_FLOAT, 1, OUT_DEFAULT | OUT_RIGHT, get_batch_ns },
	{ "GB/S", "batch_gbps", "bytes per ns of the batched run (GB/s)",
	  OUT_FLOAT, 1, OUT_DEFAULT | OUT_RIGHT, get_gbps },
	{ "BATCH_OPS", "batch_ops", "ops in the batched run", OUT_UINT, 1,
	  OUT_RIGHT, get_batch_ops },
	{ "TIMER", "timer", "tsc (rdtscp bracket) or clock (CLOCK_MONOTONIC)",
	  OUT_STRING, 1, 0, get_timer },
	{ "OVERHEAD", "overhead_ns", "timer overhead: subtracted (tsc) or not (clock)",
	  OUT_FLOAT, 1, OUT_RIGHT, get_overhead },
	{ "CLAMPED", "clamped", "samples below the overhead, counted as 0",
	  OUT_UINT, 1, OUT_RIGHT, get_clamped },
	{ "MIGRATIONS", "migrations", "samples dropped: taken on another CPU",
	  OUT_UINT, 1, OUT_RIGHT, get_migrations },
	{ "TIMER_BOUND", "timer_bound", "the timer overhead exceeds half of p50",
	  OUT_BOOL, 1, 0, get_timer_bound },
	{ "ERROR", "error", "why nothing was measured", OUT_STRING, 1, 0,
	  get_error },
	{ "FLAGS", NULL, "timer-bound or error", OUT_STRING, 1, OUT_DEFAULT,
	  get_flags },
};

static const char *const probe_keys[] = { "results" };
static const char *const probe_names[] = { "result" };

const struct out_spec probe_spec = {
	.columns = probe_columns,
	.nr_columns = ARRAY_SIZE(probe_columns),
	.kind_keys = probe_keys,
	.kind_names = probe_names,
	.nr_kinds = 1,
};
