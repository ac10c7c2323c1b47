// SPDX-License-Identifier: GPL-2.0-or-later
/* The security verbs' shared callbacks for the change runner. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "security.h"
#include "../lib/cxl.h"
#include "../lib/pmem.h"

int security_resolve(struct change *ch)
{
	struct security_args *a = ch->args;
	struct pm_dimm *dimm;

	if (ch->nr_names != 1)
		return cli_usage_error(ch->ctx, "one DIMM at a time");
	/* Before the plan: it reads root's keyring. */
	if (!ch->dry_run && geteuid() != 0) {
		cli_error(ch->names[0], "%s needs root (--dry-run shows the plan without it)",
			  ch->verb->doing);
		return EXIT_PERMISSION;
	}
	dimm = pm_find_dimm(ch->pf, ch->names[0]);
	a->memdev = dimm ? NULL : pm_find_memdev(ch->pf, ch->names[0]);
	if (a->memdev && !a->memdev_ok) {
		cli_error(ch->names[0], "a CXL memdev: the kernel has no passphrase commands for memdevs (only sanitize-dimm takes one)");
		return EXIT_UNSUPPORTED;
	}
	/*
	 * The memdev's own lock only: the lock of CXL region changes, held
	 * for the hours a sanitize may wait, would stop every region change
	 * of the machine. A region made of it meanwhile is the kernel's to
	 * refuse: it starts a sanitize only with no decoder committed.
	 */
	if (a->memdev) {
		snprintf(ch->object, sizeof(ch->object), "%s", a->memdev->dev);
		return EXIT_OK;
	}
	if (!dimm) {
		/* The kernel names memdevs memN. */
		cli_error(ch->names[0], a->memdev_ok && strncmp(ch->names[0], "mem", 3) == 0 ?
			  "no such CXL memdev (pmemctl list -C names them)" :
			  "no such DIMM (pmemctl list -D names them)");
		return EXIT_NOT_FOUND;
	}
	snprintf(ch->object, sizeof(ch->object), "%s", dimm->dev);
	return EXIT_OK;
}

/* The same for a memdev's sanitize. */
static void memdev_progress(const struct pm_memdev *memdev, int elapsed, void *arg)
{
	bool *shown = arg;

	if (!isatty(STDERR_FILENO))
		return;
	fprintf(stderr, "\r%s: sanitizing, %d s", memdev->dev, elapsed);
	*shown = true;
}

/*
 * A memdev: -o (or nothing) runs Sanitize, -c Secure Erase, which is
 * CXL's crypto-erase (the media encryption keys changed).
 */
static int change_memdev(struct change *ch, struct security_args *a, bool dry_run)
{
	struct pm_memdev_sanitize_request req = {
		.erase = a->crypto_erase,
		.dry_run = dry_run,
		.timeout = a->timeout ? (int)a->timeout : -1,
		.progress = memdev_progress,
	};
	bool shown = false;
	int rc;

	req.progress_arg = &shown;
	rc = pm_memdev_sanitize(ch->pf, a->memdev, &req, ch->res);
	if (shown)
		fprintf(stderr, "\r\033[K");
	return rc;
}

/* A line rewritten in place on a terminal: how long the overwrite runs. */
static void progress(const struct pm_dimm *dimm, int elapsed, void *arg)
{
	bool *shown = arg;

	if (!isatty(STDERR_FILENO))
		return;
	fprintf(stderr, "\r%s: overwriting, %d s", dimm->dev, elapsed);
	*shown = true;
}

static int change(struct change *ch, bool dry_run)
{
	struct security_args *a = ch->args;
	struct pm_dimm *dimm = pm_find_dimm(ch->pf, ch->object);
	bool shown = false;
	int rc;

	if (a->memdev)
		return change_memdev(ch, a, dry_run);
	a->req.dry_run = dry_run;
	a->req.pf = ch->pf;
	a->req.timeout = a->timeout ? (int)a->timeout : -1;
	a->req.progress = progress;
	a->req.progress_arg = &shown;
	rc = pm_security_change(dimm, &a->req, ch->res);
	if (shown)
		fprintf(stderr, "\r\033[K");
	/* Nothing will be lost: no question (remove, the other verbs). */
	ch->nothing_to_lose = a->req.op != PM_SEC_ERASE && a->req.op != PM_SEC_OVERWRITE &&
			      a->req.op != PM_SEC_REMOVE;
	return rc;
}

int security_plan(struct change *ch)
{
	return change(ch, true);
}

int security_run(struct change *ch)
{
	return change(ch, false);
}
