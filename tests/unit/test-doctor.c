// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests: doctor's DAX reading of mount options, and its platform rules. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "lib/doctor.h"
#include "lib/health.h"
#include "lib/proc.h"

static const char *policy_name(enum pm_dax_policy policy)
{
	switch (policy) {
	case PM_DAX_ALWAYS:
		return "always";
	case PM_DAX_INODE:
		return "inode";
	case PM_DAX_INODE_DEFAULT:
		return "inode (default)";
	default:
		return "never";
	}
}

static void policy_is(const char *fstype, const char *options,
		      enum pm_dax_policy want)
{
	enum pm_dax_policy got = pm_mount_dax_policy(fstype, options);

	ok(got == want, "%s '%s': %s (got %s)", fstype ? fstype : "(null)",
	   options ? options : "(null)", policy_name(want), policy_name(got));
}

/* Superblock options as ext4 and xfs show them in /proc/self/mountinfo. */
static void test_policy(void)
{
	policy_is("ext4", "rw,dax=always", PM_DAX_ALWAYS);
	policy_is("ext4", "rw,dax", PM_DAX_ALWAYS);
	policy_is("ext2", "rw,dax,errors=continue", PM_DAX_ALWAYS);
	policy_is("ext4", "rw,dax=never", PM_DAX_NEVER);
	policy_is("ext4", "rw,dax=inode", PM_DAX_INODE);
	policy_is("ext4", "rw", PM_DAX_INODE_DEFAULT);
	policy_is("ext4", "", PM_DAX_INODE_DEFAULT);
	policy_is("xfs", "rw,attr2,dax=always,inode64,logbufs=8,noquota", PM_DAX_ALWAYS);
	policy_is("xfs", "rw,attr2,inode64,logbufs=8,logbsize=32k,noquota", PM_DAX_INODE_DEFAULT);
	policy_is("xfs", "rw,attr2,dax=never,inode64,noquota", PM_DAX_NEVER);
	/* Only whole words count: no "dax" inside another option. */
	policy_is("xfs", "rw,nodaxfoo,inode64", PM_DAX_INODE_DEFAULT);
	policy_is("ext4", "rw,daxy", PM_DAX_INODE_DEFAULT);
	/* Without per-file DAX, no option means no DAX. */
	policy_is("tmpfs", "rw,size=1024k", PM_DAX_NEVER);
	policy_is("ext2", "rw", PM_DAX_NEVER);
	policy_is("btrfs", "rw,space_cache=v2", PM_DAX_NEVER);
	policy_is(NULL, NULL, PM_DAX_NEVER);
	policy_is("virtiofs", "rw,dax=inode", PM_DAX_INODE);
}

static void test_state(void)
{
	char dir[] = "/tmp/pmemctl-unit-dax-XXXXXX";
	struct pm_mount *m = calloc(1, sizeof(*m));

	if (!m || !mkdtemp(dir)) {
		ok(0, "a scratch directory");
		free(m);
		return;
	}
	strcpy(m->fstype, "ext4");
	strcpy(m->super_options, "rw,dax=always");
	ok(pm_mount_dax_state(m, dir) == 1, "dax=always: a directory's new files are DAX");
	strcpy(m->super_options, "rw,dax=never");
	ok(pm_mount_dax_state(m, dir) == 0, "dax=never: not DAX");
	strcpy(m->fstype, "tmpfs");
	strcpy(m->super_options, "rw");
	ok(pm_mount_dax_state(m, dir) == 0, "tmpfs: not DAX");
	/* A fresh directory has no DAX flag to inherit, whatever it is on. */
	strcpy(m->fstype, "xfs");
	strcpy(m->super_options, "rw,dax=inode");
	ok(pm_mount_dax_state(m, dir) == 0, "dax=inode, a directory without the flag: not DAX");
	strcpy(m->super_options, "rw,attr2");
	ok(pm_mount_dax_state(m, dir) == 0, "xfs default (inode), no flag: not DAX");
	ok(pm_mount_dax_state(m, "/nonexistent/pmemctl") < 0,
	   "dax=inode on a directory that does not exist: an error");
	rmdir(dir);
	free(m);
}

/* A platform of regions in the given domains, one fsdax namespace each. */
struct fixture {
	struct pm_bus bus;
	struct pm_region region[3];
	struct pm_namespace ns[3];
	struct pm_region *regions[3];
	struct pm_namespace *namespaces[3];
	struct pm_platform pf;
	char names[3][2][32];
};

static void build(struct fixture *fx, const enum pm_domain *domains, size_t n)
{
	memset(fx, 0, sizeof(*fx));
	fx->bus.dev = "ndbus0";
	fx->bus.provider = "ACPI.NFIT";
	for (size_t i = 0; i < n; i++) {
		snprintf(fx->names[i][0], sizeof(fx->names[i][0]), "region%zu", i);
		snprintf(fx->names[i][1], sizeof(fx->names[i][1]), "namespace%zu.0", i);
		fx->region[i].dev = fx->names[i][0];
		fx->region[i].type = "pmem";
		fx->region[i].domain = domains[i];
		fx->region[i].bus = &fx->bus;
		fx->ns[i].dev = fx->names[i][1];
		fx->ns[i].mode = PM_MODE_FSDAX;
		fx->ns[i].active = true;
		fx->ns[i].dax_write_cache = -1;
		fx->ns[i].region = &fx->region[i];
		fx->regions[i] = &fx->region[i];
		fx->namespaces[i] = &fx->ns[i];
	}
	fx->pf.regions = fx->regions;
	fx->pf.nr_regions = n;
	fx->pf.namespaces = fx->namespaces;
	fx->pf.nr_namespaces = n;
	pm_persistence_fill(&fx->pf);
}

static const struct pm_finding *find(const struct pm_diagnosis *d, const char *code)
{
	for (size_t i = 0; i < d->nr_findings; i++)
		if (strcmp(d->findings[i].code, code) == 0)
			return &d->findings[i];
	return NULL;
}

static void test_weaker_region(void)
{
	static const enum pm_domain mixed[] = {
		PM_DOMAIN_CPU_CACHE, PM_DOMAIN_UNKNOWN, PM_DOMAIN_MEMORY_CONTROLLER,
	};
	static const enum pm_domain eadr[] = {
		PM_DOMAIN_CPU_CACHE, PM_DOMAIN_CPU_CACHE,
	};
	struct pm_diagnosis *d = calloc(1, sizeof(*d));
	const struct pm_finding *f;
	struct fixture fx;

	if (!d) {
		ok(0, "a diagnosis");
		return;
	}
	build(&fx, mixed, 3);
	ok(pm_doctor(&fx.pf, "namespace0.0", d) == 0, "doctor namespace0.0 on eADR + unknown + ADR");
	f = find(d, "weaker-region");
	ok(f && f->severity == PM_SEV_INFO && strcmp(f->object, "region0") == 0,
	   "an info finding on region0 (the eADR one)");
	ok(f && strstr(f->message, "region1 (and 1 more region) is weaker (unknown)") &&
	   strstr(f->message, "every region is cpu_cache") && strstr(f->message, "clwb"),
	   "it names the weakest region, counts the others and says what it means (%s)",
	   f ? f->message : "none");
	ok(fx.ns[0].granularity == PM_GRAN_CACHE_LINE, "... where the granularity is cache-line");

	ok(pm_doctor(&fx.pf, "namespace2.0", d) == 0 && !find(d, "weaker-region"),
	   "no such finding on the ADR region itself");
	ok(pm_doctor(&fx.pf, "region0", d) == 0 && find(d, "weaker-region"),
	   "the eADR region named alone gets it too");
	ok(pm_doctor(&fx.pf, NULL, d) == 0 && !find(d, "weaker-region") &&
	   find(d, "mixed-domains"),
	   "the whole platform: mixed-domains says it instead");

	/* A namespace without MAP_SYNC needs msync anyway: nothing to explain. */
	fx.ns[0].mode = PM_MODE_SECTOR;
	pm_persistence_fill(&fx.pf);
	ok(pm_doctor(&fx.pf, "namespace0.0", d) == 0 && !find(d, "weaker-region"),
	   "a sector namespace on the eADR region (page granularity): no finding");

	build(&fx, eadr, 2);
	ok(pm_doctor(&fx.pf, "namespace0.0", d) == 0 && !find(d, "weaker-region") &&
	   fx.ns[0].granularity == PM_GRAN_BYTE,
	   "every region eADR: byte granularity, no finding");
	free(d);
}

/* The codes of one DIMM's health findings, with their severities. */
static const char *health_codes(const struct pm_health *h)
{
	static char buf[512];
	struct pm_diagnosis *d = calloc(1, sizeof(*d));
	size_t len = 0;

	buf[0] = 0;
	if (!d)
		return "ENOMEM";
	pm_doctor_health(d, "nmem1", h);
	for (size_t i = 0; i < d->nr_findings && len < sizeof(buf); i++)
		len += snprintf(buf + len, sizeof(buf) - len, "%s%s:%s", i ? " " : "",
				d->findings[i].code,
				pm_severity_name(d->findings[i].severity));
	free(d);
	return buf;
}

#define HEALTH_IS(h, want, name) do {					\
		const char *g_ = health_codes(h);			\
		ok(strcmp(g_, (want)) == 0, "%s: '%s' (want '%s')",	\
		   (name), g_, (want));					\
	} while (0)

static void test_health(void)
{
	/* nfit_test.0's defaults, but the kernel's count at 0. */
	const struct pm_health fine = {
		.state = "ok", .temperature = { true, 23 }, .spares = { true, 75 },
		.spares_threshold = { true, 5 }, .life_used = { true, 5 },
		.shutdown_state = "clean", .shutdown_count = { true, 42 },
		.dirty_shutdown = 0,
	};
	struct pm_health h = fine;
	struct pm_diagnosis *d;

	HEALTH_IS(&h, "", "a healthy DIMM whose kernel count is 0: nothing");
	h.state = "non-critical";
	HEALTH_IS(&h, "health-non-critical:warning", "non-critical: a warning");
	h.state = "critical";
	HEALTH_IS(&h, "health-critical:error", "critical: an error");
	h.state = "fatal";
	HEALTH_IS(&h, "health-fatal:error", "fatal: an error");

	h = fine;
	h.spares.value = 5;
	HEALTH_IS(&h, "spares-low:warning", "spares at the threshold: a warning");
	h.alarm_spares = (struct pm_health_bool){ true, true };
	HEALTH_IS(&h, "spares-low:warning", "... said once when the alarm is raised too");
	h.spares.value = 6;
	HEALTH_IS(&h, "alarm-spares:warning", "above the threshold, the alarm raised: the alarm");
	h = fine;
	h.spares_threshold.valid = false;
	h.spares.value = 1;
	HEALTH_IS(&h, "", "no threshold known: spares alone say nothing");

	h = fine;
	h.alarm_temperature = (struct pm_health_bool){ true, true };
	h.alarm_ctrl_temperature = (struct pm_health_bool){ true, true };
	HEALTH_IS(&h, "alarm-temperature:warning alarm-controller-temperature:warning",
		  "both temperature alarms");
	h = fine;
	h.life_used.value = 89;
	HEALTH_IS(&h, "", "89% of life used: nothing");
	h.life_used.value = 90;
	HEALTH_IS(&h, "life-used:warning", "90% of life used: a warning");

	h = fine;
	h.shutdown_state = "dirty";
	HEALTH_IS(&h, "shutdown-state-dirty:warning", "the last shutdown unsafe: a warning");
	h = fine;
	h.dirty_shutdown = 42;
	HEALTH_IS(&h, "dirty-shutdown:warning", "the kernel's dirty shutdown count above 0");
	h.dirty_shutdown = -1;
	HEALTH_IS(&h, "dirty-shutdown:warning", "no kernel count: SMART's (42)");
	h.shutdown_count.valid = false;
	HEALTH_IS(&h, "", "neither count: nothing");

	/* No SMART (no root, no support): only the kernel's count speaks. */
	h = (struct pm_health){ .error = -EACCES, .state = NULL, .dirty_shutdown = 3 };
	d = calloc(1, sizeof(*d));
	if (d) {
		pm_doctor_health(d, "nmem1", &h);
		ok(d->nr_findings == 1 && strcmp(d->findings[0].code, "dirty-shutdown") == 0 &&
		   strstr(d->findings[0].message, "nmem1 counts 3 unsafe") &&
		   strstr(d->findings[0].fix, "pmem2_source_device_usc") &&
		   strstr(d->findings[0].message, "not yet flushed"),
		   "SMART unreadable: the kernel's count, and what it means for applications (%s)",
		   d->nr_findings ? d->findings[0].message : "none");
		free(d);
	}
	h = (struct pm_health){ .error = -EOPNOTSUPP, .state = "fatal",
				.life_used = { true, 100 }, .dirty_shutdown = -1 };
	HEALTH_IS(&h, "", "a failed read: its leftovers are not findings");
}

/* A DIMM flag's finding and advice name the DIMM and a pmemctl command. */
static void test_dimm_flag(void)
{
	static const enum pm_domain adr[] = { PM_DOMAIN_MEMORY_CONTROLLER };
	struct pm_diagnosis *d = calloc(1, sizeof(*d));
	struct pm_health no_smart = { .error = -EOPNOTSUPP, .dirty_shutdown = -1 };
	struct pm_dimm dimm = { .dev = "nmem7", .smart_event = true,
				.health = &no_smart };
	struct pm_dimm *dimms[] = { &dimm };
	const struct pm_finding *f;
	struct fixture fx;

	if (!d) {
		ok(0, "a diagnosis");
		return;
	}
	build(&fx, adr, 1);
	dimm.bus = &fx.bus;
	fx.pf.dimms = dimms;
	fx.pf.nr_dimms = 1;
	ok(pm_doctor(&fx.pf, NULL, d) == 0 && (f = find(d, "smart-event")),
	   "a pending SMART event: a smart-event finding");
	f = find(d, "smart-event");
	ok(f && strcmp(f->message, "nmem7 has a pending SMART health event") == 0,
	   "the message names the DIMM (%s)", f ? f->message : "none");
	ok(f && strstr(f->fix, "pmemctl show nmem7") && !strstr(f->fix, "ndctl") &&
	   !strstr(f->fix, "DIMM"),
	   "the advice names the real DIMM and pmemctl's command (%s)",
	   f ? f->fix : "none");
	/* doctor's firmware check cached what it read, as pm_platform_free() frees. */
	free(dimm.firmware);
	free(d);
}

int main(void)
{
	test_policy();
	test_state();
	test_weaker_region();
	test_health();
	test_dimm_flag();
	return done_testing();
}
