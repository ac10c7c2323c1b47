// SPDX-License-Identifier: GPL-2.0-or-later
/* pmemctl inject-smart: a health drill through the DIMM's SMART injection. */
#include <math.h>
#include <stdlib.h>

#include "change.h"
#include "../lib/inject.h"

enum {
	OPT_MEDIA_TEMPERATURE_UNINJECT = CHANGE_OPT_FIRST,
	OPT_CTRL_TEMPERATURE_UNINJECT,
	OPT_SPARES_UNINJECT,
	OPT_FATAL,
	OPT_FATAL_UNINJECT,
	OPT_UNSAFE_SHUTDOWN_UNINJECT,
};

static const struct cli_option options[] = {
	{ "media-temperature", 'm', "CELSIUS", "report this media temperature" },
	{ "media-temperature-uninject", OPT_MEDIA_TEMPERATURE_UNINJECT, NULL, "its own media temperature again" },
	{ "ctrl-temperature", 'c', "CELSIUS", "report this controller temperature" },
	{ "ctrl-temperature-uninject", OPT_CTRL_TEMPERATURE_UNINJECT, NULL, "its own controller temperature again" },
	{ "spares", 's', "PERCENT", "report this much spare capacity left" },
	{ "spares-uninject", OPT_SPARES_UNINJECT, NULL, "its own spares again" },
	{ "fatal", OPT_FATAL, NULL, "report a fatal health state" },
	{ "fatal-uninject", OPT_FATAL_UNINJECT, NULL, "its own health state again" },
	{ "unsafe-shutdown", 'U', NULL, "report an unsafe shutdown (the count rises)" },
	{ "unsafe-shutdown-uninject", OPT_UNSAFE_SHUTDOWN_UNINJECT, NULL,
	  "no more unsafe shutdown injected" },
	{ "uninject-all", 'N', NULL, "uninject every field the DIMM injects" },
	CLI_END,
};

static int temperature(struct change *ch, const char *arg, double *value)
{
	char *end;

	*value = strtod(arg, &end);
	if (end == arg || *end || !isfinite(*value) || *value < -2047 || *value > 2047)
		return cli_usage_error(ch->ctx, "bad temperature '%s': degrees Celsius, such as 60 or 42.5",
				       arg);
	return EXIT_OK;
}

static int set(struct pm_smart_request *req, enum pm_smart_field f, bool inject)
{
	if (inject)
		req->inject |= 1u << f;
	else
		req->uninject |= 1u << f;
	return EXIT_OK;
}

static int option(struct change *ch, int c, const char *arg)
{
	struct pm_smart_request *req = ch->args;
	unsigned long spares;
	char *end;

	switch (c) {
	case 'm':
		set(req, PM_SMART_MEDIA_TEMPERATURE, true);
		return temperature(ch, arg, &req->media_temperature);
	case 'c':
		set(req, PM_SMART_CTRL_TEMPERATURE, true);
		return temperature(ch, arg, &req->ctrl_temperature);
	case 's':
		spares = strtoul(arg, &end, 10);
		if (end == arg || *end || spares > 100)
			return cli_usage_error(ch->ctx, "bad spares '%s': a percentage, 0 to 100", arg);
		req->spares = spares;
		return set(req, PM_SMART_SPARES, true);
	case OPT_FATAL:
		return set(req, PM_SMART_FATAL, true);
	case 'U':
		return set(req, PM_SMART_UNSAFE_SHUTDOWN, true);
	case OPT_MEDIA_TEMPERATURE_UNINJECT:
		return set(req, PM_SMART_MEDIA_TEMPERATURE, false);
	case OPT_CTRL_TEMPERATURE_UNINJECT:
		return set(req, PM_SMART_CTRL_TEMPERATURE, false);
	case OPT_SPARES_UNINJECT:
		return set(req, PM_SMART_SPARES, false);
	case OPT_FATAL_UNINJECT:
		return set(req, PM_SMART_FATAL, false);
	case OPT_UNSAFE_SHUTDOWN_UNINJECT:
		return set(req, PM_SMART_UNSAFE_SHUTDOWN, false);
	case 'N':
		req->all = true;
		return EXIT_OK;
	default:
		return -1;
	}
}

static int check(struct change *ch)
{
	struct pm_smart_request *req = ch->args;
	unsigned int both = req->inject & req->uninject;

	for (int f = 0; f < PM_SMART_NR_FIELDS; f++)
		if (both & (1u << f))
			return cli_usage_error(ch->ctx, "%s: inject or uninject, not both",
					       pm_smart_field_name(f));
	if (req->all && req->inject)
		return cli_usage_error(ch->ctx, "--uninject-all takes every field back: nothing to inject with it");
	if (!req->inject && !req->uninject && !req->all)
		return cli_usage_error(ch->ctx, "nothing to inject: name a field (see --help)");
	if (ch->nr_names != 1)
		return cli_usage_error(ch->ctx, "one DIMM at a time");
	return EXIT_OK;
}

static int resolve(struct change *ch)
{
	struct pm_dimm *dimm = pm_find_dimm(ch->pf, ch->names[0]);

	if (!dimm) {
		cli_error(ch->names[0], "no such DIMM (pmemctl list -D names them)");
		return EXIT_NOT_FOUND;
	}
	snprintf(ch->object, sizeof(ch->object), "%s", dimm->dev);
	return EXIT_OK;
}

static int plan(struct change *ch)
{
	struct pm_smart_request *req = ch->args;

	req->dry_run = true;
	return pm_inject_smart(pm_find_dimm(ch->pf, ch->object), req, ch->res);
}

static int run(struct change *ch)
{
	struct pm_smart_request *req = ch->args;

	req->dry_run = false;
	return pm_inject_smart(pm_find_dimm(ch->pf, ch->object), req, ch->res);
}

static const struct change_verb inject_smart = {
	.doing = "injecting SMART health",
	.targets = CHANGE_OWN,
	.noun = "DIMM",
	.flags = CHANGE_LOCK_OBJECT,
	.usage = "Usage: pmemctl inject-smart [options] DIMM\n"
		 "\n"
		 "A health drill: the DIMM's SMART injection (nfit_test, or firmware\n"
		 "with the command) makes it report the values given, and raises a\n"
		 "health event that pmemctl monitor sees. No data is touched. Each\n"
		 "--FIELD-uninject gives the DIMM's own value back.\n"
		 "\n",
	.usage_end = "\n"
		     "Exit: 0 done, 2 bad option, 3 no such DIMM, 4 not root, 5 no\n"
		     "SMART injection here, 1 the DIMM refused or does not report it.\n"
		     "See pmemctl-inject-smart(1).\n",
	.options = options,
	.option = option,
	.check = check,
	.plan = plan,
	.run = run,
	.resolve = resolve,
};

int cmd_inject_smart(int argc, char **argv, struct pmemctl_ctx *ctx)
{
	struct pm_smart_request req = { .dry_run = true };

	return change_run(ctx, &inject_smart, &req, argc, argv);
}
