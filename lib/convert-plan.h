/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Planning a namespace change: pure decisions over plain facts. */
#ifndef PMEMCTL_CONVERT_PLAN_H
#define PMEMCTL_CONVERT_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "change.h"
#include "convert.h"
#include "sysram.h"

#define PM_PLAN_MAX_CHOICES 16

/*
 * What a region offers, read from libndctl by convert.c: plain data, so
 * that every decision below can be tested without hardware.
 */
struct pm_region_offer {
	const char *dev;		/* region0 */
	bool read_only;
	bool labelled;			/* namespaces are carved by labels */
	/* not labelled: its DIMMs with a blank label area ("nmem0 nmem1") */
	const char *blank_dimms;
	bool has_pfn, has_dax, has_btt;	/* a claim seed of each kind */
	/* What each seed supports; an empty alignment list accepts any. */
	unsigned long pfn_aligns[PM_PLAN_MAX_CHOICES];
	size_t nr_pfn_aligns;
	unsigned long dax_aligns[PM_PLAN_MAX_CHOICES];
	size_t nr_dax_aligns;
	unsigned int sector_sizes[PM_PLAN_MAX_CHOICES];
	size_t nr_sector_sizes;
	uint64_t max_available_extent;
	uint64_t align;			/* namespaces are carved in these; 0 */
	const char *idle_seed;		/* an unconfigured namespace, or NULL */
	/* create --mode system-ram: */
	const char *auto_online;	/* auto_online_blocks, or NULL */
	int target_node;		/* the region's; -1 */
};

/* A namespace about to be converted or destroyed. */
struct pm_ns_facts {
	const char *dev;		/* namespace0.0 */
	struct pm_ns_config config;	/* as it is now */
	uint64_t raw_size;		/* the whole namespace, info block included */
	bool labelled;			/* it has a label (not label-less) */
	const char *blockdev;		/* its devices now, or NULL */
	const char *chardev;
	/* system-ram: the dax device's blocks (NULL: not bound to kmem) */
	const struct pm_sysram *ram;
	const char *auto_online;	/* auto_online_blocks, or NULL */
	int target_node;		/* where kmem would put it; -1 */
};

/*
 * Completes the request with the mode's defaults into to and checks it
 * against what the region offers: -EOPNOTSUPP (no seed for the mode) or
 * -EINVAL (alignment, sector size) with why said in why.
 */
int pm_plan_request(const struct pm_region_offer *r,
		    const struct pm_convert_request *req,
		    struct pm_ns_config *to, char *why, size_t len);
/* Already as requested: what the request names matches from. */
bool pm_plan_is_noop(const struct pm_ns_config *from,
		     const struct pm_convert_request *req,
		     const struct pm_ns_config *to);
/* The driver a mode needs: nd_pmem, dax_pmem or nd_btt. */
const char *pm_plan_module(enum pm_ns_mode mode);

/*
 * The plans: res gets from/to, the "check" step (done, or failed with the
 * reason in res->message) and every later step planned, each with its
 * detail as a dry run (req->dry_run) or a real one says it. Returns 0 or
 * the check's -errno; a convert that has nothing to do sets res->noop.
 */
int pm_plan_convert(const struct pm_region_offer *r,
		    const struct pm_ns_facts *ns,
		    const struct pm_convert_request *req,
		    struct pm_change_result *res);
int pm_plan_create(const struct pm_region_offer *r, uint64_t size,
		   const char *name, const struct pm_convert_request *req,
		   struct pm_change_result *res);
/* Destroying needs no check: the plan is its steps. */
void pm_plan_destroy(const struct pm_ns_facts *ns, bool dry_run,
		     struct pm_change_result *res);

/* The end of a conversion's steps: steps undone and the message (convert.c). */
void pm_convert_outcome(const struct pm_convert_request *req, struct pm_change_result *res,
			const struct pm_step *failed, int rc);

#endif
