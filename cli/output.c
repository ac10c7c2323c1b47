// SPDX-License-Identifier: GPL-2.0-or-later
/* Column tables rendered as a human table, raw text or JSON. */
#include <ctype.h>
#include <errno.h>
#include <langinfo.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>
#include <json-c/printbuf.h>

#include "escape.h"
#include "output.h"
#include "../lib/pmem.h"

static const struct out_column *find_column(const struct out_spec *spec,
					    const char *name, size_t len,
					    size_t *index)
{
	/* A column is named by its header or its JSON key, in any case. */
	for (size_t i = 0; i < spec->nr_columns; i++) {
		const char *cname = spec->columns[i].name;
		const char *key = spec->columns[i].key;

		if ((strlen(cname) == len && strncasecmp(cname, name, len) == 0) ||
		    (key && strlen(key) == len && strncasecmp(key, name, len) == 0)) {
			*index = i;
			return &spec->columns[i];
		}
	}
	return NULL;
}

bool out_selected(const struct out_selection *sel, size_t index)
{
	for (size_t i = 0; i < sel->nr; i++)
		if (sel->index[i] == index)
			return true;
	return false;
}

int out_select_add(struct out_selection *sel, size_t index)
{
	for (size_t i = 0; i < sel->nr; i++)
		if (sel->index[i] == index)
			return 0;
	if (sel->nr == OUT_MAX_COLUMNS)
		return -E2BIG;
	sel->index[sel->nr++] = index;
	return 0;
}

int out_select(const struct out_spec *spec, const struct out_opts *opts,
	       unsigned int kinds, struct out_selection *sel, char *bad,
	       size_t bad_len)
{
	const char *list = opts->columns;
	size_t i;
	int rc;

	memset(sel, 0, sizeof(*sel));
	/* All but what costs to read: that comes when asked for by name. */
	if (opts->output_all) {
		for (i = 0; i < spec->nr_columns; i++)
			if (!(spec->columns[i].flags & OUT_ON_REQUEST))
				out_select_add(sel, i);
		sel->explicit_columns = false;
		return 0;
	}
	/* "+LIST" adds to the defaults, as in lsblk. */
	if (!list || list[0] == '+') {
		/* A default column that no shown kind has stays empty: drop it. */
		for (i = 0; i < spec->nr_columns; i++)
			if ((spec->columns[i].flags & OUT_DEFAULT) &&
			    (spec->columns[i].kinds & kinds))
				out_select_add(sel, i);
		if (!list)
			return 0;
		list++;
	}
	sel->explicit_columns = opts->columns[0] != '+';
	while (*list) {
		size_t len = strcspn(list, ",");
		size_t index;

		if (len && !find_column(spec, list, len, &index)) {
			snprintf(bad, bad_len, "%.*s", (int)len, list);
			return -EINVAL;
		}
		if (len) {
			rc = out_select_add(sel, index);
			if (rc)
				return rc;
		}
		list += len;
		if (*list == ',')
			list++;
	}
	if (!sel->nr)
		return -ENODATA;
	return 0;
}

struct out_node *out_node_add(struct out_node *parent, int kind,
			      const void *ptr)
{
	struct out_node *node;

	if (parent->nr_children == parent->alloc) {
		size_t alloc = parent->alloc ? parent->alloc * 2 : 4;
		struct out_node *grown;

		grown = realloc(parent->children, alloc * sizeof(*grown));
		if (!grown)
			return NULL;
		parent->children = grown;
		parent->alloc = alloc;
	}
	node = &parent->children[parent->nr_children++];
	memset(node, 0, sizeof(*node));
	node->obj.kind = kind;
	node->obj.ptr = ptr;
	return node;
}

static void node_free_children(struct out_node *node)
{
	for (size_t i = 0; i < node->nr_children; i++)
		node_free_children(&node->children[i]);
	free(node->children);
	node->children = NULL;
	node->nr_children = node->alloc = 0;
}

void out_node_free(struct out_node *root)
{
	node_free_children(root);
}

static bool column_applies(const struct out_column *col, int kind)
{
	return col->kinds & (1u << kind);
}

static void get_cell(const struct out_column *col, const struct out_obj *obj,
		     struct out_cell *cell)
{
	memset(cell, 0, sizeof(*cell));
	/* Nested objects are JSON's alone: the table shows nothing there. */
	if (!column_applies(col, obj->kind) || col->type == OUT_OBJECT ||
	    col->type == OUT_ARRAY) {
		cell->null = true;
		return;
	}
	col->get(obj, cell);
	if (col->type == OUT_STRING && !cell->null && !cell->str)
		cell->null = true;
}

/* ------------------------------------------------------------------ JSON */

/* DEL or a C1 control (C2 80 to C2 9F), which json-c writes as they are. */
static bool has_loud_utf8(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	for (; *s; s++)
		if (*s == 0x7f || (s[0] == 0xc2 && s[1] >= 0x80 && s[1] < 0xa0))
			return true;
	return false;
}

/*
 * A string as json-c writes it, but DEL and C1 controls too as \u00NN: a
 * terminal showing the document obeys neither then (U+009B is CSI).
 */
static int inert_string(struct json_object *j, struct printbuf *pb, int level,
			int flags)
{
	const unsigned char *s = (const unsigned char *)json_object_get_string(j);
	static const char hex[] = "0123456789abcdef";

	printbuf_strappend(pb, "\"");
	for (; *s; s++) {
		unsigned int c = *s;
		const char *named = NULL;
		char u[] = "\\u0000";

		/* A C1 control: 0x100 marks it as the code point, not a byte. */
		if (c == 0xc2 && s[1] >= 0x80 && s[1] < 0xa0)
			c = 0x100 | *++s;
		switch (c) {
		case '"':
			named = "\\\"";
			break;
		case '\\':
			named = "\\\\";
			break;
		case '\n':
			named = "\\n";
			break;
		case '\t':
			named = "\\t";
			break;
		case '\r':
			named = "\\r";
			break;
		}
		if (named) {
			printbuf_memappend(pb, named, 2);
		} else if (c < 0x20 || c == 0x7f || c > 0xff) {
			u[4] = hex[(c >> 4) & 0xf];
			u[5] = hex[c & 0xf];
			printbuf_memappend(pb, u, 6);
		} else {
			printbuf_memappend(pb, (const char *)s, 1);
		}
	}
	printbuf_strappend(pb, "\"");
	return 0;
}

/*
 * sysfs strings are bytes (a DIMM id, a label name): a byte that is not
 * UTF-8 becomes the text \xNN and a backslash \\, so the document stays
 * strict UTF-8 and a reader can get the bytes back (pmemctl(1), STRINGS).
 */
static struct json_object *json_string(const char *str)
{
	struct json_object *j;
	char *text = esc_json(str);

	if (!text)
		return NULL;
	j = json_object_new_string(text);
	if (j && has_loud_utf8(text))
		json_object_set_serializer(j, inert_string, NULL, NULL);
	free(text);
	return j;
}

static struct json_object *cell_to_json(const struct out_column *col,
					const struct out_cell *cell)
{
	if (cell->null)
		return NULL;
	switch (col->type) {
	case OUT_STRING:
		return json_string(cell->str);
	case OUT_SIZE:
	case OUT_UINT:
		if (cell->u > INT64_MAX)
			return json_object_new_uint64(cell->u);
		return json_object_new_int64((int64_t)cell->u);
	case OUT_INT:
		return json_object_new_int64(cell->i);
	case OUT_BOOL:
		return json_object_new_boolean(cell->b);
	case OUT_FLOAT: {
		char buf[64];

		/* The same digits as the table, not json-c's %.17g. */
		snprintf(buf, sizeof(buf), "%.*f", cell->decimals, cell->f);
		return json_object_new_double_s(cell->f, buf);
	}
	case OUT_STRV: {
		struct json_object *array = json_object_new_array();

		for (size_t i = 0; array && cell->strv && cell->strv[i]; i++)
			json_object_array_add(array, json_string(cell->strv[i]));
		return array;
	}
	case OUT_OBJECT:
	case OUT_ARRAY:
		break;
	}
	return NULL;
}

static int add_children_json(const struct out_spec *spec,
			     const struct out_selection *sel,
			     const struct out_node *node,
			     struct json_object *jobj);

static struct json_object *node_to_json(const struct out_spec *spec,
					const struct out_selection *sel,
					const struct out_node *node);

/* The children of col->child_kind: one object (or null), or an array. */
static int nested_json(const struct out_spec *spec,
		       const struct out_selection *sel,
		       const struct out_node *node,
		       const struct out_column *col, struct json_object **value)
{
	*value = col->type == OUT_ARRAY ? json_object_new_array() : NULL;
	if (col->type == OUT_ARRAY && !*value)
		return -ENOMEM;
	for (size_t i = 0; i < node->nr_children; i++) {
		const struct out_node *child = &node->children[i];
		struct json_object *jchild;

		if (child->obj.kind != col->child_kind)
			continue;
		jchild = node_to_json(spec, sel, child);
		if (!jchild) {
			json_object_put(*value);
			return -ENOMEM;
		}
		if (col->type == OUT_OBJECT) {
			*value = jchild;
			return 0;
		}
		json_object_array_add(*value, jchild);
	}
	return 0;
}

/* "group.key": the value goes into the row's object "group". */
static int add_value(struct json_object *jobj, const char *key,
		     struct json_object *value)
{
	const char *dot = strchr(key, '.');
	struct json_object *group;
	char name[64];

	if (!dot)
		return json_object_object_add(jobj, key, value) < 0 ? -ENOMEM : 0;
	snprintf(name, sizeof(name), "%.*s", (int)(dot - key), key);
	if (!json_object_object_get_ex(jobj, name, &group)) {
		group = json_object_new_object();
		if (!group || json_object_object_add(jobj, name, group) < 0) {
			json_object_put(group);
			json_object_put(value);
			return -ENOMEM;
		}
	}
	return add_value(group, dot + 1, value);
}

/* The node's own keys, without its children. */
static struct json_object *node_columns_json(const struct out_spec *spec,
					     const struct out_selection *sel,
					     const struct out_node *node)
{
	struct json_object *jobj = json_object_new_object();
	struct out_cell cell;

	if (!jobj)
		return NULL;
	/*
	 * Without -o, JSON carries every column that applies to the object,
	 * so scripts see one stable shape whatever the table shows.
	 */
	for (size_t i = 0; i < (sel->explicit_columns ? sel->nr : spec->nr_columns); i++) {
		const struct out_column *col = sel->explicit_columns ?
			&spec->columns[sel->index[i]] : &spec->columns[i];

		struct json_object *value;

		if (!col->key || !column_applies(col, node->obj.kind))
			continue;
		if (!sel->explicit_columns && (col->flags & OUT_ON_REQUEST) &&
		    !out_selected(sel, i))
			continue;
		if (col->type == OUT_OBJECT || col->type == OUT_ARRAY) {
			if (nested_json(spec, sel, node, col, &value)) {
				json_object_put(jobj);
				return NULL;
			}
		} else {
			get_cell(col, &node->obj, &cell);
			value = cell_to_json(col, &cell);
		}
		if (add_value(jobj, col->key, value)) {
			json_object_put(jobj);
			return NULL;
		}
	}
	return jobj;
}

static struct json_object *node_to_json(const struct out_spec *spec,
					const struct out_selection *sel,
					const struct out_node *node)
{
	struct json_object *jobj = node_columns_json(spec, sel, node);

	if (jobj && add_children_json(spec, sel, node, jobj)) {
		json_object_put(jobj);
		return NULL;
	}
	return jobj;
}

static int add_children_json(const struct out_spec *spec,
			     const struct out_selection *sel,
			     const struct out_node *node,
			     struct json_object *jobj)
{
	for (size_t kind = 0; kind < spec->nr_kinds; kind++) {
		struct json_object *array;

		if (!(node->child_kinds & (1u << kind)))
			continue;
		array = json_object_new_array();
		if (!array)
			return -ENOMEM;
		json_object_object_add(jobj, spec->kind_keys[kind], array);
		for (size_t i = 0; i < node->nr_children; i++) {
			const struct out_node *child = &node->children[i];
			struct json_object *jchild;

			if (child->obj.kind != (int)kind)
				continue;
			jchild = node_to_json(spec, sel, child);
			if (!jchild)
				return -ENOMEM;
			json_object_array_add(array, jchild);
		}
	}
	return 0;
}

struct json_object *out_to_json(const struct out_spec *spec,
				const struct out_selection *sel,
				const struct out_node *root)
{
	struct json_object *jroot = json_object_new_object();

	if (!jroot)
		return NULL;
	if (add_children_json(spec, sel, root, jroot)) {
		json_object_put(jroot);
		return NULL;
	}
	return jroot;
}

struct json_object *out_document_json(const struct out_spec *spec,
				      const struct out_selection *sel,
				      const struct out_node *node)
{
	return node_to_json(spec, sel, node);
}

int out_json_append(struct json_object *dst, struct json_object *src)
{
	json_object_object_foreach(src, key, val)
		if (json_object_object_add(dst, key, json_object_get(val)) < 0) {
			json_object_put(src);
			return -ENOMEM;
		}
	json_object_put(src);
	return 0;
}

/* ----------------------------------------------------------------- table */

struct table_row {
	char **cells;		/* one string per selected column */
	size_t *widths;		/* display width of each cell */
};

struct table {
	struct table_row *rows;
	size_t nr_rows;
	size_t alloc;
	size_t nr_columns;
};

struct glyphs {
	const char *branch, *last, *vertical, *space;
};

static const struct glyphs utf8_glyphs = { "├─", "└─", "│ ", "  " };
static const struct glyphs ascii_glyphs = { "|-", "`-", "| ", "  " };

static size_t display_width(const char *s)
{
	size_t width = 0;

	/* Count code points: every glyph used here is one column wide. */
	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			width++;
	return width;
}

static char *format_cell(const struct out_column *col,
			 const struct out_cell *cell,
			 const struct out_opts *opts)
{
	char buf[64];

	if (cell->null)
		return strdup("");
	switch (col->type) {
	case OUT_STRING:
		return strdup(cell->str);
	case OUT_SIZE:
		if (opts->bytes)
			snprintf(buf, sizeof(buf), "%llu", (unsigned long long)cell->u);
		else
			pm_format_size(cell->u, buf, sizeof(buf));
		break;
	case OUT_UINT:
		snprintf(buf, sizeof(buf), "%llu", (unsigned long long)cell->u);
		break;
	case OUT_INT:
		snprintf(buf, sizeof(buf), "%lld", (long long)cell->i);
		break;
	case OUT_BOOL:
		snprintf(buf, sizeof(buf), "%s", cell->b ? "yes" : "no");
		break;
	case OUT_FLOAT:
		snprintf(buf, sizeof(buf), "%.*f", cell->decimals, cell->f);
		break;
	case OUT_STRV: {
		size_t len = 1;
		char *joined;

		for (size_t i = 0; cell->strv && cell->strv[i]; i++)
			len += strlen(cell->strv[i]) + 2;
		joined = calloc(1, len);
		for (size_t i = 0; joined && cell->strv && cell->strv[i]; i++) {
			if (i)
				strcat(joined, ", ");
			strcat(joined, cell->strv[i]);
		}
		return joined;
	}
	case OUT_OBJECT:
	case OUT_ARRAY:
		return strdup("");
	}
	return strdup(buf);
}

static int table_add_row(struct table *t, const struct out_spec *spec,
			 const struct out_opts *opts,
			 const struct out_selection *sel,
			 const struct out_node *node, const char *prefix)
{
	struct table_row *row;
	struct out_cell cell;

	if (t->nr_rows == t->alloc) {
		size_t alloc = t->alloc ? t->alloc * 2 : 16;
		struct table_row *grown = realloc(t->rows, alloc * sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		t->rows = grown;
		t->alloc = alloc;
	}
	row = &t->rows[t->nr_rows];
	row->cells = calloc(sel->nr, sizeof(char *));
	row->widths = calloc(sel->nr, sizeof(size_t));
	if (!row->cells || !row->widths) {
		free(row->cells);
		free(row->widths);
		return -ENOMEM;
	}
	t->nr_rows++;
	for (size_t i = 0; i < sel->nr; i++) {
		const struct out_column *col = &spec->columns[sel->index[i]];
		char *text, *escaped;

		get_cell(col, &node->obj, &cell);
		text = format_cell(col, &cell, opts);
		if (!text)
			return -ENOMEM;
		/* Raw output is split on blanks by scripts: those too. */
		escaped = esc_text(text, opts->raw ? ESC_RAW : 0);
		free(text);
		if (!escaped)
			return -ENOMEM;
		text = escaped;
		if (!opts->raw && (col->flags & OUT_TREE) && prefix[0]) {
			char *joined = malloc(strlen(prefix) + strlen(text) + 1);

			if (!joined) {
				free(text);
				return -ENOMEM;
			}
			strcpy(joined, prefix);
			strcat(joined, text);
			free(text);
			text = joined;
		}
		row->cells[i] = text;
		row->widths[i] = display_width(text);
	}
	return 0;
}

static int table_add_tree(struct table *t, const struct out_spec *spec,
			  const struct out_opts *opts,
			  const struct out_selection *sel,
			  const struct out_node *node, const char *indent,
			  const struct glyphs *g, bool top)
{
	for (size_t i = 0; i < node->nr_children; i++) {
		const struct out_node *child = &node->children[i];
		bool last = i + 1 == node->nr_children;
		char prefix[512], next[512];
		int rc;

		if (top) {
			prefix[0] = next[0] = '\0';
		} else {
			snprintf(prefix, sizeof(prefix), "%s%s", indent,
				 last ? g->last : g->branch);
			snprintf(next, sizeof(next), "%s%s", indent,
				 last ? g->space : g->vertical);
		}
		rc = table_add_row(t, spec, opts, sel, child, prefix);
		if (rc)
			return rc;
		rc = table_add_tree(t, spec, opts, sel, child, next, g, false);
		if (rc)
			return rc;
	}
	return 0;
}

static void table_free(struct table *t)
{
	for (size_t r = 0; r < t->nr_rows; r++) {
		for (size_t i = 0; i < t->nr_columns; i++)
			free(t->rows[r].cells[i]);
		free(t->rows[r].cells);
		free(t->rows[r].widths);
	}
	free(t->rows);
}

/* Appends a cell to a line, padded to its column's width. */
static void put_padded(FILE *line, const char *text, size_t width,
		       size_t target, bool right)
{
	size_t pad = target > width ? target - width : 0;

	if (right)
		fprintf(line, "%*s%s", (int)pad, "", text);
	else
		fprintf(line, "%s%*s", text, (int)pad, "");
}

/* Ends a line: no trailing blanks where the last cells are empty. */
static void put_line(FILE *f, char *buf, size_t len)
{
	while (len && buf[len - 1] == ' ')
		len--;
	fwrite(buf, 1, len, f);
	fputc('\n', f);
}

static int table_print(FILE *f, const struct out_spec *spec,
		       const struct out_opts *opts,
		       const struct out_selection *sel, const struct table *t)
{
	size_t widths[OUT_MAX_COLUMNS] = { 0 };
	size_t i, r, len;
	char *buf = NULL;
	FILE *line;

	for (i = 0; i < sel->nr; i++) {
		widths[i] = opts->noheadings ? 0 :
			strlen(spec->columns[sel->index[i]].name);
		for (r = 0; r < t->nr_rows; r++)
			if (t->rows[r].widths[i] > widths[i])
				widths[i] = t->rows[r].widths[i];
	}
	/* Row -1 is the header. */
	for (long row = opts->noheadings ? 0 : -1; row < (long)t->nr_rows; row++) {
		line = open_memstream(&buf, &len);
		if (!line)
			return -ENOMEM;
		for (i = 0; i < sel->nr; i++) {
			const struct out_column *col = &spec->columns[sel->index[i]];
			const char *text = row < 0 ? col->name : t->rows[row].cells[i];
			size_t width = row < 0 ? strlen(col->name) : t->rows[row].widths[i];

			if (i)
				fputc(' ', line);
			if (opts->raw)
				fputs(text, line);
			else
				put_padded(line, text, width, widths[i],
					   col->flags & OUT_RIGHT);
		}
		fclose(line);
		put_line(f, buf, len);
		free(buf);
		buf = NULL;
	}
	return 0;
}

static bool cell_has_value(const struct out_cell *cell)
{
	return !cell->null && (cell->u || cell->i || cell->b || cell->f != 0 ||
			       (cell->str && cell->str[0]) ||
			       (cell->strv && cell->strv[0]));
}

static bool has_value(const struct out_column *col, const struct out_node *node)
{
	struct out_cell cell;

	for (size_t i = 0; i < node->nr_children; i++) {
		const struct out_node *child = &node->children[i];

		if (column_applies(col, child->obj.kind)) {
			get_cell(col, &child->obj, &cell);
			if (cell_has_value(&cell))
				return true;
		}
		if (has_value(col, child))
			return true;
	}
	return false;
}

/* The selection the table shows: OUT_HIDE_EMPTY columns with nothing go. */
static void table_selection(const struct out_spec *spec,
			    const struct out_selection *sel,
			    const struct out_node *root,
			    struct out_selection *shown)
{
	*shown = *sel;
	if (sel->explicit_columns)
		return;
	shown->nr = 0;
	for (size_t i = 0; i < sel->nr; i++) {
		const struct out_column *col = &spec->columns[sel->index[i]];

		if (!(col->flags & OUT_HIDE_EMPTY) || has_value(col, root))
			shown->index[shown->nr++] = sel->index[i];
	}
}

/*
 * A listing's JSON written as it is made, one object's own keys at a time,
 * byte for byte what json-c prints for the whole tree (PRETTY, SPACED: two
 * spaces a level): the tree of every object and the text of the whole
 * document were most of the memory of a large listing (json-c's hash of
 * each object alone, 2.5 KiB for a namespace).
 */
#define STREAM_FLAGS (JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | \
		      JSON_C_TO_STRING_NOSLASHESCAPE)

static void put_indent(FILE *f, int level)
{
	fprintf(f, "%*s", level * 2, "");
}

/* json-c's text of a value printed at level: each further line shifted. */
static void put_value(FILE *f, struct json_object *value, int level)
{
	const char *s = value ? json_object_to_json_string_ext(value, STREAM_FLAGS) : "null";

	for (; *s; s++) {
		fputc(*s, f);
		if (*s == '\n')
			put_indent(f, level);
	}
}

static void put_key(FILE *f, bool *any, const char *key, int level)
{
	fputs(*any ? ",\n" : "\n", f);
	*any = true;
	put_indent(f, level);
	fprintf(f, "\"%s\": ", key);
}

static int stream_node(FILE *f, const struct out_spec *spec,
		       const struct out_selection *sel,
		       const struct out_node *node, int level);

/* The node's arrays of children, as add_children_json() adds them. */
static int stream_children(FILE *f, const struct out_spec *spec,
			   const struct out_selection *sel,
			   const struct out_node *node, bool *any, int level)
{
	for (size_t kind = 0; kind < spec->nr_kinds; kind++) {
		bool items = false;

		if (!(node->child_kinds & (1u << kind)))
			continue;
		put_key(f, any, spec->kind_keys[kind], level);
		fputc('[', f);
		for (size_t i = 0; i < node->nr_children; i++) {
			const struct out_node *child = &node->children[i];
			int rc;

			if (child->obj.kind != (int)kind)
				continue;
			fputs(items ? ",\n" : "\n", f);
			items = true;
			put_indent(f, level + 1);
			rc = stream_node(f, spec, sel, child, level + 1);
			if (rc)
				return rc;
		}
		fputc('\n', f);
		put_indent(f, level);
		fputc(']', f);
	}
	return 0;
}

static int stream_node(FILE *f, const struct out_spec *spec,
		       const struct out_selection *sel,
		       const struct out_node *node, int level)
{
	struct json_object *jobj = node_columns_json(spec, sel, node);
	bool any = false;
	int rc;

	if (!jobj)
		return -ENOMEM;
	fputc('{', f);
	json_object_object_foreach(jobj, key, value) {
		put_key(f, &any, key, level + 1);
		put_value(f, value, level + 1);
	}
	json_object_put(jobj);
	rc = stream_children(f, spec, sel, node, &any, level + 1);
	if (rc)
		return rc;
	fputc('\n', f);
	put_indent(f, level);
	fputc('}', f);
	return 0;
}

static int stream_document(FILE *f, const struct out_spec *spec,
			   const struct out_selection *sel,
			   const struct out_node *root)
{
	bool any = false;
	int rc;

	fputc('{', f);
	put_key(f, &any, "schema_version", 1);
	fprintf(f, "%u", out_schema_version(spec));
	rc = stream_children(f, spec, sel, root, &any, 1);
	fputs("\n}\n", f);
	return rc;
}
void (*out_table_locale)(void);


int out_print(FILE *f, const struct out_spec *spec,
	      const struct out_opts *opts, const struct out_selection *all,
	      const struct out_node *root)
{
	struct out_selection shown, *sel = &shown;
	struct table t = { 0 };
	const struct glyphs *g;
	int rc;

	if (opts->json)
		return stream_document(f, spec, all, root);
	table_selection(spec, all, root, &shown);
	t.nr_columns = sel->nr;
	if (out_table_locale)
		out_table_locale();
	g = strcmp(nl_langinfo(CODESET), "UTF-8") == 0 ? &utf8_glyphs :
							 &ascii_glyphs;
	rc = table_add_tree(&t, spec, opts, sel, root, "", g, true);
	if (!rc && t.nr_rows)
		rc = table_print(f, spec, opts, sel, &t);
	table_free(&t);
	return rc;
}

/*
 * A detail line is labelled by its JSON key; a table-only column by its
 * header in lower case, so the labels read alike (kind, device, ...).
 */
static const char *detail_label(const struct out_column *col, char *buf,
				size_t len)
{
	size_t i;

	if (col->key)
		return col->key;
	for (i = 0; col->name[i] && i + 1 < len; i++)
		buf[i] = (char)tolower((unsigned char)col->name[i]);
	buf[i] = '\0';
	return buf;
}

/* The first column of a spec names the object: it heads the block. */
static void print_node_details(FILE *f, const struct out_spec *spec,
			       const struct out_opts *opts,
			       const struct out_selection *sel,
			       const struct out_node *node)
{
	size_t n = sel->explicit_columns ? sel->nr : spec->nr_columns;
	size_t width = 0;
	struct out_cell cell;
	char buf[64];

	get_cell(&spec->columns[0], &node->obj, &cell);
	fprintf(f, "%s\n", cell.null ? "?" : esc(cell.str));
	for (size_t i = 0; i < n; i++) {
		const struct out_column *col = sel->explicit_columns ?
			&spec->columns[sel->index[i]] : &spec->columns[i];
		const char *label = detail_label(col, buf, sizeof(buf));

		/* What is not printed does not widen the block. */
		if (!sel->explicit_columns && (col->flags & OUT_ON_REQUEST) &&
		    !out_selected(sel, col - spec->columns))
			continue;
		if (col != spec->columns && column_applies(col, node->obj.kind) &&
		    strlen(label) > width)
			width = strlen(label);
	}
	for (size_t i = 0; i < n; i++) {
		const struct out_column *col = sel->explicit_columns ?
			&spec->columns[sel->index[i]] : &spec->columns[i];
		const char *label = detail_label(col, buf, sizeof(buf));
		char *text;

		if (col == spec->columns || !column_applies(col, node->obj.kind))
			continue;
		if (!sel->explicit_columns && (col->flags & OUT_ON_REQUEST) &&
		    !out_selected(sel, col - spec->columns))
			continue;
		get_cell(col, &node->obj, &cell);
		if (cell.null || (!sel->explicit_columns &&
				  (col->flags & OUT_HIDE_EMPTY) &&
				  !cell_has_value(&cell)))
			continue;
		text = format_cell(col, &cell, opts);
		if (!text)
			continue;
		fprintf(f, "  %-*s  %s\n", (int)width, label, esc(text));
		free(text);
	}
	for (size_t i = 0; i < node->nr_children; i++) {
		fputc('\n', f);
		print_node_details(f, spec, opts, sel, &node->children[i]);
	}
}

void out_print_details(FILE *f, const struct out_spec *spec,
		       const struct out_opts *opts,
		       const struct out_selection *sel,
		       const struct out_node *root)
{
	for (size_t i = 0; i < root->nr_children; i++) {
		if (i)
			fputc('\n', f);
		print_node_details(f, spec, opts, sel, &root->children[i]);
	}
}

void out_print_json(FILE *f, struct json_object *j)
{
	fprintf(f, "%s\n", json_object_to_json_string_ext(j,
			JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
			JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(j);
}

unsigned int out_schema_version(const struct out_spec *spec)
{
	return spec->schema_version ? spec->schema_version : 1;
}

/* "schema_version" first, then j's keys; puts j. NULL on ENOMEM. */
static struct json_object *versioned(const struct out_spec *spec,
				     struct json_object *j)
{
	struct json_object *doc = json_object_new_object();
	struct json_object *version = json_object_new_int64(out_schema_version(spec));

	if (!doc || !version ||
	    json_object_object_add(doc, "schema_version", version) < 0) {
		json_object_put(version);
		json_object_put(doc);
		json_object_put(j);
		return NULL;
	}
	if (out_json_append(doc, j)) {
		json_object_put(doc);
		return NULL;
	}
	return doc;
}

int out_print_document(FILE *f, const struct out_spec *spec,
		       struct json_object *j)
{
	struct json_object *doc = versioned(spec, j);

	if (!doc)
		return -ENOMEM;
	out_print_json(f, doc);
	return 0;
}

/* What a column is in JSON Schema's words. */
static const char *schema_type(const struct out_column *col)
{
	switch (col->type) {
	case OUT_STRING:
		return "string";
	case OUT_SIZE:
	case OUT_UINT:
	case OUT_INT:
		return "integer";
	case OUT_BOOL:
		return "boolean";
	case OUT_STRV:
	case OUT_ARRAY:
		return "array";
	case OUT_FLOAT:
		return "number";
	case OUT_OBJECT:
		return "object";
	}
	return "string";
}

int out_print_document_line(FILE *f, const struct out_spec *spec,
			    struct json_object *j)
{
	struct json_object *doc = versioned(spec, j);

	if (!doc)
		return -ENOMEM;
	fprintf(f, "%s\n", json_object_to_json_string_ext(doc,
			JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(doc);
	return 0;
}

void out_list_columns(FILE *f, const struct out_spec *spec, bool json)
{
	static const char *const type_names[] = {
		[OUT_STRING] = "string",
		[OUT_SIZE] = "size",
		[OUT_UINT] = "number",
		[OUT_INT] = "number",
		[OUT_BOOL] = "boolean",
		[OUT_STRV] = "list",
		[OUT_FLOAT] = "number",
		[OUT_OBJECT] = "object",
		[OUT_ARRAY] = "array",
	};

	if (json) {
		struct json_object *jroot = json_object_new_object();
		struct json_object *array = json_object_new_array();

		static const char *const documents[] = {
			[OUT_DOC_TREE] = "tree", [OUT_DOC_OBJECT] = "object",
			[OUT_DOC_NONE] = "none",
		};
		struct json_object *kinds_array = json_object_new_array();

		/* What schemas/update needs to write the JSON Schema. */
		json_object_object_add(jroot, "schema_version",
				       json_object_new_int64(out_schema_version(spec)));
		json_object_object_add(jroot, "document",
				       json_object_new_string(documents[spec->document]));
		if (spec->document == OUT_DOC_OBJECT)
			json_object_object_add(jroot, "root",
				json_object_new_string(spec->kind_names[spec->root_kind]));
		for (size_t k = 0; k < spec->nr_kinds; k++) {
			struct json_object *jkind = json_object_new_object();

			json_object_object_add(jkind, "name",
					       json_object_new_string(spec->kind_names[k]));
			json_object_object_add(jkind, "key", spec->kind_keys[k] ?
					       json_object_new_string(spec->kind_keys[k]) : NULL);
			json_object_array_add(kinds_array, jkind);
		}
		json_object_object_add(jroot, "kinds", kinds_array);
		json_object_object_add(jroot, "columns", array);
		for (size_t i = 0; i < spec->nr_columns; i++) {
			const struct out_column *col = &spec->columns[i];
			struct json_object *jcol = json_object_new_object();
			struct json_object *kinds = json_object_new_array();

			json_object_object_add(jcol, "name", json_object_new_string(col->name));
			json_object_object_add(jcol, "key", col->key ?
					       json_object_new_string(col->key) : NULL);
			json_object_object_add(jcol, "type", json_object_new_string(type_names[col->type]));
			json_object_object_add(jcol, "json_type", json_object_new_string(schema_type(col)));
			for (size_t k = 0; k < spec->nr_kinds; k++)
				if (col->kinds & (1u << k))
					json_object_array_add(kinds,
						json_object_new_string(spec->kind_names[k]));
			json_object_object_add(jcol, "objects", kinds);
			if (col->type == OUT_OBJECT || col->type == OUT_ARRAY)
				json_object_object_add(jcol, "contains",
					json_object_new_string(spec->kind_names[col->child_kind]));
			json_object_object_add(jcol, "default",
					       json_object_new_boolean(col->flags & OUT_DEFAULT));
			json_object_object_add(jcol, "help", json_object_new_string(col->help));
			json_object_array_add(array, jcol);
		}
		out_print_json(f, jroot);
		return;
	}
	for (size_t i = 0; i < spec->nr_columns; i++)
		fprintf(f, "%16s  %s\n", spec->columns[i].name,
			spec->columns[i].help);
}
