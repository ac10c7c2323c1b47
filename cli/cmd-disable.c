// SPDX-License-Identifier: GPL-2.0-or-later
/* pmemctl disable: objects taken down in the kernel's order, refused while
 * in use (cli/enable.c). */
#include "enable.h"

static const struct change_verb disable_verb = {
	.doing = "disabling",
	.targets = CHANGE_OWN,
	.noun = "object",
	.lock = "enable-disable",
	.flags = CHANGE_REFUSE_IN_USE | CHANGE_OWN_NAMESPACES,
	.usage = "Usage: pmemctl disable [options] <OBJECT>...\n"
		 "\n"
		 "Disable the objects named, in the kernel's order: a region's\n"
		 "namespaces first, then the region; a CXL region's nvdimm region\n"
		 "first. Refused while a namespace that would go down is in use\n"
		 "(mounted, open, mapped, system RAM: the holder named). A DIMM\n"
		 "whose regions are enabled is refused, naming them, unless --force.\n"
		 "\n"
		 OBJECTS_HELP,
	.usage_end = "\nExit: 0 done (or nothing to do), 2 usage, 3 no such object,\n"
		     "4 not root, 6 in use (or a DIMM's regions enabled, a memdev in\n"
		     "a CXL region), 1 a step failed. See pmemctl-disable(1).\n",
	.force_help = "a DIMM: disable its enabled regions (and their\n"
		      "namespaces) first",
	.resolve = enable_resolve,
	.guard = enable_guard,
	.plan = enable_plan,
	.run = enable_run,
};

int cmd_disable(int argc, char **argv, struct pmemctl_ctx *ctx)
{
	struct pm_enable_request req = { .enable = false };

	return change_run(ctx, &disable_verb, &req, argc, argv);
}
