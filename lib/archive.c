// SPDX-License-Identifier: GPL-2.0-or-later
/* A minimal tar.gz writer and a careful extractor, for support bundles. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <zlib.h>

#include "archive.h"

#define BLOCK 512
/* A sysfs capture is a few MiB; anything far larger is not a bundle. */
#define MAX_ENTRY_SIZE (64u << 20)

struct ustar_header {
	char name[100];
	char mode[8];
	char uid[8];
	char gid[8];
	char size[12];
	char mtime[12];
	char checksum[8];
	char typeflag;
	char linkname[100];
	char magic[6];
	char version[2];
	char uname[32];
	char gname[32];
	char devmajor[8];
	char devminor[8];
	char prefix[155];
	char pad[12];
};

_Static_assert(sizeof(struct ustar_header) == BLOCK, "ustar header size");

struct pm_archive {
	gzFile gz;
	int error;
	time_t mtime;			/* one timestamp for the whole bundle */
};

int pm_archive_open(int fd, struct pm_archive **archive)
{
	struct pm_archive *a = calloc(1, sizeof(*a));

	if (!a)
		return -ENOMEM;
	a->gz = gzdopen(fd, "wb6");
	if (!a->gz) {
		free(a);
		return -ENOMEM;
	}
	a->mtime = time(NULL);
	*archive = a;
	return 0;
}

static void put(struct pm_archive *a, const void *data, size_t len)
{
	if (a->error || !len)
		return;
	if (gzwrite(a->gz, data, len) != (int)len) {
		int zerr;

		gzerror(a->gz, &zerr);
		a->error = zerr == Z_ERRNO && errno ? -errno : -EIO;
	}
}

static void pad_to_block(struct pm_archive *a, size_t len)
{
	static const char zeros[BLOCK];

	if (len % BLOCK)
		put(a, zeros, BLOCK - len % BLOCK);
}

static void octal(char *field, size_t width, unsigned long long value)
{
	snprintf(field, width, "%0*llo", (int)width - 1, value);
}

static size_t min_len(const char *s, size_t max)
{
	size_t len = strlen(s);

	return len < max ? len : max;
}

static void header(struct pm_archive *a, const char *name, char type,
		   mode_t mode, size_t size, const char *link)
{
	struct ustar_header h;
	unsigned int sum = 0;

	memset(&h, 0, sizeof(h));
	/* A name that does not fit is truncated: a pax record has it whole. */
	memcpy(h.name, name, min_len(name, sizeof(h.name)));
	octal(h.mode, sizeof(h.mode), mode & 07777);
	octal(h.uid, sizeof(h.uid), 0);
	octal(h.gid, sizeof(h.gid), 0);
	octal(h.size, sizeof(h.size), size);
	octal(h.mtime, sizeof(h.mtime), (unsigned long long)a->mtime);
	h.typeflag = type;
	if (link)
		memcpy(h.linkname, link, min_len(link, sizeof(h.linkname)));
	memcpy(h.magic, "ustar", 6);
	memcpy(h.version, "00", 2);
	strcpy(h.uname, "root");
	strcpy(h.gname, "root");
	memset(h.checksum, ' ', sizeof(h.checksum));
	for (size_t i = 0; i < sizeof(h); i++)
		sum += ((unsigned char *)&h)[i];
	snprintf(h.checksum, sizeof(h.checksum), "%06o", sum);
	put(a, &h, sizeof(h));
}

/* "LEN key=value\n", where LEN counts its own digits too. */
static size_t pax_record(char *buf, size_t len, const char *key, const char *value)
{
	size_t body = strlen(key) + strlen(value) + 3;	/* ' ', '=', '\n' */
	size_t total = body + 1;

	while (snprintf(NULL, 0, "%zu", total) + body > total)
		total++;
	return snprintf(buf, len, "%zu %s=%s\n", total, key, value);
}

static void entry(struct pm_archive *a, const char *name, char type,
		  mode_t mode, size_t size, const char *link)
{
	if (a->error)
		return;
	if (strlen(name) >= 100 || (link && strlen(link) >= 100)) {
		char pax[2 * 4096 + 64];
		size_t len = 0;

		if (strlen(name) >= 100)
			len += pax_record(pax + len, sizeof(pax) - len, "path", name);
		if (link && strlen(link) >= 100)
			len += pax_record(pax + len, sizeof(pax) - len, "linkpath", link);
		if (len >= sizeof(pax)) {
			a->error = -ENAMETOOLONG;
			return;
		}
		header(a, "././@PaxHeader", 'x', 0644, len, NULL);
		put(a, pax, len);
		pad_to_block(a, len);
	}
	header(a, name, type, mode, size, link);
}

int pm_archive_add_dir(struct pm_archive *a, const char *name, mode_t mode)
{
	char dir[4096];

	snprintf(dir, sizeof(dir), "%s/", name);
	entry(a, dir, '5', mode, 0, NULL);
	return a->error;
}

int pm_archive_add_file(struct pm_archive *a, const char *name, mode_t mode,
			const void *data, size_t len)
{
	entry(a, name, '0', mode, len, NULL);
	put(a, data, len);
	pad_to_block(a, len);
	return a->error;
}

int pm_archive_add_symlink(struct pm_archive *a, const char *name,
			   const char *target)
{
	entry(a, name, '2', 0777, 0, target);
	return a->error;
}

int pm_archive_close(struct pm_archive *a)
{
	static const char zeros[2 * BLOCK];
	int rc;

	put(a, zeros, sizeof(zeros));
	rc = a->error;
	if (gzclose(a->gz) != Z_OK && !rc)
		rc = -EIO;
	free(a);
	return rc;
}

/* Extraction. */

struct reader {
	gzFile gz;
	char *err;
	size_t errlen;
};

static int fail(struct reader *r, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct reader *r, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->err, r->errlen, fmt, ap);
	va_end(ap);
	return rc;
}

static int read_exact(struct reader *r, void *buf, size_t len)
{
	int n = gzread(r->gz, buf, len);

	if (n < 0)
		return fail(r, -EIO, "read error");
	if ((size_t)n != len)
		return fail(r, -EINVAL, "truncated archive");
	return 0;
}

static int parse_octal(const char *field, size_t width, unsigned long long *value)
{
	size_t i = 0;

	*value = 0;
	while (i < width && field[i] == ' ')
		i++;
	for (; i < width && field[i] >= '0' && field[i] <= '7'; i++)
		*value = *value * 8 + (unsigned long long)(field[i] - '0');
	return i < width && field[i] && field[i] != ' ' ? -EINVAL : 0;
}

static bool checksum_ok(const struct ustar_header *h)
{
	unsigned long long want;
	unsigned int sum = 0;

	if (parse_octal(h->checksum, sizeof(h->checksum), &want) < 0)
		return false;
	for (size_t i = 0; i < sizeof(*h); i++) {
		bool in_sum = i >= offsetof(struct ustar_header, checksum) &&
			      i < offsetof(struct ustar_header, checksum) + sizeof(h->checksum);

		sum += in_sum ? ' ' : ((const unsigned char *)h)[i];
	}
	return sum == want;
}

/* Reads an entry's data, NUL-terminated, and skips its padding. */
static int read_data(struct reader *r, size_t size, char **data)
{
	size_t padded = (size + BLOCK - 1) / BLOCK * BLOCK;
	char *buf = malloc(padded + 1);
	int rc;

	if (!buf)
		return -ENOMEM;
	rc = read_exact(r, buf, padded);
	if (rc) {
		free(buf);
		return rc;
	}
	buf[size] = '\0';
	*data = buf;
	return 0;
}

static void pax_lookup(const char *records, size_t len, char *path,
		       char *link, size_t max)
{
	const char *p = records, *end = records + len;

	while (p < end) {
		char *next;
		unsigned long rec = strtoul(p, &next, 10);
		const char *kv = next + 1;

		if (!rec || next == p || *next != ' ' || p + rec > end)
			return;
		if (strncmp(kv, "path=", 5) == 0)
			snprintf(path, max, "%.*s", (int)(p + rec - kv - 6), kv + 5);
		else if (strncmp(kv, "linkpath=", 9) == 0)
			snprintf(link, max, "%.*s", (int)(p + rec - kv - 10), kv + 9);
		p += rec;
	}
}

/*
 * Opens the directory that will hold name's last component, creating the
 * ones before it, and never following a symlink on the way.
 */
static int open_parent(int dirfd, char *name, const char **base)
{
	int fd = dup(dirfd);
	char *slash, *part = name;

	if (fd < 0)
		return -errno;
	while ((slash = strchr(part, '/'))) {
		int next;

		*slash = '\0';
		if (mkdirat(fd, part, 0755) < 0 && errno != EEXIST) {
			int rc = -errno;

			close(fd);
			return rc;
		}
		next = openat(fd, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		*slash = '/';
		close(fd);
		if (next < 0)
			return -errno;
		fd = next;
		part = slash + 1;
	}
	*base = part;
	return fd;
}

/* Entry names are relative and stay below the top directory. */
static const char *strip_top(char *name)
{
	char *rest = strchr(name, '/');
	size_t len;

	if (name[0] == '/' || !rest)
		return NULL;
	rest++;
	len = strlen(rest);
	while (len && rest[len - 1] == '/')
		rest[--len] = '\0';
	for (const char *c = rest; *c;) {
		size_t part = strcspn(c, "/");

		if (part == 0 || (part == 1 && c[0] == '.') ||
		    (part == 2 && c[0] == '.' && c[1] == '.'))
			return NULL;
		c += part;
		if (*c == '/')
			c++;
	}
	return rest;
}

static int extract_entry(struct reader *r, int dirfd, char type, mode_t mode,
			 const char *rel, const char *link, const char *data,
			 size_t size)
{
	char name[4096];
	const char *base = NULL;
	int fd, parent, rc = 0;

	snprintf(name, sizeof(name), "%s", rel);
	parent = open_parent(dirfd, name, &base);
	if (parent < 0)
		return fail(r, parent, "%s: cannot create its directory", rel);
	switch (type) {
	case '5':
		if (mkdirat(parent, base, 0755) < 0 && errno != EEXIST)
			rc = -errno;
		break;
	case '2':
		if (symlinkat(link, parent, base) < 0)
			rc = -errno;
		break;
	default:
		fd = openat(parent, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
			    O_CLOEXEC, 0600);
		if (fd < 0) {
			rc = -errno;
			break;
		}
		if (size && write(fd, data, size) != (ssize_t)size)
			rc = -EIO;
		if (!rc && fchmod(fd, mode & 0777) < 0)
			rc = -errno;
		close(fd);
	}
	close(parent);
	if (rc)
		return fail(r, rc, "%s: %s", rel, strerror(-rc));
	return 0;
}

int pm_archive_extract(const char *path, int dirfd, char *err, size_t errlen)
{
	char long_name[4096] = "", long_link[4096] = "";
	struct reader r = { .err = err, .errlen = errlen };
	int fd, rc = 0, entries = 0;

	err[0] = '\0';
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail(&r, -errno, "%s", strerror(errno));
	r.gz = gzdopen(fd, "rb");
	if (!r.gz) {
		close(fd);
		return fail(&r, -ENOMEM, "out of memory");
	}
	for (;;) {
		char name[4096], link[4096];
		struct ustar_header h;
		unsigned long long size, mode;
		const char *rel;
		char *data = NULL;

		rc = read_exact(&r, &h, sizeof(h));
		if (rc == -EINVAL && !entries)
			rc = fail(&r, -EINVAL, "not a tar archive (too short)");
		if (rc)
			break;
		if (!h.name[0]) {
			rc = entries ? 0 : fail(&r, -EINVAL, "empty archive");
			break;
		}
		if (memcmp(h.magic, "ustar", 5) != 0 || !checksum_ok(&h) ||
		    parse_octal(h.size, sizeof(h.size), &size) < 0 ||
		    parse_octal(h.mode, sizeof(h.mode), &mode) < 0) {
			rc = fail(&r, -EINVAL, "not a tar archive (bad header after %d entries)",
				  entries);
			break;
		}
		if (size > MAX_ENTRY_SIZE) {
			rc = fail(&r, -EINVAL, "an entry of %llu bytes: not a pmemctl report", size);
			break;
		}
		rc = read_data(&r, size, &data);
		if (rc)
			break;
		entries++;
		if (h.typeflag == 'x' || h.typeflag == 'L' || h.typeflag == 'K') {
			if (h.typeflag == 'x')
				pax_lookup(data, size, long_name, long_link, sizeof(long_name));
			else
				snprintf(h.typeflag == 'L' ? long_name : long_link,
					 sizeof(long_name), "%s", data);
			free(data);
			continue;
		}
		if (long_name[0])
			snprintf(name, sizeof(name), "%s", long_name);
		else if (h.prefix[0])
			snprintf(name, sizeof(name), "%.155s/%.100s", h.prefix, h.name);
		else
			snprintf(name, sizeof(name), "%.100s", h.name);
		if (long_link[0])
			snprintf(link, sizeof(link), "%s", long_link);
		else
			snprintf(link, sizeof(link), "%.100s", h.linkname);
		long_name[0] = long_link[0] = '\0';

		rel = strip_top(name);
		if (!rel) {
			free(data);
			rc = fail(&r, -EINVAL, "%s: unsafe name in archive", name);
			break;
		}
		if (rel[0] && (h.typeflag == '0' || h.typeflag == '\0' ||
			       h.typeflag == '5' || h.typeflag == '2'))
			rc = extract_entry(&r, dirfd, h.typeflag, (mode_t)mode, rel,
					   link, data, size);
		free(data);
		if (rc)
			break;
	}
	gzclose(r.gz);
	return rc;
}
