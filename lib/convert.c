// SPDX-License-Identifier: GPL-2.0-or-later
/* Namespace conversion, creation and destruction that lose nothing. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <daxctl/libdaxctl.h>
#include <ndctl/libndctl.h>
#include <uuid/uuid.h>

#include "convert.h"
#include "sysfs.h"

/* pfn, dax and btt info blocks all sit at 4 KiB: the first 8 KiB hold them. */
#define INFO_BLOCK_SIZE 8192

#ifndef ND_DEVICE_NAMESPACE_PMEM
#define ND_DEVICE_NAMESPACE_PMEM 5	/* uapi ndctl.h: labelled pmem */
#endif

/* What must be put back if a later step fails. */
struct undo {
	struct ndctl_namespace *ndns;
	char claim_class[16];		/* holder_class before, as sysfs read it */
	bool disabled;			/* the namespace was taken down */
	bool enforce_changed;
	bool info_zeroed;
	unsigned char info[INFO_BLOCK_SIZE];
	struct ndctl_pfn *pfn;		/* a seed we configured */
	struct ndctl_dax *dax;
	struct ndctl_btt *btt;
};

static struct pm_step *step(struct pm_convert_result *res, const char *name,
			    const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static struct pm_step *step(struct pm_convert_result *res, const char *name,
			    const char *fmt, ...)
{
	static struct pm_step overflow;
	struct pm_step *s;
	va_list ap;

	if (res->nr_steps == PM_MAX_STEPS)
		s = &overflow;
	else
		s = &res->steps[res->nr_steps++];
	memset(s, 0, sizeof(*s));
	s->name = name;
	va_start(ap, fmt);
	vsnprintf(s->detail, sizeof(s->detail), fmt, ap);
	va_end(ap);
	return s;
}

/*
 * Closes a step. PMEMCTL_TEST_FAIL_STEP=<name> makes that step fail with
 * EIO after it ran: the tests use it to check every rollback path.
 */
static int finish(struct pm_step *s, int rc)
{
	const char *inject = getenv("PMEMCTL_TEST_FAIL_STEP");

	if (!rc && inject && strcmp(inject, s->name) == 0)
		rc = -EIO;
	s->err = rc < 0 ? rc : 0;
	s->status = rc < 0 ? PM_STEP_FAILED : PM_STEP_DONE;
	return rc < 0 ? rc : 0;
}

/*
 * The namespace's own uuid (its label's), which conversions keep; ndctl
 * shows the claim's instead, which each new claim renews.
 */
static void namespace_uuid(struct ndctl_namespace *ndns, char *buf, size_t len)
{
	uuid_t uuid;

	buf[0] = '\0';
	if (!ndns)
		return;
	ndctl_namespace_get_uuid(ndns, uuid);
	if (!uuid_is_null(uuid) && len >= 37)
		uuid_unparse(uuid, buf);
}

void pm_ns_config_of(const struct pm_namespace *ns, struct pm_ns_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->mode = ns->mode;
	cfg->map = ns->map;
	cfg->align = ns->align;
	cfg->size = ns->size;
	if (ns->mode == PM_MODE_SECTOR)
		cfg->sector_size = ns->sector_size;
	namespace_uuid(ns->ndns, cfg->uuid, sizeof(cfg->uuid));
}

/* Lock files live in /run/pmemctl: the same path for every pmemctl. */
#define LOCK_DIR "/run/pmemctl"

int pm_namespace_lock(const char *dev, int *fd)
{
	char path[PATH_MAX];

	if (mkdir(LOCK_DIR, 0755) < 0 && errno != EEXIST)
		return -errno;
	snprintf(path, sizeof(path), LOCK_DIR "/%s.lock", dev);
	*fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (*fd < 0)
		return -errno;
	if (flock(*fd, LOCK_EX | LOCK_NB) < 0) {
		int rc = errno == EWOULDBLOCK ? -EBUSY : -errno;

		close(*fd);
		*fd = -1;
		return rc;
	}
	return 0;
}

void pm_namespace_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}

static enum ndctl_namespace_mode to_ndctl_mode(enum pm_ns_mode mode)
{
	switch (mode) {
	case PM_MODE_FSDAX:
		return NDCTL_NS_MODE_FSDAX;
	case PM_MODE_DEVDAX:
		return NDCTL_NS_MODE_DEVDAX;
	case PM_MODE_SECTOR:
		return NDCTL_NS_MODE_SECTOR;
	default:
		return NDCTL_NS_MODE_RAW;
	}
}

static enum pm_ns_mode from_ndctl_mode(enum ndctl_namespace_mode mode)
{
	switch (mode) {
	case NDCTL_NS_MODE_FSDAX:
		return PM_MODE_FSDAX;
	case NDCTL_NS_MODE_DEVDAX:
		return PM_MODE_DEVDAX;
	case NDCTL_NS_MODE_SECTOR:
		return PM_MODE_SECTOR;
	case NDCTL_NS_MODE_RAW:
		return PM_MODE_RAW;
	default:
		return PM_MODE_UNKNOWN;
	}
}

static bool labelled(struct ndctl_namespace *ndns)
{
	return ndctl_namespace_get_type(ndns) == ND_DEVICE_NAMESPACE_PMEM;
}

/*
 * Reads the first 8 KiB of the namespace through its raw block device
 * into save (when not NULL), then writes zeros or restore over them (when
 * not NULL). The namespace is left disabled, as it was found.
 */
static int raw_io(struct ndctl_namespace *ndns, unsigned char *save,
		  const unsigned char *restore, bool zero)
{
	char path[PATH_MAX];
	const char *bdev;
	void *buf = NULL;
	int fd, rc;

	ndctl_namespace_set_raw_mode(ndns, 1);
	rc = ndctl_namespace_enable(ndns);
	if (rc < 0)
		goto out;
	bdev = ndctl_namespace_get_block_device(ndns);
	if (!bdev || !bdev[0]) {
		rc = -ENXIO;
		goto out;
	}
	snprintf(path, sizeof(path), "/dev/%s", bdev);
	if (posix_memalign(&buf, 4096, INFO_BLOCK_SIZE)) {
		rc = -ENOMEM;
		goto out;
	}
	fd = open(path, O_RDWR | O_DIRECT | O_EXCL | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		goto out;
	}
	rc = 0;
	if (save) {
		if (pread(fd, buf, INFO_BLOCK_SIZE, 0) != INFO_BLOCK_SIZE)
			rc = -EIO;
		else
			memcpy(save, buf, INFO_BLOCK_SIZE);
	}
	if (!rc && (zero || restore)) {
		if (restore)
			memcpy(buf, restore, INFO_BLOCK_SIZE);
		else
			memset(buf, 0, INFO_BLOCK_SIZE);
		if (pwrite(fd, buf, INFO_BLOCK_SIZE, 0) != INFO_BLOCK_SIZE)
			rc = errno ? -errno : -EIO;
		else if (fsync(fd) < 0)
			rc = -errno;
	}
	close(fd);
out:
	free(buf);
	ndctl_namespace_set_raw_mode(ndns, 0);
	ndctl_namespace_disable_invalidate(ndns);
	return rc;
}

static bool align_supported(unsigned long align, int (*count)(void *),
			    unsigned long (*get)(void *, int), void *seed,
			    char *list, size_t len)
{
	bool found = false;
	size_t used = 0;

	list[0] = '\0';
	for (int i = 0; i < count(seed); i++) {
		unsigned long a = get(seed, i);
		char text[32];

		pm_format_size(a, text, sizeof(text));
		used += snprintf(list + used, used < len ? len - used : 0, "%s%s",
				 i ? ", " : "", text);
		found |= a == align;
	}
	return found;
}

/* Adapters: libndctl's pfn and dax alignment getters, one signature. */
static int pfn_count(void *seed)
{
	return ndctl_pfn_get_num_alignments(seed);
}

static unsigned long pfn_align(void *seed, int i)
{
	return ndctl_pfn_get_supported_alignment(seed, i);
}

static int dax_count(void *seed)
{
	return ndctl_dax_get_num_alignments(seed);
}

static unsigned long dax_align(void *seed, int i)
{
	return ndctl_dax_get_supported_alignment(seed, i);
}

/* The request, completed with defaults and checked against the region. */
static int resolve_request(struct ndctl_region *region,
			   const struct pm_convert_request *req,
			   struct pm_ns_config *to, char *why, size_t len)
{
	char list[256], text[32];

	to->mode = req->mode;
	to->map = NULL;
	to->align = 0;
	to->sector_size = 0;
	if (req->mode == PM_MODE_FSDAX || req->mode == PM_MODE_DEVDAX) {
		struct ndctl_pfn *pfn = ndctl_region_get_pfn_seed(region);
		struct ndctl_dax *dax = ndctl_region_get_dax_seed(region);
		bool ok;

		if (req->mode == PM_MODE_FSDAX && !pfn) {
			snprintf(why, len, "the region has no pfn seed: fsdax is not possible here");
			return -EOPNOTSUPP;
		}
		if (req->mode == PM_MODE_DEVDAX && !dax) {
			snprintf(why, len, "the region has no dax seed: devdax is not possible here (is dax_pmem loaded?)");
			return -EOPNOTSUPP;
		}
		to->map = req->map ? req->map : "dev";
		/* 2 MiB: PMD mappings, the kernel's default for both. */
		to->align = req->align ? req->align : 2 << 20;
		if (req->mode == PM_MODE_FSDAX)
			ok = align_supported(to->align, pfn_count, pfn_align, pfn,
					     list, sizeof(list));
		else
			ok = align_supported(to->align, dax_count, dax_align, dax,
					     list, sizeof(list));
		if (!ok && list[0]) {
			pm_format_size(to->align, text, sizeof(text));
			snprintf(why, len, "alignment %s is not supported for %s here (supported: %s)",
				 text, pm_ns_mode_name(req->mode), list);
			return -EINVAL;
		}
	} else if (req->mode == PM_MODE_SECTOR) {
		struct ndctl_btt *btt = ndctl_region_get_btt_seed(region);
		bool ok = false;
		size_t used = 0;

		if (!btt) {
			snprintf(why, len, "the region has no btt seed: sector mode is not possible here (is nd_btt loaded?)");
			return -EOPNOTSUPP;
		}
		to->sector_size = req->sector_size ? req->sector_size : 4096;
		list[0] = '\0';
		for (int i = 0; i < ndctl_btt_get_num_sector_sizes(btt); i++) {
			unsigned int s = ndctl_btt_get_supported_sector_size(btt, i);

			used += snprintf(list + used, used < sizeof(list) ?
					 sizeof(list) - used : 0, "%s%u", i ? ", " : "", s);
			ok |= s == to->sector_size;
		}
		if (!ok) {
			snprintf(why, len, "sector size %u is not supported (supported: %s)",
				 to->sector_size, list);
			return -EINVAL;
		}
	}
	if (req->align && req->mode != PM_MODE_FSDAX && req->mode != PM_MODE_DEVDAX) {
		snprintf(why, len, "--align applies to fsdax and devdax only");
		return -EINVAL;
	}
	return 0;
}

static bool same_config(const struct pm_ns_config *from,
			const struct pm_convert_request *req,
			const struct pm_ns_config *to)
{
	if (from->mode != to->mode)
		return false;
	if ((req->align || to->mode == PM_MODE_FSDAX || to->mode == PM_MODE_DEVDAX) &&
	    from->align != to->align)
		return false;
	if (req->map && (!from->map || strcmp(from->map, to->map) != 0))
		return false;
	if (to->mode == PM_MODE_SECTOR && req->sector_size &&
	    from->sector_size != to->sector_size)
		return false;
	return true;
}

/*
 * The claim class (holder_class) says which kind of claim may take the
 * namespace: a labelled namespace keeps it in its label, a label-less one
 * in memory, and a stale one makes the kernel refuse a new claim (EBUSY).
 */
static int set_claim_class(struct undo *u, enum pm_ns_mode mode)
{
	int rc;

	/* libndctl caches the class at enumeration: read what the kernel has. */
	if (sysfs_read_string(u->claim_class, sizeof(u->claim_class),
			      "/sys/bus/nd/devices/%s/holder_class",
			      ndctl_namespace_get_devname(u->ndns)) < 0)
		u->claim_class[0] = '\0';
	rc = ndctl_namespace_set_enforce_mode(u->ndns, to_ndctl_mode(mode));
	/* Even a reported failure may have written the class: restore it. */
	u->enforce_changed = true;
	return labelled(u->ndns) ? rc : 0;
}

/* Names the seed attribute the kernel refused. */
static int configure_failed(struct pm_step *s, const char *what,
			    struct ndctl_namespace *ndns)
{
	size_t len = strlen(s->detail);
	char holder[64] = "";

	sysfs_read_string(holder, sizeof(holder), "/sys/bus/nd/devices/%s/holder",
			  ndctl_namespace_get_devname(ndns));
	snprintf(s->detail + len, sizeof(s->detail) - len, " (setting %s; %s%s%s)",
		 what, ndctl_namespace_is_enabled(ndns) ? "namespace enabled" :
		 "namespace disabled", holder[0] ? ", claimed by " : "", holder);
	return s->err;
}

/* Configures the claim seed for the target mode and enables it. */
static int configure_and_enable(struct pm_convert_result *res, struct undo *u,
				struct ndctl_region *region,
				const struct pm_ns_config *to, bool dry_run)
{
	enum ndctl_pfn_loc loc = to->map && strcmp(to->map, "mem") == 0 ?
				 NDCTL_PFN_LOC_RAM : NDCTL_PFN_LOC_PMEM;
	struct ndctl_namespace *ndns = u->ndns;
	char align[32];
	const char *what = "seed";
	struct pm_step *s;
	uuid_t uuid;
	int rc = 0;

	pm_format_size(to->align, align, sizeof(align));
	uuid_generate(uuid);
	switch (to->mode) {
	case PM_MODE_FSDAX:
		s = step(res, "configure-pfn", "pfn seed: new uuid, map %s, align %s",
			 to->map, align);
		if (dry_run)
			goto planned;
		u->pfn = ndctl_region_get_pfn_seed(region);
		rc = u->pfn ? 0 : -ENODEV;
		if (!rc)
			rc = ndctl_pfn_set_uuid(u->pfn, uuid), what = "uuid";
		if (!rc)
			rc = ndctl_pfn_set_location(u->pfn, loc), what = "location";
		if (!rc && ndctl_pfn_has_align(u->pfn))
			rc = ndctl_pfn_set_align(u->pfn, to->align), what = "align";
		if (!rc)
			rc = ndctl_pfn_set_namespace(u->pfn, ndns), what = "namespace";
		if (finish(s, rc))
			return configure_failed(s, what, ndns);
		s = step(res, "enable", "enable the pfn device: the kernel writes its info block");
		return finish(s, ndctl_pfn_enable(u->pfn));
	case PM_MODE_DEVDAX:
		s = step(res, "configure-dax", "dax seed: new uuid, map %s, align %s",
			 to->map, align);
		if (dry_run)
			goto planned;
		u->dax = ndctl_region_get_dax_seed(region);
		rc = u->dax ? 0 : -ENODEV;
		if (!rc)
			rc = ndctl_dax_set_uuid(u->dax, uuid), what = "uuid";
		if (!rc)
			rc = ndctl_dax_set_location(u->dax, loc), what = "location";
		if (!rc && ndctl_dax_has_align(u->dax))
			rc = ndctl_dax_set_align(u->dax, to->align), what = "align";
		if (!rc)
			rc = ndctl_dax_set_namespace(u->dax, ndns), what = "namespace";
		if (finish(s, rc))
			return configure_failed(s, what, ndns);
		s = step(res, "enable", "enable the dax device: the kernel writes its info block");
		return finish(s, ndctl_dax_enable(u->dax));
	case PM_MODE_SECTOR:
		s = step(res, "configure-btt", "btt seed: new uuid, sector size %u",
			 to->sector_size);
		if (dry_run)
			goto planned;
		u->btt = ndctl_region_get_btt_seed(region);
		rc = u->btt ? 0 : -ENODEV;
		if (!rc)
			rc = ndctl_btt_set_uuid(u->btt, uuid), what = "uuid";
		if (!rc)
			rc = ndctl_btt_set_sector_size(u->btt, to->sector_size), what = "sector_size";
		if (!rc)
			rc = ndctl_btt_set_namespace(u->btt, ndns), what = "namespace";
		if (finish(s, rc))
			return configure_failed(s, what, ndns);
		s = step(res, "enable", "enable the btt device: the kernel lays out its arenas");
		return finish(s, ndctl_btt_enable(u->btt));
	default:
		s = step(res, "enable", "enable the namespace raw");
		if (dry_run)
			return 0;
		return finish(s, ndctl_namespace_enable(ndns));
	}
planned:
	step(res, "enable", "enable the %s device", to->mode == PM_MODE_SECTOR ? "btt" :
	     to->mode == PM_MODE_DEVDAX ? "dax" : "pfn");
	return 0;
}

/*
 * Puts the namespace back as it was: tear down what the failed attempt
 * enabled, restore the info block and the claim class, and enable the
 * namespace: the kernel finds the old info block and re-creates the old
 * claim with its uuid, map and alignment.
 */
/*
 * Tears down what an attempt configured: disabling the namespace deletes
 * the claims attached to it; a seed configured but never attached is
 * reset here (deleting an attached one twice corrupts libndctl's lists).
 */
static void release_claims(struct undo *u)
{
	bool pfn_attached = u->pfn && ndctl_pfn_get_namespace(u->pfn) == u->ndns;
	bool dax_attached = u->dax && ndctl_dax_get_namespace(u->dax) == u->ndns;
	bool btt_attached = u->btt && ndctl_btt_get_namespace(u->btt) == u->ndns;

	ndctl_namespace_disable_invalidate(u->ndns);
	if (u->pfn && !pfn_attached)
		ndctl_pfn_delete(u->pfn);
	if (u->dax && !dax_attached)
		ndctl_dax_delete(u->dax);
	if (u->btt && !btt_attached)
		ndctl_btt_delete(u->btt);
	u->pfn = NULL;
	u->dax = NULL;
	u->btt = NULL;
}

static int rollback(struct pm_convert_result *res, struct undo *u)
{
	struct pm_step *s;
	int rc = 0;

	release_claims(u);
	if (u->enforce_changed) {
		s = step(res, "rollback-claim-class", "restore the namespace's claim class");
		/* An empty class is written as a newline: "no class". */
		int wrc = sysfs_write_string(u->claim_class[0] ? u->claim_class : "\n",
					     "/sys/bus/nd/devices/%s/holder_class",
					     ndctl_namespace_get_devname(u->ndns));

		/*
		 * A label-less namespace takes the class, then fails the label
		 * update it cannot do with ENXIO: the class is set all the same.
		 */
		if (wrc == -ENXIO && !labelled(u->ndns))
			wrc = 0;
		rc |= finish(s, wrc);
	}
	if (u->info_zeroed) {
		s = step(res, "rollback-info-block", "write the saved info block back");
		rc |= finish(s, raw_io(u->ndns, NULL, u->info, false));
	}
	if (u->disabled) {
		s = step(res, "rollback-enable", "enable the namespace with its old claim");
		rc |= finish(s, ndctl_namespace_enable(u->ndns));
	}
	return rc;
}

static void read_devices(struct ndctl_namespace *ndns,
			 struct pm_convert_result *res)
{
	struct ndctl_pfn *pfn = ndctl_namespace_get_pfn(ndns);
	struct ndctl_btt *btt = ndctl_namespace_get_btt(ndns);
	struct ndctl_dax *dax = ndctl_namespace_get_dax(ndns);
	const char *bdev = NULL;

	res->blockdev[0] = res->chardev[0] = '\0';
	res->to.size = pfn ? ndctl_pfn_get_size(pfn) : btt ? ndctl_btt_get_size(btt) :
		       dax ? ndctl_dax_get_size(dax) : ndctl_namespace_get_size(ndns);
	if (pfn)
		bdev = ndctl_pfn_get_block_device(pfn);
	else if (btt)
		bdev = ndctl_btt_get_block_device(btt);
	else if (dax) {
		struct daxctl_region *r = ndctl_dax_get_daxctl_region(dax);
		struct daxctl_dev *dev = r ? daxctl_dev_get_first(r) : NULL;

		if (dev)
			snprintf(res->chardev, sizeof(res->chardev), "%s",
				 daxctl_dev_get_devname(dev));
	} else
		bdev = ndctl_namespace_get_block_device(ndns);
	if (bdev)
		snprintf(res->blockdev, sizeof(res->blockdev), "%s", bdev);
}

static int verify(struct pm_convert_result *res, struct ndctl_namespace *ndns,
		  enum pm_ns_mode mode)
{
	struct pm_step *s = step(res, "verify", "the namespace reads as %s",
				 pm_ns_mode_name(mode));
	enum pm_ns_mode now = from_ndctl_mode(ndctl_namespace_get_mode(ndns));

	read_devices(ndns, res);
	if (now != mode) {
		snprintf(s->detail, sizeof(s->detail), "the namespace reads as %s, not %s",
			 pm_ns_mode_name(now), pm_ns_mode_name(mode));
		return finish(s, -EIO);
	}
	return finish(s, 0);
}

/* Takes the namespace down and clears its info block, saving it. */
static int take_down(struct pm_convert_result *res, struct undo *u,
		     bool dry_run)
{
	struct pm_step *s;
	int rc;

	s = step(res, "disable", "disable the namespace and its claim");
	if (!dry_run) {
		u->disabled = true;
		if (finish(s, ndctl_namespace_disable_safe(u->ndns)))
			return s->err;
	}
	s = step(res, "clear-info-block",
		 "save, then zero the first 8 KiB (the info block): destroys the old personality");
	if (dry_run)
		return 0;
	rc = raw_io(u->ndns, u->info, NULL, true);
	/* Zeroed, even if the step is then failed: the rollback must know. */
	u->info_zeroed = rc == 0;
	return finish(s, rc);
}

static int ensure_module(struct pm_convert_result *res, enum pm_ns_mode mode,
			 bool dry_run)
{
	const char *module = mode == PM_MODE_DEVDAX ? "dax_pmem" :
			     mode == PM_MODE_SECTOR ? "nd_btt" : "nd_pmem";
	struct pm_step *s = step(res, "load-module", "kernel module %s", module);
	enum pm_module_state state;
	int rc;

	if (dry_run)
		return 0;
	rc = pm_module_state(module, &state);
	if (rc == 0 && state == PM_MODULE_LOADED)
		return finish(s, 0);
	rc = pm_module_load(module);
	if (rc < 0)
		snprintf(s->detail, sizeof(s->detail),
			 "kernel module %s cannot be loaded (%s): install it or modprobe it",
			 module, strerror(-rc));
	return finish(s, rc);
}

int pm_convert(struct pm_platform *pf, struct pm_namespace *ns,
	       const struct pm_convert_request *req,
	       struct pm_convert_result *res)
{
	struct ndctl_region *region = ns->region->ndregion;
	struct undo *u;
	struct pm_step *s;
	char why[192];
	int rc;

	memset(res, 0, sizeof(*res));
	pm_ns_config_of(ns, &res->from);
	s = step(res, "check", "requested %s", pm_ns_mode_name(req->mode));
	rc = resolve_request(region, req, &res->to, why, sizeof(why));
	if (rc) {
		snprintf(s->detail, sizeof(s->detail), "%s", why);
		snprintf(res->message, sizeof(res->message), "%s", why);
		return res->err = finish(s, rc);
	}
	snprintf(res->to.uuid, sizeof(res->to.uuid), "%s", res->from.uuid);
	res->to.size = res->from.size;
	if (res->to.align && res->to.align >= ndctl_namespace_get_size(ns->ndns)) {
		char align[32], size[32];

		pm_format_size(res->to.align, align, sizeof(align));
		pm_format_size(ndctl_namespace_get_size(ns->ndns), size, sizeof(size));
		snprintf(res->message, sizeof(res->message),
			 "%s (%s) cannot hold a %s-aligned %s device: pick a smaller --align",
			 ns->dev, size, align, pm_ns_mode_name(req->mode));
		snprintf(s->detail, sizeof(s->detail), "%.180s", res->message);
		return res->err = finish(s, -EINVAL);
	}
	if (ndctl_region_get_ro(region)) {
		snprintf(res->message, sizeof(res->message), "%s is read-only", ns->region->dev);
		return res->err = finish(s, -EROFS);
	}
	if (same_config(&res->from, req, &res->to)) {
		res->to = res->from;
		res->noop = true;
		finish(s, 0);
		snprintf(res->message, sizeof(res->message), "already %s: nothing to do",
			 pm_ns_mode_name(req->mode));
		snprintf(res->blockdev, sizeof(res->blockdev), "%s",
			 ns->blockdev ? ns->blockdev : "");
		snprintf(res->chardev, sizeof(res->chardev), "%s",
			 ns->chardev ? ns->chardev : "");
		return 0;
	}
	finish(s, 0);
	res->changed = !req->dry_run;

	rc = ensure_module(res, req->mode, req->dry_run);
	if (rc) {
		snprintf(res->message, sizeof(res->message), "%s", res->steps[res->nr_steps - 1].detail);
		return res->err = rc;
	}
	u = calloc(1, sizeof(*u));
	if (!u)
		return res->err = -ENOMEM;
	u->ndns = ns->ndns;
	rc = take_down(res, u, req->dry_run);
	if (!rc) {
		s = step(res, "set-claim-class", "record %s in the namespace label",
			 pm_ns_mode_name(req->mode));
		if (!req->dry_run)
			rc = finish(s, set_claim_class(u, req->mode));
	}
	if (!rc)
		rc = configure_and_enable(res, u, region, &res->to, req->dry_run);
	if (!rc && !req->dry_run)
		rc = verify(res, u->ndns, req->mode);
	else if (!rc)
		step(res, "verify", "the namespace reads as %s", pm_ns_mode_name(req->mode));
	/* In a dry run only "check" ran; every other step stays planned. */
	if (req->dry_run) {
		snprintf(res->message, sizeof(res->message), "would convert to %s; nothing changed",
			 pm_ns_mode_name(req->mode));
		free(u);
		return 0;
	}
	if (rc) {
		struct pm_step *failed = NULL;

		for (size_t i = 0; i < res->nr_steps; i++)
			if (res->steps[i].status == PM_STEP_FAILED)
				failed = &res->steps[i];
		res->err = rc;
		res->changed = false;
		res->rolled_back = rollback(res, u) == 0;
		for (size_t i = 0; i < res->nr_steps; i++)
			if (res->steps[i].status == PM_STEP_DONE &&
			    strncmp(res->steps[i].name, "rollback", 8) != 0)
				res->steps[i].status = PM_STEP_UNDONE;
		read_devices(u->ndns, res);
		snprintf(res->message, sizeof(res->message), "step %s failed: %s; %s",
			 failed ? failed->name : "?", strerror(-rc),
			 res->rolled_back ? "the previous configuration is restored" :
					    "the previous configuration could NOT be fully restored");
		free(u);
		return rc;
	}
	snprintf(res->message, sizeof(res->message), "converted from %s to %s",
		 pm_ns_mode_name(res->from.mode), pm_ns_mode_name(req->mode));
	free(u);
	return 0;
}

int pm_destroy(struct pm_platform *pf, struct pm_namespace *ns, bool dry_run,
	       struct pm_convert_result *res)
{
	struct undo *u = calloc(1, sizeof(*u));
	struct pm_step *s;
	int rc;

	memset(res, 0, sizeof(*res));
	if (!u)
		return res->err = -ENOMEM;
	pm_ns_config_of(ns, &res->from);
	res->to.mode = PM_MODE_RAW;
	u->ndns = ns->ndns;
	rc = take_down(res, u, dry_run);
	if (!rc) {
		s = step(res, "set-claim-class", "clear the claim class");
		if (!dry_run)
			rc = finish(s, set_claim_class(u, PM_MODE_RAW));
	}
	if (!rc && labelled(u->ndns)) {
		s = step(res, "delete", "delete the namespace label: its capacity returns to the region");
		if (!dry_run)
			rc = finish(s, ndctl_namespace_delete(u->ndns));
	} else if (!rc) {
		/* A label-less namespace spans its region: leave it raw. */
		s = step(res, "enable", "enable the label-less namespace raw");
		if (!dry_run)
			rc = finish(s, ndctl_namespace_enable(u->ndns));
	}
	if (dry_run) {
		snprintf(res->message, sizeof(res->message), "would destroy %s; nothing changed",
			 ns->dev);
		free(u);
		return 0;
	}
	if (rc) {
		res->err = rc;
		res->rolled_back = rollback(res, u) == 0;
		snprintf(res->message, sizeof(res->message), "destroy failed: %s; %s",
			 strerror(-rc), res->rolled_back ?
			 "the namespace is restored" : "the namespace could NOT be fully restored");
		free(u);
		return rc;
	}
	res->changed = true;
	snprintf(res->message, sizeof(res->message), "destroyed %s", ns->dev);
	free(u);
	return 0;
}

static struct ndctl_namespace *idle_seed(struct ndctl_region *region)
{
	struct ndctl_namespace *ndns = ndctl_region_get_namespace_seed(region);

	if (ndns && ndctl_namespace_is_configuration_idle(ndns))
		return ndns;
	return NULL;
}

int pm_create(struct pm_platform *pf, struct pm_region *region, uint64_t size,
	      const char *name, const struct pm_convert_request *req,
	      struct pm_convert_result *res, char *created, size_t len)
{
	struct ndctl_region *ndregion = region->ndregion;
	struct ndctl_namespace *ndns;
	struct undo *u;
	struct pm_step *s;
	char text[32];
	uuid_t uuid;
	int rc;

	memset(res, 0, sizeof(*res));
	created[0] = '\0';
	s = step(res, "check", "a %s namespace in %s", pm_ns_mode_name(req->mode),
		 region->dev);
	rc = resolve_request(ndregion, req, &res->to, res->message,
			     sizeof(res->message));
	if (rc)
		return res->err = finish(s, rc);
	if (ndctl_region_get_nstype(ndregion) != ND_DEVICE_NAMESPACE_PMEM) {
		snprintf(res->message, sizeof(res->message),
			 "%s has no labels: its one namespace spans it; use 'pmemctl convert' on it",
			 region->dev);
		return res->err = finish(s, -EOPNOTSUPP);
	}
	if (!size)
		size = region->max_available_extent;
	/* Namespaces are carved in units of the region's alignment. */
	if (region->align && size % region->align) {
		char align[32];

		pm_format_size(region->align, align, sizeof(align));
		pm_format_size(size, text, sizeof(text));
		snprintf(res->message, sizeof(res->message),
			 "size %s is not a multiple of %s's alignment (%s)", text,
			 region->dev, align);
		return res->err = finish(s, -EINVAL);
	}
	if (!size || size > region->max_available_extent) {
		char avail[32];

		pm_format_size(size, text, sizeof(text));
		pm_format_size(region->max_available_extent, avail, sizeof(avail));
		snprintf(res->message, sizeof(res->message),
			 "%s has no free extent of %s (largest: %s)", region->dev,
			 size ? text : "any size", avail);
		return res->err = finish(s, -ENOSPC);
	}
	ndns = idle_seed(ndregion);
	if (!ndns) {
		snprintf(res->message, sizeof(res->message),
			 "%s has no idle namespace seed", region->dev);
		return res->err = finish(s, -EBUSY);
	}
	finish(s, 0);
	res->to.size = size;
	rc = ensure_module(res, req->mode, req->dry_run);
	if (rc) {
		snprintf(res->message, sizeof(res->message), "%s",
			 res->steps[res->nr_steps - 1].detail);
		return res->err = rc;
	}
	snprintf(created, len, "%s", ndctl_namespace_get_devname(ndns));
	pm_format_size(size, text, sizeof(text));
	s = step(res, "configure-namespace", "%s: new uuid, size %s%s%s", created,
		 text, name ? ", name " : "", name ? name : "");
	u = calloc(1, sizeof(*u));
	if (!u)
		return res->err = -ENOMEM;
	u->ndns = ndns;
	rc = 0;
	if (!req->dry_run) {
		uuid_generate(uuid);
		rc = ndctl_namespace_set_uuid(ndns, uuid);
		if (!rc && name)
			rc = ndctl_namespace_set_alt_name(ndns, name);
		if (!rc)
			rc = ndctl_namespace_set_size(ndns, size);
		rc = finish(s, rc);
		uuid_unparse(uuid, res->to.uuid);
	}
	if (!rc) {
		s = step(res, "set-claim-class", "record %s in the namespace label",
			 pm_ns_mode_name(req->mode));
		if (!req->dry_run)
			rc = finish(s, set_claim_class(u, req->mode));
	}
	if (!rc)
		rc = configure_and_enable(res, u, ndregion, &res->to, req->dry_run);
	if (!rc && !req->dry_run)
		rc = verify(res, ndns, req->mode);
	if (req->dry_run) {
		snprintf(res->message, sizeof(res->message),
			 "would create a %s %s namespace in %s; nothing changed", text,
			 pm_ns_mode_name(req->mode), region->dev);
		free(u);
		return 0;
	}
	if (rc) {
		/* Undo: tear the half-made namespace down and free its label. */
		release_claims(u);
		s = step(res, "rollback-delete", "delete the half-made namespace");
		res->rolled_back = finish(s, ndctl_namespace_delete(ndns)) == 0;
		res->err = rc;
		snprintf(res->message, sizeof(res->message), "create failed: %s; %s",
			 strerror(-rc), res->rolled_back ?
			 "the region is as it was" : "the region could NOT be fully restored");
		free(u);
		return rc;
	}
	res->changed = true;
	snprintf(res->message, sizeof(res->message), "created (%s %s)", text,
		 pm_ns_mode_name(req->mode));
	free(u);
	return 0;
}

const char *pm_step_status_name(enum pm_step_status status)
{
	switch (status) {
	case PM_STEP_PLANNED:
		return "planned";
	case PM_STEP_DONE:
		return "done";
	case PM_STEP_FAILED:
		return "failed";
	default:
		return "undone";
	}
}
