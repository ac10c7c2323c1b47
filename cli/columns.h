/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The column table of platform objects (buses, DIMMs, regions, ...). */
#ifndef PMEMCTL_COLUMNS_H
#define PMEMCTL_COLUMNS_H

#include "output.h"

extern const struct out_spec object_spec;

#endif
