// SPDX-License-Identifier: GPL-2.0-or-later
/* pmemctl probe's printers: the human report, histograms, JSON, CSV. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "pmemctl.h"
#include "probe-cli.h"
#include "../lib/compat.h"

#define HISTOGRAM_WIDTH 40

/* The CSV keeps the order of measurement: called before the stats sort. */
void probe_write_csv(struct probe_state *s, const struct pm_probe_result *r)
{
	for (size_t i = 0; i < r->count && !s->csv_failed; i++) {
		if (r->ticks)
			fprintf(s->csv, "%s,%u,%s,%zu,%llu,%llu,%.2f\n",
				pm_probe_method_name(r->method), r->size,
				pm_probe_pattern_name(r->pattern), i,
				(unsigned long long)r->offsets[i],
				(unsigned long long)r->ticks[i], r->ns[i]);
		else
			fprintf(s->csv, "%s,%u,%s,%zu,%llu,,%.2f\n",
				pm_probe_method_name(r->method), r->size,
				pm_probe_pattern_name(r->pattern), i,
				(unsigned long long)r->offsets[i], r->ns[i]);
		if (ferror(s->csv))
			s->csv_failed = true;
	}
}

/* ---------------------------------------------------------------- JSON */

/*
 * -o names keys of the results; the rest of the document stays whole.
 * The results' columns are the first of the document's.
 */
static void document_selection(const struct out_selection *sel,
			       struct out_selection *jsel)
{
	*jsel = *sel;
	if (!sel->explicit_columns)
		return;
	jsel->nr = 0;
	for (size_t i = probe_spec.nr_columns; i < probe_document_spec.nr_columns; i++)
		jsel->index[jsel->nr++] = i;
	for (size_t i = 0; i < sel->nr; i++)
		jsel->index[jsel->nr++] = sel->index[i];
}

int probe_print_json(const struct out_selection *sel,
		     const struct probe_report *rep)
{
	static const enum probe_kind parts[] = {
		PROBE_TARGET, PROBE_CPU, PROBE_TIMER, PROBE_RUN,
	};
	struct out_node doc = { .obj = { PROBE_DOCUMENT, rep } };
	struct out_selection jsel;
	struct json_object *j = NULL;

	document_selection(sel, &jsel);
	for (size_t i = 0; i < ARRAY_SIZE(parts); i++)
		if (!out_node_add(&doc, parts[i], rep))
			goto out;
	for (size_t i = 0; i < rep->s->nr_rows; i++)
		if (!out_node_add(&doc, PROBE_RESULT, &rep->s->rows[i]))
			goto out;
	for (size_t i = 0; i < rep->nr_skipped; i++)
		if (!out_node_add(&doc, PROBE_SKIPPED, &rep->skipped[i]))
			goto out;
	j = out_document_json(&probe_document_spec, &jsel, &doc);
	if (j && out_print_document(stdout, &probe_document_spec, j))
		j = NULL;
out:
	out_node_free(&doc);
	return j ? 0 : -ENOMEM;
}

/* --------------------------------------------------------------- human */

/* "label    text", the text wrapped at 78 columns under itself. */
static void print_wrapped(const char *label, const char *text)
{
	size_t col = 0;

	text = esc(text);
	printf("%-8s", label);
	while (*text) {
		size_t len = strcspn(text, " ");

		if (col && col + 1 + len > 69) {
			printf("\n%-8s", "");
			col = 0;
		}
		printf(" %.*s", (int)len, text);
		col += 1 + len;
		text += len;
		text += strspn(text, " ");
	}
	putchar('\n');
}

static void print_header(const struct pm_probe_target *t,
			 const struct pm_cpu_features *cpu,
			 const struct pm_probe_timer *tm)
{
	char range[32], node[64];

	pm_format_size(t->range, range, sizeof(range));
	printf("%-8s %s", "target", esc(t->name));
	if (t->temporary)
		printf(": a temporary file in %s (%s, removed)", esc(t->path), range);
	else if (t->kind == PM_PROBE_KIND_FILE)
		printf(": the file itself, first %s (--destructive)", range);
	else if (t->kind != PM_PROBE_KIND_ANON)
		printf(": %s, first %s%s", esc(t->path), range,
		       t->destructive ? " (--destructive)" : "");
	else
		printf(" (%s)", range);
	if (t->pmt.region)
		printf("; %s%s%s, %s", t->pmt.ns ? esc(t->pmt.ns->dev) : "",
		       t->pmt.ns ? " in " : "", esc(t->pmt.region->dev),
		       pm_domain_name(t->domain));
	else if (t->device[0])
		printf("; %s", esc(t->device));
	printf("\n");
	if (t->persistent_memory)
		printf("%-8s %s%s%s\n", "", t->dax ? "DAX" : "not DAX",
		       t->map_sync ? ", MAP_SYNC" : "",
		       t->bad_bytes ? ", badblocks skipped" : "");
	if (t->note[0])
		print_wrapped("", t->note);
	if (tm->cpu_node >= 0)
		snprintf(node, sizeof(node), "NUMA node %d%s", tm->cpu_node,
			 tm->cpu_node == t->numa_node ? ", the target's" : "");
	else
		snprintf(node, sizeof(node), "NUMA node unknown");
	printf("%-8s %d, pinned (%s)%s\n", "cpu", tm->cpu, node,
	       cpu->hypervisor ? ", in a virtual machine" : "");
	printf("%-8s %s closed by mfence; TSC %.2f MHz (%s);\n",
	       "timer", tm->source, tm->tsc_hz / 1e6,
	       strcmp(tm->calibration, "tsc_freq_khz") == 0 ?
	       "the kernel's tsc_freq_khz" : "against CLOCK_MONOTONIC");
	printf("%-8s tick %.2f ns, resolution %.1f ns; empty bracket %.1f ns\n"
	       "%-8s (min %.1f), subtracted from every TSC figure\n", "",
	       tm->tick_ns, tm->resolution_ns, tm->overhead_ns, "",
	       tm->overhead_min_ns);
	printf("\n");
}

int probe_print_human(const struct out_opts *opts,
		      const struct out_selection *sel,
		      const struct probe_report *rep)
{
	const struct probe_state *s = rep->s;
	struct out_node root = { .child_kinds = 1u << PROBE_RESULT };
	int rc = 0;

	for (size_t i = 0; i < s->nr_rows && !rc; i++)
		if (!out_node_add(&root, PROBE_RESULT, &s->rows[i]))
			rc = -ENOMEM;
	if (!rc && !opts->noheadings && !opts->raw)
		print_header(rep->t, rep->cpu, rep->tm);
	if (!rc)
		out_print(stdout, &probe_spec, opts, sel, &root);
	out_node_free(&root);
	if (rc || opts->noheadings || opts->raw)
		return rc;
	printf("\nLatencies in ns per op (p50: median); BATCH: ns per op issued back\n"
	       "to back; GB/S: bytes per ns of that batched run.\n");
	for (size_t i = 0; i < s->nr_rows; i++) {
		const struct pm_probe_figures *row = &s->rows[i];
		char line[600];

		if (!row->error)
			continue;
		snprintf(line, sizeof(line), "%s, %u B, %s: %s",
			 pm_probe_method_name(row->method), row->size,
			 pm_probe_pattern_name(row->pattern), row->error);
		print_wrapped("error", line);
	}
	for (size_t i = 0; i < rep->nr_skipped; i++) {
		char line[600];

		snprintf(line, sizeof(line), "%s: %s",
			 pm_probe_method_name(rep->skipped[i].method),
			 rep->skipped[i].reason);
		print_wrapped("skipped", line);
	}
	for (size_t i = 0; i < rep->nr_findings; i++)
		print_wrapped("note", rep->findings[i].message);
	for (size_t i = 0; i < s->nr_rows; i++) {
		const struct pm_probe_figures *row = &s->rows[i];
		char *text;

		if (!row->histogram.nr_bins)
			continue;
		text = pm_histogram_render(&row->histogram, "ns", 1,
					   HISTOGRAM_WIDTH);
		if (!text)
			continue;
		printf("\n%s, %u B, %s: %zu samples, p50 %.1f ns, to p99\n%s",
		       pm_probe_method_name(row->method), row->size,
		       pm_probe_pattern_name(row->pattern), row->st.count,
		       row->st.p50, text);
		free(text);
	}
	return 0;
}
