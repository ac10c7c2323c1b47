// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests: convert, create and destroy plans, without hardware. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "lib/compat.h"
#include "lib/convert-plan.h"

#define M (1ULL << 20)
#define G (1ULL << 30)

static const enum pm_ns_mode modes[] = {
	PM_MODE_RAW, PM_MODE_SECTOR, PM_MODE_FSDAX, PM_MODE_DEVDAX,
};

/* A QEMU NVDIMM region as the kernel offers it, with every driver loaded. */
static struct pm_region_offer region(void)
{
	struct pm_region_offer r = {
		.dev = "region0",
		.labelled = true,
		.has_pfn = true, .has_dax = true, .has_btt = true,
		.pfn_aligns = { 4096, 2 * M, G }, .nr_pfn_aligns = 3,
		.dax_aligns = { 4096, 2 * M, G }, .nr_dax_aligns = 3,
		.sector_sizes = { 512, 520, 528, 4096, 4104, 4160, 4224 },
		.nr_sector_sizes = 7,
		.max_available_extent = 768 * M,
		.align = 16 * M,
		.idle_seed = "namespace0.1",
	};
	return r;
}

/* A 256M namespace configured as the kernel's defaults for mode make it. */
static struct pm_ns_facts ns_in(enum pm_ns_mode mode)
{
	struct pm_ns_facts f = {
		.dev = "namespace0.0",
		.raw_size = 256 * M,
		.labelled = true,
		.blockdev = mode == PM_MODE_DEVDAX ? NULL :
			    mode == PM_MODE_SECTOR ? "pmem0s" : "pmem0",
		.chardev = mode == PM_MODE_DEVDAX ? "dax0.0" : NULL,
	};

	f.config.mode = mode;
	f.config.size = 250 * M;
	snprintf(f.config.uuid, sizeof(f.config.uuid),
		 "4b9c6a86-5a6f-4d3b-9a3e-2b7e0d2c1f00");
	if (mode == PM_MODE_FSDAX || mode == PM_MODE_DEVDAX) {
		f.config.map = "dev";
		f.config.align = 2 * M;
	} else if (mode == PM_MODE_SECTOR) {
		f.config.sector_size = 4096;
	}
	return f;
}

static struct pm_convert_request want(enum pm_ns_mode mode)
{
	struct pm_convert_request req = { .mode = mode };

	return req;
}

/* "name:status name:status ..." of a result's steps. */
static const char *steps_of(const struct pm_change_result *res)
{
	static char buf[512];
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < res->nr_steps; i++)
		used += snprintf(buf + used, sizeof(buf) - used, "%s%s:%s",
				 i ? " " : "", res->steps[i].name,
				 pm_step_status_name(res->steps[i].status));
	return buf;
}

static const char *detail_of(const struct pm_change_result *res,
			     const char *name)
{
	for (size_t i = 0; i < res->nr_steps; i++)
		if (strcmp(res->steps[i].name, name) == 0)
			return res->steps[i].detail;
	return "(no such step)";
}

static void is_str(const char *got, const char *expected, const char *what)
{
	ok(strcmp(got, expected) == 0, "%s: '%s' (got '%s')", what, expected, got);
}

/* The check failed with err, with message, and nothing else was planned. */
static void refused(const struct pm_change_result *res, int rc, int err,
		    const char *message, const char *what)
{
	ok(rc == err && res->err == err, "%s: refused with %d (got %d)", what,
	   err, rc);
	is_str(steps_of(res), "check:failed", what);
	is_str(res->message, message, what);
	ok(!res->changed && !res->noop, "%s: neither changed nor a no-op", what);
}

static void test_noop(void)
{
	struct pm_region_offer r = region();
	struct pm_change_result *res = calloc(1, sizeof(*res));
	struct pm_convert_request req;
	struct pm_ns_facts ns;
	int rc;

	for (size_t i = 0; i < ARRAY_SIZE(modes); i++) {
		char what[64];

		ns = ns_in(modes[i]);
		req = want(modes[i]);
		snprintf(what, sizeof(what), "%s to %s", pm_ns_mode_name(modes[i]),
			 pm_ns_mode_name(modes[i]));
		rc = pm_plan_convert(&r, &ns, &req, res);
		ok(rc == 0 && res->noop && !res->changed, "%s: a no-op", what);
		is_str(steps_of(res), "check:done", what);
		ok(memcmp(&res->to, &res->from, sizeof(res->to)) == 0,
		   "%s: to is from", what);
		ok(strcmp(res->blockdev, ns.blockdev ? ns.blockdev : "") == 0 &&
		   strcmp(res->chardev, ns.chardev ? ns.chardev : "") == 0,
		   "%s: names the devices it has now", what);
	}
	ns = ns_in(PM_MODE_FSDAX);
	req = want(PM_MODE_FSDAX);
	pm_plan_convert(&r, &ns, &req, res);
	is_str(res->message, "already fsdax: nothing to do", "the no-op says so");

	req.align = 2 * M;
	req.map = "dev";
	ok(pm_plan_convert(&r, &ns, &req, res) == 0 && res->noop,
	   "fsdax --align 2M --map dev on fsdax 2M dev: a no-op");
	req.dry_run = true;
	ok(pm_plan_convert(&r, &ns, &req, res) == 0 && res->noop,
	   "a dry run of a no-op is a no-op");
	req = want(PM_MODE_FSDAX);
	req.align = 4096;
	ok(pm_plan_convert(&r, &ns, &req, res) == 0 && !res->noop,
	   "fsdax --align 4K on fsdax 2M: a change");
	req = want(PM_MODE_FSDAX);
	req.map = "mem";
	ok(pm_plan_convert(&r, &ns, &req, res) == 0 && !res->noop,
	   "fsdax --map mem on fsdax map=dev: a change");
	/* The default alignment counts even when not asked for. */
	ns.config.align = 4096;
	req = want(PM_MODE_FSDAX);
	ok(pm_plan_convert(&r, &ns, &req, res) == 0 && !res->noop,
	   "fsdax on fsdax 4K: a change back to the default 2M");
	/* A map the model does not know is not a match for a requested one. */
	ns = ns_in(PM_MODE_DEVDAX);
	ns.config.map = NULL;
	req = want(PM_MODE_DEVDAX);
	ok(pm_plan_convert(&r, &ns, &req, res) == 0 && res->noop,
	   "devdax on devdax with no map known: a no-op");
	req.map = "dev";
	ok(pm_plan_convert(&r, &ns, &req, res) == 0 && !res->noop,
	   "devdax --map dev on devdax with no map known: a change");

	ns = ns_in(PM_MODE_SECTOR);
	req = want(PM_MODE_SECTOR);
	req.sector_size = 4096;
	ok(pm_plan_convert(&r, &ns, &req, res) == 0 && res->noop,
	   "sector -l 4096 on sector 4096: a no-op");
	req.sector_size = 512;
	ok(pm_plan_convert(&r, &ns, &req, res) == 0 && !res->noop,
	   "sector -l 512 on sector 4096: a change");
	ns.config.sector_size = 512;
	req.sector_size = 0;
	ok(pm_plan_convert(&r, &ns, &req, res) == 0 && res->noop,
	   "sector on sector 512: a no-op (the size is kept unless given)");
	free(res);
}

static void test_alignment(void)
{
	struct pm_region_offer r = region();
	struct pm_change_result *res = calloc(1, sizeof(*res));
	struct pm_ns_facts ns = ns_in(PM_MODE_RAW);
	struct pm_convert_request req = want(PM_MODE_FSDAX);
	int rc;

	req.align = 8192;
	rc = pm_plan_convert(&r, &ns, &req, res);
	refused(res, rc, -EINVAL,
		"alignment 8K is not supported for fsdax here (supported: 4K, 2M, 1G)",
		"fsdax --align 8K");
	is_str(detail_of(res, "check"), res->message, "fsdax --align 8K: the check says why");
	ok(res->to.align == 8192 && strcmp(res->to.map, "dev") == 0 && !res->to.uuid[0],
	   "fsdax --align 8K: to has the request, no uuid yet");

	r.nr_dax_aligns = 2;
	req = want(PM_MODE_DEVDAX);
	req.align = G;
	rc = pm_plan_convert(&r, &ns, &req, res);
	refused(res, rc, -EINVAL,
		"alignment 1G is not supported for devdax here (supported: 4K, 2M)",
		"devdax --align 1G where the dax seed lists 4K and 2M");

	/* A kernel that lists no alignments is left to decide. */
	r.nr_pfn_aligns = 0;
	req = want(PM_MODE_FSDAX);
	req.align = 64 * 1024;
	ok(pm_plan_convert(&r, &ns, &req, res) == 0 && res->to.align == 64 * 1024,
	   "no alignments listed: 64K is planned");
	r = region();

	req = want(PM_MODE_FSDAX);
	req.align = G;
	rc = pm_plan_convert(&r, &ns, &req, res);
	refused(res, rc, -EINVAL,
		"namespace0.0 (256M) cannot hold a 1G-aligned fsdax device: pick a smaller --align",
		"fsdax --align 1G on a 256M namespace");
	is_str(detail_of(res, "check"), res->message,
	       "alignment larger than the namespace: the check says why");
	ok(strcmp(res->to.uuid, ns.config.uuid) == 0 && res->to.size == ns.config.size,
	   "alignment larger than the namespace: to keeps the uuid and size");
	ns.raw_size = 2 * M;
	req.align = 2 * M;
	rc = pm_plan_convert(&r, &ns, &req, res);
	ok(rc == -EINVAL, "an alignment equal to the namespace's size is refused too");
	ns.raw_size = 256 * M;

	req = want(PM_MODE_RAW);
	req.align = 4096;
	rc = pm_plan_convert(&r, &ns, &req, res);
	refused(res, rc, -EINVAL, "--align applies to fsdax and devdax only", "raw --align 4K");
	req = want(PM_MODE_SECTOR);
	req.align = 2 * M;
	rc = pm_plan_convert(&r, &ns, &req, res);
	refused(res, rc, -EINVAL, "--align applies to fsdax and devdax only",
		"sector --align 2M");

	req = want(PM_MODE_DEVDAX);
	rc = pm_plan_convert(&r, &ns, &req, res);
	ok(rc == 0 && res->to.align == 2 * M && strcmp(res->to.map, "dev") == 0,
	   "devdax without --align or --map: 2M on the device");
	req.map = "mem";
	req.align = 4096;
	rc = pm_plan_convert(&r, &ns, &req, res);
	ok(rc == 0 && res->to.align == 4096 && strcmp(res->to.map, "mem") == 0,
	   "devdax --align 4K --map mem: as asked");
	is_str(detail_of(res, "configure-dax"), "dax seed: new uuid, map mem, align 4K",
	       "devdax --align 4K --map mem: the configure step says it");
	free(res);
}

static void test_sector_sizes(void)
{
	struct pm_region_offer r = region();
	struct pm_change_result *res = calloc(1, sizeof(*res));
	struct pm_ns_facts ns = ns_in(PM_MODE_FSDAX);
	struct pm_convert_request req = want(PM_MODE_SECTOR);
	int rc;

	rc = pm_plan_convert(&r, &ns, &req, res);
	ok(rc == 0 && res->to.sector_size == 4096 && !res->to.map && !res->to.align,
	   "sector: 4096 by default, no map, no alignment");
	is_str(detail_of(res, "configure-btt"), "btt seed: new uuid, sector size 4096",
	       "sector: the configure step names the size");
	req.sector_size = 512;
	rc = pm_plan_convert(&r, &ns, &req, res);
	ok(rc == 0 && res->to.sector_size == 512, "sector -l 512: planned");
	req.sector_size = 1024;
	rc = pm_plan_convert(&r, &ns, &req, res);
	refused(res, rc, -EINVAL,
		"sector size 1024 is not supported (supported: 512, 520, 528, 4096, 4104, 4160, 4224)",
		"sector -l 1024");
	/* Unlike alignments, an empty list refuses: BTT needs a known size. */
	r.nr_sector_sizes = 0;
	req.sector_size = 0;
	rc = pm_plan_convert(&r, &ns, &req, res);
	refused(res, rc, -EINVAL, "sector size 4096 is not supported (supported: )",
		"sector where the btt seed lists no sizes");
	free(res);
}

static void test_not_possible(void)
{
	struct pm_region_offer r = region();
	struct pm_change_result *res = calloc(1, sizeof(*res));
	struct pm_ns_facts ns = ns_in(PM_MODE_RAW);
	struct pm_convert_request req;
	int rc;

	r.has_pfn = false;
	req = want(PM_MODE_FSDAX);
	rc = pm_plan_convert(&r, &ns, &req, res);
	refused(res, rc, -EOPNOTSUPP, "the region has no pfn seed: fsdax is not possible here",
		"fsdax without a pfn seed");
	r.has_dax = false;
	req = want(PM_MODE_DEVDAX);
	rc = pm_plan_convert(&r, &ns, &req, res);
	refused(res, rc, -EOPNOTSUPP,
		"the region has no dax seed: devdax is not possible here (is dax_pmem loaded?)",
		"devdax without a dax seed");
	r.has_btt = false;
	req = want(PM_MODE_SECTOR);
	rc = pm_plan_convert(&r, &ns, &req, res);
	refused(res, rc, -EOPNOTSUPP,
		"the region has no btt seed: sector mode is not possible here (is nd_btt loaded?)",
		"sector without a btt seed");
	ok(pm_plan_convert(&r, &ns, &(struct pm_convert_request){ .mode = PM_MODE_RAW }, res) == 0 &&
	   res->noop, "raw on raw needs no seed at all");

	r = region();
	r.read_only = true;
	ns = ns_in(PM_MODE_FSDAX);
	req = want(PM_MODE_DEVDAX);
	rc = pm_plan_convert(&r, &ns, &req, res);
	ok(rc == -EROFS && strcmp(res->message, "region0 is read-only") == 0 &&
	   strcmp(steps_of(res), "check:failed") == 0,
	   "a read-only region: -EROFS, said");
	is_str(detail_of(res, "check"), "requested devdax",
	       "a read-only region: the check keeps its request");
	req = want(PM_MODE_FSDAX);
	ok(pm_plan_convert(&r, &ns, &req, res) == -EROFS,
	   "a read-only region refuses even a no-op (as before)");
	free(res);
}

/* Every mode to every other: the steps, their modules and their words. */
static void test_transitions(void)
{
	static const char *const configure[] = {
		[PM_MODE_RAW] = "",
		[PM_MODE_SECTOR] = "configure-btt:planned ",
		[PM_MODE_FSDAX] = "configure-pfn:planned ",
		[PM_MODE_DEVDAX] = "configure-dax:planned ",
	};
	static const char *const module[] = {
		[PM_MODE_RAW] = "kernel module nd_pmem",
		[PM_MODE_SECTOR] = "kernel module nd_btt",
		[PM_MODE_FSDAX] = "kernel module nd_pmem",
		[PM_MODE_DEVDAX] = "kernel module dax_pmem",
	};
	static const char *const enable_dry[] = {
		[PM_MODE_RAW] = "enable the namespace raw",
		[PM_MODE_SECTOR] = "enable the btt device",
		[PM_MODE_FSDAX] = "enable the pfn device",
		[PM_MODE_DEVDAX] = "enable the dax device",
	};
	static const char *const enable_run[] = {
		[PM_MODE_RAW] = "enable the namespace raw",
		[PM_MODE_SECTOR] = "enable the btt device: the kernel lays out its arenas",
		[PM_MODE_FSDAX] = "enable the pfn device: the kernel writes its info block",
		[PM_MODE_DEVDAX] = "enable the dax device: the kernel writes its info block",
	};
	struct pm_region_offer r = region();
	struct pm_change_result *res = calloc(1, sizeof(*res));

	for (size_t i = 0; i < ARRAY_SIZE(modes); i++) {
		for (size_t j = 0; j < ARRAY_SIZE(modes); j++) {
			enum pm_ns_mode from = modes[i], to = modes[j];
			struct pm_ns_facts ns = ns_in(from);
			struct pm_convert_request req = want(to);
			char what[64], expected[512], text[96];
			int rc;

			if (from == to)
				continue;
			snprintf(what, sizeof(what), "%s to %s", pm_ns_mode_name(from),
				 pm_ns_mode_name(to));
			req.dry_run = true;
			rc = pm_plan_convert(&r, &ns, &req, res);
			snprintf(expected, sizeof(expected),
				 "check:done load-module:planned disable:planned "
				 "clear-info-block:planned set-claim-class:planned "
				 "%senable:planned verify:planned", configure[to]);
			ok(rc == 0 && !res->noop && !res->changed && res->from.mode == from &&
			   res->to.mode == to, "%s: planned, not changed", what);
			is_str(steps_of(res), expected, what);
			is_str(detail_of(res, "load-module"), module[to], what);
			is_str(detail_of(res, "enable"), enable_dry[to], what);
			snprintf(text, sizeof(text), "record %s in the namespace label",
				 pm_ns_mode_name(to));
			is_str(detail_of(res, "set-claim-class"), text, what);
			snprintf(text, sizeof(text), "would convert to %s; nothing changed",
				 pm_ns_mode_name(to));
			is_str(res->message, text, what);
			ok(strcmp(res->to.uuid, ns.config.uuid) == 0 &&
			   res->to.size == ns.config.size, "%s: keeps the uuid and size", what);

			req.dry_run = false;
			rc = pm_plan_convert(&r, &ns, &req, res);
			ok(rc == 0 && res->changed && !res->message[0],
			   "%s, for real: changed, no message until it ran", what);
			is_str(detail_of(res, "enable"), enable_run[to], what);
		}
	}
	free(res);
}

static void test_create(void)
{
	struct pm_region_offer r = region();
	struct pm_change_result *res = calloc(1, sizeof(*res));
	struct pm_convert_request req = want(PM_MODE_FSDAX);
	int rc;

	req.dry_run = true;
	rc = pm_plan_create(&r, 0, NULL, &req, res);
	ok(rc == 0 && res->to.size == 768 * M && res->to.align == 2 * M,
	   "create with defaults: the largest free extent, 2M aligned");
	is_str(steps_of(res), "check:done load-module:planned configure-namespace:planned "
	       "set-claim-class:planned configure-pfn:planned enable:planned",
	       "create --dry-run: the plan (no verify, as before)");
	is_str(detail_of(res, "check"), "a fsdax namespace in region0", "create: the check");
	is_str(detail_of(res, "configure-namespace"), "namespace0.1: new uuid, size 768M",
	       "create: the seed it configures");
	is_str(res->message, "would create a 768M fsdax namespace in region0; nothing changed",
	       "create --dry-run: the message");
	req.dry_run = false;
	req.mode = PM_MODE_RAW;
	rc = pm_plan_create(&r, 128 * M, "made", &req, res);
	is_str(steps_of(res), "check:done load-module:planned configure-namespace:planned "
	       "set-claim-class:planned enable:planned verify:planned",
	       "create raw, for real: verified after");
	is_str(detail_of(res, "configure-namespace"), "namespace0.1: new uuid, size 128M, name made",
	       "create -n made: the name is in the plan");
	ok(!res->changed && !res->message[0], "create, for real: nothing said before it ran");

	req = want(PM_MODE_FSDAX);
	rc = pm_plan_create(&r, 100 * M, NULL, &req, res);
	refused(res, rc, -EINVAL, "size 100M is not a multiple of region0's alignment (16M)",
		"create -s 100M");
	rc = pm_plan_create(&r, 64 * G, NULL, &req, res);
	refused(res, rc, -ENOSPC, "region0 has no free extent of 64G (largest: 768M)",
		"create -s 64G");
	r.max_available_extent = 0;
	rc = pm_plan_create(&r, 0, NULL, &req, res);
	refused(res, rc, -ENOSPC, "region0 has no free extent of any size (largest: 0)",
		"create in a full region");
	r = region();
	r.idle_seed = NULL;
	rc = pm_plan_create(&r, 0, NULL, &req, res);
	refused(res, rc, -EBUSY, "region0 has no idle namespace seed", "create without a seed");
	r = region();
	r.labelled = false;
	rc = pm_plan_create(&r, 0, NULL, &req, res);
	refused(res, rc, -EOPNOTSUPP,
		"region0 has no labels: its one namespace spans it; use 'pmemctl convert' on it",
		"create in a label-less region");
	r = region();
	req.align = 8192;
	rc = pm_plan_create(&r, 0, NULL, &req, res);
	refused(res, rc, -EINVAL,
		"alignment 8K is not supported for fsdax here (supported: 4K, 2M, 1G)",
		"create --align 8K");
	is_str(detail_of(res, "check"), "a fsdax namespace in region0",
	       "create --align 8K: the check keeps its words (as before)");
	free(res);
}

static void test_destroy(void)
{
	struct pm_change_result *res = calloc(1, sizeof(*res));
	struct pm_ns_facts ns = ns_in(PM_MODE_FSDAX);

	pm_plan_destroy(&ns, true, res);
	is_str(steps_of(res), "disable:planned clear-info-block:planned "
	       "set-claim-class:planned delete:planned", "destroy a labelled namespace");
	is_str(res->message, "would be destroyed; nothing changed",
	       "destroy --dry-run: the message");
	ok(res->from.mode == PM_MODE_FSDAX && res->to.mode == PM_MODE_RAW &&
	   !res->changed, "destroy: from fsdax to raw, not changed yet");
	ns.labelled = false;
	pm_plan_destroy(&ns, false, res);
	is_str(steps_of(res), "disable:planned clear-info-block:planned "
	       "set-claim-class:planned enable:planned",
	       "destroy a label-less namespace: left raw");
	is_str(detail_of(res, "enable"), "enable the label-less namespace raw",
	       "destroy a label-less namespace: said");
	ok(!res->message[0], "destroy, for real: nothing said before it ran");
	ns.labelled = true;
	ns.raw_size = 0;
	pm_plan_destroy(&ns, false, res);
	ok(res->noop && res->no_config && !res->nr_steps && !res->changed,
	   "destroy a seed (size 0): nothing to do, no step");
	is_str(res->message, "not configured (size 0): nothing to destroy",
	       "destroy a seed: said");
	free(res);
}

static void test_steps(void)
{
	struct pm_change_result *res = calloc(1, sizeof(*res));
	struct pm_step *s;

	for (int i = 0; i < PM_MAX_STEPS + 3; i++)
		s = pm_step_add(res, PM_ACT_ROLLBACK, "x", "%d", i);
	ok(res->nr_steps == PM_MAX_STEPS && strcmp(s->detail, "26") == 0,
	   "steps past the limit go nowhere, harmlessly");
	ok(pm_step_close(&res->steps[0], -EIO) == -EIO &&
	   res->steps[0].status == PM_STEP_FAILED && res->steps[0].err == -EIO,
	   "a step closed with an error is failed");
	ok(pm_step_close(&res->steps[1], 1) == 0 && res->steps[1].status == PM_STEP_DONE &&
	   !res->steps[1].err, "a step closed with 0 or more is done");
	free(res);
}

/* A system-ram namespace: 3 blocks, n online in zone. */
static struct pm_ns_facts ns_ram(struct pm_sysram *ram, struct pm_memblock *b,
				 size_t n, enum pm_zone zone)
{
	struct pm_ns_facts f = ns_in(PM_MODE_DEVDAX);

	memset(ram, 0, sizeof(*ram));
	for (size_t i = 0; i < 3; i++)
		b[i] = (struct pm_memblock){ .id = 41 + i, .online = i < n,
					     .zone = i < n ? zone : PM_ZONE_NONE };
	ram->blocks = b;
	ram->nr_blocks = 3;
	ram->block_size = 128 * M;
	ram->target_node = 1;
	pm_sysram_summarize(ram);
	f.ram = ram;
	f.target_node = 1;
	f.config.mode = PM_MODE_SYSTEM_RAM;
	f.config.zone = ram->zone;
	f.config.target_node = 1;
	return f;
}

static void test_system_ram(void)
{
	struct pm_region_offer r = region();
	struct pm_change_result *res = calloc(1, sizeof(*res));
	struct pm_convert_request req = want(PM_MODE_SYSTEM_RAM);
	struct pm_memblock b[3];
	struct pm_sysram ram;
	struct pm_ns_facts ns = ns_in(PM_MODE_FSDAX);
	int rc;

	ns.target_node = 1;
	req.dry_run = true;
	rc = pm_plan_convert(&r, &ns, &req, res);
	ok(rc == 0 && !res->noop, "fsdax to system-ram: planned");
	is_str(steps_of(res), "check:done load-module:planned load-module:planned disable:planned "
	       "clear-info-block:planned set-claim-class:planned configure-dax:planned "
	       "enable:planned bind-kmem:planned online-memory:planned verify:planned",
	       "fsdax to system-ram: a devdax claim, kmem, the blocks online");
	ok(res->to.mode == PM_MODE_SYSTEM_RAM && res->to.zone == PM_ZONE_MOVABLE &&
	   res->to.target_node == 1, "fsdax to system-ram: movable on node 1 by default");

	ns = ns_in(PM_MODE_DEVDAX);
	ns.auto_online = "online";
	req.no_online = true;
	pm_plan_convert(&r, &ns, &req, res);
	is_str(steps_of(res), "check:done load-module:planned bind-kmem:planned "
	       "offline-memory:planned verify:planned",
	       "devdax to system-ram --no-online under auto-online: the claim kept, blocks offlined");
	ok(strstr(res->steps[3].detail, "auto_online_blocks=online") != NULL,
	   "the step says what the policy does");

	req = want(PM_MODE_SYSTEM_RAM);
	ns = ns_ram(&ram, b, 3, PM_ZONE_MOVABLE);
	rc = pm_plan_convert(&r, &ns, &req, res);
	ok(rc == 0 && res->noop && !res->changed, "system-ram movable to movable: a no-op");
	req.no_movable = true;
	rc = pm_plan_convert(&r, &ns, &req, res);
	ok(rc == 0 && !res->noop, "movable to --no-movable: a change");
	is_str(steps_of(res), "check:done online-memory:planned verify:planned",
	       "movable to normal: the blocks only");
	req = want(PM_MODE_SYSTEM_RAM);
	ns = ns_ram(&ram, b, 2, PM_ZONE_MOVABLE);
	pm_plan_convert(&r, &ns, &req, res);
	ok(!res->noop, "a block offline: not yet as asked");
	b[2].online = true, b[2].zone = PM_ZONE_NORMAL;
	pm_sysram_summarize(&ram);
	ok(ram.zone == PM_ZONE_MIXED, "blocks in two zones: mixed");
	ns = ns_ram(&ram, b, 0, PM_ZONE_NONE);
	req.no_online = true;
	pm_plan_convert(&r, &ns, &req, res);
	ok(res->noop, "all offline with --no-online: a no-op");

	req = want(PM_MODE_DEVDAX);
	ns = ns_ram(&ram, b, 3, PM_ZONE_MOVABLE);
	rc = pm_plan_convert(&r, &ns, &req, res);
	is_str(steps_of(res), "check:done offline-memory:planned unbind-kmem:planned verify:planned",
	       "system-ram to devdax: offline, kmem off, the claim kept");
	req = want(PM_MODE_FSDAX);
	pm_plan_convert(&r, &ns, &req, res);
	is_str(steps_of(res), "check:done load-module:planned offline-memory:planned unbind-kmem:planned "
	       "disable:planned clear-info-block:planned set-claim-class:planned "
	       "configure-pfn:planned enable:planned verify:planned",
	       "system-ram to fsdax: the memory first, then as from devdax");
	req = want(PM_MODE_FSDAX);
	req.no_online = true;
	rc = pm_plan_convert(&r, &ns, &req, res);
	ok(rc == -EINVAL, "--no-online with fsdax: refused");
	free(res);
}

int main(void)
{
	test_noop();
	test_alignment();
	test_sector_sizes();
	test_not_possible();
	test_transitions();
	test_create();
	test_destroy();
	test_steps();
	test_system_ram();
	return done_testing();
}
