// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests: the clear-errors plan over plain facts, without hardware. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "lib/clear.h"

#define M (1ULL << 20)
#define BASE (4ULL << 30)		/* the region's physical start */

/* A 64M region with an fsdax namespace whose data starts 2M in. */
static struct pm_clear_ns_facts fsdax(void)
{
	struct pm_clear_ns_facts ns = {
		.dev = "namespace1.0", .blockdev = "pmem1", .mode = PM_MODE_FSDAX,
		.active = true, .target = true,
		.start = BASE, .end = BASE + 32 * M,
		.data_start = BASE + 2 * M, .data_end = BASE + 32 * M,
	};
	return ns;
}

static struct pm_clear_facts facts(struct pm_clear_ns_facts *ns, size_t nr,
				   const struct pm_sector_range *ars, size_t nr_ars)
{
	struct pm_clear_facts f = {
		.region = "region1", .provider = "nfit_test.0", .region_start = BASE,
		.can_dsm = true, .write_clears = true,
		.ars = ars, .nr_ars = nr_ars, .ns = ns, .nr_ns = nr,
	};
	return f;
}

static const char *step_names(const struct pm_change_result *res, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < res->nr_steps && n < len; i++)
		n += snprintf(buf + n, len - n, "%s%s", i ? " " : "", res->steps[i].name);
	return buf;
}

static void reset(struct pm_change_result *res)
{
	free(res->ranges);
	memset(res, 0, sizeof(*res));
}

int main(void)
{
	struct pm_change_result res = { 0 };
	struct pm_clear_ns_facts ns[2];
	struct pm_clear_facts f;
	char names[256];
	int rc;

	/* Nothing listed: a no-op. */
	ns[0] = fsdax();
	f = facts(ns, 1, NULL, 0);
	rc = pm_clear_plan(&f, &res);
	ok(rc == 0 && res.noop && !res.nr_ranges && res.no_config,
	   "no media errors: a no-op, no configuration in the report");
	reset(&res);

	/* A scrubbed range in the data: offsets from the data start, DSM. */
	const struct pm_sector_range in_data[] = { { 2 * M / 512 + 8, 4 } };
	f = facts(ns, 1, in_data, 1);
	rc = pm_clear_plan(&f, &res);
	ok(rc == 0 && res.nr_ranges == 1 && res.ranges[0].offset == 8 &&
	   res.ranges[0].length == 4 && res.ranges[0].method == PM_CLEAR_DSM &&
	   res.ranges[0].spa == BASE + 2 * M + 8 * 512 && !strcmp(res.ranges[0].ns, "namespace1.0"),
	   "ARS range: sector 8 of the data, cleared through the bus");
	ok(!strcmp(step_names(&res, names, sizeof(names)), "check disable clear enable verify"),
	   "ARS range: check disable clear enable verify (%s)", names);
	ok(strstr(res.message, "would clear 4 sector(s) in 1 range(s) (8-11)") != NULL,
	   "the message names the range: %s", res.message);
	reset(&res);

	/* The same range in the block list too: not repeated. */
	const struct pm_sector_range same[] = { { 8, 4 } };
	ns[0].block = same;
	ns[0].nr_block = 1;
	rc = pm_clear_plan(&f, &res);
	ok(rc == 0 && res.nr_ranges == 1, "a block range the ARS range covers is not repeated");
	reset(&res);

	/* A block-only range: zeros through the block device, no disable. */
	const struct pm_sector_range soft[] = { { 100, 4 } };
	ns[0].block = soft;
	f = facts(ns, 1, NULL, 0);
	rc = pm_clear_plan(&f, &res);
	ok(rc == 0 && res.nr_ranges == 1 && res.ranges[0].block &&
	   res.ranges[0].method == PM_CLEAR_WRITE,
	   "block-only range on a bus that clears: written");
	ok(!strcmp(step_names(&res, names, sizeof(names)), "check write-zeros verify"),
	   "block-only: check write-zeros verify (%s)", names);
	reset(&res);

	/* QEMU NVDIMM: no clear command, a write fails; refused, or forgotten. */
	f.provider = "ACPI.NFIT";
	f.can_dsm = f.write_clears = false;
	rc = pm_clear_plan(&f, &res);
	ok(rc == -EOPNOTSUPP && res.steps[0].status == PM_STEP_FAILED &&
	   strstr(res.message, "no clear-error command") && strstr(res.message, "--forget"),
	   "no clear command: refused, naming why and --forget: %s", res.message);
	reset(&res);
	f.forget = true;
	rc = pm_clear_plan(&f, &res);
	ok(rc == 0 && res.ranges[0].method == PM_CLEAR_FORGET &&
	   !strcmp(step_names(&res, names, sizeof(names)), "check disable enable verify") &&
	   strstr(res.message, "would forget") && strstr(res.message, "nothing is repaired"),
	   "--forget: disable and enable, said to repair nothing (%s)", names);
	reset(&res);

	/* virtio-pmem, e820: no commands, but a write clears. */
	f = facts(ns, 1, NULL, 0);
	f.provider = "virtio-pmem";
	f.can_dsm = false;
	rc = pm_clear_plan(&f, &res);
	ok(rc == 0 && res.ranges[0].method == PM_CLEAR_WRITE, "virtio-pmem: written");
	reset(&res);

	/* An ARS range on a bus without a clear command: refused. */
	ns[0].nr_block = 0;
	f = facts(ns, 1, in_data, 1);
	f.can_dsm = false;
	f.forget = true;
	rc = pm_clear_plan(&f, &res);
	ok(rc == -EOPNOTSUPP, "ARS range, no clear command: refused even with --forget");
	reset(&res);

	/* In the info block or page map: refused with the way out. */
	const struct pm_sector_range meta[] = { { 16, 8 } };
	f = facts(ns, 1, meta, 1);
	rc = pm_clear_plan(&f, &res);
	ok(rc == -EOPNOTSUPP && strstr(res.message, "info block or page map"),
	   "a range in the page map: refused: %s", res.message);
	reset(&res);

	/* Sector mode: refused. */
	ns[0].mode = PM_MODE_SECTOR;
	ns[0].blockdev = "pmem1s";
	ns[0].data_start = BASE;
	f = facts(ns, 1, in_data, 1);
	rc = pm_clear_plan(&f, &res);
	ok(rc == -EOPNOTSUPP && strstr(res.message, "BTT"), "sector mode: refused");
	reset(&res);

	/* Devdax: no block device, the bus clears. */
	ns[0] = fsdax();
	ns[0].mode = PM_MODE_DEVDAX;
	ns[0].blockdev = NULL;
	rc = pm_clear_plan(&f, &res);
	ok(rc == 0 && res.nr_ranges == 1 && res.ranges[0].method == PM_CLEAR_DSM,
	   "devdax: cleared through the bus");
	reset(&res);

	/*
	 * A region: two namespaces with a gap between them; one range in each
	 * namespace, one in the gap, one across the second's end.
	 */
	ns[0] = fsdax();
	ns[0].end = ns[0].data_end = BASE + 16 * M;
	ns[1] = fsdax();
	ns[1].dev = "namespace1.1";
	ns[1].blockdev = "pmem1.1";
	ns[1].mode = PM_MODE_RAW;
	ns[1].start = ns[1].data_start = BASE + 24 * M;
	ns[1].end = ns[1].data_end = BASE + 32 * M;
	const struct pm_sector_range spread[] = {
		{ 4 * M / 512, 8 },		/* in namespace1.0's data */
		{ 20 * M / 512, 16 },		/* the gap */
		{ 32 * M / 512 - 8, 16 },	/* namespace1.1's end and past it */
	};
	f = facts(ns, 2, spread, 3);
	f.whole_region = true;
	rc = pm_clear_plan(&f, &res);
	ok(rc == 0 && res.nr_ranges == 4, "region: 4 pieces (%zu)", res.nr_ranges);
	ok(res.nr_ranges == 4 &&
	   !strcmp(res.ranges[0].ns, "namespace1.0") && res.ranges[0].offset == 2 * M / 512 &&
	   !strcmp(res.ranges[1].ns, "namespace1.1") && res.ranges[1].offset == 8 * M / 512 - 8 &&
	   res.ranges[1].length == 8 &&
	   !res.ranges[2].ns[0] && res.ranges[2].offset == 20 * M / 512 &&
	   !res.ranges[3].ns[0] && res.ranges[3].offset == 32 * M / 512 &&
	   res.ranges[3].length == 8,
	   "region: each namespace's part from its data start, the rest from the region's");
	ok(!strcmp(step_names(&res, names, sizeof(names)),
		   "check disable clear enable disable clear enable clear verify"),
	   "region: each namespace disabled around its clear, the rest cleared once (%s)", names);
	reset(&res);

	/* A namespace target leaves the other namespace's ranges alone. */
	ns[1].target = false;
	f.whole_region = false;
	rc = pm_clear_plan(&f, &res);
	ok(rc == 0 && res.nr_ranges == 1 && !strcmp(res.ranges[0].ns, "namespace1.0"),
	   "a namespace: only its own ranges");
	reset(&res);

	/* A disabled namespace with errors: refused. */
	ns[0].active = false;
	rc = pm_clear_plan(&f, &res);
	ok(rc == -EOPNOTSUPP && strstr(res.message, "disabled"), "disabled namespace: refused");
	reset(&res);

	/* CXL poison: a bus without commands, cleared line by line, enabled. */
	ns[0] = fsdax();
	f = facts(ns, 1, in_data, 1);
	f.provider = "CXL";
	f.can_dsm = f.write_clears = false;
	f.cxl_poison = true;
	rc = pm_clear_plan(&f, &res);
	ok(rc == 0 && res.nr_ranges == 1 && res.ranges[0].offset == 8 &&
	   res.ranges[0].method == PM_CLEAR_POISON &&
	   !strcmp(pm_clear_method_name(res.ranges[0].method), "clear-poison"),
	   "CXL poison: sector 8 of the data, through clear_poison");
	ok(!strcmp(step_names(&res, names, sizeof(names)), "check clear-poison verify"),
	   "CXL poison: no disable or enable (%s)", names);
	reset(&res);
	f.poison_cannot = "no clear_poison in debugfs";
	rc = pm_clear_plan(&f, &res);
	ok(rc == -EOPNOTSUPP && strstr(res.message, "no clear_poison in debugfs"),
	   "CXL poison without debugfs: refused, saying why (%s)", res.message);
	reset(&res);
	return done_testing();
}
