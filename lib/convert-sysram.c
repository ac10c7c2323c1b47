// SPDX-License-Identifier: GPL-2.0-or-later
/* The steps of a conversion to and from system RAM, and undoing them. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <daxctl/libdaxctl.h>

#include "sysram.h"

/* Seconds one block may take to offline before it is called busy. */
#define OFFLINE_TIMEOUT 20

static void quiet(struct daxctl_ctx *ctx, int priority, const char *file,
		  int line, const char *fn, const char *format, va_list args)
{
	(void)ctx, (void)priority, (void)file, (void)line, (void)fn;
	(void)format, (void)args;
}

/*
 * The device in a context of its own, read now: the namespace under it
 * may have been disabled and enabled since any earlier context read it.
 */
static struct daxctl_dev *open_dev(const char *name, struct daxctl_ctx **ctx)
{
	struct daxctl_region *region;
	struct daxctl_dev *dev;

	if (daxctl_new(ctx) < 0)
		return NULL;
	daxctl_set_log_fn(*ctx, quiet);
	daxctl_region_foreach(*ctx, region)
		daxctl_dev_foreach(region, dev)
			if (strcmp(daxctl_dev_get_devname(dev), name) == 0)
				return dev;
	daxctl_unref(*ctx);
	*ctx = NULL;
	return NULL;
}

bool pm_kmem_bound(const char *dev)
{
	char path[PATH_MAX], link[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/dax/devices/%s/driver", dev);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return false;
	link[n] = '\0';
	return strcmp(strrchr(link, '/') ? strrchr(link, '/') + 1 : link, "kmem") == 0;
}

/* Rebinds the device: kmem (ram) or device_dax. */
static int rebind(const char *name, bool ram)
{
	struct daxctl_ctx *ctx;
	struct daxctl_dev *dev = open_dev(name, &ctx);
	int rc;

	if (!dev)
		return -ENODEV;
	rc = daxctl_dev_disable(dev);
	if (!rc)
		rc = ram ? daxctl_dev_enable_ram(dev) : daxctl_dev_enable_devdax(dev);
	daxctl_unref(ctx);
	if (!rc && pm_kmem_bound(name) != ram)
		rc = -EIO;
	return rc;
}

/* The blocks as the last step left them, read only if no step did. */
static int current_blocks(struct pm_kmem_undo *k)
{
	int rc;

	if (k->have_now)
		return 0;
	rc = pm_sysram_read(k->dev, &k->now);
	k->have_now = rc == 0;
	return rc;
}

static void forget_blocks(struct pm_kmem_undo *k)
{
	pm_sysram_free(&k->now);
	k->have_now = false;
}

static void snapshot(struct pm_kmem_undo *k)
{
	struct pm_sysram *m = &k->before;

	if (k->have_before || current_blocks(k))
		return;
	*m = k->now;
	m->blocks = malloc(m->nr_blocks * sizeof(*m->blocks) + 1);
	if (m->blocks)
		memcpy(m->blocks, k->now.blocks, m->nr_blocks * sizeof(*m->blocks));
	else
		m->nr_blocks = 0;
	k->have_before = m->blocks != NULL;
}

void pm_kmem_undo_free(struct pm_kmem_undo *k)
{
	pm_sysram_free(&k->before);
	k->have_before = false;
	forget_blocks(k);
}

int pm_kmem_bind(struct pm_kmem_undo *k, char *detail, size_t len)
{
	struct pm_sysram *m = &k->now;
	int rc;

	forget_blocks(k);
	rc = rebind(k->dev, true);
	/* Even a failed bind may have added memory: the rollback checks. */
	k->bound = true;
	if (rc)
		return rc;
	rc = current_blocks(k);
	if (rc)
		return rc;
	snprintf(detail, len, "%s bound to kmem: %zu memory blocks of %llu MiB on node %d, %zu online%s%s%s",
		 k->dev, m->nr_blocks, (unsigned long long)(m->block_size >> 20),
		 m->target_node, m->nr_online, m->nr_online ? " (" : "",
		 m->nr_online ? pm_zone_name(m->zone) : "",
		 m->nr_online ? ", by auto_online_blocks)" : "");
	return m->nr_blocks ? 0 : -ENXIO;
}

int pm_kmem_unbind(struct pm_kmem_undo *k, char *detail, size_t len)
{
	int rc;

	/*
	 * kmem cannot remove memory that is online: unbinding then leaves it
	 * in the kernel until the next boot. Never unbind with a block online.
	 * The offline step has just read each block back.
	 */
	rc = current_blocks(k);
	if (rc)
		return rc;
	if (k->now.nr_online) {
		snprintf(detail, len, "%zu memory blocks of %s are still online: kmem is left bound",
			 k->now.nr_online, k->dev);
		return -EBUSY;
	}
	forget_blocks(k);
	rc = rebind(k->dev, false);
	k->unbound = true;
	if (!rc)
		snprintf(detail, len, "%s handed back to device_dax", k->dev);
	return rc;
}

/* The names of blocks, "memory40 (normal), memory41 (movable)". */
static size_t name_block(char *buf, size_t len, size_t used,
			 const struct pm_memblock *b, const char *what)
{
	return used + snprintf(buf + used, used < len ? len - used : 0, "%smemory%lu%s%s%s",
			       used ? ", " : "", b->id, what ? " (" : "",
			       what ? what : "", what ? ")" : "");
}

int pm_kmem_online(struct pm_kmem_undo *k, enum pm_zone zone, char *detail,
		   size_t len)
{
	size_t moved = 0;
	enum pm_zone moved_from = PM_ZONE_NONE;
	struct pm_sysram *m = &k->now;
	int rc;

	snapshot(k);
	rc = current_blocks(k);
	if (rc)
		return rc;
	for (size_t i = 0; i < m->nr_blocks && !rc; i++) {
		struct pm_memblock *b = &m->blocks[i];

		if (b->online && b->zone == zone)
			continue;
		k->blocks_changed = true;
		if (b->online) {
			/* Onlined elsewhere (auto_online_blocks): move it. */
			moved_from = b->zone;
			rc = pm_memblock_offline(b, OFFLINE_TIMEOUT);
			if (rc) {
				snprintf(detail, len, "memory%lu is online %s and cannot be offlined to move it (%s)",
					 b->id, pm_zone_name(b->zone), strerror(-rc));
				break;
			}
			moved++;
		}
		rc = pm_memblock_online(b, zone);
		if (rc)
			snprintf(detail, len, "memory%lu cannot be onlined %s: %s",
				 b->id, pm_zone_name(zone), strerror(-rc));
		else if (!b->online || b->zone != zone) {
			/* Never report a zone the kernel did not use. */
			snprintf(detail, len, "memory%lu: the kernel onlined it %s, not %s",
				 b->id, b->online ? pm_zone_name(b->zone) : "nowhere",
				 pm_zone_name(zone));
			rc = -EIO;
		}
	}
	pm_sysram_summarize(m);
	if (!rc) {
		size_t n = snprintf(detail, len, "%zu memory blocks online %s on node %d",
				    m->nr_blocks, pm_zone_name(zone), m->target_node);

		if (moved && n < len)
			snprintf(detail + n, len - n, "; %zu of them the kernel had onlined %s (auto_online_blocks) were moved",
				 moved, pm_zone_name(moved_from));
	}
	return rc;
}

/* What the kernel's refusal means for a block, in a few words. */
static const char *why_busy(int rc)
{
	switch (-rc) {
	case EBUSY:
		return "EBUSY: unmovable pages in it, kernel allocations";
	case ETIMEDOUT:
		return "pages it could not migrate in 20 s, pinned";
	case ENOMEM:
		return "ENOMEM: no free memory elsewhere to move its pages to";
	default:
		return strerror(-rc);
	}
}

int pm_kmem_offline(struct pm_kmem_undo *k, char *detail, size_t len)
{
	size_t used = 0, offlined = 0, failed = 0;
	struct pm_sysram *m = &k->now;
	int rc, first_rc = 0;
	char names[160] = "";

	snapshot(k);
	rc = current_blocks(k);
	if (rc)
		return rc;
	/* Every block is tried: the refusal names all that cannot go. */
	for (size_t i = m->nr_blocks; i-- > 0;) {
		struct pm_memblock *b = &m->blocks[i];

		if (!b->online)
			continue;
		k->blocks_changed = true;
		rc = pm_memblock_offline(b, OFFLINE_TIMEOUT);
		if (rc) {
			used = name_block(names, sizeof(names), used, b, why_busy(rc));
			failed++;
			if (!first_rc)
				first_rc = rc;
		} else {
			offlined++;
		}
	}
	pm_sysram_summarize(m);
	if (!failed) {
		snprintf(detail, len, "%zu memory blocks offline", offlined);
		return 0;
	}
	/* Nothing half offline: the blocks offlined go back as they were. */
	rc = pm_kmem_undo_blocks(k);
	snprintf(detail, len, "%s cannot be offlined; %s", names,
		 rc ? "NOT every block could be put back online" :
		 offlined ? "the blocks offlined are back online in their zone" :
		 "no block was offlined");
	return first_rc == -ETIMEDOUT ? -EBUSY : first_rc;
}

int pm_kmem_verify(struct pm_kmem_undo *k, bool online, enum pm_zone zone,
		   int *zone_now, int *node, char *detail, size_t len)
{
	const struct pm_sysram *m = &k->now;
	int rc;

	if (!pm_kmem_bound(k->dev)) {
		snprintf(detail, len, "%s is not bound to kmem", k->dev);
		return -EIO;
	}
	/* Each block as the kernel answered the write that moved it. */
	rc = current_blocks(k);
	if (rc)
		return rc;
	*zone_now = m->zone;
	*node = m->target_node;
	if (online && (m->nr_online != m->nr_blocks || m->zone != zone)) {
		snprintf(detail, len, "%zu of %zu memory blocks online, %s, not all %s",
			 m->nr_online, m->nr_blocks,
			 m->nr_online ? pm_zone_name(m->zone) : "none", pm_zone_name(zone));
		rc = -EIO;
	} else if (!online && m->nr_online) {
		snprintf(detail, len, "%zu memory blocks online, not none", m->nr_online);
		rc = -EIO;
	} else {
		snprintf(detail, len, "%s: %zu memory blocks %s%s on node %d", k->dev,
			 m->nr_blocks, online ? "online " : "offline",
			 online ? pm_zone_name(m->zone) : "", m->target_node);
	}
	return rc;
}

int pm_kmem_undo_blocks(struct pm_kmem_undo *k)
{
	int rc = 0;

	forget_blocks(k);
	if (!k->have_before)
		return 0;
	/* Offline first what must go, then online in the zone each had. */
	for (size_t i = 0; i < k->before.nr_blocks; i++) {
		struct pm_memblock now = { .id = k->before.blocks[i].id };
		const struct pm_memblock *was = &k->before.blocks[i];

		if (pm_memblock_read(&now))
			continue;
		if (now.online && (!was->online || now.zone != was->zone))
			rc |= pm_memblock_offline(&now, OFFLINE_TIMEOUT);
	}
	for (size_t i = 0; i < k->before.nr_blocks; i++) {
		struct pm_memblock now = { .id = k->before.blocks[i].id };
		const struct pm_memblock *was = &k->before.blocks[i];

		if (pm_memblock_read(&now) == 0 && was->online && !now.online)
			rc |= pm_memblock_online(&now, was->zone);
	}
	return rc ? -EIO : 0;
}

int pm_kmem_undo_bind(struct pm_kmem_undo *k)
{
	struct pm_sysram m;
	int rc = 0;

	forget_blocks(k);
	if (!pm_kmem_bound(k->dev))
		return 0;
	if (pm_sysram_read(k->dev, &m) == 0) {
		for (size_t i = m.nr_blocks; i-- > 0;)
			if (m.blocks[i].online)
				rc |= pm_memblock_offline(&m.blocks[i], OFFLINE_TIMEOUT);
		pm_sysram_free(&m);
	}
	if (rc)
		return -EBUSY;
	return rebind(k->dev, false);
}

int pm_kmem_undo_unbind(struct pm_kmem_undo *k)
{
	int rc;

	forget_blocks(k);
	rc = pm_kmem_bound(k->dev) ? 0 : rebind(k->dev, true);
	if (!rc)
		rc = pm_kmem_undo_blocks(k);
	return rc;
}
