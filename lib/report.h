/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Support bundles: capture what libndctl and libdaxctl read, and replay it. */
#ifndef PMEMCTL_REPORT_H
#define PMEMCTL_REPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "archive.h"

/* Something a report could not hold, and why. */
struct pm_report_gap {
	char what[256];
	char why[128];
};

#define PM_REPORT_MAX_GAPS 64

struct pm_report_stats {
	unsigned int files;
	unsigned int symlinks;
	unsigned int dirs;
	unsigned long long bytes;	/* file contents, uncompressed */
	unsigned int unreadable;	/* attributes whose read failed */
	struct pm_report_gap gaps[PM_REPORT_MAX_GAPS];
	size_t nr_gaps;			/* sections left out */
};

/*
 * Adds to the archive, under the directory top: the sysfs subtrees of the
 * nvdimm, dax and cxl buses (the devices their class and bus links point
 * to, with every readable attribute, the driver directories, and the
 * /sys/dev, /sys/block and /sys/class/block links into them; of CXL
 * devices no write-only attribute, and the uport and dport targets of
 * their ports as empty directories), the NFIT table, /proc files the
 * diagnosis reads (cpuinfo's first CPU, cmdline, osrelease, version,
 * modules, mountinfo lines of pmem devices), the nvdimm- and CXL-related
 * kernel messages and the state of the nvdimm modules; with pf, what the
 * DIMMs' ioctls answered (SMART, Translate SPA) and the CXL memdevs'
 * Get Health Info.
 * Nothing else: no environment, no file contents.
 */
struct pm_platform;
int pm_report_capture(struct pm_archive *a, const char *top,
		      const struct pm_platform *pf, struct pm_report_stats *stats);

/*
 * Enters a private mount namespace in which /sys is the capture of a
 * report (a .tar.gz bundle or the directory it was extracted to), and
 * points the non-sysfs facts at it. Unprivileged callers get a user
 * namespace mapping only their own uid. The process stays there. -errno,
 * with err saying why in words.
 */
int pm_replay_enter(const char *source, char *err, size_t errlen);

/* Who root becomes in a replay (nobody), and the replay tmpfs's size. */
#define PM_REPLAY_ID 65534u
#define PM_REPLAY_TMPFS_SIZE "512m"

/*
 * Drops every privilege for good: root becomes PM_REPLAY_ID (groups too),
 * every capability set and the bounding set are emptied, no_new_privs is
 * set; then each is checked. -EPERM, with err saying which did not hold.
 */
int pm_replay_drop(char *err, size_t errlen);

#endif
