// SPDX-License-Identifier: GPL-2.0-or-later
/* What convert, create-namespace and destroy-namespace share: the guards
 * before a destructive change and the report after it. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "change.h"

int change_needs_root(const char *object, const char *verb, bool dry_run)
{
	if (dry_run || geteuid() == 0)
		return EXIT_OK;
	pm_error(object, "%s needs root (--dry-run shows the plan without it)", verb);
	return EXIT_PERMISSION;
}

/* A yes on a terminal stands for --force; anything else refuses. */
static bool confirm(const char *question)
{
	char answer[16];

	if (!isatty(STDIN_FILENO) || !isatty(STDERR_FILENO))
		return false;
	fprintf(stderr, "%s [y/N] ", question);
	if (!fgets(answer, sizeof(answer), stdin))
		return false;
	return answer[0] == 'y' || answer[0] == 'Y';
}

int change_guard(const struct pm_platform *pf, const struct pm_namespace *ns,
		 const char *verb, bool force, bool dry_run)
{
	char why[256], sig[32], question[384];
	bool has_sig;

	if (pm_namespace_in_use(pf, ns, why, sizeof(why)) == -EBUSY) {
		pm_error(ns->dev, "in use: %s; %s refused", why, verb);
		return EXIT_BUSY;
	}
	has_sig = pm_namespace_signature(ns, sig, sizeof(sig)) == 1;
	if (ns->mode == PM_MODE_RAW && !has_sig)
		return EXIT_OK;
	if (force || dry_run)
		return EXIT_OK;
	snprintf(why, sizeof(why), "%s %s%s%s%s", ns->dev,
		 ns->mode != PM_MODE_RAW ? "is " : "",
		 ns->mode != PM_MODE_RAW ? pm_ns_mode_name(ns->mode) : "",
		 has_sig ? (ns->mode != PM_MODE_RAW ? " and holds a " : "holds a ") : "",
		 has_sig ? sig : "");
	if (has_sig)
		strncat(why, " signature", sizeof(why) - strlen(why) - 1);
	snprintf(question, sizeof(question), "%s: %s destroys its data. Go on?",
		 why, verb);
	if (confirm(question))
		return EXIT_OK;
	pm_error(ns->dev, "%s: %s destroys its data; add --force to go on",
		 why + strlen(ns->dev) + 1, verb);
	return EXIT_REFUSED;
}

int change_lock(const char *dev, int *fd)
{
	int rc = pm_namespace_lock(dev, fd);

	if (rc == -EBUSY) {
		pm_error(dev, "another pmemctl is changing it now; try again when it is done");
		return EXIT_BUSY;
	}
	if (rc < 0) {
		pm_error(dev, "cannot take the lock: %s", strerror(-rc));
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

int change_lock_namespace(struct pmemctl_ctx *ctx, int *lock,
			  struct pm_target *t)
{
	char dev[64];
	int exit_code;

	snprintf(dev, sizeof(dev), "%s", t->ns->dev);
	exit_code = change_lock(dev, lock);
	if (exit_code)
		return exit_code;
	if (!pm_ctx_rescan(ctx, &exit_code))
		return exit_code;
	if (pm_resolve_target(ctx->platform, dev, t) || !t->ns) {
		pm_error(dev, "gone while waiting for the lock");
		return EXIT_NOT_FOUND;
	}
	return EXIT_OK;
}

static struct json_object *config_json(const struct pm_ns_config *cfg)
{
	struct json_object *j = json_object_new_object();

	json_object_object_add(j, "mode", json_object_new_string(pm_ns_mode_name(cfg->mode)));
	json_object_object_add(j, "map", cfg->map ? json_object_new_string(cfg->map) : NULL);
	json_object_object_add(j, "align", cfg->align ? json_object_new_int64(cfg->align) : NULL);
	json_object_object_add(j, "sector_size",
			       cfg->sector_size ? json_object_new_int64(cfg->sector_size) : NULL);
	json_object_object_add(j, "uuid", cfg->uuid[0] ? json_object_new_string(cfg->uuid) : NULL);
	json_object_object_add(j, "size", json_object_new_int64(cfg->size));
	return j;
}

static void config_text(const struct pm_ns_config *cfg, char *buf, size_t len)
{
	char align[32] = "";

	if (cfg->align)
		pm_format_size(cfg->align, align, sizeof(align));
	snprintf(buf, len, "%s%s%s%s%s", pm_ns_mode_name(cfg->mode),
		 cfg->map ? " map=" : "", cfg->map ? cfg->map : "",
		 cfg->align ? " align=" : "", align);
}

void change_report(const char *object, const struct pm_convert_result *res,
		   bool json, bool dry_run)
{
	if (json) {
		struct json_object *j = json_object_new_object();
		struct json_object *steps = json_object_new_array();

		json_object_object_add(j, "namespace", json_object_new_string(object));
		json_object_object_add(j, "from", config_json(&res->from));
		json_object_object_add(j, "to", config_json(&res->to));
		json_object_object_add(j, "changed", json_object_new_boolean(res->changed));
		json_object_object_add(j, "dry_run", json_object_new_boolean(dry_run));
		json_object_object_add(j, "rolled_back", json_object_new_boolean(res->rolled_back));
		for (size_t i = 0; i < res->nr_steps; i++) {
			const struct pm_step *s = &res->steps[i];
			struct json_object *js = json_object_new_object();

			json_object_object_add(js, "step", json_object_new_string(s->name));
			json_object_object_add(js, "status",
					       json_object_new_string(pm_step_status_name(s->status)));
			json_object_object_add(js, "detail", json_object_new_string(s->detail));
			json_object_object_add(js, "errno", s->err ? json_object_new_int(-s->err) : NULL);
			json_object_array_add(steps, js);
		}
		json_object_object_add(j, "steps", steps);
		json_object_object_add(j, "blockdev", res->blockdev[0] ?
				       json_object_new_string(res->blockdev) : NULL);
		json_object_object_add(j, "chardev", res->chardev[0] ?
				       json_object_new_string(res->chardev) : NULL);
		json_object_object_add(j, "error", res->err ?
				       json_object_new_string(strerror(-res->err)) : NULL);
		json_object_object_add(j, "message", json_object_new_string(res->message));
		out_print_json(stdout, j);
		return;
	}
	if (res->err) {
		pm_error(object, "%s", res->message);
		for (size_t i = 0; i < res->nr_steps; i++)
			fprintf(stderr, "  %-8s %-20s %s%s%s\n",
				pm_step_status_name(res->steps[i].status),
				res->steps[i].name, res->steps[i].detail,
				res->steps[i].err ? ": " : "",
				res->steps[i].err ? strerror(-res->steps[i].err) : "");
		return;
	}
	if (res->noop) {
		char now[96];

		config_text(&res->from, now, sizeof(now));
		printf("%s: unchanged (%s)\n", object, now);
		return;
	}
	printf("%s: %s", object, res->message);
	if (res->blockdev[0] || res->chardev[0])
		printf(" (/dev/%s)", res->blockdev[0] ? res->blockdev : res->chardev);
	putchar('\n');
	if (dry_run) {
		for (size_t i = 0; i < res->nr_steps; i++)
			printf("  %-8s %-20s %s\n", pm_step_status_name(res->steps[i].status),
			       res->steps[i].name, res->steps[i].detail);
	}
}

int parse_change_option(struct pmemctl_ctx *ctx, int c, const char *arg,
			struct pm_convert_request *req, bool *has_mode)
{
	uint64_t value;

	switch (c) {
	case 'm':
		if (pm_ns_mode_parse(arg, &req->mode) < 0)
			return pm_usage_error(ctx, "unknown mode '%s': use raw, sector, fsdax or devdax",
					      arg);
		*has_mode = true;
		return EXIT_OK;
	case 'a':
		if (pm_parse_size(arg, &value) < 0 || !value || (value & (value - 1)))
			return pm_usage_error(ctx, "bad alignment '%s': a power of two such as 4K, 2M or 1G",
					      arg);
		req->align = value;
		return EXIT_OK;
	case 'M':
		if (strcmp(arg, "mem") && strcmp(arg, "dev"))
			return pm_usage_error(ctx, "bad map '%s': use mem or dev", arg);
		req->map = arg;
		return EXIT_OK;
	case 'l':
		if (pm_parse_size(arg, &value) < 0 || !value || value > 65536)
			return pm_usage_error(ctx, "bad sector size '%s'", arg);
		req->sector_size = value;
		return EXIT_OK;
	default:
		return -1;
	}
}

int change_exit_code(int err)
{
	switch (-err) {
	case 0:
		return EXIT_OK;
	case EINVAL:
		return EXIT_USAGE;
	case EOPNOTSUPP:
	case ENOENT:
	case ENOSPC:
		return EXIT_UNSUPPORTED;
	case EBUSY:
		return EXIT_BUSY;
	case EPERM:
	case EACCES:
		return EXIT_PERMISSION;
	default:
		return EXIT_FAIL;
	}
}
