/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What convert, create-namespace and destroy-namespace share. */
#ifndef PMEMCTL_CHANGE_H
#define PMEMCTL_CHANGE_H

#include "pmemctl.h"
#include "../lib/convert.h"
#include "../lib/holders.h"

/* EXIT_PERMISSION with a message unless root or a dry run. */
int change_needs_root(const char *object, const char *verb, bool dry_run);
/*
 * Refuses (with the holder named) when the namespace is in use, and when
 * it has a personality or a filesystem signature unless --force or a yes
 * on a terminal. Returns an exit code.
 */
int change_guard(const struct pm_platform *pf, const struct pm_namespace *ns,
		 const char *verb, bool force, bool dry_run);
/* The per-namespace lock, with its message; returns an exit code. */
int change_lock(const char *dev, int *fd);
/*
 * Takes t->ns's lock, then a fresh snapshot (another change may have ended
 * while we looked), and resolves t again in it. Returns an exit code.
 */
int change_lock_namespace(struct pmemctl_ctx *ctx, int *lock,
			  struct pm_target *t);
/* Human summary (steps on failure or --dry-run) or the JSON document. */
void change_report(const char *object, const struct pm_convert_result *res,
		   bool json, bool dry_run);
int change_exit_code(int err);
/*
 * The options convert and create-namespace share (-m, -a, -M, -l): an exit
 * code after handling c, or -1 when c is not one of them.
 */
int parse_change_option(struct pmemctl_ctx *ctx, int c, const char *arg,
			struct pm_convert_request *req, bool *has_mode);

#endif
