/* SPDX-License-Identifier: GPL-2.0-or-later */
/* DIMM security: its state, the kernel's keyring, ndctl's key files, the verbs. */
#ifndef PMEMCTL_SECURITY_H
#define PMEMCTL_SECURITY_H

#include <stdbool.h>
#include <stddef.h>

struct pm_dimm;
struct pm_platform;
struct pm_change_result;

/*
 * A DIMM's security state as the kernel's nmemN/security reads it (the
 * values ndctl list -D prints). NONE: the DIMM has no security commands
 * (the attribute is absent: QEMU NVDIMMs, CXL on 6.1).
 */
enum pm_security {
	PM_SECURITY_NONE,
	PM_SECURITY_DISABLED,		/* no passphrase */
	PM_SECURITY_UNLOCKED,		/* a passphrase, the media unlocked */
	PM_SECURITY_LOCKED,		/* a passphrase, the media locked */
	PM_SECURITY_FROZEN,		/* no change until a reboot */
	PM_SECURITY_OVERWRITE,		/* an overwrite runs */
	/*
	 * The DIMM has security (nmemN/frozen is there) but nmemN/security
	 * fails to read (ENOTTY): nfit_test's own security_show() has no
	 * "overwrite" line, so this is what an overwrite looks like there.
	 * JSON null, as ndctl omits the key.
	 */
	PM_SECURITY_UNREADABLE,
};

/* disabled, unlocked, locked, frozen, overwrite (NULL-terminated). */
extern const char *const pm_security_names[];
/* The name of a state; NULL for PM_SECURITY_NONE. */
const char *pm_security_name(enum pm_security state);

/*
 * The security fields of a DIMM, one row each: the one place a field is
 * described, as PM_SMART_FIELDS is for SMART. list's and show's columns
 * (cli/columns.c) and the metric families (cli/cmd-metrics.c) expand it.
 *
 * X(ID, column, key, type, help, metric, metric_help)
 *   column	list's and show's column
 *   key	the JSON key (ndctl list -D's)
 *   type	STRING (a name of pm_security_names) or BOOL
 *   metric	its Prometheus family: a state set for STRING (one series
 *		per state, 1 for the current), 0 or 1 for BOOL
 */
#define PM_SECURITY_FIELDS(X)						\
	X(STATE, "SECURITY", "security", STRING,			\
	  "security state: disabled, unlocked, locked, frozen, overwrite; a CXL memdev's sanitize (one runs) (null: none)", \
	  "pmem_dimm_security_state",					\
	  "The DIMM's security state: 1 for the current of disabled, unlocked, locked, frozen, overwrite.") \
	X(FROZEN, "SEC_FROZEN", "security_frozen", BOOL,		\
	  "security frozen: no passphrase change until a reboot (null: no security)", \
	  "pmem_dimm_security_frozen",					\
	  "1 when the DIMM's security is frozen: no passphrase change or erase until a reboot.")

enum pm_security_field_id {
#define PM_SECURITY_ENUM(id, ...) PM_SECURITY_FIELD_##id,
	PM_SECURITY_FIELDS(PM_SECURITY_ENUM)
#undef PM_SECURITY_ENUM
	PM_SECURITY_NR_FIELDS,
};

struct pm_security_field {
	const char *column;
	const char *key;
	bool is_bool;
	const char *help;
	const char *metric;
	const char *metric_help;
};

extern const struct pm_security_field pm_security_fields[PM_SECURITY_NR_FIELDS];

/*
 * A field's value: *valid false when the DIMM has no security. name for
 * STATE, b for FROZEN.
 */
struct pm_security_value {
	bool valid;
	const char *name;
	bool b;
};
void pm_security_get(const struct pm_dimm *dimm, enum pm_security_field_id id,
		     struct pm_security_value *v);

/* Reads nmemN/security and nmemN/frozen into the DIMM (topology.c). */
void pm_security_read(struct pm_dimm *dimm);

/*
 * The key files, as ndctl writes them: DIR/nvdimm-master.blob (the master
 * key's payload), DIR/nvdimm_<id>_<hostname>.blob (a DIMM's encrypted key
 * as the kernel exports it). The default directory is ndctl's.
 */
#define PM_KEYS_DIR "/etc/ndctl/keys"
#define PM_MASTER_DESC "nvdimm-master"

/*
 * nvdimm_<id>_<host>.blob (old: nvdimm-old_...) into buf: 0, or
 * -ENAMETOOLONG. And back: the id of a DIMM key file's name, as ndctl
 * load-keys takes it (whatever the host), or -EINVAL for another file.
 */
int pm_key_file_name(const char *id, const char *host, bool old, char *buf, size_t len);
int pm_key_file_id(const char *name, char *id, size_t len);

/* What a security verb asks. */
enum pm_security_op {
	PM_SEC_SET,			/* set up, or update when one is set */
	PM_SEC_REMOVE,
	PM_SEC_FREEZE,
	PM_SEC_ERASE,			/* crypto-erase */
	PM_SEC_OVERWRITE,		/* overwrite, then wait */
};

struct pm_security_request {
	enum pm_security_op op;
	const struct pm_platform *pf;	/* the DIMM's: its regions */
	const char *key_dir;		/* NULL: PM_KEYS_DIR */
	const char *master;		/* the master key: "user:nvdimm-master" */
	bool dry_run;
	int timeout;			/* overwrite: seconds to wait; <0 for ever */
	/* overwrite: called about once a second while it runs */
	void (*progress)(const struct pm_dimm *dimm, int elapsed, void *arg);
	void *progress_arg;
};

/*
 * Plans (dry_run) or runs op on the DIMM into res: every step named, the
 * key file written before the DIMM changes and restored when it refuses.
 * -EBUSY: regions active; -ENOKEY: a key is missing (res->message says
 * which); -EOPNOTSUPP: no security here, or no encrypted keys in the
 * kernel; -EIO: the DIMM refused (frozen, a wrong key); -ETIMEDOUT: the
 * overwrite still runs after the timeout.
 */
int pm_security_change(struct pm_dimm *dimm, const struct pm_security_request *req,
		       struct pm_change_result *res);

/* What load-keys did. */
struct pm_load_keys_result {
	bool master_loaded;		/* added now (false: it was there) */
	int nr_keys;			/* DIMM keys added */
	int nr_failed;			/* key files the kernel refused */
	char message[256];		/* why it failed */
};

/*
 * Loads the master key and every DIMM's key from dir into the user
 * keyring, as ndctl load-keys does (a trusted master key when
 * dir/tpm.handle names its TPM handle). -ENOENT: no master key file;
 * other -errno from the keyring.
 */
int pm_load_keys(const char *dir, struct pm_load_keys_result *out);

/*
 * Unlocks a locked DIMM whose key is in the keyring: the kernel unlocks
 * when the DIMM is enabled, so disabled (when it was enabled) and enabled
 * again. 0, or -errno; -EACCES when it stays locked (a wrong key).
 */
int pm_security_unlock(const struct pm_platform *pf, struct pm_dimm *dimm);

#endif
