// SPDX-License-Identifier: GPL-2.0-or-later
/* Label backups: DIR/<dimm>.labels, DIR/<dimm>.id and DIR/SHA256SUMS. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "labels.h"
#include "sha256.h"

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= n;
	}
	return 0;
}

/*
 * Written beside its final name, synced, then renamed over it: a crash
 * leaves the old file or the new one, never half of one.
 */
static int replace_file(int dirfd, const char *name, const void *buf, size_t len)
{
	char tmp[300];
	int fd, rc;

	snprintf(tmp, sizeof(tmp), ".%s.%d.tmp", name, (int)getpid());
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
		    0600);
	if (fd < 0)
		return -errno;
	rc = write_all(fd, buf, len);
	if (!rc && fsync(fd) < 0)
		rc = -errno;
	if (close(fd) < 0 && !rc)
		rc = -errno;
	if (!rc && renameat(dirfd, tmp, dirfd, name) < 0)
		rc = -errno;
	if (rc)
		unlinkat(dirfd, tmp, 0);
	return rc;
}

/* The sums file with this DIMM's line replaced or added. */
static int update_sums(int dirfd, const char *file, const char *hex)
{
	char *old = NULL, *out, *line, *save;
	size_t len = 0, cap;
	FILE *f = NULL;
	int fd, rc;

	fd = openat(dirfd, "SHA256SUMS", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0)
		f = fdopen(fd, "r");
	if (fd >= 0 && !f)
		close(fd);
	if (f) {
		char buf[4096];
		size_t n;

		while ((n = fread(buf, 1, sizeof(buf), f)) > 0 && len < (1 << 20)) {
			char *grown = realloc(old, len + n + 1);

			if (!grown) {
				free(old);
				fclose(f);
				return -ENOMEM;
			}
			old = grown;
			memcpy(old + len, buf, n);
			len += n;
		}
		fclose(f);
	} else if (errno != ENOENT) {
		return -errno;
	}
	cap = len + strlen(file) + PM_SHA256_HEX_LEN + 8;
	out = calloc(1, cap);
	if (!out) {
		free(old);
		return -ENOMEM;
	}
	if (old) {
		old[len] = '\0';
		for (line = strtok_r(old, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save)) {
			const char *name = strstr(line, "  ");

			if (name && strcmp(name + 2, file) == 0)
				continue;
			strcat(out, line);
			strcat(out, "\n");
		}
	}
	snprintf(out + strlen(out), cap - strlen(out), "%s  %s\n", hex, file);
	rc = replace_file(dirfd, "SHA256SUMS", out, strlen(out));
	free(out);
	free(old);
	return rc;
}

int pm_labels_backup(const char *dir, const char *dimm, const char *id,
		     const void *buf, size_t len, bool force,
		     char hex[PM_SHA256_HEX_LEN])
{
	char labels[128], idfile[128], line[256];
	struct stat st;
	int dirfd, rc;

	pm_sha256_hex(buf, len, hex);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -errno;
	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return -errno;
	snprintf(labels, sizeof(labels), "%s.labels", dimm);
	snprintf(idfile, sizeof(idfile), "%s.id", dimm);
	if (!force && (fstatat(dirfd, labels, &st, AT_SYMLINK_NOFOLLOW) == 0 ||
		       fstatat(dirfd, idfile, &st, AT_SYMLINK_NOFOLLOW) == 0)) {
		close(dirfd);
		return -EEXIST;
	}
	snprintf(line, sizeof(line), "%s\n", id ? id : "");
	rc = replace_file(dirfd, labels, buf, len);
	if (!rc)
		rc = replace_file(dirfd, idfile, line, strlen(line));
	if (!rc)
		rc = update_sums(dirfd, labels, hex);
	if (!rc && fsync(dirfd) < 0)
		rc = -errno;
	close(dirfd);
	return rc;
}
