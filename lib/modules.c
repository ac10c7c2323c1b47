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

/*
 * One libkmod context for the whole run: each kmod_new() parses the
 * configuration again and each lookup would open the indexes again (a
 * conversion to system RAM asks about several modules).
 */
static struct kmod_ctx *kmod_ctx(void)
{
	static struct kmod_ctx *ctx;

	if (!ctx) {
		ctx = kmod_new(NULL, NULL);
		if (ctx)
			kmod_load_resources(ctx);
	}
	return ctx;
}

/*
 * libndctl and libdaxctl look up the module of every DIMM, region and
 * namespace they enumerate (by its modalias) in a libkmod context of
 * their own, without loading its indexes: each lookup then opens, reads
 * and closes libkmod's index files, 11 system calls, about 50 lookups in
 * a change at 16 namespaces and 19 in a listing. This definition comes
 * before libkmod's in the symbol search, so their lookups pass here: the
 * first one in a context loads its indexes (mapped once, 20 calls), the
 * rest read them in memory. The answers are libkmod's either way.
 */
int kmod_module_new_from_lookup(struct kmod_ctx *ctx, const char *alias,
				struct kmod_list **list)
{
	static int (*lookup)(struct kmod_ctx *, const char *, struct kmod_list **);
	static struct kmod_ctx *loaded[8];

	if (!lookup)
		lookup = (int (*)(struct kmod_ctx *, const char *, struct kmod_list **))
			 dlsym(RTLD_NEXT, "kmod_module_new_from_lookup");
	if (!lookup)
		return -ENOSYS;
	for (size_t i = 0; ctx && i < ARRAY_SIZE(loaded); i++) {
		if (loaded[i] == ctx)
			break;
		if (!loaded[i]) {
			loaded[i] = ctx;
			kmod_load_resources(ctx);
			break;
		}
	}
	return lookup(ctx, alias, list);
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
