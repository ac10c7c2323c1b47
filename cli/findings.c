// SPDX-License-Identifier: GPL-2.0-or-later
/* The getters of a finding's keys (findings.h), for every command. */
#include "findings.h"
#include "../lib/doctor.h"

#define FINDING(obj) ((const struct pm_finding *)(obj)->ptr)

void finding_get_severity(const struct out_obj *obj, struct out_cell *cell)
{
	cell->str = pm_severity_name(FINDING(obj)->severity);
}

void finding_get_code(const struct out_obj *obj, struct out_cell *cell)
{
	cell->str = FINDING(obj)->code;
}

void finding_get_object(const struct out_obj *obj, struct out_cell *cell)
{
	cell->str = FINDING(obj)->object;
}

void finding_get_message(const struct out_obj *obj, struct out_cell *cell)
{
	cell->str = FINDING(obj)->message;
}

void finding_get_fix(const struct out_obj *obj, struct out_cell *cell)
{
	cell->str = FINDING(obj)->fix;
	cell->null = !cell->str[0];
}
