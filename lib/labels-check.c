// SPDX-License-Identifier: GPL-2.0-or-later
/* Label areas checked: index blocks, labels, and namespaces across DIMMs. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doctor.h"
#include "labels.h"

static void backup_fix(char *fix, size_t len, const char *dimm)
{
	snprintf(fix, len,
		 "pmemctl restore-labels %s --from DIR/%s.labels (a backup pmemctl read-labels --backup DIR wrote), or pmemctl init-labels %s to start empty",
		 dimm, dimm, dimm);
}

static void check_index(const struct pm_label_facts *f, bool blank_findings,
			struct pm_diagnosis *d)
{
	const struct pm_label_area *a = f->area;
	char fix[256];

	if (a->blank) {
		if (blank_findings) {
			snprintf(fix, sizeof(fix), "pmemctl init-labels %s", f->dimm);
			pm_doctor_add(d, PM_SEV_INFO, "label-area-blank", f->dimm, fix,
				      "the label area of %s was never initialised: no namespace can be defined on it",
				      f->dimm);
		}
		return;
	}
	if (a->current < 0) {
		backup_fix(fix, sizeof(fix), f->dimm);
		pm_doctor_add(d, PM_SEV_ERROR, "label-index-invalid", f->dimm, fix,
			      "neither namespace index block of %s is valid (block 0: %s, block 1: %s): the kernel sees no labels there, and the namespaces they defined are gone",
			      f->dimm, a->index[0].invalid, a->index[1].invalid);
		return;
	}
	for (int i = 0; i < 2; i++) {
		if (a->index[i].valid)
			continue;
		snprintf(fix, sizeof(fix),
			 "pmemctl read-labels %s --backup DIR now: the next namespace change on %s rewrites block %d",
			 f->dimm, f->dimm, i);
		pm_doctor_add(d, PM_SEV_WARNING, "label-index-invalid", f->dimm, fix,
			      "namespace index block %d of %s is not valid (%s): the kernel uses block %d alone, and a second fault would lose every label",
			      i, f->dimm, a->index[i].invalid, !i);
	}
	if (a->index[0].valid && a->index[1].valid &&
	    (a->index[0].seq & 3) == (a->index[1].seq & 3)) {
		snprintf(fix, sizeof(fix),
			 "pmemctl read-labels %s --index to see both; the next namespace change on %s writes a newer one",
			 f->dimm, f->dimm);
		pm_doctor_add(d, PM_SEV_WARNING, "label-index-sequence", f->dimm, fix,
			      "both namespace index blocks of %s have sequence number %u: which is current is ambiguous (the kernel takes block 1)",
			      f->dimm, a->index[0].seq & 3);
	}
}

static int by_dpa(const void *x, const void *y)
{
	const struct pm_label *a = *(const struct pm_label *const *)x;
	const struct pm_label *b = *(const struct pm_label *const *)y;

	return a->dpa < b->dpa ? -1 : a->dpa > b->dpa;
}

static bool usable(const struct pm_label *l)
{
	return l->in_use && l->checksum_ok;
}

static void check_labels(const struct pm_label_facts *f, struct pm_diagnosis *d)
{
	const struct pm_label_area *a = f->area;
	const struct pm_label **sorted;
	size_t n = 0;
	char fix[256];

	if (a->current < 0)
		return;
	backup_fix(fix, sizeof(fix), f->dimm);
	if (a->nr_bad_in_use)
		pm_doctor_add(d, PM_SEV_ERROR, "label-invalid", f->dimm, fix,
			      "%zu slot(s) of %s marked in use hold no valid label (first: slot %u): the kernel ignores them, and a namespace may have lost its label",
			      a->nr_bad_in_use, f->dimm, a->first_bad_slot);
	sorted = calloc(a->nr_labels + 1, sizeof(*sorted));
	if (!sorted)
		return;
	for (size_t i = 0; i < a->nr_labels; i++)
		if (usable(&a->labels[i]))
			sorted[n++] = &a->labels[i];
	qsort(sorted, n, sizeof(*sorted), by_dpa);
	for (size_t i = 1; i < n; i++) {
		const struct pm_label *p = sorted[i - 1], *l = sorted[i];

		if (p->dpa + p->rawsize <= l->dpa)
			continue;
		pm_doctor_add(d, PM_SEV_ERROR, "label-overlap", f->dimm, fix,
			      "the labels in slots %u and %u of %s claim overlapping DPA ranges (%#llx+%#llx, %#llx+%#llx; namespaces %s and %s): one namespace's data lies in the other's",
			      p->slot, l->slot, f->dimm, (unsigned long long)p->dpa,
			      (unsigned long long)p->rawsize, (unsigned long long)l->dpa,
			      (unsigned long long)l->rawsize, p->uuid, l->uuid);
	}
	/* CXL labels name their region by uuid, not by a cookie. */
	for (size_t i = 0; f->cookies_known && !a->cxl && i < n; i++) {
		const struct pm_label *l = sorted[i];
		bool known = false;

		for (size_t c = 0; c < f->nr_cookies; c++)
			known |= f->cookies[c] == l->isetcookie;
		if (known)
			continue;
		pm_doctor_add(d, PM_SEV_WARNING, "label-cookie", f->dimm, fix,
			      "the label in slot %u of %s (namespace %s) names interleave set cookie %#llx, which no region of %s has: the kernel ignores it (the DIMM moved, or its interleave changed)",
			      l->slot, f->dimm, l->uuid,
			      (unsigned long long)l->isetcookie, f->dimm);
	}
	free(sorted);
}

/*
 * A namespace of an interleave set has one label per DIMM, nlabel in all,
 * positions 0..nlabel-1: with one missing the kernel cannot assemble it.
 */
static void check_sets(const struct pm_label_facts *facts, size_t nr,
		       struct pm_diagnosis *d)
{
	for (size_t i = 0; i < nr; i++) {
		const struct pm_label_area *a = facts[i].area;

		for (size_t j = 0; a && j < a->nr_labels; j++) {
			const struct pm_label *l = &a->labels[j];
			unsigned long long seen = 0, want;
			const char *report = NULL;
			bool first = true;
			char missing[128] = "", fix[256];
			size_t len = 0;

			if (!usable(l) || l->cxl || l->nlabel < 2 || l->nlabel > 64)
				continue;
			/* Once per namespace: at its first label found. */
			for (size_t x = 0; x <= i && first; x++)
				for (size_t y = 0; facts[x].area &&
				     y < (x == i ? j : facts[x].area->nr_labels); y++)
					if (usable(&facts[x].area->labels[y]) &&
					    !strcmp(facts[x].area->labels[y].uuid, l->uuid))
						first = false;
			if (!first)
				continue;
			for (size_t x = 0; x < nr; x++) {
				const struct pm_label_area *b = facts[x].area;

				for (size_t y = 0; b && y < b->nr_labels; y++) {
					const struct pm_label *m = &b->labels[y];

					if (!usable(m) || strcmp(m->uuid, l->uuid) ||
					    m->position >= 64)
						continue;
					seen |= 1ULL << m->position;
					if (!report && facts[x].report)
						report = facts[x].dimm;
				}
			}
			want = l->nlabel == 64 ? ~0ULL : (1ULL << l->nlabel) - 1;
			if (!report || (seen & want) == want)
				continue;
			for (unsigned int p = 0; p < l->nlabel; p++)
				if (!(seen >> p & 1) && len < sizeof(missing) - 8)
					len += snprintf(missing + len, sizeof(missing) - len,
							"%s%u", len ? ", " : "", p);
			snprintf(fix, sizeof(fix),
				 "pmemctl restore-labels DIMM --from DIR/DIMM.labels on the DIMM at position %s of the set (a backup pmemctl read-labels --backup DIR wrote)",
				 missing);
			pm_doctor_add(d, PM_SEV_ERROR, "label-missing", report, fix,
				      "namespace %s%s%s%s has labels for %d of its %u DIMMs (missing position %s): the kernel cannot assemble it",
				      l->uuid, l->name[0] ? " (\"" : "", l->name,
				      l->name[0] ? "\")" : "",
				      __builtin_popcountll(seen & want), l->nlabel,
				      missing);
		}
	}
}

void pm_labels_check(const struct pm_label_facts *facts, size_t nr,
		     bool blank_findings, struct pm_diagnosis *d)
{
	bool whole = true;

	for (size_t i = 0; i < nr; i++) {
		if (!facts[i].area) {
			/* A DIMM without a label area holds no label to miss. */
			whole &= facts[i].read_err == -ENOTTY;
			continue;
		}
		if (!facts[i].report)
			continue;
		check_index(&facts[i], blank_findings, d);
		check_labels(&facts[i], d);
	}
	/* Labels on a DIMM that could not be read would look missing. */
	if (whole)
		check_sets(facts, nr, d);
}
