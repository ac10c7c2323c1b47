// SPDX-License-Identifier: GPL-2.0-or-later
/* pmemctl zero-labels: zero DIMM label areas (cli/labels-write.c does the work). */
#include "labels-write.h"

static const struct change_verb zero_labels = {
	LABELS_VERB_COMMON,
	.usage = "Usage: pmemctl zero-labels [options] <DIMM>...\n"
		 "\n"
		 "Zero the label area of each DIMM: the namespaces its labels define\n"
		 "are gone (named; --force or a yes needed). Regions disabled and\n"
		 "enabled again around it, the area kept and written back if a step\n"
		 "fails. Refused while a namespace of the DIMM's regions is active.\n"
		 "\n",
	.force_help = "destroy the namespaces the labels define",
};

int cmd_zero_labels(int argc, char **argv, struct pmemctl_ctx *ctx)
{
	return labels_run(ctx, &zero_labels, PM_LABELS_ZERO, argc, argv);
}
