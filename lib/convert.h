/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Namespace conversion, creation and destruction that lose nothing. */
#ifndef PMEMCTL_CONVERT_H
#define PMEMCTL_CONVERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pmem.h"

struct pm_change_result;

/* What a namespace is configured as: the part a conversion changes. */
struct pm_ns_config {
	enum pm_ns_mode mode;
	const char *map;		/* "mem", "dev", or NULL */
	uint64_t align;			/* 0: not applicable */
	unsigned int sector_size;	/* sector mode only; else 0 */
	char uuid[40];			/* the claim's (or namespace's) uuid */
	uint64_t size;
	/* system-ram only: */
	int zone;			/* enum pm_zone of the online blocks */
	int target_node;		/* the node the memory is on; -1 */
};

struct pm_convert_request {
	enum pm_ns_mode mode;
	uint64_t align;			/* 0: the default for the mode */
	const char *map;		/* NULL: the default (dev) */
	unsigned int sector_size;	/* 0: the default (4096) */
	bool dry_run;
	bool no_movable;		/* system-ram: online to ZONE_NORMAL */
	bool no_online;			/* system-ram: leave the blocks offline */
};

/* The namespace's configuration, as the model sees it. */
void pm_ns_config_of(const struct pm_namespace *ns, struct pm_ns_config *cfg);

/*
 * Changes the namespace's mode (and alignment, map, sector size) in place,
 * keeping its uuid, size and name; on a failed step, puts the previous
 * configuration back. Returns 0, or the failed step's -errno. The caller
 * checked use, signatures and the lock first.
 */
int pm_convert(struct pm_platform *pf, struct pm_namespace *ns,
	       const struct pm_convert_request *req,
	       struct pm_change_result *res);

/*
 * lib/convert-dax.c: the dax device of a CXL ram region (no namespace)
 * between devdax and system-ram, as pm_convert() does it for a devdax
 * namespace whose claim stays; other modes are refused (-EOPNOTSUPP).
 */
int pm_convert_daxdev(const struct pm_daxdev *dax,
		      const struct pm_convert_request *req,
		      struct pm_change_result *res);

/* Destroys a namespace: its info block, its claim and (labelled) label. */
int pm_destroy(struct pm_platform *pf, struct pm_namespace *ns, bool dry_run,
	       struct pm_change_result *res);

/*
 * Creates a namespace of size bytes (0: the largest free extent) in a
 * labelled region, then converts it to req->mode; undone on failure.
 */
int pm_create(struct pm_platform *pf, struct pm_region *region, uint64_t size,
	      const char *name, const struct pm_convert_request *req,
	      struct pm_change_result *res, char *created, size_t len);

#endif
