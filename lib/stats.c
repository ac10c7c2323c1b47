// SPDX-License-Identifier: GPL-2.0-or-later
/* Statistics of latency samples and an ASCII histogram: pure functions. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

static int compare_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double pm_percentile(const double *sorted, size_t n, double p)
{
	double rank;
	size_t index;

	if (!n)
		return 0;
	/*
	 * Nearest rank, ceil(p/100 * n). The product is computed in double:
	 * 99.9/100 * 1000 must give rank 999, not 999.0000000000001 -> 1000,
	 * so a hair of slack is taken off before the ceiling.
	 */
	rank = ceil(p / 100.0 * (double)n - 1e-9);
	index = rank < 1 ? 0 : (size_t)rank - 1;
	if (index >= n)
		index = n - 1;
	return sorted[index];
}

/*
 * Newton's square root, from above: pmemctl does not link libm (its
 * mapping alone costs every run about 340 KiB of memory) for one call.
 */
static double root(double x)
{
	double r = x > 1 ? x : 1;

	if (!(x > 0))
		return 0;
	for (int i = 0; i < 2000; i++) {
		double next = (r + x / r) / 2;

		if (next >= r)
			break;
		r = next;
	}
	return r;
}

int pm_stats_sorted(const double *sorted, size_t n, struct pm_stats *st)
{
	double sum = 0, squares = 0;

	memset(st, 0, sizeof(*st));
	if (!n)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		sum += sorted[i];
	st->count = n;
	st->mean = sum / (double)n;
	/* Two passes: the deviations are small next to the values. */
	for (size_t i = 0; i < n; i++) {
		double d = sorted[i] - st->mean;

		squares += d * d;
	}
	st->stddev = root(squares / (double)n);
	st->min = sorted[0];
	st->max = sorted[n - 1];
	st->p50 = pm_percentile(sorted, n, 50);
	st->p90 = pm_percentile(sorted, n, 90);
	st->p99 = pm_percentile(sorted, n, 99);
	st->p999 = pm_percentile(sorted, n, 99.9);
	return 0;
}

int pm_stats_compute(double *samples, size_t n, struct pm_stats *st)
{
	if (!n) {
		memset(st, 0, sizeof(*st));
		return -EINVAL;
	}
	qsort(samples, n, sizeof(*samples), compare_double);
	return pm_stats_sorted(samples, n, st);
}

int pm_histogram_build(const double *samples, size_t n, double lo, double hi,
		       size_t nr_bins, struct pm_histogram *h)
{
	memset(h, 0, sizeof(*h));
	if (!nr_bins || hi < lo)
		return -EINVAL;
	if (hi == lo)
		nr_bins = 1;	/* every sample in range is the same value */
	h->bins = calloc(nr_bins, sizeof(*h->bins));
	if (!h->bins)
		return -ENOMEM;
	h->lo = lo;
	h->hi = hi;
	h->nr_bins = nr_bins;
	h->width = (hi - lo) / (double)nr_bins;
	for (size_t i = 0; i < n; i++) {
		double x = samples[i];
		size_t bin;

		h->total++;
		if (x < lo) {
			h->underflow++;
			continue;
		}
		if (x > hi) {
			h->overflow++;
			continue;
		}
		bin = h->width > 0 ? (size_t)((x - lo) / h->width) : 0;
		if (bin >= nr_bins)	/* x == hi, or rounding at an edge */
			bin = nr_bins - 1;
		h->bins[bin]++;
	}
	return 0;
}

void pm_histogram_free(struct pm_histogram *h)
{
	free(h->bins);
	memset(h, 0, sizeof(*h));
}

static int number_width(double v, int decimals)
{
	char buf[64];

	return snprintf(buf, sizeof(buf), "%.*f", decimals, v);
}

static void put_bar(FILE *f, size_t count, size_t max, int bar_width)
{
	size_t len = max ? count * (size_t)bar_width / max : 0;

	if (count && !len)
		len = 1;
	fputc('|', f);
	for (int i = 0; i < bar_width; i++)
		fputc((size_t)i < len ? '#' : ' ', f);
	fputc('|', f);
}

char *pm_histogram_render(const struct pm_histogram *h, const char *unit,
			  int decimals, int bar_width)
{
	size_t max = h->underflow > h->overflow ? h->underflow : h->overflow;
	int w = number_width(h->lo, decimals), cw;
	char *buf = NULL, count[32];
	size_t len = 0;
	FILE *f;

	for (size_t i = 0; i < h->nr_bins; i++)
		if (h->bins[i] > max)
			max = h->bins[i];
	if (number_width(h->hi, decimals) > w)
		w = number_width(h->hi, decimals);
	cw = snprintf(count, sizeof(count), "%zu", max);
	f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	if (h->underflow) {
		fprintf(f, "  %*s < %*.*f %s ", w, "", w, decimals, h->lo, unit);
		put_bar(f, h->underflow, max, bar_width);
		fprintf(f, " %*zu\n", cw, h->underflow);
	}
	for (size_t i = 0; i < h->nr_bins; i++) {
		double from = h->lo + (double)i * h->width;
		double to = i + 1 == h->nr_bins ? h->hi : from + h->width;

		fprintf(f, "  %*.*f - %*.*f %s ", w, decimals, from, w, decimals,
			to, unit);
		put_bar(f, h->bins[i], max, bar_width);
		fprintf(f, " %*zu\n", cw, h->bins[i]);
	}
	if (h->overflow) {
		fprintf(f, "  %*s > %*.*f %s ", w, "", w, decimals, h->hi, unit);
		put_bar(f, h->overflow, max, bar_width);
		fprintf(f, " %*zu\n", cw, h->overflow);
	}
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}
