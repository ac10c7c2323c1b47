/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The keys of a finding (struct pm_finding), declared once for every
 * command that prints findings (doctor, check-labels).
 */
#ifndef PMEMCTL_CLI_FINDINGS_H
#define PMEMCTL_CLI_FINDINGS_H

#include "output.h"

void finding_get_severity(const struct out_obj *obj, struct out_cell *cell);
void finding_get_code(const struct out_obj *obj, struct out_cell *cell);
void finding_get_object(const struct out_obj *obj, struct out_cell *cell);
void finding_get_message(const struct out_obj *obj, struct out_cell *cell);
void finding_get_fix(const struct out_obj *obj, struct out_cell *cell);

/*
 * The columns of a finding kind: prefix heads the column names
 * ("FINDING."), kinds the kind bits, page the man page listing the
 * codes, object_help what the object names.
 */
#define FINDING_COLUMNS(prefix, kinds, page, object_help)			\
	{ prefix "SEVERITY", "severity", "info, warning or error",		\
	  OUT_STRING, kinds, 0, finding_get_severity },				\
	{ prefix "CODE", "code", "a stable id (see FINDINGS in " page ")",	\
	  OUT_STRING, kinds, 0, finding_get_code },				\
	{ prefix "OBJECT", "object", object_help, OUT_STRING, kinds, 0,	\
	  finding_get_object },							\
	{ prefix "MESSAGE", "message", "what was found", OUT_STRING, kinds,	\
	  0, finding_get_message },						\
	{ prefix "FIX", "fix", "what to do about it, or null", OUT_STRING,	\
	  kinds, 0, finding_get_fix }

#endif
