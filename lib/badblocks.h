/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Media errors of regions and namespaces: ndctl list -M's, and the block device's. */
#ifndef PMEMCTL_BADBLOCKS_H
#define PMEMCTL_BADBLOCKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ndctl_region;
struct pm_region;
struct pm_namespace;

#define PM_BADBLOCK_MAX_DIMMS 16

/* One bad range, in 512-byte sectors, as ndctl list -M prints it. */
struct pm_badblock {
	uint64_t offset;
	uint64_t length;
	/*
	 * false: from the region's list (ARS), offsets as ndctl gives them;
	 * true: from /sys/block/<dev>/badblocks, from the device's sector 0.
	 */
	bool block;
	/* Where it is, for pm_badblock_dimms(); spa_len 0: unknown. */
	struct ndctl_region *ndregion;
	unsigned long long spa, spa_len;
	bool dimms_read;
	const char *dimms[PM_BADBLOCK_MAX_DIMMS + 1];	/* NULL-terminated */
	/*
	 * A CXL region's poison (lib/cxl.h) the range comes from, and the
	 * memdev whose list holds it; NULL for ARS and block ranges.
	 */
	const struct pm_cxl_poison *poison;
	const char *memdev;
};

struct pm_badblocks {
	struct pm_badblock *v;
	size_t nr;
	/* A CXL region's: why its memdevs' poison could not be read, or 0. */
	int poison_error;
	/* ndctl's badblock_count, plus the sectors only the block device has. */
	uint64_t count;
};

/*
 * Read on the first call (sysfs files, a CXL region's poison lists, and for the DIMMs of an interleaved
 * range a Translate SPA command, root only) and kept. Never NULL.
 */
const struct pm_badblocks *pm_region_badblocks(const struct pm_region *region);
const struct pm_badblocks *pm_namespace_badblocks(const struct pm_namespace *ns);
/* A CXL memdev's poison list as ranges of DPA sectors (poison_error: why none). */
struct pm_memdev;
const struct pm_badblocks *pm_memdev_badblocks(const struct pm_memdev *memdev);
/*
 * The DIMMs under an ARS range, found on the first call: for an
 * interleaved region a firmware command per sector until each DIMM of the
 * set is found, so only JSON's "dimms" asks. NULL-terminated.
 */
const char *const *pm_badblock_dimms(const struct pm_badblock *bb);
/*
 * For a support bundle, what Translate SPA answered for the ranges of an
 * interleaved region and its namespaces: "SPA LEN DIMM..." lines in a
 * malloc()ed *text (NULL when there is nothing to record). The length, or
 * -ENOMEM.
 */
struct pm_platform;
int pm_badblock_dimms_format(const struct pm_platform *pf,
			     const struct pm_region *region, char **text);
void pm_badblocks_free(struct pm_badblocks *bbs);

#endif
