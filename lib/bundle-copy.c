// SPDX-License-Identifier: GPL-2.0-or-later
/* An extracted bundle directory copied into the replay, as extraction would. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive.h"

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
	c->notes->links_out++;
	if (!c->notes->first[0])
		snprintf(c->notes->first, sizeof(c->notes->first), "%s -> %.200s", rel,
			 target);
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
