// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests: whether a CXL memdev may be sanitized or securely erased, and why not. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "tap.h"
#include "lib/cxl.h"

int main(void)
{
	/* QEMU 10 on kernel 6.12: Sanitize, no Secure Erase, no region. */
	const struct pm_memdev_sanitize_facts idle = {
		.dev = "mem0", .security = "disabled", .can_sanitize = true,
		.enabled = true, .regions = "",
	};
	struct pm_memdev_sanitize_facts f;
	bool running;
	char why[256];

	ok(pm_memdev_sanitize_check(&idle, &running, why, sizeof(why)) == 0 && !running,
	   "no region, security disabled: go");

	f = idle;
	f.regions = "region0";
	ok(pm_memdev_sanitize_check(&f, &running, why, sizeof(why)) == -EBUSY,
	   "a region maps it: -EBUSY");
	ok(strstr(why, "region0") && strstr(why, "pmemctl destroy-region cxl:region0)"),
	   "... naming the region and the fix: %s", why);
	f.regions = "region0 region3";
	pm_memdev_sanitize_check(&f, &running, why, sizeof(why));
	ok(strstr(why, "region0 region3") && strstr(why, "destroy them first (pmemctl destroy-region cxl:region0)"),
	   "two regions: both named, the fix for the first: %s", why);

	f = idle;
	f.security = NULL;
	ok(pm_memdev_sanitize_check(&f, &running, why, sizeof(why)) == -EOPNOTSUPP,
	   "no security state (kernel 6.1): -EOPNOTSUPP");
	f = idle;
	f.erase = true;
	ok(pm_memdev_sanitize_check(&f, &running, why, sizeof(why)) == -EOPNOTSUPP &&
	   strstr(why, "Secure Erase"), "Secure Erase where the memdev lacks it: -EOPNOTSUPP");
	f.can_erase = true;
	ok(pm_memdev_sanitize_check(&f, &running, why, sizeof(why)) == 0,
	   "Secure Erase where it has it: go");
	f = idle;
	f.can_sanitize = false;
	ok(pm_memdev_sanitize_check(&f, &running, why, sizeof(why)) == -EOPNOTSUPP,
	   "no security/sanitize: -EOPNOTSUPP");

	f = idle;
	f.enabled = false;
	ok(pm_memdev_sanitize_check(&f, &running, why, sizeof(why)) == -EBUSY &&
	   strstr(why, "pmemctl enable mem0"), "disabled: -EBUSY, enable it");
	f = idle;
	f.security = "unlocked";
	ok(pm_memdev_sanitize_check(&f, &running, why, sizeof(why)) == -EIO,
	   "a passphrase (unlocked): -EIO, as the kernel refuses");
	f.security = "frozen";
	ok(pm_memdev_sanitize_check(&f, &running, why, sizeof(why)) == -EIO, "frozen: -EIO");

	/* A sanitize running: a sanitize waits for it, whatever maps it now. */
	f = idle;
	f.security = "sanitize";
	f.regions = "region0";
	ok(pm_memdev_sanitize_check(&f, &running, why, sizeof(why)) == 0 && running,
	   "a sanitize runs: only wait for it");
	f.erase = true;
	f.can_erase = true;
	ok(pm_memdev_sanitize_check(&f, &running, why, sizeof(why)) == -EBUSY,
	   "a Secure Erase while a sanitize runs: -EBUSY");
	return done_testing();
}
