// SPDX-License-Identifier: GPL-2.0-or-later
/* pmemctl check-labels: label areas validated, each finding with its fix. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "findings.h"
#include "labels-cli.h"
#include "pmemctl.h"
#include "../lib/compat.h"
#include "../lib/doctor.h"
#include "../lib/labels.h"
#include "../lib/pmem.h"

enum { CL_DOCUMENT, CL_FINDING, CL_NR_KINDS };

struct check {
	const char **checked;		/* NULL-terminated DIMM names */
	const struct pm_diagnosis *d;
};

#define CHECK(obj) ((const struct check *)(obj)->ptr)

static void get_checked(const struct out_obj *obj, struct out_cell *cell)
{
	cell->strv = CHECK(obj)->checked;
}

static void get_worst(const struct out_obj *obj, struct out_cell *cell)
{
	const struct pm_diagnosis *d = CHECK(obj)->d;

	cell->str = d->any ? pm_severity_name(d->worst) : "none";
}

#define DOC (1u << CL_DOCUMENT)
#define FND (1u << CL_FINDING)

static const struct out_column cl_columns[] = {
	{ "CHECKED", "checked", "the DIMMs whose label areas were checked",
	  OUT_STRV, DOC, 0, get_checked },
	{ "FINDINGS", "findings", "what is wrong or worth knowing, DIMM by DIMM",
	  OUT_ARRAY, DOC, 0, NULL, CL_FINDING },
	{ "WORST", "worst", "the worst severity found: none, info, warning or error",
	  OUT_STRING, DOC, 0, get_worst },
	FINDING_COLUMNS("", FND, "pmemctl-check-labels(1)", "the DIMM it is about"),
};

static const char *const cl_kinds[] = { "check-labels", "finding" };

static const struct out_spec cl_spec = {
	.columns = cl_columns,
	.nr_columns = ARRAY_SIZE(cl_columns),
	.kind_keys = cl_kinds,
	.kind_names = cl_kinds,
	.nr_kinds = CL_NR_KINDS,
	.document = OUT_DOC_OBJECT,
	.root_kind = CL_DOCUMENT,
};

static int print_json(const struct check *chk)
{
	struct out_node root = { .obj = { CL_DOCUMENT, chk } };
	struct out_opts opts = { .output_all = true };
	struct out_selection sel;
	struct json_object *j = NULL;
	bool ok = true;

	out_select(&cl_spec, &opts, (1u << CL_NR_KINDS) - 1, &sel, NULL, 0);
	for (size_t i = 0; ok && i < chk->d->nr_findings; i++)
		ok = out_node_add(&root, CL_FINDING, &chk->d->findings[i]) != NULL;
	if (ok)
		j = out_document_json(&cl_spec, &sel, &root);
	out_node_free(&root);
	if (!j)
		return -ENOMEM;
	return out_print_document(stdout, &cl_spec, j);
}

static void print_area(const char *dimm, const struct pm_label_area *a)
{
	if (a->blank)
		printf("%-8s blank: never initialised\n", esc(dimm));
	else if (a->current < 0)
		printf("%-8s no valid index block\n", esc(dimm));
	else
		printf("%-8s v1.%d, index block %d current, %zu label%s in use, %u free slot%s\n",
		       esc(dimm), a->label_size == 256 ? 2 : 1, a->current,
		       a->nr_in_use, a->nr_in_use == 1 ? "" : "s",
		       a->index[a->current].nfree,
		       a->index[a->current].nfree == 1 ? "" : "s");
}

static void print_findings(const struct pm_diagnosis *d)
{
	if (!d->nr_findings) {
		printf("\nNo findings.\n");
		return;
	}
	printf("\nFindings:\n");
	for (size_t i = 0; i < d->nr_findings; i++) {
		const struct pm_finding *f = &d->findings[i];

		printf("  %-7s %-8s %s\n", pm_severity_name(f->severity),
		       esc(f->object), esc(f->message));
		if (f->fix[0])
			printf("  %-7s %-8s fix: %s\n", "", "", esc(f->fix));
	}
}

static struct {
	struct out_opts out;
} param;

static const struct cli_option options[] = {
	CLI_HEADING("Options:"),
	OPT_DOCUMENT_GROUP(&param.out, "JSON: {\"checked\", \"findings\", \"worst\"}"),
	CLI_COMMON_OPTIONS,
	CLI_END,
};

static void usage(void)
{
	printf("Usage: pmemctl check-labels [options] [DIMM...]\n"
	       "\n"
	       "Validate the label storage areas of the DIMMs named (nmemN; none:\n"
	       "every DIMM with one): index block checksums and sequence numbers,\n"
	       "label checksums, overlapping DPA ranges, interleave-set cookies no\n"
	       "region has, namespaces whose labels are missing on a DIMM of their\n"
	       "set (every DIMM is read for that). Reads only; needs root.\n"
	       "\n");
	cli_print_options(stdout, options);
	printf("\n"
	       "Exit: 0 nothing worse than info, 10 warnings, 11 errors, 3 unknown\n"
	       "DIMM, 4 not root, 5 no label area. See pmemctl-check-labels(1).\n");
}

int cmd_check_labels(int argc, char **argv, struct pmemctl_ctx *ctx)
{
	const struct cli_parser parser = {
		.table = options, .usage = usage, .out = &param.out, .spec = &cl_spec,
	};
	const struct out_opts *const opts = &param.out;
	const struct pm_dimm **dimms;
	struct pm_label_set set;
	struct pm_diagnosis *d;
	struct pm_platform *pf;
	struct check chk = { 0 };
	size_t nr_dimms, nr_checked = 0;
	bool named = false;
	int rc, exit_code, read_failure = EXIT_OK;

	exit_code = cli_parse(ctx, argc, argv, &parser);
	if (exit_code != CLI_GO_ON)
		return exit_code;
	exit_code = EXIT_OK;
	named = optind < argc;
	pf = ctx_platform(ctx, &exit_code);
	if (!pf)
		return exit_code;
	rc = labels_dimms(ctx, pf, argc - optind, argv + optind, &dimms, &nr_dimms);
	if (rc)
		return rc;
	d = calloc(1, sizeof(*d));
	chk.checked = calloc(nr_dimms + 1, sizeof(char *));
	if (!d || !chk.checked || pm_label_set_read(pf, &set) < 0) {
		free(d);
		free(chk.checked);
		free(dimms);
		cli_error(NULL, "out of memory");
		return EXIT_FAIL;
	}
	for (size_t i = 0; i < set.nr; i++) {
		struct pm_label_facts *f = &set.facts[i];

		for (size_t k = 0; k < nr_dimms; k++)
			f->report |= dimms[k] == set.dimms[i];
		if (!f->report)
			continue;
		if (!f->area) {
			f->report = false;
			/* Not named: a DIMM without a label area is no error. */
			if (f->read_err == -ENOTTY && !named)
				continue;
			rc = labels_read_error(set.dimms[i], f->read_err);
			if (!read_failure)
				read_failure = rc;
			if (rc == EXIT_PERMISSION)
				break;
			continue;
		}
		chk.checked[nr_checked++] = set.dimms[i]->dev;
	}
	free(dimms);
	if (read_failure == EXIT_PERMISSION || (!nr_checked && read_failure)) {
		pm_label_set_release(&set);
		free(chk.checked);
		free(d);
		return read_failure;
	}
	pm_labels_check(set.facts, set.nr, true, d);
	chk.d = d;
	if (opts->json) {
		if (print_json(&chk) < 0) {
			cli_error(NULL, "out of memory");
			exit_code = EXIT_FAIL;
		}
	} else {
		for (size_t i = 0; i < set.nr; i++)
			if (set.facts[i].report)
				print_area(set.facts[i].dimm, set.facts[i].area);
		if (!nr_checked)
			printf("No DIMM has a label area.\n");
		else
			print_findings(d);
	}
	if (!exit_code)
		exit_code = d->any && d->worst == PM_SEV_ERROR ? EXIT_DOCTOR_ERROR :
			    d->any && d->worst == PM_SEV_WARNING ? EXIT_DOCTOR_WARNING :
			    read_failure ? EXIT_PARTIAL : EXIT_OK;
	pm_label_set_release(&set);
	free(chk.checked);
	free(d);
	return exit_code;
}
