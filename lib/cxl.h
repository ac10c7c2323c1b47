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

/*
 * A memdev's firmware (lib/cxl-firmware.c): the running version from
 * sysfs (Identify, as the kernel read it at probe), the slots from Get FW
 * Info (root: /dev/cxl/memN), the kernel's firmware upload class.
 */
#define PM_CXL_FW_SLOTS 4
struct pm_memdev_fw {
	int error;			/* Get FW Info: 0 read, else -errno (why not) */
	const char *current_version;	/* firmware_version; NULL unknown */
	bool can_update;		/* /sys/class/firmware/memN is there */
	const char *next_version;	/* the staged slot's revision; NULL none */
	int num_slots;			/* 0 when unread */
	int active_slot;		/* 1..num_slots; 0 unread */
	int staged_slot;		/* activated at the next reset; 0 none */
	bool online_activate;		/* the device can activate live */
	char slot_version[PM_CXL_FW_SLOTS][17]; /* "" for an empty slot */
	const char *slot_versions[PM_CXL_FW_SLOTS + 1]; /* them, NULL-terminated */
	char version[64];		/* current_version's storage */
	unsigned char raw[0x50];	/* Get FW Info's payload, for a report */
	char update_status[16];		/* the upload class's status: idle, ... */
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
	/*
	 * security/state (kernel 6.5 and later): one of
	 * pm_memdev_security_names; NULL when the memdev has none.
	 */
	const char *security;
	bool can_sanitize;		/* security/sanitize is there */
	bool can_erase;			/* security/erase is there */
	struct pm_memdev_fw *firmware;	/* pm_memdev_firmware() */
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

/*
 * lib/cxl-security.c: a memdev's security state and its sanitize and
 * secure erase. The states, as security/state reads them (NULL-terminated):
 * disabled, unlocked, locked, frozen, sanitize (one runs).
 */
extern const char *const pm_memdev_security_names[];
/* Reads security/state and which of sanitize and erase the memdev has. */
void pm_memdev_security_read(struct pm_memdev *memdev);

struct pm_change_result;

/* What sanitize-dimm asks of a memdev. */
struct pm_memdev_sanitize_request {
	bool erase;			/* Secure Erase; false: Sanitize */
	bool dry_run;
	int timeout;			/* seconds to wait; <0 for ever */
	/* called about once a second while a sanitize runs */
	void (*progress)(const struct pm_memdev *memdev, int elapsed, void *arg);
	void *progress_arg;
};

/* What decides whether a memdev may be sanitized: plain facts. */
struct pm_memdev_sanitize_facts {
	const char *dev;
	const char *security;		/* security/state; NULL: none */
	bool can_sanitize, can_erase;	/* security/sanitize, erase are there */
	bool enabled;
	const char *regions;		/* the CXL regions mapping it, "" none */
	bool erase;			/* Secure Erase asked; else Sanitize */
};

/*
 * The pure part (tests/unit/test-cxl-security.c): 0 to go (*running: a
 * sanitize runs, only wait for it), or -errno with why in words:
 * -EOPNOTSUPP, -EBUSY (a region maps it, disabled, a sanitize runs for
 * an erase), -EIO (a passphrase).
 */
int pm_memdev_sanitize_check(const struct pm_memdev_sanitize_facts *f, bool *running,
			     char *why, size_t len);

/*
 * Plans (dry_run) or runs a sanitize or secure erase of the memdev into
 * res, then waits for a sanitize (security/state reads "sanitize" while
 * it runs). -EOPNOTSUPP: the memdev or kernel has no such command;
 * -EBUSY: a CXL region maps the memdev (the kernel refuses while an
 * endpoint decoder is committed); -EIO: refused (a passphrase set, or
 * locked, or frozen); -ETIMEDOUT: still running after the timeout.
 */
int pm_memdev_sanitize(const struct pm_platform *pf, struct pm_memdev *memdev,
		       const struct pm_memdev_sanitize_request *req,
		       struct pm_change_result *res);
/* The CXL regions that map the memdev, named into buf: how many. */
int pm_memdev_regions(const struct pm_platform *pf, const struct pm_memdev *memdev,
		      char *buf, size_t len);

/* lib/cxl-firmware.c: read on first use; never NULL. */
const struct pm_memdev_fw *pm_memdev_firmware(struct pm_memdev *memdev);
/* Why the Get FW Info values are null, in words; NULL when read. */
const char *pm_memdev_fw_reason(const struct pm_memdev_fw *fw);
/*
 * Get FW Info's output payload (CXL 3.0 8.2.9.3.1, 0x50 bytes) into fw's
 * slots: the pure part, tests/unit/test-cxl-firmware.c. -EINVAL if short.
 */
int pm_cxl_fw_info_parse(const void *payload, size_t len, struct pm_memdev_fw *fw);
/*
 * The answer as a report records it ("payload <hex>", or "error <errno>"),
 * its length or -ENOSPC; and back, in a replay (-ENODATA: no record).
 */
int pm_memdev_fw_format(const struct pm_memdev_fw *fw, char *buf, size_t len);
int pm_memdev_fw_parse(const char *text, struct pm_memdev_fw *fw);
/* A fresh read (after an update). Returns fw->error. */
int pm_memdev_firmware_read(struct pm_memdev *memdev, struct pm_memdev_fw *fw);

typedef void (*pm_memdev_fw_progress_fn)(const char *memdev, const char *status,
					 uint64_t done, uint64_t total, void *arg);

/*
 * update-firmware on a memdev, through the kernel's firmware upload
 * class: the image written to /sys/class/firmware/memN/data, then the
 * kernel transfers it (Transfer FW) into the next slot and activates it
 * for the next reset (Activate FW, offline: the only way kernel 6.12
 * activates). Waits for the status to come back to idle, reads its error,
 * and verifies the staged slot with Get FW Info. Cancelled on a failure
 * or after timeout seconds. 0 or -errno, res->message in words.
 */
int pm_memdev_update_firmware(struct pm_memdev *memdev, const void *image,
			      uint64_t size, bool dry_run, int timeout,
			      struct pm_change_result *res,
			      pm_memdev_fw_progress_fn progress, void *arg);

#endif
