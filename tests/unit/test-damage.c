// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests: which file bytes a bad range hits, from extents (the pure part of lib/damage.c). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/fiemap.h>

#include "tap.h"
#include "lib/damage.h"

#define K 1024ULL
#define R(off, len) { (off), (len), 0 }

/* One file's hits, merged, as "range:offset+length[u]" joined by spaces. */
static const char *hits_of(const struct pm_damage_range *bad, size_t nr_bad,
			   const struct pm_extent *ext, size_t nr_ext,
			   uint64_t size)
{
	static char buf[512];
	struct pm_hits hits = { 0 };
	size_t n, len = 0;

	buf[0] = 0;
	if (pm_damage_match(bad, nr_bad, ext, nr_ext, size, &hits))
		return "ENOMEM";
	n = pm_damage_merge(hits.v, hits.nr);
	for (size_t i = 0; i < n && len < sizeof(buf); i++)
		len += snprintf(buf + len, sizeof(buf) - len, "%s%zu:%llu+%llu%s",
				i ? " " : "", hits.v[i].range,
				(unsigned long long)hits.v[i].offset,
				(unsigned long long)hits.v[i].length,
				hits.v[i].unwritten ? "u" : "");
	if (hits.unknown && len < sizeof(buf))
		snprintf(buf + len, sizeof(buf) - len, "%sunknown=%zu", len ? " " : "",
			 hits.unknown);
	free(hits.v);
	return buf;
}

#define IS(got, want, name) do {					\
		const char *g_ = (got);					\
		ok(strcmp(g_, (want)) == 0, "%s: '%s' (want '%s')",	\
		   (name), g_, (want));					\
	} while (0)

static void test_match(void)
{
	/* A 1 MiB file in two extents: logical 0 at 4 MiB, 512K at 8 MiB. */
	const struct pm_extent two[] = {
		{ 512 * K, 8192 * K, 512 * K, FIEMAP_EXTENT_LAST },
		{ 0, 4096 * K, 512 * K, 0 },
	};
	const struct pm_damage_range inside[] = { R(4096 * K + 4096, 512) };
	const struct pm_damage_range second[] = { R(8192 * K, 1024) };
	const struct pm_damage_range both[] = {
		R(4096 * K + 1536, 1024), R(8192 * K + 8192, 4096),
	};
	const struct pm_damage_range across[] = { R(4096 * K + 512 * K - 512, 2048) };
	const struct pm_damage_range elsewhere[] = { R(0, 4096), R(12 * 1024 * K, 512) };
	const struct pm_damage_range many[] = {
		R(0, 512), R(4096 * K, 512), R(4096 * K + 1024, 512), R(8600 * K, 512),
	};

	IS(hits_of(inside, 1, two, 2, 1024 * K), "0:4096+512", "a sector inside the first extent");
	IS(hits_of(second, 1, two, 2, 1024 * K), "0:524288+1024",
	   "the second extent's first sectors: file offset 512K");
	IS(hits_of(both, 2, two, 2, 1024 * K), "0:1536+1024 1:532480+4096",
	   "two ranges, one in each extent");
	IS(hits_of(across, 1, two, 2, 1024 * K), "0:523776+512",
	   "a range running past an extent's end: only the part in the extent");
	IS(hits_of(elsewhere, 2, two, 2, 1024 * K), "", "ranges in no extent: no hit");
	IS(hits_of(many, 4, two, 2, 1024 * K), "1:0+512 2:1024+512 3:942080+512",
	   "the first range before the file, three inside (binary search)");

	/* Clipped to the file's size: a 5000-byte file in one 8 KiB extent. */
	const struct pm_extent tail[] = { { 0, 64 * K, 8192, FIEMAP_EXTENT_LAST } };
	const struct pm_damage_range at_end[] = { R(64 * K + 4096, 4096) };
	const struct pm_damage_range past[] = { R(64 * K + 5120, 2048) };

	IS(hits_of(at_end, 1, tail, 1, 5000), "0:4096+904", "clipped to the file's size");
	IS(hits_of(past, 1, tail, 1, 5000), "", "past the end of the file: no data lost");

	/* Neighbouring extents, physically apart, logically touching: one range. */
	const struct pm_extent split[] = {
		{ 0, 100 * K, 4096, 0 }, { 4096, 200 * K, 4096, FIEMAP_EXTENT_LAST },
	};
	const struct pm_damage_range both_ends[] = {
		R(100 * K + 3584, 512), R(200 * K, 512),
	};
	const struct pm_damage_range one_range[] = { R(100 * K + 3584, 100 * K + 1024) };

	IS(hits_of(both_ends, 2, split, 2, 8192), "0:3584+512 1:4096+512",
	   "two ranges: two entries though the bytes touch");
	IS(hits_of(one_range, 1, split, 2, 8192), "0:3584+4608",
	   "one range over both extents: merged");

	/* Flags. */
	const struct pm_extent delalloc[] = {
		{ 0, 0, 4096, FIEMAP_EXTENT_DELALLOC | FIEMAP_EXTENT_UNKNOWN },
		{ 4096, 0, 4096, FIEMAP_EXTENT_UNKNOWN | FIEMAP_EXTENT_LAST },
	};
	const struct pm_damage_range zero[] = { R(0, 8192) };
	const struct pm_extent unwritten[] = {
		{ 0, 64 * K, 64 * K, FIEMAP_EXTENT_UNWRITTEN | FIEMAP_EXTENT_LAST },
	};
	const struct pm_extent encoded[] = {
		{ 0, 64 * K, 16 * K, FIEMAP_EXTENT_ENCODED },
		{ 16 * K, 80 * K, 16 * K, FIEMAP_EXTENT_LAST },
	};
	const struct pm_damage_range enc_hit[] = { R(64 * K + 8192, 512) };
	const struct pm_extent inline_data[] = {
		{ 0, 1000 * K + 256, 60, FIEMAP_EXTENT_DATA_INLINE | FIEMAP_EXTENT_NOT_ALIGNED |
		  FIEMAP_EXTENT_LAST },
	};
	const struct pm_damage_range inode_table[] = { R(1000 * K, 512) };

	IS(hits_of(zero, 1, delalloc, 2, 8192), "unknown=1",
	   "delalloc and unknown extents: no hit, the unknown one counted");
	IS(hits_of(inside, 1, unwritten, 1, 64 * K), "",
	   "an unwritten extent elsewhere: nothing");
	IS(hits_of((const struct pm_damage_range[]){ R(64 * K, 512) }, 1, unwritten, 1, 64 * K),
	   "0:0+512u", "an unwritten extent: marked");
	IS(hits_of(enc_hit, 1, encoded, 2, 32 * K), "0:0+16384",
	   "an encoded extent: the whole logical extent is lost");
	IS(hits_of(inode_table, 1, inline_data, 1, 60), "0:0+60",
	   "inline data in a bad inode block: the file's 60 bytes");

	/* Extents at the end of the address space do not wrap. */
	const struct pm_extent high[] = { { 0, UINT64_MAX - 4095, 8192, FIEMAP_EXTENT_LAST } };
	const struct pm_damage_range low[] = { R(0, 512) };

	IS(hits_of(low, 1, high, 1, 8192), "", "an extent ending past 2^64: no wrap-around");
}

static void test_normalize(void)
{
	struct pm_damage_range r[] = {
		R(8192, 512), R(0, 512), R(512, 512), R(8000, 400), R(20000, 0), R(100, 10),
	};
	size_t n = pm_damage_ranges_normalize(r, 6);

	ok(n == 2 && r[0].offset == 0 && r[0].length == 1024 &&
	   r[1].offset == 8000 && r[1].length == 704,
	   "sorted, overlapping and touching ranges merged, empty ones dropped (%zu)", n);
}

static void test_unowned(void)
{
	struct pm_damage_range bad[] = { R(0, 4096), R(8192, 4096), R(16384, 512) };
	struct pm_damage_range covered[] = {
		R(9000, 100), R(1024, 1024), R(1536, 1024), R(8192, 512), R(16000, 1000),
	};

	pm_damage_unowned(bad, 3, covered, 5);
	ok(bad[0].unowned == 4096 - 1536, "overlapping hits counted once (%llu)",
	   (unsigned long long)bad[0].unowned);
	ok(bad[1].unowned == 4096 - 612, "two hits inside a range (%llu)",
	   (unsigned long long)bad[1].unowned);
	ok(bad[2].unowned == 0, "a hit wider than the range: nothing unowned (%llu)",
	   (unsigned long long)bad[2].unowned);
	pm_damage_unowned(bad, 3, NULL, 0);
	ok(bad[0].unowned == 4096 && bad[2].unowned == 512, "no hits: all unowned");
}

/* Many files, many ranges: the walk's arithmetic stays linear enough. */
static void test_scale(void)
{
	enum { NR_BAD = 1000, NR_EXT = 100000 };
	struct pm_damage_range *bad = calloc(NR_BAD, sizeof(*bad));
	struct pm_extent *ext = calloc(NR_EXT, sizeof(*ext));
	struct pm_hits hits = { 0 };

	if (!bad || !ext) {
		ok(0, "memory");
		return;
	}
	/* A bad sector every 1 MiB; 4 KiB extents every 8 KiB. */
	for (size_t i = 0; i < NR_BAD; i++)
		bad[i] = (struct pm_damage_range)R(i * 1024 * K, 512);
	for (size_t i = 0; i < NR_EXT; i++)
		ext[i] = (struct pm_extent){ i * 4096, i * 8192, 4096, 0 };
	int rc = pm_damage_match(bad, NR_BAD, ext, NR_EXT, UINT64_MAX, &hits);

	ok(rc == 0 && hits.nr == 782, "100000 extents against 1000 ranges: %zu hits",
	   hits.nr);
	free(hits.v);
	free(bad);
	free(ext);
}

/* inject-error --file: a file's byte to its place on the device. */
static void test_lookup(void)
{
	const struct pm_extent ext[] = {
		{ .logical = 65536, .physical = 1 << 20, .length = 65536 },
		{ .logical = 0, .physical = 8192, .length = 65536 },
		{ .logical = 131072, .physical = 0, .length = 4096, .flags = FIEMAP_EXTENT_DELALLOC },
		{ .logical = 135168, .physical = 4096, .length = 4096, .flags = FIEMAP_EXTENT_UNWRITTEN },
		{ .logical = 139264, .physical = 0, .length = 4096, .flags = FIEMAP_EXTENT_DATA_INLINE },
	};
	uint64_t phys = 0;
	int rc;

	rc = pm_extent_lookup(ext, 5, 70000, &phys);
	ok(rc == 0 && phys == (1 << 20) + 70000 - 65536, "a byte in the first extent given (%d, %llu)",
	   rc, (unsigned long long)phys);
	rc = pm_extent_lookup(ext, 5, 0, &phys);
	ok(rc == 1 && phys == 8192, "byte 0: the extent at logical 0 (%d, %llu)", rc,
	   (unsigned long long)phys);
	rc = pm_extent_lookup(ext, 5, 65535, &phys);
	ok(rc == 1 && phys == 8192 + 65535, "an extent's last byte (%llu)", (unsigned long long)phys);
	ok(pm_extent_lookup(ext, 5, 131072, &phys) == -ENODATA, "delayed allocation: no place");
	rc = pm_extent_lookup(ext, 5, 135169, &phys);
	ok(rc == 3 && phys == 4097, "unwritten: a place (%llu)", (unsigned long long)phys);
	ok(pm_extent_lookup(ext, 5, 139264, &phys) == -ENODATA, "inline data: no place of its own");
	ok(pm_extent_lookup(ext, 5, 1 << 20, &phys) == -ENODATA, "a hole: no extent");
	ok(pm_extent_lookup(ext, 0, 0, &phys) == -ENODATA, "no extents at all");
}

int main(void)
{
	test_lookup();
	test_match();
	test_normalize();
	test_unowned();
	test_scale();
	return done_testing();
}
