/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Diagnostics: what is wrong, or worth knowing, about durability here. */
#ifndef PMEMCTL_DOCTOR_H
#define PMEMCTL_DOCTOR_H

#include <stdbool.h>
#include <stddef.h>

#include "pmem.h"

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
	char message[256];
	char fix[192];			/* what to do about it, or "" */
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
};

/*
 * Diagnoses the platform, narrowed to target when not NULL: resolves it,
 * tries MAP_SYNC on a file, and lints. Returns 0 or -errno from resolving
 * (-ENOENT, -ENODEV with d->target.device naming what the path is on).
 */
int pm_doctor(const struct pm_platform *pf, const char *target,
	      struct pm_diagnosis *d);

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
