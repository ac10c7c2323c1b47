// SPDX-License-Identifier: GPL-2.0-or-later
/* Deep flush: through the region's sysfs attribute or the block layer. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "flush.h"

#define SYSFS_ND "/sys/bus/nd/devices"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static bool provider_is(const struct pm_region *region, const char *name)
{
	return region->bus->provider && strcmp(region->bus->provider, name) == 0;
}

/* Why the region has no deep_flush attribute, in the kernel's terms. */
static void explain_absent(const struct pm_region *region,
			   struct pm_flush_result *r)
{
	r->outcome = PM_OUTCOME_NOT_SUPPORTED;
	if (region->async)
		pm_explain(r->message, sizeof(r->message), 0, "%s has no deep_flush attribute: virtio-pmem flushes to the host through the block layer (use --method fsync)",
		    region->dev);
	else if (provider_is(region, "e820"))
		pm_explain(r->message, sizeof(r->message), 0, "legacy e820 (memmap=) region %s has no DIMMs and no flush mechanism: the kernel can only order stores",
		    region->dev);
	else
		pm_explain(r->message, sizeof(r->message), 0, "%s has no deep_flush attribute: the region has no DIMM mappings",
		    region->dev);
}

static void explain_not_needed(const struct pm_region *region,
			       struct pm_flush_result *r)
{
	const char *where = region->domain == PM_DOMAIN_CPU_CACHE ?
		"in the CPU caches (eADR)" :
		region->domain == PM_DOMAIN_MEMORY_CONTROLLER ?
		"once they reach the memory controller (ADR)" :
		"by platform persistence the kernel assumes, although the platform declares no domain";

	r->outcome = PM_OUTCOME_NOT_NEEDED;
	if (provider_is(region, "CXL")) {
		pm_explain(r->message, sizeof(r->message), 0, "%s/deep_flush is read-only: not needed on CXL, whose memdevs have no flush hints; stores are durable once they reach the device, whose Global Persistent Flush (GPF) writes its buffers to media on power loss",
		    region->dev);
		return;
	}
	pm_explain(r->message, sizeof(r->message), 0, "%s/deep_flush is read-only: its DIMMs have no flush hints, stores are durable %s",
	    region->dev, where);
}

/* The block device an fsync deep flush goes through, or NULL. */
static const char *fsync_device(const struct pm_target *t)
{
	const struct pm_region *region = t->region;

	if (t->ns)
		return t->ns->active ? t->ns->blockdev : NULL;
	/* A region: any of its block devices; the flush covers the region. */
	for (size_t i = 0; i < t->pf->nr_namespaces; i++) {
		const struct pm_namespace *ns = t->pf->namespaces[i];

		if (ns->region == region && ns->active && ns->blockdev)
			return ns->blockdev;
	}
	return NULL;
}

static void flush_sysfs(const struct pm_target *t, bool dry_run,
			struct pm_flush_result *r)
{
	const struct pm_region *region = t->region;
	uint64_t start;
	ssize_t n;
	int fd;

	r->method = PM_METHOD_SYSFS;
	snprintf(r->device, sizeof(r->device), SYSFS_ND "/%s/deep_flush",
		 region->dev);
	switch (region->deep_flush) {
	case PM_DEEP_FLUSH_ABSENT:
		explain_absent(region, r);
		r->device[0] = '\0';
		return;
	case PM_DEEP_FLUSH_READ_ONLY:
		explain_not_needed(region, r);
		return;
	case PM_DEEP_FLUSH_WRITABLE:
		break;
	}
	if (dry_run) {
		r->outcome = region->deep_flush_permitted ? PM_OUTCOME_DRY_RUN :
							    PM_OUTCOME_NOT_PERMITTED;
		pm_explain(r->message, sizeof(r->message), 0, region->deep_flush_permitted ? "would write 1 to %s" :
		    "writing %s needs root", r->device);
		return;
	}
	fd = open(r->device, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		r->err = errno;
		if (errno == EACCES || errno == EPERM) {
			r->outcome = PM_OUTCOME_NOT_PERMITTED;
			pm_explain(r->message, sizeof(r->message), 0, "writing %s needs root", r->device);
		} else {
			r->outcome = PM_OUTCOME_FAILED;
			pm_explain(r->message, sizeof(r->message), 0, "cannot open %s: %s", r->device, strerror(errno));
		}
		return;
	}
	start = now_ns();
	n = write(fd, "1", 1);
	r->latency_ns = now_ns() - start;
	r->timed = true;
	if (n != 1) {
		r->err = n < 0 ? errno : EIO;
		r->outcome = PM_OUTCOME_FAILED;
		pm_explain(r->message, sizeof(r->message), 0, "the kernel failed the flush of %s: %s", region->dev,
		    strerror(r->err));
	} else {
		r->outcome = PM_OUTCOME_FLUSHED;
		pm_explain(r->message, sizeof(r->message), 0, "wrote 1 to %s", r->device);
	}
	close(fd);
}

static void flush_fsync(const struct pm_target *t, bool dry_run,
			struct pm_flush_result *r)
{
	const struct pm_region *region = t->region;
	const char *blockdev = fsync_device(t);
	uint64_t start;
	int fd, file_fd = -1;

	r->method = PM_METHOD_FSYNC;
	if (t->ns && t->ns->mode == PM_MODE_DEVDAX) {
		r->outcome = PM_OUTCOME_NOT_SUPPORTED;
		pm_explain(r->message, sizeof(r->message), 0, "%s is device-dax: it has no block device to fsync, only the region's deep_flush reaches it",
		    t->ns->dev);
		return;
	}
	if (!blockdev) {
		r->outcome = PM_OUTCOME_NOT_SUPPORTED;
		pm_explain(r->message, sizeof(r->message), 0, "%s has no enabled block device to fsync", t->ns ? t->ns->dev :
		    region->dev);
		return;
	}
	snprintf(r->device, sizeof(r->device), "/dev/%s", blockdev);
	if (dry_run) {
		bool ok = access(r->device, R_OK) == 0;

		r->outcome = ok ? PM_OUTCOME_DRY_RUN : PM_OUTCOME_NOT_PERMITTED;
		pm_explain(r->message, sizeof(r->message), 0, ok ? "would fsync %s" : "opening %s needs root (or group disk)",
		    r->device);
		return;
	}
	/* A file is made durable first, then the device flush covers it. */
	if (t->path) {
		file_fd = open(t->path, O_RDONLY | O_CLOEXEC);
		if (file_fd < 0) {
			r->err = errno;
			r->outcome = errno == EACCES ? PM_OUTCOME_NOT_PERMITTED :
						       PM_OUTCOME_FAILED;
			pm_explain(r->message, sizeof(r->message), 0, "cannot open %s: %s", t->path, strerror(errno));
			return;
		}
	}
	fd = open(r->device, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		r->err = errno;
		if (errno == EACCES || errno == EPERM) {
			r->outcome = PM_OUTCOME_NOT_PERMITTED;
			pm_explain(r->message, sizeof(r->message), 0, "opening %s needs root (or group disk)", r->device);
		} else {
			r->outcome = errno == ENOENT ? PM_OUTCOME_NOT_SUPPORTED :
						       PM_OUTCOME_FAILED;
			pm_explain(r->message, sizeof(r->message), 0, "cannot open %s: %s", r->device, strerror(errno));
		}
		if (file_fd >= 0)
			close(file_fd);
		return;
	}
	start = now_ns();
	if (file_fd >= 0 && fsync(file_fd) < 0) {
		r->err = errno;
	} else if (fsync(fd) < 0) {
		r->err = errno;
	}
	r->latency_ns = now_ns() - start;
	r->timed = true;
	close(fd);
	if (file_fd >= 0)
		close(file_fd);
	if (r->err) {
		r->outcome = PM_OUTCOME_FAILED;
		pm_explain(r->message, sizeof(r->message), 0, "fsync of %s failed: %s", t->path ? t->path : r->device,
		    strerror(r->err));
		return;
	}
	r->outcome = PM_OUTCOME_FLUSHED;
	/* Say what the kernel did with the flush request, region by kind. */
	if (region->async)
		pm_explain(r->message, sizeof(r->message), 0, "fsync %s: the flush request reached the host", r->device);
	else if (region->flush_cap == PM_FLUSH_SUPPORTED)
		pm_explain(r->message, sizeof(r->message), 0, "fsync %s: the kernel flushed the DIMMs' write queues", r->device);
	else
		pm_explain(r->message, sizeof(r->message), 0, "fsync %s: the region has no flush hints, the kernel only ordered stores",
		    r->device);
}

/*
 * A flush that succeeds says nothing about a DIMM whose last flush failed
 * or that cannot save on power loss: name them beside the outcome.
 */
static void warn_dimm_health(const struct pm_region *region,
			     struct pm_flush_result *r)
{
	size_t len = 0;

	for (size_t i = 0; i < region->nr_mappings; i++) {
		const struct pm_dimm *dimm = region->mappings[i].dimm;

		if (!dimm)
			continue;
		for (size_t f = 0; f < pm_nr_dimm_flags; f++) {
			const struct pm_dimm_flag *flag = &pm_dimm_flags[f];

			if (!flag->flush_warning || !pm_dimm_has_flag(dimm, flag) ||
			    len >= sizeof(r->warning))
				continue;
			len += snprintf(r->warning + len, sizeof(r->warning) - len,
					"%s%s: %s", len ? "; " : "", dimm->dev,
					flag->flush_warning);
		}
	}
}

static void deep_flush_method(const struct pm_target *t,
				 enum pm_flush_method method, bool dry_run,
				 struct pm_flush_result *r)
{
	const struct pm_region *region = t->region;

	switch (method) {
	case PM_METHOD_SYSFS:
		flush_sysfs(t, dry_run, r);
		return;
	case PM_METHOD_FSYNC:
		flush_fsync(t, dry_run, r);
		return;
	case PM_METHOD_AUTO:
		break;
	}
	/*
	 * auto: the region's deep_flush where it flushes something (devdax
	 * has nothing else); the block layer where it is the only path
	 * (virtio-pmem); otherwise say why nothing is needed or possible.
	 */
	switch (region->flush_cap) {
	case PM_FLUSH_SUPPORTED:
		if (region->deep_flush_permitted || !fsync_device(t) ||
		    (t->ns && t->ns->mode == PM_MODE_DEVDAX))
			flush_sysfs(t, dry_run, r);
		else
			flush_fsync(t, dry_run, r);
		return;
	case PM_FLUSH_NOT_NEEDED:
		r->method = PM_METHOD_AUTO;
		explain_not_needed(region, r);
		return;
	case PM_FLUSH_ABSENT:
		if (region->async) {
			flush_fsync(t, dry_run, r);
			return;
		}
		r->method = PM_METHOD_AUTO;
		explain_absent(region, r);
		return;
	}
}

void pm_deep_flush(const struct pm_target *t, enum pm_flush_method method,
		   bool dry_run, struct pm_flush_result *r)
{
	memset(r, 0, sizeof(*r));
	warn_dimm_health(t->region, r);
	deep_flush_method(t, method, dry_run, r);
}

const char *pm_flush_method_name(enum pm_flush_method method)
{
	switch (method) {
	case PM_METHOD_SYSFS:
		return "sysfs";
	case PM_METHOD_FSYNC:
		return "fsync";
	default:
		return "auto";
	}
}

int pm_flush_method_parse(const char *name, enum pm_flush_method *method)
{
	if (strcmp(name, "auto") == 0)
		*method = PM_METHOD_AUTO;
	else if (strcmp(name, "sysfs") == 0)
		*method = PM_METHOD_SYSFS;
	else if (strcmp(name, "fsync") == 0)
		*method = PM_METHOD_FSYNC;
	else
		return -EINVAL;
	return 0;
}

const char *pm_flush_outcome_name(enum pm_flush_outcome outcome)
{
	static const char *const names[] = {
		[PM_OUTCOME_FLUSHED] = "flushed",
		[PM_OUTCOME_DRY_RUN] = "dry-run",
		[PM_OUTCOME_NOT_NEEDED] = "not-needed",
		[PM_OUTCOME_NOT_PERMITTED] = "not-permitted",
		[PM_OUTCOME_NOT_SUPPORTED] = "not-supported",
		[PM_OUTCOME_FAILED] = "failed",
	};

	return names[outcome];
}
