// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests: size parsing and rendering, mode names, object lookups. */
#include <errno.h>
#include <string.h>

#include "tap.h"
#include "lib/pmem.h"

static void parse_ok(const char *text, uint64_t expected)
{
	uint64_t v = 0;
	int rc = pm_parse_size(text, &v);

	ok(rc == 0 && v == expected, "parse '%s' = %llu (got rc %d, %llu)",
	   text, (unsigned long long)expected, rc, (unsigned long long)v);
}

static void parse_fails(const char *text, int expected)
{
	uint64_t v = 12345;
	int rc = pm_parse_size(text, &v);

	ok(rc == expected && v == 12345, "parse '%s' fails with %d (got %d)",
	   text ? text : "(null)", expected, rc);
}

static void format_is(uint64_t bytes, const char *expected)
{
	char buf[32];

	pm_format_size(bytes, buf, sizeof(buf));
	ok(strcmp(buf, expected) == 0, "format %llu = %s (got %s)",
	   (unsigned long long)bytes, expected, buf);
}

int main(void)
{
	enum pm_ns_mode mode;
	struct pm_region r0 = { .dev = "region0" }, r12 = { .dev = "region12" };
	struct pm_region *regions[] = { &r0, &r12 };
	struct pm_platform pf = { .regions = regions, .nr_regions = 2 };

	parse_ok("0", 0);
	parse_ok("4096", 4096);
	parse_ok("0x1000", 4096);
	parse_ok("4K", 4096);
	parse_ok("4k", 4096);
	parse_ok("2M", 2 << 20);
	parse_ok("2MiB", 2 << 20);
	parse_ok("2MB", 2 << 20);
	parse_ok("1G", 1ULL << 30);
	parse_ok("16T", 16ULL << 40);
	parse_ok("15E", 15ULL << 60);
	parse_fails("", -EINVAL);
	parse_fails(NULL, -EINVAL);
	parse_fails("-1", -EINVAL);
	parse_fails("G", -EINVAL);
	parse_fails("12Q", -EINVAL);
	parse_fails("12MX", -EINVAL);
	parse_fails("1 G", -EINVAL);
	parse_fails("16E", -ERANGE);
	parse_fails("99999999999999999999", -ERANGE);

	format_is(0, "0");
	format_is(512, "512");
	format_is(1024, "1K");
	format_is(1536, "1.5K");
	format_is(1ULL << 30, "1G");
	format_is(1073610752, "1023.9M");
	format_is(1056964608, "1008M");
	format_is((1ULL << 30) - 1, "1G");
	format_is(3ULL << 39, "1.5T");
	format_is(1023, "1023");
	format_is(1048575, "1M");
	format_is(UINT64_MAX, "16E");

	ok(pm_ns_mode_parse("fsdax", &mode) == 0 && mode == PM_MODE_FSDAX, "fsdax parses");
	ok(pm_ns_mode_parse("memory", &mode) == 0 && mode == PM_MODE_FSDAX, "memory is fsdax");
	ok(pm_ns_mode_parse("dax", &mode) == 0 && mode == PM_MODE_DEVDAX, "dax is devdax");
	ok(pm_ns_mode_parse("safe", &mode) == 0 && mode == PM_MODE_SECTOR, "safe is sector");
	ok(pm_ns_mode_parse("bogus", &mode) == -EINVAL, "bogus mode refused");
	ok(strcmp(pm_ns_mode_name(PM_MODE_DEVDAX), "devdax") == 0, "devdax name");

	ok(pm_find_region(&pf, "region0") == &r0, "region0 by name");
	ok(pm_find_region(&pf, "0") == &r0, "region0 by number");
	ok(pm_find_region(&pf, "12") == &r12, "region12 by number");
	ok(pm_find_region(&pf, "1") == NULL, "no region1");
	ok(pm_find_region(&pf, "region") == NULL, "bare prefix is no region");
	ok(strcmp(pm_domain_name(PM_DOMAIN_CPU_CACHE), "cpu_cache") == 0, "cpu_cache name");
	ok(PM_DOMAIN_UNKNOWN < PM_DOMAIN_MEMORY_CONTROLLER &&
	   PM_DOMAIN_MEMORY_CONTROLLER < PM_DOMAIN_CPU_CACHE,
	   "domains are ordered weakest first");
	return done_testing();
}
