// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit test (root): after pm_replay_drop(), the process is nobody, for good. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"
#include "lib/report.h"

/* The value of a "Name:\t..." line of /proc/self/status. */
static const char *status(const char *name)
{
	static char line[256];
	FILE *f = fopen("/proc/self/status", "re");
	size_t len = strlen(name);

	line[0] = '\0';
	while (f && fgets(line, sizeof(line), f))
		if (strncmp(line, name, len) == 0 && line[len] == ':') {
			line[strcspn(line, "\n")] = '\0';
			fclose(f);
			return line + len + 2;
		}
	if (f)
		fclose(f);
	return "";
}

static int child(const char *secret)
{
	char err[256] = "";
	int rc = pm_replay_drop(err, sizeof(err));
	int fd;

	ok(rc == 0, "the drop holds (%s)", err);
	ok(geteuid() == PM_REPLAY_ID && getuid() == PM_REPLAY_ID &&
	   getegid() == PM_REPLAY_ID && getgid() == PM_REPLAY_ID,
	   "uid and gid are %u", PM_REPLAY_ID);
	ok(getgroups(0, NULL) == 0, "no supplementary group");
	ok(strcmp(status("CapEff"), "0000000000000000") == 0 &&
	   strcmp(status("CapPrm"), "0000000000000000") == 0 &&
	   strcmp(status("CapInh"), "0000000000000000") == 0 &&
	   strcmp(status("CapAmb"), "0000000000000000") == 0,
	   "no capability (CapEff %s)", status("CapEff"));
	ok(strcmp(status("CapBnd"), "0000000000000000") == 0,
	   "an empty bounding set (CapBnd %s)", status("CapBnd"));
	ok(strcmp(status("NoNewPrivs"), "1") == 0, "no_new_privs");
	fd = open(secret, O_RDONLY | O_CLOEXEC);
	ok(fd < 0 && errno == EACCES, "a root-only file cannot be read");
	fd = open("/proc/sys/fs/lease-break-time", O_WRONLY | O_CLOEXEC);
	ok(fd < 0 && errno == EACCES, "a /proc/sys entry cannot be opened for writing");
	ok(setuid(0) < 0 && seteuid(0) < 0, "root cannot come back");
	return done_testing();
}

int main(void)
{
	char dir[] = "/tmp/pmemctl-test-drop.XXXXXX", secret[64];
	int fd, wstatus;
	pid_t pid;

	if (geteuid() != 0) {
		printf("1..0 # SKIP the replay drops root's privileges: run as root\n");
		return 0;
	}
	if (!mkdtemp(dir) || chmod(dir, 0755) < 0)
		return 99;
	snprintf(secret, sizeof(secret), "%s/secret", dir);
	fd = open(secret, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, "secret\n", 7) != 7)
		return 99;
	close(fd);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		int rc = child(secret);

		fflush(stdout);
		_exit(rc);
	}
	if (pid < 0 || waitpid(pid, &wstatus, 0) < 0)
		return 99;
	unlink(secret);
	rmdir(dir);
	return WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 99;
}
