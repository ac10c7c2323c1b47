/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The flush-latency probe: what it costs on a target to make stores durable. */
#ifndef PMEMCTL_PROBE_H
#define PMEMCTL_PROBE_H

#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "doctor.h"
#include "pmem.h"
#include "stats.h"

/* What makes a store durable, in the order the output lists them. */
enum pm_probe_method {
	PM_PROBE_METHOD_STORE,		/* store + sfence: all eADR needs */
	PM_PROBE_METHOD_CLFLUSH,	/* store + clflush */
	PM_PROBE_METHOD_CLFLUSHOPT,	/* store + clflushopt + sfence */
	PM_PROBE_METHOD_CLWB,		/* store + clwb + sfence */
	PM_PROBE_METHOD_NTSTORE,	/* movnti + sfence */
	PM_PROBE_METHOD_MOVDIR64B,	/* movdir64b + sfence */
	PM_PROBE_METHOD_MSYNC,		/* store + msync(MS_SYNC) of the pages */
	PM_PROBE_METHOD_FSYNC,		/* store + fsync of the file or device */
	PM_PROBE_METHOD_DEEP_FLUSH_SYSFS, /* the region's deep_flush attribute */
	PM_PROBE_METHOD_DEEP_FLUSH_FSYNC, /* fsync of the namespace's block device */
	PM_PROBE_METHOD_NR,
};

/* Where in the range each op lands. */
enum pm_probe_pattern {
	PM_PROBE_PATTERN_HOT,		/* the same offset every time */
	PM_PROBE_PATTERN_SEQUENTIAL,	/* one op after the other, wrapping */
	PM_PROBE_PATTERN_RANDOM,	/* a random aligned offset in the range */
	PM_PROBE_PATTERN_NR,
};

/* What the probe maps. */
enum pm_probe_kind {
	PM_PROBE_KIND_ANON,		/* anonymous memory: the DRAM baseline */
	PM_PROBE_KIND_FILE,		/* a file (a temporary one by default) */
	PM_PROBE_KIND_DEVDAX,		/* a device-dax character device */
	PM_PROBE_KIND_BLOCK,		/* a pmem block device (page cache) */
};

/* What cpuid says; the probe never runs an instruction the CPU lacks. */
struct pm_cpu_features {
	bool x86;			/* built for and running on x86-64 */
	bool sse2;			/* movnti, mfence, lfence, sfence */
	bool clflush;
	bool clflushopt;
	bool clwb;
	bool movdir64b;
	bool rdtscp;
	bool invariant_tsc;		/* constant rate, runs in all C-states */
	bool hypervisor;		/* a virtual machine */
	char vendor[13];
};

void pm_cpu_features(struct pm_cpu_features *f);

struct pm_probe_opts {
	uint64_t range;			/* bytes the ops spread over; 0: default */
	bool destructive;		/* write a pattern; probe a busy device */
};

#define PM_PROBE_DEFAULT_RANGE (64ULL << 20)

struct pm_probe_target {
	enum pm_probe_kind kind;
	const char *name;		/* as given */
	char path[PATH_MAX];		/* what is mapped: the file, directory or device */
	char device[256];		/* dax0.0, pmem0, or "ext4 on /mnt" */
	char fs_type[32];		/* the filesystem of a file target */
	bool temporary;			/* a temporary file, already unlinked */
	bool persistent_memory;		/* the bytes live in a pmem region */
	bool dax;			/* loads and stores reach the media directly */
	bool map_sync;			/* mapped with MAP_SYNC */
	bool destructive;
	uint64_t range;			/* bytes mapped and probed */
	uint64_t bad_bytes;		/* bytes of the range skipped: badblocks */
	bool badblocks_checked;		/* the kernel's list could be read */
	int numa_node;			/* of the region; -1 unknown */
	enum pm_domain domain;		/* declared by the region; UNKNOWN if none */
	struct pm_target pmt;		/* region and namespace; region NULL if none */
	char note[320];			/* what the figures stand for, if not obvious */
};

struct pm_probe_timer {
	const char *source;		/* "rdtscp" or "rdtsc" (lfence-bracketed) */
	double tsc_hz;
	const char *calibration;	/* "tsc_freq_khz" or "clock_monotonic" */
	double calibration_ms;		/* how long the calibration ran */
	bool invariant;
	double tick_ns;			/* one TSC increment */
	double resolution_ns;		/* smallest nonzero step between two reads */
	double overhead_min_ns;		/* the empty bracket: fastest */
	double overhead_ns;		/* the empty bracket's p50: subtracted */
	double clock_overhead_ns;	/* p50 of two CLOCK_MONOTONIC reads */
	double clock_resolution_ns;	/* clock_getres(CLOCK_MONOTONIC) */
	int cpu;			/* the CPU the probe is pinned to */
	int cpu_node;			/* its NUMA node; -1 unknown */
};

struct pm_probe;

/*
 * Opens a target: "anon", a region, namespace, /dev/daxX.Y, /dev/pmemN, a
 * file or a directory. Maps the range and faults it in. On error returns
 * -errno and, when there is something to say, a sentence in why:
 * -ENOENT no such target, -ENODEV not a target that can be probed,
 * -EBUSY in use, -EACCES not permitted, -ENOSPC no room for the
 * temporary file, -EINVAL range too small.
 */
int pm_probe_open(const struct pm_platform *pf, const char *name,
		  const struct pm_probe_opts *opts, struct pm_probe **out,
		  char *why, size_t why_len);
void pm_probe_close(struct pm_probe *p);
const struct pm_probe_target *pm_probe_target(const struct pm_probe *p);

/*
 * Pins to cpu (-1: a CPU of the target's NUMA node when known, else the
 * current one), calibrates the TSC and measures the empty bracket.
 * -EINVAL: the CPU is not available to this process.
 */
int pm_probe_setup(struct pm_probe *p, int cpu, struct pm_probe_timer *timer);

/*
 * 0 when the method can run here; otherwise -EOPNOTSUPP (the CPU lacks
 * it, or it does not apply to this target) or -EACCES, with the reason.
 */
int pm_probe_method_available(struct pm_probe *p, enum pm_probe_method m,
			      char *why, size_t why_len);

/* One method x size x pattern, as measured. */
struct pm_probe_result {
	enum pm_probe_method method;
	uint32_t size;
	enum pm_probe_pattern pattern;
	size_t count;			/* samples taken */
	double *ns;			/* count samples: ns, overhead subtracted */
	uint64_t *ticks;		/* the raw bracket in TSC ticks; NULL if clock */
	uint64_t *offsets;		/* the offset of each op in the range */
	bool clock_timed;		/* timed by pm_deep_flush (CLOCK_MONOTONIC) */
	double overhead_ns;		/* subtracted from every sample */
	size_t clamped;			/* samples below the overhead, set to 0 */
	unsigned int migrations;	/* samples dropped: taken on another CPU */
	size_t batch_ops;		/* ops in the batched run; 0: none */
	double batch_ns;		/* its total time */
	int err;			/* errno of a failure (EFAULT: SIGBUS) */
	char message[400];		/* what failed */
};

struct pm_probe_plan {
	const enum pm_probe_method *methods;
	size_t nr_methods;
	const uint32_t *sizes;		/* multiples of 64 */
	size_t nr_sizes;
	const enum pm_probe_pattern *patterns;
	size_t nr_patterns;
	size_t iterations;		/* samples per combination */
	uint64_t deadline_ns;		/* CLOCK_MONOTONIC; 0: no time limit */
	volatile sig_atomic_t *stop;	/* set by a signal handler; may be NULL */
};

/* Called once per combination; the sample arrays live until it returns. */
typedef int (*pm_probe_result_fn)(struct pm_probe_result *r, void *arg);
/* Called before each combination: done of total. */
typedef void (*pm_probe_progress_fn)(size_t done, size_t total,
				     enum pm_probe_method m, uint32_t size,
				     enum pm_probe_pattern pattern, void *arg);

/*
 * Runs every combination of the plan, slicing the time left before the
 * deadline evenly over those still to run. Returns 0, -EINTR when *stop
 * was set, -ENOMEM, or what the result callback returned (< 0).
 * Failures of one combination (SIGBUS, a failed msync) are in its result.
 */
int pm_probe_run(struct pm_probe *p, const struct pm_probe_plan *plan,
		 pm_probe_result_fn result, pm_probe_progress_fn progress,
		 void *arg);

/* One combination as the output and the findings read it. */
struct pm_probe_figures {
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
	char *error;			/* why nothing was measured, or NULL */
	struct pm_histogram histogram;	/* nr_bins 0: none asked for */
};

/*
 * The figures of a result: its statistics (sorting r->ns), and with bins
 * a histogram from the fastest sample to p99 (the tail is one line, not
 * a flattened picture). clock_overhead_ns is the overhead a clock-timed
 * result reports, since nothing is subtracted from it. 0 or -ENOMEM;
 * free with pm_probe_figures_free.
 */
int pm_probe_figures(struct pm_probe_result *r, double clock_overhead_ns,
		     size_t bins, struct pm_probe_figures *f);
void pm_probe_figures_free(struct pm_probe_figures *f);

/*
 * What the figures mean here, and where they disagree with what the
 * platform declares: notes, never a verdict.
 */
struct pm_probe_finding {
	enum pm_severity severity;
	const char *code;		/* stable id: "timer-bound", ... */
	char object[64];		/* the region, "timer" or "cpu" */
	char message[512];
};

#define PM_PROBE_MAX_FINDINGS 8

/* Fills up to max findings from the figures of a run; returns how many. */
size_t pm_probe_findings(const struct pm_probe_figures *figs, size_t nr,
			 const struct pm_probe_target *t,
			 const struct pm_cpu_features *cpu,
			 const struct pm_probe_timer *tm,
			 struct pm_probe_finding *out, size_t max);

const char *pm_probe_method_name(enum pm_probe_method m);
int pm_probe_method_parse(const char *name, enum pm_probe_method *m);
/* The instruction sequence or call a method times, in a few words. */
const char *pm_probe_method_what(enum pm_probe_method m);
const char *pm_probe_pattern_name(enum pm_probe_pattern pattern);
int pm_probe_pattern_parse(const char *name, enum pm_probe_pattern *pattern);
const char *pm_probe_kind_name(enum pm_probe_kind kind);

/* CLOCK_MONOTONIC in ns, the clock of plan.deadline_ns. */
uint64_t pm_probe_now_ns(void);

#endif
