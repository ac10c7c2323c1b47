// SPDX-License-Identifier: GPL-2.0-or-later
/* Diagnostics: what is wrong, or worth knowing, about durability here. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <ndctl/libndctl.h>

#include "doctor.h"
#include "host.h"
#include "sysfs.h"

#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE 0x03
#endif
#ifndef MAP_SYNC
#define MAP_SYNC 0x80000
#endif
#ifndef STATX_ATTR_DAX
#define STATX_ATTR_DAX 0x00200000
#endif

static void add(struct pm_diagnosis *d, enum pm_severity severity,
		const char *code, const char *object, const char *fix,
		const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

static void add(struct pm_diagnosis *d, enum pm_severity severity,
		const char *code, const char *object, const char *fix,
		const char *fmt, ...)
{
	struct pm_finding *f;
	va_list ap;

	if (d->nr_findings == PM_MAX_FINDINGS)
		return;
	f = &d->findings[d->nr_findings++];
	f->severity = severity;
	f->code = code;
	snprintf(f->object, sizeof(f->object), "%s", object);
	snprintf(f->fix, sizeof(f->fix), "%s", fix ? fix : "");
	va_start(ap, fmt);
	vsnprintf(f->message, sizeof(f->message), fmt, ap);
	va_end(ap);
	if (!d->any || severity > d->worst)
		d->worst = severity;
	d->any = true;
}

/* The mount a path is on: the longest mount point that prefixes it. */
static void find_mount(const char *path, dev_t dev, char *mnt, size_t mlen,
		       char *opts, size_t olen)
{
	char line[4096], point[1024], options[1024], real[4096];
	unsigned int maj, min;
	size_t best = 0;
	FILE *f;

	mnt[0] = opts[0] = '\0';
	if (!realpath(path, real))
		return;
	f = pm_host_fopen("/proc/self/mountinfo");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		size_t len;

		if (sscanf(line, "%*d %*d %u:%u %*s %1023s %1023s", &maj, &min,
			   point, options) != 4 ||
		    makedev(maj, min) != dev)
			continue;
		len = strlen(point);
		if (strncmp(real, point, len) != 0 || len < best)
			continue;
		best = len;
		snprintf(mnt, mlen, "%.255s", point);
		snprintf(opts, olen, "%.255s", options);
	}
	fclose(f);
}

/* A real MAP_SYNC attempt: what the kernel accepts, not what it should. */
static int try_map_sync(const char *path)
{
	void *addr;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int works;

	if (fd < 0)
		return -1;
	addr = mmap(NULL, 4096, PROT_READ, MAP_SHARED_VALIDATE | MAP_SYNC, fd, 0);
	works = addr != MAP_FAILED;
	if (works)
		munmap(addr, 4096);
	close(fd);
	return works;
}

static void diagnose_file(const struct pm_platform *pf, const char *path,
			  struct pm_diagnosis *d)
{
	struct statx stx;
	struct stat st;

	d->dax = -1;
	d->map_sync = -1;
	if (stat(path, &st) < 0)
		return;
	if (statx(AT_FDCWD, path, 0, STATX_BASIC_STATS, &stx) == 0 &&
	    (stx.stx_attributes_mask & STATX_ATTR_DAX))
		d->dax = !!(stx.stx_attributes & STATX_ATTR_DAX);
	find_mount(path, st.st_dev, d->mount, sizeof(d->mount), d->mount_options,
		   sizeof(d->mount_options));
	if (S_ISREG(st.st_mode))
		d->map_sync = try_map_sync(path);
	if (d->dax == 0 && d->target.ns && d->target.ns->dax)
		add(d, PM_SEV_WARNING, "not-dax", path,
		    "mount the filesystem with -o dax (or set the file's DAX attribute)",
		    "%s is on %s (fsdax) but is not DAX: loads and stores go through the page cache; msync/fsync make it durable",
		    path, d->target.device[0] ? d->target.device : d->target.ns->dev);
	if (S_ISREG(st.st_mode) && d->map_sync == 0 && d->target.ns &&
	    d->target.ns->map_sync)
		add(d, PM_SEV_WARNING, "no-map-sync", path, NULL,
		    "MAP_SYNC is refused for %s although its namespace supports it: the file is not DAX",
		    path);
}

static void lint_regions(const struct pm_platform *pf, struct pm_diagnosis *d,
			 const struct pm_region *only)
{
	bool seen[PM_DOMAIN_CPU_CACHE + 1] = { false };
	int kinds = 0;

	for (size_t i = 0; i < pf->nr_regions; i++) {
		const struct pm_region *r = pf->regions[i];

		if (!pm_region_is_pmem(r))
			continue;
		if (!seen[r->domain]) {
			seen[r->domain] = true;
			kinds++;
		}
		if (only && r != only)
			continue;
		if (r->domain == PM_DOMAIN_UNKNOWN || r->domain == PM_DOMAIN_NONE)
			add(d, PM_SEV_WARNING, "unknown-domain", r->dev,
			    "treat stores as durable only after clwb + sfence, and fsync or deep-flush critical data",
			    "persistence domain %s: %s", pm_domain_name(r->domain),
			    r->domain_reason ? r->domain_reason : "not declared");
	}
	if (kinds > 1 && !only)
		add(d, PM_SEV_WARNING, "mixed-domains", "platform",
		    "applications must follow the weakest region's recipe",
		    "the regions declare different persistence domains: the platform is as durable as the weakest (%s)",
		    pm_domain_name(pf->verdict));
}

static bool mounted_with_dax(const char *blockdev, char *mnt, size_t len,
			     bool *mounted)
{
	char line[4096], point[1024], options[1024], devno[32], want[32];
	bool dax = false;
	FILE *f;

	*mounted = false;
	if (sysfs_read_string(want, sizeof(want), "/sys/class/block/%s/dev", blockdev) < 0)
		return false;
	f = pm_host_fopen("/proc/self/mountinfo");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%*d %*d %31s %*s %1023s %1023s", devno, point, options) != 3 ||
		    strcmp(devno, want) != 0)
			continue;
		*mounted = true;
		snprintf(mnt, len, "%s", point);
		/* ext4 and xfs show "dax" or "dax=always" in the mount options. */
		if (strstr(options, "dax") && !strstr(options, "dax=never"))
			dax = true;
		else if (strstr(line, " - ") && strstr(strstr(line, " - "), "dax") &&
			 !strstr(strstr(line, " - "), "dax=never"))
			dax = true;
	}
	fclose(f);
	return dax;
}

static void lint_namespaces(const struct pm_platform *pf, struct pm_diagnosis *d,
			    const struct pm_region *only_region,
			    const struct pm_namespace *only)
{
	for (size_t i = 0; i < pf->nr_namespaces; i++) {
		const struct pm_namespace *ns = pf->namespaces[i];
		const struct pm_region *r = ns->region;
		char mnt[1024];
		bool mounted;

		if ((only && ns != only) || (only_region && r != only_region) ||
		    !ns->active || !pm_region_is_pmem(r))
			continue;
		if (ns->dax_write_cache == 1 && r->domain == PM_DOMAIN_CPU_CACHE)
			add(d, PM_SEV_INFO, "write-cache-eadr", ns->dev,
			    "echo 0 > /sys/block/DEV/dax/write_cache",
			    "dax write_cache is on although %s is eADR: fsync writes back CPU caches for nothing",
			    r->dev);
		if (ns->dax_write_cache == 0 && r->domain != PM_DOMAIN_CPU_CACHE)
			add(d, PM_SEV_ERROR, "write-cache-off", ns->dev,
			    "echo 1 > /sys/block/DEV/dax/write_cache",
			    "dax write_cache is off but %s is not eADR (%s): fsync and msync skip the CPU cache write-back, data can be lost",
			    r->dev, pm_domain_name(r->domain));
		if (ns->mode == PM_MODE_FSDAX && ns->blockdev &&
		    !mounted_with_dax(ns->blockdev, mnt, sizeof(mnt), &mounted) && mounted)
			add(d, PM_SEV_WARNING, "mounted-without-dax", ns->dev,
			    "remount with -o dax",
			    "/dev/%s is mounted on %s without -o dax: no MAP_SYNC, stores go through the page cache",
			    ns->blockdev, mnt);
		if (ns->dax && ns->align && ns->align < (2 << 20))
			add(d, PM_SEV_INFO, "small-align", ns->dev,
			    "pmemctl convert --align 2M",
			    "%s is %s with a %llu-byte alignment: no 2 MiB (PMD) mappings, more TLB misses",
			    ns->dev, pm_ns_mode_name(ns->mode), (unsigned long long)ns->align);
	}
	for (size_t i = 0; i < pf->nr_daxdevs; i++) {
		const struct pm_daxdev *dax = pf->daxdevs[i];

		if ((only && dax->ns != only) || (only_region && dax->ns->region != only_region))
			continue;
		if (strcmp(dax->mode, "system-ram") == 0)
			add(d, PM_SEV_WARNING, "kmem", dax->dev,
			    "daxctl offline-memory and reconfigure-device --mode=devdax to use it as pmem",
			    "%s is online as system RAM (kmem): its contents are volatile to applications",
			    dax->dev);
	}
}

static void lint_dimms(const struct pm_platform *pf, struct pm_diagnosis *d,
		       const struct pm_region *only)
{
	for (size_t i = 0; i < pf->nr_dimms; i++) {
		const struct pm_dimm *m = pf->dimms[i];
		long long dirty;

		if (only && !pm_region_uses_dimm(only, m))
			continue;
		for (size_t f = 0; f < pm_nr_dimm_flags; f++) {
			const struct pm_dimm_flag *flag = &pm_dimm_flags[f];

			const char *at = strstr(flag->finding, "%s");

			/* The table's message names the DIMM where it says %s. */
			if (pm_dimm_has_flag(m, flag) && at)
				add(d, flag->error ? PM_SEV_ERROR : PM_SEV_WARNING,
				    flag->code, m->dev, flag->fix, "%.*s%s%s",
				    (int)(at - flag->finding), flag->finding, m->dev,
				    at + 2);
		}
		dirty = ndctl_dimm_get_dirty_shutdown(m->nddimm);
		if (dirty > 0)
			add(d, PM_SEV_WARNING, "dirty-shutdown", m->dev,
			    "data written before an unclean shutdown may be lost: check application consistency",
			    "%s counts %lld dirty shutdowns", m->dev, dirty);
	}
}

static void lint_cpu(struct pm_diagnosis *d)
{
	struct pm_cpu_flags f;

	/* The kernel's view, which a report captures: not cpuid. */
	pm_host_cpu_flags(&f);
	if (!f.known)
		return;
	if (!f.clwb && !f.clflushopt)
		add(d, PM_SEV_WARNING, "no-clwb", "cpu", NULL,
		    "the CPU has neither clwb nor clflushopt: each cache-line flush is a serialising clflush");
	else if (!f.clwb)
		add(d, PM_SEV_INFO, "no-clwb", "cpu", NULL,
		    "the CPU has no clwb: flushes evict lines (clflushopt)");
}

static void lint_modules(const struct pm_platform *pf, struct pm_diagnosis *d)
{
	static const char *const modules[] = {
		"nfit", "nd_pmem", "dax_pmem", "device_dax", "kmem",
	};
	char release[128];

	if (pm_host_read_line("/proc/sys/kernel/osrelease", release, sizeof(release)) < 0)
		snprintf(release, sizeof(release), "?");

	for (size_t i = 0; i < sizeof(modules) / sizeof(modules[0]); i++) {
		enum pm_module_state state;

		if (pm_module_state(modules[i], &state) < 0)
			continue;
		if (state == PM_MODULE_MISSING)
			add(d, PM_SEV_WARNING, "module-missing", modules[i],
			    "install the kernel's modules package (linux-image-*)",
			    "kernel module %s is not installed for the running kernel %s",
			    modules[i], release);
		else if (state == PM_MODULE_AVAILABLE && !pf->nr_buses &&
			 strcmp(modules[i], "nfit") == 0)
			add(d, PM_SEV_INFO, "module-not-loaded", modules[i],
			    "modprobe nfit (ACPI NVDIMMs) or virtio_pmem",
			    "no nvdimm bus, and %s is not loaded", modules[i]);
	}
}

/*
 * The kernel warns "unable to guarantee persistence of writes" when
 * nvdimm_has_flush() cannot tell: for a region without DIMM mappings. On
 * virtio-pmem that is expected (its flush callback still sends fsync's
 * flush to the host); anywhere else nothing flushes beyond the CPU.
 */
static void lint_kernel_log(const struct pm_platform *pf, struct pm_diagnosis *d,
			    const struct pm_namespace *only)
{
	char *buf, *save = NULL;

	if (pm_host_kernel_log(&buf) < 0)
		return;	/* not permitted (dmesg_restrict): nothing to say */
	for (char *line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		const struct pm_namespace *ns = NULL;
		char *msg = strstr(line, "unable to guarantee persistence");

		if (!msg)
			continue;
		for (size_t i = 0; i < pf->nr_namespaces; i++) {
			char tag[80];

			snprintf(tag, sizeof(tag), " %s:", pf->namespaces[i]->dev);
			if (strstr(line, tag))
				ns = pf->namespaces[i];
		}
		if (only && ns != only)
			continue;
		if (ns && !pm_region_is_pmem(ns->region))
			add(d, PM_SEV_INFO, "kernel-no-persistence", ns->dev, NULL,
			    "the kernel says it is \"unable to guarantee persistence of writes\" on %s: expected, %s is %s",
			    ns->dev, ns->region->dev, ns->region->type);
		else if (ns && ns->region->async)
			add(d, PM_SEV_INFO, "kernel-no-persistence", ns->dev, NULL,
			    "the kernel says it is \"unable to guarantee persistence of writes\" on %s: expected for virtio-pmem, whose fsync flushes reach the host",
			    ns->dev);
		else
			add(d, PM_SEV_ERROR, "kernel-no-persistence", ns ? ns->dev : "kernel",
			    "fsync does not flush beyond the CPU here: do not rely on it for durability",
			    "the kernel said: %s", strchr(line, ']') ? strchr(line, ']') + 2 : line);
	}
	free(buf);
}

int pm_doctor(const struct pm_platform *pf, const char *target,
	      struct pm_diagnosis *d)
{
	const struct pm_region *region = NULL;
	const struct pm_namespace *ns = NULL;
	int rc;

	memset(d, 0, sizeof(*d));
	d->dax = d->map_sync = -1;
	if (target) {
		struct stat st;

		rc = pm_resolve_target(pf, target, &d->target);
		if (rc)
			return rc;
		d->has_target = true;
		region = d->target.region;
		ns = d->target.ns;
		d->is_file = d->target.path && stat(target, &st) == 0 &&
			     !S_ISBLK(st.st_mode) && !S_ISCHR(st.st_mode);
		if (d->is_file)
			diagnose_file(pf, target, d);
	}
	lint_regions(pf, d, region);
	lint_namespaces(pf, d, region, ns);
	lint_dimms(pf, d, region);
	lint_cpu(d);
	if (!target)
		lint_modules(pf, d);
	lint_kernel_log(pf, d, ns);
	return 0;
}

const char *pm_severity_name(enum pm_severity severity)
{
	switch (severity) {
	case PM_SEV_ERROR:
		return "error";
	case PM_SEV_WARNING:
		return "warning";
	default:
		return "info";
	}
}
