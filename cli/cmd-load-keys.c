// SPDX-License-Identifier: GPL-2.0-or-later
/* pmemctl load-keys: the DIMMs' keys into the keyring, and locked DIMMs unlocked. */
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "pmemctl.h"
#include "../lib/compat.h"
#include "../lib/pmem.h"
#include "../lib/security.h"

static struct {
	const char *key_dir;
	struct out_opts out;
} param;

static const struct cli_option options[] = {
	OPT_STRING('p', "key-path", &param.key_dir, "DIR",
		   "the key files' directory\n(default " PM_KEYS_DIR ")"),
	OPT_DOCUMENT_GROUP(&param.out, "JSON: what was loaded, each DIMM unlocked"),
	CLI_COMMON_OPTIONS,
	CLI_END,
};

enum { LK_ROOT, LK_DIMM, LK_NR_KINDS };

/* What the run did, for the JSON document. */
struct lk_dimm {
	const struct pm_dimm *dimm;
	const char *error;		/* NULL: unlocked */
};

struct lk_view {
	const char *dir;
	const struct pm_load_keys_result *lk;
};

#define LK(obj) ((const struct lk_view *)(obj)->ptr)
#define LD(obj) ((const struct lk_dimm *)(obj)->ptr)

static void get_dir(const struct out_obj *obj, struct out_cell *cell)
{
	cell->str = LK(obj)->dir;
}

static void get_master(const struct out_obj *obj, struct out_cell *cell)
{
	cell->b = LK(obj)->lk->master_loaded;
}

static void get_loaded(const struct out_obj *obj, struct out_cell *cell)
{
	cell->u = LK(obj)->lk->nr_keys;
}

static void get_refused(const struct out_obj *obj, struct out_cell *cell)
{
	cell->u = LK(obj)->lk->nr_failed;
}

static void get_dev(const struct out_obj *obj, struct out_cell *cell)
{
	cell->str = LD(obj)->dimm->dev;
}

static void get_security(const struct out_obj *obj, struct out_cell *cell)
{
	cell->str = pm_security_name(LD(obj)->dimm->security);
	cell->null = !cell->str;
}

static void get_error(const struct out_obj *obj, struct out_cell *cell)
{
	cell->str = LD(obj)->error;
	cell->null = !cell->str;
}

#define ROOT (1u << LK_ROOT)
#define DIMM (1u << LK_DIMM)

static const struct out_column load_keys_columns[] = {
	{ "KEY_PATH", "key_path", "the key directory read", OUT_STRING, ROOT, 0, get_dir },
	{ "MASTER_LOADED", "master_key_loaded",
	  "the master key was loaded now (false: it was in the keyring)", OUT_BOOL, ROOT, 0,
	  get_master },
	{ "KEYS_LOADED", "dimm_keys_loaded", "DIMM keys added to the keyring", OUT_UINT, ROOT,
	  0, get_loaded },
	{ "KEYS_REFUSED", "dimm_keys_refused", "DIMM key files the kernel refused", OUT_UINT,
	  ROOT, 0, get_refused },
	{ "DIMMS", "dimms", "the DIMMs that were locked, each unlocked or not", OUT_ARRAY, ROOT,
	  0, NULL, LK_DIMM },
	{ "DEV", "dev", "the DIMM", OUT_STRING, DIMM, 0, get_dev },
	{ "SECURITY", "security", "its security state now (unlocked, or still locked)",
	  OUT_STRING, DIMM, 0, get_security },
	{ "ERROR", "error", "why it is not unlocked, or its regions did not start; null when done",
	  OUT_STRING, DIMM, 0, get_error },
};

static const char *const load_keys_kinds[] = { "load_keys", "dimm" };

static const struct out_spec load_keys_spec = {
	.columns = load_keys_columns,
	.nr_columns = ARRAY_SIZE(load_keys_columns),
	.kind_keys = load_keys_kinds,
	.kind_names = load_keys_kinds,
	.nr_kinds = LK_NR_KINDS,
	.document = OUT_DOC_OBJECT,
	.root_kind = LK_ROOT,
};

static int print_json(const char *dir, const struct pm_load_keys_result *lk,
		      const struct lk_dimm *dimms, size_t nr)
{
	const struct lk_view view = { dir, lk };
	struct out_node root = { .obj = { LK_ROOT, &view } };
	struct out_opts opts = { .output_all = true };
	struct out_selection sel;
	struct json_object *j = NULL;
	bool ok = true;

	out_select(&load_keys_spec, &opts, (1u << LK_NR_KINDS) - 1, &sel, NULL, 0);
	for (size_t i = 0; ok && i < nr; i++)
		ok = out_node_add(&root, LK_DIMM, &dimms[i]) != NULL;
	if (ok)
		j = out_document_json(&load_keys_spec, &sel, &root);
	out_node_free(&root);
	if (!j || out_print_document(stdout, &load_keys_spec, j)) {
		cli_error(dir, "out of memory");
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

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
	struct lk_dimm *dimms;
	size_t nr = 0;
	int exit_code, rc;

	exit_code = cli_parse(ctx, argc, argv, &parser);
	if (exit_code != CLI_GO_ON)
		return exit_code;
	exit_code = EXIT_OK;
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
	pf = ctx_platform(ctx, &exit_code);
	if (!pf)
		return exit_code;
	dimms = calloc(pf->nr_dimms ? pf->nr_dimms : 1, sizeof(*dimms));
	if (!dimms)
		return EXIT_FAIL;
	for (size_t i = 0; i < pf->nr_dimms; i++) {
		struct pm_dimm *dimm = pf->dimms[i];
		struct lk_dimm *d = &dimms[nr];

		if (dimm->security != PM_SECURITY_LOCKED)
			continue;
		d->dimm = dimm;
		nr++;
		rc = pm_security_unlock(pf, dimm);
		if (rc == -EACCES)
			d->error = "still locked: no key for it in the key directory, or the wrong one";
		else if (rc)
			d->error = strerror(-rc);
		if (d->error)
			exit_code = EXIT_FAIL;
		if (d->error && !param.out.json)
			cli_error(dimm->dev, "%s", d->error);
	}
	if (param.out.json) {
		rc = print_json(dir, &lk, dimms, nr);
		if (rc)
			exit_code = rc;
	} else {
		printf("master key %s\n", lk.master_loaded ? "loaded" : "already in the keyring");
		printf("%d DIMM key%s loaded", lk.nr_keys, lk.nr_keys == 1 ? "" : "s");
		if (lk.nr_failed)
			printf(", %d refused by the kernel", lk.nr_failed);
		putchar('\n');
		for (size_t i = 0; i < nr; i++)
			if (!dimms[i].error)
				printf("%s unlocked\n", dimms[i].dimm->dev);
	}
	free(dimms);
	return finish_stdout(exit_code);
}
