// SPDX-License-Identifier: GPL-2.0-or-later
/* pmemctl: the command table, global options and shared helpers. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../lib/compat.h"
#include "pmemctl.h"
#include "../lib/pmem.h"
#include "../lib/host.h"
#include "../lib/report.h"

static const struct command commands[] = {
	{ "list", cmd_list,
	  "list buses, DIMMs, regions, namespaces and dax devices", true, GROUP_INSPECT },
	{ "convert", cmd_convert,
	  "convert a namespace: devdax, fsdax, sector or raw", false, GROUP_PROVISION },
	{ "init-labels", cmd_init_labels,
	  "initialise the label areas of DIMMs (blank or new ones)", false, GROUP_PROVISION },
	{ "zero-labels", cmd_zero_labels,
	  "zero the label areas of DIMMs: their namespaces go", false, GROUP_PROVISION },
	{ "restore-labels", cmd_restore_labels,
	  "write a label backup back to its DIMM", false, GROUP_PROVISION },
	{ "create-namespace", cmd_create_namespace,
	  "create a namespace in a labelled region", false, GROUP_PROVISION },
	{ "destroy-namespace", cmd_destroy_namespace,
	  "destroy a namespace, refusing while it is in use", false, GROUP_PROVISION },
	{ "create-region", cmd_create_region,
	  "create a CXL pmem region interleaving the memdevs named", false, GROUP_PROVISION },
	{ "destroy-region", cmd_destroy_region,
	  "destroy a CXL region, refusing while a namespace is in use", false, GROUP_PROVISION },
	{ "enable", cmd_enable,
	  "enable namespaces, regions, DIMMs, memdevs, CXL regions", false, GROUP_PROVISION },
	{ "disable", cmd_disable,
	  "disable them in the kernel's order, refusing while in use", false, GROUP_PROVISION },
	{ "deep-flush", cmd_deep_flush,
	  "flush a region's write-pending queues (sysfs or fsync)", false, GROUP_MAINTAIN },
	{ "doctor", cmd_doctor,
	  "is data durable here? findings and what a program must do", true, GROUP_DIAGNOSE },
	{ "read-labels", cmd_read_labels,
	  "decode the namespace label areas of DIMMs; --backup DIR", false, GROUP_DIAGNOSE },
	{ "check-labels", cmd_check_labels,
	  "validate label areas: index blocks, overlaps, lost labels", false, GROUP_DIAGNOSE },
	{ "report", cmd_report,
	  "write a support bundle that --sysroot replays elsewhere", false, GROUP_DIAGNOSE },
	{ "show", cmd_show,
	  "persistence verdict, and regions and namespaces in detail", true, GROUP_INSPECT },
	{ "metrics", cmd_metrics,
	  "the platform's state as Prometheus metrics (textfile)", true, GROUP_FLEET },
	{ "probe", cmd_probe,
	  "measure what making a store durable costs on a target", false, GROUP_DIAGNOSE },
	{ "clear-errors", cmd_clear_errors,
	  "clear the media errors of a namespace or region not in use", false, GROUP_MAINTAIN },
	{ "scrub", cmd_scrub,
	  "start an address range scrub; --wait shows the media errors", false, GROUP_MAINTAIN },
	{ "inject-error", cmd_inject_error,
	  "a media error drill: poison under a namespace or a file", false, GROUP_DIAGNOSE },
	{ "inject-smart", cmd_inject_smart,
	  "a health drill: a DIMM reports the SMART values given", false, GROUP_DIAGNOSE },
	{ "update-firmware", cmd_update_firmware,
	  "stage a firmware image on DIMMs; --activate activates it", false, GROUP_MAINTAIN },
	{ "set-passphrase", cmd_set_passphrase,
	  "set up or change a DIMM's passphrase (ndctl's key files)", false, GROUP_MAINTAIN },
	{ "remove-passphrase", cmd_remove_passphrase,
	  "remove a DIMM's passphrase and its key", false, GROUP_MAINTAIN },
	{ "freeze-security", cmd_freeze_security,
	  "no passphrase change or erase on a DIMM until a reboot", false, GROUP_MAINTAIN },
	{ "sanitize-dimm", cmd_sanitize_dimm,
	  "crypto-erase or overwrite a DIMM: all its data destroyed", false, GROUP_MAINTAIN },
	{ "load-keys", cmd_load_keys,
	  "load the DIMMs' keys and unlock locked DIMMs (boot)", false, GROUP_MAINTAIN },
	{ "monitor", cmd_monitor,
	  "wait for DIMM health events and print one line per event", false, GROUP_FLEET },
};

#define NR_COMMANDS (ARRAY_SIZE(commands))

static const char *const group_titles[NR_COMMAND_GROUPS] = {
	[GROUP_INSPECT] = "Inspect the platform",
	[GROUP_DIAGNOSE] = "Diagnose durability and damage",
	[GROUP_PROVISION] = "Provision regions and namespaces",
	[GROUP_MAINTAIN] = "Maintain the media and the data on it",
	[GROUP_FLEET] = "Serve a fleet",
};

/* "list, doctor, show and metrics": the commands --sysroot replays. */
static const char *replayable_commands(void)
{
	static char text[256];
	size_t len = 0, count = 0, nr = 0;

	for (size_t i = 0; i < NR_COMMANDS; i++)
		nr += commands[i].replayable;
	for (size_t i = 0; i < NR_COMMANDS && len < sizeof(text); i++) {
		if (!commands[i].replayable)
			continue;
		count++;
		len += snprintf(text + len, sizeof(text) - len, "%s%s",
				count == 1 ? "" : count == nr ? " and " : ", ",
				commands[i].name);
	}
	return text;
}

static void usage(FILE *f)
{
	size_t width = 0;

	for (size_t i = 0; i < NR_COMMANDS; i++)
		if (strlen(commands[i].name) > width)
			width = strlen(commands[i].name);
	fprintf(f,
		"Usage: pmemctl [--sysroot REPORT] <command> [options]\n"
		"       pmemctl --help | --version | --list-cmds\n"
		"\n"
		"Administration and diagnostics of Linux persistent memory.\n");
	for (int g = 0; g < NR_COMMAND_GROUPS; g++) {
		fprintf(f, "\n%s:\n", group_titles[g]);
		for (size_t i = 0; i < NR_COMMANDS; i++)
			if (commands[i].group == (enum command_group)g)
				fprintf(f, "  %-*s  %s\n", (int)width,
					commands[i].name, commands[i].summary);
	}
	fprintf(f,
		"\n"
		"--sysroot REPORT runs %s against a bundle\n"
		"written by 'pmemctl report' (or the directory it was extracted\n"
		"to), as the machine it came from saw them.\n"
		"\n"
		"Run 'pmemctl <command> --help' for a command's options, and\n"
		"see pmemctl(1) for exit codes.\n", replayable_commands());
}

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < NR_COMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

int main(int argc, char **argv)
{
	struct pmemctl_ctx ctx = { 0 };
	const struct command *cmd;
	int rc;

	/*
	 * A closed pipe must surface as a write error at exit, not as a
	 * silent death by SIGPIPE halfway through a JSON document.
	 */
	signal(SIGPIPE, SIG_IGN);
	out_table_locale = cli_setlocale;

	if (argc < 2)
		return cli_usage_error(NULL, "no command given");
	if (strcmp(argv[1], "--sysroot") == 0 || strncmp(argv[1], "--sysroot=", 10) == 0) {
		bool separate = argv[1][9] == '\0';

		ctx.sysroot = separate ? argv[2] : argv[1] + 10;
		if (!ctx.sysroot || !ctx.sysroot[0])
			return cli_usage_error(NULL, "--sysroot needs a report: a .tar.gz bundle or its directory");
		argc -= separate ? 2 : 1;
		argv += separate ? 2 : 1;
		if (argc < 2)
			return cli_usage_error(NULL, "no command given");
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		if (argc > 2 && !find_command(argv[2]))
			return cli_usage_error(NULL, "'%s' is not a pmemctl command",
					       argv[2]);
		if (argc > 2) {
			char *help_argv[] = { argv[2], "--help", NULL };

			ctx.cmd = argv[2];
			return finish_stdout(find_command(argv[2])->fn(2, help_argv, &ctx));
		}
		usage(stdout);
		return finish_stdout(EXIT_OK);
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("pmemctl %s\n", PACKAGE_VERSION);
		return finish_stdout(EXIT_OK);
	}
	if (strcmp(argv[1], "--list-cmds") == 0) {
		bool replayable_only = argc > 2 && strcmp(argv[2], "--replayable") == 0;

		if (argc > 2 && !replayable_only)
			return cli_usage_error(NULL, "--list-cmds takes only --replayable");
		for (size_t i = 0; i < NR_COMMANDS; i++)
			if (!replayable_only || commands[i].replayable)
				printf("%s\n", commands[i].name);
		return finish_stdout(EXIT_OK);
	}
	if (argv[1][0] == '-')
		return cli_usage_error(NULL, "unknown option '%s'", argv[1]);

	cmd = find_command(argv[1]);
	if (!cmd)
		return cli_usage_error(NULL, "'%s' is not a pmemctl command",
				       argv[1]);
	ctx.cmd = cmd->name;
	/*
	 * The commands that only read (those --sysroot replays) bind no
	 * driver: their libraries look up no kernel module (lib/modules.c).
	 */
	if (cmd->replayable)
		pm_modules_read_only();
	if (ctx.sysroot) {
		char why[512];

		cli_setlocale();	/* libarchive converts the bundle's names */

		if (!cmd->replayable)
			return cli_usage_error(NULL, "'%s' does not run on a replayed report: --sysroot replays %s",
					       cmd->name, replayable_commands());
		rc = pm_replay_enter(ctx.sysroot, why, sizeof(why));
		if (rc) {
			cli_error(ctx.sysroot, "%s", why);
			return cli_exit_code(rc);
		}
	}
	rc = cmd->fn(argc - 1, argv + 1, &ctx);
	rc = finish_stdout(rc);
	/* What the replay left out of a hostile bundle; the exit code stays. */
	for (size_t i = 0; ctx.sysroot && pm_host_note_at(i); i++)
		cli_error(ctx.sysroot, "note: %s", pm_host_note_at(i));
	pm_platform_free(ctx.platform);
	return rc;
}
