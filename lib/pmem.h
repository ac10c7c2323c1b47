/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The platform model: one snapshot of buses, DIMMs, regions, namespaces. */
#ifndef PMEMCTL_PMEM_H
#define PMEMCTL_PMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ndctl_ctx;
struct ndctl_bus;
struct ndctl_dimm;
struct ndctl_region;
struct ndctl_namespace;

/* Ordered weakest first, so the platform verdict is a minimum. */
enum pm_domain {
	PM_DOMAIN_UNKNOWN,		/* attribute hidden: nothing declared */
	PM_DOMAIN_NONE,			/* declared, but no persistence */
	PM_DOMAIN_MEMORY_CONTROLLER,	/* ADR: durable at the memory controller */
	PM_DOMAIN_CPU_CACHE,		/* eADR: CPU caches are inside the domain */
};

/* The region's deep_flush attribute as the kernel exposes it. */
enum pm_deep_flush_attr {
	PM_DEEP_FLUSH_ABSENT,		/* no DIMM mappings: virtio-pmem, e820 */
	PM_DEEP_FLUSH_READ_ONLY,	/* 0444, reads 0: no flush hints */
	PM_DEEP_FLUSH_WRITABLE,		/* 0644, reads 1: flush hints or callback */
};

enum pm_ns_mode {
	PM_MODE_UNKNOWN,
	PM_MODE_RAW,
	PM_MODE_SECTOR,
	PM_MODE_FSDAX,
	PM_MODE_DEVDAX,
};

enum pm_object_kind {
	PM_BUS,
	PM_DIMM,
	PM_REGION,
	PM_NAMESPACE,
	PM_DAXDEV,
	PM_NR_KINDS,
};

/*
 * Every object struct starts with its kernel name (dev): the model sorts
 * them all with one comparison.
 */
struct pm_bus {
	char *dev;			/* ndbus0 */
	char *provider;			/* ACPI.NFIT, virtio-pmem, e820, ... */
	struct ndctl_bus *ndbus;
};

struct pm_dimm {
	char *dev;			/* nmem0 */
	char *id;			/* unique id, NULL when the DIMM has none */
	unsigned int handle;
	unsigned int phys_id;
	bool enabled;
	struct pm_bus *bus;
	struct ndctl_dimm *nddimm;
};

struct pm_mapping {
	struct pm_dimm *dimm;
	uint64_t offset;
	uint64_t length;
	int position;			/* -1 when the kernel does not say */
};

struct pm_region {
	char *dev;			/* region0 */
	const char *type;		/* pmem, volatile, blk */
	uint64_t size;
	uint64_t available_size;
	uint64_t max_available_extent;
	uint64_t align;			/* 0 when unknown */
	int numa_node;			/* -1 when unknown */
	int target_node;		/* -1 when unknown */
	bool enabled;
	bool has_iset_id;
	uint64_t iset_id;
	enum pm_domain domain;
	enum pm_deep_flush_attr deep_flush;
	struct pm_mapping *mappings;
	size_t nr_mappings;
	struct pm_bus *bus;
	struct ndctl_region *ndregion;
};

struct pm_namespace {
	char *dev;			/* namespace0.0 */
	enum pm_ns_mode mode;
	const char *map;		/* mem or dev for fsdax/devdax, else NULL */
	uint64_t size;			/* usable size after any info block */
	uint64_t align;			/* 0 when not applicable */
	unsigned int sector_size;	/* 0 for devdax */
	char *blockdev;			/* pmem0, pmem0s; NULL when none */
	char *chardev;			/* dax0.0 for devdax; NULL otherwise */
	char *uuid;			/* NULL for label-less namespaces */
	char *name;			/* the label's alternate name, or NULL */
	bool active;			/* it, or the claim on it, is enabled */
	int numa_node;
	int target_node;
	struct pm_region *region;
	struct ndctl_namespace *ndns;
};

struct pm_daxdev {
	char *dev;			/* dax0.0 */
	const char *mode;		/* devdax or system-ram */
	uint64_t size;
	uint64_t align;
	int target_node;
	bool enabled;
	struct pm_namespace *ns;
};

struct pm_platform {
	struct pm_bus **buses;
	size_t nr_buses;
	struct pm_dimm **dimms;
	size_t nr_dimms;
	struct pm_region **regions;
	size_t nr_regions;
	struct pm_namespace **namespaces;
	size_t nr_namespaces;
	struct pm_daxdev **daxdevs;
	size_t nr_daxdevs;
	struct ndctl_ctx *ndctx;
};

/* Build a snapshot of the platform; returns 0 or -errno. */
int pm_platform_scan(struct pm_platform **out);
void pm_platform_free(struct pm_platform *pf);

struct pm_bus *pm_find_bus(const struct pm_platform *pf, const char *name);
struct pm_dimm *pm_find_dimm(const struct pm_platform *pf, const char *name);
struct pm_region *pm_find_region(const struct pm_platform *pf,
				 const char *name);
struct pm_namespace *pm_find_namespace(const struct pm_platform *pf,
				       const char *name);

bool pm_region_uses_dimm(const struct pm_region *region,
			 const struct pm_dimm *dimm);

const char *pm_domain_name(enum pm_domain domain);
const char *pm_deep_flush_attr_name(enum pm_deep_flush_attr attr);
const char *pm_ns_mode_name(enum pm_ns_mode mode);
int pm_ns_mode_parse(const char *name, enum pm_ns_mode *mode);
const char *pm_kind_name(enum pm_object_kind kind);

/* Sizes: "2M", "1G", "4096", "0x1000"; returns 0 or -EINVAL/-ERANGE. */
int pm_parse_size(const char *text, uint64_t *bytes);
/* "1.5G"-style rendering with binary units, as lsblk prints sizes. */
void pm_format_size(uint64_t bytes, char *buf, size_t len);

/* Kernel modules (libkmod). */
enum pm_module_state {
	PM_MODULE_MISSING,		/* neither loaded nor installed */
	PM_MODULE_AVAILABLE,		/* installed, not loaded */
	PM_MODULE_LOADED,		/* loaded, or built into the kernel */
};
int pm_module_state(const char *name, enum pm_module_state *state);

#endif
