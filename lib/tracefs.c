// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tracefs: where it is, tracing instances of our own, the words of a trace
 * line. An instance has its own buffer and event switches, so reading it
 * disturbs nobody else's tracing: lib/cxl-poison.c (a poison list) and
 * lib/cxl-events.c (monitor) each make one and remove it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tracefs.h"

static const char *const tracefs_dirs[] = {
	"/sys/kernel/tracing",
	"/sys/kernel/debug/tracing",
};

const char *pm_tracefs_root(void)
{
	char path[64];
	struct stat st;

	for (size_t i = 0; i < sizeof(tracefs_dirs) / sizeof(*tracefs_dirs); i++) {
		snprintf(path, sizeof(path), "%s/events", tracefs_dirs[i]);
		/* 0700: there for root, and a caller learns EACCES from it later. */
		if (stat(path, &st) == 0 || errno == EACCES)
			return tracefs_dirs[i];
	}
	return NULL;
}

int pm_tracefs_write(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;
	int rc = 0;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	if (n < 0)
		rc = -errno;
	else if ((size_t)n != strlen(s))
		rc = -EIO;
	close(fd);
	return rc;
}

/* The pid in pmemctl-PID-... or pmemctl-monitor-PID; 0 for other names. */
static pid_t owner(const char *name)
{
	const char *p;
	char *end;
	long pid;

	if (strncmp(name, "pmemctl-", 8) != 0)
		return 0;
	p = name + 8;
	if (strncmp(p, "monitor-", 8) == 0)
		p += 8;
	errno = 0;
	pid = strtol(p, &end, 10);
	if (errno || end == p || pid <= 0 || pid > INT_MAX ||
	    (*end && *end != '-'))
		return 0;
	return (pid_t)pid;
}

/*
 * A process killed with SIGKILL leaves its instance, and an instance with
 * events enabled costs a buffer and the events' overhead for ever.
 */
static void reap(const char *root)
{
	char dir[PATH_MAX], path[PATH_MAX + 256];
	struct dirent *d;
	pid_t pid;
	DIR *dp;

	snprintf(dir, sizeof(dir), "%s/instances", root);
	dp = opendir(dir);
	if (!dp)
		return;
	while ((d = readdir(dp))) {
		pid = owner(d->d_name);
		if (pid <= 0 || pid == getpid() || kill(pid, 0) == 0 || errno != ESRCH)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		rmdir(path);
	}
	closedir(dp);
}

int pm_tracefs_instance(const char *root, const char *name, char *path,
			size_t len)
{
	reap(root);
	if ((size_t)snprintf(path, len, "%s/instances/%s", root, name) >= len)
		return -ENAMETOOLONG;
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

bool pm_trace_field(const char *line, const char *key, char *out, size_t len)
{
	size_t klen = strlen(key), n;
	const char *p = line, *end;

	while ((p = strstr(p, key))) {
		if ((p == line || p[-1] == ' ') && p[klen] == '=') {
			p += klen + 1;
			if (*p == '\'') {
				/* The kernel's own quotes: up to the one that closes. */
				end = strchr(++p, '\'');
				if (!end)
					return false;
				n = (size_t)(end - p);
			} else {
				n = strcspn(p, " \n");
			}
			if (n >= len)
				return false;
			memcpy(out, p, n);
			out[n] = '\0';
			return true;
		}
		p += klen;
	}
	return false;
}

bool pm_trace_number(const char *line, const char *key, int base, uint64_t *out)
{
	char word[32], *end;

	if (!pm_trace_field(line, key, word, sizeof(word)) || !word[0] ||
	    word[0] == '-')
		return false;
	errno = 0;
	*out = strtoull(word, &end, base);
	return !errno && !*end;
}
