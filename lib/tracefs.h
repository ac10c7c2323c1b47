/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tracefs: where it is, tracing instances of our own, the words of a trace line. */
#ifndef PMEMCTL_TRACEFS_H
#define PMEMCTL_TRACEFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The mounted tracefs (its events/ directory exists or is root's), or NULL. */
const char *pm_tracefs_root(void);
/* Writes s whole into an existing file: 0 or -errno. */
int pm_tracefs_write(const char *path, const char *s);
/*
 * Makes the instance root/instances/name (0700), after removing those
 * that processes now gone left behind (pmemctl-[monitor-]PID...). Its
 * path into path; 0 or -errno.
 */
int pm_tracefs_instance(const char *root, const char *name, char *path,
			size_t len);

/*
 * The value of " key=" in a trace line (or at its start): a word, or the
 * text between quotes when it starts with one (key='a b'). Copied into
 * out; false when absent or longer than len - 1.
 */
bool pm_trace_field(const char *line, const char *key, char *out, size_t len);
/* A number field in the base given (0: C's prefixes); false when not one. */
bool pm_trace_number(const char *line, const char *key, int base, uint64_t *out);

#endif
