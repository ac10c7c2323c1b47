// SPDX-License-Identifier: GPL-2.0-or-later
/* pmemctl restore-labels: write a label backup back to a DIMM (cli/labels-write.c does the work). */
#include "labels-write.h"

static const struct cli_option restore_options[] = {
	{ "from", OPT_FROM, "FILE", "the backup: DIMM.labels, with SHA256SUMS and\n"
				    "DIMM.id beside it" },
	CLI_END,
};

static const struct change_verb restore_labels = {
	LABELS_VERB_COMMON,
	.usage = "Usage: pmemctl restore-labels [options] --from FILE <DIMM>\n"
		 "\n"
		 "Write a backup (pmemctl read-labels --backup) back to the DIMM's\n"
		 "label area, after checking it against SHA256SUMS, its size and the\n"
		 "DIMM's id. Namespaces the current labels define are replaced\n"
		 "(named; --force or a yes needed). Refused while a namespace of the\n"
		 "DIMM's regions is active; a failed step writes the old area back.\n"
		 "\n",
	.options = restore_options,
	.force_help = "replace the namespaces the labels define;\nrestore another DIMM's backup",
};

int cmd_restore_labels(int argc, char **argv, struct pmemctl_ctx *ctx)
{
	return labels_run(ctx, &restore_labels, PM_LABELS_RESTORE, argc, argv);
}
