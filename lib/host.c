// SPDX-License-Identifier: GPL-2.0-or-later
/* Facts from outside sysfs: live, or from a replayed support bundle. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>

#include "host.h"

static const char *replay_root;

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
	return fopen(replayed, "re");
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
		f = fopen(path, "re");
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
