/* SPDX-License-Identifier: GPL-2.0-or-later */
/* CXL memory devices and the CXL regions behind nvdimm regions (libcxl). */
#ifndef PMEMCTL_CXL_H
#define PMEMCTL_CXL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pm_platform;
struct pm_region;
struct pm_daxdev;
struct cxl_ctx;
struct cxl_memdev;
struct cxl_region;
struct pm_badblocks;

/* A memdev's Get Health Info answer, read on first use. */
struct pm_memdev_health {
	int error;			/* 0: read; else -errno (why not) */
	bool maintenance_needed;
	bool performance_degraded;
	bool hw_replacement_needed;
	bool media_normal;
	int life_used;			/* percent; -1 when not reported */
	int temperature;		/* Celsius; INT32_MIN when not reported */
	int64_t dirty_shutdowns;	/* -1 when not reported */
};

/*
 * A record of a memdev's poison list (lib/cxl-poison.c): DPA and length in
 * bytes; the region and HPA where the DPA is mapped into one.
 */
struct pm_cxl_poison {
	char region[32];		/* region0; "" when not mapped */
	uint64_t hpa;			/* UINT64_MAX when not mapped */
	uint64_t dpa;
	uint64_t length;		/* bytes */
	char source[16];		/* Injected, Media, External, Internal, Vendor */
};

struct pm_cxl_poison_list {
	int error;			/* 0: read; else -errno (why not) */
	struct pm_cxl_poison *v;
	size_t nr;
	bool stale;			/* read again on the next ask */
	/* The list it replaced: bad ranges read before may point into it. */
	struct pm_cxl_poison_list *older;
};

struct pm_memdev {
	char *dev;			/* mem0 */
	bool has_serial;
	uint64_t serial;
	uint64_t pmem_size;
	uint64_t ram_size;
	char *host;			/* the PCI device: 0000:0d:00.0 */
	int numa_node;			/* -1 when unknown */
	bool enabled;
	struct cxl_memdev *cxlmemdev;
	struct pm_memdev_health *health; /* pm_memdev_health() */
	struct pm_cxl_poison_list *poison; /* pm_memdev_poison() */
	struct pm_badblocks *badblocks;	/* pm_memdev_badblocks() */
};

/* A memdev of a CXL region, at its interleave position. */
struct pm_cxl_target {
	struct pm_memdev *memdev;	/* NULL when libcxl names none */
	int position;			/* -1 when unknown */
	char *decoder;			/* the endpoint decoder: decoder2.0 */
};

/* The CXL region behind an nvdimm region of a CXL bus. */
struct pm_cxl_region {
	char *dev;			/* region0 (cxl bus) */
	uint64_t resource;		/* its start address; UINT64_MAX unknown */
	uint64_t size;
	unsigned int ways;		/* 0 when unknown */
	unsigned int granularity;	/* bytes; 0 when unknown */
	char *decoder;			/* the root decoder: decoder0.0 */
	bool committed;			/* its decode is committed */
	bool enabled;			/* cxl_region's driver is bound */
	bool ram;			/* volatile capacity (mode ram), not pmem */
	/* ram: the region as the listing shows it (lib/cxl-ram.c), or NULL */
	struct pm_region *ram_region;
	struct cxl_region *cxlregion;
	struct pm_cxl_target *targets;	/* in position order */
	size_t nr_targets;
};

/*
 * A root decoder: a CXL fixed memory window, where CXL regions are made.
 * Its lists are NULL-terminated and point into the model's names.
 */
struct pm_cxl_decoder {
	char *dev;			/* decoder0.0 */
	uint64_t resource;		/* its start address; UINT64_MAX unknown */
	uint64_t size;
	uint64_t max_available_extent;	/* its largest free range; UINT64_MAX unknown */
	unsigned int ways;		/* host bridges it interleaves; 0 unknown */
	unsigned int granularity;	/* bytes; 0 unknown */
	unsigned int nr_targets;
	bool pmem_capable;
	bool volatile_capable;
	const char **memdevs;		/* the memdevs it reaches */
	size_t nr_memdevs;
	const char **regions;		/* its CXL regions */
	size_t nr_regions;
	const char **disabled_regions;	/* those of them not enabled */
	size_t nr_disabled_regions;
};

struct pm_cxl_decoder *pm_find_cxl_decoder(const struct pm_platform *pf,
					   const char *name);

/*
 * Reads the CXL bus through libcxl into pf (memdevs, CXL regions) and
 * links the nvdimm regions and DIMMs of CXL buses to them. Nothing is
 * opened when /sys/bus/cxl does not exist. 0 or -errno.
 */
int pm_cxl_scan(struct pm_platform *pf);
void pm_cxl_free(struct pm_platform *pf);

/*
 * lib/cxl-ram.c: the ram (volatile) CXL regions as regions of the
 * listing (pf->ram_regions: type "ram", persistence domain none, no bus,
 * no libndctl object) and their dax devices (pf->daxdevs, with no
 * namespace). Called by pm_cxl_scan().
 */
int pm_cxl_ram_scan(struct pm_platform *pf);
void pm_cxl_ram_free(struct pm_platform *pf);
/* A ram region by its listing name (cxl:region0) or CXL name (region0). */
struct pm_region *pm_find_ram_region(const struct pm_platform *pf,
				     const char *name);
/* The dax device of a ram region, or NULL. */
struct pm_daxdev *pm_ram_region_daxdev(const struct pm_platform *pf,
				       const struct pm_cxl_region *cxl);

/* Whether the platform has CXL memdevs or an nvdimm bus of CXL. */
bool pm_platform_has_cxl(const struct pm_platform *pf);
struct pm_memdev *pm_find_memdev(const struct pm_platform *pf,
				 const char *name);
/* Get Health Info through the memdev's mailbox (root), read once. */
const struct pm_memdev_health *pm_memdev_health(struct pm_memdev *memdev);
/* Why the health values are null; NULL when they were read. */
const char *pm_memdev_health_reason(const struct pm_memdev_health *health);

/*
 * lib/cxl-poison.c: the memdev's poison list, read on first use by
 * triggering it and reading the cxl_poison trace events (root, tracefs,
 * a kernel that has them); error says why not, the reason in words.
 */
const struct pm_cxl_poison_list *pm_memdev_poison(struct pm_memdev *memdev);
/*
 * Whether a region's and a memdev's bad ranges (lib/badblocks.h) include
 * poison: off until a command that reports media errors asks, because
 * triggering a poison list costs a mailbox command per memdev and shows
 * its records to every other reader of the cxl_poison event.
 */
void pm_cxl_poison_want(bool want);
bool pm_cxl_poison_wanted(void);
const char *pm_cxl_poison_reason(int error);
void pm_cxl_poison_free(struct pm_cxl_poison_list *list);
/* Read the poison list again on the next pm_memdev_poison(). */
void pm_memdev_poison_forget(struct pm_memdev *memdev);
/*
 * The pure part of the HPA to DPA translation: a byte offset into a
 * region of ways (a power of 2) by granularity bytes lies at *position's
 * memdev, *dpa_offset into its share. -EOPNOTSUPP for 3, 6 or 12 ways.
 */
int pm_cxl_interleave(uint64_t offset, unsigned int granularity,
		      unsigned int ways, unsigned int *position,
		      uint64_t *dpa_offset);
/* Host address hpa of region cxl: its memdev and DPA. -ENXIO: not in it. */
int pm_cxl_hpa_to_dpa(const struct pm_cxl_region *cxl, uint64_t hpa,
		      struct pm_memdev **memdev, uint64_t *dpa);
/*
 * Injects poison at one 64-byte line, or clears it (the line then reads
 * zeros), through debugfs (cxl/memN/inject_poison, clear_poison): root,
 * debugfs mounted. -EOPNOTSUPP when the kernel or device has no such file.
 */
int pm_cxl_poison_write(const struct pm_memdev *memdev, uint64_t dpa, bool clear);

/*
 * One line of the trace (the pure part, tests/unit/test-cxl-poison.c): a
 * cxl_poison List record into rec and its memdev's name; false otherwise.
 */
bool pm_cxl_poison_parse(const char *line, struct pm_cxl_poison *rec,
			 char *memdev, size_t len);

/*
 * lib/cxl-health.c: the answer as a report records it ("key value" lines,
 * its length or -ENOSPC), read back (error -ENODATA when the text holds
 * none), and what a replayed bundle recorded for memdev dev.
 */
int pm_memdev_health_format(const struct pm_memdev_health *h, char *buf,
			    size_t len);
void pm_memdev_health_parse(const char *text, struct pm_memdev_health *h);
int pm_memdev_health_replay(const char *dev, struct pm_memdev_health *h);

#endif
