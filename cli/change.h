/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One runner for the verbs that change the platform; each verb a table. */
#ifndef PMEMCTL_CHANGE_H
#define PMEMCTL_CHANGE_H

#include "pmemctl.h"
#include "../lib/change.h"
#include "../lib/convert.h"

/* What a verb may name. */
enum change_target {
	CHANGE_NAMESPACE = 1 << 0,	/* namespace0.0, pmem0, /dev/dax0.0, ... */
	CHANGE_REGION = 1 << 1,		/* region0 */
	/*
	 * The verb finds its own targets (create-region's memdevs,
	 * destroy-region's CXL region): its resolve callback, over every
	 * name after the options.
	 */
	CHANGE_OWN = 1 << 2,
};

enum change_flags {
	CHANGE_REFUSE_IN_USE = 1 << 0,	/* a target in use is refused, its holder named */
	/*
	 * A namespace with a personality or a filesystem signature needs
	 * --force, or a yes on a terminal.
	 */
	CHANGE_ASK_DATA = 1 << 1,
	/*
	 * The plan destroys data whatever the target holds (clear-errors):
	 * --force, or a yes to the plan's message on a terminal.
	 */
	CHANGE_ASK_PLAN = 1 << 2,
	/*
	 * The verb takes a namespace whose memory is system RAM (kmem) out
	 * of the kernel's hands itself: it is neither in use nor data.
	 */
	CHANGE_SYSTEM_RAM = 1 << 3,
	/*
	 * CHANGE_OWN: the lock is the object's own (a DIMM's), not the one
	 * all CXL region changes share.
	 */
	CHANGE_LOCK_OBJECT = 1 << 4,
	/*
	 * CHANGE_OWN: when every name is a namespace as the kernel names it
	 * (namespaceX.Y), all in one region, the verb plans on that region
	 * alone (enable, disable): the snapshot reads its namespaces and no
	 * DIMM, and the lock reads them again, as for a namespace target.
	 */
	CHANGE_OWN_NAMESPACES = 1 << 5,
	/*
	 * CHANGE_CXL_DAX: the dax device of a CXL ram region is a target
	 * too (t.daxdev and its region, t.ns NULL): convert.
	 */
	CHANGE_CXL_DAX = 1 << 6,
};

/* Long options of the verbs are numbered from here. */
enum {
	CHANGE_OPT_DRY_RUN = OPT_FIRST_COMMAND_OPT,
	CHANGE_OPT_MOVABLE,		/* the namespace options below */
	CHANGE_OPT_NO_MOVABLE,
	CHANGE_OPT_NO_ONLINE,
	CHANGE_OPT_FIRST,
};

/* The help of the namespace group's rows, written once for both forms. */
#define CHANGE_ALIGN_HELP "fsdax/devdax alignment: 4K, 2M, 1G\n(default 2M)"
#define CHANGE_MAP_HELP "page map in mem or on the dev (default)"
#define CHANGE_SECTOR_SIZE_HELP "sector mode: 512 or 4096 (default)"
#define CHANGE_MOVABLE_HELP "system-ram: online to ZONE_MOVABLE\n(default: it can be offlined again)"
#define CHANGE_NO_MOVABLE_HELP "system-ram: online to ZONE_NORMAL"
#define CHANGE_NO_ONLINE_HELP "system-ram: bind kmem, leave the memory\noffline"

/* Each reads one option of the group into the request; an exit code. */
int change_parse_mode(struct pmemctl_ctx *ctx, const char *arg, void *mode);
int change_parse_align(struct pmemctl_ctx *ctx, const char *arg, void *align);
int change_parse_map(struct pmemctl_ctx *ctx, const char *arg, void *map);
int change_parse_sector_size(struct pmemctl_ctx *ctx, const char *arg,
			     void *sector_size);

/*
 * What a namespace becomes, as convert and create-namespace both take it,
 * bound to the struct pm_convert_request req points at (a mode not given
 * stays as it was set before); mode_help names the verb's default.
 */
#define CHANGE_NAMESPACE_GROUP(req, mode_help)				\
	OPT_CALLBACK('m', "mode", &(req)->mode, "MODE", mode_help,	\
		     change_parse_mode),				\
	OPT_CALLBACK('a', "align", &(req)->align, "SIZE", CHANGE_ALIGN_HELP, \
		     change_parse_align),				\
	OPT_CALLBACK('M', "map", &(req)->map, "WHERE", CHANGE_MAP_HELP,	\
		     change_parse_map),					\
	OPT_CALLBACK('l', "sector-size", &(req)->sector_size, "N",	\
		     CHANGE_SECTOR_SIZE_HELP, change_parse_sector_size), \
	OPT_FLAG_OFF(CHANGE_OPT_MOVABLE, "movable", &(req)->no_movable,	\
		     CHANGE_MOVABLE_HELP),				\
	OPT_FLAG(CHANGE_OPT_NO_MOVABLE, "no-movable", &(req)->no_movable, \
		 CHANGE_NO_MOVABLE_HELP),				\
	OPT_FLAG(CHANGE_OPT_NO_ONLINE, "no-online", &(req)->no_online,	\
		 CHANGE_NO_ONLINE_HELP)

#define CHANGE_MAX_LOCKS 40

/* One run of a verb: what the runner found, and what the callbacks share. */
struct change {
	struct pmemctl_ctx *ctx;
	const struct change_verb *verb;
	void *args;			/* the verb's own options */
	bool force, dry_run, json;
	struct pm_platform *pf;		/* the snapshot the target is in */
	struct pm_target t;		/* t.ns, or t.region alone */
	char object[64];		/* the name messages and the report carry */
	struct pm_change_result *res;
	int lock;			/* -1, or the held lock */
	int scope_lock;			/* -1, or the held lock of the region's scope */
	bool confirmed;			/* a yes was given: not asked twice */
	char **names;			/* CHANGE_OWN: the names given */
	char scope[32];			/* CHANGE_OWN_NAMESPACES: their region, or "" */
	int nr_names;
	bool nothing_to_lose;		/* the plan says: CHANGE_ASK_PLAN need not ask */
	int more_locks[CHANGE_MAX_LOCKS]; /* change_lock_more()'s, -1 unused */
	size_t nr_more_locks;
};

/*
 * A changing verb, after ndctl's do_xaction_namespace(): the runner parses
 * the options (the verb's own, then -f when the verb says what it forces,
 * --dry-run, -J, -h and --list-opts), takes exactly one target of the
 * verb's kinds, then follows one of two sequences:
 *   with a plan callback (convert): [lock] plan - root - guards - run;
 *     a bad request or a no-op needs neither root nor the guards;
 *   without (create-namespace, destroy-namespace): root - guards -
 *     [lock - guards again] - run, the run doing the dry run too.
 * [lock]: root, outside --dry-run, takes the target's lock and a fresh
 * snapshot (with a plan, of a target named as the kernel names it: the
 * lock before the one snapshot). The report and its exit code end both.
 */
struct change_verb {
	const char *doing;		/* "converting": for needs-root and refusals */
	unsigned int targets;		/* enum change_target bits */
	unsigned int flags;		/* enum change_flags */
	/* --help: the usage line and what the verb does, then its options */
	const char *usage;
	const char *usage_end;		/* after the options (exit codes); NULL */
	const struct cli_option *options; /* the verb's own rows; CLI_END */
	const char *force_help;		/* what -f, --force allows; NULL: no -f */
	/* One of the verb's options: an exit code, or -1 when c is not one. */
	int (*option)(struct change *ch, int c, const char *arg);
	/* After the options, before the platform is read: an exit code. */
	int (*check)(struct change *ch);
	/*
	 * Optional: fills ch->res with the plan (or a no-op, or why not)
	 * without changing anything; 0 or -errno.
	 */
	int (*plan)(struct change *ch);
	/* The change; without a plan callback, also its dry run. -errno. */
	int (*run)(struct change *ch);
	/*
	 * CHANGE_OWN: finds ch->names in ch->pf, sets ch->object (and
	 * ch->t.region, whose namespaces the guards check and which it
	 * ends: the runner then holds the region's scope exclusively). An
	 * exit code, its message printed. Called again on the fresh
	 * snapshot under the lock (the lock of CXL regions, one for all).
	 */
	int (*resolve)(struct change *ch);
	const char *noun;		/* CHANGE_OWN: what the names are ("memdev") */
	/*
	 * A verb whose target is a region holds the region's scope alone
	 * (no change of its namespaces meanwhile): what it does to the
	 * region, for the one refused ("destroying it").
	 */
	const char *whole;
	/*
	 * CHANGE_OWN, optional: the lock the runner takes first (NULL: the
	 * one of CXL regions); resolve takes the targets' own under it
	 * with change_lock_more() (ch->lock >= 0 says it is called so).
	 */
	const char *lock;
	/*
	 * Optional, CHANGE_OWN: the guards of targets the runner does not
	 * know (with CHANGE_REFUSE_IN_USE): an exit code, the holder named.
	 */
	int (*guard)(struct change *ch);
	/* Optional: after ns was refused as in use, what to do instead. */
	void (*in_use)(struct change *ch, const struct pm_namespace *ns);
};

/* Runs verb over argv; args is handed to the callbacks. An exit code. */
int change_run(struct pmemctl_ctx *ctx, const struct change_verb *verb,
	       void *args, int argc, char **argv);

/*
 * One more lock, held until the run ends (a region's scope: "regionN.scope"
 * as the runner names it, or an object's name): an exit code, its message
 * printed. doing: what an exclusive holder writes into it.
 */
int change_lock_more(struct change *ch, const char *name, bool shared,
		     const char *doing);

/* Human summary (steps on failure or --dry-run) or the JSON document. */
void change_report(const char *object, const struct pm_change_result *res,
		   bool json, bool dry_run);
/* The report's JSON keys, each declared once with its type and help. */
extern const struct out_spec change_report_spec;

#endif
