// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests: planning a CXL region (decoder, size, idempotence), no hardware. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "lib/cxl-region.h"

#define M (1ULL << 20)

static void is_str(const char *got, const char *want, const char *what)
{
	ok(got && strcmp(got, want) == 0, "%s (got %s)", what, got ? got : "NULL");
}

#define G (1ULL << 30)

/*
 * QEMU 7.2 with two 512M type-3 devices, as pmemvm --cxl 2 boots it: one
 * window of 1536M at a base only 256M-aligned, behind one host bridge.
 */
static struct pm_cxl_root_facts qemu_root(void)
{
	struct pm_cxl_root_facts r = {
		.dev = "decoder0.0", .pmem_capable = true, .ways = 1,
		.granularity = 256, .start = 0x1d0000000ULL, .size = 1536 * M,
		.reaches = { true, true },
	};
	return r;
}

static struct pm_cxl_facts qemu(struct pm_cxl_root_facts *roots, size_t nr_roots)
{
	struct pm_cxl_facts f = {
		.memdevs = {
			{ .dev = "mem0", .pmem_size = 512 * M, .free_decoder = true },
			{ .dev = "mem1", .pmem_size = 512 * M, .free_decoder = true },
		},
		.roots = roots, .nr_roots = nr_roots,
	};
	return f;
}

static struct pm_cxl_request two_way(void)
{
	struct pm_cxl_request req = { .memdevs = { "mem0", "mem1" }, .nr_memdevs = 2 };

	return req;
}

static int plan(const struct pm_cxl_facts *f, const struct pm_cxl_request *req,
		struct pm_region_change *rc, struct pm_change_result *res)
{
	memset(rc, 0, sizeof(*rc));
	memset(res, 0, sizeof(*res));
	return pm_plan_create_region(f, req, rc, res);
}

static void test_window(void)
{
	struct pm_cxl_root_facts r = qemu_root();

	/* 0x1d0000000 is 256M-aligned, not 512M-aligned: 2 ways lose 256M. */
	ok(pm_cxl_window_free(&r, 1) == 1536 * M, "1 way: the whole window");
	ok(pm_cxl_window_free(&r, 2) == 1024 * M,
	   "2 ways: the base aligned up to 512M, the rest down: 1024M (got %llu M)",
	   (unsigned long long)(pm_cxl_window_free(&r, 2) / M));
	r.busy[0][0] = 0x1e0000000ULL;	/* a 512M region in the middle */
	r.busy[0][1] = 512 * M;
	r.nr_busy = 1;
	ok(pm_cxl_window_free(&r, 1) == 768 * M,
	   "a region in the window: the larger gap after it (768M)");
	ok(pm_cxl_window_free(&r, 2) == 512 * M, "2 ways: aligned gaps only (512M)");
	r.busy[0][0] = r.start;
	r.busy[0][1] = r.size;
	ok(pm_cxl_window_free(&r, 1) == 0, "a full window has nothing free");
}

static void test_defaults(void)
{
	struct pm_cxl_root_facts roots[1] = { qemu_root() };
	struct pm_cxl_facts f = qemu(roots, 1);
	struct pm_cxl_request req = two_way();
	struct pm_region_change rc;
	struct pm_change_result *res = calloc(1, sizeof(*res));
	int err = plan(&f, &req, &rc, res);

	ok(err == 0 && !res->noop, "2 ways over two free memdevs: planned (%s)", res->message);
	is_str(rc.decoder, "decoder0.0", "the only window");
	ok(rc.ways == 2 && rc.granularity == 256, "2 ways at the root's 256 bytes");
	ok(rc.size == 1024 * M, "size: all of both memdevs, 1G");
	ok(rc.memdev_names[0] && strcmp(rc.memdev_names[0], "mem0") == 0 &&
	   rc.memdev_names[1] && strcmp(rc.memdev_names[1], "mem1") == 0 &&
	   !rc.memdev_names[2], "memdevs in the order given");
	ok(res->no_config && res->nr_steps == 8 && res->steps[0].status == PM_STEP_DONE,
	   "check done, then create-region, set-geometry, 2 attach, commit, enable, verify");
	ok(strcmp(res->steps[4].name, "attach") == 0 && strstr(res->steps[4].detail, "mem1") &&
	   strstr(res->steps[4].detail, "position 1"), "mem1 attaches at position 1");

	req.memdevs[0] = "mem1";
	req.memdevs[1] = "mem0";
	f.memdevs[0].dev = "mem1";
	f.memdevs[1].dev = "mem0";
	plan(&f, &req, &rc, res);
	is_str(rc.memdev_names[0], "mem1", "reversed order kept: mem1 at position 0");

	/* A smaller memdev bounds every one (equal shares). */
	f.memdevs[1].pmem_size = 256 * M;
	plan(&f, &req, &rc, res);
	ok(rc.size == 512 * M, "the smallest memdev bounds the size: 2 x 256M");
	/* The window bounds it too. */
	f.memdevs[1].pmem_size = 2 * G;
	f.memdevs[0].pmem_size = 2 * G;
	plan(&f, &req, &rc, res);
	ok(rc.size == 1024 * M, "the window's aligned free space bounds it: 1G");
	/* Used DPA is not free. */
	f.memdevs[0].pmem_size = 512 * M;
	f.memdevs[1].pmem_size = 512 * M;
	f.memdevs[0].dpa_used = 256 * M;
	plan(&f, &req, &rc, res);
	ok(rc.size == 512 * M, "DPA already allocated is not free: 2 x 256M");

	/* 1 way: the whole memdev; a window gap the 2-way alignment wastes. */
	f.memdevs[0].dpa_used = 0;
	req.nr_memdevs = 1;
	plan(&f, &req, &rc, res);
	ok(rc.size == 512 * M && rc.ways == 1, "1 way: the whole memdev, 512M");
	free(res);
}

static void test_choose_decoder(void)
{
	struct pm_cxl_root_facts roots[3] = { qemu_root(), qemu_root(), qemu_root() };
	struct pm_cxl_facts f;
	struct pm_cxl_request req = two_way();
	struct pm_region_change rc;
	struct pm_change_result *res = calloc(1, sizeof(*res));

	roots[0].dev = "decoder0.0";
	roots[0].pmem_capable = false;		/* volatile only */
	roots[0].size = 8 * G;
	roots[1].dev = "decoder0.1";		/* small */
	roots[1].size = 768 * M;
	roots[2].dev = "decoder0.2";		/* large */
	roots[2].size = 4 * G;
	roots[2].start = 0x400000000ULL;
	f = qemu(roots, 3);
	ok(plan(&f, &req, &rc, res) == 0, "three windows: planned");
	is_str(rc.decoder, "decoder0.2", "the pmem-capable window with the most free space");
	ok(rc.size == 1024 * M, "size from the memdevs");

	roots[2].reaches[1] = false;
	plan(&f, &req, &rc, res);
	is_str(rc.decoder, "decoder0.1", "a window that does not reach mem1 is passed over");
	ok(rc.size == 512 * M, "and the smaller window bounds the size (768M at 256M: 512M for 2 ways)");

	req.decoder = "decoder0.2";
	ok(plan(&f, &req, &rc, res) == -EOPNOTSUPP && strstr(res->message, "mem1") &&
	   strstr(res->message, "decoder0.2"),
	   "-d naming a window mem1 is not behind: refused, naming both (%s)", res->message);
	req.decoder = "decoder0.0";
	ok(plan(&f, &req, &rc, res) == -EOPNOTSUPP && strstr(res->message, "pmem"),
	   "-d naming a volatile-only window: not pmem capable");
	req.decoder = "decoder9.9";
	ok(plan(&f, &req, &rc, res) == -ENOENT, "-d naming no decoder: -ENOENT");
	req.decoder = NULL;
	roots[1].reaches[0] = false;
	ok(plan(&f, &req, &rc, res) == -EOPNOTSUPP && strstr(res->message, "no pmem-capable root decoder"),
	   "no window reaches both: refused (%s)", res->message);
	ok(res->steps[0].status == PM_STEP_FAILED && res->nr_steps == 1,
	   "a refused plan has its failed check and no other step");

	/* A window interleaving 2 host bridges takes multiples of 2 ways. */
	roots[1].reaches[0] = true;
	roots[1].ways = 2;
	roots[1].size = 4 * G;
	roots[2].reaches[1] = true;
	roots[2].pmem_capable = false;
	req.nr_memdevs = 1;
	ok(plan(&f, &req, &rc, res) == -EOPNOTSUPP,
	   "1 way under a window of 2 host bridges: no window fits");
	req.nr_memdevs = 2;
	req.granularity = 1024;
	ok(plan(&f, &req, &rc, res) == -EINVAL && strstr(res->message, "256"),
	   "under an interleaved window, only its granularity (%s)", res->message);
	req.granularity = 256;
	ok(plan(&f, &req, &rc, res) == 0 && rc.granularity == 256, "its own granularity is fine");
	free(res);
}

static void test_size(void)
{
	struct pm_cxl_root_facts roots[1] = { qemu_root() };
	struct pm_cxl_facts f = qemu(roots, 1);
	struct pm_cxl_request req = two_way();
	struct pm_region_change rc;
	struct pm_change_result *res = calloc(1, sizeof(*res));

	req.size = 512 * M;
	ok(plan(&f, &req, &rc, res) == 0 && rc.size == 512 * M, "-s 512M: 256M of each");
	req.size = 256 * M;
	ok(plan(&f, &req, &rc, res) == -EINVAL && strstr(res->message, "512"),
	   "-s 256M over 2 ways: not a multiple of 512M (%s)", res->message);
	req.size = 2 * G;
	ok(plan(&f, &req, &rc, res) == -ENOSPC && strstr(res->message, "mem"),
	   "-s 2G: larger than the memdevs hold (%s)", res->message);
	ok(res->nr_steps == 1, "refused before any step");
	f.memdevs[0].pmem_size = 4 * G;
	f.memdevs[1].pmem_size = 4 * G;
	req.size = 1536 * M;
	ok(plan(&f, &req, &rc, res) == -ENOSPC && strstr(res->message, "window"),
	   "-s 1536M: the memdevs hold it, the aligned window does not (%s)", res->message);
	f.memdevs[0].pmem_size = 200 * M;
	req.size = 0;
	ok(plan(&f, &req, &rc, res) == -ENOSPC && strstr(res->message, "mem0"),
	   "a memdev under 256M: too small, named (%s)", res->message);
	f.memdevs[0].pmem_size = 512 * M;
	f.memdevs[1].pmem_size = 512 * M;
	roots[0].busy[0][0] = roots[0].start;
	roots[0].busy[0][1] = roots[0].size;
	roots[0].nr_busy = 1;
	ok(plan(&f, &req, &rc, res) == -ENOSPC && strstr(res->message, "decoder0.0"),
	   "a full window: refused, naming it (%s)", res->message);
	free(res);
}

static void test_existing(void)
{
	struct pm_cxl_root_facts roots[1] = { qemu_root() };
	struct pm_cxl_region_facts regions[1] = { {
		.dev = "region0", .decoder = "decoder0.0", .committed = true,
		.ways = 2, .granularity = 256, .size = 1024 * M,
		.memdevs = { "mem0", "mem1" }, .nr_memdevs = 2,
	} };
	struct pm_cxl_facts f = qemu(roots, 1);
	struct pm_cxl_request req = two_way();
	struct pm_region_change rc;
	struct pm_change_result *res = calloc(1, sizeof(*res));

	f.regions = regions;
	f.nr_regions = 1;
	f.memdevs[0].region = "region0";
	f.memdevs[1].region = "region0";
	f.memdevs[0].free_decoder = false;
	ok(plan(&f, &req, &rc, res) == 0 && res->noop && !res->changed,
	   "the same memdevs in the same order: nothing to do");
	ok(strcmp(rc.cxl_region, "region0") == 0 && rc.size == 1024 * M && rc.ways == 2,
	   "the report describes the region that is there");
	req.granularity = 256;
	req.size = 1024 * M;
	req.decoder = "decoder0.0";
	ok(plan(&f, &req, &rc, res) == 0 && res->noop, "matching -g, -s and -d: nothing to do");
	req.size = 512 * M;
	ok(plan(&f, &req, &rc, res) == -EBUSY && strstr(res->message, "region0") &&
	   strstr(res->message, "destroy-region"),
	   "another size: mem0 is busy in region0, the fix named (%s)", res->message);
	req.size = 0;
	req.granularity = 0;
	req.decoder = NULL;
	req.memdevs[0] = "mem1";
	req.memdevs[1] = "mem0";
	ok(plan(&f, &req, &rc, res) == -EBUSY && !res->noop,
	   "the same memdevs in another order: a different region, refused");
	regions[0].committed = false;
	req.memdevs[0] = "mem0";
	req.memdevs[1] = "mem1";
	ok(plan(&f, &req, &rc, res) == -EBUSY,
	   "an uncommitted region of the same memdevs is not the region asked for");
	free(res);
}

static void test_errors(void)
{
	struct pm_cxl_root_facts roots[1] = { qemu_root() };
	struct pm_cxl_facts f = qemu(roots, 1);
	struct pm_cxl_request req = two_way();
	struct pm_region_change rc;
	struct pm_change_result *res = calloc(1, sizeof(*res));

	f.memdevs[1].dev = NULL;
	ok(plan(&f, &req, &rc, res) == -ENOENT && strstr(res->message, "mem1"),
	   "an unknown memdev: -ENOENT, named");
	f.memdevs[1].dev = "mem1";
	f.memdevs[1].free_decoder = false;
	ok(plan(&f, &req, &rc, res) == -EBUSY && strstr(res->message, "mem1"),
	   "no free endpoint decoder: busy, named");
	f.memdevs[1].no_endpoint = true;
	ok(plan(&f, &req, &rc, res) == -EOPNOTSUPP && strstr(res->message, "pmemctl enable mem1"),
	   "a memdev cxl_mem has not bound: not supported, how to enable it named");
	req.nr_memdevs = 0;
	ok(plan(&f, &req, &rc, res) == -EINVAL, "no memdev: -EINVAL");
	free(res);
}

/* --type ram: the memdevs' volatile capacity, in a volatile-capable window. */
static void test_ram(void)
{
	struct pm_cxl_root_facts roots[1] = { qemu_root() };
	struct pm_cxl_facts f = qemu(roots, 1);
	struct pm_cxl_request req = two_way();
	struct pm_region_change rc;
	struct pm_change_result *res = calloc(1, sizeof(*res));
	struct pm_cxl_region_facts pmem = {
		.dev = "region0", .decoder = "decoder0.0", .committed = true,
		.ways = 2, .granularity = 256, .size = 512 * M,
		.memdevs = { "mem0", "mem1" }, .nr_memdevs = 2,
	};

	req.ram = true;
	ok(plan(&f, &req, &rc, res) == -ENOSPC && strstr(res->message, "no free volatile capacity"),
	   "memdevs without volatile capacity: refused (%s)", res->message);
	f.memdevs[0].ram_size = f.memdevs[1].ram_size = 256 * M;
	ok(plan(&f, &req, &rc, res) == -EOPNOTSUPP && strstr(res->message, "no volatile-capable"),
	   "a window that is not volatile capable: refused (%s)", res->message);
	roots[0].ram_capable = true;
	ok(plan(&f, &req, &rc, res) == 0 && rc.ram && rc.size == 512 * M,
	   "2 x 256M of ram: a 512M ram region, the pmem capacity not counted");
	ok(strstr(res->steps[1].detail, "ram region") && !strstr(res->steps[2].detail, "uuid") &&
	   strstr(res->steps[3].detail, "of ram DPA") && strstr(res->steps[7].detail, "dax device"),
	   "its steps: a ram region, no uuid, ram DPA, its dax device verified");
	f.memdevs[0].ram_dpa_used = 256 * M;
	ok(plan(&f, &req, &rc, res) == -ENOSPC, "ram DPA in use is not free");
	f.memdevs[0].ram_dpa_used = 0;
	/* A pmem region of the same memdevs is not the ram region asked for. */
	f.regions = &pmem;
	f.nr_regions = 1;
	ok(plan(&f, &req, &rc, res) == 0 && !res->noop, "a pmem region of these memdevs: not a no-op");
	pmem.ram = true;
	ok(plan(&f, &req, &rc, res) == 0 && res->noop && rc.ram, "a ram region of these memdevs: nothing to do");
	free(res);
}

int main(void)
{
	test_window();
	test_defaults();
	test_choose_decoder();
	test_size();
	test_existing();
	test_errors();
	test_ram();
	return done_testing();
}
