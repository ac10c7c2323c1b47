// SPDX-License-Identifier: GPL-2.0-or-later
/* DIMM security: state, keyring, ndctl's key files, and the passphrase changes. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/keyctl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <ndctl/libndctl.h>

#include "change.h"
#include "compat.h"
#include "pmem.h"
#include "security.h"
#include "sysfs.h"

const char *const pm_security_names[] = {
	"disabled", "unlocked", "locked", "frozen", "overwrite", NULL,
};

const char *pm_security_name(enum pm_security state)
{
	if (state == PM_SECURITY_NONE || state == PM_SECURITY_UNREADABLE)
		return NULL;
	return pm_security_names[state - 1];
}

const struct pm_security_field pm_security_fields[PM_SECURITY_NR_FIELDS] = {
#define PM_SECURITY_ROW(id, column, key, type, help, metric, metric_help) \
	[PM_SECURITY_FIELD_##id] = { column, key, PM_SECURITY_IS_##type, help, \
				     metric, metric_help },
#define PM_SECURITY_IS_STRING false
#define PM_SECURITY_IS_BOOL true
	PM_SECURITY_FIELDS(PM_SECURITY_ROW)
#undef PM_SECURITY_ROW
#undef PM_SECURITY_IS_STRING
#undef PM_SECURITY_IS_BOOL
};

void pm_security_get(const struct pm_dimm *dimm, enum pm_security_field_id id,
		     struct pm_security_value *v)
{
	v->name = pm_security_name(dimm->security);
	v->valid = id == PM_SECURITY_FIELD_STATE ? v->name != NULL :
		   dimm->security != PM_SECURITY_NONE;
	v->b = dimm->security_frozen;
}

static enum pm_security parse_state(const char *s)
{
	for (int i = 0; pm_security_names[i]; i++)
		if (strcmp(s, pm_security_names[i]) == 0)
			return i + 1;
	return PM_SECURITY_NONE;
}

/*
 * The attributes as libndctl reads them (ndctl_dimm_get_security() and
 * _security_is_frozen()), through sysfs so that a replay reads the same:
 * "frozen" in nmemN/security (kernels before 5.5) or nmemN/frozen.
 */
void pm_security_read(struct pm_dimm *dimm)
{
	char buf[32];

	char frozen[8];
	bool has_frozen;

	dimm->security = PM_SECURITY_NONE;
	dimm->security_frozen = false;
	has_frozen = sysfs_read_string(frozen, sizeof(frozen), "/sys/bus/nd/devices/%s/frozen",
				       dimm->dev) >= 0;
	if (sysfs_read_string(buf, sizeof(buf), "/sys/bus/nd/devices/%s/security",
			      dimm->dev) >= 0)
		dimm->security = parse_state(buf);
	else if (has_frozen)
		dimm->security = PM_SECURITY_UNREADABLE;
	dimm->security_frozen = dimm->security == PM_SECURITY_FROZEN ||
				(has_frozen && atoi(frozen) == 1);
}

/*
 * The keyring through its system calls: add_key(2) and keyctl(2) are
 * all libkeyutils wraps for the five calls used here, and without it
 * pmemctl needs no new library.
 */
static long key_add(const char *type, const char *desc, const void *payload,
		    size_t len)
{
	long id = syscall(__NR_add_key, type, desc, payload, len,
			  KEY_SPEC_USER_KEYRING);

	return id < 0 ? -errno : id;
}

/* -EOPNOTSUPP: a kernel without keyrings (CONFIG_KEYS). */
static long key_search(const char *type, const char *desc)
{
	long id = syscall(__NR_keyctl, KEYCTL_SEARCH, KEY_SPEC_USER_KEYRING,
			  type, desc, 0);

	return id >= 0 ? id : errno == ENOSYS ? -EOPNOTSUPP : -errno;
}

static void key_unlink(long id)
{
	if (id > 0)
		syscall(__NR_keyctl, KEYCTL_UNLINK, id, KEY_SPEC_USER_KEYRING);
}

/* The key's payload as the kernel exports it; len bytes in *out, or -errno. */
static long key_read(long id, char **out)
{
	long len = syscall(__NR_keyctl, KEYCTL_READ, id, NULL, 0);
	char *buf;

	if (len < 0)
		return -errno;
	buf = malloc(len + 1);
	if (!buf)
		return -ENOMEM;
	len = syscall(__NR_keyctl, KEYCTL_READ, id, buf, len);
	if (len < 0) {
		free(buf);
		return -errno;
	}
	buf[len] = '\0';
	*out = buf;
	return len;
}

/*
 * The kernel looks a key id up among the keyrings the writer possesses:
 * a service's own session keyring (systemd's KeyringMode=private) does
 * not reach the user keyring unless it is linked in, as ndctl's tests do.
 */
static void possess_user_keyring(void)
{
	syscall(__NR_keyctl, KEYCTL_LINK, KEY_SPEC_USER_KEYRING,
		KEY_SPEC_SESSION_KEYRING);
}

int pm_key_file_name(const char *id, const char *host, bool old, char *buf, size_t len)
{
	if ((size_t)snprintf(buf, len, "nvdimm%s_%s_%s.blob", old ? "-old" : "", id,
			     host) >= len)
		return -ENAMETOOLONG;
	return 0;
}

/* ndctl load-keys: the part between "nvdimm_" and the next '_'. */
int pm_key_file_id(const char *name, char *id, size_t len)
{
	size_t n;

	if (strncmp(name, "nvdimm_", 7) != 0)
		return -EINVAL;
	n = strcspn(name + 7, "_");
	if (!n || !name[7 + n] || n >= len)
		return -EINVAL;
	snprintf(id, len, "%.*s", (int)n, name + 7);
	return 0;
}

/* ndctl's names: nvdimm_<id>_<host>.blob, nvdimm-old_<id>_<host>.blob. */
static int key_path(const struct pm_security_request *req, const struct pm_dimm *dimm,
		    bool old, char *path, size_t len)
{
	char host[HOST_NAME_MAX + 1] = "", name[NAME_MAX + 1];

	if (gethostname(host, sizeof(host) - 1) < 0)
		return -errno;
	if (pm_key_file_name(dimm->id, host, old, name, sizeof(name)) ||
	    (size_t)snprintf(path, len, "%s/%s", req->key_dir ? req->key_dir : PM_KEYS_DIR,
			     name) >= len)
		return -ENAMETOOLONG;
	return 0;
}

static void key_desc(const struct pm_dimm *dimm, bool old, char *desc, size_t len)
{
	snprintf(desc, len, "nvdimm%s:%s", old ? "-old" : "", dimm->id);
}

/* A key file's bytes (at most 4 KiB, a regular file, as ndctl reads it). */
static long read_blob(int dirfd, const char *path, const char *prefix,
		      const char *suffix, char **out)
{
	size_t plen = prefix ? strlen(prefix) : 0, slen = suffix ? strlen(suffix) : 0;
	struct stat st;
	char *buf;
	ssize_t n;
	int fd;

	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size == 0 ||
	    st.st_size > 4096) {
		close(fd);
		return -EINVAL;
	}
	buf = malloc(plen + st.st_size + slen + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	memcpy(buf, prefix, plen);
	n = read(fd, buf + plen, st.st_size);
	close(fd);
	if (n != st.st_size) {
		free(buf);
		return n < 0 ? -errno : -EIO;
	}
	memcpy(buf + plen + n, suffix, slen);
	buf[plen + n + slen] = '\0';
	*out = buf;
	return plen + n + slen;
}

/* Written beside, synced and renamed: a crash leaves the old file or the new. */
static int write_blob(const char *path, const char *data, size_t len)
{
	char tmp[PATH_MAX];
	int fd, rc = 0;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	errno = 0;
	if (write(fd, data, len) != (ssize_t)len || fsync(fd) < 0)
		rc = errno ? -errno : -EIO;
	if (close(fd) < 0 && !rc)
		rc = -errno;
	if (!rc && rename(tmp, path) < 0)
		rc = -errno;
	if (rc)
		unlink(tmp);
	return rc;
}

/* A DIMM's key from its file into the keyring under desc: its id, or -errno. */
static long load_dimm_key(const char *path, const char *desc)
{
	char *blob = NULL;
	long len, id;

	len = read_blob(AT_FDCWD, path, "load ", NULL, &blob);
	if (len < 0)
		return len;
	id = key_add("encrypted", desc, blob, len);
	free(blob);
	return id;
}

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

static int refuse(struct pm_change_result *res, struct pm_step *check, int rc,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int refuse(struct pm_change_result *res, struct pm_step *check, int rc,
		  const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(res->message, sizeof(res->message), fmt, ap);
	va_end(ap);
	snprintf(check->detail, sizeof(check->detail), "%.*s",
		 (int)sizeof(check->detail) - 1, res->message);
	res->err = rc;
	return pm_step_close(check, rc);
}

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
		return refuse(s->res, check, -EINVAL,
			      "bad master key '%s': user:DESCRIPTION or trusted:DESCRIPTION",
			      master);
	if (key_search(type, desc) > 0)
		return 0;
	if (s->req->dry_run && strcmp(desc, PM_MASTER_DESC) == 0 &&
	    faccessat(AT_FDCWD, dir, F_OK, 0) == 0) {
		char path[PATH_MAX];

		snprintf(path, sizeof(path), "%s/%s.blob", dir, PM_MASTER_DESC);
		if (access(path, R_OK) == 0)
			return 0;
	}
	if (!s->req->dry_run && strcmp(desc, PM_MASTER_DESC) == 0 && pm_load_keys(dir, &lk) == 0 &&
	    key_search(type, desc) > 0)
		return 0;
	return refuse(s->res, check, -ENOKEY,
		      "no master key %s in the user keyring nor in %s/%s.blob: load it (pmemctl load-keys) or create one (pmemctl-setup-passphrase(1), MASTER KEY)",
		      master, dir, PM_MASTER_DESC);
}

/* The DIMM's current key: in the keyring, or loaded from its file. */
static int find_key(struct sec_run *s, struct pm_step *check)
{
	s->key = key_search("encrypted", s->desc);
	if (s->key > 0)
		return 0;
	s->key = load_dimm_key(s->path, s->desc);
	if (s->key > 0)
		return 0;
	if (s->key == -ENOENT)
		return refuse(s->res, check, -ENOKEY,
			      "a passphrase but no key: not in the keyring, no %s",
			      s->path);
	if (s->key == -ENODEV)
		return refuse(s->res, check, -EOPNOTSUPP,
			      "the kernel has no encrypted keys (CONFIG_ENCRYPTED_KEYS): no key to use");
	return refuse(s->res, check, (int)s->key, "its key %s could not be loaded: %s",
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
	s->new_key = key_add("encrypted", s->desc, cmd, strlen(cmd));
	if (s->new_key == -ENODEV) {
		snprintf(s->res->message, sizeof(s->res->message),
			 "the kernel has no encrypted keys (CONFIG_ENCRYPTED_KEYS)");
		return pm_step_close(st, -EOPNOTSUPP);
	}
	if (s->new_key < 0)
		return pm_step_close(st, (int)s->new_key);
	s->new_added = true;
	len = key_read(s->new_key, &blob);
	if (len < 0)
		return pm_step_close(st, (int)len);
	rc = write_blob(s->path, blob, len);
	free(blob);
	if (!rc)
		s->file_written = true;
	return pm_step_finish(st, rc);
}

static void undo_new_key(struct sec_run *s)
{
	if (s->new_added)
		key_unlink(s->new_key);
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
			return refuse(s->res, check, -ENOKEY,
				      "its key is in the keyring but not in %s: a change would leave no file of the old key",
				      s->path);
	} else if (stat(s->path, &sb) == 0) {
		return refuse(s->res, check, -EEXIST,
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
		s->old_key = load_dimm_key(s->old_path, s->old_desc);
		if (s->old_key < 0) {
			rc = (int)s->old_key;
			rename(s->old_path, s->path);
			return s->res->err = pm_step_close(keep, rc);
		}
		key_unlink(s->key);
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
			key_unlink(s->old_key);
			load_dimm_key(s->path, s->desc);
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

		key_unlink(s->old_key);
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
	key_unlink(s->key > 0 ? s->key : key_search("encrypted", s->desc));
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
		return refuse(res, check, -EOPNOTSUPP,
			      "no security commands on this DIMM (%s bus)",
			      dimm->bus ? dimm->bus->provider : "no");
	if (!dimm->id)
		return refuse(res, check, -EOPNOTSUPP,
			      "no unique id to name its key by");
	possess_user_keyring();
	if (key_search("user", PM_MASTER_DESC) == -EOPNOTSUPP)
		return refuse(res, check, -EOPNOTSUPP,
			      "the kernel has no keyrings (CONFIG_KEYS): no passphrase can be used");
	if (key_path(req, dimm, false, s.path, sizeof(s.path)) ||
	    key_path(req, dimm, true, s.old_path, sizeof(s.old_path)))
		return refuse(res, check, -ENAMETOOLONG, "key directory name too long");
	key_desc(dimm, false, s.desc, sizeof(s.desc));
	key_desc(dimm, true, s.old_desc, sizeof(s.old_desc));

	if (dimm->security_frozen && req->op != PM_SEC_FREEZE)
		return refuse(res, check, -EIO,
			      "security frozen: a passphrase change or erase needs a reboot");
	if (dimm->security == PM_SECURITY_LOCKED && req->op != PM_SEC_ERASE &&
	    req->op != PM_SEC_OVERWRITE)
		return refuse(res, check, -EIO,
			      "locked: unlock it first (pmemctl load-keys)");
	if ((dimm->security == PM_SECURITY_OVERWRITE || dimm->security == PM_SECURITY_UNREADABLE) &&
	    req->op != PM_SEC_OVERWRITE)
		return refuse(res, check, -EBUSY,
			      "%s: wait for it (pmemctl sanitize-dimm --overwrite %s)",
			      dimm->security == PM_SECURITY_OVERWRITE ? "an overwrite runs" :
			      "security state unreadable, as during an overwrite",
			      dimm->dev);
	if ((req->op == PM_SEC_REMOVE || req->op == PM_SEC_ERASE ||
	     req->op == PM_SEC_OVERWRITE) && dimm->security != PM_SECURITY_OVERWRITE &&
	    dimm->security != PM_SECURITY_UNREADABLE &&
	    active_regions(req->pf, dimm, active, sizeof(active)))
		return refuse(res, check, -EBUSY,
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
			return refuse(res, check, -EINVAL,
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

/* The master key: user, or trusted with the TPM handle of dir/tpm.handle. */
static int load_master(int dirfd, struct pm_load_keys_result *out)
{
	char handle[64] = "", suffix[80] = "", *blob;
	bool trusted;
	FILE *f;
	long len, id;
	int fd;

	fd = openat(dirfd, "tpm.handle", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd >= 0) {
		f = fdopen(fd, "r");
		if (f) {
			if (fscanf(f, "%63s", handle) != 1)
				handle[0] = '\0';
			fclose(f);
		} else {
			close(fd);
		}
	}
	trusted = handle[0];
	if (key_search(trusted ? "trusted" : "user", PM_MASTER_DESC) > 0)
		return 0;
	if (trusted)
		snprintf(suffix, sizeof(suffix), " keyhandle=%s", handle);
	len = read_blob(dirfd, PM_MASTER_DESC ".blob", trusted ? "load " : NULL,
			trusted ? suffix : NULL, &blob);
	if (len < 0)
		return (int)len;
	/* A user key's payload is the file's bytes alone. */
	id = key_add(trusted ? "trusted" : "user", PM_MASTER_DESC, blob, len);
	free(blob);
	if (id == -ENODEV)
		snprintf(out->message, sizeof(out->message),
			 "the kernel has no %s keys", trusted ? "trusted" : "user");
	if (id < 0)
		return (int)id;
	out->master_loaded = true;
	return 0;
}

int pm_load_keys(const char *dir, struct pm_load_keys_result *out)
{
	char id[128], desc[160];
	struct dirent *de;
	DIR *d;
	int rc;

	memset(out, 0, sizeof(*out));
	possess_user_keyring();
	d = opendir(dir);
	if (!d)
		return -errno;
	rc = load_master(dirfd(d), out);
	if (rc) {
		closedir(d);
		return rc;
	}
	while ((de = readdir(d))) {
		char *blob;
		long len, key;

		if (de->d_type != DT_REG && de->d_type != DT_UNKNOWN)
			continue;
		if (pm_key_file_id(de->d_name, id, sizeof(id)))
			continue;
		snprintf(desc, sizeof(desc), "nvdimm:%s", id);
		if (key_search("encrypted", desc) > 0)
			continue;
		len = read_blob(dirfd(d), de->d_name, "load ", NULL, &blob);
		if (len < 0) {
			out->nr_failed++;
			continue;
		}
		key = key_add("encrypted", desc, blob, len);
		free(blob);
		if (key == -ENODEV) {
			snprintf(out->message, sizeof(out->message),
				 "the kernel has no encrypted keys (CONFIG_ENCRYPTED_KEYS)");
			closedir(d);
			return -EOPNOTSUPP;
		}
		if (key < 0)
			out->nr_failed++;
		else
			out->nr_keys++;
	}
	closedir(d);
	return 0;
}

int pm_security_unlock(const struct pm_platform *pf, struct pm_dimm *dimm)
{
	int rc = 0;

	possess_user_keyring();
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
