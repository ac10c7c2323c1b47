// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests: doctor's DAX reading of mount options, and its platform rules. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "lib/doctor.h"
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

int main(void)
{
	test_policy();
	test_state();
	test_weaker_region();
	return done_testing();
}
