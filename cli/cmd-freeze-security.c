// SPDX-License-Identifier: GPL-2.0-or-later
/* pmemctl freeze-security: no passphrase change or erase until a reboot. */
#include "security.h"

static struct security_args param = { .req = { .op = PM_SEC_FREEZE } };

static const struct cli_option options[] = {
	SECURITY_KEY_PATH_ROW(&param),
	CLI_END,
};

static const struct change_verb freeze_security = {
	SECURITY_VERB_COMMON,
	.doing = "freezing security",
	.flags = CHANGE_LOCK_OBJECT,
	.usage = "Usage: pmemctl freeze-security [options] DIMM\n"
		 "\n"
		 "Freezes the DIMM's security until the next reboot: no passphrase set,\n"
		 "change or removal, no erase or overwrite, whoever asks. The DIMM\n"
		 "must have a passphrase and be unlocked.\n"
		 "\n",
	.usage_end = "\n" SECURITY_EXIT_CODES ".\nSee pmemctl-freeze-security(1).\n",
	.options = options,
};

int cmd_freeze_security(int argc, char **argv, struct pmemctl_ctx *ctx)
{
	return change_run(ctx, &freeze_security, &param, argc, argv);
}
