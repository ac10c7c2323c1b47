/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Facts from outside sysfs: live, or from a replayed support bundle. */
#ifndef PMEMCTL_HOST_H
#define PMEMCTL_HOST_H

#include <stdbool.h>
#include <stdio.h>

/*
 * libndctl reads the replayed sysfs through a bind mount; what doctor
 * reads elsewhere (/proc, the kernel log, module state) comes from the
 * bundle's top directory once this is set. NULL: the live system.
 */
void pm_host_replay(const char *bundle_root);
const char *pm_host_replay_root(void);

/* An absolute /proc path, live or as captured ("/proc/self/mountinfo"). */
FILE *pm_host_fopen(const char *path);

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

#endif
