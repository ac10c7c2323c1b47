/* SPDX-License-Identifier: GPL-2.0-or-later */
/* CXL region provisioning: the plan over plain facts, and its run (libcxl). */
#ifndef PMEMCTL_CXL_REGION_H
#define PMEMCTL_CXL_REGION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "change.h"
#include "convert.h"

#define PM_CXL_MAX_WAYS 16
/* The kernel (6.1 drivers/cxl/core) carves DPA and HPA in 256M units. */
#define PM_CXL_UNIT (256ULL << 20)

/* What a region change reports: the region, made or destroyed. */
struct pm_region_change {
	char region[32];		/* the nvdimm region; "" until it exists */
	char cxl_region[32];		/* the CXL region; "" until made */
	char decoder[32];		/* the root decoder */
	char memdevs[PM_CXL_MAX_WAYS][32];	/* in position order */
	const char *memdev_names[PM_CXL_MAX_WAYS + 1];	/* NULL-terminated view */
	unsigned int ways;
	unsigned int granularity;	/* bytes; 0 unknown */
	uint64_t size;
	bool ram;			/* a volatile (ram) region, not pmem */
	char daxdev[32];		/* ram: its dax device, "" until it exists */
};

/* A memdev named on the command line, as the platform has it. */
struct pm_cxl_memdev_facts {
	const char *dev;		/* mem0 */
	uint64_t pmem_size;
	uint64_t dpa_used;		/* pmem DPA its endpoint decoders hold */
	uint64_t ram_size;
	uint64_t ram_dpa_used;		/* ram DPA its endpoint decoders hold */
	const char *region;		/* a CXL region it is in, or NULL */
	bool no_endpoint;		/* cxl_mem has not bound it: no port */
	bool free_decoder;		/* an endpoint decoder without a range */
};

/* A root decoder: a CXL fixed memory window. */
struct pm_cxl_root_facts {
	const char *dev;		/* decoder0.0 */
	bool pmem_capable;
	bool ram_capable;		/* volatile regions may be made in it */
	unsigned int ways;		/* the window's own interleave */
	unsigned int granularity;
	uint64_t start, size;		/* the window */
	uint64_t busy[PM_CXL_MAX_WAYS * 4][2];	/* its regions: start, size */
	size_t nr_busy;
	bool reaches[PM_CXL_MAX_WAYS];	/* per memdev of the request */
};

/* A committed (or not) region, for idempotence and conflicts. */
struct pm_cxl_region_facts {
	const char *dev;		/* region0 */
	const char *decoder;		/* its root decoder */
	bool committed;
	bool ram;
	unsigned int ways, granularity;
	uint64_t size;
	const char *memdevs[PM_CXL_MAX_WAYS];	/* in position order */
	size_t nr_memdevs;
};

struct pm_cxl_request {
	const char *memdevs[PM_CXL_MAX_WAYS];	/* in position order */
	size_t nr_memdevs;
	unsigned int granularity;	/* 0: the root decoder's */
	uint64_t size;			/* 0: the largest that fits */
	const char *decoder;		/* NULL: the best root decoder */
	bool ram;			/* --type ram: volatile capacity */
	bool dry_run;
};

struct pm_cxl_facts {
	struct pm_cxl_memdev_facts memdevs[PM_CXL_MAX_WAYS];	/* the request's */
	struct pm_cxl_root_facts *roots;
	size_t nr_roots;
	struct pm_cxl_region_facts *regions;
	size_t nr_regions;
};

/* The largest free range of a window a region of ways can take (aligned). */
uint64_t pm_cxl_window_free(const struct pm_cxl_root_facts *root,
			    unsigned int ways);

/*
 * Plans a region: the root decoder, granularity and size, or the region
 * that already is what is asked (res->noop). res gets the check step,
 * then the planned steps; rc (the check's -errno) says why not in
 * res->message: -ENOENT (unknown memdev or decoder), -EBUSY (a memdev in
 * another region), -ENOSPC (too small), -EOPNOTSUPP (no root decoder
 * reaches them all), -EINVAL (a size or granularity that cannot be).
 */
int pm_plan_create_region(const struct pm_cxl_facts *f,
			  const struct pm_cxl_request *req,
			  struct pm_region_change *rc,
			  struct pm_change_result *res);

/* Fills rc->memdev_names from rc->memdevs. */
void pm_region_change_finish(struct pm_region_change *rc);

struct pm_platform;
struct pm_cxl_region;
struct pm_region;

/*
 * Reads the facts of the request from the platform's libcxl context;
 * the caller frees f->roots and f->regions with pm_cxl_facts_free().
 */
int pm_cxl_facts_read(struct pm_platform *pf, const struct pm_cxl_request *req,
		      struct pm_cxl_facts *f);
void pm_cxl_facts_free(struct pm_cxl_facts *f);

/* Whether name is a root decoder of the platform. */
bool pm_cxl_root_decoder_exists(struct pm_platform *pf, const char *name);

/*
 * Creates the region planned into change (after pm_plan_create_region);
 * every step undone when one fails. 0 or the failed step's -errno.
 */
int pm_create_region(struct pm_platform *pf, struct pm_region_change *change,
		     struct pm_change_result *res);

/*
 * Destroys a CXL region (and the namespaces of its nvdimm region, nd may be
 * NULL): namespaces disabled and their labels deleted, the region disabled,
 * its decode reset, its memdevs' DPA freed, the region deleted. A ram
 * region's dax device is taken from kmem first; with memory online,
 * refused (-EBUSY) unless offline, which offlines it first. With
 * dry_run, the steps only.
 */
int pm_destroy_region(struct pm_platform *pf, const struct pm_cxl_region *cxl,
		      struct pm_region *nd, bool dry_run, bool offline,
		      struct pm_region_change *change,
		      struct pm_change_result *res);

/*
 * lib/cxl-ram.c, the steps of a ram region that libcxl 76 lacks: the
 * region made under root through create_ram_region and found in a new
 * context (*ctx, to be unref'd); enabled with its dax device handed to
 * device_dax, its memory offline (dax gets its name); verified devdax.
 */
struct cxl_ctx;
struct cxl_region;
struct cxl_region *pm_cxl_ram_region_new(const char *root, struct cxl_ctx **ctx,
					 int *err);
int pm_cxl_ram_enable(struct cxl_region *region, char *dax, size_t len,
		      char *detail, size_t dlen);
int pm_cxl_ram_verify(const char *dax, char *detail, size_t dlen);

#endif
