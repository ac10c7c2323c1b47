// SPDX-License-Identifier: GPL-2.0-or-later
/* pmemctl probe: what it costs on a target to make stores durable. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pmemctl.h"
#include "probe-cli.h"
#include "../lib/pmem.h"

#define DEFAULT_ITERATIONS 10000
#define MAX_SIZES 16
#define MAX_ITERATIONS 10000000
#define DEFAULT_DURATION_NS 5000000000ULL
#define MAX_SIZE (1U << 20)
#define HISTOGRAM_BINS 12

enum {
	OPT_RANGE = OPT_FIRST_COMMAND_OPT,
	OPT_DESTRUCTIVE,
	OPT_HISTOGRAM,
	OPT_CSV,
};

/* The command's options, as cli_parse() fills them (parse_args()). */
struct probe_args {
	enum pm_probe_method methods[PM_PROBE_METHOD_NR];
	size_t nr_methods;
	bool methods_given;
	uint32_t sizes[MAX_SIZES];
	size_t nr_sizes;
	enum pm_probe_pattern patterns[PM_PROBE_PATTERN_NR];
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

static struct probe_args args;

static int option(struct pmemctl_ctx *ctx, void *data, int key, const char *arg);

static const struct cli_option options[] = {
	CLI_HEADING("Options:"),
	OPT_KEY('m', "methods", "LIST", "store,clflush,clflushopt,clwb,ntstore,\n"
		"movdir64b,msync,fsync,deep-flush-sysfs,\n"
		"deep-flush-fsync (default: all that apply)"),
	OPT_KEY('s', "sizes", "LIST", "bytes per op, multiples of 64 (default\n64,256,4K)"),
	OPT_KEY('p', "patterns", "LIST", "hot,sequential,random (default: all)"),
	OPT_KEY('i', "iterations", "N", "samples per combination (default 10000)"),
	OPT_KEY('d', "duration", "SECS", "time limit of the run (default 5, or none\n"
		"with --iterations alone); 500ms works too"),
	OPT_KEY('c', "cpu", "N", "pin to CPU N (default: one on the target's\n"
		"NUMA node, else the current one)"),
	OPT_KEY(OPT_RANGE, "range", "SIZE", "bytes the ops spread over (default 64M)"),
	OPT_FLAG(OPT_DESTRUCTIVE, "destructive", &args.opts.destructive,
		 "write a pattern instead of what the lines\n"
		 "hold; probe a file in place; ignore other\nusers of a device"),
	OPT_FLAG(OPT_HISTOGRAM, "histogram", &args.histogram, "a latency histogram per combination"),
	OPT_STRING(OPT_CSV, "csv", &args.csv, "FILE", "every sample, for plotting"),
	OPT_OUTPUT_GROUP(&args.out),
	CLI_COMMON_OPTIONS,
	CLI_END,
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
	       "\n");
	cli_print_options(stdout, options);
	printf(	       "\n"
	       "Exit: 0 measured, 1 a measurement failed (SIGBUS...), 2 usage,\n"
	       "3 no such target, 4 not permitted, 5 a method asked for is not\n"
	       "available, 6 the device is in use. See pmemctl-probe(1).\n");
}

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
			for (int i = 0; i < PM_PROBE_METHOD_NR; i++)
				methods[(*nr)++] = i;
			continue;
		}
		if (pm_probe_method_parse(tok, &m) < 0) {
			rc = cli_usage_error(ctx, "unknown method '%s'", tok);
			break;
		}
		for (size_t i = 0; i < *nr; i++)
			seen |= methods[i] == m;
		if (!seen)
			methods[(*nr)++] = m;
	}
	free(copy);
	if (!rc && !*nr)
		rc = cli_usage_error(ctx, "no method named after --methods");
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
			for (int i = 0; i < PM_PROBE_PATTERN_NR; i++)
				patterns[(*nr)++] = i;
			continue;
		}
		if (pm_probe_pattern_parse(tok, &pattern) < 0) {
			rc = cli_usage_error(ctx, "unknown pattern '%s': use hot, sequential or random",
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
		rc = cli_usage_error(ctx, "no pattern named after --patterns");
	return rc;
}

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
			rc = cli_usage_error(ctx, "bad size '%s': a multiple of 64 bytes, at most 1M",
					     tok);
			break;
		}
		for (size_t i = 0; i < *nr; i++)
			seen |= sizes[i] == v;
		if (seen)
			continue;
		if (*nr == MAX_SIZES) {
			rc = cli_usage_error(ctx, "too many sizes (at most %d)", MAX_SIZES);
			break;
		}
		sizes[(*nr)++] = (uint32_t)v;
	}
	free(copy);
	if (!rc && !*nr)
		rc = cli_usage_error(ctx, "no size named after --sizes");
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

/* A row per combination; the CSV first, in the order measured. */
static int on_result(struct pm_probe_result *r, void *arg)
{
	struct probe_state *s = arg;

	if (s->nr_rows == s->alloc) {
		size_t alloc = s->alloc ? s->alloc * 2 : 32;
		struct pm_probe_figures *grown = realloc(s->rows,
							 alloc * sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		s->rows = grown;
		s->alloc = alloc;
	}
	if (s->csv && !r->err)
		probe_write_csv(s, r);
	return pm_probe_figures(r, s->clock_overhead_ns,
				s->histogram ? HISTOGRAM_BINS : 0,
				&s->rows[s->nr_rows++]);
}

/* ----------------------------------------------------------------- main */


/* The options whose argument needs more than a row's type. */
static int option(struct pmemctl_ctx *ctx, void *data, int key, const char *arg)
{
	struct probe_args *a = data;
	unsigned long long v;
	int rc;

	switch (key) {
	case 'm':
		rc = parse_methods(ctx, arg, a->methods, &a->nr_methods);
		if (rc)
			return rc;
		a->methods_given = strcmp(arg, "all") != 0;
		return EXIT_OK;
	case 's':
		return parse_sizes(ctx, arg, a->sizes, &a->nr_sizes);
	case 'p':
		return parse_patterns(ctx, arg, a->patterns, &a->nr_patterns);
	case 'i':
		if (parse_uint(arg, MAX_ITERATIONS, &v) < 0 || !v)
			return cli_usage_error(ctx, "bad iteration count '%s': 1 to %d",
					       arg, MAX_ITERATIONS);
		a->iterations = v;
		a->iterations_given = true;
		return EXIT_OK;
	case 'd':
		if (parse_duration(arg, &a->duration_ns) < 0)
			return cli_usage_error(ctx, "bad duration '%s': seconds (2.5, 2.5s) or 500ms",
					       arg);
		a->duration_given = true;
		return EXIT_OK;
	case 'c':
		if (parse_uint(arg, 1 << 20, &v) < 0)
			return cli_usage_error(ctx, "bad CPU number '%s'", arg);
		a->cpu = (int)v;
		return EXIT_OK;
	case OPT_RANGE:
		if (pm_parse_size(arg, &a->opts.range) < 0 || a->opts.range < 4096)
			return cli_usage_error(ctx, "bad range '%s': at least 4K", arg);
		return EXIT_OK;
	default:
		return CLI_GO_ON;
	}
}

/* 0, -1 when the command is done (help), or an exit code. */
static int parse_args(int argc, char **argv, struct pmemctl_ctx *ctx,
		      struct probe_args *a)
{
	/* --list-columns is ours: the spec depends on -J. */
	const struct cli_parser parser = {
		.table = options, .usage = usage, .option = option, .data = a,
	};
	int rc;

	memset(a, 0, sizeof(*a));
	a->cpu = -1;
	a->iterations = DEFAULT_ITERATIONS;
	a->duration_ns = DEFAULT_DURATION_NS;
	for (int i = 0; i < PM_PROBE_METHOD_NR; i++)
		a->methods[a->nr_methods++] = i;
	a->sizes[0] = 64;
	a->sizes[1] = 256;
	a->sizes[2] = 4096;
	a->nr_sizes = 3;
	for (int i = 0; i < PM_PROBE_PATTERN_NR; i++)
		a->patterns[a->nr_patterns++] = i;

	rc = cli_parse(ctx, argc, argv, &parser);
	if (rc != CLI_GO_ON)
		return rc == EXIT_OK ? -1 : rc;
	if (a->out.list_columns) {
		/* The table's columns; in JSON, every key of the document. */
		out_list_columns(stdout, a->out.json ? &probe_document_spec :
				 &probe_spec, a->out.json);
		return -1;
	}
	if (optind == argc)
		return cli_usage_error(ctx, "no target given (a dax or pmem device, namespace, region, file, directory or 'anon')");
	if (optind + 1 < argc)
		return cli_usage_error(ctx, "one target at a time ('%s' is a second one)",
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
			  struct probe_skipped *skipped, size_t *nr_skipped)
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
			cli_error(a->target, "%s: %s", pm_probe_method_name(a->methods[i]),
				  why);
			return rc == -EACCES ? EXIT_PERMISSION : EXIT_UNSUPPORTED;
		}
		skipped[*nr_skipped].method = a->methods[i];
		snprintf(skipped[*nr_skipped].reason, sizeof(skipped->reason), "%s", why);
		(*nr_skipped)++;
	}
	if (!*nr_run) {
		cli_error(a->target, "no method can run here");
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
		return cli_exit_code(rc);
	}
}

static void free_rows(struct probe_state *s)
{
	for (size_t i = 0; i < s->nr_rows; i++)
		pm_probe_figures_free(&s->rows[i]);
	free(s->rows);
}

int cmd_probe(int argc, char **argv, struct pmemctl_ctx *ctx)
{
	struct probe_state s = { 0 };
	struct probe_args *a = &args;
	enum pm_probe_method methods[PM_PROBE_METHOD_NR];
	struct probe_skipped skipped[PM_PROBE_METHOD_NR];
	struct pm_probe_finding findings[PM_PROBE_MAX_FINDINGS];
	size_t nr_methods, nr_skipped;
	struct pm_probe_plan plan = { 0 };
	struct pm_cpu_features cpu;
	struct pm_probe_timer tm;
	struct probe_report rep;
	struct out_selection sel;
	struct pm_platform *pf = NULL;
	struct pm_probe *p = NULL;
	struct sigaction sa, old_int, old_term;
	uint64_t start = pm_probe_now_ns();
	char why[512];
	int rc, exit_code = EXIT_OK;
	bool failed = false;

	rc = parse_args(argc, argv, ctx, a);
	if (rc)
		return rc < 0 ? EXIT_OK : rc;
	rc = select_columns(ctx, &probe_spec, &a->out, 1, &sel);
	if (rc)
		return rc;
	if (strcmp(a->target, "anon") != 0) {
		pf = ctx_platform(ctx, &exit_code);
		if (!pf)
			return exit_code;
	}
	rc = pm_probe_open(pf, a->target, &a->opts, &p, why, sizeof(why));
	if (rc) {
		cli_error(a->target, "%s", why[0] ? why : strerror(-rc));
		return open_exit_code(rc);
	}
	for (size_t i = 0; i < a->nr_sizes; i++)
		if (a->sizes[i] > pm_probe_target(p)->range) {
			pm_probe_close(p);
			return cli_usage_error(ctx, "size %u is larger than the probed range",
					       a->sizes[i]);
		}
	exit_code = choose_methods(p, a, methods, &nr_methods, skipped, &nr_skipped);
	if (exit_code)
		goto out;
	rc = pm_probe_setup(p, a->cpu, &tm);
	if (rc) {
		if (rc == -EINVAL) {
			exit_code = cli_usage_error(ctx, "CPU %d is not available to this process",
						    a->cpu);
		} else {
			cli_error(a->target, "cannot pin to a CPU: %s", strerror(-rc));
			exit_code = EXIT_FAIL;
		}
		goto out;
	}
	pm_cpu_features(&cpu);
	if (a->csv) {
		s.csv = fopen(a->csv, "we");
		if (!s.csv) {
			cli_error(a->csv, "%s", strerror(errno));
			exit_code = errno == EACCES ? EXIT_PERMISSION : EXIT_FAIL;
			goto out;
		}
		fprintf(s.csv, PROBE_CSV_HEADER);
	}
	s.histogram = a->histogram;
	s.progress = isatty(STDERR_FILENO);
	s.clock_overhead_ns = tm.clock_overhead_ns;

	plan.methods = methods;
	plan.nr_methods = nr_methods;
	plan.sizes = a->sizes;
	plan.nr_sizes = a->nr_sizes;
	plan.patterns = a->patterns;
	plan.nr_patterns = a->nr_patterns;
	plan.iterations = a->iterations;
	/*
	 * The limit covers the whole command: keep back what the output and
	 * the teardown (unmapping, closing) take.
	 */
	plan.deadline_ns = a->duration_ns ? start + a->duration_ns -
		(a->duration_ns / 20 < 150000000 ? a->duration_ns / 20 : 150000000) : 0;
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
		cli_error(a->target, "interrupted: the results so far follow");
		failed = true;
	} else if (rc) {
		cli_error(a->target, "%s", strerror(-rc));
		exit_code = EXIT_FAIL;
		goto out;
	}
	if (s.csv && (fclose(s.csv) != 0 || s.csv_failed)) {
		cli_error(a->csv, "write error: %s", strerror(errno ? errno : EIO));
		failed = true;
	}
	s.csv = NULL;

	for (size_t i = 0; i < s.nr_rows; i++)
		failed |= s.rows[i].error != NULL;
	rep = (struct probe_report) {
		.s = &s,
		.t = pm_probe_target(p),
		.cpu = &cpu,
		.tm = &tm,
		.skipped = skipped,
		.nr_skipped = nr_skipped,
		.findings = findings,
		.iterations = a->iterations,
		.duration_ns = a->duration_ns,
		.interrupted = rc == -EINTR,
	};
	rep.nr_findings = pm_probe_findings(s.rows, s.nr_rows, rep.t, &cpu, &tm,
					    findings, PM_PROBE_MAX_FINDINGS);
	probe_report_lists(&rep);
	rep.elapsed_ns = pm_probe_now_ns() - start;
	if ((a->out.json ? probe_print_json(&sel, &rep) :
	     probe_print_human(&a->out, &sel, &rep)) < 0)
		exit_code = EXIT_FAIL;
	if (!exit_code && failed)
		exit_code = EXIT_FAIL;
out:
	if (s.csv)
		fclose(s.csv);
	free_rows(&s);
	pm_probe_close(p);
	return exit_code;
}
