// SPDX-License-Identifier: GPL-2.0-or-later
/* Namespace label storage areas: the on-media format, decoded from a buffer. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "labels.h"

/*
 * The layout is the kernel's (drivers/nvdimm/label.h, UEFI 2.7 "Label
 * Storage Area"): two index blocks, then nslot labels of 128 (v1.1) or
 * 256 (v1.2) bytes. Offsets rather than packed structs: the buffer comes
 * from a DIMM or a file and is read as little-endian bytes, aligned or not.
 */
#define NSINDEX_SIG		"NAMESPACE_INDEX"	/* 16 bytes with its NUL */
#define NSINDEX_SIG_LEN		16
#define NSINDEX_ALIGN		256
#define NSINDEX_SEQ_MASK	3
#define NSINDEX_HEADER		72	/* the fixed part, before the free bitmap */

enum {	/* struct nd_namespace_index */
	IX_SIG = 0, IX_FLAGS = 16, IX_LABELSIZE = 19, IX_SEQ = 20, IX_MYOFF = 24,
	IX_MYSIZE = 32, IX_OTHEROFF = 40, IX_LABELOFF = 48, IX_NSLOT = 56,
	IX_MAJOR = 60, IX_MINOR = 62, IX_CHECKSUM = 64, IX_FREE = 72,
};

enum {	/* struct nd_namespace_label */
	NL_UUID = 0, NL_NAME = 16, NL_FLAGS = 80, NL_NLABEL = 84,
	NL_POSITION = 86, NL_ISETCOOKIE = 88, NL_LBASIZE = 96, NL_DPA = 104,
	NL_RAWSIZE = 112, NL_SLOT = 120, NL_ALIGN = 124, NL_TYPE_GUID = 128,
	NL_ABSTRACTION_GUID = 144, NL_CHECKSUM = 248,
};

static uint16_t le16(const uint8_t *p)
{
	return p[0] | p[1] << 8;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)le16(p) | (uint32_t)le16(p + 2) << 16;
}

static uint64_t le64(const uint8_t *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

uint64_t pm_fletcher64(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint32_t lo = 0;
	uint64_t hi = 0;

	for (size_t i = 0; i + 4 <= len; i += 4) {
		lo += le32(p + i);
		hi += lo;
	}
	return hi << 32 | lo;
}

/* The sum of a block whose checksum field (8 bytes at off) reads as 0. */
static uint64_t fletcher64_without(const uint8_t *block, size_t len, size_t off)
{
	uint8_t *copy = malloc(len);
	uint64_t sum;

	if (!copy)
		return ~0ULL;
	memcpy(copy, block, len);
	memset(copy + off, 0, 8);
	sum = pm_fletcher64(copy, len);
	free(copy);
	return sum;
}

/* The size of one index block for a free bitmap of nslot bits. */
static size_t index_size_for(uint32_t nslot)
{
	size_t raw = NSINDEX_HEADER + (nslot + 7) / 8;

	return (raw + NSINDEX_ALIGN - 1) / NSINDEX_ALIGN * NSINDEX_ALIGN;
}

/*
 * What the kernel (sizeof_namespace_index()) expects an index block of an
 * area of this size and label size to be; 0 when the area is too small.
 */
static size_t expected_index_size(size_t size, unsigned int label_size)
{
	size_t n = index_size_for(size / label_size) / NSINDEX_ALIGN;
	size_t isz = NSINDEX_ALIGN * n;
	size_t nslot;

	if (size < 2 * isz)
		return 0;
	nslot = (size - 2 * isz) / label_size;
	if (nslot < 2 || 2 * index_size_for(nslot) > size - nslot * label_size)
		return 0;
	return index_size_for(nslot);
}

/* Wrap-around order of sequence numbers: 1, 2, 3, 1, ... */
static uint32_t next_seq(uint32_t seq)
{
	static const uint32_t next[] = { 0, 2, 3, 1 };

	return next[seq & NSINDEX_SEQ_MASK];
}

static bool test_free(const uint8_t *bitmap, uint32_t slot)
{
	return bitmap[slot / 8] >> (slot % 8) & 1;
}

static void decode_index(const uint8_t *buf, size_t size, size_t isz,
			 unsigned int label_size, unsigned int nr,
			 struct pm_label_index *ix)
{
	const uint8_t *p = buf + nr * isz;
	uint32_t bits;

	memset(ix, 0, sizeof(*ix));
	ix->nr = nr;
	ix->offset = nr * isz;
	for (int i = 0; i < NSINDEX_SIG_LEN - 1 && p[i]; i++)
		ix->signature[i] = p[i] >= 0x20 && p[i] < 0x7f ? p[i] : '?';
	memcpy(ix->flags, p + IX_FLAGS, 3);
	ix->seq = le32(p + IX_SEQ);
	ix->myoff = le64(p + IX_MYOFF);
	ix->mysize = le64(p + IX_MYSIZE);
	ix->otheroff = le64(p + IX_OTHEROFF);
	ix->labeloff = le64(p + IX_LABELOFF);
	ix->nslot = le32(p + IX_NSLOT);
	ix->major = le16(p + IX_MAJOR);
	ix->minor = le16(p + IX_MINOR);
	ix->checksum = le64(p + IX_CHECKSUM);
	/* 256-byte labels arrived with v1.2, which records the size. */
	ix->labelsize = ix->major * 100 + ix->minor >= 102 && p[IX_LABELSIZE] < 8 ?
			1u << (7 + p[IX_LABELSIZE]) : 128;
	ix->checksum_ok = fletcher64_without(p, isz, IX_CHECKSUM) == ix->checksum;
	bits = ix->nslot < (isz - NSINDEX_HEADER) * 8 ? ix->nslot :
	       (isz - NSINDEX_HEADER) * 8;
	for (uint32_t s = 0; s < bits; s++)
		ix->nfree += test_free(p + IX_FREE, s);

	/* The checks of the kernel's __nd_label_validate(), in its order. */
	if (memcmp(p + IX_SIG, NSINDEX_SIG, NSINDEX_SIG_LEN) != 0)
		ix->invalid = "signature";
	else if (ix->labelsize != label_size)
		ix->invalid = "label size";
	else if (!ix->checksum_ok)
		ix->invalid = "checksum";
	else if ((ix->seq & NSINDEX_SEQ_MASK) == 0)
		ix->invalid = "sequence number";
	else if (ix->myoff != nr * isz || ix->otheroff != (1 - nr) * isz)
		ix->invalid = "offsets";
	else if (ix->labeloff != 2 * isz)
		ix->invalid = "label offset";
	else if (ix->mysize > isz || ix->mysize < NSINDEX_HEADER)
		ix->invalid = "size";
	else if ((uint64_t)ix->nslot * label_size + 2 * isz > size)
		ix->invalid = "slot count";
	ix->valid = !ix->invalid;
}

/* Which block is current: one valid, or the newer sequence number of two. */
static int current_index(const struct pm_label_index ix[2])
{
	uint32_t a, b;

	if (!ix[0].valid || !ix[1].valid)
		return ix[0].valid ? 0 : ix[1].valid ? 1 : -1;
	a = ix[0].seq & NSINDEX_SEQ_MASK;
	b = ix[1].seq & NSINDEX_SEQ_MASK;
	/* The kernel's best_seq(): on a tie it takes block 1. */
	if (a == b || next_seq(a) == b)
		return 1;
	return 0;
}

static void guid_string(const uint8_t *g, char out[37])
{
	snprintf(out, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7], g[8], g[9],
		 g[10], g[11], g[12], g[13], g[14], g[15]);
}

/*
 * The kernel keeps its GUIDs as guid_t (little-endian first three fields,
 * drivers/nvdimm/core.c guid_parse()) and copies them to the label as
 * they are: compare bytes in that order.
 */
static bool guid_is(const uint8_t *g, const char *text, bool as_uuid)
{
	static const int guid_order[16] = { 3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10,
					    11, 12, 13, 14, 15 };
	uint8_t want[16];
	unsigned int byte;
	int n = 0;

	for (const char *p = text; *p && n < 16; p++) {
		if (*p == '-')
			continue;
		if (sscanf(p, "%2x", &byte) != 1)
			return false;
		want[as_uuid ? n : guid_order[n]] = byte;
		n++;
		p++;
	}
	return n == 16 && memcmp(g, want, 16) == 0;
}

/*
 * The same claims are GUIDs (guid_t) in NFIT v1.2 labels and uuid_t in
 * CXL labels (the kernel's to_abstraction_uuid()).
 */
static enum pm_label_mode abstraction_mode(const uint8_t *g, bool cxl)
{
	static const uint8_t zero[16];

	if (memcmp(g, zero, 16) == 0)
		return PM_LABEL_MODE_NONE;
	if (guid_is(g, "8aed63a2-29a2-4c66-8b12-f05d15d3922a", cxl) ||	/* btt 1.1 */
	    guid_is(g, "18633bfc-1735-4217-8ac9-17239282d3f8", cxl))	/* btt 2.0 */
		return PM_LABEL_MODE_BTT;
	if (guid_is(g, "266400ba-fb9f-4677-bcb0-968f11d0d225", cxl))
		return PM_LABEL_MODE_PFN;
	if (guid_is(g, "97a86d9c-3cdd-4eda-986f-5068b4f80088", cxl))
		return PM_LABEL_MODE_DAX;
	return PM_LABEL_MODE_UNKNOWN;
}

const char *pm_label_mode_name(enum pm_label_mode mode)
{
	static const char *const names[] = {
		[PM_LABEL_MODE_NONE] = "none", [PM_LABEL_MODE_BTT] = "btt",
		[PM_LABEL_MODE_PFN] = "pfn", [PM_LABEL_MODE_DAX] = "dax",
		[PM_LABEL_MODE_UNKNOWN] = "unknown",
	};

	return mode < sizeof(names) / sizeof(names[0]) ? names[mode] : "unknown";
}

static void decode_label(const uint8_t *p, unsigned int label_size,
			 uint32_t slot, struct pm_label *l)
{
	memset(l, 0, sizeof(*l));
	l->slot = slot;
	guid_string(p + NL_UUID, l->uuid);
	for (int i = 0; i < 63 && p[NL_NAME + i]; i++)
		l->name[i] = p[NL_NAME + i];
	l->flags = le32(p + NL_FLAGS);
	l->nlabel = le16(p + NL_NLABEL);
	l->position = le16(p + NL_POSITION);
	l->isetcookie = le64(p + NL_ISETCOOKIE);
	l->lbasize = le64(p + NL_LBASIZE);
	l->dpa = le64(p + NL_DPA);
	l->rawsize = le64(p + NL_RAWSIZE);
	l->checksum_ok = true;
	if (label_size < 256)
		return;
	l->v12 = true;
	l->align = p[NL_ALIGN];
	guid_string(p + NL_TYPE_GUID, l->type_guid);
	guid_string(p + NL_ABSTRACTION_GUID, l->abstraction_guid);
	l->mode = abstraction_mode(p + NL_ABSTRACTION_GUID, false);
	l->checksum_ok = fletcher64_without(p, label_size, NL_CHECKSUM) ==
			 le64(p + NL_CHECKSUM);
}

enum {	/* struct cxl_namespace_label (CXL 2.0 8.2.9.5.2.1; kernel label.h) */
	CL_TYPE = 0, CL_UUID = 16, CL_NAME = 32, CL_FLAGS = 96, CL_NRANGE = 100,
	CL_POSITION = 102, CL_DPA = 104, CL_RAWSIZE = 112, CL_SLOT = 120,
	CL_ALIGN = 124, CL_REGION_UUID = 128, CL_ABSTRACTION = 144,
	CL_LBASIZE = 160,
};

/*
 * A CXL label area (index version 2.1) holds region and namespace labels
 * of 256 bytes, told apart by their type; only namespace labels describe
 * namespaces. Their interleave set is a region label's, not a cookie.
 */
static bool decode_cxl_label(const uint8_t *p, uint32_t slot, struct pm_label *l)
{
	memset(l, 0, sizeof(*l));
	if (!guid_is(p + CL_TYPE, "68bb2c0a-5a77-4937-9f85-3caf41a0f93c", true))
		return false;
	l->slot = slot;
	l->cxl = true;
	guid_string(p + CL_UUID, l->uuid);
	for (int i = 0; i < 63 && p[CL_NAME + i]; i++)
		l->name[i] = p[CL_NAME + i];
	l->flags = le32(p + CL_FLAGS);
	l->nlabel = le16(p + CL_NRANGE);
	l->position = le16(p + CL_POSITION);
	l->lbasize = le16(p + CL_LBASIZE);
	l->dpa = le64(p + CL_DPA);
	l->rawsize = le64(p + CL_RAWSIZE);
	l->v12 = true;
	l->align = le32(p + CL_ALIGN);
	guid_string(p + CL_TYPE, l->type_guid);
	guid_string(p + CL_ABSTRACTION, l->abstraction_guid);
	l->mode = abstraction_mode(p + CL_ABSTRACTION, true);
	l->checksum_ok = fletcher64_without(p, 256, NL_CHECKSUM) ==
			 le64(p + NL_CHECKSUM);
	return true;
}

static int decode_labels(const uint8_t *buf, struct pm_label_area *area)
{
	const struct pm_label_index *cur = &area->index[area->current];
	const uint8_t *bitmap = buf + cur->offset + IX_FREE;
	static const uint8_t zero[16];
	size_t lsz = area->label_size;

	area->nslot = cur->nslot;
	area->cxl = cur->major == 2;
	area->labels = calloc(area->nslot ? area->nslot : 1, sizeof(*area->labels));
	if (!area->labels)
		return -ENOMEM;
	for (uint32_t slot = 0; slot < area->nslot; slot++) {
		const uint8_t *p = buf + 2 * area->index_size + slot * lsz;
		bool in_use = !test_free(bitmap, slot);
		struct pm_label *l = &area->labels[area->nr_labels];

		/* Valid only if the label names its own slot (slot_valid()). */
		if (le32(p + NL_SLOT) != slot || (!in_use && !memcmp(p, zero, 16))) {
			if (in_use && !area->nr_bad_in_use++)
				area->first_bad_slot = slot;
			continue;
		}
		if (area->cxl) {
			/* A region label: not a namespace's, nothing to show. */
			if (!decode_cxl_label(p, slot, l))
				continue;
		} else {
			decode_label(p, lsz, slot, l);
		}
		l->in_use = in_use;
		if (in_use && !l->checksum_ok && !area->nr_bad_in_use++)
			area->first_bad_slot = slot;
		area->nr_in_use += in_use && l->checksum_ok;
		area->nr_labels++;
	}
	return 0;
}

int pm_labels_decode(const void *data, size_t len, struct pm_label_area *area)
{
	static const unsigned int sizes[] = { 128, 256 };
	const uint8_t *buf = data;
	unsigned int guess;
	size_t isz;

	memset(area, 0, sizeof(*area));
	area->current = -1;
	area->size = len;
	if (len < 2 * NSINDEX_ALIGN + 2 * 128)
		return -EINVAL;

	/*
	 * The label size is known only once an index block validates: try
	 * each, as the kernel's nd_label_validate() does.
	 */
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		isz = expected_index_size(len, sizes[i]);
		if (!isz)
			continue;
		decode_index(buf, len, isz, sizes[i], 0, &area->index[0]);
		decode_index(buf, len, isz, sizes[i], 1, &area->index[1]);
		area->current = current_index(area->index);
		if (area->current < 0)
			continue;
		area->label_size = sizes[i];
		area->index_size = isz;
		area->index[area->current].current = true;
		if (decode_labels(buf, area) < 0) {
			pm_labels_release(area);
			return -ENOMEM;
		}
		return 0;
	}
	/*
	 * Nothing valid: show the blocks at the size their versions suggest
	 * (libndctl's guess: v1.2 when both blocks at 0 and 256 say so).
	 */
	guess = le16(buf + IX_MINOR) >= 2 &&
		le16(buf + NSINDEX_ALIGN + IX_MINOR) >= 2 ? 256 : 128;
	isz = expected_index_size(len, guess);
	if (!isz)
		return -EINVAL;
	area->index_size = isz;
	decode_index(buf, len, isz, guess, 0, &area->index[0]);
	decode_index(buf, len, isz, guess, 1, &area->index[1]);
	/*
	 * No index signature at all: never initialised (zeros, or whatever
	 * the device starts with, as nfit_test's pattern), not corrupted.
	 */
	area->blank = area->index[0].invalid && area->index[1].invalid &&
		      !strcmp(area->index[0].invalid, "signature") &&
		      !strcmp(area->index[1].invalid, "signature");
	return 0;
}

void pm_labels_release(struct pm_label_area *area)
{
	free(area->labels);
	area->labels = NULL;
	area->nr_labels = 0;
}
