/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the probe's lib files share: the handle, one run, their helpers. */
#ifndef PMEMCTL_PROBE_INTERNAL_H
#define PMEMCTL_PROBE_INTERNAL_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "probe.h"

#define PROBE_PAGE 4096ULL
#define PROBE_LINE 64
#define PROBE_NO_OFFSET UINT64_MAX

struct pm_probe {
	struct pm_probe_target t;
	struct pm_cpu_features cpu;
	int fd;				/* the file or device; -1 for anon */
	char fd_path[32];		/* /proc/self/fd/N: the file, for fsync */
	char *base;			/* the mapping of t.range bytes */
	uint8_t *bad;			/* per 4 KiB page: 1 = never touched */
	size_t nr_pages;
	double tsc_hz;
	uint64_t overhead_ticks;	/* the empty bracket's p50 */
	double overhead_ns;
	double clock_overhead_ns;
	unsigned int aux;		/* rdtscp's TSC_AUX on the pinned CPU */
	unsigned int migrations;
	bool ready;			/* pm_probe_setup done */
	uint64_t rng;
};

/* One method x size x pattern being measured: what the loops fill. */
struct probe_run {
	struct pm_probe *p;
	uint32_t size;
	enum pm_probe_pattern pattern;
	uint64_t seq;			/* the next sequential offset */
	uint64_t hot;			/* the hot offset */
	size_t n;			/* samples wanted */
	size_t count;			/* samples taken */
	uint64_t *ticks;
	uint64_t *offsets;
	uint64_t end;			/* stop at this TSC value (or ns) */
	char *scratch;			/* what the lines held: rewritten */
	char *pattern_buf;		/* what --destructive writes */
	size_t nb;			/* batched ops */
	uint64_t *boffs;
	char *bsrc;
	uint64_t batch_ticks;
	volatile sig_atomic_t *stop;
	int err;
	enum pm_probe_method method;
	char message[384];
};

/* probe-target.c: the target, its mapping and the pages never to touch. */
int probe_open_target(struct pm_probe *p, const struct pm_platform *pf,
		      const char *name, char *why, size_t why_len);
int probe_alloc_pages(struct pm_probe *p);
void probe_prefault(struct pm_probe *p);
void probe_fill_pattern(char *buf, size_t len);
void probe_sigbus_install(struct sigaction *old);
/* Runs fn with SIGBUS caught: -EFAULT (and the page marked) on a fault. */
int probe_guarded(struct pm_probe *p, void (*fn)(struct probe_run *),
		  struct probe_run *r);

/* probe-timer.c */
double probe_ticks_ns(const struct pm_probe *p, double ticks);

/*
 * probe-loops.c: the timed loops, the only code with x86 intrinsics and
 * target attributes. The TSC bracket: rdtscp when rdtscp is true.
 */
const char *probe_tsc_select(bool rdtscp);
uint64_t probe_tsc_now(void);
/* n empty brackets in ticks, after a round that warms up. */
void probe_tsc_empty(uint64_t *ticks, size_t n);
/* The smallest nonzero step between two reads; UINT64_MAX if none. */
uint64_t probe_tsc_min_step(void);
/* rdtscp's TSC_AUX on this CPU (0 without rdtscp). */
unsigned int probe_tsc_aux(void);
/* Whether this build has a loop for m (the deep flushes always do). */
bool probe_loop_built(enum pm_probe_method m);
/* The samples of r->method, then the batched run and what it copies. */
void probe_sample(struct probe_run *r);
void probe_batch(struct probe_run *r);
void probe_batch_prepare(struct probe_run *r);
/* The pattern's next offset, the first good one; PROBE_NO_OFFSET: none. */
uint64_t probe_next_offset(struct probe_run *r);
uint64_t probe_first_good(struct pm_probe *p, uint32_t size);

#endif
