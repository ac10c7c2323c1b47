// SPDX-License-Identifier: GPL-2.0-or-later
/* What read-labels and check-labels share: the DIMMs named, reading their areas. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "labels-cli.h"
#include "pmemctl.h"
#include "../lib/pmem.h"

int labels_dimms(struct pmemctl_ctx *ctx, const struct pm_platform *pf,
		 int argc, char **argv, const struct pm_dimm ***dimms,
		 size_t *nr)
{
	const struct pm_dimm **list = calloc(argc + pf->nr_dimms + 1, sizeof(*list));

	*nr = 0;
	*dimms = list;
	if (!list)
		return EXIT_FAIL;
	for (int i = 0; i < argc; i++) {
		const struct pm_dimm *dimm = pm_find_dimm(pf, argv[i]);
		bool dup = false;

		if (!dimm) {
			cli_error(argv[i], "no such DIMM (pmemctl list -D lists them)");
			free(list);
			*dimms = NULL;
			return EXIT_NOT_FOUND;
		}
		for (size_t k = 0; k < *nr; k++)
			dup |= list[k] == dimm;
		if (!dup)
			list[(*nr)++] = dimm;
	}
	for (size_t i = 0; !argc && i < pf->nr_dimms; i++)
		list[(*nr)++] = pf->dimms[i];
	(void)ctx;
	return EXIT_OK;
}

int labels_read_error(const struct pm_dimm *dimm, int err)
{
	switch (err) {
	case -EACCES:
		cli_error(dimm->dev, "reading a label area needs root (the DIMM's commands go through /dev/%s)",
			  dimm->dev);
		return EXIT_PERMISSION;
	case -ENOTTY:
		cli_error(dimm->dev, "no label area: the DIMM does not offer the label commands");
		return EXIT_UNSUPPORTED;
	case -EOPNOTSUPP:
		cli_error(dimm->dev, "label areas are read from the DIMM itself: a replayed bundle has none");
		return EXIT_UNSUPPORTED;
	case -EINVAL:
		cli_error(dimm->dev, "the label area is too small to hold two index blocks and two labels");
		return EXIT_FAIL;
	default:
		cli_error(dimm->dev, "reading the label area: %s", strerror(-err));
		return cli_exit_code(err);
	}
}
