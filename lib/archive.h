/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Support bundles as tar.gz, through libarchive: written, and extracted safely. */
#ifndef PMEMCTL_ARCHIVE_H
#define PMEMCTL_ARCHIVE_H

#include <stdbool.h>
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

/* What a bundle may hold: a sysfs capture is a few MiB. */
#define PM_BUNDLE_MAX_ENTRY (64u << 20)		/* bytes in one entry */
#define PM_BUNDLE_MAX_TOTAL (256u << 20)	/* bytes in all */
#define PM_BUNDLE_MAX_ENTRIES (256u << 10)
#define PM_BUNDLE_MAX_LINK 4095u		/* a symlink target: PATH_MAX */

/* Who owns what is extracted (the identity the replay drops to). */
struct pm_extract_owner {
	uid_t uid;
	gid_t gid;
};

/* What extraction neutralised, for the replay to say. */
struct pm_extract_notes {
	unsigned int links_out;		/* symlinks leading out of their root */
	unsigned int hard_links;	/* hard links, never made */
	char first[512];		/* "name -> target" of the first one */
};

/*
 * Extracts a tar.gz (or plain tar) into the directory dirfd, dropping the
 * first path component of every entry (the bundle's top directory).
 * Refuses absolute names, "..", and writing through a symlink; keeps
 * file, directory and symlink entries and their permission bits (never
 * setuid, setgid or sticky bits), skips devices and fifos. Files belong
 * to owner (NULL: the caller). A symlink that is absolute or resolves out
 * of the top-level directory it is in (sys/, proc/, pmemctl/), and a hard
 * link, become empty 0444 files, counted in notes (which may be NULL).
 * -EINVAL for a stream that is not a tar archive, or one no report can be:
 * an entry over 64 MiB, 256 MiB declared in all (data, hard-link data,
 * link targets), 256 Ki entries, a link target over 4095 bytes, a hard
 * link carrying data, a second compression layer, inflating to more than
 * 256 times its size (+1 MiB), or 60 s of CPU; err says what was wrong.
 * Uses the working directory
 * while it runs (not for threaded callers).
 */
int pm_archive_extract(const char *path, int dirfd,
		       const struct pm_extract_owner *owner,
		       struct pm_extract_notes *notes, char *err, size_t errlen);

/*
 * The same for a directory a bundle was extracted to (srcfd): its
 * regular files, directories and symlinks are copied into dirfd (never
 * followed, nothing else copied), under the same limits.
 */
int pm_bundle_copy(int srcfd, int dirfd, const struct pm_extract_owner *owner,
		   struct pm_extract_notes *notes, char *err, size_t errlen);

/*
 * Whether a symlink named name (relative to the bundle's top, "sys/a/l")
 * with this target is absolute or climbs out of name's first component,
 * by its text alone. Pure: links through links need pm_bundle_check_links().
 */
bool pm_link_escapes(const char *name, const char *target);

/*
 * Every symlink below each top-level directory of topfd is resolved
 * beneath that directory by the kernel; one that leaves it is replaced by
 * an empty 0444 file and counted in notes. 0 or -errno, err saying why.
 */
int pm_bundle_check_links(int topfd, struct pm_extract_notes *notes,
			  char *err, size_t errlen);

#endif
