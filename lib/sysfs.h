/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Typed reads of sysfs attributes that libndctl does not expose. */
#ifndef PMEMCTL_SYSFS_H
#define PMEMCTL_SYSFS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Each returns 0 or -errno; the path is formatted printf-style. */
int sysfs_read_string(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int sysfs_read_u64(uint64_t *value, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int sysfs_write_string(const char *value, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The attribute's permission bits; -ENOENT when it is absent. */
int sysfs_attr_mode(mode_t *mode, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
