// SPDX-License-Identifier: GPL-2.0-or-later
/* pmemctl read-labels: DIMM label areas decoded, and backed up. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "escape.h"
#include "labels-cli.h"
#include "pmemctl.h"
#include "../lib/compat.h"
#include "../lib/labels.h"
#include "../lib/pmem.h"
#include "../lib/sha256.h"

/* The document {"dimms": [...]}; the table shows its DIMMs as a tree. */
enum { RL_DOCUMENT, RL_DIMM, RL_INDEX, RL_LABEL, RL_NR_KINDS };

/* One DIMM's area as read. */
struct dimm_labels {
	const struct pm_dimm *dimm;
	void *buf;
	size_t len;
	struct pm_label_area area;
	char sha256[65];
	char *backup;			/* the .labels file written, or NULL */
	char version[8];
	char slot_names[2][8];
};

struct row {
	const struct dimm_labels *dl;
	const void *item;		/* struct pm_label_index or pm_label */
	char name[16];
};

#define ROW(obj) ((const struct row *)(obj)->ptr)
#define DL(obj) (ROW(obj)->dl)
#define AREA(obj) (&DL(obj)->area)
#define INDEX(obj) ((const struct pm_label_index *)ROW(obj)->item)
#define LABEL(obj) ((const struct pm_label *)ROW(obj)->item)

static void get_name(const struct out_obj *obj, struct out_cell *cell)
{
	cell->str = obj->kind == RL_DIMM ? DL(obj)->dimm->dev : ROW(obj)->name;
}

static void get_dev(const struct out_obj *obj, struct out_cell *cell)
{
	cell->str = DL(obj)->dimm->dev;
}

static void get_config_size(const struct out_obj *obj, struct out_cell *cell)
{
	cell->u = DL(obj)->len;
}

static void get_state(const struct out_obj *obj, struct out_cell *cell)
{
	const struct pm_label_area *a = AREA(obj);

	cell->str = a->blank ? "blank" : a->current < 0 ? "invalid" :
		    a->index[0].valid && a->index[1].valid ? "valid" : "degraded";
}

static void get_version(const struct out_obj *obj, struct out_cell *cell)
{
	cell->str = DL(obj)->version;
	cell->null = !cell->str[0];
}

static void get_labelsize(const struct out_obj *obj, struct out_cell *cell)
{
	if (obj->kind == RL_INDEX) {
		cell->u = INDEX(obj)->labelsize;
		return;
	}
	cell->u = AREA(obj)->label_size;
	cell->null = !cell->u;
}

static void get_current_index(const struct out_obj *obj, struct out_cell *cell)
{
	cell->i = AREA(obj)->current;
	cell->null = cell->i < 0;
}

static void get_nslot(const struct out_obj *obj, struct out_cell *cell)
{
	if (obj->kind == RL_INDEX) {
		cell->u = INDEX(obj)->nslot;
		return;
	}
	cell->u = AREA(obj)->nslot;
	cell->null = AREA(obj)->current < 0;
}

static void get_free(const struct out_obj *obj, struct out_cell *cell)
{
	const struct pm_label_area *a = AREA(obj);

	if (obj->kind == RL_INDEX) {
		cell->u = INDEX(obj)->nfree;
		return;
	}
	cell->null = a->current < 0;
	if (!cell->null)
		cell->u = a->index[a->current].nfree;
}

static void get_in_use(const struct out_obj *obj, struct out_cell *cell)
{
	cell->u = AREA(obj)->nr_in_use;
}

static void get_sha256(const struct out_obj *obj, struct out_cell *cell)
{
	cell->str = DL(obj)->sha256;
}

static void get_backup(const struct out_obj *obj, struct out_cell *cell)
{
	cell->str = DL(obj)->backup;
	cell->null = !cell->str;
}

static void get_signature(const struct out_obj *obj, struct out_cell *cell)
{
	cell->str = INDEX(obj)->signature;
}

static void get_major(const struct out_obj *obj, struct out_cell *cell)
{
	cell->u = INDEX(obj)->major;
}

static void get_minor(const struct out_obj *obj, struct out_cell *cell)
{
	cell->u = INDEX(obj)->minor;
}

static void get_seq(const struct out_obj *obj, struct out_cell *cell)
{
	cell->u = INDEX(obj)->seq;
}

static void get_valid(const struct out_obj *obj, struct out_cell *cell)
{
	cell->b = obj->kind == RL_INDEX ? INDEX(obj)->valid : LABEL(obj)->checksum_ok;
}

static void get_invalid(const struct out_obj *obj, struct out_cell *cell)
{
	cell->str = INDEX(obj)->invalid;
	cell->null = !cell->str;
}

static void get_current(const struct out_obj *obj, struct out_cell *cell)
{
	cell->b = INDEX(obj)->current;
}

static void get_checksum(const struct out_obj *obj, struct out_cell *cell)
{
	cell->u = INDEX(obj)->checksum;
}

static void get_uuid(const struct out_obj *obj, struct out_cell *cell)
{
	cell->str = LABEL(obj)->uuid;
}

static void get_nsname(const struct out_obj *obj, struct out_cell *cell)
{
	cell->str = LABEL(obj)->name;
}

static void get_slot(const struct out_obj *obj, struct out_cell *cell)
{
	cell->u = LABEL(obj)->slot;
}

static void get_position(const struct out_obj *obj, struct out_cell *cell)
{
	cell->u = LABEL(obj)->position;
}

static void get_nlabel(const struct out_obj *obj, struct out_cell *cell)
{
	cell->u = LABEL(obj)->nlabel;
}

static void get_flags(const struct out_obj *obj, struct out_cell *cell)
{
	cell->u = LABEL(obj)->flags;
}

static void get_isetcookie(const struct out_obj *obj, struct out_cell *cell)
{
	cell->u = LABEL(obj)->isetcookie;
	cell->null = LABEL(obj)->cxl;
}

static void get_lbasize(const struct out_obj *obj, struct out_cell *cell)
{
	cell->u = LABEL(obj)->lbasize;
}

static void get_dpa(const struct out_obj *obj, struct out_cell *cell)
{
	cell->u = LABEL(obj)->dpa;
}

static void get_rawsize(const struct out_obj *obj, struct out_cell *cell)
{
	cell->u = LABEL(obj)->rawsize;
}

static void get_label_in_use(const struct out_obj *obj, struct out_cell *cell)
{
	cell->b = LABEL(obj)->in_use;
}

static void get_align(const struct out_obj *obj, struct out_cell *cell)
{
	cell->u = LABEL(obj)->align;
	cell->null = !LABEL(obj)->v12;
}

static void get_type_guid(const struct out_obj *obj, struct out_cell *cell)
{
	cell->str = LABEL(obj)->type_guid;
	cell->null = !LABEL(obj)->v12;
}

static void get_abstraction_guid(const struct out_obj *obj, struct out_cell *cell)
{
	cell->str = LABEL(obj)->abstraction_guid;
	cell->null = !LABEL(obj)->v12;
}

static void get_mode(const struct out_obj *obj, struct out_cell *cell)
{
	cell->str = pm_label_mode_name(LABEL(obj)->mode);
	cell->null = !LABEL(obj)->v12;
}

#define DOC (1u << RL_DOCUMENT)
#define DIM (1u << RL_DIMM)
#define IDX (1u << RL_INDEX)
#define LBL (1u << RL_LABEL)

/* Keys in ndctl read-labels -j's names where they mean the same. */
static const struct out_column rl_columns[] = {
	{ "DIMMS", "dimms", "one object per DIMM read", OUT_ARRAY, DOC, 0, NULL,
	  RL_DIMM },
	{ "NAME", NULL, "the DIMM, index block (index0, index1) or label slot",
	  OUT_STRING, DIM | IDX | LBL, OUT_DEFAULT | OUT_TREE, get_name },
	{ "DEV", "dev", "the DIMM (nmemN)", OUT_STRING, DIM, 0, get_dev },
	{ "AREA", "config_size", "size of the label storage area", OUT_SIZE, DIM,
	  OUT_RIGHT, get_config_size },
	{ "STATE", "state", "valid (both index blocks), degraded (one), invalid (none) or blank (no index signature: never initialised)",
	  OUT_STRING, DIM, OUT_DEFAULT, get_state },
	{ "VERSION", "version", "label format: 1.1 or 1.2; null without a valid index",
	  OUT_STRING, DIM, OUT_DEFAULT, get_version },
	{ "LABELSIZE", "labelsize", "bytes per label (128: v1.1, 256: v1.2); null without a valid index",
	  OUT_UINT, DIM | IDX, 0, get_labelsize },
	{ "INDEX", "current_index", "the index block in use (0 or 1); null when neither is valid",
	  OUT_INT, DIM, 0, get_current_index },
	{ "NSLOT", "nslot", "label slots", OUT_UINT, DIM | IDX, 0, get_nslot },
	{ "FREE", "free", "free slots (the current index's bitmap)", OUT_UINT,
	  DIM | IDX, OUT_RIGHT, get_free },
	{ "LABELS", "labels", "valid labels in slots in use", OUT_UINT, DIM,
	  OUT_DEFAULT | OUT_RIGHT, get_in_use },
	{ "SHA256", "sha256", "SHA-256 of the whole area (as in a backup's SHA256SUMS)",
	  OUT_STRING, DIM, 0, get_sha256 },
	{ "BACKUP", "backup", "the .labels file --backup wrote, or null",
	  OUT_STRING, DIM, 0, get_backup },
	{ "INDEX_LIST", "index", "the two namespace index blocks", OUT_ARRAY, DIM, 0,
	  NULL, RL_INDEX },
	{ "LABEL_LIST", "label", "the labels in use (with --all, also those in free slots)",
	  OUT_ARRAY, DIM, 0, NULL, RL_LABEL },

	{ "SIGNATURE", "signature", "NAMESPACE_INDEX when intact", OUT_STRING, IDX,
	  0, get_signature },
	{ "MAJOR", "major", "format major version", OUT_UINT, IDX, 0, get_major },
	{ "MINOR", "minor", "format minor version", OUT_UINT, IDX, 0, get_minor },
	{ "SEQ", "seq", "sequence number (1, 2, 3, 1...; the newer is current)",
	  OUT_UINT, IDX, OUT_DEFAULT | OUT_RIGHT, get_seq },
	{ "CHECKSUM", "checksum", "the stored fletcher64 checksum", OUT_UINT, IDX, 0,
	  get_checksum },
	{ "VALID", "valid", "the kernel would accept it (index: every check; label: slot and checksum)",
	  OUT_BOOL, IDX | LBL, OUT_DEFAULT, get_valid },
	{ "INVALID", "invalid", "why an index block is not valid (signature, checksum, sequence number...), or null",
	  OUT_STRING, IDX, OUT_DEFAULT, get_invalid },
	{ "CURRENT", "current", "the kernel uses this index block", OUT_BOOL, IDX,
	  OUT_DEFAULT, get_current },

	{ "UUID", "uuid", "namespace uuid", OUT_STRING, LBL, OUT_DEFAULT, get_uuid },
	{ "NSNAME", "name", "namespace name", OUT_STRING, LBL, OUT_DEFAULT, get_nsname },
	{ "SLOT", "slot", "label slot", OUT_UINT, LBL, 0, get_slot },
	{ "POS", "position", "the DIMM's position in the interleave set",
	  OUT_UINT, LBL, OUT_DEFAULT | OUT_RIGHT, get_position },
	{ "NLABEL", "nlabel", "labels of the namespace (DIMMs in its set); CXL: its nrange",
	  OUT_UINT, LBL, OUT_DEFAULT | OUT_RIGHT, get_nlabel },
	{ "FLAGS", "flags", "label flags (1 read-only, 2 local, 8 updating)",
	  OUT_UINT, LBL, 0, get_flags },
	{ "ISETCOOKIE", "isetcookie", "interleave-set cookie of the region it belongs to; null for CXL",
	  OUT_UINT, LBL, 0, get_isetcookie },
	{ "LBASIZE", "lbasize", "logical block size (0: not a sector namespace)",
	  OUT_UINT, LBL, 0, get_lbasize },
	{ "DPA", "dpa", "DIMM physical address of the namespace's part",
	  OUT_SIZE, LBL, OUT_DEFAULT | OUT_RIGHT, get_dpa },
	{ "RAWSIZE", "rawsize", "size of the namespace's part on this DIMM",
	  OUT_SIZE, LBL, OUT_DEFAULT | OUT_RIGHT, get_rawsize },
	{ "USED", "in_use", "the slot is in use (false: a stale label in a free slot, --all)",
	  OUT_BOOL, LBL, 0, get_label_in_use },
	{ "ALIGN", "align", "v1.2 alignment field; null for v1.1", OUT_UINT, LBL, 0,
	  get_align },
	{ "TYPE_GUID", "type_guid", "v1.2 address type GUID as stored (byte order of ndctl; CXL: the label type); null for v1.1",
	  OUT_STRING, LBL, 0, get_type_guid },
	{ "ABSTRACTION_GUID", "abstraction_guid", "v1.2 address abstraction GUID as stored; null for v1.1",
	  OUT_STRING, LBL, 0, get_abstraction_guid },
	{ "MODE", "mode", "what the abstraction GUID says: btt (sector), pfn (fsdax), dax (devdax), none, unknown; null for v1.1",
	  OUT_STRING, LBL, OUT_DEFAULT, get_mode },
};

static const char *const rl_kind_keys[] = {
	[RL_DOCUMENT] = "read-labels", [RL_DIMM] = "dimm", [RL_INDEX] = "index",
	[RL_LABEL] = "label",
};

static const struct out_spec rl_spec = {
	.columns = rl_columns,
	.nr_columns = ARRAY_SIZE(rl_columns),
	.kind_keys = rl_kind_keys,
	.kind_names = rl_kind_keys,
	.nr_kinds = RL_NR_KINDS,
	.document = OUT_DOC_OBJECT,
	.root_kind = RL_DOCUMENT,
};

/* With -o, JSON keeps the keys named: the arrays that hold them too. */
static int select_arrays(struct out_selection *sel)
{
	for (size_t i = 0; i < ARRAY_SIZE(rl_columns); i++)
		if (rl_columns[i].type == OUT_ARRAY && out_select_add(sel, i))
			return -E2BIG;
	return 0;
}

static int print_json(const struct out_selection *sel, const struct out_node *root)
{
	struct json_object *j = out_document_json(&rl_spec, sel, root);

	if (!j)
		return -ENOMEM;
	return out_print_document(stdout, &rl_spec, j);
}

enum {
	OPT_INDEX = OPT_FIRST_COMMAND_OPT,
	OPT_BACKUP,
};

static struct {
	bool show_index, all, force;
	const char *backup_dir;
	struct out_opts out;
} param;

static const struct cli_option options[] = {
	CLI_HEADING("Labels:"),
	OPT_FLAG(OPT_INDEX, "index", &param.show_index,
		 "show the two index blocks in the table"),
	OPT_FLAG('a', "all", &param.all, "also stale labels in free slots"),
	OPT_STRING(OPT_BACKUP, "backup", &param.backup_dir, "DIR",
		   "write DIR/<dimm>.labels, <dimm>.id and\nSHA256SUMS (DIR made 0700)"),
	OPT_FLAG('f', "force", &param.force, "with --backup: replace a DIMM's files"),
	OPT_OUTPUT_GROUP(&param.out),
	CLI_COMMON_OPTIONS,
	CLI_END,
};

static void usage(void)
{
	printf("Usage: pmemctl read-labels [options] [DIMM...]\n"
	       "\n"
	       "Decode the namespace label storage area of each DIMM (nmemN; no\n"
	       "DIMM: every DIMM with one): its index blocks and the labels that\n"
	       "define namespaces. Reads only; needs root.\n"
	       "\n");
	cli_print_options(stdout, options);
	printf("\n"
	       "Exit: 0, 3 unknown DIMM, 4 not root, 5 no label area, 9 backup\n"
	       "exists (--force), 7 some DIMMs failed. See pmemctl-read-labels(1).\n");
}

static void dimm_labels_free(struct dimm_labels *dls, size_t nr)
{
	for (size_t i = 0; i < nr; i++) {
		pm_labels_release(&dls[i].area);
		free(dls[i].buf);
		free(dls[i].backup);
	}
	free(dls);
}

static int backup(const char *dir, bool force, struct dimm_labels *dl)
{
	int rc = pm_labels_backup(dir, dl->dimm->dev, dl->dimm->id, dl->buf,
				  dl->len, force, dl->sha256);

	if (rc == -EEXIST) {
		cli_error(dl->dimm->dev, "%s/%s.labels or .id exists: --force replaces it",
			  dir, dl->dimm->dev);
		return EXIT_REFUSED;
	}
	if (rc < 0) {
		cli_error(dl->dimm->dev, "backup to %s: %s", dir, strerror(-rc));
		return cli_exit_code(rc);
	}
	if (asprintf(&dl->backup, "%s/%s.labels", dir, dl->dimm->dev) < 0)
		dl->backup = NULL;
	return EXIT_OK;
}

static int build_tree(struct dimm_labels *dls, size_t nr, bool show_index,
		      bool all, struct out_node *root, struct row **rows_out)
{
	size_t nr_rows = 0, at = 0;
	struct row *rows;

	for (size_t i = 0; i < nr; i++)
		nr_rows += 3 + dls[i].area.nr_labels;
	rows = calloc(nr_rows + 1, sizeof(*rows));
	if (!rows)
		return -ENOMEM;
	*rows_out = rows;
	for (size_t i = 0; i < nr; i++) {
		struct dimm_labels *dl = &dls[i];
		struct out_node *node;

		rows[at].dl = dl;
		node = out_node_add(root, RL_DIMM, &rows[at++]);
		if (!node)
			return -ENOMEM;
		for (int k = 0; show_index && k < 2; k++) {
			rows[at].dl = dl;
			rows[at].item = &dl->area.index[k];
			snprintf(rows[at].name, sizeof(rows[at].name), "index%d", k);
			if (!out_node_add(node, RL_INDEX, &rows[at++]))
				return -ENOMEM;
		}
		for (size_t k = 0; k < dl->area.nr_labels; k++) {
			const struct pm_label *l = &dl->area.labels[k];

			if (!all && !(l->in_use && l->checksum_ok))
				continue;
			rows[at].dl = dl;
			rows[at].item = l;
			snprintf(rows[at].name, sizeof(rows[at].name), "slot%u", l->slot);
			if (!out_node_add(node, RL_LABEL, &rows[at++]))
				return -ENOMEM;
		}
	}
	return 0;
}

int cmd_read_labels(int argc, char **argv, struct pmemctl_ctx *ctx)
{
	const struct cli_parser parser = {
		.table = options, .usage = usage, .out = &param.out, .spec = &rl_spec,
	};
	struct out_opts *const opts = &param.out;
	const char *backup_dir;
	bool show_index, all, force;
	struct out_selection sel;
	struct out_node root = { .obj = { RL_DOCUMENT, NULL } };
	struct dimm_labels *dls = NULL;
	struct row *rows = NULL;
	struct pm_platform *pf;
	size_t nr = 0, failed = 0, nr_backup_failed = 0;
	int rc, exit_code, first_error = EXIT_OK;
	const struct pm_dimm **dimms;
	size_t nr_dimms;

	exit_code = cli_parse(ctx, argc, argv, &parser);
	if (exit_code != CLI_GO_ON)
		return exit_code;
	exit_code = EXIT_OK;
	backup_dir = param.backup_dir;
	show_index = param.show_index;
	all = param.all;
	force = param.force;
	if (force && !backup_dir)
		return cli_usage_error(ctx, "--force goes with --backup");
	rc = select_columns(ctx, &rl_spec, opts,
			    DIM | LBL | (show_index || opts->json ? IDX : 0), &sel);
	if (rc)
		return rc;
	if (opts->json && sel.explicit_columns && select_arrays(&sel))
		return cli_usage_error(ctx, "too many columns (at most %d)",
				       OUT_MAX_COLUMNS);
	/* The labels come from the DIMMs alone: no namespace is read. */
	pf = ctx_platform_region(ctx, "", true, &exit_code);
	if (!pf)
		return exit_code;
	rc = labels_dimms(ctx, pf, argc - optind, argv + optind, &dimms, &nr_dimms);
	if (rc)
		return rc;
	dls = calloc(nr_dimms + 1, sizeof(*dls));
	if (!dls) {
		free(dimms);
		return EXIT_FAIL;
	}
	for (size_t i = 0; i < nr_dimms; i++) {
		struct dimm_labels *dl = &dls[nr];

		dl->dimm = dimms[i];
		rc = pm_dimm_read_label_area(dimms[i], &dl->buf, &dl->len);
		/* Not named: a DIMM without a label area is no error. */
		if (rc == -ENOTTY && argc == optind)
			continue;
		if (!rc)
			rc = pm_labels_decode(dl->buf, dl->len, &dl->area);
		if (rc) {
			free(dl->buf);
			dl->buf = NULL;
			failed++;
			rc = labels_read_error(dimms[i], rc);
			if (!first_error)
				first_error = rc;
			if (rc == EXIT_PERMISSION)
				break;	/* the same for every DIMM */
			continue;
		}
		pm_sha256_hex(dl->buf, dl->len, dl->sha256);
		if (dl->area.current >= 0)
			snprintf(dl->version, sizeof(dl->version), "1.%d",
				 dl->area.label_size == 256 ? 2 : 1);
		nr++;
		if (backup_dir) {
			rc = backup(backup_dir, force, dl);
			if (rc) {
				failed++;
				nr_backup_failed++;
				if (!first_error)
					first_error = rc;
			}
		}
	}
	free(dimms);
	rc = build_tree(dls, nr, show_index || opts->json, all, &root, &rows);
	if (!rc && opts->json)
		rc = print_json(&sel, &root);
	else if (!rc && nr)
		rc = out_print(stdout, &rl_spec, opts, &sel, &root);
	out_node_free(&root);
	free(rows);
	dimm_labels_free(dls, nr_dimms);
	if (rc) {
		cli_error(NULL, "%s", strerror(-rc));
		return EXIT_FAIL;
	}
	if (!failed)
		return EXIT_OK;
	/* Shown but not backed up counts as failed. */
	return nr > nr_backup_failed ? EXIT_PARTIAL : first_error;
}
