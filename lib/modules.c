// SPDX-License-Identifier: GPL-2.0-or-later
/* Kernel module state through libkmod: loaded, installed or missing. */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <libkmod.h>

#include "compat.h"
#include "host.h"
#include "pmem.h"

static const char *const state_names[] = {
	[PM_MODULE_MISSING] = "missing",
	[PM_MODULE_AVAILABLE] = "available",
	[PM_MODULE_LOADED] = "loaded",
};

const char *pm_module_state_name(enum pm_module_state state)
{
	return state_names[state];
}

/* A report records each module's state as "NAME STATE" lines. */
static int replayed_state(const char *name, enum pm_module_state *state)
{
	char path[4096], line[128], module[64], word[32];
	int rc = -ENOENT;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", pm_host_replay_root(), PM_REPORT_MODULES);
	f = pm_bundle_fopen(path, PM_HOST_RECORD_CAP);
	if (!f)
		return -ENOENT;
	while (rc && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63s %31s", module, word) != 2 || strcmp(module, name))
			continue;
		for (size_t i = 0; i < ARRAY_SIZE(state_names); i++)
			if (strcmp(word, state_names[i]) == 0) {
				*state = i;
				rc = 0;
			}
	}
	fclose(f);
	return rc;
}

typedef struct kmod_ctx *(*kmod_new_fn)(const char *, const char *const *);
typedef int (*kmod_lookup_fn)(struct kmod_ctx *, const char *, struct kmod_list **);

/* libkmod's own kmod_new() and lookup, behind this file's definitions. */
static kmod_new_fn real_new;
static kmod_lookup_fn real_lookup;
/* A run that only reads: the libraries' lookups are answered empty. */
static bool libs_read_only;

static bool find_real(void)
{
	if (!real_new)
		real_new = (kmod_new_fn)dlsym(RTLD_NEXT, "kmod_new");
	if (!real_lookup)
		real_lookup = (kmod_lookup_fn)dlsym(RTLD_NEXT, "kmod_module_new_from_lookup");
	return real_new && real_lookup;
}

/* A context's indexes, mapped on its first lookup (20 calls), once. */
static void load_once(struct kmod_ctx *ctx)
{
	static struct kmod_ctx *loaded[8];

	for (size_t i = 0; ctx && i < ARRAY_SIZE(loaded); i++) {
		if (loaded[i] == ctx)
			return;
		if (!loaded[i]) {
			loaded[i] = ctx;
			kmod_load_resources(ctx);
			return;
		}
	}
}

/*
 * One configured libkmod context for the whole run, pmemctl's and the
 * libraries' (below): each kmod_new() parses the configuration again (36
 * system calls on /etc and /lib/modprobe.d), and each context would load
 * the indexes again. Kept to the end of the run.
 */
static struct kmod_ctx *own;

static struct kmod_ctx *kmod_ctx(void)
{
	if (!own && find_real())
		own = real_new(NULL, NULL);
	return own;
}

void pm_modules_read_only(void)
{
	libs_read_only = true;
}

/*
 * libndctl, libdaxctl and libcxl each call kmod_new(NULL, NULL) for a
 * context of their own (libndctl twice: its own and its libdaxctl's).
 * This definition comes before libkmod's in the symbol search, so they
 * get a reference to the run's one context instead, configured alike.
 * A run that only reads never binds a driver, the one use the libraries
 * make of a module, so it gives them a context without configuration,
 * which their lookups (below) never consult.
 */
struct kmod_ctx *kmod_new(const char *dirname, const char *const *config_paths)
{
	static const char *const no_config[] = { NULL };
	static struct kmod_ctx *bare;
	struct kmod_ctx *ctx;

	if (!find_real())
		return NULL;
	if (dirname || config_paths)
		return real_new(dirname, config_paths);
	if (libs_read_only) {
		if (!bare)
			bare = real_new(NULL, no_config);
		ctx = bare;
	} else {
		ctx = kmod_ctx();
	}
	return ctx ? kmod_ref(ctx) : NULL;
}

/*
 * libndctl and libdaxctl look up the module of every DIMM, region and
 * namespace they enumerate (by its modalias), only to load it before
 * binding the driver, without loading the indexes first: each lookup
 * then opens, reads and closes libkmod's index files, 11 system calls,
 * about 50 lookups in a change at 16 namespaces and 19 in a listing.
 * Their lookups pass here: the first one in a context loads its indexes
 * (mapped once), the rest read them in memory, and the answers are
 * libkmod's. In a run that only reads (list, show, doctor, metrics)
 * there is nothing to bind, and no module is looked up for them at all:
 * libndctl keeps none, as when a lookup finds nothing.
 */
int kmod_module_new_from_lookup(struct kmod_ctx *ctx, const char *alias,
				struct kmod_list **list)
{
	if (!find_real())
		return -ENOSYS;
	if (libs_read_only && ctx != own) {
		*list = NULL;
		return 0;
	}
	load_once(ctx);
	return real_lookup(ctx, alias, list);
}

/* Module names take '-' and '_' alike; /sys/module spells them with '_'. */
static bool loaded(const char *name)
{
	char path[128];
	struct stat st;
	size_t n;

	n = (size_t)snprintf(path, sizeof(path), "/sys/module/%s", name);
	if (n >= sizeof(path))
		return false;
	for (char *p = path + strlen("/sys/module/"); *p; p++)
		if (*p == '-')
			*p = '_';
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int pm_module_state(const char *name, enum pm_module_state *state)
{
	struct kmod_list *list = NULL, *item;
	struct kmod_ctx *ctx;
	int rc;

	if (pm_host_replay_root())
		return replayed_state(name, state);
	/*
	 * A loaded module has its directory in /sys/module: one stat, where
	 * libkmod first loads its indexes and configuration. libkmod answers
	 * the rest (built in without parameters, installed, missing).
	 */
	if (loaded(name)) {
		*state = PM_MODULE_LOADED;
		return 0;
	}
	ctx = kmod_ctx();
	if (!ctx)
		return -ENOMEM;

	*state = PM_MODULE_MISSING;
	rc = kmod_module_new_from_lookup(ctx, name, &list);
	if (rc < 0)
		goto out;
	rc = 0;
	kmod_list_foreach(item, list) {
		struct kmod_module *mod = kmod_module_get_module(item);
		int initstate = kmod_module_get_initstate(mod);

		if (initstate == KMOD_MODULE_LIVE ||
		    initstate == KMOD_MODULE_BUILTIN ||
		    initstate == KMOD_MODULE_COMING)
			*state = PM_MODULE_LOADED;
		else if (*state == PM_MODULE_MISSING && kmod_module_get_path(mod))
			*state = PM_MODULE_AVAILABLE;
		kmod_module_unref(mod);
	}
	kmod_module_unref_list(list);
out:
	return rc;
}

int pm_module_load(const char *name)
{
	struct kmod_module *mod;
	struct kmod_ctx *ctx;
	int rc;

	ctx = kmod_ctx();
	if (!ctx)
		return -ENOMEM;
	load_once(ctx);
	rc = kmod_module_new_from_name(ctx, name, &mod);
	if (rc == 0) {
		/* Honour modprobe.d (ndctl installs one for libnvdimm). */
		rc = kmod_module_probe_insert_module(mod, KMOD_PROBE_APPLY_BLACKLIST,
						     NULL, NULL, NULL, NULL);
		if (rc > 0)
			rc = -EPERM;	/* blacklisted */
		kmod_module_unref(mod);
	}
	return rc;
}
