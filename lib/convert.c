// SPDX-License-Identifier: GPL-2.0-or-later
/* Namespace conversion, creation and destruction: the steps, and undoing them. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <daxctl/libdaxctl.h>
#include <ndctl/libndctl.h>
#include <uuid/uuid.h>

#include "convert-plan.h"
#include "sysfs.h"
#include "sysram.h"

/* pfn, dax and btt info blocks all sit at 4 KiB: the first 8 KiB hold them. */
#define INFO_BLOCK_SIZE 8192

#ifndef ND_DEVICE_NAMESPACE_PMEM
#define ND_DEVICE_NAMESPACE_PMEM 5	/* uapi ndctl.h: labelled pmem */
#define ND_CMD_GET_CONFIG_SIZE 4	/* uapi ndctl.h: the DIMM has a label area */
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
	struct pm_kmem_undo kmem;	/* system-ram: the device and its blocks */
};

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
	namespace_uuid(pm_namespace_ndns(ns), cfg->uuid, sizeof(cfg->uuid));
}

static enum ndctl_namespace_mode to_ndctl_mode(enum pm_ns_mode mode)
{
	switch (mode) {
	case PM_MODE_FSDAX:
		return NDCTL_NS_MODE_FSDAX;
	case PM_MODE_DEVDAX:
	case PM_MODE_SYSTEM_RAM:	/* a devdax claim, bound to kmem */
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

/*
 * What the region's seeds offer the modes that use them: the same seeds
 * the kernel will be asked to configure.
 */
static void read_offer(struct ndctl_region *region, enum pm_ns_mode mode,
		       struct pm_region_offer *o)
{
	memset(o, 0, sizeof(*o));
	if (mode == PM_MODE_FSDAX || mode == PM_MODE_DEVDAX ||
	    mode == PM_MODE_SYSTEM_RAM) {
		struct ndctl_pfn *pfn = ndctl_region_get_pfn_seed(region);
		struct ndctl_dax *dax = ndctl_region_get_dax_seed(region);

		o->has_pfn = pfn;
		o->has_dax = dax;
		for (int i = 0; pfn && i < ndctl_pfn_get_num_alignments(pfn) &&
		     o->nr_pfn_aligns < PM_PLAN_MAX_CHOICES; i++)
			o->pfn_aligns[o->nr_pfn_aligns++] =
				ndctl_pfn_get_supported_alignment(pfn, i);
		for (int i = 0; dax && i < ndctl_dax_get_num_alignments(dax) &&
		     o->nr_dax_aligns < PM_PLAN_MAX_CHOICES; i++)
			o->dax_aligns[o->nr_dax_aligns++] =
				ndctl_dax_get_supported_alignment(dax, i);
	} else if (mode == PM_MODE_SECTOR) {
		struct ndctl_btt *btt = ndctl_region_get_btt_seed(region);

		o->has_btt = btt;
		for (int i = 0; btt && i < ndctl_btt_get_num_sector_sizes(btt) &&
		     o->nr_sector_sizes < PM_PLAN_MAX_CHOICES; i++)
			o->sector_sizes[o->nr_sector_sizes++] =
				ndctl_btt_get_supported_sector_size(btt, i);
	}
}

static void read_ns_facts(const struct pm_namespace *ns, struct pm_ns_facts *f)
{
	memset(f, 0, sizeof(*f));
	f->dev = ns->dev;
	pm_ns_config_of(ns, &f->config);
	f->raw_size = ndctl_namespace_get_size(pm_namespace_ndns(ns));
	f->labelled = labelled(pm_namespace_ndns(ns));
	f->blockdev = ns->blockdev;
	f->chardev = ns->chardev;
}

/*
 * A namespace whose dax device is bound to kmem is system RAM: its blocks,
 * zone and node are what a conversion starts from. The dax device, or NULL.
 */
static const struct pm_daxdev *system_ram_facts(const struct pm_platform *pf,
						const struct pm_namespace *ns,
						struct pm_ns_facts *f,
						char *policy, size_t len)
{
	const struct pm_daxdev *ram = NULL;

	for (size_t i = 0; i < pf->nr_daxdevs && !ram; i++)
		if (pf->daxdevs[i]->ns == ns && pf->daxdevs[i]->ram)
			ram = pf->daxdevs[i];
	f->target_node = ns->target_node;
	f->auto_online = pm_auto_online_policy(policy, len) == 0 ? policy : NULL;
	f->config.target_node = -1;
	if (!ram)
		return NULL;
	f->ram = ram->ram;
	f->chardev = ram->dev;
	f->config.mode = PM_MODE_SYSTEM_RAM;
	f->config.zone = ram->ram->zone;
	f->config.target_node = ram->ram->target_node;
	if (f->config.target_node >= 0)
		f->target_node = f->config.target_node;
	return ram;
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

/* Configures the claim seed of the target mode and attaches it. */
static int configure_claim(struct pm_step *s, struct undo *u,
			   struct ndctl_region *region,
			   const struct pm_ns_config *to)
{
	enum ndctl_pfn_loc loc = to->map && strcmp(to->map, "mem") == 0 ?
				 NDCTL_PFN_LOC_RAM : NDCTL_PFN_LOC_PMEM;
	struct ndctl_namespace *ndns = u->ndns;
	const char *what = "seed";
	uuid_t uuid;
	int rc;

	uuid_generate(uuid);
	switch (to->mode) {
	case PM_MODE_FSDAX:
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
		break;
	case PM_MODE_DEVDAX:
	case PM_MODE_SYSTEM_RAM:
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
		break;
	case PM_MODE_SECTOR:
		u->btt = ndctl_region_get_btt_seed(region);
		rc = u->btt ? 0 : -ENODEV;
		if (!rc)
			rc = ndctl_btt_set_uuid(u->btt, uuid), what = "uuid";
		if (!rc)
			rc = ndctl_btt_set_sector_size(u->btt, to->sector_size), what = "sector_size";
		if (!rc)
			rc = ndctl_btt_set_namespace(u->btt, ndns), what = "namespace";
		break;
	default:
		rc = -EINVAL;
		break;
	}
	if (pm_step_finish(s, rc))
		return configure_failed(s, what, ndns);
	return 0;
}

/* Enables the configured claim, or the namespace itself when raw. */
static int enable(struct undo *u, enum pm_ns_mode mode)
{
	switch (mode) {
	case PM_MODE_FSDAX:
		return ndctl_pfn_enable(u->pfn);
	case PM_MODE_DEVDAX:
	case PM_MODE_SYSTEM_RAM:
		return ndctl_dax_enable(u->dax);
	case PM_MODE_SECTOR:
		return ndctl_btt_enable(u->btt);
	default:
		return ndctl_namespace_enable(u->ndns);
	}
}

/* A new namespace in the region's seed: uuid, name, then size. */
static int configure_namespace(struct pm_step *s, struct undo *u,
			       const char *name, struct pm_ns_config *to)
{
	uuid_t uuid;
	int rc;

	uuid_generate(uuid);
	rc = ndctl_namespace_set_uuid(u->ndns, uuid);
	/*
	 * Always: an idle namespace keeps the name of the one destroyed in it
	 * (the kernel does not clear alt_name), and a namespace created there
	 * unnamed must not be found by a name it never had.
	 */
	if (!rc)
		rc = ndctl_namespace_set_alt_name(u->ndns, name ? name : "");
	if (!rc)
		rc = ndctl_namespace_set_size(u->ndns, to->size);
	rc = pm_step_finish(s, rc);
	uuid_unparse(uuid, to->uuid);
	return rc;
}

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

/*
 * Puts the namespace back as it was: tear down what the failed attempt
 * enabled, restore the info block and the claim class, and enable the
 * namespace: the kernel finds the old info block and re-creates the old
 * claim with its uuid, map and alignment.
 */
static int rollback(struct pm_change_result *res, struct undo *u)
{
	struct pm_kmem_undo *k = &u->kmem;
	struct pm_step *s;
	int rc = 0;

	/* The memory first: kmem never lets go of online blocks. */
	if (k->bound) {
		s = pm_step_add(res, PM_ACT_ROLLBACK, "rollback-kmem",
				"offline the memory and hand %s back to device_dax", k->dev);
		rc |= pm_step_finish(s, pm_kmem_undo_bind(k));
	} else if (k->blocks_changed && !k->unbound) {
		s = pm_step_add(res, PM_ACT_ROLLBACK, "rollback-memory",
				"put every memory block of %s back as it was", k->dev);
		rc |= pm_step_finish(s, pm_kmem_undo_blocks(k));
	}
	/* A change of the memory alone never took the namespace down. */
	if (u->disabled || u->pfn || u->dax || u->btt)
		release_claims(u);
	if (u->enforce_changed) {
		s = pm_step_add(res, PM_ACT_ROLLBACK, "rollback-claim-class",
				"restore the namespace's claim class");
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
		rc |= pm_step_finish(s, wrc);
	}
	if (u->info_zeroed) {
		s = pm_step_add(res, PM_ACT_ROLLBACK, "rollback-info-block",
				"write the saved info block back");
		rc |= pm_step_finish(s, raw_io(u->ndns, NULL, u->info, false));
	}
	if (u->disabled) {
		s = pm_step_add(res, PM_ACT_ROLLBACK, "rollback-enable",
				"enable the namespace with its old claim");
		rc |= pm_step_finish(s, ndctl_namespace_enable(u->ndns));
	}
	if (k->unbound) {
		s = pm_step_add(res, PM_ACT_ROLLBACK, "rollback-kmem",
				"hand %s back to kmem, its blocks online as they were", k->dev);
		rc |= pm_step_finish(s, pm_kmem_undo_unbind(k));
	}
	return rc;
}

static void read_devices(struct ndctl_namespace *ndns,
			 struct pm_change_result *res)
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

static int verify(struct pm_change_result *res, struct pm_step *s,
		  struct ndctl_namespace *ndns, enum pm_ns_mode mode)
{
	enum pm_ns_mode now = from_ndctl_mode(ndctl_namespace_get_mode(ndns));

	read_devices(ndns, res);
	if (mode == PM_MODE_SYSTEM_RAM && now == PM_MODE_DEVDAX)
		return 1;	/* the caller checks the memory */
	if (now != mode) {
		snprintf(s->detail, sizeof(s->detail), "the namespace reads as %s, not %s",
			 pm_ns_mode_name(now), pm_ns_mode_name(mode));
		return pm_step_finish(s, -EIO);
	}
	return pm_step_finish(s, 0);
}

static int load_module(struct pm_step *s, enum pm_ns_mode mode)
{
	const char *module = pm_plan_module(mode);
	enum pm_module_state state;
	int rc;

	rc = pm_module_state(module, &state);
	if (rc == 0 && state == PM_MODULE_LOADED)
		return pm_step_finish(s, 0);
	rc = pm_module_load(module);
	if (rc < 0)
		snprintf(s->detail, sizeof(s->detail),
			 "kernel module %s cannot be loaded (%s): install it or modprobe it",
			 module, strerror(-rc));
	return pm_step_finish(s, rc);
}

static int load_kmem(struct pm_step *s)
{
	enum pm_module_state state;
	int rc;

	rc = pm_module_state("kmem", &state);
	if (rc == 0 && state == PM_MODULE_LOADED)
		return pm_step_finish(s, 0);
	rc = pm_module_load("kmem");
	if (rc < 0)
		snprintf(s->detail, sizeof(s->detail),
			 "kernel module kmem cannot be loaded (%s): install it or modprobe it",
			 strerror(-rc));
	return pm_step_finish(s, rc);
}

/* What carrying out a plan needs beyond the result. */
struct exec {
	struct pm_change_result *res;
	struct undo *u;
	struct ndctl_region *region;
	const char *name;		/* create: the new label's name */
};

static int do_step(struct exec *x, struct pm_step *s)
{
	struct pm_ns_config *to = &x->res->to;
	struct undo *u = x->u;
	int rc;

	switch (s->action) {
	case PM_ACT_LOAD_MODULE:
		return load_module(s, to->mode == PM_MODE_SYSTEM_RAM ?
				   PM_MODE_DEVDAX : to->mode);
	case PM_ACT_LOAD_KMEM:
		return load_kmem(s);
	case PM_ACT_BIND_KMEM:
		if (!u->kmem.dev[0]) {
			read_devices(u->ndns, x->res);
			snprintf(u->kmem.dev, sizeof(u->kmem.dev), "%.31s", x->res->chardev);
		}
		return pm_step_finish(s, u->kmem.dev[0] ?
			      pm_kmem_bind(&u->kmem, s->detail, sizeof(s->detail)) : -ENODEV);
	case PM_ACT_ONLINE_MEMORY:
		return pm_step_finish(s, pm_kmem_online(&u->kmem, to->zone, s->detail,
						 sizeof(s->detail)));
	case PM_ACT_OFFLINE_MEMORY:
		return pm_step_finish(s, pm_kmem_offline(&u->kmem, s->detail, sizeof(s->detail)));
	case PM_ACT_UNBIND_KMEM:
		return pm_step_finish(s, pm_kmem_unbind(&u->kmem, s->detail, sizeof(s->detail)));
	case PM_ACT_DISABLE:
		u->disabled = true;
		return pm_step_finish(s, ndctl_namespace_disable_safe(u->ndns));
	case PM_ACT_CLEAR_INFO_BLOCK:
		rc = raw_io(u->ndns, u->info, NULL, true);
		/* Zeroed, even if the step is then failed: the rollback must know. */
		u->info_zeroed = rc == 0;
		return pm_step_finish(s, rc);
	case PM_ACT_SET_CLAIM_CLASS:
		return pm_step_finish(s, set_claim_class(u, to->mode));
	case PM_ACT_CONFIGURE_NAMESPACE:
		return configure_namespace(s, u, x->name, to);
	case PM_ACT_CONFIGURE_CLAIM:
		return configure_claim(s, u, x->region, to);
	case PM_ACT_ENABLE:
		return pm_step_finish(s, enable(u, to->mode));
	case PM_ACT_VERIFY:
		rc = verify(x->res, s, u->ndns, to->mode);
		if (rc != 1)
			return rc;
		snprintf(x->res->chardev, sizeof(x->res->chardev), "%s", u->kmem.dev);
		return pm_step_finish(s, pm_kmem_verify(&u->kmem, to->zone != PM_ZONE_NONE,
						 to->zone, &to->zone, &to->target_node,
						 s->detail, sizeof(s->detail)));
	case PM_ACT_DELETE:
		return pm_step_finish(s, ndctl_namespace_delete(u->ndns));
	default:
		return pm_step_finish(s, 0);
	}
}

/*
 * Carries out the planned steps in order. The first failure ends the
 * list there (the steps never reached are not reported) and is returned,
 * with *failed pointing at it.
 */
static int run_steps(struct exec *x, struct pm_step **failed)
{
	struct pm_change_result *res = x->res;

	for (size_t i = 0; i < res->nr_steps; i++) {
		struct pm_step *s = &res->steps[i];
		int rc;

		if (s->status != PM_STEP_PLANNED)
			continue;
		rc = do_step(x, s);
		if (rc) {
			res->nr_steps = i + 1;
			*failed = s;
			return rc;
		}
	}
	return 0;
}

/* A driver that cannot be loaded changed nothing: there is nothing to undo. */
static bool nothing_changed(const struct pm_step *failed)
{
	return failed->action == PM_ACT_LOAD_MODULE ||
	       failed->action == PM_ACT_LOAD_KMEM;
}

/*
 * The plan's check closes without the test hook (it is pure); here the
 * hook may fail it as it fails any other step, and, as always, nothing
 * stops for that.
 */
static void hook_check(struct pm_change_result *res)
{
	if (res->nr_steps && res->steps[0].action == PM_ACT_CHECK &&
	    res->steps[0].status == PM_STEP_DONE)
		pm_step_finish(&res->steps[0], 0);
}

/*
 * The end of a conversion's steps, a namespace's or a dax device's:
 * after a failure (rc, with res->rolled_back said by the caller's
 * rollback) the steps done are marked undone and the message names the
 * failed step; otherwise it says what the device became.
 */
void pm_convert_outcome(const struct pm_convert_request *req, struct pm_change_result *res,
			const struct pm_step *failed, int rc)
{
	if (rc) {
		res->err = rc;
		res->changed = false;
		for (size_t i = 0; i < res->nr_steps; i++)
			if (res->steps[i].status == PM_STEP_DONE &&
			    strncmp(res->steps[i].name, "rollback", 8) != 0)
				res->steps[i].status = PM_STEP_UNDONE;
		snprintf(res->message, sizeof(res->message), "step %s failed: %s; %s",
			 failed->name, strerror(-rc),
			 res->rolled_back ? "the previous configuration is restored" :
					    "the previous configuration could NOT be fully restored");
	} else if (req->mode == PM_MODE_SYSTEM_RAM) {
		snprintf(res->message, sizeof(res->message), "converted from %s to system-ram (%s, node %d)",
			 pm_ns_mode_name(res->from.mode),
			 pm_zone_name(res->to.zone) ? pm_zone_name(res->to.zone) : "offline",
			 res->to.target_node);
	} else {
		snprintf(res->message, sizeof(res->message), "converted from %s to %s",
			 pm_ns_mode_name(res->from.mode), pm_ns_mode_name(req->mode));
	}
}

int pm_convert(struct pm_platform *pf, struct pm_namespace *ns,
	       const struct pm_convert_request *req,
	       struct pm_change_result *res)
{
	struct ndctl_region *region = ns->region->ndregion;
	struct pm_step *failed = NULL;
	struct pm_region_offer offer;
	struct pm_ns_facts facts;
	const struct pm_daxdev *ram;
	char policy[32];
	struct exec x;
	int rc;

	if (!pm_namespace_ndns(ns)) {
		snprintf(res->message, sizeof(res->message),
			 "libndctl does not know %s", ns->dev);
		return res->err = -ENODEV;
	}
	read_offer(region, req->mode, &offer);
	offer.dev = ns->region->dev;
	offer.read_only = ndctl_region_get_ro(region);
	read_ns_facts(ns, &facts);
	ram = system_ram_facts(pf, ns, &facts, policy, sizeof(policy));
	rc = pm_plan_convert(&offer, &facts, req, res);
	hook_check(res);
	if (rc || res->noop || req->dry_run)
		return rc;

	x = (struct exec){ .res = res, .region = region };
	x.u = calloc(1, sizeof(*x.u));
	if (!x.u)
		return res->err = -ENOMEM;
	x.u->ndns = pm_namespace_ndns(ns);
	if (ram)
		snprintf(x.u->kmem.dev, sizeof(x.u->kmem.dev), "%s", ram->dev);
	rc = run_steps(&x, &failed);
	if (rc && nothing_changed(failed)) {
		snprintf(res->message, sizeof(res->message), "%s", failed->detail);
		res->err = rc;
	} else if (rc && failed->action == PM_ACT_OFFLINE_MEMORY &&
		   rollback(res, x.u) == 0) {
		/* Refused: the step put every block back itself. */
		res->err = rc;
		res->changed = false;
		res->rolled_back = true;
		if (rc == -EBUSY)
			snprintf(res->message, sizeof(res->message), "%s", failed->detail);
		else
			snprintf(res->message, sizeof(res->message),
				 "step offline-memory failed: %s; every block is back as it was",
				 strerror(-rc));
	} else if (rc) {
		res->rolled_back = rollback(res, x.u) == 0;
		read_devices(x.u->ndns, res);
		pm_convert_outcome(req, res, failed, rc);
	} else {
		pm_convert_outcome(req, res, NULL, 0);
	}
	pm_kmem_undo_free(&x.u->kmem);
	free(x.u);
	return rc;
}

int pm_destroy(struct pm_platform *pf, struct pm_namespace *ns, bool dry_run,
	       struct pm_change_result *res)
{
	struct pm_step *failed = NULL;
	struct pm_ns_facts facts;
	struct exec x;
	int rc;

	if (!pm_namespace_ndns(ns)) {
		snprintf(res->message, sizeof(res->message),
			 "libndctl does not know %s", ns->dev);
		return res->err = -ENODEV;
	}
	read_ns_facts(ns, &facts);
	pm_plan_destroy(&facts, dry_run, res);
	if (dry_run || res->noop)
		return 0;

	x = (struct exec){ .res = res };
	x.u = calloc(1, sizeof(*x.u));
	if (!x.u)
		return res->err = -ENOMEM;
	x.u->ndns = pm_namespace_ndns(ns);
	rc = run_steps(&x, &failed);
	if (rc) {
		res->err = rc;
		res->rolled_back = rollback(res, x.u) == 0;
		snprintf(res->message, sizeof(res->message), "destroy failed: %s; %s",
			 strerror(-rc), res->rolled_back ?
			 "the namespace is restored" : "the namespace could NOT be fully restored");
	} else {
		res->changed = true;
		snprintf(res->message, sizeof(res->message), "destroyed");
	}
	free(x.u);
	return rc;
}

static struct ndctl_namespace *idle_seed(struct ndctl_region *region)
{
	struct ndctl_namespace *ndns = ndctl_region_get_namespace_seed(region);

	if (ndns && ndctl_namespace_is_configuration_idle(ndns))
		return ndns;
	return NULL;
}

/*
 * The DIMMs of a region without labels that have a label area: it is
 * blank (or damaged), else the kernel would have made the region labelled.
 */
static void blank_label_areas(const struct pm_region *region, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	if (ndctl_region_get_nstype(region->ndregion) == ND_DEVICE_NAMESPACE_PMEM)
		return;
	for (size_t i = 0; i < region->nr_mappings && n < len; i++) {
		struct pm_dimm *d = region->mappings[i].dimm;

		if (d && d->nddimm &&
		    ndctl_dimm_is_cmd_supported(d->nddimm, ND_CMD_GET_CONFIG_SIZE))
			n += snprintf(buf + n, len - n, "%s%s", n ? " " : "", d->dev);
	}
}

int pm_create(struct pm_platform *pf, struct pm_region *region, uint64_t size,
	      const char *name, const struct pm_convert_request *req,
	      struct pm_change_result *res, char *created, size_t len)
{
	struct ndctl_region *ndregion = region->ndregion;
	struct ndctl_namespace *seed = idle_seed(ndregion);
	struct pm_step *failed = NULL, *s;
	struct pm_region_offer offer;
	struct exec x;
	char text[32], policy[32], blank[128];
	int rc;

	created[0] = '\0';
	read_offer(ndregion, req->mode, &offer);
	offer.dev = region->dev;
	offer.labelled = ndctl_region_get_nstype(ndregion) == ND_DEVICE_NAMESPACE_PMEM;
	blank_label_areas(region, blank, sizeof(blank));
	offer.blank_dimms = blank[0] ? blank : NULL;
	offer.max_available_extent = region->max_available_extent;
	offer.align = region->align;
	offer.idle_seed = seed ? ndctl_namespace_get_devname(seed) : NULL;
	offer.target_node = region->target_node;
	offer.auto_online = pm_auto_online_policy(policy, sizeof(policy)) == 0 ?
			    policy : NULL;
	rc = pm_plan_create(&offer, size, name, req, res);
	hook_check(res);
	if (rc)
		return rc;
	/* What was asked for: verify reads the usable size into res->to. */
	pm_format_size(res->to.size, text, sizeof(text));
	if (req->dry_run) {
		snprintf(created, len, "%s", offer.idle_seed);
		return 0;
	}

	x = (struct exec){ .res = res, .region = ndregion, .name = name };
	x.u = calloc(1, sizeof(*x.u));
	if (!x.u)
		return res->err = -ENOMEM;
	x.u->ndns = seed;
	rc = run_steps(&x, &failed);
	if (rc && nothing_changed(failed)) {
		snprintf(res->message, sizeof(res->message), "%s", failed->detail);
		res->err = rc;
		free(x.u);
		return rc;
	}
	snprintf(created, len, "%s", offer.idle_seed);
	if (rc) {
		/* Undo: the memory first, then the half-made namespace and its label. */
		if (x.u->kmem.bound) {
			s = pm_step_add(res, PM_ACT_ROLLBACK, "rollback-kmem",
					"offline the memory and hand %s back to device_dax",
					x.u->kmem.dev);
			pm_step_finish(s, pm_kmem_undo_bind(&x.u->kmem));
		}
		release_claims(x.u);
		s = pm_step_add(res, PM_ACT_ROLLBACK, "rollback-delete",
				"delete the half-made namespace");
		res->rolled_back = pm_step_finish(s, ndctl_namespace_delete(seed)) == 0;
		res->err = rc;
		snprintf(res->message, sizeof(res->message), "create failed: %s; %s",
			 strerror(-rc), res->rolled_back ?
			 "the region is as it was" : "the region could NOT be fully restored");
	} else {
		res->changed = true;
		snprintf(res->message, sizeof(res->message), "created (%s %s%s%s)", text,
			 pm_ns_mode_name(req->mode),
			 req->mode == PM_MODE_SYSTEM_RAM ? ", " : "",
			 req->mode != PM_MODE_SYSTEM_RAM ? "" :
			 pm_zone_name(res->to.zone) ? pm_zone_name(res->to.zone) : "offline");
	}
	pm_kmem_undo_free(&x.u->kmem);
	free(x.u);
	return rc;
}
