// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests: the probe's findings, each rule firing and not, on made-up figures. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "lib/probe.h"

#define MAX_FIGS 16

/* A run as the findings see it: figures, target, CPU and timer. */
struct scene {
	struct pm_probe_figures figs[MAX_FIGS];
	size_t nr;
	struct pm_region region;
	struct pm_probe_target t;
	struct pm_cpu_features cpu;
	struct pm_probe_timer tm;
	struct pm_probe_finding out[PM_PROBE_MAX_FINDINGS];
	size_t nr_out;
};

/* Nothing to say: a DRAM baseline, quick timer, every figure clean. */
static void scene_init(struct scene *s)
{
	memset(s, 0, sizeof(*s));
	s->region.dev = "region0";
	s->region.type = "pmem";
	s->t.kind = PM_PROBE_KIND_ANON;
	s->t.name = "anon";
	s->tm.overhead_ns = 10;
	s->tm.resolution_ns = 1;
}

/* A DAX mapping of persistent memory in a region declaring domain. */
static void scene_pmem(struct scene *s, enum pm_domain domain)
{
	s->t.kind = PM_PROBE_KIND_DEVDAX;
	s->t.name = "/dev/dax0.0";
	s->t.persistent_memory = true;
	s->t.dax = true;
	s->t.domain = domain;
	s->region.domain = domain;
	s->t.pmt.region = &s->region;
}

static struct pm_probe_figures *fig(struct scene *s, enum pm_probe_method m,
				    uint32_t size, enum pm_probe_pattern pattern,
				    size_t count, double p50)
{
	struct pm_probe_figures *f = &s->figs[s->nr++];

	f->method = m;
	f->size = size;
	f->pattern = pattern;
	f->st.count = count;
	f->st.min = f->st.p50 = f->st.max = f->st.mean = p50;
	return f;
}

static void run(struct scene *s)
{
	s->nr_out = pm_probe_findings(s->figs, s->nr, &s->t, &s->cpu, &s->tm,
				      s->out, PM_PROBE_MAX_FINDINGS);
}

/* The only finding is code, with exactly this severity and message. */
static void only(const struct scene *s, const char *what, const char *code,
		 enum pm_severity severity, const char *message)
{
	ok(s->nr_out == 1 && strcmp(s->out[0].code, code) == 0 &&
	   s->out[0].severity == severity,
	   "%s: one finding, %s (got %zu: %s)", what, code, s->nr_out,
	   s->nr_out ? s->out[0].code : "none");
	ok(s->nr_out >= 1 && strcmp(s->out[0].message, message) == 0,
	   "%s: the note word for word (got \"%s\")", what,
	   s->nr_out ? s->out[0].message : "");
}

static void none(const struct scene *s, const char *what)
{
	ok(s->nr_out == 0, "%s: no finding (got %zu%s%s)", what, s->nr_out,
	   s->nr_out ? ": " : "", s->nr_out ? s->out[0].code : "");
}

static void test_timer_bound(void)
{
	struct scene s;

	scene_init(&s);
	fig(&s, PM_PROBE_METHOD_STORE, 64, PM_PROBE_PATTERN_HOT, 100, 30);
	run(&s);
	none(&s, "no figure timer-bound");

	scene_init(&s);
	s.tm.overhead_ns = 12.34;
	fig(&s, PM_PROBE_METHOD_STORE, 64, PM_PROBE_PATTERN_HOT, 100, 10)->timer_bound = true;
	fig(&s, PM_PROBE_METHOD_CLWB, 64, PM_PROBE_PATTERN_HOT, 100, 90);
	run(&s);
	only(&s, "one figure timer-bound", "timer-bound", PM_SEV_INFO,
	     "1 figure is timer-bound: the timer's own cost (12.3 ns, subtracted) is more than half of the p50; read them as 'below the timer's resolution'");

	scene_init(&s);
	s.tm.overhead_ns = 40;
	for (int i = 0; i < 3; i++)
		fig(&s, PM_PROBE_METHOD_STORE, 64, i, 100, 10)->timer_bound = true;
	run(&s);
	only(&s, "three figures timer-bound", "timer-bound", PM_SEV_INFO,
	     "3 figures are timer-bound: the timer's own cost (40.0 ns, subtracted) is more than half of the p50; read them as 'below the timer's resolution'");
}

static void test_clamped(void)
{
	struct scene s;

	/* 1% exactly is not more than 1%; an unmeasured row never counts. */
	scene_init(&s);
	fig(&s, PM_PROBE_METHOD_STORE, 64, PM_PROBE_PATTERN_HOT, 1000, 30)->clamped = 10;
	fig(&s, PM_PROBE_METHOD_CLWB, 64, PM_PROBE_PATTERN_HOT, 0, 0)->clamped = 5;
	run(&s);
	none(&s, "1% of the samples clamped");

	scene_init(&s);
	fig(&s, PM_PROBE_METHOD_STORE, 64, PM_PROBE_PATTERN_HOT, 1000, 30)->clamped = 11;
	fig(&s, PM_PROBE_METHOD_CLWB, 64, PM_PROBE_PATTERN_HOT, 1000, 90)->clamped = 3;
	run(&s);
	only(&s, "one result over 1% clamped", "clamped-samples", PM_SEV_INFO,
	     "in 1 result more than 1% of the samples were faster than the median empty bracket and count as 0 ns");

	scene_init(&s);
	fig(&s, PM_PROBE_METHOD_STORE, 64, PM_PROBE_PATTERN_HOT, 100, 30)->clamped = 2;
	fig(&s, PM_PROBE_METHOD_CLWB, 64, PM_PROBE_PATTERN_HOT, 100, 90)->clamped = 50;
	run(&s);
	only(&s, "two results over 1% clamped", "clamped-samples", PM_SEV_INFO,
	     "in 2 results more than 1% of the samples were faster than the median empty bracket and count as 0 ns");
}

static void test_migrations(void)
{
	struct scene s;

	scene_init(&s);
	fig(&s, PM_PROBE_METHOD_STORE, 64, PM_PROBE_PATTERN_HOT, 100, 30)->migrations = 1;
	run(&s);
	only(&s, "one sample migrated", "migrated-samples", PM_SEV_INFO,
	     "1 sample was taken on another CPU despite the pinning were dropped");

	scene_init(&s);
	fig(&s, PM_PROBE_METHOD_STORE, 64, PM_PROBE_PATTERN_HOT, 100, 30)->migrations = 2;
	fig(&s, PM_PROBE_METHOD_CLWB, 64, PM_PROBE_PATTERN_HOT, 100, 90)->migrations = 3;
	run(&s);
	only(&s, "five samples migrated", "migrated-samples", PM_SEV_INFO,
	     "5 samples were taken on another CPU despite the pinning were dropped");
}

static void test_hypervisor(void)
{
	struct scene s;

	scene_init(&s);
	s.cpu.hypervisor = true;
	run(&s);
	only(&s, "in a virtual machine", "virtual-machine", PM_SEV_INFO,
	     "running in a virtual machine: the figures are those of the host's memory behind the guest's (an emulated NVDIMM is a file in host memory), and flush instructions may be emulated");
}

static const char eadr_ok[] =
	"the region declares eADR (cpu_cache): store + sfence is all a store needs; the flushes are measured for comparison";

static void test_domain(void)
{
	struct scene s;

	/* Off persistent memory, or not DAX: the domain is not judged. */
	scene_init(&s);
	scene_pmem(&s, PM_DOMAIN_UNKNOWN);
	s.t.persistent_memory = false;
	run(&s);
	none(&s, "unknown domain, not persistent memory");
	scene_init(&s);
	scene_pmem(&s, PM_DOMAIN_UNKNOWN);
	s.t.dax = false;
	run(&s);
	none(&s, "unknown domain, not DAX");

	scene_init(&s);
	scene_pmem(&s, PM_DOMAIN_UNKNOWN);
	fig(&s, PM_PROBE_METHOD_STORE, 64, PM_PROBE_PATTERN_HOT, 100, 30);
	fig(&s, PM_PROBE_METHOD_CLWB, 64, PM_PROBE_PATTERN_HOT, 100, 30);
	run(&s);
	only(&s, "unknown domain", "unknown-domain", PM_SEV_WARNING,
	     "the platform declares no persistence domain: treat it as ADR at best (flush every store); the figures cannot tell");
	ok(strcmp(s.out[0].object, "region0") == 0, "unknown domain: about the region (got %s)",
	   s.out[0].object);

	/* Declared none: nothing to compare the figures with. */
	scene_init(&s);
	scene_pmem(&s, PM_DOMAIN_NONE);
	fig(&s, PM_PROBE_METHOD_STORE, 64, PM_PROBE_PATTERN_HOT, 100, 30);
	fig(&s, PM_PROBE_METHOD_CLWB, 64, PM_PROBE_PATTERN_HOT, 100, 30);
	run(&s);
	none(&s, "domain none");
}

static void test_eadr(void)
{
	struct scene s;

	/* No store or no flush at 64 B measured: nothing to compare. */
	scene_init(&s);
	scene_pmem(&s, PM_DOMAIN_CPU_CACHE);
	fig(&s, PM_PROBE_METHOD_STORE, 64, PM_PROBE_PATTERN_HOT, 100, 30);
	fig(&s, PM_PROBE_METHOD_CLWB, 256, PM_PROBE_PATTERN_HOT, 100, 300);
	fig(&s, PM_PROBE_METHOD_CLWB, 64, PM_PROBE_PATTERN_HOT, 0, 0);
	run(&s);
	none(&s, "eADR, no flush at 64 B measured");
	scene_init(&s);
	scene_pmem(&s, PM_DOMAIN_CPU_CACHE);
	fig(&s, PM_PROBE_METHOD_CLWB, 64, PM_PROBE_PATTERN_HOT, 100, 300);
	run(&s);
	none(&s, "eADR, no store measured");

	scene_init(&s);
	scene_pmem(&s, PM_DOMAIN_CPU_CACHE);
	fig(&s, PM_PROBE_METHOD_STORE, 64, PM_PROBE_PATTERN_HOT, 100, 30);
	fig(&s, PM_PROBE_METHOD_CLWB, 64, PM_PROBE_PATTERN_HOT, 100, 35);
	run(&s);
	only(&s, "eADR, the flush cheap", "eadr-no-flush", PM_SEV_INFO, eadr_ok);

	/* 40 ns more but not twice the store: still like a cache. */
	scene_init(&s);
	scene_pmem(&s, PM_DOMAIN_CPU_CACHE);
	fig(&s, PM_PROBE_METHOD_STORE, 64, PM_PROBE_PATTERN_HOT, 100, 50);
	fig(&s, PM_PROBE_METHOD_CLWB, 64, PM_PROBE_PATTERN_HOT, 100, 95);
	run(&s);
	only(&s, "eADR, 45 ns more but under twice", "eadr-no-flush", PM_SEV_INFO, eadr_ok);
	/* Twice the store but under 40 ns more: also not the media. */
	scene_init(&s);
	scene_pmem(&s, PM_DOMAIN_CPU_CACHE);
	fig(&s, PM_PROBE_METHOD_STORE, 64, PM_PROBE_PATTERN_HOT, 100, 20);
	fig(&s, PM_PROBE_METHOD_CLWB, 64, PM_PROBE_PATTERN_HOT, 100, 59);
	run(&s);
	only(&s, "eADR, twice but 39 ns more", "eadr-no-flush", PM_SEV_INFO, eadr_ok);

	scene_init(&s);
	scene_pmem(&s, PM_DOMAIN_CPU_CACHE);
	fig(&s, PM_PROBE_METHOD_STORE, 64, PM_PROBE_PATTERN_HOT, 100, 20);
	fig(&s, PM_PROBE_METHOD_CLWB, 64, PM_PROBE_PATTERN_HOT, 100, 60);
	run(&s);
	only(&s, "eADR, the flush like a media write", "eadr-flush-costly", PM_SEV_WARNING,
	     "consistency: the region declares eADR (cpu_cache), yet clwb costs 40 ns more than a store at 64 B, like a write to the media: check that eADR is enabled in the firmware. On eADR the flush is not needed; latency never decides durability");

	/*
	 * clwb before clflushopt before clflush; the sequential pattern
	 * before hot before random.
	 */
	scene_init(&s);
	scene_pmem(&s, PM_DOMAIN_CPU_CACHE);
	fig(&s, PM_PROBE_METHOD_STORE, 64, PM_PROBE_PATTERN_RANDOM, 100, 500);
	fig(&s, PM_PROBE_METHOD_STORE, 64, PM_PROBE_PATTERN_HOT, 100, 100);
	fig(&s, PM_PROBE_METHOD_STORE, 64, PM_PROBE_PATTERN_SEQUENTIAL, 0, 0);
	fig(&s, PM_PROBE_METHOD_CLFLUSH, 64, PM_PROBE_PATTERN_HOT, 100, 100);
	fig(&s, PM_PROBE_METHOD_CLFLUSHOPT, 64, PM_PROBE_PATTERN_HOT, 100, 900);
	fig(&s, PM_PROBE_METHOD_CLFLUSHOPT, 64, PM_PROBE_PATTERN_SEQUENTIAL, 100, 312.4);
	run(&s);
	only(&s, "eADR: clflushopt sequential vs store hot", "eadr-flush-costly", PM_SEV_WARNING,
	     "consistency: the region declares eADR (cpu_cache), yet clflushopt costs 212 ns more than a store at 64 B, like a write to the media: check that eADR is enabled in the firmware. On eADR the flush is not needed; latency never decides durability");
}

static void test_adr(void)
{
	struct scene s;

	scene_init(&s);
	scene_pmem(&s, PM_DOMAIN_MEMORY_CONTROLLER);
	fig(&s, PM_PROBE_METHOD_STORE, 64, PM_PROBE_PATTERN_HOT, 100, 30);
	fig(&s, PM_PROBE_METHOD_CLWB, 64, PM_PROBE_PATTERN_HOT, 100, 35);
	run(&s);
	none(&s, "ADR, the flush 5 ns dearer");

	scene_init(&s);
	scene_pmem(&s, PM_DOMAIN_MEMORY_CONTROLLER);
	fig(&s, PM_PROBE_METHOD_STORE, 64, PM_PROBE_PATTERN_HOT, 100, 30);
	fig(&s, PM_PROBE_METHOD_CLWB, 64, PM_PROBE_PATTERN_HOT, 100, 34.94);
	run(&s);
	only(&s, "ADR, the flush as cheap as a store", "adr-flush-free", PM_SEV_WARNING,
	     "consistency: the region declares ADR (memory_controller), yet clwb costs no more than a store at 64 B (34.9 vs 30.0 ns p50): the line is not written back anywhere that takes time (an emulated platform, or flush instructions that do nothing). Follow the declared domain: latency never decides durability");

	/* A coarse timer widens what counts as no difference. */
	scene_init(&s);
	scene_pmem(&s, PM_DOMAIN_MEMORY_CONTROLLER);
	s.tm.resolution_ns = 20;
	fig(&s, PM_PROBE_METHOD_STORE, 64, PM_PROBE_PATTERN_HOT, 100, 30);
	fig(&s, PM_PROBE_METHOD_CLFLUSH, 64, PM_PROBE_PATTERN_HOT, 100, 15);
	run(&s);
	only(&s, "ADR, 15 ns apart under a 20 ns timer", "adr-flush-free", PM_SEV_WARNING,
	     "consistency: the region declares ADR (memory_controller), yet clflush costs no more than a store at 64 B (15.0 vs 30.0 ns p50): the line is not written back anywhere that takes time (an emulated platform, or flush instructions that do nothing). Follow the declared domain: latency never decides durability");
	scene_init(&s);
	scene_pmem(&s, PM_DOMAIN_MEMORY_CONTROLLER);
	s.tm.resolution_ns = 20;
	fig(&s, PM_PROBE_METHOD_STORE, 64, PM_PROBE_PATTERN_HOT, 100, 30);
	fig(&s, PM_PROBE_METHOD_CLFLUSH, 64, PM_PROBE_PATTERN_HOT, 100, 50);
	run(&s);
	none(&s, "ADR, 20 ns apart under a 20 ns timer");
}

static void test_order_and_limit(void)
{
	struct scene s;

	scene_init(&s);
	scene_pmem(&s, PM_DOMAIN_CPU_CACHE);
	s.cpu.hypervisor = true;
	fig(&s, PM_PROBE_METHOD_STORE, 64, PM_PROBE_PATTERN_HOT, 100, 10)->timer_bound = true;
	s.figs[0].clamped = 2;
	s.figs[0].migrations = 1;
	fig(&s, PM_PROBE_METHOD_CLWB, 64, PM_PROBE_PATTERN_HOT, 100, 12);
	run(&s);
	ok(s.nr_out == 5 && strcmp(s.out[0].code, "timer-bound") == 0 &&
	   strcmp(s.out[1].code, "clamped-samples") == 0 &&
	   strcmp(s.out[2].code, "migrated-samples") == 0 &&
	   strcmp(s.out[3].code, "virtual-machine") == 0 &&
	   strcmp(s.out[4].code, "eadr-no-flush") == 0,
	   "every rule at once: timer, clamped, migrated, VM, domain, in that order (got %zu)",
	   s.nr_out);
	s.nr_out = pm_probe_findings(s.figs, s.nr, &s.t, &s.cpu, &s.tm, s.out, 2);
	ok(s.nr_out == 2, "at most max findings (got %zu)", s.nr_out);
}

static void test_figures(void)
{
	double ns[] = { 40, 10, 30, 20 };
	struct pm_probe_result r;
	struct pm_probe_figures f;

	memset(&r, 0, sizeof(r));
	r.method = PM_PROBE_METHOD_CLWB;
	r.size = 64;
	r.pattern = PM_PROBE_PATTERN_RANDOM;
	r.count = 4;
	r.ns = ns;
	r.overhead_ns = 10;
	r.batch_ops = 8;
	r.batch_ns = 80;
	ok(pm_probe_figures(&r, 25, 3, &f) == 0, "figures: computed");
	ok(f.st.count == 4 && f.st.p50 == 20 && f.overhead_ns == 10 &&
	   !f.timer_bound && !f.error && f.batch_ops == 8,
	   "figures: the statistics, the TSC overhead, not timer-bound");
	ok(f.histogram.nr_bins == 3 && f.histogram.lo == 10 && f.histogram.hi == 40,
	   "figures: a histogram from the fastest to p99");
	pm_probe_figures_free(&f);

	r.clock_timed = true;
	ok(pm_probe_figures(&r, 25, 0, &f) == 0 && f.overhead_ns == 25 &&
	   f.timer_bound && f.histogram.nr_bins == 0,
	   "figures: a clock-timed result reports the clock's overhead, timer-bound above half p50");
	pm_probe_figures_free(&f);

	r.err = 14;
	snprintf(r.message, sizeof(r.message), "SIGBUS at offset 0x1000");
	ok(pm_probe_figures(&r, 25, 0, &f) == 0 && f.error &&
	   strcmp(f.error, "SIGBUS at offset 0x1000") == 0 && f.st.count == 0,
	   "figures: a failed result keeps its message, no statistics");
	pm_probe_figures_free(&f);
}

int main(void)
{
	test_timer_bound();
	test_clamped();
	test_migrations();
	test_hypervisor();
	test_domain();
	test_eadr();
	test_adr();
	test_order_and_limit();
	test_figures();
	return done_testing();
}
