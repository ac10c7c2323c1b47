/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What every command shares: context, exit codes, messages, options. */
#ifndef PMEMCTL_CLI_H
#define PMEMCTL_CLI_H

#include <getopt.h>
#include <stdbool.h>

#include "options.h"
#include "output.h"

struct pm_platform;

/* One set for every command; documented in man/exit-codes.adoc. */
enum pmemctl_exit {
	EXIT_OK = 0,
	EXIT_FAIL = 1,		/* the operation failed; the message says why */
	EXIT_USAGE = 2,		/* bad option or argument */
	EXIT_NOT_FOUND = 3,	/* a named object does not exist */
	EXIT_PERMISSION = 4,	/* needs privileges the caller lacks */
	EXIT_UNSUPPORTED = 5,	/* no way to do it here (driver, hardware) */
	EXIT_BUSY = 6,		/* the target is in use */
	EXIT_PARTIAL = 7,	/* some of several targets failed */
	EXIT_NOT_NEEDED = 8,	/* nothing to do, and --strict asked for it */
	EXIT_REFUSED = 9,	/* would destroy data: --force needed */
	EXIT_DOCTOR_WARNING = 10, /* doctor: the worst finding is a warning */
	EXIT_DOCTOR_ERROR = 11,	/* doctor: the worst finding is an error */
	EXIT_TIMEOUT = 12,	/* gave up waiting; the operation goes on */
};

struct pmemctl_ctx {
	const char *cmd;		/* the running command's name */
	const char *sysroot;		/* the report being replayed, or NULL */
	struct pm_platform *platform;	/* scanned on first use */
};

/* What a command is for: the sections of `pmemctl --help`, in order. */
enum command_group {
	GROUP_INSPECT,
	GROUP_DIAGNOSE,
	GROUP_PROVISION,
	GROUP_MAINTAIN,
	GROUP_FLEET,
	NR_COMMAND_GROUPS,
};

struct command {
	const char *name;
	int (*fn)(int argc, char **argv, struct pmemctl_ctx *ctx);
	const char *summary;
	bool replayable;		/* reads only: runs under --sysroot */
	enum command_group group;
};

int cmd_list(int argc, char **argv, struct pmemctl_ctx *ctx);
int cmd_show(int argc, char **argv, struct pmemctl_ctx *ctx);
int cmd_deep_flush(int argc, char **argv, struct pmemctl_ctx *ctx);
int cmd_convert(int argc, char **argv, struct pmemctl_ctx *ctx);
int cmd_create_namespace(int argc, char **argv, struct pmemctl_ctx *ctx);
int cmd_destroy_namespace(int argc, char **argv, struct pmemctl_ctx *ctx);
int cmd_create_region(int argc, char **argv, struct pmemctl_ctx *ctx);
int cmd_destroy_region(int argc, char **argv, struct pmemctl_ctx *ctx);
int cmd_enable(int argc, char **argv, struct pmemctl_ctx *ctx);
int cmd_disable(int argc, char **argv, struct pmemctl_ctx *ctx);
int cmd_probe(int argc, char **argv, struct pmemctl_ctx *ctx);
int cmd_doctor(int argc, char **argv, struct pmemctl_ctx *ctx);
int cmd_metrics(int argc, char **argv, struct pmemctl_ctx *ctx);
int cmd_report(int argc, char **argv, struct pmemctl_ctx *ctx);
int cmd_clear_errors(int argc, char **argv, struct pmemctl_ctx *ctx);
int cmd_init_labels(int argc, char **argv, struct pmemctl_ctx *ctx);
int cmd_zero_labels(int argc, char **argv, struct pmemctl_ctx *ctx);
int cmd_restore_labels(int argc, char **argv, struct pmemctl_ctx *ctx);
int cmd_scrub(int argc, char **argv, struct pmemctl_ctx *ctx);
int cmd_inject_error(int argc, char **argv, struct pmemctl_ctx *ctx);
int cmd_inject_smart(int argc, char **argv, struct pmemctl_ctx *ctx);
int cmd_update_firmware(int argc, char **argv, struct pmemctl_ctx *ctx);
int cmd_set_passphrase(int argc, char **argv, struct pmemctl_ctx *ctx);
int cmd_remove_passphrase(int argc, char **argv, struct pmemctl_ctx *ctx);
int cmd_freeze_security(int argc, char **argv, struct pmemctl_ctx *ctx);
int cmd_sanitize_dimm(int argc, char **argv, struct pmemctl_ctx *ctx);
int cmd_load_keys(int argc, char **argv, struct pmemctl_ctx *ctx);
int cmd_monitor(int argc, char **argv, struct pmemctl_ctx *ctx);
int cmd_read_labels(int argc, char **argv, struct pmemctl_ctx *ctx);
int cmd_check_labels(int argc, char **argv, struct pmemctl_ctx *ctx);

/* "pmemctl: <object>: <message>" on stderr; object may be NULL. */
void cli_error(const char *object, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A usage error: the message, then a pointer to --help; returns EXIT_USAGE. */
int cli_usage_error(struct pmemctl_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/*
 * For getopt_long's ':' and '?' (option strings start with ':' and opterr
 * is 0): names the bad option the way the user wrote it.
 */
int cli_bad_option(struct pmemctl_ctx *ctx, int c, char **argv);
/* Maps a -errno from lib/ to the documented exit code. */
int cli_exit_code(int err);

/* The platform snapshot, scanned once per run; NULL after an error. */
struct pm_platform *ctx_platform(struct pmemctl_ctx *ctx, int *exit_code);
/*
 * The same, reading only region's namespaces, and its DIMMs and mappings
 * when dimms (what a change of one namespace needs); region NULL: all;
 * region "": no namespace at all (a command about DIMMs alone).
 */
struct pm_platform *ctx_platform_region(struct pmemctl_ctx *ctx, const char *region,
				       bool dimms, int *exit_code);
/* A fresh snapshot, after a change or a wait; the old one is freed. */
struct pm_platform *ctx_rescan(struct pmemctl_ctx *ctx, int *exit_code);

/* out_select() with its errors reported; returns an exit code. */
int select_columns(struct pmemctl_ctx *ctx, const struct out_spec *spec,
		   const struct out_opts *opts, unsigned int kinds,
		   struct out_selection *sel);

/* Flushes stdout; a write error (full disk, closed pipe) is a failure. */
int finish_stdout(int exit_code);

/*
 * The user's LC_CTYPE, taken once, by what depends on it: a table's
 * glyphs (out_table_locale, cli/output.c) and libarchive's names
 * (report, --sysroot).
 * A run that needs neither reads no locale files.
 */
void cli_setlocale(void);

#endif
