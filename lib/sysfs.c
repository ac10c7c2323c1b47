// SPDX-License-Identifier: GPL-2.0-or-later
/* Typed reads of sysfs attributes that libndctl does not expose. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sysfs.h"

static int format_path(char *path, size_t len, const char *fmt, va_list ap)
{
	int n = vsnprintf(path, len, fmt, ap);

	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	return 0;
}

static int read_attr_at(int dirfd, const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0) {
		int rc = -errno;

		close(fd);
		return rc;
	}
	close(fd);
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static int read_attr(const char *path, char *buf, size_t len)
{
	return read_attr_at(AT_FDCWD, path, buf, len);
}

static int parse_u64(const char *buf, uint64_t *value)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(buf, &end, 0);
	if (errno || end == buf)
		return -EINVAL;
	*value = v;
	return 0;
}

int sysfs_read_string(char *buf, size_t len, const char *fmt, ...)
{
	char path[4096];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = format_path(path, sizeof(path), fmt, ap);
	va_end(ap);
	if (rc)
		return rc;
	return read_attr(path, buf, len);
}

int sysfs_read_u64(uint64_t *value, const char *fmt, ...)
{
	char path[4096], buf[64];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = format_path(path, sizeof(path), fmt, ap);
	va_end(ap);
	if (rc)
		return rc;
	rc = read_attr(path, buf, sizeof(buf));
	if (rc)
		return rc;
	return parse_u64(buf, value);
}

int sysfs_attr_mode(mode_t *mode, const char *fmt, ...)
{
	char path[4096];
	struct stat st;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = format_path(path, sizeof(path), fmt, ap);
	va_end(ap);
	if (rc)
		return rc;
	if (stat(path, &st) < 0)
		return -errno;
	*mode = st.st_mode & 07777;
	return 0;
}

int sysfs_write_string(const char *value, const char *fmt, ...)
{
	char path[4096];
	va_list ap;
	ssize_t n;
	int fd, rc;

	va_start(ap, fmt);
	rc = format_path(path, sizeof(path), fmt, ap);
	va_end(ap);
	if (rc)
		return rc;
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, value, strlen(value));
	rc = n < 0 ? -errno : 0;
	close(fd);
	return rc;
}

int sysfs_open_dir(const char *fmt, ...)
{
	char path[4096];
	va_list ap;
	int fd, rc;

	va_start(ap, fmt);
	rc = format_path(path, sizeof(path), fmt, ap);
	va_end(ap);
	if (rc)
		return rc;
	fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int sysfs_read_string_at(int dirfd, const char *name, char *buf, size_t len)
{
	return read_attr_at(dirfd, name, buf, len);
}

int sysfs_read_u64_at(int dirfd, const char *name, uint64_t *value)
{
	char buf[64];
	int rc = read_attr_at(dirfd, name, buf, sizeof(buf));

	return rc ? rc : parse_u64(buf, value);
}

int sysfs_read_int_at(int dirfd, const char *name, int def)
{
	char buf[64], *end;
	long v;

	if (read_attr_at(dirfd, name, buf, sizeof(buf)) < 0)
		return def;
	errno = 0;
	v = strtol(buf, &end, 0);
	if (errno || end == buf || v < INT_MIN || v > INT_MAX)
		return def;
	return (int)v;
}

int sysfs_is_link_at(int dirfd, const char *name)
{
	struct stat st;

	return fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	       S_ISLNK(st.st_mode);
}

int sysfs_first_entry_at(int dirfd, const char *name, char *buf, size_t len)
{
	struct dirent *entry;
	int fd, rc = -ENOENT;
	DIR *dir;

	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	dir = fdopendir(fd);
	if (!dir) {
		rc = -errno;
		close(fd);
		return rc;
	}
	while ((entry = readdir(dir))) {
		if (entry->d_name[0] == '.')
			continue;
		if (strlen(entry->d_name) >= len) {
			rc = -ENAMETOOLONG;
			break;
		}
		strcpy(buf, entry->d_name);
		rc = 0;
		break;
	}
	closedir(dir);
	return rc;
}
