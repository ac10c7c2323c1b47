// SPDX-License-Identifier: GPL-2.0-or-later
/* Replay: a report's sysfs capture bind-mounted over /sys, privately. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <grp.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <linux/capability.h>

#include "archive.h"
#include "host.h"
#include "report.h"
#include "pmem.h"

/* Read-only, and nothing in it runs, is a device or raises privileges. */
#define LOCKED (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC)

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -errno;
}

static long read_sysctl(const char *path)
{
	long value = -1;
	FILE *f = fopen(path, "re");

	if (f) {
		if (fscanf(f, "%ld", &value) != 1)
			value = -1;
		fclose(f);
	}
	return value;
}

/*
 * Root gets a mount namespace of its own. Anyone else gets a user
 * namespace too, mapping only their own uid and gid: inside it they hold
 * the capabilities to mount, and every permission decision pmemctl makes
 * (from euid and attribute modes) comes out as it does live.
 */
static int private_namespace(char *err, size_t len)
{
	uid_t uid = geteuid();
	gid_t gid = getegid();
	char map[64];

	if (uid == 0 && unshare(CLONE_NEWNS) == 0)
		return 0;
	if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0) {
		int rc = -EPERM;
		int why = errno;

		if (read_sysctl("/proc/sys/kernel/unprivileged_userns_clone") == 0)
			return pm_explain(err, len, rc, "unprivileged user namespaces are disabled (sysctl kernel.unprivileged_userns_clone=0): run as root, or set it to 1");
		if (read_sysctl("/proc/sys/user/max_user_namespaces") == 0)
			return pm_explain(err, len, rc, "user namespaces are disabled (sysctl user.max_user_namespaces=0): run as root");
		return pm_explain(err, len, rc, "cannot create a private mount namespace (%s): run as root, or allow unprivileged user namespaces",
				  strerror(why));
	}
	snprintf(map, sizeof(map), "%u %u 1\n", uid, uid);
	if (write_file("/proc/self/uid_map", map) < 0)
		return pm_explain(err, len, -EPERM, "cannot map uid %u in the user namespace", uid);
	/* Unprivileged gid maps need setgroups denied first. */
	write_file("/proc/self/setgroups", "deny\n");
	snprintf(map, sizeof(map), "%u %u 1\n", gid, gid);
	if (write_file("/proc/self/gid_map", map) < 0)
		return pm_explain(err, len, -EPERM, "cannot map gid %u in the user namespace", gid);
	return 0;
}

static bool is_report_dir(int dirfd)
{
	struct stat st;

	return fstatat(dirfd, "sys", &st, 0) == 0 && S_ISDIR(st.st_mode) &&
	       fstatat(dirfd, PM_REPORT_DIR, &st, 0) == 0 && S_ISDIR(st.st_mode);
}

/*
 * Where udev puts the node: the device's DEVNAME ("cxl/mem0", "pmem0"),
 * else its directory's name. A name that could leave /dev is refused.
 */
static bool node_name(const char *link, const char *target, char *name,
		      size_t len)
{
	char path[PATH_MAX], line[256];
	bool found = false;
	FILE *f;

	snprintf(name, len, "%s", strrchr(target, '/') ? strrchr(target, '/') + 1 : target);
	if (snprintf(path, sizeof(path), "%s/uevent", link) < (int)sizeof(path) &&
	    (f = pm_bundle_fopen(path, PM_HOST_ATTR_CAP))) {
		while (!found && fgets(line, sizeof(line), f))
			if (strncmp(line, "DEVNAME=", 8) == 0) {
				line[strcspn(line, "\n")] = '\0';
				found = snprintf(name, len, "%s", line + 8) < (int)len;
			}
		fclose(f);
	}
	for (const char *c = name;;) {
		size_t part = strcspn(c, "/");

		if (part == 0 || (part == 1 && c[0] == '.') ||
		    (part == 2 && c[0] == '.' && c[1] == '.'))
			return false;
		c += part;
		if (!*c)
			return true;
		c++;
	}
}

/*
 * The directory of a node (devfd, or a subdirectory made here for
 * "cxl/mem0"): a link to the real /dev's entry of that name is replaced,
 * so nothing is created outside the tmpfs. Its descriptor, or -1.
 */
static int node_dir(int devfd, char *name, const char **base)
{
	int dirfd = dup(devfd);
	char *slash;

	*base = name;
	while (dirfd >= 0 && (slash = strchr(*base, '/'))) {
		struct stat st;
		int sub;

		*slash = '\0';
		if (fstatat(dirfd, *base, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    !S_ISDIR(st.st_mode))
			unlinkat(dirfd, *base, 0);
		mkdirat(dirfd, *base, 0755);
		sub = openat(dirfd, *base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(dirfd);
		dirfd = sub;
		*base = slash + 1;
	}
	return dirfd;
}

/* Stand-ins for the captured devices listed in one /sys/dev directory. */
static void add_standins(int devfd, const char *sys_dev, mode_t type)
{
	struct dirent *entry;
	DIR *dir = opendir(sys_dev);

	if (!dir)
		return;
	while ((entry = readdir(dir))) {
		char link[PATH_MAX], target[PATH_MAX], name[PATH_MAX];
		unsigned int maj, min;
		const char *base;
		int fd, dirfd;
		ssize_t n;

		if (sscanf(entry->d_name, "%u:%u", &maj, &min) != 2 ||
		    snprintf(link, sizeof(link), "%s/%s", sys_dev, entry->d_name) >= (int)sizeof(link) ||
		    (n = readlink(link, target, sizeof(target) - 1)) < 0)
			continue;
		target[n] = '\0';
		if (!node_name(link, target, name, sizeof(name)) ||
		    (dirfd = node_dir(devfd, name, &base)) < 0)
			continue;
		unlinkat(dirfd, base, 0);
		if (mknodat(dirfd, base, type | 0600, makedev(maj, min)) < 0) {
			/* No mknod in a user namespace: an empty file answers stat(). */
			fd = openat(dirfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
				    O_CLOEXEC, 0600);
			if (fd >= 0)
				close(fd);
		}
		close(dirfd);
	}
	closedir(dir);
}

/*
 * libdaxctl stat()s /dev/daxX.Y and drops a dax device whose node is
 * missing, as it is on the replaying machine; libcxl does the same with
 * /dev/cxl/memN. A tmpfs over /dev holds a
 * stand-in for every captured device (with its captured number where mknod
 * is allowed; nodev: none can be opened) and a link to every entry of the
 * real /dev, which stays reachable through a descriptor.
 */
static int dev_standins(char *err, size_t len)
{
	int old = open("/dev", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *entry;
	int devfd;
	DIR *dir;

	if (old < 0)
		return pm_explain(err, len, -errno, "cannot open /dev: %s", strerror(errno));
	if (mount("pmemctl-replay-dev", "/dev", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  "mode=0755,size=1m") < 0)
		return pm_explain(err, len, -errno, "cannot mount a tmpfs over /dev: %s", strerror(errno));
	devfd = open("/dev", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	dir = fdopendir(dup(old));
	if (devfd < 0 || !dir)
		return pm_explain(err, len, -errno, "cannot populate /dev: %s", strerror(errno));
	while ((entry = readdir(dir))) {
		char target[PATH_MAX];

		if (entry->d_name[0] == '.' &&
		    (!entry->d_name[1] || (entry->d_name[1] == '.' && !entry->d_name[2])))
			continue;
		snprintf(target, sizeof(target), "/proc/self/fd/%d/%s", old, entry->d_name);
		symlinkat(target, devfd, entry->d_name);
	}
	closedir(dir);
	add_standins(devfd, "/sys/dev/char", S_IFCHR);
	add_standins(devfd, "/sys/dev/block", S_IFBLK);
	close(devfd);
	if (mount("none", "/dev", "none", MS_REMOUNT | LOCKED, NULL) < 0)
		return pm_explain(err, len, -errno, "cannot make /dev read-only: %s", strerror(errno));
	return 0;
}

/*
 * Everything the replay reads was written by a stranger: once the mounts
 * are made, the process keeps no power over the host. Root becomes nobody
 * (65534: what anyone may open, nothing more); in a user namespace the
 * caller stays themself. Either way: no capability in any set, the
 * bounding set emptied first (dropping needs CAP_SETPCAP), no_new_privs.
 * Then checked, as a failed drop must not go on quietly.
 */
int pm_replay_drop(char *err, size_t len)
{
	struct __user_cap_header_struct head = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct caps[2] = { { 0 } };
	bool root = geteuid() == 0;
	uid_t ruid, euid, suid;
	gid_t rgid, egid, sgid;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return pm_explain(err, len, -EPERM, "cannot set no_new_privs: %s", strerror(errno));
	for (int cap = 0; prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; cap++)
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
			return pm_explain(err, len, -EPERM, "cannot drop capability %d: %s",
					  cap, strerror(errno));
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	if (root) {
		if (setgroups(0, NULL) < 0 ||
		    setresgid(PM_REPLAY_ID, PM_REPLAY_ID, PM_REPLAY_ID) < 0 ||
		    setresuid(PM_REPLAY_ID, PM_REPLAY_ID, PM_REPLAY_ID) < 0)
			return pm_explain(err, len, -EPERM, "cannot become uid %u: %s",
					  PM_REPLAY_ID, strerror(errno));
		/*
		 * A uid change makes the process undumpable, and /proc/self/fd
		 * (the bundle's root) root's: nobody must reach its own.
		 */
		prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
	}
	if (syscall(SYS_capset, &head, caps) < 0)
		return pm_explain(err, len, -EPERM, "cannot drop capabilities: %s", strerror(errno));

	/* Fail closed: every part of the drop, verified. */
	memset(caps, 0xff, sizeof(caps));
	if (syscall(SYS_capget, &head, caps) < 0 ||
	    caps[0].effective || caps[0].permitted || caps[0].inheritable ||
	    caps[1].effective || caps[1].permitted || caps[1].inheritable)
		return pm_explain(err, len, -EPERM, "capabilities are still held after dropping them");
	for (int cap = 0; cap < 64; cap++)
		if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) > 0)
			return pm_explain(err, len, -EPERM, "capability %d is still in the bounding set", cap);
	if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
		return pm_explain(err, len, -EPERM, "no_new_privs did not stick");
	if (root && (getresuid(&ruid, &euid, &suid) < 0 || getresgid(&rgid, &egid, &sgid) < 0 ||
		     ruid != PM_REPLAY_ID || euid != PM_REPLAY_ID || suid != PM_REPLAY_ID ||
		     rgid != PM_REPLAY_ID || egid != PM_REPLAY_ID || sgid != PM_REPLAY_ID ||
		     getgroups(0, NULL) != 0 || setresuid(0, 0, 0) == 0))
		return pm_explain(err, len, -EPERM, "still root after dropping to uid %u", PM_REPLAY_ID);
	return 0;
}

static int report_notes(const char *source, const struct pm_extract_notes *notes)
{
	unsigned int n = notes->links_out + notes->hard_links;

	(void)source;
	if (n)
		pm_host_note("%u link%s led out of the bundle (%u symlink%s, %u hard link%s) and became empty files, first %s",
			     n, n == 1 ? "" : "s", notes->links_out,
			     notes->links_out == 1 ? "" : "s", notes->hard_links,
			     notes->hard_links == 1 ? "" : "s", notes->first);
	return 0;
}

int pm_replay_enter(const char *source, char *err, size_t len)
{
	static char root[64];
	struct pm_extract_owner nobody = { PM_REPLAY_ID, PM_REPLAY_ID };
	struct pm_extract_notes notes;
	char sys_path[4096];
	bool as_root = geteuid() == 0;
	struct stat st;
	int rc, top, srcfd = -1, dirfd = -1;

	if (stat(source, &st) < 0)
		return pm_explain(err, len, -errno, "%s", strerror(errno));
	if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode))
		return pm_explain(err, len, -EINVAL, "not a report: give a .tar.gz bundle or the directory it was extracted to");
	if (S_ISDIR(st.st_mode)) {
		srcfd = open(source, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (srcfd < 0)
			return pm_explain(err, len, -errno, "%s", strerror(errno));
		if (!is_report_dir(srcfd)) {
			close(srcfd);
			return pm_explain(err, len, -EINVAL, "not a report directory (it has no sys/ and " PM_REPORT_DIR "/)");
		}
	}
	pm_host_set_euid(geteuid());
	rc = private_namespace(err, len);
	if (rc)
		return rc;
	/* Nothing done here may reach the real mount table. */
	if (mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) < 0)
		return pm_explain(err, len, -errno, "cannot make the mount namespace private: %s",
			   strerror(errno));
	/*
	 * Extracted (or, for a directory, copied) into a tmpfs that vanishes
	 * with this process. Its size bounds what a bundle can take of the
	 * machine's memory, whatever slips past the extraction's own limits.
	 */
	if (mount("pmemctl-replay", "/sys", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  "mode=0755,size=" PM_REPLAY_TMPFS_SIZE ",nr_inodes=300k") < 0)
		return pm_explain(err, len, -errno, "cannot mount a tmpfs for the bundle: %s",
			   strerror(errno));
	if (mkdir("/sys/bundle", 0755) < 0 ||
	    (top = open("/sys/bundle", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return pm_explain(err, len, -errno, "cannot create the replay directory: %s",
			   strerror(errno));
	if (srcfd >= 0) {
		rc = pm_bundle_copy(srcfd, top, as_root ? &nobody : NULL, &notes, err, len);
		close(srcfd);
	} else {
		rc = pm_archive_extract(source, top, as_root ? &nobody : NULL, &notes, err, len);
	}
	close(top);
	if (rc)
		return rc;
	dirfd = open("/sys/bundle", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return pm_explain(err, len, -errno, "%s", strerror(errno));
	if (!is_report_dir(dirfd)) {
		close(dirfd);
		return pm_explain(err, len, -EINVAL, "not a pmemctl report (no sys/ and " PM_REPORT_DIR "/ in it)");
	}
	/* libndctl opens deep_flush read-write, libcxl writes "flush": EROFS. */
	if (mount("none", "/sys", "none", MS_REMOUNT | LOCKED, NULL) < 0)
		return pm_explain(err, len, -errno, "cannot make the bundle read-only: %s",
			   strerror(errno));
	/* The bundle stays reachable through the descriptor once /sys hides it. */
	snprintf(root, sizeof(root), "/proc/self/fd/%d", dirfd);
	snprintf(sys_path, sizeof(sys_path), "%s/sys", root);
	if (mount(sys_path, "/sys", "none", MS_BIND | MS_REC, NULL) < 0 ||
	    mount("none", "/sys", "none", MS_BIND | MS_REMOUNT | LOCKED, NULL) < 0)
		return pm_explain(err, len, -errno, "cannot bind the capture over /sys: %s",
			   strerror(errno));
	/* Before the stand-ins: the uevent files they read are the bundle's. */
	pm_host_replay(root);
	rc = dev_standins(err, len);
	if (rc)
		return rc;
	report_notes(source, &notes);
	return pm_replay_drop(err, len);
}
