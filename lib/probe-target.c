// SPDX-License-Identifier: GPL-2.0-or-later
/* The probe's targets: opening, mapping, badblocks and SIGBUS, per kind. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <linux/fs.h>

#include "compat.h"
#include "probe-internal.h"
#include "proc.h"
#include "sysfs.h"

/* ------------------------------------------------------------ SIGBUS */

/*
 * A poisoned line (a media error the kernel knows as a badblock, or one
 * it does not know yet) raises SIGBUS on access; so does a mapping past
 * the end of a file that shrank. The probe catches it, reports where,
 * marks the page and never touches it again.
 */
static sigjmp_buf bus_env;
static volatile sig_atomic_t bus_armed;
static void *volatile bus_addr;

static void on_sigbus(int sig, siginfo_t *info, void *uctx)
{
	if (!bus_armed) {
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	bus_armed = 0;
	bus_addr = info->si_addr;
	siglongjmp(bus_env, 1);
}

void probe_sigbus_install(struct sigaction *old)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigbus;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, old);
}

static size_t fault_page(const struct pm_probe *p)
{
	const char *addr = bus_addr;

	if (addr < p->base || addr >= p->base + p->t.range)
		return SIZE_MAX;
	return (size_t)(addr - p->base) / PROBE_PAGE;
}

/* ---------------------------------------------------------- badblocks */

static void mark_bad(struct pm_probe *p, uint64_t start, uint64_t len)
{
	uint64_t end = start + len;

	if (!len || end <= start || start >= p->t.range)
		return;
	if (end > p->t.range)
		end = p->t.range;
	for (uint64_t pg = start / PROBE_PAGE; pg <= (end - 1) / PROBE_PAGE; pg++) {
		if (!p->bad[pg])
			p->t.bad_bytes += PROBE_PAGE;
		p->bad[pg] = 1;
	}
}

/*
 * The kernel's list, "sector count" per line in 512-byte sectors; shift
 * is the byte offset of the list's origin from the start of the mapping.
 */
static int read_badblocks(struct pm_probe *p, const char *path, int64_t shift)
{
	unsigned long long sector, count;
	FILE *f = fopen(path, "re");

	if (!f)
		return -errno;
	while (fscanf(f, "%llu %llu", &sector, &count) == 2) {
		int64_t start = (int64_t)(sector * 512) + shift;
		int64_t len = (int64_t)(count * 512);

		if (start + len <= 0)
			continue;
		if (start < 0) {
			len += start;
			start = 0;
		}
		mark_bad(p, (uint64_t)start, (uint64_t)len);
	}
	fclose(f);
	p->t.badblocks_checked = true;
	return 0;
}

/* ------------------------------------------------------------ mapping */

static int map_range(struct pm_probe *p, bool try_sync, int prot_fd)
{
	void *addr = MAP_FAILED;

	if (try_sync) {
		addr = mmap(NULL, p->t.range, PROT_READ | PROT_WRITE,
			    MAP_SHARED_VALIDATE | MAP_SYNC, prot_fd, 0);
		p->t.map_sync = addr != MAP_FAILED;
	}
	if (addr == MAP_FAILED)
		addr = mmap(NULL, p->t.range, PROT_READ | PROT_WRITE, MAP_SHARED,
			    prot_fd, 0);
	if (addr == MAP_FAILED)
		return -errno;
	p->base = addr;
	return 0;
}

int probe_alloc_pages(struct pm_probe *p)
{
	p->nr_pages = (p->t.range + PROBE_PAGE - 1) / PROBE_PAGE;
	p->bad = calloc(p->nr_pages, 1);
	return p->bad ? 0 : -ENOMEM;
}

/*
 * Faults every page in before anything is timed: read a byte and write
 * it back, so the content stays and first-touch costs (allocation, a
 * MAP_SYNC metadata sync) are not in the figures.
 */
void probe_prefault(struct pm_probe *p)
{
	volatile size_t pg = 0;
	struct sigaction old;

	probe_sigbus_install(&old);
	if (sigsetjmp(bus_env, 1)) {
		/* Resumed after a fault on page pg: skip it for good. */
		mark_bad(p, (uint64_t)pg * PROBE_PAGE, PROBE_PAGE);
		pg++;
	}
	for (; pg < p->nr_pages; pg++) {
		volatile char *c = p->base + pg * PROBE_PAGE;

		if (p->bad[pg])
			continue;
		bus_armed = 1;
		*c = *c;
		bus_armed = 0;
	}
	bus_armed = 0;
	sigaction(SIGBUS, &old, NULL);
}

int probe_guarded(struct pm_probe *p, void (*fn)(struct probe_run *),
		  struct probe_run *r)
{
	if (sigsetjmp(bus_env, 1)) {
		size_t pg = fault_page(p);

		bus_armed = 0;
		if (pg != SIZE_MAX)
			mark_bad(p, (uint64_t)pg * PROBE_PAGE, PROBE_PAGE);
		snprintf(r->message, sizeof(r->message),
			 "SIGBUS at offset %#llx: a poisoned line (a badblock) or a file that shrank; that page is skipped from now on",
			 pg == SIZE_MAX ? 0ULL : (unsigned long long)pg * PROBE_PAGE);
		return -EFAULT;
	}
	bus_armed = 1;
	fn(r);
	bus_armed = 0;
	return 0;
}

void probe_fill_pattern(char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (char)(0x5a ^ (i * 131 >> 3));
}

/* --------------------------------------------------------- the target */

static int open_anon(struct pm_probe *p)
{
	void *addr = mmap(NULL, p->t.range, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (addr == MAP_FAILED)
		return -errno;
	p->base = addr;
	memset(p->base, 0x5a, p->t.range);
	p->t.kind = PM_PROBE_KIND_ANON;
	snprintf(p->t.path, sizeof(p->t.path), "anonymous memory");
	snprintf(p->t.note, sizeof(p->t.note),
		 "anonymous memory: not persistent memory; a DRAM baseline");
	return 0;
}

static int make_temp_file(struct pm_probe *p, const char *dir, char *why,
			  size_t why_len)
{
	char name[PATH_MAX + 32], *buf;
	uint64_t done = 0;
	int fd;

	/* O_TMPFILE: nothing to remove, even if the probe is killed. */
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR ||
		       errno == EINVAL)) {
		snprintf(name, sizeof(name), "%s/.pmemctl-probe.XXXXXX", dir);
		fd = mkostemp(name, O_CLOEXEC);
		if (fd >= 0)
			unlink(name);
	}
	if (fd < 0) {
		int err = errno;

		return pm_explain(why, why_len, err == EROFS ? -EACCES : -err,
				  "cannot create a temporary file in %s: %s",
				  dir, strerror(err));
	}
	p->fd = fd;
	buf = malloc(1 << 20);
	if (!buf)
		return -ENOMEM;
	probe_fill_pattern(buf, 1 << 20);
	while (done < p->t.range) {
		size_t len = p->t.range - done < (1 << 20) ? p->t.range - done : 1 << 20;
		ssize_t n = pwrite(fd, buf, len, (off_t)done);

		if (n <= 0) {
			int err = n < 0 ? errno : ENOSPC;

			free(buf);
			if (err == ENOSPC || err == EDQUOT)
				return pm_explain(why, why_len, -ENOSPC,
						  "no room for a %llu-byte temporary file in %s (see --range)",
						  (unsigned long long)p->t.range, dir);
			return pm_explain(why, why_len, -err,
					  "cannot write a temporary file in %s: %s",
					  dir, strerror(err));
		}
		done += (uint64_t)n;
	}
	free(buf);
	/* Allocated and written: MAP_SYNC faults then need no metadata. */
	if (fsync(fd) < 0)
		return pm_explain(why, why_len, -errno,
				  "fsync of a temporary file in %s: %s",
				  dir, strerror(errno));
	p->t.temporary = true;
	return 0;
}

static int open_file(struct pm_probe *p, const char *name, bool on_pmem,
		     char *why, size_t why_len)
{
	char dir[PATH_MAX];
	struct pm_mount mnt;
	struct statx stx;
	struct stat st;
	int rc;

	if (stat(name, &st) < 0)
		return pm_explain(why, why_len, -errno, "%s",
				  strerror(errno));
	if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
		return pm_explain(why, why_len, -ENODEV,
				  "not a regular file, a directory, a dax device or a pmem block device");
	p->t.kind = PM_PROBE_KIND_FILE;
	if (pm_mount_of_dev(st.st_dev, &mnt)) {
		snprintf(p->t.fs_type, sizeof(p->t.fs_type), "%.31s", mnt.fstype);
		snprintf(p->t.device, sizeof(p->t.device), "%.31s on %.220s",
			 mnt.fstype, mnt.point);
	}
	if (S_ISDIR(st.st_mode)) {
		snprintf(dir, sizeof(dir), "%s", name);
	} else {
		char *slash;

		snprintf(dir, sizeof(dir), "%s", name);
		slash = strrchr(dir, '/');
		if (!slash)
			snprintf(dir, sizeof(dir), ".");
		else if (slash == dir)
			dir[1] = '\0';
		else
			*slash = '\0';
	}
	if (p->t.destructive && S_ISREG(st.st_mode)) {
		/* --destructive: the file itself, never past its end. */
		p->fd = open(name, O_RDWR | O_CLOEXEC);
		if (p->fd < 0)
			return pm_explain(why, why_len, -errno, "%s",
					  strerror(errno));
		if ((uint64_t)st.st_size < p->t.range)
			p->t.range = (uint64_t)st.st_size & ~(PROBE_PAGE - 1);
		if (p->t.range < PROBE_PAGE)
			return pm_explain(why, why_len, -EINVAL,
					  "the file is smaller than a page: nothing to probe");
		snprintf(p->t.path, sizeof(p->t.path), "%s", name);
	} else {
		rc = make_temp_file(p, dir, why, why_len);
		if (rc)
			return rc;
		snprintf(p->t.path, sizeof(p->t.path), "%s", dir);
	}
	snprintf(p->fd_path, sizeof(p->fd_path), "/proc/self/fd/%d", p->fd);
	rc = map_range(p, true, p->fd);
	if (rc)
		return pm_explain(why, why_len, rc, "cannot map it: %s",
				  strerror(-rc));
	if (statx(p->fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &stx) == 0 &&
	    (stx.stx_attributes_mask & STATX_ATTR_DAX))
		p->t.dax = stx.stx_attributes & STATX_ATTR_DAX;
	else
		p->t.dax = p->t.map_sync;
	p->t.persistent_memory = on_pmem && p->t.pmt.region &&
		pm_region_is_pmem(p->t.pmt.region);
	if (!on_pmem)
		snprintf(p->t.note, sizeof(p->t.note),
			 "a file on %s: not persistent memory; a baseline",
			 p->t.device[0] ? p->t.device : "this filesystem");
	else if (!p->t.persistent_memory)
		snprintf(p->t.note, sizeof(p->t.note),
			 "a file in a %s region: not persistent memory",
			 p->t.pmt.region ? p->t.pmt.region->type : "?");
	else if (!p->t.dax)
		snprintf(p->t.note, sizeof(p->t.note),
			 "on persistent memory but not DAX (mounted without -o dax?): stores go to the page cache; only msync and fsync make them durable");
	else if (!p->t.map_sync)
		snprintf(p->t.note, sizeof(p->t.note),
			 "DAX without MAP_SYNC (%s): only msync and fsync make stores durable",
			 p->t.pmt.region->async ? "an asynchronous region: virtio-pmem" :
						  "refused by the filesystem");
	/* The deep flush fsyncs the file it is given, then the device. */
	p->t.pmt.path = p->fd_path;
	return 0;
}

/*
 * Another process with the device open or mapped. Processes this caller
 * may not inspect are not seen: only root sees all.
 */
static int refuse_busy(struct pm_probe *p, const char *devpath, char *why,
		       size_t why_len)
{
	struct pm_holder h;

	if (p->t.destructive || pm_find_holder(&devpath, 1, &h) <= 0)
		return 0;
	return pm_explain(why, why_len, -EBUSY,
			  "in use by pid %d (%s): the probe rewrites what each line holds, which is only safe while nobody else writes (stop it, or use --destructive)",
			  (int)h.pid, h.comm);
}

static int open_devdax(struct pm_probe *p, const char *devpath, char *why,
		       size_t why_len)
{
	uint64_t size = 0, align = 0, region_start, dax_start;
	struct stat st;
	char path[PATH_MAX];
	int rc;

	p->t.kind = PM_PROBE_KIND_DEVDAX;
	snprintf(p->t.path, sizeof(p->t.path), "%s", devpath);
	if (stat(devpath, &st) < 0)
		return pm_explain(why, why_len, -errno, "%s",
				  strerror(errno));
	rc = refuse_busy(p, devpath, why, why_len);
	if (rc)
		return rc;
	p->fd = open(devpath, O_RDWR | O_CLOEXEC);
	if (p->fd < 0)
		return pm_explain(why, why_len, -errno, "%s",
				  strerror(errno));
	sysfs_read_u64(&size, "/sys/dev/char/%u:%u/size", major(st.st_rdev),
		       minor(st.st_rdev));
	if (sysfs_read_u64(&align, "/sys/dev/char/%u:%u/align",
			   major(st.st_rdev), minor(st.st_rdev)) < 0 || !align)
		align = 2ULL << 20;
	/* A dax device maps only whole multiples of its alignment. */
	if (size && size < p->t.range)
		p->t.range = size;
	p->t.range -= p->t.range % align;
	if (!p->t.range)
		return pm_explain(why, why_len, -EINVAL,
				  "the range is smaller than the device's alignment (%llu bytes): see --range",
				  (unsigned long long)align);
	rc = probe_alloc_pages(p);
	if (rc)
		return rc;
	rc = map_range(p, true, p->fd);
	if (rc)
		return pm_explain(why, why_len, rc, "cannot map it: %s",
				  strerror(-rc));
	p->t.dax = true;
	p->t.persistent_memory = pm_region_is_pmem(p->t.pmt.region);
	if (!p->t.persistent_memory)
		snprintf(p->t.note, sizeof(p->t.note),
			 "a dax device of a %s region: not persistent memory",
			 p->t.pmt.region->type);
	/*
	 * The region's badblocks count from the region's start; the device
	 * starts further in (its namespace, its info block). Both starts
	 * are physical addresses; the device's is readable by root only.
	 */
	if (sysfs_read_u64(&region_start, "/sys/bus/nd/devices/%s/resource",
			   p->t.pmt.region->dev) == 0 &&
	    sysfs_read_u64(&dax_start, "/sys/dev/char/%u:%u/resource",
			   major(st.st_rdev), minor(st.st_rdev)) == 0) {
		snprintf(path, sizeof(path), "/sys/bus/nd/devices/%s/badblocks",
			 p->t.pmt.region->dev);
		read_badblocks(p, path, (int64_t)(region_start - dax_start));
	}
	return 0;
}

static int open_block(struct pm_probe *p, const char *devpath, char *why,
		      size_t why_len)
{
	char path[PATH_MAX];
	struct pm_mount mnt;
	uint64_t size = 0;
	struct stat st;
	int rc;

	p->t.kind = PM_PROBE_KIND_BLOCK;
	snprintf(p->t.path, sizeof(p->t.path), "%s", devpath);
	if (stat(devpath, &st) < 0)
		return pm_explain(why, why_len, -errno, "%s",
				  strerror(errno));
	/*
	 * O_EXCL fails while the device is mounted or claimed (device-mapper,
	 * another exclusive opener): no rewrite is safe under a filesystem,
	 * --destructive or not.
	 */
	p->fd = open(devpath, O_RDWR | O_EXCL | O_CLOEXEC);
	if (p->fd < 0 && errno == EBUSY) {
		if (pm_mount_of_dev(st.st_rdev, &mnt))
			return pm_explain(why, why_len, -EBUSY,
					  "mounted on %s (%s): probe a file there instead (pmemctl probe %s)",
					  mnt.point, mnt.fstype, mnt.point);
		return pm_explain(why, why_len, -EBUSY,
				  "held exclusively by the kernel or another program (a filesystem, device-mapper)");
	}
	if (p->fd < 0)
		return pm_explain(why, why_len, -errno, "%s",
				  strerror(errno));
	rc = refuse_busy(p, devpath, why, why_len);
	if (rc)
		return rc;
	if (ioctl(p->fd, BLKGETSIZE64, &size) == 0 && size < p->t.range)
		p->t.range = size;
	p->t.range &= ~(PROBE_PAGE - 1);
	if (!p->t.range)
		return pm_explain(why, why_len, -EINVAL,
				  "the device is smaller than a page");
	rc = probe_alloc_pages(p);
	if (rc)
		return rc;
	/* A block device maps through the page cache: no MAP_SYNC, no DAX. */
	rc = map_range(p, false, p->fd);
	if (rc)
		return pm_explain(why, why_len, rc, "cannot map it: %s",
				  strerror(-rc));
	p->t.persistent_memory = pm_region_is_pmem(p->t.pmt.region);
	snprintf(p->t.note, sizeof(p->t.note),
		 "a block device maps through the page cache: CPU flushes reach DRAM; only msync and fsync make stores durable");
	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/badblocks",
		 major(st.st_rdev), minor(st.st_rdev));
	read_badblocks(p, path, 0);
	return 0;
}

/* A region names its first active namespace that has a device. */
static struct pm_namespace *region_namespace(const struct pm_platform *pf,
					     const struct pm_region *region)
{
	for (size_t i = 0; i < pf->nr_namespaces; i++) {
		struct pm_namespace *ns = pf->namespaces[i];

		if (ns->region == region && ns->active &&
		    (ns->chardev || ns->blockdev))
			return ns;
	}
	return NULL;
}

int probe_open_target(struct pm_probe *p, const struct pm_platform *pf,
		       const char *name, char *why, size_t why_len)
{
	struct pm_target *t = &p->t.pmt;
	char devpath[300];
	struct stat st;
	int rc;

	if (strcmp(name, "anon") == 0)
		return open_anon(p);
	if (!pf)
		return pm_explain(why, why_len, -EINVAL, "no platform snapshot");
	rc = pm_resolve_target(pf, name, t);
	if (rc == -ENODEV) {
		char what[256];

		snprintf(what, sizeof(what), "%s", t->device);
		memset(t, 0, sizeof(*t));
		if (stat(name, &st) == 0 && (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)))
			return open_file(p, name, false, why, why_len);
		return pm_explain(why, why_len, -ENODEV,
				  "not a persistent-memory device (it is %s)",
				  what[0] ? what : "something else");
	}
	if (rc)
		return pm_explain(why, why_len, -ENOENT,
				  "no such region, namespace, device or file");
	p->t.domain = t->region->domain;
	p->t.numa_node = t->region->numa_node;
	if (t->path) {
		if (t->ns && t->ns->numa_node >= 0)
			p->t.numa_node = t->ns->numa_node;
		return open_file(p, name, true, why, why_len);
	}
	if (!t->ns) {
		t->ns = region_namespace(pf, t->region);
		if (!t->ns)
			return pm_explain(why, why_len, -ENODEV,
					  "%s has no active namespace with a device to probe",
					  t->region->dev);
	}
	/* kmem's memory has no device node and keeps nothing. */
	if (t->ns->system_ram)
		return pm_explain(why, why_len, -EOPNOTSUPP,
				  "%s is system RAM (kmem): the kernel owns its memory, nothing on it is persistent, so there is no persistence to probe",
				  t->ns->dev);
	if (t->ns->numa_node >= 0)
		p->t.numa_node = t->ns->numa_node;
	if (t->ns->chardev) {
		snprintf(p->t.device, sizeof(p->t.device), "%s", t->ns->chardev);
		snprintf(devpath, sizeof(devpath), "/dev/%s", t->ns->chardev);
		return open_devdax(p, devpath, why, why_len);
	}
	if (t->ns->blockdev && t->ns->active) {
		snprintf(p->t.device, sizeof(p->t.device), "%s", t->ns->blockdev);
		snprintf(devpath, sizeof(devpath), "/dev/%s", t->ns->blockdev);
		return open_block(p, devpath, why, why_len);
	}
	return pm_explain(why, why_len, -ENODEV,
			  "%s is not active: it has no device to probe",
			  t->ns->dev);
}

