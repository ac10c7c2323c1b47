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

/* The JSON keys of the fields, as list -DH names them (ndctl's). */
static const char *const field_keys[PM_HEALTH_NR_FIELDS] = {
	[PM_HEALTH_STATE] = "health_state",
	[PM_HEALTH_TEMPERATURE] = "temperature_celsius",
	[PM_HEALTH_CTRL_TEMPERATURE] = "controller_temperature_celsius",
	[PM_HEALTH_SPARES] = "spares_percentage",
	[PM_HEALTH_ALARM_TEMPERATURE] = "alarm_temperature",
	[PM_HEALTH_ALARM_CTRL_TEMPERATURE] = "alarm_controller_temperature",
	[PM_HEALTH_ALARM_SPARES] = "alarm_spares",
	[PM_HEALTH_LIFE_USED] = "life_used_percentage",
	[PM_HEALTH_SHUTDOWN_STATE] = "shutdown_state",
	[PM_HEALTH_SHUTDOWN_COUNT] = "shutdown_count",
};

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

static void set_temp(struct out_cell *cell, const struct pm_health_temp *t)
{
	cell->f = t->celsius;
	cell->decimals = 1;
	cell->null = !t->valid;
}

static void get_state(const struct out_obj *obj, struct out_cell *cell)
{
	cell->str = HEALTH(obj)->state;
	cell->null = !cell->str;
}

static void get_temp(const struct out_obj *obj, struct out_cell *cell)
{
	set_temp(cell, &HEALTH(obj)->temperature);
}

static void get_ctrl_temp(const struct out_obj *obj, struct out_cell *cell)
{
	set_temp(cell, &HEALTH(obj)->ctrl_temperature);
}

static void get_spares(const struct out_obj *obj, struct out_cell *cell)
{
	cell->u = HEALTH(obj)->spares.value;
	cell->null = !HEALTH(obj)->spares.valid;
}

static void get_alarm_temp(const struct out_obj *obj, struct out_cell *cell)
{
	cell->b = HEALTH(obj)->alarm_temperature.value;
	cell->null = !HEALTH(obj)->alarm_temperature.valid;
}

static void get_alarm_ctrl_temp(const struct out_obj *obj, struct out_cell *cell)
{
	cell->b = HEALTH(obj)->alarm_ctrl_temperature.value;
	cell->null = !HEALTH(obj)->alarm_ctrl_temperature.valid;
}

static void get_alarm_spares(const struct out_obj *obj, struct out_cell *cell)
{
	cell->b = HEALTH(obj)->alarm_spares.value;
	cell->null = !HEALTH(obj)->alarm_spares.valid;
}

static void get_life_used(const struct out_obj *obj, struct out_cell *cell)
{
	cell->u = HEALTH(obj)->life_used.value;
	cell->null = !HEALTH(obj)->life_used.valid;
}

static void get_shutdown_state(const struct out_obj *obj, struct out_cell *cell)
{
	cell->str = HEALTH(obj)->shutdown_state;
	cell->null = !cell->str;
}

static void get_shutdown_count(const struct out_obj *obj, struct out_cell *cell)
{
	cell->u = HEALTH(obj)->shutdown_count.value;
	cell->null = !HEALTH(obj)->shutdown_count.valid;
}

#define EVT (1u << EV_EVENT)
#define HLT ((1u << EV_HEALTH) | (1u << EV_PREVIOUS))

/* Keys come out in this order, kind by kind. */
static const struct out_column event_columns[] = {
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

	{ "HEALTH.STATE", "health_state", "ok, non-critical, critical or fatal",
	  OUT_STRING, HLT, 0, get_state },
	{ "HEALTH.TEMPERATURE", "temperature_celsius", "media temperature",
	  OUT_FLOAT, HLT, 0, get_temp },
	{ "HEALTH.CTRL_TEMPERATURE", "controller_temperature_celsius", "controller temperature",
	  OUT_FLOAT, HLT, 0, get_ctrl_temp },
	{ "HEALTH.SPARES", "spares_percentage", "spare blocks left, percent",
	  OUT_UINT, HLT, 0, get_spares },
	{ "HEALTH.ALARM_TEMPERATURE", "alarm_temperature", "the media temperature alarm tripped",
	  OUT_BOOL, HLT, 0, get_alarm_temp },
	{ "HEALTH.ALARM_CTRL_TEMPERATURE", "alarm_controller_temperature", "the controller temperature alarm tripped",
	  OUT_BOOL, HLT, 0, get_alarm_ctrl_temp },
	{ "HEALTH.ALARM_SPARES", "alarm_spares", "the spares alarm tripped",
	  OUT_BOOL, HLT, 0, get_alarm_spares },
	{ "HEALTH.LIFE_USED", "life_used_percentage", "rated life used, percent",
	  OUT_UINT, HLT, 0, get_life_used },
	{ "HEALTH.SHUTDOWN_STATE", "shutdown_state", "clean or dirty: how the last shutdown went",
	  OUT_STRING, HLT, 0, get_shutdown_state },
	{ "HEALTH.SHUTDOWN_COUNT", "shutdown_count", "unsafe shutdowns the DIMM has counted",
	  OUT_UINT, HLT, 0, get_shutdown_count },
};

static const char *const event_kinds[] = { "event", "health", "previous" };

static const struct out_spec event_spec = {
	.columns = event_columns,
	.nr_columns = ARRAY_SIZE(event_columns),
	.kind_keys = event_kinds,
	.kind_names = event_kinds,
	.nr_kinds = EV_NR_KINDS,
	.document = OUT_DOC_OBJECT,
	.root_kind = 0,			/* "event", one per line */
};

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
	const struct pm_health_temp *t = NULL;
	const struct pm_health_uint *u = NULL;
	const struct pm_health_bool *b = NULL;
	const char *s = NULL;

	switch (field) {
	case PM_HEALTH_STATE: s = h->state; break;
	case PM_HEALTH_TEMPERATURE: t = &h->temperature; break;
	case PM_HEALTH_CTRL_TEMPERATURE: t = &h->ctrl_temperature; break;
	case PM_HEALTH_SPARES: u = &h->spares; break;
	case PM_HEALTH_ALARM_TEMPERATURE: b = &h->alarm_temperature; break;
	case PM_HEALTH_ALARM_CTRL_TEMPERATURE: b = &h->alarm_ctrl_temperature; break;
	case PM_HEALTH_ALARM_SPARES: b = &h->alarm_spares; break;
	case PM_HEALTH_LIFE_USED: u = &h->life_used; break;
	case PM_HEALTH_SHUTDOWN_STATE: s = h->shutdown_state; break;
	case PM_HEALTH_SHUTDOWN_COUNT: u = &h->shutdown_count; break;
	}
	if (t && t->valid)
		snprintf(buf, len, "%.1f", t->celsius);
	else if (u && u->valid)
		snprintf(buf, len, "%u", u->value);
	else if (b && b->valid)
		snprintf(buf, len, "%s", b->value ? "true" : "false");
	else
		snprintf(buf, len, "%s", s ? s : "unknown");
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
		printf("%s %s %s -> %s", any ? "," : "", field_keys[i], old, now);
		any = true;
	}
	if (!any)
		printf(" health event, no SMART value changed");
	printf("; now");
	for (int i = 0; i < PM_HEALTH_NR_FIELDS; i++) {
		format_field(&ev->current, i, now, sizeof(now));
		printf("%s %s=%s", i ? "" : ":", field_keys[i], now);
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
			row.changes[n++] = field_keys[i];
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

static const struct cli_option options[] = {
	CLI_HEADING("Options:"),
	{ "count", OPT_COUNT, "N", "exit after N events" },
	{ "json", 'J', NULL, "one JSON object per event, one per line" },
	{ "list-columns", OPT_LIST_COLUMNS, NULL, "list the JSON keys and exit (as JSON with -J)" },
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

static int parse_count(struct pmemctl_ctx *ctx, const char *arg,
		       unsigned long *count)
{
	char *end;

	errno = 0;
	*count = strtoul(arg, &end, 10);
	if (errno || end == arg || *end || arg[0] == '-' || *count == 0)
		return cli_usage_error(ctx, "--count takes a number of events above 0: '%s'", arg);
	return EXIT_OK;
}

int cmd_monitor(int argc, char **argv, struct pmemctl_ctx *ctx)
{
	struct out_opts opts = { 0 };
	unsigned long count = 0, seen = 0;
	const struct pm_dimm *failed;
	struct pm_monitor_event ev;
	struct pm_dimm **dimms;
	struct pm_monitor m;
	struct pm_platform *pf;
	struct cli_getopt g;
	size_t nr;
	int c, rc, sfd, exit_code = EXIT_OK;

	cli_getopt_init(&g, ctx, options);
	while ((c = cli_getopt(&g, argc, argv)) != -1) {
		switch (c) {
		case OPT_COUNT:
			if (parse_count(ctx, optarg, &count))
				return EXIT_USAGE;
			break;
		default:
			if (output_option(c, optarg, &opts))
				break;
			return cli_other_option(ctx, c, argv, options, usage);
		}
	}
	if (opts.list_columns) {
		out_list_columns(stdout, &event_spec, opts.json);
		return EXIT_OK;
	}
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
	if (!rc && !opts.json)
		announce(dimms, nr);
	free(dimms);
	while (!rc && (!count || seen < count)) {
		rc = pm_monitor_wait(&m, sfd, &ev);
		if (rc == 0)
			break;
		if (rc < 0) {
			cli_error(NULL, "waiting for events: %s", strerror(-rc));
			exit_code = EXIT_FAIL;
			break;
		}
		rc = print_event(&ev, opts.json);
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
