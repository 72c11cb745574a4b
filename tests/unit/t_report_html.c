/*
 * t_report_html - the --report page (report_html) from reports filled by
 * hand: self-contained (no script, no URL of any kind), a hostile domain
 * name, file name and server reply escaped and made valid UTF-8, every
 * count and percentage where it belongs, the store and changes blocks
 * only when on, the sender-side fixes, and an empty list without NaN,
 * inf or an empty chart.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns/providers.h"
#include "report/report_html.h"
#include "util/ascii.h"
#include "util/utf8.h"
#include "verdict/smtp_classify.h"
#include "tap.h"

/* The hostile domain: markup, an ampersand, quotes, two invalid bytes. */
#define HOSTILE "<script>alert(1)</script>&\"'\xff\xfe.evil"
#define HOSTILE_ESCAPED "&lt;script&gt;alert(1)&lt;/script&gt;&amp;&quot;" \
	"&#39;\xef\xbf\xbd\xef\xbf\xbd.evil"

static char *page(const struct report *r);
static bool has(const char *s, const char *needle);
static bool has_nocase(const char *s, const char *needle);
static size_t count(const char *s, const char *needle);
static bool valid_utf8(const char *s);
static void full(struct report *r);
static void self_contained(const char *html, const char *what);
static bool handler(const char *s);
static bool printed_nan(const char *s);

/* page - the report page for r, as a string (free it). */
static char *
page(const struct report *r)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	if ((f = open_memstream(&text, &len)) == NULL)
		abort();
	report_html(r, f);
	fclose(f);
	return text;
}

/* has - needle occurs in s. */
static bool
has(const char *s, const char *needle)
{
	return strstr(s, needle) != NULL;
}

/* has_nocase - needle occurs in s, ASCII letters in any case. */
static bool
has_nocase(const char *s, const char *needle)
{
	size_t n = strlen(needle);

	for (; *s != '\0'; s++)
		if (ascii_ncasecmp(s, needle, n) == 0)
			return true;
	return false;
}

/* count - occurrences of needle in s. */
static size_t
count(const char *s, const char *needle)
{
	size_t n = 0;

	while ((s = strstr(s, needle)) != NULL) {
		n++;
		s += strlen(needle);
	}
	return n;
}

/* valid_utf8 - s is UTF-8 throughout (RFC 3629). */
static bool
valid_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);

	while (n > 0) {
		uint32_t cp;
		size_t k = utf8_decode(p, n, &cp);

		if (k == 0)
			return false;
		p += k;
		n -= k;
	}
	return true;
}

/* handler - s has an attribute like onload= (space, on, letters, =). */
static bool
handler(const char *s)
{
	for (; (s = strstr(s, " on")) != NULL; s++) {
		const char *p = s + 3;

		while (ascii_isalpha((unsigned char)*p))
			p++;
		if (*p == '=' && p > s + 3)
			return true;
	}
	return false;
}

/*
 * printed_nan - what printf makes of NaN, an infinity or a negative zero
 * next to a number's usual neighbours (%, space, ), <).
 */
static bool
printed_nan(const char *s)
{
	static const char *const bad[] = { "nan", "inf", "-0.0" };
	static const char after[] = "% )<s";

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		for (size_t k = 0; k < sizeof(after) - 1; k++) {
			char needle[16];

			snprintf(needle, sizeof(needle), "%s%c", bad[i],
			    after[k]);
			if (has_nocase(s, needle))
				return true;
		}
	return false;
}

/*
 * full - a run with every block: DNS and SMTP, sender-side trouble, top
 * domains with a hostile one, the store and changes on. 1000 rows.
 */
static void
full(struct report *r)
{
	report_init(r);
	r->input = "/home/someone/lists/spring <promo>.csv";
	r->policy = "standard";
	r->cleaned_path = "/home/someone/lists/spring-cleaned.csv";
	r->rejected_path = "/home/someone/lists/spring-rejected.csv";
	r->column = 2;
	snprintf(r->column_name, sizeof(r->column_name), "E-mail \"work\"");
	r->column_how = "header";
	snprintf(r->started_at, sizeof(r->started_at), "2026-12-03T18:00:00Z");
	r->seconds = 12.5;
	r->rows = 1000;
	r->by_status[STATUS_VALID] = 700;
	r->by_status[STATUS_INVALID] = 150;
	r->by_status[STATUS_RISKY] = 50;
	r->by_status[STATUS_UNKNOWN] = 60;
	r->by_status[STATUS_SKIPPED] = 40;
	r->by_sub[SUB_MAILBOX_OK] = 523;
	r->by_sub[SUB_DOMAIN_OK] = 177;
	r->by_sub[SUB_MAILBOX_NOT_FOUND] = 111;
	r->by_sub[SUB_DOMAIN_NOT_FOUND] = 39;
	r->by_sub[SUB_ROLE_BASED] = 50;
	r->by_sub[SUB_POLICY_BLOCKED] = 31;
	r->by_sub[SUB_GREYLISTED] = 17;
	r->by_sub[SUB_TLS_FAILED] = 12;
	r->by_sub[SUB_DUPLICATE] = 40;
	r->by_action[ACTION_KEEP] = 750;
	r->by_action[ACTION_REVIEW] = 45;
	r->by_action[ACTION_RETRY_LATER] = 15;
	r->by_action[ACTION_REMOVE] = 190;
	r->cleaned = 810;
	r->rejected = 190;
	r->unique_addresses = 960;
	r->unique_domains = 321;
	r->ntop = 3;
	snprintf(r->top_names[0], sizeof(r->top_names[0]), "gmail.com");
	r->top_rows[0] = 400;
	r->top_dns[0] = EVDNS_OK;
	r->top_free_mail[0] = true;
	r->top_action[0][ACTION_KEEP] = 380;
	r->top_action[0][ACTION_REMOVE] = 20;
	snprintf(r->top_names[1], sizeof(r->top_names[1]), "%s", HOSTILE);
	r->top_rows[1] = 33;
	r->top_dns[1] = EVDNS_NXDOMAIN;
	r->top_action[1][ACTION_REMOVE] = 33;
	snprintf(r->top_names[2], sizeof(r->top_names[2]), "slow.example");
	r->top_rows[2] = 7;
	r->top_dns[2] = EVDNS_TIMEOUT;
	r->top_action[2][ACTION_REVIEW] = 7;
	r->dns_ran = true;
	r->dns.domains = 321;
	r->dns.outcomes[MX_OK] = 280;
	r->dns.outcomes[MX_IMPLICIT] = 2;
	r->dns.outcomes[MX_NXDOMAIN] = 25;
	r->dns.outcomes[MX_NULL] = 4;
	r->dns.outcomes[MX_NO_HOST] = 6;
	r->dns.outcomes[MX_TIMEOUT] = 3;
	r->dns.outcomes[MX_ERROR] = 1;
	r->smtp_ran = true;
	r->smtp.addresses = 881;
	r->smtp.hosts = 57;
	r->smtp.connections = 64;
	r->smtp.tls_sessions = 48;
	r->smtp_answered = 902;
	r->smtp_refused = 31;
	r->smtp.nproblems = 1;
	snprintf(r->smtp.problems[0].host, sizeof(r->smtp.problems[0].host),
	    "mx.<b>bad</b>.example");
	snprintf(r->smtp.problems[0].reply, sizeof(r->smtp.problems[0].reply),
	    "554 5.7.1 <you> are \"listed\" \x1b[31m\xc0 & blocked");
	r->smtp.problems[0].count = 31;
	r->store.on = true;
	snprintf(r->store.path, sizeof(r->store.path),
	    "/var/lib/listscrub/results.sqlite");
	r->store.dns_recalled = 222;
	r->store.dns_asked = 99;
	r->store.smtp_recalled = 444;
	r->store.smtp_asked = 437;
	r->changes.on = true;
	r->changes.compared = 200;
	r->changes.changed = 27;
	r->changes.went_bad = 21;
	r->changes.went_bad_by_sub[SUB_MAILBOX_NOT_FOUND] = 19;
	r->changes.went_bad_by_sub[SUB_DOMAIN_NOT_FOUND] = 2;
	r->changes.recovered = 6;
	r->changes.bad_then = 30;
	r->changes.bad_now = 45;
	/* rows by provider, as the pipeline counts them */
	{
		static const struct provider y = { .name = "yahoo",
		    .accept_all = true };
		static const struct provider g = { .name = "google",
		    .nthrottle = 2,
		    .throttle = { { 450, "4.2.1" }, { 421, "4.7.28" } } };
		static const struct provider o = { .name = "outlook_com",
		    .max_rcpt = 1 };
		static const struct provider h = { .name = "hostile" };

		for (int i = 0; i < 120; i++)
			report_count_provider(r, &y, i < 100 ?
			    STATUS_CATCH_ALL : STATUS_INVALID);
		for (int i = 0; i < 300; i++)
			report_count_provider(r, &g, i < 290 ? STATUS_VALID :
			    STATUS_UNKNOWN);
		report_count_provider(r, &o, STATUS_VALID);
		report_count_provider(r, &h, STATUS_RISKY);
		/* a name the table would refuse, to test the escaping */
		snprintf(r->providers[3].name, sizeof(r->providers[3].name),
		    "<i>p&q</i>\xff");
		r->providers_more = 7;
	}
}

/* self_contained - nothing in html can run or fetch anything. */
static void
self_contained(const char *html, const char *what)
{
	ok(!has_nocase(html, "<script"), "%s: no <script", what);
	ok(!has_nocase(html, "http:") && !has_nocase(html, "https:"),
	    "%s: no http: or https:", what);
	ok(!has(html, "//"), "%s: no // (no scheme-relative URL)", what);
	ok(!has_nocase(html, "url(") && !has_nocase(html, "@import"),
	    "%s: no url( and no @import", what);
	ok(!has_nocase(html, "<link") && !has_nocase(html, "<img") &&
	    !has_nocase(html, "<iframe") && !has_nocase(html, "<object") &&
	    !has_nocase(html, "src=") && !has_nocase(html, "href="),
	    "%s: no link, img, iframe, object, src= or href=", what);
	ok(!handler(html), "%s: no event handler attribute (on...=)", what);
	ok(valid_utf8(html), "%s: valid UTF-8", what);
	ok(strncmp(html, "<!DOCTYPE html>\n", 16) == 0 &&
	    has(html, "<meta charset=\"utf-8\">") &&
	    strlen(html) > 8 && strcmp(html + strlen(html) - 8, "</html>\n") ==
	    0, "%s: one whole UTF-8 HTML document", what);
	ok(count(html, "<section") == count(html, "</section>") &&
	    count(html, "<svg") == count(html, "</svg>") &&
	    count(html, "<table") == count(html, "</table>") &&
	    count(html, "<tr>") == count(html, "</tr>"),
	    "%s: sections, SVGs, tables and rows are closed", what);
	ok(!printed_nan(html), "%s: no NaN, inf or negative zero", what);
}

int
main(void)
{
	static struct report r;
	char *html, want[512];

	full(&r);
	html = page(&r);
	self_contained(html, "full report");

	/* Escaping: the domain, the file name, the column, the reply. */
	ok(has(html, HOSTILE_ESCAPED), "hostile domain: escaped, bad bytes "
	    "became U+FFFD");
	ok(!has(html, "<script>alert") && !has(html, "\xff"),
	    "hostile domain: never raw");
	ok(has(html, "spring &lt;promo&gt;.csv") && !has(html, "<promo>"),
	    "file name: escaped");
	ok(!has(html, "/home/someone"), "file names: no directory (the page "
	    "is forwarded)");
	ok(has(html, "E-mail &quot;work&quot;"), "column name: escaped");
	ok(has(html, "mx.&lt;b&gt;bad&lt;/b&gt;.example") &&
	    !has(html, "<b>bad</b>"), "sender problem host: escaped");
	ok(has(html, "554 5.7.1 &lt;you&gt; are &quot;listed&quot; [31m"
	    "\xef\xbf\xbd &amp; blocked") && !has(html, "\x1b"),
	    "server reply: escaped, control byte dropped, bad byte replaced");

	/* Mailbox providers: rows, share, outcomes, the rule applied. */
	ok(has(html, "<h2>Mailbox providers</h2>"), "providers: the section");
	ok(has(html, "<td class=\"dom\">yahoo</td><td class=\"n\">120</td>"
	    "<td class=\"n\">12.0%</td><td>invalid 20, catch_all 100</td>"
	    "<td>accepts all: not asked</td></tr>"),
	    "providers: yahoo's rows, share, outcomes and rule");
	ok(has(html, "<td>valid 290, unknown 10</td><td>throttling replies "
	    "retried (450 4.2.1, 421 4.7.28)</td>"), "providers: google's "
	    "outcomes and throttle codes");
	ok(has(html, "<td>valid 1</td><td>1 recipient per connection</td>"),
	    "providers: outlook_com's cap");
	ok(has(html, "&lt;i&gt;p&amp;q&lt;/i&gt;\xef\xbf\xbd</td>") &&
	    !has(html, "<i>p&q"), "providers: the name escaped");
	ok(has(html, "<td>risky 1</td><td>none</td>"),
	    "providers: a provider without rules says none");
	ok(has(html, " 7 more row(s) at providers not listed here."),
	    "providers: the rows past the table");
	ok(strstr(html, "<h2>Top domains</h2>") < strstr(html,
	    "<h2>Mailbox providers</h2>"), "providers: after the top domains");

	/* At a glance: keep 750, review 45 + retry_later 15, remove 190. */
	ok(has(html, "<span class=\"pct\">75.0%</span>"), "deliverable 75.0%%");
	ok(has(html, "<span class=\"pct\">6.0%</span>"),
	    "to review 6.0%% (review + retry_later)");
	ok(has(html, "<span class=\"pct\">19.0%</span>"), "to remove 19.0%%");
	ok(has(html, "750 rows") && has(html, "60 rows") &&
	    has(html, "190 rows"), "the three counts under the figures");
	ok(has(html, "width=\"750.00\" height=\"28\" fill=\"#1a9850\"") &&
	    has(html, "x=\"750.00\" y=\"0\" width=\"60.00\"") &&
	    has(html, "x=\"810.00\" y=\"0\" width=\"190.00\""),
	    "stacked bar: the parts at their shares, meeting exactly");

	/* Charts: every non-zero status and sub-status, count and share. */
	ok(has(html, ">700 (70.0%)<") && has(html, ">150 (15.0%)<") &&
	    has(html, ">50 (5.0%)<") && has(html, ">60 (6.0%)<") &&
	    has(html, ">40 (4.0%)<"), "status chart: counts and shares");
	ok(!has(html, ">catch_all</text>"), "status chart: a status with 0 "
	    "rows has no bar");
	ok(has(html, ">523 (52.3%)<") && has(html, ">177 (17.7%)<") &&
	    has(html, ">111 (11.1%)<") && has(html, ">39 (3.9%)<") &&
	    has(html, ">31 (3.1%)<") && has(html, ">17 (1.7%)<") &&
	    has(html, ">12 (1.2%)<"), "sub-status chart: counts and shares");
	ok(!has(html, ">syntax_ok</text>"), "sub-status chart: only the "
	    "sub-statuses that occur");
	ok(strstr(html, ">mailbox_ok</text>") < strstr(html,
	    ">domain_ok</text>") && strstr(html, ">domain_ok</text>") <
	    strstr(html, ">mailbox_not_found</text>"),
	    "sub-status chart: most rows first");
	ok(has(html, "width=\"420.0\"") && has(html, "fill=\"#d73027\"") &&
	    has(html, "fill=\"#4f7cc4\""), "bars: the largest is full "
	    "length; colours by status");

	/* Top domains. */
	ok(has(html, ">400</td><td class=\"n\">40.0%</td>") &&
	    has(html, ">33</td><td class=\"n\">3.3%</td>") &&
	    has(html, ">7</td><td class=\"n\">0.7%</td>"),
	    "top domains: rows and share of all rows");
	ok(has(html, "has a mail server") && has(html, "does not exist") &&
	    has(html, "lookup timed out") && has(html, "free mail"),
	    "top domains: DNS answer in words, free mail flagged");
	ok(has(html, "<td class=\"n\">380</td><td class=\"n\">0</td>"
	    "<td class=\"n\">20</td>"), "top domains: kept, review, removed");

	/* DNS and SMTP figures. */
	ok(has(html, "<b>321</b><span>domains looked up") &&
	    has(html, "<b>282</b><span>have a mail server") &&
	    has(html, "<b>35</b><span>receive no mail") &&
	    has(html, "<b>4</b><span>lookups failed"), "DNS figures");
	ok(has(html, "<b>902</b><span>addresses answered") &&
	    has(html, "<b>881</b><span>asked in this run") &&
	    has(html, "<b>31</b><span>refused the sender") &&
	    has(html, "<b>48</b><span>with TLS") && has(html, "TLS on 75.0% "),
	    "SMTP figures: answered, asked, refused, TLS");

	/* Sender-side problems: the rows, the meaning and the fix. */
	ok(has(html, "<code>policy_blocked</code></td><td class=\"n\">31<") &&
	    has(html, "<code>greylisted</code></td><td class=\"n\">17<") &&
	    has(html, "<code>tls_failed</code></td><td class=\"n\">12<"),
	    "sender-side problems: each with its rows");
	ok(!has(html, "<code>timeout</code>") &&
	    !has(html, "<code>dns_error</code>"),
	    "sender-side problems: only those that occur");
	ok(has(html, "check the sending IP on blocklists and the sender&#39;s "
	    "SPF, DKIM and DMARC.") && has(html, "--retry-delay") &&
	    has(html, "--tls-ca"), "sender-side problems: the program's advice "
	    "and a fix for each");

	/* What to do next, from the counts. */
	ok(has(html, "Fix the sending side first") &&
	    strstr(html, "Fix the sending side first") <
	    strstr(html, "Upload the cleaned file"),
	    "next: sender problems come before the upload");
	ok(has(html, "<code>spring-cleaned.csv</code>") &&
	    has(html, "810 rows, of which 60 to review"),
	    "next: the cleaned file, with the review rows it holds");
	ok(has(html, "Decide on the 45 rows to review") &&
	    has(html, "Check the 15 rows with a full mailbox") &&
	    has(html, "Do not send to the 190 rows to remove"),
	    "next: review, retry later, remove");
	ok(has(html, "only those rows are asked again"),
	    "next: with a store, only the unanswered are asked again");
	ok(!has(html, "--offline") && !has(html, "run with --probe"),
	    "next: no advice to run stages that ran");

	/* Store and changes. */
	ok(has(html, "<h2>Result store</h2>") &&
	    has(html, "<code>results.sqlite</code>") &&
	    has(html, "<b>222</b><span>domains: from the store") &&
	    has(html, "<b>99</b><span>domains: looked up now") &&
	    has(html, "<b>444</b><span>addresses: from the store") &&
	    has(html, "<b>437</b><span>addresses: asked now"),
	    "result store block");
	ok(has(html, "<h2>Since the last scrub</h2>") &&
	    has(html, "<b>200</b><span>addresses compared") &&
	    has(html, "<b>27</b><span>changed status") &&
	    has(html, "<b>21</b><span>went bad") &&
	    has(html, "<b>6</b><span>recovered") &&
	    has(html, "15.0% then, <b>22.5%</b> now") &&
	    has(html, "<code>mailbox_not_found</code> 19, "
	    "<code>domain_not_found</code> 2"), "since the last scrub block");

	/* Run facts. */
	ok(has(html, "1,000") && has(html, "960") && has(html, "12.5 s") &&
	    has(html, "2026-12-03 18:00 UTC"), "run facts: rows with "
	    "separators, unique addresses, seconds, time");
	free(html);

	/* Off: no store or changes block; no network: no figures. */
	r.store.on = false;
	r.changes.on = false;
	r.dns_ran = false;
	r.smtp_ran = false;
	r.by_sub[SUB_POLICY_BLOCKED] = 0;
	r.by_sub[SUB_GREYLISTED] = 0;
	r.by_sub[SUB_TLS_FAILED] = 0;
	html = page(&r);
	ok(!has(html, "Result store") && !has(html, "Since the last scrub"),
	    "store and changes off: no blocks");
	ok(!has(html, "Network checks") && !has(html, "Sender-side problems"),
	    "no network stage: no figures, no sender-side block");
	ok(has(html, "Run without <code class=\"opt\">--offline</code>"),
	    "offline: next says how to check the domains");
	free(html);

	/* A share too small to show; large numbers. */
	full(&r);
	r.rows = 3000000;
	r.by_status[STATUS_VALID] = 2999999;
	r.by_status[STATUS_INVALID] = 1;
	html = page(&r);
	ok(has(html, ">1 (&lt;0.1%)<"), "a share under 0.05%% shows as <0.1%%");
	ok(has(html, ">2,999,999 (100.0%)<") && has(html, "3,000,000"),
	    "thousands separated");
	free(html);

	/* The empty list: no division by zero, no chart. */
	report_init(&r);
	r.input = "empty.csv";
	r.policy = "standard";
	r.cleaned_path = "empty-cleaned.csv";
	r.rejected_path = "empty-rejected.csv";
	html = page(&r);
	self_contained(html, "empty report");
	ok(!has(html, "class=\"chart\"") && !has(html, "class=\"stack\"") &&
	    !has(html, "class=\"kpi"), "empty: no chart, no bar, no figures");
	ok(has(html, "no data rows"), "empty: says the input has no rows");
	ok(!has(html, "Upload the cleaned file"), "empty: no upload advice");
	ok(!has(html, "Mailbox providers"), "empty: no provider section");
	free(html);

	/* Empty, but with every optional block on. */
	r.dns_ran = r.smtp_ran = r.store.on = r.changes.on = true;
	html = page(&r);
	self_contained(html, "empty report, every block on");
	snprintf(want, sizeof(want), "TLS on 0.0%% of the connections");
	ok(has(html, want) && has(html, "No address had a previous status"),
	    "empty with blocks: 0.0%%, not NaN; no comparison");
	free(html);
	return done_testing();
}
