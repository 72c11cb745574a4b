/*
 * t_listcheck - unit tests for validator/address/listcheck.c against the
 * real tables in $srcdir/lists (srcdir defaults to "."): role local parts,
 * disposable domains (subdomains, wildcards), free mail, the typo table,
 * edit-distance suggestions and the false positives they must avoid, and
 * the load errors for broken tables (small tables written under $TMPDIR).
 */
#define _POSIX_C_SOURCE 200809L

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "address/listcheck.h"
#include "tap.h"
#include "util/wordlist.h"

struct bool_case {
	const char *in;
	bool want;
	const char *why;
};

struct suggest_case {
	const char *in;
	const char *want;	/* NULL: no suggestion */
	const char *why;
};

static const struct bool_case role_cases[] = {
	{ "info", true, "RFC 2142" },
	{ "postmaster", true, "RFC 2142" },
	{ "abuse", true, "RFC 2142" },
	{ "INFO", true, "case-insensitive" },
	{ "PostMaster", true, "mixed case" },
	{ "info+newsletter", true, "+tag removed" },
	{ "Sales+2024", true, "+tag removed, case" },
	{ "sales+", true, "empty +tag" },
	{ "no-reply", true, "hyphen variant listed" },
	{ "noreply", true, "plain variant listed" },
	{ "no_reply", true, "underscore variant listed" },
	{ "donotreply", true, "do-not-reply family" },
	{ "mailer-daemon", true, "machine" },
	{ "\"info\"", true, "quoted form of info" },
	{ "john", false, "a person" },
	{ "information", false, "a role as prefix is not a role" },
	{ "infos", false, "plural not listed" },
	{ "john+info", false, "role only in the tag" },
	{ "+info", false, "nothing before the plus" },
	{ "info.uk", false, "other separators are not stripped" },
	{ "\"in\\fo\"", false, "quoted with a backslash is not unquoted" },
	{ "", false, "empty" },
};

static const struct bool_case disposable_cases[] = {
	{ "mailinator.com", true, "listed" },
	{ "MAILINATOR.COM", true, "case-insensitive" },
	{ "mailinator.com.", true, "root dot ignored" },
	{ "a.mailinator.com", true, "subdomain" },
	{ "a.b.mailinator.com", true, "deep subdomain" },
	{ "guerrillamail.com", true, "listed" },
	{ "yopmail.com", true, "listed" },
	{ "10minutemail.com", true, "listed" },
	{ "amailinator.com", false, "suffix match is by label, not by byte" },
	{ "mailinator.com.example", false, "listed name as a prefix" },
	{ "gmail.com", false, "free mail is not disposable" },
	{ "com", false, "a TLD" },
	{ ".", false, "only a dot" },
	{ "", false, "empty" },
};

static const struct bool_case free_cases[] = {
	{ "gmail.com", true, "Google" },
	{ "GMail.com", true, "case-insensitive" },
	{ "gmail.com.", true, "root dot ignored" },
	{ "gmx.de", true, "GMX" },
	{ "mail.com", true, "mail.com is a provider" },
	{ "yahoo.co.jp", true, "country domain" },
	{ "comcast.net", true, "consumer ISP" },
	{ "mail.gmail.com", false, "subdomains are not free mail" },
	{ "example.com", false, "not a provider" },
	{ "mailinator.com", false, "disposable is not free" },
	{ "", false, "empty" },
};

static const struct suggest_case suggest_cases[] = {
	/* typos.tsv */
	{ "gmial.com", "gmail.com", "typo table" },
	{ "gmai.com", "gmail.com", "typo table beats disposable" },
	{ "gamil.com", "gmail.com", "typo table" },
	{ "gnail.com", "gmail.com", "typo table" },
	{ "gmail.co", "gmail.com", "typo table, .co" },
	{ "gmail.con", "gmail.com", "typo table, .con" },
	{ "gmail.cmo", "gmail.com", "typo table, .cmo" },
	{ "gmail.ocm", "gmail.com", "typo table, .ocm" },
	{ "gmailcom", "gmail.com", "typo table, no dot" },
	{ "GMIAL.COM", "gmail.com", "typo table, upper case" },
	{ "gmial.com.", "gmail.com", "typo table, root dot" },
	{ "hotmial.com", "hotmail.com", "typo table" },
	{ "hotmal.com", "hotmail.com", "typo table" },
	{ "yaho.com", "yahoo.com", "typo table" },
	{ "yahooo.com", "yahoo.com", "typo table" },
	{ "outlok.com", "outlook.com", "typo table" },
	{ "iclod.com", "icloud.com", "typo table" },
	{ "comcast.ner", "comcast.net", "typo table, .ner" },
	/* edit distance (none of these is in typos.tsv: checked below) */
	{ "gmaio.com", "gmail.com", "distance 1, neighbouring key" },
	{ "gmakl.com", "gmail.com", "distance 1" },
	{ "hotmaul.com", "hotmail.com", "distance 1" },
	{ "outloook.com", "outlook.com", "distance 1, doubled letter" },
	{ "iclpud.com", "icloud.com", "distance 1" },
	{ "verizpn.net", "verizon.net", "distance 1" },
	{ "sbcglobak.net", "sbcglobal.net", "distance 1" },
	{ "yahoo.cpm", "yahoo.com", "same name, TLD slip" },
	{ "gmail.cam", "gmail.com", ".cam is a trap, not a mail TLD" },
	{ "comcast.ne", "comcast.net", ".ne allowed as a slip" },
	{ "comcast.et", "comcast.net", ".et allowed as a slip" },
	{ "aol.cpm", "aol.com", "short name, TLD slip only" },
	{ "gmx.nt", "gmx.net", "nt is no TLD" },
	{ "btinternet.cm", "btinternet.com", ".cm slip" },
	{ "hotmail.co.ul", "hotmail.co.uk", "ul is no TLD" },
	{ "yahoo.com.uk", "yahoo.co.uk", "distance 1 in the middle" },
	{ "hotmial.con", "hotmail.com", "distance 2: one in name, one after" },
	{ "hotmzil.cxm", "hotmail.com",
	    "distance 2, each edit a byte hotmail.com lacks" },
	{ "HOTMZIL.CXM", "hotmail.com", "distance 2, upper case" },
	/* never suggest */
	{ "gmail.com", NULL, "popular" },
	{ "hotmail.com", NULL, "popular" },
	{ "mail.com", NULL, "mail.com is real, not gmail.com" },
	{ "email.com", NULL, "free" },
	{ "ymail.com", NULL, "free" },
	{ "gmx.de", NULL, "gmx.de never becomes gmx.net" },
	{ "gmx.at", NULL, "free country domain" },
	{ "live.com", NULL, "popular" },
	{ "love.com", NULL, "free (AOL), not live.com" },
	{ "googlemail.com", NULL, "free" },
	{ "yahoo.com.br", NULL, "free" },
	{ "yahoo.co", NULL, "yahoo.com or yahoo.co.uk?" },
	{ "hotmail.co", NULL, "hotmail.com or hotmail.co.uk?" },
	{ "live.co", NULL, "live.com or live.co.uk?" },
	{ "outlook.co", NULL, "outlook.com or outlook.co.il?" },
	{ "gmx.ne", NULL, "tie: gmx.net and gmx.de" },
	{ "xmail.com", NULL, "tie: gmail.com and ymail.com" },
	{ "hmail.com", NULL, "tie: gmail.com and ymail.com" },
	{ "verizon.com", NULL, "real TLD, real company" },
	{ "comcast.com", NULL, "real TLD" },
	{ "orange.es", NULL, "real TLD: Orange Spain" },
	{ "gmail.cn", NULL, "real TLD" },
	{ "hotmial.pt", NULL, "no popular hotmail.pt; .pt is real" },
	{ "gmail.ru", NULL, "gmail name: not mail.ru" },
	{ "popmail.com", NULL, "two edits inside the name" },
	{ "joymail.com", NULL, "two edits inside the name" },
	{ "shortmail.com", NULL, "two edits inside the name" },
	{ "never.com", NULL, "naver.com is not a target" },
	{ "rodgers.com", NULL, "rogers.com is not a target" },
	{ "life.com", NULL, "live is too short to correct" },
	{ "line.com", NULL, "live is too short to correct" },
	{ "example.com", NULL, "nothing close" },
	{ "abc.de", NULL, "nothing close" },
	{ "gmai", NULL, "shorter than 6" },
	{ "mailinator.com", NULL, "disposable" },
	{ "a.b.mailinator.com", NULL, "disposable subdomain" },
	{ "", NULL, "empty" },
	{ ".", NULL, "only a root dot" },
};

static char tmpdir[512];

static void test_bool(const char *what, const struct bool_case *c, size_t n,
    bool (*fn)(const struct listcheck *, const char *, size_t),
    const struct listcheck *l);
static void test_suggest(const struct listcheck *l, const char *lists);
static void test_tables(const struct listcheck *l, const char *lists);
static const char *write_table(const char *name, const char *text, size_t len);
static struct listcheck *load_small(const char *role, const char *disp,
    const char *free_, const char *pop, const char *typos, struct diag *d);
static void test_small(void);
static void test_broken(void);

/* test_bool - run a table of yes/no cases through one check. */
static void
test_bool(const char *what, const struct bool_case *c, size_t n,
    bool (*fn)(const struct listcheck *, const char *, size_t),
    const struct listcheck *l)
{
	for (size_t i = 0; i < n; i++)
		ok(fn(l, c[i].in, strlen(c[i].in)) == c[i].want,
		    "%s(\"%s\") = %s (%s)", what, c[i].in,
		    c[i].want ? "true" : "false", c[i].why);
}

/* test_suggest - the case table; edit-distance cases bypass typos.tsv. */
static void
test_suggest(const struct listcheck *l, const char *lists)
{
	struct wordlist *typos;
	struct diag d;
	char p[700];

	snprintf(p, sizeof(p), "%s/typos.tsv", lists);
	typos = wordlist_load(p, WORDLIST_MAP, &d);
	for (size_t i = 0; i < sizeof(suggest_cases) / sizeof(suggest_cases[0]);
	    i++) {
		const struct suggest_case *c = &suggest_cases[i];
		const char *got = listcheck_suggest(l, c->in, strlen(c->in));

		if (c->want != NULL)
			is_str(got, c->want, "suggest(\"%s\") = %s (%s)", c->in,
			    c->want, c->why);
		else if (!ok(got == NULL, "suggest(\"%s\") = NULL (%s)", c->in,
		    c->why))
			diag("got '%s'", got);
		/* An edit-distance case must not be answered by the table. */
		if (c->want != NULL && strstr(c->why, "typo table") == NULL &&
		    typos != NULL &&
		    wordlist_has(typos, c->in, strlen(c->in)))
			ok(0, "\"%s\" is in typos.tsv: pick another case",
			    c->in);
	}
	wordlist_free(typos);

	/* Not NUL-terminated: only len bytes may be read. */
	is_str(listcheck_suggest(l, "gmial.comXYZ", 9), "gmail.com",
	    "suggest uses len, not the NUL");
	ok(listcheck_role(l, "infoXYZ", 4), "role uses len, not the NUL");
	ok(listcheck_disposable(l, "yopmail.comXYZ", 11),
	    "disposable uses len, not the NUL");
	ok(listcheck_freemail(l, "gmx.deXYZ", 6),
	    "freemail uses len, not the NUL");
}

/* domain_same - listcheck_domain(in) gives what the three calls give. */
static bool
domain_same(const struct listcheck *l, const char *in)
{
	struct listcheck_domain got;
	size_t n = strlen(in);
	const char *want = listcheck_suggest(l, in, n);

	listcheck_domain(l, in, n, &got);
	if (got.disposable == listcheck_disposable(l, in, n) &&
	    got.free_mail == listcheck_freemail(l, in, n) &&
	    (got.suggest == NULL ? want == NULL :
	    want != NULL && strcmp(got.suggest, want) == 0))
		return true;
	diag("listcheck_domain(\"%s\"): %d %d %s", in, got.disposable,
	    got.free_mail, got.suggest ? got.suggest : "NULL");
	return false;
}

/*
 * test_domain - listcheck_domain against the three calls: every case
 * above, and each popular domain with one byte replaced, dropped or
 * upper-cased (near misses, in reach of the distance search).
 */
static void
test_domain(const struct listcheck *l, const char *lists)
{
	static const char subst[] = "az0-.";
	struct wordlist *pop;
	struct diag d;
	char p[700], buf[300];
	size_t bad = 0, n = 0;

	for (size_t i = 0; i < sizeof(suggest_cases) / sizeof(suggest_cases[0]);
	    i++, n++)
		bad += !domain_same(l, suggest_cases[i].in);
	for (size_t i = 0; i < sizeof(disposable_cases) /
	    sizeof(disposable_cases[0]); i++, n++)
		bad += !domain_same(l, disposable_cases[i].in);
	for (size_t i = 0; i < sizeof(free_cases) / sizeof(free_cases[0]);
	    i++, n++)
		bad += !domain_same(l, free_cases[i].in);
	snprintf(p, sizeof(p), "%s/popular.txt", lists);
	if (!ok((pop = wordlist_load(p, WORDLIST_SET, &d)) != NULL,
	    "popular.txt loads for the near misses"))
		return;
	for (size_t i = 0; i < wordlist_count(pop); i++) {
		const char *w = wordlist_entry(pop, i);
		size_t len = strlen(w);

		if (len + 1 >= sizeof(buf))
			continue;
		for (size_t at = 0; at < len; at++) {
			for (const char *c = subst; *c != '\0'; c++, n++) {
				memcpy(buf, w, len + 1);
				buf[at] = *c;
				bad += !domain_same(l, buf);
			}
			memcpy(buf, w, at);
			memcpy(buf + at, w + at + 1, len - at);	/* dropped */
			bad += !domain_same(l, buf);
			memcpy(buf, w, len + 1);
			buf[at] = (char)(buf[at] >= 'a' && buf[at] <= 'z' ?
			    buf[at] - 'a' + 'A' : buf[at]);
			bad += !domain_same(l, buf);
			n += 2;
		}
	}
	wordlist_free(pop);
	ok(bad == 0, "listcheck_domain = the three calls on %zu names "
	    "(%zu differ)", n, bad);
}

/* test_tables - properties over every line of the real tables. */
static void
test_tables(const struct listcheck *l, const char *lists)
{
	static const char *const sets[] = { "free.txt", "popular.txt" };
	struct wordlist *w;
	struct diag d;
	char p[700];
	size_t bad;

	snprintf(p, sizeof(p), "%s/typos.tsv", lists);
	if ((w = wordlist_load(p, WORDLIST_MAP, &d)) != NULL) {
		bad = 0;
		for (size_t i = 0; i < wordlist_count(w); i++) {
			const char *k = wordlist_entry(w, i);
			const char *got = listcheck_suggest(l, k, strlen(k));

			if (got == NULL ||
			    strcmp(got, wordlist_value(w, i)) != 0) {
				diag("suggest(%s) = %s, want %s", k,
				    got ? got : "NULL", wordlist_value(w, i));
				bad++;
			}
		}
		ok(bad == 0 && wordlist_count(w) >= 150,
		    "every one of the %zu typos.tsv lines is suggested",
		    wordlist_count(w));
	} else
		ok(0, "typos.tsv loads: %s", d.msg);
	wordlist_free(w);

	for (size_t s = 0; s < 2; s++) {
		snprintf(p, sizeof(p), "%s/%s", lists, sets[s]);
		if ((w = wordlist_load(p, WORDLIST_SET, &d)) == NULL) {
			ok(0, "%s loads: %s", sets[s], d.msg);
			continue;
		}
		bad = 0;
		for (size_t i = 0; i < wordlist_count(w); i++) {
			const char *k = wordlist_entry(w, i);
			const char *got = listcheck_suggest(l, k, strlen(k));

			if (got != NULL ||
			    !listcheck_freemail(l, k, strlen(k))) {
				diag("%s: suggest = %s, freemail = %d", k,
				    got ? got : "NULL",
				    listcheck_freemail(l, k, strlen(k)));
				bad++;
			}
		}
		ok(bad == 0, "all %zu %s domains are free mail and get no "
		    "suggestion", wordlist_count(w), sets[s]);
		wordlist_free(w);
	}

	snprintf(p, sizeof(p), "%s/role.txt", lists);
	if ((w = wordlist_load(p, WORDLIST_SET, &d)) != NULL) {
		bad = 0;
		for (size_t i = 0; i < wordlist_count(w); i++) {
			const char *k = wordlist_entry(w, i);

			bad += !listcheck_role(l, k, strlen(k));
		}
		ok(bad == 0 && wordlist_count(w) >= 80,
		    "all %zu role.txt entries are roles", wordlist_count(w));
	} else
		ok(0, "role.txt loads: %s", d.msg);
	wordlist_free(w);

	snprintf(p, sizeof(p), "%s/disposable.txt", lists);
	if ((w = wordlist_load(p, WORDLIST_SET, &d)) != NULL) {
		bad = 0;
		for (size_t i = 0; i < wordlist_count(w); i += 97) {
			const char *k = wordlist_entry(w, i);

			if (k[0] != '*')
				bad += !listcheck_disposable(l, k, strlen(k));
		}
		ok(bad == 0 && wordlist_count(w) > 100000,
		    "sampled disposable.txt entries are disposable (%zu lines)",
		    wordlist_count(w));
	} else
		ok(0, "disposable.txt loads: %s", d.msg);
	wordlist_free(w);
}

/* write_table - create tmpdir/name (or remove it when text is NULL). */
static const char *
write_table(const char *name, const char *text, size_t len)
{
	static char p[700];
	FILE *fp;

	snprintf(p, sizeof(p), "%s/%s", tmpdir, name);
	if (text == NULL) {
		unlink(p);
		return p;
	}
	if ((fp = fopen(p, "wb")) == NULL || fwrite(text, 1, len, fp) != len ||
	    fclose(fp) != 0) {
		printf("Bail out! cannot write %s\n", p);
		exit(1);
	}
	return p;
}

/* load_small - write the five tables (NULL: absent) and load them. */
static struct listcheck *
load_small(const char *role, const char *disp, const char *free_,
    const char *pop, const char *typos, struct diag *d)
{
	write_table("role.txt", role, role ? strlen(role) : 0);
	write_table("disposable.txt", disp, disp ? strlen(disp) : 0);
	write_table("free.txt", free_, free_ ? strlen(free_) : 0);
	write_table("popular.txt", pop, pop ? strlen(pop) : 0);
	write_table("typos.tsv", typos, typos ? strlen(typos) : 0);
	memset(d, 0, sizeof(*d));
	return listcheck_load(tmpdir, d);
}

#define ROLE	"info\n"
#define DISP	"mailinator.com\n*.wild.example\n"
#define FREE	"gmail.com\nmail.com\n"
#define POP	"gmail.com\n"
#define TYPOS	"gmial.com\tgmail.com\n"

/* test_small - wildcard semantics on tables we control. */
static void
test_small(void)
{
	struct listcheck *l;
	struct diag d;

	l = load_small(ROLE, DISP, FREE, POP, TYPOS, &d);
	if (!ok(l != NULL, "small valid tables load")) {
		diag("%s", d.msg);
		return;
	}
	ok(!listcheck_disposable(l, "wild.example", 12),
	    "*.wild.example does not match wild.example");
	ok(listcheck_disposable(l, "a.wild.example", 14),
	    "*.wild.example matches a.wild.example");
	ok(listcheck_disposable(l, "a.b.wild.example", 16),
	    "*.wild.example matches a.b.wild.example");
	ok(!listcheck_disposable(l, "awild.example", 13),
	    "*.wild.example does not match awild.example");
	ok(listcheck_disposable(l, "x.mailinator.com", 16),
	    "plain entry matches its subdomains");
	is_str(listcheck_suggest(l, "gmial.com", 9), "gmail.com",
	    "small typo table works");
	ok(listcheck_suggest(l, "mail.com", 8) == NULL,
	    "mail.com (free) is never corrected to gmail.com");
	listcheck_free(l);
}

/* A broken table and the message listcheck_load must give for it. */
struct broken_case {
	const char *why;
	const char *role, *disp, *free_, *pop, *typos;
	const char *file;	/* the file the message must name */
	const char *want;	/* the rest of the message, from ':' */
};

#define A16 "aaaaaaaaaaaaaaaa"	/* 16 bytes of a label */

static const struct broken_case broken_cases[] = {
	{ "typos.tsv line without a tab", ROLE, DISP, FREE, POP,
	    "# c\ngmial.com\tgmail.com\ngmai.com gmail.com\n",
	    "typos.tsv", ":3: expected key<TAB>value, found no tab" },
	{ "typo of a free domain", ROLE, DISP, FREE, POP,
	    "gmial.com\tgmail.com\nmail.com\tgmail.com\n",
	    "typos.tsv", ":2: misspelling is listed in free.txt" },
	{ "typo of a popular domain", ROLE, DISP, FREE, POP,
	    "gmail.com\tmail.com\n",
	    "typos.tsv", ":1: misspelling is listed in popular.txt" },
	{ "correction to an unknown domain", ROLE, DISP, FREE, POP,
	    "gmial.com\tgmial.org\n",
	    "typos.tsv",
	    ":1: correction is in neither free.txt nor popular.txt" },
	{ "correction not a domain", ROLE, DISP, FREE, POP,
	    "gmial.com\tcom\n",
	    "typos.tsv", ":1: correction is not a domain in A-label form" },
	{ "typo key repeated with another value", ROLE, DISP, FREE, POP,
	    "gmial.com\tgmail.com\ngmial.com\tmail.com\n",
	    "typos.tsv", ":2: key 'gmial.com' repeats with a different value" },
	{ "popular domain not in free.txt", ROLE, DISP, FREE,
	    "gmail.com\nyahoo.com\n", TYPOS,
	    "popular.txt",
	    ":2: popular domain missing from free.txt: yahoo.com" },
	{ "free.txt with a bare TLD", ROLE, DISP, "gmail.com\ncom\n", POP,
	    TYPOS, "free.txt", ":2: a single label is a top-level domain" },
	{ "free.txt with a U-label", ROLE, DISP,
	    "gmail.com\n# ok: b\xc3\xbc" "cher in a comment\n"
	    "b\xc3\xbc" "cher.de\n",
	    POP, TYPOS, "free.txt", ":3: non-ASCII byte 0xc3 in entry" },
	{ "disposable.txt with an empty label", ROLE, "a.com\nbad..com\n", FREE,
	    POP, TYPOS, "disposable.txt", ":2: not a domain in A-label form" },
	{ "disposable.txt with a leading hyphen", ROLE, "a.com\n-x.com\n", FREE,
	    POP, TYPOS, "disposable.txt", ":2: not a domain in A-label form" },
	{ "disposable.txt with a trailing hyphen", ROLE, "a.com\nx-.com\n",
	    FREE, POP, TYPOS, "disposable.txt",
	    ":2: not a domain in A-label form" },
	{ "disposable.txt with a hyphen ending the last label", ROLE,
	    "a.com\nx.co-\n", FREE, POP, TYPOS, "disposable.txt",
	    ":2: not a domain in A-label form" },
	{ "disposable.txt with a trailing dot", ROLE, "a.com\nx.com.\n",
	    FREE, POP, TYPOS, "disposable.txt",
	    ":2: not a domain in A-label form" },
	{ "disposable.txt with a 64-byte label (63 is fine)", ROLE,
	    A16 A16 A16 "aaaaaaaaaaaaaaa.com\nx." A16 A16 A16 A16 "\n",
	    FREE, POP, TYPOS, "disposable.txt",
	    ":2: not a domain in A-label form" },
	{ "disposable.txt with a bad byte in the last label", ROLE,
	    "a.com\nx.c+m\n", FREE, POP, TYPOS, "disposable.txt",
	    ":2: not a domain in A-label form" },
	{ "disposable.txt with a bare wildcard", ROLE, "a.com\n\n*.\n", FREE,
	    POP, TYPOS, "disposable.txt", ":3: not a domain in A-label form" },
	{ "disposable.txt with a wildcard TLD", ROLE, "*.com\n", FREE,
	    POP, TYPOS, "disposable.txt", ":1: a single label is a top-level" },
	{ "disposable.txt with an underscore", ROLE, "a_b.com\n", FREE,
	    POP, TYPOS, "disposable.txt", ":1: not a domain in A-label form" },
	{ "disposable.txt with a control byte", ROLE, "a.com\nb\x01.com\n",
	    FREE, POP, TYPOS, "disposable.txt", ":2: non-printable byte 0x01" },
	{ "role.txt with an address", "info\ninfo@example.com\n", DISP, FREE,
	    POP, TYPOS, "role.txt", ":2: a role entry is a local part" },
	{ "role.txt missing", NULL, DISP, FREE, POP, TYPOS,
	    "role.txt", ": cannot open: " },
	{ "typos.tsv missing", ROLE, DISP, FREE, POP, NULL,
	    "typos.tsv", ": cannot open: " },
};

/* test_broken - every broken table fails the load, naming file:line. */
static void
test_broken(void)
{
	struct listcheck *l;
	struct diag d;
	char want[800];

	for (size_t i = 0; i < sizeof(broken_cases) / sizeof(broken_cases[0]);
	    i++) {
		const struct broken_case *c = &broken_cases[i];

		l = load_small(c->role, c->disp, c->free_, c->pop, c->typos,
		    &d);
		snprintf(want, sizeof(want), "%s/%s%s", tmpdir, c->file,
		    c->want);
		if (!ok(l == NULL && d.code == DIAG_DATA &&
		    strncmp(d.msg, want, strlen(want)) == 0,
		    "load fails: %s", c->why))
			diag("got '%s', want prefix '%s'",
			    l ? "(loaded)" : d.msg, want);
		listcheck_free(l);
	}
	l = load_small(ROLE, DISP, FREE, POP, TYPOS, &d);
	ok(l != NULL, "the same directory loads again once fixed");
	listcheck_free(l);

	/* A directory that does not exist names the first table. */
	memset(&d, 0, sizeof(d));
	l = listcheck_load("/nonexistent/listscrub-lists", &d);
	ok(l == NULL && d.code == DIAG_DATA && strstr(d.msg,
	    "/nonexistent/listscrub-lists/role.txt: cannot open") == d.msg,
	    "missing directory: %s", d.msg);
	listcheck_free(NULL);
	ok(1, "listcheck_free(NULL) is a no-op");
}

int
main(void)
{
	const char *srcdir = getenv("srcdir");
	const char *base = getenv("TMPDIR");
	struct listcheck *l;
	struct diag d = { DIAG_OK, "" };
	char lists[600];
	static const char *const names[] = {
		"role.txt", "disposable.txt", "free.txt", "popular.txt",
		"typos.tsv"
	};

	snprintf(lists, sizeof(lists), "%s/lists",
	    srcdir != NULL && *srcdir != '\0' ? srcdir : ".");
	l = listcheck_load(lists, &d);
	if (!ok(l != NULL, "the real tables in %s load", lists)) {
		diag("%s", d.msg);
		return done_testing();
	}
	test_bool("role", role_cases,
	    sizeof(role_cases) / sizeof(role_cases[0]), listcheck_role, l);
	test_bool("disposable", disposable_cases,
	    sizeof(disposable_cases) / sizeof(disposable_cases[0]),
	    listcheck_disposable, l);
	test_bool("freemail", free_cases,
	    sizeof(free_cases) / sizeof(free_cases[0]), listcheck_freemail, l);
	test_suggest(l, lists);
	test_domain(l, lists);
	test_tables(l, lists);
	listcheck_free(l);

	snprintf(tmpdir, sizeof(tmpdir), "%s/t_listcheck.XXXXXX",
	    base != NULL && *base != '\0' ? base : "/tmp");
	if (mkdtemp(tmpdir) == NULL) {
		printf("Bail out! mkdtemp %s failed\n", tmpdir);
		return 1;
	}
	test_small();
	test_broken();
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		write_table(names[i], NULL, 0);
	ok(rmdir(tmpdir) == 0, "temporary directory removed");
	return done_testing();
}
