/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The platform model: one snapshot of buses, DIMMs, regions, namespaces. */
#ifndef PMEMCTL_PMEM_H
#define PMEMCTL_PMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct ndctl_ctx;
struct ndctl_bus;
struct ndctl_dimm;
struct ndctl_region;
struct ndctl_namespace;
struct cxl_ctx;
struct pm_memdev;
struct pm_cxl_region;
struct pm_cxl_decoder;
struct pm_sysram;

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

/* What the region's deep flush can do for an application. */
enum pm_flush_cap {
	PM_FLUSH_ABSENT,		/* no deep flush at all */
	PM_FLUSH_NOT_NEEDED,		/* kernel: the DIMMs need no flush */
	PM_FLUSH_SUPPORTED,		/* writing 1 flushes the DIMMs' queues */
};

/* What an application must do after a store (libpmem2's granularities). */
enum pm_granularity {
	PM_GRAN_NONE,			/* not persistent memory at all */
	PM_GRAN_PAGE,			/* no MAP_SYNC: msync/fsync */
	PM_GRAN_CACHE_LINE,		/* flush the line: clwb + sfence */
	PM_GRAN_BYTE,			/* caches are persistent: sfence */
};

enum pm_ns_mode {
	PM_MODE_UNKNOWN,
	PM_MODE_RAW,
	PM_MODE_SECTOR,
	PM_MODE_FSDAX,
	PM_MODE_DEVDAX,
	/*
	 * devdax bound to kmem: the memory is the kernel's, on a NUMA node.
	 * libnvdimm still reads the namespace as devdax: the model does too,
	 * and only a conversion's configuration (and a request) says this.
	 */
	PM_MODE_SYSTEM_RAM,
};

enum pm_object_kind {
	PM_BUS,
	PM_DIMM,
	PM_REGION,
	PM_NAMESPACE,
	PM_DAXDEV,
	PM_MEMDEV,			/* a CXL memory device: lib/cxl.h */
	PM_DECODER,			/* a CXL root decoder (window): lib/cxl.h */
	PM_NR_KINDS,
};

/*
 * The kinds' names, as designated initializers: pm_kind_names[] and the
 * output engine's kind tables (which add kinds of their own) both start
 * from this one list.
 */
#define PM_KIND_NAME_INITIALIZERS \
	[PM_BUS] = "bus", \
	[PM_DIMM] = "dimm", \
	[PM_REGION] = "region", \
	[PM_NAMESPACE] = "namespace", \
	[PM_DAXDEV] = "daxdev", \
	[PM_MEMDEV] = "memdev", \
	[PM_DECODER] = "decoder"

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
	bool has_handle;		/* CXL DIMMs have none (ndctl omits it) */
	unsigned int handle;
	bool has_phys_id;		/* nor a physical id */
	unsigned int phys_id;
	bool enabled;
	/* NFIT health flags (ACPI NFIT memory device state). */
	bool failed_save;		/* last shutdown: save to media failed */
	bool failed_arm;		/* not armed: the next save may fail */
	bool failed_restore;		/* last restore from media failed */
	bool failed_flush;		/* the last flush did not complete */
	bool failed_map;		/* not mapped into the address space */
	bool smart_event;		/* a SMART event is pending */
	int security;			/* enum pm_security (security.h); NONE: none */
	bool security_frozen;		/* no passphrase change until a reboot */
	struct pm_bus *bus;
	struct ndctl_dimm *nddimm;
	struct pm_health *health;	/* read on demand: pm_dimm_health() */
	struct pm_firmware *firmware;	/* read on demand: pm_dimm_firmware() */
	struct pm_memdev *memdev;	/* a CXL DIMM's memdev, when known */
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
	const char *domain_reason;	/* why it is unknown or none, or CXL; else NULL */
	enum pm_deep_flush_attr deep_flush;
	mode_t deep_flush_mode;		/* its permission bits */
	int deep_flush_value;		/* what the attribute reads; -1 unread */
	bool deep_flush_permitted;	/* the caller may write the attribute */
	enum pm_flush_cap flush_cap;
	bool async;			/* flush goes to a host: no MAP_SYNC */
	struct pm_mapping *mappings;
	size_t nr_mappings;
	struct pm_bus *bus;
	struct ndctl_region *ndregion;
	struct pm_badblocks *badblocks;	/* read on demand: lib/badblocks.h */
	struct pm_cxl_region *cxl;	/* the CXL region behind it, or NULL */
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
	int fua;			/* queue/fua of the block device; -1 none */
	int write_cache;		/* queue/write_cache is "write back"; -1 */
	int dax_write_cache;		/* dax/write_cache; -1 when absent */
	bool dax;			/* loads and stores reach the media */
	bool system_ram;		/* its dax device is kmem's: nothing persists */
	bool map_sync;			/* MAP_SYNC mappings are possible */
	enum pm_granularity granularity;
	struct pm_region *region;
	struct ndctl_namespace *lazy_ndns; /* pm_namespace_ndns() */
	struct pm_badblocks *badblocks;	/* read on demand: lib/badblocks.h */
};

struct pm_daxdev {
	char *dev;			/* dax0.0 */
	const char *mode;		/* devdax or system-ram */
	uint64_t size;
	uint64_t align;
	int target_node;
	bool enabled;
	struct pm_namespace *ns;	/* NULL for a CXL ram region's */
	struct pm_region *region;	/* its region (a CXL ram region's too) */
	struct pm_sysram *ram;		/* system-ram: its memory blocks; else NULL */
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
	enum pm_domain verdict;		/* weakest domain over pmem regions */
	enum pm_granularity verdict_granularity; /* weakest over namespaces */
	struct pm_namespace *weakest;	/* an active namespace of that kind */
	struct ndctl_ctx *ndctx;
	/* lib/cxl.h: empty, and no context, without /sys/bus/cxl. */
	struct pm_memdev **memdevs;
	size_t nr_memdevs;
	struct pm_cxl_region **cxl_regions;
	size_t nr_cxl_regions;
	/*
	 * CXL ram regions (lib/cxl-ram.c), kept out of regions: no libndctl
	 * object, no namespaces; only the listing and the CXL verbs see them.
	 */
	struct pm_region **ram_regions;
	size_t nr_ram_regions;
	struct pm_cxl_decoder **cxl_decoders;	/* the root decoders */
	size_t nr_cxl_decoders;
	struct cxl_ctx *cxlctx;
};

/*
 * The dax devices in the directory dirfd (an nd_dax device, or a CXL ram
 * region's dax_regionN) into pf->daxdevs, of namespace ns (or NULL) in
 * region. 0 or -ENOMEM.
 */
int pm_scan_daxdevs(struct pm_platform *pf, struct pm_namespace *ns,
		    struct pm_region *region, int dirfd);

/* Build a snapshot of the platform; returns 0 or -errno. */
int pm_platform_scan(struct pm_platform **out);
/*
 * The same, but only REGION's namespaces and dax devices are read (every
 * bus and region is there; the DIMMs and the regions' mappings only with
 * DIMMS): what a change of one of them needs. The persistence verdict
 * then covers that region's namespaces only.
 */
int pm_platform_scan_region(struct pm_platform **out, const char *region,
			    bool dimms);
/*
 * libndctl's object of a namespace, looked up on first use (the scan reads
 * namespaces from sysfs); NULL when libndctl does not know it.
 */
struct ndctl_namespace *pm_namespace_ndns(const struct pm_namespace *ns);
/*
 * Reads the region's namespaces and dax devices again, in place: what a
 * change takes under its lock. Pointers to the region's old namespaces and
 * dax devices are no longer valid.
 */
int pm_region_rescan(struct pm_platform *pf, struct pm_region *region);
void pm_platform_free(struct pm_platform *pf);

struct pm_bus *pm_find_bus(const struct pm_platform *pf, const char *name);
struct pm_dimm *pm_find_dimm(const struct pm_platform *pf, const char *name);
struct pm_region *pm_find_region(const struct pm_platform *pf,
				 const char *name);
struct pm_namespace *pm_find_namespace(const struct pm_platform *pf,
				       const char *name);

bool pm_region_uses_dimm(const struct pm_region *region,
			 const struct pm_dimm *dimm);
/* Persistent, not a volatile region (libndctl calls both "pmem"). */
bool pm_region_is_pmem(const struct pm_region *region);

const char *pm_domain_name(enum pm_domain domain);
const char *pm_deep_flush_attr_name(enum pm_deep_flush_attr attr);
const char *pm_ns_mode_name(enum pm_ns_mode mode);
int pm_ns_mode_parse(const char *name, enum pm_ns_mode *mode);
/*
 * The one way lib/ explains itself: the message goes into the caller's
 * buffer (cli/ prints it), and rc comes back for "return pm_explain(...)".
 */
int pm_explain(char *buf, size_t len, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

extern const char *const pm_kind_names[PM_NR_KINDS];
const char *pm_kind_name(enum pm_object_kind kind);

/* A DIMM's NFIT health flags, one row each, in ndctl's order. */
struct pm_dimm_flag {
	size_t offset;			/* its bool in struct pm_dimm */
	const char *name;		/* the short name: save_fail */
	const char *code;		/* doctor's finding code */
	bool error;			/* data lost or at risk; else a warning */
	const char *finding;		/* doctor's message; %s: the DIMM */
	const char *fix;		/* doctor's advice, or NULL; %s: the DIMM */
	const char *flush_warning;	/* beside a deep flush, or NULL */
};

extern const struct pm_dimm_flag pm_dimm_flags[];
extern const size_t pm_nr_dimm_flags;

static inline bool pm_dimm_has_flag(const struct pm_dimm *dimm,
				    const struct pm_dimm_flag *flag)
{
	return *(const bool *)((const char *)dimm + flag->offset);
}
const char *pm_flush_cap_name(enum pm_flush_cap cap);
const char *pm_granularity_name(enum pm_granularity gran);

/*
 * Persistence: fills domain reasons, flush capability, block-layer flags,
 * granularity and the platform verdict (called by pm_platform_scan).
 */
void pm_persistence_fill(struct pm_platform *pf);
/* What an application must do after a store, for a granularity. */
const char *pm_recipe(enum pm_granularity gran, enum pm_domain domain,
		      bool dax);
/* What an application must do after a store on this namespace. */
const char *pm_namespace_recipe(const struct pm_namespace *ns);
/* How a deep flush reaches this namespace: "sysfs", "fsync", ... */
const char *pm_namespace_deep_flush_path(const struct pm_namespace *ns);

/* What a user named, resolved: a region, or a namespace and its region. */
struct pm_target {
	const struct pm_platform *pf;
	const char *name;		/* as given */
	struct pm_region *region;
	struct pm_namespace *ns;	/* NULL when a region was named */
	struct pm_daxdev *daxdev;	/* when a dax device was named */
	const char *path;		/* a file or directory on the namespace */
	char device[256];		/* the device it resolved through */
};

/*
 * Resolves region0, namespace0.0, pmem0, /dev/pmem0, dax0.0, /dev/dax0.0,
 * a file or a mount point. -ENOENT: no such object or path; -ENODEV: the
 * path exists but is not on persistent memory (t->device names what it is
 * on); -EXDEV: a path while replaying a report (only object names mean
 * something there).
 */
int pm_resolve_target(const struct pm_platform *pf, const char *name,
		      struct pm_target *t);

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
/* Live through libkmod, or as recorded by a replayed report. */
int pm_module_state(const char *name, enum pm_module_state *state);
const char *pm_module_state_name(enum pm_module_state state);
/* modprobe NAME: 0, or -errno (-ENOENT when the module is not installed). */
int pm_module_load(const char *name);
/*
 * The run only reads (list, show, doctor, metrics): libndctl, libdaxctl
 * and libcxl look up no module (they load one only to bind a driver).
 * Before the first library context is made.
 */
void pm_modules_read_only(void);

#endif
