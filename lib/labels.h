/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Namespace label storage areas: decoding, checking, reading from a DIMM. */
#ifndef PMEMCTL_LABELS_H
#define PMEMCTL_LABELS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pm_diagnosis;
struct pm_dimm;

/* What a v1.2 label's abstraction GUID says the namespace is claimed as. */
enum pm_label_mode {
	PM_LABEL_MODE_NONE,		/* no claim (raw or fsdax without pfn) */
	PM_LABEL_MODE_BTT,		/* sector */
	PM_LABEL_MODE_PFN,		/* fsdax with a pfn info block */
	PM_LABEL_MODE_DAX,		/* devdax */
	PM_LABEL_MODE_UNKNOWN,		/* a GUID no kernel claim uses */
};

/* One of the two namespace index blocks at the start of the area. */
struct pm_label_index {
	unsigned int nr;		/* 0 or 1 */
	uint64_t offset;		/* where it is in the area */
	char signature[17];		/* "NAMESPACE_INDEX", printable only */
	uint8_t flags[3];
	uint16_t major, minor;
	unsigned int labelsize;		/* bytes, from the version */
	uint32_t seq;
	uint64_t myoff, mysize, otheroff, labeloff;
	uint32_t nslot;
	uint64_t checksum;		/* as stored */
	bool checksum_ok;		/* fletcher64 over the block agrees */
	uint32_t nfree;			/* free bits among the first nslot */
	bool valid;			/* the kernel would accept it */
	const char *invalid;		/* why not: "signature", "checksum", ... */
	bool current;			/* the one the kernel uses */
};

struct pm_label {
	uint32_t slot;			/* slot number (position in the area) */
	bool in_use;			/* the current index's bitmap: not free */
	char uuid[37];
	char name[65];			/* as stored, up to its NUL: escape to print */
	uint32_t flags;
	uint16_t nlabel, position;
	uint64_t isetcookie, lbasize, dpa, rawsize;
	bool v12;			/* 256-byte label: the fields below mean something */
	uint8_t align;
	char type_guid[37], abstraction_guid[37];
	enum pm_label_mode mode;
	bool checksum_ok;		/* v1.2: fletcher64 agrees; v1.1: true */
	/*
	 * A CXL namespace label: nlabel is its nrange, there is no cookie
	 * (the set is a region label's) and type_guid is the label type.
	 */
	bool cxl;
};

#define PM_NSLABEL_FLAG_ROLABEL 0x1
#define PM_NSLABEL_FLAG_LOCAL	0x2
#define PM_NSLABEL_FLAG_BTT	0x4
#define PM_NSLABEL_FLAG_UPDATING 0x8

struct pm_label_area {
	size_t size;			/* config size: the buffer's length */
	bool blank;			/* no index signature: never initialised */
	unsigned int label_size;	/* 128 or 256; 0 when no index is valid */
	size_t index_size;		/* bytes of one index block */
	struct pm_label_index index[2];
	int current;			/* the index in use, or -1 */
	uint32_t nslot;			/* slots the current index has */
	bool cxl;			/* a CXL area (index 2.1): CXL labels */
	/* Labels whose slot field names their slot, in use or not. */
	struct pm_label *labels;
	size_t nr_labels;
	size_t nr_in_use;		/* valid labels in slots marked in use */
	/* Slots marked in use whose label the kernel would reject. */
	size_t nr_bad_in_use;
	uint32_t first_bad_slot;
};

/*
 * Decodes a label storage area held in buf (len bytes, the DIMM's config
 * size) as the kernel's drivers/nvdimm/label.c validates it: 128-byte
 * (v1.1) then 256-byte (v1.2) labels, the two index blocks, the current
 * one by sequence number, and the labels of its slots. Returns 0 (also for
 * an area without a valid index: area->current is -1), -EINVAL when len is
 * too small for any area, -ENOMEM. Release with pm_labels_release().
 */
int pm_labels_decode(const void *buf, size_t len, struct pm_label_area *area);
void pm_labels_release(struct pm_label_area *area);

/* btt, pfn, dax, none (or unknown). */
const char *pm_label_mode_name(enum pm_label_mode mode);
/* The kernel's nd_fletcher64(), over little-endian 32-bit words. */
uint64_t pm_fletcher64(const void *buf, size_t len);

/* One DIMM's area and what the platform says about it, for the checks. */
struct pm_label_facts {
	const char *dimm;		/* nmem0 */
	const struct pm_label_area *area;	/* NULL: could not be read */
	int read_err;			/* -errno when area is NULL */
	bool report;			/* findings about it are wanted */
	/*
	 * The interleave-set cookies of the regions this DIMM is in, as the
	 * kernel reports them (regionN/set_cookie); cookies_known false when
	 * a region did not say (then no cookie finding).
	 */
	const uint64_t *cookies;
	size_t nr_cookies;
	bool cookies_known;
};

/*
 * Checks the areas of the given DIMMs (the whole platform's, for the
 * labels of interleaved namespaces) and adds findings about those marked
 * report: index blocks, sequence numbers, label checksums, overlapping DPA
 * ranges, cookies no region has, namespaces with labels missing on a DIMM
 * of their set. Pure. blank_findings: a never-initialised area is worth an
 * info finding (check-labels), or nothing (doctor).
 */
void pm_labels_check(const struct pm_label_facts *facts, size_t nr,
		     bool blank_findings, struct pm_diagnosis *d);

/*
 * Reads a DIMM's whole label storage area through its get-config-data
 * commands. *buf is malloc'd (*len bytes). -ENOTTY when the DIMM has no
 * label area, -EACCES without root, -errno otherwise.
 */
int pm_dimm_read_label_area(const struct pm_dimm *dimm, void **buf,
			    size_t *len);
/* Every DIMM's label area, read and decoded, with the facts the checks need. */
struct pm_label_set {
	size_t nr;
	const struct pm_dimm **dimms;
	struct pm_label_facts *facts;	/* facts[i].area points into areas */
	struct pm_label_area *areas;
	void **bufs;			/* the raw areas */
	size_t *lens;
};

struct pm_platform;
/*
 * Reads every DIMM of the platform (an unreadable one gets read_err, no
 * area). Returns 0 or -ENOMEM. The caller sets facts[i].report.
 */
int pm_label_set_read(const struct pm_platform *pf, struct pm_label_set *set);
void pm_label_set_release(struct pm_label_set *set);

/*
 * Writes a backup of one DIMM's area into dir (made 0700 if missing):
 * dir/<dimm>.labels (the raw area, 0600), dir/<dimm>.id (its unique id, or
 * an empty line) and its line in dir/SHA256SUMS (sha256sum -c checks it),
 * each written beside and renamed. hex gets the area's SHA-256. -EEXIST
 * when a file of this DIMM is there and force is false; -errno.
 */
int pm_labels_backup(const char *dir, const char *dimm, const char *id,
		     const void *buf, size_t len, bool force,
		     char hex[65]);

/*
 * The interleave-set cookie of a region (sysfs set_cookie): 0 or -errno
 * (-ENOENT: the region has none, -ENXIO: the kernel did not say).
 */
int pm_region_set_cookie(const char *region, uint64_t *cookie);

#endif
