/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Diagnostics: what is wrong, or worth knowing, about durability here. */
#ifndef PMEMCTL_DOCTOR_H
#define PMEMCTL_DOCTOR_H

#include <stdbool.h>
#include <stddef.h>

#include "damage.h"
#include "pmem.h"

struct pm_health;
struct pm_mount;

enum pm_severity {
	PM_SEV_INFO,			/* worth knowing */
	PM_SEV_WARNING,			/* durability or performance at risk */
	PM_SEV_ERROR,			/* data can be lost as things stand */
};

struct pm_finding {
	enum pm_severity severity;
	const char *code;		/* stable id: "unknown-domain", ... */
	char object[64];		/* region0, nmem3, /mnt/pmem, platform */
	char message[512];
	char fix[256];			/* what to do about it, or "" */
	/* media-error: the file bytes it destroyed (into the diagnosis' damage) */
	const struct pm_damaged_file *files;
	size_t nr_files;
};

#define PM_MAX_FINDINGS 128

/* What a file, device or object resolves to, and what it offers. */
struct pm_diagnosis {
	bool has_target;
	struct pm_target target;
	bool is_file;			/* a file or directory was named */
	int dax;			/* the file is DAX (statx); -1 unknown */
	int map_sync;			/* a MAP_SYNC mmap worked; -1 not tried */
	char mount[256];		/* its mount point and options */
	char mount_options[256];	/* per mount: rw,relatime */
	char mount_fstype[64];		/* ext4, xfs, ... */
	char mount_super_options[256];	/* the filesystem's: rw,dax=always */
	struct pm_finding findings[PM_MAX_FINDINGS];
	size_t nr_findings;
	enum pm_severity worst;
	bool any;			/* nr_findings > 0 */
	/* What the media errors hit, per namespace with any: findings point here. */
	struct pm_damage *damage;
	size_t nr_damage;
};

/*
 * Diagnoses the platform, narrowed to target when not NULL: resolves it,
 * tries MAP_SYNC on a file, maps media errors to files, and lints. d is
 * cleared first (release it before reusing it). Returns 0 or -errno from
 * resolving (-ENOENT, -ENODEV with d->target.device naming what the path
 * is on).
 */
int pm_doctor(const struct pm_platform *pf, const char *target,
	      struct pm_diagnosis *d);
/* Frees what a diagnosis holds besides itself (the damage maps). */
void pm_diagnosis_release(struct pm_diagnosis *d);

/* Between doctor's files: the one way to add a finding. */
void pm_doctor_add(struct pm_diagnosis *d, enum pm_severity severity,
		   const char *code, const char *object, const char *fix,
		   const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* Media errors of the namespaces in scope, and what they hit (only path's, if given). */
void pm_doctor_media(const struct pm_platform *pf, struct pm_diagnosis *d,
		     const struct pm_region *only_region,
		     const struct pm_namespace *only, const char *path);
/*
 * System RAM (kmem) devices in scope: no persistent data, blocks offline or
 * in mixed or normal zones, and an auto-online policy that would put new
 * blocks in a kernel zone.
 */
void pm_doctor_sysram(const struct pm_platform *pf, struct pm_diagnosis *d,
		      const struct pm_region *only_region,
		      const struct pm_namespace *only);
/* The label areas of the DIMMs in scope (root, live only): check-labels' findings. */
void pm_doctor_labels(const struct pm_platform *pf, struct pm_diagnosis *d,
		      const struct pm_region *only_region);
/* A scrub's finds outside every namespace. */
void pm_doctor_scrub(const struct pm_platform *pf, struct pm_diagnosis *d,
		     const struct pm_region *only);
/* Firmware of the DIMMs in scope: staged and never activated, mixed in a region. */
void pm_doctor_firmware(const struct pm_platform *pf, struct pm_diagnosis *d,
			const struct pm_region *only_region);
/* CXL memdevs in scope: a sanitize running, locked, frozen, firmware staged. */
void pm_doctor_memdevs(const struct pm_platform *pf, struct pm_diagnosis *d,
		       const struct pm_region *only_region);
/* The findings of one DIMM's health (SMART and nfit/dirty_shutdown); pure. */
void pm_doctor_health(struct pm_diagnosis *d, const char *dimm,
		      const struct pm_health *h);

const char *pm_severity_name(enum pm_severity severity);

/*
 * What a filesystem's mount options make of DAX (the kernel's
 * Documentation/filesystems/dax.rst): read from the superblock options
 * of /proc/self/mountinfo, where ext4 and xfs show them.
 */
enum pm_dax_policy {
	PM_DAX_NEVER,			/* dax=never, or no DAX option elsewhere */
	PM_DAX_INODE_DEFAULT,		/* ext4, xfs without an option: per file */
	PM_DAX_INODE,			/* dax=inode: files with the DAX flag */
	PM_DAX_ALWAYS,			/* dax, dax=always: every regular file */
};

enum pm_dax_policy pm_mount_dax_policy(const char *fstype,
				       const char *super_options);
/*
 * Whether files made in directory dir (on mount m) are DAX: the mount's
 * policy, and for dax=inode the directory's FS_XFLAG_DAX, which new files
 * inherit. statx never marks a directory DAX. 1, 0, or -errno.
 */
int pm_mount_dax_state(const struct pm_mount *m, const char *dir);

#endif
