// SPDX-License-Identifier: GPL-2.0-or-later
/* Diagnostics: what is wrong, or worth knowing, about durability here. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <linux/fs.h>
#include <ndctl/libndctl.h>

#include "compat.h"
#include "cxl.h"
#include "doctor.h"
#include "health.h"
#include "host.h"
#include "proc.h"
#include "security.h"
#include "sysfs.h"

#ifndef FS_XFLAG_DAX
#define FS_XFLAG_DAX 0x00008000		/* Linux 4.5 */
#endif

void pm_doctor_add(struct pm_diagnosis *d, enum pm_severity severity,
		   const char *code, const char *object, const char *fix,
		   const char *fmt, ...)
{
	struct pm_finding *f;
	va_list ap;

	if (d->nr_findings == PM_MAX_FINDINGS)
		return;
	f = &d->findings[d->nr_findings++];
	memset(f, 0, sizeof(*f));
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

/* Whether an option list ("rw,dax=always,attr2") holds word. */
static bool has_option(const char *options, const char *word)
{
	size_t len = strlen(word);

	for (const char *p = options; p && *p; p += strcspn(p, ",")) {
		if (*p == ',')
			p++;
		if (strncmp(p, word, len) == 0 && (p[len] == ',' || !p[len]))
			return true;
	}
	return false;
}

enum pm_dax_policy pm_mount_dax_policy(const char *fstype,
				       const char *super_options)
{
	/* "dax" alone: ext2, and ext4 and xfs before dax=inode (5.8). */
	if (has_option(super_options, "dax=always") || has_option(super_options, "dax"))
		return PM_DAX_ALWAYS;
	if (has_option(super_options, "dax=never"))
		return PM_DAX_NEVER;
	if (has_option(super_options, "dax=inode"))
		return PM_DAX_INODE;
	/*
	 * Neither ext4 nor xfs shows their default, dax=inode: a file with
	 * the DAX flag is DAX there, if the device is.
	 */
	if (fstype && (strcmp(fstype, "ext4") == 0 || strcmp(fstype, "xfs") == 0))
		return PM_DAX_INODE_DEFAULT;
	return PM_DAX_NEVER;
}

int pm_mount_dax_state(const struct pm_mount *m, const char *dir)
{
	struct fsxattr fsx;
	int fd, rc;

	switch (pm_mount_dax_policy(m->fstype, m->super_options)) {
	case PM_DAX_ALWAYS:
		return 1;
	case PM_DAX_NEVER:
		return 0;
	default:
		break;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	rc = ioctl(fd, FS_IOC_FSGETXATTR, &fsx);
	close(fd);
	if (rc < 0)
		/* No extended attributes of this kind: no DAX flag either. */
		return errno == ENOTTY || errno == EOPNOTSUPP ? 0 : -errno;
	return !!(fsx.fsx_xflags & FS_XFLAG_DAX);
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

/* What would make a file, or a directory's new files, DAX. */
static const char *not_dax_fix(const struct pm_diagnosis *d, bool dir)
{
	switch (pm_mount_dax_policy(d->mount_fstype, d->mount_super_options)) {
	case PM_DAX_ALWAYS:
		/* ext4 leaves these out whatever the mount says. */
		return "ext4 keeps journalled-data, inline-data, encrypted and verity files out of DAX: check lsattr";
	case PM_DAX_INODE:
	case PM_DAX_INODE_DEFAULT:
		return dir ? "mount the filesystem with -o dax, or set the directory's DAX flag (chattr +x DIR): files created in it inherit it" :
			     "mount the filesystem with -o dax, or set the file's DAX flag (chattr +x FILE; it applies once no one has the file open)";
	default:
		if (has_option(d->mount_super_options, "dax=never"))
			return "mount the filesystem with -o dax instead of dax=never";
		return "mount the filesystem with -o dax (ext4, xfs)";
	}
}

static void diagnose_file(const struct pm_platform *pf, const char *path,
			  struct pm_diagnosis *d)
{
	const struct pm_namespace *ns = d->target.ns;
	struct pm_mount *m = malloc(sizeof(*m));
	struct statx stx;
	struct stat st;
	bool dir;

	d->dax = -1;
	d->map_sync = -1;
	if (!m || stat(path, &st) < 0) {
		free(m);
		return;
	}
	dir = S_ISDIR(st.st_mode);
	if (statx(AT_FDCWD, path, 0, STATX_BASIC_STATS, &stx) == 0 &&
	    (stx.stx_attributes_mask & STATX_ATTR_DAX))
		d->dax = !!(stx.stx_attributes & STATX_ATTR_DAX);
	if (pm_mount_of_path(path, st.st_dev, m)) {
		snprintf(d->mount, sizeof(d->mount), "%.255s", m->point);
		snprintf(d->mount_options, sizeof(d->mount_options), "%.255s", m->options);
		snprintf(d->mount_fstype, sizeof(d->mount_fstype), "%s", m->fstype);
		snprintf(d->mount_super_options, sizeof(d->mount_super_options),
			 "%.255s", m->super_options);
		/* A directory is never DAX itself: its new files are, or not. */
		if (dir && ns) {
			int state = ns->dax ? pm_mount_dax_state(m, path) : 0;

			d->dax = state < 0 ? -1 : state;
		}
	}
	free(m);
	if (S_ISREG(st.st_mode))
		d->map_sync = try_map_sync(path);
	if (d->dax == 0 && ns && ns->dax) {
		const char *on = d->target.device[0] ? d->target.device : ns->dev;

		if (dir)
			pm_doctor_add(d, PM_SEV_WARNING, "not-dax", path, not_dax_fix(d, true),
			    "files created in %s (on %s, fsdax) are not DAX: loads and stores go through the page cache; msync/fsync make them durable",
			    path, on);
		else
			pm_doctor_add(d, PM_SEV_WARNING, "not-dax", path, not_dax_fix(d, false),
			    "%s is on %s (fsdax) but is not DAX: loads and stores go through the page cache; msync/fsync make it durable",
			    path, on);
	}
	if (S_ISREG(st.st_mode) && d->map_sync == 0 && ns && ns->map_sync)
		pm_doctor_add(d, PM_SEV_WARNING, "no-map-sync", path, NULL,
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
			pm_doctor_add(d, PM_SEV_WARNING, "unknown-domain", r->dev,
			    "treat stores as durable only after clwb + sfence, and fsync or deep-flush critical data",
			    "persistence domain %s: %s", pm_domain_name(r->domain),
			    r->domain_reason ? r->domain_reason : "not declared");
	}
	/* Volatile by design: said, not warned; no weakest-domain verdict. */
	for (size_t i = 0; i < pf->nr_ram_regions && !only; i++) {
		const struct pm_region *r = pf->ram_regions[i];
		const struct pm_daxdev *dax = pm_ram_region_daxdev(pf, r->cxl);
		char fix[160];

		snprintf(fix, sizeof(fix), "keep nothing there that must outlive a power loss; as a memory tier: pmemctl convert %s --mode system-ram",
			 dax ? dax->dev : "its dax device");
		pm_doctor_add(d, PM_SEV_INFO, "volatile-region", r->dev, fix,
			      "persistence domain %s: %s", pm_domain_name(r->domain),
			      r->domain_reason);
	}
	if (kinds > 1 && !only)
		pm_doctor_add(d, PM_SEV_WARNING, "mixed-domains", "platform",
		    "applications must follow the weakest region's recipe",
		    "the regions declare different persistence domains: the platform is as durable as the weakest (%s)",
		    pm_domain_name(pf->verdict));
}

/*
 * Like libpmem2, pmemctl counts the CPU caches as persistent only when
 * every pmem region is cpu_cache: eADR is the platform's, not a region's.
 * Said where it surprises, on an eADR region that would otherwise need no
 * flush (DAX with MAP_SYNC).
 */
static void lint_weaker_region(const struct pm_platform *pf, struct pm_diagnosis *d)
{
	const struct pm_region *r = d->target.region, *weaker = NULL;
	const struct pm_namespace *ns = d->target.ns;
	char others[48] = "";
	size_t more = 0;

	if (!r || !pm_region_is_pmem(r) || r->domain != PM_DOMAIN_CPU_CACHE ||
	    pf->verdict == PM_DOMAIN_CPU_CACHE)
		return;
	if (ns && (ns->granularity != PM_GRAN_CACHE_LINE || d->map_sync == 0 || d->dax == 0))
		return;
	for (size_t i = 0; i < pf->nr_regions; i++) {
		const struct pm_region *other = pf->regions[i];

		if (!pm_region_is_pmem(other) || other->domain == PM_DOMAIN_CPU_CACHE)
			continue;
		if (!weaker || other->domain < weaker->domain) {
			more += !!weaker;
			weaker = other;
		} else {
			more++;
		}
	}
	if (!weaker)
		return;
	if (more)
		snprintf(others, sizeof(others), " (and %zu more region%s)", more,
			 more > 1 ? "s" : "");
	pm_doctor_add(d, PM_SEV_INFO, "weaker-region", r->dev, NULL,
	    "%s is eADR (cpu_cache), but %s%s is weaker (%s): libpmem2 counts the CPU caches as persistent only when every region is cpu_cache, so stores here need cache-line flushes (clwb + sfence)",
	    r->dev, weaker->dev, others, pm_domain_name(weaker->domain));
}

/*
 * Whether the block device's filesystem is mounted (where) and chose DAX:
 * dax, dax=always or dax=inode; ext4's and xfs's silent default, dax=inode,
 * makes no file DAX until someone sets the flag, so it does not count.
 */
static bool mounted_with_dax(const char *blockdev, char *mnt, size_t len,
			     bool *mounted)
{
	char devno[32];
	unsigned int maj, min;
	struct pm_mount *m;
	bool dax = false;

	*mounted = false;
	if (sysfs_read_string(devno, sizeof(devno), "/sys/class/block/%s/dev", blockdev) < 0 ||
	    sscanf(devno, "%u:%u", &maj, &min) != 2)
		return false;
	m = malloc(sizeof(*m));
	if (m && pm_mount_of_dev(makedev(maj, min), m)) {
		enum pm_dax_policy policy = pm_mount_dax_policy(m->fstype, m->super_options);

		*mounted = true;
		snprintf(mnt, len, "%s", m->point);
		dax = policy == PM_DAX_ALWAYS || policy == PM_DAX_INODE;
	}
	free(m);
	return dax;
}

static void lint_namespaces(const struct pm_platform *pf, struct pm_diagnosis *d,
			    const struct pm_region *only_region,
			    const struct pm_namespace *only)
{
	for (size_t i = 0; i < pf->nr_namespaces; i++) {
		const struct pm_namespace *ns = pf->namespaces[i];
		const struct pm_region *r = ns->region;
		char mnt[PATH_MAX];
		bool mounted;

		if ((only && ns != only) || (only_region && r != only_region) ||
		    !ns->active || !pm_region_is_pmem(r))
			continue;
		if (ns->dax_write_cache == 1 && r->domain == PM_DOMAIN_CPU_CACHE)
			pm_doctor_add(d, PM_SEV_INFO, "write-cache-eadr", ns->dev,
			    "echo 0 > /sys/block/DEV/dax/write_cache",
			    "dax write_cache is on although %s is eADR: fsync writes back CPU caches for nothing",
			    r->dev);
		if (ns->dax_write_cache == 0 && r->domain != PM_DOMAIN_CPU_CACHE)
			pm_doctor_add(d, PM_SEV_ERROR, "write-cache-off", ns->dev,
			    "echo 1 > /sys/block/DEV/dax/write_cache",
			    "dax write_cache is off but %s is not eADR (%s): fsync and msync skip the CPU cache write-back, data can be lost",
			    r->dev, pm_domain_name(r->domain));
		if (ns->mode == PM_MODE_FSDAX && ns->blockdev &&
		    !mounted_with_dax(ns->blockdev, mnt, sizeof(mnt), &mounted) && mounted)
			pm_doctor_add(d, PM_SEV_WARNING, "mounted-without-dax", ns->dev,
			    "remount with -o dax",
			    "/dev/%s is mounted on %s without -o dax: no MAP_SYNC, stores go through the page cache",
			    ns->blockdev, mnt);
		if (ns->dax && ns->align && ns->align < (2 << 20))
			pm_doctor_add(d, PM_SEV_INFO, "small-align", ns->dev,
			    "pmemctl convert --align 2M",
			    "%s is %s with a %llu-byte alignment: no 2 MiB (PMD) mappings, more TLB misses",
			    ns->dev, pm_ns_mode_name(ns->mode), (unsigned long long)ns->align);
	}
	pm_doctor_sysram(pf, d, only_region, only);
}

/* The table's text with the DIMM's name where it says %s (once). */
static const char *name_dimm(const char *text, const char *dev, char *buf,
			     size_t len)
{
	const char *at = text ? strstr(text, "%s") : NULL;

	if (!at)
		return text;
	snprintf(buf, len, "%.*s%s%s", (int)(at - text), text, dev, at + 2);
	return buf;
}

/*
 * Security: a locked DIMM's regions do not start; an overwrite makes the
 * DIMM unusable until it ends; frozen forbids passphrase changes and
 * erases until a reboot (firmware or the BIOS may freeze on purpose).
 */
static void lint_security(const struct pm_platform *pf, struct pm_diagnosis *d,
			  const struct pm_dimm *m)
{
	char regions[128] = "", fix[256];
	size_t n = 0;

	for (size_t i = 0; i < pf->nr_regions; i++) {
		const struct pm_region *r = pf->regions[i];
		size_t at = strlen(regions);

		if (pm_region_uses_dimm(r, m))
			snprintf(regions + at, sizeof(regions) - at, "%s%s",
				 n++ ? ", " : "", r->dev);
	}
	switch (m->security) {
	case PM_SECURITY_LOCKED:
		snprintf(fix, sizeof(fix),
			 "load its key and unlock it: pmemctl load-keys (key files in %s)",
			 PM_KEYS_DIR);
		pm_doctor_add(d, PM_SEV_ERROR, "dimm-locked", m->dev, fix,
			      "%s is locked: %s cannot be used until it is unlocked",
			      m->dev, n ? regions : "its regions");
		break;
	case PM_SECURITY_UNREADABLE:
		snprintf(fix, sizeof(fix),
			 "wait for the overwrite to end: pmemctl sanitize-dimm --overwrite %s", m->dev);
		pm_doctor_add(d, PM_SEV_WARNING, "dimm-overwrite", m->dev, fix,
			      "the security state of %s is unreadable, as during an overwrite (nfit_test shows it so): %s stay unusable until it ends",
			      m->dev, n ? regions : "its regions");
		break;
	case PM_SECURITY_OVERWRITE:
		snprintf(fix, sizeof(fix),
			 "wait for it to end: pmemctl sanitize-dimm --overwrite %s", m->dev);
		pm_doctor_add(d, PM_SEV_WARNING, "dimm-overwrite", m->dev, fix,
			      "an overwrite of %s is in progress: %s stay unusable until it ends",
			      m->dev, n ? regions : "its regions");
		break;
	default:
		break;
	}
	if (m->security_frozen)
		pm_doctor_add(d, PM_SEV_INFO, "security-frozen", m->dev,
			      "expected when the BIOS or a boot script freezes security; else reboot before changing the passphrase",
			      "%s: security frozen: no passphrase change, removal or erase until a reboot",
			      m->dev);
}

static void lint_dimms(const struct pm_platform *pf, struct pm_diagnosis *d,
		       const struct pm_region *only)
{
	for (size_t i = 0; i < pf->nr_dimms; i++) {
		const struct pm_dimm *m = pf->dimms[i];

		if (only && !pm_region_uses_dimm(only, m))
			continue;
		for (size_t f = 0; f < pm_nr_dimm_flags; f++) {
			const struct pm_dimm_flag *flag = &pm_dimm_flags[f];
			char msg[256], fix[256];

			if (pm_dimm_has_flag(m, flag))
				pm_doctor_add(d, flag->error ? PM_SEV_ERROR : PM_SEV_WARNING,
				    flag->code, m->dev,
				    name_dimm(flag->fix, m->dev, fix, sizeof(fix)),
				    "%s", name_dimm(flag->finding, m->dev, msg,
						    sizeof(msg)));
		}
		pm_doctor_health(d, m->dev, pm_dimm_health(m));
		lint_security(pf, d, m);
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
		pm_doctor_add(d, PM_SEV_WARNING, "no-clwb", "cpu", NULL,
		    "the CPU has neither clwb nor clflushopt: each cache-line flush is a serialising clflush");
	else if (!f.clwb)
		pm_doctor_add(d, PM_SEV_INFO, "no-clwb", "cpu", NULL,
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

	for (size_t i = 0; i < ARRAY_SIZE(modules); i++) {
		enum pm_module_state state;

		if (pm_module_state(modules[i], &state) < 0)
			continue;
		if (state == PM_MODULE_MISSING)
			pm_doctor_add(d, PM_SEV_WARNING, "module-missing", modules[i],
			    "install the kernel's modules package (linux-image-*)",
			    "kernel module %s is not installed for the running kernel %s",
			    modules[i], release);
		else if (state == PM_MODULE_AVAILABLE && !pf->nr_buses &&
			 strcmp(modules[i], "nfit") == 0)
			pm_doctor_add(d, PM_SEV_INFO, "module-not-loaded", modules[i],
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
		/* The text after "[time] ", if the line has one (it may end at ']'). */
		const char *said = strchr(line, ']');

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
			pm_doctor_add(d, PM_SEV_INFO, "kernel-no-persistence", ns->dev, NULL,
			    "the kernel says it is \"unable to guarantee persistence of writes\" on %s: expected, %s is %s",
			    ns->dev, ns->region->dev, ns->region->type);
		else if (ns && ns->region->async)
			pm_doctor_add(d, PM_SEV_INFO, "kernel-no-persistence", ns->dev, NULL,
			    "the kernel says it is \"unable to guarantee persistence of writes\" on %s: expected for virtio-pmem, whose fsync flushes reach the host",
			    ns->dev);
		else
			pm_doctor_add(d, PM_SEV_ERROR, "kernel-no-persistence", ns ? ns->dev : "kernel",
			    "fsync does not flush beyond the CPU here: do not rely on it for durability",
			    "the kernel said: %s", said && said[1] ? said + 2 : line);
	}
	free(buf);
}

/* Whether target names a whole filesystem (its mount point), or nothing but an object. */
static bool whole_mount(const struct pm_diagnosis *d, const char *target)
{
	char *real;
	bool same;

	if (!d->is_file)
		return true;
	real = realpath(target, NULL);
	same = real && d->mount[0] && strcmp(real, d->mount) == 0;
	free(real);
	return same;
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
	if (target)
		lint_weaker_region(pf, d);
	lint_namespaces(pf, d, region, ns);
	pm_doctor_media(pf, d, region, ns, whole_mount(d, target) ? NULL : target);
	if (!ns)
		pm_doctor_scrub(pf, d, region);
	lint_dimms(pf, d, region);
	pm_doctor_firmware(pf, d, region);
	pm_doctor_memdevs(pf, d, region);
	if (!ns)
		pm_doctor_labels(pf, d, region);
	lint_cpu(d);
	if (!target)
		lint_modules(pf, d);
	lint_kernel_log(pf, d, ns);
	return 0;
}

void pm_diagnosis_release(struct pm_diagnosis *d)
{
	for (size_t i = 0; i < d->nr_damage; i++)
		pm_damage_free(&d->damage[i]);
	free(d->damage);
	d->damage = NULL;
	d->nr_damage = 0;
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
