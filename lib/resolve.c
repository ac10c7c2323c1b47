// SPDX-License-Identifier: GPL-2.0-or-later
/* Resolve what a user names (object, device node, file) to the model. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "host.h"
#include "pmem.h"
#include "proc.h"
#include "sysfs.h"

static struct pm_namespace *ns_by_blockdev(const struct pm_platform *pf,
					   const char *name)
{
	for (size_t i = 0; i < pf->nr_namespaces; i++)
		if (pf->namespaces[i]->blockdev &&
		    strcmp(pf->namespaces[i]->blockdev, name) == 0)
			return pf->namespaces[i];
	return NULL;
}

static struct pm_daxdev *daxdev_by_name(const struct pm_platform *pf,
					const char *name)
{
	for (size_t i = 0; i < pf->nr_daxdevs; i++)
		if (strcmp(pf->daxdevs[i]->dev, name) == 0)
			return pf->daxdevs[i];
	return NULL;
}

/* The only entry of a directory, or NULL when it has none or several. */
static int only_entry(const char *dir_path, char *name, size_t len)
{
	struct dirent *de;
	int count = 0;
	DIR *dir = opendir(dir_path);

	if (!dir)
		return 0;
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		if (++count == 1)
			snprintf(name, len, "%s", de->d_name);
	}
	closedir(dir);
	return count;
}

/*
 * The block device a sysfs block entry stands for: a partition's parent,
 * or, through device-mapper, the one device a target sits on.
 */
static int base_block_device(const char *sys_path, char *name, size_t len,
			     int depth)
{
	char path[PATH_MAX + 16], real[PATH_MAX], slave[NAME_MAX + 1], *base;
	struct stat st;

	if (!realpath(sys_path, real))
		return -errno;
	snprintf(path, sizeof(path), "%s/partition", real);
	if (stat(path, &st) == 0)
		*strrchr(real, '/') = '\0';	/* the parent disk */
	snprintf(path, sizeof(path), "%s/slaves", real);
	if (depth < 8 && only_entry(path, slave, sizeof(slave)) == 1) {
		snprintf(path, sizeof(path), "/sys/class/block/%s", slave);
		return base_block_device(path, name, len, depth + 1);
	}
	base = strrchr(real, '/');
	snprintf(name, len, "%.255s", base ? base + 1 : real);
	return 0;
}

/*
 * A filesystem without a block device (tmpfs, 9p, NFS): name it by its
 * mount, "tmpfs on /tmp", so the user sees why it is not pmem.
 */
static void describe_mount(dev_t dev, char *buf, size_t len)
{
	struct pm_mount *m = malloc(sizeof(*m));

	if (m && pm_mount_of_dev(dev, m))
		snprintf(buf, len, "%.100s on %.100s", m->fstype, m->point);
	else
		snprintf(buf, len, "device %u:%u", major(dev), minor(dev));
	free(m);
}

static int resolve_dev_number(const struct pm_platform *pf, dev_t dev,
			      bool block, struct pm_target *t)
{
	char sys_path[64], name[NAME_MAX + 1];
	int rc;

	snprintf(sys_path, sizeof(sys_path), "/sys/dev/%s/%u:%u",
		 block ? "block" : "char", major(dev), minor(dev));
	rc = base_block_device(sys_path, name, sizeof(name), 0);
	if (rc == -ENOENT) {
		describe_mount(dev, t->device, sizeof(t->device));
		return -ENODEV;
	}
	if (rc)
		return rc;
	snprintf(t->device, sizeof(t->device), "%s", name);
	if (block) {
		t->ns = ns_by_blockdev(pf, name);
	} else {
		struct pm_daxdev *dax = daxdev_by_name(pf, name);

		t->ns = dax ? dax->ns : NULL;
		t->daxdev = dax;
	}
	return t->ns ? 0 : -ENODEV;
}

int pm_resolve_target(const struct pm_platform *pf, const char *name,
		      struct pm_target *t)
{
	const char *base = strncmp(name, "/dev/", 5) == 0 ? name + 5 : name;
	struct stat st;

	memset(t, 0, sizeof(*t));
	t->pf = pf;
	t->name = name;
	if (strncmp(base, "region", 6) == 0 && (t->region = pm_find_region(pf, base)))
		return 0;
	if (strncmp(base, "namespace", 9) == 0 &&
	    (t->ns = pm_find_namespace(pf, base)))
		goto found_ns;
	if ((t->ns = ns_by_blockdev(pf, base))) {
		snprintf(t->device, sizeof(t->device), "%s", base);
		goto found_ns;
	}
	if ((t->daxdev = daxdev_by_name(pf, base))) {
		t->ns = t->daxdev->ns;
		/* A CXL ram region's: volatile, on no namespace. */
		if (!t->ns) {
			snprintf(t->device, sizeof(t->device), "%s (volatile CXL memory)", base);
			return -ENODEV;
		}
		snprintf(t->device, sizeof(t->device), "%s", base);
		goto found_ns;
	}
	/*
	 * Anything else must be a path: a device node, a file, a mount. A
	 * replayed report has none of the other machine's files.
	 */
	if (pm_host_replay_root())
		return strchr(name, '/') ? -EXDEV : -ENOENT;
	if (stat(name, &st) < 0)
		return -ENOENT;
	if (S_ISBLK(st.st_mode) || S_ISCHR(st.st_mode)) {
		int rc = resolve_dev_number(pf, st.st_rdev, S_ISBLK(st.st_mode), t);

		if (rc)
			return rc;
	} else {
		int rc = resolve_dev_number(pf, st.st_dev, true, t);

		if (rc)
			return rc;
		t->path = name;
	}
found_ns:
	t->region = t->ns->region;
	return 0;
}
