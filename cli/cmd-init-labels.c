// SPDX-License-Identifier: GPL-2.0-or-later
/* pmemctl init-labels: initialise DIMM label areas (cli/labels-write.c does the work). */
#include "labels-write.h"

static const struct cli_option init_options[] = {
	{ "label-version", OPT_LABEL_VERSION, "V", "label format: 1.1 (default, as the kernel\n"
					   "reads everywhere) or 1.2" },
	CLI_END,
};

static const struct change_verb init_labels = {
	LABELS_VERB_COMMON,
	.usage = "Usage: pmemctl init-labels [options] <DIMM>...\n"
		 "\n"
		 "Initialise the label area of each DIMM (two index blocks, no label),\n"
		 "so that namespaces can be created in its regions. The regions are\n"
		 "disabled, the area read and kept, written and the regions enabled\n"
		 "again; a failed step writes the kept area back. Refused while a\n"
		 "namespace of the DIMM's regions is active. An initialised area is\n"
		 "left as it is (exit 0).\n"
		 "\n",
	.options = init_options,
	.force_help = "make what the region's one namespace holds\nunreachable",
};

int cmd_init_labels(int argc, char **argv, struct pmemctl_ctx *ctx)
{
	return labels_run(ctx, &init_labels, PM_LABELS_INIT, argc, argv);
}
