// SPDX-License-Identifier: GPL-2.0-or-later
/* DIMM security changes: passphrase set-up, update and removal, freeze,
 * sanitize (waiting for an overwrite), and the unlock after load-keys. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ndctl/libndctl.h>

#include "change.h"
#include "compat.h"
#include "pmem.h"
#include "security.h"
#include "security-keys.h"
#include "sysfs.h"

/* What the security attribute is told: the kernel's own words ("update 0 42"). */
static int write_security(const struct pm_dimm *dimm, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int write_security(const struct pm_dimm *dimm, const char *fmt, ...)
{
	char path[128], cmd[64];
	va_list ap;
	int fd, rc = 0;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	snprintf(path, sizeof(path), "/sys/bus/nd/devices/%s/security", dimm->dev);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, cmd, strlen(cmd)) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

struct sec_run {
	struct pm_dimm *dimm;
	const struct pm_security_request *req;
	struct pm_change_result *res;
	char path[PATH_MAX], old_path[PATH_MAX];
	char desc[80], old_desc[80];
	long key, old_key, new_key;
	bool file_written, old_kept, new_added;
};

/* A step failed after the plan's message was written: say so instead. */
static int failed_note(struct pm_change_result *res, int rc, const char *what,
		       const char *note)
{
	snprintf(res->message, sizeof(res->message), "%s failed: %s%s%s%s", what,
		 strerror(-rc), rc == -EIO ? " (the DIMM refused: a wrong key, or its state)" : "",
		 note ? "; " : "", note ? note : "");
	return res->err = rc;
}

static int failed(struct pm_change_result *res, int rc, const char *what)
{
	return failed_note(res, rc, what, NULL);
}

/* The regions on the DIMM that are enabled, named into buf: how many. */
static int active_regions(const struct pm_platform *pf, const struct pm_dimm *dimm,
			  char *buf, size_t len)
{
	int n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < pf->nr_regions; i++) {
		const struct pm_region *r = pf->regions[i];
		size_t at = strlen(buf);

		if (!r->enabled || !pm_region_uses_dimm(r, dimm))
			continue;
		snprintf(buf + at, len - at, "%s%s", n++ ? " " : "", r->dev);
	}
	return n;
}

/*
 * What an erase destroys, named into buf: the DIMM's regions (their
 * namespaces live in its label area, listed or not, as a region must be
 * disabled first) and the namespaces the snapshot shows on them.
 */
static void dimm_data(const struct pm_platform *pf, const struct pm_dimm *dimm,
		      char *buf, size_t len)
{
	int n = 0;

	snprintf(buf, len, "every namespace of ");
	for (size_t i = 0; i < pf->nr_regions; i++) {
		const struct pm_region *r = pf->regions[i];
		size_t at = strlen(buf);

		if (pm_region_uses_dimm(r, dimm))
			snprintf(buf + at, len - at, "%s%s", n++ ? ", " : "", r->dev);
	}
	if (!n)
		snprintf(buf, len, "no region");
	for (size_t i = 0, m = 0; i < pf->nr_namespaces; i++) {
		const struct pm_namespace *ns = pf->namespaces[i];
		size_t at = strlen(buf);

		if (!ns->size || !ns->region || !pm_region_uses_dimm(ns->region, dimm))
			continue;
		snprintf(buf + at, len - at, "%s%s", m++ ? ", " : " (", ns->dev);
	}
	if (strchr(buf, '('))
		strncat(buf, ")", len - strlen(buf) - 1);
}

/* The master key ("user:nvdimm-master"), loaded from its file if need be. */
static int find_master(struct sec_run *s, struct pm_step *check)
{
	const char *master = s->req->master ? s->req->master : "user:" PM_MASTER_DESC;
	const char *dir = s->req->key_dir ? s->req->key_dir : PM_KEYS_DIR;
	char type[16], desc[64];
	struct pm_load_keys_result lk;

	if (sscanf(master, "%15[^:]:%63s", type, desc) != 2 ||
	    (strcmp(type, "user") && strcmp(type, "trusted")))
		return pm_step_refuse(s->res, check, -EINVAL,
				      "bad master key '%s': user:DESCRIPTION or trusted:DESCRIPTION",
				      master);
	if (pm_key_search(type, desc) > 0)
		return 0;
	if (s->req->dry_run && strcmp(desc, PM_MASTER_DESC) == 0 &&
	    faccessat(AT_FDCWD, dir, F_OK, 0) == 0) {
		char path[PATH_MAX];

		snprintf(path, sizeof(path), "%s/%s.blob", dir, PM_MASTER_DESC);
		if (access(path, R_OK) == 0)
			return 0;
	}
	if (!s->req->dry_run && strcmp(desc, PM_MASTER_DESC) == 0 && pm_load_keys(dir, &lk) == 0 &&
	    pm_key_search(type, desc) > 0)
		return 0;
	return pm_step_refuse(s->res, check, -ENOKEY,
			      "no master key %s in the user keyring nor in %s/%s.blob: load it (pmemctl load-keys) or create one (pmemctl-setup-passphrase(1), MASTER KEY)",
			      master, dir, PM_MASTER_DESC);
}

/* The DIMM's current key: in the keyring, or loaded from its file. */
static int find_key(struct sec_run *s, struct pm_step *check)
{
	s->key = pm_key_search("encrypted", s->desc);
	if (s->key > 0)
		return 0;
	s->key = pm_key_load_dimm(s->path, s->desc);
	if (s->key > 0)
		return 0;
	if (s->key == -ENOENT)
		return pm_step_refuse(s->res, check, -ENOKEY,
				      "a passphrase but no key: not in the keyring, no %s",
				      s->path);
	if (s->key == -ENODEV)
		return pm_step_refuse(s->res, check, -EOPNOTSUPP,
				      "the kernel has no encrypted keys (CONFIG_ENCRYPTED_KEYS): no key to use");
	return pm_step_refuse(s->res, check, (int)s->key, "its key %s could not be loaded: %s",
			      s->path, strerror((int)-s->key));
}

static int read_state(struct pm_dimm *dimm)
{
	pm_security_read(dimm);
	return dimm->security;
}

static int verify_state(struct sec_run *s, enum pm_security want)
{
	struct pm_step *v = pm_step_add(s->res, PM_ACT_VERIFY, "verify",
					"%s reads %s", s->dimm->dev, pm_security_name(want));

	if (read_state(s->dimm) != (int)want) {
		snprintf(v->detail, sizeof(v->detail), "%s reads %s, not %s",
			 s->dimm->dev, pm_security_name(s->dimm->security) ?: "nothing",
			 pm_security_name(want));
		return pm_step_finish(v, -EIO);
	}
	return pm_step_finish(v, 0);
}

/* A new encrypted key under the master key, its file written. */
static int new_key(struct sec_run *s)
{
	const char *master = s->req->master ? s->req->master : "user:" PM_MASTER_DESC;
	struct pm_step *st = pm_step_add(s->res, PM_ACT_CONFIGURE_CLAIM, "write-key",
					 "a new key %s sealed by %s, written to %s",
					 s->desc, master, s->path);
	char cmd[128], *blob = NULL;
	long len;
	int rc;

	snprintf(cmd, sizeof(cmd), "new enc32 %s 32", master);
	s->new_key = pm_key_add("encrypted", s->desc, cmd, strlen(cmd));
	if (s->new_key == -ENODEV) {
		snprintf(s->res->message, sizeof(s->res->message),
			 "the kernel has no encrypted keys (CONFIG_ENCRYPTED_KEYS)");
		return pm_step_close(st, -EOPNOTSUPP);
	}
	if (s->new_key < 0)
		return pm_step_close(st, (int)s->new_key);
	s->new_added = true;
	len = pm_key_read(s->new_key, &blob);
	if (len < 0)
		return pm_step_close(st, (int)len);
	rc = pm_key_write_blob(s->path, blob, len);
	free(blob);
	if (!rc)
		s->file_written = true;
	return pm_step_finish(st, rc);
}

static void undo_new_key(struct sec_run *s)
{
	if (s->new_added)
		pm_key_unlink(s->new_key);
	if (s->file_written)
		unlink(s->path);
	s->new_added = s->file_written = false;
}

static int do_set(struct sec_run *s, struct pm_step *check)
{
	bool update = s->dimm->security == PM_SECURITY_UNLOCKED;
	struct pm_step *st, *keep = NULL;
	struct stat sb;
	int rc;

	if (find_master(s, check))
		return s->res->err;
	if (update) {
		if (find_key(s, check))
			return s->res->err;
		if (stat(s->path, &sb) < 0)
			return pm_step_refuse(s->res, check, -ENOKEY,
					      "its key is in the keyring but not in %s: a change would leave no file of the old key",
					      s->path);
	} else if (stat(s->path, &sb) == 0) {
		return pm_step_refuse(s->res, check, -EEXIST,
				      "%s exists although the DIMM has no passphrase: move it away (a key of an earlier passphrase)",
				      s->path);
	}
	pm_step_close(check, 0);
	snprintf(s->res->message, sizeof(s->res->message), "%s%s",
		 s->req->dry_run ? "would " : "",
		 update ? (s->req->dry_run ? "change the passphrase" : "passphrase changed") :
			  (s->req->dry_run ? "set up a passphrase" : "passphrase set up"));
	if (update)
		keep = pm_step_add(s->res, PM_ACT_CHECK, "keep-old-key",
				   "the current key kept as %s until the DIMM takes the new one",
				   s->old_path);
	pm_step_add(s->res, PM_ACT_CONFIGURE_CLAIM, "write-key", "a new key %s, written to %s",
		    s->desc, s->path);
	st = pm_step_add(s->res, PM_ACT_CONFIGURE_NAMESPACE, "set-passphrase",
			 "%s takes the new key as its passphrase", s->dimm->dev);
	pm_step_add(s->res, PM_ACT_VERIFY, "verify", "%s reads unlocked", s->dimm->dev);
	if (update)
		pm_step_add(s->res, PM_ACT_DELETE, "discard-old-key", "%s deleted", s->old_path);
	if (s->req->dry_run)
		return 0;
	/* The steps again, acted on: the plan's rows are replaced. */
	s->res->nr_steps = 1;
	if (update) {
		keep = pm_step_add(s->res, PM_ACT_CHECK, "keep-old-key",
				   "the current key kept as %s", s->old_path);
		if (rename(s->path, s->old_path) < 0)
			return s->res->err = pm_step_close(keep, -errno);
		s->old_key = pm_key_load_dimm(s->old_path, s->old_desc);
		if (s->old_key < 0) {
			rc = (int)s->old_key;
			rename(s->old_path, s->path);
			return s->res->err = pm_step_close(keep, rc);
		}
		pm_key_unlink(s->key);
		pm_step_finish(keep, 0);
	}
	rc = new_key(s);
	if (!rc) {
		st = pm_step_add(s->res, PM_ACT_CONFIGURE_NAMESPACE, "set-passphrase",
				 "%s takes the new key", s->dimm->dev);
		rc = write_security(s->dimm, "update %ld %ld\n", update ? s->old_key : 0,
				    s->new_key);
		rc = pm_step_finish(st, rc);
	}
	if (!rc)
		rc = verify_state(s, PM_SECURITY_UNLOCKED);
	if (rc) {
		struct pm_step *rb = pm_step_add(s->res, PM_ACT_ROLLBACK, "rollback",
						 "the old key and file back");

		undo_new_key(s);
		if (update) {
			rename(s->old_path, s->path);
			pm_key_unlink(s->old_key);
			pm_key_load_dimm(s->path, s->desc);
		}
		pm_step_close(rb, 0);
		s->res->rolled_back = true;
		failed_note(s->res, rc, update ? "the change" : "the set-up",
			    update ? "the old key and its file are back" :
				     "its new key and file are gone");
		return rc;
	}
	if (update) {
		struct pm_step *d = pm_step_add(s->res, PM_ACT_DELETE, "discard-old-key",
						"%s deleted", s->old_path);

		pm_key_unlink(s->old_key);
		pm_step_close(d, unlink(s->old_path) < 0 ? -errno : 0);
	}
	s->res->changed = true;
	return 0;
}

/* The key is of no use once the DIMM has no passphrase: gone from both. */
static void discard_key(struct sec_run *s)
{
	struct pm_step *d = pm_step_add(s->res, PM_ACT_DELETE, "discard-key",
					"%s and the keyring's %s removed", s->path, s->desc);

	if (s->req->dry_run)
		return;
	pm_key_unlink(s->key > 0 ? s->key : pm_key_search("encrypted", s->desc));
	pm_step_close(d, unlink(s->path) < 0 && errno != ENOENT ? -errno : 0);
}

/* Seconds since t0 on the monotonic clock. */
static int since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (int)(now.tv_sec - t0->tv_sec);
}

/*
 * The kernel polls the DIMM (every 10 s, then longer) and notifies the
 * attribute when the overwrite ends; a poll with a 1 s tick drives the
 * progress line and the timeout.
 */
static int wait_overwrite(struct sec_run *s)
{
	struct pm_step *w = pm_step_add(s->res, PM_ACT_VERIFY, "wait",
					"the overwrite of %s ends", s->dimm->dev);
	struct timespec t0;
	char path[128], buf[32];
	int fd, elapsed = 0;

	if (s->req->dry_run)
		return 0;
	snprintf(path, sizeof(path), "/sys/bus/nd/devices/%s/security", s->dimm->dev);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return pm_step_close(w, -errno);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLPRI | POLLERR };
		ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

		/* ENOTTY: nfit_test's way of saying overwrite (security.h). */
		if (n < 0 && errno != ENOTTY)
			break;
		buf[n < 0 ? 0 : n] = '\0';
		if (n >= 0 && strncmp(buf, "overwrite", 9) != 0)
			break;
		elapsed = since(&t0);
		if (s->req->timeout >= 0 && elapsed >= s->req->timeout) {
			close(fd);
			snprintf(w->detail, sizeof(w->detail),
				 "the overwrite still runs after %d s; it goes on (the same command waits again)",
				 elapsed);
			snprintf(s->res->message, sizeof(s->res->message), "%s", w->detail);
			return pm_step_close(w, -ETIMEDOUT);
		}
		if (s->req->progress)
			s->req->progress(s->dimm, elapsed, s->req->progress_arg);
		poll(&p, 1, 1000);
	}
	close(fd);
	snprintf(w->detail, sizeof(w->detail), "the overwrite of %s ended after %d s",
		 s->dimm->dev, since(&t0));
	snprintf(s->res->message, sizeof(s->res->message),
		 "overwritten: all its data is gone (%d s)", since(&t0));
	read_state(s->dimm);
	return pm_step_close(w, 0);
}

static int do_sanitize(struct sec_run *s, struct pm_step *check)
{
	bool overwrite = s->req->op == PM_SEC_OVERWRITE;
	bool running = s->dimm->security == PM_SECURITY_OVERWRITE ||
		       s->dimm->security == PM_SECURITY_UNREADABLE;
	bool has_pass = s->dimm->security == PM_SECURITY_UNLOCKED ||
			s->dimm->security == PM_SECURITY_LOCKED;
	struct pm_step *st;
	char lost[160];
	int rc;

	if (has_pass && find_key(s, check))
		return s->res->err;
	pm_step_close(check, 0);
	dimm_data(s->req->pf, s->dimm, lost, sizeof(lost));
	if (running)
		snprintf(s->res->message, sizeof(s->res->message),
			 "an overwrite runs already: waiting for it");
	else
		snprintf(s->res->message, sizeof(s->res->message),
			 "%s destroys all its data: %s",
			 overwrite ? "an overwrite" : "a crypto-erase", lost);
	if (running)
		return wait_overwrite(s);
	st = pm_step_add(s->res, PM_ACT_WRITE_ZEROS, overwrite ? "overwrite" : "crypto-erase",
			 overwrite ? "%s overwrites its media%s" :
				     "%s erases its media key%s",
			 s->dimm->dev, has_pass ? " (its passphrase as the key)" : "");
	if (s->req->dry_run) {
		if (overwrite)
			wait_overwrite(s);
		else if (has_pass)
			discard_key(s);
		return 0;
	}
	rc = write_security(s->dimm, "%s %ld\n", overwrite ? "overwrite" : "erase",
			    has_pass ? s->key : 0);
	if (pm_step_finish(st, rc))
		return failed(s->res, rc, overwrite ? "overwrite" : "crypto-erase");
	s->res->changed = true;
	snprintf(s->res->message, sizeof(s->res->message), "%s: all its data is gone",
		 overwrite ? "overwritten" : "crypto-erased");
	if (!overwrite) {
		rc = verify_state(s, PM_SECURITY_DISABLED);
		if (!rc && has_pass)
			discard_key(s);
		return s->res->err = rc;
	}
	return s->res->err = wait_overwrite(s);
}

int pm_security_change(struct pm_dimm *dimm, const struct pm_security_request *req,
		       struct pm_change_result *res)
{
	static const char *const doing[] = {
		[PM_SEC_SET] = "set a passphrase", [PM_SEC_REMOVE] = "remove the passphrase",
		[PM_SEC_FREEZE] = "freeze security", [PM_SEC_ERASE] = "crypto-erase",
		[PM_SEC_OVERWRITE] = "overwrite",
	};
	struct sec_run s = { .dimm = dimm, .req = req, .res = res };
	struct pm_step *check, *st;
	char active[128];
	int rc;

	free(res->ranges);
	memset(res, 0, sizeof(*res));
	res->no_config = true;
	snprintf(res->dimm, sizeof(res->dimm), "%s", dimm->dev);
	check = pm_step_add(res, PM_ACT_CHECK, "check", "%s can %s", dimm->dev, doing[req->op]);
	read_state(dimm);
	if (dimm->security == PM_SECURITY_NONE)
		return pm_step_refuse(res, check, -EOPNOTSUPP,
				      "no security commands on this DIMM (%s bus)",
				      dimm->bus ? dimm->bus->provider : "no");
	if (!dimm->id)
		return pm_step_refuse(res, check, -EOPNOTSUPP,
				      "no unique id to name its key by");
	pm_key_possess_user_keyring();
	if (pm_key_search("user", PM_MASTER_DESC) == -EOPNOTSUPP)
		return pm_step_refuse(res, check, -EOPNOTSUPP,
				      "the kernel has no keyrings (CONFIG_KEYS): no passphrase can be used");
	if (pm_key_path(req, dimm, false, s.path, sizeof(s.path)) ||
	    pm_key_path(req, dimm, true, s.old_path, sizeof(s.old_path)))
		return pm_step_refuse(res, check, -ENAMETOOLONG, "key directory name too long");
	pm_key_desc(dimm, false, s.desc, sizeof(s.desc));
	pm_key_desc(dimm, true, s.old_desc, sizeof(s.old_desc));

	if (dimm->security_frozen && req->op != PM_SEC_FREEZE)
		return pm_step_refuse(res, check, -EIO,
				      "security frozen: a passphrase change or erase needs a reboot");
	if (dimm->security == PM_SECURITY_LOCKED && req->op != PM_SEC_ERASE &&
	    req->op != PM_SEC_OVERWRITE)
		return pm_step_refuse(res, check, -EIO,
				      "locked: unlock it first (pmemctl load-keys)");
	if ((dimm->security == PM_SECURITY_OVERWRITE || dimm->security == PM_SECURITY_UNREADABLE) &&
	    req->op != PM_SEC_OVERWRITE)
		return pm_step_refuse(res, check, -EBUSY,
				      "%s: wait for it (pmemctl sanitize-dimm --overwrite %s)",
				      dimm->security == PM_SECURITY_OVERWRITE ? "an overwrite runs" :
				      "security state unreadable, as during an overwrite",
				      dimm->dev);
	if ((req->op == PM_SEC_REMOVE || req->op == PM_SEC_ERASE ||
	     req->op == PM_SEC_OVERWRITE) && dimm->security != PM_SECURITY_OVERWRITE &&
	    dimm->security != PM_SECURITY_UNREADABLE &&
	    active_regions(req->pf, dimm, active, sizeof(active)))
		return pm_step_refuse(res, check, -EBUSY,
				      "regions active (%s): disable them first (pmemctl disable %s)",
				      active, active);

	switch (req->op) {
	case PM_SEC_SET:
		return do_set(&s, check);
	case PM_SEC_ERASE:
	case PM_SEC_OVERWRITE:
		return do_sanitize(&s, check);
	case PM_SEC_REMOVE:
		if (dimm->security == PM_SECURITY_DISABLED) {
			res->noop = true;
			snprintf(res->message, sizeof(res->message),
				 "no passphrase: nothing to remove");
			return pm_step_close(check, 0);
		}
		if (find_key(&s, check))
			return res->err;
		pm_step_close(check, 0);
		snprintf(res->message, sizeof(res->message),
			 "%s: its media no longer lock at power loss",
			 req->dry_run ? "would remove the passphrase" : "passphrase removed");
		st = pm_step_add(res, PM_ACT_DELETE, "remove-passphrase",
				 "%s drops its passphrase", dimm->dev);
		if (req->dry_run) {
			discard_key(&s);
			return 0;
		}
		rc = pm_step_finish(st, write_security(dimm, "disable %ld\n", s.key));
		if (!rc)
			rc = verify_state(&s, PM_SECURITY_DISABLED);
		if (rc)
			return failed(res, rc, "removing the passphrase");
		res->changed = true;
		discard_key(&s);
		return 0;
	case PM_SEC_FREEZE:
		if (dimm->security_frozen) {
			res->noop = true;
			snprintf(res->message, sizeof(res->message),
				 "security frozen already");
			return pm_step_close(check, 0);
		}
		if (dimm->security != PM_SECURITY_UNLOCKED)
			return pm_step_refuse(res, check, -EINVAL,
					      "security %s: only a DIMM with a passphrase, unlocked, can be frozen",
					      pm_security_name(dimm->security) ?: "unreadable");
		pm_step_close(check, 0);
		snprintf(res->message, sizeof(res->message),
			 "%s: no passphrase change or erase until a reboot",
			 req->dry_run ? "would freeze security" : "security frozen");
		st = pm_step_add(res, PM_ACT_CONFIGURE_NAMESPACE, "freeze",
				 "%s freezes its security until a reboot", dimm->dev);
		if (req->dry_run)
			return 0;
		rc = pm_step_finish(st, write_security(dimm, "freeze\n"));
		if (!rc) {
			struct pm_step *v = pm_step_add(res, PM_ACT_VERIFY, "verify",
							"%s reads frozen", dimm->dev);

			read_state(dimm);
			rc = pm_step_finish(v, dimm->security_frozen ? 0 : -EIO);
		}
		res->changed = !rc;
		return rc ? failed(res, rc, "freezing") : 0;
	}
	return -EINVAL;
}

int pm_security_unlock(const struct pm_platform *pf, struct pm_dimm *dimm)
{
	int rc = 0;

	pm_key_possess_user_keyring();
	if (dimm->enabled)
		rc = ndctl_dimm_disable(dimm->nddimm);
	if (!rc)
		rc = ndctl_dimm_enable(dimm->nddimm);
	dimm->enabled = rc == 0;
	if (read_state(dimm) == PM_SECURITY_LOCKED)
		return -EACCES;
	/* Its regions failed to start while it was locked. */
	for (size_t i = 0; i < pf->nr_regions && !rc; i++) {
		struct pm_region *r = pf->regions[i];

		if (!r->enabled && pm_region_uses_dimm(r, dimm) &&
		    ndctl_region_enable(r->ndregion) == 0)
			r->enabled = true;
	}
	return rc;
}
