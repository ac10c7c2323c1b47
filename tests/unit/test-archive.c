// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests: the bundle archive written, read back, and unsafe names refused. */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/compat.h"
#include "tap.h"
#include "lib/archive.h"

static char dir[] = "/tmp/pmemctl-test-archive.XXXXXX";

/* Writes one archive of the given entries: "f:NAME", "l:NAME>TARGET", "d:NAME". */
static void write_archive(const char *path, const char *const *entries, size_t n)
{
	struct pm_archive *a;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0 || pm_archive_open(fd, &a) < 0)
		abort();
	for (size_t i = 0; i < n; i++) {
		const char *name = entries[i] + 2;
		char copy[1024];

		switch (entries[i][0]) {
		case 'f':
			pm_archive_add_file(a, name, 0640, name, strlen(name));
			break;
		case 'l':
			snprintf(copy, sizeof(copy), "%s", name);
			*strchr(copy, '>') = '\0';
			pm_archive_add_symlink(a, copy, strchr(name, '>') + 1);
			break;
		default:
			pm_archive_add_dir(a, name, 0755);
		}
	}
	if (pm_archive_close(a) < 0)
		abort();
}

static int extract(const char *archive, const char *into, char *err, size_t len)
{
	int fd, rc;

	mkdir(into, 0755);
	fd = open(into, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	rc = pm_archive_extract(archive, fd, NULL, NULL, err, len);
	close(fd);
	return rc;
}

static char *slurp(const char *path)
{
	static char buf[4096];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	buf[n < 0 ? 0 : n] = '\0';
	return buf;
}

int main(void)
{
	char long_name[400], long_link[300], path[1024], archive[256], into[256];
	char err[256], target[512];
	struct stat st;
	ssize_t n;
	int rc;

	if (!mkdtemp(dir))
		return 99;
	/* Longer than ustar's 100-byte name and link fields: pax records. */
	snprintf(long_name, sizeof(long_name),
		 "f:top/sys/devices/LNXSYSTM:00/LNXSYBUS:00/ACPI0012:00/ndbus0/region0/namespace0.0/block/pmem0/queue/%0150d", 7);
	memset(long_link, 'x', 150);
	snprintf(long_link + 150, sizeof(long_link) - 150, "/../target");
	{
		char link_entry[600];
		const char *entries[] = {
			"d:top", "f:top/sys/bus/nd/devices/region0/size",
			long_name, link_entry, "l:top/sys/class/nd/ndctl0>../../devices/ndbus0/ndctl0",
			"f:top/empty",
		};

		snprintf(link_entry, sizeof(link_entry), "l:top/link>%s", long_link);
		snprintf(archive, sizeof(archive), "%s/good.tar.gz", dir);
		write_archive(archive, entries, ARRAY_SIZE(entries));
	}
	snprintf(into, sizeof(into), "%s/good", dir);
	rc = extract(archive, into, err, sizeof(err));
	ok(rc == 0, "a written archive extracts (rc %d: %s)", rc, err);
	snprintf(path, sizeof(path), "%s/sys/bus/nd/devices/region0/size", into);
	ok(strcmp(slurp(path), "top/sys/bus/nd/devices/region0/size") == 0,
	   "a file's content comes back, below the dropped top directory");
	ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0640, "its mode comes back (0640)");
	snprintf(path, sizeof(path), "%s/%s", into, long_name + 6);
	ok(strcmp(slurp(path), long_name + 2) == 0, "a %zu-byte name survives (pax path)",
	   strlen(long_name + 2));
	snprintf(path, sizeof(path), "%s/link", into);
	n = readlink(path, target, sizeof(target) - 1);
	target[n < 0 ? 0 : n] = '\0';
	ok(strcmp(target, long_link) == 0, "a %zu-byte symlink target survives (pax linkpath)",
	   strlen(long_link));
	snprintf(path, sizeof(path), "%s/sys/class/nd/ndctl0", into);
	n = readlink(path, target, sizeof(target) - 1);
	target[n < 0 ? 0 : n] = '\0';
	ok(strcmp(target, "../../devices/ndbus0/ndctl0") == 0, "a short symlink survives");
	snprintf(path, sizeof(path), "%s/empty", into);
	ok(stat(path, &st) == 0 && st.st_size == 9, "a small file has its size (9 bytes)");

	static const char *const unsafe[][2] = {
		{ "f:top/../escaped", "'..' after the top directory" },
		{ "f:/abs/file", "an absolute name" },
		{ "f:top/a/../../b", "'..' in the middle" },
		{ "f:top/./x", "a '.' component" },
		{ "f:notop", "no top directory" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(unsafe); i++) {
		const char *entries[] = { unsafe[i][0] };

		snprintf(archive, sizeof(archive), "%s/unsafe%zu.tar.gz", dir, i);
		write_archive(archive, entries, 1);
		snprintf(into, sizeof(into), "%s/unsafe%zu", dir, i);
		rc = extract(archive, into, err, sizeof(err));
		ok(rc == -EINVAL && strstr(err, "unsafe name"), "refused: %s (%s)", unsafe[i][1], err);
	}
	snprintf(path, sizeof(path), "%s/escaped", dir);
	ok(access(path, F_OK) < 0, "nothing was written outside the directory");

	/* A symlink in the archive must not become a way out. */
	{
		const char *entries[] = { "l:top/out>/tmp", "f:top/out/planted" };

		snprintf(archive, sizeof(archive), "%s/through-link.tar.gz", dir);
		write_archive(archive, entries, 2);
		snprintf(into, sizeof(into), "%s/through-link", dir);
		rc = extract(archive, into, err, sizeof(err));
		ok(rc < 0 && access("/tmp/planted", F_OK) < 0,
		   "a file below an archived symlink is refused, not written through it (%s)", err);
	}

	snprintf(archive, sizeof(archive), "%s/text", dir);
	{
		int fd = open(archive, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);

		if (write(fd, "hello\n", 6) != 6)
			return 99;
		close(fd);
	}
	snprintf(into, sizeof(into), "%s/text-out", dir);
	rc = extract(archive, into, err, sizeof(err));
	ok(rc == -EINVAL && strstr(err, "not a tar archive"), "a text file: %s", err);

	/* Links judged by their text: absolute or above their root escape. */
	static const struct {
		const char *name, *target;
		bool escapes;
	} links[] = {
		{ "sys/class/nd/ndctl0", "../../devices/ndbus0/ndctl0", false },
		{ "sys/class/nd/ndctl0", "../../../devices", true },
		{ "sys/a/l", "..", false },
		{ "sys/a/l", "../..", true },
		{ "sys/l", "x/../../y", true },
		{ "sys/l", "x/y/../../z", false },
		{ "sys/a/b/l", "./.././../c", false },
		{ "sys/a/b/l", "../../../c", true },
		{ "sys/l", "/etc/shadow", true },
		{ "sys/l", "/", true },
		{ "sys/l", "", true },
		{ "sys/l", "x//y/./z", false },
		{ "pmemctl/kernel.log", "/dev/zero", true },
		{ "pmemctl/kernel.log", "../sys/x", true },
		{ "link", "x/../target", false },
		{ "link", "../target", true },
	};
	for (size_t i = 0; i < ARRAY_SIZE(links); i++)
		ok(pm_link_escapes(links[i].name, links[i].target) == links[i].escapes,
		   "%s -> %s %s", links[i].name, links[i].target,
		   links[i].escapes ? "escapes" : "stays inside");

	/* A link that escapes through another one: only the kernel sees it. */
	{
		const char *entries[] = {
			"d:top", "d:top/sys", "d:top/sys/zz", "l:top/sys/zz/up>..",
			"d:top/sys/a", "l:top/sys/a/out>../zz/up/../tmp",
			"l:top/sys/a/in>../zz/up/a", "l:top/sys/a/abs>/tmp",
		};

		ok(!pm_link_escapes("sys/a/out", "../zz/up/../tmp"),
		   "sys/a/out -> ../zz/up/../tmp stays inside by its text");
		snprintf(archive, sizeof(archive), "%s/through.tar.gz", dir);
		write_archive(archive, entries, ARRAY_SIZE(entries));
		snprintf(into, sizeof(into), "%s/through", dir);
		mkdir(into, 0755);
		{
			struct pm_extract_notes notes;
			int fd = open(into, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

			rc = pm_archive_extract(archive, fd, NULL, &notes, err, sizeof(err));
			close(fd);
			ok(rc == 0 && notes.links_out == 2,
			   "extracted, 2 links out noted (rc %d, %u: %s)", rc,
			   notes.links_out, notes.first);
		}
		snprintf(path, sizeof(path), "%s/sys/a/out", into);
		ok(lstat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0 &&
		   (st.st_mode & 0777) == 0444,
		   "... the one through zz/up is an empty 0444 file, found by the kernel");
		snprintf(path, sizeof(path), "%s/sys/a/abs", into);
		ok(lstat(path, &st) == 0 && S_ISREG(st.st_mode), "... the absolute one too");
		snprintf(path, sizeof(path), "%s/sys/a/in", into);
		ok(lstat(path, &st) == 0 && S_ISLNK(st.st_mode), "... the one inside stays a link");
	}

	rc = system("rm -rf /tmp/pmemctl-test-archive.*");
	(void)rc;
	return done_testing();
}
