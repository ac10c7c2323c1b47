/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The column table of platform objects (buses, DIMMs, regions, ...). */
#ifndef PMEMCTL_COLUMNS_H
#define PMEMCTL_COLUMNS_H

#include "output.h"

struct pm_platform;

extern const struct out_spec object_spec;

/* -H: the health keys (JSON), or the health columns of the table. */
int object_select_health(struct out_selection *sel, bool json);
/* show: why a DIMM's SMART values are null. */
int object_select_health_reason(struct out_selection *sel);
/* -F: the firmware keys (JSON), or the firmware columns of the table. */
int object_select_firmware(struct out_selection *sel, bool json);
/* show: why a DIMM's firmware values are null. */
int object_select_firmware_reason(struct out_selection *sel);
/* Whether Get Firmware Info was refused for want of privilege. */
bool object_firmware_denied(const struct pm_platform *pf);
/* -i in the table: STATE and STATE_REASON, unless -o names the columns. */
int object_select_state(struct out_selection *sel);
/* -M: badblock_count and the badblocks arrays (JSON). */
int object_select_media_errors(struct out_selection *sel);
/* -M on a CXL platform: the poison keys of ranges, and why none were read. */
int object_select_poison(struct out_selection *sel, const struct pm_platform *pf);
/* The "badblocks" entries under regions and namespaces, when selected. */
int object_add_badblocks(struct out_node *root, const struct out_selection *sel);
/* On a CXL platform: the CXL keys of regions and DIMMs in JSON. */
int object_select_cxl(struct out_selection *sel, const struct pm_platform *pf);
/* A CXL region's memdevs and a memdev's health, when selected (JSON). */
int object_add_cxl(struct out_node *root, const struct out_selection *sel);
/* Whether SMART was read and refused for want of privilege. */
bool object_health_denied(const struct pm_platform *pf);

#endif
