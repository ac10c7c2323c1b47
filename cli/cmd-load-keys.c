// SPDX-License-Identifier: GPL-2.0-or-later
/* pmemctl load-keys: the DIMMs' keys into the keyring, and locked DIMMs unlocked. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "pmemctl.h"
#include "../lib/pmem.h"
#include "../lib/security.h"

static struct {
	const char *key_dir;
	struct out_opts out;
} param;

static const struct cli_option options[] = {
	OPT_STRING('p', "key-path", &param.key_dir, "DIR",
		   "the key files' directory\n(default " PM_KEYS_DIR ")"),
	OPT_DOCUMENT_GROUP(&param.out, "with --list-columns: as JSON"),
	CLI_COMMON_OPTIONS,
	CLI_END,
};

/* Lines of text, no JSON document: what it did is in the keyring and list -D. */
static const char *const load_keys_kinds[] = { "load_keys" };

static const struct out_spec load_keys_spec = {
	.kind_keys = load_keys_kinds,
	.kind_names = load_keys_kinds,
	.nr_kinds = 1,
	.document = OUT_DOC_NONE,
};

static const char usage[] =
	"Usage: pmemctl load-keys [options]\n"
	"\n"
	"Loads the master key and every DIMM's key from the key directory\n"
	"(ndctl's files: nvdimm-master.blob, nvdimm_<id>_<host>.blob, and\n"
	"tpm.handle for a trusted master key) into root's user keyring, then\n"
	"unlocks each locked DIMM (disabled and enabled again: the kernel\n"
	"unlocks it with its key) and enables its regions. At boot,\n"
	"pmemctl-load-keys.service runs it before the regions are used.\n"
	"\n";

static const char usage_end[] =
	"\n"
	"Exit: 0 done, 2 bad option, 3 no key directory or master key file,\n"
	"4 not root, 5 no keys of that type in the kernel, 1 a DIMM stays locked.\n"
	"See pmemctl-load-keys(1).\n";

int cmd_load_keys(int argc, char **argv, struct pmemctl_ctx *ctx)
{
	const struct cli_parser parser = {
		.table = options, .usage_text = usage, .usage_end = usage_end,
		.out = &param.out, .spec = &load_keys_spec,
	};
	const char *dir;
	struct pm_load_keys_result lk;
	struct pm_platform *pf;
	int exit_code, rc;

	exit_code = cli_parse(ctx, argc, argv, &parser);
	if (exit_code != CLI_GO_ON)
		return exit_code;
	if (optind != argc)
		return cli_usage_error(ctx, "load-keys takes no DIMM: it loads every key");
	dir = param.key_dir ? param.key_dir : PM_KEYS_DIR;
	if (geteuid() != 0) {
		cli_error(dir, "loading keys needs root (the kernel reads root's keyring)");
		return EXIT_PERMISSION;
	}
	rc = pm_load_keys(dir, &lk);
	if (rc == -ENOENT) {
		cli_error(dir, "no %s/%s.blob: no master key to load (pmemctl-set-passphrase(1), MASTER KEY)",
			  dir, PM_MASTER_DESC);
		return EXIT_NOT_FOUND;
	}
	if (rc) {
		cli_error(dir, "%s", lk.message[0] ? lk.message : strerror(-rc));
		return rc == -EOPNOTSUPP || rc == -ENODEV ? EXIT_UNSUPPORTED : EXIT_FAIL;
	}
	printf("master key %s\n", lk.master_loaded ? "loaded" : "already in the keyring");
	printf("%d DIMM key%s loaded", lk.nr_keys, lk.nr_keys == 1 ? "" : "s");
	if (lk.nr_failed)
		printf(", %d refused by the kernel", lk.nr_failed);
	putchar('\n');
	pf = ctx_platform(ctx, &exit_code);
	if (!pf)
		return exit_code;
	for (size_t i = 0; i < pf->nr_dimms; i++) {
		struct pm_dimm *dimm = pf->dimms[i];

		if (dimm->security != PM_SECURITY_LOCKED)
			continue;
		rc = pm_security_unlock(pf, dimm);
		if (rc == -EACCES) {
			cli_error(dimm->dev, "still locked: no key for it in %s, or the wrong one",
				  dir);
			exit_code = EXIT_FAIL;
		} else if (rc) {
			cli_error(dimm->dev, "unlocked, but its regions did not start: %s",
				  strerror(-rc));
			exit_code = EXIT_FAIL;
		} else {
			printf("%s unlocked\n", dimm->dev);
		}
	}
	return finish_stdout(exit_code);
}
