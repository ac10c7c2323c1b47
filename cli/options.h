/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Option tables: getopt's arrays, --help, --list-opts and conflicts from one row each. */
#ifndef PMEMCTL_OPTIONS_H
#define PMEMCTL_OPTIONS_H

#include <getopt.h>
#include <stdio.h>

struct pmemctl_ctx;

/*
 * One row per option. The same row feeds getopt_long, the option list of
 * --help and --list-opts (completion), so none of them can drift.
 */
struct cli_option {
	const char *name;	/* long name; NULL with help: a heading */
	int key;		/* short letter, or an OPT_* value above 0xff */
	const char *arg;	/* its argument in --help; NULL: takes none */
	const char *help;	/* --help text ('\n' continues); NULL: hidden */
};

enum {
	OPT_OUTPUT_ALL = 0x1000,
	OPT_LIST_COLUMNS,
	OPT_LIST_OPTS,
	OPT_FIRST_COMMAND_OPT,	/* commands number their own from here */
	OPT_CONFLICT = -2,	/* cli_getopt: two exclusive options, reported */
};

#define CLI_HEADING(text) { NULL, 0, NULL, text }
#define CLI_END { NULL, 0, NULL, NULL }

/* The output options of every listing command (lsblk's). */
#define CLI_OUTPUT_OPTIONS						\
	CLI_HEADING("Output:"),						\
	{ "json", 'J', NULL, "JSON, one top-level object" },		\
	{ "output", 'o', "LIST", "columns to show; +LIST adds to the default" }, \
	{ "output-all", OPT_OUTPUT_ALL, NULL, "show every column" },	\
	{ "list-columns", OPT_LIST_COLUMNS, NULL, "list the columns and exit" }, \
	{ "noheadings", 'n', NULL, "no header line" },			\
	{ "raw", 'r', NULL, "raw output: no tree, no alignment" },	\
	{ "bytes", 'b', NULL, "sizes in bytes" }

/* What every command takes; --list-opts is for completion, not listed. */
#define CLI_COMMON_OPTIONS						\
	{ "help", 'h', NULL, "show this help" },			\
	{ "list-opts", OPT_LIST_OPTS, NULL, NULL }

#define CLI_MAX_OPTIONS 48

struct cli_getopt {
	const struct cli_option *table;
	struct pmemctl_ctx *ctx;
	struct option longopts[CLI_MAX_OPTIONS + 1];
	char shortopts[2 * CLI_MAX_OPTIONS + 2];
	int seen[CLI_MAX_OPTIONS];	/* keys given so far, for conflicts */
	int nr_seen;
};

/* Resets getopt and builds its arrays from the table. */
void cli_getopt_init(struct cli_getopt *g, struct pmemctl_ctx *ctx,
		     const struct cli_option *table);
/*
 * The next option's key as getopt_long returns it (':' and '?' for
 * errors, -1 at the end), or OPT_CONFLICT once an option that excludes
 * one given before has been reported (util-linux's rule: -J with -r or
 * -n makes no sense, so it is refused rather than half obeyed).
 */
int cli_getopt(struct cli_getopt *g, int argc, char **argv);
/* The table as --help shows it, headings and continuation lines too. */
void cli_print_options(FILE *f, const struct cli_option *table);
/* --list-opts: one long option per line, "=" after those with an argument. */
void cli_print_long_opts(const struct cli_option *table);

#endif
