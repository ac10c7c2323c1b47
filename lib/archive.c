// SPDX-License-Identifier: GPL-2.0-or-later
/* Support bundles as tar.gz, through libarchive: written, and extracted safely. */
#include <dlfcn.h>
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

#include <archive.h>
#include <archive_entry.h>

#include "archive.h"

/*
 * libarchive is loaded when a bundle is written or read, not at start:
 * Debian's build links ten more libraries (libxml2, ICU, OpenSSL, ...)
 * whose loading cost every pmemctl command 2-4 ms (9.4 -> 13.8 ms for
 * --version). The headers still type every call.
 */
#define LIBARCHIVE_SONAME "libarchive.so.13"
#define LIBARCHIVE_FUNCTIONS(X) \
	X(archive_entry_clear) \
	X(archive_entry_filetype) \
	X(archive_entry_free) \
	X(archive_entry_hardlink) \
	X(archive_entry_new) \
	X(archive_entry_pathname) \
	X(archive_entry_perm) \
	X(archive_entry_set_filetype) \
	X(archive_entry_set_gid) \
	X(archive_entry_set_gname) \
	X(archive_entry_set_hardlink) \
	X(archive_entry_set_mtime) \
	X(archive_entry_set_pathname) \
	X(archive_entry_set_perm) \
	X(archive_entry_set_size) \
	X(archive_entry_set_symlink) \
	X(archive_entry_set_uid) \
	X(archive_entry_set_uname) \
	X(archive_entry_size) \
	X(archive_entry_symlink) \
	X(archive_errno) \
	X(archive_error_string) \
	X(archive_filter_bytes) \
	X(archive_filter_count) \
	X(archive_read_data_block) \
	X(archive_read_free) \
	X(archive_read_new) \
	X(archive_read_next_header) \
	X(archive_read_open_fd) \
	X(archive_read_support_filter_gzip) \
	X(archive_read_support_format_tar) \
	X(archive_write_add_filter_gzip) \
	X(archive_write_close) \
	X(archive_write_data) \
	X(archive_write_data_block) \
	X(archive_write_disk_new) \
	X(archive_write_disk_set_options) \
	X(archive_write_finish_entry) \
	X(archive_write_free) \
	X(archive_write_header) \
	X(archive_write_new) \
	X(archive_write_open_fd) \
	X(archive_write_set_bytes_in_last_block) \
	X(archive_write_set_filter_option) \
	X(archive_write_set_format_pax_restricted)

static struct {
#define X(name) __typeof__(name) *p_##name;
	LIBARCHIVE_FUNCTIONS(X)
#undef X
} la;

#define LA(name) (*la.p_##name)

/* 0 once every function is resolved; -ELIBACC when the library is missing. */
static int load_libarchive(void)
{
	static int state;		/* 0 not tried, 1 loaded, <0 failed */
	void *handle;

	if (state)
		return state < 0 ? state : 0;
	state = -ELIBACC;
	handle = dlopen(LIBARCHIVE_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!handle)
		return state;
#define X(name)								\
	la.p_##name = (__typeof__(la.p_##name))dlsym(handle, #name);	\
	if (!la.p_##name)						\
		return state;
	LIBARCHIVE_FUNCTIONS(X)
#undef X
	state = 1;
	return 0;
}

/*
 * A sysfs capture is a few MiB; anything far larger is not a bundle.
 * MAX_TOTAL_SIZE counts what every entry declares (file data, hard-link
 * data, link targets), read or skipped. The golden bundles expand 6-32
 * times; gzip itself stops near 1032, so MAX_RATIO (with the slack a tiny
 * bundle needs) bounds what a small file can make the replay inflate
 * before any header says how much: 40 KiB may expand to 11 MiB at most.
 */
#define MAX_ENTRY_SIZE PM_BUNDLE_MAX_ENTRY
#define MAX_TOTAL_SIZE PM_BUNDLE_MAX_TOTAL
#define MAX_ENTRIES PM_BUNDLE_MAX_ENTRIES
#define MAX_RATIO 256
#define RATIO_SLACK (1u << 20)
#define MAX_LINK_TARGET PM_BUNDLE_MAX_LINK
/* A capture's links are ~150 of 60 bytes: each costs an inode, not data. */
#define MAX_LINK_BYTES (8u << 20)
/*
 * A backstop: the limits above refuse a small bomb in milliseconds. A real
 * bundle takes 0.1 s natively, but 5 s and more under valgrind in a TCG
 * guest (tests/vm/report.test): counted from the extraction's start.
 */
#define MAX_CPU_NS (60ull * 1000000000)

struct pm_archive {
	struct archive *ar;
	struct archive_entry *entry;	/* reused for every entry */
	int fd;
	int error;
	time_t mtime;			/* one timestamp for the whole bundle */
};

/* libarchive's errno when it has one; its own failures are EIO. */
static int archive_rc(struct archive *ar)
{
	int e = LA(archive_errno)(ar);

	return e > 0 ? -e : -EIO;
}

int pm_archive_open(int fd, struct pm_archive **archive)
{
	struct pm_archive *a;
	int rc = load_libarchive();

	if (rc)
		return rc;
	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->fd = fd;
	a->mtime = time(NULL);
	a->ar = LA(archive_write_new)();
	a->entry = LA(archive_entry_new)();
	if (!a->ar || !a->entry) {
		a->error = -ENOMEM;
		goto fail;
	}
	/*
	 * pax_restricted writes plain ustar headers and adds a pax record only
	 * for what ustar cannot hold (long names and link targets). No padding
	 * of the compressed stream to a 10 KiB tape block.
	 */
	if (LA(archive_write_set_format_pax_restricted)(a->ar) != ARCHIVE_OK ||
	    LA(archive_write_add_filter_gzip)(a->ar) != ARCHIVE_OK ||
	    LA(archive_write_set_filter_option)(a->ar, "gzip", "compression-level", "6") != ARCHIVE_OK ||
	    LA(archive_write_set_bytes_in_last_block)(a->ar, 1) != ARCHIVE_OK ||
	    LA(archive_write_open_fd)(a->ar, fd) != ARCHIVE_OK) {
		a->error = archive_rc(a->ar);
		goto fail;
	}
	*archive = a;
	return 0;
fail:
	rc = a->error;
	if (a->ar)
		LA(archive_write_free)(a->ar);
	if (a->entry)
		LA(archive_entry_free)(a->entry);
	free(a);
	return rc;
}

static struct archive_entry *entry(struct pm_archive *a, const char *name,
				   mode_t type, mode_t mode)
{
	struct archive_entry *e = LA(archive_entry_clear)(a->entry);

	LA(archive_entry_set_pathname)(e, name);
	LA(archive_entry_set_filetype)(e, type);
	LA(archive_entry_set_perm)(e, mode & 07777);
	LA(archive_entry_set_mtime)(e, a->mtime, 0);
	LA(archive_entry_set_uid)(e, 0);
	LA(archive_entry_set_gid)(e, 0);
	LA(archive_entry_set_uname)(e, "root");
	LA(archive_entry_set_gname)(e, "root");
	return e;
}

static int write_header(struct pm_archive *a, struct archive_entry *e)
{
	if (!a->error && LA(archive_write_header)(a->ar, e) < ARCHIVE_WARN)
		a->error = archive_rc(a->ar);
	return a->error;
}

int pm_archive_add_dir(struct pm_archive *a, const char *name, mode_t mode)
{
	return write_header(a, entry(a, name, AE_IFDIR, mode));
}

/*
 * The size in the header is len, the bytes the caller read: a sysfs
 * attribute's st_size (a page) says nothing about its content.
 */
int pm_archive_add_file(struct pm_archive *a, const char *name, mode_t mode,
			const void *data, size_t len)
{
	struct archive_entry *e = entry(a, name, AE_IFREG, mode);

	LA(archive_entry_set_size)(e, (la_int64_t)len);
	if (write_header(a, e) || !len)
		return a->error;
	if (LA(archive_write_data)(a->ar, data, len) != (la_ssize_t)len)
		a->error = archive_rc(a->ar);
	return a->error;
}

int pm_archive_add_symlink(struct pm_archive *a, const char *name,
			   const char *target)
{
	struct archive_entry *e = entry(a, name, AE_IFLNK, 0777);

	LA(archive_entry_set_symlink)(e, target);
	return write_header(a, e);
}

int pm_archive_close(struct pm_archive *a)
{
	int rc = a->error;

	if (LA(archive_write_close)(a->ar) != ARCHIVE_OK && !rc)
		rc = archive_rc(a->ar);
	LA(archive_write_free)(a->ar);
	LA(archive_entry_free)(a->entry);
	if (close(a->fd) < 0 && !rc)
		rc = -errno;
	free(a);
	return rc;
}

/* Extraction. */

struct reader {
	struct archive *in;		/* the bundle */
	struct archive *out;		/* the directory, through write_disk */
	char *err;
	size_t errlen;
	const struct pm_extract_owner *owner;
	struct pm_extract_notes *notes;
	unsigned int entries;
	unsigned long long total;	/* declared bytes: data, link targets */
	unsigned long long link_bytes;	/* symlink targets alone */
	unsigned long long max_stream;	/* inflated bytes allowed */
	unsigned long long cpu_start;	/* process CPU ns when it began */
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

/*
 * Entry names are relative and stay below the top directory, which is
 * dropped. libarchive refuses these too (the SECURE flags); checking here
 * as well names the problem and stops at the first bad entry.
 */
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

static void note(struct pm_extract_notes *notes, bool hard, const char *name,
		 const char *target)
{
	if (!notes)
		return;
	if (hard)
		notes->hard_links++;
	else
		notes->links_out++;
	if (!notes->first[0])
		snprintf(notes->first, sizeof(notes->first), "%s -> %.200s", name,
			 target);
}

/*
 * A failure to write an entry is the bundle's fault (a name that clashes,
 * a path through a symlink), not the caller's rights, unless the replay
 * directory itself ran out of room.
 */
static int disk_rc(struct archive *out)
{
	int e = LA(archive_errno)(out);

	return e == ENOSPC || e == EDQUOT || e == ENOMEM ? -e : -EINVAL;
}

/*
 * Checked after every header and data block: how far the stream inflated
 * (skipped data and padding count: they cost as much) and the CPU spent.
 */
static int over_budget(struct reader *r)
{
	struct timespec cpu;

	if ((unsigned long long)LA(archive_filter_bytes)(r->in, 0) > r->max_stream)
		return fail(r, -EINVAL, "it inflates to more than %llu MiB (%u times its size): not a pmemctl report",
			    r->max_stream >> 20, MAX_RATIO);
	if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu) == 0 &&
	    cpu.tv_sec * 1000000000ull + cpu.tv_nsec - r->cpu_start > MAX_CPU_NS)
		return fail(r, -EINVAL, "extracting took more than %llu s of CPU: not a pmemctl report",
			    MAX_CPU_NS / 1000000000);
	return 0;
}

static int count(struct reader *r, unsigned long long bytes)
{
	r->total += bytes;
	if (r->total > MAX_TOTAL_SIZE)
		return fail(r, -EINVAL, "more than %u MiB: not a pmemctl report",
			    MAX_TOTAL_SIZE >> 20);
	return 0;
}

static int copy_data(struct reader *r, const char *rel)
{
	for (;;) {
		const void *buf;
		size_t size;
		la_int64_t offset;
		int rc = LA(archive_read_data_block)(r->in, &buf, &size, &offset);

		if (rc == ARCHIVE_EOF)
			return 0;
		if (rc < ARCHIVE_WARN)
			return fail(r, -EINVAL, "%s: %s", rel, LA(archive_error_string)(r->in));
		rc = over_budget(r);
		if (rc)
			return rc;
		if (LA(archive_write_data_block)(r->out, buf, size, offset) < ARCHIVE_WARN)
			return fail(r, disk_rc(r->out), "%s: %s", rel,
				    LA(archive_error_string)(r->out));
	}
}

/* The entry becomes an empty read-only file: its name stays, its power goes. */
static void stand_in(struct archive_entry *e)
{
	LA(archive_entry_set_hardlink)(e, NULL);
	LA(archive_entry_set_symlink)(e, NULL);
	LA(archive_entry_set_filetype)(e, AE_IFREG);
	LA(archive_entry_set_size)(e, 0);
	LA(archive_entry_set_perm)(e, 0444);
}

/*
 * One entry: a file, a directory or a symlink; devices and fifos are
 * skipped. A symlink that is absolute or climbs out of its root (sys/,
 * proc/, pmemctl/), and a hard link, become stand-ins.
 */
static int extract_entry(struct reader *r, struct archive_entry *e)
{
	mode_t type = LA(archive_entry_filetype)(e);
	const char *hardlink = LA(archive_entry_hardlink)(e);
	la_int64_t size = LA(archive_entry_size)(e);
	char name[4096];
	const char *rel;
	int rc;

	if (!LA(archive_entry_pathname)(e) ||
	    snprintf(name, sizeof(name), "%s", LA(archive_entry_pathname)(e)) >= (int)sizeof(name))
		return fail(r, -EINVAL, "a name too long or missing after %u entries",
			    r->entries);
	rel = strip_top(name);
	if (!rel)
		return fail(r, -EINVAL, "%s: unsafe name in archive", name);
	if (size > MAX_ENTRY_SIZE)
		return fail(r, -EINVAL, "an entry of %lld bytes: not a pmemctl report",
			    (long long)size);
	/* A report never holds one; libarchive would inflate its data unread. */
	if (hardlink && size > 0)
		return fail(r, -EINVAL, "%s: a hard link carrying %lld bytes: not a pmemctl report",
			    rel, (long long)size);
	rc = count(r, size > 0 ? (unsigned long long)size : 0);
	if (rc)
		return rc;
	if (type == AE_IFLNK && !hardlink) {
		const char *target = LA(archive_entry_symlink)(e);
		size_t len = target ? strlen(target) : 0;

		if (len > MAX_LINK_TARGET)
			return fail(r, -EINVAL, "%s: a symlink target of %zu bytes: not a pmemctl report",
				    rel, len);
		r->link_bytes += len;
		if (r->link_bytes > MAX_LINK_BYTES)
			return fail(r, -EINVAL, "more than %u MiB of symlink targets: not a pmemctl report",
				    MAX_LINK_BYTES >> 20);
		rc = count(r, len);
		if (rc)
			return rc;
		if (rel[0] && (!target || pm_link_escapes(rel, target))) {
			note(r->notes, false, rel, target ? target : "");
			stand_in(e);
			type = AE_IFREG;
		}
	} else if (hardlink && rel[0]) {
		note(r->notes, true, rel, hardlink);
		stand_in(e);
		type = AE_IFREG;
	}
	if (!rel[0] || (type != AE_IFREG && type != AE_IFDIR && type != AE_IFLNK))
		return 0;
	LA(archive_entry_set_pathname)(e, rel);
	/* No setuid, setgid or sticky bits; owners are never taken from it. */
	LA(archive_entry_set_perm)(e, LA(archive_entry_perm)(e) & 0777);
	if (r->owner) {
		LA(archive_entry_set_uid)(e, r->owner->uid);
		LA(archive_entry_set_gid)(e, r->owner->gid);
		LA(archive_entry_set_uname)(e, NULL);
		LA(archive_entry_set_gname)(e, NULL);
	}
	if (LA(archive_write_header)(r->out, e) < ARCHIVE_WARN)
		return fail(r, disk_rc(r->out), "%s: %s", rel,
			    LA(archive_error_string)(r->out));
	if (type == AE_IFREG && LA(archive_entry_size)(e) > 0) {
		rc = copy_data(r, rel);
		if (rc)
			return rc;
	}
	if (LA(archive_write_finish_entry)(r->out) < ARCHIVE_WARN)
		return fail(r, disk_rc(r->out), "%s: %s", rel,
			    LA(archive_error_string)(r->out));
	return 0;
}

static int extract_all(struct reader *r)
{
	for (;;) {
		struct archive_entry *e;
		int rc = LA(archive_read_next_header)(r->in, &e);

		if (rc == ARCHIVE_EOF)
			return r->entries ? 0 : fail(r, -EINVAL, "empty archive");
		if (rc < ARCHIVE_WARN) {
			if (!r->entries)
				return fail(r, -EINVAL, "not a tar archive (%s)",
					    LA(archive_error_string)(r->in));
			return fail(r, -EINVAL, "not a tar archive (%s after %u entries)",
				    LA(archive_error_string)(r->in), r->entries);
		}
		if (++r->entries > MAX_ENTRIES)
			return fail(r, -EINVAL, "more than %u entries: not a pmemctl report",
				    MAX_ENTRIES);
		rc = over_budget(r);
		if (!rc)
			rc = extract_entry(r, e);
		if (rc)
			return rc;
	}
}

int pm_archive_extract(const char *path, int dirfd,
		       const struct pm_extract_owner *owner,
		       struct pm_extract_notes *notes, char *err, size_t errlen)
{
	struct reader r = { .err = err, .errlen = errlen, .owner = owner,
			    .notes = notes };
	int fd, cwd = -1, rc, flags;
	struct stat st;

	err[0] = '\0';
	if (notes)
		memset(notes, 0, sizeof(*notes));
	rc = load_libarchive();
	if (rc)
		return fail(&r, rc, "cannot load %s: install libarchive13", LIBARCHIVE_SONAME);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail(&r, -errno, "%s", strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return fail(&r, -EINVAL, "not a regular file");
	}
	r.max_stream = (unsigned long long)st.st_size * MAX_RATIO + RATIO_SLACK;
	{
		struct timespec cpu;

		if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu) == 0)
			r.cpu_start = cpu.tv_sec * 1000000000ull + cpu.tv_nsec;
	}
	if (r.max_stream > MAX_TOTAL_SIZE + (unsigned long long)MAX_ENTRIES * 1024)
		r.max_stream = MAX_TOTAL_SIZE + (unsigned long long)MAX_ENTRIES * 1024;
	r.in = LA(archive_read_new)();
	r.out = LA(archive_write_disk_new)();
	if (!r.in || !r.out) {
		rc = fail(&r, -ENOMEM, "out of memory");
		goto out;
	}
	/* Only what a bundle can be: tar (ustar, pax, GNU), gzipped or not. */
	LA(archive_read_support_filter_gzip)(r.in);
	LA(archive_read_support_format_tar)(r.in);
	flags = ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_SECURE_SYMLINKS |
		ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS;
	if (owner)
		flags |= ARCHIVE_EXTRACT_OWNER;
	LA(archive_write_disk_set_options)(r.out, flags);
	if (LA(archive_read_open_fd)(r.in, fd, 64 << 10) != ARCHIVE_OK) {
		rc = fail(&r, -EINVAL, "not a tar archive (%s)", LA(archive_error_string)(r.in));
		goto out;
	}
	/*
	 * libarchive bids again on what gzip yields: a gzip inside the gzip
	 * would be inflated twice (a million times its size). The chain is
	 * gzip and the tar reader's "none", or "none" alone.
	 */
	if (LA(archive_filter_count)(r.in) > 2) {
		rc = fail(&r, -EINVAL, "a compressed stream inside the compressed stream: not a pmemctl report");
		goto out;
	}
	/* write_disk works relative to the working directory: dirfd's, briefly. */
	cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (cwd < 0 || fchdir(dirfd) < 0) {
		rc = fail(&r, -errno, "cannot enter the directory: %s", strerror(errno));
		goto out;
	}
	rc = extract_all(&r);
	/* Directory modes are set last, when write_disk closes. */
	if (LA(archive_write_close)(r.out) < ARCHIVE_WARN && !rc)
		rc = fail(&r, disk_rc(r.out), "%s", LA(archive_error_string)(r.out));
	if (fchdir(cwd) < 0 && !rc)
		rc = fail(&r, -errno, "cannot return to the working directory: %s",
			  strerror(errno));
	if (!rc)
		rc = pm_bundle_check_links(dirfd, notes, err, errlen);
out:
	if (cwd >= 0)
		close(cwd);
	if (r.out)
		LA(archive_write_free)(r.out);
	if (r.in)
		LA(archive_read_free)(r.in);
	close(fd);
	return rc;
}
