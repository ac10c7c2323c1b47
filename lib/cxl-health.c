// SPDX-License-Identifier: GPL-2.0-or-later
/* A CXL memdev's health answer as a report records it, and its replay. */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat.h"
#include "cxl.h"
#include "host.h"

/*
 * One "key value" line per field: the mailbox command cannot be
 * replayed, so the bundle carries what it answered. A value the device
 * did not report (none) is left out; a value outside what read_health()
 * can produce is skipped when read back.
 */
enum field_type { FIELD_BOOL, FIELD_INT, FIELD_INT64 };

static const struct memdev_field {
	const char *key;
	size_t offset;
	enum field_type type;
	long long min, max, none;
} fields[] = {
#define FIELD(member, type, min, max, none) \
	{ #member, offsetof(struct pm_memdev_health, member), type, min, max, none }
	FIELD(maintenance_needed, FIELD_BOOL, 0, 1, LLONG_MIN),
	FIELD(performance_degraded, FIELD_BOOL, 0, 1, LLONG_MIN),
	FIELD(hw_replacement_needed, FIELD_BOOL, 0, 1, LLONG_MIN),
	FIELD(media_normal, FIELD_BOOL, 0, 1, LLONG_MIN),
	FIELD(life_used, FIELD_INT, 0, 0xfe, -1),
	FIELD(temperature, FIELD_INT, INT16_MIN, INT16_MAX, INT32_MIN),
	FIELD(dirty_shutdowns, FIELD_INT64, 0, UINT32_MAX, -1),
#undef FIELD
};

static long long get(const struct pm_memdev_health *h, size_t i)
{
	const void *f = (const char *)h + fields[i].offset;

	switch (fields[i].type) {
	case FIELD_BOOL:
		return *(const bool *)f;
	case FIELD_INT:
		return *(const int *)f;
	default:
		return *(const int64_t *)f;
	}
}

static void set(struct pm_memdev_health *h, size_t i, long long v)
{
	void *f = (char *)h + fields[i].offset;

	switch (fields[i].type) {
	case FIELD_BOOL:
		*(bool *)f = v;
		break;
	case FIELD_INT:
		*(int *)f = (int)v;
		break;
	default:
		*(int64_t *)f = v;
		break;
	}
}

int pm_memdev_health_format(const struct pm_memdev_health *h, char *buf,
			    size_t len)
{
	size_t used = 0;
	int n;

#define PUT(...) do { \
		n = snprintf(buf + used, len - used, __VA_ARGS__); \
		if (n < 0 || (size_t)n >= len - used) \
			return -ENOSPC; \
		used += n; \
	} while (0)
	PUT("error %d\n", h->error);
	/* Without an answer the fields mean nothing. */
	for (size_t i = 0; !h->error && i < ARRAY_SIZE(fields); i++)
		if (get(h, i) != fields[i].none)
			PUT("%s %lld\n", fields[i].key, get(h, i));
#undef PUT
	return (int)used;
}

/* Unknown keys and malformed values are skipped: a newer bundle still reads. */
static void parse_line(const char *key, const char *value, void *data)
{
	struct pm_memdev_health *h = data;
	long long v;
	char *end;

	errno = 0;
	v = strtoll(value, &end, 10);
	if (end == value || *end || errno)
		return;
	if (strcmp(key, "error") == 0) {
		if (v <= 0 && v > -4096)
			h->error = (int)v;
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++)
		if (strcmp(key, fields[i].key) == 0) {
			if (v >= fields[i].min && v <= fields[i].max)
				set(h, i, v);
			return;
		}
}

void pm_memdev_health_parse(const char *text, struct pm_memdev_health *h)
{
	memset(h, 0, sizeof(*h));
	h->error = -ENODATA;
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++)
		if (fields[i].none != LLONG_MIN)
			set(h, i, fields[i].none);
	pm_record_foreach(text, parse_line, h);
}

int pm_memdev_health_replay(const char *dev, struct pm_memdev_health *h)
{
	char text[4096];

	/* No record: an empty text, which leaves each field unknown. */
	pm_bundle_read_record(PM_REPORT_CXL_HEALTH_DIR, dev, text, sizeof(text));
	pm_memdev_health_parse(text, h);
	return h->error;
}
