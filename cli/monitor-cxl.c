// SPDX-License-Identifier: GPL-2.0-or-later
/* pmemctl monitor: the keys and the line of a CXL event record. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "escape.h"
#include "monitor.h"
#include "../lib/compat.h"

#define CXL(obj) (&ROW(obj)->ev->cxl)

#define GM (1u << EV_GENERAL_MEDIA)
#define DR (1u << EV_DRAM)
#define MM (1u << EV_MEMORY_MODULE)
#define PO (1u << EV_POISON)

static void set_text(struct out_cell *cell, const char *s)
{
	cell->str = s;
	cell->null = !s[0];
}

#define TEXT_GETTER(member)						\
static void get_##member(const struct out_obj *obj, struct out_cell *cell) \
{									\
	set_text(cell, CXL(obj)->member);				\
}
TEXT_GETTER(log)
TEXT_GETTER(trace_type)
TEXT_GETTER(region)
TEXT_GETTER(source)
TEXT_GETTER(type)
TEXT_GETTER(transaction_type)
TEXT_GETTER(event_type)
TEXT_GETTER(media_status)

#define WORDS_GETTER(member)						\
static void get_##member(const struct out_obj *obj, struct out_cell *cell) \
{									\
	cell->strv = ROW(obj)->member.v;				\
}
WORDS_GETTER(flags)
WORDS_GETTER(dpa_flags)
WORDS_GETTER(descriptor)
WORDS_GETTER(health_status)
WORDS_GETTER(poison_flags)

#define UINT_GETTER(member, bit)					\
static void get_##member(const struct out_obj *obj, struct out_cell *cell) \
{									\
	cell->u = CXL(obj)->member;					\
	cell->null = (bit) && !(CXL(obj)->valid & (unsigned int)(bit));	\
}
UINT_GETTER(serial, 0)
UINT_GETTER(dpa, 0)
UINT_GETTER(length, 0)
UINT_GETTER(channel, PM_CXL_VALID_CHANNEL)
UINT_GETTER(rank, PM_CXL_VALID_RANK)
UINT_GETTER(device, PM_CXL_VALID_DEVICE)
UINT_GETTER(nibble_mask, PM_CXL_VALID_NIBBLE)
UINT_GETTER(bank_group, PM_CXL_VALID_BANK_GROUP)
UINT_GETTER(bank, PM_CXL_VALID_BANK)
UINT_GETTER(row, PM_CXL_VALID_ROW)
UINT_GETTER(column, PM_CXL_VALID_COLUMN)
UINT_GETTER(corrected_volatile, 0)
UINT_GETTER(corrected_persistent, 0)

static void get_hpa(const struct out_obj *obj, struct out_cell *cell)
{
	cell->u = CXL(obj)->hpa;
	cell->null = CXL(obj)->hpa == UINT64_MAX;
}

#define INT_GETTER(member)						\
static void get_##member(const struct out_obj *obj, struct out_cell *cell) \
{									\
	cell->i = CXL(obj)->member;					\
}
INT_GETTER(life_used)
INT_GETTER(temperature)
INT_GETTER(dirty_shutdowns)

static bool has_word(const struct monitor_words *w, const char *word)
{
	for (size_t i = 0; w->v[i]; i++)
		if (!strcmp(w->v[i], word))
			return true;
	return false;
}

/* The Get Health Info bits, as list -C's "health" object names them. */
#define HEALTH_BIT(name, word)						\
static void get_##name(const struct out_obj *obj, struct out_cell *cell) \
{									\
	cell->b = has_word(&ROW(obj)->health_status, word);		\
}
HEALTH_BIT(maintenance_needed, "MAINTENANCE_NEEDED")
HEALTH_BIT(performance_degraded, "PERFORMANCE_DEGRADED")
HEALTH_BIT(hw_replacement_needed, "REPLACEMENT_NEEDED")

static void get_media_normal(const struct out_obj *obj, struct out_cell *cell)
{
	cell->null = !CXL(obj)->media_status[0];
	cell->b = !strcmp(CXL(obj)->media_status, "Normal");
}

const struct out_column monitor_cxl_columns[] = {
	{ "CXL.SERIAL", "serial", "the memdev's serial number", OUT_UINT,
	  GM | DR | MM | PO, 0, get_serial },
	{ "CXL.LOG", "log", "the event log the record was read from: Informational, Warning, Failure, Fatal",
	  OUT_STRING, GM | DR | MM, 0, get_log },
	{ "CXL.RECORD_FLAGS", "record_flags",
	  "the record's flags: PERMANENT_CONDITION, MAINTENANCE_NEEDED, PERFORMANCE_DEGRADED, HARDWARE_REPLACEMENT_NEEDED",
	  OUT_STRV, GM | DR | MM, 0, get_flags },
	{ "CXL.TRACE_TYPE", "trace_type",
	  "List: a record of the memdev's poison list (read when it is triggered); Inject or Clear: a change through debugfs",
	  OUT_STRING, PO, 0, get_trace_type },
	{ "CXL.DPA", "dpa", "the device physical address", OUT_UINT, GM | DR | PO, 0, get_dpa },
	{ "CXL.DPA_LENGTH", "dpa_length", "how many bytes are poisoned (a multiple of 64)",
	  OUT_UINT, PO, 0, get_length },
	{ "CXL.REGION", "region", "the CXL region that maps the DPA (null: none does)",
	  OUT_STRING, GM | DR | PO, 0, get_region },
	{ "CXL.HPA", "hpa", "the host physical address the region maps the DPA at (null: not mapped)",
	  OUT_UINT, GM | DR | PO, 0, get_hpa },
	{ "CXL.POISON_SOURCE", "poison_source",
	  "what the device says put the poison there: Unknown, External, Internal, Injected, Vendor",
	  OUT_STRING, PO, 0, get_source },
	{ "CXL.POISON_FLAGS", "poison_flags", "the poison list's flags: More, Overflow, Scanning",
	  OUT_STRV, PO, 0, get_poison_flags },
	{ "CXL.DPA_FLAGS", "dpa_flags", "VOLATILE, NOT_REPAIRABLE", OUT_STRV, GM | DR, 0,
	  get_dpa_flags },
	{ "CXL.DESCRIPTOR", "descriptor",
	  "the memory event descriptor: UNCORRECTABLE_EVENT, THRESHOLD_EVENT, POISON_LIST_OVERFLOW",
	  OUT_STRV, GM | DR, 0, get_descriptor },
	{ "CXL.TYPE", "type", "the memory event type: ECC Error, Invalid Address, Data Path Error...",
	  OUT_STRING, GM | DR, 0, get_type },
	{ "CXL.TRANSACTION_TYPE", "transaction_type",
	  "the transaction that met it: Unknown, Host Read, Host Write, Host Scan Media, Host Inject Poison, Internal Media Scrub, Internal Media Management",
	  OUT_STRING, GM | DR, 0, get_transaction_type },
	{ "CXL.CHANNEL", "channel", "the memory channel (null: not reported)", OUT_UINT,
	  GM | DR, 0, get_channel },
	{ "CXL.RANK", "rank", "the rank on the channel (null: not reported)", OUT_UINT,
	  GM | DR, 0, get_rank },
	{ "CXL.DEVICE", "device", "a bit per device of the rank involved (null: not reported)",
	  OUT_UINT, GM, 0, get_device },
	{ "CXL.NIBBLE_MASK", "nibble_mask", "the nibbles in error (null: not reported)",
	  OUT_UINT, DR, 0, get_nibble_mask },
	{ "CXL.BANK_GROUP", "bank_group", "the bank group (null: not reported)", OUT_UINT,
	  DR, 0, get_bank_group },
	{ "CXL.BANK", "bank", "the bank (null: not reported)", OUT_UINT, DR, 0, get_bank },
	{ "CXL.ROW", "row", "the DRAM row (null: not reported)", OUT_UINT, DR, 0, get_row },
	{ "CXL.COLUMN", "column", "the DRAM column (null: not reported)", OUT_UINT, DR, 0,
	  get_column },
	{ "CXL.EVENT_TYPE", "event_type",
	  "what changed: Health Status Change, Media Status Change, Life Used Change, Temperature Change, Data Path Error, LSA Error",
	  OUT_STRING, MM, 0, get_event_type },
	{ "CXL.HEALTH_STATUS", "health_status",
	  "the health status bits at the event: MAINTENANCE_NEEDED, PERFORMANCE_DEGRADED, REPLACEMENT_NEEDED",
	  OUT_STRV, MM, 0, get_health_status },
	{ "CXL.MEDIA_STATUS", "media_status",
	  "the media status at the event: Normal, Not Ready, Write Persistency Lost, All Data Lost...",
	  OUT_STRING, MM, 0, get_media_status },
	{ "CXL.MAINTENANCE", "maintenance_needed", "the memdev asks for maintenance",
	  OUT_BOOL, MM, 0, get_maintenance_needed },
	{ "CXL.DEGRADED", "performance_degraded", "the memdev's performance is degraded",
	  OUT_BOOL, MM, 0, get_performance_degraded },
	{ "CXL.REPLACE", "hw_replacement_needed", "the memdev needs replacing",
	  OUT_BOOL, MM, 0, get_hw_replacement_needed },
	{ "CXL.MEDIA_NORMAL", "media_normal", "the memdev's media are normal",
	  OUT_BOOL, MM, 0, get_media_normal },
	{ "CXL.LIFE_USED", "life_used_percent", "life used, percent", OUT_INT, MM, 0,
	  get_life_used },
	{ "CXL.TEMP", "temperature", "device temperature, degrees Celsius", OUT_INT, MM, 0,
	  get_temperature },
	{ "CXL.DIRTY", "dirty_shutdowns", "unsafe shutdowns the memdev counted", OUT_INT, MM, 0,
	  get_dirty_shutdowns },
	{ "CXL.COR_VOLATILE", "corrected_volatile_errors",
	  "corrected errors in volatile memory, in all", OUT_UINT, MM, 0, get_corrected_volatile },
	{ "CXL.COR_PERSISTENT", "corrected_persistent_errors",
	  "corrected errors in persistent memory, in all", OUT_UINT, MM, 0,
	  get_corrected_persistent },
};

const size_t monitor_cxl_nr_columns = ARRAY_SIZE(monitor_cxl_columns);

static void split(struct monitor_words *w, const char *list)
{
	size_t n = 0;
	char *save = NULL;

	snprintf(w->buf, sizeof(w->buf), "%s", list);
	for (char *word = strtok_r(w->buf, "|", &save);
	     word && n + 1 < ARRAY_SIZE(w->v); word = strtok_r(NULL, "|", &save))
		w->v[n++] = word;
	w->v[n] = NULL;
}

void monitor_cxl_fill(struct event_row *row)
{
	const struct pm_cxl_event *ev = &row->ev->cxl;

	split(&row->flags, ev->flags);
	split(&row->dpa_flags, ev->dpa_flags);
	split(&row->descriptor, ev->descriptor);
	split(&row->health_status, ev->health_status);
	split(&row->poison_flags, ev->poison_flags);
}

/* " key=value", quoted when the value has a blank; nothing when empty. */
static void kv(const char *key, const char *value)
{
	if (!value[0])
		return;
	printf(strchr(value, ' ') ? " %s='%s'" : " %s=%s", key, esc(value));
}

static void kv_hex(const char *key, uint64_t value)
{
	printf(" %s=%#" PRIx64, key, value);
}

static void kv_valid(const struct pm_cxl_event *ev, unsigned int bit,
		     const char *key, uint32_t value)
{
	if (ev->valid & bit)
		printf(" %s=%" PRIu32, key, value);
}

static void location(const struct pm_cxl_event *ev)
{
	kv_hex("dpa", ev->dpa);
	kv("region", ev->region);
	if (ev->hpa != UINT64_MAX)
		kv_hex("hpa", ev->hpa);
}

void monitor_cxl_print(const struct event_row *row)
{
	const struct pm_cxl_event *ev = &row->ev->cxl;

	printf("%s %s: %s", row->timestamp, esc(ev->memdev),
	       pm_cxl_event_names[ev->kind]);
	if (ev->log[0])
		printf(" (%s log)", esc(ev->log));
	printf(":");
	switch (ev->kind) {
	case PM_CXL_GENERAL_MEDIA:
	case PM_CXL_DRAM:
		location(ev);
		kv("descriptor", ev->descriptor);
		kv("type", ev->type);
		kv("transaction_type", ev->transaction_type);
		kv("dpa_flags", ev->dpa_flags);
		kv_valid(ev, PM_CXL_VALID_CHANNEL, "channel", ev->channel);
		kv_valid(ev, PM_CXL_VALID_RANK, "rank", ev->rank);
		kv_valid(ev, PM_CXL_VALID_DEVICE, "device", ev->device);
		kv_valid(ev, PM_CXL_VALID_NIBBLE, "nibble_mask", ev->nibble_mask);
		kv_valid(ev, PM_CXL_VALID_BANK_GROUP, "bank_group", ev->bank_group);
		kv_valid(ev, PM_CXL_VALID_BANK, "bank", ev->bank);
		kv_valid(ev, PM_CXL_VALID_ROW, "row", ev->row);
		kv_valid(ev, PM_CXL_VALID_COLUMN, "column", ev->column);
		break;
	case PM_CXL_MEMORY_MODULE:
		kv("event_type", ev->event_type);
		kv("health_status", ev->health_status);
		kv("media_status", ev->media_status);
		printf(" life_used_percent=%" PRIu32 " temperature=%" PRId32
		       " dirty_shutdowns=%" PRIu32 " corrected_volatile_errors=%" PRIu32
		       " corrected_persistent_errors=%" PRIu32, ev->life_used,
		       ev->temperature, ev->dirty_shutdowns, ev->corrected_volatile,
		       ev->corrected_persistent);
		break;
	case PM_CXL_POISON:
	default:
		kv("trace_type", ev->trace_type);
		location(ev);
		printf(" dpa_length=%" PRIu64, ev->length);
		kv("poison_source", ev->source);
		kv("poison_flags", ev->poison_flags);
		break;
	}
	kv("record_flags", ev->flags);
	printf("\n");
}
