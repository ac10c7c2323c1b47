/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A minimal tar.gz writer and a careful extractor, for support bundles. */
#ifndef PMEMCTL_ARCHIVE_H
#define PMEMCTL_ARCHIVE_H

#include <stddef.h>
#include <sys/types.h>

struct pm_archive;

/*
 * Writes a gzip-compressed POSIX (pax) tar stream to fd, which the archive
 * owns from then on. Names longer than ustar allows get a pax header. All
 * functions return 0 or -errno; the first error sticks and is returned
 * again by pm_archive_close().
 */
int pm_archive_open(int fd, struct pm_archive **archive);
int pm_archive_add_dir(struct pm_archive *a, const char *name, mode_t mode);
int pm_archive_add_file(struct pm_archive *a, const char *name, mode_t mode,
			const void *data, size_t len);
int pm_archive_add_symlink(struct pm_archive *a, const char *name,
			   const char *target);
int pm_archive_close(struct pm_archive *a);

/*
 * Extracts a tar.gz (or plain tar) into the directory dirfd, dropping the
 * first path component of every entry (the bundle's top directory).
 * Refuses absolute names, "..", and writing through a symlink; keeps file
 * and symlink entries and the permission bits. -EINVAL for a stream that
 * is not a tar archive (err says what was wrong).
 */
int pm_archive_extract(const char *path, int dirfd, char *err, size_t errlen);

#endif
