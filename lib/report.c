// SPDX-License-Identifier: GPL-2.0-or-later
/* Support bundles: capture what libndctl, libdaxctl and libcxl read. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "badblocks.h"
#include "compat.h"
#include "cxl.h"
#include "firmware.h"
#include "health.h"
#include "labels.h"
#include "host.h"
#include "pmem.h"
#include "proc.h"
#include "report.h"
#include "util.h"

/* An attribute is a page at most; binary ones (the NFIT) are small too. */
#define MAX_ATTR_SIZE (1u << 20)

struct capture {
	struct pm_archive *a;
	const char *top;
	struct pm_report_stats *st;
	char **roots;			/* device directories, captured whole */
	size_t nr_roots;
	char **blockdevs;		/* "maj:min" of captured block devices */
	size_t nr_blockdevs;
	char **stubs;			/* CXL port link targets, kept empty */
	size_t nr_stubs;
	int rc;				/* the first archive error */
	bool past_first_cpu;		/* reading /proc/cpuinfo */
	char *buf;			/* MAX_ATTR_SIZE, for reading attributes */
};

/*
 * The directories whose links lead to everything libndctl, libdaxctl and
 * libcxl read. /sys/bus/cxl itself holds only commands (flush, probe).
 */
static const char *const link_dirs[] = {
	"/sys/class/nd",
	"/sys/bus/nd/devices",
	"/sys/bus/dax/devices",
	"/sys/class/dax",
	"/sys/bus/cxl/devices",
};

static const char *const driver_dirs[] = {
	"/sys/bus/nd/drivers",
	"/sys/bus/dax/drivers",
	"/sys/bus/cxl/drivers",
};

static const char *const device_link_dirs[] = {
	"/sys/dev/block",
	"/sys/dev/char",
	"/sys/block",
	"/sys/class/block",
};

/* Their state is what doctor and list say about a platform without pmem. */
static const char *const modules[] = {
	"libnvdimm", "nfit", "nd_pmem", "nd_btt", "nd_e820", "virtio_pmem",
	"dax_pmem", "device_dax", "kmem",
};

/* Kernel messages about these subsystems; the rest stays on the machine. */
static const char *const log_words[] = {
	"nvdimm", "nd_", "nd ", "ndbus", "nfit", "NFIT", "pmem", "dax", "btt",
	"pfn", "persistence", "memmap", "e820", "namespace", "region", "nmem",
	"cxl", "CXL",
};

static void gap(struct capture *c, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void gap(struct capture *c, const char *what, const char *fmt, ...)
{
	struct pm_report_gap *g;
	va_list ap;

	if (c->st->nr_gaps == PM_REPORT_MAX_GAPS)
		return;
	g = &c->st->gaps[c->st->nr_gaps++];
	snprintf(g->what, sizeof(g->what), "%s", what);
	va_start(ap, fmt);
	vsnprintf(g->why, sizeof(g->why), fmt, ap);
	va_end(ap);
}

static void keep_error(struct capture *c, int rc)
{
	if (rc && !c->rc)
		c->rc = rc;
}

static void archive_name(const struct capture *c, const char *path, char *name,
			 size_t len)
{
	snprintf(name, len, "%s%s%s", c->top, path[0] == '/' || !path[0] ? "" : "/",
		 path);
}

static void add_data(struct capture *c, const char *path, mode_t mode,
		     const void *data, size_t len)
{
	char name[PATH_MAX + 256];

	archive_name(c, path, name, sizeof(name));
	keep_error(c, pm_archive_add_file(c->a, name, mode, data, len));
	c->st->files++;
	c->st->bytes += len;
}

/* Reads a whole attribute or /proc file into c->buf; its length or -errno. */
static ssize_t slurp(struct capture *c, const char *path)
{
	size_t len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		return -errno;
	while (len < MAX_ATTR_SIZE) {
		ssize_t n = read(fd, c->buf + len, MAX_ATTR_SIZE - len);

		if (n < 0) {
			int rc = -errno;

			close(fd);
			return rc;
		}
		if (n == 0)
			break;
		len += n;
	}
	close(fd);
	return len;
}

static void add_attribute(struct capture *c, const char *path, mode_t mode)
{
	ssize_t len;

	/* A write-only attribute is kept empty: its presence is the fact. */
	if (!(mode & 0444)) {
		add_data(c, path, mode, "", 0);
		return;
	}
	len = slurp(c, path);
	if (len < 0) {
		/* Some attributes fail by design (no DSM support, not root). */
		c->st->unreadable++;
		return;
	}
	add_data(c, path, mode, c->buf, len);
}

static void add_symlink(struct capture *c, const char *path)
{
	char name[PATH_MAX + 256], target[PATH_MAX];
	ssize_t n = readlink(path, target, sizeof(target) - 1);

	if (n < 0)
		return;
	target[n] = '\0';
	archive_name(c, path, name, sizeof(name));
	keep_error(c, pm_archive_add_symlink(c->a, name, target));
	c->st->symlinks++;
}

static void add_dir(struct capture *c, const char *path)
{
	char name[PATH_MAX + 256];

	archive_name(c, path, name, sizeof(name));
	keep_error(c, pm_archive_add_dir(c->a, name, 0755));
	c->st->dirs++;
}

/*
 * Whether dir belongs to a device of the cxl bus (its subsystem link says
 * so); a directory that is no device (power/, pmem/) inherits its parent's.
 */
static bool cxl_device_dir(const char *dir, bool parent)
{
	char path[PATH_MAX], target[PATH_MAX];
	ssize_t n;

	if (snprintf(path, sizeof(path), "%s/subsystem", dir) >= (int)sizeof(path))
		return parent;
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return parent;
	target[n] = '\0';
	return n >= 8 && strcmp(target + n - 8, "/bus/cxl") == 0;
}

/*
 * libcxl drops a port whose uport does not resolve (realpath), and a
 * decoder target whose dport does not: their targets (ACPI host bridges,
 * PCIe root ports) are kept as empty directories, never captured whole.
 */
static void keep_stub(struct capture *c, const char *link, const char *entry)
{
	char real[PATH_MAX];
	int id;

	if ((strcmp(entry, "uport") == 0 || sscanf(entry, "dport%d", &id) == 1) &&
	    realpath(link, real) && strncmp(real, "/sys/devices/", 13) == 0)
		keep_error(c, pm_push_dup(&c->stubs, &c->nr_stubs, real));
}

/*
 * A device directory, whole; symlinks are kept as links, never followed.
 * A CXL device's write-only attributes are commands (delete_region,
 * sanitize): left out.
 */
static void capture_tree(struct capture *c, const char *dir, bool cxl)
{
	struct dirent **entries;
	int n = scandir(dir, &entries, NULL, alphasort);

	if (n < 0)
		return;
	add_dir(c, dir);
	cxl = cxl_device_dir(dir, cxl);
	for (int i = 0; i < n; i++) {
		const char *entry = entries[i]->d_name;
		char path[PATH_MAX];
		struct stat st;

		if (strcmp(entry, ".") == 0 || strcmp(entry, "..") == 0 ||
		    snprintf(path, sizeof(path), "%s/%s", dir, entry) >= (int)sizeof(path) ||
		    lstat(path, &st) < 0)
			goto next;
		if (S_ISLNK(st.st_mode)) {
			add_symlink(c, path);
			if (cxl)
				keep_stub(c, path, entry);
		} else if (S_ISDIR(st.st_mode)) {
			capture_tree(c, path, cxl);
		} else if (S_ISREG(st.st_mode) && !(cxl && !(st.st_mode & 0444))) {
			add_attribute(c, path, st.st_mode & 0777);
		}
next:
		free(entries[i]);
	}
	free(entries);
}

static bool under_root(const struct capture *c, const char *path)
{
	for (size_t i = 0; i < c->nr_roots; i++) {
		size_t len = strlen(c->roots[i]);

		if (strncmp(path, c->roots[i], len) == 0 &&
		    (path[len] == '/' || path[len] == '\0'))
			return true;
	}
	return false;
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Calls fn for every symlink in dir, with its path and where it leads. */
static void for_each_link(struct capture *c, const char *dir,
			  void (*fn)(struct capture *c, const char *link,
				     const char *real))
{
	struct dirent **entries;
	int n = scandir(dir, &entries, NULL, alphasort);

	if (n < 0)
		return;
	for (int i = 0; i < n; i++) {
		char path[PATH_MAX], real[PATH_MAX];

		if (entries[i]->d_type == DT_LNK &&
		    snprintf(path, sizeof(path), "%s/%s", dir, entries[i]->d_name) <
			    (int)sizeof(path) &&
		    realpath(path, real))
			fn(c, path, real);
		free(entries[i]);
	}
	free(entries);
}

static void collect_root(struct capture *c, const char *link, const char *real)
{
	(void)link;
	keep_error(c, pm_push_dup(&c->roots, &c->nr_roots, real));
}

static void keep_link(struct capture *c, const char *link, const char *real)
{
	(void)real;
	add_symlink(c, link);
}

static void keep_link_into_roots(struct capture *c, const char *link,
				 const char *real)
{
	if (!under_root(c, real))
		return;
	add_symlink(c, link);
	if (strncmp(link, "/sys/dev/block/", 15) == 0)
		keep_error(c, pm_push_dup(&c->blockdevs, &c->nr_blockdevs, link + 15));
}

/* The device roots, parents first, none inside another. */
static void collect_roots(struct capture *c)
{
	size_t kept = 0;

	for (size_t i = 0; i < ARRAY_SIZE(link_dirs); i++)
		for_each_link(c, link_dirs[i], collect_root);
	/* No device at all: a NULL array, which qsort may not be given. */
	if (c->nr_roots > 1)
		qsort(c->roots, c->nr_roots, sizeof(*c->roots), compare_strings);
	for (size_t i = 0; i < c->nr_roots; i++) {
		size_t saved = c->nr_roots;
		bool inside;

		c->nr_roots = kept;
		inside = under_root(c, c->roots[i]);
		c->nr_roots = saved;
		if (inside) {
			free(c->roots[i]);
			continue;
		}
		c->roots[kept++] = c->roots[i];
	}
	c->nr_roots = kept;
}

/*
 * The stubs outside the captured trees, each once, with the links libcxl
 * follows from a dport (its physical and firmware nodes: the alias cxl
 * list shows), whose targets are stubs too.
 */
static void capture_stubs(struct capture *c)
{
	static const char *const node_links[] = { "physical_node", "firmware_node" };
	size_t nr = c->nr_stubs;

	for (size_t i = 0; i < nr; i++)
		for (size_t l = 0; l < ARRAY_SIZE(node_links); l++) {
			char link[PATH_MAX], real[PATH_MAX];

			if (snprintf(link, sizeof(link), "%s/%s", c->stubs[i],
				     node_links[l]) < (int)sizeof(link) &&
			    realpath(link, real) && strncmp(real, "/sys/devices/", 13) == 0)
				keep_error(c, pm_push_dup(&c->stubs, &c->nr_stubs, real));
		}
	if (c->nr_stubs > 1)
		qsort(c->stubs, c->nr_stubs, sizeof(*c->stubs), compare_strings);
	for (size_t i = 0; i < c->nr_stubs; i++) {
		if ((i && strcmp(c->stubs[i], c->stubs[i - 1]) == 0) ||
		    under_root(c, c->stubs[i]))
			continue;
		add_dir(c, c->stubs[i]);
		for (size_t l = 0; l < ARRAY_SIZE(node_links); l++) {
			char link[PATH_MAX];
			struct stat st;

			if (snprintf(link, sizeof(link), "%s/%s", c->stubs[i],
				     node_links[l]) < (int)sizeof(link) &&
			    lstat(link, &st) == 0 && S_ISLNK(st.st_mode))
				add_symlink(c, link);
		}
	}
}

static void capture_sysfs(struct capture *c)
{
	collect_roots(c);
	for (size_t i = 0; i < c->nr_roots; i++)
		capture_tree(c, c->roots[i], false);
	capture_stubs(c);
	for (size_t i = 0; i < ARRAY_SIZE(link_dirs); i++) {
		struct stat st;

		if (stat(link_dirs[i], &st) < 0)
			continue;
		add_dir(c, link_dirs[i]);
		for_each_link(c, link_dirs[i], keep_link);
	}
	for (size_t i = 0; i < ARRAY_SIZE(driver_dirs); i++) {
		struct dirent **drivers;
		int n = scandir(driver_dirs[i], &drivers, NULL, alphasort);

		for (int j = 0; j < n; j++) {
			char path[PATH_MAX];

			if (drivers[j]->d_name[0] != '.' &&
			    snprintf(path, sizeof(path), "%s/%s", driver_dirs[i],
				     drivers[j]->d_name) < (int)sizeof(path)) {
				add_dir(c, path);
				for_each_link(c, path, keep_link_into_roots);
			}
			free(drivers[j]);
		}
		if (n >= 0)
			free(drivers);
	}
	for (size_t i = 0; i < ARRAY_SIZE(device_link_dirs); i++)
		for_each_link(c, device_link_dirs[i], keep_link_into_roots);
}

static void capture_file(struct capture *c, const char *path, const char *what)
{
	ssize_t len = slurp(c, path);
	struct stat st;

	if (len == -ENOENT)
		return;
	if (len < 0) {
		gap(c, what, "%s", len == -EACCES || len == -EPERM ?
		    "readable by root only" : strerror((int)-len));
		return;
	}
	if (stat(path, &st) < 0)
		st.st_mode = 0444;
	add_data(c, path, st.st_mode & 0777, c->buf, len);
}

typedef bool keep_line_fn(struct capture *c, const char *line);

/* Adds the lines of text (which it splits) for which keep() says yes. */
static void add_kept_lines(struct capture *c, const char *name, char *text,
			   keep_line_fn *keep)
{
	char *out, *line, *save = NULL;
	size_t used = 0;

	/* Every kept line gets its newline back, the last one too. */
	out = malloc(strlen(text) + 2);
	if (!out) {
		keep_error(c, -ENOMEM);
		return;
	}
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (keep(c, line))
			used += sprintf(out + used, "%s\n", line);
	add_data(c, name, 0444, out, used);
	free(out);
}

static void capture_filtered(struct capture *c, const char *path,
			     const char *name, keep_line_fn *keep)
{
	ssize_t len = slurp(c, path);

	if (len < 0)
		return;
	c->buf[len] = '\0';
	add_kept_lines(c, name, c->buf, keep);
}

static bool first_cpu(struct capture *c, const char *line)
{
	unsigned int cpu;

	if (sscanf(line, "processor : %u", &cpu) == 1 && cpu != 0)
		c->past_first_cpu = true;
	return !c->past_first_cpu;
}

static bool pmem_mount(struct capture *c, const char *line)
{
	struct pm_mount m;
	char devno[32];

	if (!pm_mountinfo_parse(line, &m))
		return false;
	snprintf(devno, sizeof(devno), "%u:%u", major(m.dev), minor(m.dev));
	for (size_t i = 0; i < c->nr_blockdevs; i++)
		if (strcmp(devno, c->blockdevs[i]) == 0)
			return true;
	return false;
}

static bool nvdimm_message(struct capture *c, const char *line)
{
	(void)c;
	for (size_t i = 0; i < ARRAY_SIZE(log_words); i++)
		if (strstr(line, log_words[i]))
			return true;
	return false;
}

static void capture_kernel_log(struct capture *c)
{
	char *log;

	if (pm_host_kernel_log(&log) < 0) {
		gap(c, "kernel messages", "not readable (kernel.dmesg_restrict): run as root");
		return;
	}
	add_kept_lines(c, PM_REPORT_KERNEL_LOG, log, nvdimm_message);
	free(log);
}

static void capture_modules(struct capture *c)
{
	char text[1024];
	size_t used = 0;

	for (size_t i = 0; i < ARRAY_SIZE(modules); i++) {
		enum pm_module_state state;

		if (pm_module_state(modules[i], &state) == 0)
			used += snprintf(text + used, sizeof(text) - used, "%s %s\n",
					 modules[i], pm_module_state_name(state));
	}
	add_data(c, PM_REPORT_MODULES, 0444, text, used);
}

/* What each CXL memdev's Get Health Info answered, or why it did not. */
static void capture_memdev_health(struct capture *c, const struct pm_platform *pf)
{
	char path[PATH_MAX], text[1024];
	bool denied = false;

	for (size_t i = 0; i < pf->nr_memdevs; i++) {
		const struct pm_memdev_health *h = pm_memdev_health(pf->memdevs[i]);
		int len = pm_memdev_health_format(h, text, sizeof(text));

		denied |= h->error == -EACCES || h->error == -EPERM;
		if (len < 0) {
			keep_error(c, len);
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", PM_REPORT_CXL_HEALTH_DIR,
			 pf->memdevs[i]->dev);
		add_data(c, path, 0444, text, len);
	}
	if (denied)
		gap(c, "CXL memdev health", "needs root");
}

/* Each CXL memdev's Get FW Info answer (or why there is none). */
static void capture_memdev_firmware(struct capture *c, const struct pm_platform *pf)
{
	char path[PATH_MAX], text[256];
	bool denied = false;

	for (size_t i = 0; i < pf->nr_memdevs; i++) {
		const struct pm_memdev_fw *fw = pm_memdev_firmware(pf->memdevs[i]);
		int len = pm_memdev_fw_format(fw, text, sizeof(text));

		denied |= fw->error == -EACCES || fw->error == -EPERM;
		if (len < 0) {
			keep_error(c, len);
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", PM_REPORT_CXL_FIRMWARE_DIR,
			 pf->memdevs[i]->dev);
		add_data(c, path, 0444, text, len);
	}
	if (denied)
		gap(c, "CXL memdev firmware slots", "needs root");
}

/* Each DIMM's label storage area, so doctor's label findings replay too. */
static void capture_labels(struct capture *c, const struct pm_platform *pf)
{
	char path[PATH_MAX];
	bool denied = false;

	for (size_t i = 0; i < pf->nr_dimms; i++) {
		void *buf;
		size_t len;
		int rc = pm_dimm_read_label_area(pf->dimms[i], &buf, &len);

		denied |= rc == -EACCES;
		if (rc < 0)
			continue;
		/* A replay reads no more than this of a record. */
		if (len <= PM_HOST_RECORD_CAP) {
			snprintf(path, sizeof(path), "%s/%s", PM_REPORT_LABELS_DIR,
				 pf->dimms[i]->dev);
			add_data(c, path, 0444, buf, len);
		}
		free(buf);
	}
	if (denied)
		gap(c, "DIMM label areas", "needs root");
}

/* Each DIMM's Get Firmware Info answer (or why there is none). */
static void capture_firmware(struct capture *c, const struct pm_platform *pf)
{
	char path[PATH_MAX], text[1024];
	bool denied = false;

	for (size_t i = 0; i < pf->nr_dimms; i++) {
		const struct pm_firmware *fw = pm_dimm_firmware(pf->dimms[i]);
		int len = pm_firmware_format(fw, text, sizeof(text));

		denied |= pm_firmware_denied(fw);
		if (len < 0) {
			keep_error(c, len);
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", PM_REPORT_FIRMWARE_DIR,
			 pf->dimms[i]->dev);
		add_data(c, path, 0444, text, len);
	}
	if (denied)
		gap(c, "DIMM firmware versions", "needs root");
}

/*
 * What ioctls answered, which sysfs cannot replay: each DIMM's SMART data
 * (or why there is none), each CXL memdev's health, and the DIMMs under
 * each media error of an interleaved region (Translate SPA).
 */
static void capture_answers(struct capture *c, const struct pm_platform *pf)
{
	char path[PATH_MAX], text[4096];
	bool denied = false;

	for (size_t i = 0; i < pf->nr_dimms; i++) {
		const struct pm_health *h = pm_dimm_health(pf->dimms[i]);
		int len = pm_health_format(h, text, sizeof(text));

		denied |= pm_health_denied(h);
		if (len < 0) {
			keep_error(c, len);
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", PM_REPORT_HEALTH_DIR,
			 pf->dimms[i]->dev);
		add_data(c, path, 0444, text, len);
	}
	if (denied)
		gap(c, "DIMM SMART health", "needs root");
	capture_firmware(c, pf);
	capture_memdev_health(c, pf);
	capture_memdev_firmware(c, pf);
	capture_labels(c, pf);
	for (size_t i = 0; i < pf->nr_regions; i++) {
		char *lines;
		int len = pm_badblock_dimms_format(pf, pf->regions[i], &lines);

		if (len <= 0) {
			keep_error(c, len);
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", PM_REPORT_BADBLOCK_DIMMS_DIR,
			 pf->regions[i]->dev);
		add_data(c, path, 0444, lines, len);
		free(lines);
	}
}

int pm_report_capture(struct pm_archive *a, const char *top,
		      const struct pm_platform *pf, struct pm_report_stats *stats)
{
	struct capture c = { .a = a, .top = top, .st = stats };

	memset(stats, 0, sizeof(*stats));
	c.buf = malloc(MAX_ATTR_SIZE + 1);
	if (!c.buf)
		return -ENOMEM;
	add_dir(&c, "");
	capture_sysfs(&c);
	capture_file(&c, "/sys/firmware/acpi/tables/NFIT", "ACPI NFIT table");
	capture_filtered(&c, "/proc/cpuinfo", "/proc/cpuinfo", first_cpu);
	capture_file(&c, "/proc/cmdline", "kernel command line");
	capture_file(&c, "/proc/version", "kernel version");
	capture_file(&c, "/proc/sys/kernel/osrelease", "kernel release");
	capture_file(&c, "/proc/modules", "loaded modules");
	capture_filtered(&c, "/proc/self/mountinfo", "/proc/self/mountinfo", pmem_mount);
	capture_kernel_log(&c);
	capture_modules(&c);
	if (pf)
		capture_answers(&c, pf);

	for (size_t i = 0; i < c.nr_roots; i++)
		free(c.roots[i]);
	for (size_t i = 0; i < c.nr_blockdevs; i++)
		free(c.blockdevs[i]);
	for (size_t i = 0; i < c.nr_stubs; i++)
		free(c.stubs[i]);
	free(c.roots);
	free(c.blockdevs);
	free(c.stubs);
	free(c.buf);
	return c.rc;
}
