/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Statistics of latency samples and an ASCII histogram: pure functions. */
#ifndef PMEMCTL_STATS_H
#define PMEMCTL_STATS_H

#include <stddef.h>

/*
 * Percentiles are nearest-rank: the p-th percentile of n sorted samples is
 * the sample of rank ceil(p/100 * n) (1-based), so every figure is a value
 * that was measured. stddev is the population standard deviation (divided
 * by n): the spread of these samples, not an estimate of another set's.
 */
struct pm_stats {
	size_t count;
	double min;
	double p50;
	double p90;
	double p99;
	double p999;		/* the 99.9th percentile */
	double max;
	double mean;
	double stddev;
};

/* Sorts samples in place, then fills st; -EINVAL when n is 0. */
int pm_stats_compute(double *samples, size_t n, struct pm_stats *st);
/* The same from samples already sorted ascending. */
int pm_stats_sorted(const double *sorted, size_t n, struct pm_stats *st);
/* The nearest-rank percentile p (0 < p <= 100) of sorted samples. */
double pm_percentile(const double *sorted, size_t n, double p);

/*
 * A histogram of nr_bins equal bins over [lo, hi]: bin i holds the samples
 * x with lo + i * width <= x < lo + (i + 1) * width, the last bin also
 * holds x == hi. Samples below lo count as underflow, above hi as overflow:
 * latency has a long tail, so the caller picks hi (a high percentile) and
 * the tail is one line, not a flattened picture.
 */
struct pm_histogram {
	double lo;
	double hi;
	double width;		/* (hi - lo) / nr_bins; 0 when hi == lo */
	size_t nr_bins;
	size_t *bins;
	size_t underflow;	/* samples < lo */
	size_t overflow;	/* samples > hi */
	size_t total;
};

/* -EINVAL for no bins or hi < lo; -ENOMEM. Free with pm_histogram_free. */
int pm_histogram_build(const double *samples, size_t n, double lo, double hi,
		       size_t nr_bins, struct pm_histogram *h);
void pm_histogram_free(struct pm_histogram *h);
/*
 * Renders one line per bin, "  <from> - <to> <unit> |<bar>| <count>", with
 * an underflow ("< lo") and an overflow ("> hi") line when they are not
 * empty. The longest bar is bar_width characters of '#'; every non-empty
 * bin shows at least one. Values have decimals digits. Returns a string to
 * free, or NULL when out of memory.
 */
char *pm_histogram_render(const struct pm_histogram *h, const char *unit,
			  int decimals, int bar_width);

#endif
