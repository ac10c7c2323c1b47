// SPDX-License-Identifier: GPL-2.0-or-later
/* pmemctl sanitize-dimm: crypto-erase or overwrite a DIMM, waiting for an overwrite. */
#include "security.h"

enum { OPT_TIMEOUT = CHANGE_OPT_FIRST };

static struct security_args param = { .req = { .op = PM_SEC_ERASE } };

static const struct cli_option options[] = {
	OPT_FLAG('c', "crypto-erase", &param.crypto_erase,
		 "replace the media key: the data is gone\nat once (the default)"),
	OPT_FLAG('o', "overwrite", &param.overwrite,
		 "overwrite the media, and wait for it\n(an overwrite running: only wait)"),
	OPT_UINT(OPT_TIMEOUT, "timeout", &param.timeout, 86400, "SECONDS",
		 "stop waiting after SECONDS (exit 12;\nthe overwrite goes on)"),
	SECURITY_KEY_PATH_ROW(&param),
	CLI_END,
};

static int check(struct change *ch)
{
	struct security_args *a = ch->args;

	if (a->overwrite && a->crypto_erase)
		return cli_usage_error(ch->ctx, "--crypto-erase or --overwrite, not both");
	if (a->timeout && !a->overwrite)
		return cli_usage_error(ch->ctx, "--timeout is for --overwrite");
	a->req.op = a->overwrite ? PM_SEC_OVERWRITE : PM_SEC_ERASE;
	return EXIT_OK;
}

static const struct change_verb sanitize_dimm = {
	SECURITY_VERB_COMMON,
	.doing = "sanitizing",
	.flags = CHANGE_LOCK_OBJECT | CHANGE_ASK_PLAN,
	.usage = "Usage: pmemctl sanitize-dimm [options] DIMM\n"
		 "\n"
		 "Destroys all data on the DIMM before it leaves the machine: a crypto-\n"
		 "erase (the media key replaced; the passphrase and its key file go)\n"
		 "or an overwrite of the media (the passphrase stays), waited for with\n"
		 "a progress line on a terminal. Every namespace on the DIMM's regions\n"
		 "is lost: refused while a region is active, and without --force (or a\n"
		 "yes on a terminal) the namespaces are named and nothing happens.\n"
		 "\n",
	.usage_end = "\n" SECURITY_EXIT_CODES ", 9 no --force, 12 the\n"
		     "overwrite still runs after --timeout. See pmemctl-sanitize-dimm(1).\n",
	.options = options,
	.check = check,
	.force_help = "destroy the data without asking",
};

int cmd_sanitize_dimm(int argc, char **argv, struct pmemctl_ctx *ctx)
{
	return change_run(ctx, &sanitize_dimm, &param, argc, argv);
}
