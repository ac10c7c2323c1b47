// SPDX-License-Identifier: GPL-2.0-or-later
/* pmemctl probe's columns: every key of its output, the results' first. */
#include <math.h>

#include "probe-cli.h"
#include "../lib/compat.h"

#define ROW(obj) ((const struct pm_probe_figures *)(obj)->ptr)
#define REP(obj) ((const struct probe_report *)(obj)->ptr)
#define SKIPPED(obj) ((const struct probe_skipped *)(obj)->ptr)

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

/* floor(log10(f)) for 0 < f < 1, without libm. */
static int exponent(double f)
{
	int e = 0;

	while (f < 1 && e > -400) {
		f *= 10;
		e--;
	}
	return e;
}

static void get_gbps(const struct out_obj *obj, struct out_cell *cell)
{
	const struct pm_probe_figures *row = ROW(obj);

	/* Bytes per ns are GB/s (10^9 bytes per second). */
	cell->null = !row->batch_ops || row->batch_ns <= 0;
	cell->f = cell->null ? 0 :
		(double)row->batch_ops * row->size / row->batch_ns;
	/* Three significant digits: 7.554, 0.181, 0.000119. */
	cell->decimals = cell->f >= 1 || cell->f <= 0 ? 3 : 2 - exponent(cell->f);
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

/* ---------------------------------------------- the rest of the document */

static void get_notes(const struct out_obj *obj, struct out_cell *cell)
{
	cell->strv = REP(obj)->notes;
}

#define TARGET_STRING(name, expr)					\
static void get_target_##name(const struct out_obj *obj,		\
			      struct out_cell *cell)			\
{									\
	const struct pm_probe_target *t = REP(obj)->t;			\
									\
	cell->str = (expr);						\
}
TARGET_STRING(name, t->name)
TARGET_STRING(kind, pm_probe_kind_name(t->kind))
TARGET_STRING(path, t->path)
TARGET_STRING(device, t->device[0] ? t->device : NULL)
TARGET_STRING(filesystem, t->fs_type[0] ? t->fs_type : NULL)
TARGET_STRING(region, t->pmt.region ? t->pmt.region->dev : NULL)
TARGET_STRING(namespace, t->pmt.ns ? t->pmt.ns->dev : NULL)
TARGET_STRING(domain, t->pmt.region ? pm_domain_name(t->domain) : NULL)
TARGET_STRING(note, t->note[0] ? t->note : NULL)

#define TARGET_BOOL(field)						\
static void get_target_##field(const struct out_obj *obj,		\
			       struct out_cell *cell)			\
{									\
	cell->b = REP(obj)->t->field;					\
}
TARGET_BOOL(temporary)
TARGET_BOOL(persistent_memory)
TARGET_BOOL(dax)
TARGET_BOOL(map_sync)
TARGET_BOOL(destructive)
TARGET_BOOL(badblocks_checked)

static void get_target_range(const struct out_obj *obj, struct out_cell *cell)
{
	cell->u = REP(obj)->t->range;
}

static void get_target_bad_bytes(const struct out_obj *obj,
				 struct out_cell *cell)
{
	cell->u = REP(obj)->t->bad_bytes;
}

static void get_target_numa_node(const struct out_obj *obj,
				 struct out_cell *cell)
{
	cell->i = REP(obj)->t->numa_node;
	cell->null = cell->i < 0;
}

static void get_cpu_cpu(const struct out_obj *obj, struct out_cell *cell)
{
	cell->i = REP(obj)->tm->cpu;
}

static void get_cpu_numa_node(const struct out_obj *obj, struct out_cell *cell)
{
	cell->i = REP(obj)->tm->cpu_node;
	cell->null = cell->i < 0;
}

static void get_cpu_vendor(const struct out_obj *obj, struct out_cell *cell)
{
	cell->str = REP(obj)->cpu->vendor;
}

static void get_cpu_hypervisor(const struct out_obj *obj, struct out_cell *cell)
{
	cell->b = REP(obj)->cpu->hypervisor;
}

static void get_cpu_features(const struct out_obj *obj, struct out_cell *cell)
{
	cell->strv = REP(obj)->features;
}

#define TIMER_STRING(field)						\
static void get_timer_##field(const struct out_obj *obj,		\
			      struct out_cell *cell)			\
{									\
	cell->str = REP(obj)->tm->field;				\
}
TIMER_STRING(source)
TIMER_STRING(calibration)

/* What the timer's figures are in: ns with decimals digits after the point. */
#define TIMER_FLOAT(field, digits)					\
static void get_timer_##field(const struct out_obj *obj,		\
			      struct out_cell *cell)			\
{									\
	cell->f = REP(obj)->tm->field;					\
	cell->decimals = digits;					\
}
TIMER_FLOAT(calibration_ms, 1)
TIMER_FLOAT(tick_ns, 3)
TIMER_FLOAT(resolution_ns, 1)
TIMER_FLOAT(overhead_ns, 1)
TIMER_FLOAT(overhead_min_ns, 1)
TIMER_FLOAT(clock_overhead_ns, 1)
TIMER_FLOAT(clock_resolution_ns, 1)

static void get_timer_tsc_hz(const struct out_obj *obj, struct out_cell *cell)
{
	cell->i = (long long)(REP(obj)->tm->tsc_hz + 0.5);	/* >= 0 */
}

static void get_timer_invariant(const struct out_obj *obj,
				struct out_cell *cell)
{
	cell->b = REP(obj)->tm->invariant;
}

static void get_run_iterations(const struct out_obj *obj, struct out_cell *cell)
{
	cell->u = REP(obj)->iterations;
}

static void get_run_limit(const struct out_obj *obj, struct out_cell *cell)
{
	cell->u = REP(obj)->duration_ns / 1000000;
	cell->null = !REP(obj)->duration_ns;
}

static void get_run_elapsed(const struct out_obj *obj, struct out_cell *cell)
{
	cell->u = REP(obj)->elapsed_ns / 1000000;
}

static void get_run_interrupted(const struct out_obj *obj,
				struct out_cell *cell)
{
	cell->b = REP(obj)->interrupted;
}

static void get_skipped_method(const struct out_obj *obj, struct out_cell *cell)
{
	cell->str = pm_probe_method_name(SKIPPED(obj)->method);
}

static void get_skipped_reason(const struct out_obj *obj, struct out_cell *cell)
{
	cell->str = SKIPPED(obj)->reason;
}

/*
 * The results first, as an enum: they are the table's columns (what -o,
 * --output-all and --list-columns name), the rest only JSON's.
 */
enum {
	COL_METHOD, COL_SIZE, COL_PATTERN, COL_COUNT, COL_MIN, COL_P50,
	COL_P90, COL_P99, COL_P999, COL_MAX, COL_MEAN, COL_STDDEV, COL_BATCH,
	COL_GBPS, COL_BATCH_OPS, COL_TIMER, COL_OVERHEAD, COL_CLAMPED,
	COL_MIGRATIONS, COL_TIMER_BOUND, COL_ERROR, COL_FLAGS,
	NR_RESULT_COLUMNS
};

#define R (1u << PROBE_RESULT)
#define D (1u << PROBE_DOCUMENT)
#define T (1u << PROBE_TARGET)
#define C (1u << PROBE_CPU)
#define K (1u << PROBE_TIMER)
#define U (1u << PROBE_RUN)
#define S (1u << PROBE_SKIPPED)

static const struct out_column probe_columns[] = {
	[COL_METHOD] = { "METHOD", "method", "what makes the store durable (see pmemctl-probe(1))",
	  OUT_STRING, R, OUT_DEFAULT, get_method },
	[COL_SIZE] = { "SIZE", "size", "bytes stored and flushed per op", OUT_SIZE, R,
	  OUT_DEFAULT | OUT_RIGHT, get_size },
	[COL_PATTERN] = { "PATTERN", "pattern", "hot, sequential or random", OUT_STRING, R,
	  OUT_DEFAULT, get_pattern },
	[COL_COUNT] = { "COUNT", "count", "samples measured", OUT_UINT, R,
	  OUT_DEFAULT | OUT_RIGHT, get_count },
	[COL_MIN] = { "MIN", "min_ns", "fastest op, ns", OUT_FLOAT, R,
	  OUT_DEFAULT | OUT_RIGHT, get_min },
	[COL_P50] = { "P50", "p50_ns", "median op, ns", OUT_FLOAT, R,
	  OUT_DEFAULT | OUT_RIGHT, get_p50 },
	[COL_P90] = { "P90", "p90_ns", "90th percentile, ns (null below 10 samples)",
	  OUT_FLOAT, R, OUT_DEFAULT | OUT_RIGHT, get_p90 },
	[COL_P99] = { "P99", "p99_ns", "99th percentile, ns (null below 100 samples)",
	  OUT_FLOAT, R, OUT_DEFAULT | OUT_RIGHT, get_p99 },
	[COL_P999] = { "P99.9", "p99_9_ns", "99.9th percentile, ns (null below 1000 samples)",
	  OUT_FLOAT, R, OUT_DEFAULT | OUT_RIGHT, get_p999 },
	[COL_MAX] = { "MAX", "max_ns", "slowest op, ns", OUT_FLOAT, R,
	  OUT_DEFAULT | OUT_RIGHT, get_max },
	[COL_MEAN] = { "MEAN", "mean_ns", "mean, ns", OUT_FLOAT, R, OUT_DEFAULT | OUT_RIGHT,
	  get_mean },
	[COL_STDDEV] = { "STDDEV", "stddev_ns", "standard deviation, ns", OUT_FLOAT, R,
	  OUT_DEFAULT | OUT_RIGHT, get_stddev },
	[COL_BATCH] = { "BATCH", "batch_ns_per_op", "ns per op when issued back to back",
	  OUT_FLOAT, R, OUT_DEFAULT | OUT_RIGHT, get_batch_ns },
	[COL_GBPS] = { "GB/S", "batch_gbps", "bytes per ns of the batched run (GB/s)",
	  OUT_FLOAT, R, OUT_DEFAULT | OUT_RIGHT, get_gbps },
	[COL_BATCH_OPS] = { "BATCH_OPS", "batch_ops", "ops in the batched run", OUT_UINT, R,
	  OUT_RIGHT, get_batch_ops },
	[COL_TIMER] = { "TIMER", "timer", "tsc (rdtscp bracket) or clock (CLOCK_MONOTONIC)",
	  OUT_STRING, R, 0, get_timer },
	[COL_OVERHEAD] = { "OVERHEAD", "overhead_ns", "timer overhead: subtracted (tsc) or not (clock)",
	  OUT_FLOAT, R, OUT_RIGHT, get_overhead },
	[COL_CLAMPED] = { "CLAMPED", "clamped", "samples below the overhead, counted as 0",
	  OUT_UINT, R, OUT_RIGHT, get_clamped },
	[COL_MIGRATIONS] = { "MIGRATIONS", "migrations", "samples dropped: taken on another CPU",
	  OUT_UINT, R, OUT_RIGHT, get_migrations },
	[COL_TIMER_BOUND] = { "TIMER_BOUND", "timer_bound", "the timer overhead exceeds half of p50",
	  OUT_BOOL, R, 0, get_timer_bound },
	[COL_ERROR] = { "ERROR", "error", "why nothing was measured", OUT_STRING, R, 0,
	  get_error },
	[COL_FLAGS] = { "FLAGS", NULL, "timer-bound or error", OUT_STRING, R, OUT_DEFAULT,
	  get_flags },

	/* The document: one object, its keys in this order. */
	[NR_RESULT_COLUMNS] =
	{ "PROBE.TARGET", "target", "what was probed", OUT_OBJECT, D, 0, NULL,
	  PROBE_TARGET },
	{ "PROBE.CPU", "cpu", "the CPU the probe ran on", OUT_OBJECT, D, 0, NULL,
	  PROBE_CPU },
	{ "PROBE.TIMER", "timer", "how the ops were timed", OUT_OBJECT, D, 0, NULL,
	  PROBE_TIMER },
	{ "PROBE.RUN", "run", "the run's limits and how long it took", OUT_OBJECT,
	  D, 0, NULL, PROBE_RUN },
	{ "PROBE.RESULTS", "results", "one object per method x size x pattern, in the order run",
	  OUT_ARRAY, D, 0, NULL, PROBE_RESULT },
	{ "PROBE.SKIPPED", "skipped", "the methods that did not run", OUT_ARRAY,
	  D, 0, NULL, PROBE_SKIPPED },
	{ "PROBE.NOTES", "notes", "timer-bound figures, samples clamped or dropped, a virtual machine, consistency with the declared domain",
	  OUT_STRV, D, 0, get_notes },

	{ "TARGET.NAME", "name", "the target as given", OUT_STRING, T, 0,
	  get_target_name },
	{ "TARGET.KIND", "kind", "devdax, blockdev, file or anon", OUT_STRING, T,
	  0, get_target_kind },
	{ "TARGET.PATH", "path", "the device, the file, or the directory of the temporary file",
	  OUT_STRING, T, 0, get_target_path },
	{ "TARGET.DEVICE", "device", "dax0.0, pmem0, or \"ext4 on /mnt\"",
	  OUT_STRING, T, 0, get_target_device },
	{ "TARGET.FILESYSTEM", "filesystem", "the filesystem of a file", OUT_STRING,
	  T, 0, get_target_filesystem },
	{ "TARGET.TEMPORARY", "temporary", "a temporary file beside the target, removed",
	  OUT_BOOL, T, 0, get_target_temporary },
	{ "TARGET.PERSISTENT_MEMORY", "persistent_memory", "the bytes live in a pmem region",
	  OUT_BOOL, T, 0, get_target_persistent_memory },
	{ "TARGET.DAX", "dax", "loads and stores reach the media directly",
	  OUT_BOOL, T, 0, get_target_dax },
	{ "TARGET.MAP_SYNC", "map_sync", "mapped with MAP_SYNC", OUT_BOOL, T, 0,
	  get_target_map_sync },
	{ "TARGET.DESTRUCTIVE", "destructive", "--destructive: a pattern is written",
	  OUT_BOOL, T, 0, get_target_destructive },
	{ "TARGET.RANGE", "range", "bytes mapped and probed", OUT_SIZE, T, 0,
	  get_target_range },
	{ "TARGET.REGION", "region", "the region, or null off persistent memory",
	  OUT_STRING, T, 0, get_target_region },
	{ "TARGET.NAMESPACE", "namespace", "the namespace, or null", OUT_STRING, T,
	  0, get_target_namespace },
	{ "TARGET.PERSISTENCE_DOMAIN", "persistence_domain", "as in pmemctl list; null off persistent memory",
	  OUT_STRING, T, 0, get_target_domain },
	{ "TARGET.NUMA_NODE", "numa_node", "the NUMA node of the target", OUT_INT,
	  T, 0, get_target_numa_node },
	{ "TARGET.BADBLOCKS_CHECKED", "badblocks_checked", "the kernel's badblocks list was read",
	  OUT_BOOL, T, 0, get_target_badblocks_checked },
	{ "TARGET.BADBLOCKS_SKIPPED", "badblocks_skipped", "bytes of the range skipped: badblocks",
	  OUT_SIZE, T, 0, get_target_bad_bytes },
	{ "TARGET.NOTE", "note", "what the figures stand for, or null", OUT_STRING,
	  T, 0, get_target_note },

	{ "CPU.CPU", "cpu", "the CPU the probe is pinned to", OUT_INT, C, 0,
	  get_cpu_cpu },
	{ "CPU.NUMA_NODE", "numa_node", "its NUMA node, or null", OUT_INT, C, 0,
	  get_cpu_numa_node },
	{ "CPU.VENDOR", "vendor", "cpuid's vendor string", OUT_STRING, C, 0,
	  get_cpu_vendor },
	{ "CPU.HYPERVISOR", "hypervisor", "running in a virtual machine", OUT_BOOL,
	  C, 0, get_cpu_hypervisor },
	{ "CPU.FEATURES", "features", "sse2, clflush, clflushopt, clwb, movdir64b, rdtscp, invariant_tsc: those cpuid reports",
	  OUT_STRV, C, 0, get_cpu_features },

	{ "TIMER.SOURCE", "source", "rdtscp or rdtsc", OUT_STRING, K, 0,
	  get_timer_source },
	{ "TIMER.TSC_HZ", "tsc_hz", "the TSC's frequency", OUT_INT, K, 0,
	  get_timer_tsc_hz },
	{ "TIMER.CALIBRATION", "calibration", "tsc_freq_khz or clock_monotonic",
	  OUT_STRING, K, 0, get_timer_calibration },
	{ "TIMER.CALIBRATION_MS", "calibration_ms", "how long the calibration ran",
	  OUT_FLOAT, K, 0, get_timer_calibration_ms },
	{ "TIMER.INVARIANT_TSC", "invariant_tsc", "the TSC runs at a constant rate in every C-state",
	  OUT_BOOL, K, 0, get_timer_invariant },
	{ "TIMER.TICK_NS", "tick_ns", "one TSC increment, ns", OUT_FLOAT, K, 0,
	  get_timer_tick_ns },
	{ "TIMER.RESOLUTION_NS", "resolution_ns", "smallest nonzero step between two reads, ns",
	  OUT_FLOAT, K, 0, get_timer_resolution_ns },
	{ "TIMER.OVERHEAD_NS", "overhead_ns", "the empty bracket's median, subtracted, ns",
	  OUT_FLOAT, K, 0, get_timer_overhead_ns },
	{ "TIMER.OVERHEAD_MIN_NS", "overhead_min_ns", "the fastest empty bracket, ns",
	  OUT_FLOAT, K, 0, get_timer_overhead_min_ns },
	{ "TIMER.CLOCK_OVERHEAD_NS", "clock_overhead_ns", "median of two CLOCK_MONOTONIC reads, ns",
	  OUT_FLOAT, K, 0, get_timer_clock_overhead_ns },
	{ "TIMER.CLOCK_RESOLUTION_NS", "clock_resolution_ns", "clock_getres(CLOCK_MONOTONIC), ns",
	  OUT_FLOAT, K, 0, get_timer_clock_resolution_ns },

	{ "RUN.ITERATIONS", "iterations", "samples asked for per combination",
	  OUT_UINT, U, 0, get_run_iterations },
	{ "RUN.DURATION_LIMIT_MS", "duration_limit_ms", "the time limit, or null without one",
	  OUT_UINT, U, 0, get_run_limit },
	{ "RUN.ELAPSED_MS", "elapsed_ms", "how long the command took until the output",
	  OUT_UINT, U, 0, get_run_elapsed },
	{ "RUN.INTERRUPTED", "interrupted", "stopped by a signal: the results so far",
	  OUT_BOOL, U, 0, get_run_interrupted },

	{ "SKIPPED.METHOD", "method", "a method that did not run", OUT_STRING, S,
	  0, get_skipped_method },
	{ "SKIPPED.REASON", "reason", "why not", OUT_STRING, S, 0,
	  get_skipped_reason },
};

/* -o + --json names keys of the results but keeps the whole document. */
_Static_assert(ARRAY_SIZE(probe_columns) <= OUT_MAX_COLUMNS,
	       "the document's selection holds every column");

static const char *const probe_keys[] = {
	[PROBE_RESULT] = "results",
	[PROBE_DOCUMENT] = "probe",
	[PROBE_TARGET] = "target",
	[PROBE_CPU] = "cpu",
	[PROBE_TIMER] = "timer",
	[PROBE_RUN] = "run",
	[PROBE_SKIPPED] = "skipped",
};
static const char *const probe_names[] = {
	[PROBE_RESULT] = "result",
	[PROBE_DOCUMENT] = "probe",
	[PROBE_TARGET] = "target",
	[PROBE_CPU] = "cpu",
	[PROBE_TIMER] = "timer",
	[PROBE_RUN] = "run",
	[PROBE_SKIPPED] = "skipped",
};

const struct out_spec probe_spec = {
	.columns = probe_columns,
	.nr_columns = NR_RESULT_COLUMNS,
	.kind_keys = probe_keys,
	.kind_names = probe_names,
	.nr_kinds = PROBE_NR_KINDS,
};

const struct out_spec probe_document_spec = {
	.columns = probe_columns,
	.nr_columns = ARRAY_SIZE(probe_columns),
	.kind_keys = probe_keys,
	.kind_names = probe_names,
	.nr_kinds = PROBE_NR_KINDS,
	.document = OUT_DOC_OBJECT,
	.root_kind = PROBE_DOCUMENT,
};

/* The strings the document lists: the CPU's features and the notes. */
void probe_report_lists(struct probe_report *rep)
{
	const struct pm_cpu_features *f = rep->cpu;
	const struct { const char *name; bool has; } features[] = {
		{ "sse2", f->sse2 }, { "clflush", f->clflush },
		{ "clflushopt", f->clflushopt }, { "clwb", f->clwb },
		{ "movdir64b", f->movdir64b }, { "rdtscp", f->rdtscp },
		{ "invariant_tsc", f->invariant_tsc },
	};
	size_t n = 0;

	for (size_t i = 0; i < ARRAY_SIZE(features); i++)
		if (features[i].has)
			rep->features[n++] = features[i].name;
	rep->features[n] = NULL;
	for (n = 0; n < rep->nr_findings; n++)
		rep->notes[n] = rep->findings[n].message;
	rep->notes[n] = NULL;
}
