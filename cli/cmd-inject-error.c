// SPDX-License-Identifier: GPL-2.0-or-later
/* pmemctl inject-error: a media error drill through the platform's injection. */
#include "change.h"
#include "../lib/inject.h"
#include "../lib/cxl.h"

enum {
	OPT_OFFSET = CHANGE_OPT_FIRST,
	OPT_COUNT,
	OPT_FILE,
	OPT_FILE_OFFSET,
	OPT_UNINJECT,
	OPT_STATUS,
	OPT_NO_NOTIFY,
};

static const struct cli_option options[] = {
	{ "offset", OPT_OFFSET, "BYTES", "from the namespace's first data byte (its\n"
					 "block device's byte 0); a multiple of 512" },
	{ "count", OPT_COUNT, "BYTES", "how many bytes, a multiple of 512 (default 512)" },
	{ "file", OPT_FILE, "PATH", "instead: under a file of the namespace's\n"
				    "filesystem (mounted -o dax)" },
	{ "file-offset", OPT_FILE_OFFSET, "BYTES", "--file: the file's byte to hit (default 0);\n"
						   "its whole 512-byte sector is injected" },
	{ "uninject", OPT_UNINJECT, NULL, "take the range off the injection list" },
	{ "status", OPT_STATUS, NULL, "print the injected ranges; change nothing" },
	{ "no-notify", OPT_NO_NOTIFY, NULL, "the platform does not tell the OS (no scrub\n"
					    "follows by itself)" },
	CLI_END,
};

struct inject_args {
	struct pm_inject_request req;
	bool has_offset, has_count, has_file_offset;
};

static int size_arg(struct change *ch, const char *what, const char *arg,
		    uint64_t *value)
{
	if (pm_parse_size(arg, value) < 0)
		return cli_usage_error(ch->ctx, "bad %s '%s': bytes, such as 4096 or 4K", what, arg);
	return EXIT_OK;
}

static int option(struct change *ch, int c, const char *arg)
{
	struct inject_args *a = ch->args;

	switch (c) {
	case OPT_OFFSET:
		a->has_offset = true;
		return size_arg(ch, "offset", arg, &a->req.offset);
	case OPT_COUNT:
		a->has_count = true;
		return size_arg(ch, "count", arg, &a->req.length);
	case OPT_FILE:
		a->req.file = arg;
		return EXIT_OK;
	case OPT_FILE_OFFSET:
		a->has_file_offset = true;
		return size_arg(ch, "file offset", arg, &a->req.file_offset);
	case OPT_UNINJECT:
		a->req.uninject = true;
		return EXIT_OK;
	case OPT_STATUS:
		a->req.status = true;
		return EXIT_OK;
	case OPT_NO_NOTIFY:
		a->req.notify = false;
		return EXIT_OK;
	default:
		return -1;
	}
}

/* Which options go together, before the platform is read. */
static int check(struct change *ch)
{
	struct inject_args *a = ch->args;
	struct pm_inject_request *req = &a->req;

	if (req->status && (a->has_offset || a->has_count || req->file || req->uninject))
		return cli_usage_error(ch->ctx, "--status takes no range: it lists every injected range");
	if (req->file && (a->has_offset || a->has_count))
		return cli_usage_error(ch->ctx, "--file names the place: no --offset or --count with it");
	if (a->has_file_offset && !req->file)
		return cli_usage_error(ch->ctx, "--file-offset needs --file");
	if (!req->status && !req->file && !a->has_offset)
		return cli_usage_error(ch->ctx, "where? --offset BYTES, --file PATH, or --status");
	if (!a->has_count)
		req->length = 512;
	if (req->status && ch->dry_run)
		return cli_usage_error(ch->ctx, "--status changes nothing: no --dry-run with it");
	return EXIT_OK;
}

static int plan(struct change *ch)
{
	struct inject_args *a = ch->args;

	a->req.dry_run = true;
	a->req.force = ch->force;
	return pm_inject_error(ch->pf, ch->t.ns, &a->req, ch->res);
}

static int run(struct change *ch)
{
	struct inject_args *a = ch->args;

	a->req.dry_run = false;
	return pm_inject_error(ch->pf, ch->t.ns, &a->req, ch->res);
}

static const struct change_verb inject_error = {
	.doing = "injecting errors",
	.targets = CHANGE_NAMESPACE,
	.usage = "Usage: pmemctl inject-error [options] NAMESPACE --offset BYTES [--count N]\n"
		 "       pmemctl inject-error [options] NAMESPACE --file PATH [--file-offset N]\n"
		 "       pmemctl inject-error NAMESPACE --status\n"
		 "\n"
		 "A media error drill: the platform's error injection (nfit_test,\n"
		 "firmware with ACPI error injection, or CXL memdevs' poison injection\n"
		 "in debugfs) marks 512-byte sectors of the namespace as poisoned; a\n"
		 "scrub then finds them (CXL: the poison lists), reads there fail and\n"
		 "doctor names what they hit. --file aims under a file's byte. A\n"
		 "namespace in use needs --file or --force.\n"
		 "\n",
	.usage_end = "\n"
		     "Exit: 0 done, 2 bad option or range, 3 no such namespace, 4 not\n"
		     "root, 5 no injection here, 6 in use (without --file or --force),\n"
		     "1 the platform refused. See pmemctl-inject-error(1).\n",
	.options = options,
	.force_help = "inject under a namespace in use (its data\nthere becomes unreadable)",
	.option = option,
	.check = check,
	.plan = plan,
	.run = run,
};

int cmd_inject_error(int argc, char **argv, struct pmemctl_ctx *ctx)
{
	struct inject_args a = { .req = { .notify = true, .dry_run = true } };

	/* Media errors: a CXL region's include its memdevs' poison. */
	pm_cxl_poison_want(true);
	return change_run(ctx, &inject_error, &a, argc, argv);
}
