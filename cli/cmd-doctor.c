// SPDX-License-Identifier: GPL-2.0-or-later
/* pmemctl doctor: is data durable here, and what must a program do? */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "pmemctl.h"
#include "../lib/doctor.h"
#include "../lib/pmem.h"

/* The verdict for the target's namespace, or the platform's. */
struct verdict {
	const char *domain;
	const char *granularity;
	const char *recipe;
	const char *deep_flush_path;
	int map_sync;			/* -1: not applicable */
};

static void verdict_of(const struct pm_platform *pf,
		       const struct pm_diagnosis *d, struct verdict *v)
{
	const struct pm_namespace *ns = d->has_target ? d->target.ns : pf->weakest;
	const struct pm_region *region = d->has_target ? d->target.region : NULL;

	memset(v, 0, sizeof(*v));
	v->map_sync = -1;
	v->domain = pm_domain_name(region ? region->domain : pf->verdict);
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

static struct json_object *str_or_null(const char *s)
{
	return s && s[0] ? json_object_new_string(s) : NULL;
}

static struct json_object *tristate(int v)
{
	return v < 0 ? NULL : json_object_new_boolean(v);
}

static void print_json(const struct pm_diagnosis *d, const struct verdict *v)
{
	struct json_object *root = json_object_new_object();
	struct json_object *jv = json_object_new_object();
	struct json_object *findings = json_object_new_array();

	if (d->has_target) {
		struct json_object *t = json_object_new_object();

		json_object_object_add(t, "name", json_object_new_string(d->target.name));
		json_object_object_add(t, "region", json_object_new_string(d->target.region->dev));
		json_object_object_add(t, "namespace", d->target.ns ?
				       json_object_new_string(d->target.ns->dev) : NULL);
		json_object_object_add(t, "device", str_or_null(d->target.device));
		json_object_object_add(t, "file", json_object_new_boolean(d->is_file));
		json_object_object_add(t, "dax", tristate(d->dax));
		json_object_object_add(t, "map_sync", tristate(d->map_sync));
		json_object_object_add(t, "mount", str_or_null(d->mount));
		json_object_object_add(t, "mount_options", str_or_null(d->mount_options));
		json_object_object_add(root, "target", t);
	} else {
		json_object_object_add(root, "target", NULL);
	}
	json_object_object_add(jv, "persistence_domain", str_or_null(v->domain));
	json_object_object_add(jv, "granularity", str_or_null(v->granularity));
	json_object_object_add(jv, "recipe", str_or_null(v->recipe));
	json_object_object_add(jv, "deep_flush_path", str_or_null(v->deep_flush_path));
	json_object_object_add(jv, "map_sync", tristate(v->map_sync));
	json_object_object_add(root, "verdict", jv);
	for (size_t i = 0; i < d->nr_findings; i++) {
		const struct pm_finding *f = &d->findings[i];
		struct json_object *jf = json_object_new_object();

		json_object_object_add(jf, "severity", json_object_new_string(pm_severity_name(f->severity)));
		json_object_object_add(jf, "code", json_object_new_string(f->code));
		json_object_object_add(jf, "object", json_object_new_string(f->object));
		json_object_object_add(jf, "message", json_object_new_string(f->message));
		json_object_object_add(jf, "fix", str_or_null(f->fix));
		json_object_array_add(findings, jf);
	}
	json_object_object_add(root, "findings", findings);
	json_object_object_add(root, "worst", json_object_new_string(d->any ?
			       pm_severity_name(d->worst) : "none"));
	out_print_json(stdout, root);
}

/* As mount(8) shows it: the mount's options, then the filesystem's. */
static void print_mount(const struct pm_diagnosis *d)
{
	const char *opt = d->mount_super_options;

	printf("  mount        %s type %s (%s", d->mount, d->mount_fstype,
	       d->mount_options);
	while (*opt) {
		size_t len = strcspn(opt, ",");
		const char *have = d->mount_options;
		bool dup = false;

		for (size_t n; *have; have += n + (have[n] == ',')) {
			n = strcspn(have, ",");
			if (n == len && strncmp(have, opt, len) == 0)
				dup = true;
		}
		if (!dup)
			printf(",%.*s", (int)len, opt);
		opt += len + (opt[len] == ',');
	}
	printf(")\n");
}

static void print_human(const struct pm_diagnosis *d, const struct verdict *v)
{
	if (d->has_target) {
		const struct pm_namespace *ns = d->target.ns;

		printf("%s\n", d->target.name);
		if (ns)
			printf("  on           %s (%s%s%s) in %s (%s)\n", ns->dev,
			       pm_ns_mode_name(ns->mode), ns->blockdev || ns->chardev ? ", /dev/" : "",
			       ns->blockdev ? ns->blockdev : ns->chardev ? ns->chardev : "",
			       d->target.region->dev, d->target.region->bus->provider);
		else
			printf("  region       %s (%s)\n", d->target.region->dev,
			       d->target.region->bus->provider);
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

		printf("  %-7s %-12s %s\n", pm_severity_name(f->severity), f->object,
		       f->message);
		if (f->fix[0])
			printf("  %-7s %-12s fix: %s\n", "", "", f->fix);
	}
}

static void usage(void)
{
	printf("Usage: pmemctl doctor [options] [TARGET]\n"
	       "\n"
	       "Is data durable here, and what must a program do after a store?\n"
	       "TARGET: a file or mount point (resolved through partitions and\n"
	       "device-mapper to its namespace and region; MAP_SYNC is tried for\n"
	       "real on a file), a device, a namespace or a region. Without\n"
	       "TARGET: the whole platform. Then the findings, by severity.\n"
	       "\n"
	       "Options:\n"
	       "  -J, --json             JSON: {\"target\", \"verdict\", \"findings\", \"worst\"}\n"
	       "  -h, --help             show this help\n"
	       "\n"
	       "Exit: 0 nothing worse than info, 10 warnings, 11 errors (data can\n"
	       "be lost), 3 unknown target. See pmemctl-doctor(1).\n");
}

static const struct option options[] = {
	{ "json", no_argument, NULL, 'J' },
	COMMON_LONG_OPTS,
	{ NULL, 0, NULL, 0 },
};

int cmd_doctor(int argc, char **argv, struct pmemctl_ctx *ctx)
{
	struct pm_diagnosis *d;
	struct pm_platform *pf;
	struct verdict v;
	bool json = false;
	int c, rc, exit_code = EXIT_OK;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":Jh", options, NULL)) != -1) {
		switch (c) {
		case 'J':
			json = true;
			break;
		default:
			return other_option(ctx, c, argv, options, usage);
		}
	}
	if (argc - optind > 1)
		return pm_usage_error(ctx, "one target at a time");
	pf = pm_ctx_platform(ctx, &exit_code);
	if (!pf)
		return exit_code;
	d = calloc(1, sizeof(*d));
	if (!d)
		return EXIT_FAIL;
	rc = pm_doctor(pf, optind < argc ? argv[optind] : NULL, d);
	if (rc == -ENODEV) {
		pm_error(argv[optind], "not on persistent memory (it is on %s)",
			 d->target.device[0] ? d->target.device : "another device");
		free(d);
		return EXIT_NOT_FOUND;
	}
	if (rc == -EXDEV) {
		pm_error(argv[optind], "a path on this machine says nothing about the replayed one: name a region, namespace or device (region0, namespace0.0, pmem0)");
		free(d);
		return EXIT_USAGE;
	}
	if (rc) {
		pm_error(argv[optind], "no such region, namespace, device or file");
		free(d);
		return EXIT_NOT_FOUND;
	}
	verdict_of(pf, d, &v);
	if (json)
		print_json(d, &v);
	else
		print_human(d, &v);
	exit_code = !d->any || d->worst == PM_SEV_INFO ? EXIT_OK :
		    d->worst == PM_SEV_WARNING ? EXIT_DOCTOR_WARNING : EXIT_DOCTOR_ERROR;
	free(d);
	return exit_code;
}
