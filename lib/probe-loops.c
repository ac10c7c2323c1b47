// SPDX-License-Identifier: GPL-2.0-or-later
/* The probe's timed loops: the only code with x86 intrinsics and targets. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>
#include <x86intrin.h>
#define PROBE_X86 1
#endif

#include "flush.h"
#include "probe-internal.h"

/* -------------------------------------------------------------- cpuid */

void pm_cpu_features(struct pm_cpu_features *f)
{
	memset(f, 0, sizeof(*f));
#ifdef PROBE_X86
	unsigned int a, b, c, d, max, ext;

	f->x86 = true;
	if (!__get_cpuid(0, &max, &b, &c, &d))
		return;
	memcpy(f->vendor, &b, 4);
	memcpy(f->vendor + 4, &d, 4);
	memcpy(f->vendor + 8, &c, 4);
	__get_cpuid(1, &a, &b, &c, &d);
	f->clflush = d & (1u << 19);
	f->sse2 = d & (1u << 26);
	f->hypervisor = c & (1u << 31);
	if (max >= 7) {
		__cpuid_count(7, 0, a, b, c, d);
		f->clflushopt = b & (1u << 23);
		f->clwb = b & (1u << 24);
		f->movdir64b = c & (1u << 28);
	}
	ext = __get_cpuid_max(0x80000000, NULL);
	if (ext >= 0x80000001) {
		__get_cpuid(0x80000001, &a, &b, &c, &d);
		f->rdtscp = d & (1u << 27);
	}
	if (ext >= 0x80000007) {
		__get_cpuid(0x80000007, &a, &b, &c, &d);
		f->invariant_tsc = d & (1u << 8);
	}
#endif
}

/* ------------------------------------------------------------ the bracket */

#ifdef PROBE_X86
static bool use_rdtscp;

/*
 * The bracket. Before: mfence drains the stores that set up the op (the
 * copy of what the lines hold), rdtscp waits for earlier instructions,
 * lfence keeps later ones from starting before the read. After: mfence,
 * because rdtscp does not wait for earlier stores or flushes to complete
 * (without it clwb appears to cost nothing), then rdtscp and lfence.
 * Without rdtscp, lfence + rdtsc + lfence.
 */
static inline __attribute__((always_inline)) uint64_t tsc_begin(void)
{
	unsigned int aux;
	uint64_t t;

	_mm_mfence();
	if (use_rdtscp) {
		t = __rdtscp(&aux);
	} else {
		_mm_lfence();
		t = __rdtsc();
	}
	_mm_lfence();
	return t;
}

static inline __attribute__((always_inline)) uint64_t tsc_end(unsigned int *aux)
{
	uint64_t t;

	_mm_mfence();
	if (use_rdtscp) {
		t = __rdtscp(aux);
	} else {
		_mm_lfence();
		t = __rdtsc();
		*aux = 0;
	}
	_mm_lfence();
	return t;
}

static inline uint64_t tsc_now(void)
{
	_mm_lfence();
	return __rdtsc();
}

const char *probe_tsc_select(bool rdtscp)
{
	use_rdtscp = rdtscp;
	return use_rdtscp ? "rdtscp" : "rdtsc";
}

unsigned int probe_tsc_aux(void)
{
	unsigned int aux = 0;

	if (use_rdtscp)
		__rdtscp(&aux);
	return aux;
}

void probe_tsc_empty(uint64_t *ticks, size_t n)
{
	for (int round = 0; round < 2; round++)	/* the first warms up */
		for (size_t i = 0; i < n; i++) {
			unsigned int aux;
			uint64_t t0 = tsc_begin();

			ticks[i] = tsc_end(&aux) - t0;
		}
}
#else
static inline uint64_t tsc_now(void)
{
	return pm_probe_now_ns();
}

const char *probe_tsc_select(bool rdtscp)
{
	(void)rdtscp;
	return "clock_monotonic";
}

unsigned int probe_tsc_aux(void)
{
	return 0;
}

void probe_tsc_empty(uint64_t *ticks, size_t n)
{
	memset(ticks, 0, n * sizeof(*ticks));
}
#endif

uint64_t probe_tsc_now(void)
{
	return tsc_now();
}

uint64_t probe_tsc_min_step(void)
{
	uint64_t min_step = UINT64_MAX;

	for (int round = 0; round < 100; round++) {
		uint64_t prev = tsc_now();

		for (int i = 0; i < 64; i++) {
			uint64_t now = tsc_now();

			if (now > prev && now - prev < min_step)
				min_step = now - prev;
			prev = now;
		}
	}
	return min_step;
}

/* ------------------------------------------------------------ offsets */

static bool range_bad(const struct pm_probe *p, uint64_t off, uint32_t size)
{
	for (uint64_t pg = off / PROBE_PAGE; pg <= (off + size - 1) / PROBE_PAGE; pg++)
		if (p->bad[pg])
			return true;
	return false;
}

static uint64_t xorshift(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return x;
}

/*
 * The next op's offset: aligned to its size, inside the range, never on
 * a page known to be bad. PROBE_NO_OFFSET when no good one is found.
 */
uint64_t probe_next_offset(struct probe_run *r)
{
	struct pm_probe *p = r->p;
	uint64_t slots = p->t.range / r->size, off;

	switch (r->pattern) {
	case PM_PROBE_PATTERN_HOT:
		off = r->hot;
		if (off != PROBE_NO_OFFSET && range_bad(p, off, r->size))
			off = r->hot = PROBE_NO_OFFSET;
		return off;
	case PM_PROBE_PATTERN_SEQUENTIAL:
		for (uint64_t tries = 0; tries < slots; tries++) {
			off = r->seq;
			r->seq += r->size;
			if (r->seq + r->size > p->t.range)
				r->seq = 0;
			if (!range_bad(p, off, r->size))
				return off;
		}
		return PROBE_NO_OFFSET;
	default:
		for (int tries = 0; tries < 256; tries++) {
			off = (xorshift(&p->rng) % slots) * r->size;
			if (!range_bad(p, off, r->size))
				return off;
		}
		return PROBE_NO_OFFSET;
	}
}

uint64_t probe_first_good(struct pm_probe *p, uint32_t size)
{
	for (uint64_t off = 0; off + size <= p->t.range; off += size)
		if (!range_bad(p, off, size))
			return off;
	return PROBE_NO_OFFSET;
}

/* ---------------------------------------------------------- the loops */

/* Loads what the lines hold: the rewrite keeps it, and the lines are in
 * the cache the same way in every mode and pattern. */
static inline void load_lines(char *to, const char *from, uint32_t size)
{
	for (uint32_t i = 0; i < size; i += 8) {
		uint64_t v = *(const volatile uint64_t *)(from + i);

		memcpy(to + i, &v, 8);
	}
}

static inline __attribute__((always_inline)) void
store_words(char *dst, const char *src, uint32_t size)
{
	for (uint32_t i = 0; i < size; i += 8) {
		uint64_t v;

		memcpy(&v, src + i, 8);
		*(volatile uint64_t *)(dst + i) = v;
	}
}

#ifdef PROBE_X86
static inline __attribute__((always_inline)) void
nt_words(char *dst, const char *src, uint32_t size)
{
	for (uint32_t i = 0; i < size; i += 8) {
		long long v;

		memcpy(&v, src + i, 8);
		_mm_stream_si64((long long *)(dst + i), v);
	}
}

static inline char *page_down(char *addr)
{
	return (char *)((uintptr_t)addr & ~(uintptr_t)(PROBE_PAGE - 1));
}

static inline size_t page_span(char *addr, uint32_t size)
{
	char *start = page_down(addr);

	return ((size_t)(addr + size - start) + PROBE_PAGE - 1) &
	       ~(size_t)(PROBE_PAGE - 1);
}

/* What each method does between the two halves of the bracket. */
#define OP_STORE store_words(dst, src, size); _mm_sfence()
#define OP_CLFLUSH store_words(dst, src, size);				\
	for (uint32_t l = 0; l < size; l += PROBE_LINE)			\
		_mm_clflush(dst + l)
#define OP_CLFLUSHOPT store_words(dst, src, size);			\
	for (uint32_t l = 0; l < size; l += PROBE_LINE)			\
		_mm_clflushopt(dst + l);				\
	_mm_sfence()
#define OP_CLWB store_words(dst, src, size);				\
	for (uint32_t l = 0; l < size; l += PROBE_LINE)			\
		_mm_clwb(dst + l);					\
	_mm_sfence()
#define OP_NTSTORE nt_words(dst, src, size); _mm_sfence()
#define OP_MOVDIR64B							\
	for (uint32_t l = 0; l < size; l += PROBE_LINE)			\
		_movdir64b(dst + l, src + l);				\
	_mm_sfence()
#define OP_MSYNC store_words(dst, src, size);				\
	rc = msync(page_down(dst), page_span(dst, size), MS_SYNC)
#define OP_FSYNC store_words(dst, src, size); rc = fsync(p->fd)

/*
 * One sampling loop and one batched loop per method, each compiled for
 * the instructions it needs (target attribute) and called only when
 * cpuid says the CPU has them: the binary runs on any x86-64.
 */
#define DEFINE_METHOD(name, attr, OP)					\
attr static void sample_##name(struct probe_run *r)			\
{									\
	struct pm_probe *p = r->p;					\
	const uint32_t size = r->size;					\
									\
	while (r->count < r->n) {					\
		uint64_t off = probe_next_offset(r), t0, t1;		\
		unsigned int aux;					\
		const char *src;					\
		char *dst;						\
		int rc = 0;						\
									\
		if (off == PROBE_NO_OFFSET) {				\
			r->err = EIO;					\
			return;						\
		}							\
		dst = p->base + off;					\
		load_lines(r->scratch, dst, size);			\
		src = p->t.destructive ? r->pattern_buf : r->scratch;	\
		t0 = tsc_begin();					\
		OP;							\
		t1 = tsc_end(&aux);					\
		if (rc) {						\
			r->err = errno;					\
			return;						\
		}							\
		if (use_rdtscp && aux != p->aux) {			\
			p->migrations++;				\
			continue;					\
		}							\
		r->ticks[r->count] = t1 - t0;				\
		r->offsets[r->count++] = off;				\
		if (t1 >= r->end || (r->stop && *r->stop))		\
			return;						\
	}								\
}									\
attr static void batch_##name(struct probe_run *r)			\
{									\
	struct pm_probe *p = r->p;					\
	const uint32_t size = r->size;					\
	unsigned int aux;						\
	uint64_t t0, t1;						\
	int rc = 0;							\
									\
	t0 = tsc_begin();						\
	for (size_t k = 0; k < r->nb && !rc; k++) {			\
		char *dst = p->base + r->boffs[k];			\
		const char *src = p->t.destructive ? r->pattern_buf :	\
			r->bsrc + k * size;				\
		OP;							\
	}								\
	t1 = tsc_end(&aux);						\
	if (rc)								\
		r->err = errno;						\
	r->batch_ticks = t1 - t0;					\
}

#define NO_ATTR
DEFINE_METHOD(store, NO_ATTR, OP_STORE)
DEFINE_METHOD(clflush, NO_ATTR, OP_CLFLUSH)
DEFINE_METHOD(clflushopt, __attribute__((target("clflushopt"))), OP_CLFLUSHOPT)
DEFINE_METHOD(clwb, __attribute__((target("clwb"))), OP_CLWB)
DEFINE_METHOD(ntstore, NO_ATTR, OP_NTSTORE)
DEFINE_METHOD(movdir64b, __attribute__((target("movdir64b"))), OP_MOVDIR64B)
DEFINE_METHOD(msync, NO_ATTR, OP_MSYNC)
DEFINE_METHOD(fsync, NO_ATTR, OP_FSYNC)

static const struct {
	void (*sample)(struct probe_run *r);
	void (*batch)(struct probe_run *r);
} loops[] = {
	[PM_PROBE_METHOD_STORE] = { sample_store, batch_store },
	[PM_PROBE_METHOD_CLFLUSH] = { sample_clflush, batch_clflush },
	[PM_PROBE_METHOD_CLFLUSHOPT] = { sample_clflushopt, batch_clflushopt },
	[PM_PROBE_METHOD_CLWB] = { sample_clwb, batch_clwb },
	[PM_PROBE_METHOD_NTSTORE] = { sample_ntstore, batch_ntstore },
	[PM_PROBE_METHOD_MOVDIR64B] = { sample_movdir64b, batch_movdir64b },
	[PM_PROBE_METHOD_MSYNC] = { sample_msync, batch_msync },
	[PM_PROBE_METHOD_FSYNC] = { sample_fsync, batch_fsync },
};

__attribute__((target("clwb"))) static void flush_clwb(char *dst, uint32_t size)
{
	for (uint32_t l = 0; l < size; l += PROBE_LINE)
		_mm_clwb(dst + l);
	_mm_sfence();
}

__attribute__((target("clflushopt"))) static void flush_clflushopt(char *dst,
								    uint32_t size)
{
	for (uint32_t l = 0; l < size; l += PROBE_LINE)
		_mm_clflushopt(dst + l);
	_mm_sfence();
}

static void flush_clflush(char *dst, uint32_t size)
{
	for (uint32_t l = 0; l < size; l += PROBE_LINE)
		_mm_clflush(dst + l);
	_mm_sfence();
}

/* The store a deep flush follows is made durable the usual way first. */
static void durable_store(struct pm_probe *p, char *dst, const char *src,
			  uint32_t size)
{
	store_words(dst, src, size);
	if (!p->t.dax)
		return;		/* page cache: the fsync writes it back */
	if (p->cpu.clwb)
		flush_clwb(dst, size);
	else if (p->cpu.clflushopt)
		flush_clflushopt(dst, size);
	else
		flush_clflush(dst, size);
}
#else
static const struct {
	void (*sample)(struct probe_run *r);
	void (*batch)(struct probe_run *r);
} loops[PM_PROBE_METHOD_NR];

static void durable_store(struct pm_probe *p, char *dst, const char *src,
			  uint32_t size)
{
	store_words(dst, src, size);
}
#endif

/*
 * The deep flush is timed by pm_deep_flush() itself, around the write of
 * the attribute or the fsync alone (CLOCK_MONOTONIC): opening the file
 * is not part of the figure, and nothing is subtracted.
 */
static void sample_deep_flush(struct probe_run *r)
{
	struct pm_probe *p = r->p;
	enum pm_flush_method how = r->method == PM_PROBE_METHOD_DEEP_FLUSH_SYSFS ?
		PM_METHOD_SYSFS : PM_METHOD_FSYNC;
	struct pm_flush_result fr;

	while (r->count < r->n) {
		uint64_t off = probe_next_offset(r);
		char *dst;

		if (off == PROBE_NO_OFFSET) {
			r->err = EIO;
			return;
		}
		dst = p->base + off;
		load_lines(r->scratch, dst, r->size);
		durable_store(p, dst, p->t.destructive ? r->pattern_buf :
			      r->scratch, r->size);
		pm_deep_flush(&p->t.pmt, how, false, &fr);
		if (fr.outcome != PM_OUTCOME_FLUSHED || !fr.timed) {
			r->err = fr.err ? fr.err : EIO;
			snprintf(r->message, sizeof(r->message), "%s", fr.message);
			return;
		}
		r->ticks[r->count] = fr.latency_ns;
		r->offsets[r->count++] = off;
		if (pm_probe_now_ns() >= r->end || (r->stop && *r->stop))
			return;
	}
}

/* Copies what the batch's lines hold (guarded), then runs the batch. */
void probe_batch_prepare(struct probe_run *r)
{
	for (size_t k = 0; k < r->nb; k++)
		load_lines(r->bsrc + k * r->size, r->p->base + r->boffs[k],
			   r->size);
}

bool probe_loop_built(enum pm_probe_method m)
{
	return m >= PM_PROBE_METHOD_DEEP_FLUSH_SYSFS || loops[m].sample;
}

void probe_sample(struct probe_run *r)
{
	if (r->method >= PM_PROBE_METHOD_DEEP_FLUSH_SYSFS)
		sample_deep_flush(r);
	else
		loops[r->method].sample(r);
}

void probe_batch(struct probe_run *r)
{
	loops[r->method].batch(r);
}
