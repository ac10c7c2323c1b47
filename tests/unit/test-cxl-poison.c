// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests: cxl_poison trace lines, as kernel 6.12 writes them, into records. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "tap.h"
#include "lib/cxl.h"

int main(void)
{
	struct pm_cxl_poison rec;
	char memdev[32];
	/* What PLATFORM.md section 7 saw on kernel 6.12 with QEMU 10. */
	const char *mapped =
		"  bash-301 [000] ..... 91.5: cxl_poison: memdev=mem0 host=0000:0e:00.0 "
		"serial=4096 trace_type=List region=region0 "
		"region_uuid=5b1c1a9e-0b3e-4a41-9b61-2b1f0a6b3c5d hpa=0x1d0080000 "
		"dpa=0x40000 dpa_length=0x40 source=Injected flags= overflow_time=0\n";
	const char *unmapped =
		"  bash-301 [000] ..... 91.6: cxl_poison: memdev=mem1 host=0000:0f:00.0 "
		"serial=4097 trace_type=List region= region_uuid=00000000-0000-0000-0000-000000000000 "
		"hpa=0xffffffffffffffff dpa=0x1000 dpa_length=0x80 source=Media flags= overflow_time=0\n";
	const char *inject =
		"  bash-301 [000] ..... 90.1: cxl_poison: memdev=mem0 host=0000:0e:00.0 "
		"serial=4096 trace_type=Inject region=region0 region_uuid=x hpa=0x1d0080000 "
		"dpa=0x40000 dpa_length=0x40 source=Unknown flags= overflow_time=0\n";

	ok(pm_cxl_poison_parse(mapped, &rec, memdev, sizeof(memdev)), "a List record parses");
	ok(strcmp(memdev, "mem0") == 0, "its memdev: %s", memdev);
	ok(strcmp(rec.region, "region0") == 0, "its region, not region_uuid: %s", rec.region);
	ok(rec.hpa == 0x1d0080000ULL, "its HPA: %#llx", (unsigned long long)rec.hpa);
	ok(rec.dpa == 0x40000 && rec.length == 0x40, "its DPA and length");
	ok(strcmp(rec.source, "Injected") == 0, "its source: %s", rec.source);
	ok(pm_cxl_poison_parse(unmapped, &rec, memdev, sizeof(memdev)), "an unmapped record parses");
	ok(!rec.region[0] && rec.hpa == UINT64_MAX, "unmapped: no region, no HPA");
	ok(rec.dpa == 0x1000 && rec.length == 0x80 && !strcmp(rec.source, "Media"),
	   "unmapped: DPA, length and source");
	ok(!pm_cxl_poison_parse(inject, &rec, memdev, sizeof(memdev)),
	   "an Inject record is not a list entry");
	ok(!pm_cxl_poison_parse("  bash-1 [000] 1.0: cxl_dram: memdev=mem0\n", &rec, memdev,
				sizeof(memdev)), "another event is not poison");
	ok(!pm_cxl_poison_parse("cxl_poison: memdev=mem0 trace_type=List region= hpa=0x0 "
				"dpa=zz dpa_length=0x40 source=Media\n", &rec, memdev,
				sizeof(memdev)), "a malformed DPA is refused");

	/* The interleave: 2 ways by 256 bytes, as pmemvm's region has. */
	unsigned int pos;
	uint64_t off;

	ok(pm_cxl_interleave(0, 256, 2, &pos, &off) == 0 && pos == 0 && off == 0,
	   "offset 0: position 0, DPA offset 0");
	ok(pm_cxl_interleave(256, 256, 2, &pos, &off) == 0 && pos == 1 && off == 0,
	   "offset 256: position 1, DPA offset 0");
	ok(pm_cxl_interleave(512 + 100, 256, 2, &pos, &off) == 0 && pos == 0 && off == 356,
	   "offset 612: position 0, DPA offset 356");
	ok(pm_cxl_interleave(0x80000 + 0x40, 4096, 4, &pos, &off) == 0 && pos == 0 &&
	   off == 0x20040, "4 ways by 4K: offset 0x80040 is position 0, DPA offset 0x20040");
	ok(pm_cxl_interleave(12345, 256, 1, &pos, &off) == 0 && pos == 0 && off == 12345,
	   "1 way: the offset itself");
	ok(pm_cxl_interleave(0, 256, 3, &pos, &off) == -EOPNOTSUPP,
	   "3 ways (modulo arithmetic): not supported");
	return done_testing();
}
