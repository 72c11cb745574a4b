/*
 * t_utf8 - the decoder's RFC 3629 limits, and the two ways of making
 * foreign text safe: clean (cells, JSON) and escape (terminal).
 */
#include <stdio.h>
#include <string.h>

#include "util/buf.h"
#include "util/utf8.h"
#include "tap.h"

/* clean - utf8_clean of s into a static string. */
static const char *
clean(const char *s, size_t max)
{
	static char r[256];
	struct buf b;

	buf_init(&b, 1024);
	if (utf8_clean(s, strlen(s), max, &b) != 0)
		return "(full)";
	snprintf(r, sizeof(r), "%s", buf_str(&b));
	buf_free(&b);
	return r;
}

/* esc - utf8_escape of n bytes of s into a static string. */
static const char *
esc(const char *s, size_t n)
{
	static char r[256];
	struct buf b;

	buf_init(&b, 1024);
	if (utf8_escape(s, n, &b) != 0)
		return "(full)";
	snprintf(r, sizeof(r), "%s", buf_str(&b));
	buf_free(&b);
	return r;
}

/* json - what utf8_json_str writes for s. */
static const char *
json(const char *s)
{
	static char out[256];
	FILE *f = fmemopen(out, sizeof(out), "w");

	utf8_json_str(f, s);
	fclose(f);
	return out;
}

int
main(void)
{
	uint32_t cp = 0;

	is_int(utf8_decode((const unsigned char *)"\xC3\xA9", 2, &cp), 2, "é is 2 bytes");
	is_int(cp, 0xe9, "é is U+00E9");
	is_int(utf8_decode((const unsigned char *)"\xC0\xAF", 2, &cp), 0, "overlong /");
	is_int(utf8_decode((const unsigned char *)"\xED\xA0\x80", 3, &cp), 0, "surrogate");
	is_int(utf8_decode((const unsigned char *)"\xF4\x90\x80\x80", 4, &cp), 0, "past U+10FFFF");
	is_int(utf8_decode((const unsigned char *)"\xE2\x82", 2, &cp), 0, "cut short");
	is_int(utf8_decode((const unsigned char *)"\xF0\x9F\x98\x80", 4, &cp), 4, "emoji");

	is_str(clean("550 user unknown", 200), "550 user unknown", "plain text unchanged");
	is_str(clean("Am\xE9lie", 200), "Am\xEF\xBF\xBDlie", "a Latin-1 byte becomes U+FFFD");
	is_str(clean("abc\xE2\x80\xAEgpj.exe", 200), "abcgpj.exe", "U+202E (RTL override) dropped");
	is_str(clean("a\x1b[2Jb\rc\x7f", 200), "a[2Jbc", "ESC, CR and DEL dropped");
	is_str(clean("x\xE2\x81\xA6y\xE2\x80\x8Bz", 200), "xyz", "isolate and zero-width space dropped");
	is_str(clean("caf\xC3\xA9s", 4), "caf", "cut on a character boundary");
	is_str(clean("\xC3\xA9t\xC3\xA9", 200), "\xC3\xA9t\xC3\xA9", "valid UTF-8 kept");

	is_str(esc("a\x1b]0;title\x07z", 12), "a\\x1B]0;title\\x07z", "ESC and BEL escaped");
	is_str(esc("a\\b", 3), "a\\\\b", "backslash doubled");
	is_str(esc("\xE2\x80\xAE", 3), "\\u{202E}", "bidi override escaped");
	is_str(esc("x\xFFy", 3), "x\\xFFy", "invalid byte escaped");
	is_str(esc("Zo\xC3\xAB", 4), "Zo\xC3\xAB", "visible UTF-8 kept");
	is_str(esc("a\0b", 3), "a\\x00b", "NUL escaped");
	is_str(json("say \"hi\" \\ now"), "\"say \\\"hi\\\" \\\\ now\"",
	    "JSON: quote and backslash escaped");
	is_str(json("a\x1b[2J\xE2\x80\xAE" "b\xFF"), "\"a[2Jb\xEF\xBF\xBD\"",
	    "JSON: control and bidi dropped, a bad byte is U+FFFD");
	is_str(json(""), "\"\"", "JSON: the empty string");
	printf("1..%d\n", tap_n);
	return tap_failed != 0;
}
