// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * CXL event records for monitor: the kernel traces each record it drains
 * from a device's event logs (cxl_general_media, cxl_dram,
 * cxl_memory_module) and each poison record (cxl_poison). They are read
 * from a tracing instance of our own, so that nobody else's tracing is
 * touched and the events are off again when monitor ends.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compat.h"
#include "cxl-events.h"
#include "tracefs.h"

const char *const pm_cxl_event_names[PM_CXL_NR_EVENTS] = {
	[PM_CXL_GENERAL_MEDIA] = "general_media",
	[PM_CXL_DRAM] = "dram",
	[PM_CXL_MEMORY_MODULE] = "memory_module",
	[PM_CXL_POISON] = "poison",
};

static const char *const tracepoints[PM_CXL_NR_EVENTS] = {
	[PM_CXL_GENERAL_MEDIA] = "cxl_general_media",
	[PM_CXL_DRAM] = "cxl_dram",
	[PM_CXL_MEMORY_MODULE] = "cxl_memory_module",
	[PM_CXL_POISON] = "cxl_poison",
};

/* A flag list as the kernel prints it ("A | B" or "A|B"), as "A|B". */
static void flags_field(const char *body, const char *key, char *out, size_t len)
{
	char raw[256];
	size_t n = 0;

	out[0] = '\0';
	if (!pm_trace_field(body, key, raw, sizeof(raw)))
		return;
	for (const char *p = raw; *p && n + 1 < len; p++) {
		if (*p == ' ' && (p[1] == '|' || (p > raw && p[-1] == '|')))
			continue;
		out[n++] = *p;
	}
	out[n] = '\0';
}

static void text_field(const char *body, const char *key, char *out, size_t len)
{
	if (!pm_trace_field(body, key, out, len))
		out[0] = '\0';
}

static uint32_t u32_field(const char *body, const char *key, int base)
{
	uint64_t v;

	return pm_trace_number(body, key, base, &v) && v <= UINT32_MAX ? (uint32_t)v : 0;
}

/* The words of validity_flags, each a field whose value is then given. */
static unsigned int validity(const char *body)
{
	static const struct { const char *word; unsigned int bit; } words[] = {
		{ "CHANNEL", PM_CXL_VALID_CHANNEL }, { "RANK", PM_CXL_VALID_RANK },
		{ "DEVICE", PM_CXL_VALID_DEVICE }, { "NIBBLE", PM_CXL_VALID_NIBBLE },
		{ "BANK GROUP", PM_CXL_VALID_BANK_GROUP }, { "BANK", PM_CXL_VALID_BANK },
		{ "ROW", PM_CXL_VALID_ROW }, { "COLUMN", PM_CXL_VALID_COLUMN },
	};
	char list[160], *word, *save = NULL;
	unsigned int valid = 0;

	flags_field(body, "validity_flags", list, sizeof(list));
	for (word = strtok_r(list, "|", &save); word; word = strtok_r(NULL, "|", &save))
		for (size_t i = 0; i < ARRAY_SIZE(words); i++)
			if (!strcmp(word, words[i].word))
				valid |= words[i].bit;
	return valid;
}

/* general media and DRAM: the location (DPA is hex without 0x: %llx). */
static bool parse_media(const char *body, struct pm_cxl_event *ev)
{
	if (!pm_trace_number(body, "dpa", 16, &ev->dpa))
		return false;
	flags_field(body, "dpa_flags", ev->dpa_flags, sizeof(ev->dpa_flags));
	flags_field(body, "descriptor", ev->descriptor, sizeof(ev->descriptor));
	text_field(body, "type", ev->type, sizeof(ev->type));
	text_field(body, "transaction_type", ev->transaction_type,
		   sizeof(ev->transaction_type));
	ev->valid = validity(body);
	ev->channel = u32_field(body, "channel", 10);
	ev->rank = u32_field(body, "rank", 10);
	if (ev->kind == PM_CXL_GENERAL_MEDIA) {
		ev->device = u32_field(body, "device", 16);
	} else {
		ev->nibble_mask = u32_field(body, "nibble_mask", 16);
		ev->bank_group = u32_field(body, "bank_group", 10);
		ev->bank = u32_field(body, "bank", 10);
		ev->row = u32_field(body, "row", 10);
		ev->column = u32_field(body, "column", 10);
	}
	return true;
}

static bool parse_module(const char *body, struct pm_cxl_event *ev)
{
	char word[16], *end;
	long t;

	text_field(body, "event_type", ev->event_type, sizeof(ev->event_type));
	flags_field(body, "health_status", ev->health_status, sizeof(ev->health_status));
	text_field(body, "media_status", ev->media_status, sizeof(ev->media_status));
	ev->life_used = u32_field(body, "life_used", 10);
	ev->dirty_shutdowns = u32_field(body, "dirty_shutdown_cnt", 10);
	ev->corrected_volatile = u32_field(body, "cor_vol_err_cnt", 10);
	ev->corrected_persistent = u32_field(body, "cor_per_err_cnt", 10);
	if (pm_trace_field(body, "device_temp", word, sizeof(word))) {
		errno = 0;
		t = strtol(word, &end, 10);
		if (!errno && end != word && !*end && t >= INT32_MIN && t <= INT32_MAX)
			ev->temperature = (int32_t)t;
	}
	return ev->event_type[0] != '\0';
}

static bool parse_poison(const char *body, struct pm_cxl_event *ev)
{
	text_field(body, "trace_type", ev->trace_type, sizeof(ev->trace_type));
	text_field(body, "source", ev->source, sizeof(ev->source));
	flags_field(body, "flags", ev->poison_flags, sizeof(ev->poison_flags));
	return ev->trace_type[0] && pm_trace_number(body, "dpa", 16, &ev->dpa) &&
	       pm_trace_number(body, "dpa_length", 16, &ev->length);
}

bool pm_cxl_event_parse(const char *line, struct pm_cxl_event *ev)
{
	const char *body = NULL;
	uint64_t v;
	size_t n;

	memset(ev, 0, sizeof(*ev));
	ev->hpa = UINT64_MAX;
	while (*line == ' ')
		line++;
	for (int k = 0; k < PM_CXL_NR_EVENTS && !body; k++) {
		n = strlen(tracepoints[k]);
		if (!strncmp(line, tracepoints[k], n) && line[n] == ':' && line[n + 1] == ' ') {
			ev->kind = k;
			body = line + n + 2;
		}
	}
	if (!body || !pm_trace_field(body, "memdev", ev->memdev, sizeof(ev->memdev)) ||
	    !ev->memdev[0])
		return false;
	if (pm_trace_number(body, "serial", 10, &v))
		ev->serial = v;
	text_field(body, "region", ev->region, sizeof(ev->region));
	/* Where a region maps the DPA; all ones (and no region) where none does. */
	if (!ev->region[0] || !pm_trace_number(body, "hpa", 16, &ev->hpa))
		ev->hpa = UINT64_MAX;
	if (ev->kind == PM_CXL_POISON)
		return parse_poison(body, ev);
	text_field(body, "log", ev->log, sizeof(ev->log));
	flags_field(body, "flags", ev->flags, sizeof(ev->flags));
	if (ev->kind == PM_CXL_MEMORY_MODULE)
		return parse_module(body, ev);
	return parse_media(body, ev);
}

/* ---- the instance ---------------------------------------------------------- */

static void set(const char *dir, const char *file, const char *value, int *rc)
{
	char path[PATH_MAX + 64];
	int err;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	err = pm_tracefs_write(path, value);
	if (rc && !*rc)
		*rc = err;
}

int pm_cxl_watch_open(struct pm_cxl_watch *w)
{
	char path[PATH_MAX + 64], name[64];
	const char *root = pm_tracefs_root();
	int rc = 0;

	memset(w, 0, sizeof(*w));
	w->fd = -1;
	if (!root)
		return -ENOENT;
	snprintf(path, sizeof(path), "%s/events/cxl/%s", root,
		 tracepoints[PM_CXL_GENERAL_MEDIA]);
	if (access(path, F_OK) < 0)
		return errno == ENOENT ? -EOPNOTSUPP : -errno;
	snprintf(name, sizeof(name), "pmemctl-monitor-%d", (int)getpid());
	rc = pm_tracefs_instance(root, name, w->instance, sizeof(w->instance));
	if (rc) {
		w->instance[0] = '\0';
		return rc;
	}
	/*
	 * Lines without the task, CPU and time that precede the event's
	 * name: a task's name is anyone's choice, and the line must start
	 * with the event's own name to be taken for a record.
	 */
	set(w->instance, "options/context-info", "0", &rc);
	/* Wake a poll() at the first record, not when the buffer is half full. */
	set(w->instance, "buffer_percent", "0", NULL);
	/* Records are rare and small: 64 KiB a CPU, not the default megabytes. */
	set(w->instance, "buffer_size_kb", "64", NULL);
	for (int k = 0; k < PM_CXL_NR_EVENTS && !rc; k++) {
		snprintf(path, sizeof(path), "%s/events/cxl/%s/enable", w->instance,
			 tracepoints[k]);
		if (access(path, F_OK) < 0)
			continue;	/* cxl_poison came in 6.8, the others in 6.3 */
		rc = pm_tracefs_write(path, "1");
		if (!rc)
			w->events |= 1u << k;
	}
	if (!rc) {
		snprintf(path, sizeof(path), "%s/trace_pipe", w->instance);
		w->fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		if (w->fd < 0)
			rc = -errno;
	}
	if (rc)
		pm_cxl_watch_close(w);
	return rc;
}

int pm_cxl_watch_next(struct pm_cxl_watch *w, struct pm_cxl_event *ev)
{
	for (;;) {
		char *nl = memchr(w->buf, '\n', w->len);
		ssize_t n;

		if (nl) {
			bool skipped = w->skipping;

			*nl = '\0';
			w->skipping = false;
			n = pm_cxl_event_parse(w->buf, ev) && !skipped;
			w->len -= (size_t)(nl + 1 - w->buf);
			memmove(w->buf, nl + 1, w->len);
			if (n)
				return 1;
			continue;
		}
		if (w->len == sizeof(w->buf) - 1) {
			/* No record is this long: drop it up to its newline. */
			w->len = 0;
			w->skipping = true;
		}
		n = read(w->fd, w->buf + w->len, sizeof(w->buf) - 1 - w->len);
		if (n < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : -errno;
		if (n == 0)
			return 0;
		w->len += (size_t)n;
		w->buf[w->len] = '\0';
	}
}

void pm_cxl_watch_close(struct pm_cxl_watch *w)
{
	char path[PATH_MAX + 64];

	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
	if (!w->instance[0])
		return;
	/* Off first: rmdir fails while a reader still holds the buffer. */
	for (int k = 0; k < PM_CXL_NR_EVENTS; k++) {
		if (!(w->events & (1u << k)))
			continue;
		snprintf(path, sizeof(path), "%s/events/cxl/%s/enable", w->instance,
			 tracepoints[k]);
		pm_tracefs_write(path, "0");
	}
	rmdir(w->instance);
	w->instance[0] = '\0';
	w->events = 0;
}
