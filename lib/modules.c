// SPDX-License-Identifier: GPL-2.0-or-later
/* Kernel module state through libkmod: loaded, installed or missing. */
#include <errno.h>
#include <libkmod.h>

#include "pmem.h"

int pm_module_state(const char *name, enum pm_module_state *state)
{
	struct kmod_list *list = NULL, *item;
	struct kmod_ctx *ctx;
	int rc;

	ctx = kmod_new(NULL, NULL);
	if (!ctx)
		return -ENOMEM;
	kmod_load_resources(ctx);

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
	kmod_unref(ctx);
	return rc;
}
