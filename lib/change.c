// SPDX-License-Identifier: GPL-2.0-or-later
/* A change's steps: appended as planned, closed as done or failed. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "change.h"

struct pm_step *pm_step_add(struct pm_change_result *res,
			    enum pm_step_action action, const char *name,
			    const char *fmt, ...)
{
	static struct pm_step overflow;
	struct pm_step *s;
	va_list ap;

	if (res->nr_steps == PM_MAX_STEPS)
		s = &overflow;
	else
		s = &res->steps[res->nr_steps++];
	memset(s, 0, sizeof(*s));
	s->name = name;
	s->action = action;
	va_start(ap, fmt);
	vsnprintf(s->detail, sizeof(s->detail), fmt, ap);
	va_end(ap);
	return s;
}

int pm_step_refuse(struct pm_change_result *res, struct pm_step *check, int rc,
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

int pm_step_close(struct pm_step *s, int rc)
{
	s->err = rc < 0 ? rc : 0;
	s->status = rc < 0 ? PM_STEP_FAILED : PM_STEP_DONE;
	return rc < 0 ? rc : 0;
}

int pm_step_finish(struct pm_step *s, int rc)
{
	const char *inject = getenv("PMEMCTL_TEST_FAIL_STEP");

	if (!rc && inject && strcmp(inject, s->name) == 0)
		rc = -EIO;
	return pm_step_close(s, rc);
}

const char *pm_step_status_name(enum pm_step_status status)
{
	switch (status) {
	case PM_STEP_PLANNED:
		return "planned";
	case PM_STEP_DONE:
		return "done";
	case PM_STEP_FAILED:
		return "failed";
	default:
		return "undone";
	}
}
