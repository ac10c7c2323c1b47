// SPDX-License-Identifier: GPL-2.0-or-later
/* pmemctl remove-passphrase: a DIMM without a passphrase, its key file removed. */
#include "security.h"

static struct security_args param = { .req = { .op = PM_SEC_REMOVE } };

static const struct cli_option options[] = {
	SECURITY_KEY_PATH_ROW(&param),
	CLI_END,
};

static const struct change_verb remove_passphrase = {
	SECURITY_VERB_COMMON,
	.doing = "removing the passphrase",
	.flags = CHANGE_LOCK_OBJECT | CHANGE_ASK_PLAN,
	.usage = "Usage: pmemctl remove-passphrase [options] DIMM\n"
		 "\n"
		 "Removes the DIMM's passphrase with its key: its media no longer lock\n"
		 "at power loss, and its key file and keyring entry go. Refused while\n"
		 "its regions are active.\n"
		 "\n",
	.usage_end = "\n" SECURITY_EXIT_CODES ", 9 no --force.\n"
		     "See pmemctl-remove-passphrase(1).\n",
	.options = options,
	.force_help = "remove it without asking",
};

int cmd_remove_passphrase(int argc, char **argv, struct pmemctl_ctx *ctx)
{
	return change_run(ctx, &remove_passphrase, &param, argc, argv);
}
