// SPDX-License-Identifier: GPL-2.0-or-later
/* pmemctl probe's printers: the human report, histograms, JSON, CSV. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "pmemctl.h"
#include "probe-cli.h"

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

static const char *domain_or_null(const struct pm_probe_target *t)
{
	return t->pmt.region ? pm_domain_name(t->domain) : NULL;
}

static struct json_object *jstr(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

static struct json_object *jfloat(double v, int decimals)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%.*f", decimals, v);
	return json_object_new_double_s(v, buf);
}

static struct json_object *target_json(const struct pm_probe_target *t)
{
	struct json_object *j = json_object_new_object();

	json_object_object_add(j, "name", jstr(t->name));
	json_object_object_add(j, "kind", jstr(pm_probe_kind_name(t->kind)));
	json_object_object_add(j, "path", jstr(t->path));
	json_object_object_add(j, "device", jstr(t->device[0] ? t->device : NULL));
	json_object_object_add(j, "filesystem", jstr(t->fs_type[0] ? t->fs_type : NULL));
	json_object_object_add(j, "temporary", json_object_new_boolean(t->temporary));
	json_object_object_add(j, "persistent_memory",
			       json_object_new_boolean(t->persistent_memory));
	json_object_object_add(j, "dax", json_object_new_boolean(t->dax));
	json_object_object_add(j, "map_sync", json_object_new_boolean(t->map_sync));
	json_object_object_add(j, "destructive", json_object_new_boolean(t->destructive));
	json_object_object_add(j, "range", json_object_new_int64((int64_t)t->range));
	json_object_object_add(j, "region", jstr(t->pmt.region ? t->pmt.region->dev : NULL));
	json_object_object_add(j, "namespace", jstr(t->pmt.ns ? t->pmt.ns->dev : NULL));
	json_object_object_add(j, "persistence_domain", jstr(domain_or_null(t)));
	json_object_object_add(j, "numa_node", t->numa_node >= 0 ?
			       json_object_new_int(t->numa_node) : NULL);
	json_object_object_add(j, "badblocks_checked",
			       json_object_new_boolean(t->badblocks_checked));
	json_object_object_add(j, "badblocks_skipped",
			       json_object_new_int64((int64_t)t->bad_bytes));
	json_object_object_add(j, "note", jstr(t->note[0] ? t->note : NULL));
	return j;
}

static struct json_object *cpu_json(const struct pm_cpu_features *f,
				    const struct pm_probe_timer *tm)
{
	struct json_object *j = json_object_new_object();
	struct json_object *features = json_object_new_array();
	const struct { const char *name; bool has; } list[] = {
		{ "sse2", f->sse2 }, { "clflush", f->clflush },
		{ "clflushopt", f->clflushopt }, { "clwb", f->clwb },
		{ "movdir64b", f->movdir64b }, { "rdtscp", f->rdtscp },
		{ "invariant_tsc", f->invariant_tsc },
	};

	for (size_t i = 0; i < sizeof(list) / sizeof(list[0]); i++)
		if (list[i].has)
			json_object_array_add(features, json_object_new_string(list[i].name));
	json_object_object_add(j, "cpu", json_object_new_int(tm->cpu));
	json_object_object_add(j, "numa_node", tm->cpu_node >= 0 ?
			       json_object_new_int(tm->cpu_node) : NULL);
	json_object_object_add(j, "vendor", jstr(f->vendor));
	json_object_object_add(j, "hypervisor", json_object_new_boolean(f->hypervisor));
	json_object_object_add(j, "features", features);
	return j;
}

static struct json_object *timer_json(const struct pm_probe_timer *tm)
{
	struct json_object *j = json_object_new_object();

	json_object_object_add(j, "source", jstr(tm->source));
	json_object_object_add(j, "tsc_hz", json_object_new_int64((int64_t)llround(tm->tsc_hz)));
	json_object_object_add(j, "calibration", jstr(tm->calibration));
	json_object_object_add(j, "calibration_ms", jfloat(tm->calibration_ms, 1));
	json_object_object_add(j, "invariant_tsc", json_object_new_boolean(tm->invariant));
	json_object_object_add(j, "tick_ns", jfloat(tm->tick_ns, 3));
	json_object_object_add(j, "resolution_ns", jfloat(tm->resolution_ns, 1));
	json_object_object_add(j, "overhead_ns", jfloat(tm->overhead_ns, 1));
	json_object_object_add(j, "overhead_min_ns", jfloat(tm->overhead_min_ns, 1));
	json_object_object_add(j, "clock_overhead_ns", jfloat(tm->clock_overhead_ns, 1));
	json_object_object_add(j, "clock_resolution_ns", jfloat(tm->clock_resolution_ns, 1));
	return j;
}

static struct json_object *run_json(const struct probe_report *rep)
{
	struct json_object *j = json_object_new_object();

	json_object_object_add(j, "iterations",
			       json_object_new_int64((int64_t)rep->iterations));
	json_object_object_add(j, "duration_limit_ms", rep->duration_ns ?
			       json_object_new_int64((int64_t)(rep->duration_ns / 1000000)) : NULL);
	json_object_object_add(j, "elapsed_ms",
			       json_object_new_int64((int64_t)(rep->elapsed_ns / 1000000)));
	json_object_object_add(j, "interrupted",
			       json_object_new_boolean(rep->interrupted));
	return j;
}

int probe_print_json(const struct out_selection *sel,
		     const struct out_node *root,
		     const struct probe_report *rep)
{
	struct json_object *jroot = json_object_new_object(), *jres, *results;
	struct json_object *jskipped = json_object_new_array();
	struct json_object *jnotes = json_object_new_array();

	jres = out_to_json(&probe_spec, sel, root);
	if (!jroot || !jres || !jskipped || !jnotes ||
	    !json_object_object_get_ex(jres, "results", &results))
		return -ENOMEM;
	json_object_object_add(jroot, "target", target_json(rep->t));
	json_object_object_add(jroot, "cpu", cpu_json(rep->cpu, rep->tm));
	json_object_object_add(jroot, "timer", timer_json(rep->tm));
	json_object_object_add(jroot, "run", run_json(rep));
	json_object_object_add(jroot, "results", json_object_get(results));
	json_object_put(jres);
	for (size_t i = 0; i < rep->nr_skipped; i++) {
		struct json_object *js = json_object_new_object();

		json_object_object_add(js, "method",
				       jstr(pm_probe_method_name(rep->skipped[i].method)));
		json_object_object_add(js, "reason", jstr(rep->skipped[i].reason));
		json_object_array_add(jskipped, js);
	}
	json_object_object_add(jroot, "skipped", jskipped);
	for (size_t i = 0; i < rep->nr_findings; i++)
		json_object_array_add(jnotes,
				      json_object_new_string(rep->findings[i].message));
	json_object_object_add(jroot, "notes", jnotes);
	out_print_json(stdout, jroot);
	return 0;
}

/* --------------------------------------------------------------- human */

/* "label    text", the text wrapped at 78 columns under itself. */
static void print_wrapped(const char *label, const char *text)
{
	size_t col = 0;

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
	printf("%-8s %s", "target", t->name);
	if (t->temporary)
		printf(": a temporary file in %s (%s, removed)", t->path, range);
	else if (t->kind == PM_PROBE_KIND_FILE)
		printf(": the file itself, first %s (--destructive)", range);
	else if (t->kind != PM_PROBE_KIND_ANON)
		printf(": %s, first %s%s", t->path, range,
		       t->destructive ? " (--destructive)" : "");
	else
		printf(" (%s)", range);
	if (t->pmt.region)
		printf("; %s%s%s, %s", t->pmt.ns ? t->pmt.ns->dev : "",
		       t->pmt.ns ? " in " : "", t->pmt.region->dev,
		       pm_domain_name(t->domain));
	else if (t->device[0])
		printf("; %s", t->device);
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

void probe_print_human(const struct out_opts *opts,
		       const struct out_selection *sel,
		       const struct out_node *root,
		       const struct probe_report *rep)
{
	const struct probe_state *s = rep->s;

	if (!opts->noheadings && !opts->raw)
		print_header(rep->t, rep->cpu, rep->tm);
	out_print(stdout, &probe_spec, opts, sel, root);
	if (opts->noheadings || opts->raw)
		return;
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
}
