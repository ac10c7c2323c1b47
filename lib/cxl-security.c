// SPDX-License-Identifier: GPL-2.0-or-later
/* A CXL memdev's security state, and its sanitize and secure erase. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pmem.h"
#include "change.h"
#include "cxl.h"
#include "sysfs.h"

#define MEMDEV_SYSFS "/sys/bus/cxl/devices/%s/security/%s"

/*
 * Kernel 6.12 security_state_show() (drivers/cxl/core/memdev.c): "sanitize"
 * while a sanitize runs, else from Get Security State: "disabled" without
 * a user passphrase, "frozen" (also for a passphrase retry limit),
 * "locked", "unlocked". The names of DIMMs where the meaning is the same;
 * "sanitize" is CXL's own.
 */
const char *const pm_memdev_security_names[] = {
	"disabled", "unlocked", "locked", "frozen", "sanitize", NULL,
};

static const char *state_name(const char *s)
{
	for (int i = 0; pm_memdev_security_names[i]; i++)
		if (strcmp(s, pm_memdev_security_names[i]) == 0)
			return pm_memdev_security_names[i];
	return NULL;
}

void pm_memdev_security_read(struct pm_memdev *memdev)
{
	char buf[32];
	mode_t mode;

	memdev->security = NULL;
	if (sysfs_read_string(buf, sizeof(buf), MEMDEV_SYSFS, memdev->dev, "state") >= 0)
		memdev->security = state_name(buf);
	/* Visible only when the device enabled the command (cxl_security_visible()). */
	memdev->can_sanitize = sysfs_attr_mode(&mode, MEMDEV_SYSFS, memdev->dev,
					       "sanitize") == 0;
	memdev->can_erase = sysfs_attr_mode(&mode, MEMDEV_SYSFS, memdev->dev, "erase") == 0;
}

int pm_memdev_regions(const struct pm_platform *pf, const struct pm_memdev *memdev,
		      char *buf, size_t len)
{
	int n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < pf->nr_cxl_regions; i++) {
		const struct pm_cxl_region *r = pf->cxl_regions[i];
		size_t at = strlen(buf);

		for (size_t t = 0; t < r->nr_targets; t++) {
			if (r->targets[t].memdev != memdev)
				continue;
			snprintf(buf + at, len - at, "%s%s", n++ ? " " : "", r->dev);
			break;
		}
	}
	return n;
}

static int since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (int)(now.tv_sec - t0->tv_sec);
}

/*
 * The kernel polls the device for the end of a sanitize (or takes its
 * interrupt) and notifies security/state; a poll with a 1 s tick drives
 * the progress line and the timeout.
 */
static int wait_sanitize(struct pm_memdev *memdev, const struct pm_memdev_sanitize_request *req,
			 struct pm_change_result *res)
{
	struct pm_step *w = pm_step_add(res, PM_ACT_VERIFY, "wait",
					"the sanitize of %s ends", memdev->dev);
	struct timespec t0;
	char path[128], buf[32];
	int fd, elapsed;

	if (req->dry_run)
		return 0;
	snprintf(path, sizeof(path), "/sys/bus/cxl/devices/%s/security/state", memdev->dev);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return pm_step_close(w, -errno);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLPRI | POLLERR };
		ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

		if (n < 0)
			break;
		buf[n] = '\0';
		if (strncmp(buf, "sanitize", 8) != 0)
			break;
		elapsed = since(&t0);
		if (req->timeout >= 0 && elapsed >= req->timeout) {
			close(fd);
			snprintf(w->detail, sizeof(w->detail),
				 "the sanitize still runs after %d s; it goes on (the same command waits again)",
				 elapsed);
			snprintf(res->message, sizeof(res->message), "%s", w->detail);
			return pm_step_close(w, -ETIMEDOUT);
		}
		if (req->progress)
			req->progress(memdev, elapsed, req->progress_arg);
		poll(&p, 1, 1000);
	}
	close(fd);
	snprintf(w->detail, sizeof(w->detail), "the sanitize of %s ended after %d s",
		 memdev->dev, since(&t0));
	snprintf(res->message, sizeof(res->message),
		 "sanitized: all its data is gone (%d s)", since(&t0));
	return pm_step_close(w, 0);
}

/* The memdev reads disabled again: no sanitize runs, no passphrase came. */
static int verify(struct pm_memdev *memdev, struct pm_change_result *res)
{
	struct pm_step *v = pm_step_add(res, PM_ACT_VERIFY, "verify",
					"%s reads disabled", memdev->dev);

	pm_memdev_security_read(memdev);
	if (!memdev->security || strcmp(memdev->security, "disabled") != 0) {
		snprintf(v->detail, sizeof(v->detail), "%s reads %s, not disabled",
			 memdev->dev, memdev->security ?: "nothing");
		return pm_step_finish(v, -EIO);
	}
	return pm_step_finish(v, 0);
}

int pm_memdev_sanitize_check(const struct pm_memdev_sanitize_facts *f, bool *running,
			     char *why, size_t len)
{
	size_t first = f->regions ? strcspn(f->regions, " ") : 0;

	*running = f->security && strcmp(f->security, "sanitize") == 0;
	if (!f->security) {
		snprintf(why, len, "no security state: the kernel has no CXL sanitize (before 6.5) or the memdev no Get Security State");
		return -EOPNOTSUPP;
	}
	if (f->erase && !f->can_erase) {
		snprintf(why, len, "the memdev does not implement Secure Erase (no security/erase): sanitize it instead (--overwrite)");
		return -EOPNOTSUPP;
	}
	if (!f->erase && !f->can_sanitize) {
		snprintf(why, len, "the memdev does not implement Sanitize (no security/sanitize)");
		return -EOPNOTSUPP;
	}
	/* One running: a sanitize only waits for it, nothing else starts. */
	if (*running && f->erase) {
		snprintf(why, len, "a sanitize runs: wait for it (pmemctl sanitize-dimm --overwrite %s)",
			 f->dev);
		return -EBUSY;
	}
	if (*running)
		return 0;
	if (first) {
		snprintf(why, len, "it backs CXL region %s, whose decoders the kernel keeps committed: destroy %s first (pmemctl destroy-region cxl:%.*s)",
			 f->regions, f->regions[first] ? "them" : "it", (int)first, f->regions);
		return -EBUSY;
	}
	if (!f->enabled) {
		snprintf(why, len, "disabled: the kernel sanitizes only an enabled memdev (pmemctl enable %s)",
			 f->dev);
		return -EBUSY;
	}
	if (strcmp(f->security, "disabled") != 0) {
		snprintf(why, len, "security %s: a passphrase is set, and the kernel %s only a memdev without one",
			 f->security, f->erase ? "erases" : "sanitizes");
		return -EIO;
	}
	return 0;
}

int pm_memdev_sanitize(const struct pm_platform *pf, struct pm_memdev *memdev,
		       const struct pm_memdev_sanitize_request *req,
		       struct pm_change_result *res)
{
	const char *what = req->erase ? "erase" : "sanitize";
	struct pm_memdev_sanitize_facts facts;
	struct pm_step *check, *st;
	char regions[128], lost[128], why[256];
	bool running;
	int rc;

	free(res->ranges);
	memset(res, 0, sizeof(*res));
	res->no_config = true;
	check = pm_step_add(res, PM_ACT_CHECK, "check", "%s can %s", memdev->dev,
			    req->erase ? "secure-erase" : "sanitize");
	pm_memdev_security_read(memdev);
	pm_memdev_regions(pf, memdev, regions, sizeof(regions));
	facts = (struct pm_memdev_sanitize_facts){
		.dev = memdev->dev, .security = memdev->security,
		.can_sanitize = memdev->can_sanitize, .can_erase = memdev->can_erase,
		.enabled = memdev->enabled, .regions = regions, .erase = req->erase,
	};
	rc = pm_memdev_sanitize_check(&facts, &running, why, sizeof(why));
	if (rc)
		return pm_step_refuse(res, check, rc, "%s", why);
	pm_step_close(check, 0);
	if (running) {
		snprintf(res->message, sizeof(res->message), "a sanitize runs already: waiting for it");
		rc = wait_sanitize(memdev, req, res);
		return res->err = rc ? rc : req->dry_run ? 0 : verify(memdev, res);
	}
	if (memdev->ram_size)
		snprintf(lost, sizeof(lost), "every byte of %s (%llu MiB persistent, %llu MiB volatile)",
			 memdev->dev, (unsigned long long)(memdev->pmem_size >> 20),
			 (unsigned long long)(memdev->ram_size >> 20));
	else
		snprintf(lost, sizeof(lost), "every byte of %s (%llu MiB persistent)",
			 memdev->dev, (unsigned long long)(memdev->pmem_size >> 20));
	snprintf(res->message, sizeof(res->message), "%s destroys all its data: %s",
		 req->erase ? "a secure erase" : "a sanitize", lost);
	st = pm_step_add(res, PM_ACT_WRITE_ZEROS, what,
			 req->erase ? "%s erases its media key (security/erase)" :
				      "%s sanitizes its media (security/sanitize)", memdev->dev);
	if (req->dry_run) {
		if (!req->erase)
			wait_sanitize(memdev, req, res);
		pm_step_add(res, PM_ACT_VERIFY, "verify", "%s reads disabled", memdev->dev);
		return 0;
	}
	rc = sysfs_write_string("1\n", MEMDEV_SYSFS, memdev->dev, what);
	if (pm_step_finish(st, rc)) {
		snprintf(res->message, sizeof(res->message), "%s failed: %s%s", what,
			 strerror(-rc),
			 rc == -EBUSY ? " (a decoder of the memdev is committed, or a sanitize runs)" :
			 rc == -EINVAL ? " (the memdev refused: a passphrase, or locked)" : "");
		return res->err = rc == -EINVAL ? -EIO : rc;
	}
	res->changed = true;
	snprintf(res->message, sizeof(res->message), "%s: all its data is gone",
		 req->erase ? "securely erased" : "sanitized");
	rc = req->erase ? 0 : wait_sanitize(memdev, req, res);
	return res->err = rc ? rc : verify(memdev, res);
}
