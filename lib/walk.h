/* SPDX-License-Identifier: GPL-2.0-or-later */
/* walk.h: every regular file of one filesystem, opened without following links. */
#ifndef PMEMCTL_WALK_H
#define PMEMCTL_WALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

/* How the walk ended, and what it did not reach. */
struct pm_walk_result {
	size_t nr_files;		/* regular files handed to the callback */
	size_t nr_unreadable;		/* entries that could not be read or opened */
	int first_error;		/* the first such -errno, or 0 */
	size_t nr_raced;		/* entries that changed between stat and open */
	size_t nr_too_deep;		/* directories below PM_WALK_MAX_DEPTH */
	bool timed_out;			/* the deadline passed: stopped */
	char *stopped;			/* then the directory it was in (malloc'ed) */
};

/* Deeper directories are not walked: each level holds a descriptor. */
#define PM_WALK_MAX_DEPTH 256

/*
 * Called for each regular file, fd open read-only on it (closed by the
 * walk after the call), st its fstat(), path its full name for messages.
 * Non-zero stops the walk and is returned.
 */
typedef int (*pm_walk_fn)(void *ctx, int fd, const char *path, const struct stat *st);

/*
 * Every regular file under root on root's filesystem: each directory is
 * opened relative to its parent's descriptor, one name at a time, never
 * through a link (openat2 RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH |
 * RESOLVE_NO_XDEV where the kernel has it, O_NOFOLLOW otherwise), and
 * what is opened must be what was listed (device and inode), so that a
 * directory swapped for a link while the walk runs leads nowhere else.
 * Mount points inside are not entered. deadline_ns (CLOCK_MONOTONIC, 0:
 * none) stops the walk: res says where. root itself is followed as given.
 * 0, the callback's value, or -errno for root itself; res is filled (free
 * it with pm_walk_result_free()).
 */
int pm_walk(const char *root, uint64_t deadline_ns, pm_walk_fn fn, void *ctx,
	    struct pm_walk_result *res);
void pm_walk_result_free(struct pm_walk_result *res);

/* Tests: walk as on a kernel without openat2 (O_NOFOLLOW per name). */
void pm_walk_no_openat2(bool no);

/* CLOCK_MONOTONIC in ns, for deadlines. */
uint64_t pm_walk_now(void);

/*
 * The deadline of a walk that starts now: PM_WALK_SECONDS, or the
 * environment's PMEMCTL_TEST_WALK_SECONDS (for test suites); 0 when that
 * is "none".
 */
uint64_t pm_walk_deadline(void);
#define PM_WALK_SECONDS 120

/* The pure part (tests/unit/test-walk.c): what to do with an entry. */
enum pm_walk_action {
	PM_WALK_SKIP,		/* not a file or directory, or on another filesystem */
	PM_WALK_FILE,
	PM_WALK_DIR,
	PM_WALK_TOO_DEEP,
};
enum pm_walk_action pm_walk_classify(const struct stat *st, dev_t root_dev,
				     unsigned int depth);
/* The entry opened is the one listed: same device and inode, same type. */
bool pm_walk_same(const struct stat *listed, const struct stat *opened);

#endif
