// SPDX-License-Identifier: GPL-2.0-or-later
/* Helpers every command shares: messages, exit codes, options, stdout. */
#include <errno.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "pmemctl.h"
#include "../lib/pmem.h"

/*
 * A message is one line: its object and the values in it come from sysfs,
 * bundles and file names, so a newline or an escape sequence there is
 * shown escaped, not obeyed.
 */
static void vmessage(const char *object, const char *fmt, va_list ap)
{
	char *text = NULL;

	fputs("pmemctl: ", stderr);
	if (object)
		fprintf(stderr, "%s: ", esc(object));
	if (vasprintf(&text, fmt, ap) < 0) {
		fputs("(out of memory)\n", stderr);
		return;
	}
	fprintf(stderr, "%s\n", esc(text));
	free(text);
}

void cli_error(const char *object, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage(object, fmt, ap);
	va_end(ap);
}

int cli_usage_error(struct pmemctl_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage(NULL, fmt, ap);
	va_end(ap);
	if (ctx && ctx->cmd)
		fprintf(stderr, "Try 'pmemctl %s --help' for more information.\n",
			ctx->cmd);
	else
		fprintf(stderr, "Try 'pmemctl --help' for more information.\n");
	return EXIT_USAGE;
}

int cli_exit_code(int err)
{
	switch (err < 0 ? -err : err) {
	case 0:
		return EXIT_OK;
	case EPERM:
	case EACCES:
		return EXIT_PERMISSION;
	case ENOENT:
	case ENODEV:
	case ENXIO:
		return EXIT_NOT_FOUND;
	case EOPNOTSUPP:
		return EXIT_UNSUPPORTED;
	case EBUSY:
		return EXIT_BUSY;
	case EINVAL:
		return EXIT_USAGE;
	default:
		return EXIT_FAIL;
	}
}

struct pm_platform *ctx_platform_region(struct pmemctl_ctx *ctx, const char *region,
				       bool dimms, int *exit_code)
{
	int rc;

	if (ctx->platform)
		return ctx->platform;
	rc = region ? pm_platform_scan_region(&ctx->platform, region, dimms) :
		      pm_platform_scan(&ctx->platform);
	if (rc < 0) {
		cli_error(NULL, "cannot read the nvdimm subsystem: %s",
			  strerror(-rc));
		*exit_code = EXIT_FAIL;
		return NULL;
	}
	return ctx->platform;
}

struct pm_platform *ctx_platform(struct pmemctl_ctx *ctx, int *exit_code)
{
	return ctx_platform_region(ctx, NULL, true, exit_code);
}

struct pm_platform *ctx_rescan(struct pmemctl_ctx *ctx, int *exit_code)
{
	pm_platform_free(ctx->platform);
	ctx->platform = NULL;
	return ctx_platform(ctx, exit_code);
}

/*
 * The character set only: the output engine asks nl_langinfo(CODESET)
 * whether to draw with UTF-8, and libarchive converts a bundle's names.
 * LC_ALL would also load every other category (27 files where this takes
 * 4) and let LC_NUMERIC put decimal commas into JSON and Prometheus
 * numbers.
 */
void cli_setlocale(void)
{
	static bool done;

	if (!done)
		setlocale(LC_CTYPE, "");
	done = true;
}

int finish_stdout(int exit_code)
{
	bool failed = ferror(stdout);

	errno = 0;
	if (fflush(stdout) != 0)
		failed = true;
	if (failed) {
		cli_error(NULL, "write error on standard output: %s",
			  errno ? strerror(errno) : "I/O error");
		return exit_code ? exit_code : EXIT_FAIL;
	}
	return exit_code;
}

int cli_bad_option(struct pmemctl_ctx *ctx, int c, char **argv)
{
	const char *arg = argv[optind - 1];

	if (c == ':')
		return cli_usage_error(ctx, "option '%s' needs an argument", arg);
	if (optopt && optopt != '?')
		return cli_usage_error(ctx, "unknown option '-%c'", optopt);
	return cli_usage_error(ctx, "unknown option '%s'", arg);
}

int select_columns(struct pmemctl_ctx *ctx, const struct out_spec *spec,
		   const struct out_opts *opts, unsigned int kinds,
		   struct out_selection *sel)
{
	char bad[64];

	switch (out_select(spec, opts, kinds, sel, bad, sizeof(bad))) {
	case 0:
		return EXIT_OK;
	case -EINVAL:
		return cli_usage_error(ctx, "unknown column '%s' (see --list-columns)",
				       bad);
	case -ENODATA:
		return cli_usage_error(ctx, "no column named after -o");
	default:
		return cli_usage_error(ctx, "too many columns (at most %d)",
				       OUT_MAX_COLUMNS);
	}
}
