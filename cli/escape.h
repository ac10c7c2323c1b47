/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Strings from sysfs, bundles and file names made safe for a terminal or JSON. */
#ifndef PMEMCTL_ESCAPE_H
#define PMEMCTL_ESCAPE_H

#include <stddef.h>

enum esc_flags {
	/*
	 * Raw output (-r), split on blanks by scripts: blanks and every
	 * escaped byte as \xNN, the backslash too (\x5c).
	 */
	ESC_RAW = 1 << 0,
	/*
	 * Every control character as \xNN too (no \n): what is left to
	 * decode is \\ and \xNN, as in JSON (metrics' label values).
	 */
	ESC_HEX = 1 << 1,
};

/*
 * Length of the valid UTF-8 sequence at s (1 for ASCII), or 0 where s does
 * not start one (a stray continuation byte, an overlong form, a surrogate,
 * above U+10FFFF, a cut sequence).
 */
size_t esc_utf8_len(const unsigned char *s);

/*
 * A copy of s that prints as what it is, as ls and lsblk do: a control
 * character (C0, DEL, C1) and every byte that is not UTF-8 become \n, \t,
 * \r or \xNN, a backslash becomes \\ (so the text maps back to exactly one
 * byte string); valid UTF-8 passes. malloc'd; NULL on ENOMEM.
 */
char *esc_text(const char *s, unsigned int flags);

/*
 * s for a printf argument of a text report: s itself when nothing needs
 * escaping, else an escaped copy that stays valid for the next 15 calls.
 * Never NULL ("?" on ENOMEM, "" for NULL).
 */
const char *esc(const char *s);

/*
 * A JSON string's content for the bytes s, strict UTF-8 and reversible:
 * valid UTF-8 as is, a backslash as \\ and a byte that is not UTF-8 as
 * \xNN (JSON escapes the control characters itself). NULL on ENOMEM.
 */
char *esc_json(const char *s);

#endif
