// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests: the lock files in a scratch directory: exclusion, how a
 * refusal says who holds the lock, and files pmemctl did not make.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"
#include "lib/lock.h"

static char dir[] = "/tmp/pmemctl-test-lock.XXXXXX";

static void path_of(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", dir, name);
}

static mode_t mode_of(const char *name)
{
	char path[PATH_MAX];
	struct stat st;

	path_of(path, sizeof(path), name);
	return lstat(path, &st) == 0 ? st.st_mode : 0;
}

/* Another holder (as flock(1) or another pmemctl would be). */
static int hold(const char *name, int how)
{
	char path[PATH_MAX];
	int fd;

	path_of(path, sizeof(path), name);
	fd = open(path, O_RDONLY | O_NOFOLLOW);
	if (fd >= 0 && flock(fd, how | LOCK_NB) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void exclusion(int dfd)
{
	struct pm_lock_note note;
	int a, b, c;

	ok(pm_lock_at(dfd, dir, "ns", false, &a, &note) == 0 && a >= 0, "an exclusive lock");
	ok(S_ISREG(mode_of("ns.lock")) && (mode_of("ns.lock") & 07777) == 0600,
	   "the lock file is a regular file, 0600");
	ok(pm_lock_at(dfd, dir, "ns", false, &b, &note) == -EBUSY && b == -1,
	   "a second exclusive lock: -EBUSY");
	ok(pm_lock_at(dfd, dir, "ns", true, &b, &note) == -EBUSY, "a shared one too");
	pm_unlock(a);
	ok(pm_lock_at(dfd, dir, "ns", false, &b, &note) == 0, "free again once released");
	pm_unlock(b);

	ok(pm_lock_at(dfd, dir, "r.scope", true, &a, &note) == 0 &&
	   pm_lock_at(dfd, dir, "r.scope", true, &b, &note) == 0, "two shared holders");
	ok(pm_lock_at(dfd, dir, "r.scope", false, &c, &note) == -EBUSY && note.shared &&
	   !note.holder[0], "exclusive while shared: -EBUSY, held shared by others");
	pm_unlock(a);
	pm_unlock(b);
	ok(pm_lock_at(dfd, dir, "r.scope", false, &a, &note) == 0, "then exclusive");
	pm_lock_set_holder(a, "destroying it");
	ok(pm_lock_at(dfd, dir, "r.scope", true, &b, &note) == -EBUSY && !note.shared &&
	   strcmp(note.holder, "destroying it") == 0,
	   "shared while held alone: -EBUSY, the holder says what it does (%s)", note.holder);
	pm_unlock(a);
	/* A holder that is not pmemctl (flock(1) on a file it made 0600). */
	a = hold("r.scope.lock", LOCK_SH);
	ok(pm_lock_at(dfd, dir, "r.scope", false, &b, &note) == -EBUSY && note.shared,
	   "exclusive while another program holds it shared: -EBUSY");
	close(a);
	ok(pm_lock_at(dfd, dir, "a/b", false, &a, &note) == -EINVAL, "a name with a slash: -EINVAL");
}

/* A file pmemctl did not make is replaced: its holders hold nothing. */
static void foreign(int dfd)
{
	char path[PATH_MAX], victim[PATH_MAX];
	struct pm_lock_note note;
	struct stat st;
	int a, b, held;

	path_of(path, sizeof(path), "loose.lock");
	a = open(path, O_RDWR | O_CREAT, 0644);
	fchmod(a, 0644);
	close(a);
	held = hold("loose.lock", LOCK_EX);
	ok(pm_lock_at(dfd, dir, "loose", false, &a, &note) == 0,
	   "a 0644 lock file held by whoever could open it: the lock is taken anyway");
	ok(strstr(note.text, "mode 0644") && strstr(note.text, "replaced") &&
	   strstr(note.file, "/loose.lock"), "the note names the file and why (%s: %s)",
	   note.file, note.text);
	ok((mode_of("loose.lock") & 07777) == 0600, "the new file is 0600");
	pm_unlock(a);
	close(held);

	/* A link must be neither followed nor its target touched. */
	path_of(victim, sizeof(victim), "victim");
	a = open(victim, O_RDWR | O_CREAT, 0644);
	ok(write(a, "data", 4) == 4, "a file a link points to");
	close(a);
	path_of(path, sizeof(path), "link.lock");
	ok(symlink(victim, path) == 0, "a lock name that is a symbolic link");
	ok(pm_lock_at(dfd, dir, "link", false, &a, &note) == 0 &&
	   strstr(note.text, "symbolic link"), "taken on a new file, the note says (%s)", note.text);
	ok(S_ISREG(mode_of("link.lock")), "the link is gone, a regular file instead");
	ok(stat(victim, &st) == 0 && st.st_size == 4 && (st.st_mode & 07777) == 0644,
	   "the link's target is untouched");
	pm_unlock(a);

	path_of(path, sizeof(path), "fifo.lock");
	ok(mkfifo(path, 0600) == 0, "a lock name that is a fifo");
	ok(pm_lock_at(dfd, dir, "fifo", false, &a, &note) == 0 && S_ISREG(mode_of("fifo.lock")) &&
	   strstr(note.text, "not a regular file"), "replaced by a regular file (%s)", note.text);
	pm_unlock(a);

	path_of(path, sizeof(path), "dir.lock");
	mkdir(path, 0700);
	ok(pm_lock_at(dfd, dir, "dir", false, &a, &note) < 0 && a == -1 &&
	   strstr(note.text, "directory"), "a directory at the name is refused, named (%s)",
	   note.text);

	if (geteuid() != 0) {
		ok(1, "# SKIP a file of another user needs root");
		return;
	}
	path_of(path, sizeof(path), "user.lock");
	a = open(path, O_RDWR | O_CREAT, 0600);
	ok(a >= 0 && fchown(a, 65534, 65534) == 0, "a 0600 lock file owned by nobody");
	close(a);
	ok(pm_lock_at(dfd, dir, "user", true, &a, &note) == 0 && strstr(note.text, "uid 65534"),
	   "replaced, the note names the owner (%s)", note.text);
	ok(lstat(path, &st) == 0 && st.st_uid == 0, "the new file is root's");
	pm_unlock(a);
	(void)b;
}

static void directory(void)
{
	char sub[PATH_MAX], link[PATH_MAX];
	struct pm_lock_note note;
	struct stat st;
	int dfd;

	path_of(sub, sizeof(sub), "made");
	ok(pm_lock_dir_open(sub, &dfd, &note) == 0 && stat(sub, &st) == 0 &&
	   (st.st_mode & 07777) == 0700, "a new lock directory is made 0700");
	close(dfd);
	chmod(sub, 0755);
	ok(pm_lock_dir_open(sub, &dfd, &note) == 0 && stat(sub, &st) == 0 &&
	   (st.st_mode & 07777) == 0700, "a 0755 one is tightened to 0700");
	close(dfd);
	path_of(link, sizeof(link), "dirlink");
	ok(symlink(sub, link) == 0, "a lock directory that is a link");
	ok(pm_lock_dir_open(link, &dfd, &note) == -EPERM && strstr(note.file, "dirlink") &&
	   strstr(note.text, "not a directory"), "refused, named (%s: %s)", note.file, note.text);
	if (geteuid() != 0) {
		ok(1, "# SKIP a directory of another user needs root");
		return;
	}
	ok(chown(sub, 65534, 65534) == 0, "a lock directory owned by nobody");
	ok(pm_lock_dir_open(sub, &dfd, &note) == -EPERM && strstr(note.text, "uid 65534"),
	   "refused, the note names the owner (%s)", note.text);
}

int main(void)
{
	struct pm_lock_note note;
	char cmd[PATH_MAX + 16];
	int dfd;

	umask(022);
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	ok(pm_lock_dir_open(dir, &dfd, &note) == 0, "the scratch lock directory");
	exclusion(dfd);
	foreign(dfd);
	close(dfd);
	directory();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return done_testing();
}
