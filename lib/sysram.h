/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A device-dax device's memory as system RAM (kmem): its memory blocks. */
#ifndef PMEMCTL_SYSRAM_H
#define PMEMCTL_SYSRAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The zone of a memory block, or of a device's online blocks together. */
enum pm_zone {
	PM_ZONE_NONE,			/* offline, or no block online */
	PM_ZONE_MOVABLE,		/* ZONE_MOVABLE: can be offlined again */
	PM_ZONE_NORMAL,			/* ZONE_NORMAL: kernel allocations too */
	PM_ZONE_MIXED,			/* a device's blocks in several zones */
	PM_ZONE_OTHER,			/* DMA32, or "none" (spans zones) */
};

struct pm_memblock {
	unsigned long id;		/* memoryN */
	bool online;
	enum pm_zone zone;		/* read back from valid_zones */
};

/* A device's memory blocks: what kmem added, as sysfs says now. */
struct pm_sysram {
	int target_node;		/* the NUMA node the memory joins; -1 */
	uint64_t block_size;		/* block_size_bytes */
	struct pm_memblock *blocks;	/* ascending ids */
	size_t nr_blocks;
	size_t nr_online;
	enum pm_zone zone;		/* of the online blocks together */
	int err;			/* 0, or why the blocks are unknown */
};

/*
 * Reads the blocks of daxdev (dax0.0) from its resource and size, aligned
 * inwards to memory blocks as kmem adds them. The resource is readable by
 * root only: then m->err is -EACCES and there are no blocks.
 */
int pm_sysram_read(const char *daxdev, struct pm_sysram *m);
void pm_sysram_free(struct pm_sysram *m);
/* Reads one block's state and zone again. */
int pm_memblock_read(struct pm_memblock *b);
/*
 * Onlines a block into zone (movable or normal) and reads back the zone
 * the kernel used; or offlines it, giving up after timeout seconds
 * (offline_pages retries pinned pages until a signal): -EBUSY then.
 */
int pm_memblock_online(struct pm_memblock *b, enum pm_zone zone);
int pm_memblock_offline(struct pm_memblock *b, unsigned int timeout);
/* The zone over a device's online blocks, and how many are online. */
void pm_sysram_summarize(struct pm_sysram *m);
/* auto_online_blocks: offline, online, online_kernel, online_movable. */
int pm_auto_online_policy(char *buf, size_t len);
/* The zone the policy puts new blocks in: NONE (offline), NORMAL, MOVABLE. */
enum pm_zone pm_auto_online_zone(const char *policy);
/*
 * The steps of a conversion to and from system RAM (convert-sysram.c):
 * each returns 0 or -errno with what it did, or why not, in detail, and
 * records in k what the rollback must undo.
 */
struct pm_kmem_undo {
	char dev[32];			/* dax0.0 */
	struct pm_sysram before;	/* the blocks as the change found them */
	bool have_before;
	/*
	 * The blocks as this change last read or set them (each step reads
	 * back what it wrote), so that the next step does not read every
	 * block again; dropped when a rollback changes blocks.
	 */
	struct pm_sysram now;
	bool have_now;
	bool bound;			/* this change bound kmem */
	bool unbound;			/* this change took kmem off */
	bool blocks_changed;		/* this change onlined or offlined blocks */
};

int pm_kmem_bind(struct pm_kmem_undo *k, char *detail, size_t len);
int pm_kmem_unbind(struct pm_kmem_undo *k, char *detail, size_t len);
int pm_kmem_online(struct pm_kmem_undo *k, enum pm_zone zone, char *detail,
		   size_t len);
int pm_kmem_offline(struct pm_kmem_undo *k, char *detail, size_t len);
/* The device bound to kmem with its blocks as asked: zone and node read back. */
int pm_kmem_verify(struct pm_kmem_undo *k, bool online, enum pm_zone zone,
		   int *zone_now, int *node, char *detail, size_t len);
/* Undoing: what bind did; the blocks as before; kmem back with its blocks. */
int pm_kmem_undo_bind(struct pm_kmem_undo *k);
int pm_kmem_undo_blocks(struct pm_kmem_undo *k);
int pm_kmem_undo_unbind(struct pm_kmem_undo *k);
/* Frees what k holds. */
void pm_kmem_undo_free(struct pm_kmem_undo *k);
/* Whether the dax device is bound to kmem now. */
bool pm_kmem_bound(const char *dev);

/* movable, normal, mixed, other; NULL for none. */
const char *pm_zone_name(enum pm_zone zone);

#endif
