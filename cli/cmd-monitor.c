// SPDX-License-Identifier: GPL-2.0-or-later
/* pmemctl monitor: wait for DIMM health events and CXL event records, one line each. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "escape.h"
#include "monitor.h"
#include "pmemctl.h"
#include "../lib/compat.h"
#include "../lib/cxl.h"
#include "../lib/health.h"
#include "../lib/pmem.h"

#define HEALTH(obj) ((const struct pm_health *)(obj)->ptr)

static void get_timestamp(const struct out_obj *obj, struct out_cell *cell)
{
	cell->str = ROW(obj)->timestamp;
}

static bool is_cxl(const struct out_obj *obj)
{
	return ROW(obj)->ev->type == PM_EVENT_CXL;
}

static void get_kind(const struct out_obj *obj, struct out_cell *cell)
{
	cell->str = is_cxl(obj) ? pm_cxl_event_names[ROW(obj)->ev->cxl.kind] : "health";
}

static void get_dimm(const struct out_obj *obj, struct out_cell *cell)
{
	cell->null = is_cxl(obj);
	cell->str = is_cxl(obj) ? NULL : ROW(obj)->ev->dimm->dev;
}

static void get_memdev(const struct out_obj *obj, struct out_cell *cell)
{
	cell->null = !is_cxl(obj);
	cell->str = ROW(obj)->ev->cxl.memdev;
}

static void get_changes(const struct out_obj *obj, struct out_cell *cell)
{
	cell->null = is_cxl(obj);
	cell->strv = ROW(obj)->changes;
}

static void get_unsafe_shutdown(const struct out_obj *obj, struct out_cell *cell)
{
	cell->null = is_cxl(obj);
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
 * Keys come out in this order, kind by kind: the event's, then the CXL
 * records' (cli/monitor-cxl.c), then for health and previous the SMART
 * fields monitor compares (PM_SMART_EVENT), as lib/health.h's table
 * describes them (fill_columns()). A key that is not the event's kind's
 * is null: DIMM events have no memdev, CXL records no dimm nor health.
 */
#define NR_EVENT_COLUMNS 13
#define NR_CXL_COLUMNS 34
static struct out_column event_columns[NR_EVENT_COLUMNS + NR_CXL_COLUMNS + PM_HEALTH_NR_FIELDS] = {
	{ "EVENT.TIMESTAMP", "timestamp", "when the event was read, ISO 8601 with the UTC offset",
	  OUT_STRING, EVT, 0, get_timestamp },
	{ "EVENT.KIND", "kind",
	  "health (a DIMM's SMART event), or a CXL memdev's record: general_media, dram, memory_module, poison",
	  OUT_STRING, EVT, 0, get_kind },
	{ "EVENT.DIMM", "dimm", "the DIMM (nmem1); null for a CXL record", OUT_STRING, EVT, 0, get_dimm },
	{ "EVENT.MEMDEV", "memdev", "the CXL memdev (mem0); null for a DIMM's event",
	  OUT_STRING, EVT, 0, get_memdev },
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
	{ "EVENT.GENERAL_MEDIA", "general_media",
	  "a CXL general media event record (kind general_media), else null",
	  OUT_OBJECT, EVT, 0, NULL, EV_GENERAL_MEDIA },
	{ "EVENT.DRAM", "dram", "a CXL DRAM event record (kind dram), else null",
	  OUT_OBJECT, EVT, 0, NULL, EV_DRAM },
	{ "EVENT.MEMORY_MODULE", "memory_module",
	  "a CXL memory module event record (kind memory_module): the device's health at the event, else null",
	  OUT_OBJECT, EVT, 0, NULL, EV_MEMORY_MODULE },
	{ "EVENT.POISON", "poison", "a CXL poison record (kind poison), else null",
	  OUT_OBJECT, EVT, 0, NULL, EV_POISON },
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

static const char *const event_kinds[] = {
	"event", "health", "previous", "general_media", "dram", "memory_module", "poison",
};

static struct out_spec event_spec = {
	.schema_version = 2,
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

static void fill_columns(void)
{
	size_t n = NR_EVENT_COLUMNS;

	for (size_t i = 0; i < monitor_cxl_nr_columns && i < NR_CXL_COLUMNS; i++)
		event_columns[n++] = monitor_cxl_columns[i];

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
	const struct pm_monitor_event *ev = row->ev;
	struct out_node root = { .obj = { EV_EVENT, row } };
	struct out_opts opts = { .output_all = true };
	struct out_selection sel;
	struct json_object *j = NULL;
	bool added;

	out_select(&event_spec, &opts, (1u << EV_NR_KINDS) - 1, &sel, NULL, 0);
	if (ev->type == PM_EVENT_CXL)
		added = out_node_add(&root, EV_GENERAL_MEDIA + (int)ev->cxl.kind, row);
	else
		added = out_node_add(&root, EV_HEALTH, &ev->current) &&
			out_node_add(&root, EV_PREVIOUS, &ev->previous);
	if (added)
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
	if (ev->type == PM_EVENT_CXL) {
		monitor_cxl_fill(&row);
	} else {
		for (int i = 0; i < PM_HEALTH_NR_FIELDS; i++)
			if (ev->change.fields & (1u << i))
				row.changes[n++] = pm_smart_fields[i].key;
		if (ev->current.error)
			snprintf(row.error, sizeof(row.error), "%s",
				 strerror(-ev->current.error));
	}
	if (json) {
		if (print_json(&row) < 0)
			return -ENOMEM;
	} else if (ev->type == PM_EVENT_CXL) {
		monitor_cxl_print(&row);
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
	OPT_TIMEOUT,
};

static struct {
	struct out_opts out;
	unsigned long count;		/* 0: no limit */
	unsigned long timeout;		/* seconds; 0: none */
} param;

static int parse_positive(struct pmemctl_ctx *ctx, const char *arg,
			  unsigned long *value, const char *what)
{
	char *end;

	errno = 0;
	*value = strtoul(arg, &end, 10);
	if (errno || end == arg || *end || arg[0] == '-' || *value == 0 ||
	    *value > 100000000)
		return cli_usage_error(ctx, "%s above 0: '%s'", what, arg);
	return EXIT_OK;
}

static int parse_count(struct pmemctl_ctx *ctx, const char *arg, void *value)
{
	return parse_positive(ctx, arg, value, "--count takes a number of events");
}

static int parse_timeout(struct pmemctl_ctx *ctx, const char *arg, void *value)
{
	return parse_positive(ctx, arg, value, "--timeout takes a number of seconds");
}

static const struct cli_option options[] = {
	CLI_HEADING("Options:"),
	OPT_CALLBACK(OPT_COUNT, "count", &param.count, "N", "exit after N events", parse_count),
	OPT_CALLBACK(OPT_TIMEOUT, "timeout", &param.timeout, "SECONDS",
		     "stop after SECONDS (12: before --count events)",
		     parse_timeout),
	OPT_DOCUMENT_GROUP(&param.out, "one JSON object per event, one per line"),
	CLI_COMMON_OPTIONS,
	CLI_END,
};

static void usage(void)
{
	printf("Usage: pmemctl monitor [options] [DIMM|MEMDEV...]\n"
	       "\n"
	       "Wait for DIMM health events (SMART: health state, temperature\n"
	       "and spares alarms, unsafe shutdown) and CXL memdev event records\n"
	       "(general media, DRAM, memory module, poison) and print one line\n"
	       "per event: the time, the device, what happened.\n"
	       "DIMM: nmem1 or 1; MEMDEV: mem0. Without either, every DIMM that\n"
	       "reports events and every CXL memdev.\n"
	       "Runs until SIGINT or SIGTERM (exit 0). Needs root (SMART, tracefs).\n"
	       "\n");
	cli_print_options(stdout, options);
	printf("\n"
	       "Exit: 0 stopped by a signal, after --count events or at --timeout,\n"
	       "3 unknown device, 4 not root, 5 nothing here reports events,\n"
	       "12 --timeout before --count events.\n"
	       "See pmemctl-monitor(1).\n");
}

/* What to watch: DIMMs, and CXL memdevs by name (all of them: cxl_all). */
struct watch {
	struct pm_dimm **dimms;
	size_t nr;
	const char **memdevs;
	size_t nr_memdevs;
	bool cxl_all;
};

/* The devices named, or every one that can report events; none: exit 5. */
static int pick(struct pm_platform *pf, char **names, int count, struct watch *w)
{
	const char *why;
	bool dup;

	w->dimms = calloc(pf->nr_dimms + 1, sizeof(*w->dimms));
	w->memdevs = calloc((size_t)count + 1, sizeof(*w->memdevs));
	if (!w->dimms || !w->memdevs)
		return EXIT_FAIL;
	for (int i = 0; i < count; i++) {
		struct pm_dimm *dimm = pm_find_dimm(pf, names[i]);
		struct pm_memdev *memdev = dimm ? NULL : pm_find_memdev(pf, names[i]);

		if (memdev) {
			dup = false;
			for (size_t j = 0; j < w->nr_memdevs; j++)
				dup |= !strcmp(w->memdevs[j], memdev->dev);
			if (!dup)
				w->memdevs[w->nr_memdevs++] = memdev->dev;
			continue;
		}
		if (!dimm) {
			cli_error(names[i], "no such DIMM or CXL memdev (pmemctl list -D and list -C name them)");
			return EXIT_NOT_FOUND;
		}
		if (pm_dimm_events_supported(dimm, &why)) {
			cli_error(names[i], "no health events from %s (%s): %s",
				  dimm->dev, dimm->bus->provider, why);
			return EXIT_UNSUPPORTED;
		}
		dup = false;
		for (size_t j = 0; j < w->nr; j++)
			dup |= w->dimms[j] == dimm;
		if (!dup)
			w->dimms[w->nr++] = dimm;
	}
	if (count)
		return EXIT_OK;
	for (size_t i = 0; i < pf->nr_dimms; i++)
		if (!pm_dimm_events_supported(pf->dimms[i], &why))
			w->dimms[w->nr++] = pf->dimms[i];
	w->cxl_all = pf->nr_memdevs > 0;
	if (w->nr || w->cxl_all)
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

static const char *cxl_reason(int rc)
{
	switch (rc) {
	case -ENOENT:
		return "tracefs is not mounted (mount -t tracefs tracefs /sys/kernel/tracing)";
	case -EOPNOTSUPP:
		return "this kernel traces no CXL event records (Linux 6.3 or later)";
	case -EACCES:
	case -EPERM:
		return "CXL events need root: they are read through tracefs";
	case -EROFS:
		return "tracefs is read-only here (a sandbox such as the systemd unit's)";
	default:
		return strerror(-rc);
	}
}

/*
 * The CXL records of the memdevs picked. Without a name, a kernel or a
 * sandbox (the service's read-only /sys) that cannot trace them leaves
 * the DIMMs to watch, with a warning; with none, it is the answer.
 */
static int watch_cxl(struct pm_monitor *m, const struct watch *w)
{
	int rc;

	if (!w->nr_memdevs && !w->cxl_all)
		return EXIT_OK;
	rc = pm_monitor_watch_cxl(m, w->cxl_all ? NULL : w->memdevs, w->nr_memdevs);
	if (!rc)
		return EXIT_OK;
	if (w->cxl_all && w->nr) {
		fprintf(stderr, "pmemctl: warning: no CXL events: %s\n", cxl_reason(rc));
		return EXIT_OK;
	}
	cli_error(w->cxl_all ? NULL : w->memdevs[0], "no CXL events: %s", cxl_reason(rc));
	if (rc == -EACCES || rc == -EPERM)
		return EXIT_PERMISSION;
	/* 5, not 1: a unit that cannot trace must not be restarted for ever. */
	return rc == -ENOENT || rc == -EOPNOTSUPP || rc == -EROFS ? EXIT_UNSUPPORTED : EXIT_FAIL;
}

/*
 * SIGINT, SIGTERM and SIGHUP arrive through a file descriptor in the same
 * poll(), so that the tracing instance is removed on the way out. A shell
 * starts a background job with SIGINT ignored, and an ignored signal is
 * never queued: the default disposition comes back first. A reader that
 * went away is a write error (EPIPE), not a death by SIGPIPE.
 */
static int stop_signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -1;
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGPIPE, SIG_IGN);
	return signalfd(-1, &set, SFD_CLOEXEC);
}

static void announce(const struct watch *w, const struct pm_monitor *m,
		     struct pm_platform *pf)
{
	fprintf(stderr, "pmemctl: monitoring");
	if (w->nr) {
		fprintf(stderr, " health events of");
		for (size_t i = 0; i < w->nr; i++)
			fprintf(stderr, "%s %s", i ? "," : "", esc(w->dimms[i]->dev));
	}
	if (m->cxl) {
		fprintf(stderr, "%s CXL events of", w->nr ? " and" : "");
		if (w->cxl_all)
			for (size_t i = 0; i < pf->nr_memdevs; i++)
				fprintf(stderr, "%s %s", i ? "," : "", esc(pf->memdevs[i]->dev));
		else
			for (size_t i = 0; i < w->nr_memdevs; i++)
				fprintf(stderr, "%s %s", i ? "," : "", esc(w->memdevs[i]));
	}
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
	struct timespec deadline;
	struct pm_monitor_event ev;
	struct watch w = { 0 };
	struct pm_monitor m;
	struct pm_platform *pf;
	int rc, sfd, exit_code;

	fill_columns();
	exit_code = cli_parse(ctx, argc, argv, &parser);
	if (exit_code != CLI_GO_ON)
		return exit_code;
	exit_code = EXIT_OK;
	pf = ctx_platform(ctx, &exit_code);
	if (!pf)
		return exit_code;
	exit_code = pick(pf, argv + optind, argc - optind, &w);
	if (exit_code)
		goto out;
	sfd = stop_signals();
	if (sfd < 0) {
		cli_error(NULL, "cannot receive signals: %s", strerror(errno));
		exit_code = EXIT_FAIL;
		goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += (time_t)param.timeout;
	rc = pm_monitor_open(&m, w.dimms, w.nr, &failed);
	if (rc == -EACCES || rc == -EPERM) {
		cli_error(failed->dev, "reading SMART needs root (/dev/%s)", failed->dev);
		exit_code = EXIT_PERMISSION;
	} else if (rc) {
		cli_error(failed ? failed->dev : NULL, "cannot read SMART: %s",
			  strerror(-rc));
		exit_code = EXIT_FAIL;
	}
	if (!rc) {
		exit_code = watch_cxl(&m, &w);
		if (exit_code)
			rc = -1;
	}
	if (!rc && !opts->json)
		announce(&w, &m, pf);
	while (!rc && (!param.count || seen < param.count)) {
		rc = pm_monitor_wait(&m, sfd, param.timeout ? &deadline : NULL, &ev);
		if (rc == 0)
			break;
		if (rc == -ETIMEDOUT) {
			if (param.count)
				exit_code = EXIT_TIMEOUT;
			break;
		}
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
out:
	free(w.dimms);
	free(w.memdevs);
	return exit_code;
}
