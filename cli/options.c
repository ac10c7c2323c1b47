// SPDX-License-Identifier: GPL-2.0-or-later
/* Option tables: getopt's arrays, --help, --list-opts and conflicts from one row each. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "../lib/compat.h"
#include "pmemctl.h"

/*
 * Options that cannot be combined, as util-linux's ul_excl_t lists them;
 * by long name, since a letter may mean something else in another command
 * (-n is --name in create-namespace).
 */
static const char *const exclusive[][2] = {
	{ "json", "raw" },		/* JSON has no raw form */
	{ "json", "noheadings" },	/* nor a header to leave out */
};

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
static void cli_getopt_init(struct cli_getopt *g, struct pmemctl_ctx *ctx,
			    const struct cli_option *table)
{
	char *s;
	int n = 0;

	memset(g, 0, sizeof(*g));
	g->table = table;
	g->ctx = ctx;
	s = g->shortopts;
	*s++ = ':';		/* ':' for a missing argument, and no messages */
	for (; table->name || table->help; table++) {
		if (!table->name || n == CLI_MAX_OPTIONS)
			continue;
		g->longopts[n++] = (struct option){
			table->name, table->arg ? required_argument : no_argument,
			NULL, table->key };
		if (table->key > 0 && table->key < 0x100) {
			*s++ = (char)table->key;
			if (table->arg)
				*s++ = ':';
		}
	}
	*s = '\0';
	optind = 0;
	opterr = 0;
}

static const struct cli_option *find_key(const struct cli_option *table, int key)
{
	for (; table->name || table->help; table++)
		if (table->name && table->key == key)
			return table;
	return NULL;
}

static void option_name(const struct cli_option *o, char *buf, size_t len)
{
	if (o->key > 0 && o->key < 0x100)
		snprintf(buf, len, "-%c/--%s", o->key, o->name);
	else
		snprintf(buf, len, "--%s", o->name);
}

/*
 * The next option's key as getopt_long returns it (':' and '?' for
 * errors, -1 at the end), or OPT_CONFLICT once an option that excludes
 * one given before has been reported (util-linux's rule: -J with -r or
 * -n makes no sense, so it is refused rather than half obeyed).
 */
static int cli_getopt(struct cli_getopt *g, int argc, char **argv)
{
	int c = getopt_long(argc, argv, g->shortopts, g->longopts, NULL);
	const struct cli_option *given;

	if (c == -1 || c == ':' || c == '?')
		return c;
	given = find_key(g->table, c);
	for (size_t i = 0; given && i < ARRAY_SIZE(exclusive); i++) {
		const char *other = !strcmp(exclusive[i][0], given->name) ? exclusive[i][1] :
				    !strcmp(exclusive[i][1], given->name) ? exclusive[i][0] : NULL;

		for (int j = 0; other && j < g->nr_seen; j++) {
			const struct cli_option *seen = find_key(g->table, g->seen[j]);
			char a[64], b[64];

			if (!seen || strcmp(seen->name, other))
				continue;
			option_name(seen, a, sizeof(a));
			option_name(given, b, sizeof(b));
			cli_usage_error(g->ctx, "%s and %s cannot be combined", a, b);
			return OPT_CONFLICT;
		}
	}
	if (g->nr_seen < CLI_MAX_OPTIONS)
		g->seen[g->nr_seen++] = c;
	return c;
}

void cli_print_options(FILE *f, const struct cli_option *table)
{
	for (; table->name || table->help; table++) {
		char left[64];
		const char *line, *next;

		if (!table->help)
			continue;
		if (!table->name) {
			fprintf(f, "%s\n", table->help);
			continue;
		}
		snprintf(left, sizeof(left), "--%s%s%s", table->name,
			 table->arg ? " " : "", table->arg ? table->arg : "");
		if (table->key > 0 && table->key < 0x100)
			fprintf(f, "  -%c, %-18s ", table->key, left);
		else
			fprintf(f, "      %-18s ", left);
		for (line = table->help; line; line = next) {
			next = strchr(line, '\n');
			if (line != table->help)
				fprintf(f, "%25s", "");
			fprintf(f, "%.*s\n", next ? (int)(next - line) : (int)strlen(line),
				line);
			if (next)
				next++;
		}
	}
}

void cli_print_long_opts(const struct cli_option *table)
{
	for (; table->name || table->help; table++)
		if (table->name && table->key != OPT_LIST_OPTS)
			printf("--%s%s\n", table->name, table->arg ? "=" : "");
}

/* A row's value from its argument: an exit code. */
static int take_value(struct pmemctl_ctx *ctx, const struct cli_option *o,
		      const char *arg)
{
	unsigned long v;
	char *end;

	switch (o->type) {
	case CLI_FLAG:
		*(bool *)o->value = true;
		return EXIT_OK;
	case CLI_FLAG_OFF:
		*(bool *)o->value = false;
		return EXIT_OK;
	case CLI_STRING:
		*(const char **)o->value = arg;
		return EXIT_OK;
	case CLI_UINT:
		errno = 0;
		v = strtoul(arg, &end, 10);
		if (errno || end == arg || *end || arg[0] == '-' || v > o->data)
			return cli_usage_error(ctx, "bad --%s '%s': a number, at most %lu",
					       o->name, arg, o->data);
		*(unsigned int *)o->value = v;
		return EXIT_OK;
	case CLI_BITS:
		*(unsigned int *)o->value |= o->data;
		return EXIT_OK;
	case CLI_CALLBACK:
		return o->parse(ctx, arg, o->value);
	case CLI_KEY:
		break;
	}
	return CLI_GO_ON;
}

int cli_parse(struct pmemctl_ctx *ctx, int argc, char **argv,
	      const struct cli_parser *p)
{
	const struct cli_option *o;
	struct cli_getopt g;
	int c, rc;

	cli_getopt_init(&g, ctx, p->table);
	while ((c = cli_getopt(&g, argc, argv)) != -1) {
		switch (c) {
		case 'h':
			if (p->usage) {
				p->usage();
				return EXIT_OK;
			}
			printf("%s", p->usage_text ? p->usage_text : "");
			cli_print_options(stdout, p->table);
			printf("%s", p->usage_end ? p->usage_end : "");
			return EXIT_OK;
		case OPT_LIST_OPTS:
			cli_print_long_opts(p->table);
			return EXIT_OK;
		case OPT_CONFLICT:
			return EXIT_USAGE;
		case ':':
		case '?':
			return cli_bad_option(ctx, c, argv);
		}
		o = find_key(p->table, c);
		if (o && o->value)
			rc = take_value(ctx, o, optarg);
		else
			rc = p->option ? p->option(ctx, p->data, c, optarg) : CLI_GO_ON;
		if (rc == CLI_GO_ON)	/* a row nothing handles */
			return cli_bad_option(ctx, c, argv);
		if (rc != EXIT_OK)
			return rc;
	}
	if (p->out && p->out->list_columns && p->spec) {
		out_list_columns(stdout, p->spec, p->out->json);
		return EXIT_OK;
	}
	return CLI_GO_ON;
}
