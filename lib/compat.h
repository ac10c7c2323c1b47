/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Defines that older C libraries lack, and small helpers every file wants. */
#ifndef PMEMCTL_COMPAT_H
#define PMEMCTL_COMPAT_H

#include <sys/mman.h>
#include <sys/stat.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* glibc 2.28+ has these; the values are the kernel's ABI. */
#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE 0x03
#endif
#ifndef MAP_SYNC
#define MAP_SYNC 0x80000
#endif
#ifndef STATX_ATTR_DAX
#define STATX_ATTR_DAX 0x00200000	/* Linux 5.8 */
#endif

#endif
