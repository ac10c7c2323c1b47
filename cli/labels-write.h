/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What init-labels, zero-labels and restore-labels share (cli/labels-write.c):
 * one set of change-runner callbacks; each verb's file names its options.
 */
#ifndef PMEMCTL_CLI_LABELS_WRITE_H
#define PMEMCTL_CLI_LABELS_WRITE_H

#include "change.h"
#include "../lib/labels-write.h"

enum { OPT_LABEL_VERSION = CHANGE_OPT_FIRST, OPT_FROM };

struct labels_args {
	struct pm_labels_change change;
	const char *from;		/* restore: the backup file */
	unsigned char *image;		/* its bytes, checked */
	int scope_locks[PM_LABELS_MAX_REGIONS];
	size_t nr_scope_locks;
};

#define LABELS_EXIT \
	"\nExit: 0 done or nothing to do, 2 usage or a bad backup, 3 no such DIMM,\n" \
	"4 not root, 6 a namespace of the DIMM's regions is active or in use,\n" \
	"9 namespaces defined by the labels and no --force (restore: or the\n" \
	"backup of another DIMM), 1 a step failed (all undone).\n"

int labels_option(struct change *ch, int c, const char *arg);
int labels_check(struct change *ch);
int labels_resolve(struct change *ch);
int labels_plan(struct change *ch);
int labels_write(struct change *ch);

/* The fields every label verb has. */
#define LABELS_VERB_COMMON				\
	.doing = "writing labels",			\
	.targets = CHANGE_OWN,				\
	.noun = "DIMM",					\
	.lock = "labels",				\
	.flags = CHANGE_ASK_PLAN,			\
	.usage_end = LABELS_EXIT,			\
	.option = labels_option,			\
	.check = labels_check,				\
	.resolve = labels_resolve,			\
	.plan = labels_plan,				\
	.run = labels_write

/* Runs verb (op) and releases what the run kept: an exit code. */
int labels_run(struct pmemctl_ctx *ctx, const struct change_verb *verb,
	       enum pm_labels_op op, int argc, char **argv);

#endif
