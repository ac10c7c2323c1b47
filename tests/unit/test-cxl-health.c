// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests: a CXL memdev's health answer as a report records it and reads it back. */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "tap.h"
#include "lib/cxl.h"

static bool same(const struct pm_memdev_health *a, const struct pm_memdev_health *b)
{
	return a->error == b->error &&
	       a->maintenance_needed == b->maintenance_needed &&
	       a->performance_degraded == b->performance_degraded &&
	       a->hw_replacement_needed == b->hw_replacement_needed &&
	       a->media_normal == b->media_normal &&
	       a->life_used == b->life_used && a->temperature == b->temperature &&
	       a->dirty_shutdowns == b->dirty_shutdowns;
}

static void round_trip(const struct pm_memdev_health *h, const char *what)
{
	struct pm_memdev_health back;
	char text[512];
	int len = pm_memdev_health_format(h, text, sizeof(text));

	ok(len > 0 && (size_t)len == strlen(text), "%s: formatted (%d bytes)", what, len);
	pm_memdev_health_parse(text, &back);
	ok(same(h, &back), "%s: read back as it was", what);
}

int main(void)
{
	struct pm_memdev_health all = {
		.error = 0, .maintenance_needed = true, .performance_degraded = false,
		.hw_replacement_needed = true, .media_normal = false,
		.life_used = 42, .temperature = -5, .dirty_shutdowns = 4294967295LL,
	};
	struct pm_memdev_health none = {
		.error = 0, .media_normal = true,
		.life_used = -1, .temperature = INT32_MIN, .dirty_shutdowns = -1,
	};
	struct pm_memdev_health refused = {
		.error = -ENOTTY, .maintenance_needed = true,
		.life_used = 7, .temperature = 30, .dirty_shutdowns = 3,
	};
	struct pm_memdev_health h;
	char text[512], small[8];

	round_trip(&all, "every value reported");
	round_trip(&none, "life used, temperature and dirty shutdowns not reported");

	pm_memdev_health_format(&none, text, sizeof(text));
	ok(!strstr(text, "life_used") && !strstr(text, "temperature") &&
	   !strstr(text, "dirty_shutdowns"), "values not reported are left out");

	/* No answer: only the reason, and the fields read back as unknown. */
	pm_memdev_health_format(&refused, text, sizeof(text));
	ok(strcmp(text, "error -25\n") == 0, "a refused command records only its errno (got '%s')", text);
	pm_memdev_health_parse(text, &h);
	ok(h.error == -ENOTTY && h.life_used == -1 && h.temperature == INT32_MIN &&
	   h.dirty_shutdowns == -1 && !h.maintenance_needed, "... and reads back as -ENOTTY, nothing reported");

	ok(pm_memdev_health_format(&all, small, sizeof(small)) == -ENOSPC, "a short buffer: -ENOSPC");

	pm_memdev_health_parse("", &h);
	ok(h.error == -ENODATA, "empty text: -ENODATA");

	/* A damaged or newer bundle: bad lines are skipped, good ones kept. */
	pm_memdev_health_parse("error 0\nlife_used 300\ntemperature 99999\n"
			       "media_normal 2\nmaintenance_needed 1\n"
			       "dirty_shutdowns -4\nfuture_key 5\nerror x\n"
			       "temperature 12abc\nlife_used 9\n", &h);
	ok(h.error == 0 && h.life_used == 9 && h.temperature == INT32_MIN &&
	   !h.media_normal && h.maintenance_needed && h.dirty_shutdowns == -1,
	   "out-of-range, malformed and unknown values are skipped");
	pm_memdev_health_parse("error 5\n", &h);
	ok(h.error == -ENODATA, "a positive error is no errno: skipped");
	return done_testing();
}
