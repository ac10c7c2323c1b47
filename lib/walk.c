// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * walk.c: the files of a mounted filesystem for doctor, which runs as root
 * over directories users write: no name is ever resolved twice, and no link
 * is followed, so a directory swapped for a link leads nowhere else.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "walk.h"

struct walker {
	pm_walk_fn fn;
	void *ctx;
	uint64_t deadline;
	dev_t dev;
	struct pm_walk_result *res;
	char *path;
	size_t len, alloc;
	bool no_openat2;		/* the kernel (or a filter) lacks it */
	bool stop;
};

/* Tests: the fallback of kernels without openat2 (5.6). */
static bool force_fallback;

void pm_walk_no_openat2(bool no)
{
	force_fallback = no;
}

uint64_t pm_walk_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

uint64_t pm_walk_deadline(void)
{
	const char *env = getenv("PMEMCTL_TEST_WALK_SECONDS");
	double s = PM_WALK_SECONDS;

	if (env && *env) {
		char *end;

		s = strtod(env, &end);
		if (*end || s < 0)
			s = PM_WALK_SECONDS;
	}
	return pm_walk_now() + (uint64_t)(s * 1e9);
}

enum pm_walk_action pm_walk_classify(const struct stat *st, dev_t root_dev,
				     unsigned int depth)
{
	/* Another filesystem mounted inside: its own walk, if any. */
	if (st->st_dev != root_dev)
		return PM_WALK_SKIP;
	if (S_ISREG(st->st_mode))
		return PM_WALK_FILE;
	if (!S_ISDIR(st->st_mode))
		return PM_WALK_SKIP;
	return depth > PM_WALK_MAX_DEPTH ? PM_WALK_TOO_DEEP : PM_WALK_DIR;
}

bool pm_walk_same(const struct stat *listed, const struct stat *opened)
{
	return listed->st_dev == opened->st_dev && listed->st_ino == opened->st_ino &&
	       (listed->st_mode & S_IFMT) == (opened->st_mode & S_IFMT);
}

static void unreadable(struct walker *wk, int err)
{
	wk->res->nr_unreadable++;
	if (!wk->res->first_error)
		wk->res->first_error = -err;
}

/* One name in dirfd, never a link, never onto another mount. */
static int open_beneath(struct walker *wk, int dirfd, const char *name, int flags)
{
	flags |= O_NOFOLLOW | O_CLOEXEC | O_NOCTTY;
	if (!wk->no_openat2) {
		struct open_how how = {
			.flags = flags,
			.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH |
				   RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS,
		};
		long fd = syscall(SYS_openat2, dirfd, name, &how, sizeof(how));

		if (fd >= 0 || errno != ENOSYS)
			return fd;
		wk->no_openat2 = true;
	}
	return openat(dirfd, name, flags);
}

static int open_file(struct walker *wk, int dirfd, const char *name)
{
	int fd = open_beneath(wk, dirfd, name, O_RDONLY | O_NONBLOCK | O_NOATIME);

	/* O_NOATIME: the owner's or CAP_FOWNER's only. */
	if (fd < 0 && errno == EPERM)
		fd = open_beneath(wk, dirfd, name, O_RDONLY | O_NONBLOCK);
	return fd;
}

static int path_push(struct walker *wk, const char *name)
{
	size_t n = strlen(name), need = wk->len + 1 + n + 1;

	if (need > wk->alloc) {
		char *p = realloc(wk->path, need * 2);

		if (!p)
			return -ENOMEM;
		wk->path = p;
		wk->alloc = need * 2;
	}
	if (wk->len && wk->path[wk->len - 1] != '/')
		wk->path[wk->len++] = '/';
	memcpy(wk->path + wk->len, name, n + 1);
	wk->len += n;
	return 0;
}

static int visit(struct walker *wk, int dirfd, const char *name, unsigned int depth);

/* The entries of the directory open at fd (taken over). */
static int walk_dir(struct walker *wk, int fd, unsigned int depth)
{
	struct dirent *e;
	int rc = 0;
	DIR *dp;

	dp = fdopendir(fd);
	if (!dp) {
		unreadable(wk, errno);
		close(fd);
		return 0;
	}
	while (!rc && !wk->stop) {
		size_t len = wk->len;

		errno = 0;
		e = readdir(dp);
		if (!e) {
			if (errno)
				unreadable(wk, errno);
			break;
		}
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		/* A mount that stalls, or a huge tree: stop and say where. */
		if (wk->deadline && pm_walk_now() >= wk->deadline) {
			wk->res->timed_out = true;
			wk->res->stopped = strdup(wk->path);
			wk->stop = true;
			break;
		}
		rc = path_push(wk, e->d_name);
		if (!rc)
			rc = visit(wk, dirfd(dp), e->d_name, depth);
		wk->len = len;
		wk->path[len] = '\0';
	}
	closedir(dp);
	return rc;
}

static int visit(struct walker *wk, int dirfd, const char *name, unsigned int depth)
{
	struct stat listed, opened;
	int fd, rc;

	if (fstatat(dirfd, name, &listed, AT_SYMLINK_NOFOLLOW) < 0) {
		unreadable(wk, errno);
		return 0;
	}
	switch (pm_walk_classify(&listed, wk->dev, depth + 1)) {
	case PM_WALK_SKIP:
		return 0;
	case PM_WALK_TOO_DEEP:
		wk->res->nr_too_deep++;
		return 0;
	case PM_WALK_FILE:
		/* Nothing allocated (empty, all holes): nothing to open. */
		if (!listed.st_size || !listed.st_blocks) {
			wk->res->nr_files++;
			return wk->fn(wk->ctx, -1, wk->path, &listed);
		}
		fd = open_file(wk, dirfd, name);
		break;
	default:
		fd = open_beneath(wk, dirfd, name, O_RDONLY | O_DIRECTORY);
		break;
	}
	if (fd < 0) {
		/* A link or a mount where the entry was: it changed since. */
		if (errno == ELOOP || errno == EXDEV || errno == ENOTDIR)
			wk->res->nr_raced++;
		else
			unreadable(wk, errno);
		return 0;
	}
	if (fstat(fd, &opened) < 0 || !pm_walk_same(&listed, &opened)) {
		wk->res->nr_raced++;
		close(fd);
		return 0;
	}
	if (S_ISDIR(opened.st_mode))
		return walk_dir(wk, fd, depth + 1);
	wk->res->nr_files++;
	rc = wk->fn(wk->ctx, fd, wk->path, &opened);
	close(fd);
	return rc;
}

int pm_walk(const char *root, uint64_t deadline_ns, pm_walk_fn fn, void *ctx,
	    struct pm_walk_result *res)
{
	struct walker wk = { .fn = fn, .ctx = ctx, .deadline = deadline_ns, .res = res,
			     .no_openat2 = force_fallback };
	struct stat st;
	int fd, rc = 0;

	memset(res, 0, sizeof(*res));
	fd = open(root, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	wk.dev = st.st_dev;
	if (path_push(&wk, root)) {
		close(fd);
		return -ENOMEM;
	}
	if (S_ISDIR(st.st_mode)) {
		rc = walk_dir(&wk, fd, 0);
	} else {
		if (S_ISREG(st.st_mode)) {
			res->nr_files++;
			rc = fn(ctx, fd, root, &st);
		}
		close(fd);
	}
	free(wk.path);
	return rc;
}

void pm_walk_result_free(struct pm_walk_result *res)
{
	free(res->stopped);
	memset(res, 0, sizeof(*res));
}
