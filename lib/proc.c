// SPDX-License-Identifier: GPL-2.0-or-later
/* The one reader of /proc: mounts, and processes holding a device. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "compat.h"
#include "host.h"
#include "proc.h"

int pm_mounts_open(struct pm_mounts *it)
{
	memset(it, 0, sizeof(*it));
	it->f = pm_host_fopen("/proc/self/mountinfo");
	return it->f ? 0 : -errno;
}

void pm_mounts_close(struct pm_mounts *it)
{
	if (it->f)
		fclose(it->f);
	it->f = NULL;
}

/* The next space-separated field, with the kernel's \ooo escapes decoded. */
static bool take_field(char **cursor, char *out, size_t len)
{
	char *p = *cursor;
	size_t n = 0;

	while (*p == ' ')
		p++;
	if (!*p || *p == '\n')
		return false;
	while (*p && *p != ' ' && *p != '\n') {
		char c = *p++;

		if (c == '\\' && p[0] >= '0' && p[0] <= '3' &&
		    p[1] >= '0' && p[1] <= '7' && p[2] >= '0' && p[2] <= '7') {
			c = (char)((p[0] - '0') << 6 | (p[1] - '0') << 3 | (p[2] - '0'));
			p += 3;
		}
		if (n + 1 < len)
			out[n++] = c;
	}
	out[n] = '\0';
	*cursor = p;
	return true;
}

bool pm_mountinfo_parse(const char *line, struct pm_mount *m)
{
	char field[64];
	unsigned int maj, min;
	char *p = (char *)line;

	memset(m, 0, sizeof(*m));
	/* mount id, parent id */
	if (!take_field(&p, field, sizeof(field)) || !take_field(&p, field, sizeof(field)))
		return false;
	if (!take_field(&p, field, sizeof(field)) || sscanf(field, "%u:%u", &maj, &min) != 2)
		return false;
	m->dev = makedev(maj, min);
	if (!take_field(&p, m->root, sizeof(m->root)) ||
	    !take_field(&p, m->point, sizeof(m->point)) ||
	    !take_field(&p, m->options, sizeof(m->options)))
		return false;
	/* Optional fields (shared:N, master:N) run up to a lone "-". */
	do {
		if (!take_field(&p, field, sizeof(field)))
			return false;
	} while (strcmp(field, "-") != 0);
	if (!take_field(&p, m->fstype, sizeof(m->fstype)))
		return false;
	take_field(&p, m->source, sizeof(m->source));
	take_field(&p, m->super_options, sizeof(m->super_options));
	return true;
}

const struct pm_mount *pm_mounts_next(struct pm_mounts *it)
{
	while (it->f && fgets(it->line, sizeof(it->line), it->f))
		if (pm_mountinfo_parse(it->line, &it->mount))
			return &it->mount;
	return NULL;
}

bool pm_mount_of_dev(dev_t dev, struct pm_mount *out)
{
	const struct pm_mount *m;
	struct pm_mounts it;
	bool found = false;

	if (pm_mounts_open(&it) < 0)
		return false;
	while (!found && (m = pm_mounts_next(&it)))
		if (m->dev == dev) {
			*out = *m;
			found = true;
		}
	pm_mounts_close(&it);
	return found;
}

static bool path_under(const char *path, const char *point)
{
	size_t len = strlen(point);

	if (strcmp(point, "/") == 0)
		return true;
	return strncmp(path, point, len) == 0 &&
	       (path[len] == '\0' || path[len] == '/');
}

bool pm_mount_of_path(const char *path, dev_t dev, struct pm_mount *out)
{
	char real[PATH_MAX];
	const struct pm_mount *m;
	struct pm_mounts it;
	size_t best = 0;
	bool found = false;

	if (!realpath(path, real) || pm_mounts_open(&it) < 0)
		return false;
	while ((m = pm_mounts_next(&it))) {
		size_t len = strlen(m->point);

		if (m->dev != dev || !path_under(real, m->point) ||
		    (found && len < best))
			continue;
		best = len;
		*out = *m;
		found = true;
	}
	pm_mounts_close(&it);
	return found;
}

/* ------------------------------------------------------------- holders */

struct node_id {
	const char *path;
	mode_t type;			/* S_IFBLK or S_IFCHR */
	dev_t rdev;			/* the device */
	dev_t dev;			/* the node's own inode, for maps */
	ino_t ino;
};

static void read_comm(const char *pid, char *buf, size_t len)
{
	char path[64];
	FILE *f;

	snprintf(buf, len, "?");
	snprintf(path, sizeof(path), "/proc/%.40s/comm", pid);
	f = fopen(path, "re");
	if (!f)
		return;
	if (fgets(buf, (int)len, f))
		buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

/*
 * The scan visits every process: each is read with plain system calls
 * relative to /proc and to its fd directory (no opendir() fstat, no stdio
 * buffer, no walk from / for every descriptor), and what it reads is the
 * same as before: every descriptor, then every mapping.
 */
static const struct node_id *open_node(int proc, const char *pid,
				       const struct node_id *ids, size_t n)
{
	const struct node_id *match = NULL;
	char buf[8192], path[64];
	long got;
	int fds;

	snprintf(path, sizeof(path), "%.40s/fd", pid);
	fds = openat(proc, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fds < 0)
		return NULL;
	while (!match && (got = syscall(SYS_getdents64, fds, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < got && !match;) {
			const struct linux_dirent64 {
				uint64_t d_ino;
				int64_t d_off;
				unsigned short d_reclen;
				unsigned char d_type;
				char d_name[];
			} *de = (const void *)(buf + off);
			struct stat st;

			off += de->d_reclen;
			if (de->d_name[0] == '.' ||
			    fstatat(fds, de->d_name, &st, 0) < 0 ||
			    !(S_ISBLK(st.st_mode) || S_ISCHR(st.st_mode)))
				continue;
			for (size_t i = 0; i < n && !match; i++)
				if ((st.st_mode & S_IFMT) == ids[i].type &&
				    st.st_rdev == ids[i].rdev)
					match = &ids[i];
		}
	}
	close(fds);
	return match;
}

static const struct node_id *mapped_line(char *line, const struct node_id *ids,
					 size_t n)
{
	unsigned long long ino;
	unsigned int maj, min;
	char *name = strchr(line, '/');
	bool have_id;

	have_id = sscanf(line, "%*s %*s %*s %x:%x %llu", &maj, &min, &ino) == 3;
	for (size_t i = 0; i < n; i++)
		if ((name && strcmp(name, ids[i].path) == 0) ||
		    (have_id && ino && ino == ids[i].ino &&
		     makedev(maj, min) == ids[i].dev))
			return &ids[i];
	return NULL;
}

static const struct node_id *mapped_node(int proc, const char *pid,
					 const struct node_id *ids, size_t n)
{
	const struct node_id *match = NULL;
	char buf[PATH_MAX + 32768], path[64];
	size_t have = 0;
	ssize_t got;
	int maps;

	snprintf(path, sizeof(path), "%.40s/maps", pid);
	maps = openat(proc, path, O_RDONLY | O_CLOEXEC);
	if (maps < 0)
		return NULL;
	/* Whole lines from a large buffer; a line never exceeds PATH_MAX + 256. */
	while (!match && (got = read(maps, buf + have, sizeof(buf) - 1 - have)) > 0) {
		char *line = buf, *nl;

		have += (size_t)got;
		buf[have] = '\0';
		while (!match && (nl = memchr(line, '\n', have - (size_t)(line - buf)))) {
			*nl = '\0';
			match = mapped_line(line, ids, n);
			line = nl + 1;
		}
		have -= (size_t)(line - buf);
		memmove(buf, line, have);
		if (have == sizeof(buf) - 1)	/* no newline: not a maps line */
			have = 0;
	}
	if (!match && have) {
		buf[have] = '\0';
		match = mapped_line(buf, ids, n);
	}
	close(maps);
	return match;
}

/*
 * Kernel threads (most of the processes of a small machine) and zombies
 * hold nothing: no memory of their own and no descriptors (a kernel
 * thread shares the empty table of init_task; a process drops its
 * descriptors before it becomes a zombie). Their exe link alone says so,
 * ENOENT, in one call where the descriptors and mappings take seven.
 * Any other answer (EACCES for another user's process) scans as before.
 */
static bool has_memory(int proc, const char *pid)
{
	char path[64], target[8];

	snprintf(path, sizeof(path), "%.40s/exe", pid);
	return readlinkat(proc, path, target, sizeof(target)) >= 0 || errno != ENOENT;
}

int pm_find_holder(const char *const *nodes, size_t nr_nodes,
		   struct pm_holder *h)
{
	struct node_id *ids;
	struct dirent *de;
	char self[32];
	size_t n = 0;
	int found = 0;
	DIR *proc;

	ids = calloc(nr_nodes ? nr_nodes : 1, sizeof(*ids));
	if (!ids)
		return -ENOMEM;
	for (size_t i = 0; i < nr_nodes; i++) {
		struct stat st;

		if (stat(nodes[i], &st) < 0 ||
		    !(S_ISBLK(st.st_mode) || S_ISCHR(st.st_mode)))
			continue;
		ids[n++] = (struct node_id){ nodes[i], st.st_mode & S_IFMT,
					     st.st_rdev, st.st_dev, st.st_ino };
	}
	proc = n ? opendir("/proc") : NULL;
	snprintf(self, sizeof(self), "%d", (int)getpid());
	while (proc && !found && (de = readdir(proc))) {
		const struct node_id *match;
		bool mapped = false;

		if (!isdigit((unsigned char)de->d_name[0]) ||
		    strcmp(de->d_name, self) == 0 ||
		    !has_memory(dirfd(proc), de->d_name))
			continue;
		match = open_node(dirfd(proc), de->d_name, ids, n);
		if (!match) {
			match = mapped_node(dirfd(proc), de->d_name, ids, n);
			mapped = match != NULL;
		}
		if (!match)
			continue;
		memset(h, 0, sizeof(*h));
		h->pid = atoi(de->d_name);
		h->mapped = mapped;
		snprintf(h->node, sizeof(h->node), "%s", match->path);
		read_comm(de->d_name, h->comm, sizeof(h->comm));
		found = 1;
	}
	if (proc)
		closedir(proc);
	free(ids);
	return found;
}
