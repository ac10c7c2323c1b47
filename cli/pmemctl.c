// SPDX-License-Identifier: GPL-2.0-or-later
/* pmemctl: the command table, global options and shared helpers. */
#include <errno.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pmemctl.h"
#include "../lib/pmem.h"

static const struct command commands[] = {
	{ "list", cmd_list,
	  "list buses, DIMMs, regions, namespaces and dax devices" },
	{ "convert", cmd_convert,
	  "change a namespace's mode safely (devdax, fsdax, sector, raw)" },
	{ "create-namespace", cmd_create_namespace,
	  "create a namespace in a labelled region" },
	{ "destroy-namespace", cmd_destroy_namespace,
	  "destroy a namespace, refusing while it is in use" },
	{ "deep-flush", cmd_deep_flush,
	  "flush a region's write-pending queues (sysfs or fsync)" },
	{ "doctor", cmd_doctor,
	  "is data durable here? findings and what a program must do" },
	{ "show", cmd_show,
	  "persistence verdict and a detailed view of regions and namespaces" },
	{ "probe", cmd_probe,
	  "measure what making a store durable costs on a target" },
};

#define NR_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: pmemctl <command> [options]\n"
		"       pmemctl --help | --version | --list-cmds\n"
		"\n"
		"Administration and diagnostics of Linux persistent memory.\n"
		"\n"
		"Commands:\n");
	for (size_t i = 0; i < NR_COMMANDS; i++)
		fprintf(f, "  %-14s %s\n", commands[i].name, commands[i].summary);
	fprintf(f,
		"\n"
		"Run 'pmemctl <command> --help' for a command's options, and\n"
		"see pmemctl(1) for exit codes.\n");
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

	setlocale(LC_ALL, "");
	/*
	 * A closed pipe must surface as a write error at exit, not as a
	 * silent death by SIGPIPE halfway through a JSON document.
	 */
	signal(SIGPIPE, SIG_IGN);

	if (argc < 2)
		return pm_usage_error(NULL, "no command given");
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		if (argc > 2 && !find_command(argv[2]))
			return pm_usage_error(NULL, "'%s' is not a pmemctl command",
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
		for (size_t i = 0; i < NR_COMMANDS; i++)
			printf("%s\n", commands[i].name);
		return finish_stdout(EXIT_OK);
	}
	if (argv[1][0] == '-')
		return pm_usage_error(NULL, "unknown option '%s'", argv[1]);

	cmd = find_command(argv[1]);
	if (!cmd)
		return pm_usage_error(NULL, "'%s' is not a pmemctl command",
				      argv[1]);
	ctx.cmd = cmd->name;
	rc = cmd->fn(argc - 1, argv + 1, &ctx);
	rc = finish_stdout(rc);
	pm_platform_free(ctx.platform);
	return rc;
}
