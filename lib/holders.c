// SPDX-License-Identifier: GPL-2.0-or-later
/* Who uses a namespace: mounts, open descriptors, mappings, holders, kmem. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/sysmacros.h>

#include "compat.h"
#include "holders.h"
#include "pmem.h"
#include "proc.h"
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

/* The device number sysfs gives a block device, as st_dev would show it. */
static bool block_dev_number(const char *name, dev_t *dev)
{
	unsigned int maj, min;
	char text[32];

	if (sysfs_read_string(text, sizeof(text), "/sys/class/block/%s/dev", name) < 0 ||
	    sscanf(text, "%u:%u", &maj, &min) != 2)
		return false;
	*dev = makedev(maj, min);
	return true;
}

static int check_mounts(char names[][64], int n, char *why, size_t len)
{
	const struct pm_mount *m;
	struct pm_mounts it;
	dev_t devs[64];
	bool known[64];
	int rc = 0;

	for (int i = 0; i < n; i++)
		known[i] = block_dev_number(names[i], &devs[i]);
	if (pm_mounts_open(&it) < 0)
		return 0;
	while (!rc && (m = pm_mounts_next(&it)))
		for (int i = 0; i < n && !rc; i++)
			if (known[i] && m->dev == devs[i]) {
				snprintf(why, len, "/dev/%s is mounted on %s", names[i], m->point);
				rc = -EBUSY;
			}
	pm_mounts_close(&it);
	return rc;
}

static int check_holders(char names[][64], int n, char *why, size_t len)
{
	char path[PATH_MAX];

	for (int i = 0; i < n; i++) {
		struct dirent *de;
		DIR *dir;

		snprintf(path, sizeof(path), "/sys/class/block/%.63s/holders", names[i]);
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

/* Another process with the device open, or mapped after closing it. */
static int check_processes(char names[][64], int n, const char *chardev,
			   char *why, size_t len)
{
	char paths[65][80];
	const char *nodes[65];
	struct pm_holder h;
	size_t nr = 0;

	for (int i = 0; i < n; i++) {
		snprintf(paths[nr], sizeof(paths[nr]), "/dev/%.63s", names[i]);
		nodes[nr] = paths[nr];
		nr++;
	}
	if (chardev) {
		snprintf(paths[nr], sizeof(paths[nr]), "/dev/%.63s", chardev);
		nodes[nr] = paths[nr];
		nr++;
	}
	if (pm_find_holder(nodes, nr, &h) != 1)
		return 0;
	snprintf(why, len, "%s is %s by %s (pid %d)", h.node,
		 h.mapped ? "mapped" : "open", h.comm, (int)h.pid);
	return -EBUSY;
}

const struct pm_daxdev *pm_namespace_system_ram(const struct pm_platform *pf,
						const struct pm_namespace *ns)
{
	for (size_t i = 0; i < pf->nr_daxdevs; i++)
		if (pf->daxdevs[i]->ns == ns &&
		    strcmp(pf->daxdevs[i]->mode, "system-ram") == 0)
			return pf->daxdevs[i];
	return NULL;
}

int pm_namespace_in_use(const struct pm_platform *pf,
			const struct pm_namespace *ns, char *why, size_t len)
{
	char names[64][64];
	int n = 0, rc;

	if (len)
		why[0] = '\0';
	if (pm_namespace_system_ram(pf, ns)) {
		snprintf(why, len, "%s is system RAM (kmem): convert it with 'pmemctl convert %s --mode devdax' first",
			 pm_namespace_system_ram(pf, ns)->dev, ns->dev);
		return -EBUSY;
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

int pm_daxdev_in_use(const struct pm_daxdev *dax, char *why, size_t len)
{
	if (len)
		why[0] = '\0';
	/* System RAM is the kernel's: converting it back offlines it first. */
	if (dax->ram)
		return 0;
	return check_processes(NULL, 0, dax->dev, why, len);
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
	for (size_t i = 0; i < ARRAY_SIZE(sigs); i++) {
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
