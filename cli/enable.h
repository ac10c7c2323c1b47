/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What pmemctl enable and disable share (cli/enable.c). */
#ifndef PMEMCTL_CLI_ENABLE_H
#define PMEMCTL_CLI_ENABLE_H

#include "change.h"
#include "../lib/enable.h"

#define OBJECTS_HELP \
	"OBJECT: a namespace (namespaceX.Y, pmemN, daxX.Y, a device node),\n" \
	"a region (regionN), a DIMM (nmemN), a CXL memdev (memN) or a CXL\n" \
	"region (cxl:regionN). Objects already so are left as they are\n" \
	"(changed: false). A failed step undoes those before it.\n" \
	"\n"

/* The change runner's callbacks of both verbs. */
int enable_resolve(struct change *ch);
int enable_guard(struct change *ch);
int enable_plan(struct change *ch);
int enable_run(struct change *ch);

#endif
