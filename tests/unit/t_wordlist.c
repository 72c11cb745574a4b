/*
 * t_wordlist - unit tests for validator/util/wordlist.c: the table format
 * (comments, trimming, BOM, CRLF, case folding, duplicates), lookups,
 * iteration, and every malformed-line error with its file:line.
 * Writes its tables into a fresh directory under $TMPDIR (or /tmp) and
 * removes it at the end.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "util/wordlist.h"

static char tmpdir[512];
static char path[600];
static int nfiles;

/* Malformed-table cases: content, kind, and what the diag must say. */
struct bad_case {
	const char *name;
	const char *text;
	size_t len;		/* 0: strlen(text) */
	enum wordlist_kind kind;
	const char *want;	/* substring of the message, after "path" */
};

static const struct bad_case bad_cases[] = {
	{ "map without tab", "# c\nok\tfine\nnotab\n", 0, WORDLIST_MAP,
	    ":3: expected key<TAB>value, found no tab" },
	{ "map with two tabs", "a\tb\tc\n", 0, WORDLIST_MAP,
	    ":1: expected key<TAB>value, found more than one tab" },
	{ "map key missing (leading tab is trimmed)", "\tb\n", 0,
	    WORDLIST_MAP, ":1: expected key<TAB>value, found no tab" },
	{ "map value missing", "x\ty\na\t\n", 0, WORDLIST_MAP,
	    ":2: expected key<TAB>value, found no tab" },
	{ "map empty value after tab", "a\t  # c\n", 0, WORDLIST_MAP,
	    ":1: expected key<TAB>value, found no tab" },
	{ "map space before tab", "a \tb\n", 0, WORDLIST_MAP,
	    ":1: white space inside key" },
	{ "map conflicting duplicate", "a\tb\nc\td\nA\tx\n", 0, WORDLIST_MAP,
	    ":3: key 'a' repeats with a different value" },
	{ "set space inside entry", "one\ntwo words\n", 0, WORDLIST_SET,
	    ":2: white space inside entry 'two words'" },
	{ "set tab inside entry", "a\tb\n", 0, WORDLIST_SET,
	    ":1: white space inside entry" },
	{ "set NUL byte", "ok\nb\0d\n", 7, WORDLIST_SET,
	    ":2: non-printable byte 0x00" },
	{ "set escape byte", "a\n\n\x1b[0m\n", 0, WORDLIST_SET,
	    ":3: non-printable byte 0x1b" },
	{ "set DEL byte", "a\x7f\n", 0, WORDLIST_SET,
	    ":1: non-printable byte 0x7f" },
	{ "control byte in a comment", "# a\x01\n", 0, WORDLIST_SET,
	    ":1: non-printable byte 0x01" },
	{ "non-ASCII entry", "ok\nb\xc3\xbc" "cher.de\n", 0, WORDLIST_SET,
	    ":2: non-ASCII byte 0xc3 in entry" },
	{ "BOM not on line 1", "a\n\xef\xbb\xbf" "b\n", 0, WORDLIST_SET,
	    ":2: non-ASCII byte 0xef" },
	{ "vertical tab", "a\vb\n", 0, WORDLIST_SET,
	    ":1: non-printable byte 0x0b" },
	{ "CR inside a line", "a\rb\r\n", 0, WORDLIST_SET,
	    ":1: non-printable byte 0x0d" },
};

static const char *write_file(const char *name, const char *text, size_t len);
static void test_blocks(void);
static int model_line(const char *in, size_t n, char *out, size_t *olen);
static int rules_case(const char *line, size_t n);
static void test_rules(void);
static struct wordlist *load_text(const char *text, size_t len,
    enum wordlist_kind kind, struct diag *d);
static const char *reject_x(void *arg, const char *key, size_t klen,
    const char *val, size_t vlen);
static void test_set(void);
static void test_map(void);
static void test_errors(void);
static void test_limits(void);
static void test_check(void);

/* write_file - create tmpdir/name holding len bytes of text. */
static const char *
write_file(const char *name, const char *text, size_t len)
{
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	if ((fp = fopen(path, "wb")) == NULL ||
	    fwrite(text, 1, len, fp) != len || fclose(fp) != 0) {
		printf("Bail out! cannot write %s\n", path);
		exit(1);
	}
	nfiles++;
	return path;
}

/* load_text - write text to t.txt and load it. */
static struct wordlist *
load_text(const char *text, size_t len, enum wordlist_kind kind,
    struct diag *d)
{
	memset(d, 0, sizeof(*d));
	return wordlist_load(write_file("t.txt", text, len), kind, d);
}

/* reject_x - check callback: entries starting with x are refused. */
static const char *
reject_x(void *arg, const char *key, size_t klen, const char *val,
    size_t vlen)
{
	int *calls = arg;

	(*calls)++;
	if (val != NULL && vlen == 0)
		return "impossible";
	return klen > 0 && key[0] == 'x' ? "starts with x" : NULL;
}

/* test_set - format rules and lookups of a set. */
static void
test_set(void)
{
	static const char text[] =
	    "\xef\xbb\xbf# header comment with UTF-8: caf\xc3\xa9\n"
	    "\n"
	    "   \t\n"
	    "Gmail.COM\r\n"
	    "  yahoo.com  \n"
	    "\thotmail.com\t# trailing comment\n"
	    "   # indented comment\n"
	    "a#b\n"
	    "gmail.com\n"
	    "last.example";	/* no final newline */
	struct wordlist *w;
	struct diag d;

	w = load_text(text, sizeof(text) - 1, WORDLIST_SET, &d);
	if (!ok(w != NULL, "set loads (BOM, blanks, CRLF, comments)")) {
		diag("%s", d.msg);
		return;
	}
	is_int(wordlist_count(w), 5, "duplicate (after lower-casing) ignored");
	is_str(wordlist_entry(w, 0), "gmail.com",
	    "entry 0 lower-cased, CR trimmed");
	is_str(wordlist_entry(w, 1), "yahoo.com", "entry 1 trimmed");
	is_str(wordlist_entry(w, 2), "hotmail.com", "trailing comment cut");
	is_str(wordlist_entry(w, 3), "a#b", "'#' inside an entry is data");
	is_str(wordlist_entry(w, 4), "last.example",
	    "last line without newline");
	ok(wordlist_entry(w, 5) == NULL, "entry past the end is NULL");
	ok(wordlist_has(w, "gmail.com", 9), "has exact");
	ok(wordlist_has(w, "GMail.Com", 9), "has is case-insensitive");
	ok(wordlist_has(w, "yahoo.comXXX", 9), "has uses len, not NUL");
	ok(!wordlist_has(w, "gmail.co", 8), "prefix is not a hit");
	ok(!wordlist_has(w, "gmail.comm", 10), "longer is not a hit");
	ok(!wordlist_has(w, "", 0), "empty key is never a hit");
	ok(!wordlist_has(w, "x", 0), "len 0 is never a hit");
	ok(!wordlist_has(w, "# header", 8), "comments are not entries");
	is_str(wordlist_get(w, "YAHOO.com", 9), "yahoo.com",
	    "get on a set returns the stored entry");
	ok(wordlist_get(w, "nope", 4) == NULL, "get of a missing key is NULL");
	ok(wordlist_value(w, 0) == NULL, "a set has no values");
	wordlist_free(w);

	w = load_text("# only comments\n\n", 17, WORDLIST_SET, &d);
	ok(w != NULL && wordlist_count(w) == 0,
	    "comment-only file is an empty set");
	ok(w != NULL && !wordlist_has(w, "a", 1), "empty set has nothing");
	wordlist_free(w);
	w = load_text("", 0, WORDLIST_SET, &d);
	ok(w != NULL && wordlist_count(w) == 0, "empty file is an empty set");
	wordlist_free(w);
}

/* test_map - key -> value tables. */
static void
test_map(void)
{
	static const char text[] =
	    "# wrong<TAB>right\n"
	    "gmial.com\tgmail.com\n"
	    "HOTMIAL.com\tHotmail.com   # comment\r\n"
	    "yaho.com\tyahoo.com\n"
	    "gmial.com\tgmail.com\n"	/* same pair again: fine */
	    "gmai.com\tgmail.com\n";
	struct wordlist *w;
	struct diag d;

	w = load_text(text, sizeof(text) - 1, WORDLIST_MAP, &d);
	if (!ok(w != NULL, "map loads")) {
		diag("%s", d.msg);
		return;
	}
	is_int(wordlist_count(w), 4, "map count, repeated pair ignored");
	is_str(wordlist_get(w, "gmial.com", 9), "gmail.com", "map get");
	is_str(wordlist_get(w, "hotmial.com", 11), "hotmail.com",
	    "key and value lower-cased, comment and CR cut");
	is_str(wordlist_get(w, "GMAI.COM", 8), "gmail.com",
	    "get is case-insensitive");
	ok(wordlist_get(w, "gmail.com", 9) == NULL, "a value is not a key");
	ok(wordlist_has(w, "yaho.com", 8), "has on a map looks at keys");
	is_str(wordlist_entry(w, 1), "hotmial.com", "map entry = key");
	is_str(wordlist_value(w, 1), "hotmail.com", "map value by index");
	is_str(wordlist_value(w, 3), "gmail.com",
	    "value by index, shared value");
	ok(wordlist_value(w, 4) == NULL, "value past the end is NULL");
	ok(wordlist_get(w, "gmial.com", 9) == wordlist_get(w, "gmai.com", 8),
	    "equal values are stored once");
	wordlist_free(w);
}

/* test_errors - each malformed line is an error naming path:line. */
static void
test_errors(void)
{
	struct diag d;
	struct wordlist *w;
	char want[700];

	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		size_t len = c->len ? c->len : strlen(c->text);

		w = load_text(c->text, len, c->kind, &d);
		snprintf(want, sizeof(want), "%s%s", path, c->want);
		ok(w == NULL && d.code == DIAG_DATA &&
		    strncmp(d.msg, want, strlen(want)) == 0,
		    "error: %s", c->name);
		if (w != NULL || strncmp(d.msg, want, strlen(want)) != 0)
			diag("got '%s', want prefix '%s'",
			    w ? "(loaded)" : d.msg, want);
		wordlist_free(w);
	}

	memset(&d, 0, sizeof(d));
	snprintf(path, sizeof(path), "%s/does-not-exist.txt", tmpdir);
	w = wordlist_load(path, WORDLIST_SET, &d);
	snprintf(want, sizeof(want), "%s: cannot open: ", path);
	ok(w == NULL && d.code == DIAG_DATA &&
	    strncmp(d.msg, want, strlen(want)) == 0,
	    "missing file names the path and the reason");
	diag("%s", d.msg);

	memset(&d, 0, sizeof(d));
	w = wordlist_load(tmpdir, WORDLIST_SET, &d);
	ok(w == NULL && d.code == DIAG_DATA && strstr(d.msg, tmpdir) != NULL,
	    "a directory is not a table");
	diag("%s", d.msg);
	wordlist_free(w);

	ok(wordlist_load(path, WORDLIST_SET, NULL) == NULL,
	    "a NULL diag is allowed");
}

/* test_limits - the line-length ceiling, at and past the boundary. */
static void
test_limits(void)
{
	char *text = malloc(WORDLIST_LINE_MAX + 16);
	struct wordlist *w;
	struct diag d;
	char want[700];

	memset(text, 'a', WORDLIST_LINE_MAX);
	text[WORDLIST_LINE_MAX] = '\n';
	w = load_text(text, WORDLIST_LINE_MAX + 1, WORDLIST_SET, &d);
	ok(w != NULL && wordlist_count(w) == 1,
	    "a line of exactly %d bytes loads", WORDLIST_LINE_MAX);
	ok(w != NULL && wordlist_has(w, text, WORDLIST_LINE_MAX),
	    "and its entry is found");
	ok(w != NULL && !wordlist_has(w, text, WORDLIST_LINE_MAX + 1),
	    "a longer key misses without overflow");
	wordlist_free(w);

	memcpy(text, "ok\n", 3);
	memset(text + 3, 'b', WORDLIST_LINE_MAX + 1);
	text[WORDLIST_LINE_MAX + 4] = '\n';
	w = load_text(text, WORDLIST_LINE_MAX + 5, WORDLIST_SET, &d);
	snprintf(want, sizeof(want), "%s:2: line longer than %d bytes", path,
	    WORDLIST_LINE_MAX);
	ok(w == NULL && strcmp(d.msg, want) == 0,
	    "a line of %d bytes is an error naming line 2",
	    WORDLIST_LINE_MAX + 1);
	if (w != NULL || strcmp(d.msg, want) != 0)
		diag("got '%s'", d.msg);
	wordlist_free(w);
	free(text);
}

/* test_check - the per-entry callback and its line numbers. */
static void
test_check(void)
{
	struct wordlist *w;
	struct diag d;
	int calls = 0;
	char want[700];

	write_file("c.txt", "# c\nabc\n\nXyz\n", 13);
	memset(&d, 0, sizeof(d));
	w = wordlist_load_checked(path, WORDLIST_SET, reject_x, &calls, &d);
	snprintf(want, sizeof(want), "%s:4: starts with x: xyz", path);
	ok(w == NULL && strcmp(d.msg, want) == 0,
	    "check sees lower-cased entries and names the line");
	if (w != NULL || strcmp(d.msg, want) != 0)
		diag("got '%s'", d.msg);
	is_int(calls, 2, "check called once per entry, not for comments");
	wordlist_free(w);

	calls = 0;
	write_file("c.tsv", "a\tb\nxa\tc\n", 9);
	w = wordlist_load_checked(path, WORDLIST_MAP, reject_x, &calls, &d);
	snprintf(want, sizeof(want), "%s:2: starts with x: xa\tc", path);
	ok(w == NULL && strcmp(d.msg, want) == 0,
	    "map check message shows key and value");
	wordlist_free(w);

	calls = 0;
	write_file("c.txt", "abc\nabd\n", 8);
	w = wordlist_load_checked(path, WORDLIST_SET, reject_x, &calls, &d);
	ok(w != NULL && calls == 2 && wordlist_count(w) == 2,
	    "check accepting everything loads the table");
	wordlist_free(w);
}

/*
 * test_blocks - the loader reads in blocks: lines that straddle a block
 * boundary, and a long line, read the same as any other.
 */
static void
test_blocks(void)
{
	size_t len = 200000, n = 0, lines = 0, bad = 0;
	char *text = malloc(len), entry[32];
	struct wordlist *w;
	struct diag d;

	if (text == NULL) {
		printf("Bail out! out of memory\n");
		exit(1);
	}
	/* entries of 9 to 14 bytes: boundaries fall inside some of them */
	while (n + 40 < len) {
		int k = snprintf(entry, sizeof(entry), "e%zu.%.*s",
		    lines, (int)(lines % 6), "abcdef");

		memcpy(text + n, entry, (size_t)k);
		n += (size_t)k;
		text[n++] = '\n';
		lines++;
	}
	memset(text + n, 'z', 20);	/* and a last line without newline */
	n += 20;
	w = load_text(text, n, WORDLIST_SET, &d);
	ok(w != NULL && wordlist_count(w) == lines + 1,
	    "%zu lines read across block boundaries", lines + 1);
	for (size_t i = 0; w != NULL && i < lines; i++) {
		int k = snprintf(entry, sizeof(entry), "e%zu.%.*s",
		    i, (int)(i % 6), "abcdef");

		if (!wordlist_has(w, entry, (size_t)k))
			bad++;
	}
	ok(w != NULL && bad == 0 && wordlist_has(w, text + n - 20, 20),
	    "every entry found whole (%zu missing)", bad);
	wordlist_free(w);
	free(text);
}

/*
 * model_line - what the format (wordlist.h) makes of one line of a set,
 * not line 1's BOM: -1 an error, 0 no entry, 1 the entry in out.
 */
static int
model_line(const char *in, size_t n, char *out, size_t *olen)
{
	const unsigned char *p = (const unsigned char *)in;

	if (n > 0 && p[n - 1] == '\r')
		n--;
	for (size_t i = 0; i < n; i++)
		if ((p[i] < 0x20 && p[i] != '\t') || p[i] == 0x7f)
			return -1;
	while (n > 0 && (*p == ' ' || *p == '\t'))
		p++, n--;
	if (n == 0 || *p == '#')
		return 0;
	for (size_t i = 1; i < n; i++)
		if (p[i] == '#' && (p[i - 1] == ' ' || p[i - 1] == '\t')) {
			n = i;
			break;
		}
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	for (size_t i = 0; i < n; i++) {
		if (p[i] == ' ' || p[i] == '\t' || p[i] >= 0x80)
			return -1;
		out[i] = (char)(p[i] >= 'A' && p[i] <= 'Z' ? p[i] + 32 : p[i]);
	}
	*olen = n;
	return 1;
}

/* rules_case - load one line as a set and hold it to model_line; 1 ok. */
static int
rules_case(const char *line, size_t n)
{
	char want[64];
	size_t wlen = 0, glen = 0;
	int m = model_line(line, n, want, &wlen);
	struct diag d;
	struct wordlist *w = load_text(line, n, WORDLIST_SET, &d);
	const char *got = w != NULL && wordlist_count(w) == 1 ?
	    wordlist_entry(w, 0) : NULL;
	int good;

	if (got != NULL)
		glen = strlen(got);
	good = m < 0 ? w == NULL : m == 0 ? w != NULL &&
	    wordlist_count(w) == 0 : got != NULL && glen == wlen &&
	    memcmp(got, want, wlen) == 0;
	wordlist_free(w);
	return good;
}

/*
 * test_rules - every byte before, inside and after an entry, and random
 * lines of the bytes that decide something, read as the format says. A
 * quick path that took a line the rules would change (upper case, '#',
 * a blank, a control) fails here.
 */
static void
test_rules(void)
{
	static const char pick[] = "aZ.-#* \t\r\x01\x7f\x80\xc3!~_0";
	char line[32];
	size_t bad = 0, cases = 0;
	unsigned long seed = 12345;

	for (int b = 0; b < 256; b++) {
		if (b == '\n')
			continue;
		for (int pos = 0; pos < 3; pos++) {
			size_t n = 0;

			if (pos == 0)
				line[n++] = (char)b;
			memcpy(line + n, "ab", 2), n += 2;
			if (pos == 1)
				line[n++] = (char)b;
			memcpy(line + n, "cd", 2), n += 2;
			if (pos == 2)
				line[n++] = (char)b;
			bad += !rules_case(line, n);
			cases++;
		}
	}
	for (int k = 0; k < 4000; k++) {
		size_t n;

		seed = seed * 6364136223846793005UL + 1442695040888963407UL;
		n = (size_t)(seed >> 33) % 13;
		for (size_t i = 0; i < n; i++) {
			seed = seed * 6364136223846793005UL +
			    1442695040888963407UL;
			line[i] = pick[(seed >> 33) % (sizeof(pick) - 1)];
		}
		bad += !rules_case(line, n);
		cases++;
	}
	ok(bad == 0, "%zu lines read as the format says (%zu not)", cases,
	    bad);
}

int
main(void)
{
	const char *base = getenv("TMPDIR");

	snprintf(tmpdir, sizeof(tmpdir), "%s/t_wordlist.XXXXXX",
	    base != NULL && *base != '\0' ? base : "/tmp");
	if (mkdtemp(tmpdir) == NULL) {
		printf("Bail out! mkdtemp %s failed\n", tmpdir);
		return 1;
	}
	test_set();
	test_map();
	test_errors();
	test_limits();
	test_check();
	test_blocks();
	test_rules();

	/* Clean up what write_file() made. */
	static const char *const names[] = { "t.txt", "c.txt", "c.tsv" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", tmpdir, names[i]);
		unlink(path);
	}
	ok(rmdir(tmpdir) == 0, "temporary directory removed (%d files written)",
	    nfiles);
	return done_testing();
}
