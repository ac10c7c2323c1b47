/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The one reader of /proc: mounts, and processes holding a device. */
#ifndef PMEMCTL_PROC_H
#define PMEMCTL_PROC_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

/* One line of /proc/self/mountinfo, its octal escapes decoded. */
struct pm_mount {
	dev_t dev;			/* st_dev of the mounted filesystem */
	char root[PATH_MAX];		/* the subtree of the filesystem mounted */
	char point[PATH_MAX];		/* mount point */
	char options[1024];		/* per-mount options: rw,relatime */
	char fstype[64];		/* ext4, xfs, tmpfs, ... */
	char source[PATH_MAX];		/* /dev/pmem0, tmpfs, ... */
	char super_options[1024];	/* superblock options: dax=always, ... */
};

struct pm_mounts {
	FILE *f;
	char line[3 * PATH_MAX + 4096];
	struct pm_mount mount;
};

/* The mount table, live or the replayed bundle's; 0 or -errno. */
int pm_mounts_open(struct pm_mounts *it);
/* The next mount, or NULL at the end; valid until the next call. */
const struct pm_mount *pm_mounts_next(struct pm_mounts *it);
void pm_mounts_close(struct pm_mounts *it);

/* One mountinfo line decoded; false when it is not one. */
bool pm_mountinfo_parse(const char *line, struct pm_mount *m);

/* The first mount of the filesystem on dev; false when none. */
bool pm_mount_of_dev(dev_t dev, struct pm_mount *out);
/*
 * The mount a path of filesystem dev is on: the longest mount point of dev
 * that prefixes the path's real name (bind mounts share a dev).
 */
bool pm_mount_of_path(const char *path, dev_t dev, struct pm_mount *out);

/* Another process that has a device node open or mapped. */
struct pm_holder {
	pid_t pid;
	char comm[64];			/* its name, "?" when unreadable */
	char node[PATH_MAX];		/* the node it holds, as given */
	bool mapped;			/* a mapping, not an open descriptor */
};

/*
 * Looks through every process but this one for an open descriptor of one
 * of the device nodes (compared by device number, so any name of the
 * device counts) or a mapping of it (by path or by the node's inode: a
 * mapping outlives its descriptor). Only root sees every process.
 * Returns 1 with h filled, 0 when none, -errno.
 */
int pm_find_holder(const char *const *nodes, size_t nr_nodes,
		   struct pm_holder *h);

#endif
