// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests: Get FW Info's payload, as QEMU 10's cxl-type3 answers it, into slots. */
#include <errno.h>
#include <string.h>

#include "tap.h"
#include "lib/cxl.h"

/* slots, slot info (active | staged << 3), caps, then 16-byte revisions. */
static void payload(unsigned char *p, int slots, int active, int staged, int caps,
		    const char *rev1, const char *rev2)
{
	memset(p, 0, 0x50);
	p[0] = slots;
	p[1] = active | staged << 3;
	p[2] = caps;
	if (rev1)
		memcpy(p + 0x10, rev1, strlen(rev1));
	if (rev2)
		/* A revision of all 16 bytes has no NUL; a shorter one is padded. */
		memcpy(p + 0x20, rev2, strnlen(rev2, 16));
}

int main(void)
{
	unsigned char p[0x50];
	struct pm_memdev_fw fw;

	/* QEMU 10 after boot: two slots, slot 1 active, online activation. */
	payload(p, 2, 1, 0, 1, "BWFW VERSION 0", NULL);
	memset(&fw, 0, sizeof(fw));
	ok(pm_cxl_fw_info_parse(p, sizeof(p), &fw) == 0, "a 0x50-byte payload parses");
	ok(fw.num_slots == 2 && fw.active_slot == 1 && fw.staged_slot == 0,
	   "two slots, slot 1 active, none staged");
	ok(fw.online_activate, "online activation capable (caps bit 0)");
	ok(!fw.next_version, "no next version");
	ok(!strcmp(fw.slot_versions[0], "BWFW VERSION 0") && !strcmp(fw.slot_versions[1], "") &&
	   !fw.slot_versions[2], "slot versions: slot 1's, an empty slot 2, then the end");

	/* After the kernel's upload: slot 2 transferred, activated offline. */
	payload(p, 2, 1, 2, 1, "BWFW VERSION 0", "BWFW VERSION 1\0\0");
	ok(pm_cxl_fw_info_parse(p, sizeof(p), &fw) == 0 && fw.staged_slot == 2,
	   "slot 2 staged");
	ok(fw.next_version && !strcmp(fw.next_version, "BWFW VERSION 1"),
	   "next version: slot 2's revision");

	payload(p, 2, 1, 0, 0, "BWFW VERSION 0", "0123456789abcdef");
	pm_cxl_fw_info_parse(p, sizeof(p), &fw);
	ok(!strcmp(fw.slot_versions[1], "0123456789abcdef") && !fw.online_activate,
	   "a 16-character revision without NUL is read whole");

	payload(p, 2, 2, 2, 0, NULL, "v2");
	pm_cxl_fw_info_parse(p, sizeof(p), &fw);
	ok(fw.staged_slot == 0 && !fw.next_version, "the active slot staged again is none");
	payload(p, 2, 1, 5, 0, NULL, NULL);
	pm_cxl_fw_info_parse(p, sizeof(p), &fw);
	ok(fw.staged_slot == 0, "a staged slot past the last is none");
	payload(p, 9, 1, 0, 0, NULL, NULL);
	pm_cxl_fw_info_parse(p, sizeof(p), &fw);
	ok(fw.num_slots == 4, "more slots than the payload holds: four");
	ok(pm_cxl_fw_info_parse(p, 0x4f, &fw) == -EINVAL, "a short payload: -EINVAL");

	/* A report's record and its replay. */
	{
		struct pm_memdev_fw back;
		char text[256];
		int len;

		payload(p, 2, 1, 2, 1, "BWFW VERSION 0", "BWFW VERSION 1\0\0");
		memset(&fw, 0, sizeof(fw));
		memcpy(fw.raw, p, sizeof(p));
		len = pm_memdev_fw_format(&fw, text, sizeof(text));
		ok(len == 8 + 160 + 1 && !strncmp(text, "payload 021101", 14),
		   "the record: the payload in hex (%d bytes)", len);
		memset(&back, 0, sizeof(back));
		ok(pm_memdev_fw_parse(text, &back) == 0 && back.staged_slot == 2 &&
		   back.next_version && !strcmp(back.next_version, "BWFW VERSION 1"),
		   "replayed: slot 2 staged, BWFW VERSION 1");
		ok(pm_memdev_fw_format(&fw, text, 100) == -ENOSPC, "a short buffer: -ENOSPC");
		fw.error = -EACCES;
		pm_memdev_fw_format(&fw, text, sizeof(text));
		ok(!strcmp(text, "error 13\n") && pm_memdev_fw_parse(text, &back) == -EACCES,
		   "an error recorded replays as that error");
		ok(pm_memdev_fw_parse("", &back) == -ENODATA, "no record: -ENODATA");
		ok(pm_memdev_fw_parse("payload 02", &back) == -ENODATA, "a cut payload: -ENODATA");
	}
	return done_testing();
}
