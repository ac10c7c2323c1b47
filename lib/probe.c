// SPDX-License-Identifier: GPL-2.0-or-later
/* The flush-latency probe: names, the handle, and running a plan. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "flush.h"
#include "probe-internal.h"

/* The batched run copies what the lines hold first: bound that copy. */
#define BATCH_MAX_OPS 10000
#define BATCH_MIN_OPS 16		/* even when the slice is spent */
#define BATCH_MAX_BYTES (8ULL << 20)

/* ------------------------------------------------------------- names */

static const char *const method_names[] = {
	[PM_PROBE_METHOD_STORE] = "store",
	[PM_PROBE_METHOD_CLFLUSH] = "clflush",
	[PM_PROBE_METHOD_CLFLUSHOPT] = "clflushopt",
	[PM_PROBE_METHOD_CLWB] = "clwb",
	[PM_PROBE_METHOD_NTSTORE] = "ntstore",
	[PM_PROBE_METHOD_MOVDIR64B] = "movdir64b",
	[PM_PROBE_METHOD_MSYNC] = "msync",
	[PM_PROBE_METHOD_FSYNC] = "fsync",
	[PM_PROBE_METHOD_DEEP_FLUSH_SYSFS] = "deep-flush-sysfs",
	[PM_PROBE_METHOD_DEEP_FLUSH_FSYNC] = "deep-flush-fsync",
};

static const char *const method_whats[] = {
	[PM_PROBE_METHOD_STORE] = "store + sfence",
	[PM_PROBE_METHOD_CLFLUSH] = "store + clflush",
	[PM_PROBE_METHOD_CLFLUSHOPT] = "store + clflushopt + sfence",
	[PM_PROBE_METHOD_CLWB] = "store + clwb + sfence",
	[PM_PROBE_METHOD_NTSTORE] = "non-temporal store (movnti) + sfence",
	[PM_PROBE_METHOD_MOVDIR64B] = "movdir64b + sfence",
	[PM_PROBE_METHOD_MSYNC] = "store + msync(MS_SYNC) of its pages",
	[PM_PROBE_METHOD_FSYNC] = "store + fsync",
	[PM_PROBE_METHOD_DEEP_FLUSH_SYSFS] = "write 1 to the region's deep_flush",
	[PM_PROBE_METHOD_DEEP_FLUSH_FSYNC] = "fsync of the namespace's block device",
};

static const char *const pattern_names[] = {
	[PM_PROBE_PATTERN_HOT] = "hot",
	[PM_PROBE_PATTERN_SEQUENTIAL] = "sequential",
	[PM_PROBE_PATTERN_RANDOM] = "random",
};

const char *pm_probe_method_name(enum pm_probe_method m)
{
	return m < PM_PROBE_METHOD_NR ? method_names[m] : "?";
}

const char *pm_probe_method_what(enum pm_probe_method m)
{
	return m < PM_PROBE_METHOD_NR ? method_whats[m] : "?";
}

int pm_probe_method_parse(const char *name, enum pm_probe_method *m)
{
	for (int i = 0; i < PM_PROBE_METHOD_NR; i++)
		if (strcmp(name, method_names[i]) == 0) {
			*m = i;
			return 0;
		}
	return -EINVAL;
}

const char *pm_probe_pattern_name(enum pm_probe_pattern pattern)
{
	return pattern < PM_PROBE_PATTERN_NR ? pattern_names[pattern] : "?";
}

int pm_probe_pattern_parse(const char *name, enum pm_probe_pattern *pattern)
{
	for (int i = 0; i < PM_PROBE_PATTERN_NR; i++)
		if (strcmp(name, pattern_names[i]) == 0) {
			*pattern = i;
			return 0;
		}
	return -EINVAL;
}

const char *pm_probe_kind_name(enum pm_probe_kind kind)
{
	static const char *const names[] = {
		[PM_PROBE_KIND_ANON] = "anon",
		[PM_PROBE_KIND_FILE] = "file",
		[PM_PROBE_KIND_DEVDAX] = "devdax",
		[PM_PROBE_KIND_BLOCK] = "blockdev",
	};

	return names[kind];
}

/* ----------------------------------------------------------- the handle */

int pm_probe_open(const struct pm_platform *pf, const char *name,
		  const struct pm_probe_opts *opts, struct pm_probe **out,
		  char *why, size_t why_len)
{
	struct pm_probe *p = calloc(1, sizeof(*p));
	int rc;

	*out = NULL;
	pm_explain(why, why_len, 0, "%s", "");
	if (!p)
		return -ENOMEM;
	p->fd = -1;
	p->t.name = name;
	p->t.numa_node = -1;
	p->t.destructive = opts->destructive;
	p->t.range = opts->range ? opts->range : PM_PROBE_DEFAULT_RANGE;
	p->t.range &= ~(PROBE_PAGE - 1);
	p->rng = 0x9e3779b97f4a7c15ULL;
	pm_cpu_features(&p->cpu);
	if (!p->cpu.x86 || !p->cpu.sse2) {
		free(p);
		return pm_explain(why, why_len, -EOPNOTSUPP,
				  "the probe needs an x86-64 CPU");
	}
	if (!p->t.range) {
		free(p);
		return pm_explain(why, why_len, -EINVAL,
				  "the range must be at least a page (4096 bytes)");
	}
	rc = probe_open_target(p, pf, name, why, why_len);
	if (!rc && !p->bad)
		rc = probe_alloc_pages(p);
	if (rc) {
		pm_probe_close(p);
		return rc;
	}
	probe_prefault(p);
	/* A test hook: a file that shrinks under its mapping faults. */
	if (getenv("PMEMCTL_PROBE_TEST_SIGBUS") && p->t.kind == PM_PROBE_KIND_FILE &&
	    p->t.temporary && ftruncate(p->fd, (off_t)(p->t.range / 2)) < 0) {
		pm_probe_close(p);
		return -errno;
	}
	*out = p;
	return 0;
}

void pm_probe_close(struct pm_probe *p)
{
	if (!p)
		return;
	if (p->base)
		munmap(p->base, p->t.range);
	if (p->fd >= 0)
		close(p->fd);
	free(p->bad);
	free(p);
}

const struct pm_probe_target *pm_probe_target(const struct pm_probe *p)
{
	return &p->t;
}

/* --------------------------------------------------------- availability */

int pm_probe_method_available(struct pm_probe *p, enum pm_probe_method m,
			      char *why, size_t why_len)
{
	static const char *const cpuid_bits[] = {
		[PM_PROBE_METHOD_CLFLUSH] = "CLFSH, cpuid 1:EDX[19]",
		[PM_PROBE_METHOD_CLFLUSHOPT] = "CLFLUSHOPT, cpuid 7:EBX[23]",
		[PM_PROBE_METHOD_CLWB] = "CLWB, cpuid 7:EBX[24]",
		[PM_PROBE_METHOD_NTSTORE] = "SSE2, cpuid 1:EDX[26]",
		[PM_PROBE_METHOD_MOVDIR64B] = "MOVDIR64B, cpuid 7:ECX[28]",
	};
	const struct pm_cpu_features *f = &p->cpu;
	struct pm_flush_result r;
	bool has = true;

	pm_explain(why, why_len, 0, "%s", "");
	switch (m) {
	case PM_PROBE_METHOD_STORE:
		return 0;
	case PM_PROBE_METHOD_CLFLUSH:
		has = f->clflush;
		break;
	case PM_PROBE_METHOD_CLFLUSHOPT:
		has = f->clflushopt;
		break;
	case PM_PROBE_METHOD_CLWB:
		has = f->clwb;
		break;
	case PM_PROBE_METHOD_NTSTORE:
		has = f->sse2;
		break;
	case PM_PROBE_METHOD_MOVDIR64B:
		has = f->movdir64b;
		break;
	case PM_PROBE_METHOD_MSYNC:
	case PM_PROBE_METHOD_FSYNC:
		if (p->t.kind == PM_PROBE_KIND_FILE || p->t.kind == PM_PROBE_KIND_BLOCK)
			return 0;
		return pm_explain(why, why_len, -EOPNOTSUPP, "%s",
				  p->t.kind == PM_PROBE_KIND_ANON ?
				  "anonymous memory has nothing to sync to" :
				  "device-dax has no msync or fsync: the CPU flush (or the region's deep flush) is all there is");
	case PM_PROBE_METHOD_DEEP_FLUSH_SYSFS:
	case PM_PROBE_METHOD_DEEP_FLUSH_FSYNC:
		if (!p->t.pmt.region)
			return pm_explain(why, why_len, -EOPNOTSUPP,
					  "not on persistent memory: no region to flush");
		pm_deep_flush(&p->t.pmt, m == PM_PROBE_METHOD_DEEP_FLUSH_SYSFS ?
			      PM_METHOD_SYSFS : PM_METHOD_FSYNC, true, &r);
		switch (r.outcome) {
		case PM_OUTCOME_DRY_RUN:
			return 0;
		case PM_OUTCOME_NOT_PERMITTED:
			return pm_explain(why, why_len, -EACCES,
					  "not permitted: %s", r.message);
		case PM_OUTCOME_NOT_NEEDED:
			return pm_explain(why, why_len, -EOPNOTSUPP,
					  "not needed: %s", r.message);
		default:
			return pm_explain(why, why_len, -EOPNOTSUPP, "%s",
					  r.message);
		}
	default:
		return -EINVAL;
	}
	if (!has)
		return pm_explain(why, why_len, -EOPNOTSUPP,
				  "the CPU lacks it (%s)", cpuid_bits[m]);
	return 0;
}

/* ------------------------------------------------------------- the run */

static uint64_t slice_end(const struct pm_probe *p, bool clock, uint64_t start,
			  uint64_t slice_ns, double fraction)
{
	double add;

	if (slice_ns == UINT64_MAX)
		return UINT64_MAX;
	add = (double)slice_ns * fraction;
	if (!clock)
		add = add * p->tsc_hz / 1e9;
	return start + (uint64_t)add;
}

static void free_run(struct probe_run *r)
{
	free(r->ticks);
	free(r->offsets);
	free(r->scratch);
	free(r->pattern_buf);
	free(r->boffs);
	free(r->bsrc);
}

static int run_one(struct pm_probe *p, const struct pm_probe_plan *plan,
		   struct probe_run *r, struct pm_probe_result *res,
		   uint64_t slice_ns)
{
	bool clock = r->method >= PM_PROBE_METHOD_DEEP_FLUSH_SYSFS;
	uint64_t start = clock ? pm_probe_now_ns() : probe_tsc_now();
	size_t warm = plan->iterations / 10;
	int rc;

	r->ticks = malloc(plan->iterations * sizeof(uint64_t));
	r->offsets = malloc(plan->iterations * sizeof(uint64_t));
	r->scratch = aligned_alloc(PROBE_LINE, r->size);
	r->pattern_buf = aligned_alloc(PROBE_LINE, r->size);
	if (!r->ticks || !r->offsets || !r->scratch || !r->pattern_buf)
		return -ENOMEM;
	probe_fill_pattern(r->pattern_buf, r->size);
	r->hot = probe_first_good(p, r->size);

	/* Warm-up: caches, TLB, branch predictors, the syscall path. */
	r->n = warm < 10 ? 10 : warm > 1000 ? 1000 : warm;
	if (r->n > plan->iterations)
		r->n = plan->iterations;
	r->end = slice_end(p, clock, start, slice_ns, 0.1);
	rc = probe_guarded(p, probe_sample, r);
	if (!rc && !r->err) {
		r->count = 0;
		r->n = plan->iterations;
		r->end = slice_end(p, clock, start, slice_ns, 0.8);
		rc = probe_guarded(p, probe_sample, r);
	}
	if (rc || r->err) {
		res->err = rc ? -rc : r->err;
		if (!r->message[0])
			snprintf(r->message, sizeof(r->message), "%s",
				 r->err == EIO && !rc ?
				 "no offset of this size is free of badblocks" :
				 strerror(res->err));
		snprintf(res->message, sizeof(res->message), "%s", r->message);
		r->count = 0;
		return 0;
	}

	/*
	 * Batched: the same ops back to back, one bracket around them all,
	 * with what the lines hold copied first, as many as the time left
	 * in the slice allows (judged by the samples' mean).
	 */
	if (!clock && r->count) {
		uint64_t now = probe_tsc_now();
		uint64_t end = slice_end(p, false, start, slice_ns, 1.0);
		double sum = 0, mean_ticks;
		size_t nb = r->count;

		for (size_t i = 0; i < r->count; i++)
			sum += (double)r->ticks[i];
		mean_ticks = sum / (double)r->count;
		if (nb > BATCH_MAX_OPS)
			nb = BATCH_MAX_OPS;
		if (nb > BATCH_MAX_BYTES / r->size)
			nb = BATCH_MAX_BYTES / r->size;
		if (end != UINT64_MAX) {
			double fit = end > now ? (double)(end - now) / (2 * mean_ticks) : 0;

			/*
			 * A few ops past the slice rather than no figure: a
			 * busy machine (preemption) can eat the whole slice.
			 */
			if (fit < BATCH_MIN_OPS)
				fit = BATCH_MIN_OPS;
			if ((double)nb > fit)
				nb = (size_t)fit;
		}
		r->nb = nb;
		r->boffs = malloc((nb ? nb : 1) * sizeof(uint64_t));
		r->bsrc = malloc((nb ? nb : 1) * (size_t)r->size);
		if (!r->boffs || !r->bsrc)
			return -ENOMEM;
		for (size_t k = 0; k < nb; k++) {
			r->boffs[k] = probe_next_offset(r);
			if (r->boffs[k] == PROBE_NO_OFFSET) {
				r->nb = 0;
				break;
			}
		}
	}
	return 0;
}

static int run_batch(struct pm_probe *p, struct probe_run *r,
		     struct pm_probe_result *res)
{
	int rc;

	if (!r->nb)
		return 0;
	rc = probe_guarded(p, probe_batch_prepare, r);
	if (!rc)
		rc = probe_guarded(p, probe_batch, r);
	if (rc || r->err) {
		res->err = rc ? -rc : r->err;
		snprintf(res->message, sizeof(res->message), "batched run: %s",
			 r->message[0] ? r->message : strerror(res->err));
		return 0;
	}
	res->batch_ops = r->nb;
	res->batch_ns = probe_ticks_ns(p, (double)r->batch_ticks) -
		p->overhead_ns;
	if (res->batch_ns < 0)
		res->batch_ns = 0;
	return 0;
}

int pm_probe_run(struct pm_probe *p, const struct pm_probe_plan *plan,
		 pm_probe_result_fn result, pm_probe_progress_fn progress,
		 void *arg)
{
	size_t total = plan->nr_methods * plan->nr_sizes * plan->nr_patterns;
	unsigned int migrations = p->migrations;
	size_t done = 0;
	struct sigaction old;
	int rc = 0;

	if (!p->ready || !plan->iterations)
		return -EINVAL;
	probe_sigbus_install(&old);
	for (size_t mi = 0; mi < plan->nr_methods && !rc; mi++)
	for (size_t si = 0; si < plan->nr_sizes && !rc; si++)
	for (size_t pi = 0; pi < plan->nr_patterns && !rc; pi++, done++) {
		enum pm_probe_method m = plan->methods[mi];
		struct pm_probe_result res;
		struct probe_run r;
		uint64_t slice = UINT64_MAX;
		bool clock = m >= PM_PROBE_METHOD_DEEP_FLUSH_SYSFS;

		if (plan->stop && *plan->stop) {
			rc = -EINTR;
			break;
		}
		if (progress)
			progress(done, total, m, plan->sizes[si],
				 plan->patterns[pi], arg);
		if (plan->deadline_ns) {
			uint64_t now = pm_probe_now_ns();

			slice = plan->deadline_ns > now ?
				(plan->deadline_ns - now) / (total - done) : 0;
		}
		memset(&r, 0, sizeof(r));
		memset(&res, 0, sizeof(res));
		r.p = p;
		r.method = m;
		r.size = plan->sizes[si];
		r.pattern = plan->patterns[pi];
		r.stop = plan->stop;
		res.method = m;
		res.size = r.size;
		res.pattern = r.pattern;
		res.clock_timed = clock;
		if (r.size < PROBE_LINE || r.size % PROBE_LINE || r.size > p->t.range) {
			res.err = EINVAL;
			snprintf(res.message, sizeof(res.message),
				 "size %u is not a multiple of 64 within the range",
				 r.size);
		} else if (!probe_loop_built(m)) {
			res.err = EOPNOTSUPP;
			snprintf(res.message, sizeof(res.message), "not built for this CPU");
		} else {
			rc = run_one(p, plan, &r, &res, slice);
			if (!rc && !res.err && !clock)
				rc = run_batch(p, &r, &res);
		}
		res.migrations = p->migrations - migrations;
		migrations = p->migrations;
		if (!rc && !res.err) {
			res.count = r.count;
			res.offsets = r.offsets;
			res.ns = malloc((r.count ? r.count : 1) * sizeof(double));
			if (!res.ns)
				rc = -ENOMEM;
		}
		if (!rc && !res.err) {
			if (clock) {
				for (size_t i = 0; i < r.count; i++)
					res.ns[i] = (double)r.ticks[i];
			} else {
				res.ticks = r.ticks;
				res.overhead_ns = p->overhead_ns;
				for (size_t i = 0; i < r.count; i++) {
					if (r.ticks[i] < p->overhead_ticks) {
						res.ns[i] = 0;
						res.clamped++;
					} else {
						res.ns[i] = probe_ticks_ns(p, (double)(r.ticks[i] -
							    p->overhead_ticks));
					}
				}
			}
		}
		if (!rc)
			rc = result(&res, arg);
		free(res.ns);
		free_run(&r);
	}
	sigaction(SIGBUS, &old, NULL);
	return rc > 0 ? 0 : rc;
}
