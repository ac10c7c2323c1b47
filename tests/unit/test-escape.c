// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of cli/escape.c: terminal text and JSON strings, both ways. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "cli/escape.h"

/*
 * The reader's side, written from the documented mapping alone (pmemctl(1),
 * STRINGS): \\ is a backslash, \xNN a byte, and in human text \n \t \r
 * themselves (json: JSON strings and metrics labels, which have only the
 * first two). NULL where the text is not a valid encoding.
 */
static char *decode(const char *s, bool json)
{
	char *out = malloc(strlen(s) + 1), *p = out;

	if (!out)
		return NULL;
	while (*s) {
		if (*s != '\\') {
			*p++ = *s++;
			continue;
		}
		switch (s[1]) {
		case '\\':
			*p++ = '\\';
			s += 2;
			break;
		case 'n':
			if (json)
				goto invalid;
			*p++ = '\n';
			s += 2;
			break;
		case 't':
			if (json)
				goto invalid;
			*p++ = '\t';
			s += 2;
			break;
		case 'r':
			if (json)
				goto invalid;
			*p++ = '\r';
			s += 2;
			break;
		case 'x': {
			char hex[3] = { s[2], s[2] ? s[3] : 0, 0 };
			char *end;
			long v = strtol(hex, &end, 16);

			if (end != hex + 2)
				goto invalid;
			*p++ = (char)v;
			s += 4;
			break;
		}
		default:
			goto invalid;
		}
	}
	*p = '\0';
	return out;
invalid:
	free(out);
	return NULL;
}

static char *unescape(const char *s)
{
	return decode(s, false);
}

/* No byte a terminal obeys, and nothing but valid UTF-8. */
static bool inert(const char *text)
{
	const unsigned char *s = (const unsigned char *)text;

	for (size_t n; *s; s += n) {
		n = esc_utf8_len(s);
		if (!n || *s < 0x20 || *s == 0x7f || (s[0] == 0xc2 && s[1] < 0xa0))
			return false;
	}
	return true;
}

static void is_text(const char *in, unsigned int flags, const char *want,
		    const char *what)
{
	char *got = esc_text(in, flags);

	ok(got && strcmp(got, want) == 0, "%s: %s (got %s)", what, want,
	   got ? got : "NULL");
	free(got);
}

static void test_text(void)
{
	is_text("namespace0.0", 0, "namespace0.0", "plain ASCII passes");
	is_text("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xe5\x90\x8d", 0,
		"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xe5\x90\x8d",
		"valid multi-byte UTF-8 passes (Latin, euro, emoji, CJK)");
	is_text("a\nb\tc\rd", 0, "a\\nb\\tc\\rd", "newline, tab, CR: C escapes");
	is_text("\x1b]0;pwned\x07", 0, "\\x1b]0;pwned\\x07", "ESC and BEL: \\xNN");
	is_text("del\x7f", 0, "del\\x7f", "DEL: \\x7f");
	is_text("c1\xc2\x9b" "31m", 0, "c1\\xc2\\x9b31m",
		"a C1 control (U+009B, CSI) as its two bytes");
	is_text("\xc2\xa0", 0, "\xc2\xa0", "U+00A0, just past C1, passes");
	is_text("a\\b", 0, "a\\\\b", "a backslash doubles");
	is_text("\\x41", 0, "\\\\x41", "a literal \\x41 is not a byte");
	is_text("\xff\xfe", 0, "\\xff\\xfe", "bytes that are not UTF-8");
	is_text("\xc0\xaf", 0, "\\xc0\\xaf", "an overlong '/'");
	is_text("\xed\xa0\x80", 0, "\\xed\\xa0\\x80", "an encoded surrogate");
	is_text("\xf4\x90\x80\x80", 0, "\\xf4\\x90\\x80\\x80", "above U+10FFFF");
	is_text("cut\xe2\x82", 0, "cut\\xe2\\x82", "a sequence cut by the end");
	is_text("a b\\c\n\xff\xc3\xa9", ESC_RAW, "a\\x20b\\x5cc\\x0a\\xff\xc3\xa9",
		"raw: blanks, backslash and controls as \\xNN, UTF-8 kept");
	is_text("a b\\c\n\t\xff\xc2\x9b\xc3\xa9", ESC_HEX, "a b\\\\c\\x0a\\x09\\xff\\xc2\\x9b\xc3\xa9",
		"hex: controls as \\xNN, not \\n; backslash doubled; blanks kept");
}

/* Every byte alone and next to each other, through text and back. */
static void test_text_round_trip(void)
{
	int bad_trip = 0, loud = 0, bad_raw = 0, bad_hex = 0;
	char in[4], *out, *back;

	for (int a = 1; a < 256; a++) {
		for (int b = 0; b < 256; b++) {
			in[0] = (char)a;
			in[1] = (char)b;
			in[2] = b ? 'z' : 0;
			in[3] = 0;
			out = esc_text(in, 0);
			back = out ? unescape(out) : NULL;
			if (!back || strcmp(back, in))
				bad_trip++;
			if (!out || !inert(out))
				loud++;
			free(out);
			free(back);
			out = esc_text(in, ESC_RAW);
			back = out ? unescape(out) : NULL;
			if (!back || strcmp(back, in) || !inert(out) || strchr(out, ' '))
				bad_raw++;
			free(out);
			free(back);
			out = esc_text(in, ESC_HEX);
			back = out ? decode(out, true) : NULL;
			if (!back || strcmp(back, in) || !inert(out))
				bad_hex++;
			free(out);
			free(back);
		}
	}
	ok(bad_trip == 0, "every pair of bytes 0x01-0xff reads back exactly (%d did not)",
	   bad_trip);
	ok(loud == 0, "no escaped text holds a control byte or invalid UTF-8 (%d did)",
	   loud);
	ok(bad_raw == 0, "raw: the same, and no blank (%d failed)", bad_raw);
	ok(bad_hex == 0, "hex (metrics): the same, read back by JSON's rule (%d failed)",
	   bad_hex);
}

static void test_esc(void)
{
	const char *clean = "region0";
	const char *first, *ring[16];
	bool kept = true;

	ok(esc(clean) == clean, "esc: a clean string is returned as is, no copy");
	ok(strcmp(esc(NULL), "") == 0, "esc: NULL prints as nothing");
	first = esc("a\nb");
	ok(strcmp(first, "a\\nb") == 0, "esc: escapes (got %s)", first);
	/* One printf's worth of arguments stays valid together. */
	ring[0] = first;
	for (int i = 1; i < 16; i++)
		ring[i] = esc(i % 2 ? "x\x1b" : "y\x1b");
	for (int i = 1; i < 16; i++)
		if (strcmp(ring[i], i % 2 ? "x\\x1b" : "y\\x1b"))
			kept = false;
	ok(kept && strcmp(first, "a\\nb") == 0,
	   "esc: 16 escaped arguments are valid at once");
}

static void is_json(const char *in, const char *want, const char *what)
{
	char *got = esc_json(in);

	ok(got && strcmp(got, want) == 0, "json: %s (got %s)", what,
	   got ? got : "NULL");
	free(got);
}

static void test_json(void)
{
	int bad = 0;
	char in[4];

	is_json("nmem0", "nmem0", "plain passes");
	is_json("caf\xc3\xa9 \xc2\x9b", "caf\xc3\xa9 \xc2\x9b",
		"valid UTF-8 passes, C1 too (JSON's own escaping is the writer's)");
	is_json("a\n\x1b", "a\n\x1b", "controls are left to JSON's \\u escapes");
	is_json("\xff", "\\xff", "a byte that is not UTF-8: \\xNN");
	is_json("\\xff", "\\\\xff", "the text \\xff: its backslash doubled");
	is_json("a\\", "a\\\\", "a trailing backslash");
	for (int a = 1; a < 256; a++) {
		for (int b = 0; b < 256; b++) {
			char *out, *back;

			in[0] = (char)a;
			in[1] = (char)b;
			in[2] = in[3] = 0;
			out = esc_json(in);
			/* JSON's reader has the \n, \t, \r: only \\ and \x are ours. */
			back = out ? decode(out, true) : NULL;
			if (!back || strcmp(back, in))
				bad++;
			for (const unsigned char *s = (const unsigned char *)out;
			     out && *s; s += esc_utf8_len(s) ? esc_utf8_len(s) : 1)
				if (!esc_utf8_len(s))
					bad++;
			free(out);
			free(back);
		}
	}
	ok(bad == 0, "json: every pair of bytes reads back exactly, as valid UTF-8 (%d failed)",
	   bad);
}

int main(void)
{
	test_text();
	test_text_round_trip();
	test_esc();
	test_json();
	return done_testing();
}
