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

#include "pmemctl.h"
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

static struct json_object *gaps_json(const struct pm_report_stats *st)
{
	struct json_object *gaps = json_object_new_array();

	for (size_t i = 0; i < st->nr_gaps; i++) {
		struct json_object *g = json_object_new_object();

		json_object_object_add(g, "what", json_object_new_string(st->gaps[i].what));
		json_object_object_add(g, "why", json_object_new_string(st->gaps[i].why));
		json_object_array_add(gaps, g);
	}
	return gaps;
}

/* pmemctl/report.json: what the bundle is, so a reader need not guess. */
static void add_manifest(struct bundle *b, const char *created)
{
	struct json_object *m = json_object_new_object();
	char release[128] = "";
	const char *text;

	pm_host_read_line("/proc/sys/kernel/osrelease", release, sizeof(release));
	json_object_object_add(m, "pmemctl_version", json_object_new_string(PACKAGE_VERSION));
	json_object_object_add(m, "created", json_object_new_string(created));
	json_object_object_add(m, "kernel", json_object_new_string(release));
	json_object_object_add(m, "as_root", json_object_new_boolean(geteuid() == 0));
	json_object_object_add(m, "files", json_object_new_int64(b->stats.files));
	json_object_object_add(m, "symlinks", json_object_new_int64(b->stats.symlinks));
	json_object_object_add(m, "unreadable_attributes",
			       json_object_new_int64(b->stats.unreadable));
	json_object_object_add(m, "list_exit", json_object_new_int(b->list.exit_code));
	json_object_object_add(m, "doctor_exit", json_object_new_int(b->doctor.exit_code));
	json_object_object_add(m, "not_captured", gaps_json(&b->stats));
	text = json_object_to_json_string_ext(m, JSON_C_TO_STRING_PRETTY |
					      JSON_C_TO_STRING_SPACED);
	add_text(b, "report.json", text, strlen(text));
	json_object_put(m);
}

static void usage(void)
{
	printf("Usage: pmemctl report [options] [FILE|-]\n"
	       "\n"
	       "Write a support bundle (tar.gz): the sysfs subtrees of the nvdimm\n"
	       "and dax buses, the NFIT table, list --json and doctor --json, the\n"
	       "kernel version and command line, modules, CPU flags and the\n"
	       "nvdimm kernel messages. Nothing from the environment, no file\n"
	       "contents. Replay it with 'pmemctl --sysroot BUNDLE list|show|doctor'.\n"
	       "\n"
	       "FILE: where to write it, '-' for standard output\n"
	       "(default: pmemctl-report-DATE-TIME.tar.gz).\n"
	       "\n"
	       "Options:\n"
	       "  -f, --force            overwrite FILE if it exists\n"
	       "  -J, --json             describe the bundle written as JSON\n"
	       "  -h, --help             show this help\n"
	       "\n"
	       "Run it as root: the NFIT table and some attributes are root-only.\n");
}

static const struct option options[] = {
	{ "force", no_argument, NULL, 'f' },
	{ "json", no_argument, NULL, 'J' },
	COMMON_LONG_OPTS,
	{ NULL, 0, NULL, 0 },
};

static void print_summary(FILE *f, const char *file, const struct bundle *b,
			  off_t compressed, bool json)
{
	const struct pm_report_stats *st = &b->stats;

	if (json) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "file", json_object_new_string(file));
		json_object_object_add(o, "top", json_object_new_string(b->top));
		json_object_object_add(o, "files", json_object_new_int64(st->files));
		json_object_object_add(o, "symlinks", json_object_new_int64(st->symlinks));
		json_object_object_add(o, "bytes", json_object_new_int64((int64_t)st->bytes));
		json_object_object_add(o, "compressed_bytes", compressed < 0 ? NULL :
				       json_object_new_int64(compressed));
		json_object_object_add(o, "unreadable_attributes",
				       json_object_new_int64(st->unreadable));
		json_object_object_add(o, "not_captured", gaps_json(st));
		out_print_json(f, o);
		return;
	}
	fprintf(f, "%s: %u files, %u links, %llu KiB", file, st->files, st->symlinks,
		(st->bytes + 1023) / 1024);
	if (compressed >= 0)
		fprintf(f, " (%lld KiB compressed)", (long long)(compressed + 1023) / 1024);
	fputc('\n', f);
	for (size_t i = 0; i < st->nr_gaps; i++)
		fprintf(f, "  not captured: %s: %s\n", st->gaps[i].what, st->gaps[i].why);
	fprintf(f, "Replay it with: pmemctl --sysroot %s doctor\n", file);
}

static void free_captured(struct captured *cap)
{
	free(cap->out);
	free(cap->err);
}

int cmd_report(int argc, char **argv, struct pmemctl_ctx *ctx)
{
	char default_name[96], created[32], temp[4096] = "";
	char *list_argv[] = { "list", "-BDRNXi", "--json", NULL };
	char *doctor_argv[] = { "doctor", "--json", NULL };
	const char *output = NULL;
	bool force = false, json = false, to_stdout;
	struct bundle b = { 0 };
	struct stat st;
	time_t now = time(NULL);
	struct tm tm;
	int c, fd, rc, exit_code = EXIT_OK;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":fJh", options, NULL)) != -1) {
		switch (c) {
		case 'f':
			force = true;
			break;
		case 'J':
			json = true;
			break;
		default:
			return other_option(ctx, c, argv, options, usage);
		}
	}
	if (argc - optind > 1)
		return pm_usage_error(ctx, "unexpected argument '%s'", argv[optind + 1]);
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
		return pm_usage_error(ctx, "standard output is a terminal: redirect it, or name a FILE");
	if (!to_stdout && !force && lstat(output, &st) == 0) {
		pm_error(output, "exists: remove it, name another file, or pass --force");
		return EXIT_REFUSED;
	}
	if (!pm_ctx_platform(ctx, &exit_code))
		return exit_code;

	if (to_stdout) {
		fd = dup(STDOUT_FILENO);
	} else {
		/* Written beside the target and renamed: never a half bundle. */
		snprintf(temp, sizeof(temp), "%s.partial-XXXXXX", output);
		mode_t mask = umask(0);

		umask(mask);
		fd = mkstemp(temp);
		if (fd >= 0)
			fchmod(fd, 0666 & ~mask);
	}
	if (fd < 0) {
		pm_error(output, "cannot create it: %s", strerror(errno));
		return errno == EACCES || errno == EPERM ? EXIT_PERMISSION : EXIT_FAIL;
	}
	rc = pm_archive_open(fd, &b.archive);
	if (rc) {
		close(fd);
		goto fail;
	}
	rc = pm_report_capture(b.archive, b.top, &b.stats);
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
		      to_stdout ? -1 : st.st_size, json);
	free_captured(&b.list);
	free_captured(&b.doctor);
	return EXIT_OK;
fail:
	if (temp[0])
		unlink(temp);
	pm_error(output, "cannot write the report: %s", strerror(-rc));
	free_captured(&b.list);
	free_captured(&b.doctor);
	return EXIT_FAIL;
}
