// SPDX-License-Identifier: GPL-2.0-or-later
/* One runner for the verbs that change the platform: options, target, lock
 * and the guards before a destructive change. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "escape.h"
#include "change.h"
#include "../lib/compat.h"
#include "../lib/holders.h"
#include "../lib/lock.h"
#include "../lib/pmem.h"

#define CHANGE_MAX_OPTIONS 24
#define GO_ON (-1)		/* not an exit code: the run goes on */

static int needs_root(const struct change *ch)
{
	if (ch->dry_run || geteuid() == 0)
		return EXIT_OK;
	cli_error(ch->object, "%s needs root (--dry-run shows the plan without it)",
		  ch->verb->doing);
	return EXIT_PERMISSION;
}

/* A yes on a terminal stands for --force; anything else refuses. */
static bool confirm(const char *question)
{
	char answer[16];

	if (!isatty(STDIN_FILENO) || !isatty(STDERR_FILENO))
		return false;
	fprintf(stderr, "%s [y/N] ", esc(question));
	if (!fgets(answer, sizeof(answer), stdin))
		return false;
	return answer[0] == 'y' || answer[0] == 'Y';
}

/*
 * Refuses (with the holder named) a namespace in use, and one with a
 * personality or a filesystem signature unless --force or a yes, as the
 * verb's flags ask. Returns an exit code.
 */
static int guard_namespace(struct change *ch, const struct pm_namespace *ns)
{
	const char *doing = ch->verb->doing;
	char why[256], sig[32], question[384];
	bool has_sig;

	/* Its memory is the kernel's: the plan offlines it, no data is lost. */
	if ((ch->verb->flags & CHANGE_SYSTEM_RAM) && pm_namespace_system_ram(ch->pf, ns))
		return EXIT_OK;
	if ((ch->verb->flags & CHANGE_REFUSE_IN_USE) &&
	    pm_namespace_in_use(ch->pf, ns, why, sizeof(why)) == -EBUSY) {
		cli_error(ns->dev, "in use: %s; %s refused", why, doing);
		if (ch->verb->in_use)
			ch->verb->in_use(ch, ns);
		return EXIT_BUSY;
	}
	if (!(ch->verb->flags & CHANGE_ASK_DATA))
		return EXIT_OK;
	has_sig = pm_namespace_signature(ns, sig, sizeof(sig)) == 1;
	if (ns->mode == PM_MODE_RAW && !has_sig)
		return EXIT_OK;
	if (ch->force || ch->confirmed || ch->dry_run)
		return EXIT_OK;
	snprintf(why, sizeof(why), "%s %s%s%s%s", ns->dev,
		 ns->mode != PM_MODE_RAW ? "is " : "",
		 ns->mode != PM_MODE_RAW ? pm_ns_mode_name(ns->mode) : "",
		 has_sig ? (ns->mode != PM_MODE_RAW ? " and holds a " : "holds a ") : "",
		 has_sig ? sig : "");
	if (has_sig)
		strncat(why, " signature", sizeof(why) - strlen(why) - 1);
	snprintf(question, sizeof(question), "%s: %s destroys its data. Go on?",
		 why, doing);
	if (confirm(question)) {
		ch->confirmed = true;
		return EXIT_OK;
	}
	cli_error(ns->dev, "%s: %s destroys its data; add --force to go on",
		  why + strlen(ns->dev) + 1, doing);
	return EXIT_REFUSED;
}

/* CHANGE_ASK_PLAN: the plan's message is the question. */
static int ask_plan(struct change *ch)
{
	char question[384];

	if (!(ch->verb->flags & CHANGE_ASK_PLAN) || ch->force || ch->dry_run ||
	    ch->nothing_to_lose)
		return EXIT_OK;
	snprintf(question, sizeof(question), "%s: %s. Go on?", ch->object,
		 ch->res->message);
	if (confirm(question))
		return EXIT_OK;
	cli_error(ch->object, "%s; add --force to go on", ch->res->message);
	return EXIT_REFUSED;
}

/* The target namespace, or every namespace of the target region. */
static int guard(struct change *ch)
{
	int exit_code = EXIT_OK;

	if (!(ch->verb->flags & (CHANGE_REFUSE_IN_USE | CHANGE_ASK_DATA)))
		return EXIT_OK;
	if (ch->verb->guard)
		return ch->verb->guard(ch);
	if (ch->t.ns)
		return guard_namespace(ch, ch->t.ns);
	if (ch->t.daxdev && (ch->verb->flags & CHANGE_REFUSE_IN_USE)) {
		char why[256];

		if (pm_daxdev_in_use(ch->t.daxdev, why, sizeof(why)) == -EBUSY) {
			cli_error(ch->t.daxdev->dev, "in use: %s; %s refused", why,
				  ch->verb->doing);
			return EXIT_BUSY;
		}
		return EXIT_OK;
	}
	if (!ch->t.region)
		return EXIT_OK;
	for (size_t i = 0; i < ch->pf->nr_namespaces && !exit_code; i++)
		if (ch->pf->namespaces[i]->region == ch->t.region)
			exit_code = guard_namespace(ch, ch->pf->namespaces[i]);
	return exit_code;
}

static const char *target_noun(const struct change_verb *verb)
{
	if (verb->noun)
		return verb->noun;
	switch (verb->targets) {
	case CHANGE_REGION:
		return "region";
	case CHANGE_NAMESPACE:
		return "namespace";
	default:
		return "namespace or region";
	}
}

/* Finds name among the verb's kinds of target in ch->pf: 0 or -ENOENT. */
static int find_target(struct change *ch, const char *name)
{
	if (ch->verb->targets == CHANGE_REGION) {
		memset(&ch->t, 0, sizeof(ch->t));
		ch->t.pf = ch->pf;
		ch->t.name = name;
		ch->t.region = pm_find_region(ch->pf, name);
		return ch->t.region ? 0 : -ENOENT;
	}
	if (ch->verb->flags & CHANGE_CXL_DAX) {
		const char *base = strncmp(name, "/dev/", 5) == 0 ? name + 5 : name;

		memset(&ch->t, 0, sizeof(ch->t));
		ch->t.pf = ch->pf;
		ch->t.name = name;
		for (size_t i = 0; i < ch->pf->nr_daxdevs; i++) {
			struct pm_daxdev *dax = ch->pf->daxdevs[i];

			if (!dax->ns && dax->region && strcmp(dax->dev, base) == 0) {
				ch->t.daxdev = dax;
				ch->t.region = dax->region;
				snprintf(ch->t.device, sizeof(ch->t.device), "%s", base);
				return 0;
			}
		}
	}
	if (pm_resolve_target(ch->pf, name, &ch->t))
		return -ENOENT;
	if (!ch->t.ns && !(ch->verb->targets & CHANGE_REGION))
		return -ENOENT;
	return 0;
}

/* CXL regions share decoders and memdevs: one lock for all their changes. */
#define CXL_REGIONS_LOCK "cxl-regions"

/*
 * A lock that could not be taken, or a file that was no lock file: what
 * the user is told. object is what the lock is for.
 */
static int lock_error(const char *object, int rc, const struct pm_lock_note *note,
		      const char *held)
{
	if (note->text[0])
		cli_error(note->file, "%s", note->text);
	if (rc == -EBUSY) {
		cli_error(object, "another pmemctl is %s now; try again when it is done", held);
		return EXIT_BUSY;
	}
	if (rc < 0 && !note->text[0])
		cli_error(object, "cannot take the lock: %s", strerror(-rc));
	return rc < 0 ? EXIT_FAIL : EXIT_OK;
}

/*
 * The scope of a region: every change of one of its namespaces holds it
 * shared; a verb whose target is the region itself (destroy-region,
 * clear-errors or create-namespace on a region) exclusively, so that no
 * namespace of the region changes under it, nor it under them. Tried,
 * never waited for, as the target's lock.
 */
static int lock_scope(struct change *ch, const char *region, bool shared)
{
	const char *whole = ch->verb->whole ? ch->verb->whole : "changing it as a whole";
	struct pm_lock_note note;
	char name[80];
	int rc;

	snprintf(name, sizeof(name), "%s.scope", region);
	rc = pm_lock(name, shared, &ch->scope_lock, &note);
	if (rc < 0)
		return lock_error(region, rc, &note,
				  note.shared ? "changing a namespace of it" :
				  note.holder[0] ? note.holder : "changing it as a whole");
	lock_error(region, 0, &note, NULL);
	if (!shared)
		pm_lock_set_holder(ch->scope_lock, whole);
	return EXIT_OK;
}

int change_lock_more(struct change *ch, const char *name, bool shared,
		     const char *doing)
{
	struct pm_lock_note note;
	const char *scope = strstr(name, ".scope");
	char object[80];
	int rc, fd;

	if (ch->nr_more_locks == CHANGE_MAX_LOCKS) {
		cli_error(name, "too many locks: name fewer objects at a time");
		return EXIT_FAIL;
	}
	/* A scope's holder is named by its region. */
	snprintf(object, sizeof(object), "%.*s",
		 scope ? (int)(scope - name) : (int)strlen(name), name);
	rc = pm_lock(name, shared, &fd, &note);
	if (rc < 0)
		return lock_error(object, rc, &note,
				  note.shared ? "changing a part of it" :
				  note.holder[0] ? note.holder : "changing it");
	lock_error(object, 0, &note, NULL);
	if (!shared)
		pm_lock_set_holder(fd, doing);
	ch->more_locks[ch->nr_more_locks++] = fd;
	return EXIT_OK;
}

/*
 * Takes the target's lock, then reads its region again (another change may
 * have ended while we looked: the lock is only tried, never waited for),
 * and finds the target again in it. Only the region: nothing else is
 * what a namespace change plans on, and a whole new snapshot costs what
 * the listing does.
 */
static int lock_target(struct change *ch, const char *region, const char *dev,
		       bool namespace)
{
	struct pm_lock_note note;
	int exit_code, rc;

	/* A region target excludes every change of its namespaces. */
	if (region) {
		exit_code = lock_scope(ch, region, namespace);
		if (exit_code)
			return exit_code;
	}
	rc = pm_lock(dev, false, &ch->lock, &note);
	return lock_error(dev, rc, &note, "changing it");
}

static int relock(struct change *ch)
{
	struct pm_region *region = ch->t.ns ? ch->t.ns->region : ch->t.region;
	char dev[64];
	int exit_code, rc;

	/* Locked before the snapshot (lock_first()): it is fresh. */
	if (ch->lock >= 0)
		return EXIT_OK;
	snprintf(dev, sizeof(dev), "%s",
		 !(ch->verb->targets & CHANGE_OWN) || (ch->verb->flags & CHANGE_LOCK_OBJECT) ?
		 ch->object : ch->verb->lock ? ch->verb->lock : CXL_REGIONS_LOCK);
	exit_code = lock_target(ch, ch->verb->targets & CHANGE_OWN ? NULL : region->dev,
				dev, ch->t.ns != NULL);
	if (exit_code)
		return exit_code;
	/*
	 * CXL region changes plan on the whole platform: a new snapshot;
	 * namespaces of one region (CHANGE_OWN_NAMESPACES) on that region.
	 */
	if (ch->verb->targets & CHANGE_OWN) {
		region = ch->scope[0] ? pm_find_region(ch->pf, ch->scope) : NULL;
		if (region) {
			rc = pm_region_rescan(ch->pf, region);
			if (rc < 0) {
				cli_error(region->dev, "cannot read %s again: %s",
					  region->dev, strerror(-rc));
				return EXIT_FAIL;
			}
		} else {
			ch->pf = ctx_rescan(ch->ctx, &exit_code);
			if (!ch->pf)
				return exit_code;
		}
		exit_code = ch->verb->resolve(ch);
		if (exit_code || !ch->t.region)
			return exit_code;
		return lock_scope(ch, ch->t.region->dev, false);
	}
	/* A CXL ram region has no libndctl object to read again: all of it. */
	if (!region->ndregion) {
		ch->pf = ctx_rescan(ch->ctx, &exit_code);
		if (!ch->pf)
			return exit_code;
		rc = 0;
	} else {
		rc = pm_region_rescan(ch->pf, region);
	}
	if (rc < 0) {
		cli_error(dev, "cannot read %s again: %s", region->dev, strerror(-rc));
		return EXIT_FAIL;
	}
	if (find_target(ch, dev)) {
		cli_error(dev, "gone while waiting for the lock");
		return EXIT_NOT_FOUND;
	}
	return EXIT_OK;
}

int change_parse_mode(struct pmemctl_ctx *ctx, const char *arg, void *mode)
{
	if (pm_ns_mode_parse(arg, mode) < 0)
		return cli_usage_error(ctx, "unknown mode '%s': use raw, sector, fsdax, devdax or system-ram",
				       arg);
	return EXIT_OK;
}

int change_parse_align(struct pmemctl_ctx *ctx, const char *arg, void *align)
{
	uint64_t value;

	if (pm_parse_size(arg, &value) < 0 || !value || (value & (value - 1)))
		return cli_usage_error(ctx, "bad alignment '%s': a power of two such as 4K, 2M or 1G",
				       arg);
	*(uint64_t *)align = value;
	return EXIT_OK;
}

int change_parse_map(struct pmemctl_ctx *ctx, const char *arg, void *map)
{
	if (strcmp(arg, "mem") && strcmp(arg, "dev"))
		return cli_usage_error(ctx, "bad map '%s': use mem or dev", arg);
	*(const char **)map = arg;
	return EXIT_OK;
}

int change_parse_sector_size(struct pmemctl_ctx *ctx, const char *arg,
			     void *sector_size)
{
	uint64_t value;

	if (pm_parse_size(arg, &value) < 0 || !value || value > 65536)
		return cli_usage_error(ctx, "bad sector size '%s'", arg);
	*(unsigned int *)sector_size = value;
	return EXIT_OK;
}

static int change_exit_code(int err)
{
	switch (-err) {
	case 0:
		return EXIT_OK;
	case EINVAL:
		return EXIT_USAGE;
	case EOPNOTSUPP:
	case ENOENT:
	case ENOSPC:
		return EXIT_UNSUPPORTED;
	case EBUSY:
		return EXIT_BUSY;
	case EPERM:
	case EACCES:
		return EXIT_PERMISSION;
	case ENOKEY:			/* a key the security verbs need */
		return EXIT_NOT_FOUND;
	case ETIMEDOUT:			/* sanitize-dimm's wait, as scrub's */
		return EXIT_TIMEOUT;
	default:
		return EXIT_FAIL;
	}
}

/*
 * The verb's rows, then those every changing verb takes, in the order
 * --help and --list-opts show them: bound to ch and out, for cli_parse().
 */
static void compose_options(struct change *ch, struct out_opts *out,
			    struct cli_option *table)
{
	const struct cli_option common[] = {
		OPT_FLAG(CHANGE_OPT_DRY_RUN, "dry-run", &ch->dry_run, "print the plan; change nothing"),
		OPT_DOCUMENT_GROUP(out, "JSON report"),
		CLI_COMMON_OPTIONS,
	};
	const struct change_verb *verb = ch->verb;
	size_t n = 0;

	table[n++] = (struct cli_option)CLI_HEADING("Options:");
	for (const struct cli_option *o = verb->options; o && (o->name || o->help); o++)
		if (n < CHANGE_MAX_OPTIONS - ARRAY_SIZE(common) - 2)
			table[n++] = *o;
	if (verb->force_help)
		table[n++] = (struct cli_option)OPT_FLAG('f', "force", &ch->force,
							 verb->force_help);
	for (size_t i = 0; i < ARRAY_SIZE(common); i++)
		table[n++] = common[i];
	table[n] = (struct cli_option)CLI_END;
}

/* A row of the verb's without a value: its option callback's. */
static int verb_option(struct pmemctl_ctx *ctx, void *data, int key, const char *arg)
{
	struct change *ch = data;

	return ch->verb->option ? ch->verb->option(ch, key, arg) : GO_ON;
}

/* Options and the one target: an exit code, or GO_ON. */
static int parse_options(struct change *ch, int argc, char **argv)
{
	const struct change_verb *verb = ch->verb;
	struct cli_option table[CHANGE_MAX_OPTIONS];
	const char *noun = target_noun(verb);
	struct out_opts out = { 0 };
	const struct cli_parser parser = {
		.table = table, .usage_text = verb->usage,
		.usage_end = verb->usage_end, .out = &out,
		.spec = &change_report_spec, .option = verb_option, .data = ch,
	};
	int rc;

	compose_options(ch, &out, table);
	rc = cli_parse(ch->ctx, argc, argv, &parser);
	if (rc != CLI_GO_ON)
		return rc;
	ch->json = out.json;
	if (optind == argc)
		return cli_usage_error(ch->ctx, "no %s given", noun);
	if (verb->targets & CHANGE_OWN) {
		ch->names = argv + optind;
		ch->nr_names = argc - optind;
		return GO_ON;
	}
	if (optind + 1 != argc)
		return cli_usage_error(ch->ctx, "one %s at a time", noun);
	return GO_ON;
}

/*
 * Plan first: bad requests and no-ops need neither root nor the guards.
 * Root takes the lock before planning, so that what it plans is what
 * another change may have just left.
 */
static int plan_first(struct change *ch)
{
	int exit_code, rc;

	if (!ch->dry_run && geteuid() == 0) {
		exit_code = relock(ch);
		if (exit_code)
			return exit_code;
	}
	rc = ch->verb->plan(ch);
	if (rc || ch->res->noop) {
		change_report(ch->object, ch->res, ch->json, false);
		return change_exit_code(rc);
	}
	exit_code = needs_root(ch);
	if (!exit_code)
		exit_code = guard(ch);
	if (!exit_code)
		exit_code = ask_plan(ch);
	if (exit_code)
		return exit_code;
	if (ch->dry_run) {
		change_report(ch->object, ch->res, ch->json, true);
		return EXIT_OK;
	}
	rc = ch->verb->run(ch);
	change_report(ch->object, ch->res, ch->json, false);
	return change_exit_code(rc);
}

/*
 * Root first, and the guards before the lock, so that no question waits
 * with the lock held; then again on the fresh snapshot under the lock.
 */
static int root_first(struct change *ch)
{
	int exit_code, rc;

	exit_code = needs_root(ch);
	if (!exit_code)
		exit_code = guard(ch);
	if (exit_code)
		return exit_code;
	if (!ch->dry_run) {
		exit_code = relock(ch);
		if (!exit_code)
			exit_code = guard(ch);
		if (exit_code)
			return exit_code;
	}
	rc = ch->verb->run(ch);
	change_report(ch->object, ch->res, ch->json, ch->dry_run);
	return change_exit_code(rc);
}

/*
 * A target named as the kernel names it (namespaceX.Y, regionX) lies in
 * regionX: the snapshot then reads that region's namespaces only, and for
 * a namespace no DIMM (what changes a namespace never looks at). Other
 * names (a device node, a file, a mount point) are resolved against the
 * whole platform.
 */
static const char *region_named(const char *name, char *buf, size_t len,
				bool *namespace)
{
	unsigned int r, n;
	int end = 0;

	*namespace = sscanf(name, "namespace%u.%u%n", &r, &n, &end) == 2;
	if ((*namespace || sscanf(name, "region%u%n", &r, &end) == 1) &&
	    end && !name[end]) {
		snprintf(buf, len, "region%u", r);
		return buf;
	}
	*namespace = false;
	return NULL;
}

static bool in_sysfs(const char *name)
{
	char path[128];
	struct stat st;

	snprintf(path, sizeof(path), "/sys/bus/nd/devices/%s", name);
	return stat(path, &st) == 0;
}

/* A DIMM as the kernel names it: nmemN. */
static bool dimm_named(const char *name)
{
	unsigned int n;
	int end = 0;

	return sscanf(name, "nmem%u%n", &n, &end) == 1 && end && !name[end];
}

/*
 * Root's change with a plan (convert, enable, disable, the security
 * verbs, inject-smart), of targets named as the kernel names them and
 * there (namespaceX.Y or regionX; namespaces of one region for
 * CHANGE_OWN_NAMESPACES; one nmemN for a verb locking that DIMM):
 * plan_first() would take the locks first thing, then read the region,
 * or the whole platform, again under them. They are taken before the
 * snapshot instead, which is then read once (a verb's resolve takes its
 * targets' own locks under the runner's, as after relock()). A name not
 * there takes no lock (no lock file for a typo) and is refused as before.
 */
static bool lock_first(const struct change *ch, const char *scope,
		       const char *name, bool namespace)
{
	const struct change_verb *verb = ch->verb;
	bool dimms;

	if (!verb->plan || ch->dry_run || geteuid() != 0)
		return false;
	if (!(verb->targets & CHANGE_OWN))
		return scope && (verb->targets & (namespace ? CHANGE_NAMESPACE : CHANGE_REGION)) &&
		       in_sysfs(name);
	/* A DIMM's own lock (the security verbs, inject-smart): one DIMM. */
	dimms = !ch->scope[0] && (verb->flags & CHANGE_LOCK_OBJECT) &&
		verb->noun && strcmp(verb->noun, "DIMM") == 0 && ch->nr_names == 1;
	if ((!ch->scope[0] && !dimms) || ch->nr_names < 1 ||
	    ((verb->flags & CHANGE_LOCK_OBJECT) && !dimms))
		return false;
	for (int i = 0; i < ch->nr_names; i++)
		if ((dimms && !dimm_named(ch->names[i])) || !in_sysfs(ch->names[i]))
			return false;
	return true;
}

/* CHANGE_OWN_NAMESPACES: the one region of names all namespaceX.Y, or NULL. */
static const char *namespaces_region(struct change *ch, char *buf, size_t len)
{
	char other[32];
	bool namespace;

	for (int i = 0; i < ch->nr_names; i++) {
		if (!region_named(ch->names[i], i ? other : buf, i ? sizeof(other) : len,
				  &namespace) || !namespace ||
		    (i && strcmp(other, buf))) {
			buf[0] = '\0';
			return NULL;
		}
	}
	return ch->nr_names ? buf : NULL;
}

int change_run(struct pmemctl_ctx *ctx, const struct change_verb *verb,
	       void *args, int argc, char **argv)
{
	struct change ch = { .ctx = ctx, .verb = verb, .args = args, .lock = -1,
			     .scope_lock = -1 };
	const char *name, *scope = NULL;
	bool one_namespace = false;
	char region[32];
	int exit_code;

	exit_code = parse_options(&ch, argc, argv);
	if (exit_code != GO_ON)
		return exit_code;
	name = argv[optind];
	if (verb->check) {
		exit_code = verb->check(&ch);
		if (exit_code)
			return exit_code;
	}
	/*
	 * CXL region changes (their own targets) read the whole platform;
	 * enable and disable of namespaces of one region, that region.
	 */
	if (!(verb->targets & CHANGE_OWN)) {
		scope = region_named(name, region, sizeof(region), &one_namespace);
	} else if (verb->flags & CHANGE_OWN_NAMESPACES) {
		scope = namespaces_region(&ch, ch.scope, sizeof(ch.scope));
		one_namespace = scope != NULL;
	}
	if (lock_first(&ch, scope, name, one_namespace)) {
		if (!(verb->targets & CHANGE_OWN))
			exit_code = lock_target(&ch, scope, name, one_namespace);
		else if (verb->flags & CHANGE_LOCK_OBJECT)
			exit_code = lock_target(&ch, NULL, name, false);
		else
			exit_code = lock_target(&ch, NULL, verb->lock ? verb->lock :
						CXL_REGIONS_LOCK, false);
		if (exit_code)
			goto out;
	}
	ch.pf = ctx_platform_region(ctx, scope, !one_namespace, &exit_code);
	if (!ch.pf)
		goto out;
	if (verb->targets & CHANGE_OWN) {
		exit_code = verb->resolve(&ch);
		if (exit_code)
			goto out;
	} else if (find_target(&ch, name)) {
		cli_error(name, "no such %s", target_noun(verb));
		exit_code = EXIT_NOT_FOUND;
		goto out;
	} else {
		snprintf(ch.object, sizeof(ch.object), "%s",
			 ch.t.ns ? ch.t.ns->dev : ch.t.daxdev && !ch.t.ns ?
			 ch.t.daxdev->dev : ch.t.region->dev);
	}
	ch.res = calloc(1, sizeof(*ch.res));
	if (!ch.res) {
		exit_code = EXIT_FAIL;
		goto out;
	}
	exit_code = verb->plan ? plan_first(&ch) : root_first(&ch);
	free(ch.res->ranges);
	free(ch.res);
out:
	pm_unlock(ch.lock);
	pm_unlock(ch.scope_lock);
	for (size_t i = ch.nr_more_locks; i-- > 0;)
		pm_unlock(ch.more_locks[i]);
	return exit_code;
}
