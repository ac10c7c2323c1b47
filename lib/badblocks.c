// SPDX-License-Identifier: GPL-2.0-or-later
/* Media errors of regions and namespaces: ndctl list -M's, and the block device's. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ndctl/libndctl.h>

#include "badblocks.h"
#include "cxl.h"
#include "host.h"
#include "pmem.h"

static const struct pm_badblocks none;

static struct pm_badblock *add(struct pm_badblocks *bbs, uint64_t offset,
			       uint64_t length, bool block)
{
	struct pm_badblock *grown, *bb;

	grown = realloc(bbs->v, (bbs->nr + 1) * sizeof(*grown));
	if (!grown)
		return NULL;
	bbs->v = grown;
	bb = &bbs->v[bbs->nr++];
	memset(bb, 0, sizeof(*bb));
	bb->offset = offset;
	bb->length = length;
	bb->block = block;
	bbs->count += length;
	return bb;
}

/* The bus's own string for a DIMM name, which outlives the snapshot's reads. */
static const char *dimm_name(struct ndctl_bus *bus, const char *name)
{
	struct ndctl_dimm *dimm;

	ndctl_dimm_foreach(bus, dimm)
		if (strcmp(ndctl_dimm_get_devname(dimm), name) == 0)
			return ndctl_dimm_get_devname(dimm);
	return NULL;
}

/*
 * Translate SPA is an ioctl: a replayed bundle answers with what the
 * report recorded for this range ("SPA LEN DIMM..." lines per region).
 */
static void replay_dimms(struct ndctl_region *ndregion, unsigned long long addr,
			 unsigned long long len, struct pm_badblock *bb)
{
	struct ndctl_bus *bus = ndctl_region_get_bus(ndregion);
	char path[PATH_MAX], line[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/%s", pm_host_replay_root(),
		 PM_REPORT_BADBLOCK_DIMMS_DIR, ndctl_region_get_devname(ndregion));
	f = pm_bundle_fopen(path, PM_HOST_RECORD_CAP);
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long spa, spa_len;
		char *save, *word;
		size_t found = 0;

		if (sscanf(line, "%llu %llu", &spa, &spa_len) != 2 ||
		    spa != addr || spa_len != len)
			continue;
		strtok_r(line, " \n", &save);
		strtok_r(NULL, " \n", &save);
		while ((word = strtok_r(NULL, " \n", &save)) &&
		       found < PM_BADBLOCK_MAX_DIMMS) {
			const char *name = dimm_name(bus, word);

			if (name)
				bb->dimms[found++] = name;
		}
		break;
	}
	fclose(f);
}

/*
 * The DIMMs under [addr, addr + len), as ndctl's badblocks_to_jdimms()
 * finds them: sector by sector until every DIMM of the set is found. A
 * 1-way region names its DIMM without asking the firmware.
 */
static void find_dimms(struct ndctl_region *ndregion, unsigned long long addr,
		       unsigned long long len, struct pm_badblock *bb)
{
	struct ndctl_bus *bus = ndctl_region_get_bus(ndregion);
	int ways = ndctl_region_get_interleave_ways(ndregion);
	unsigned long long end = addr + len;
	size_t found = 0;

	if (ways != 1 && pm_host_replay_root()) {
		replay_dimms(ndregion, addr, len, bb);
		return;
	}
	for (; (int)found < ways && found < PM_BADBLOCK_MAX_DIMMS && addr < end;
	     addr += 512) {
		struct ndctl_dimm *dimm;
		const char *name;
		size_t i;

		dimm = ndctl_bus_get_dimm_by_physical_address(bus, addr);
		if (!dimm)
			continue;
		name = ndctl_dimm_get_devname(dimm);
		for (i = 0; i < found; i++)
			if (strcmp(bb->dimms[i], name) == 0)
				break;
		if (i == found)
			bb->dimms[found++] = name;
	}
	/* ndctl sorts them by DIMM number. */
	for (size_t i = 1; i < found; i++)
		for (size_t j = i; j > 0 &&
		     atoi(bb->dimms[j - 1] + 4) > atoi(bb->dimms[j] + 4); j--) {
			const char *t = bb->dimms[j];

			bb->dimms[j] = bb->dimms[j - 1];
			bb->dimms[j - 1] = t;
		}
}

static void locate(struct pm_badblock *bb, struct ndctl_region *ndregion,
		   unsigned long long spa, unsigned long long len)
{
	bb->ndregion = ndregion;
	bb->spa = spa;
	bb->spa_len = len;
}

const char *const *pm_badblock_dimms(const struct pm_badblock *bb)
{
	struct pm_badblock *cache = (struct pm_badblock *)bb;

	if (!bb->dimms_read && bb->spa_len)
		find_dimms(bb->ndregion, bb->spa, bb->spa_len, cache);
	cache->dimms_read = true;
	return bb->dimms;
}

/* The region's ranges whole: ndctl's util_region_badblocks_to_json(). */
static int region_ranges(struct ndctl_region *ndregion, struct pm_badblocks *bbs)
{
	unsigned long long start = ndctl_region_get_resource(ndregion);
	struct badblock *b;

	ndctl_region_badblock_foreach(ndregion, b) {
		struct pm_badblock *bb = add(bbs, b->offset, b->len, false);

		if (!bb)
			return -ENOMEM;
		if (start != ULLONG_MAX)
			locate(bb, ndregion, start + (b->offset << 9),
			       (unsigned long long)b->len << 9);
	}
	return 0;
}

/*
 * The region's ranges inside [begin, begin + size), from begin: ndctl's
 * dev_badblocks_to_json(); list false counts them without listing (BTT).
 */
static int device_ranges(struct ndctl_region *ndregion, unsigned long long begin,
			 unsigned long long size, bool list,
			 struct pm_badblocks *bbs)
{
	unsigned long long start = ndctl_region_get_resource(ndregion);
	unsigned long long last = begin + size - 1;
	struct badblock *b;

	if (start == ULLONG_MAX || begin == ULLONG_MAX || size == ULLONG_MAX)
		return 0;
	ndctl_region_badblock_foreach(ndregion, b) {
		unsigned long long bb_begin = start + (b->offset << 9);
		unsigned long long bb_end = bb_begin + ((unsigned long long)b->len << 9) - 1;
		unsigned long long from, to;
		struct pm_badblock *bb;

		if (bb_end <= begin || bb_begin >= last)
			continue;
		from = bb_begin < begin ? begin : bb_begin;
		to = bb_end > last ? last : bb_end;
		if (!list) {
			bbs->count += (to - from + 1) >> 9;
			continue;
		}
		bb = add(bbs, (from - begin) >> 9, (to - from + 1) >> 9, false);
		if (!bb)
			return -ENOMEM;
		locate(bb, ndregion, from, to - from + 1);
	}
	return 0;
}

/*
 * A CXL region's poison inside [begin, begin + size) of host addresses,
 * in sectors from begin: the kernel put each record's DPA through the
 * region's interleave to its HPA. The poison of every memdev of the region
 * is read (once per memdev); a record of another region is not ours. A
 * 64-byte record takes its whole sector, as the block layer would.
 */
static int poison_ranges(const struct pm_region *region, uint64_t begin,
			 uint64_t size, bool list, struct pm_badblocks *bbs)
{
	const struct pm_cxl_region *cxl = region->cxl;

	if (!cxl || !pm_cxl_poison_wanted() || begin == UINT64_MAX || size == UINT64_MAX)
		return 0;
	for (size_t t = 0; t < cxl->nr_targets; t++) {
		struct pm_memdev *memdev = cxl->targets[t].memdev;
		const struct pm_cxl_poison_list *pl;

		if (!memdev)
			continue;
		pl = pm_memdev_poison(memdev);
		if (pl->error && !bbs->poison_error)
			bbs->poison_error = pl->error;
		for (size_t i = 0; i < pl->nr; i++) {
			const struct pm_cxl_poison *p = &pl->v[i];
			uint64_t from, to;
			struct pm_badblock *bb;

			if (strcmp(p->region, cxl->dev) != 0 || p->hpa == UINT64_MAX ||
			    !p->length || p->hpa + p->length <= begin ||
			    p->hpa >= begin + size)
				continue;
			from = (p->hpa < begin ? 0 : p->hpa - begin) >> 9;
			to = (p->hpa + p->length - begin + 511) >> 9;
			if (to > size >> 9)
				to = size >> 9;
			if (!list) {
				bbs->count += to - from;
				continue;
			}
			bb = add(bbs, from, to - from, false);
			if (!bb)
				return -ENOMEM;
			bb->poison = p;
			bb->memdev = memdev->dev;
			bb->dimms_read = true;
		}
	}
	return 0;
}

/*
 * Whether the ARS ranges name the block device's range [offset, offset +
 * length): base is where the device's sector 0 lies in the ARS ranges'
 * sectors (a raw namespace's ranges count from its region's start).
 */
static bool covered(const struct pm_badblocks *bbs, uint64_t base,
		    uint64_t offset, uint64_t length)
{
	offset += base;
	for (size_t i = 0; i < bbs->nr; i++)
		if (!bbs->v[i].block && offset >= bbs->v[i].offset &&
		    offset + length <= bbs->v[i].offset + bbs->v[i].length)
			return true;
	return false;
}

/*
 * What the kernel fails reads and DAX faults on: the block device's own
 * list, from its sector 0. A range the ARS list already names is not
 * repeated.
 */
static int block_ranges(const char *blockdev, uint64_t base,
			struct pm_badblocks *bbs)
{
	unsigned long long offset, length;
	char path[PATH_MAX];
	FILE *f;
	int rc = 0;

	if (!blockdev)
		return 0;
	snprintf(path, sizeof(path), "/sys/block/%s/badblocks", blockdev);
	/* A page live; a replayed one could be anything. */
	f = pm_bundle_fopen(path, PM_HOST_ATTR_CAP);
	if (!f)
		return 0;
	while (fscanf(f, "%llu %llu", &offset, &length) == 2)
		if (!covered(bbs, base, offset, length) &&
		    !add(bbs, offset, length, true)) {
			rc = -ENOMEM;
			break;
		}
	fclose(f);
	return rc;
}

static const struct pm_badblocks *keep(struct pm_badblocks **cache,
				       struct pm_badblocks *bbs, int rc)
{
	if (rc) {
		pm_badblocks_free(bbs);
		return &none;
	}
	*cache = bbs;
	return bbs;
}

const struct pm_badblocks *pm_region_badblocks(const struct pm_region *region)
{
	/* The snapshot's cache: the model is otherwise read-only here. */
	struct pm_region *cache = (struct pm_region *)region;
	struct pm_badblocks *bbs;
	int rc;

	if (region->badblocks)
		return region->badblocks;
	if (!region->ndregion)
		return &none;
	bbs = calloc(1, sizeof(*bbs));
	if (!bbs)
		return &none;
	rc = region_ranges(region->ndregion, bbs);
	if (!rc)
		rc = poison_ranges(region, ndctl_region_get_resource(region->ndregion),
				   ndctl_region_get_size(region->ndregion), true, bbs);
	return keep(&cache->badblocks, bbs, rc);
}

/* ndctl's choice per mode (util_namespace_to_json()), then the block device's. */
static int namespace_ranges(const struct pm_namespace *ns,
			    struct pm_badblocks *bbs)
{
	struct ndctl_namespace *ndns = pm_namespace_ndns(ns);
	struct ndctl_region *ndregion = ndctl_namespace_get_region(ndns);
	struct ndctl_pfn *pfn = ndctl_namespace_get_pfn(ndns);
	struct ndctl_dax *dax = ndctl_namespace_get_dax(ndns);
	struct ndctl_btt *btt = ndctl_namespace_get_btt(ndns);
	uint64_t base = 0;
	int rc = 0;

	if (pfn && ndctl_pfn_get_resource(pfn) != ULLONG_MAX) {
		rc = device_ranges(ndregion, ndctl_pfn_get_resource(pfn),
				   ndctl_pfn_get_size(pfn), true, bbs);
		if (!rc)
			rc = poison_ranges(ns->region, ndctl_pfn_get_resource(pfn),
					   ndctl_pfn_get_size(pfn), true, bbs);
	} else if (dax) {
		rc = device_ranges(ndregion, ndctl_dax_get_resource(dax),
				   ndctl_dax_get_size(dax), true, bbs);
		if (!rc)
			rc = poison_ranges(ns->region, ndctl_dax_get_resource(dax),
					   ndctl_dax_get_size(dax), true, bbs);
	} else if (btt) {
		rc = device_ranges(ndregion, ndctl_namespace_get_resource(ndns),
				   ndctl_namespace_get_size(ndns), false, bbs);
		if (!rc)
			rc = poison_ranges(ns->region, ndctl_namespace_get_resource(ndns),
					   ndctl_namespace_get_size(ndns), false, bbs);
	} else if (!pfn) {
		unsigned long long start = ndctl_namespace_get_resource(ndns);
		unsigned long long region_start = ndctl_region_get_resource(ndregion);

		rc = region_ranges(ndregion, bbs);
		if (!rc)
			rc = poison_ranges(ns->region, region_start,
					   ndctl_region_get_size(ndregion), true, bbs);
		/*
		 * Both addresses are root's: without them the namespace is
		 * taken to start where its region does (label-less regions
		 * have a single namespace, which does).
		 */
		if (start != ULLONG_MAX && region_start != ULLONG_MAX &&
		    start >= region_start)
			base = (start - region_start) >> 9;
	}
	if (rc)
		return rc;
	return block_ranges(dax ? NULL : ns->blockdev, base, bbs);
}

const struct pm_badblocks *pm_namespace_badblocks(const struct pm_namespace *ns)
{
	struct pm_namespace *cache = (struct pm_namespace *)ns;
	struct pm_badblocks *bbs;

	if (ns->badblocks)
		return ns->badblocks;
	if (!pm_namespace_ndns(ns))
		return &none;
	bbs = calloc(1, sizeof(*bbs));
	if (!bbs)
		return &none;
	return keep(&cache->badblocks, bbs, namespace_ranges(ns, bbs));
}

const struct pm_badblocks *pm_memdev_badblocks(const struct pm_memdev *memdev)
{
	struct pm_memdev *cache = (struct pm_memdev *)memdev;
	const struct pm_cxl_poison_list *pl;
	struct pm_badblocks *bbs;

	if (memdev->badblocks)
		return memdev->badblocks;
	bbs = calloc(1, sizeof(*bbs));
	if (!bbs)
		return &none;
	if (!pm_cxl_poison_wanted()) {
		cache->badblocks = bbs;
		return bbs;
	}
	pl = pm_memdev_poison(cache);
	bbs->poison_error = pl->error;
	for (size_t i = 0; i < pl->nr; i++) {
		const struct pm_cxl_poison *p = &pl->v[i];
		struct pm_badblock *bb;

		bb = add(bbs, p->dpa >> 9,
			 ((p->dpa + p->length + 511) >> 9) - (p->dpa >> 9), false);
		if (!bb)
			return keep(&cache->badblocks, bbs, -ENOMEM);
		bb->poison = p;
		bb->memdev = memdev->dev;
		bb->dimms_read = true;
	}
	cache->badblocks = bbs;
	return bbs;
}

void pm_badblocks_free(struct pm_badblocks *bbs)
{
	if (!bbs)
		return;
	free(bbs->v);
	free(bbs);
}

/* One "SPA LEN DIMM..." line per located range; false when text is full. */
static bool record(const struct pm_badblocks *bbs, char *text, size_t len,
		   size_t *used)
{
	for (size_t i = 0; i < bbs->nr; i++) {
		const struct pm_badblock *bb = &bbs->v[i];
		const char *const *dimms;
		int n;

		if (!bb->spa_len)
			continue;
		dimms = pm_badblock_dimms(bb);
		n = snprintf(text + *used, len - *used, "%llu %llu", bb->spa,
			     bb->spa_len);
		for (size_t d = 0; n >= 0 && dimms[d]; d++)
			if ((size_t)n < len - *used)
				n += snprintf(text + *used + n, len - *used - n,
					      " %s", dimms[d]);
		if (n < 0 || (size_t)n + 1 >= len - *used)
			return false;
		*used += n;
		text[(*used)++] = '\n';
		text[*used] = '\0';
	}
	return true;
}

int pm_badblock_dimms_format(const struct pm_platform *pf,
			     const struct pm_region *region, char **text)
{
	size_t len = 4096, used;
	char *buf = NULL;

	*text = NULL;
	if (!region->ndregion ||
	    ndctl_region_get_interleave_ways(region->ndregion) == 1)
		return 0;
	for (;;) {
		char *grown = realloc(buf, len);
		bool fits;

		if (!grown) {
			free(buf);
			return -ENOMEM;
		}
		buf = grown;
		used = 0;
		buf[0] = '\0';
		fits = record(pm_region_badblocks(region), buf, len, &used);
		for (size_t i = 0; fits && i < pf->nr_namespaces; i++)
			if (pf->namespaces[i]->region == region)
				fits = record(pm_namespace_badblocks(pf->namespaces[i]),
					      buf, len, &used);
		if (fits)
			break;
		len *= 2;
	}
	if (!used) {
		free(buf);
		return 0;
	}
	*text = buf;
	return (int)used;
}
