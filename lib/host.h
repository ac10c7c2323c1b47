/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Facts from outside sysfs: live, or from a replayed support bundle. */
#ifndef PMEMCTL_HOST_H
#define PMEMCTL_HOST_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

/*
 * libndctl reads the replayed sysfs through a bind mount; what doctor
 * reads elsewhere (/proc, the kernel log, module state) comes from the
 * bundle's top directory once this is set. NULL: the live system.
 */
void pm_host_replay(const char *bundle_root);
const char *pm_host_replay_root(void);

/* An absolute /proc path, live or as captured ("/proc/self/mountinfo"). */
FILE *pm_host_fopen(const char *path);

/*
 * Every read of a bundle is bounded: a replayed file (a path under the
 * bundle's root or the replayed /sys) opens only if it is a regular file,
 * and reads end after cap bytes, with a note saying so; a line loop over
 * it ends too. Live (no replay), a plain fopen().
 */
#define PM_HOST_PROC_CAP (4u << 20)		/* mountinfo, cpuinfo, ... */
#define PM_HOST_KERNEL_LOG_CAP (16u << 20)	/* the captured messages */
#define PM_HOST_RECORD_CAP (1u << 20)		/* modules, ioctl answers */
#define PM_HOST_ATTR_CAP (64u << 10)		/* a sysfs attribute: a page */
FILE *pm_bundle_fopen(const char *path, size_t cap);

/*
 * The text record report wrote for one device under dir (a DIMM's SMART
 * or firmware answer, a memdev's health), whole into buf (at most len - 1
 * bytes, NUL-terminated): its length, or -ENODATA when the bundle has none.
 */
int pm_bundle_read_record(const char *dir, const char *dev, char *buf, size_t len);
/* Such a record's "key value" lines, each handed to line(); others skipped. */
void pm_record_foreach(const char *text,
		       void (*line)(const char *key, const char *value, void *data),
		       void *data);

/*
 * Notes on what a replay left out (links out of the bundle, reads cut
 * short), for the command to print: the i-th, or NULL past the last.
 */
void pm_host_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *pm_host_note_at(size_t i);

/*
 * The replay drops root to nobody; decisions that live take the euid
 * (may this user write deep_flush?) take the caller's, set before it.
 */
void pm_host_set_euid(uid_t euid);
uid_t pm_host_euid(void);

/* The first line of a /proc file, without its newline; -errno. */
int pm_host_read_line(const char *path, char *buf, size_t len);

/*
 * The kernel log, NUL-terminated, to be freed by the caller. -EPERM when
 * the log is not readable (dmesg_restrict) or was not captured.
 */
int pm_host_kernel_log(char **text);

/* Cache-flush instructions the kernel reports for the first CPU. */
struct pm_cpu_flags {
	bool known;			/* a "flags" line was found (x86) */
	bool clflush;
	bool clflushopt;
	bool clwb;
};

void pm_host_cpu_flags(struct pm_cpu_flags *flags);

/* Where a report keeps what it adds to the captured files. */
#define PM_REPORT_DIR "pmemctl"
#define PM_REPORT_KERNEL_LOG PM_REPORT_DIR "/kernel.log"
#define PM_REPORT_MODULES PM_REPORT_DIR "/modules"
/* What ioctls answered: a file per DIMM, a file per region. */
#define PM_REPORT_HEALTH_DIR PM_REPORT_DIR "/health"
#define PM_REPORT_BADBLOCK_DIMMS_DIR PM_REPORT_DIR "/badblock-dimms"
/* A file per CXL memdev: what Get Health Info answered. */
#define PM_REPORT_CXL_HEALTH_DIR PM_REPORT_DIR "/cxl-health"
/* A file per DIMM with one: its raw label storage area. */
#define PM_REPORT_LABELS_DIR PM_REPORT_DIR "/labels"
/* A file per DIMM: what Get Firmware Info answered. */
#define PM_REPORT_FIRMWARE_DIR PM_REPORT_DIR "/firmware"
/* A file per CXL memdev: what Get FW Info answered. */
#define PM_REPORT_CXL_FIRMWARE_DIR PM_REPORT_DIR "/cxl-firmware"

#endif
