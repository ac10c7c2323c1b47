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

/*
 * A sysfs directory opened once (O_PATH), its attributes then read
 * relative to it: the kernel walks the object's path, links and all, once
 * instead of once per attribute. Each returns 0 or -errno.
 */
int sysfs_open_dir(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
int sysfs_read_string_at(int dirfd, const char *name, char *buf, size_t len);
int sysfs_read_u64_at(int dirfd, const char *name, uint64_t *value);
/* A signed attribute (numa_node reads -1); def when absent or unparsable. */
int sysfs_read_int_at(int dirfd, const char *name, int def);
/* Whether NAME is a symbolic link (a bound device's "driver"). */
int sysfs_is_link_at(int dirfd, const char *name);
/* The first entry of the directory NAME, as libndctl finds block devices. */
int sysfs_first_entry_at(int dirfd, const char *name, char *buf, size_t len);

#endif
