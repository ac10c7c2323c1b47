// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * init-labels, zero-labels, restore-labels: a DIMM's label area written
 * with its regions taken down, undone when a step fails; the verbs'
 * shared callbacks (each verb is in its cmd-*-labels.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "labels-write.h"
#include "../lib/labels-write.h"
#include "../lib/lock.h"
#include "../lib/pmem.h"


int labels_option(struct change *ch, int c, const char *arg)
{
	struct labels_args *a = ch->args;

	switch (c) {
	case OPT_LABEL_VERSION:
		if (strcmp(arg, "1.1") == 0 || strcmp(arg, "v1.1") == 0)
			a->change.version = 101;
		else if (strcmp(arg, "1.2") == 0 || strcmp(arg, "v1.2") == 0)
			a->change.version = 102;
		else
			return cli_usage_error(ch->ctx, "unknown label version '%s': use 1.1 or 1.2",
					       arg);
		a->change.version_given = true;
		return EXIT_OK;
	case OPT_FROM:
		a->from = arg;
		return EXIT_OK;
	}
	return -1;
}

int labels_check(struct change *ch)
{
	struct labels_args *a = ch->args;

	if (a->change.op == PM_LABELS_RESTORE && !a->from)
		return cli_usage_error(ch->ctx, "no backup given (--from FILE)");
	return EXIT_OK;
}

/* restore-labels: the backup, checked against its checksum and DIMM id. */
static int load_backup(struct change *ch, const struct pm_dimm *dimm)
{
	struct labels_args *a = ch->args;
	char why[256];
	bool id_matches;
	size_t len;
	int rc;

	if (!a->image) {
		rc = pm_labels_backup_load(a->from, dimm->id, &a->image, &len, &id_matches,
					   why, sizeof(why));
		if (rc) {
			cli_error(a->from, "%s", rc == -EINVAL ? why : strerror(-rc));
			return rc == -EINVAL ? EXIT_USAGE : EXIT_FAIL;
		}
		a->change.image = a->image;
		a->change.image_size = len;
		if (!id_matches && !ch->force) {
			cli_error(a->from, "%s, not of %s (%s): add --force to restore it all the same",
				  why, dimm->dev, dimm->id ? dimm->id : "no id");
			return EXIT_REFUSED;
		}
	}
	return EXIT_OK;
}

/* The names given: DIMMs, each once. Called again under the lock. */
int labels_resolve(struct change *ch)
{
	struct labels_args *a = ch->args;
	size_t len = 0;

	pm_labels_change_free(&a->change);
	a->change.nr_dimms = 0;
	if (a->change.op == PM_LABELS_RESTORE && ch->nr_names != 1)
		return cli_usage_error(ch->ctx, "one DIMM at a time: a backup is one DIMM's");
	for (int i = 0; i < ch->nr_names; i++) {
		struct pm_dimm *dimm = pm_find_dimm(ch->pf, ch->names[i]);
		int rc;

		if (!dimm) {
			cli_error(ch->names[i], "no such DIMM (pmemctl list -D lists them)");
			return EXIT_NOT_FOUND;
		}
		rc = pm_labels_add_dimm(&a->change, dimm);
		if (rc == -EEXIST)
			return cli_usage_error(ch->ctx, "%s named twice", dimm->dev);
		if (rc)
			return cli_usage_error(ch->ctx, "at most %d DIMMs at a time",
					       PM_LABELS_MAX_DIMMS);
		if (len < sizeof(ch->object))
			len += snprintf(ch->object + len, sizeof(ch->object) - len, "%s%s",
					i ? "," : "", dimm->dev);
		if (a->change.op == PM_LABELS_RESTORE) {
			rc = load_backup(ch, dimm);
			if (rc)
				return rc;
		}
	}
	ch->t.pf = ch->pf;
	ch->t.region = NULL;	/* every region of the DIMMs is locked by run() */
	return EXIT_OK;
}

int labels_plan(struct change *ch)
{
	struct labels_args *a = ch->args;
	int rc;

	ch->res->labels = &a->change;
	rc = pm_labels_plan(ch->pf, &a->change, ch->dry_run, ch->res);
	ch->res->labels = &a->change;
	ch->nothing_to_lose = !a->change.data_lost;
	return rc;
}

/*
 * The scope of each region taken down, exclusively: no namespace of it
 * changes while its labels are written (the runner held one lock for
 * every label write).
 */
static int lock_regions(struct change *ch)
{
	struct labels_args *a = ch->args;
	struct pm_lock_note note;
	char name[80];

	for (size_t i = 0; i < a->change.nr_regions; i++) {
		const char *dev = a->change.regions[i]->dev;
		int fd, rc;

		snprintf(name, sizeof(name), "%s.scope", dev);
		rc = pm_lock(name, false, &fd, &note);
		if (note.text[0])
			cli_error(note.file, "%s", note.text);
		if (rc == -EBUSY) {
			cli_error(dev, "another pmemctl is changing it now; try again when it is done");
			return EXIT_BUSY;
		}
		if (rc < 0) {
			cli_error(dev, "cannot take the lock: %s", strerror(-rc));
			return EXIT_FAIL;
		}
		pm_lock_set_holder(fd, "writing its DIMMs' labels");
		a->scope_locks[a->nr_scope_locks++] = fd;
	}
	return EXIT_OK;
}

int labels_write(struct change *ch)
{
	struct labels_args *a = ch->args;
	int exit_code = lock_regions(ch);

	if (exit_code) {
		snprintf(ch->res->message, sizeof(ch->res->message),
			 "a region of the DIMMs is being changed; nothing written");
		return ch->res->err = -EBUSY;
	}
	return pm_labels_apply(&a->change, ch->res);
}

int labels_run(struct pmemctl_ctx *ctx, const struct change_verb *verb,
		      enum pm_labels_op op, int argc, char **argv)
{
	struct labels_args a = { .change = { .op = op, .version = 101 } };
	int exit_code;

	exit_code = change_run(ctx, verb, &a, argc, argv);
	for (size_t i = 0; i < a.nr_scope_locks; i++)
		pm_unlock(a.scope_locks[i]);
	pm_labels_change_free(&a.change);
	free(a.image);
	return exit_code;
}

