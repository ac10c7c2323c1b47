// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests: ndctl's key file names (ndctl/keys.c, load-keys.c) both
 * ways, and the security state names ndctl list -D prints.
 */
#include <errno.h>
#include <string.h>

#include "tap.h"
#include "lib/security.h"

static void name_is(const char *id, const char *host, bool old, const char *want)
{
	char buf[128];

	ok(pm_key_file_name(id, host, old, buf, sizeof(buf)) == 0 && strcmp(buf, want) == 0,
	   "key file of %s on %s%s: %s", id, host, old ? " (old)" : "", want);
}

static void id_is(const char *name, int rc, const char *want)
{
	char id[64] = "";

	ok(pm_key_file_id(name, id, sizeof(id)) == rc && (rc || strcmp(id, want) == 0),
	   "%s: %s", name, rc ? "not a DIMM key file" : want);
}

int main(void)
{
	char small[16];

	name_is("cdab-0a-07e0-ffffffff", "pmemvm", false,
		"nvdimm_cdab-0a-07e0-ffffffff_pmemvm.blob");
	name_is("cdab-0a-07e0-ffffffff", "pmemvm", true,
		"nvdimm-old_cdab-0a-07e0-ffffffff_pmemvm.blob");
	ok(pm_key_file_name("cdab-0a-07e0-ffffffff", "host", false, small, sizeof(small)) ==
	   -ENAMETOOLONG, "a name too long for the buffer: -ENAMETOOLONG");

	id_is("nvdimm_cdab-0a-07e0-ffffffff_pmemvm.blob", 0, "cdab-0a-07e0-ffffffff");
	id_is("nvdimm_8089-a2-1740-00000010_other_host.blob", 0, "8089-a2-1740-00000010");
	id_is("nvdimm-master.blob", -EINVAL, NULL);
	id_is("nvdimm-old_cdab-0a-07e0-ffffffff_pmemvm.blob", -EINVAL, NULL);
	id_is("nvdimm_cdab.blob", -EINVAL, NULL);
	id_is("nvdimm__pmemvm.blob", -EINVAL, NULL);
	id_is("tpm.handle", -EINVAL, NULL);

	ok(strcmp(pm_security_name(PM_SECURITY_DISABLED), "disabled") == 0 &&
	   strcmp(pm_security_name(PM_SECURITY_UNLOCKED), "unlocked") == 0 &&
	   strcmp(pm_security_name(PM_SECURITY_LOCKED), "locked") == 0 &&
	   strcmp(pm_security_name(PM_SECURITY_FROZEN), "frozen") == 0 &&
	   strcmp(pm_security_name(PM_SECURITY_OVERWRITE), "overwrite") == 0,
	   "the states as ndctl list -D prints them");
	ok(!pm_security_name(PM_SECURITY_NONE) && !pm_security_name(PM_SECURITY_UNREADABLE),
	   "no security, or an unreadable state: no name (JSON null; ndctl omits the key)");
	return done_testing();
}
