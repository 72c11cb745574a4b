/*
 * t_report - when a run is degraded (report_degraded): the thresholds of
 * validator/README, "Stages and passes", pinned at their edges, and the
 * line that says so at the top of the text summary. The result store and
 * "since the last scrub" parts in the three formats, and the summary
 * unchanged when they are off.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns/providers.h"
#include "preflight/preflight.h"
#include "probe/probe_targets.h"
#include "report/report.h"
#include "tap.h"

static char *format(const struct report *r, const char *path);
static void base(struct report *r);
static const char *json_value(const char *s, int depth);
static bool json_ok(const char *s);
static void changes_store(void);
static void preflight_rows(void);
static void providers(void);

/* dns - n domains looked up, timeouts and errors among them. */
static void
dns(struct report *r, uint64_t n, uint64_t timeouts, uint64_t errors)
{
	report_init(r);
	r->dns_ran = true;
	r->dns.domains = n;
	r->dns.outcomes[MX_TIMEOUT] = timeouts;
	r->dns.outcomes[MX_ERROR] = errors;
	r->dns.outcomes[MX_OK] = n - timeouts - errors;
}

/* smtp - answered addresses, refused for the sender among them. */
static void
smtp(struct report *r, uint64_t answered, uint64_t refused)
{
	report_init(r);
	r->dns_ran = true;
	r->dns.domains = answered;
	r->dns.outcomes[MX_OK] = answered;
	r->smtp_ran = true;
	r->smtp_answered = answered;
	r->smtp_refused = refused;
}

/* format - the summary for a file named path, as a string (free it). */
static char *
format(const struct report *r, const char *path)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	if ((f = open_memstream(&text, &len)) == NULL)
		abort();
	report_format(r, path, f);
	fclose(f);
	return text;
}

/* base - an offline run's report with what every summary needs. */
static void
base(struct report *r)
{
	report_init(r);
	r->input = "list.csv";
	r->policy = "standard";
	r->cleaned_path = "c.csv";
	r->rejected_path = "r.csv";
	r->rows = 250;
	r->by_status[STATUS_VALID] = 250;
	snprintf(r->started_at, sizeof(r->started_at), "2026-12-03T18:00:00Z");
}

/* json_ws - past JSON white space (RFC 8259 2). */
static const char *
json_ws(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	return s;
}

/*
 * json_value - past one JSON value (RFC 8259 3-7) starting at s, or NULL
 * if there is none: enough of a parser to say the summary parses.
 */
static const char *
json_value(const char *s, int depth)
{
	s = json_ws(s);
	if (depth > 32)
		return NULL;
	if (*s == '{' || *s == '[') {
		char close = *s == '{' ? '}' : ']';

		s = json_ws(s + 1);
		if (*s == close)
			return s + 1;
		for (;;) {
			s = json_ws(s);
			if (close == '}') {
				if (*s != '"' ||
				    (s = json_value(s, depth + 1)) == NULL)
					return NULL;
				s = json_ws(s);
				if (*s++ != ':')
					return NULL;
			}
			if ((s = json_value(s, depth + 1)) == NULL)
				return NULL;
			s = json_ws(s);
			if (*s == close)
				return s + 1;
			if (*s++ != ',')
				return NULL;
		}
	}
	if (*s == '"') {
		for (s++; *s != '"'; s++) {
			if (*s == '\0' || (unsigned char)*s < 0x20)
				return NULL;
			if (*s == '\\' && *++s == '\0')
				return NULL;
		}
		return s + 1;
	}
	if (strncmp(s, "true", 4) == 0 || strncmp(s, "null", 4) == 0)
		return s + 4;
	if (strncmp(s, "false", 5) == 0)
		return s + 5;
	if (*s == '-' || (*s >= '0' && *s <= '9')) {
		char *end;

		(void)strtod(s, &end);
		return end;
	}
	return NULL;
}

/* json_ok - s is one JSON value and nothing else. */
static bool
json_ok(const char *s)
{
	s = s != NULL ? json_value(s, 0) : NULL;
	return s != NULL && *json_ws(s) == '\0';
}

/*
 * changes_store - the "result store" and "since the last scrub" parts:
 * written in every format when on, absent (the summary byte-identical)
 * when off whatever the counts hold.
 */
static void
changes_store(void)
{
	static const char *const forms[] = { "s.txt", "s.json", "s.csv" };
	struct report r, off;
	char *got, *want;

	base(&off);
	base(&r);
	r.changes.compared = 200;
	r.changes.changed = 12;
	r.changes.went_bad = 9;
	r.changes.went_bad_by_sub[SUB_DOMAIN_NOT_FOUND] = 2;
	r.changes.went_bad_by_sub[SUB_MAILBOX_NOT_FOUND] = 5;
	r.changes.went_bad_by_sub[SUB_NULL_MX] = 2;
	r.changes.recovered = 3;
	r.changes.bad_then = 20;
	r.changes.bad_now = 26;
	snprintf(r.store.path, sizeof(r.store.path), "%s",
	    "/var/lib/listscrub/a,\"b\".db");
	r.store.dns_recalled = 40;
	r.store.dns_asked = 12;
	r.store.smtp_recalled = 300;
	r.store.smtp_asked = 25;
	for (size_t i = 0; i < 3; i++) {
		got = format(&r, forms[i]);
		want = format(&off, forms[i]);
		is_str(got, want, "%s: both off, counts set: the summary as "
		    "before", forms[i]);
		free(got);
		free(want);
	}

	ok(!json_ok("{\"a\": 1,}") && !json_ok("{\"a\" 1}") &&
	    !json_ok("[1] x") && json_ok(" {\"a\": [1, -2.5e3, \"\\\"\"], "
	    "\"b\" : {}} "), "the test's JSON checker tells good from bad");
	r.changes.on = r.store.on = true;
	got = format(&r, "s.txt");
	ok(strstr(got, "\n  since the last scrub: 200 address(es) compared, "
	    "12 changed status\n"
	    "       went bad 9 (mailbox_not_found 5, null_mx 2, "
	    "domain_not_found 2), recovered 3\n"
	    "       bad-address rate then 10.0% now 13.0% (over the 200 "
	    "compared)\n") != NULL,
	    "text: since the last scrub, went bad largest first (ties in "
	    "sub-status order), the rates");
	ok(strstr(got, "\n  result store: /var/lib/listscrub/a,\"b\".db\n"
	    "       DNS answers: 40 from the store, 12 asked now (domains)\n"
	    "       SMTP answers: 300 from the store, 25 asked now "
	    "(addresses)\n") != NULL, "text: the result store block");
	if (!ok(strstr(got, "result store") < strstr(got, "since the last"),
	    "text: the store block first"))
		diag("%s", got);
	free(got);

	got = format(&r, "s.json");
	ok(json_ok(got), "json: parses");
	ok(strstr(got, "\"store\": {\"path\": \"/var/lib/listscrub/a,"
	    "\\\"b\\\".db\", \"dns_recalled\": 40, \"dns_asked\": 12, "
	    "\"smtp_recalled\": 300, \"smtp_asked\": 25}") != NULL,
	    "json: the store object");
	if (!ok(strstr(got, "\"changes\": {\"on\": true, \"compared\": 200, "
	    "\"changed\": 12, \"went_bad\": 9, \"recovered\": 3, "
	    "\"bad_then\": 20, \"bad_now\": 26, \"went_bad_by_sub_status\": "
	    "{\"mailbox_not_found\": 5, \"null_mx\": 2, "
	    "\"domain_not_found\": 2}}") != NULL, "json: the changes object"))
		diag("%s", got);
	free(got);

	got = format(&r, "s.csv");
	ok(strstr(got, "\nstore,path,\"/var/lib/listscrub/a,\"\"b\"\".db\"\n"
	    "store,dns_recalled,40\nstore,dns_asked,12\n"
	    "store,smtp_recalled,300\nstore,smtp_asked,25\n") != NULL,
	    "csv: the store rows, the path quoted (RFC 4180)");
	if (!ok(strstr(got, "\nchanges,compared,200\nchanges,changed,12\n"
	    "changes,went_bad,9\nchanges,recovered,3\nchanges,bad_then,20\n"
	    "changes,bad_now,26\nchanges_went_bad,mailbox_not_found,5\n"
	    "changes_went_bad,null_mx,2\nchanges_went_bad,domain_not_found,2\n")
	    != NULL, "csv: the changes rows"))
		diag("%s", got);
	free(got);

	/* Looked for, but no address had one. */
	base(&r);
	r.changes.on = true;
	got = format(&r, "s.txt");
	ok(strstr(got, "\n  since the last scrub: no address had a previous "
	    "status\n") != NULL, "text: compared 0 says so");
	ok(strstr(got, "result store") == NULL, "text: no store block when "
	    "the store is off");
	free(got);
	got = format(&r, "s.json");
	ok(json_ok(got) && strstr(got, "\"compared\": 0") != NULL &&
	    strstr(got, "\"went_bad_by_sub_status\": {}") != NULL &&
	    strstr(got, "\"store\"") == NULL,
	    "json: compared 0, empty by-sub-status object, no store");
	free(got);
	got = format(&r, "s.csv");
	ok(strstr(got, "\nchanges,compared,0\n") != NULL &&
	    strstr(got, "changes_went_bad") == NULL &&
	    strstr(got, "\nstore,") == NULL, "csv: compared 0, no store rows");
	free(got);
	/* The JSON of a run with DNS and SMTP parses too. */
	base(&r);
	r.dns_ran = r.smtp_ran = true;
	r.store.on = true;
	snprintf(r.store.path, sizeof(r.store.path), "%s", "s\x01\xff.db");
	got = format(&r, "s.json");
	ok(json_ok(got), "json: with dns, smtp and a store path of control "
	    "and invalid bytes: parses");
	free(got);
	/* --source-address: connections per source, unreachable hosts. */
	base(&r);
	r.dns_ran = r.smtp_ran = true;
	r.smtp.connections = 7;
	r.smtp.nsources = 2;
	snprintf(r.smtp.source_addr[0], sizeof(r.smtp.source_addr[0]),
	    "192.0.2.10");
	snprintf(r.smtp.source_addr[1], sizeof(r.smtp.source_addr[1]),
	    "2001:db8::25");
	r.smtp.source_connections[0] = 5;
	r.smtp.source_connections[1] = 2;
	r.smtp.source_unreachable = 3;
	r.smtp.source_missing_v6 = true;
	got = format(&r, "s.json");
	ok(json_ok(got) && strstr(got, "\"source_connections\": [{\"address\": "
	    "\"192.0.2.10\", \"connections\": 5}, {\"address\": "
	    "\"2001:db8::25\", \"connections\": 2}]") != NULL &&
	    strstr(got, "\"hosts_unreachable_from_sources\": 3") != NULL,
	    "json: connections per source, unreachable hosts");
	free(got);
	got = format(&r, "s.csv");
	ok(strstr(got, "\nsource_connections,192.0.2.10,5\n"
	    "source_connections,2001:db8::25,2\n") != NULL &&
	    strstr(got, "\nsmtp,hosts_unreachable_from_sources,3\n") != NULL,
	    "csv: connections per source, unreachable hosts");
	free(got);
	got = format(&r, "s.txt");
	ok(strstr(got, "connections per source address: 192.0.2.10 5, "
	    "2001:db8::25 2\n") != NULL &&
	    strstr(got, "not reachable from here: 3 mail host(s) have only "
	    "IPv6 addresses") != NULL, "text: connections per source, and "
	    "the hosts not reachable from here");
	free(got);
}

/* pf_check - fill check i of p. */
static void
pf_check(struct preflight_result *p, size_t i, const char *ip,
    const char *name, enum pf_status st, bool blocking, const char *detail,
    const char *fix)
{
	struct preflight_check *c = &p->checks[i];

	snprintf(c->ip, sizeof(c->ip), "%s", ip);
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->status = st;
	c->blocking = blocking;
	snprintf(c->detail, sizeof(c->detail), "%s", detail);
	snprintf(c->meaning, sizeof(c->meaning), "%s", "what it means");
	snprintf(c->fix, sizeof(c->fix), "%s", fix);
}

/*
 * preflight_rows - the sender preflight of two probing IPs, one listed,
 * in the CSV summary's key/value rows (and absent when not run).
 */
static void
preflight_rows(void)
{
	struct report r;
	struct preflight_result p;
	struct preflight_check checks[4];
	char *got;

	memset(&p, 0, sizeof(p));
	memset(checks, 0, sizeof(checks));
	p.nip = 2;
	snprintf(p.ips[0], sizeof(p.ips[0]), "127.0.0.2");
	snprintf(p.ips[1], sizeof(p.ips[1]), "2001:db8::25");
	p.ip_given = true;
	snprintf(p.helo, sizeof(p.helo), "mail.example.org");
	snprintf(p.mail_from, sizeof(p.mail_from), "lists@example.org");
	p.checks = checks;
	p.n = 4;
	pf_check(&p, 0, "127.0.0.2", "dnsbl:zen.test", PF_FAIL, true,
	    "2.0.0.127.zen.test: 127.0.0.2 SBL, 127.0.0.4 XBL",
	    "request delisting, or \"probe\" from another IP");
	pf_check(&p, 1, "2001:db8::25", "fcrdns", PF_PASS, false,
	    "2001:db8::25 -> mail.example.org -> 2001:db8::25", "");
	pf_check(&p, 2, "", "dmarc", PF_WARN, false, "no v=DMARC1 TXT at "
	    "_dmarc.example.org", "publish one");
	pf_check(&p, 3, "", "mx", PF_PASS, false, "MX example.org: mx1",
	    "");

	base(&r);
	got = format(&r, "s.csv");
	ok(strstr(got, "\npreflight") == NULL, "csv: no preflight, no "
	    "preflight rows");
	free(got);

	r.preflight = &p;
	got = format(&r, "s.csv");
	ok(strstr(got, "\npreflight,ip,127.0.0.2\npreflight,ip,2001:db8::25\n"
	    "preflight,helo,mail.example.org\npreflight,mail_from,"
	    "lists@example.org\npreflight,blocking,1\n"
	    "preflight,blocking_ips,127.0.0.2\n") != NULL,
	    "csv: the probing IPs, HELO, MAIL FROM, the blocking count and "
	    "the IP it is of");
	ok(strstr(got, "\npreflight_status,127.0.0.2/dnsbl:zen.test,fail\n"
	    "preflight_blocking,127.0.0.2/dnsbl:zen.test,true\n"
	    "preflight_detail,127.0.0.2/dnsbl:zen.test,\"2.0.0.127.zen.test: "
	    "127.0.0.2 SBL, 127.0.0.4 XBL\"\n"
	    "preflight_meaning,127.0.0.2/dnsbl:zen.test,what it means\n"
	    "preflight_fix,127.0.0.2/dnsbl:zen.test,\"request delisting, or "
	    "\"\"probe\"\" from another IP\"\n") != NULL,
	    "csv: a check's five rows keyed IP/NAME, commas and quotes "
	    "quoted (RFC 4180)");
	ok(strstr(got, "\npreflight_status,2001:db8::25/fcrdns,pass\n") !=
	    NULL, "csv: the second IP's check");
	ok(strstr(got, "\npreflight_status,dmarc,warn\n"
	    "preflight_blocking,dmarc,false\n") != NULL &&
	    strstr(got, "\npreflight_status,mx,pass\n") != NULL,
	    "csv: the MAIL FROM domain's checks keyed by name alone");
	{
		/* every row has three fields (none of the values here holds
		 * a quote after the quoted ones were taken out) */
		const char *line = strstr(got, "\npreflight,ip,");
		bool three = line != NULL;
		int rows = 0;

		for (; three && line != NULL && line[1] != '\0';
		    line = strchr(line + 1, '\n')) {
			const char *end = strchr(line + 1, '\n');
			int commas = 0;
			bool inq = false;

			if (strncmp(line + 1, "preflight", 9) != 0)
				break;
			for (const char *c = line + 1; c < end; c++) {
				if (*c == '"')
					inq = !inq;
				else if (*c == ',' && !inq)
					commas++;
			}
			three = commas == 2;
			rows++;
		}
		ok(three && rows == 6 + 4 * 5, "csv: %d preflight rows, each "
		    "section,key,value", rows);
	}
	free(got);
	got = format(&r, "s.txt");
	ok(strstr(got, "sender preflight for 127.0.0.2, 2001:db8::25: "
	    "blocking failure") != NULL && strstr(got, "127.0.0.2 "
	    "dnsbl:zen.test: 2.0.0.127") != NULL, "text: both IPs, each "
	    "check with its IP");
	free(got);
}

/*
 * providers - rows by provider: first-seen order, the rules in words,
 * no provider not counted, providers past REPORT_PROVIDERS counted
 * apart, the outcomes as the text summary gives them.
 */
static void
providers(void)
{
	static struct report r;
	struct provider y = { .name = "yahoo", .accept_all = true };
	struct provider o = { .name = "outlook_com", .max_rcpt = 1 };
	struct provider other = { .name = "x" };
	char buf[64], name[32], *text = NULL;
	size_t len = 0;
	FILE *f;

	report_init(&r);
	report_count_provider(&r, &o, STATUS_VALID);
	report_count_provider(&r, NULL, STATUS_VALID);
	report_count_provider(&r, &y, STATUS_CATCH_ALL);
	report_count_provider(&r, &o, STATUS_UNKNOWN);
	report_count_provider(&r, &y, STATUS_CATCH_ALL);
	is_int((long)r.nproviders, 2, "two providers; a row without one is "
	    "not counted");
	is_str(r.providers[0].name, "outlook_com", "first seen first");
	is_str(r.providers[0].rules, "1 recipient per connection",
	    "outlook_com's rule in words");
	is_str(r.providers[1].rules, "accepts all: not asked",
	    "yahoo's rule in words");
	report_provider_outcomes(&r.providers[0], buf, sizeof(buf));
	is_str(buf, "valid 1, unknown 1", "outcomes: statuses with rows, in "
	    "status order");
	report_provider_outcomes(&r.providers[1], buf, sizeof(buf));
	is_str(buf, "catch_all 2", "outcomes: one status");
	report_provider_outcomes(&r.providers[0], buf, 8);
	is_str(buf, "valid 1", "outcomes: cut to the buffer, terminated");
	r.input = "list.csv";
	r.policy = "standard";
	r.cleaned_path = "c.csv";
	r.rejected_path = "r.csv";
	r.rows = 4;
	if ((f = open_memstream(&text, &len)) == NULL)
		abort();
	report_text(&r, f);
	fclose(f);
	ok(strstr(text, "\n  providers: outlook_com 2 (valid 1, unknown 1); "
	    "yahoo 2 (catch_all 2)\n") != NULL, "text summary: the providers "
	    "line");
	free(text);

	report_init(&r);
	for (int i = 0; i < REPORT_PROVIDERS + 2; i++) {
		snprintf(name, sizeof(name), "p%d", i);
		other.name = name;
		report_count_provider(&r, &other, STATUS_VALID);
	}
	report_count_provider(&r, &other, STATUS_INVALID);
	is_int((long)r.nproviders, REPORT_PROVIDERS, "at most %d providers",
	    REPORT_PROVIDERS);
	is_int((long)r.providers_more, 3, "the rows of the others counted "
	    "apart");
	is_str(r.providers[0].rules, "none", "a provider without rules: none");
	r.providers[0].by_status[STATUS_VALID] = 0;
	report_provider_outcomes(&r.providers[0], buf, sizeof(buf));
	is_str(buf, "", "no rows: no outcomes");
}

int
main(void)
{
	struct report r;
	char why[400], *text = NULL;
	size_t len = 0;
	FILE *f;

	report_init(&r);
	ok(!report_degraded(&r, NULL, 0), "offline: never degraded");

	dns(&r, 50, 50, 0);
	ok(report_degraded(&r, why, sizeof(why)), "50 of 50 timed out");
	ok(strstr(why, "50 of 50 domains") != NULL, "why: %s", why);
	dns(&r, 5, 3, 0);
	ok(report_degraded(&r, NULL, 0), "3 of 5 (more than half, 5 domains)");
	dns(&r, 6, 2, 1);
	ok(!report_degraded(&r, NULL, 0), "3 of 6 (half): not degraded");
	dns(&r, 7, 2, 2);
	ok(report_degraded(&r, NULL, 0), "2 timeouts + 2 errors of 7");
	dns(&r, 4, 4, 0);
	ok(!report_degraded(&r, NULL, 0), "4 of 4: too few domains to say");
	dns(&r, 0, 0, 0);
	ok(!report_degraded(&r, NULL, 0), "no domain at all");

	smtp(&r, 10, 6);
	ok(report_degraded(&r, why, sizeof(why)),
	    "6 of 10 addresses refused for the sender");
	ok(strstr(why, "refused the sender for 6 of 10") != NULL, "why: %s",
	    why);
	smtp(&r, 10, 5);
	ok(!report_degraded(&r, NULL, 0), "5 of 10 (half): not degraded");
	smtp(&r, 4, 4);
	ok(!report_degraded(&r, NULL, 0), "4 of 4: too few addresses to say");
	smtp(&r, 5, 3);
	ok(report_degraded(&r, NULL, 0), "3 of 5");
	r.smtp_ran = false;
	ok(!report_degraded(&r, NULL, 0), "without --probe the SMTP side "
	    "does not count");

	/* What counts as about the sender: refused, or throttled to the end. */
	{
		static const enum verdict_sub subs[] = { SUB_THROTTLED,
		    SUB_THROTTLED, SUB_PROBE_BLOCKED, SUB_POLICY_BLOCKED,
		    SUB_MAILBOX_OK, SUB_TEMPORARY_ERROR, SUB_PROXY_FAILED,
		    SUB_LAST };
		struct probe_targets *pt = probe_targets_new();

		for (uint32_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
			char a[32];

			snprintf(a, sizeof(a), "a%u@example.org", i);
			probe_targets_add(pt, i, a, strlen(a), 0, false);
		}
		for (uint32_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
			probe_targets_result(pt, i)->sub = (uint16_t)subs[i];
		report_probe_answers(&r, pt);
		ok(r.smtp_answered == 7 && r.smtp_refused == 4 &&
		    r.smtp_proxy_failed == 1, "answers: 7, about the sender 4 "
		    "(throttled counts), proxy 1 (got %llu, %llu, %llu)",
		    (unsigned long long)r.smtp_answered,
		    (unsigned long long)r.smtp_refused,
		    (unsigned long long)r.smtp_proxy_failed);
		r.smtp_ran = true;
		ok(report_degraded(&r, why, sizeof(why)) &&
		    strstr(why, "throttled") != NULL,
		    "4 of 7 about the sender: degraded (%s)", why);
		r.smtp_ran = false;
		probe_targets_free(pt);
	}

	/* The text summary: the line comes first. */
	dns(&r, 6, 6, 0);
	r.input = "list.csv";
	r.policy = "standard";
	r.cleaned_path = "c.csv";
	r.rejected_path = "r.csv";
	if ((f = open_memstream(&text, &len)) == NULL)
		return 1;
	report_text(&r, f);
	fclose(f);
	ok(strncmp(text, "listscrub: DEGRADED: the DNS lookup failed for 6 "
	    "of 6 domains", 58) == 0, "text: the first line says degraded");
	free(text);
	text = NULL;
	dns(&r, 6, 1, 0);
	r.input = "list.csv";
	r.policy = "standard";
	r.cleaned_path = "c.csv";
	r.rejected_path = "r.csv";
	if ((f = open_memstream(&text, &len)) == NULL)
		return 1;
	report_text(&r, f);
	fclose(f);
	ok(strstr(text, "DEGRADED") == NULL, "text: no line when not degraded");
	free(text);
	changes_store();
	preflight_rows();
	providers();
	return done_testing();
}
