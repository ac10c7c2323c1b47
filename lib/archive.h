/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Support bundles as tar.gz, through libarchive: written, and extracted safely. */
#ifndef PMEMCTL_ARCHIVE_H
#define PMEMCTL_ARCHIVE_H

#include <stddef.h>
#include <sys/types.h>

struct pm_archive;

/*
 * Writes a gzip-compressed POSIX (pax) tar stream to fd, which the archive
 * owns from then on. Names longer than ustar allows get a pax header. A
 * file's size is len, the bytes given (never a stat size). All functions
 * return 0 or -errno; the first error sticks and is returned again by
 * pm_archive_close().
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
 * Refuses absolute names, "..", and writing through a symlink; keeps
 * file, directory and symlink entries and their permission bits (never
 * setuid, setgid or sticky bits, never owners), skips hard links, devices
 * and fifos. -EINVAL for a stream that is not a tar archive, or one no
 * report can be (an entry over 64 MiB, 256 MiB or 256 Ki entries in all);
 * err says what was wrong. Uses the working directory while it runs (not
 * for threaded callers).
 */
int pm_archive_extract(const char *path, int dirfd, char *err, size_t errlen);

#endif
