/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the security verbs share: a DIMM target, the key directory, the run. */
#ifndef PMEMCTL_CLI_SECURITY_H
#define PMEMCTL_CLI_SECURITY_H

#include "change.h"
#include "../lib/security.h"

struct security_args {
	struct pm_security_request req;
	bool overwrite;			/* sanitize-dimm -o */
	bool crypto_erase;		/* sanitize-dimm -c */
	unsigned int timeout;		/* sanitize-dimm --timeout; 0: for ever */
	bool memdev_ok;			/* sanitize-dimm: a CXL memdev may be named */
	struct pm_memdev *memdev;	/* the memdev named, else NULL */
};

/* The key directory row every security verb has (ndctl's -p). */
#define SECURITY_KEY_PATH_ROW(args)					\
	OPT_STRING('p', "key-path", &(args)->req.key_dir, "DIR",		\
		   "the key files' directory\n(default " PM_KEYS_DIR ")")

/*
 * One DIMM, found in the snapshot (the runner's resolve callback); for
 * sanitize-dimm a CXL memdev too, under its own lock.
 */
int security_resolve(struct change *ch);
/* The plan (a dry run of the change) and the change. */
int security_plan(struct change *ch);
int security_run(struct change *ch);

#define SECURITY_VERB_COMMON						\
	.targets = CHANGE_OWN,						\
	.noun = "DIMM",							\
	.resolve = security_resolve,					\
	.plan = security_plan,						\
	.run = security_run

#define SECURITY_EXIT_CODES						\
	"Exit: 0 done, 1 the DIMM refused (frozen, locked, a wrong key), 2 bad\n" \
	"option, 3 no such DIMM or a key missing (the master key, the DIMM's\n" \
	"key file), 4 not root, 5 no security on this DIMM or no encrypted\n" \
	"keys in the kernel, 6 its regions are active"

#endif
