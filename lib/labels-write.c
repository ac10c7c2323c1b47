// SPDX-License-Identifier: GPL-2.0-or-later
/* Writing DIMM label areas: init, zero and restore, each area read and kept
 * first, written back when a later step fails. */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ndctl/libndctl.h>
#include <uuid/uuid.h>

#include "change.h"
#include "holders.h"
#include "labels-write.h"
#include "sha256.h"

/* A backup is one label area: QEMU's are 128 KiB, the largest seen 512 KiB. */
#define PM_LABELS_MAX_BACKUP (16u << 20)

/* The namespace index block's version fields (UEFI 2.7 "Label Storage Area"). */
#define NSINDEX_SIG "NAMESPACE_INDEX"
#define NSINDEX_MAJOR_OFF 60
#define NSINDEX_MINOR_OFF 62

const char *pm_labels_op_name(enum pm_labels_op op)
{
	switch (op) {
	case PM_LABELS_INIT:
		return "init-labels";
	case PM_LABELS_ZERO:
		return "zero-labels";
	case PM_LABELS_RESTORE:
		return "restore-labels";
	}
	return "?";
}

int pm_labels_add_dimm(struct pm_labels_change *c, struct pm_dimm *dimm)
{
	for (size_t i = 0; i < c->nr_dimms; i++)
		if (c->dimms[i].dimm == dimm)
			return -EEXIST;
	if (c->nr_dimms >= PM_LABELS_MAX_DIMMS)
		return -E2BIG;
	c->dimms[c->nr_dimms].dimm = dimm;
	c->dimm_names[c->nr_dimms++] = dimm->dev;
	c->dimm_names[c->nr_dimms] = NULL;
	return 0;
}

static void free_area(struct pm_labels_dimm *d)
{
	if (d->read)
		ndctl_cmd_unref(d->read);
	free(d->saved);
	d->read = NULL;
	d->saved = NULL;
}

void pm_labels_change_free(struct pm_labels_change *c)
{
	for (size_t i = 0; i < c->nr_dimms; i++)
		free_area(&c->dimms[i]);
}

/*
 * Reads the whole area into d (the read command stays: libndctl's init and
 * write commands are made from it). The index version is the only field
 * decoded: init's no-op needs it.
 */
static int read_area(struct pm_labels_dimm *d)
{
	struct ndctl_dimm *nd = d->dimm->nddimm;
	ssize_t size;
	uint16_t major, minor;

	free_area(d);
	if (!nd)
		return -ENODEV;
	d->read = ndctl_dimm_read_labels(nd);
	if (!d->read)
		return geteuid() ? -EACCES : -EIO;
	size = ndctl_cmd_cfg_read_get_size(d->read);
	if (size <= 0)
		return -EIO;
	d->size = size;
	d->saved = malloc(d->size);
	if (!d->saved)
		return -ENOMEM;
	if (ndctl_cmd_cfg_read_get_data(d->read, d->saved, d->size, 0) != size)
		return -EIO;
	d->zeroed = true;
	for (size_t i = 0; i < d->size && d->zeroed; i++)
		d->zeroed = !d->saved[i];
	d->version = 0;
	if (ndctl_dimm_validate_labels(nd) < 0)
		return 0;
	/*
	 * The first index block's version (little-endian); when only the
	 * second is valid, its offset depends on the slot count: 1.1 assumed.
	 */
	d->version = 101;
	if (d->size > NSINDEX_MINOR_OFF + 2 &&
	    memcmp(d->saved, NSINDEX_SIG, sizeof(NSINDEX_SIG)) == 0) {
		memcpy(&major, d->saved + NSINDEX_MAJOR_OFF, sizeof(major));
		memcpy(&minor, d->saved + NSINDEX_MINOR_OFF, sizeof(minor));
		d->version = le16toh(major) * 100 + le16toh(minor);
	}
	return 0;
}

/* Writes buf (NULL: zeros) over the whole area through d's read command. */
static int write_area(struct pm_labels_dimm *d, const unsigned char *buf)
{
	struct ndctl_cmd *w = ndctl_dimm_cmd_new_cfg_write(d->read);
	int rc;

	if (!w)
		return -ENOTTY;
	if (buf)
		rc = ndctl_cmd_cfg_write_set_data(w, (void *)buf, d->size, 0) ==
		     (ssize_t)d->size ? 0 : -EIO;
	else
		rc = ndctl_cmd_cfg_write_zero_data(w) < 0 ? -EIO : 0;
	if (!rc)
		rc = ndctl_cmd_submit_xlat(w);
	ndctl_cmd_unref(w);
	return rc < 0 ? rc : 0;
}

/*
 * The kernel keeps a copy of the area from when it probed the DIMM: it
 * reads the new labels when the DIMM's driver is bound again, as ndctl's
 * own label writers do. A disabled DIMM holds no copy.
 */
static int reload(struct pm_labels_dimm *d)
{
	struct ndctl_dimm *nd = d->dimm->nddimm;
	int rc;

	if (!ndctl_dimm_is_enabled(nd))
		return 0;
	rc = ndctl_dimm_disable(nd);
	return rc ? rc : ndctl_dimm_enable(nd);
}

static bool region_has_dimm(const struct pm_region *r, const struct pm_dimm *d)
{
	for (size_t i = 0; i < r->nr_mappings; i++)
		if (r->mappings[i].dimm == d)
			return true;
	return false;
}

static void add_region(struct pm_labels_change *c, struct pm_region *r)
{
	for (size_t i = 0; i < c->nr_regions; i++)
		if (c->regions[i] == r)
			return;
	if (c->nr_regions < PM_LABELS_MAX_REGIONS)
		c->regions[c->nr_regions++] = r;
}

static void __attribute__((format(printf, 3, 4)))
append(char *buf, size_t len, const char *fmt, ...)
{
	size_t n = strlen(buf);
	va_list ap;

	if (n >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + n, len - n, fmt, ap);
	va_end(ap);
}

/* Is the area already what the operation writes? */
static bool is_noop(const struct pm_labels_change *c, const struct pm_labels_dimm *d)
{
	switch (c->op) {
	case PM_LABELS_INIT:
		return d->version && (!c->version_given || d->version == c->version);
	case PM_LABELS_ZERO:
		return d->zeroed;
	case PM_LABELS_RESTORE:
		return c->image_size == d->size && !memcmp(c->image, d->saved, d->size);
	}
	return false;
}

/*
 * What stands in the way in the DIMMs' regions, and what goes: an active
 * namespace defined by labels refuses (-EBUSY, named); the one namespace
 * of a region without labels (what the kernel shows until the area is
 * initialised) is taken down with its region unless it is in use, and its
 * data becomes unreachable (data_lost) when it holds any sign of some;
 * labels of namespaces that are not active go (lost).
 */
static int check_regions(struct pm_platform *pf, struct pm_labels_change *c,
			 struct pm_change_result *res, char *lost, size_t len)
{
	char why[256], sig[32];

	for (size_t ri = 0; ri < c->nr_regions; ri++) {
		struct pm_region *r = c->regions[ri];

		if (!r->enabled && c->op != PM_LABELS_INIT) {
			c->data_lost = true;
			append(lost, len, "%s%s (disabled: its namespaces are not listed)",
			       lost[0] ? ", " : "", r->dev);
			continue;
		}
		for (size_t i = 0; i < pf->nr_namespaces; i++) {
			struct pm_namespace *ns = pf->namespaces[i];

			if (ns->region != r)
				continue;
			if (ns->active && ns->uuid) {
				snprintf(res->message, sizeof(res->message),
					 "%s in %s is active (%s%s%s): destroy it (pmemctl destroy-namespace %s) or disable it first",
					 ns->dev, r->dev, pm_ns_mode_name(ns->mode),
					 ns->blockdev || ns->chardev ? ", /dev/" : "",
					 ns->blockdev ? ns->blockdev : ns->chardev ? ns->chardev : "",
					 ns->dev);
				return -EBUSY;
			}
			if (ns->active) {
				if (pm_namespace_in_use(pf, ns, why, sizeof(why)) == -EBUSY) {
					snprintf(res->message, sizeof(res->message),
						 "%s (the whole of %s, no labels) is in use: %.160s",
						 ns->dev, r->dev, why);
					return -EBUSY;
				}
				if (ns->mode != PM_MODE_RAW ||
				    pm_namespace_signature(ns, sig, sizeof(sig)) == 1) {
					c->data_lost = true;
					append(lost, len, "%s%s (the whole of %s, no labels: what it holds becomes unreachable)",
					       lost[0] ? ", " : "", ns->dev, r->dev);
				}
				continue;
			}
			if (!ns->uuid || !ns->size)
				continue;	/* an idle seed: nothing defined */
			c->data_lost = true;
			/* The label's uuid: the model has the claim's. */
			if (c->nr_idle < PM_LABELS_MAX_LOST && pm_namespace_ndns(ns)) {
				uuid_t u;

				ndctl_namespace_get_uuid(pm_namespace_ndns(ns), u);
				uuid_unparse(u, c->idle_uuids[c->nr_idle++]);
			}
			if (c->nr_lost < PM_LABELS_MAX_LOST) {
				c->lost[c->nr_lost++] = ns->dev;
				c->lost[c->nr_lost] = NULL;
			}
			append(lost, len, "%s%s (%s)", lost[0] ? ", " : "", ns->dev,
			       ns->name ? ns->name : ns->uuid);
		}
	}
	return 0;
}

static void plan_steps(struct pm_labels_change *c, struct pm_change_result *res)
{
	for (size_t i = 0; i < c->nr_regions; i++)
		if (c->regions[i]->enabled)
			pm_step_add(res, PM_ACT_DISABLE, "disable-region",
				    "disable %s (label writes need it down)", c->regions[i]->dev);
	for (size_t i = 0; i < c->nr_dimms; i++) {
		struct pm_labels_dimm *d = &c->dimms[i];

		if (d->noop)
			continue;
		pm_step_add(res, PM_ACT_CHECK, "save-area",
			    "read %s's label area (%zu bytes) and keep it in memory, to write back if a step fails",
			    d->dimm->dev, d->size);
		if (c->op == PM_LABELS_INIT)
			pm_step_add(res, PM_ACT_CONFIGURE_NAMESPACE, "write-labels",
				    "write two v%s index blocks to %s, no label", c->version_name,
				    d->dimm->dev);
		else if (c->op == PM_LABELS_ZERO)
			pm_step_add(res, PM_ACT_CONFIGURE_NAMESPACE, "write-labels",
				    "write zeros over %s's %zu bytes", d->dimm->dev, d->size);
		else
			pm_step_add(res, PM_ACT_CONFIGURE_NAMESPACE, "write-labels",
				    "write the backup's %zu bytes to %s", d->size, d->dimm->dev);
		pm_step_add(res, PM_ACT_ENABLE, "reload-labels",
			    "rebind %s so that the kernel reads its labels again", d->dimm->dev);
	}
	for (size_t i = 0; i < c->nr_regions; i++)
		if (c->regions[i]->enabled)
			pm_step_add(res, PM_ACT_ENABLE, "enable-region",
				    "enable %s: its namespaces are the new labels'", c->regions[i]->dev);
}

int pm_labels_plan(struct pm_platform *pf, struct pm_labels_change *c,
		   bool dry_run, struct pm_change_result *res)
{
	struct pm_step *check;
	char lost[sizeof(res->message)] = "";
	size_t todo = 0;
	int rc;

	memset(res, 0, sizeof(*res));
	res->no_config = true;
	c->nr_regions = 0;
	c->nr_lost = 0;
	c->lost[0] = NULL;
	c->nr_idle = 0;
	c->data_lost = false;
	if (c->op == PM_LABELS_INIT)
		snprintf(c->version_name, sizeof(c->version_name), "1.%d", c->version % 100);
	check = pm_step_add(res, PM_ACT_CHECK, "check", "%s: %zu DIMM%s",
			    pm_labels_op_name(c->op), c->nr_dimms, c->nr_dimms == 1 ? "" : "s");
	for (size_t i = 0; i < c->nr_dimms; i++) {
		struct pm_labels_dimm *d = &c->dimms[i];

		rc = read_area(d);
		if (rc) {
			snprintf(res->message, sizeof(res->message), "cannot read %s's label area%s: %s",
				 d->dimm->dev, rc == -EACCES ? " (root only)" : "", strerror(-rc));
			return res->err = pm_step_close(check, rc);
		}
		if (c->op == PM_LABELS_RESTORE && c->image_size != d->size) {
			snprintf(res->message, sizeof(res->message),
				 "the backup has %zu bytes, %s's label area %zu", c->image_size,
				 d->dimm->dev, d->size);
			return res->err = pm_step_close(check, -EINVAL);
		}
		if (c->op == PM_LABELS_INIT && d->version && c->version_given &&
		    d->version != c->version) {
			snprintf(res->message, sizeof(res->message),
				 "%s's labels are already initialised as v1.%d: zero them first (pmemctl zero-labels %s) to change the version",
				 d->dimm->dev, d->version % 100, d->dimm->dev);
			return res->err = pm_step_close(check, -EEXIST);
		}
		d->noop = is_noop(c, d);
		if (d->noop)
			continue;
		todo++;
		for (size_t r = 0; r < pf->nr_regions; r++)
			if (region_has_dimm(pf->regions[r], d->dimm))
				add_region(c, pf->regions[r]);
	}
	if (!todo) {
		pm_step_close(check, 0);
		res->noop = true;
		snprintf(res->message, sizeof(res->message), "%s",
			 c->op == PM_LABELS_INIT ? "labels already initialised; nothing changed" :
			 c->op == PM_LABELS_ZERO ? "label area already zeroed; nothing changed" :
			 "label area already holds the backup; nothing changed");
		return 0;
	}
	rc = check_regions(pf, c, res, lost, sizeof(lost));
	if (rc)
		return res->err = pm_step_close(check, rc);
	pm_step_close(check, 0);
	plan_steps(c, res);
	if (c->data_lost)
		snprintf(res->message, sizeof(res->message),
			 "%s destroys the namespace definitions in the labels: %s",
			 c->op == PM_LABELS_INIT ? "initialising" :
			 c->op == PM_LABELS_ZERO ? "zeroing" : "restoring", lost);
	else if (dry_run)
		snprintf(res->message, sizeof(res->message), "would write %zu label area%s; nothing changed",
			 todo, todo == 1 ? "" : "s");
	return 0;
}

/* The namespaces of region that were disabled before, disabled again. */
static int disable_idle(struct pm_labels_change *c, struct pm_region *region,
			struct pm_change_result *res)
{
	struct ndctl_namespace *ndns;
	char uuid_text[40];
	uuid_t uuid;
	int rc = 0;

	/* libnvdimm registers a region's namespaces asynchronously. */
	ndctl_bus_wait_probe(ndctl_region_get_bus(region->ndregion));
	ndctl_namespace_foreach(region->ndregion, ndns) {
		/* Active: the namespace, or the claim (pfn, dax, btt) on it. */
		if (!ndctl_namespace_is_active(ndns))
			continue;
		ndctl_namespace_get_uuid(ndns, uuid);
		uuid_unparse(uuid, uuid_text);
		for (size_t i = 0; i < c->nr_idle; i++) {
			struct pm_step *s;

			if (strcmp(c->idle_uuids[i], uuid_text))
				continue;
			s = pm_step_add(res, PM_ACT_ROLLBACK, "rollback-disable",
					"disable %s again, as it was",
					ndctl_namespace_get_devname(ndns));
			rc |= pm_step_close(s, ndctl_namespace_disable_invalidate(ndns));
			break;
		}
	}
	return rc;
}

/* Every kept area written back, the kernel's copies reloaded, regions up. */
static int rollback(struct pm_labels_change *c, struct pm_change_result *res)
{
	struct pm_step *s;
	int rc = 0;

	for (size_t i = 0; i < c->nr_dimms; i++) {
		struct pm_labels_dimm *d = &c->dimms[i];

		if (!d->written)
			continue;
		s = pm_step_add(res, PM_ACT_ROLLBACK, "rollback-write",
				"write %s's kept area back", d->dimm->dev);
		rc |= pm_step_close(s, write_area(d, d->saved));
		s = pm_step_add(res, PM_ACT_ROLLBACK, "rollback-reload",
				"rebind %s: the kernel reads the old labels", d->dimm->dev);
		rc |= pm_step_close(s, reload(d));
	}
	for (size_t i = 0; i < c->nr_regions; i++) {
		if (!c->disabled[i])
			continue;
		s = pm_step_add(res, PM_ACT_ROLLBACK, "rollback-enable",
				"enable %s again", c->regions[i]->dev);
		rc |= pm_step_close(s, ndctl_region_enable(c->regions[i]->ndregion));
		rc |= disable_idle(c, c->regions[i], res);
	}
	return rc;
}

static int apply_dimm(struct pm_labels_change *c, struct pm_labels_dimm *d,
		      struct pm_change_result *res, struct pm_step **failed)
{
	struct pm_step *s;
	int rc;

	*failed = s = pm_step_add(res, PM_ACT_CHECK, "save-area",
				  "read %s's label area and keep it in memory", d->dimm->dev);
	rc = pm_step_finish(s, read_area(d));
	if (rc)
		return rc;
	if (c->op == PM_LABELS_RESTORE && d->size != c->image_size)
		return pm_step_close(s, -EINVAL);
	snprintf(s->detail, sizeof(s->detail), "read %s's label area (%zu bytes), kept in memory",
		 d->dimm->dev, d->size);
	*failed = s = pm_step_add(res, PM_ACT_CONFIGURE_NAMESPACE, "write-labels", "%s: %s",
				  d->dimm->dev, c->op == PM_LABELS_INIT ? "two index blocks" :
				  c->op == PM_LABELS_ZERO ? "zeros" : "the backup");
	d->written = true;
	switch (c->op) {
	case PM_LABELS_INIT:
		rc = ndctl_dimm_init_labels(d->dimm->nddimm, c->version == 102 ?
					    NDCTL_NS_VERSION_1_2 : NDCTL_NS_VERSION_1_1);
		if (rc > 0)
			snprintf(s->detail, sizeof(s->detail),
				 "%s: two v%s index blocks, %d label slots", d->dimm->dev,
				 c->version_name, rc);
		rc = rc < 0 ? rc : 0;
		break;
	case PM_LABELS_ZERO:
		rc = write_area(d, NULL);
		break;
	case PM_LABELS_RESTORE:
		rc = write_area(d, c->image);
		break;
	}
	rc = pm_step_finish(s, rc);
	if (rc)
		return rc;
	*failed = s = pm_step_add(res, PM_ACT_ENABLE, "reload-labels",
				  "rebind %s: the kernel reads its labels again", d->dimm->dev);
	d->reloaded = true;
	return pm_step_finish(s, reload(d));
}

int pm_labels_apply(struct pm_labels_change *c, struct pm_change_result *res)
{
	struct pm_step *s, *failed = NULL;
	size_t keep = res->nr_steps ? 1 : 0;	/* the plan's check step */
	int rc = 0;

	/* The plan's steps become the run's, as they happen. */
	res->nr_steps = keep;
	res->noop = false;
	for (size_t i = 0; i < c->nr_regions && !rc; i++) {
		if (!c->regions[i]->enabled)
			continue;
		failed = s = pm_step_add(res, PM_ACT_DISABLE, "disable-region", "disable %s",
					 c->regions[i]->dev);
		rc = ndctl_region_disable_invalidate(c->regions[i]->ndregion);
		c->disabled[i] = !rc;
		rc = pm_step_finish(s, rc);
	}
	for (size_t i = 0; i < c->nr_dimms && !rc; i++)
		if (!c->dimms[i].noop)
			rc = apply_dimm(c, &c->dimms[i], res, &failed);
	for (size_t i = 0; i < c->nr_regions && !rc; i++) {
		if (!c->disabled[i])
			continue;
		failed = s = pm_step_add(res, PM_ACT_ENABLE, "enable-region", "enable %s",
					 c->regions[i]->dev);
		rc = pm_step_finish(s, ndctl_region_enable(c->regions[i]->ndregion));
	}
	if (!rc) {
		res->changed = true;
		snprintf(res->message, sizeof(res->message), "%s: done",
			 pm_labels_op_name(c->op));
		return 0;
	}
	res->err = rc;
	/* Regions enabled again after the write are taken down for the undo. */
	for (size_t i = 0; i < c->nr_regions; i++)
		if (c->disabled[i] && ndctl_region_is_enabled(c->regions[i]->ndregion))
			ndctl_region_disable_invalidate(c->regions[i]->ndregion);
	res->rolled_back = rollback(c, res) == 0;
	for (size_t i = 0; i < res->nr_steps; i++)
		if (res->steps[i].status == PM_STEP_DONE && i >= keep &&
		    strncmp(res->steps[i].name, "rollback", 8) != 0)
			res->steps[i].status = PM_STEP_UNDONE;
	snprintf(res->message, sizeof(res->message), "step %s failed: %s; %s",
		 failed ? failed->name : "?", strerror(-rc),
		 res->rolled_back ? "every label area and region is as it was" :
				    "the label areas could NOT all be restored");
	return rc;
}

/* The line of SHA256SUMS (in dir) for name: its hex digest, or -ENOENT. */
static int sum_of(const char *dir, const char *name, char hex[PM_SHA256_HEX_LEN])
{
	char path[4096], line[512];
	FILE *f;
	int rc = -ENOENT;

	snprintf(path, sizeof(path), "%s/SHA256SUMS", dir);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (rc && fgets(line, sizeof(line), f)) {
		size_t n = strcspn(line, "\n");
		const char *file = line + 66;

		line[n] = '\0';
		/* sha256sum: 64 hex digits, a space, ' ' (text) or '*' (binary), the name */
		if (n < 67 || line[64] != ' ' || (line[65] != ' ' && line[65] != '*'))
			continue;
		if (strcmp(file, name) == 0) {
			memcpy(hex, line, 64);
			hex[64] = '\0';
			rc = 0;
		}
	}
	fclose(f);
	return rc;
}

int pm_labels_backup_load(const char *path, const char *dimm_id,
			  unsigned char **buf, size_t *len, bool *id_matches,
			  char *why, size_t why_len)
{
	char dirbuf[4096], basebuf[4096], want[PM_SHA256_HEX_LEN], got[PM_SHA256_HEX_LEN];
	char idpath[4096 + 300], id[256] = "";
	const char *dir, *base;
	struct stat st;
	size_t stem;
	ssize_t n;
	FILE *f;
	int fd, rc;

	*buf = NULL;
	*id_matches = true;
	snprintf(dirbuf, sizeof(dirbuf), "%s", path);
	snprintf(basebuf, sizeof(basebuf), "%s", path);
	dir = dirname(dirbuf);
	base = basename(basebuf);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		rc = -errno;
		snprintf(why, why_len, "cannot open it: %s", strerror(errno));
		return rc == -ENOENT ? -EINVAL : rc;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    st.st_size > PM_LABELS_MAX_BACKUP) {
		close(fd);
		snprintf(why, why_len, "not a label backup (a regular file of at most 16 MiB)");
		return -EINVAL;
	}
	*len = st.st_size;
	*buf = malloc(*len);
	if (!*buf) {
		close(fd);
		return -ENOMEM;
	}
	n = read(fd, *buf, *len);
	close(fd);
	if (n != (ssize_t)*len) {
		snprintf(why, why_len, "cannot read it whole");
		goto bad;
	}
	rc = sum_of(dir, base, want);
	if (rc) {
		snprintf(why, why_len, "no checksum for it in %s/SHA256SUMS%s", dir,
			 rc == -ENOENT ? "" : " (cannot read the file)");
		goto bad;
	}
	pm_sha256_hex(*buf, *len, got);
	if (strcmp(want, got)) {
		snprintf(why, why_len, "its SHA-256 is %s, SHA256SUMS says %s: damaged or changed",
			 got, want);
		goto bad;
	}
	stem = strlen(base);
	if (stem > 7 && strcmp(base + stem - 7, ".labels") == 0)
		stem -= 7;
	snprintf(idpath, sizeof(idpath), "%s/%.*s.id", dir, (int)stem, base);
	f = fopen(idpath, "re");
	if (!f) {
		snprintf(why, why_len, "%s is missing: whose backup it is is unknown", idpath);
		goto bad;
	}
	if (!fgets(id, sizeof(id), f))
		id[0] = '\0';
	fclose(f);
	id[strcspn(id, "\n")] = '\0';
	*id_matches = strcmp(id, dimm_id ? dimm_id : "") == 0;
	if (!*id_matches)
		snprintf(why, why_len, "a backup of DIMM %s", id);
	return 0;
bad:
	free(*buf);
	*buf = NULL;
	return -EINVAL;
}
