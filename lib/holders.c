// SPDX-License-Identifier: GPL-2.0-or-later
/* Who uses a namespace: mounts, open descriptors, mappings, holders, kmem. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "convert.h"
#include "sysfs.h"

/* The block device and its partitions: "pmem0", "pmem0p1", ... */
static int list_block_devices(const char *blockdev, char names[][64], int max)
{
	char path[PATH_MAX];
	struct dirent *de;
	int n = 0;
	DIR *dir;

	snprintf(names[n++], 64, "%s", blockdev);
	snprintf(path, sizeof(path), "/sys/block/%s", blockdev);
	dir = opendir(path);
	if (!dir)
		return n;
	while ((de = readdir(dir)) && n < max)
		if (strncmp(de->d_name, blockdev, strlen(blockdev)) == 0)
			snprintf(names[n++], 64, "%.63s", de->d_name);
	closedir(dir);
	return n;
}

static void say(char *buf, size_t len, const char *what)
{
	snprintf(buf, len, "%s", what);
}

static int check_mounts(char names[][64], int n, char *why, size_t len)
{
	char line[4096], devno[32], mnt[1024];
	FILE *f = fopen("/proc/self/mountinfo", "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%*d %*d %31s %*s %1023s", devno, mnt) != 2)
			continue;
		for (int i = 0; i < n; i++) {
			char dev[32];

			if (sysfs_read_string(dev, sizeof(dev), "/sys/class/block/%s/dev",
					      names[i]) < 0 || strcmp(dev, devno) != 0)
				continue;
			snprintf(why, len, "/dev/%s is mounted on %s", names[i], mnt);
			fclose(f);
			return -EBUSY;
		}
	}
	fclose(f);
	return 0;
}

static int check_holders(char names[][64], int n, char *why, size_t len)
{
	char path[PATH_MAX];

	for (int i = 0; i < n; i++) {
		struct dirent *de;
		DIR *dir;

		snprintf(path, sizeof(path), "/sys/class/block/%s/holders", names[i]);
		dir = opendir(path);
		if (!dir)
			continue;
		while ((de = readdir(dir))) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(why, len, "/dev/%s is held by %s (device-mapper, md or another stacked device)",
				 names[i], de->d_name);
			closedir(dir);
			return -EBUSY;
		}
		closedir(dir);
	}
	return 0;
}

static int check_swaps(char names[][64], int n, char *why, size_t len)
{
	char line[1024], dev[512];
	FILE *f = fopen("/proc/swaps", "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%511s", dev) != 1 || strncmp(dev, "/dev/", 5))
			continue;
		for (int i = 0; i < n; i++)
			if (strcmp(dev + 5, names[i]) == 0) {
				snprintf(why, len, "/dev/%s is used as swap", names[i]);
				fclose(f);
				return -EBUSY;
			}
	}
	fclose(f);
	return 0;
}

static void process_name(const char *pid, char *buf, size_t len)
{
	if (sysfs_read_string(buf, len, "/proc/%s/comm", pid) < 0)
		snprintf(buf, len, "?");
}

/* Another process with the device open, or mapped after closing it. */
static int check_processes(char names[][64], int n, const char *chardev,
			   char *why, size_t len)
{
	char path[PATH_MAX], target[PATH_MAX], self[32];
	struct dirent *pde;
	DIR *proc = opendir("/proc");

	if (!proc)
		return 0;
	snprintf(self, sizeof(self), "%d", getpid());
	while ((pde = readdir(proc))) {
		struct dirent *fde;
		char comm[64], line[PATH_MAX + 256];
		FILE *maps;
		DIR *fds;

		if (!isdigit((unsigned char)pde->d_name[0]) ||
		    strcmp(pde->d_name, self) == 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%s/fd", pde->d_name);
		fds = opendir(path);
		while (fds && (fde = readdir(fds))) {
			char link[PATH_MAX + 300];
			ssize_t l;

			snprintf(link, sizeof(link), "%s/%s", path, fde->d_name);
			l = readlink(link, target, sizeof(target) - 1);
			if (l <= 5)
				continue;
			target[l] = '\0';
			for (int i = 0; i <= n; i++) {
				const char *dev = i < n ? names[i] : chardev;

				if (!dev || strncmp(target, "/dev/", 5) ||
				    strcmp(target + 5, dev) != 0)
					continue;
				process_name(pde->d_name, comm, sizeof(comm));
				snprintf(why, len, "/dev/%s is open by %s (pid %s)",
					 dev, comm, pde->d_name);
				closedir(fds);
				closedir(proc);
				return -EBUSY;
			}
		}
		if (fds)
			closedir(fds);
		if (!chardev)
			continue;
		snprintf(path, sizeof(path), "/proc/%s/maps", pde->d_name);
		maps = fopen(path, "re");
		while (maps && fgets(line, sizeof(line), maps)) {
			char *p = strstr(line, "/dev/");

			if (!p || strncmp(p + 5, chardev, strlen(chardev)) ||
			    (p[5 + strlen(chardev)] != '\n' && p[5 + strlen(chardev)]))
				continue;
			process_name(pde->d_name, comm, sizeof(comm));
			snprintf(why, len, "/dev/%s is mapped by %s (pid %s)", chardev,
				 comm, pde->d_name);
			fclose(maps);
			closedir(proc);
			return -EBUSY;
		}
		if (maps)
			fclose(maps);
	}
	closedir(proc);
	return 0;
}

int pm_namespace_in_use(const struct pm_platform *pf,
			const struct pm_namespace *ns, char *why, size_t len)
{
	char names[64][64];
	int n = 0, rc;

	say(why, len, "");
	for (size_t i = 0; i < pf->nr_daxdevs; i++) {
		const struct pm_daxdev *dax = pf->daxdevs[i];

		if (dax->ns == ns && strcmp(dax->mode, "system-ram") == 0) {
			snprintf(why, len, "%s is online as system RAM (kmem): offline it with daxctl first",
				 dax->dev);
			return -EBUSY;
		}
	}
	if (ns->blockdev)
		n = list_block_devices(ns->blockdev, names, 64);
	rc = check_mounts(names, n, why, len);
	if (!rc)
		rc = check_holders(names, n, why, len);
	if (!rc)
		rc = check_swaps(names, n, why, len);
	if (!rc)
		rc = check_processes(names, n, ns->chardev, why, len);
	return rc;
}

/*
 * Filesystem and swap signatures at their fixed offsets: enough to tell a
 * namespace holding data from a blank one, without libblkid.
 */
int pm_namespace_signature(const struct pm_namespace *ns, char *what,
			   size_t len)
{
	static const struct {
		off_t offset;
		const char *magic;
		size_t size;
		const char *name;
	} sigs[] = {
		{ 0x438, "\x53\xef", 2, "ext2/3/4" },
		{ 0, "XFSB", 4, "xfs" },
		{ 0x10040, "_BHRfS_M", 8, "btrfs" },
		{ 4086, "SWAPSPACE2", 10, "swap" },
	};
	char path[PATH_MAX], buf[16];
	int fd;

	what[0] = '\0';
	if (!ns->blockdev)
		return 0;
	snprintf(path, sizeof(path), "/dev/%s", ns->blockdev);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		if (pread(fd, buf, sigs[i].size, sigs[i].offset) != (ssize_t)sigs[i].size)
			continue;
		if (memcmp(buf, sigs[i].magic, sigs[i].size) == 0) {
			snprintf(what, len, "%s", sigs[i].name);
			break;
		}
	}
	close(fd);
	return what[0] ? 1 : 0;
}
