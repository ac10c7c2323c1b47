// SPDX-License-Identifier: GPL-2.0-or-later
/* pmemctl report: a support bundle that `pmemctl --sysroot` replays. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "escape.h"
#include "pmemctl.h"
#include "../lib/compat.h"
#include "../lib/host.h"
#include "../lib/pmem.h"
#include "../lib/report.h"

/* A command's output as the bundle keeps it. */
struct captured {
	char *out;
	size_t out_len;
	char *err;
	size_t err_len;
	int exit_code;
};

static int read_back(int fd, char **text, size_t *len)
{
	off_t size = lseek(fd, 0, SEEK_END);

	*text = NULL;
	*len = 0;
	if (size <= 0)
		return 0;
	*text = malloc((size_t)size);
	if (!*text)
		return -ENOMEM;
	if (pread(fd, *text, (size_t)size, 0) != size) {
		free(*text);
		*text = NULL;
		return -EIO;
	}
	*len = (size_t)size;
	return 0;
}

/*
 * Runs a command in a child whose stdout and stderr are memory files: the
 * bundle gets exactly what the customer would have seen, from the same
 * snapshot of the platform.
 */
static int run_captured(struct pmemctl_ctx *ctx,
			int (*fn)(int, char **, struct pmemctl_ctx *),
			int argc, char **argv, struct captured *cap)
{
	int out = memfd_create("pmemctl-report-out", MFD_CLOEXEC);
	int err = memfd_create("pmemctl-report-err", MFD_CLOEXEC);
	int status, rc = 0;
	pid_t pid;

	memset(cap, 0, sizeof(*cap));
	if (out < 0 || err < 0) {
		rc = -errno;
		goto out;
	}
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		rc = -errno;
		goto out;
	}
	if (pid == 0) {
		if (dup2(out, STDOUT_FILENO) < 0 || dup2(err, STDERR_FILENO) < 0)
			_exit(EXIT_FAIL);
		_exit(finish_stdout(fn(argc, argv, ctx)));
	}
	if (waitpid(pid, &status, 0) < 0) {
		rc = -errno;
		goto out;
	}
	cap->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	rc = read_back(out, &cap->out, &cap->out_len);
	if (!rc)
		rc = read_back(err, &cap->err, &cap->err_len);
out:
	if (out >= 0)
		close(out);
	if (err >= 0)
		close(err);
	return rc;
}

struct bundle {
	struct pm_archive *archive;
	char top[64];
	struct pm_report_stats stats;
	struct captured list, doctor;
	int rc;
};

static void add_text(struct bundle *b, const char *name, const char *text,
		     size_t len)
{
	char path[256];
	int rc;

	snprintf(path, sizeof(path), "%s/%s/%s", b->top, PM_REPORT_DIR, name);
	rc = pm_archive_add_file(b->archive, path, 0444, text, len);
	if (rc && !b->rc)
		b->rc = rc;
}

static void add_command(struct bundle *b, struct pmemctl_ctx *ctx,
			int (*fn)(int, char **, struct pmemctl_ctx *),
			char **argv, int argc, const char *name,
			struct captured *cap)
{
	char file[64];
	int rc = run_captured(ctx, fn, argc, argv, cap);

	if (rc) {
		if (!b->rc)
			b->rc = rc;
		return;
	}
	snprintf(file, sizeof(file), "%s.json", name);
	add_text(b, file, cap->out ? cap->out : "", cap->out_len);
	if (cap->err_len) {
		snprintf(file, sizeof(file), "%s.stderr", name);
		add_text(b, file, cap->err, cap->err_len);
	}
}

/*
 * report's two documents, the summary (--json) and the bundle's
 * pmemctl/report.json, share the keys they have in common: each key is a
 * column of this spec, once.
 */
enum { REPORT_SUMMARY, REPORT_MANIFEST, REPORT_GAP, REPORT_NR_KINDS };

struct report_view {
	const struct bundle *b;
	const char *file;		/* where it was written */
	off_t compressed;		/* its size; -1 unknown (a pipe) */
	const char *created;		/* UTC, ISO 8601 */
	const char *kernel;		/* osrelease, "" when unreadable */
};

#define VIEW(obj) ((const struct report_view *)(obj)->ptr)
#define GAP(obj) ((const struct pm_report_gap *)(obj)->ptr)

static void get_version(const struct out_obj *obj, struct out_cell *cell)
{
	cell->str = PACKAGE_VERSION;
}

static void get_created(const struct out_obj *obj, struct out_cell *cell)
{
	cell->str = VIEW(obj)->created;
}

static void get_kernel(const struct out_obj *obj, struct out_cell *cell)
{
	cell->str = VIEW(obj)->kernel;
}

static void get_as_root(const struct out_obj *obj, struct out_cell *cell)
{
	cell->b = geteuid() == 0;
}

static void get_file(const struct out_obj *obj, struct out_cell *cell)
{
	cell->str = VIEW(obj)->file;
}

static void get_top(const struct out_obj *obj, struct out_cell *cell)
{
	cell->str = VIEW(obj)->b->top;
}

static void get_files(const struct out_obj *obj, struct out_cell *cell)
{
	cell->u = VIEW(obj)->b->stats.files;
}

static void get_symlinks(const struct out_obj *obj, struct out_cell *cell)
{
	cell->u = VIEW(obj)->b->stats.symlinks;
}

static void get_bytes(const struct out_obj *obj, struct out_cell *cell)
{
	cell->u = VIEW(obj)->b->stats.bytes;
}

static void get_compressed(const struct out_obj *obj, struct out_cell *cell)
{
	cell->u = (uint64_t)VIEW(obj)->compressed;
	cell->null = VIEW(obj)->compressed < 0;
}

static void get_unreadable(const struct out_obj *obj, struct out_cell *cell)
{
	cell->u = VIEW(obj)->b->stats.unreadable;
}

static void get_list_exit(const struct out_obj *obj, struct out_cell *cell)
{
	cell->i = VIEW(obj)->b->list.exit_code;
}

static void get_doctor_exit(const struct out_obj *obj, struct out_cell *cell)
{
	cell->i = VIEW(obj)->b->doctor.exit_code;
}

static void get_gap_what(const struct out_obj *obj, struct out_cell *cell)
{
	cell->str = GAP(obj)->what;
}

static void get_gap_why(const struct out_obj *obj, struct out_cell *cell)
{
	cell->str = GAP(obj)->why;
}

#define SUM (1u << REPORT_SUMMARY)
#define MAN (1u << REPORT_MANIFEST)
#define GAPS (1u << REPORT_GAP)

/* Keys come out in this order in both documents. */
static const struct out_column report_columns[] = {
	{ "PMEMCTL_VERSION", "pmemctl_version", "the pmemctl that wrote the bundle",
	  OUT_STRING, MAN, 0, get_version },
	{ "CREATED", "created", "when, in UTC (ISO 8601)", OUT_STRING, MAN, 0,
	  get_created },
	{ "KERNEL", "kernel", "the kernel release (uname -r)", OUT_STRING, MAN, 0,
	  get_kernel },
	{ "AS_ROOT", "as_root", "it ran as root (else some attributes are missing)",
	  OUT_BOOL, MAN, 0, get_as_root },
	{ "FILE", "file", "the file written, or - for standard output",
	  OUT_STRING, SUM, 0, get_file },
	{ "TOP", "top", "the bundle's one top directory", OUT_STRING, SUM, 0,
	  get_top },
	{ "FILES", "files", "regular files in the bundle", OUT_UINT, SUM | MAN, 0,
	  get_files },
	{ "SYMLINKS", "symlinks", "symbolic links in the bundle", OUT_UINT,
	  SUM | MAN, 0, get_symlinks },
	{ "BYTES", "bytes", "the files' contents, uncompressed", OUT_SIZE, SUM,
	  0, get_bytes },
	{ "COMPRESSED_BYTES", "compressed_bytes", "the bundle's size; null on standard output",
	  OUT_SIZE, SUM, 0, get_compressed },
	{ "UNREADABLE_ATTRIBUTES", "unreadable_attributes", "sysfs attributes whose read failed, left out",
	  OUT_UINT, SUM | MAN, 0, get_unreadable },
	{ "LIST_EXIT", "list_exit", "the exit code of the list --json it holds",
	  OUT_INT, MAN, 0, get_list_exit },
	{ "DOCTOR_EXIT", "doctor_exit", "the exit code of the doctor --json it holds",
	  OUT_INT, MAN, 0, get_doctor_exit },
	{ "NOT_CAPTURED", "not_captured", "what could not be read, and why",
	  OUT_ARRAY, SUM | MAN, 0, NULL, REPORT_GAP },
	{ "GAP.WHAT", "what", "the part left out: ACPI NFIT table, kernel messages, ...",
	  OUT_STRING, GAPS, 0, get_gap_what },
	{ "GAP.WHY", "why", "the reason", OUT_STRING, GAPS, 0, get_gap_why },
};

static const char *const report_kinds[] = { "report", "manifest", "gap" };

static const struct out_spec report_spec = {
	.columns = report_columns,
	.nr_columns = ARRAY_SIZE(report_columns),
	.kind_keys = report_kinds,
	.kind_names = report_kinds,
	.nr_kinds = REPORT_NR_KINDS,
	.document = OUT_DOC_OBJECT,
	.root_kind = REPORT_SUMMARY,
};

/* The summary or the manifest as one JSON document; NULL on ENOMEM. */
static struct json_object *report_json(int kind, const struct report_view *view)
{
	const struct pm_report_stats *st = &view->b->stats;
	struct out_node root = { .obj = { kind, view } };
	struct out_opts opts = { .output_all = true };
	struct out_selection sel;
	struct json_object *j = NULL;
	bool ok = true;

	out_select(&report_spec, &opts, (1u << REPORT_NR_KINDS) - 1, &sel, NULL, 0);
	for (size_t i = 0; ok && i < st->nr_gaps; i++)
		ok = out_node_add(&root, REPORT_GAP, &st->gaps[i]) != NULL;
	if (ok)
		j = out_document_json(&report_spec, &sel, &root);
	out_node_free(&root);
	return j;
}

/* pmemctl/report.json: what the bundle is, so a reader need not guess. */
static void add_manifest(struct bundle *b, const char *created)
{
	char release[128] = "";
	struct report_view view = { .b = b, .created = created, .kernel = release };
	struct json_object *m;
	const char *text;

	pm_host_read_line("/proc/sys/kernel/osrelease", release, sizeof(release));
	m = report_json(REPORT_MANIFEST, &view);
	if (!m) {
		if (!b->rc)
			b->rc = -ENOMEM;
		return;
	}
	text = json_object_to_json_string_ext(m, JSON_C_TO_STRING_PRETTY |
					      JSON_C_TO_STRING_SPACED);
	add_text(b, "report.json", text, strlen(text));
	json_object_put(m);
}

static struct {
	struct out_opts out;
	bool force;
} param;

static const struct cli_option options[] = {
	CLI_HEADING("Options:"),
	OPT_FLAG('f', "force", &param.force, "overwrite FILE if it exists"),
	OPT_DOCUMENT_GROUP(&param.out, "describe the bundle written as JSON"),
	CLI_COMMON_OPTIONS,
	CLI_END,
};

static void usage(void)
{
	printf("Usage: pmemctl report [options] [FILE|-]\n"
	       "\n"
	       "Write a support bundle (tar.gz): the sysfs subtrees of the nvdimm,\n"
	       "dax and cxl buses, the NFIT table, list --json and doctor --json,\n"
	       "the kernel version and command line, modules, CPU flags, the nvdimm\n"
	       "and CXL kernel messages, and what the DIMMs' SMART and Translate SPA\n"
	       "commands and the CXL memdevs' Get Health Info answered. Nothing\n"
	       "from the environment, no file contents. Replay it with\n"
	       "'pmemctl --sysroot BUNDLE list|show|doctor'.\n"
	       "\n"
	       "FILE: where to write it, '-' for standard output\n"
	       "(default: pmemctl-report-DATE-TIME.tar.gz).\n"
	       "\n");
	cli_print_options(stdout, options);
	printf("\n"
	       "Run it as root: the NFIT table and some attributes are root-only.\n");
}

static void print_summary(FILE *f, const char *file, const struct bundle *b,
			  off_t compressed, bool json)
{
	const struct pm_report_stats *st = &b->stats;

	if (json) {
		struct report_view view = { .b = b, .file = file, .compressed = compressed };
		struct json_object *o = report_json(REPORT_SUMMARY, &view);

		if (!o || out_print_document(f, &report_spec, o))
			cli_error(file, "written, but cannot describe it: out of memory");
		return;
	}
	fprintf(f, "%s: %u files, %u links, %llu KiB", esc(file), st->files, st->symlinks,
		(st->bytes + 1023) / 1024);
	if (compressed >= 0)
		fprintf(f, " (%lld KiB compressed)", (long long)(compressed + 1023) / 1024);
	fputc('\n', f);
	for (size_t i = 0; i < st->nr_gaps; i++)
		fprintf(f, "  not captured: %s: %s\n", esc(st->gaps[i].what),
			esc(st->gaps[i].why));
	fprintf(f, "Replay it with: pmemctl --sysroot %s doctor\n", esc(file));
}

static void free_captured(struct captured *cap)
{
	free(cap->out);
	free(cap->err);
}

int cmd_report(int argc, char **argv, struct pmemctl_ctx *ctx)
{
	char default_name[96], created[32], temp[4096] = "";
	char *list_argv[] = { "list", "-BDRNXCi", "--json", NULL };
	char *doctor_argv[] = { "doctor", "--json", NULL };
	const struct cli_parser parser = {
		.table = options, .usage = usage, .out = &param.out, .spec = &report_spec,
	};
	const char *output = NULL;
	bool to_stdout;
	struct bundle b = { 0 };
	struct pm_platform *pf;
	struct stat st;
	time_t now = time(NULL);
	struct tm tm;
	int fd, rc, exit_code;

	cli_setlocale();	/* libarchive converts the bundle's names */
	exit_code = cli_parse(ctx, argc, argv, &parser);
	if (exit_code != CLI_GO_ON)
		return exit_code;
	exit_code = EXIT_OK;
	if (argc - optind > 1)
		return cli_usage_error(ctx, "unexpected argument '%s'", argv[optind + 1]);
	if (optind < argc)
		output = argv[optind];
	gmtime_r(&now, &tm);
	strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%SZ", &tm);
	strftime(b.top, sizeof(b.top), "pmemctl-report-%Y%m%d-%H%M%S", &tm);
	snprintf(default_name, sizeof(default_name), "%s.tar.gz", b.top);
	if (!output)
		output = default_name;
	to_stdout = strcmp(output, "-") == 0;
	if (to_stdout && isatty(STDOUT_FILENO))
		return cli_usage_error(ctx, "standard output is a terminal: redirect it, or name a FILE");
	if (!to_stdout && !param.force && lstat(output, &st) == 0) {
		cli_error(output, "exists: remove it, name another file, or pass --force");
		return EXIT_REFUSED;
	}
	pf = ctx_platform(ctx, &exit_code);
	if (!pf)
		return exit_code;

	if (to_stdout) {
		fd = dup(STDOUT_FILENO);
	} else {
		/*
		 * Written beside the target and renamed: never a half bundle.
		 * 0600 whatever the umask, as mkstemp() makes it: the bundle
		 * holds the kernel log (which dmesg_restrict may hide from
		 * users), the memory map and SMART data. A file it replaces
		 * (--force) goes with its mode.
		 */
		snprintf(temp, sizeof(temp), "%s.partial-XXXXXX", output);
		fd = mkstemp(temp);
		if (fd >= 0 && fchmod(fd, 0600) < 0) {
			close(fd);
			fd = -1;
		}
	}
	if (fd < 0) {
		cli_error(output, "cannot create it: %s", strerror(errno));
		return errno == EACCES || errno == EPERM ? EXIT_PERMISSION : EXIT_FAIL;
	}
	rc = pm_archive_open(fd, &b.archive);
	if (rc) {
		close(fd);
		goto fail;
	}
	rc = pm_report_capture(b.archive, b.top, pf, &b.stats);
	add_command(&b, ctx, cmd_list, list_argv, 3, "list", &b.list);
	add_command(&b, ctx, cmd_doctor, doctor_argv, 2, "doctor", &b.doctor);
	add_manifest(&b, created);
	if (!rc)
		rc = b.rc;
	if (pm_archive_close(b.archive) && !rc)
		rc = -EIO;
	if (rc)
		goto fail;
	if (!to_stdout && rename(temp, output) < 0) {
		rc = -errno;
		goto fail;
	}
	if (!to_stdout && stat(output, &st) < 0)
		st.st_size = -1;
	print_summary(to_stdout ? stderr : stdout, output, &b,
		      to_stdout ? -1 : st.st_size, param.out.json);
	free_captured(&b.list);
	free_captured(&b.doctor);
	return EXIT_OK;
fail:
	if (temp[0])
		unlink(temp);
	cli_error(output, "cannot write the report: %s", strerror(-rc));
	free_captured(&b.list);
	free_captured(&b.doctor);
	return EXIT_FAIL;
}
