// SPDX-License-Identifier: GPL-2.0-or-later
/* pmemctl probe: what it costs on a target to make stores durable. */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "pmemctl.h"
#include "../lib/pmem.h"
#include "../lib/probe.h"
#include "../lib/stats.h"

#define DEFAULT_ITERATIONS 10000
#define MAX_ITERATIONS 10000000
#define DEFAULT_DURATION_NS 5000000000ULL
#define MAX_SIZE (1U << 20)
#define HISTOGRAM_BINS 12
#define HISTOGRAM_WIDTH 40

/* One measured method x size x pattern. */
struct probe_row {
	enum pm_probe_method method;
	uint32_t size;
	enum pm_probe_pattern pattern;
	struct pm_stats st;		/* count 0: nothing measured */
	bool clock_timed;
	double overhead_ns;		/* subtracted (TSC) or the clock's cost */
	size_t clamped;
	unsigned int migrations;
	size_t batch_ops;
	double batch_ns;
	bool timer_bound;		/* overhead > half of p50 */
	char *error;
	char *histogram;
};

struct probe_state {
	struct probe_row *rows;
	size_t nr_rows;
	size_t alloc;
	FILE *csv;
	const char *csv_name;
	bool csv_failed;
	bool histogram;
	bool progress;
	double clock_overhead_ns;
};

#define ROW(obj) ((const struct probe_row *)(obj)->ptr)

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
static void ns_cell(struct out_cell *cell, const struct probe_row *row,
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
	const struct probe_row *row = ROW(obj);

	cell->null = !row->batch_ops;
	cell->f = row->batch_ops ? row->batch_ns / (double)row->batch_ops : 0;
	cell->decimals = 1;
}

static void get_gbps(const struct out_obj *obj, struct out_cell *cell)
{
	const struct probe_row *row = ROW(obj);

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
	const struct probe_row *row = ROW(obj);

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

static const struct out_spec probe_spec = {
	.columns = probe_columns,
	.nr_columns = sizeof(probe_columns) / sizeof(probe_columns[0]),
	.kind_keys = probe_keys,
	.kind_names = probe_names,
	.nr_kinds = 1,
};

static void usage(void)
{
	printf("Usage: pmemctl probe [options] TARGET\n"
	       "\n"
	       "Measure what it costs on TARGET to make a store durable: each\n"
	       "flush method the CPU and the target have, per op size and access\n"
	       "pattern, with percentiles and batched throughput. Non-destructive:\n"
	       "a file target is probed through a temporary file beside it, a\n"
	       "device keeps the bytes it holds. TARGET: a dax device (/dev/dax0.0),\n"
	       "a pmem block device, a namespace or region, a file or directory\n"
	       "(on DAX or not), or 'anon' (anonymous memory, a DRAM baseline).\n"
	       "\n"
	       "Options:\n"
	       "  -m, --methods LIST     store,clflush,clflushopt,clwb,ntstore,\n"
	       "                         movdir64b,msync,fsync,deep-flush-sysfs,\n"
	       "                         deep-flush-fsync (default: all that apply)\n"
	       "  -s, --sizes LIST       bytes per op, multiples of 64 (default\n"
	       "                         64,256,4K)\n"
	       "  -p, --patterns LIST    hot,sequential,random (default: all)\n"
	       "  -i, --iterations N     samples per combination (default 10000)\n"
	       "  -d, --duration SECS    time limit of the run (default 5, or none\n"
	       "                         with --iterations alone); 500ms works too\n"
	       "  -c, --cpu N            pin to CPU N (default: one on the target's\n"
	       "                         NUMA node, else the current one)\n"
	       "      --range SIZE       bytes the ops spread over (default 64M)\n"
	       "      --destructive      write a pattern instead of what the lines\n"
	       "                         hold; probe a file in place; ignore other\n"
	       "                         users of a device\n"
	       "      --histogram        a latency histogram per combination\n"
	       "      --csv FILE         every sample, for plotting\n"
	       OUTPUT_HELP
	       "  -h, --help             show this help\n"
	       "\n"
	       "Exit: 0 measured, 1 a measurement failed (SIGBUS...), 2 usage,\n"
	       "3 no such target, 4 not permitted, 5 a method asked for is not\n"
	       "available, 6 the device is in use. See pmemctl-probe(1).\n");
}

enum {
	OPT_RANGE = OPT_FIRST_COMMAND_OPT,
	OPT_DESTRUCTIVE,
	OPT_HISTOGRAM,
	OPT_CSV,
};

static const struct option options[] = {
	{ "methods", required_argument, NULL, 'm' },
	{ "sizes", required_argument, NULL, 's' },
	{ "patterns", required_argument, NULL, 'p' },
	{ "iterations", required_argument, NULL, 'i' },
	{ "duration", required_argument, NULL, 'd' },
	{ "cpu", required_argument, NULL, 'c' },
	{ "range", required_argument, NULL, OPT_RANGE },
	{ "destructive", no_argument, NULL, OPT_DESTRUCTIVE },
	{ "histogram", no_argument, NULL, OPT_HISTOGRAM },
	{ "csv", required_argument, NULL, OPT_CSV },
	OUTPUT_LONG_OPTS,
	COMMON_LONG_OPTS,
	{ NULL, 0, NULL, 0 },
};

/* ---------------------------------------------------------- parsing */

static int parse_methods(struct pmemctl_ctx *ctx, const char *arg,
			 enum pm_probe_method *methods, size_t *nr)
{
	char *copy = strdup(arg), *tok, *save = NULL;
	int rc = EXIT_OK;

	*nr = 0;
	for (tok = strtok_r(copy, ",", &save); tok && !rc;
	     tok = strtok_r(NULL, ",", &save)) {
		enum pm_probe_method m;
		bool seen = false;

		if (strcmp(tok, "all") == 0) {
			*nr = 0;
			for (int i = 0; i < PM_PROBE_NR_METHODS; i++)
				methods[(*nr)++] = i;
			continue;
		}
		if (pm_probe_method_parse(tok, &m) < 0) {
			rc = pm_usage_error(ctx, "unknown method '%s'", tok);
			break;
		}
		for (size_t i = 0; i < *nr; i++)
			seen |= methods[i] == m;
		if (!seen)
			methods[(*nr)++] = m;
	}
	free(copy);
	if (!rc && !*nr)
		rc = pm_usage_error(ctx, "no method named after --methods");
	return rc;
}

static int parse_patterns(struct pmemctl_ctx *ctx, const char *arg,
			  enum pm_probe_pattern *patterns, size_t *nr)
{
	char *copy = strdup(arg), *tok, *save = NULL;
	int rc = EXIT_OK;

	*nr = 0;
	for (tok = strtok_r(copy, ",", &save); tok && !rc;
	     tok = strtok_r(NULL, ",", &save)) {
		enum pm_probe_pattern pattern;
		bool seen = false;

		if (strcmp(tok, "all") == 0) {
			*nr = 0;
			for (int i = 0; i < PM_PATTERN_NR; i++)
				patterns[(*nr)++] = i;
			continue;
		}
		if (pm_probe_pattern_parse(tok, &pattern) < 0) {
			rc = pm_usage_error(ctx, "unknown pattern '%s': use hot, sequential or random",
					    tok);
			break;
		}
		for (size_t i = 0; i < *nr; i++)
			seen |= patterns[i] == pattern;
		if (!seen)
			patterns[(*nr)++] = pattern;
	}
	free(copy);
	if (!rc && !*nr)
		rc = pm_usage_error(ctx, "no pattern named after --patterns");
	return rc;
}

#define MAX_SIZES 16

static int parse_sizes(struct pmemctl_ctx *ctx, const char *arg,
		       uint32_t *sizes, size_t *nr)
{
	char *copy = strdup(arg), *tok, *save = NULL;
	int rc = EXIT_OK;

	*nr = 0;
	for (tok = strtok_r(copy, ",", &save); tok && !rc;
	     tok = strtok_r(NULL, ",", &save)) {
		uint64_t v;
		bool seen = false;

		if (pm_parse_size(tok, &v) < 0 || v < 64 || v % 64 ||
		    v > MAX_SIZE) {
			rc = pm_usage_error(ctx, "bad size '%s': a multiple of 64 bytes, at most 1M",
					    tok);
			break;
		}
		for (size_t i = 0; i < *nr; i++)
			seen |= sizes[i] == v;
		if (seen)
			continue;
		if (*nr == MAX_SIZES) {
			rc = pm_usage_error(ctx, "too many sizes (at most %d)", MAX_SIZES);
			break;
		}
		sizes[(*nr)++] = (uint32_t)v;
	}
	free(copy);
	if (!rc && !*nr)
		rc = pm_usage_error(ctx, "no size named after --sizes");
	return rc;
}

/* "5", "2.5", "2.5s", "500ms" -> ns. */
static int parse_duration(const char *arg, uint64_t *ns)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno || end == arg || !(v > 0) || v > 86400)
		return -EINVAL;
	if (strcmp(end, "ms") == 0)
		v /= 1000;
	else if (*end && strcmp(end, "s") != 0)
		return -EINVAL;
	*ns = (uint64_t)(v * 1e9);
	return *ns ? 0 : -EINVAL;
}

static int parse_uint(const char *arg, unsigned long long max,
		      unsigned long long *v)
{
	char *end;

	errno = 0;
	if (!arg[0] || arg[0] == '-')
		return -EINVAL;
	*v = strtoull(arg, &end, 10);
	if (errno || *end || *v > max)
		return -EINVAL;
	return 0;
}

/* ------------------------------------------------------- the results */

static volatile sig_atomic_t stop_requested;

static void on_stop(int sig)
{
	stop_requested = sig;
}

static void progress(size_t done, size_t total, enum pm_probe_method m,
		     uint32_t size, enum pm_probe_pattern pattern, void *arg)
{
	struct probe_state *s = arg;

	if (!s->progress)
		return;
	fprintf(stderr, "\r\033[Kpmemctl: probing %s, %u B, %s (%zu/%zu)",
		pm_probe_method_name(m), size, pm_probe_pattern_name(pattern),
		done + 1, total);
	fflush(stderr);
}

static void write_csv(struct probe_state *s, const struct pm_probe_result *r)
{
	for (size_t i = 0; i < r->count && !s->csv_failed; i++) {
		if (r->ticks)
			fprintf(s->csv, "%s,%u,%s,%zu,%llu,%llu,%.2f\n",
				pm_probe_method_name(r->method), r->size,
				pm_probe_pattern_name(r->pattern), i,
				(unsigned long long)r->offsets[i],
				(unsigned long long)r->ticks[i], r->ns[i]);
		else
			fprintf(s->csv, "%s,%u,%s,%zu,%llu,,%.2f\n",
				pm_probe_method_name(r->method), r->size,
				pm_probe_pattern_name(r->pattern), i,
				(unsigned long long)r->offsets[i], r->ns[i]);
		if (ferror(s->csv))
			s->csv_failed = true;
	}
}

static char *make_histogram(const double *sorted, const struct pm_stats *st)
{
	struct pm_histogram h;
	double hi = st->p99 > st->min ? st->p99 : st->max;
	char *text;

	/* Up to p99: the tail is one line, not a flattened picture. */
	if (pm_histogram_build(sorted, st->count, st->min, hi, HISTOGRAM_BINS,
			       &h) < 0)
		return NULL;
	text = pm_histogram_render(&h, "ns", 1, HISTOGRAM_WIDTH);
	pm_histogram_free(&h);
	return text;
}

static int on_result(struct pm_probe_result *r, void *arg)
{
	struct probe_state *s = arg;
	struct probe_row *row;

	if (s->nr_rows == s->alloc) {
		size_t alloc = s->alloc ? s->alloc * 2 : 32;
		struct probe_row *grown = realloc(s->rows, alloc * sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		s->rows = grown;
		s->alloc = alloc;
	}
	row = &s->rows[s->nr_rows++];
	memset(row, 0, sizeof(*row));
	row->method = r->method;
	row->size = r->size;
	row->pattern = r->pattern;
	row->clock_timed = r->clock_timed;
	row->overhead_ns = r->clock_timed ? s->clock_overhead_ns : r->overhead_ns;
	row->clamped = r->clamped;
	row->migrations = r->migrations;
	row->batch_ops = r->batch_ops;
	row->batch_ns = r->batch_ns;
	if (r->err) {
		row->error = strdup(r->message[0] ? r->message : strerror(r->err));
		return row->error ? 0 : -ENOMEM;
	}
	/* The CSV keeps the order of measurement; the statistics sort. */
	if (s->csv)
		write_csv(s, r);
	if (!r->count)
		return 0;
	pm_stats_compute(r->ns, r->count, &row->st);
	row->timer_bound = row->overhead_ns > row->st.p50 / 2;
	if (s->histogram)
		row->histogram = make_histogram(r->ns, &row->st);
	return 0;
}

/* ------------------------------------------------------------- notes */

static const struct probe_row *find_row(const struct probe_state *s,
					enum pm_probe_method m, uint32_t size)
{
	static const enum pm_probe_pattern order[] = {
		PM_PATTERN_SEQUENTIAL, PM_PATTERN_HOT, PM_PATTERN_RANDOM,
	};

	for (size_t o = 0; o < 3; o++)
		for (size_t i = 0; i < s->nr_rows; i++)
			if (s->rows[i].method == m && s->rows[i].size == size &&
			    s->rows[i].pattern == order[o] && s->rows[i].st.count)
				return &s->rows[i];
	return NULL;
}

struct notes {
	char *text[8];
	size_t nr;
};

static void add_note(struct notes *n, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void add_note(struct notes *n, const char *fmt, ...)
{
	va_list ap;

	if (n->nr == sizeof(n->text) / sizeof(n->text[0]))
		return;
	va_start(ap, fmt);
	if (vasprintf(&n->text[n->nr], fmt, ap) >= 0)
		n->nr++;
	va_end(ap);
}

/*
 * What the figures mean here, and where they disagree with what the
 * platform declares. Never a verdict: latency does not decide whether a
 * store is durable, the declared domain does (pmemctl show).
 */
static void make_notes(const struct probe_state *s,
		       const struct pm_probe_target *t,
		       const struct pm_cpu_features *cpu,
		       const struct pm_probe_timer *tm, struct notes *n)
{
	const struct probe_row *store, *flush = NULL;
	size_t timer_bound = 0, clamped = 0;
	unsigned int migrations = 0;
	const char *flush_name = NULL;
	static const enum pm_probe_method flushes[] = {
		PM_PROBE_CLWB, PM_PROBE_CLFLUSHOPT, PM_PROBE_CLFLUSH,
	};

	for (size_t i = 0; i < s->nr_rows; i++) {
		timer_bound += s->rows[i].timer_bound;
		clamped += s->rows[i].st.count &&
			s->rows[i].clamped * 100 > s->rows[i].st.count;
		migrations += s->rows[i].migrations;
	}
	if (timer_bound)
		add_note(n, "%zu figure%s timer-bound: the timer's own cost (%.1f ns, subtracted) is more than half of the p50; read them as 'below the timer's resolution'",
			 timer_bound, timer_bound == 1 ? " is" : "s are",
			 tm->overhead_ns);
	if (clamped)
		add_note(n, "in %zu result%s more than 1%% of the samples were faster than the median empty bracket and count as 0 ns",
			 clamped, clamped == 1 ? "" : "s");
	if (migrations)
		add_note(n, "%u sample%s taken on another CPU despite the pinning were dropped",
			 migrations, migrations == 1 ? " was" : "s were");
	if (cpu->hypervisor)
		add_note(n, "running in a virtual machine: the figures are those of the host's memory behind the guest's (an emulated NVDIMM is a file in host memory), and flush instructions may be emulated");
	if (!t->persistent_memory || !t->dax)
		return;
	if (t->domain == PM_DOMAIN_UNKNOWN) {
		add_note(n, "the platform declares no persistence domain: treat it as ADR at best (flush every store); the figures cannot tell");
		return;
	}
	store = find_row(s, PM_PROBE_STORE, 64);
	for (size_t i = 0; i < 3 && !flush; i++) {
		flush = find_row(s, flushes[i], 64);
		flush_name = pm_probe_method_name(flushes[i]);
	}
	if (!store || !flush)
		return;
	if (t->domain == PM_DOMAIN_CPU_CACHE) {
		double extra = flush->st.p50 - store->st.p50;

		if (extra >= 40 && flush->st.p50 >= 2 * store->st.p50)
			add_note(n, "consistency: the region declares eADR (cpu_cache), yet %s costs %.0f ns more than a store at 64 B, like a write to the media: check that eADR is enabled in the firmware. On eADR the flush is not needed; latency never decides durability",
				 flush_name, extra);
		else
			add_note(n, "the region declares eADR (cpu_cache): store + sfence is all a store needs; the flushes are measured for comparison");
	} else if (t->domain == PM_DOMAIN_MEMORY_CONTROLLER) {
		double floor = tm->resolution_ns > 5 ? tm->resolution_ns : 5;

		if (fabs(flush->st.p50 - store->st.p50) < floor)
			add_note(n, "consistency: the region declares ADR (memory_controller), yet %s costs no more than a store at 64 B (%.1f vs %.1f ns p50): the line is not written back anywhere that takes time (an emulated platform, or flush instructions that do nothing). Follow the declared domain: latency never decides durability",
				 flush_name, flush->st.p50, store->st.p50);
	}
}

/* --------------------------------------------------------------- output */

static const char *domain_or_null(const struct pm_probe_target *t)
{
	return t->pmt.region ? pm_domain_name(t->domain) : NULL;
}

static struct json_object *jstr(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

static struct json_object *jfloat(double v, int decimals)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%.*f", decimals, v);
	return json_object_new_double_s(v, buf);
}

static struct json_object *target_json(const struct pm_probe_target *t)
{
	struct json_object *j = json_object_new_object();

	json_object_object_add(j, "name", jstr(t->name));
	json_object_object_add(j, "kind", jstr(pm_probe_kind_name(t->kind)));
	json_object_object_add(j, "path", jstr(t->path));
	json_object_object_add(j, "device", jstr(t->device[0] ? t->device : NULL));
	json_object_object_add(j, "filesystem", jstr(t->fs_type[0] ? t->fs_type : NULL));
	json_object_object_add(j, "temporary", json_object_new_boolean(t->temporary));
	json_object_object_add(j, "persistent_memory",
			       json_object_new_boolean(t->persistent_memory));
	json_object_object_add(j, "dax", json_object_new_boolean(t->dax));
	json_object_object_add(j, "map_sync", json_object_new_boolean(t->map_sync));
	json_object_object_add(j, "destructive", json_object_new_boolean(t->destructive));
	json_object_object_add(j, "range", json_object_new_int64((int64_t)t->range));
	json_object_object_add(j, "region", jstr(t->pmt.region ? t->pmt.region->dev : NULL));
	json_object_object_add(j, "namespace", jstr(t->pmt.ns ? t->pmt.ns->dev : NULL));
	json_object_object_add(j, "persistence_domain", jstr(domain_or_null(t)));
	json_object_object_add(j, "numa_node", t->numa_node >= 0 ?
			       json_object_new_int(t->numa_node) : NULL);
	json_object_object_add(j, "badblocks_checked",
			       json_object_new_boolean(t->badblocks_checked));
	json_object_object_add(j, "badblocks_skipped",
			       json_object_new_int64((int64_t)t->bad_bytes));
	json_object_object_add(j, "note", jstr(t->note[0] ? t->note : NULL));
	return j;
}

static struct json_object *cpu_json(const struct pm_cpu_features *f,
				    const struct pm_probe_timer *tm)
{
	struct json_object *j = json_object_new_object();
	struct json_object *features = json_object_new_array();
	const struct { const char *name; bool has; } list[] = {
		{ "sse2", f->sse2 }, { "clflush", f->clflush },
		{ "clflushopt", f->clflushopt }, { "clwb", f->clwb },
		{ "movdir64b", f->movdir64b }, { "rdtscp", f->rdtscp },
		{ "invariant_tsc", f->invariant_tsc },
	};

	for (size_t i = 0; i < sizeof(list) / sizeof(list[0]); i++)
		if (list[i].has)
			json_object_array_add(features, json_object_new_string(list[i].name));
	json_object_object_add(j, "cpu", json_object_new_int(tm->cpu));
	json_object_object_add(j, "numa_node", tm->cpu_node >= 0 ?
			       json_object_new_int(tm->cpu_node) : NULL);
	json_object_object_add(j, "vendor", jstr(f->vendor));
	json_object_object_add(j, "hypervisor", json_object_new_boolean(f->hypervisor));
	json_object_object_add(j, "features", features);
	return j;
}

static struct json_object *timer_json(const struct pm_probe_timer *tm)
{
	struct json_object *j = json_object_new_object();

	json_object_object_add(j, "source", jstr(tm->source));
	json_object_object_add(j, "tsc_hz", json_object_new_int64((int64_t)llround(tm->tsc_hz)));
	json_object_object_add(j, "calibration", jstr(tm->calibration));
	json_object_object_add(j, "calibration_ms", jfloat(tm->calibration_ms, 1));
	json_object_object_add(j, "invariant_tsc", json_object_new_boolean(tm->invariant));
	json_object_object_add(j, "tick_ns", jfloat(tm->tick_ns, 3));
	json_object_object_add(j, "resolution_ns", jfloat(tm->resolution_ns, 1));
	json_object_object_add(j, "overhead_ns", jfloat(tm->overhead_ns, 1));
	json_object_object_add(j, "overhead_min_ns", jfloat(tm->overhead_min_ns, 1));
	json_object_object_add(j, "clock_overhead_ns", jfloat(tm->clock_overhead_ns, 1));
	json_object_object_add(j, "clock_resolution_ns", jfloat(tm->clock_resolution_ns, 1));
	return j;
}

struct skipped {
	enum pm_probe_method method;
	char reason[400];
};

static int print_json(const struct out_selection *sel, struct out_node *root,
		      const struct pm_probe_target *t,
		      const struct pm_cpu_features *cpu,
		      const struct pm_probe_timer *tm, struct json_object *run,
		      const struct skipped *skipped, size_t nr_skipped,
		      const struct notes *notes)
{
	struct json_object *jroot = json_object_new_object(), *jres, *results;
	struct json_object *jskipped = json_object_new_array();
	struct json_object *jnotes = json_object_new_array();

	jres = out_to_json(&probe_spec, sel, root);
	if (!jroot || !jres || !jskipped || !jnotes ||
	    !json_object_object_get_ex(jres, "results", &results))
		return -ENOMEM;
	json_object_object_add(jroot, "target", target_json(t));
	json_object_object_add(jroot, "cpu", cpu_json(cpu, tm));
	json_object_object_add(jroot, "timer", timer_json(tm));
	json_object_object_add(jroot, "run", run);
	json_object_object_add(jroot, "results", json_object_get(results));
	json_object_put(jres);
	for (size_t i = 0; i < nr_skipped; i++) {
		struct json_object *js = json_object_new_object();

		json_object_object_add(js, "method",
				       jstr(pm_probe_method_name(skipped[i].method)));
		json_object_object_add(js, "reason", jstr(skipped[i].reason));
		json_object_array_add(jskipped, js);
	}
	json_object_object_add(jroot, "skipped", jskipped);
	for (size_t i = 0; i < notes->nr; i++)
		json_object_array_add(jnotes, json_object_new_string(notes->text[i]));
	json_object_object_add(jroot, "notes", jnotes);
	out_print_json(stdout, jroot);
	return 0;
}

/* "label    text", the text wrapped at 78 columns under itself. */
static void print_wrapped(const char *label, const char *text)
{
	size_t col = 0;

	printf("%-8s", label);
	while (*text) {
		size_t len = strcspn(text, " ");

		if (col && col + 1 + len > 69) {
			printf("\n%-8s", "");
			col = 0;
		}
		printf(" %.*s", (int)len, text);
		col += 1 + len;
		text += len;
		text += strspn(text, " ");
	}
	putchar('\n');
}

static void print_header(const struct pm_probe_target *t,
			 const struct pm_cpu_features *cpu,
			 const struct pm_probe_timer *tm)
{
	char range[32], node[64];

	pm_format_size(t->range, range, sizeof(range));
	printf("%-8s %s", "target", t->name);
	if (t->temporary)
		printf(": a temporary file in %s (%s, removed)", t->path, range);
	else if (t->kind == PM_PROBE_FILE)
		printf(": the file itself, first %s (--destructive)", range);
	else if (t->kind != PM_PROBE_ANON)
		printf(": %s, first %s%s", t->path, range,
		       t->destructive ? " (--destructive)" : "");
	else
		printf(" (%s)", range);
	if (t->pmt.region)
		printf("; %s%s%s, %s", t->pmt.ns ? t->pmt.ns->dev : "",
		       t->pmt.ns ? " in " : "", t->pmt.region->dev,
		       pm_domain_name(t->domain));
	else if (t->device[0])
		printf("; %s", t->device);
	printf("\n");
	if (t->persistent_memory)
		printf("%-8s %s%s%s\n", "", t->dax ? "DAX" : "not DAX",
		       t->map_sync ? ", MAP_SYNC" : "",
		       t->bad_bytes ? ", badblocks skipped" : "");
	if (t->note[0])
		print_wrapped("", t->note);
	if (tm->cpu_node >= 0)
		snprintf(node, sizeof(node), "NUMA node %d%s", tm->cpu_node,
			 tm->cpu_node == t->numa_node ? ", the target's" : "");
	else
		snprintf(node, sizeof(node), "NUMA node unknown");
	printf("%-8s %d, pinned (%s)%s\n", "cpu", tm->cpu, node,
	       cpu->hypervisor ? ", in a virtual machine" : "");
	printf("%-8s %s closed by mfence; TSC %.2f MHz (%s);\n",
	       "timer", tm->source, tm->tsc_hz / 1e6,
	       strcmp(tm->calibration, "tsc_freq_khz") == 0 ?
	       "the kernel's tsc_freq_khz" : "against CLOCK_MONOTONIC");
	printf("%-8s tick %.2f ns, resolution %.1f ns; empty bracket %.1f ns\n"
	       "%-8s (min %.1f), subtracted from every TSC figure\n", "",
	       tm->tick_ns, tm->resolution_ns, tm->overhead_ns, "",
	       tm->overhead_min_ns);
	printf("\n");
}

static void print_human(const struct out_opts *opts,
			const struct out_selection *sel, struct out_node *root,
			const struct probe_state *s,
			const struct pm_probe_target *t,
			const struct pm_cpu_features *cpu,
			const struct pm_probe_timer *tm,
			const struct skipped *skipped, size_t nr_skipped,
			const struct notes *notes)
{
	if (!opts->noheadings && !opts->raw)
		print_header(t, cpu, tm);
	out_print(stdout, &probe_spec, opts, sel, root);
	if (opts->noheadings || opts->raw)
		return;
	printf("\nLatencies in ns per op (p50: median); BATCH: ns per op issued back\n"
	       "to back; GB/S: bytes per ns of that batched run.\n");
	for (size_t i = 0; i < s->nr_rows; i++) {
		const struct probe_row *row = &s->rows[i];
		char line[600];

		if (!row->error)
			continue;
		snprintf(line, sizeof(line), "%s, %u B, %s: %s",
			 pm_probe_method_name(row->method), row->size,
			 pm_probe_pattern_name(row->pattern), row->error);
		print_wrapped("error", line);
	}
	for (size_t i = 0; i < nr_skipped; i++) {
		char line[600];

		snprintf(line, sizeof(line), "%s: %s",
			 pm_probe_method_name(skipped[i].method), skipped[i].reason);
		print_wrapped("skipped", line);
	}
	for (size_t i = 0; i < notes->nr; i++)
		print_wrapped("note", notes->text[i]);
	for (size_t i = 0; i < s->nr_rows; i++) {
		const struct probe_row *row = &s->rows[i];

		if (!row->histogram)
			continue;
		printf("\n%s, %u B, %s: %zu samples, p50 %.1f ns, to p99\n%s",
		       pm_probe_method_name(row->method), row->size,
		       pm_probe_pattern_name(row->pattern), row->st.count,
		       row->st.p50, row->histogram);
	}
}

/* ----------------------------------------------------------------- main */

struct probe_args {
	enum pm_probe_method methods[PM_PROBE_NR_METHODS];
	size_t nr_methods;
	bool methods_given;
	uint32_t sizes[MAX_SIZES];
	size_t nr_sizes;
	enum pm_probe_pattern patterns[PM_PATTERN_NR];
	size_t nr_patterns;
	unsigned long long iterations;
	bool iterations_given;
	uint64_t duration_ns;
	bool duration_given;
	int cpu;
	struct pm_probe_opts opts;
	bool histogram;
	const char *csv;
	struct out_opts out;
	const char *target;
};

static int parse_args(int argc, char **argv, struct pmemctl_ctx *ctx,
		      struct probe_args *a)
{
	unsigned long long v;
	int c, rc;

	memset(a, 0, sizeof(*a));
	a->cpu = -1;
	a->iterations = DEFAULT_ITERATIONS;
	a->duration_ns = DEFAULT_DURATION_NS;
	for (int i = 0; i < PM_PROBE_NR_METHODS; i++)
		a->methods[a->nr_methods++] = i;
	a->sizes[0] = 64;
	a->sizes[1] = 256;
	a->sizes[2] = 4096;
	a->nr_sizes = 3;
	for (int i = 0; i < PM_PATTERN_NR; i++)
		a->patterns[a->nr_patterns++] = i;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":m:s:p:i:d:c:" OUTPUT_SHORT_OPTS "h",
				options, NULL)) != -1) {
		if (output_option(c, optarg, &a->out))
			continue;
		switch (c) {
		case 'm':
			rc = parse_methods(ctx, optarg, a->methods, &a->nr_methods);
			if (rc)
				return rc;
			a->methods_given = strcmp(optarg, "all") != 0;
			break;
		case 's':
			rc = parse_sizes(ctx, optarg, a->sizes, &a->nr_sizes);
			if (rc)
				return rc;
			break;
		case 'p':
			rc = parse_patterns(ctx, optarg, a->patterns, &a->nr_patterns);
			if (rc)
				return rc;
			break;
		case 'i':
			if (parse_uint(optarg, MAX_ITERATIONS, &v) < 0 || !v)
				return pm_usage_error(ctx, "bad iteration count '%s': 1 to %d",
						      optarg, MAX_ITERATIONS);
			a->iterations = v;
			a->iterations_given = true;
			break;
		case 'd':
			if (parse_duration(optarg, &a->duration_ns) < 0)
				return pm_usage_error(ctx, "bad duration '%s': seconds (2.5, 2.5s) or 500ms",
						      optarg);
			a->duration_given = true;
			break;
		case 'c':
			if (parse_uint(optarg, 1 << 20, &v) < 0)
				return pm_usage_error(ctx, "bad CPU number '%s'", optarg);
			a->cpu = (int)v;
			break;
		case OPT_RANGE:
			if (pm_parse_size(optarg, &a->opts.range) < 0 ||
			    a->opts.range < 4096)
				return pm_usage_error(ctx, "bad range '%s': at least 4K",
						      optarg);
			break;
		case OPT_DESTRUCTIVE:
			a->opts.destructive = true;
			break;
		case OPT_HISTOGRAM:
			a->histogram = true;
			break;
		case OPT_CSV:
			a->csv = optarg;
			break;
		case 'h':
			usage();
			return -1;
		case OPT_LIST_OPTS:
			print_long_opts(options);
			return -1;
		default:
			return pm_bad_option(ctx, c, argv);
		}
	}
	if (a->out.list_columns) {
		out_list_columns(stdout, &probe_spec, a->out.json);
		return -1;
	}
	if (optind == argc)
		return pm_usage_error(ctx, "no target given (a dax or pmem device, namespace, region, file, directory or 'anon')");
	if (optind + 1 < argc)
		return pm_usage_error(ctx, "one target at a time ('%s' is a second one)",
				      argv[optind + 1]);
	a->target = argv[optind];
	/* --iterations alone runs them all; --duration bounds either way. */
	if (a->iterations_given && !a->duration_given)
		a->duration_ns = 0;
	return EXIT_OK;
}

/* Which methods run, which are skipped and why; an exit code. */
static int choose_methods(struct pm_probe *p, const struct probe_args *a,
			  enum pm_probe_method *run, size_t *nr_run,
			  struct skipped *skipped, size_t *nr_skipped)
{
	*nr_run = *nr_skipped = 0;
	for (size_t i = 0; i < a->nr_methods; i++) {
		char why[400];
		int rc = pm_probe_method_available(p, a->methods[i], why, sizeof(why));

		if (!rc) {
			run[(*nr_run)++] = a->methods[i];
			continue;
		}
		if (a->methods_given) {
			pm_error(a->target, "%s: %s", pm_probe_method_name(a->methods[i]),
				 why);
			return rc == -EACCES ? EXIT_PERMISSION : EXIT_UNSUPPORTED;
		}
		skipped[*nr_skipped].method = a->methods[i];
		snprintf(skipped[*nr_skipped].reason, sizeof(skipped->reason), "%s", why);
		(*nr_skipped)++;
	}
	if (!*nr_run) {
		pm_error(a->target, "no method can run here");
		return EXIT_UNSUPPORTED;
	}
	return EXIT_OK;
}

static int open_exit_code(int rc)
{
	switch (-rc) {
	case ENOSPC:
	case ENOMEM:
	case EIO:
		return EXIT_FAIL;
	default:
		return pm_exit_code(rc);
	}
}

int cmd_probe(int argc, char **argv, struct pmemctl_ctx *ctx)
{
	struct probe_state s = { 0 };
	struct probe_args a;
	enum pm_probe_method methods[PM_PROBE_NR_METHODS];
	struct skipped skipped[PM_PROBE_NR_METHODS];
	size_t nr_methods, nr_skipped;
	struct pm_probe_plan plan = { 0 };
	struct pm_cpu_features cpu;
	struct pm_probe_timer tm;
	struct out_node root = { .child_kinds = 1 };
	struct out_selection sel;
	struct notes notes = { 0 };
	struct pm_platform *pf = NULL;
	struct pm_probe *p = NULL;
	struct sigaction sa, old_int, old_term;
	struct json_object *run;
	uint64_t start = pm_probe_now_ns();
	char why[512];
	int rc, exit_code = EXIT_OK;
	bool failed = false;

	rc = parse_args(argc, argv, ctx, &a);
	if (rc)
		return rc < 0 ? EXIT_OK : rc;
	rc = select_columns(ctx, &probe_spec, &a.out, 1, &sel);
	if (rc)
		return rc;
	if (strcmp(a.target, "anon") != 0) {
		pf = pm_ctx_platform(ctx, &exit_code);
		if (!pf)
			return exit_code;
	}
	rc = pm_probe_open(pf, a.target, &a.opts, &p, why, sizeof(why));
	if (rc) {
		pm_error(a.target, "%s", why[0] ? why : strerror(-rc));
		return open_exit_code(rc);
	}
	for (size_t i = 0; i < a.nr_sizes; i++)
		if (a.sizes[i] > pm_probe_target(p)->range) {
			pm_probe_close(p);
			return pm_usage_error(ctx, "size %u is larger than the probed range",
					      a.sizes[i]);
		}
	exit_code = choose_methods(p, &a, methods, &nr_methods, skipped, &nr_skipped);
	if (exit_code)
		goto out;
	rc = pm_probe_setup(p, a.cpu, &tm);
	if (rc) {
		if (rc == -EINVAL) {
			exit_code = pm_usage_error(ctx, "CPU %d is not available to this process",
						   a.cpu);
		} else {
			pm_error(a.target, "cannot pin to a CPU: %s", strerror(-rc));
			exit_code = EXIT_FAIL;
		}
		goto out;
	}
	pm_cpu_features(&cpu);
	if (a.csv) {
		s.csv = fopen(a.csv, "we");
		if (!s.csv) {
			pm_error(a.csv, "%s", strerror(errno));
			exit_code = errno == EACCES ? EXIT_PERMISSION : EXIT_FAIL;
			goto out;
		}
		s.csv_name = a.csv;
		fprintf(s.csv, "method,size,pattern,sample,offset,ticks,ns\n");
	}
	s.histogram = a.histogram;
	s.progress = isatty(STDERR_FILENO);
	s.clock_overhead_ns = tm.clock_overhead_ns;

	plan.methods = methods;
	plan.nr_methods = nr_methods;
	plan.sizes = a.sizes;
	plan.nr_sizes = a.nr_sizes;
	plan.patterns = a.patterns;
	plan.nr_patterns = a.nr_patterns;
	plan.iterations = a.iterations;
	/*
	 * The limit covers the whole command: keep back what the output and
	 * the teardown (unmapping, closing) take.
	 */
	plan.deadline_ns = a.duration_ns ? start + a.duration_ns -
		(a.duration_ns / 20 < 150000000 ? a.duration_ns / 20 : 150000000) : 0;
	plan.stop = &stop_requested;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	rc = pm_probe_run(p, &plan, on_result, progress, &s);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	if (s.progress)
		fprintf(stderr, "\r\033[K");
	if (rc == -EINTR) {
		pm_error(a.target, "interrupted: the results so far follow");
		failed = true;
	} else if (rc) {
		pm_error(a.target, "%s", strerror(-rc));
		exit_code = EXIT_FAIL;
		goto out;
	}
	if (s.csv && (fclose(s.csv) != 0 || s.csv_failed)) {
		pm_error(a.csv, "write error: %s", strerror(errno ? errno : EIO));
		failed = true;
	}
	s.csv = NULL;

	for (size_t i = 0; i < s.nr_rows; i++) {
		failed |= s.rows[i].error != NULL;
		if (!out_node_add(&root, 0, &s.rows[i])) {
			exit_code = EXIT_FAIL;
			goto out;
		}
	}
	make_notes(&s, pm_probe_target(p), &cpu, &tm, &notes);
	if (a.out.json) {
		run = json_object_new_object();
		json_object_object_add(run, "iterations",
				       json_object_new_int64((int64_t)a.iterations));
		json_object_object_add(run, "duration_limit_ms", a.duration_ns ?
				       json_object_new_int64((int64_t)(a.duration_ns / 1000000)) : NULL);
		json_object_object_add(run, "elapsed_ms",
				       json_object_new_int64((int64_t)((pm_probe_now_ns() - start) / 1000000)));
		json_object_object_add(run, "interrupted", json_object_new_boolean(rc == -EINTR));
		if (print_json(&sel, &root, pm_probe_target(p), &cpu, &tm, run,
			       skipped, nr_skipped, &notes) < 0)
			exit_code = EXIT_FAIL;
	} else {
		print_human(&a.out, &sel, &root, &s, pm_probe_target(p), &cpu, &tm,
			    skipped, nr_skipped, &notes);
	}
	if (!exit_code && failed)
		exit_code = EXIT_FAIL;
out:
	if (s.csv)
		fclose(s.csv);
	out_node_free(&root);
	for (size_t i = 0; i < s.nr_rows; i++) {
		free(s.rows[i].error);
		free(s.rows[i].histogram);
	}
	free(s.rows);
	for (size_t i = 0; i < notes.nr; i++)
		free(notes.text[i]);
	pm_probe_close(p);
	return exit_code;
}
