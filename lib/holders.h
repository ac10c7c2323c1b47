/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Who uses a namespace, and whether it holds data: the guards of a change. */
#ifndef PMEMCTL_HOLDERS_H
#define PMEMCTL_HOLDERS_H

#include <stddef.h>

struct pm_platform;
struct pm_namespace;
struct pm_daxdev;

/* The namespace's dax device bound to kmem (system RAM), or NULL. */
const struct pm_daxdev *pm_namespace_system_ram(const struct pm_platform *pf,
						const struct pm_namespace *ns);
/*
 * -EBUSY when something uses the namespace: why names it (mount point,
 * process, holder, kmem). 0 when it is free.
 */
int pm_namespace_in_use(const struct pm_platform *pf,
			const struct pm_namespace *ns, char *why, size_t len);
/*
 * The same for a dax device of no namespace (a CXL ram region's): -EBUSY
 * when a process has it open or mapped (devdax; system RAM is free).
 */
int pm_daxdev_in_use(const struct pm_daxdev *dax, char *why, size_t len);
/* 1 and the name of a filesystem or swap signature found; 0 when none. */
int pm_namespace_signature(const struct pm_namespace *ns, char *what,
			   size_t len);

#endif
