// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of lib/labels.c and lib/labels-check.c: label storage areas
 * built here byte by byte (the kernel's drivers/nvdimm/label.h layout, as
 * ndctl init-labels writes it for a 128 KiB area), decoded and checked.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "lib/doctor.h"
#include "lib/labels.h"

#define AREA	(128 * 1024)
#define ISZ	256		/* one index block, both label sizes, 128 KiB */

static void put16(uint8_t *p, uint16_t v) { p[0] = v; p[1] = v >> 8; }
static void put32(uint8_t *p, uint32_t v) { put16(p, v); put16(p + 2, v >> 16); }
static void put64(uint8_t *p, uint64_t v) { put32(p, v); put32(p + 4, v >> 32); }

/* A second fletcher64, written from the kernel's definition, not lib's. */
static uint64_t sum64(const uint8_t *p, size_t len)
{
	uint64_t lo = 0, hi = 0;

	for (size_t i = 0; i < len; i += 4) {
		lo = (lo + (p[i] | p[i + 1] << 8 | p[i + 2] << 16 |
			    (uint64_t)p[i + 3] << 24)) & 0xffffffff;
		hi += lo;
	}
	return hi << 32 | lo;
}

struct area {
	uint8_t buf[AREA];
	unsigned int lsz;
	uint32_t nslot;
};

static void seal_index(struct area *a, int nr)
{
	uint8_t *p = a->buf + nr * ISZ;

	put64(p + 64, 0);
	put64(p + 64, sum64(p, ISZ));
}

static void make_index(struct area *a, int nr, uint32_t seq)
{
	uint8_t *p = a->buf + nr * ISZ;

	memset(p, 0, ISZ);
	memcpy(p, "NAMESPACE_INDEX", 16);
	p[19] = a->lsz == 256 ? 1 : 0;
	put32(p + 20, seq);
	put64(p + 24, nr * ISZ);
	put64(p + 32, ISZ);
	put64(p + 40, (1 - nr) * ISZ);
	put64(p + 48, 2 * ISZ);
	put32(p + 56, a->nslot);
	put16(p + 60, 1);
	put16(p + 62, a->lsz == 256 ? 2 : 1);
	for (uint32_t s = 0; s < a->nslot; s++)
		p[72 + s / 8] |= 1 << (s % 8);
	seal_index(a, nr);
}

static void init_area(struct area *a, unsigned int lsz)
{
	memset(a, 0, sizeof(*a));
	a->lsz = lsz;
	a->nslot = (AREA - 2 * ISZ) / lsz;
	make_index(a, 0, 3);
	make_index(a, 1, 1);	/* 3 then 1: block 1 is newer */
}

static void set_used(struct area *a, int nr, uint32_t slot, int used)
{
	uint8_t *p = a->buf + nr * ISZ + 72;

	if (used)
		p[slot / 8] &= ~(1 << (slot % 8));
	else
		p[slot / 8] |= 1 << (slot % 8);
	seal_index(a, nr);
}

/* The kernel's dax abstraction GUID as it lands in a label (guid_t bytes). */
static const uint8_t dax_guid[16] = { 0x9c, 0x6d, 0xa8, 0x97, 0xdd, 0x3c,
	0xda, 0x4e, 0x98, 0x6f, 0x50, 0x68, 0xb4, 0xf8, 0x00, 0x88 };

static uint8_t *put_label(struct area *a, uint32_t slot, uint8_t id,
			  const char *name, uint16_t nlabel, uint16_t pos,
			  uint64_t cookie, uint64_t dpa, uint64_t size)
{
	uint8_t *p = a->buf + 2 * ISZ + slot * a->lsz;

	memset(p, 0, a->lsz);
	for (int i = 0; i < 16; i++)
		p[i] = id + i;
	strcpy((char *)p + 16, name);
	put16(p + 84, nlabel);
	put16(p + 86, pos);
	put64(p + 88, cookie);
	put64(p + 96, 0);
	put64(p + 104, dpa);
	put64(p + 112, size);
	put32(p + 120, slot);
	if (a->lsz == 256) {
		memcpy(p + 144, dax_guid, 16);
		put64(p + 248, sum64(p, 256));
	}
	set_used(a, 1, slot, 1);
	return p;
}

static struct pm_diagnosis *check(struct area **areas, size_t nr,
				  const uint64_t *cookies, size_t nr_cookies,
				  bool blank, struct pm_label_area *decoded)
{
	struct pm_diagnosis *d = calloc(1, sizeof(*d));
	struct pm_label_facts facts[4] = { 0 };
	static const char *const names[] = { "nmem0", "nmem1", "nmem2", "nmem3" };

	for (size_t i = 0; i < nr; i++) {
		facts[i].dimm = names[i];
		facts[i].report = true;
		facts[i].cookies = cookies;
		facts[i].nr_cookies = nr_cookies;
		facts[i].cookies_known = cookies != NULL;
		if (pm_labels_decode(areas[i]->buf, AREA, &decoded[i]) == 0)
			facts[i].area = &decoded[i];
		else
			facts[i].read_err = -EINVAL;
	}
	pm_labels_check(facts, nr, blank, d);
	for (size_t i = 0; i < nr; i++)
		pm_labels_release(&decoded[i]);
	return d;
}

static int count(const struct pm_diagnosis *d, const char *code,
		 enum pm_severity sev)
{
	int n = 0;

	for (size_t i = 0; i < d->nr_findings; i++)
		n += !strcmp(d->findings[i].code, code) &&
		     d->findings[i].severity == sev;
	return n;
}

static void test_valid_v12(void)
{
	struct area *a = malloc(sizeof(*a));
	struct pm_label_area la, dec[1];
	struct pm_diagnosis *d;
	uint64_t cookie = 0x1234567890abcdefULL;
	const struct pm_label *l;

	init_area(a, 256);
	put_label(a, 0, 0x10, "first", 1, 0, cookie, 0x0, 0x10000000);
	put_label(a, 5, 0x20, "second", 1, 0, cookie, 0x10000000, 0x8000000);
	ok(pm_labels_decode(a->buf, AREA, &la) == 0, "v1.2: decodes");
	ok(la.label_size == 256 && la.index_size == ISZ && la.nslot == 510,
	   "v1.2: 256-byte labels, 256-byte index blocks, 510 slots (got %u %zu %u)",
	   la.label_size, la.index_size, la.nslot);
	ok(la.current == 1 && la.index[1].current && !la.index[0].current,
	   "v1.2: sequence 1 after 3 is current (block %d)", la.current);
	ok(la.index[0].valid && la.index[1].valid && la.index[0].checksum_ok,
	   "v1.2: both index blocks valid");
	ok(la.index[1].nfree == 508 && la.index[0].nfree == 510,
	   "v1.2: free counts %u and %u", la.index[1].nfree, la.index[0].nfree);
	ok(la.index[1].major == 1 && la.index[1].minor == 2 &&
	   la.index[1].labelsize == 256 && !strcmp(la.index[1].signature, "NAMESPACE_INDEX"),
	   "v1.2: version, label size and signature");
	ok(la.nr_labels == 2 && la.nr_in_use == 2, "v1.2: two labels in use");
	l = &la.labels[1];
	ok(l->slot == 5 && !strcmp(l->name, "second") && l->dpa == 0x10000000 &&
	   l->rawsize == 0x8000000 && l->isetcookie == cookie && l->nlabel == 1 &&
	   l->position == 0 && l->in_use && l->v12 && l->checksum_ok,
	   "v1.2: label fields");
	ok(!strcmp(l->uuid, "20212223-2425-2627-2829-2a2b2c2d2e2f"),
	   "v1.2: uuid %s", l->uuid);
	ok(l->mode == PM_LABEL_MODE_DAX &&
	   !strcmp(l->abstraction_guid, "9c6da897-dd3c-da4e-986f-5068b4f80088") &&
	   !strcmp(pm_label_mode_name(l->mode), "dax"),
	   "v1.2: dax abstraction GUID %s", l->abstraction_guid);
	pm_labels_release(&la);
	d = check(&a, 1, &cookie, 1, true, dec);
	ok(d->nr_findings == 0, "v1.2 valid: no finding (%zu)", d->nr_findings);
	free(d);
	free(a);
}

static void test_valid_v11(void)
{
	struct area *a = malloc(sizeof(*a));
	struct pm_label_area la;

	init_area(a, 128);
	put_label(a, 2, 0x30, "old", 1, 0, 7, 0x1000000, 0x1000000);
	ok(pm_labels_decode(a->buf, AREA, &la) == 0 && la.label_size == 128 &&
	   la.nslot == 1020, "v1.1: 128-byte labels, 1020 slots");
	ok(la.nr_labels == 1 && !la.labels[0].v12 && la.labels[0].slot == 2 &&
	   la.labels[0].mode == PM_LABEL_MODE_NONE && la.labels[0].checksum_ok,
	   "v1.1: label without v1.2 fields");
	pm_labels_release(&la);
	free(a);
}

static void test_flipped_index(void)
{
	struct area *a = malloc(sizeof(*a));
	struct pm_label_area la, dec[1];
	struct pm_diagnosis *d;
	uint64_t cookie = 7;

	init_area(a, 256);
	put_label(a, 0, 0x10, "x", 1, 0, cookie, 0, 0x1000000);
	a->buf[ISZ + 100] ^= 0x40;	/* the free bitmap of block 1 */
	ok(pm_labels_decode(a->buf, AREA, &la) == 0 && la.current == 0 &&
	   !la.index[1].valid && !strcmp(la.index[1].invalid, "checksum") &&
	   !la.index[1].checksum_ok, "flipped byte in block 1: block 0 current");
	ok(la.nr_in_use == 0, "flipped byte: block 0's bitmap has no label in use");
	pm_labels_release(&la);
	d = check(&a, 1, &cookie, 1, true, dec);
	ok(count(d, "label-index-invalid", PM_SEV_WARNING) == 1 && d->worst == PM_SEV_WARNING,
	   "one bad block: a warning");
	free(d);
	a->buf[10] ^= 0x01;		/* the signature of block 0 */
	ok(pm_labels_decode(a->buf, AREA, &la) == 0 && la.current == -1 &&
	   !strcmp(la.index[0].invalid, "signature") && la.nr_labels == 0,
	   "both blocks bad: no current index, no label");
	d = check(&a, 1, &cookie, 1, true, dec);
	ok(count(d, "label-index-invalid", PM_SEV_ERROR) == 1,
	   "both blocks bad: an error");
	free(d);
	free(a);
}

static void test_sequence(void)
{
	struct area *a = malloc(sizeof(*a));
	struct pm_label_area la, dec[1];
	struct pm_diagnosis *d;

	init_area(a, 256);
	make_index(a, 0, 1);
	make_index(a, 1, 3);		/* 3 then 1: wraps, block 0 newer */
	ok(pm_labels_decode(a->buf, AREA, &la) == 0 && la.current == 0,
	   "sequence 1 after 3 wraps: block 0 current");
	pm_labels_release(&la);
	make_index(a, 0, 4);		/* 4 & 3 == 0: invalid */
	ok(pm_labels_decode(a->buf, AREA, &la) == 0 && la.current == 1 &&
	   !strcmp(la.index[0].invalid, "sequence number"),
	   "sequence 4: block 0 invalid");
	pm_labels_release(&la);
	make_index(a, 0, 2);
	make_index(a, 1, 2);
	ok(pm_labels_decode(a->buf, AREA, &la) == 0 && la.current == 1,
	   "equal sequence numbers: the kernel's choice, block 1");
	pm_labels_release(&la);
	d = check(&a, 1, NULL, 0, true, dec);
	ok(count(d, "label-index-sequence", PM_SEV_WARNING) == 1,
	   "equal sequence numbers: a warning");
	free(d);
	free(a);
}

static void test_overlap_and_free(void)
{
	struct area *a = malloc(sizeof(*a));
	struct pm_label_area la, dec[1];
	struct pm_diagnosis *d;
	uint64_t cookie = 9;

	init_area(a, 256);
	put_label(a, 0, 0x10, "a", 1, 0, cookie, 0x0, 0x2000000);
	put_label(a, 1, 0x20, "b", 1, 0, cookie, 0x1000000, 0x2000000);
	d = check(&a, 1, &cookie, 1, true, dec);
	ok(count(d, "label-overlap", PM_SEV_ERROR) == 1 && d->worst == PM_SEV_ERROR,
	   "overlapping DPA ranges: an error");
	free(d);
	set_used(a, 1, 1, 0);	/* slot 1 freed: its bytes stay */
	ok(pm_labels_decode(a->buf, AREA, &la) == 0 && la.nr_labels == 2 &&
	   la.nr_in_use == 1 && !la.labels[1].in_use && la.labels[1].slot == 1,
	   "label in a free slot: decoded, not in use");
	pm_labels_release(&la);
	d = check(&a, 1, &cookie, 1, true, dec);
	ok(d->nr_findings == 0, "a stale label in a free slot overlaps nothing");
	free(d);
	free(a);
}

static void test_bad_label(void)
{
	struct area *a = malloc(sizeof(*a));
	struct pm_label_area la, dec[1];
	struct pm_diagnosis *d;
	uint64_t cookie = 9, other = 10;
	uint8_t *p;

	init_area(a, 256);
	p = put_label(a, 3, 0x10, "a", 1, 0, cookie, 0x0, 0x2000000);
	p[20] ^= 1;		/* the name: the label checksum breaks */
	ok(pm_labels_decode(a->buf, AREA, &la) == 0 && la.nr_in_use == 0 &&
	   la.nr_bad_in_use == 1 && la.first_bad_slot == 3 &&
	   !la.labels[0].checksum_ok, "label checksum: rejected");
	pm_labels_release(&la);
	d = check(&a, 1, &cookie, 1, true, dec);
	ok(count(d, "label-invalid", PM_SEV_ERROR) == 1, "label checksum: an error");
	free(d);
	p[20] ^= 1;
	put32(p + 120, 4);	/* a slot field naming another slot */
	d = check(&a, 1, &cookie, 1, true, dec);
	ok(count(d, "label-invalid", PM_SEV_ERROR) == 1, "wrong slot field: an error");
	free(d);
	put32(p + 120, 3);
	d = check(&a, 1, &other, 1, true, dec);
	ok(count(d, "label-cookie", PM_SEV_WARNING) == 1,
	   "cookie no region has: a warning");
	free(d);
	d = check(&a, 1, NULL, 0, true, dec);
	ok(count(d, "label-cookie", PM_SEV_WARNING) == 0,
	   "cookies unknown: no cookie finding");
	free(d);
	free(a);
}

static void test_sets(void)
{
	struct area *a[2] = { malloc(sizeof(struct area)), malloc(sizeof(struct area)) };
	struct pm_label_area dec[2];
	struct pm_diagnosis *d;
	uint64_t cookie = 11;

	init_area(a[0], 256);
	init_area(a[1], 256);
	put_label(a[0], 0, 0x40, "wide", 2, 0, cookie, 0, 0x1000000);
	put_label(a[1], 0, 0x40, "wide", 2, 1, cookie, 0, 0x1000000);
	d = check(a, 2, &cookie, 1, true, dec);
	ok(d->nr_findings == 0, "2-way namespace with both labels: no finding");
	free(d);
	set_used(a[1], 1, 0, 0);
	d = check(a, 2, &cookie, 1, true, dec);
	ok(count(d, "label-missing", PM_SEV_ERROR) == 1 &&
	   !strcmp(d->findings[0].object, "nmem0") &&
	   strstr(d->findings[0].message, "missing position 1"),
	   "2-way namespace, label of position 1 gone: an error on nmem0");
	free(d);
	free(a[0]);
	free(a[1]);
}

static void test_blank_and_truncated(void)
{
	struct area *a = malloc(sizeof(*a));
	struct pm_label_area la, dec[1];
	struct pm_diagnosis *d;
	int rc;

	memset(a, 0, sizeof(*a));
	ok(pm_labels_decode(a->buf, AREA, &la) == 0 && la.blank && la.current == -1,
	   "blank area: decoded as blank");
	d = check(&a, 1, NULL, 0, true, dec);
	ok(count(d, "label-area-blank", PM_SEV_INFO) == 1 && d->nr_findings == 1,
	   "blank area: one info finding for check-labels");
	free(d);
	d = check(&a, 1, NULL, 0, false, dec);
	ok(d->nr_findings == 0, "blank area: nothing for doctor");
	free(d);
	for (size_t i = 0; i < AREA; i++)
		a->buf[i] = i * 7 + (i >> 9);
	ok(pm_labels_decode(a->buf, AREA, &la) == 0 && la.blank && la.current == -1,
	   "a pattern without an index signature (nfit_test's): blank, not corrupted");
	init_area(a, 256);
	put_label(a, 0, 0x10, "x", 1, 0, 1, 0, 0x1000000);
	rc = pm_labels_decode(a->buf, AREA / 2, &la);
	ok(rc == 0 && la.current == -1 && !la.blank && la.index[0].invalid &&
	   !strcmp(la.index[0].invalid, "slot count"),
	   "area cut in half: no valid index (%s)",
	   la.index[0].invalid ? la.index[0].invalid : "valid");
	ok(pm_labels_decode(a->buf, 700, &la) == -EINVAL,
	   "area shorter than two index blocks and two labels: -EINVAL");
	free(a);
}

/* A CXL area: index 2.1, a region label and a namespace label (uuid_t bytes). */
static void test_cxl(void)
{
	static const uint8_t ns_type[16] = { 0x68, 0xbb, 0x2c, 0x0a, 0x5a, 0x77,
		0x49, 0x37, 0x9f, 0x85, 0x3c, 0xaf, 0x41, 0xa0, 0xf9, 0x3c };
	static const uint8_t region_type[16] = { 0x52, 0x9d, 0x7c, 0x61, 0xda,
		0x07, 0x47, 0xc4, 0xa9, 0x3f, 0xec, 0xdf, 0x2c, 0x06, 0xf4, 0x44 };
	static const uint8_t dax_uuid[16] = { 0x97, 0xa8, 0x6d, 0x9c, 0x3c, 0xdd,
		0x4e, 0xda, 0x98, 0x6f, 0x50, 0x68, 0xb4, 0xf8, 0x00, 0x88 };
	struct area *a = malloc(sizeof(*a));
	struct pm_label_area la, dec[1];
	struct pm_diagnosis *d;
	uint64_t cookie = 1;
	uint8_t *p;

	init_area(a, 256);
	for (int i = 0; i < 2; i++) {
		put16(a->buf + i * ISZ + 60, 2);
		put16(a->buf + i * ISZ + 62, 1);
		seal_index(a, i);
	}
	for (uint32_t slot = 0; slot < 2; slot++) {
		p = a->buf + 2 * ISZ + slot * 256;
		memset(p, 0, 256);
		memcpy(p, slot ? ns_type : region_type, 16);
		memset(p + 16, 0x30 + slot, 16);
		if (slot) {
			strcpy((char *)p + 32, "cxl-ns");
			put16(p + 100, 1);
			put64(p + 104, 0x1000000);
			put64(p + 112, 0x2000000);
			memcpy(p + 144, dax_uuid, 16);
		}
		put32(p + 120, slot);
		put64(p + 248, sum64(p, 256));
		set_used(a, 1, slot, 1);
	}
	ok(pm_labels_decode(a->buf, AREA, &la) == 0 && la.cxl && la.current == 1 &&
	   la.label_size == 256, "CXL: index 2.1 accepted, 256-byte labels");
	ok(la.nr_labels == 1 && la.labels[0].cxl && la.labels[0].slot == 1 &&
	   !strcmp(la.labels[0].name, "cxl-ns") && la.labels[0].dpa == 0x1000000 &&
	   la.labels[0].rawsize == 0x2000000 && la.labels[0].checksum_ok &&
	   la.labels[0].mode == PM_LABEL_MODE_DAX,
	   "CXL: the namespace label decoded (dax claim as uuid_t), the region label left out");
	pm_labels_release(&la);
	d = check(&a, 1, &cookie, 1, true, dec);
	ok(d->nr_findings == 0, "CXL: no cookie finding for labels without a cookie (%zu)",
	   d->nr_findings);
	free(d);
	free(a);
}

int main(void)
{
	uint8_t words[8] = { 1, 0, 0, 0, 2, 0, 0, 0 };

	ok(pm_fletcher64(words, 8) == ((uint64_t)4 << 32 | 3),
	   "fletcher64 of 1, 2: lo 3, hi 4");
	test_valid_v12();
	test_valid_v11();
	test_flipped_index();
	test_sequence();
	test_overlap_and_free();
	test_bad_label();
	test_sets();
	test_blank_and_truncated();
	test_cxl();
	return done_testing();
}
