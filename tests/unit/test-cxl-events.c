// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests: CXL event records, as kernel 6.12 traces them, into struct pm_cxl_event. */
#include <stdint.h>
#include <string.h>

#include "tap.h"
#include "lib/cxl-events.h"
#include "lib/tracefs.h"

/* The lines of an instance with context-info off: the event's name first. */
#define HDR(name, memdev, log, flags)					\
	name ": memdev=" memdev " host=0000:0d:00.0 serial=4096 log=" log \
	" : time=1765152000000000000 uuid=fbcd0a77-c260-417f-85a9-088b1621eba6 " \
	"len=128 flags='" flags "' handle=1 related_handle=0 maint_op_class=0 : "

int main(void)
{
	struct pm_cxl_event ev;
	char word[32];
	uint64_t n;
	const char *gm = HDR("cxl_general_media", "mem0", "Failure",
			     "PERMANENT_CONDITION | MAINTENANCE_NEEDED")
		"dpa=40000 dpa_flags='' descriptor='UNCORRECTABLE_EVENT|THRESHOLD_EVENT' "
		"type='ECC Error' transaction_type='Host Read' channel=1 rank=2 device=3 "
		"comp_id=00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 "
		"validity_flags='CHANNEL|RANK|DEVICE' hpa=1d0080000 region=region0 "
		"region_uuid=5b1c1a9e-0b3e-4a41-9b61-2b1f0a6b3c5d\n";
	const char *dram = HDR("cxl_dram", "mem1", "Informational", "")
		"dpa=80000 dpa_flags='VOLATILE' descriptor='' type='Scrub Media ECC Error' "
		"transaction_type='Internal Media Scrub' channel=0 rank=0 nibble_mask=f0 "
		"bank_group=3 bank=5 row=1234 column=77 cor_mask=00 00 "
		"validity_flags='NIBBLE|BANK GROUP|BANK|ROW|COLUMN' hpa=ffffffffffffffff "
		"region= region_uuid=00000000-0000-0000-0000-000000000000\n";
	const char *mm = HDR("cxl_memory_module", "mem1", "Warning", "")
		"event_type='Temperature Change' health_status='MAINTENANCE_NEEDED|REPLACEMENT_NEEDED' "
		"media_status='Write Persistency Lost' as_life_used=Normal as_dev_temp=Warning "
		"as_cor_vol_err_cnt=Normal as_cor_per_err_cnt=Normal life_used=33 device_temp=-5 "
		"dirty_shutdown_cnt=2 cor_vol_err_cnt=10 cor_per_err_cnt=11\n";
	const char *poison = "cxl_poison: memdev=mem0 host=0000:0d:00.0 serial=4096 "
		"trace_type=List region=region0 region_uuid=5b1c1a9e-0b3e-4a41-9b61-2b1f0a6b3c5d "
		"hpa=0x1d0080000 dpa=0x40000 dpa_length=0x40 source=Injected flags=More|Overflow "
		"overflow_time=0\n";

	ok(pm_cxl_event_parse(gm, &ev), "a general media record parses");
	ok(ev.kind == PM_CXL_GENERAL_MEDIA && !strcmp(ev.memdev, "mem0") && ev.serial == 4096,
	   "its kind, memdev and serial");
	ok(!strcmp(ev.log, "Failure"), "its log: %s", ev.log);
	ok(!strcmp(ev.flags, "PERMANENT_CONDITION|MAINTENANCE_NEEDED"),
	   "its record flags, without the blanks around the bar: %s", ev.flags);
	ok(ev.dpa == 0x40000, "its DPA, hex without 0x: %#llx", (unsigned long long)ev.dpa);
	ok(ev.hpa == 0x1d0080000ULL && !strcmp(ev.region, "region0"), "its HPA and region");
	ok(!strcmp(ev.descriptor, "UNCORRECTABLE_EVENT|THRESHOLD_EVENT"), "its descriptor");
	ok(!strcmp(ev.type, "ECC Error") && !strcmp(ev.transaction_type, "Host Read"),
	   "its quoted type and transaction type");
	ok(ev.valid == (PM_CXL_VALID_CHANNEL | PM_CXL_VALID_RANK | PM_CXL_VALID_DEVICE) &&
	   ev.channel == 1 && ev.rank == 2 && ev.device == 3, "channel, rank, device, valid");
	ok(!ev.dpa_flags[0], "no DPA flags");

	ok(pm_cxl_event_parse(dram, &ev), "a DRAM record parses");
	ok(ev.kind == PM_CXL_DRAM && !strcmp(ev.memdev, "mem1") && ev.dpa == 0x80000,
	   "its kind, memdev and DPA");
	ok(ev.hpa == UINT64_MAX && !ev.region[0], "not mapped: no region, no HPA");
	ok(!strcmp(ev.type, "Scrub Media ECC Error") && !strcmp(ev.dpa_flags, "VOLATILE"),
	   "its type and DPA flags");
	ok(ev.valid == (PM_CXL_VALID_NIBBLE | PM_CXL_VALID_BANK_GROUP | PM_CXL_VALID_BANK |
			PM_CXL_VALID_ROW | PM_CXL_VALID_COLUMN),
	   "validity with a two-word flag (BANK GROUP): %#x", ev.valid);
	ok(ev.nibble_mask == 0xf0 && ev.bank_group == 3 && ev.bank == 5 && ev.row == 1234 &&
	   ev.column == 77, "nibble mask (hex), bank group, bank, row, column");

	ok(pm_cxl_event_parse(mm, &ev), "a memory module record parses");
	ok(ev.kind == PM_CXL_MEMORY_MODULE && !strcmp(ev.log, "Warning"), "its kind and log");
	ok(!strcmp(ev.event_type, "Temperature Change"), "its event type");
	ok(!strcmp(ev.health_status, "MAINTENANCE_NEEDED|REPLACEMENT_NEEDED"), "its health status");
	ok(!strcmp(ev.media_status, "Write Persistency Lost"), "its media status");
	ok(ev.life_used == 33 && ev.temperature == -5, "life used 33, not as_life_used; -5 C");
	ok(ev.dirty_shutdowns == 2 && ev.corrected_volatile == 10 && ev.corrected_persistent == 11,
	   "its counters");

	ok(pm_cxl_event_parse(poison, &ev), "a poison record parses");
	ok(ev.kind == PM_CXL_POISON && !strcmp(ev.trace_type, "List"), "its kind and trace type");
	ok(ev.dpa == 0x40000 && ev.length == 0x40 && ev.hpa == 0x1d0080000ULL,
	   "its DPA, length and HPA (0x-prefixed)");
	ok(!strcmp(ev.source, "Injected") && !strcmp(ev.poison_flags, "More|Overflow"),
	   "its source and flags");
	ok(!ev.log[0] && !ev.flags[0], "no log, no record flags");

	ok(!pm_cxl_event_parse("tracing_mark_write: cxl_poison: memdev=mem0 trace_type=List "
			       "dpa=0x0 dpa_length=0x40\n", &ev),
	   "a trace_marker line is not a record");
	ok(!pm_cxl_event_parse("  bash-1 [000] ..... 1.0: cxl_dram: memdev=mem0 dpa=0\n", &ev),
	   "a line with context (a task name anyone chooses) is not taken");
	ok(!pm_cxl_event_parse("cxl_dramx: memdev=mem0 dpa=0\n", &ev), "another event");
	ok(!pm_cxl_event_parse("cxl_dram: memdev= dpa=0\n", &ev), "no memdev");
	ok(!pm_cxl_event_parse("cxl_dram: memdev=mem0 dpa=zz\n", &ev), "a malformed DPA");
	ok(!pm_cxl_event_parse("cxl_poison: memdev=mem0 trace_type=List dpa=0x0\n", &ev),
	   "a poison record without its length");
	ok(pm_cxl_event_parse("cxl_poison: memdev=m\x1b[2Jx trace_type=List dpa=0x0 "
			      "dpa_length=0x40\n", &ev) && !strcmp(ev.memdev, "m\x1b[2Jx"),
	   "bytes of a name are kept as they are (printers escape them)");

	ok(pm_trace_field("a=1 b='x y' c=", "b", word, sizeof(word)) && !strcmp(word, "x y"),
	   "a quoted field");
	ok(!pm_trace_field("b='x y", "b", word, sizeof(word)), "a quote never closed");
	ok(pm_trace_field("a=1 c=", "c", word, sizeof(word)) && !word[0], "an empty field");
	ok(!pm_trace_field("ab=1", "b", word, sizeof(word)), "a key inside another key");
	ok(!pm_trace_number("n=-1", "n", 10, &n), "no negative number");
	ok(pm_trace_number("n=ff", "n", 16, &n) && n == 255, "hex without 0x");
	return done_testing();
}
