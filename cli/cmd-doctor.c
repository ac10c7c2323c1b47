// SPDX-License-Identifier: GPL-2.0-or-later
/* pmemctl doctor: is data durable here, and what must a program do? */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "findings.h"
#include "pmemctl.h"
#include "../lib/compat.h"
#include "../lib/doctor.h"
#include "../lib/pmem.h"
#include "../lib/cxl.h"

/* The verdict for the target's namespace, or the platform's. */
struct verdict {
	const char *domain;
	const char *granularity;
	const char *recipe;
	const char *deep_flush_path;
	int map_sync;			/* -1: not applicable */
	/*
	 * "regionN: why", for the regions that set the domain and say why
	 * (unknown, none, CXL); NULL-terminated, the strings owned.
	 */
	char **reasons;
};

/* A region's reason, when it gives one, as "regionN: reason". */
static void add_reason(struct verdict *v, size_t *n, const struct pm_region *region)
{
	if (v->reasons && region->domain_reason &&
	    asprintf(&v->reasons[*n], "%s: %s", region->dev, region->domain_reason) > 0)
		(*n)++;
}

static void verdict_of(const struct pm_platform *pf,
		       const struct pm_diagnosis *d, struct verdict *v)
{
	const struct pm_namespace *ns = d->has_target ? d->target.ns : pf->weakest;
	const struct pm_region *region = d->has_target ? d->target.region : NULL;

	size_t n = 0;

	memset(v, 0, sizeof(*v));
	v->map_sync = -1;
	v->domain = pm_domain_name(region ? region->domain : pf->verdict);
	/* Out of memory: no reasons, an empty list, rather than no verdict. */
	v->reasons = calloc(pf->nr_regions + 2, sizeof(char *));
	if (region)
		add_reason(v, &n, region);
	for (size_t i = 0; !d->has_target && i < pf->nr_regions; i++)
		if (pm_region_is_pmem(pf->regions[i]) &&
		    pf->regions[i]->domain == pf->verdict)
			add_reason(v, &n, pf->regions[i]);
	if (!ns)
		return;
	v->granularity = pm_granularity_name(ns->granularity);
	v->recipe = pm_namespace_recipe(ns);
	v->deep_flush_path = pm_namespace_deep_flush_path(ns);
	/*
	 * A file answers for itself: its mount may not be DAX. So does a
	 * directory, for the files made in it.
	 */
	v->map_sync = d->map_sync >= 0 ? d->map_sync : d->dax == 0 ? 0 : ns->map_sync;
	if ((d->map_sync == 0 || d->dax == 0) && ns->granularity > PM_GRAN_PAGE) {
		v->granularity = pm_granularity_name(PM_GRAN_PAGE);
		v->recipe = "not DAX here: msync() or fsync() after writing";
	}
}

/* doctor --json: one document, each key a column of this spec. */
enum {
	DOCTOR_DOCUMENT, DOCTOR_TARGET, DOCTOR_VERDICT, DOCTOR_FINDING, DOCTOR_FILE,
	DOCTOR_NR_KINDS
};

#define DIAGNOSIS(obj) ((const struct pm_diagnosis *)(obj)->ptr)
#define VERDICT(obj) ((const struct verdict *)(obj)->ptr)
#define DAMAGED(obj) ((const struct pm_damaged_file *)(obj)->ptr)

static void get_worst(const struct out_obj *obj, struct out_cell *cell)
{
	const struct pm_diagnosis *d = DIAGNOSIS(obj);

	cell->str = d->any ? pm_severity_name(d->worst) : "none";
}

static void get_target_name(const struct out_obj *obj, struct out_cell *cell)
{
	cell->str = DIAGNOSIS(obj)->target.name;
}

static void get_target_region(const struct out_obj *obj, struct out_cell *cell)
{
	cell->str = DIAGNOSIS(obj)->target.region->dev;
}

static void get_target_namespace(const struct out_obj *obj, struct out_cell *cell)
{
	const struct pm_namespace *ns = DIAGNOSIS(obj)->target.ns;

	cell->null = !ns;
	cell->str = ns ? ns->dev : NULL;
}

static void get_target_device(const struct out_obj *obj, struct out_cell *cell)
{
	cell->str = DIAGNOSIS(obj)->target.device;
	cell->null = !cell->str[0];
}

static void get_target_file(const struct out_obj *obj, struct out_cell *cell)
{
	cell->b = DIAGNOSIS(obj)->is_file;
}

static void get_target_dax(const struct out_obj *obj, struct out_cell *cell)
{
	cell->b = DIAGNOSIS(obj)->dax > 0;
	cell->null = DIAGNOSIS(obj)->dax < 0;
}

static void get_target_map_sync(const struct out_obj *obj, struct out_cell *cell)
{
	cell->b = DIAGNOSIS(obj)->map_sync > 0;
	cell->null = DIAGNOSIS(obj)->map_sync < 0;
}

static void get_target_mount(const struct out_obj *obj, struct out_cell *cell)
{
	cell->str = DIAGNOSIS(obj)->mount;
	cell->null = !cell->str[0];
}

static void get_target_mount_options(const struct out_obj *obj, struct out_cell *cell)
{
	cell->str = DIAGNOSIS(obj)->mount_options;
	cell->null = !cell->str[0];
}

static void get_verdict_domain(const struct out_obj *obj, struct out_cell *cell)
{
	cell->str = VERDICT(obj)->domain;
	cell->null = !cell->str;
}

static void get_verdict_reasons(const struct out_obj *obj, struct out_cell *cell)
{
	static const char *none[] = { NULL };

	cell->strv = VERDICT(obj)->reasons ? (const char **)VERDICT(obj)->reasons : none;
}

static void verdict_release(struct verdict *v)
{
	for (size_t i = 0; v->reasons && v->reasons[i]; i++)
		free(v->reasons[i]);
	free(v->reasons);
}

static void get_verdict_granularity(const struct out_obj *obj, struct out_cell *cell)
{
	cell->str = VERDICT(obj)->granularity;
	cell->null = !cell->str;
}

static void get_verdict_recipe(const struct out_obj *obj, struct out_cell *cell)
{
	cell->str = VERDICT(obj)->recipe;
	cell->null = !cell->str;
}

static void get_verdict_deep_flush(const struct out_obj *obj, struct out_cell *cell)
{
	cell->str = VERDICT(obj)->deep_flush_path;
	cell->null = !cell->str;
}

static void get_verdict_map_sync(const struct out_obj *obj, struct out_cell *cell)
{
	cell->b = VERDICT(obj)->map_sync > 0;
	cell->null = VERDICT(obj)->map_sync < 0;
}

static void get_file_path(const struct out_obj *obj, struct out_cell *cell)
{
	cell->str = DAMAGED(obj)->path;
}

static void get_file_offset(const struct out_obj *obj, struct out_cell *cell)
{
	cell->u = DAMAGED(obj)->offset;
}

static void get_file_length(const struct out_obj *obj, struct out_cell *cell)
{
	cell->u = DAMAGED(obj)->length;
}

static void get_file_unwritten(const struct out_obj *obj, struct out_cell *cell)
{
	cell->b = DAMAGED(obj)->unwritten;
}

#define DOC (1u << DOCTOR_DOCUMENT)
#define TGT (1u << DOCTOR_TARGET)
#define VRD (1u << DOCTOR_VERDICT)
#define FND (1u << DOCTOR_FINDING)
#define FIL (1u << DOCTOR_FILE)

/* Keys come out in this order, kind by kind. */
static const struct out_column doctor_columns[] = {
	{ "DOCTOR.TARGET", "target", "what was named, resolved; null for the whole platform",
	  OUT_OBJECT, DOC, 0, NULL, DOCTOR_TARGET },
	{ "DOCTOR.VERDICT", "verdict", "is data durable, and what must a program do after a store",
	  OUT_OBJECT, DOC, 0, NULL, DOCTOR_VERDICT },
	{ "DOCTOR.FINDINGS", "findings", "what is wrong or worth knowing, in the order found",
	  OUT_ARRAY, DOC, 0, NULL, DOCTOR_FINDING },
	{ "DOCTOR.WORST", "worst", "the worst severity found: none, info, warning or error",
	  OUT_STRING, DOC, 0, get_worst },

	{ "TARGET.NAME", "name", "the target as given", OUT_STRING, TGT, 0,
	  get_target_name },
	{ "TARGET.REGION", "region", "the region it is on", OUT_STRING, TGT, 0,
	  get_target_region },
	{ "TARGET.NAMESPACE", "namespace", "the namespace it is on; null when a region was named",
	  OUT_STRING, TGT, 0, get_target_namespace },
	{ "TARGET.DEVICE", "device", "the device it resolved through (pmem0, dax0.0), or null",
	  OUT_STRING, TGT, 0, get_target_device },
	{ "TARGET.FILE", "file", "a file or directory was named", OUT_BOOL, TGT, 0,
	  get_target_file },
	{ "TARGET.DAX", "dax", "the file is DAX (statx), or the directory's new files are (the mount's dax option and the directory's DAX flag); null when unknown",
	  OUT_BOOL, TGT, 0, get_target_dax },
	{ "TARGET.MAP_SYNC", "map_sync", "a MAP_SYNC mapping of the file worked (tried for real); null when not tried",
	  OUT_BOOL, TGT, 0, get_target_map_sync },
	{ "TARGET.MOUNT", "mount", "the mount point of a file or directory, or null",
	  OUT_STRING, TGT, 0, get_target_mount },
	{ "TARGET.MOUNT_OPTIONS", "mount_options", "that mount's own options (rw,relatime), or null",
	  OUT_STRING, TGT, 0, get_target_mount_options },

	{ "VERDICT.PERSISTENCE_DOMAIN", "persistence_domain", "the target region's domain, or the platform's (the weakest)",
	  OUT_STRING, VRD, 0, get_verdict_domain },
	{ "VERDICT.REASONS", "reasons", "why: \"regionN: reason\" for each region setting the domain whose kernel or firmware says why (unknown, none, CXL); [] when the firmware declares it",
	  OUT_STRV, VRD, 0, get_verdict_reasons },
	{ "VERDICT.GRANULARITY", "granularity", "byte, cache-line or page; null without a namespace",
	  OUT_STRING, VRD, 0, get_verdict_granularity },
	{ "VERDICT.RECIPE", "recipe", "what a program must do after a store",
	  OUT_STRING, VRD, 0, get_verdict_recipe },
	{ "VERDICT.DEEP_FLUSH_PATH", "deep_flush_path", "how pmemctl deep-flush reaches it",
	  OUT_STRING, VRD, 0, get_verdict_deep_flush },
	{ "VERDICT.MAP_SYNC", "map_sync", "MAP_SYNC mappings work here (for a file: as tried)",
	  OUT_BOOL, VRD, 0, get_verdict_map_sync },

	FINDING_COLUMNS("FINDING.", FND, "pmemctl-doctor(1)",
			"what it is about: region0, nmem3, a path, platform, cpu"),
	{ "FINDING.FILES", "files", "media-error: the file bytes it hit; [] for other findings",
	  OUT_ARRAY, FND, 0, NULL, DOCTOR_FILE },

	{ "FILE.PATH", "path", "the damaged file", OUT_STRING, FIL, 0, get_file_path },
	{ "FILE.OFFSET", "offset", "where the damaged bytes start in the file",
	  OUT_UINT, FIL, 0, get_file_offset },
	{ "FILE.LENGTH", "length", "how many bytes, clipped to the file's size",
	  OUT_UINT, FIL, 0, get_file_length },
	{ "FILE.UNWRITTEN", "unwritten", "they are in a preallocated extent never written: no data lost",
	  OUT_BOOL, FIL, 0, get_file_unwritten },
};

static const char *const doctor_kinds[] = {
	"doctor", "target", "verdict", "finding", "file",
};

static const struct out_spec doctor_spec = {
	.columns = doctor_columns,
	.nr_columns = ARRAY_SIZE(doctor_columns),
	.kind_keys = doctor_kinds,
	.kind_names = doctor_kinds,
	.nr_kinds = DOCTOR_NR_KINDS,
	.document = OUT_DOC_OBJECT,
	.root_kind = DOCTOR_DOCUMENT,
	.schema_version = 3,		/* 2: findings[].files; 3: verdict.reasons */
};

static int print_json(const struct pm_diagnosis *d, const struct verdict *v)
{
	struct out_node root = { .obj = { DOCTOR_DOCUMENT, d } };
	struct out_opts opts = { .output_all = true };
	struct out_selection sel;
	struct json_object *j = NULL;
	bool ok = true;

	out_select(&doctor_spec, &opts, (1u << DOCTOR_NR_KINDS) - 1, &sel, NULL, 0);
	if (d->has_target)
		ok = out_node_add(&root, DOCTOR_TARGET, d) != NULL;
	ok = ok && out_node_add(&root, DOCTOR_VERDICT, v);
	for (size_t i = 0; ok && i < d->nr_findings; i++) {
		const struct pm_finding *f = &d->findings[i];
		struct out_node *node = out_node_add(&root, DOCTOR_FINDING, f);

		ok = node != NULL;
		for (size_t k = 0; ok && k < f->nr_files; k++)
			ok = out_node_add(node, DOCTOR_FILE, &f->files[k]) != NULL;
	}
	if (ok)
		j = out_document_json(&doctor_spec, &sel, &root);
	out_node_free(&root);
	if (!j)
		return -ENOMEM;
	return out_print_document(stdout, &doctor_spec, j);
}

/* As mount(8) shows it: the mount's options, then the filesystem's. */
static void print_mount(const struct pm_diagnosis *d)
{
	const char *opt = d->mount_super_options;

	printf("  mount        %s type %s (%s", esc(d->mount), esc(d->mount_fstype),
	       esc(d->mount_options));
	while (*opt) {
		size_t len = strcspn(opt, ",");
		const char *have = d->mount_options;
		bool dup = false;

		for (size_t n; *have; have += n + (have[n] == ',')) {
			n = strcspn(have, ",");
			if (n == len && strncmp(have, opt, len) == 0)
				dup = true;
		}
		if (!dup) {
			char *one = strndup(opt, len);

			printf(",%s", one ? esc(one) : "?");
			free(one);
		}
		opt += len + (opt[len] == ',');
	}
	printf(")\n");
}

static void print_human(const struct pm_diagnosis *d, const struct verdict *v)
{
	if (d->has_target) {
		const struct pm_namespace *ns = d->target.ns;

		printf("%s\n", esc(d->target.name));
		if (ns)
			printf("  on           %s (%s%s%s) in %s (%s)\n", esc(ns->dev),
			       pm_ns_mode_name(ns->mode), ns->blockdev || ns->chardev ? ", /dev/" : "",
			       esc(ns->blockdev ? ns->blockdev : ns->chardev ? ns->chardev : ""),
			       esc(d->target.region->dev), esc(d->target.region->bus->provider));
		else
			printf("  region       %s (%s)\n", esc(d->target.region->dev),
			       esc(d->target.region->bus->provider));
		if (d->is_file) {
			printf("  dax          %s\n", d->dax < 0 ? "unknown" : d->dax ? "yes" : "no");
			printf("  MAP_SYNC     %s\n", d->map_sync < 0 ? "not tried" :
			       d->map_sync ? "works (tested)" : "refused (tested)");
			if (d->mount[0])
				print_mount(d);
		}
	} else {
		printf("platform\n");
	}
	printf("  persistence  %s\n", v->domain);
	for (size_t i = 0; v->reasons && v->reasons[i]; i++)
		printf("  why          %s\n", esc(v->reasons[i]));
	if (v->granularity) {
		printf("  granularity  %s\n", v->granularity);
		printf("  after store  %s\n", v->recipe);
		printf("  deep flush   %s\n", v->deep_flush_path);
	}
	if (!d->nr_findings) {
		printf("\nNo findings.\n");
		return;
	}
	printf("\nFindings:\n");
	for (size_t i = 0; i < d->nr_findings; i++) {
		const struct pm_finding *f = &d->findings[i];

		printf("  %-7s %-12s %s\n", pm_severity_name(f->severity), esc(f->object),
		       esc(f->message));
		/* The message names as many as fit: here, every one. */
		for (size_t k = 0; f->nr_files > 1 && k < f->nr_files; k++)
			printf("  %-7s %-12s file: %s bytes %llu-%llu\n", "", "",
			       esc(f->files[k].path), (unsigned long long)f->files[k].offset,
			       (unsigned long long)(f->files[k].offset + f->files[k].length - 1));
		if (f->fix[0])
			printf("  %-7s %-12s fix: %s\n", "", "", esc(f->fix));
	}
}

static struct out_opts param;

static const struct cli_option options[] = {
	CLI_HEADING("Options:"),
	OPT_DOCUMENT_GROUP(&param, "JSON: {\"target\", \"verdict\", \"findings\", \"worst\"}"),
	CLI_COMMON_OPTIONS,
	CLI_END,
};

static void usage(void)
{
	printf("Usage: pmemctl doctor [options] [TARGET]\n"
	       "\n"
	       "Is data durable here, and what must a program do after a store?\n"
	       "TARGET: a file or mount point (resolved through partitions and\n"
	       "device-mapper to its namespace and region; MAP_SYNC is tried for\n"
	       "real on a file), a device, a namespace or a region. Without\n"
	       "TARGET: the whole platform. Then the findings, by severity.\n"
	       "\n");
	cli_print_options(stdout, options);
	printf("\n"
	       "Exit: 0 nothing worse than info, 10 warnings, 11 errors (data can\n"
	       "be lost), 3 unknown target. See pmemctl-doctor(1).\n");
}

int cmd_doctor(int argc, char **argv, struct pmemctl_ctx *ctx)
{
	struct pm_diagnosis *d;
	struct pm_platform *pf;
	const struct cli_parser parser = {
		.table = options, .usage = usage, .out = &param, .spec = &doctor_spec,
	};
	struct verdict v;
	int rc, exit_code;

	/* Media errors: a CXL region's include its memdevs' poison. */
	pm_cxl_poison_want(true);
	exit_code = cli_parse(ctx, argc, argv, &parser);
	if (exit_code != CLI_GO_ON)
		return exit_code;
	exit_code = EXIT_OK;
	if (argc - optind > 1)
		return cli_usage_error(ctx, "one target at a time");
	pf = ctx_platform(ctx, &exit_code);
	if (!pf)
		return exit_code;
	d = calloc(1, sizeof(*d));
	if (!d)
		return EXIT_FAIL;
	rc = pm_doctor(pf, optind < argc ? argv[optind] : NULL, d);
	if (rc == -ENODEV) {
		cli_error(argv[optind], "not on persistent memory (it is on %s)",
			  d->target.device[0] ? d->target.device : "another device");
		free(d);
		return EXIT_NOT_FOUND;
	}
	if (rc == -EXDEV) {
		cli_error(argv[optind], "a path on this machine says nothing about the replayed one: name a region, namespace or device (region0, namespace0.0, pmem0)");
		free(d);
		return EXIT_USAGE;
	}
	if (rc) {
		cli_error(argv[optind], "no such region, namespace, device or file");
		free(d);
		return EXIT_NOT_FOUND;
	}
	verdict_of(pf, d, &v);
	if (param.json && print_json(d, &v) < 0) {
		cli_error(NULL, "out of memory");
		verdict_release(&v);
		pm_diagnosis_release(d);
		free(d);
		return EXIT_FAIL;
	}
	if (!param.json)
		print_human(d, &v);
	verdict_release(&v);
	exit_code = !d->any || d->worst == PM_SEV_INFO ? EXIT_OK :
		    d->worst == PM_SEV_WARNING ? EXIT_DOCTOR_WARNING : EXIT_DOCTOR_ERROR;
	pm_diagnosis_release(d);
	free(d);
	return exit_code;
}
