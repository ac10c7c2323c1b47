/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lock.h: the lock files that serialise changes across pmemctl processes. */
#ifndef PMEMCTL_LOCK_H
#define PMEMCTL_LOCK_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

/* Lock files live here: the same path for every pmemctl. */
#define PM_LOCK_DIR "/run/pmemctl"

/*
 * What the caller should tell the user: a file that was not a lock file
 * pmemctl made and was replaced or refused (text), or, on -EBUSY, how it
 * is held: shared by others (an exclusive lock was wanted), or exclusively
 * by one that wrote what it is doing into it (holder; empty when it wrote
 * nothing).
 */
struct pm_lock_note {
	char file[PATH_MAX];
	char text[192];
	char holder[80];
	bool shared;
};

/*
 * Opens (creating it 0700) the lock directory: a directory of the caller's
 * user, not a link; a looser mode is tightened to 0700. -EPERM (note says
 * why) for one that cannot be trusted.
 */
int pm_lock_dir_open(const char *path, int *dirfd, struct pm_lock_note *note);

/*
 * dirfd/name.lock (dir names dirfd in notes), exclusive or shared, tried once: 0 with *fd held, -EBUSY
 * when another holds it so. A file there that another user owns, another
 * mode than 0600, or not a regular file (a link, a fifo, a device) is
 * replaced by a new lock file first, and the note says so: whoever could
 * open the old one holds nothing on the new one.
 */
int pm_lock_at(int dirfd, const char *dir, const char *name, bool shared,
	       int *fd, struct pm_lock_note *note);

/* pm_lock_at() in PM_LOCK_DIR. */
int pm_lock(const char *name, bool shared, int *fd, struct pm_lock_note *note);

/*
 * Writes what the exclusive holder is doing into its lock ("destroying
 * it"), for a process that finds the lock taken to say which.
 */
void pm_lock_set_holder(int fd, const char *doing);

void pm_unlock(int fd);

#endif
