// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests: a DIMM's Get Firmware Info answer as a report records it and reads it back. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "tap.h"
#include "lib/firmware.h"

static bool same(const struct pm_firmware *a, const struct pm_firmware *b)
{
	return a->error == b->error &&
	       !memcmp(&a->current_version, &b->current_version, sizeof(a->current_version)) &&
	       !memcmp(&a->can_update, &b->can_update, sizeof(a->can_update)) &&
	       !memcmp(&a->next_version, &b->next_version, sizeof(a->next_version)) &&
	       !memcmp(&a->need_powercycle, &b->need_powercycle, sizeof(a->need_powercycle)) &&
	       a->activate_state == b->activate_state;
}

static void round_trip(const struct pm_firmware *fw, const char *what)
{
	struct pm_firmware back;
	char text[512];
	int len = pm_firmware_format(fw, text, sizeof(text));

	ok(len > 0 && (size_t)len == strlen(text), "%s: formatted (%d bytes)", what, len);
	pm_firmware_parse(text, &back);
	ok(same(fw, &back), "%s: read back as it was", what);
}

int main(void)
{
	struct pm_firmware staged = { 0 }, running = { 0 }, refused = { 0 }, fw;
	char text[512], small[8];

	/* Versions use all 64 bits; the state points at the table's names. */
	staged.current_version = (struct pm_fw_version){ true, 0x0102030405060708ULL };
	staged.can_update = (struct pm_fw_bool){ true, true };
	staged.next_version = (struct pm_fw_version){ true, UINT64_MAX - 1 };
	staged.activate_state = pm_fw_dimm_state_names[1];
	staged.need_powercycle = (struct pm_fw_bool){ true, false };
	round_trip(&staged, "an image staged and armed");
	ok(pm_firmware_staged(&staged), "... is staged");

	running.current_version = (struct pm_fw_version){ true, 0 };
	running.can_update = (struct pm_fw_bool){ true, false };
	round_trip(&running, "version 0, nothing staged");
	ok(!pm_firmware_staged(&running), "... is not staged");
	pm_firmware_format(&running, text, sizeof(text));
	ok(!strstr(text, "next_version") && !strstr(text, "activate_state"),
	   "what is not reported is left out");

	refused.error = -EACCES;
	pm_firmware_format(&refused, text, sizeof(text));
	ok(strcmp(text, "error -13\n") == 0, "a refused command records only its errno (got '%s')", text);
	pm_firmware_parse(text, &fw);
	ok(fw.error == -EACCES && !fw.current_version.valid && pm_firmware_denied(&fw),
	   "... and reads back as -EACCES, denied, nothing reported");

	ok(pm_firmware_format(&staged, small, sizeof(small)) == -ENOSPC, "a short buffer: -ENOSPC");
	pm_firmware_parse("", &fw);
	ok(fw.error == -ENODATA, "empty text: -ENODATA");

	/* A damaged or newer bundle: bad lines are skipped, good ones kept. */
	pm_firmware_parse("error 0\ncurrent_version -1\ncan_update 2\n"
			  "next_version 12abc\nactivate_state armed;rm\nfuture_key 5\n"
			  "error x\nneed_powercycle 1\nactivate_state busy\n"
			  "current_version 18446744073709551615\n", &fw);
	ok(fw.error == 0 && fw.current_version.valid &&
	   fw.current_version.value == UINT64_MAX && !fw.can_update.valid &&
	   !fw.next_version.valid && fw.need_powercycle.valid && fw.need_powercycle.value &&
	   fw.activate_state && strcmp(fw.activate_state, "busy") == 0,
	   "negative, out-of-range, malformed and unknown values are skipped");
	pm_firmware_parse("error 5\n", &fw);
	ok(fw.error == -ENODATA, "a positive error is no errno: skipped");
	return done_testing();
}
