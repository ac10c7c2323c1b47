// SPDX-License-Identifier: GPL-2.0-or-later
/* pmemctl enable: objects bound to their drivers again (cli/enable.c). */
#include "enable.h"

static const struct change_verb enable_verb = {
	.doing = "enabling",
	.targets = CHANGE_OWN,
	.flags = CHANGE_OWN_NAMESPACES,
	.noun = "object",
	.lock = "enable-disable",
	.usage = "Usage: pmemctl enable [options] <OBJECT>...\n"
		 "\n"
		 "Enable the objects named: the kernel binds their drivers again.\n"
		 "A region's namespaces come up with it, and its disabled DIMMs are\n"
		 "enabled first.\n"
		 "\n"
		 OBJECTS_HELP,
	.usage_end = "\nExit: 0 done (or nothing to do), 2 usage, 3 no such object,\n"
		     "4 not root, 1 a step failed. See pmemctl-enable(1).\n",
	.resolve = enable_resolve,
	.plan = enable_plan,
	.run = enable_run,
};

int cmd_enable(int argc, char **argv, struct pmemctl_ctx *ctx)
{
	struct pm_enable_request req = { .enable = true };

	return change_run(ctx, &enable_verb, &req, argc, argv);
}

