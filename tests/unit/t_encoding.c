/*
 * t_encoding - the UTF-8 scan (strict UTF-8, the guess, the first bad
 * line) and --encoding's conversion through iconv: Windows-1252,
 * ISO-8859-15, UTF-16 with either BOM, characters split across the
 * conversion's blocks, wrong bytes with their line, unknown names.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tap.h"

#include "csv/encoding.h"

#define BLOCK 65536	/* encoding.c's ENCODING_BLOCK */
#define L(s) s, sizeof(s) - 1	/* a literal and its length */

struct scan_case {
	const char *desc;
	const char *in;
	size_t len;		/* 0: strlen(in) */
	bool utf8;
	unsigned bad;
	unsigned long first_line;	/* for line 1 fed */
	const char *guess;
};

static const struct scan_case scans[] = {
	{ "ASCII", "Name,Email\nAnn,ann@example.com", 0, true, 0, 0, NULL },
	{ "empty", "", 0, true, 0, 0, NULL },
	{ "2-byte e acute", "Am\xC3\xA9lie", 0, true, 0, 0, NULL },
	{ "3-byte euro sign", "\xE2\x82\xAC 5", 0, true, 0, 0, NULL },
	{ "4-byte U+10FFFF (the last)", "x\xF4\x8F\xBF\xBF", 0, true, 0, 0,
	    NULL },
	{ "4-byte U+1F600", "\xF0\x9F\x98\x80", 0, true, 0, 0, NULL },
	{ "U+110000 is past the end", "x\xF4\x90\x80\x80", 0, false, 4, 1,
	    "windows-1252" },
	{ "F5 lead byte", "\xF5\x80\x80\x80", 0, false, 4, 1,
	    "windows-1252" },
	{ "overlong 2-byte C0 AF", "a\xC0\xAF", 0, false, 2, 1,
	    "iso-8859-1" },
	{ "overlong 3-byte E0 80 AF", "\xE0\x80\xAF", 0, false, 3, 1,
	    "windows-1252" },
	{ "overlong 4-byte F0 80 80 AF", "\xF0\x80\x80\xAF", 0, false, 4, 1,
	    "windows-1252" },
	{ "surrogate D800 (ED A0 80)", "\xED\xA0\x80", 0, false, 3, 1,
	    "windows-1252" },
	{ "surrogate DFFF (ED BF BF)", "\xED\xBF\xBF", 0, false, 3, 1,
	    "iso-8859-1" },
	{ "U+D7FF just below the surrogates", "\xED\x9F\xBF", 0, true, 0, 0,
	    NULL },
	{ "truncated at the end (C3)", "abc\xC3", 0, false, 1, 1,
	    "iso-8859-1" },
	{ "truncated 3-byte at the end (E2 82)", "abc\xE2\x82", 0, false, 2,
	    1, "windows-1252" },
	{ "lone continuation byte", "a\x80z", 0, false, 1, 1,
	    "windows-1252" },
	{ "Windows-1252 e acute", "Am\xE9lie;amelie@example.com", 0, false,
	    1, 1, "iso-8859-1" },
	{ "Windows-1252 smart quotes", "\x93hi\x94", 0, false, 2, 1,
	    "windows-1252" },
	{ "Windows-1252 euro 0x80", "5 \x80", 0, false, 1, 1,
	    "windows-1252" },
	{ "first bad byte on the 4th line (LF, CRLF, CR)",
	    "a\nb\r\nc\rd\xE9\ne\xE9", 0, false, 2, 4, "iso-8859-1" },
	{ "NUL bytes are ASCII", "a\0b\0c\0d\0e\0f\0g\0h\0", 16, true, 0, 0,
	    NULL },
};

static void scan_cases(void);
static void scan_offsets(void);
static void scan_lines(void);
static char *convert(const char *in, size_t n, const char *name,
    size_t *outn, struct diag *d);
static void conv_ok(const char *desc, const char *in, size_t n,
    const char *name, const char *want, size_t wantn);
static void conv_fails(const char *desc, const char *in, size_t n,
    const char *name, enum diag_code code, const char *want);
static void conversions(void);
static void block_splits(void);
static void scan_speed(void);

/* scan_cases - the table above, each fed as one record on line 1. */
static void
scan_cases(void)
{
	for (size_t i = 0; i < sizeof(scans) / sizeof(scans[0]); i++) {
		const struct scan_case *c = &scans[i];
		struct encoding_scan s;
		const char *g;

		encoding_scan_init(&s);
		encoding_scan_feed(&s, c->in, c->len ? c->len : strlen(c->in),
		    1);
		g = encoding_guess(&s);
		ok(encoding_scan_utf8(&s) == c->utf8 && s.bad == c->bad &&
		    s.first_line == c->first_line && ((g == NULL &&
		    c->guess == NULL) || (g && c->guess &&
		    strcmp(g, c->guess) == 0)), "scan: %s", c->desc);
		if (!(s.bad == c->bad && s.first_line == c->first_line))
			diag("bad %llu (want %u), first line %lu (want %lu), "
			    "guess %s", (unsigned long long)s.bad, c->bad,
			    s.first_line, c->first_line, g ? g : "none");
	}
}

/*
 * scan_offsets - a bad byte and a good 2-byte sequence at every offset
 * of a 40-byte ASCII record: the word-at-a-time skip misses none.
 */
static void
scan_offsets(void)
{
	char b[41];
	int missed = 0, wrong = 0;

	for (size_t at = 0; at < 39; at++) {
		struct encoding_scan s;

		memset(b, 'x', 40);
		b[at] = (char)0xE9;
		encoding_scan_init(&s);
		encoding_scan_feed(&s, b, 40, 1);
		missed += s.bad != 1;
		b[at] = (char)0xC3;
		b[at + 1] = (char)0xA9;
		encoding_scan_init(&s);
		encoding_scan_feed(&s, b, 40, 1);
		wrong += s.bad != 0 || s.utf8_multi != 1;
	}
	ok(missed == 0, "scan: a bad byte is seen at each of 39 offsets");
	ok(wrong == 0, "scan: a valid 2-byte sequence is accepted at each "
	    "of 39 offsets");
}

/* scan_lines - the first bad line stays the first over several records. */
static void
scan_lines(void)
{
	struct encoding_scan s;

	encoding_scan_init(&s);
	encoding_scan_feed(&s, "ok", 2, 1);
	encoding_scan_feed(&s, "multi\nline \x93q\x94", 14, 2);
	encoding_scan_feed(&s, "\xE9", 1, 9);
	is_int(s.first_line, 3, "scan: the first bad line counts the lines "
	    "inside a record");
	is_int(s.bad, 3, "scan: bad bytes of every record counted");
	is_int(s.bad_c1, 2, "scan: 0x80-0x9F counted apart");
	is_int(s.bad_latin, 1, "scan: 0xA0-0xFF counted apart");
	is_str(encoding_guess(&s), "windows-1252", "scan: C1 bytes guess "
	    "Windows-1252");
}

/* convert - in through encoding_to_utf8; the UTF-8 out (malloc'ed). */
static char *
convert(const char *in, size_t n, const char *name, size_t *outn,
    struct diag *d)
{
	FILE *f, *o;
	char *s = NULL;
	size_t cap = 0, len = 0, got;

	f = n ? fmemopen((void *)(uintptr_t)in, n, "rb") :
	    fopen("/dev/null", "rb");
	if (f == NULL)
		abort();
	o = encoding_to_utf8(f, name, "list.csv", d);
	fclose(f);
	if (o == NULL)
		return NULL;
	do {
		if (cap - len < 65536) {
			cap = cap ? cap * 2 : 131072;
			if ((s = realloc(s, cap)) == NULL)
				abort();
		}
		got = fread(s + len, 1, cap - len, o);
		len += got;
	} while (got > 0);
	fclose(o);
	*outn = len;
	return s;
}

/* conv_ok - in (n bytes) in encoding name converts to want. */
static void
conv_ok(const char *desc, const char *in, size_t n, const char *name,
    const char *want, size_t wantn)
{
	struct diag d = { 0 };
	size_t got = 0;
	char *s = convert(in, n, name, &got, &d);

	if (!ok(s != NULL && got == wantn && memcmp(s, want, wantn) == 0,
	    "convert: %s", desc))
		diag("%s; got %zu bytes, want %zu", s ? "converted" : d.msg,
		    got, wantn);
	free(s);
}

/* conv_fails - converting in fails with code and a message holding want. */
static void
conv_fails(const char *desc, const char *in, size_t n, const char *name,
    enum diag_code code, const char *want)
{
	struct diag d = { 0 };
	size_t got = 0;
	char *s = convert(in, n, name, &got, &d);

	if (!ok(s == NULL && d.code == code && strstr(d.msg, want) != NULL,
	    "convert fails: %s", desc))
		diag("%s; message '%s', want code %d and '%s'", s ?
		    "it converted" : "it failed", d.msg, (int)code, want);
	free(s);
}

/* conversions - the encodings people's lists come in. */
static void
conversions(void)
{
	static const char le[] = "\xFF\xFE" "A\0m\0\xE9\0l\0\xAC\x20\n\0";
	static const char be[] = "\xFE\xFF" "\0A\0m\0\xE9\0l\x20\xAC\0\n";
	static const char amelie[] = "Am\xC3\xA9l\xE2\x82\xAC\n";
	struct diag d = { 0 };
	size_t n;
	char *s;

	conv_ok("windows-1252: euro 0x80, smart quotes, e acute",
	    L("\x80 \x93hi\x94 Am\xE9lie\n"), "windows-1252",
	    L("\xE2\x82\xAC \xE2\x80\x9Chi\xE2\x80\x9D Am\xC3\xA9lie\n"));
	conv_ok("CP1252 (another name of it)", L("\x80"), "CP1252",
	    L("\xE2\x82\xAC"));
	conv_ok("iso-8859-1", L("Am\xE9lie \xBD"), "iso-8859-1",
	    L("Am\xC3\xA9lie \xC2\xBD"));
	conv_ok("iso-8859-15: 0xA4 is the euro, 0xBD oe", L("\xA4\xBD"),
	    "iso-8859-15", L("\xE2\x82\xAC\xC5\x93"));
	conv_ok("utf-16 with a little-endian BOM (the BOM goes)", le,
	    sizeof(le) - 1, "utf-16", amelie, sizeof(amelie) - 1);
	conv_ok("utf-16 with a big-endian BOM", be, sizeof(be) - 1,
	    "UTF-16", amelie, sizeof(amelie) - 1);
	conv_ok("utf-8 is checked and copied (any case, no dash)",
	    amelie, sizeof(amelie) - 1, "Utf8", amelie, sizeof(amelie) - 1);
	conv_ok("ASCII only", L("a,b\r\n"), "windows-1252", L("a,b\r\n"));
	conv_ok("empty input", "", 0, "windows-1252", "", 0);
	conv_fails("0x81 is undefined in windows-1252, on line 3 (LF, CRLF)",
	    "Name\nAnn\r\nB\x81o\n", 14, "windows-1252", DIAG_INPUT,
	    "list.csv:3: byte 0x81 is not windows-1252 (");
	conv_fails("a bare CR ends a line too", "a\rb\rc\x8D", 6,
	    "windows-1252", DIAG_INPUT, "list.csv:3: byte 0x8D is not");
	conv_fails("utf-8 check: an overlong form", "ok\n\xC0\xAF\n", 6,
	    "utf-8", DIAG_INPUT, "list.csv:2: byte 0xC0 is not utf-8");
	conv_fails("utf-8 check: a surrogate", "\xED\xA0\x80", 3, "UTF-8",
	    DIAG_INPUT, "list.csv:1: byte 0xED is not UTF-8");
	conv_fails("utf-8 check: past U+10FFFF", "\xF4\x90\x80\x80", 4,
	    "UTF-8", DIAG_INPUT, "byte 0xF4 is not UTF-8");
	conv_fails("utf-8 check: cut inside a character at the end",
	    "a\nb\xE2\x82", 5, "UTF-8", DIAG_INPUT,
	    "list.csv:2: the file ends inside a character");
	conv_fails("utf-16: an odd byte at the end", "\xFF\xFE" "a\0b", 5,
	    "utf-16", DIAG_INPUT, "ends inside a character");
	conv_fails("unknown name", "a", 1, "klingon-8", DIAG_USAGE,
	    "--encoding klingon-8: not an encoding");
	s = convert("a", 1, "no-such-code", &n, &d);
	ok(s == NULL && strstr(d.msg, "windows-1252") && strstr(d.msg,
	    "iso-8859-1") && strstr(d.msg, "iso-8859-15") &&
	    strstr(d.msg, "utf-16"), "unknown name: the message gives "
	    "examples");
	free(s);
}

/*
 * block_splits - inputs larger than the conversion's block: a character
 * whose bytes straddle the block boundary (UTF-16 surrogate pair, UTF-8
 * euro sign), and line numbers counted across blocks.
 */
static void
block_splits(void)
{
	size_t n = 2 + 2 * 32766 + 4 + 2, wn = 32766 + 4 + 1, got;
	char *in = malloc(4 * BLOCK), *want = malloc(4 * BLOCK), *s;
	struct diag d = { 0 };
	size_t i, lines = 0;

	/* UTF-16LE: BOM, 32766 'x', U+1F600 at bytes 65534..65537, '\n' */
	memcpy(in, "\xFF\xFE", 2);
	for (i = 0; i < 32766; i++) {
		in[2 + 2 * i] = 'x';
		in[3 + 2 * i] = 0;
		want[i] = 'x';
	}
	memcpy(in + 65534, "\x3D\xD8\x00\xDE\n\0", 6);
	memcpy(want + 32766, "\xF0\x9F\x98\x80\n", 5);
	s = convert(in, n, "utf-16", &got, &d);
	ok(s && got == wn && memcmp(s, want, wn) == 0, "block split: a UTF-16 "
	    "surrogate pair across the block boundary");
	free(s);

	/* UTF-8 check: the euro sign at 65535..65537, then 3 blocks more
	   of lines, and a bad byte at the end: its line is right */
	memset(in, 'y', BLOCK - 1);
	memcpy(in + BLOCK - 1, "\xE2\x82\xAC\n", 4);
	n = BLOCK + 3;
	for (i = 0; n < 3 * BLOCK; i++) {
		in[n++] = 'z';
		if (i % 100 == 99) {
			in[n++] = '\n';
			lines++;
		}
	}
	s = convert(in, n, "utf-8", &got, &d);
	ok(s && got == n && memcmp(s, in, n) == 0, "block split: UTF-8 "
	    "checked across 3 blocks, a euro sign on the boundary");
	free(s);
	in[n++] = (char)0xFF;
	{
		char w[64];

		snprintf(w, sizeof(w), "list.csv:%zu: byte 0xFF", lines + 2);
		conv_fails("the line of a bad byte 3 blocks in", in, n,
		    "utf-8", DIAG_INPUT, w);
	}
	/* Windows-1252 across blocks: every byte one character */
	for (i = 0; i < 2 * BLOCK + 7; i++)
		in[i] = (char)(i % 2 ? 0xE9 : 'a');
	s = convert(in, i, "windows-1252", &got, &d);
	ok(s && got == i + i / 2, "block split: 2 blocks of Windows-1252 "
	    "grow by the e acutes (E2BIG handled)");
	free(s);
	free(in);
	free(want);
}

/*
 * scan_speed - the scan runs on every record: it must not be the slow
 * part. Prints MB/s for ASCII and for Latin text (a diag line; the
 * assertion is only a generous floor so a loaded machine does not fail).
 */
static void
scan_speed(void)
{
	size_t n = 64 << 20;
	char *b = malloc(n);
	struct encoding_scan s;
	struct timespec t0, t1;
	double secs, mbs;

	if (b == NULL)
		abort();
	for (size_t i = 0; i < n; i++)
		b[i] = (char)('a' + i % 26);
	for (size_t i = 60; i < n; i += 61)
		b[i] = '\n';
	encoding_scan_init(&s);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (size_t off = 0; off < n; off += 61)
		encoding_scan_feed(&s, b + off, n - off < 61 ? n - off : 61,
		    1);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	mbs = (double)n / 1e6 / (secs > 0 ? secs : 1e-9);
	diag("scan speed: ASCII in 61-byte records: %.0f MB/s", mbs);
	ok(s.bad == 0 && mbs > 200, "scan: ASCII at more than 200 MB/s "
	    "(%.0f)", mbs);
	for (size_t i = 0; i + 1 < n; i += 12)
		memcpy(b + i, "\xC3\xA9", 2);
	encoding_scan_init(&s);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	encoding_scan_feed(&s, b, n, 1);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	diag("scan speed: Latin text (one e acute in 11 bytes): %.0f MB/s",
	    (double)n / 1e6 / (secs > 0 ? secs : 1e-9));
	free(b);
}

int
main(void)
{
	scan_cases();
	scan_offsets();
	scan_lines();
	conversions();
	block_splits();
	scan_speed();
	return done_testing();
}
