// SPDX-License-Identifier: GPL-2.0-or-later
/* pmemctl monitor: wait for DIMM health events, one line per event. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "escape.h"
#include "pmemctl.h"
#include "../lib/compat.h"
#include "../lib/health.h"
#include "../lib/monitor.h"
#include "../lib/pmem.h"

struct event_row {
	char timestamp[40];
	const struct pm_monitor_event *ev;
	const char *changes[PM_HEALTH_NR_FIELDS + 1];	/* NULL-terminated */
	char error[128];
};

/* Each event is one document; "health" and "previous" share the keys. */
enum { EV_EVENT, EV_HEALTH, EV_PREVIOUS, EV_NR_KINDS };

#define ROW(obj) ((const struct event_row *)(obj)->ptr)
#define HEALTH(obj) ((const struct pm_health *)(obj)->ptr)

static void get_timestamp(const struct out_obj *obj, struct out_cell *cell)
{
	cell->str = ROW(obj)->timestamp;
}

static void get_dimm(const struct out_obj *obj, struct out_cell *cell)
{
	cell->str = ROW(obj)->ev->dimm->dev;
}

static void get_changes(const struct out_obj *obj, struct out_cell *cell)
{
	cell->strv = ROW(obj)->changes;
}

static void get_unsafe_shutdown(const struct out_obj *obj, struct out_cell *cell)
{
	cell->b = ROW(obj)->ev->change.unsafe_shutdown;
}

static void get_error(const struct out_obj *obj, struct out_cell *cell)
{
	cell->str = ROW(obj)->error;
	cell->null = !cell->str[0];
}

/* A SMART field of lib/health.h's table; temperatures with one decimal. */
static void get_smart(const struct out_obj *obj, const struct pm_smart_field *field,
		      struct out_cell *cell)
{
	struct pm_smart_value v;

	pm_smart_get(HEALTH(obj), field, &v);
	cell->null = !v.valid;
	cell->str = v.name;
	cell->u = (uint64_t)v.number;
	cell->b = v.number != 0;
	cell->f = v.number;
	cell->decimals = 1;
}

#define EVT (1u << EV_EVENT)
#define HLT ((1u << EV_HEALTH) | (1u << EV_PREVIOUS))

/*
 * Keys come out in this order, kind by kind: the event's, then for health
 * and previous the SMART fields monitor compares (PM_SMART_EVENT), as
 * lib/health.h's table describes them (fill_health_columns()).
 */
#define NR_EVENT_COLUMNS 7
static struct out_column event_columns[NR_EVENT_COLUMNS + PM_HEALTH_NR_FIELDS] = {
	{ "EVENT.TIMESTAMP", "timestamp", "when the event was read, ISO 8601 with the UTC offset",
	  OUT_STRING, EVT, 0, get_timestamp },
	{ "EVENT.DIMM", "dimm", "the DIMM (nmem1)", OUT_STRING, EVT, 0, get_dimm },
	{ "EVENT.CHANGES", "changes", "the keys of health whose value differs from previous ([] when none does)",
	  OUT_STRV, EVT, 0, get_changes },
	{ "EVENT.UNSAFE_SHUTDOWN", "unsafe_shutdown", "shutdown_state became dirty or shutdown_count rose: data written before may be lost",
	  OUT_BOOL, EVT, 0, get_unsafe_shutdown },
	{ "EVENT.HEALTH", "health", "the SMART values read after the event",
	  OUT_OBJECT, EVT, 0, NULL, EV_HEALTH },
	{ "EVENT.PREVIOUS", "previous", "the values before it (at start, or at the previous event)",
	  OUT_OBJECT, EVT, 0, NULL, EV_PREVIOUS },
	{ "EVENT.ERROR", "error", "why SMART could not be read again, or null (health then holds nulls)",
	  OUT_STRING, EVT, 0, get_error },
};

static char health_names[PM_HEALTH_NR_FIELDS][48];

/* HEALTH.<ID>: one column per SMART field an event reports. */
#define SMART_GETTER(id, ...)						\
static void get_##id(const struct out_obj *obj, struct out_cell *cell)	\
{									\
	get_smart(obj, &pm_smart_fields[PM_HEALTH_##id], cell);	\
}
PM_SMART_FIELDS(SMART_GETTER)
#undef SMART_GETTER

static void (*const smart_getters[PM_HEALTH_NR_FIELDS])(const struct out_obj *,
							 struct out_cell *) = {
#define SMART_GETTER_ROW(id, ...) [PM_HEALTH_##id] = get_##id,
	PM_SMART_FIELDS(SMART_GETTER_ROW)
#undef SMART_GETTER_ROW
};

static const char *const event_kinds[] = { "event", "health", "previous" };

static struct out_spec event_spec = {
	.columns = event_columns,
	.kind_keys = event_kinds,
	.kind_names = event_kinds,
	.nr_kinds = EV_NR_KINDS,
	.document = OUT_DOC_OBJECT,
	.root_kind = 0,			/* "event", one per line */
};

static const enum out_type smart_out_types[] = {
	[PM_SMART_NAME] = OUT_STRING,
	[PM_SMART_TEMP] = OUT_FLOAT,
	[PM_SMART_UINT] = OUT_UINT,
	[PM_SMART_BOOL] = OUT_BOOL,
};

static void fill_health_columns(void)
{
	size_t n = NR_EVENT_COLUMNS;

	for (size_t i = 0; i < PM_HEALTH_NR_FIELDS; i++) {
		const struct pm_smart_field *field = &pm_smart_fields[i];

		if (!(field->flags & PM_SMART_EVENT))
			continue;
		snprintf(health_names[i], sizeof(health_names[i]), "HEALTH.%s", field->id);
		event_columns[n++] = (struct out_column){
			.name = health_names[i], .key = field->key,
			.help = field->help, .type = smart_out_types[field->type],
			.kinds = HLT, .get = smart_getters[i],
		};
	}
	event_spec.nr_columns = n;
}

/* 2025-01-31T12:00:00+01:00: strftime's %z lacks the colon. */
static void iso8601(char *buf, size_t len)
{
	time_t now = time(NULL);
	struct tm tm;
	size_t n;

	localtime_r(&now, &tm);
	n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S%z", &tm);
	if (n >= 5 && n + 2 <= len) {
		memmove(buf + n - 1, buf + n - 2, 3);
		buf[n - 2] = ':';
	}
}

static void format_field(const struct pm_health *h, int field, char *buf,
			 size_t len)
{
	struct pm_smart_value v;

	pm_smart_get(h, &pm_smart_fields[field], &v);
	if (!v.valid)
		snprintf(buf, len, "unknown");
	else if (pm_smart_fields[field].type == PM_SMART_NAME)
		snprintf(buf, len, "%s", v.name);
	else if (pm_smart_fields[field].type == PM_SMART_TEMP)
		snprintf(buf, len, "%.1f", v.number);
	else if (pm_smart_fields[field].type == PM_SMART_BOOL)
		snprintf(buf, len, "%s", v.number ? "true" : "false");
	else
		snprintf(buf, len, "%u", (unsigned int)v.number);
}

/*
 * One line for the journal: what changed (old -> new), then every value,
 * so each line stands alone.
 */
static void print_human(const struct event_row *row)
{
	const struct pm_monitor_event *ev = row->ev;
	char old[32], now[32];
	bool any = false;

	printf("%s %s:", row->timestamp, esc(ev->dimm->dev));
	if (row->error[0]) {
		printf(" health event; SMART could not be read: %s\n", esc(row->error));
		return;
	}
	if (ev->change.unsafe_shutdown)
		printf(" UNSAFE SHUTDOWN;");
	for (int i = 0; i < PM_HEALTH_NR_FIELDS; i++) {
		if (!(ev->change.fields & (1u << i)))
			continue;
		format_field(&ev->previous, i, old, sizeof(old));
		format_field(&ev->current, i, now, sizeof(now));
		printf("%s %s %s -> %s", any ? "," : "", pm_smart_fields[i].key, old, now);
		any = true;
	}
	if (!any)
		printf(" health event, no SMART value changed");
	printf("; now");
	for (int i = 0, n = 0; i < PM_HEALTH_NR_FIELDS; i++) {
		if (!(pm_smart_fields[i].flags & PM_SMART_EVENT))
			continue;
		format_field(&ev->current, i, now, sizeof(now));
		printf("%s %s=%s", n++ ? "" : ":", pm_smart_fields[i].key, now);
	}
	printf("\n");
}

static int print_json(const struct event_row *row)
{
	struct out_node root = { .obj = { EV_EVENT, row } };
	struct out_opts opts = { .output_all = true };
	struct out_selection sel;
	struct json_object *j = NULL;

	out_select(&event_spec, &opts, (1u << EV_NR_KINDS) - 1, &sel, NULL, 0);
	if (out_node_add(&root, EV_HEALTH, &row->ev->current) &&
	    out_node_add(&root, EV_PREVIOUS, &row->ev->previous))
		j = out_document_json(&event_spec, &sel, &root);
	out_node_free(&root);
	if (!j)
		return -ENOMEM;
	return out_print_document_line(stdout, &event_spec, j);
}

static int print_event(const struct pm_monitor_event *ev, bool json)
{
	struct event_row row = { .ev = ev };
	size_t n = 0;

	iso8601(row.timestamp, sizeof(row.timestamp));
	for (int i = 0; i < PM_HEALTH_NR_FIELDS; i++)
		if (ev->change.fields & (1u << i))
			row.changes[n++] = pm_smart_fields[i].key;
	if (ev->current.error)
		snprintf(row.error, sizeof(row.error), "%s",
			 strerror(-ev->current.error));
	if (json) {
		if (print_json(&row) < 0)
			return -ENOMEM;
	} else {
		print_human(&row);
	}
	/* A pipe or the journal sees each event as it happens. */
	if (fflush(stdout) == EOF || ferror(stdout))
		return -EIO;
	return 0;
}

enum {
	OPT_COUNT = OPT_FIRST_COMMAND_OPT,
};

static struct {
	struct out_opts out;
	unsigned long count;		/* 0: no limit */
} param;

static int parse_count(struct pmemctl_ctx *ctx, const char *arg, void *value)
{
	unsigned long *count = value;
	char *end;

	errno = 0;
	*count = strtoul(arg, &end, 10);
	if (errno || end == arg || *end || arg[0] == '-' || *count == 0)
		return cli_usage_error(ctx, "--count takes a number of events above 0: '%s'", arg);
	return EXIT_OK;
}

static const struct cli_option options[] = {
	CLI_HEADING("Options:"),
	OPT_CALLBACK(OPT_COUNT, "count", &param.count, "N", "exit after N events", parse_count),
	OPT_DOCUMENT_GROUP(&param.out, "one JSON object per event, one per line"),
	CLI_COMMON_OPTIONS,
	CLI_END,
};

static void usage(void)
{
	printf("Usage: pmemctl monitor [options] [DIMM...]\n"
	       "\n"
	       "Wait for DIMM health events (SMART: health state, temperature\n"
	       "and spares alarms, unsafe shutdown) and print one line per\n"
	       "event: the time, the DIMM, what changed and the new values.\n"
	       "DIMM: nmem1 or 1; without DIMM, every DIMM that reports events.\n"
	       "Runs until SIGINT or SIGTERM (exit 0). Needs root (SMART).\n"
	       "\n");
	cli_print_options(stdout, options);
	printf("\n"
	       "Exit: 0 stopped by a signal or after --count events, 3 unknown\n"
	       "DIMM, 4 not root, 5 no DIMM here reports health events.\n"
	       "See pmemctl-monitor(1).\n");
}

/* The DIMMs to watch; none: exit 5 naming each DIMM and why. */
static int pick_dimms(struct pm_platform *pf, char **names, int count,
		      struct pm_dimm ***out, size_t *nr)
{
	struct pm_dimm **dimms = calloc(pf->nr_dimms + 1, sizeof(*dimms));
	const char *why;
	bool dup;

	*out = dimms;
	*nr = 0;
	if (!dimms)
		return EXIT_FAIL;
	for (int i = 0; i < count; i++) {
		struct pm_dimm *dimm = pm_find_dimm(pf, names[i]);

		if (!dimm) {
			cli_error(names[i], "no such DIMM (pmemctl list -D names them)");
			return EXIT_NOT_FOUND;
		}
		if (pm_dimm_events_supported(dimm, &why)) {
			cli_error(names[i], "no health events from %s (%s): %s",
				  dimm->dev, dimm->bus->provider, why);
			return EXIT_UNSUPPORTED;
		}
		dup = false;
		for (size_t j = 0; j < *nr; j++)
			dup |= dimms[j] == dimm;
		if (!dup)
			dimms[(*nr)++] = dimm;
	}
	if (count)
		return EXIT_OK;
	for (size_t i = 0; i < pf->nr_dimms; i++)
		if (!pm_dimm_events_supported(pf->dimms[i], &why))
			dimms[(*nr)++] = pf->dimms[i];
	if (*nr)
		return EXIT_OK;
	if (!pf->nr_dimms) {
		cli_error(NULL, "no DIMM with SMART health events: there are no DIMMs here");
		return EXIT_UNSUPPORTED;
	}
	for (size_t i = 0; i < pf->nr_dimms; i++) {
		pm_dimm_events_supported(pf->dimms[i], &why);
		cli_error(NULL, "no DIMM with SMART health events: %s (%s): %s",
			  pf->dimms[i]->dev, pf->dimms[i]->bus->provider, why);
	}
	return EXIT_UNSUPPORTED;
}

/*
 * SIGINT and SIGTERM arrive through a file descriptor in the same poll().
 * A shell starts a background job with SIGINT ignored, and an ignored
 * signal is never queued: the default disposition comes back first.
 */
static int stop_signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -1;
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	return signalfd(-1, &set, SFD_CLOEXEC);
}

static void announce(struct pm_dimm **dimms, size_t nr)
{
	fprintf(stderr, "pmemctl: monitoring health events of");
	for (size_t i = 0; i < nr; i++)
		fprintf(stderr, "%s %s", i ? "," : "", esc(dimms[i]->dev));
	fprintf(stderr, "\n");
}

int cmd_monitor(int argc, char **argv, struct pmemctl_ctx *ctx)
{
	const struct cli_parser parser = {
		.table = options, .usage = usage, .out = &param.out, .spec = &event_spec,
	};
	const struct out_opts *opts = &param.out;
	unsigned long seen = 0;
	const struct pm_dimm *failed;
	struct pm_monitor_event ev;
	struct pm_dimm **dimms;
	struct pm_monitor m;
	struct pm_platform *pf;
	size_t nr;
	int rc, sfd, exit_code;

	fill_health_columns();
	exit_code = cli_parse(ctx, argc, argv, &parser);
	if (exit_code != CLI_GO_ON)
		return exit_code;
	exit_code = EXIT_OK;
	pf = ctx_platform(ctx, &exit_code);
	if (!pf)
		return exit_code;
	exit_code = pick_dimms(pf, argv + optind, argc - optind, &dimms, &nr);
	if (exit_code) {
		free(dimms);
		return exit_code;
	}
	sfd = stop_signals();
	if (sfd < 0) {
		cli_error(NULL, "cannot receive signals: %s", strerror(errno));
		free(dimms);
		return EXIT_FAIL;
	}
	rc = pm_monitor_open(&m, dimms, nr, &failed);
	if (rc == -EACCES || rc == -EPERM) {
		cli_error(failed->dev, "reading SMART needs root (/dev/%s)", failed->dev);
		exit_code = EXIT_PERMISSION;
	} else if (rc) {
		cli_error(failed ? failed->dev : NULL, "cannot read SMART: %s",
			  strerror(-rc));
		exit_code = EXIT_FAIL;
	}
	if (!rc && !opts->json)
		announce(dimms, nr);
	free(dimms);
	while (!rc && (!param.count || seen < param.count)) {
		rc = pm_monitor_wait(&m, sfd, &ev);
		if (rc == 0)
			break;
		if (rc < 0) {
			cli_error(NULL, "waiting for events: %s", strerror(-rc));
			exit_code = EXIT_FAIL;
			break;
		}
		rc = print_event(&ev, opts->json);
		if (rc < 0) {
			cli_error(NULL, "cannot write the event: %s", strerror(-rc));
			exit_code = EXIT_FAIL;
			break;
		}
		seen++;
	}
	pm_monitor_close(&m);
	close(sfd);
	return exit_code;
}
