// SPDX-License-Identifier: GPL-2.0-or-later
/* pmemctl set-passphrase: set up or change a DIMM's passphrase, key file first. */
#include "security.h"

static struct security_args param = { .req = { .op = PM_SEC_SET } };

static const struct cli_option options[] = {
	OPT_STRING('k', "master-key", &param.req.master, "TYPE:NAME",
		   "the key that seals the DIMM's key\n(default user:" PM_MASTER_DESC ")"),
	SECURITY_KEY_PATH_ROW(&param),
	CLI_END,
};

static const struct change_verb set_passphrase = {
	SECURITY_VERB_COMMON,
	.doing = "setting a passphrase",
	.flags = CHANGE_LOCK_OBJECT,
	.usage = "Usage: pmemctl set-passphrase [options] DIMM\n"
		 "\n"
		 "Sets up the DIMM's passphrase (security disabled) or changes it\n"
		 "(unlocked): a new key sealed by the master key, its file written in\n"
		 "the key directory (ndctl's format) before the DIMM takes it; on a\n"
		 "change the old key is kept until the DIMM has accepted the new one,\n"
		 "and put back when it refuses. The media then lock at power loss and\n"
		 "unlock at boot with pmemctl load-keys.\n"
		 "\n",
	.usage_end = "\n" SECURITY_EXIT_CODES ".\nSee pmemctl-set-passphrase(1).\n",
	.options = options,
};

int cmd_set_passphrase(int argc, char **argv, struct pmemctl_ctx *ctx)
{
	return change_run(ctx, &set_passphrase, &param, argc, argv);
}
