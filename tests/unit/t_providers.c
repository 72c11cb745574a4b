/*
 * t_providers - unit tests for validator/dns/providers.c: the real table
 * $srcdir/lists/providers.tsv loads and every row keeps its promises
 * (a source, rules only where sourced), the matcher (suffix rules,
 * longest pattern, case, root dot, len not NUL), the throttle codes, and
 * every kind of bad line refused with file:line (tables under $TMPDIR).
 */
#define _POSIX_C_SOURCE 200809L

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dns/providers.h"
#include "tap.h"

struct match_case {
	const char *host;
	const char *want;	/* provider name, NULL: none */
};

static const struct match_case match_cases[] = {
	{ "aspmx.l.google.com", "google" },
	{ "alt1.aspmx.l.google.com.", "google" },
	{ "gmail-smtp-in.l.google.com", "google" },
	{ "ASPMX.L.GOOGLE.COM", "google" },
	{ "google.com", NULL },			/* ".google.com": below only */
	{ "evilgoogle.com", NULL },
	{ "contoso-com.mail.protection.outlook.com", "microsoft365" },
	{ "hotmail-com.olc.protection.outlook.com", "outlook_com" },
	{ "mta5.am0.yahoodns.net", "yahoo" },
	{ "mx-aol.mail.gm0.yahoodns.net.", "yahoo" },
	{ "yahoodns.net", NULL },
	{ "mxs.mail.ru", "mailru" },
	{ "a.mxs.mail.ru", "mailru" },
	{ "xmxs.mail.ru", NULL },		/* not a label boundary */
	{ "mail.ru", NULL },
	{ "mx01.mail.icloud.com", "icloud" },
	{ "mx00.gmx.net", "gmx_webde_ionos" },
	{ "mx-ha02.web.de", "gmx_webde_ionos" },
	{ "mx00.kundenserver.de", "gmx_webde_ionos" },
	{ "mx.yandex.net", "yandex" },
	{ "mx.zoho.eu", "zoho" },
	{ "mx2.zoho.com", "zoho" },
	{ "mx.zoho.in", "zoho" },
	{ "mx3.zoho.com.au", "zoho" },
	{ "mx.zoho.jp", "zoho" },
	{ "zoho.com.au", NULL },
	{ "in1-smtp.messagingengine.com", "fastmail" },
	{ "mx0a-001.pphosted.com", "proofpoint" },
	{ "mx1-us1.ppe-hosted.com", "proofpoint" },
	{ "eu-smtp-inbound-1.mimecast.com", "mimecast" },
	{ "d1.barracudanetworks.com", "barracuda" },
	{ "mx1.hc1234-56.iphmx.com", "cisco" },
	{ "cluster1.eu.messagelabs.com", "messagelabs" },
	{ "x.in.tmes.trendmicro.com", "trendmicro" },
	{ "mx.trendmicro.eu", "trendmicro" },
	{ "mx-01-eu-central-1.prod.hydra.sophos.com", "sophos" },
	{ "mx01.hornetsecurity.com", "hornetsecurity" },
	{ "mx.example.com", NULL },
	{ "", NULL },
	{ ".", NULL },
};

struct bad_case {
	const char *text;	/* the table */
	const char *want;	/* in the message, after "path:line: " */
	unsigned line;
};

#define SRC "\thttps://example.org/doc\n"
static const struct bad_case bad_cases[] = {
	{ "# c\n\n.a.example\tp\t-" SRC "x.example\tp\n", "want 4 fields", 4 },
	{ ".a.example\tp\t-\tsrc\textra\n", "want 4 fields", 1 },
	{ ".a.example\tp\t-\t\n", "empty field", 1 },
	{ ".a.example\t p\t-" SRC, "spaces around", 1 },
	{ "example\tp\t-" SRC, "two labels", 1 },
	{ ".Example.com\tp\t-" SRC, "lower-case A-label", 1 },
	{ "a..example\tp\t-" SRC, "empty label", 1 },
	{ "a.example.\tp\t-" SRC, "empty label", 1 },
	{ "a_b.example\tp\t-" SRC, "lower-case A-label", 1 },
	{ "a.example\tGoogle\t-" SRC, "provider name", 1 },
	{ "a.example\tp\taccept_al" SRC, "unknown rule", 1 },
	{ "a.example\tp\taccept_all;" SRC, "end with ';'", 1 },
	{ "a.example\tp\taccept_all;;max_rcpt_per_conn=2" SRC, "empty rule", 1 },
	{ "a.example\tp\tmax_rcpt_per_conn=0" SRC, "1 to 100", 1 },
	{ "a.example\tp\tmax_rcpt_per_conn=101" SRC, "1 to 100", 1 },
	{ "a.example\tp\tmax_rcpt_per_conn=x" SRC, "1 to 100", 1 },
	{ "a.example\tp\tthrottle_codes=250" SRC, "4xx or 5xx", 1 },
	{ "a.example\tp\tthrottle_codes=450 5.2.1" SRC, "class must match", 1 },
	{ "a.example\tp\tthrottle_codes=450 4.2" SRC, "bad enhanced", 1 },
	{ "a.example\tp\tthrottle_codes=450  4.2.1" SRC, "bad enhanced", 1 },
	{ "a.example\tp\tthrottle_codes=450 4.2.1," SRC, "ends with a comma", 1 },
	{ "a.example\tp\taccept_all;no_catch_all_test" SRC, "contradict", 1 },
	{ "a.example\tp\taccept_all\tunsourced: no page\n", "needs a source", 1 },
	{ "a.example\tp\t-" SRC "a.example\tq\t-" SRC, "listed twice", 2 },
	{ "a.example\tp\taccept_all" SRC "b.example\tp\t-" SRC,
	    "rules differ", 2 },
};

static char tmpdir[600];

/* write_table - the table text in tmpdir/t.tsv; its path. */
static const char *
write_table(const char *text)
{
	static char path[700];
	FILE *f;

	snprintf(path, sizeof(path), "%s/t.tsv", tmpdir);
	if ((f = fopen(path, "w")) == NULL || fputs(text, f) == EOF ||
	    fclose(f) != 0) {
		printf("Bail out! cannot write %s\n", path);
		exit(1);
	}
	return path;
}

/* test_real - the shipped table. */
static void
test_real(const char *lists)
{
	char path[700];
	struct diag d;
	struct providers *p;
	const struct provider *pv;
	size_t unsourced = 0, ruled = 0;

	snprintf(path, sizeof(path), "%s/providers.tsv", lists);
	p = providers_load(path, &d);
	if (!ok(p != NULL, "lists/providers.tsv loads")) {
		diag("%s", d.msg);
		return;
	}
	ok(providers_rows(p) >= 27, "it has %zu rows", providers_rows(p));
	ok(providers_count(p) >= 18, "it names %zu providers",
	    providers_count(p));
	for (size_t i = 0; i < providers_count(p); i++) {
		pv = providers_at(p, i);
		if (strncmp(pv->source, "unsourced:", 10) == 0)
			unsourced++;
		else if (strncmp(pv->source, "https://", 8) != 0)
			ok(0, "%s: the source is a URL or unsourced: %s",
			    pv->name, pv->source);
		if (pv->accept_all || pv->max_rcpt || pv->nthrottle ||
		    pv->no_catch_all_test)
			ruled++;
	}
	diag("%zu providers, %zu with rules, %zu unsourced",
	    providers_count(p), ruled, unsourced);
	for (size_t i = 0; i < sizeof(match_cases) / sizeof(match_cases[0]);
	    i++) {
		const struct match_case *c = &match_cases[i];

		pv = providers_match(p, c->host, strlen(c->host));
		if (c->want)
			is_str(pv ? pv->name : "(none)", c->want,
			    "match(%s) = %s", c->host, c->want);
		else if (!ok(pv == NULL, "match(%s) = none", c->host))
			diag("got %s", pv->name);
	}
	/* only len bytes are read */
	pv = providers_match(p, "mxs.mail.ruXYZ", 11);
	is_str(pv ? pv->name : "(none)", "mailru", "match uses len, not NUL");
	pv = providers_match(p, "mta5.am0.yahoodns.net", 21);
	ok(pv && pv->accept_all && pv->max_rcpt == 0,
	    "yahoo: accept_all, no cap");
	pv = providers_match(p, "mxs.mail.ru", 11);
	ok(pv && pv->accept_all, "mail.ru: accept_all");
	pv = providers_match(p, "hotmail-com.olc.protection.outlook.com", 38);
	ok(pv && pv->max_rcpt == 1 && !pv->accept_all,
	    "outlook.com: one recipient per connection");
	pv = providers_match(p, "aspmx.l.google.com", 18);
	ok(pv && pv->nthrottle == 2 && provider_throttles(pv, 450, "4.2.1") &&
	    provider_throttles(pv, 421, "4.7.28") &&
	    !provider_throttles(pv, 421, "4.7.0") &&
	    !provider_throttles(pv, 450, NULL) &&
	    !provider_throttles(pv, 550, "5.1.1"),
	    "google: 450 4.2.1 and 421 4.7.28 throttle, nothing else");
	{
		char words[200];

		provider_rules_text(pv, words, sizeof(words));
		is_str(words, "throttling replies retried (450 4.2.1, "
		    "421 4.7.28)", "google's rules in words");
	}
	ok(!provider_throttles(NULL, 450, "4.2.1"), "no provider: no throttle");
	ok(providers_match(NULL, "mxs.mail.ru", 11) == NULL,
	    "no table: no match");
	providers_free(p);
}

/* test_matcher - longest pattern, exact-or-below vs strictly below. */
static void
test_matcher(void)
{
	struct diag d;
	struct providers *p = providers_load(write_table(
	    "\xef\xbb\xbf# bom, comment\r\n"
	    "   \t\n"
	    ".example.net\twide\t-\tunsourced: test\r\n"
	    ".in.example.net\tnarrow\tthrottle_codes=421,450 4.2.1\thttps://x\n"
	    "example.org\texact\tmax_rcpt_per_conn=3;no_catch_all_test\thttps://y\n"),
	    &d);
	const struct provider *pv;

	if (!ok(p != NULL, "BOM, CRLF, blank and comment lines are fine")) {
		diag("%s", d.msg);
		return;
	}
	pv = providers_match(p, "a.in.example.net", 16);
	is_str(pv ? pv->name : "(none)", "narrow", "the longest pattern wins");
	pv = providers_match(p, "a.out.example.net", 17);
	is_str(pv ? pv->name : "(none)", "wide", "the shorter one otherwise");
	ok(providers_match(p, "example.net", 11) == NULL,
	    ".example.net does not match example.net");
	pv = providers_match(p, "example.org.", 12);
	ok(pv && pv->max_rcpt == 3 && pv->no_catch_all_test,
	    "example.org matches itself (root dot ignored), two rules");
	pv = providers_match(p, "mx.example.org", 14);
	is_str(pv ? pv->name : "(none)", "exact", "... and names below it");
	pv = providers_match(p, "x.in.example.net", 16);
	ok(pv && provider_throttles(pv, 421, "4.7.0") &&
	    provider_throttles(pv, 421, NULL) &&
	    provider_throttles(pv, 450, "4.2.1") &&
	    !provider_throttles(pv, 450, "4.2.2"),
	    "a bare code matches any enhanced code; a full one only itself");
	providers_free(p);
}

/* test_bad - every malformed line is refused with path:line. */
static void
test_bad(void)
{
	struct diag d;
	char want[900];

	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		const char *path = write_table(c->text);
		struct providers *p;

		memset(&d, 0, sizeof(d));
		p = providers_load(path, &d);
		snprintf(want, sizeof(want), "%s:%u: ", path, c->line);
		if (!ok(p == NULL && d.code == DIAG_DATA &&
		    strncmp(d.msg, want, strlen(want)) == 0 &&
		    strstr(d.msg, c->want) != NULL,
		    "bad table %zu refused at line %u: %s", i, c->line,
		    c->want))
			diag("got %s", p ? "a table" : d.msg);
		providers_free(p);
	}
	snprintf(want, sizeof(want), "%s/none.tsv", tmpdir);
	ok(providers_load(want, &d) == NULL && d.code == DIAG_DATA &&
	    strstr(d.msg, "none.tsv: ") != NULL, "a missing table: path: why");
	{
		char big[5000];

		memset(big, 'a', sizeof(big) - 2);
		big[sizeof(big) - 2] = '\n';
		big[sizeof(big) - 1] = '\0';
		ok(providers_load(write_table(big), &d) == NULL &&
		    strstr(d.msg, ":1: line longer") != NULL,
		    "an overlong line is refused");
	}
}

/* test_rules_text - the rules in words, for the summary and the page. */
static void
test_rules_text(void)
{
	struct provider all = { .name = "a", .accept_all = true,
	    .max_rcpt = 5, .nthrottle = 2, .no_catch_all_test = true,
	    .throttle = { { 450, "4.2.1" }, { 421, "" } } };
	struct provider one = { .name = "b", .max_rcpt = 1 };
	struct provider none = { .name = "c" };
	char buf[200];

	provider_rules_text(&all, buf, sizeof(buf));
	is_str(buf, "accepts all: not asked; 5 recipients per connection; "
	    "throttling replies retried (450 4.2.1, 421); no catch-all test",
	    "every rule in words, in order");
	provider_rules_text(&one, buf, sizeof(buf));
	is_str(buf, "1 recipient per connection", "one recipient, singular");
	provider_rules_text(&none, buf, sizeof(buf));
	is_str(buf, "none", "no rule: none");
	provider_rules_text(NULL, buf, sizeof(buf));
	is_str(buf, "none", "no provider: none");
	provider_rules_text(&all, buf, 12);
	is_str(buf, "accepts all", "cut to the buffer, terminated");
	buf[0] = 'x';
	provider_rules_text(&all, buf, 0);
	ok(buf[0] == 'x', "a 0-byte buffer is not touched");
}

int
main(void)
{
	const char *src = getenv("srcdir");
	const char *base = getenv("TMPDIR");
	char lists[600];

	snprintf(lists, sizeof(lists), "%s/lists", src && *src ? src : ".");
	snprintf(tmpdir, sizeof(tmpdir), "%s/t_providers.XXXXXX",
	    base && *base ? base : "/tmp");
	if (mkdtemp(tmpdir) == NULL) {
		printf("Bail out! mkdtemp %s failed\n", tmpdir);
		return 1;
	}
	test_real(lists);
	test_matcher();
	test_bad();
	test_rules_text();
	{
		char p[700];

		snprintf(p, sizeof(p), "%s/t.tsv", tmpdir);
		unlink(p);
		rmdir(tmpdir);
	}
	return done_testing();
}
