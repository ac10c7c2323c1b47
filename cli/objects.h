/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Selecting platform objects by name and kind, and arranging them in a tree. */
#ifndef PMEMCTL_OBJECTS_H
#define PMEMCTL_OBJECTS_H

#include <stdbool.h>

#include "output.h"
#include "../lib/pmem.h"

#define MAX_FILTER 32

/* Objects named on the command line; an empty list lets every one pass. */
struct filter {
	const struct pm_bus *buses[MAX_FILTER];
	size_t nr_buses;
	const struct pm_dimm *dimms[MAX_FILTER];
	size_t nr_dimms;
	const struct pm_region *regions[MAX_FILTER];
	size_t nr_regions;
	const struct pm_namespace *namespaces[MAX_FILTER];
	size_t nr_namespaces;
	const struct pm_daxdev *daxdevs[MAX_FILTER];
	size_t nr_daxdevs;
	const struct pm_memdev *memdevs[MAX_FILTER];
	size_t nr_memdevs;
	const struct pm_cxl_decoder *decoders[MAX_FILTER];
	size_t nr_decoders;
	bool has_mode;
	enum pm_ns_mode mode;
	bool idle;		/* include disabled and unconfigured objects */
};

/* A name as the user gave it, kept until the platform is scanned. */
struct wanted {
	enum pm_object_kind kind;	/* PM_NR_KINDS: tell by the name */
	const char *name;
};

/* Adds the named object to the filter; 0, or an exit code after a message. */
int resolve_object(const struct pm_platform *pf, const struct wanted *w,
		   struct filter *f);
const struct pm_daxdev *find_daxdev(const struct pm_platform *pf,
				    const char *name);

/*
 * Builds the tree of the selected kinds (a bit per enum pm_object_kind)
 * that pass the filter: each object under its nearest selected ancestor.
 */
int build_object_tree(const struct pm_platform *pf, unsigned int selected,
		      const struct filter *f, struct out_node *root);

#endif
