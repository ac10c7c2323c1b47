// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests: granularity, recipe and deep-flush rules on synthetic platforms. */
#include <string.h>
#include <unistd.h>

#include "lib/compat.h"
#include "tap.h"
#include "lib/pmem.h"

/*
 * Names no machine has: pm_persistence_fill() reads sysfs only for a
 * region whose deep_flush attribute exists and for a namespace with a
 * block device, and those reads must find nothing here.
 */
#define NO_SUCH_BLOCKDEV "pmemctl-unit-test0"

struct fixture {
	struct pm_bus bus[4];
	struct pm_region region[4];
	struct pm_namespace ns[4];
	struct pm_region *regions[4];
	struct pm_namespace *namespaces[4];
	struct pm_platform pf;
};

static struct pm_bus *bus_of(struct fixture *fx, size_t i, const char *provider)
{
	fx->bus[i].dev = "ndbus-unit";
	fx->bus[i].provider = (char *)provider;
	return &fx->bus[i];
}

/* A region: provider "ACPI.NFIT", "virtio-pmem" or "e820"; type pmem. */
static struct pm_region *region(struct fixture *fx, const char *provider,
				enum pm_domain domain)
{
	size_t i = fx->pf.nr_regions++;
	struct pm_region *r = &fx->region[i];

	r->dev = "region-unit";
	r->type = "pmem";
	r->domain = domain;
	r->deep_flush = PM_DEEP_FLUSH_ABSENT;
	r->bus = bus_of(fx, i, provider);
	fx->regions[i] = r;
	fx->pf.regions = fx->regions;
	return r;
}

/* An active namespace in mode on r, without a block device. */
static struct pm_namespace *namespace(struct fixture *fx, struct pm_region *r,
				      enum pm_ns_mode mode)
{
	size_t i = fx->pf.nr_namespaces++;
	struct pm_namespace *ns = &fx->ns[i];

	ns->dev = "namespace-unit";
	ns->mode = mode;
	ns->active = true;
	ns->region = r;
	fx->namespaces[i] = ns;
	fx->pf.namespaces = fx->namespaces;
	return ns;
}

static void gran_is(const struct pm_namespace *ns, enum pm_granularity want,
		    const char *what)
{
	ok(ns->granularity == want, "%s: granularity %s (got %s)", what,
	   pm_granularity_name(want), pm_granularity_name(ns->granularity));
}

static void recipe_starts(const struct pm_namespace *ns, const char *prefix,
			  const char *what)
{
	const char *recipe = pm_namespace_recipe(ns);

	ok(strncmp(recipe, prefix, strlen(prefix)) == 0,
	   "%s: recipe '%s...' (got '%s')", what, prefix, recipe);
}

/* One namespace of mode on one region of domain, alone on the platform. */
static void single(const char *provider, enum pm_domain domain,
		   enum pm_ns_mode mode, bool dax, bool map_sync,
		   enum pm_granularity gran, const char *recipe,
		   const char *what)
{
	struct fixture fx = { 0 };
	struct pm_namespace *ns = namespace(&fx, region(&fx, provider, domain), mode);

	pm_persistence_fill(&fx.pf);
	ok(ns->dax == dax && ns->map_sync == map_sync,
	   "%s: dax %d map_sync %d (got %d %d)", what, dax, map_sync, ns->dax,
	   ns->map_sync);
	gran_is(ns, gran, what);
	recipe_starts(ns, recipe, what);
	ok(fx.pf.weakest == ns && fx.pf.verdict_granularity == gran,
	   "%s: the only namespace is the platform's weakest", what);
}

static void test_single_namespaces(void)
{
	const enum pm_domain adr = PM_DOMAIN_MEMORY_CONTROLLER;
	const enum pm_domain eadr = PM_DOMAIN_CPU_CACHE;

	single("ACPI.NFIT", adr, PM_MODE_FSDAX, true, true, PM_GRAN_CACHE_LINE,
	       "clwb", "fsdax on ADR");
	single("ACPI.NFIT", adr, PM_MODE_DEVDAX, true, true, PM_GRAN_CACHE_LINE,
	       "clwb", "devdax on ADR");
	single("ACPI.NFIT", eadr, PM_MODE_FSDAX, true, true, PM_GRAN_BYTE,
	       "sfence", "fsdax on eADR, the only region");
	single("ACPI.NFIT", eadr, PM_MODE_DEVDAX, true, true, PM_GRAN_BYTE,
	       "sfence", "devdax on eADR, the only region");
	/* Raw has no page map, BTT remaps sectors: no DAX whatever the domain. */
	single("ACPI.NFIT", eadr, PM_MODE_RAW, false, false, PM_GRAN_PAGE,
	       "block device without DAX", "raw on eADR");
	single("ACPI.NFIT", adr, PM_MODE_SECTOR, false, false, PM_GRAN_PAGE,
	       "block device without DAX", "sector on ADR");
	/* An asynchronous region refuses MAP_SYNC: DAX, but page granularity. */
	single("virtio-pmem", PM_DOMAIN_UNKNOWN, PM_MODE_FSDAX, true, false,
	       PM_GRAN_PAGE, "no MAP_SYNC (asynchronous region)",
	       "fsdax on virtio-pmem");
	single("virtio-pmem", PM_DOMAIN_UNKNOWN, PM_MODE_RAW, false, false,
	       PM_GRAN_PAGE, "block device without DAX", "raw on virtio-pmem");
	/* Nothing declared: cache lines, and the recipe says it assumes ADR. */
	single("e820", PM_DOMAIN_UNKNOWN, PM_MODE_FSDAX, true, true,
	       PM_GRAN_CACHE_LINE, "domain unknown, assume ADR at best",
	       "fsdax on e820 (no domain)");
	single("ACPI.NFIT", PM_DOMAIN_NONE, PM_MODE_FSDAX, true, true,
	       PM_GRAN_NONE, "not persistent", "fsdax on a domain declared none");
}

static void test_volatile_region(void)
{
	struct fixture fx = { 0 };
	struct pm_region *r = region(&fx, "ACPI.NFIT", PM_DOMAIN_CPU_CACHE);
	struct pm_namespace *ns = namespace(&fx, r, PM_MODE_FSDAX);

	r->type = "volatile";
	pm_persistence_fill(&fx.pf);
	gran_is(ns, PM_GRAN_NONE, "fsdax on a volatile region");
	recipe_starts(ns, "not persistent", "fsdax on a volatile region");
	ok(fx.pf.verdict == PM_DOMAIN_UNKNOWN && fx.pf.verdict_granularity == PM_GRAN_NONE,
	   "only a volatile region: verdict unknown, granularity none (got %s, %s)",
	   pm_domain_name(fx.pf.verdict), pm_granularity_name(fx.pf.verdict_granularity));
	ok(!fx.pf.weakest, "a volatile region's namespace is not the weakest pmem");
	ok(r->domain_reason && strstr(r->domain_reason, "volatile"),
	   "the volatile region's reason says so");
}

/*
 * eADR is a property of the platform (libpmem2): one weaker region makes
 * cache flushes necessary on the cpu_cache regions too.
 */
static void test_mixed_domains(void)
{
	struct fixture fx = { 0 };
	struct pm_region *eadr = region(&fx, "ACPI.NFIT", PM_DOMAIN_CPU_CACHE);
	struct pm_region *adr = region(&fx, "ACPI.NFIT", PM_DOMAIN_MEMORY_CONTROLLER);
	struct pm_region *vol = region(&fx, "ACPI.NFIT", PM_DOMAIN_NONE);
	struct pm_namespace *on_eadr = namespace(&fx, eadr, PM_MODE_FSDAX);
	struct pm_namespace *on_adr = namespace(&fx, adr, PM_MODE_DEVDAX);
	struct pm_namespace *idle = namespace(&fx, adr, PM_MODE_RAW);
	struct pm_namespace *on_virtio;

	vol->type = "volatile";
	idle->active = false;
	pm_persistence_fill(&fx.pf);
	ok(fx.pf.verdict == PM_DOMAIN_MEMORY_CONTROLLER,
	   "eADR + ADR (+ volatile): verdict memory_controller (got %s)",
	   pm_domain_name(fx.pf.verdict));
	gran_is(on_eadr, PM_GRAN_CACHE_LINE, "fsdax on eADR beside an ADR region");
	recipe_starts(on_eadr, "clwb", "fsdax on eADR beside an ADR region");
	gran_is(on_adr, PM_GRAN_CACHE_LINE, "devdax on ADR beside an eADR region");
	gran_is(idle, PM_GRAN_PAGE, "an inactive raw namespace");
	ok(fx.pf.weakest == on_eadr && fx.pf.verdict_granularity == PM_GRAN_CACHE_LINE,
	   "the inactive page-granular namespace is not the weakest (first cache-line one is)");

	/* Without the ADR region the volatile one does not weaken eADR. */
	memset(&fx, 0, sizeof(fx));
	eadr = region(&fx, "ACPI.NFIT", PM_DOMAIN_CPU_CACHE);
	vol = region(&fx, "ACPI.NFIT", PM_DOMAIN_CPU_CACHE);
	vol->type = "volatile";
	on_eadr = namespace(&fx, eadr, PM_MODE_FSDAX);
	pm_persistence_fill(&fx.pf);
	ok(fx.pf.verdict == PM_DOMAIN_CPU_CACHE,
	   "eADR + volatile: verdict cpu_cache (got %s)", pm_domain_name(fx.pf.verdict));
	gran_is(on_eadr, PM_GRAN_BYTE, "fsdax on eADR beside a volatile region");

	/* The weakest namespace is the page-granular one. */
	memset(&fx, 0, sizeof(fx));
	adr = region(&fx, "ACPI.NFIT", PM_DOMAIN_MEMORY_CONTROLLER);
	on_adr = namespace(&fx, adr, PM_MODE_FSDAX);
	on_virtio = namespace(&fx, region(&fx, "virtio-pmem", PM_DOMAIN_UNKNOWN),
			      PM_MODE_FSDAX);
	pm_persistence_fill(&fx.pf);
	gran_is(on_adr, PM_GRAN_CACHE_LINE, "fsdax on ADR beside virtio-pmem");
	ok(fx.pf.weakest == on_virtio && fx.pf.verdict_granularity == PM_GRAN_PAGE &&
	   fx.pf.verdict == PM_DOMAIN_UNKNOWN,
	   "ADR + virtio-pmem: weakest is the virtio namespace (page), verdict unknown");
}

static void test_no_regions(void)
{
	struct fixture fx = { 0 };

	pm_persistence_fill(&fx.pf);
	ok(fx.pf.verdict == PM_DOMAIN_UNKNOWN && fx.pf.verdict_granularity == PM_GRAN_NONE &&
	   !fx.pf.weakest, "no regions: verdict unknown, granularity none, no weakest");
}

static void test_recipes(void)
{
	ok(strstr(pm_recipe(PM_GRAN_NONE, PM_DOMAIN_CPU_CACHE, true), "not persistent") != NULL,
	   "none: not persistent, whatever the domain");
	ok(strstr(pm_recipe(PM_GRAN_PAGE, PM_DOMAIN_UNKNOWN, true), "msync") != NULL,
	   "page with DAX: msync or fsync");
	ok(strstr(pm_recipe(PM_GRAN_PAGE, PM_DOMAIN_MEMORY_CONTROLLER, false), "fdatasync") != NULL,
	   "page without DAX: write then fsync/fdatasync");
	ok(strcmp(pm_recipe(PM_GRAN_CACHE_LINE, PM_DOMAIN_MEMORY_CONTROLLER, true),
		  "clwb (or clflushopt, clflush, non-temporal stores) + sfence") == 0,
	   "cache-line on ADR: clwb + sfence");
	ok(strcmp(pm_recipe(PM_GRAN_CACHE_LINE, PM_DOMAIN_CPU_CACHE, true),
		  "clwb (or clflushopt, clflush, non-temporal stores) + sfence") == 0,
	   "cache-line on eADR (a weaker region elsewhere): clwb + sfence");
	ok(strncmp(pm_recipe(PM_GRAN_CACHE_LINE, PM_DOMAIN_UNKNOWN, true),
		   "domain unknown", 14) == 0,
	   "cache-line, domain unknown: says it assumes ADR");
	ok(strncmp(pm_recipe(PM_GRAN_BYTE, PM_DOMAIN_CPU_CACHE, true), "sfence", 6) == 0,
	   "byte: sfence only");
}

static void test_domain_reasons(void)
{
	static const struct {
		const char *provider;
		enum pm_domain domain;
		const char *word;	/* in the reason; NULL: no reason */
	} cases[] = {
		{ "virtio-pmem", PM_DOMAIN_UNKNOWN, "virtio-pmem" },
		{ "e820", PM_DOMAIN_UNKNOWN, "e820" },
		{ "ACPI.NFIT", PM_DOMAIN_UNKNOWN, "NFIT" },
		{ "nfit_test.0", PM_DOMAIN_UNKNOWN, "declares no persistence domain" },
		{ "ACPI.NFIT", PM_DOMAIN_NONE, "not persistent" },
		{ "ACPI.NFIT", PM_DOMAIN_MEMORY_CONTROLLER, NULL },
		{ "ACPI.NFIT", PM_DOMAIN_CPU_CACHE, NULL },
		{ "CXL", PM_DOMAIN_MEMORY_CONTROLLER, "Global Persistent Flush" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct fixture fx = { 0 };
		struct pm_region *r = region(&fx, cases[i].provider, cases[i].domain);
		const char *why;

		pm_persistence_fill(&fx.pf);
		why = r->domain_reason;
		if (cases[i].word)
			ok(why && strstr(why, cases[i].word),
			   "%s, %s: the reason names '%s' (got '%s')", cases[i].provider,
			   pm_domain_name(cases[i].domain), cases[i].word, why ? why : "NULL");
		else
			ok(!why, "%s, %s: declared, no reason needed", cases[i].provider,
			   pm_domain_name(cases[i].domain));
		ok(r->async == (strcmp(cases[i].provider, "virtio-pmem") == 0),
		   "%s: async only for virtio-pmem", cases[i].provider);
	}
}

static void flush_path_is(const char *provider, enum pm_deep_flush_attr attr,
			  bool blockdev, bool active, enum pm_flush_cap cap,
			  const char *path, const char *what)
{
	struct fixture fx = { 0 };
	struct pm_region *r = region(&fx, provider, PM_DOMAIN_MEMORY_CONTROLLER);
	struct pm_namespace *ns = namespace(&fx, r, PM_MODE_FSDAX);

	r->deep_flush = attr;
	r->deep_flush_mode = attr == PM_DEEP_FLUSH_WRITABLE ? 0644 : 0444;
	ns->blockdev = blockdev ? NO_SUCH_BLOCKDEV : NULL;
	ns->active = active;
	pm_persistence_fill(&fx.pf);
	ok(r->flush_cap == cap && strcmp(pm_namespace_deep_flush_path(ns), path) == 0,
	   "%s: flush %s, path %s (got %s, %s)", what, pm_flush_cap_name(cap),
	   path, pm_flush_cap_name(r->flush_cap), pm_namespace_deep_flush_path(ns));
}

static void test_deep_flush(void)
{
	struct fixture fx = { 0 };
	struct pm_region *r;

	flush_path_is("ACPI.NFIT", PM_DEEP_FLUSH_WRITABLE, true, true,
		      PM_FLUSH_SUPPORTED, "sysfs+fsync", "flush hints, a block device");
	flush_path_is("ACPI.NFIT", PM_DEEP_FLUSH_WRITABLE, false, true,
		      PM_FLUSH_SUPPORTED, "sysfs", "flush hints, devdax (no block device)");
	flush_path_is("ACPI.NFIT", PM_DEEP_FLUSH_WRITABLE, true, false,
		      PM_FLUSH_SUPPORTED, "sysfs", "flush hints, an inactive namespace");
	flush_path_is("ACPI.NFIT", PM_DEEP_FLUSH_READ_ONLY, true, true,
		      PM_FLUSH_NOT_NEEDED, "not-needed", "no flush hints (0444)");
	flush_path_is("virtio-pmem", PM_DEEP_FLUSH_ABSENT, true, true,
		      PM_FLUSH_ABSENT, "fsync", "virtio-pmem: fsync reaches the host");
	flush_path_is("virtio-pmem", PM_DEEP_FLUSH_ABSENT, false, true,
		      PM_FLUSH_ABSENT, "none", "virtio-pmem without a block device");
	flush_path_is("e820", PM_DEEP_FLUSH_ABSENT, true, true,
		      PM_FLUSH_ABSENT, "none", "e820: nothing flushes beyond the CPU");

	/* Whether the caller may write deep_flush comes from its mode. */
	r = region(&fx, "ACPI.NFIT", PM_DOMAIN_MEMORY_CONTROLLER);
	r->deep_flush = PM_DEEP_FLUSH_WRITABLE;
	r->deep_flush_mode = 0644;
	pm_persistence_fill(&fx.pf);
	ok(r->deep_flush_permitted == (geteuid() == 0),
	   "deep_flush 0644: writable by root only (euid %u: %d)",
	   (unsigned int)geteuid(), r->deep_flush_permitted);
	r->deep_flush_mode = 0666;
	pm_persistence_fill(&fx.pf);
	ok(r->deep_flush_permitted, "deep_flush 0666: writable by anyone");
}

int main(void)
{
	test_single_namespaces();
	test_volatile_region();
	test_mixed_domains();
	test_no_regions();
	test_recipes();
	test_domain_reasons();
	test_deep_flush();
	return done_testing();
}
