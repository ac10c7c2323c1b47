// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit test of pm_bundle_check_links() (lib/bundle-tree.c) under renames:
 * openat2's RESOLVE_BENEATH answers EAGAIN when any rename on the system
 * races a ".." it resolves, and a link through another link that leads
 * out of its root must become a stand-in every time all the same.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"
#include "lib/archive.h"

static char dir[] = "/tmp/pmemctl-test-bundle-links.XXXXXX";
static atomic_bool stop;
static atomic_long renames;

/* Renames elsewhere on the system, as a busy machine does. */
static void *renamer(void *arg)
{
	char a[128], b[128];
	int fd;

	(void)arg;
	snprintf(a, sizeof(a), "%s/r1", dir);
	snprintf(b, sizeof(b), "%s/r2", dir);
	fd = open(a, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	if (fd >= 0)
		close(fd);
	while (!atomic_load(&stop)) {
		if (rename(a, b) == 0)
			rename(b, a);
		atomic_fetch_add(&renames, 2);
	}
	return NULL;
}

int main(void)
{
	char path[256], err[256];
	int rounds = 3000, kept = 0, errors = 0, i;
	pthread_t thread;
	struct stat st;

	if (!mkdtemp(dir))
		return 99;
	snprintf(path, sizeof(path), "%s/top", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/top/sys", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/top/sys/d", dir);
	mkdir(path, 0755);
	/* d/up leads to sys (inside); evil goes up twice more through it. */
	snprintf(path, sizeof(path), "%s/top/sys/d/up", dir);
	if (symlink("..", path))
		return 99;
	snprintf(path, sizeof(path), "%s/outside", dir);
	close(open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600));

	if (pthread_create(&thread, NULL, renamer, NULL))
		return 99;
	for (i = 0; i < rounds; i++) {
		struct pm_extract_notes notes = { 0 };
		int topfd;

		snprintf(path, sizeof(path), "%s/top/sys/evil", dir);
		unlink(path);
		if (symlink("d/up/../../outside", path))
			return 99;
		snprintf(path, sizeof(path), "%s/top", dir);
		topfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (pm_bundle_check_links(topfd, &notes, err, sizeof(err)))
			errors++;
		close(topfd);
		snprintf(path, sizeof(path), "%s/top/sys/evil", dir);
		if (lstat(path, &st) || !S_ISREG(st.st_mode))
			kept++;
	}
	atomic_store(&stop, true);
	pthread_join(thread, NULL);
	ok(errors == 0, "%d checks, none failed", rounds);
	ok(kept == 0, "a link out through another link became a stand-in %d times of %d, "
	   "with %ld renames racing", rounds - kept, rounds, atomic_load(&renames));

	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	if (system(path) != 0)
		ok(0, "cannot remove %s", dir);
	return done_testing();
}
