/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Option tables: getopt's arrays, --help, --list-opts and conflicts from one row each. */
#ifndef PMEMCTL_OPTIONS_H
#define PMEMCTL_OPTIONS_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

struct pmemctl_ctx;
struct out_spec;
struct out_opts;

/*
 * What cli_parse() does with an option's argument, into the row's value.
 * CLI_KEY (a row without a value): nothing; the command's option callback
 * gets the key.
 */
enum cli_type {
	CLI_KEY,
	CLI_FLAG,		/* bool: true */
	CLI_FLAG_OFF,		/* bool: false (the --no-x of an --x) */
	CLI_STRING,		/* const char *: the argument itself */
	CLI_UINT,		/* unsigned int: decimal, at most the row's max */
	CLI_BITS,		/* unsigned int: the row's bits or'ed in */
	CLI_CALLBACK,		/* the row's parse(): an exit code */
};

/*
 * One row per option. The same row feeds getopt_long, the option list of
 * --help and --list-opts (completion), and cli_parse() when it has a
 * value, so none of them can drift. Write rows with the OPT_*() macros.
 */
struct cli_option {
	const char *name;	/* long name; NULL with help: a heading */
	int key;		/* short letter, or an OPT_* value above 0xff */
	const char *arg;	/* its argument in --help; NULL: takes none */
	const char *help;	/* --help text ('\n' continues); NULL: hidden */
	enum cli_type type;
	void *value;		/* where cli_parse() puts it; NULL: CLI_KEY */
	unsigned long data;	/* CLI_BITS: the bits; CLI_UINT: the maximum */
	/* CLI_CALLBACK: reads arg into value; an exit code (usage error) */
	int (*parse)(struct pmemctl_ctx *ctx, const char *arg, void *value);
};

/* v itself, after the compiler checked that it is a pointer of type t. */
#define CLI_VALUE(v, t)							\
	((v) + 0 * sizeof(struct { int : -!__builtin_types_compatible_p(__typeof__(v), t); }))

/* Rows bound to a value, as ndctl's OPT_BOOLEAN() and its kin. */
#define OPT_FLAG(s, l, v, h)						\
	{ .name = l, .key = s, .help = h, .type = CLI_FLAG,		\
	  .value = CLI_VALUE(v, bool *) }
#define OPT_FLAG_OFF(s, l, v, h)					\
	{ .name = l, .key = s, .help = h, .type = CLI_FLAG_OFF,		\
	  .value = CLI_VALUE(v, bool *) }
#define OPT_STRING(s, l, v, a, h)					\
	{ .name = l, .key = s, .arg = a, .help = h, .type = CLI_STRING,	\
	  .value = CLI_VALUE(v, const char **) }
#define OPT_UINT(s, l, v, max, a, h)					\
	{ .name = l, .key = s, .arg = a, .help = h, .type = CLI_UINT,	\
	  .value = CLI_VALUE(v, unsigned int *), .data = max }
#define OPT_BITS(s, l, v, bits, h)					\
	{ .name = l, .key = s, .help = h, .type = CLI_BITS,		\
	  .value = CLI_VALUE(v, unsigned int *), .data = bits }
#define OPT_CALLBACK(s, l, v, a, h, fn)					\
	{ .name = l, .key = s, .arg = a, .help = h, .type = CLI_CALLBACK, \
	  .value = v, .parse = fn }
/* A row the command's option callback handles (CLI_KEY). */
#define OPT_KEY(s, l, a, h) { .name = l, .key = s, .arg = a, .help = h }

/* cli_parse(): the options are read; the command goes on. */
#define CLI_GO_ON (-1)

enum {
	OPT_OUTPUT_ALL = 0x1000,
	OPT_LIST_COLUMNS,
	OPT_LIST_OPTS,
	OPT_FIRST_COMMAND_OPT,	/* commands number their own from here */
	OPT_CONFLICT = -2,	/* cli_getopt: two exclusive options, reported */
};

#define CLI_HEADING(text) { NULL, 0, NULL, text }
#define CLI_END { NULL, 0, NULL, NULL }

/* The one --list-columns row: every command has it. */
#define CLI_LIST_COLUMNS_HELP "list the columns (JSON keys) and exit;\nas JSON with -J"
#define OPT_LIST_COLUMNS_ROW(opts) \
	OPT_FLAG(OPT_LIST_COLUMNS, "list-columns", &(opts)->list_columns, \
		 CLI_LIST_COLUMNS_HELP)

/*
 * The output options of every listing command (lsblk's), bound to a
 * struct out_opts: cli_parse() fills it, and lists the spec's columns on
 * --list-columns.
 */
#define OPT_OUTPUT_GROUP(opts)						\
	CLI_HEADING("Output:"),						\
	OPT_FLAG('J', "json", &(opts)->json, "JSON, one top-level object"), \
	OPT_STRING('o', "output", &(opts)->columns, "LIST",		\
		   "columns to show; +LIST adds to the default"),	\
	OPT_FLAG(OPT_OUTPUT_ALL, "output-all", &(opts)->output_all,	\
		 "show every column"),					\
	OPT_LIST_COLUMNS_ROW(opts),					\
	OPT_FLAG('n', "noheadings", &(opts)->noheadings, "no header line"), \
	OPT_FLAG('r', "raw", &(opts)->raw, "raw output: no tree, no alignment"), \
	OPT_FLAG('b', "bytes", &(opts)->bytes, "sizes in bytes")

/*
 * A command whose output is one JSON document (doctor, report, ...):
 * -J with what the document is, and --list-columns its keys.
 */
#define OPT_DOCUMENT_GROUP(opts, json_help)				\
	OPT_FLAG('J', "json", &(opts)->json, json_help),		\
	OPT_LIST_COLUMNS_ROW(opts)

/* What every command takes; --list-opts is for completion, not listed. */
#define CLI_COMMON_OPTIONS						\
	{ "help", 'h', NULL, "show this help" },			\
	{ "list-opts", OPT_LIST_OPTS, NULL, NULL }

/* How a command's options are read by cli_parse(). */
struct cli_parser {
	const struct cli_option *table;
	/*
	 * -h: prints the help, options included; NULL: usage_text, the
	 * table, then usage_end (a table composed at run time).
	 */
	void (*usage)(void);
	const char *usage_text, *usage_end;
	/*
	 * The output or document group's opts, and the spec --list-columns
	 * lists (with -J as JSON); NULL: the command has neither.
	 */
	const struct out_opts *out;
	const struct out_spec *spec;
	/*
	 * Rows without a value (CLI_KEY), with data: an exit code, or
	 * CLI_GO_ON when key is none of the command's.
	 */
	int (*option)(struct pmemctl_ctx *ctx, void *data, int key, const char *arg);
	void *data;
};

/*
 * Reads argv's options into the rows' values; -h, --list-opts,
 * --list-columns, conflicts and errors (said, with the usage hint) end
 * it. CLI_GO_ON, with optind at the first operand, or the exit code the
 * command returns.
 */
int cli_parse(struct pmemctl_ctx *ctx, int argc, char **argv,
	      const struct cli_parser *p);

/* The table as --help shows it, headings and continuation lines too. */
void cli_print_options(FILE *f, const struct cli_option *table);
/* --list-opts: one long option per line, "=" after those with an argument. */
void cli_print_long_opts(const struct cli_option *table);

#endif
