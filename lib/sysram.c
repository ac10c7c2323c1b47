// SPDX-License-Identifier: GPL-2.0-or-later
/* A device-dax device's memory as system RAM (kmem): its memory blocks. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>

#include "sysfs.h"
#include "sysram.h"

#define MEMORY "/sys/devices/system/memory"

const char *pm_zone_name(enum pm_zone zone)
{
	switch (zone) {
	case PM_ZONE_MOVABLE:
		return "movable";
	case PM_ZONE_NORMAL:
		return "normal";
	case PM_ZONE_MIXED:
		return "mixed";
	case PM_ZONE_OTHER:
		return "other";
	default:
		return NULL;
	}
}

/* valid_zones of an online block names its zone ("none": it spans two). */
static enum pm_zone zone_of(const char *name)
{
	if (strcmp(name, "Movable") == 0)
		return PM_ZONE_MOVABLE;
	if (strcmp(name, "Normal") == 0)
		return PM_ZONE_NORMAL;
	return PM_ZONE_OTHER;
}

int pm_memblock_read(struct pm_memblock *b)
{
	char buf[64];
	int rc;

	b->online = false;
	b->zone = PM_ZONE_NONE;
	rc = sysfs_read_string(buf, sizeof(buf), MEMORY "/memory%lu/state", b->id);
	if (rc)
		return rc;
	if (strcmp(buf, "online") != 0)
		return 0;
	b->online = true;
	rc = sysfs_read_string(buf, sizeof(buf), MEMORY "/memory%lu/valid_zones", b->id);
	if (rc)
		return rc;
	b->zone = zone_of(buf);
	return 0;
}

void pm_sysram_summarize(struct pm_sysram *m)
{
	m->nr_online = 0;
	m->zone = PM_ZONE_NONE;
	for (size_t i = 0; i < m->nr_blocks; i++) {
		const struct pm_memblock *b = &m->blocks[i];

		if (!b->online)
			continue;
		if (m->nr_online++ == 0)
			m->zone = b->zone;
		else if (m->zone != b->zone)
			m->zone = PM_ZONE_MIXED;
	}
}

/* block_size_bytes is hexadecimal without a prefix. */
static int block_size(uint64_t *size)
{
	char buf[32], *end;

	int rc = sysfs_read_string(buf, sizeof(buf), MEMORY "/block_size_bytes");

	if (rc)
		return rc;
	*size = strtoull(buf, &end, 16);
	return *size && !*end ? 0 : -EINVAL;
}

int pm_sysram_read(const char *daxdev, struct pm_sysram *m)
{
	uint64_t start, size, first, end;
	char buf[32];
	int rc;

	memset(m, 0, sizeof(*m));
	m->target_node = -1;
	if (sysfs_read_string(buf, sizeof(buf), "/sys/bus/dax/devices/%s/target_node",
			      daxdev) == 0)
		m->target_node = atoi(buf);
	rc = block_size(&m->block_size);
	if (!rc)
		rc = sysfs_read_u64(&start, "/sys/bus/dax/devices/%s/resource", daxdev);
	if (!rc)
		rc = sysfs_read_u64(&size, "/sys/bus/dax/devices/%s/size", daxdev);
	/* Non-root reads a zero resource where the kernel hides addresses. */
	if (!rc && !start)
		rc = -EACCES;
	if (rc)
		return m->err = rc;
	/* kmem adds only the whole blocks inside the device's range. */
	first = (start + m->block_size - 1) / m->block_size;
	end = (start + size) / m->block_size;
	if (end <= first)
		return 0;
	m->blocks = calloc(end - first, sizeof(*m->blocks));
	if (!m->blocks)
		return m->err = -ENOMEM;
	for (uint64_t id = first; id < end; id++) {
		struct pm_memblock *b = &m->blocks[m->nr_blocks];

		b->id = id;
		/* Not bound to kmem (yet): the blocks do not exist. */
		if (pm_memblock_read(b) == 0)
			m->nr_blocks++;
	}
	pm_sysram_summarize(m);
	return 0;
}

void pm_sysram_free(struct pm_sysram *m)
{
	free(m->blocks);
	m->blocks = NULL;
	m->nr_blocks = m->nr_online = 0;
}

int pm_memblock_online(struct pm_memblock *b, enum pm_zone zone)
{
	int rc = sysfs_write_string(zone == PM_ZONE_NORMAL ? "online_kernel" :
				    "online_movable", MEMORY "/memory%lu/state", b->id);
	char buf[64];

	if (rc) {
		pm_memblock_read(b);
		return rc;
	}
	/* The kernel took it online (an online block refuses the write). */
	b->online = true;
	b->zone = PM_ZONE_NONE;
	rc = sysfs_read_string(buf, sizeof(buf), MEMORY "/memory%lu/valid_zones", b->id);
	if (!rc)
		b->zone = zone_of(buf);
	return rc;
}

static void wake(int sig)
{
	(void)sig;
}

int pm_memblock_offline(struct pm_memblock *b, unsigned int timeout)
{
	struct sigaction sa = { .sa_handler = wake }, old;
	char path[128];
	int fd, rc = 0;

	snprintf(path, sizeof(path), MEMORY "/memory%lu/state", b->id);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/*
	 * offline_pages() retries pages it cannot migrate (pinned ones) until
	 * the writer has a signal pending: the alarm is that signal, without
	 * SA_RESTART so that the write returns EINTR.
	 */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, &old);
	alarm(timeout);
	if (write(fd, "offline", 7) < 0)
		rc = errno == EINTR ? -ETIMEDOUT : -errno;
	alarm(0);
	sigaction(SIGALRM, &old, NULL);
	close(fd);
	if (rc) {
		pm_memblock_read(b);
	} else {
		b->online = false;
		b->zone = PM_ZONE_NONE;
	}
	return rc;
}

int pm_auto_online_policy(char *buf, size_t len)
{
	return sysfs_read_string(buf, len, MEMORY "/auto_online_blocks");
}

enum pm_zone pm_auto_online_zone(const char *policy)
{
	if (strcmp(policy, "online_movable") == 0)
		return PM_ZONE_MOVABLE;
	/* "online" lets the kernel pick: its default is a kernel zone. */
	if (strcmp(policy, "online") == 0 || strcmp(policy, "online_kernel") == 0)
		return PM_ZONE_NORMAL;
	return PM_ZONE_NONE;
}
