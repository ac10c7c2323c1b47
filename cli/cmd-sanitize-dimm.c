// SPDX-License-Identifier: GPL-2.0-or-later
/* pmemctl sanitize-dimm: crypto-erase or overwrite a DIMM, waiting for an overwrite;
 * sanitize or secure-erase a CXL memdev, waiting for a sanitize. */
#include <ctype.h>
#include <string.h>

#include "security.h"

enum { OPT_TIMEOUT = CHANGE_OPT_FIRST };

static struct security_args param = { .req = { .op = PM_SEC_ERASE }, .memdev_ok = true };

static const struct cli_option options[] = {
	OPT_FLAG('c', "crypto-erase", &param.crypto_erase,
		 "replace the media key: the data is gone\nat once (a DIMM's default; a memdev's\nSecure Erase)"),
	OPT_FLAG('o', "overwrite", &param.overwrite,
		 "overwrite the media, and wait for it\n(a memdev's Sanitize, its default; one\nrunning: only wait)"),
	OPT_UINT(OPT_TIMEOUT, "timeout", &param.timeout, 86400, "SECONDS",
		 "stop waiting after SECONDS (exit 12;\nthe overwrite or sanitize goes on)"),
	SECURITY_KEY_PATH_ROW(&param),
	CLI_END,
};

static bool is_memdev_name(const struct change *ch)
{
	const char *name = ch->nr_names == 1 ? ch->names[0] : "";

	return strncmp(name, "mem", 3) == 0 && isdigit((unsigned char)name[3]);
}

static int check(struct change *ch)
{
	struct security_args *a = ch->args;

	if (a->overwrite && a->crypto_erase)
		return cli_usage_error(ch->ctx, "--crypto-erase or --overwrite, not both");
	/* The kernel names memdevs memN, DIMMs nmemN: a memdev sanitizes by default. */
	if (a->timeout && (a->crypto_erase || (!a->overwrite && !is_memdev_name(ch))))
		return cli_usage_error(ch->ctx, "--timeout is for --overwrite");
	a->req.op = a->overwrite ? PM_SEC_OVERWRITE : PM_SEC_ERASE;
	return EXIT_OK;
}

static const struct change_verb sanitize_dimm = {
	SECURITY_VERB_COMMON,
	.doing = "sanitizing",
	.flags = CHANGE_LOCK_OBJECT | CHANGE_ASK_PLAN,
	.usage = "Usage: pmemctl sanitize-dimm [options] DIMM|MEMDEV\n"
		 "\n"
		 "Destroys all data on the DIMM before it leaves the machine: a crypto-\n"
		 "erase (the media key replaced; the passphrase and its key file go)\n"
		 "or an overwrite of the media (the passphrase stays), waited for with\n"
		 "a progress line on a terminal. Every namespace on the DIMM's regions\n"
		 "is lost: refused while a region is active, and without --force (or a\n"
		 "yes on a terminal) the namespaces are named and nothing happens.\n"
		 "A CXL memdev (memN) is sanitized (security/sanitize, waited for) or,\n"
		 "with -c, securely erased (security/erase); refused while a CXL\n"
		 "region maps it.\n"
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
