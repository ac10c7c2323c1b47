/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What read-labels and check-labels share: the DIMMs named, reading their areas. */
#ifndef PMEMCTL_LABELS_CLI_H
#define PMEMCTL_LABELS_CLI_H

#include <stddef.h>

struct pmemctl_ctx;
struct pm_platform;
struct pm_dimm;

/*
 * The DIMMs named (nmemN), or every DIMM when none is; *dimms is malloc'd.
 * Returns an exit code (EXIT_NOT_FOUND, reported, for an unknown name).
 */
int labels_dimms(struct pmemctl_ctx *ctx, const struct pm_platform *pf,
		 int argc, char **argv, const struct pm_dimm ***dimms,
		 size_t *nr);
/* Says why a DIMM's area could not be read (-errno from lib); the exit code. */
int labels_read_error(const struct pm_dimm *dimm, int err);

#endif
