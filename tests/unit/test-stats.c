// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests: latency statistics and the histogram, values worked by hand. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "lib/stats.h"

static int near(double got, double expected)
{
	return fabs(got - expected) < 1e-6;
}

static void stats_are(const char *what, const struct pm_stats *st,
		      size_t count, double min, double p50, double p90,
		      double p99, double p999, double max, double mean,
		      double stddev)
{
	ok(st->count == count, "%s: count %zu (got %zu)", what, count, st->count);
	ok(st->min == min && st->max == max, "%s: min %g max %g (got %g %g)",
	   what, min, max, st->min, st->max);
	ok(st->p50 == p50 && st->p90 == p90 && st->p99 == p99 &&
	   st->p999 == p999,
	   "%s: p50 %g p90 %g p99 %g p99.9 %g (got %g %g %g %g)", what, p50,
	   p90, p99, p999, st->p50, st->p90, st->p99, st->p999);
	ok(near(st->mean, mean) && near(st->stddev, stddev),
	   "%s: mean %g stddev %.6f (got %g %.6f)", what, mean, stddev,
	   st->mean, st->stddev);
}

static void test_stats(void)
{
	double three[] = { 3, 1, 2 };
	double ten[] = { 7, 3, 10, 1, 5, 9, 2, 8, 4, 6 };
	double two[] = { 20, 10 };
	double one[] = { 42 };
	double same[] = { 7, 7, 7, 7 };
	double *thousand = malloc(1000 * sizeof(double));
	struct pm_stats st;

	/* Unsorted in, sorted after: the function sorts in place. */
	ok(pm_stats_compute(three, 3, &st) == 0, "three samples: computed");
	ok(three[0] == 1 && three[1] == 2 && three[2] == 3, "samples are sorted in place");
	/* ranks: p50 ceil(1.5) = 2, p90 ceil(2.7) = 3; var = (1+0+1)/3 */
	stats_are("{3,1,2}", &st, 3, 1, 2, 3, 3, 3, 3, 2, sqrt(2.0 / 3));

	/*
	 * 1..10: p50 rank 5 -> 5, p90 rank 9 -> 9, p99 rank ceil(9.9) = 10,
	 * p99.9 rank 10; mean 5.5; sum of squared deviations 82.5, /10.
	 */
	pm_stats_compute(ten, 10, &st);
	stats_are("1..10", &st, 10, 1, 5, 9, 10, 10, 10, 5.5, sqrt(8.25));

	/* p50 of two is the lower one (rank 1), p90 the upper (rank 2). */
	pm_stats_compute(two, 2, &st);
	stats_are("{20,10}", &st, 2, 10, 10, 20, 20, 20, 20, 15, 5);

	pm_stats_compute(one, 1, &st);
	stats_are("{42}", &st, 1, 42, 42, 42, 42, 42, 42, 42, 0);

	pm_stats_compute(same, 4, &st);
	stats_are("{7,7,7,7}", &st, 4, 7, 7, 7, 7, 7, 7, 7, 0);

	/*
	 * 1..1000 backwards: ranks 500, 900, 990, 999 (99.9% of 1000 is
	 * exactly 999: no rounding up to 1000); mean 500.5; the variance of
	 * 1..n is (n^2 - 1) / 12.
	 */
	for (int i = 0; i < 1000; i++)
		thousand[i] = 1000 - i;
	pm_stats_compute(thousand, 1000, &st);
	stats_are("1..1000", &st, 1000, 1, 500, 900, 990, 999, 1000, 500.5,
		  sqrt((1000.0 * 1000.0 - 1) / 12));
	ok(pm_percentile(thousand, 1000, 100) == 1000, "p100 is the maximum");
	ok(pm_percentile(thousand, 1000, 0.05) == 1, "p0.05 of 1000 is rank 1");
	ok(pm_percentile(thousand, 1000, 50.05) == 501, "p50.05 of 1000 is rank 501");
	free(thousand);

	ok(pm_stats_compute(one, 0, &st) == -EINVAL && st.count == 0,
	   "no samples: -EINVAL, zeroed");
	ok(pm_stats_sorted(ten, 10, &st) == 0 && st.p90 == 9,
	   "pm_stats_sorted on sorted input");
}

static void render_is(const struct pm_histogram *h, const char *unit,
		      int decimals, int bar_width, const char *expected,
		      const char *what)
{
	char *text = pm_histogram_render(h, unit, decimals, bar_width);
	int same = text && strcmp(text, expected) == 0;

	ok(same, "%s", what);
	if (!same)
		printf("# got:\n%s# expected:\n%s", text ? text : "(null)\n",
		       expected);
	free(text);
}

static void test_histogram(void)
{
	double samples[] = { 3, 1, 2, 2, 9, 3, 0.5, 3, 12 };
	double flat[] = { 5, 5, 5 };
	struct pm_histogram h;
	double *tail = malloc(101 * sizeof(double));

	/*
	 * [1, 9] in 4 bins of 2: [1,3) holds 1 2 2, [3,5) 3 3 3, [5,7)
	 * nothing, [7,9] the 9 (the top edge belongs to the last bin); 0.5 is
	 * below, 12 above.
	 */
	ok(pm_histogram_build(samples, 9, 1, 9, 4, &h) == 0, "histogram built");
	ok(h.nr_bins == 4 && h.width == 2, "4 bins of width 2");
	ok(h.bins[0] == 3 && h.bins[1] == 3 && h.bins[2] == 0 && h.bins[3] == 1,
	   "bin counts 3 3 0 1 (got %zu %zu %zu %zu)", h.bins[0], h.bins[1],
	   h.bins[2], h.bins[3]);
	ok(h.underflow == 1 && h.overflow == 1 && h.total == 9,
	   "one below, one above, nine in all");
	/* Bars: longest 3 -> 6 '#'; 1 -> 1 * 6 / 3 = 2. */
	render_is(&h, "ns", 1, 6,
		  "      < 1.0 ns |##    | 1\n"
		  "  1.0 - 3.0 ns |######| 3\n"
		  "  3.0 - 5.0 ns |######| 3\n"
		  "  5.0 - 7.0 ns |      | 0\n"
		  "  7.0 - 9.0 ns |##    | 1\n"
		  "      > 9.0 ns |##    | 1\n",
		  "rendered with under- and overflow lines");
	pm_histogram_free(&h);

	/* No tail outside the range: no extra lines; wider labels align. */
	ok(pm_histogram_build(samples, 9, 0, 20, 2, &h) == 0 &&
	   h.bins[0] == 8 && h.bins[1] == 1 && !h.underflow && !h.overflow,
	   "[0,20] in 2 bins: 8 and 1");
	render_is(&h, "ns", 0, 4,
		  "   0 - 10 ns |####| 8\n"
		  "  10 - 20 ns |#   | 1\n",
		  "a small bin shows at least one '#'; labels padded to 2");
	pm_histogram_free(&h);

	/* 100 samples in one bin, 1 in the other: 1 * 10 / 100 rounds to 0 -> 1. */
	for (int i = 0; i < 100; i++)
		tail[i] = 1;
	tail[100] = 3;
	pm_histogram_build(tail, 101, 0, 4, 2, &h);
	render_is(&h, "us", 1, 10,
		  "  0.0 - 2.0 us |##########| 100\n"
		  "  2.0 - 4.0 us |#         |   1\n",
		  "counts right-aligned; a single sample still shows");
	pm_histogram_free(&h);
	free(tail);

	ok(pm_histogram_build(flat, 3, 5, 5, 10, &h) == 0 && h.nr_bins == 1 &&
	   h.bins[0] == 3, "hi == lo: one bin with every sample");
	render_is(&h, "ns", 1, 3, "  5.0 - 5.0 ns |###| 3\n", "one-bin rendering");
	pm_histogram_free(&h);

	ok(pm_histogram_build(flat, 3, 0, 10, 0, &h) == -EINVAL, "0 bins: -EINVAL");
	ok(pm_histogram_build(flat, 3, 10, 0, 4, &h) == -EINVAL, "hi < lo: -EINVAL");
}

int main(void)
{
	test_stats();
	test_histogram();
	return done_testing();
}
