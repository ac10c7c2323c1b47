// SPDX-License-Identifier: GPL-2.0-or-later
/* Facts from outside sysfs: live, or from a replayed support bundle. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host.h"

static const char *replay_root;
static uid_t replay_euid;

/* What the replay had to leave out or stop reading, for the user to hear. */
#define MAX_NOTES 16
static char notes[MAX_NOTES][640];
static size_t nr_notes;

void pm_host_note(const char *fmt, ...)
{
	va_list ap;

	if (nr_notes == MAX_NOTES)
		return;
	va_start(ap, fmt);
	vsnprintf(notes[nr_notes], sizeof(notes[0]), fmt, ap);
	va_end(ap);
	for (size_t i = 0; i < nr_notes; i++)
		if (strcmp(notes[i], notes[nr_notes]) == 0)
			return;
	nr_notes++;
}

const char *pm_host_note_at(size_t i)
{
	return i < nr_notes ? notes[i] : NULL;
}

void pm_host_set_euid(uid_t euid)
{
	replay_euid = euid;
}

uid_t pm_host_euid(void)
{
	return replay_root ? replay_euid : geteuid();
}

/* The bundle's own name for a path it holds, for notes. */
static const char *bundle_name(const char *path)
{
	size_t len = replay_root ? strlen(replay_root) : 0;

	if (len && strncmp(path, replay_root, len) == 0 && path[len] == '/')
		return path + len + 1;
	return path;
}

struct capped {
	int fd;
	size_t left;
	size_t cap;
	char name[256];
};

static ssize_t capped_read(void *cookie, char *buf, size_t size)
{
	struct capped *c = cookie;
	ssize_t n;

	if (!c->left) {
		char probe;

		/* Exactly the cap is fine; one byte more is what is dropped. */
		if (read(c->fd, &probe, 1) == 1)
			pm_host_note("%s: read stopped at %zu KiB, the most a report's file can hold: the rest is ignored",
				     c->name, c->cap >> 10);
		return 0;
	}
	n = read(c->fd, buf, size < c->left ? size : c->left);
	if (n > 0)
		c->left -= n;
	return n;
}

static int capped_close(void *cookie)
{
	struct capped *c = cookie;

	close(c->fd);
	free(c);
	return 0;
}

FILE *pm_bundle_fopen(const char *path, size_t cap)
{
	cookie_io_functions_t io = { .read = capped_read, .close = capped_close };
	struct capped *c;
	struct stat st;
	FILE *f;
	int fd;

	if (!replay_root)
		return fopen(path, "re");
	/* Never blocks on a fifo, never a terminal. */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		pm_host_note("%s: not a regular file: not read", bundle_name(path));
		close(fd);
		errno = EINVAL;
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		return NULL;
	}
	*c = (struct capped){ .fd = fd, .left = cap, .cap = cap };
	snprintf(c->name, sizeof(c->name), "%s", bundle_name(path));
	f = fopencookie(c, "r", io);
	if (!f)
		capped_close(c);
	return f;
}

int pm_bundle_read_record(const char *dir, const char *dev, char *buf, size_t len)
{
	char path[PATH_MAX];
	size_t got;
	FILE *f;

	buf[0] = '\0';
	if (snprintf(path, sizeof(path), "%s/%s/%s", replay_root, dir, dev) >=
	    (int)sizeof(path))
		return -ENODATA;
	f = pm_bundle_fopen(path, PM_HOST_RECORD_CAP);
	if (!f)
		return -ENODATA;
	got = fread(buf, 1, len - 1, f);
	fclose(f);
	buf[got] = '\0';
	return (int)got;
}

void pm_record_foreach(const char *text,
		       void (*line)(const char *key, const char *value, void *data),
		       void *data)
{
	char one[128], key[64], value[64];

	while (*text) {
		size_t n = strcspn(text, "\n");

		if (n < sizeof(one)) {
			memcpy(one, text, n);
			one[n] = '\0';
			if (sscanf(one, "%63s %63s", key, value) == 2)
				line(key, value, data);
		}
		text += n;
		if (*text)
			text++;
	}
}

void pm_host_replay(const char *bundle_root)
{
	replay_root = bundle_root;
}

const char *pm_host_replay_root(void)
{
	return replay_root;
}

FILE *pm_host_fopen(const char *path)
{
	char replayed[4096];

	if (!replay_root)
		return fopen(path, "re");
	snprintf(replayed, sizeof(replayed), "%s%s", replay_root, path);
	return pm_bundle_fopen(replayed, PM_HOST_PROC_CAP);
}

int pm_host_read_line(const char *path, char *buf, size_t len)
{
	FILE *f = pm_host_fopen(path);

	if (!f)
		return -errno;
	if (!fgets(buf, len, f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* The capped stream ends the loop: growth stops at the cap. */
static int read_whole(FILE *f, char **text)
{
	size_t size = 0, cap = 0;
	char *buf = NULL;

	for (;;) {
		size_t n;

		if (cap - size < 4096) {
			char *bigger = realloc(buf, cap ? cap * 2 : 65536);

			if (!bigger) {
				free(buf);
				return -ENOMEM;
			}
			buf = bigger;
			cap = cap ? cap * 2 : 65536;
		}
		n = fread(buf + size, 1, cap - size - 1, f);
		size += n;
		if (n == 0)
			break;
	}
	buf[size] = '\0';
	*text = buf;
	return 0;
}

int pm_host_kernel_log(char **text)
{
	char *buf;
	int len;

	if (replay_root) {
		char path[4096];
		FILE *f;
		int rc;

		snprintf(path, sizeof(path), "%s/%s", replay_root, PM_REPORT_KERNEL_LOG);
		f = pm_bundle_fopen(path, PM_HOST_KERNEL_LOG_CAP);
		if (!f)
			return -EPERM;
		rc = read_whole(f, text);
		fclose(f);
		return rc;
	}
	len = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);
	if (len <= 0)
		return -EPERM;
	buf = malloc((size_t)len + 1);
	if (!buf)
		return -ENOMEM;
	len = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, len);
	if (len < 0) {
		free(buf);
		return -EPERM;	/* dmesg_restrict */
	}
	buf[len] = '\0';
	*text = buf;
	return 0;
}

static bool has_flag(const char *flags, const char *name)
{
	size_t len = strlen(name);

	for (const char *p = strstr(flags, name); p; p = strstr(p + 1, name))
		if (p[-1] == ' ' && (p[len] == ' ' || p[len] == '\n' || !p[len]))
			return true;
	return false;
}

void pm_host_cpu_flags(struct pm_cpu_flags *flags)
{
	char line[8192];
	FILE *f = pm_host_fopen("/proc/cpuinfo");

	memset(flags, 0, sizeof(*flags));
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *colon;

		if (strncmp(line, "flags", 5) != 0 || !(colon = strchr(line, ':')))
			continue;
		flags->known = true;
		flags->clflush = has_flag(colon, "clflush");
		flags->clflushopt = has_flag(colon, "clflushopt");
		flags->clwb = has_flag(colon, "clwb");
		break;
	}
	fclose(f);
}
