/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Column tables rendered as a human table, raw text or JSON. */
#ifndef PMEMCTL_OUTPUT_H
#define PMEMCTL_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct json_object;

enum out_type {
	OUT_STRING,
	OUT_SIZE,		/* bytes: human units in the table, integer in JSON */
	OUT_UINT,
	OUT_INT,
	OUT_BOOL,
	OUT_STRV,		/* list of strings: joined by ", " in the table */
	OUT_FLOAT,		/* a double with cell.decimals decimals, both ways */
	OUT_OBJECT,		/* JSON only: the child of kind child_kind, or null */
	OUT_ARRAY,		/* JSON only: the children of kind child_kind, [] */
};

/* What a getter produced: a value of the column's type, or null. */
struct out_cell {
	bool null;
	const char *str;
	const char *const *strv;	/* NULL-terminated, for OUT_STRV */
	uint64_t u;
	int64_t i;
	bool b;
	double f;		/* OUT_FLOAT */
	int decimals;		/* OUT_FLOAT: digits after the point */
};

struct out_obj {
	int kind;		/* index into out_spec.kind_keys */
	const void *ptr;
};

enum out_column_flags {
	OUT_DEFAULT = 1 << 0,	/* shown without -o */
	OUT_TREE = 1 << 1,	/* carries the tree glyphs in the table */
	OUT_RIGHT = 1 << 2,	/* right-aligned in the table */
	/*
	 * JSON carries it only when selected (-o, --output-all, or the command
	 * adds it to the selection): its value costs, or it is an option's.
	 */
	OUT_ON_REQUEST = 1 << 3,
	/* The table drops it when no row has a value but 0 (unless -o names it). */
	OUT_HIDE_EMPTY = 1 << 4,
};

struct out_column {
	const char *name;	/* header and -o name */
	/*
	 * JSON key; NULL: table only. "group.key" nests the value in the
	 * object "group" of the row (made where its first key falls).
	 */
	const char *key;
	const char *help;
	enum out_type type;
	unsigned int kinds;	/* bit per kind the column applies to */
	unsigned int flags;
	void (*get)(const struct out_obj *obj, struct out_cell *cell);
	int child_kind;		/* OUT_OBJECT, OUT_ARRAY: what they hold */
};

/* How a spec's JSON document is shaped, for its JSON Schema. */
enum out_document {
	OUT_DOC_TREE,		/* out_to_json: {"regions": [...], ...} */
	OUT_DOC_OBJECT,		/* out_document_json: one object of root_kind */
	OUT_DOC_NONE,		/* no JSON document (metrics' families) */
};

struct out_spec {
	const struct out_column *columns;
	size_t nr_columns;
	const char *const *kind_keys;	/* JSON array name per kind */
	const char *const *kind_names;	/* table name per kind */
	size_t nr_kinds;
	/*
	 * The "schema_version" every document carries: raise it with any
	 * change to the keys or their types (schemas/update refuses to write
	 * a changed schema under the old number). 0 reads as 1.
	 */
	unsigned int schema_version;
	enum out_document document;
	int root_kind;			/* OUT_DOC_OBJECT: the document's kind */
};

struct out_opts {
	bool json;
	bool raw;
	bool noheadings;
	bool bytes;
	bool output_all;
	bool list_columns;
	const char *columns;	/* -o argument, or NULL */
};

/* A tree of objects; child_kinds names the arrays that must appear. */
struct out_node {
	struct out_obj obj;
	unsigned int child_kinds;
	struct out_node *children;
	size_t nr_children;
	size_t alloc;
};

#define OUT_MAX_COLUMNS 192

/* The columns to print: -o LIST, -o +LIST, --output-all or the defaults. */
struct out_selection {
	size_t index[OUT_MAX_COLUMNS];
	size_t nr;
	bool explicit_columns;	/* -o given: JSON keeps only these keys */
};

/*
 * Returns 0; -EINVAL with the unknown column name copied into bad;
 * -ENODATA for an empty list; -E2BIG for too many columns. kinds (a bit
 * per kind shown) keeps the default columns to those that apply.
 */
int out_select(const struct out_spec *spec, const struct out_opts *opts,
	       unsigned int kinds, struct out_selection *sel, char *bad,
	       size_t bad_len);
/* Adds columns[index] if it is not selected yet: 0 or -E2BIG. */
int out_select_add(struct out_selection *sel, size_t index);
bool out_selected(const struct out_selection *sel, size_t index);

struct out_node *out_node_add(struct out_node *parent, int kind,
			      const void *ptr);
void out_node_free(struct out_node *root);

/*
 * Called before a table is drawn, whose glyphs follow nl_langinfo(CODESET):
 * pmemctl's main() sets it to cli_setlocale(), so that a run drawing no
 * table reads no locale files. NULL: the locale as it is.
 */
extern void (*out_table_locale)(void);

/* Renders the tree below root; returns 0 or -errno (ENOMEM). */
int out_print(FILE *f, const struct out_spec *spec,
	      const struct out_opts *opts, const struct out_selection *sel,
	      const struct out_node *root);
/* The JSON form alone, for tests and for commands that embed it. */
struct json_object *out_to_json(const struct out_spec *spec,
				const struct out_selection *sel,
				const struct out_node *root);
/*
 * One block per object: its name, then "key  value" lines for every column
 * that applies (or those of -o), children after their parent.
 */
void out_print_details(FILE *f, const struct out_spec *spec,
		       const struct out_opts *opts,
		       const struct out_selection *sel,
		       const struct out_node *root);
/*
 * One node as a whole JSON document: its columns in declaration order,
 * OUT_OBJECT and OUT_ARRAY columns holding its children. NULL on ENOMEM.
 */
struct json_object *out_document_json(const struct out_spec *spec,
				      const struct out_selection *sel,
				      const struct out_node *node);
/* Moves src's keys, in order, after dst's (show: the platform, then list's arrays). */
int out_json_append(struct json_object *dst, struct json_object *src);
/* Every command's JSON looks the same: pretty, spaced, "/" unescaped. */
void out_print_json(FILE *f, struct json_object *j);	/* and puts j */
/*
 * A command's document: "schema_version" first, then j's keys, printed as
 * out_print_json() does. Puts j; -ENOMEM.
 */
int out_print_document(FILE *f, const struct out_spec *spec,
		       struct json_object *j);
/* A document's "schema_version" and its JSON Schema, for every command. */
unsigned int out_schema_version(const struct out_spec *spec);
/* The same on one line, no spaces: a stream of documents (monitor's events). */
int out_print_document_line(FILE *f, const struct out_spec *spec,
			    struct json_object *j);
void out_list_columns(FILE *f, const struct out_spec *spec, bool json);

#endif
