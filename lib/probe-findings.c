// SPDX-License-Identifier: GPL-2.0-or-later
/* What the probe's figures mean, and where they contradict the platform. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe.h"

int pm_probe_figures(struct pm_probe_result *r, double clock_overhead_ns,
		     size_t bins, struct pm_probe_figures *f)
{
	const struct pm_stats *st = &f->st;
	double hi;

	memset(f, 0, sizeof(*f));
	f->method = r->method;
	f->size = r->size;
	f->pattern = r->pattern;
	f->clock_timed = r->clock_timed;
	f->overhead_ns = r->clock_timed ? clock_overhead_ns : r->overhead_ns;
	f->clamped = r->clamped;
	f->migrations = r->migrations;
	f->batch_ops = r->batch_ops;
	f->batch_ns = r->batch_ns;
	if (r->err) {
		f->error = strdup(r->message[0] ? r->message : strerror(r->err));
		return f->error ? 0 : -ENOMEM;
	}
	if (!r->count)
		return 0;
	pm_stats_compute(r->ns, r->count, &f->st);
	f->timer_bound = f->overhead_ns > st->p50 / 2;
	if (!bins)
		return 0;
	/* Up to p99: the tail is one line, not a flattened picture. */
	hi = st->p99 > st->min ? st->p99 : st->max;
	/* Without memory, no histogram (nr_bins 0): the figures stand. */
	pm_histogram_build(r->ns, st->count, st->min, hi, bins, &f->histogram);
	return 0;
}

void pm_probe_figures_free(struct pm_probe_figures *f)
{
	free(f->error);
	f->error = NULL;
	pm_histogram_free(&f->histogram);
}

static void add(struct pm_probe_finding *out, size_t max, size_t *nr,
		enum pm_severity severity, const char *code, const char *object,
		const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));

static void add(struct pm_probe_finding *out, size_t max, size_t *nr,
		enum pm_severity severity, const char *code, const char *object,
		const char *fmt, ...)
{
	struct pm_probe_finding *f;
	va_list ap;

	if (*nr == max)
		return;
	f = &out[(*nr)++];
	f->severity = severity;
	f->code = code;
	snprintf(f->object, sizeof(f->object), "%s", object);
	va_start(ap, fmt);
	vsnprintf(f->message, sizeof(f->message), fmt, ap);
	va_end(ap);
}

/* A measured combination, preferring the sequential pattern, then hot. */
static const struct pm_probe_figures *
find(const struct pm_probe_figures *figs, size_t nr, enum pm_probe_method m,
     uint32_t size)
{
	static const enum pm_probe_pattern order[] = {
		PM_PROBE_PATTERN_SEQUENTIAL, PM_PROBE_PATTERN_HOT,
		PM_PROBE_PATTERN_RANDOM,
	};

	for (size_t o = 0; o < 3; o++)
		for (size_t i = 0; i < nr; i++)
			if (figs[i].method == m && figs[i].size == size &&
			    figs[i].pattern == order[o] && figs[i].st.count)
				return &figs[i];
	return NULL;
}

/*
 * Never a verdict: latency does not decide whether a store is durable,
 * the declared domain does (pmemctl show). Only a DAX mapping of
 * persistent memory says anything about the domain: elsewhere the CPU
 * flushes reach DRAM or the page cache.
 */
size_t pm_probe_findings(const struct pm_probe_figures *figs, size_t nr,
			 const struct pm_probe_target *t,
			 const struct pm_cpu_features *cpu,
			 const struct pm_probe_timer *tm,
			 struct pm_probe_finding *out, size_t max)
{
	static const enum pm_probe_method flushes[] = {
		PM_PROBE_METHOD_CLWB, PM_PROBE_METHOD_CLFLUSHOPT,
		PM_PROBE_METHOD_CLFLUSH,
	};
	const struct pm_probe_figures *store, *flush = NULL;
	size_t timer_bound = 0, clamped = 0, n = 0;
	unsigned int migrations = 0;
	const char *flush_name = NULL, *region;

	for (size_t i = 0; i < nr; i++) {
		timer_bound += figs[i].timer_bound;
		clamped += figs[i].st.count &&
			figs[i].clamped * 100 > figs[i].st.count;
		migrations += figs[i].migrations;
	}
	if (timer_bound)
		add(out, max, &n, PM_SEV_INFO, "timer-bound", "timer",
		    "%zu figure%s timer-bound: the timer's own cost (%.1f ns, subtracted) is more than half of the p50; read them as 'below the timer's resolution'",
		    timer_bound, timer_bound == 1 ? " is" : "s are",
		    tm->overhead_ns);
	if (clamped)
		add(out, max, &n, PM_SEV_INFO, "clamped-samples", "timer",
		    "in %zu result%s more than 1%% of the samples were faster than the median empty bracket and count as 0 ns",
		    clamped, clamped == 1 ? "" : "s");
	if (migrations)
		add(out, max, &n, PM_SEV_INFO, "migrated-samples", "cpu",
		    "%u sample%s taken on another CPU despite the pinning were dropped",
		    migrations, migrations == 1 ? " was" : "s were");
	if (cpu->hypervisor)
		add(out, max, &n, PM_SEV_INFO, "virtual-machine", "cpu",
		    "running in a virtual machine: the figures are those of the host's memory behind the guest's (an emulated NVDIMM is a file in host memory), and flush instructions may be emulated");
	if (!t->persistent_memory || !t->dax)
		return n;
	region = t->pmt.region ? t->pmt.region->dev : "platform";
	if (t->domain == PM_DOMAIN_UNKNOWN) {
		add(out, max, &n, PM_SEV_WARNING, "unknown-domain", region,
		    "the platform declares no persistence domain: treat it as ADR at best (flush every store); the figures cannot tell");
		return n;
	}
	store = find(figs, nr, PM_PROBE_METHOD_STORE, 64);
	for (size_t i = 0; i < 3 && !flush; i++) {
		flush = find(figs, nr, flushes[i], 64);
		flush_name = pm_probe_method_name(flushes[i]);
	}
	if (!store || !flush)
		return n;
	if (t->domain == PM_DOMAIN_CPU_CACHE) {
		double extra = flush->st.p50 - store->st.p50;

		if (extra >= 40 && flush->st.p50 >= 2 * store->st.p50)
			add(out, max, &n, PM_SEV_WARNING, "eadr-flush-costly", region,
			    "consistency: the region declares eADR (cpu_cache), yet %s costs %.0f ns more than a store at 64 B, like a write to the media: check that eADR is enabled in the firmware. On eADR the flush is not needed; latency never decides durability",
			    flush_name, extra);
		else
			add(out, max, &n, PM_SEV_INFO, "eadr-no-flush", region,
			    "the region declares eADR (cpu_cache): store + sfence is all a store needs; the flushes are measured for comparison");
	} else if (t->domain == PM_DOMAIN_MEMORY_CONTROLLER) {
		double floor = tm->resolution_ns > 5 ? tm->resolution_ns : 5;

		if (fabs(flush->st.p50 - store->st.p50) < floor)
			add(out, max, &n, PM_SEV_WARNING, "adr-flush-free", region,
			    "consistency: the region declares ADR (memory_controller), yet %s costs no more than a store at 64 B (%.1f vs %.1f ns p50): the line is not written back anywhere that takes time (an emulated platform, or flush instructions that do nothing). Follow the declared domain: latency never decides durability",
			    flush_name, flush->st.p50, store->st.p50);
	}
	return n;
}
