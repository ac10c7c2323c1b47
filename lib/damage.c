// SPDX-License-Identifier: GPL-2.0-or-later
/* What a namespace's media errors hit: files (FIEMAP), device bytes, sectors. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <linux/fiemap.h>
#include <linux/fs.h>
#include <ndctl/libndctl.h>

#include "badblocks.h"
#include "damage.h"
#include "host.h"
#include "pmem.h"
#include "proc.h"
#include "sysfs.h"
#include "walk.h"

/* Extents asked of FIEMAP at a time: most files have one or a few. */
#define FIEMAP_BATCH 128

static int grow(void **v, size_t *alloc, size_t nr, size_t size)
{
	size_t want = *alloc ? *alloc * 2 : 16;
	void *p;

	if (nr < *alloc)
		return 0;
	p = realloc(*v, want * size);
	if (!p)
		return -ENOMEM;
	*v = p;
	*alloc = want;
	return 0;
}

static int cmp_range(const void *a, const void *b)
{
	const struct pm_damage_range *x = a, *y = b;

	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

size_t pm_damage_ranges_normalize(struct pm_damage_range *r, size_t nr)
{
	size_t out = 0;

	if (nr > 1)
		qsort(r, nr, sizeof(*r), cmp_range);
	for (size_t i = 0; i < nr; i++) {
		struct pm_damage_range *last = out ? &r[out - 1] : NULL;

		if (!r[i].length)
			continue;
		if (last && r[i].offset <= last->offset + last->length) {
			uint64_t end = r[i].offset + r[i].length;

			if (end > last->offset + last->length)
				last->length = end - last->offset;
			continue;
		}
		r[out] = r[i];
		r[out++].unowned = 0;
	}
	return out;
}

/* The first bad range that ends after pos. */
static size_t first_after(const struct pm_damage_range *bad, size_t nr,
			  uint64_t pos)
{
	size_t lo = 0, hi = nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (bad[mid].offset + bad[mid].length <= pos)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int push_hit(struct pm_hits *hits, const struct pm_hit *h)
{
	if (grow((void **)&hits->v, &hits->alloc, hits->nr, sizeof(*h)))
		return -ENOMEM;
	hits->v[hits->nr++] = *h;
	return 0;
}

int pm_damage_match(const struct pm_damage_range *bad, size_t nr_bad,
		    const struct pm_extent *ext, size_t nr_ext,
		    uint64_t file_size, struct pm_hits *hits)
{
	for (size_t x = 0; x < nr_ext; x++) {
		const struct pm_extent *e = &ext[x];
		bool encoded = e->flags & FIEMAP_EXTENT_ENCODED;
		uint64_t end;

		/* Delayed allocation: still in the page cache, nowhere on the media. */
		if (e->flags & FIEMAP_EXTENT_DELALLOC)
			continue;
		if (e->flags & FIEMAP_EXTENT_UNKNOWN) {
			hits->unknown++;
			continue;
		}
		if (!e->length)
			continue;
		end = e->physical + e->length < e->physical ? UINT64_MAX :
		      e->physical + e->length;
		for (size_t i = first_after(bad, nr_bad, e->physical);
		     i < nr_bad && bad[i].offset < end; i++) {
			uint64_t from = bad[i].offset > e->physical ? bad[i].offset : e->physical;
			uint64_t to = bad[i].offset + bad[i].length < end ?
				      bad[i].offset + bad[i].length : end;
			struct pm_hit h = {
				.range = i,
				.offset = e->logical + (from - e->physical),
				.length = to - from,
				.physical = from,
				.physical_length = to - from,
				.unwritten = e->flags & FIEMAP_EXTENT_UNWRITTEN,
			};

			/* Compressed or encrypted: one bad byte spoils the lot. */
			if (encoded) {
				h.offset = e->logical;
				h.length = e->length;
			}
			/* The tail of the file's last block holds no data. */
			if (h.offset >= file_size)
				continue;
			if (h.length > file_size - h.offset) {
				if (!encoded)
					h.physical_length = file_size - h.offset;
				h.length = file_size - h.offset;
			}
			if (push_hit(hits, &h))
				return -ENOMEM;
		}
	}
	return 0;
}

int pm_extent_lookup(const struct pm_extent *ext, size_t nr_ext,
		     uint64_t logical, uint64_t *physical)
{
	const uint32_t unplaced = FIEMAP_EXTENT_DELALLOC | FIEMAP_EXTENT_UNKNOWN |
				  FIEMAP_EXTENT_ENCODED | FIEMAP_EXTENT_DATA_INLINE |
				  FIEMAP_EXTENT_DATA_TAIL | FIEMAP_EXTENT_NOT_ALIGNED;

	for (size_t x = 0; x < nr_ext; x++) {
		const struct pm_extent *e = &ext[x];

		if (logical < e->logical || logical - e->logical >= e->length)
			continue;
		if (e->flags & unplaced)
			return -ENODATA;
		*physical = e->physical + (logical - e->logical);
		return (int)x;
	}
	return -ENODATA;
}

static int cmp_hit(const void *a, const void *b)
{
	const struct pm_hit *x = a, *y = b;

	if (x->range != y->range)
		return x->range < y->range ? -1 : 1;
	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

size_t pm_damage_merge(struct pm_hit *v, size_t nr)
{
	size_t out = 0;

	if (nr > 1)
		qsort(v, nr, sizeof(*v), cmp_hit);
	for (size_t i = 0; i < nr; i++) {
		struct pm_hit *last = out ? &v[out - 1] : NULL;

		if (last && last->range == v[i].range &&
		    last->unwritten == v[i].unwritten &&
		    v[i].offset <= last->offset + last->length) {
			uint64_t end = v[i].offset + v[i].length;

			if (end > last->offset + last->length)
				last->length = end - last->offset;
			continue;
		}
		v[out++] = v[i];
	}
	return out;
}

size_t pm_damage_unowned(struct pm_damage_range *bad, size_t nr_bad,
			 struct pm_damage_range *covered, size_t nr_covered)
{
	size_t c = 0;

	nr_covered = pm_damage_ranges_normalize(covered, nr_covered);
	for (size_t i = 0; i < nr_bad; i++) {
		uint64_t start = bad[i].offset, end = start + bad[i].length;
		uint64_t owned = 0;

		while (c < nr_covered && covered[c].offset + covered[c].length <= start)
			c++;
		for (size_t k = c; k < nr_covered && covered[k].offset < end; k++) {
			uint64_t from = covered[k].offset > start ? covered[k].offset : start;
			uint64_t cend = covered[k].offset + covered[k].length;

			owned += (cend < end ? cend : end) - from;
		}
		bad[i].unowned = bad[i].length - owned;
	}
	return nr_covered;
}

static int add_range(struct pm_damage *d, size_t *alloc, uint64_t sector,
		     uint64_t sectors)
{
	if (grow((void **)&d->ranges, alloc, d->nr_ranges, sizeof(*d->ranges)))
		return -ENOMEM;
	d->ranges[d->nr_ranges++] = (struct pm_damage_range){
		.offset = sector << 9, .length = sectors << 9,
	};
	return 0;
}

/*
 * The namespace's bad ranges in bytes from its device's start.
 *
 * fsdax: the kernel fills the block device's list (pmem_attach_disk(),
 * nvdimm_badblocks_populate()) from the region's ARS ranges counted from
 * the pfn's data start, nsio->res.start + start_pad + dataoff; the pfn's
 * resource attribute names the same address and ndctl (so badblocks.c)
 * counts the ARS offsets from it. Block sector 0 is res.start + dataoff
 * (pmem.c to_offset()), the same place since start_pad is 0 on every
 * namespace the kernel lays out (a misaligned start is refused). So both
 * sources are block sectors already; the info block before dataoff has
 * no sector. devdax: the dax device's byte 0 is the same data start.
 * raw: ndctl gives the region's ranges from the region's start, the block
 * device counts from the namespace's. sector (BTT): ndctl only counts.
 */
static int device_ranges(const struct pm_namespace *ns, struct pm_damage *d)
{
	const struct pm_badblocks *bbs = pm_namespace_badblocks(ns);
	unsigned long long ns_start = ULLONG_MAX, region_start = ULLONG_MAX;
	size_t alloc = 0;
	int rc;

	d->device = ns->mode == PM_MODE_DEVDAX ? ns->chardev : ns->blockdev;
	d->chardev = ns->mode == PM_MODE_DEVDAX;
	if (ns->mode == PM_MODE_RAW && pm_namespace_ndns(ns)) {
		ns_start = ndctl_namespace_get_resource(pm_namespace_ndns(ns));
		region_start = ndctl_region_get_resource(ndctl_namespace_get_region(pm_namespace_ndns(ns)));
	}
	if (!bbs->nr)
		d->uncounted = bbs->count << 9;
	for (size_t i = 0; i < bbs->nr; i++) {
		const struct pm_badblock *bb = &bbs->v[i];
		uint64_t sector = bb->offset, sectors = bb->length;

		if (ns->mode == PM_MODE_RAW && !bb->block) {
			uint64_t first, end, ns_end;

			if (ns_start == ULLONG_MAX || region_start == ULLONG_MAX ||
			    ns_start < region_start) {
				d->uncounted += sectors << 9;
				continue;
			}
			first = (ns_start - region_start) >> 9;
			ns_end = first + (ns->size >> 9);
			end = sector + sectors;
			if (end <= first || sector >= ns_end)
				continue;	/* another namespace's */
			sector = sector < first ? 0 : sector - first;
			sectors = (end > ns_end ? ns_end : end) - first - sector;
		}
		rc = add_range(d, &alloc, sector, sectors);
		if (rc)
			return rc;
	}
	d->nr_ranges = pm_damage_ranges_normalize(d->ranges, d->nr_ranges);
	return 0;
}

/* A filesystem's place on the block device: the disk itself or a partition. */
struct part {
	dev_t dev;
	uint64_t start, size;		/* bytes */
};

static int read_part(const char *dir, struct part *p)
{
	unsigned int maj, min;
	char devno[32];
	uint64_t start = 0, size;

	if (sysfs_read_string(devno, sizeof(devno), "%s/dev", dir) < 0 ||
	    sscanf(devno, "%u:%u", &maj, &min) != 2 ||
	    sysfs_read_u64(&size, "%s/size", dir) < 0)
		return -ENOENT;
	sysfs_read_u64(&start, "%s/start", dir);
	p->dev = makedev(maj, min);
	p->start = start << 9;
	p->size = size << 9;
	return 0;
}

/* The disk, then its partitions (pmem0p1 ... in /sys/class/block/pmem0/). */
static int device_parts(const char *blockdev, struct part **out, size_t *nr)
{
	char dir[PATH_MAX];
	size_t alloc = 0, len = strlen(blockdev);
	struct dirent *e;
	DIR *dp;

	*out = NULL;
	*nr = 0;
	snprintf(dir, sizeof(dir), "/sys/class/block/%s", blockdev);
	if (grow((void **)out, &alloc, 0, sizeof(**out)))
		return -ENOMEM;
	if (read_part(dir, &(*out)[0]) < 0)
		return -ENODEV;
	*nr = 1;
	dp = opendir(dir);
	if (!dp)
		return 0;
	while ((e = readdir(dp))) {
		char sub[PATH_MAX];

		if (strncmp(e->d_name, blockdev, len) != 0 || !e->d_name[len])
			continue;
		if (grow((void **)out, &alloc, *nr, sizeof(**out))) {
			closedir(dp);
			return -ENOMEM;
		}
		if (snprintf(sub, sizeof(sub), "%s/%s", dir, e->d_name) < (int)sizeof(sub) &&
		    read_part(sub, &(*out)[*nr]) == 0)
			(*nr)++;
	}
	closedir(dp);
	return 0;
}

/* One walk: a filesystem's files against the bad ranges inside it. */
struct walk {
	struct pm_damage *d;
	uint64_t base;			/* the filesystem's start on the device */
	struct pm_damage_range *bad;	/* in the filesystem's bytes */
	size_t *index;			/* bad[i] is d->ranges[index[i]] */
	size_t nr_bad;
	struct fiemap *fm;
	struct pm_extent *ext;
	struct pm_hits hits;		/* one file's */
	struct pm_damage_range *covered; /* device bytes of every hit */
	uint64_t deadline;		/* of every walk of one damage(): pm_walk_now() */
	size_t nr_covered, covered_alloc;
	size_t files_alloc;
};

static void unreadable(struct walk *w, int err)
{
	w->d->nr_unreadable++;
	w->d->complete = false;
	if (!w->d->walk_error)
		w->d->walk_error = -err;
}

static int file_hits(struct walk *w, const char *path)
{
	struct pm_damage *d = w->d;

	for (size_t i = 0; i < w->hits.nr; i++) {
		const struct pm_hit *h = &w->hits.v[i];

		if (grow((void **)&w->covered, &w->covered_alloc, w->nr_covered,
			 sizeof(*w->covered)))
			return -ENOMEM;
		w->covered[w->nr_covered++] = (struct pm_damage_range){
			.offset = w->base + h->physical, .length = h->physical_length,
		};
	}
	w->hits.nr = pm_damage_merge(w->hits.v, w->hits.nr);
	for (size_t i = 0; i < w->hits.nr; i++) {
		const struct pm_hit *h = &w->hits.v[i];
		char *copy = strdup(path);

		if (!copy || grow((void **)&d->files, &w->files_alloc, d->nr,
				  sizeof(*d->files))) {
			free(copy);
			return -ENOMEM;
		}
		d->files[d->nr++] = (struct pm_damaged_file){
			.path = copy, .offset = h->offset, .length = h->length,
			.range = w->index[h->range], .unwritten = h->unwritten,
		};
	}
	return 0;
}

/* FIEMAP in batches, each batch matched as it comes; fd -1: nothing allocated. */
static int map_file(void *ctx, int fd, const char *path, const struct stat *st)
{
	struct walk *w = ctx;
	uint64_t start = 0;
	bool last = false;
	int rc = 0;

	w->d->nr_walked++;
	/* Nothing allocated (empty, all holes): nothing on the media to lose. */
	if (fd < 0 || !st->st_size || !st->st_blocks)
		return 0;
	w->hits.nr = 0;
	while (!last) {
		struct fiemap *fm = w->fm;
		__u32 n;

		memset(fm, 0, sizeof(*fm));
		fm->fm_start = start;
		fm->fm_length = FIEMAP_MAX_OFFSET - start;
		fm->fm_extent_count = FIEMAP_BATCH;
		if (ioctl(fd, FS_IOC_FIEMAP, fm) < 0) {
			unreadable(w, errno);
			break;
		}
		n = fm->fm_mapped_extents;
		if (!n)
			break;
		for (__u32 i = 0; i < n; i++) {
			const struct fiemap_extent *fe = &fm->fm_extents[i];

			w->ext[i] = (struct pm_extent){
				.logical = fe->fe_logical, .physical = fe->fe_physical,
				.length = fe->fe_length, .flags = fe->fe_flags,
			};
		}
		w->d->nr_extents += n;
		rc = pm_damage_match(w->bad, w->nr_bad, w->ext, n, st->st_size,
				     &w->hits);
		if (rc)
			break;
		last = (fm->fm_extents[n - 1].fe_flags & FIEMAP_EXTENT_LAST) ||
		       n < FIEMAP_BATCH;
		start = fm->fm_extents[n - 1].fe_logical + fm->fm_extents[n - 1].fe_length;
	}
	if (!rc && w->hits.nr)
		rc = file_hits(w, path);
	return rc;
}

/*
 * Every regular file under root, on this filesystem only, opened relative
 * to its directory and never through a link (lib/walk.c): doctor runs as
 * root over directories users write. Each file is met once per name, and
 * a file with several names is named under each. What the walk could not
 * reach (unreadable, changed under it, too deep, past the deadline) makes
 * the result incomplete, and the deadline's stop is said where.
 */
static int walk_tree(struct walk *w, const char *root)
{
	struct pm_damage *d = w->d;
	struct pm_walk_result res;
	int rc;

	rc = pm_walk(root, w->deadline, map_file, w, &res);
	if (rc < 0 && rc != -ENOMEM) {
		unreadable(w, -rc);
		rc = 0;
	}
	d->nr_unreadable += res.nr_unreadable;
	d->nr_skipped += res.nr_raced + res.nr_too_deep;
	if (res.first_error && !d->walk_error)
		d->walk_error = res.first_error;
	if (res.nr_unreadable || res.nr_raced || res.nr_too_deep || res.timed_out)
		d->complete = false;
	if (res.timed_out && !d->stopped) {
		d->stopped = res.stopped;
		res.stopped = NULL;
	}
	pm_walk_result_free(&res);
	return rc;
}

/* The ranges inside [p->start, p->start + p->size), in the part's bytes. */
static int walk_part(struct pm_damage *d, const struct part *p, const char *root,
		     struct walk *w)
{
	size_t n = 0;
	int rc;

	free(w->bad);
	free(w->index);
	w->d = d;
	w->base = p->start;
	w->bad = calloc(d->nr_ranges ? d->nr_ranges : 1, sizeof(*w->bad));
	w->index = calloc(d->nr_ranges ? d->nr_ranges : 1, sizeof(*w->index));
	if (!w->bad || !w->index)
		return -ENOMEM;
	for (size_t i = 0; i < d->nr_ranges; i++) {
		uint64_t from = d->ranges[i].offset, to = from + d->ranges[i].length;

		if (to <= p->start || from >= p->start + p->size)
			continue;
		from = from < p->start ? p->start : from;
		to = to > p->start + p->size ? p->start + p->size : to;
		w->bad[n] = (struct pm_damage_range){ from - p->start, to - from, 0 };
		w->index[n++] = i;
	}
	w->nr_bad = n;
	if (!n)
		return 0;
	d->walked = true;
	rc = walk_tree(w, root);
	if (w->hits.unknown)
		d->complete = false;
	free(w->bad);
	free(w->index);
	w->bad = NULL;
	w->index = NULL;
	return rc;
}

static int cmp_file(const void *a, const void *b)
{
	const struct pm_damaged_file *x = a, *y = b;
	int c;

	if (x->range != y->range)
		return x->range < y->range ? -1 : 1;
	c = strcmp(x->path, y->path);
	if (c)
		return c;
	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

static bool overlaps(const struct pm_damage *d, const struct part *p)
{
	for (size_t i = 0; i < d->nr_ranges; i++)
		if (d->ranges[i].offset < p->start + p->size &&
		    d->ranges[i].offset + d->ranges[i].length > p->start)
			return true;
	return false;
}

/* Walks path, or every mounted filesystem of the device when path is NULL. */
static int map_files(const struct pm_namespace *ns, const char *path,
		     struct pm_damage *d)
{
	struct walk w = { 0 };
	struct part *parts = NULL;
	struct pm_mount *m;
	size_t nr_parts = 0;
	struct stat st;
	int rc;

	if (!d->nr_ranges)
		return 0;
	if (d->chardev || !ns->blockdev || (path && pm_host_replay_root()))
		return path ? -EXDEV : 0;
	rc = device_parts(ns->blockdev, &parts, &nr_parts);
	m = malloc(sizeof(*m));
	w.fm = malloc(sizeof(*w.fm) + FIEMAP_BATCH * sizeof(struct fiemap_extent));
	w.ext = calloc(FIEMAP_BATCH, sizeof(*w.ext));
	if (!m || !w.fm || !w.ext)
		rc = -ENOMEM;
	w.deadline = pm_walk_deadline();
	if (rc)
		goto out;
	d->complete = !path;
	if (path) {
		size_t i;

		rc = -EXDEV;
		if (stat(path, &st) < 0) {
			rc = -errno;
			goto out;
		}
		for (i = 0; i < nr_parts && parts[i].dev != st.st_dev; i++)
			;
		if (i == nr_parts)
			goto out;
		if (pm_mount_of_path(path, st.st_dev, m))
			d->mount = strdup(m->point);
		rc = walk_part(d, &parts[i], path, &w);
		goto out;
	}
	for (size_t i = 0; i < nr_parts && !rc; i++) {
		/* A partitioned disk's own sectors hold the partition table. */
		if (!overlaps(d, &parts[i]) || (i == 0 && nr_parts > 1))
			continue;
		if (!pm_mount_of_dev(parts[i].dev, m)) {
			d->complete = false;	/* who knows what it holds */
			continue;
		}
		if (strcmp(m->root, "/") != 0)
			d->complete = false;	/* a subtree: the rest is hidden */
		if (!d->mount)
			d->mount = strdup(m->point);
		/* A bundle's mounts are another machine's: said, not walked. */
		if (!pm_host_replay_root())
			rc = walk_part(d, &parts[i], m->point, &w);
	}
	if (!d->walked)
		d->complete = false;
out:
	if (!rc) {
		pm_damage_unowned(d->ranges, d->nr_ranges, w.covered, w.nr_covered);
		if (d->nr > 1)
			qsort(d->files, d->nr, sizeof(*d->files), cmp_file);
	}
	free(w.bad);
	free(w.index);
	free(w.covered);
	free(w.hits.v);
	free(w.fm);
	free(w.ext);
	free(m);
	free(parts);
	return rc;
}

static int damage(const struct pm_namespace *ns, const char *path,
		  struct pm_damage *out)
{
	int rc;

	memset(out, 0, sizeof(*out));
	rc = device_ranges(ns, out);
	if (!rc)
		rc = map_files(ns, path, out);
	if (rc)
		pm_damage_free(out);
	return rc;
}

int pm_namespace_damage(const struct pm_namespace *ns, struct pm_damage *out)
{
	return damage(ns, NULL, out);
}

int pm_path_damage(const struct pm_namespace *ns, const char *path,
		   struct pm_damage *out)
{
	return damage(ns, path, out);
}

/* FIEMAP of the one extent that holds offset. */
static int byte_extent(int fd, uint64_t offset, struct pm_extent *out)
{
	struct {
		struct fiemap fm;
		struct fiemap_extent fe[1];
	} q;
	uint64_t physical;
	int rc;

	memset(&q, 0, sizeof(q));
	q.fm.fm_start = offset;
	q.fm.fm_length = 1;
	q.fm.fm_extent_count = 1;
	/* Data in the page cache (delalloc) gets a place on the media. */
	q.fm.fm_flags = FIEMAP_FLAG_SYNC;
	if (ioctl(fd, FS_IOC_FIEMAP, &q.fm) < 0)
		return -errno;
	if (!q.fm.fm_mapped_extents)
		return -ENODATA;
	*out = (struct pm_extent){
		.logical = q.fe[0].fe_logical, .physical = q.fe[0].fe_physical,
		.length = q.fe[0].fe_length, .flags = q.fe[0].fe_flags,
	};
	rc = pm_extent_lookup(out, 1, offset, &physical);
	if (rc < 0)
		return rc;
	out->physical = physical;
	return 0;
}

int pm_file_byte_on_device(const struct pm_namespace *ns, const char *path,
			   uint64_t offset, uint64_t *device_offset,
			   bool *unwritten)
{
	struct part *parts = NULL;
	struct pm_extent e = { 0 };
	size_t nr_parts = 0, i;
	struct stat st;
	int fd, rc;

	if (!ns->blockdev || pm_host_replay_root())
		return -EXDEV;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		rc = -errno;
		goto out;
	}
	rc = -EINVAL;
	if (!S_ISREG(st.st_mode) || offset >= (uint64_t)st.st_size)
		goto out;
	rc = device_parts(ns->blockdev, &parts, &nr_parts);
	if (rc)
		goto out;
	for (i = 0; i < nr_parts && parts[i].dev != st.st_dev; i++)
		;
	rc = -EXDEV;
	if (i == nr_parts)
		goto out;
	rc = byte_extent(fd, offset, &e);
	if (rc)
		goto out;
	*device_offset = parts[i].start + e.physical;
	*unwritten = e.flags & FIEMAP_EXTENT_UNWRITTEN;
out:
	free(parts);
	close(fd);
	return rc;
}

void pm_damage_free(struct pm_damage *d)
{
	for (size_t i = 0; i < d->nr; i++)
		free(d->files[i].path);
	free(d->files);
	free(d->ranges);
	free(d->mount);
	free(d->stopped);
	memset(d, 0, sizeof(*d));
}
