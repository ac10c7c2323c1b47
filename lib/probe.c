// SPDX-License-Identifier: GPL-2.0-or-later
/* The flush-latency probe: what it costs on a target to make stores durable. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>
#include <linux/fs.h>

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>
#include <x86intrin.h>
#define PROBE_X86 1
#endif

#include "flush.h"
#include "probe.h"
#include "sysfs.h"

#ifndef MAP_SYNC
#define MAP_SYNC 0x80000
#endif
#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE 0x03
#endif
#ifndef STATX_ATTR_DAX
#define STATX_ATTR_DAX 0x00200000
#endif

#define PAGE 4096ULL
#define LINE 64
#define NO_OFFSET UINT64_MAX
/* The batched run copies what the lines hold first: bound that copy. */
#define BATCH_MAX_OPS 10000
#define BATCH_MIN_OPS 16		/* even when the slice is spent */
#define BATCH_MAX_BYTES (8ULL << 20)
#define CALIBRATION_NS 60000000ULL
#define OVERHEAD_SAMPLES 20000

struct pm_probe {
	struct pm_probe_target t;
	struct pm_cpu_features cpu;
	int fd;				/* the file or device; -1 for anon */
	char fd_path[32];		/* /proc/self/fd/N: the file, for fsync */
	char *base;			/* the mapping of t.range bytes */
	uint8_t *bad;			/* per 4 KiB page: 1 = never touched */
	size_t nr_pages;
	double tsc_hz;
	uint64_t overhead_ticks;	/* the empty bracket's p50 */
	double overhead_ns;
	double clock_overhead_ns;
	unsigned int aux;		/* rdtscp's TSC_AUX on the pinned CPU */
	unsigned int migrations;
	bool ready;			/* pm_probe_setup done */
	uint64_t rng;
};

static void say(char *why, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void say(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!why || !len)
		return;
	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
}

uint64_t pm_probe_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* ------------------------------------------------------------- names */

static const char *const method_names[] = {
	[PM_PROBE_STORE] = "store",
	[PM_PROBE_CLFLUSH] = "clflush",
	[PM_PROBE_CLFLUSHOPT] = "clflushopt",
	[PM_PROBE_CLWB] = "clwb",
	[PM_PROBE_NTSTORE] = "ntstore",
	[PM_PROBE_MOVDIR64B] = "movdir64b",
	[PM_PROBE_MSYNC] = "msync",
	[PM_PROBE_FSYNC] = "fsync",
	[PM_PROBE_DEEP_FLUSH_SYSFS] = "deep-flush-sysfs",
	[PM_PROBE_DEEP_FLUSH_FSYNC] = "deep-flush-fsync",
};

static const char *const method_whats[] = {
	[PM_PROBE_STORE] = "store + sfence",
	[PM_PROBE_CLFLUSH] = "store + clflush",
	[PM_PROBE_CLFLUSHOPT] = "store + clflushopt + sfence",
	[PM_PROBE_CLWB] = "store + clwb + sfence",
	[PM_PROBE_NTSTORE] = "non-temporal store (movnti) + sfence",
	[PM_PROBE_MOVDIR64B] = "movdir64b + sfence",
	[PM_PROBE_MSYNC] = "store + msync(MS_SYNC) of its pages",
	[PM_PROBE_FSYNC] = "store + fsync",
	[PM_PROBE_DEEP_FLUSH_SYSFS] = "write 1 to the region's deep_flush",
	[PM_PROBE_DEEP_FLUSH_FSYNC] = "fsync of the namespace's block device",
};

static const char *const pattern_names[] = {
	[PM_PATTERN_HOT] = "hot",
	[PM_PATTERN_SEQUENTIAL] = "sequential",
	[PM_PATTERN_RANDOM] = "random",
};

const char *pm_probe_method_name(enum pm_probe_method m)
{
	return m < PM_PROBE_NR_METHODS ? method_names[m] : "?";
}

const char *pm_probe_method_what(enum pm_probe_method m)
{
	return m < PM_PROBE_NR_METHODS ? method_whats[m] : "?";
}

int pm_probe_method_parse(const char *name, enum pm_probe_method *m)
{
	for (int i = 0; i < PM_PROBE_NR_METHODS; i++)
		if (strcmp(name, method_names[i]) == 0) {
			*m = i;
			return 0;
		}
	return -EINVAL;
}

const char *pm_probe_pattern_name(enum pm_probe_pattern pattern)
{
	return pattern < PM_PATTERN_NR ? pattern_names[pattern] : "?";
}

int pm_probe_pattern_parse(const char *name, enum pm_probe_pattern *pattern)
{
	for (int i = 0; i < PM_PATTERN_NR; i++)
		if (strcmp(name, pattern_names[i]) == 0) {
			*pattern = i;
			return 0;
		}
	return -EINVAL;
}

const char *pm_probe_kind_name(enum pm_probe_kind kind)
{
	static const char *const names[] = {
		[PM_PROBE_ANON] = "anon",
		[PM_PROBE_FILE] = "file",
		[PM_PROBE_DEVDAX] = "devdax",
		[PM_PROBE_BLOCK] = "blockdev",
	};

	return names[kind];
}

/* -------------------------------------------------------------- cpuid */

void pm_cpu_features(struct pm_cpu_features *f)
{
	memset(f, 0, sizeof(*f));
#ifdef PROBE_X86
	unsigned int a, b, c, d, max, ext;

	f->x86 = true;
	if (!__get_cpuid(0, &max, &b, &c, &d))
		return;
	memcpy(f->vendor, &b, 4);
	memcpy(f->vendor + 4, &d, 4);
	memcpy(f->vendor + 8, &c, 4);
	__get_cpuid(1, &a, &b, &c, &d);
	f->clflush = d & (1u << 19);
	f->sse2 = d & (1u << 26);
	f->hypervisor = c & (1u << 31);
	if (max >= 7) {
		__cpuid_count(7, 0, a, b, c, d);
		f->clflushopt = b & (1u << 23);
		f->clwb = b & (1u << 24);
		f->movdir64b = c & (1u << 28);
	}
	ext = __get_cpuid_max(0x80000000, NULL);
	if (ext >= 0x80000001) {
		__get_cpuid(0x80000001, &a, &b, &c, &d);
		f->rdtscp = d & (1u << 27);
	}
	if (ext >= 0x80000007) {
		__get_cpuid(0x80000007, &a, &b, &c, &d);
		f->invariant_tsc = d & (1u << 8);
	}
#endif
}

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

static void sigbus_install(struct sigaction *old)
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
	return (size_t)(addr - p->base) / PAGE;
}

/* ---------------------------------------------------- small file help */

/* fstype and mount point of the filesystem whose st_dev is dev. */
static bool mount_of(dev_t dev, char *fstype, size_t flen, char *mnt,
		     size_t mlen)
{
	char line[4096], point[1024], type[64];
	unsigned int maj, min;
	bool found = false;
	FILE *f = fopen("/proc/self/mountinfo", "re");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		char *sep = strstr(line, " - ");

		if (!sep || sscanf(line, "%*d %*d %u:%u %*s %1023s", &maj, &min,
				   point) != 3)
			continue;
		if (maj != major(dev) || min != minor(dev))
			continue;
		if (sscanf(sep + 3, "%63s", type) != 1)
			continue;
		snprintf(fstype, flen, "%s", type);
		snprintf(mnt, mlen, "%s", point);
		found = true;
	}
	fclose(f);
	return found;
}

static void read_comm(pid_t pid, char *buf, size_t len)
{
	char path[64];
	FILE *f;

	snprintf(buf, len, "?");
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return;
	if (fgets(buf, (int)len, f))
		buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

/*
 * Whether another process has the device open or mapped: every
 * /proc/PID/fd link that resolves to the same device number, and every
 * /proc/PID/maps line naming the device node (a mapping outlives its fd).
 * Processes this caller may not inspect are not seen: only root sees all.
 */
static bool device_holder(const char *devpath, const struct stat *node,
			  char *who, size_t len)
{
	DIR *proc = opendir("/proc");
	struct dirent *de;
	bool found = false;
	pid_t self = getpid();

	if (!proc)
		return false;
	while (!found && (de = readdir(proc))) {
		char path[PATH_MAX], line[PATH_MAX + 256], comm[64];
		unsigned long long ino;
		unsigned int maj, min;
		struct dirent *fe;
		pid_t pid;
		DIR *fds;
		FILE *maps;

		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		pid = atoi(de->d_name);
		if (pid == self)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
		fds = opendir(path);
		while (fds && !found && (fe = readdir(fds))) {
			char fd_path[PATH_MAX + 300];
			struct stat st;

			if (fe->d_name[0] == '.')
				continue;
			snprintf(fd_path, sizeof(fd_path), "%s/%s", path, fe->d_name);
			if (stat(fd_path, &st) == 0 &&
			    (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) &&
			    (st.st_mode & S_IFMT) == (node->st_mode & S_IFMT) &&
			    st.st_rdev == node->st_rdev)
				found = true;
		}
		if (fds)
			closedir(fds);
		snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
		maps = found ? NULL : fopen(path, "re");
		while (maps && !found && fgets(line, sizeof(line), maps)) {
			char *name = strchr(line, '/');

			if (name)
				name[strcspn(name, "\n")] = '\0';
			if (name && strcmp(name, devpath) == 0)
				found = true;
			else if (sscanf(line, "%*s %*s %*s %x:%x %llu", &maj, &min,
					&ino) == 3 && ino == node->st_ino &&
				 makedev(maj, min) == node->st_dev)
				found = true;
		}
		if (maps)
			fclose(maps);
		if (found) {
			read_comm(pid, comm, sizeof(comm));
			snprintf(who, len, "pid %d (%s)", (int)pid, comm);
		}
	}
	closedir(proc);
	return found;
}

/* ---------------------------------------------------------- badblocks */

static void mark_bad(struct pm_probe *p, uint64_t start, uint64_t len)
{
	uint64_t end = start + len;

	if (!len || end <= start || start >= p->t.range)
		return;
	if (end > p->t.range)
		end = p->t.range;
	for (uint64_t pg = start / PAGE; pg <= (end - 1) / PAGE; pg++) {
		if (!p->bad[pg])
			p->t.bad_bytes += PAGE;
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

static int alloc_pages(struct pm_probe *p)
{
	p->nr_pages = (p->t.range + PAGE - 1) / PAGE;
	p->bad = calloc(p->nr_pages, 1);
	return p->bad ? 0 : -ENOMEM;
}

/*
 * Faults every page in before anything is timed: read a byte and write
 * it back, so the content stays and first-touch costs (allocation, a
 * MAP_SYNC metadata sync) are not in the figures.
 */
static void prefault(struct pm_probe *p)
{
	volatile size_t pg = 0;
	struct sigaction old;

	sigbus_install(&old);
	if (sigsetjmp(bus_env, 1)) {
		/* Resumed after a fault on page pg: skip it for good. */
		mark_bad(p, (uint64_t)pg * PAGE, PAGE);
		pg++;
	}
	for (; pg < p->nr_pages; pg++) {
		volatile char *c = p->base + pg * PAGE;

		if (p->bad[pg])
			continue;
		bus_armed = 1;
		*c = *c;
		bus_armed = 0;
	}
	bus_armed = 0;
	sigaction(SIGBUS, &old, NULL);
}

static void fill_pattern(char *buf, size_t len)
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
	p->t.kind = PM_PROBE_ANON;
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

		say(why, why_len, "cannot create a temporary file in %s: %s",
		    dir, strerror(err));
		return err == EROFS ? -EACCES : -err;
	}
	p->fd = fd;
	buf = malloc(1 << 20);
	if (!buf)
		return -ENOMEM;
	fill_pattern(buf, 1 << 20);
	while (done < p->t.range) {
		size_t len = p->t.range - done < (1 << 20) ? p->t.range - done : 1 << 20;
		ssize_t n = pwrite(fd, buf, len, (off_t)done);

		if (n <= 0) {
			int err = n < 0 ? errno : ENOSPC;

			free(buf);
			if (err == ENOSPC || err == EDQUOT)
				say(why, why_len, "no room for a %llu-byte temporary file in %s (see --range)",
				    (unsigned long long)p->t.range, dir);
			else
				say(why, why_len, "cannot write a temporary file in %s: %s",
				    dir, strerror(err));
			return err == EDQUOT ? -ENOSPC : -err;
		}
		done += (uint64_t)n;
	}
	free(buf);
	/* Allocated and written: MAP_SYNC faults then need no metadata. */
	if (fsync(fd) < 0) {
		say(why, why_len, "fsync of a temporary file in %s: %s", dir,
		    strerror(errno));
		return -errno;
	}
	p->t.temporary = true;
	return 0;
}

static int open_file(struct pm_probe *p, const char *name, bool on_pmem,
		     char *why, size_t why_len)
{
	char dir[PATH_MAX], mnt[1024] = "";
	struct statx stx;
	struct stat st;
	int rc;

	if (stat(name, &st) < 0) {
		say(why, why_len, "%s", strerror(errno));
		return -errno;
	}
	if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
		say(why, why_len, "not a regular file, a directory, a dax device or a pmem block device");
		return -ENODEV;
	}
	p->t.kind = PM_PROBE_FILE;
	if (mount_of(st.st_dev, p->t.fs_type, sizeof(p->t.fs_type), mnt,
		     sizeof(mnt)))
		snprintf(p->t.device, sizeof(p->t.device), "%s on %s",
			 p->t.fs_type, mnt);
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
		if (p->fd < 0) {
			say(why, why_len, "%s", strerror(errno));
			return -errno;
		}
		if ((uint64_t)st.st_size < p->t.range)
			p->t.range = (uint64_t)st.st_size & ~(PAGE - 1);
		if (p->t.range < PAGE) {
			say(why, why_len, "the file is smaller than a page: nothing to probe");
			return -EINVAL;
		}
		snprintf(p->t.path, sizeof(p->t.path), "%s", name);
	} else {
		rc = make_temp_file(p, dir, why, why_len);
		if (rc)
			return rc;
		snprintf(p->t.path, sizeof(p->t.path), "%s", dir);
	}
	snprintf(p->fd_path, sizeof(p->fd_path), "/proc/self/fd/%d", p->fd);
	rc = map_range(p, true, p->fd);
	if (rc) {
		say(why, why_len, "cannot map it: %s", strerror(-rc));
		return rc;
	}
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

static int refuse_busy(struct pm_probe *p, const char *devpath,
		       const struct stat *node, char *why, size_t why_len)
{
	char who[128];

	if (p->t.destructive || !device_holder(devpath, node, who, sizeof(who)))
		return 0;
	say(why, why_len, "in use by %s: the probe rewrites what each line holds, which is only safe while nobody else writes (stop it, or use --destructive)",
	    who);
	return -EBUSY;
}

static int open_devdax(struct pm_probe *p, const char *devpath, char *why,
		       size_t why_len)
{
	uint64_t size = 0, align = 0, region_start, dax_start;
	struct stat st;
	char path[PATH_MAX];
	int rc;

	p->t.kind = PM_PROBE_DEVDAX;
	snprintf(p->t.path, sizeof(p->t.path), "%s", devpath);
	if (stat(devpath, &st) < 0) {
		say(why, why_len, "%s", strerror(errno));
		return -errno;
	}
	rc = refuse_busy(p, devpath, &st, why, why_len);
	if (rc)
		return rc;
	p->fd = open(devpath, O_RDWR | O_CLOEXEC);
	if (p->fd < 0) {
		say(why, why_len, "%s", strerror(errno));
		return -errno;
	}
	sysfs_read_u64(&size, "/sys/dev/char/%u:%u/size", major(st.st_rdev),
		       minor(st.st_rdev));
	if (sysfs_read_u64(&align, "/sys/dev/char/%u:%u/align",
			   major(st.st_rdev), minor(st.st_rdev)) < 0 || !align)
		align = 2ULL << 20;
	/* A dax device maps only whole multiples of its alignment. */
	if (size && size < p->t.range)
		p->t.range = size;
	p->t.range -= p->t.range % align;
	if (!p->t.range) {
		say(why, why_len, "the range is smaller than the device's alignment (%llu bytes): see --range",
		    (unsigned long long)align);
		return -EINVAL;
	}
	rc = alloc_pages(p);
	if (rc)
		return rc;
	rc = map_range(p, true, p->fd);
	if (rc) {
		say(why, why_len, "cannot map it: %s", strerror(-rc));
		return rc;
	}
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
	char path[PATH_MAX], type[64], mnt[1024];
	uint64_t size = 0;
	struct stat st;
	int rc;

	p->t.kind = PM_PROBE_BLOCK;
	snprintf(p->t.path, sizeof(p->t.path), "%s", devpath);
	if (stat(devpath, &st) < 0) {
		say(why, why_len, "%s", strerror(errno));
		return -errno;
	}
	/*
	 * O_EXCL fails while the device is mounted or claimed (device-mapper,
	 * another exclusive opener): no rewrite is safe under a filesystem,
	 * --destructive or not.
	 */
	p->fd = open(devpath, O_RDWR | O_EXCL | O_CLOEXEC);
	if (p->fd < 0 && errno == EBUSY) {
		if (mount_of(st.st_rdev, type, sizeof(type), mnt, sizeof(mnt)))
			say(why, why_len, "mounted on %s (%s): probe a file there instead (pmemctl probe %s)",
			    mnt, type, mnt);
		else
			say(why, why_len, "held exclusively by the kernel or another program (a filesystem, device-mapper)");
		return -EBUSY;
	}
	if (p->fd < 0) {
		say(why, why_len, "%s", strerror(errno));
		return -errno;
	}
	rc = refuse_busy(p, devpath, &st, why, why_len);
	if (rc)
		return rc;
	if (ioctl(p->fd, BLKGETSIZE64, &size) == 0 && size < p->t.range)
		p->t.range = size;
	p->t.range &= ~(PAGE - 1);
	if (!p->t.range) {
		say(why, why_len, "the device is smaller than a page");
		return -EINVAL;
	}
	rc = alloc_pages(p);
	if (rc)
		return rc;
	/* A block device maps through the page cache: no MAP_SYNC, no DAX. */
	rc = map_range(p, false, p->fd);
	if (rc) {
		say(why, why_len, "cannot map it: %s", strerror(-rc));
		return rc;
	}
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

static int open_target(struct pm_probe *p, const struct pm_platform *pf,
		       const char *name, char *why, size_t why_len)
{
	struct pm_target *t = &p->t.pmt;
	char devpath[300];
	struct stat st;
	int rc;

	if (strcmp(name, "anon") == 0)
		return open_anon(p);
	if (!pf) {
		say(why, why_len, "no platform snapshot");
		return -EINVAL;
	}
	rc = pm_resolve_target(pf, name, t);
	if (rc == -ENODEV) {
		char what[256];

		snprintf(what, sizeof(what), "%s", t->device);
		memset(t, 0, sizeof(*t));
		if (stat(name, &st) == 0 && (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)))
			return open_file(p, name, false, why, why_len);
		say(why, why_len, "not a persistent-memory device (it is %s)",
		    what[0] ? what : "something else");
		return -ENODEV;
	}
	if (rc) {
		say(why, why_len, "no such region, namespace, device or file");
		return -ENOENT;
	}
	p->t.domain = t->region->domain;
	p->t.numa_node = t->region->numa_node;
	if (t->path) {
		if (t->ns && t->ns->numa_node >= 0)
			p->t.numa_node = t->ns->numa_node;
		return open_file(p, name, true, why, why_len);
	}
	if (!t->ns) {
		t->ns = region_namespace(pf, t->region);
		if (!t->ns) {
			say(why, why_len, "%s has no active namespace with a device to probe",
			    t->region->dev);
			return -ENODEV;
		}
	}
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
	say(why, why_len, "%s is not active: it has no device to probe",
	    t->ns->dev);
	return -ENODEV;
}

int pm_probe_open(const struct pm_platform *pf, const char *name,
		  const struct pm_probe_opts *opts, struct pm_probe **out,
		  char *why, size_t why_len)
{
	struct pm_probe *p = calloc(1, sizeof(*p));
	int rc;

	*out = NULL;
	say(why, why_len, "%s", "");
	if (!p)
		return -ENOMEM;
	p->fd = -1;
	p->t.name = name;
	p->t.numa_node = -1;
	p->t.destructive = opts->destructive;
	p->t.range = opts->range ? opts->range : PM_PROBE_DEFAULT_RANGE;
	p->t.range &= ~(PAGE - 1);
	p->rng = 0x9e3779b97f4a7c15ULL;
	pm_cpu_features(&p->cpu);
	if (!p->cpu.x86 || !p->cpu.sse2) {
		say(why, why_len, "the probe needs an x86-64 CPU");
		free(p);
		return -EOPNOTSUPP;
	}
	if (!p->t.range) {
		say(why, why_len, "the range must be at least a page (4096 bytes)");
		free(p);
		return -EINVAL;
	}
	rc = open_target(p, pf, name, why, why_len);
	if (!rc && !p->bad)
		rc = alloc_pages(p);
	if (rc) {
		pm_probe_close(p);
		return rc;
	}
	prefault(p);
	/* A test hook: a file that shrinks under its mapping faults. */
	if (getenv("PMEMCTL_PROBE_TEST_SIGBUS") && p->t.kind == PM_PROBE_FILE &&
	    p->t.temporary && ftruncate(p->fd, (off_t)(p->t.range / 2)) < 0) {
		pm_probe_close(p);
		return -errno;
	}
	*out = p;
	return 0;
}

void pm_probe_close(struct pm_probe *p)
{
	if (!p)
		return;
	if (p->base)
		munmap(p->base, p->t.range);
	if (p->fd >= 0)
		close(p->fd);
	free(p->bad);
	free(p);
}

const struct pm_probe_target *pm_probe_target(const struct pm_probe *p)
{
	return &p->t;
}

/* ------------------------------------------------------------ the timer */

#ifdef PROBE_X86
static bool use_rdtscp;

/*
 * The bracket. Before: mfence drains the stores that set up the op (the
 * copy of what the lines hold), rdtscp waits for earlier instructions,
 * lfence keeps later ones from starting before the read. After: mfence,
 * because rdtscp does not wait for earlier stores or flushes to complete
 * (without it clwb appears to cost nothing), then rdtscp and lfence.
 * Without rdtscp, lfence + rdtsc + lfence.
 */
static inline __attribute__((always_inline)) uint64_t tsc_begin(void)
{
	unsigned int aux;
	uint64_t t;

	_mm_mfence();
	if (use_rdtscp) {
		t = __rdtscp(&aux);
	} else {
		_mm_lfence();
		t = __rdtsc();
	}
	_mm_lfence();
	return t;
}

static inline __attribute__((always_inline)) uint64_t tsc_end(unsigned int *aux)
{
	uint64_t t;

	_mm_mfence();
	if (use_rdtscp) {
		t = __rdtscp(aux);
	} else {
		_mm_lfence();
		t = __rdtsc();
		*aux = 0;
	}
	_mm_lfence();
	return t;
}

static inline uint64_t tsc_now(void)
{
	_mm_lfence();
	return __rdtsc();
}
#else
static inline uint64_t tsc_now(void)
{
	return pm_probe_now_ns();
}
#endif

static int compare_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* One (tsc, clock) pair, from the tightest of a few tries. */
static void clock_pair(uint64_t *tsc, uint64_t *ns)
{
	uint64_t best = UINT64_MAX;

	for (int i = 0; i < 8; i++) {
		uint64_t t1 = tsc_now(), n = pm_probe_now_ns(), t2 = tsc_now();

		if (t2 - t1 < best) {
			best = t2 - t1;
			*tsc = t1 + (t2 - t1) / 2;
			*ns = n;
		}
	}
}

static void calibrate(struct pm_probe *p, struct pm_probe_timer *tm)
{
	uint64_t tsc0 = 0, ns0 = 0, tsc1 = 0, ns1 = 0, khz = 0;

	/*
	 * Against CLOCK_MONOTONIC over 60 ms of busy waiting, which also
	 * brings the CPU out of its idle states before anything is timed.
	 * Where the kernel publishes its own figure, that one is used.
	 */
	clock_pair(&tsc0, &ns0);
	do
		clock_pair(&tsc1, &ns1);
	while (ns1 - ns0 < CALIBRATION_NS);
	tm->calibration_ms = (double)(ns1 - ns0) / 1e6;
	if (sysfs_read_u64(&khz, "/sys/devices/system/cpu/cpu0/tsc_freq_khz") == 0 &&
	    khz) {
		p->tsc_hz = (double)khz * 1000;
		tm->calibration = "tsc_freq_khz";
	} else {
		p->tsc_hz = (double)(tsc1 - tsc0) * 1e9 / (double)(ns1 - ns0);
		tm->calibration = "clock_monotonic";
	}
#ifndef PROBE_X86
	p->tsc_hz = 1e9;
#endif
}

static double ticks_ns(const struct pm_probe *p, double ticks)
{
	return ticks * 1e9 / p->tsc_hz;
}

static void measure_overhead(struct pm_probe *p, struct pm_probe_timer *tm)
{
	uint64_t *d = malloc(OVERHEAD_SAMPLES * sizeof(*d));
	uint64_t min_step = UINT64_MAX;
	struct timespec res;

	if (!d)
		return;
#ifdef PROBE_X86
	for (int round = 0; round < 2; round++)	/* the first warms up */
		for (size_t i = 0; i < OVERHEAD_SAMPLES; i++) {
			unsigned int aux;
			uint64_t t0 = tsc_begin();

			d[i] = tsc_end(&aux) - t0;
		}
#else
	memset(d, 0, OVERHEAD_SAMPLES * sizeof(*d));
#endif
	qsort(d, OVERHEAD_SAMPLES, sizeof(*d), compare_u64);
	p->overhead_ticks = d[OVERHEAD_SAMPLES / 2 - 1];
	p->overhead_ns = ticks_ns(p, (double)p->overhead_ticks);
	tm->overhead_ns = p->overhead_ns;
	tm->overhead_min_ns = ticks_ns(p, (double)d[0]);
	for (int round = 0; round < 100; round++) {
		uint64_t prev = tsc_now();

		for (int i = 0; i < 64; i++) {
			uint64_t now = tsc_now();

			if (now > prev && now - prev < min_step)
				min_step = now - prev;
			prev = now;
		}
	}
	tm->resolution_ns = min_step == UINT64_MAX ? 0 : ticks_ns(p, (double)min_step);
	tm->tick_ns = 1e9 / p->tsc_hz;
	for (size_t i = 0; i < 1000; i++) {
		uint64_t a = pm_probe_now_ns(), b = pm_probe_now_ns();

		d[i] = b - a;
	}
	qsort(d, 1000, sizeof(*d), compare_u64);
	p->clock_overhead_ns = (double)d[499];
	tm->clock_overhead_ns = p->clock_overhead_ns;
	if (clock_getres(CLOCK_MONOTONIC, &res) == 0)
		tm->clock_resolution_ns = (double)res.tv_sec * 1e9 + (double)res.tv_nsec;
	free(d);
}

static int cpu_node(int cpu)
{
	char path[64];
	struct dirent *de;
	int node = -1;
	DIR *dir;

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d", cpu);
	dir = opendir(path);
	if (!dir)
		return -1;
	while ((de = readdir(dir)))
		if (strncmp(de->d_name, "node", 4) == 0 &&
		    de->d_name[4] >= '0' && de->d_name[4] <= '9')
			node = atoi(de->d_name + 4);
	closedir(dir);
	return node;
}

/* The first CPU of node's cpulist that this process may use, or -1. */
static int node_cpu(int node, const cpu_set_t *allowed, int prefer)
{
	char list[4096], *tok, *save = NULL;
	int first = -1;

	if (sysfs_read_string(list, sizeof(list),
			      "/sys/devices/system/node/node%d/cpulist", node) < 0)
		return -1;
	for (tok = strtok_r(list, ",\n", &save); tok;
	     tok = strtok_r(NULL, ",\n", &save)) {
		int lo, hi;

		if (sscanf(tok, "%d-%d", &lo, &hi) != 2) {
			lo = atoi(tok);
			hi = lo;
		}
		for (int cpu = lo; cpu <= hi && cpu < CPU_SETSIZE; cpu++) {
			if (!CPU_ISSET(cpu, allowed))
				continue;
			if (cpu == prefer)
				return cpu;
			if (first < 0)
				first = cpu;
		}
	}
	return first;
}

static int pin(struct pm_probe *p, int want, struct pm_probe_timer *tm)
{
	cpu_set_t allowed, set;
	int cpu = -1, current = sched_getcpu();

	if (sched_getaffinity(0, sizeof(allowed), &allowed) < 0)
		return -errno;
	if (want >= 0) {
		if (want >= CPU_SETSIZE || !CPU_ISSET(want, &allowed))
			return -EINVAL;
		cpu = want;
	} else if (p->t.numa_node >= 0) {
		cpu = node_cpu(p->t.numa_node, &allowed, current);
	}
	if (cpu < 0 && current >= 0 && current < CPU_SETSIZE &&
	    CPU_ISSET(current, &allowed))
		cpu = current;
	for (int i = 0; cpu < 0 && i < CPU_SETSIZE; i++)
		if (CPU_ISSET(i, &allowed))
			cpu = i;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) < 0)
		return -errno;
	sched_yield();
	tm->cpu = cpu;
	tm->cpu_node = cpu_node(cpu);
#ifdef PROBE_X86
	if (use_rdtscp)
		__rdtscp(&p->aux);
#endif
	return 0;
}

int pm_probe_setup(struct pm_probe *p, int cpu, struct pm_probe_timer *tm)
{
	int rc;

	memset(tm, 0, sizeof(*tm));
#ifdef PROBE_X86
	use_rdtscp = p->cpu.rdtscp;
	tm->source = use_rdtscp ? "rdtscp" : "rdtsc";
#else
	tm->source = "clock_monotonic";
#endif
	tm->invariant = p->cpu.invariant_tsc;
	rc = pin(p, cpu, tm);
	if (rc)
		return rc;
	calibrate(p, tm);
	tm->tsc_hz = p->tsc_hz;
	measure_overhead(p, tm);
	p->ready = true;
	return 0;
}

/* --------------------------------------------------------- availability */

int pm_probe_method_available(struct pm_probe *p, enum pm_probe_method m,
			      char *why, size_t why_len)
{
	static const char *const cpuid_bits[] = {
		[PM_PROBE_CLFLUSH] = "CLFSH, cpuid 1:EDX[19]",
		[PM_PROBE_CLFLUSHOPT] = "CLFLUSHOPT, cpuid 7:EBX[23]",
		[PM_PROBE_CLWB] = "CLWB, cpuid 7:EBX[24]",
		[PM_PROBE_NTSTORE] = "SSE2, cpuid 1:EDX[26]",
		[PM_PROBE_MOVDIR64B] = "MOVDIR64B, cpuid 7:ECX[28]",
	};
	const struct pm_cpu_features *f = &p->cpu;
	struct pm_flush_result r;
	bool has = true;

	say(why, why_len, "%s", "");
	switch (m) {
	case PM_PROBE_STORE:
		return 0;
	case PM_PROBE_CLFLUSH:
		has = f->clflush;
		break;
	case PM_PROBE_CLFLUSHOPT:
		has = f->clflushopt;
		break;
	case PM_PROBE_CLWB:
		has = f->clwb;
		break;
	case PM_PROBE_NTSTORE:
		has = f->sse2;
		break;
	case PM_PROBE_MOVDIR64B:
		has = f->movdir64b;
		break;
	case PM_PROBE_MSYNC:
	case PM_PROBE_FSYNC:
		if (p->t.kind == PM_PROBE_FILE || p->t.kind == PM_PROBE_BLOCK)
			return 0;
		say(why, why_len, "%s", p->t.kind == PM_PROBE_ANON ?
		    "anonymous memory has nothing to sync to" :
		    "device-dax has no msync or fsync: the CPU flush (or the region's deep flush) is all there is");
		return -EOPNOTSUPP;
	case PM_PROBE_DEEP_FLUSH_SYSFS:
	case PM_PROBE_DEEP_FLUSH_FSYNC:
		if (!p->t.pmt.region) {
			say(why, why_len, "not on persistent memory: no region to flush");
			return -EOPNOTSUPP;
		}
		pm_deep_flush(&p->t.pmt, m == PM_PROBE_DEEP_FLUSH_SYSFS ?
			      PM_METHOD_SYSFS : PM_METHOD_FSYNC, true, &r);
		switch (r.outcome) {
		case PM_OUTCOME_DRY_RUN:
			return 0;
		case PM_OUTCOME_NOT_PERMITTED:
			say(why, why_len, "not permitted: %s", r.message);
			return -EACCES;
		case PM_OUTCOME_NOT_NEEDED:
			say(why, why_len, "not needed: %s", r.message);
			return -EOPNOTSUPP;
		default:
			say(why, why_len, "%s", r.message);
			return -EOPNOTSUPP;
		}
	default:
		return -EINVAL;
	}
	if (!has) {
		say(why, why_len, "the CPU lacks it (%s)", cpuid_bits[m]);
		return -EOPNOTSUPP;
	}
	return 0;
}

/* ---------------------------------------------------------- the loops */

struct run {
	struct pm_probe *p;
	uint32_t size;
	enum pm_probe_pattern pattern;
	uint64_t seq;			/* the next sequential offset */
	uint64_t hot;			/* the hot offset */
	size_t n;			/* samples wanted */
	size_t count;			/* samples taken */
	uint64_t *ticks;
	uint64_t *offsets;
	uint64_t end;			/* stop at this TSC value (or ns) */
	char *scratch;			/* what the lines held: rewritten */
	char *pattern_buf;		/* what --destructive writes */
	size_t nb;			/* batched ops */
	uint64_t *boffs;
	char *bsrc;
	uint64_t batch_ticks;
	volatile sig_atomic_t *stop;
	int err;
	enum pm_probe_method method;
	char message[384];
};

static bool range_bad(const struct pm_probe *p, uint64_t off, uint32_t size)
{
	for (uint64_t pg = off / PAGE; pg <= (off + size - 1) / PAGE; pg++)
		if (p->bad[pg])
			return true;
	return false;
}

static uint64_t xorshift(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return x;
}

/*
 * The next op's offset: aligned to its size, inside the range, never on
 * a page known to be bad. NO_OFFSET when no good one is found.
 */
static uint64_t next_offset(struct run *r)
{
	struct pm_probe *p = r->p;
	uint64_t slots = p->t.range / r->size, off;

	switch (r->pattern) {
	case PM_PATTERN_HOT:
		off = r->hot;
		if (off != NO_OFFSET && range_bad(p, off, r->size))
			off = r->hot = NO_OFFSET;
		return off;
	case PM_PATTERN_SEQUENTIAL:
		for (uint64_t tries = 0; tries < slots; tries++) {
			off = r->seq;
			r->seq += r->size;
			if (r->seq + r->size > p->t.range)
				r->seq = 0;
			if (!range_bad(p, off, r->size))
				return off;
		}
		return NO_OFFSET;
	default:
		for (int tries = 0; tries < 256; tries++) {
			off = (xorshift(&p->rng) % slots) * r->size;
			if (!range_bad(p, off, r->size))
				return off;
		}
		return NO_OFFSET;
	}
}

/* Loads what the lines hold: the rewrite keeps it, and the lines are in
 * the cache the same way in every mode and pattern. */
static inline void load_lines(char *to, const char *from, uint32_t size)
{
	for (uint32_t i = 0; i < size; i += 8) {
		uint64_t v = *(const volatile uint64_t *)(from + i);

		memcpy(to + i, &v, 8);
	}
}

static inline __attribute__((always_inline)) void
store_words(char *dst, const char *src, uint32_t size)
{
	for (uint32_t i = 0; i < size; i += 8) {
		uint64_t v;

		memcpy(&v, src + i, 8);
		*(volatile uint64_t *)(dst + i) = v;
	}
}

#ifdef PROBE_X86
static inline __attribute__((always_inline)) void
nt_words(char *dst, const char *src, uint32_t size)
{
	for (uint32_t i = 0; i < size; i += 8) {
		long long v;

		memcpy(&v, src + i, 8);
		_mm_stream_si64((long long *)(dst + i), v);
	}
}

static inline char *page_down(char *addr)
{
	return (char *)((uintptr_t)addr & ~(uintptr_t)(PAGE - 1));
}

static inline size_t page_span(char *addr, uint32_t size)
{
	char *start = page_down(addr);

	return ((size_t)(addr + size - start) + PAGE - 1) & ~(size_t)(PAGE - 1);
}

/* What each method does between the two halves of the bracket. */
#define OP_STORE store_words(dst, src, size); _mm_sfence()
#define OP_CLFLUSH store_words(dst, src, size);				\
	for (uint32_t l = 0; l < size; l += LINE)			\
		_mm_clflush(dst + l)
#define OP_CLFLUSHOPT store_words(dst, src, size);			\
	for (uint32_t l = 0; l < size; l += LINE)			\
		_mm_clflushopt(dst + l);				\
	_mm_sfence()
#define OP_CLWB store_words(dst, src, size);				\
	for (uint32_t l = 0; l < size; l += LINE)			\
		_mm_clwb(dst + l);					\
	_mm_sfence()
#define OP_NTSTORE nt_words(dst, src, size); _mm_sfence()
#define OP_MOVDIR64B							\
	for (uint32_t l = 0; l < size; l += LINE)			\
		_movdir64b(dst + l, src + l);				\
	_mm_sfence()
#define OP_MSYNC store_words(dst, src, size);				\
	rc = msync(page_down(dst), page_span(dst, size), MS_SYNC)
#define OP_FSYNC store_words(dst, src, size); rc = fsync(p->fd)

/*
 * One sampling loop and one batched loop per method, each compiled for
 * the instructions it needs (target attribute) and called only when
 * cpuid says the CPU has them: the binary runs on any x86-64.
 */
#define DEFINE_METHOD(name, attr, OP)					\
attr static void sample_##name(struct run *r)				\
{									\
	struct pm_probe *p = r->p;					\
	const uint32_t size = r->size;					\
									\
	while (r->count < r->n) {					\
		uint64_t off = next_offset(r), t0, t1;			\
		unsigned int aux;					\
		const char *src;					\
		char *dst;						\
		int rc = 0;						\
									\
		if (off == NO_OFFSET) {					\
			r->err = EIO;					\
			return;						\
		}							\
		dst = p->base + off;					\
		load_lines(r->scratch, dst, size);			\
		src = p->t.destructive ? r->pattern_buf : r->scratch;	\
		t0 = tsc_begin();					\
		OP;							\
		t1 = tsc_end(&aux);					\
		if (rc) {						\
			r->err = errno;					\
			return;						\
		}							\
		if (use_rdtscp && aux != p->aux) {			\
			p->migrations++;				\
			continue;					\
		}							\
		r->ticks[r->count] = t1 - t0;				\
		r->offsets[r->count++] = off;				\
		if (t1 >= r->end || (r->stop && *r->stop))		\
			return;						\
	}								\
}									\
attr static void batch_##name(struct run *r)				\
{									\
	struct pm_probe *p = r->p;					\
	const uint32_t size = r->size;					\
	unsigned int aux;						\
	uint64_t t0, t1;						\
	int rc = 0;							\
									\
	t0 = tsc_begin();						\
	for (size_t k = 0; k < r->nb && !rc; k++) {			\
		char *dst = p->base + r->boffs[k];			\
		const char *src = p->t.destructive ? r->pattern_buf :	\
			r->bsrc + k * size;				\
		OP;							\
	}								\
	t1 = tsc_end(&aux);						\
	if (rc)								\
		r->err = errno;						\
	r->batch_ticks = t1 - t0;					\
}

#define NO_ATTR
DEFINE_METHOD(store, NO_ATTR, OP_STORE)
DEFINE_METHOD(clflush, NO_ATTR, OP_CLFLUSH)
DEFINE_METHOD(clflushopt, __attribute__((target("clflushopt"))), OP_CLFLUSHOPT)
DEFINE_METHOD(clwb, __attribute__((target("clwb"))), OP_CLWB)
DEFINE_METHOD(ntstore, NO_ATTR, OP_NTSTORE)
DEFINE_METHOD(movdir64b, __attribute__((target("movdir64b"))), OP_MOVDIR64B)
DEFINE_METHOD(msync, NO_ATTR, OP_MSYNC)
DEFINE_METHOD(fsync, NO_ATTR, OP_FSYNC)

static const struct {
	void (*sample)(struct run *r);
	void (*batch)(struct run *r);
} loops[] = {
	[PM_PROBE_STORE] = { sample_store, batch_store },
	[PM_PROBE_CLFLUSH] = { sample_clflush, batch_clflush },
	[PM_PROBE_CLFLUSHOPT] = { sample_clflushopt, batch_clflushopt },
	[PM_PROBE_CLWB] = { sample_clwb, batch_clwb },
	[PM_PROBE_NTSTORE] = { sample_ntstore, batch_ntstore },
	[PM_PROBE_MOVDIR64B] = { sample_movdir64b, batch_movdir64b },
	[PM_PROBE_MSYNC] = { sample_msync, batch_msync },
	[PM_PROBE_FSYNC] = { sample_fsync, batch_fsync },
};

__attribute__((target("clwb"))) static void flush_clwb(char *dst, uint32_t size)
{
	for (uint32_t l = 0; l < size; l += LINE)
		_mm_clwb(dst + l);
	_mm_sfence();
}

__attribute__((target("clflushopt"))) static void flush_clflushopt(char *dst,
								    uint32_t size)
{
	for (uint32_t l = 0; l < size; l += LINE)
		_mm_clflushopt(dst + l);
	_mm_sfence();
}

static void flush_clflush(char *dst, uint32_t size)
{
	for (uint32_t l = 0; l < size; l += LINE)
		_mm_clflush(dst + l);
	_mm_sfence();
}

/* The store a deep flush follows is made durable the usual way first. */
static void durable_store(struct pm_probe *p, char *dst, const char *src,
			  uint32_t size)
{
	store_words(dst, src, size);
	if (!p->t.dax)
		return;		/* page cache: the fsync writes it back */
	if (p->cpu.clwb)
		flush_clwb(dst, size);
	else if (p->cpu.clflushopt)
		flush_clflushopt(dst, size);
	else
		flush_clflush(dst, size);
}
#else
static const struct {
	void (*sample)(struct run *r);
	void (*batch)(struct run *r);
} loops[PM_PROBE_NR_METHODS];

static void durable_store(struct pm_probe *p, char *dst, const char *src,
			  uint32_t size)
{
	store_words(dst, src, size);
}
#endif

/*
 * The deep flush is timed by pm_deep_flush() itself, around the write of
 * the attribute or the fsync alone (CLOCK_MONOTONIC): opening the file
 * is not part of the figure, and nothing is subtracted.
 */
static void sample_deep_flush(struct run *r)
{
	struct pm_probe *p = r->p;
	enum pm_flush_method how = r->method == PM_PROBE_DEEP_FLUSH_SYSFS ?
		PM_METHOD_SYSFS : PM_METHOD_FSYNC;
	struct pm_flush_result fr;

	while (r->count < r->n) {
		uint64_t off = next_offset(r);
		char *dst;

		if (off == NO_OFFSET) {
			r->err = EIO;
			return;
		}
		dst = p->base + off;
		load_lines(r->scratch, dst, r->size);
		durable_store(p, dst, p->t.destructive ? r->pattern_buf :
			      r->scratch, r->size);
		pm_deep_flush(&p->t.pmt, how, false, &fr);
		if (fr.outcome != PM_OUTCOME_FLUSHED || !fr.timed) {
			r->err = fr.err ? fr.err : EIO;
			snprintf(r->message, sizeof(r->message), "%s", fr.message);
			return;
		}
		r->ticks[r->count] = fr.latency_ns;
		r->offsets[r->count++] = off;
		if (pm_probe_now_ns() >= r->end || (r->stop && *r->stop))
			return;
	}
}

/* Runs fn with SIGBUS caught: -EFAULT (and the page marked) on a fault. */
static int guarded(struct pm_probe *p, void (*fn)(struct run *), struct run *r)
{
	if (sigsetjmp(bus_env, 1)) {
		size_t pg = fault_page(p);

		bus_armed = 0;
		if (pg != SIZE_MAX)
			mark_bad(p, (uint64_t)pg * PAGE, PAGE);
		snprintf(r->message, sizeof(r->message),
			 "SIGBUS at offset %#llx: a poisoned line (a badblock) or a file that shrank; that page is skipped from now on",
			 pg == SIZE_MAX ? 0ULL : (unsigned long long)pg * PAGE);
		return -EFAULT;
	}
	bus_armed = 1;
	fn(r);
	bus_armed = 0;
	return 0;
}

static uint64_t first_good(struct pm_probe *p, uint32_t size)
{
	for (uint64_t off = 0; off + size <= p->t.range; off += size)
		if (!range_bad(p, off, size))
			return off;
	return NO_OFFSET;
}

static uint64_t slice_end(const struct pm_probe *p, bool clock, uint64_t start,
			  uint64_t slice_ns, double fraction)
{
	double add;

	if (slice_ns == UINT64_MAX)
		return UINT64_MAX;
	add = (double)slice_ns * fraction;
	if (!clock)
		add = add * p->tsc_hz / 1e9;
	return start + (uint64_t)add;
}

static void free_run(struct run *r)
{
	free(r->ticks);
	free(r->offsets);
	free(r->scratch);
	free(r->pattern_buf);
	free(r->boffs);
	free(r->bsrc);
}

static int run_one(struct pm_probe *p, const struct pm_probe_plan *plan,
		   struct run *r, struct pm_probe_result *res,
		   uint64_t slice_ns)
{
	bool clock = r->method >= PM_PROBE_DEEP_FLUSH_SYSFS;
	void (*sample)(struct run *) = clock ? sample_deep_flush :
		loops[r->method].sample;
	uint64_t start = clock ? pm_probe_now_ns() : tsc_now();
	size_t warm = plan->iterations / 10;
	int rc;

	r->ticks = malloc(plan->iterations * sizeof(uint64_t));
	r->offsets = malloc(plan->iterations * sizeof(uint64_t));
	r->scratch = aligned_alloc(LINE, r->size);
	r->pattern_buf = aligned_alloc(LINE, r->size);
	if (!r->ticks || !r->offsets || !r->scratch || !r->pattern_buf)
		return -ENOMEM;
	fill_pattern(r->pattern_buf, r->size);
	r->hot = first_good(p, r->size);

	/* Warm-up: caches, TLB, branch predictors, the syscall path. */
	r->n = warm < 10 ? 10 : warm > 1000 ? 1000 : warm;
	if (r->n > plan->iterations)
		r->n = plan->iterations;
	r->end = slice_end(p, clock, start, slice_ns, 0.1);
	rc = guarded(p, sample, r);
	if (!rc && !r->err) {
		r->count = 0;
		r->n = plan->iterations;
		r->end = slice_end(p, clock, start, slice_ns, 0.8);
		rc = guarded(p, sample, r);
	}
	if (rc || r->err) {
		res->err = rc ? -rc : r->err;
		if (!r->message[0])
			snprintf(r->message, sizeof(r->message), "%s",
				 r->err == EIO && !rc ?
				 "no offset of this size is free of badblocks" :
				 strerror(res->err));
		snprintf(res->message, sizeof(res->message), "%s", r->message);
		r->count = 0;
		return 0;
	}

	/*
	 * Batched: the same ops back to back, one bracket around them all,
	 * with what the lines hold copied first, as many as the time left
	 * in the slice allows (judged by the samples' mean).
	 */
	if (!clock && r->count) {
		uint64_t now = tsc_now(), end = slice_end(p, false, start, slice_ns, 1.0);
		double sum = 0, mean_ticks;
		size_t nb = r->count;

		for (size_t i = 0; i < r->count; i++)
			sum += (double)r->ticks[i];
		mean_ticks = sum / (double)r->count;
		if (nb > BATCH_MAX_OPS)
			nb = BATCH_MAX_OPS;
		if (nb > BATCH_MAX_BYTES / r->size)
			nb = BATCH_MAX_BYTES / r->size;
		if (end != UINT64_MAX) {
			double fit = end > now ? (double)(end - now) / (2 * mean_ticks) : 0;

			/*
			 * A few ops past the slice rather than no figure: a
			 * busy machine (preemption) can eat the whole slice.
			 */
			if (fit < BATCH_MIN_OPS)
				fit = BATCH_MIN_OPS;
			if ((double)nb > fit)
				nb = (size_t)fit;
		}
		r->nb = nb;
		r->boffs = malloc((nb ? nb : 1) * sizeof(uint64_t));
		r->bsrc = malloc((nb ? nb : 1) * (size_t)r->size);
		if (!r->boffs || !r->bsrc)
			return -ENOMEM;
		for (size_t k = 0; k < nb; k++) {
			r->boffs[k] = next_offset(r);
			if (r->boffs[k] == NO_OFFSET) {
				r->nb = 0;
				break;
			}
		}
	}
	return 0;
}

/* Copies what the batch's lines hold (guarded), then runs the batch. */
static void batch_prepare(struct run *r)
{
	for (size_t k = 0; k < r->nb; k++)
		load_lines(r->bsrc + k * r->size, r->p->base + r->boffs[k],
			   r->size);
}

static int run_batch(struct pm_probe *p, struct run *r,
		     struct pm_probe_result *res)
{
	int rc;

	if (!r->nb)
		return 0;
	rc = guarded(p, batch_prepare, r);
	if (!rc)
		rc = guarded(p, loops[r->method].batch, r);
	if (rc || r->err) {
		res->err = rc ? -rc : r->err;
		snprintf(res->message, sizeof(res->message), "batched run: %s",
			 r->message[0] ? r->message : strerror(res->err));
		return 0;
	}
	res->batch_ops = r->nb;
	res->batch_ns = ticks_ns(p, (double)r->batch_ticks) -
		p->overhead_ns;
	if (res->batch_ns < 0)
		res->batch_ns = 0;
	return 0;
}

int pm_probe_run(struct pm_probe *p, const struct pm_probe_plan *plan,
		 pm_probe_result_fn result, pm_probe_progress_fn progress,
		 void *arg)
{
	size_t total = plan->nr_methods * plan->nr_sizes * plan->nr_patterns;
	unsigned int migrations = p->migrations;
	size_t done = 0;
	struct sigaction old;
	int rc = 0;

	if (!p->ready || !plan->iterations)
		return -EINVAL;
	sigbus_install(&old);
	for (size_t mi = 0; mi < plan->nr_methods && !rc; mi++)
	for (size_t si = 0; si < plan->nr_sizes && !rc; si++)
	for (size_t pi = 0; pi < plan->nr_patterns && !rc; pi++, done++) {
		enum pm_probe_method m = plan->methods[mi];
		struct pm_probe_result res;
		struct run r;
		uint64_t slice = UINT64_MAX;
		bool clock = m >= PM_PROBE_DEEP_FLUSH_SYSFS;

		if (plan->stop && *plan->stop) {
			rc = -EINTR;
			break;
		}
		if (progress)
			progress(done, total, m, plan->sizes[si],
				 plan->patterns[pi], arg);
		if (plan->deadline_ns) {
			uint64_t now = pm_probe_now_ns();

			slice = plan->deadline_ns > now ?
				(plan->deadline_ns - now) / (total - done) : 0;
		}
		memset(&r, 0, sizeof(r));
		memset(&res, 0, sizeof(res));
		r.p = p;
		r.method = m;
		r.size = plan->sizes[si];
		r.pattern = plan->patterns[pi];
		r.stop = plan->stop;
		res.method = m;
		res.size = r.size;
		res.pattern = r.pattern;
		res.clock_timed = clock;
		if (r.size < LINE || r.size % LINE || r.size > p->t.range) {
			res.err = EINVAL;
			snprintf(res.message, sizeof(res.message),
				 "size %u is not a multiple of 64 within the range",
				 r.size);
		} else if (!clock && !loops[m].sample) {
			res.err = EOPNOTSUPP;
			snprintf(res.message, sizeof(res.message), "not built for this CPU");
		} else {
			rc = run_one(p, plan, &r, &res, slice);
			if (!rc && !res.err && !clock)
				rc = run_batch(p, &r, &res);
		}
		res.migrations = p->migrations - migrations;
		migrations = p->migrations;
		if (!rc && !res.err) {
			res.count = r.count;
			res.offsets = r.offsets;
			res.ns = malloc((r.count ? r.count : 1) * sizeof(double));
			if (!res.ns)
				rc = -ENOMEM;
		}
		if (!rc && !res.err) {
			if (clock) {
				for (size_t i = 0; i < r.count; i++)
					res.ns[i] = (double)r.ticks[i];
			} else {
				res.ticks = r.ticks;
				res.overhead_ns = p->overhead_ns;
				for (size_t i = 0; i < r.count; i++) {
					if (r.ticks[i] < p->overhead_ticks) {
						res.ns[i] = 0;
						res.clamped++;
					} else {
						res.ns[i] = ticks_ns(p, (double)(r.ticks[i] -
							    p->overhead_ticks));
					}
				}
			}
		}
		if (!rc)
			rc = result(&res, arg);
		free(res.ns);
		free_run(&r);
	}
	sigaction(SIGBUS, &old, NULL);
	return rc > 0 ? 0 : rc;
}
