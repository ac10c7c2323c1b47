// SPDX-License-Identifier: GPL-2.0-or-later
/* Converting the dax device of a CXL ram region: devdax and system RAM,
 * the plan of a devdax namespace's conversion without the namespace. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convert.h"
#include "convert-plan.h"
#include "pmem.h"
#include "sysram.h"

static int load(const char *module, struct pm_step *s)
{
	enum pm_module_state state;
	int rc = pm_module_state(module, &state);

	if (rc == 0 && state == PM_MODULE_LOADED)
		return pm_step_finish(s, 0);
	rc = pm_module_load(module);
	if (rc < 0)
		snprintf(s->detail, sizeof(s->detail),
			 "kernel module %s cannot be loaded (%s): install it or modprobe it",
			 module, strerror(-rc));
	return pm_step_finish(s, rc);
}

static int verify(struct pm_kmem_undo *k, struct pm_change_result *res,
		  struct pm_step *s)
{
	struct pm_ns_config *to = &res->to;

	if (to->mode == PM_MODE_SYSTEM_RAM)
		return pm_step_finish(s, pm_kmem_verify(k, to->zone != PM_ZONE_NONE, to->zone,
							&to->zone, &to->target_node,
							s->detail, sizeof(s->detail)));
	if (pm_kmem_bound(k->dev)) {
		snprintf(s->detail, sizeof(s->detail), "%s is still kmem's", k->dev);
		return pm_step_finish(s, -EIO);
	}
	snprintf(s->detail, sizeof(s->detail), "%s is devdax", k->dev);
	return pm_step_finish(s, 0);
}

static int do_step(struct pm_kmem_undo *k, struct pm_change_result *res,
		   struct pm_step *s)
{
	switch (s->action) {
	case PM_ACT_LOAD_KMEM:
		return load("kmem", s);
	case PM_ACT_LOAD_MODULE:
		return load("device_dax", s);
	case PM_ACT_BIND_KMEM:
		return pm_step_finish(s, pm_kmem_bind(k, s->detail, sizeof(s->detail)));
	case PM_ACT_ONLINE_MEMORY:
		return pm_step_finish(s, pm_kmem_online(k, res->to.zone, s->detail,
							sizeof(s->detail)));
	case PM_ACT_OFFLINE_MEMORY:
		return pm_step_finish(s, pm_kmem_offline(k, s->detail, sizeof(s->detail)));
	case PM_ACT_UNBIND_KMEM:
		return pm_step_finish(s, pm_kmem_unbind(k, s->detail, sizeof(s->detail)));
	case PM_ACT_VERIFY:
		return verify(k, res, s);
	default:
		/* The plan of a kept devdax claim has no namespace step. */
		snprintf(s->detail, sizeof(s->detail), "not a step of a dax device");
		return pm_step_finish(s, -EINVAL);
	}
}

/* The memory first, as pm_convert() does: kmem never lets go of online blocks. */
static int rollback(struct pm_kmem_undo *k, struct pm_change_result *res)
{
	struct pm_step *s;

	if (k->bound) {
		s = pm_step_add(res, PM_ACT_ROLLBACK, "rollback-kmem",
				"offline the memory and hand %s back to device_dax", k->dev);
		return pm_step_finish(s, pm_kmem_undo_bind(k));
	}
	if (k->unbound) {
		s = pm_step_add(res, PM_ACT_ROLLBACK, "rollback-kmem",
				"hand %s back to kmem, its blocks online as they were", k->dev);
		return pm_step_finish(s, pm_kmem_undo_unbind(k));
	}
	if (k->blocks_changed) {
		s = pm_step_add(res, PM_ACT_ROLLBACK, "rollback-memory",
				"put every memory block of %s back as it was", k->dev);
		return pm_step_finish(s, pm_kmem_undo_blocks(k));
	}
	return 0;
}

int pm_convert_daxdev(const struct pm_daxdev *dax, const struct pm_convert_request *req,
		      struct pm_change_result *res)
{
	struct pm_region_offer offer = { .dev = dax->region ? dax->region->dev : dax->dev,
					 .has_dax = true, .target_node = dax->target_node };
	struct pm_ns_facts facts = { .dev = dax->dev, .chardev = dax->dev,
				     .raw_size = dax->size, .target_node = dax->target_node };
	struct pm_kmem_undo k = { 0 };
	struct pm_step *failed = NULL;
	char policy[32];
	int rc;

	if (req->mode != PM_MODE_DEVDAX && req->mode != PM_MODE_SYSTEM_RAM) {
		memset(res, 0, sizeof(*res));
		pm_step_refuse(res, pm_step_add(res, PM_ACT_CHECK, "check", "requested %s",
						pm_ns_mode_name(req->mode)),
			       -EOPNOTSUPP,
			       "%s is the dax device of a CXL ram region: devdax or system-ram only",
			       dax->dev);
		return res->err;
	}
	if (req->align && req->align != dax->align) {
		memset(res, 0, sizeof(*res));
		pm_step_refuse(res, pm_step_add(res, PM_ACT_CHECK, "check", "requested %s",
						pm_ns_mode_name(req->mode)),
			       -EINVAL, "the alignment of %s is the kernel's: --align does not apply",
			       dax->dev);
		return res->err;
	}
	facts.config.mode = dax->ram ? PM_MODE_SYSTEM_RAM : PM_MODE_DEVDAX;
	facts.config.align = dax->align;
	facts.config.size = dax->size;
	facts.config.target_node = -1;
	facts.auto_online = pm_auto_online_policy(policy, sizeof(policy)) == 0 ? policy : NULL;
	if (dax->ram) {
		facts.ram = dax->ram;
		facts.config.zone = dax->ram->zone;
		facts.config.target_node = dax->ram->target_node;
	}
	rc = pm_plan_convert(&offer, &facts, req, res);
	if (rc || res->noop || req->dry_run)
		return rc;

	snprintf(k.dev, sizeof(k.dev), "%s", dax->dev);
	for (size_t i = 0; i < res->nr_steps && !rc; i++) {
		struct pm_step *s = &res->steps[i];

		if (s->status != PM_STEP_PLANNED)
			continue;
		rc = do_step(&k, res, s);
		if (rc) {
			res->nr_steps = i + 1;
			failed = s;
		}
	}
	snprintf(res->chardev, sizeof(res->chardev), "%s", dax->dev);
	if (rc)
		res->rolled_back = rollback(&k, res) == 0;
	pm_convert_outcome(req, res, failed, rc);
	/* A refused offline says why itself (the memory in use). */
	if (rc == -EBUSY && failed->action == PM_ACT_OFFLINE_MEMORY)
		snprintf(res->message, sizeof(res->message), "%s", failed->detail);
	pm_kmem_undo_free(&k);
	return rc;
}
