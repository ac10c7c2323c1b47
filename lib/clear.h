/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Clearing media errors of a namespace or a region: the plan and its run. */
#ifndef PMEMCTL_CLEAR_H
#define PMEMCTL_CLEAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "change.h"
#include "convert.h"

struct pm_mount;

/* How a range is cleared; the plan decides per range from the bus. */
enum pm_clear_method {
	/*
	 * The bus's Clear Uncorrectable Error (ars_cap, then clear_error),
	 * as ndctl clear-errors sends it, with the namespace disabled so that
	 * enabling it rebuilds the block device's list from the bus's.
	 */
	PM_CLEAR_DSM,
	/*
	 * Zeros written through the block device: the pmem driver clears the
	 * poison (through the bus where it has a command, else by dropping
	 * the entry: virtio-pmem, e820) and the list before writing.
	 */
	PM_CLEAR_WRITE,
	/*
	 * --forget: disable and enable the namespace, so that the kernel
	 * rebuilds the block device's list from the bus's, which never had
	 * the range. Nothing is repaired or written.
	 */
	PM_CLEAR_FORGET,
	/*
	 * A CXL region's poison: every 64-byte line of the poison records in
	 * the range cleared through the memdevs' debugfs clear_poison (the
	 * device writes zeros there). The namespace stays enabled.
	 */
	PM_CLEAR_POISON,
};

/* A bad range the plan clears. */
struct pm_clear_range {
	char ns[32];			/* namespace0.0; "": outside every namespace */
	/*
	 * 512-byte sectors: from the namespace's first data byte (its block
	 * device's sector 0), or from the region's start when ns is "".
	 */
	uint64_t offset;
	uint64_t length;
	bool block;			/* only the block device's list has it */
	enum pm_clear_method method;
	bool cleared;			/* done (and verified at the end) */
	uint64_t spa;			/* physical address; 0 when block */
	bool injected;			/* inject-error: on the injection list */
};

/* A sector range as a badblocks file gives it. */
struct pm_sector_range {
	uint64_t offset;
	uint64_t length;
};

/* What the plan needs of one namespace: plain facts, no libndctl. */
struct pm_clear_ns_facts {
	const char *dev;		/* namespace0.0 */
	const char *blockdev;		/* pmem0; NULL: devdax, or disabled */
	enum pm_ns_mode mode;
	bool active;
	bool target;			/* its ranges are to be cleared */
	uint64_t start, end;		/* the namespace's extent [start, end) */
	uint64_t data_start, data_end;	/* after the info block and page map */
	const struct pm_sector_range *block;	/* the block device's list */
	size_t nr_block;
};

struct pm_clear_facts {
	const char *region;		/* region0 */
	const char *provider;		/* the bus: ACPI.NFIT, nfit_test.0, ... */
	uint64_t region_start;		/* physical address */
	bool can_dsm;			/* the bus has ars_cap and clear_error */
	bool write_clears;		/* a write through the block device clears */
	bool forget;			/* --forget */
	bool cxl_poison;		/* a CXL region: ars holds its poison */
	const char *poison_cannot;	/* why poison cannot be cleared here, or NULL */
	bool whole_region;		/* region target: ranges outside namespaces too */
	const struct pm_sector_range *ars;	/* the region's list (ARS) */
	size_t nr_ars;
	const struct pm_clear_ns_facts *ns;	/* every namespace with an extent */
	size_t nr_ns;
};

struct pm_clear_request {
	bool dry_run;
	bool forget;			/* forget what cannot be cleared */
};

/*
 * The plan, pure: res gets the ranges (res->ranges, res->nr_ranges,
 * allocated; the caller frees them), the "check" step and the later steps
 * planned. 0; -EOPNOTSUPP with the reason in res->message when a range
 * cannot be cleared here (nothing is then done); -ENOMEM. No range at all
 * sets res->noop.
 */
int pm_clear_plan(const struct pm_clear_facts *f, struct pm_change_result *res);

/*
 * Clears the media errors of ns, or with ns NULL of every namespace of
 * region and the region's ranges outside them. The caller checked use
 * and took the lock. A failed step enables again what was disabled.
 * Returns 0 or -errno (the failed step's), with res filled either way.
 */
int pm_clear_errors(struct pm_platform *pf, struct pm_region *region,
		    struct pm_namespace *ns, const struct pm_clear_request *req,
		    struct pm_change_result *res);

/* Where ns's filesystem is mounted: true with m filled, false when not. */
bool pm_namespace_mount(const struct pm_namespace *ns, struct pm_mount *m);

const char *pm_clear_method_name(enum pm_clear_method method);

#endif
