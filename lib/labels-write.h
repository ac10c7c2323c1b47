/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Writing DIMM label areas (init, zero, restore), undone when a step fails. */
#ifndef PMEMCTL_LABELS_WRITE_H
#define PMEMCTL_LABELS_WRITE_H

#include <stdbool.h>
#include <stddef.h>

#include "change.h"
#include "pmem.h"

enum pm_labels_op {
	PM_LABELS_INIT,			/* two index blocks, no label */
	PM_LABELS_ZERO,			/* the whole area zeroed */
	PM_LABELS_RESTORE,		/* the whole area from a backup */
};

#define PM_LABELS_MAX_DIMMS 16
#define PM_LABELS_MAX_REGIONS 32
#define PM_LABELS_MAX_LOST 32

/* One DIMM's label area, read before anything is written. */
struct pm_labels_dimm {
	struct pm_dimm *dimm;
	struct ndctl_cmd *read;		/* the whole area (libndctl's read) */
	unsigned char *saved;		/* its bytes: written back on failure */
	size_t size;			/* the DIMM's config (label area) size */
	int version;			/* 101 or 102 when initialised, else 0 */
	bool zeroed;			/* every byte 0 */
	bool noop;			/* already as asked */
	bool written;			/* a write was sent: undo writes it back */
	bool reloaded;			/* the kernel read its labels again */
};

/* A label write over several DIMMs, as planned and as carried out. */
struct pm_labels_change {
	enum pm_labels_op op;
	int version;			/* init: 101 (default) or 102 */
	bool version_given;		/* --label-version was given */
	const unsigned char *image;	/* restore: the backup's bytes */
	size_t image_size;
	struct pm_labels_dimm dimms[PM_LABELS_MAX_DIMMS];
	size_t nr_dimms;
	/* The regions of the DIMMs to write, and which were taken down. */
	struct pm_region *regions[PM_LABELS_MAX_REGIONS];
	bool disabled[PM_LABELS_MAX_REGIONS];
	size_t nr_regions;
	/* For the report: the DIMMs, and the namespaces whose definitions go. */
	const char *dimm_names[PM_LABELS_MAX_DIMMS + 1];
	const char *lost[PM_LABELS_MAX_LOST + 1];
	size_t nr_lost;
	bool data_lost;			/* lost, or data the write makes unreachable */
	/*
	 * Namespaces defined but disabled before: enabling a region enables
	 * them all, so an undo disables them again (by their labels' uuid).
	 */
	char idle_uuids[PM_LABELS_MAX_LOST][40];
	size_t nr_idle;
	char version_name[8];		/* "1.1", "1.2", or "" */
};

/* Adds a DIMM to the change (the caller found it): 0 or -E2BIG, -EEXIST. */
int pm_labels_add_dimm(struct pm_labels_change *c, struct pm_dimm *dimm);

/*
 * Reads each DIMM's area and plans: res gets the "check" step and every
 * later step planned. -EBUSY (message names the active namespace or the
 * holder), -EINVAL (a backup of another size), -errno of a read; res->noop
 * when every area is already as asked. c->lost, c->data_lost: what the
 * write destroys (the caller asks --force for it).
 */
int pm_labels_plan(struct pm_platform *pf, struct pm_labels_change *c,
		   bool dry_run, struct pm_change_result *res);

/*
 * Carries the plan out: the regions down, each area read again and kept,
 * written, the kernel's copy reloaded, the regions up. A failed step
 * writes the kept areas back and enables what was disabled. 0 or the
 * failed step's -errno. PMEMCTL_TEST_FAIL_STEP=<step> fails that step
 * after it ran (tests).
 */
int pm_labels_apply(struct pm_labels_change *c, struct pm_change_result *res);

void pm_labels_change_free(struct pm_labels_change *c);

/*
 * A backup of one DIMM's area (read-labels --backup's format): path's
 * bytes, checked against SHA256SUMS beside it, and the DIMM id in
 * <dimm>.id. -EINVAL with why for a missing or wrong checksum, an
 * unreadable file; *id_matches false when the .id names another DIMM
 * than dimm_id. *buf is malloc()ed.
 */
int pm_labels_backup_load(const char *path, const char *dimm_id,
			  unsigned char **buf, size_t *len, bool *id_matches,
			  char *why, size_t why_len);

const char *pm_labels_op_name(enum pm_labels_op op);

#endif
