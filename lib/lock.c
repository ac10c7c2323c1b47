// SPDX-License-Identifier: GPL-2.0-or-later
/* lock.c: lock files that only the user who runs changes (root) can hold. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lock.h"

static void note_set(struct pm_lock_note *note, const char *dir, const char *name,
		     const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void note_set(struct pm_lock_note *note, const char *dir, const char *name,
		     const char *fmt, ...)
{
	va_list ap;

	snprintf(note->file, sizeof(note->file), "%s%s%s", dir, name ? "/" : "",
		 name ? name : "");
	va_start(ap, fmt);
	vsnprintf(note->text, sizeof(note->text), fmt, ap);
	va_end(ap);
}

int pm_lock_dir_open(const char *path, int *dirfd, struct pm_lock_note *note)
{
	struct stat st;
	int fd;

	memset(note, 0, sizeof(*note));
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return -errno;
	/* A link there could send the locks (and their replacement) elsewhere. */
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		int rc = -errno;

		if (rc == -ELOOP || rc == -ENOTDIR) {
			note_set(note, path, NULL,
				 "not a directory (a link or a file): remove it, pmemctl makes its own");
			return -EPERM;
		}
		return rc;
	}
	if (fstat(fd, &st) < 0) {
		int rc = -errno;

		close(fd);
		return rc;
	}
	/* Its owner can replace any lock in it: only the changer's own. */
	if (st.st_uid != geteuid()) {
		note_set(note, path, NULL, "owned by uid %u, not %u: remove it, pmemctl makes its own",
			 (unsigned int)st.st_uid, (unsigned int)geteuid());
		close(fd);
		return -EPERM;
	}
	/* Nobody else may open a lock in it: an open file can be locked. */
	if ((st.st_mode & 07777) != 0700 && fchmod(fd, 0700) < 0) {
		int rc = -errno;

		close(fd);
		return rc;
	}
	*dirfd = fd;
	return 0;
}

/* Why the entry at name is not a lock file pmemctl made, or NULL. */
static const char *foreign(const struct stat *st, char *buf, size_t len)
{
	if (S_ISLNK(st->st_mode))
		return "a symbolic link";
	if (!S_ISREG(st->st_mode))
		return "not a regular file";
	if (st->st_uid != geteuid()) {
		snprintf(buf, len, "owned by uid %u", (unsigned int)st->st_uid);
		return buf;
	}
	if ((st->st_mode & 07777) != 0600) {
		snprintf(buf, len, "mode %04o, not 0600", (unsigned int)(st->st_mode & 07777));
		return buf;
	}
	return NULL;
}

/*
 * A new lock file renamed over the foreign one: atomic, so another pmemctl
 * sees the old or the new file, and under the directory's own lock, so two
 * that both found the old one do not replace each other's.
 */
static int replace(int dirfd, const char *file)
{
	char tmp[NAME_MAX + 32];
	struct stat st;
	char why[48];
	int fd, rc = 0;

	if (flock(dirfd, LOCK_EX) < 0)
		return -errno;
	/* Another pmemctl may have replaced it while we waited. */
	if (fstatat(dirfd, file, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    !foreign(&st, why, sizeof(why)))
		goto out;
	if (fstatat(dirfd, file, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode)) {
		rc = -EISDIR;
		goto out;
	}
	snprintf(tmp, sizeof(tmp), ".%s.%ld", file, (long)getpid());
	fd = openat(dirfd, tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = -errno;
		goto out;
	}
	close(fd);
	if (renameat(dirfd, tmp, dirfd, file) < 0) {
		rc = -errno;
		unlinkat(dirfd, tmp, 0);
	}
out:
	flock(dirfd, LOCK_UN);
	return rc;
}

static void read_holder(int fd, struct pm_lock_note *note)
{
	ssize_t n = pread(fd, note->holder, sizeof(note->holder) - 1, 0);

	note->holder[n > 0 ? n : 0] = '\0';
	note->holder[strcspn(note->holder, "\n")] = '\0';
}

static bool same_file(int dirfd, const char *file, int fd)
{
	struct stat a, b;

	return fstat(fd, &a) == 0 && fstatat(dirfd, file, &b, AT_SYMLINK_NOFOLLOW) == 0 &&
	       a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

int pm_lock_at(int dirfd, const char *dir, const char *name, bool shared,
	       int *fd, struct pm_lock_note *note)
{
	char file[NAME_MAX + 1], why[48];
	const char *bad;
	struct stat st;
	int rc;

	memset(note, 0, sizeof(*note));
	*fd = -1;
	if (snprintf(file, sizeof(file), "%s.lock", name) >= (int)sizeof(file) ||
	    strchr(name, '/'))
		return -EINVAL;
	/* A few rounds: each replaced file or lost race makes one. */
	for (int round = 0; round < 8; round++) {
		/* Before opening: a device node must not even be opened. */
		if (fstatat(dirfd, file, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    (bad = foreign(&st, why, sizeof(why)))) {
			note_set(note, dir, file, "%s: replaced by a new lock file", bad);
			rc = replace(dirfd, file);
			if (rc == -EISDIR)
				note_set(note, dir, file,
					 "a directory, not a lock file: remove it");
			if (rc < 0)
				return rc;
			continue;
		}
		*fd = openat(dirfd, file, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK |
			     O_NOCTTY | O_CLOEXEC, 0600);
		if (*fd < 0) {
			if (errno == ELOOP)
				continue;	/* made a link since: replaced next round */
			return -errno;
		}
		if (fstat(*fd, &st) < 0 || foreign(&st, why, sizeof(why))) {
			close(*fd);
			*fd = -1;
			continue;
		}
		if (flock(*fd, (shared ? LOCK_SH : LOCK_EX) | LOCK_NB) < 0) {
			rc = errno == EWOULDBLOCK ? -EBUSY : -errno;
			/* Shared by others, or one holds it alone: say which. */
			if (rc == -EBUSY && !shared && flock(*fd, LOCK_SH | LOCK_NB) == 0)
				note->shared = true;
			else if (rc == -EBUSY)
				read_holder(*fd, note);
			close(*fd);
			*fd = -1;
			return rc;
		}
		/* Held: but is it still the file at that name? */
		if (same_file(dirfd, file, *fd))
			return 0;
		close(*fd);
		*fd = -1;
	}
	return -EAGAIN;
}

int pm_lock(const char *name, bool shared, int *fd, struct pm_lock_note *note)
{
	int dirfd, rc;

	rc = pm_lock_dir_open(PM_LOCK_DIR, &dirfd, note);
	if (rc < 0)
		return rc;
	rc = pm_lock_at(dirfd, PM_LOCK_DIR, name, shared, fd, note);
	close(dirfd);
	return rc;
}

void pm_lock_set_holder(int fd, const char *doing)
{
	char buf[sizeof(((struct pm_lock_note *)0)->holder)];
	int len = snprintf(buf, sizeof(buf), "%s\n", doing);

	/* Only a hint for the message of the one refused: failures do not matter. */
	if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, len, 0) != len)
		return;
}

void pm_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}
