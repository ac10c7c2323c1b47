/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Namespace conversion, creation and destruction that lose nothing. */
#ifndef PMEMCTL_CONVERT_H
#define PMEMCTL_CONVERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pmem.h"

struct pm_clear_range;
struct pm_region_change;

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

enum pm_step_status {
	PM_STEP_PLANNED,		/* --dry-run: would be done */
	PM_STEP_DONE,
	PM_STEP_FAILED,
	PM_STEP_UNDONE,			/* rolled back after a later failure */
};

/* What carrying a step out does; the plan decides, convert.c acts. */
enum pm_step_action {
	PM_ACT_CHECK,			/* the plan's own decisions */
	PM_ACT_LOAD_MODULE,
	PM_ACT_DISABLE,
	PM_ACT_CLEAR_INFO_BLOCK,
	PM_ACT_SET_CLAIM_CLASS,
	PM_ACT_CONFIGURE_NAMESPACE,	/* create: uuid, name, size */
	PM_ACT_CONFIGURE_CLAIM,		/* the pfn, dax or btt seed of to.mode */
	PM_ACT_ENABLE,			/* the claim, or the namespace raw */
	PM_ACT_VERIFY,
	PM_ACT_DELETE,			/* the namespace label */
	PM_ACT_ROLLBACK,
	PM_ACT_WRITE_ZEROS,		/* clear-errors: through the block device */
	PM_ACT_CLEAR_ERROR,		/* clear-errors: the bus's clear command */
	/* system-ram (lib/convert-sysram.c) */
	PM_ACT_LOAD_KMEM,		/* the kmem module */
	PM_ACT_BIND_KMEM,		/* the dax device from device_dax to kmem */
	PM_ACT_ONLINE_MEMORY,		/* every block online, in the zone asked */
	PM_ACT_OFFLINE_MEMORY,		/* every block offline, or none */
	PM_ACT_UNBIND_KMEM,		/* the dax device back to device_dax */
};

struct pm_step {
	const char *name;		/* disable, clear-info-block, ... */
	enum pm_step_action action;
	enum pm_step_status status;
	int err;			/* -errno when it failed */
	char detail[192];
};

#define PM_MAX_STEPS 24

struct pm_convert_request {
	enum pm_ns_mode mode;
	uint64_t align;			/* 0: the default for the mode */
	const char *map;		/* NULL: the default (dev) */
	unsigned int sector_size;	/* 0: the default (4096) */
	bool dry_run;
	bool no_movable;		/* system-ram: online to ZONE_NORMAL */
	bool no_online;			/* system-ram: leave the blocks offline */
};

struct pm_convert_result {
	struct pm_ns_config from, to;
	bool changed;
	bool noop;			/* already as requested: nothing to do */
	bool rolled_back;		/* a step failed; the old state is back */
	int err;			/* 0, or the failed step's -errno */
	struct pm_step steps[PM_MAX_STEPS];
	size_t nr_steps;
	char blockdev[64];		/* the device after the change */
	char chardev[64];
	char message[256];
	/* clear-errors (lib/clear.h): the bad ranges; the caller frees them */
	struct pm_clear_range *ranges;
	size_t nr_ranges;
	bool no_config;			/* from and to do not apply: null */
	/* create-region, destroy-region (lib/cxl-region.h): the region */
	struct pm_region_change *region;
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
	       struct pm_convert_result *res);

/* Destroys a namespace: its info block, its claim and (labelled) label. */
int pm_destroy(struct pm_platform *pf, struct pm_namespace *ns, bool dry_run,
	       struct pm_convert_result *res);

/*
 * Creates a namespace of size bytes (0: the largest free extent) in a
 * labelled region, then converts it to req->mode; undone on failure.
 */
int pm_create(struct pm_platform *pf, struct pm_region *region, uint64_t size,
	      const char *name, const struct pm_convert_request *req,
	      struct pm_convert_result *res, char *created, size_t len);

const char *pm_step_status_name(enum pm_step_status status);

#endif
