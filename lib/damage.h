/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What a namespace's media errors hit: files (FIEMAP), device bytes, sectors. */
#ifndef PMEMCTL_DAMAGE_H
#define PMEMCTL_DAMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pm_namespace;

/* A file's bytes that a media error hit. */
struct pm_damaged_file {
	char *path;			/* absolute */
	uint64_t offset, length;	/* bytes inside the file, clipped to its size */
	size_t range;			/* the bad range that hits them: ranges[range] */
	bool unwritten;			/* a preallocated extent: no data there yet */
};

/* One bad range, in bytes from the device's start (merged, sorted). */
struct pm_damage_range {
	uint64_t offset, length;
	/*
	 * Of those, the bytes in no mapped file's data: free space,
	 * filesystem metadata, space past a file's end, or outside any
	 * filesystem. Exact only when the walk was complete.
	 */
	uint64_t unowned;
};

struct pm_damage {
	struct pm_damaged_file *files;	/* by range, then path, then offset */
	size_t nr;
	struct pm_damage_range *ranges;
	size_t nr_ranges;
	/*
	 * The device the ranges count from: the block device (pmem0: from its
	 * sector 0, after an fsdax info block) or the dax device (dax0.0).
	 */
	const char *device;
	bool chardev;			/* device is a dax device */
	uint64_t uncounted;		/* bad bytes only counted, not listed (BTT) */
	char *mount;			/* the (first) mount over the ranges, or NULL */
	bool walked;			/* files were mapped */
	/*
	 * Every file of every filesystem over the bad ranges was mapped, so
	 * what is in none is in none (false for a path, a subtree mount, a
	 * replayed bundle, files that could not be opened, unknown extents).
	 */
	bool complete;
	size_t nr_walked;		/* regular files mapped */
	size_t nr_extents;		/* extents FIEMAP returned */
	size_t nr_unreadable;		/* files that could not be opened or mapped */
	int walk_error;			/* the first such -errno, or 0 */
	size_t nr_skipped;		/* entries that changed while walked, or too deep */
	/*
	 * The walk's deadline passed (a mount that stalls, a huge tree): it
	 * stopped in this directory (malloc'ed), the rest not mapped.
	 */
	char *stopped;
};

/*
 * The media errors of ns, and for a block device with mounted filesystems
 * (the whole disk or its partitions) the files they hit: every regular
 * file of those filesystems is mapped with FIEMAP. 0 or -errno; out is
 * filled (and must be freed) when 0 is returned.
 */
int pm_namespace_damage(const struct pm_namespace *ns, struct pm_damage *out);
/*
 * The same, mapping only path (a file, or every file under a directory,
 * on that filesystem): complete is false. -EXDEV: path is not on ns's
 * block device or one of its partitions (device-mapper).
 */
int pm_path_damage(const struct pm_namespace *ns, const char *path,
		   struct pm_damage *out);
void pm_damage_free(struct pm_damage *d);
/*
 * The reverse, for inject-error --file: where byte offset of the regular
 * file path lies on ns's block device (bytes from its sector 0, a
 * partition's start added), through FIEMAP. -EXDEV: not on that device;
 * -EINVAL: offset past the file's end; -ENODATA: no media under that byte
 * (a hole, delayed allocation, an unknown, inline or encoded extent).
 * *unwritten: a preallocated extent (reads there do not touch the media).
 */
int pm_file_byte_on_device(const struct pm_namespace *ns, const char *path,
			   uint64_t offset, uint64_t *device_offset,
			   bool *unwritten);

/* The pure part: extents against bad ranges (tests/unit/test-damage.c). */

/* An extent as FIEMAP gives it (struct fiemap_extent), bytes. */
struct pm_extent {
	uint64_t logical, physical, length;
	uint32_t flags;			/* FIEMAP_EXTENT_* */
};

/* Where an extent meets a bad range. */
struct pm_hit {
	size_t range;			/* index of the bad range */
	uint64_t offset, length;	/* in the file */
	uint64_t physical;		/* where those bytes are on the device */
	uint64_t physical_length;	/* differs from length when encoded */
	bool unwritten;
};

struct pm_hits {
	struct pm_hit *v;
	size_t nr, alloc;
	size_t unknown;			/* extents whose place is unknown (not delalloc) */
};

/* Sorts ranges by offset and merges those that overlap or touch; the new count. */
size_t pm_damage_ranges_normalize(struct pm_damage_range *r, size_t nr);
/*
 * Appends where one file's extents (any order) meet the bad ranges
 * (normalized), clipped to file_size; the device bytes past it are not a
 * hit. Delalloc and unknown extents are not on the media yet (or not
 * knowably): skipped, and the unknown counted. An encoded extent loses its
 * whole logical range to any hit. 0 or -ENOMEM.
 */
int pm_damage_match(const struct pm_damage_range *bad, size_t nr_bad,
		    const struct pm_extent *ext, size_t nr_ext,
		    uint64_t file_size, struct pm_hits *hits);
/*
 * The extent (any order) that holds the file's byte logical: its index,
 * with *physical set, or -ENODATA when none does or the byte's place is
 * not known (delalloc, unknown, inline, encoded, not aligned).
 */
int pm_extent_lookup(const struct pm_extent *ext, size_t nr_ext,
		     uint64_t logical, uint64_t *physical);
/* Sorts one file's hits by range and offset, merges touching ones; the new count. */
size_t pm_damage_merge(struct pm_hit *v, size_t nr);
/*
 * Sets each bad range's unowned bytes: those that no covered range (the
 * device bytes of every hit) covers. Normalizes covered; returns its new count.
 */
size_t pm_damage_unowned(struct pm_damage_range *bad, size_t nr_bad,
			 struct pm_damage_range *covered, size_t nr_covered);

#endif
