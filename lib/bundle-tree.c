// SPDX-License-Identifier: GPL-2.0-or-later
/* Bundle trees: links kept inside, and a bundle directory copied into the replay. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/openat2.h>

#include "archive.h"

bool pm_link_escapes(const char *name, const char *target)
{
	const char *slash = strchr(name, '/');
	long depth = 0;

	if (!target[0] || target[0] == '/')
		return true;
	/* The link's directory, counted from its root ("sys/a/l": 1). */
	for (const char *c = slash ? slash + 1 : name; (c = strchr(c, '/')); c++)
		depth++;
	for (const char *c = target; *c;) {
		size_t part = strcspn(c, "/");

		if (part == 2 && c[0] == '.' && c[1] == '.') {
			if (--depth < 0)
				return true;
		} else if (part && !(part == 1 && c[0] == '.')) {
			depth++;
		}
		c += part;
		if (*c == '/')
			c++;
	}
	return false;
}

static void note(struct pm_extract_notes *notes, const char *name,
		 const char *target)
{
	if (!notes)
		return;
	notes->links_out++;
	if (!notes->first[0])
		snprintf(notes->first, sizeof(notes->first), "%s -> %.200s", name,
			 target);
}

/*
 * The walk openat2 does, for kernels before 5.6 and valgrind (which lacks
 * the call): components one by one from the root, links followed (40 at
 * most, as the kernel), a ".." at the root or an absolute target is the
 * way out. 1 out, 0 inside or dangling (nobody can add what it lacks).
 */
static int leaves_root(int rootfd, const char *path)
{
	char cur[PATH_MAX] = "", rest[2 * PATH_MAX], next[2 * PATH_MAX];
	int hops = 0;

	if (snprintf(rest, sizeof(rest), "%s", path) >= (int)sizeof(rest))
		return 0;
	while (rest[0]) {
		size_t part = strcspn(rest, "/"), used = strlen(cur);
		char target[PATH_MAX];
		struct stat st;
		ssize_t n;

		if (part == 0 || (part == 1 && rest[0] == '.')) {
			memmove(rest, rest + part + (rest[part] == '/'),
				strlen(rest + part + (rest[part] == '/')) + 1);
			continue;
		}
		if (part == 2 && rest[0] == '.' && rest[1] == '.') {
			char *slash = strrchr(cur, '/');

			if (!used)
				return 1;
			if (slash)
				*slash = '\0';
			else
				cur[0] = '\0';
			memmove(rest, rest + 2 + (rest[2] == '/'),
				strlen(rest + 2 + (rest[2] == '/')) + 1);
			continue;
		}
		if (snprintf(cur + used, sizeof(cur) - used, "%s%.*s", used ? "/" : "",
			     (int)part, rest) >= (int)(sizeof(cur) - used) ||
		    fstatat(rootfd, cur, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return 0;
		if (!S_ISLNK(st.st_mode)) {
			memmove(rest, rest + part + (rest[part] == '/'),
				strlen(rest + part + (rest[part] == '/')) + 1);
			continue;
		}
		n = readlinkat(rootfd, cur, target, sizeof(target) - 1);
		if (n <= 0 || ++hops > 40)
			return 0;
		target[n] = '\0';
		if (target[0] == '/')
			return 1;
		cur[used] = '\0';
		if (snprintf(next, sizeof(next), "%s/%s", target,
			     rest + part + (rest[part] == '/')) >= (int)sizeof(next))
			return 0;
		memcpy(rest, next, strlen(next) + 1);
	}
	return 0;
}

/*
 * Resolves path beneath rootfd without following it out. openat2 answers
 * EAGAIN when any rename or mount on the system raced a ".." it resolved
 * (the kernel cannot then vouch for the result): try again, and after
 * that many tries count the link as leaving, since a stand-in loses
 * nothing and a link kept wrongly leads out of the bundle.
 */
static int open_beneath(int rootfd, const char *path)
{
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
	};
	int tries;

	for (tries = 0; tries < 1000; tries++) {
		long fd = syscall(SYS_openat2, rootfd, path, &how, sizeof(how));

		if (fd >= 0 || errno != EAGAIN)
			return fd;
	}
	errno = EXDEV;
	return -1;
}

/*
 * What the names alone cannot show: a link through other links ("a/.."
 * where a leads up) that ends outside its root. The kernel resolves each
 * one beneath its root (openat2 RESOLVE_BENEATH, Linux 5.6) and says
 * EXDEV where it would leave; that link becomes a stand-in too.
 */
static int check_links(int rootfd, int dirfd, char *path, size_t len,
		       size_t root_len, struct pm_extract_notes *notes, int depth)
{
	struct dirent *d;
	DIR *dir;
	int rc = 0;

	if (depth > 512)
		return -ELOOP;
	dir = fdopendir(dirfd);
	if (!dir) {
		close(dirfd);
		return -errno;
	}
	while (!rc && (d = readdir(dir))) {
		size_t used = strlen(path);
		struct stat st;
		int fd;

		if (d->d_name[0] == '.' && (!d->d_name[1] ||
		    (d->d_name[1] == '.' && !d->d_name[2])))
			continue;
		if (snprintf(path + used, len - used, "/%s", d->d_name) >=
		    (int)(len - used)) {
			rc = -ENAMETOOLONG;
			break;
		}
		if (fstatat(dirfd, d->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			rc = -errno;
		} else if (S_ISDIR(st.st_mode)) {
			fd = openat(dirfd, d->d_name, O_RDONLY | O_DIRECTORY |
				    O_NOFOLLOW | O_CLOEXEC);
			/* A mode-0000 directory: nobody resolves through it. */
			if (fd >= 0)
				rc = check_links(rootfd, fd, path, len, root_len,
						 notes, depth + 1);
			else if (errno != EACCES)
				rc = -errno;
		} else if (S_ISLNK(st.st_mode)) {
			fd = open_beneath(rootfd, path + root_len);
			if (fd >= 0)
				close(fd);
			else if (errno == ENOSYS)
				errno = leaves_root(rootfd, path + root_len) ? EXDEV : 0;
			if (fd < 0 && errno == EXDEV) {
				char target[256];
				ssize_t n = readlinkat(dirfd, d->d_name, target,
						       sizeof(target) - 1);

				target[n < 0 ? 0 : n] = '\0';
				note(notes, path, target);
				if (unlinkat(dirfd, d->d_name, 0) < 0)
					rc = -errno;
				fd = openat(dirfd, d->d_name, O_WRONLY | O_CREAT |
					    O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0444);
				if (fd < 0)
					rc = -errno;
				else
					close(fd);
			}
			/* ENOENT, ELOOP: dangling in a tree nobody can change. */
		}
		path[used] = '\0';
	}
	closedir(dir);
	return rc;
}

int pm_bundle_check_links(int topfd, struct pm_extract_notes *notes,
			  char *err, size_t errlen)
{
	struct dirent *d;
	DIR *dir;
	int rc = 0, fd = openat(topfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	dir = fd < 0 ? NULL : fdopendir(fd);
	if (!dir) {
		rc = -errno;
		snprintf(err, errlen, "cannot read the bundle: %s", strerror(-rc));
		return rc;
	}
	/* Each top-level directory is a root of its own: /sys, /proc, ... */
	while (!rc && (d = readdir(dir))) {
		char path[PATH_MAX];
		int root;

		if (d->d_name[0] == '.' && (!d->d_name[1] ||
		    (d->d_name[1] == '.' && !d->d_name[2])))
			continue;
		root = openat(topfd, d->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			      O_CLOEXEC);
		if (root < 0)
			continue;
		/* Named from the top in notes, resolved from the root. */
		snprintf(path, sizeof(path), "%s", d->d_name);
		rc = check_links(root, dup(root), path, sizeof(path),
				 strlen(path) + 1, notes, 0);
		close(root);
	}
	closedir(dir);
	if (rc)
		snprintf(err, errlen, "cannot check the bundle's links: %s", strerror(-rc));
	return rc;
}

/*
 * The directory may belong to anyone and change under the replay: it is
 * read once, entry by entry without following links, into the replay's
 * tmpfs, under the limits extraction has; the replay never opens it again.
 */
struct copy {
	const struct pm_extract_owner *owner;
	struct pm_extract_notes *notes;
	char *err;
	size_t errlen;
	unsigned int entries;
	unsigned long long total;
	char buf[65536];
};

static int copy_file(struct copy *c, int src, int dst, const char *name,
		     const char *rel, mode_t mode)
{
	int in = openat(src, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY |
			O_CLOEXEC);
	int out = -1, rc = 0;
	unsigned long long size = 0;
	struct stat st;

	if (in < 0)
		return 0;	/* unreadable: left out, as a failed capture is */
	/* Swapped for a fifo or a device since it was listed: left out. */
	if (fstat(in, &st) < 0 || !S_ISREG(st.st_mode))
		goto out;
	out = openat(dst, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		     0600);
	if (out < 0) {
		rc = -errno;
		snprintf(c->err, c->errlen, "%s: %s", rel, strerror(errno));
		goto out;
	}
	for (;;) {
		ssize_t n = read(in, c->buf, sizeof(c->buf));

		if (n <= 0)
			break;
		size += n;
		c->total += n;
		if (size > PM_BUNDLE_MAX_ENTRY || c->total > PM_BUNDLE_MAX_TOTAL) {
			rc = -EINVAL;
			snprintf(c->err, c->errlen, "%s: more than %u MiB: not a pmemctl report",
				 rel, (size > PM_BUNDLE_MAX_ENTRY ? PM_BUNDLE_MAX_ENTRY :
				       PM_BUNDLE_MAX_TOTAL) >> 20);
			goto out;
		}
		if (write(out, c->buf, n) != n) {
			rc = -errno;
			snprintf(c->err, c->errlen, "%s: %s", rel, strerror(errno));
			goto out;
		}
	}
	if (c->owner && fchown(out, c->owner->uid, c->owner->gid) < 0)
		rc = -errno;
	if (!rc && fchmod(out, mode & 0777) < 0)
		rc = -errno;
out:
	if (out >= 0)
		close(out);
	close(in);
	return rc;
}

static int copy_link(struct copy *c, int src, int dst, const char *name,
		     const char *rel)
{
	char target[PM_BUNDLE_MAX_LINK + 2];
	ssize_t n = readlinkat(src, name, target, sizeof(target) - 1);
	int fd;

	if (n < 0)
		return 0;
	if (n > PM_BUNDLE_MAX_LINK) {
		snprintf(c->err, c->errlen, "%s: a symlink target over %u bytes: not a pmemctl report",
			 rel, PM_BUNDLE_MAX_LINK);
		return -EINVAL;
	}
	target[n] = '\0';
	c->total += n;
	if (!pm_link_escapes(rel, target))
		return symlinkat(target, dst, name) < 0 ? -errno : 0;
	note(c->notes, rel, target);
	fd = openat(dst, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		    0444);
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

static int copy_dir(struct copy *c, int src, int dst, char *rel, size_t len,
		    int depth)
{
	DIR *dir = fdopendir(src);
	struct dirent *d;
	int rc = 0;

	if (!dir) {
		close(src);
		return 0;
	}
	while (!rc && (d = readdir(dir))) {
		size_t used = strlen(rel);
		struct stat st;

		if (d->d_name[0] == '.' && (!d->d_name[1] ||
		    (d->d_name[1] == '.' && !d->d_name[2])))
			continue;
		if (++c->entries > PM_BUNDLE_MAX_ENTRIES || depth > 512 ||
		    snprintf(rel + used, len - used, "%s%s", used ? "/" : "",
			     d->d_name) >= (int)(len - used)) {
			snprintf(c->err, c->errlen, "more than %u entries, or a name too long: not a pmemctl report",
				 PM_BUNDLE_MAX_ENTRIES);
			rc = -EINVAL;
			break;
		}
		if (fstatat(src, d->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			;
		else if (S_ISREG(st.st_mode))
			rc = copy_file(c, src, dst, d->d_name, rel, st.st_mode);
		else if (S_ISLNK(st.st_mode))
			rc = copy_link(c, src, dst, d->d_name, rel);
		else if (S_ISDIR(st.st_mode) && mkdirat(dst, d->d_name, 0700) == 0) {
			int from = openat(src, d->d_name, O_RDONLY | O_DIRECTORY |
					  O_NOFOLLOW | O_CLOEXEC);
			int to = openat(dst, d->d_name, O_RDONLY | O_DIRECTORY |
					O_NOFOLLOW | O_CLOEXEC);

			if (from >= 0 && to >= 0)
				rc = copy_dir(c, from, to, rel, len, depth + 1);
			else if (from >= 0)
				close(from);
			/* Its mode last, once it is filled. */
			if (to >= 0 && c->owner &&
			    fchown(to, c->owner->uid, c->owner->gid) < 0 && !rc)
				rc = -errno;
			if (to >= 0 && fchmod(to, st.st_mode & 0777) < 0 && !rc)
				rc = -errno;
			if (to >= 0)
				close(to);
		}
		/* Devices, fifos and sockets are never copied. */
		rel[used] = '\0';
	}
	closedir(dir);
	return rc;
}

int pm_bundle_copy(int srcfd, int dirfd, const struct pm_extract_owner *owner,
		   struct pm_extract_notes *notes, char *err, size_t errlen)
{
	struct copy *c = calloc(1, sizeof(*c));
	char rel[PATH_MAX] = "";
	int from, to, rc;

	if (!c)
		return -ENOMEM;
	memset(notes, 0, sizeof(*notes));
	*c = (struct copy){ .owner = owner, .notes = notes, .err = err,
			    .errlen = errlen };
	err[0] = '\0';
	from = openat(srcfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	to = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (from < 0 || to < 0) {
		rc = -errno;
		if (from >= 0)
			close(from);
	} else {
		rc = copy_dir(c, from, to, rel, sizeof(rel), 0);
	}
	if (to >= 0)
		close(to);
	if (rc && !err[0])
		snprintf(err, errlen, "cannot copy the bundle: %s", strerror(-rc));
	free(c);
	if (!rc)
		rc = pm_bundle_check_links(dirfd, notes, err, errlen);
	return rc;
}
