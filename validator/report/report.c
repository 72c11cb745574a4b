#include "report/report.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "csv/email_column.h"
#include "dns/domains.h"
#include "dns/providers.h"
#include "preflight/preflight.h"
#include "util/buf.h"
#include "util/utf8.h"

static const char *report_delim_name(int delim);
static const char *report_eol_name(const char *eol);
static const char *report_safe(char *buf, size_t size, const char *s);
static void report_json(const struct report *r, FILE *f);
static void report_csv(const struct report *r, FILE *f);
static void report_text_store(const struct report *r, FILE *f);
static void report_text_changes(const struct report *r, FILE *f);
static void report_text_encoding(const struct report *r, FILE *f);
static void report_csv_str(FILE *f, const char *s);

/* report_eol_name - the input's line ending as a word: CRLF, CR or LF. */
static const char *
report_eol_name(const char *eol)
{
	return strcmp(eol, "\r\n") == 0 ? "CRLF" : strcmp(eol, "\r") == 0 ?
	    "CR" : "LF";
}

/* report_delim_name - a delimiter as a word people can read. */
static const char *
report_delim_name(int delim)
{
	switch (delim) {
	case ',':
		return "comma";
	case ';':
		return "semicolon";
	case '\t':
		return "tab";
	case '|':
		return "pipe";
	default:
		return "?";
	}
}

void
report_init(struct report *r)
{
	memset(r, 0, sizeof(*r));
	r->column = -1;
	r->column_how = "";
	r->eol = "\n";
	r->utf8 = true;
}

void
report_column_candidates(struct report *r, const struct email_column *c,
    const struct csvrow *h)
{
	int cols[REPORT_MAX_CANDIDATES];
	size_t n = email_column_candidates(c, cols, REPORT_MAX_CANDIDATES);

	r->ncandidates = n < REPORT_MAX_CANDIDATES ? n : REPORT_MAX_CANDIDATES;
	r->other_email_columns = n > 1 ? (int)(n - 1) : 0;
	r->column_why = n > 1 ? email_column_why(c, cols[0], cols[1]) : "";
	for (size_t i = 0; i < r->ncandidates; i++) {
		struct report_candidate *k = &r->candidates[i];

		k->column = cols[i];
		email_column_label(h, (size_t)cols[i], k->label,
		    sizeof(k->label));
		email_column_counts(c, (size_t)cols[i], &k->cells,
		    &k->addresses);
	}
}

void
report_count_provider(struct report *r, const struct provider *pv,
    enum verdict_status s)
{
	size_t i;

	if (pv == NULL)
		return;
	for (i = 0; i < r->nproviders; i++)
		if (strcmp(r->providers[i].name, pv->name) == 0)
			break;
	if (i == r->nproviders) {
		if (i == REPORT_PROVIDERS) {
			r->providers_more++;
			return;
		}
		snprintf(r->providers[i].name, sizeof(r->providers[i].name),
		    "%s", pv->name);
		provider_rules_text(pv, r->providers[i].rules,
		    sizeof(r->providers[i].rules));
		r->nproviders++;
	}
	r->providers[i].rows++;
	r->providers[i].by_status[s]++;
}

void
report_provider_outcomes(const struct report_provider *p, char *buf,
    size_t n)
{
	size_t at = 0;

	if (n == 0)
		return;
	buf[0] = '\0';
	for (int s = 0; s < STATUS_LAST && at < n; s++) {
		int w;

		if (p->by_status[s] == 0)
			continue;
		w = snprintf(buf + at, n - at, "%s%s %llu", at ? ", " : "",
		    verdict_status_name(s),
		    (unsigned long long)p->by_status[s]);
		if (w > 0)
			at += (size_t)w;
	}
}

void
report_top_domains(struct report *r, const struct domains *t)
{
	r->ntop = domains_top(t, r->top_ids, REPORT_TOP_DOMAINS);
	for (size_t i = 0; i < r->ntop; i++) {
		snprintf(r->top_names[i], sizeof(r->top_names[i]), "%s",
		    domains_name(t, r->top_ids[i]));
		r->top_rows[i] = domains_rows(t, r->top_ids[i]);
		r->top_dns[i] = domains_dns(t, r->top_ids[i]);
		r->top_free_mail[i] = domains_free_mail(t, r->top_ids[i]);
		for (int a = 0; a < ACTION_LAST; a++)
			r->top_action[i][a] = domains_action_rows(t,
			    r->top_ids[i], (enum verdict_action)a);
	}
}

/*
 * report_safe - s with every control byte, bidi control and invalid
 * UTF-8 byte escaped (utf8_escape), in buf: names from the input file
 * and from servers never reach a terminal raw (validator/README,
 * "Conventions"). Cut to size - 1 bytes.
 */
static const char *
report_safe(char *buf, size_t size, const char *s)
{
	struct buf b;

	buf_init(&b, size - 1);
	(void)utf8_escape(s, strlen(s), &b);	/* full: cut, as said */
	snprintf(buf, size, "%s", buf_str(&b));
	buf_free(&b);
	return buf;
}

void
report_probe_answers(struct report *r, struct probe_targets *pt)
{
	size_t n = probe_targets_count(pt);

	r->smtp_answered = r->smtp_refused = r->smtp_proxy_failed = 0;
	for (size_t id = 0; id < n; id++) {
		uint16_t sub = probe_targets_result(pt, (uint32_t)id)->sub;

		if (sub == SUB_LAST)
			continue;
		r->smtp_answered++;
		/* about us: refused, or slowed down until we gave up */
		if (sub == SUB_POLICY_BLOCKED || sub == SUB_PROBE_BLOCKED ||
		    sub == SUB_THROTTLED)
			r->smtp_refused++;
		if (sub == SUB_PROXY_FAILED)
			r->smtp_proxy_failed++;
	}
}

bool
report_degraded(const struct report *r, char *why, size_t n)
{
	if (r->dns_ran) {
		const struct dnsstage_stats *d = &r->dns;
		uint64_t failed = d->outcomes[MX_TIMEOUT] +
		    d->outcomes[MX_ERROR];

		if (d->domains >= REPORT_DEGRADED_MIN &&
		    failed * 2 > d->domains) {
			if (why != NULL)
				snprintf(why, n, "DEGRADED: the DNS lookup "
				    "failed for %llu of %llu domains (dns_timeout "
				    "%llu, dns_error %llu): is the resolver "
				    "reachable? Their rows are unknown, not checked "
				    "(exit status 3)", (unsigned long long)failed,
				    (unsigned long long)d->domains,
				    (unsigned long long)d->outcomes[MX_TIMEOUT],
				    (unsigned long long)d->outcomes[MX_ERROR]);
			return true;
		}
	}
	if (r->smtp_ran && r->smtp_answered >= REPORT_DEGRADED_MIN &&
	    r->smtp_proxy_failed * 2 > r->smtp_answered) {
		if (why != NULL)
			snprintf(why, n, "DEGRADED: the --proxy failed for "
			    "%llu of %llu addresses asked (proxy_failed): is "
			    "it running, are its credentials right? Those rows "
			    "are unknown, not checked (exit status 3)",
			    (unsigned long long)r->smtp_proxy_failed,
			    (unsigned long long)r->smtp_answered);
		return true;
	}
	if (r->smtp_ran && r->smtp_answered >= REPORT_DEGRADED_MIN &&
	    r->smtp_refused * 2 > r->smtp_answered) {
		if (why != NULL)
			snprintf(why, n, "DEGRADED: the mail hosts refused the "
			    "sender for %llu of %llu addresses asked "
			    "(policy_blocked, probe_blocked, throttled): fix "
			    "the sending setup or slow down (see the "
			    "sender-side problems); those rows are unknown "
			    "(exit status 3)",
			    (unsigned long long)r->smtp_refused,
			    (unsigned long long)r->smtp_answered);
		return true;
	}
	return false;
}

size_t
report_went_bad(const struct report_changes *c, int *subs)
{
	size_t n = 0;

	for (int u = 0; u < SUB_LAST; u++) {
		size_t i = n;

		if (c->went_bad_by_sub[u] == 0)
			continue;
		for (; i > 0 && c->went_bad_by_sub[subs[i - 1]] <
		    c->went_bad_by_sub[u]; i--)
			subs[i] = subs[i - 1];
		subs[i] = u;
		n++;
	}
	return n;
}

double
report_pct(uint64_t n, uint64_t of)
{
	return of > 0 ? 100.0 * (double)n / (double)of : 0.0;
}

/* report_text_store - the "result store" block. */
static void
report_text_store(const struct report *r, FILE *f)
{
	const struct report_store *s = &r->store;
	char s1[1024];

	fprintf(f, "  result store: %s\n", report_safe(s1, sizeof(s1),
	    s->path));
	fprintf(f, "       DNS answers: %llu from the store, %llu asked now "
	    "(domains)\n       SMTP answers: %llu from the store, %llu asked "
	    "now (addresses)\n", (unsigned long long)s->dns_recalled,
	    (unsigned long long)s->dns_asked,
	    (unsigned long long)s->smtp_recalled,
	    (unsigned long long)s->smtp_asked);
}

/* report_text_preflight - the sender preflight, one line per check. */
static void
report_text_preflight(const struct preflight_result *p, FILE *f)
{
	size_t nb = preflight_blocking(p);

	fprintf(f, "  sender preflight for %s", p->nip > 0 ? p->ips[0] : "");
	for (size_t k = 1; k < p->nip; k++)
		fprintf(f, ", %s", p->ips[k]);
	fprintf(f, ": %s\n", nb > 0 ?
	    "blocking failure, probed anyway (--force)" :
	    "no blocking failure");
	for (size_t i = 0; i < p->n; i++)
		fprintf(f, "       %-11s %s%s%s: %s\n",
		    pf_status_name(p->checks[i].status),
		    p->nip > 1 ? p->checks[i].ip : "",
		    p->nip > 1 && p->checks[i].ip[0] != '\0' ? " " : "",
		    p->checks[i].name, p->checks[i].detail);
}

/* report_text_changes - the "since the last scrub" block. */
static void
report_text_changes(const struct report *r, FILE *f)
{
	const struct report_changes *c = &r->changes;
	int subs[SUB_LAST];
	size_t n;

	if (c->compared == 0) {
		fprintf(f, "  since the last scrub: no address had a previous "
		    "status\n");
		return;
	}
	fprintf(f, "  since the last scrub: %llu address(es) compared, %llu "
	    "changed status\n", (unsigned long long)c->compared,
	    (unsigned long long)c->changed);
	fprintf(f, "       went bad %llu", (unsigned long long)c->went_bad);
	n = report_went_bad(c, subs);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s%s %llu", i ? ", " : " (",
		    verdict_sub_name(subs[i]),
		    (unsigned long long)c->went_bad_by_sub[subs[i]]);
	fprintf(f, "%s, recovered %llu\n", n ? ")" : "",
	    (unsigned long long)c->recovered);
	fprintf(f, "       bad-address rate then %.1f%% now %.1f%% (over the "
	    "%llu compared)\n", report_pct(c->bad_then, c->compared),
	    report_pct(c->bad_now, c->compared),
	    (unsigned long long)c->compared);
}

/* report_text_encoding - the input's encoding, one line. */
static void
report_text_encoding(const struct report *r, FILE *f)
{
	char s1[256];

	if (r->converted_from != NULL)
		fprintf(f, "  encoding: converted from %s to UTF-8\n",
		    report_safe(s1, sizeof(s1), r->converted_from));
	else if (r->utf8)
		fprintf(f, "  encoding: UTF-8\n");
	else
		fprintf(f, "  encoding: not UTF-8 (first at line %lu), looks "
		    "like %s; bytes passed through unchanged (--encoding %s "
		    "converts them)\n", r->non_utf8_line, r->encoding_guess,
		    r->encoding_guess);
}

void
report_text(const struct report *r, FILE *f)
{
	char s1[1024], s2[1024], s3[1024];
	char why[400];

	if (report_degraded(r, why, sizeof(why)))
		fprintf(f, "listscrub: %s\n", why);
	fprintf(f, "listscrub: %s: %llu rows in %.2f s (%.0f rows/s)\n",
	    report_safe(s1, sizeof(s1), r->input),
	    (unsigned long long)r->rows, r->seconds,
	    r->seconds > 0 ? (double)r->rows / r->seconds : 0.0);
	fprintf(f, "  input: %s-separated, %s line ends%s, %s, email column "
	    "%ld '%s' (by %s", report_delim_name(r->delim),
	    report_eol_name(r->eol),
	    r->bom ? ", UTF-8 BOM" : "",
	    r->header ? "header row" : "no header row", r->column + 1,
	    report_safe(s1, sizeof(s1), r->column_name), r->column_how);
	if (r->ncandidates > 1) {
		/* Which columns looked like addresses, and why this one. */
		fprintf(f, " among");
		for (size_t i = 0; i < r->ncandidates; i++)
			fprintf(f, "%s column %s: %llu of %llu cells "
			    "address-like", i ? ";" : "",
			    report_safe(s1, sizeof(s1), r->candidates[i].label),
			    (unsigned long long)r->candidates[i].addresses,
			    (unsigned long long)r->candidates[i].cells);
		fprintf(f, "; chosen for the %s", r->column_why);
	}
	fprintf(f, ")\n");
	report_text_encoding(r, f);
	if (r->other_email_columns > 0)
		fprintf(f, "  warning: %d other column(s) also look like email; "
		    "only column %ld was checked (see --column)\n",
		    r->other_email_columns, r->column + 1);
	fprintf(f, "  cleaned: %llu (%.1f%%)  rejected: %llu (%.1f%%)",
	    (unsigned long long)r->cleaned, report_pct(r->cleaned, r->rows),
	    (unsigned long long)r->rejected, report_pct(r->rejected, r->rows));
	if (r->review_path)
		fprintf(f, "  review: %llu (%.1f%%)",
		    (unsigned long long)r->review,
		    report_pct(r->review, r->rows));
	fprintf(f, "   (policy %s)\n", r->policy);
	for (int s = 0; s < STATUS_LAST; s++) {
		bool first = true;

		if (r->by_status[s] == 0)
			continue;
		fprintf(f, "  %-9s %8llu %5.1f%% ", verdict_status_name(s),
		    (unsigned long long)r->by_status[s],
		    report_pct(r->by_status[s], r->rows));
		for (int u = 0; u < SUB_LAST; u++) {
			if (verdict_sub_status(u) != (enum verdict_status)s ||
			    r->by_sub[u] == 0)
				continue;
			fprintf(f, "%s%s %llu", first ? " (" : ", ",
			    verdict_sub_name(u),
			    (unsigned long long)r->by_sub[u]);
			first = false;
		}
		fprintf(f, "%s\n", first ? "" : ")");
	}
	fprintf(f, "  actions:");
	for (int a = 0; a < ACTION_LAST; a++)
		fprintf(f, " %s %llu (%.1f%%)", verdict_action_name(a),
		    (unsigned long long)r->by_action[a],
		    report_pct(r->by_action[a], r->rows));
	fprintf(f, "\n  unique addresses: %llu  unique domains: %llu\n",
	    (unsigned long long)r->unique_addresses,
	    (unsigned long long)r->unique_domains);
	if (r->ntop > 0) {
		fprintf(f, "  top domains:");
		for (size_t i = 0; i < r->ntop; i++)
			fprintf(f, " %s %llu",
			    report_safe(s1, sizeof(s1), r->top_names[i]),
			    (unsigned long long)r->top_rows[i]);
		fprintf(f, "\n");
	}
	for (size_t i = 0; i < r->nproviders; i++) {
		const struct report_provider *p = &r->providers[i];

		report_provider_outcomes(p, s2, sizeof(s2));
		fprintf(f, "%s %s %llu%s%s%s%s", i ? ";" : "  providers:",
		    report_safe(s1, sizeof(s1), p->name),
		    (unsigned long long)p->rows, s2[0] ? " (" : "", s2,
		    s2[0] ? ")" : "", i + 1 == r->nproviders ? "\n" : "");
	}
	if (r->providers_more > 0)
		fprintf(f, "  %llu more row(s) at providers not listed\n",
		    (unsigned long long)r->providers_more);
	if (r->dns_ran) {
		const struct dnsstage_stats *d = &r->dns;

		fprintf(f, "  dns: %llu domains in %.2f s:",
		    (unsigned long long)d->domains, d->seconds);
		for (int o = 0; o < MX_OUTCOME_LAST; o++)
			fprintf(f, " %s %llu", mx_outcome_name(o),
			    (unsigned long long)d->outcomes[o]);
		fprintf(f, "\n       queries: MX %llu, A %llu, AAAA %llu; "
		    "timeouts %llu, errors %llu; at most %zu in flight\n",
		    (unsigned long long)d->q.queries_mx,
		    (unsigned long long)d->q.queries_a,
		    (unsigned long long)d->q.queries_aaaa,
		    (unsigned long long)d->q.timeouts,
		    (unsigned long long)d->q.errors, d->q.max_inflight);
		if (d->suggestions_dropped > 0)
			fprintf(f, "       %llu typo suggestion(s) dropped: the "
			    "suggested domain has no mail host\n",
			    (unsigned long long)d->suggestions_dropped);
		if (d->suggestions_unconfirmed > 0)
			fprintf(f, "       %llu typo suggestion(s) kept "
			    "unconfirmed: the suggested domain's lookup "
			    "failed\n",
			    (unsigned long long)d->suggestions_unconfirmed);
	}
	if (r->smtp_ran) {
		const struct probe_stats *p = &r->smtp;

		fprintf(f, "  smtp: %llu addresses at %llu mail hosts in %.2f s: "
		    "%llu connections (%llu with TLS), %llu transactions, %llu "
		    "RCPT replies\n", (unsigned long long)p->addresses,
		    (unsigned long long)p->hosts, p->seconds,
		    (unsigned long long)p->connections,
		    (unsigned long long)p->tls_sessions,
		    (unsigned long long)p->transactions,
		    (unsigned long long)p->rcpts);
		fprintf(f, "        %llu retried after a 4xx (greylisting), %llu "
		    "asked again after a lost connection, %llu catch-all "
		    "domain(s), %llu host(s) given up after refusals\n",
		    (unsigned long long)p->retries,
		    (unsigned long long)p->requeued,
		    (unsigned long long)p->catch_all_domains,
		    (unsigned long long)p->blocked_hosts);
		if (p->nsources > 0) {
			fprintf(f, "        connections per source address:");
			for (size_t i = 0; i < p->nsources; i++)
				fprintf(f, "%s %s %llu", i ? "," : "",
				    p->source_addr[i], (unsigned long long)
				    p->source_connections[i]);
			fprintf(f, "\n");
		}
		if (p->source_unreachable > 0)
			fprintf(f, "  not reachable from here: %llu mail "
			    "host(s) have only %s addresses, and no "
			    "--source-address is of that family; their "
			    "addresses are unknown/connection_failed unless "
			    "another mail host of the domain answered (the "
			    "prober's trouble, not the addresses')\n",
			    (unsigned long long)p->source_unreachable,
			    p->source_missing_v4 && p->source_missing_v6 ?
			    "IPv4 or IPv6" : p->source_missing_v6 ?
			    "IPv6" : "IPv4");
		if (r->smtp_proxy[0] != '\0')
			fprintf(f, "        through the proxy %s: %llu "
			    "address(es) unknown because it failed "
			    "(proxy_failed)%s\n", r->smtp_proxy,
			    (unsigned long long)r->smtp_proxy_failed,
			    r->smtp_proxy_failed > 0 ? ": the proxy's "
			    "trouble, not the addresses'" : "");
		if (p->provider_not_asked + p->provider_no_test +
		    p->provider_throttled + p->provider_banner > 0)
			fprintf(f, "        providers.tsv: %llu address(es) not "
			    "asked (the provider accepts all), %llu domain(s) "
			    "without a catch-all test, %llu throttling "
			    "repl(ies) asked again later, %llu host(s) known "
			    "by their greeting\n",
			    (unsigned long long)p->provider_not_asked,
			    (unsigned long long)p->provider_no_test,
			    (unsigned long long)p->provider_throttled,
			    (unsigned long long)p->provider_banner);
		if (p->nproblems > 0) {
			fprintf(f, "  sender-side problems: these mail hosts "
			    "refused the SENDER (IP, EHLO name, SPF/DKIM/DMARC), "
			    "not the addresses; fix the sending setup:\n");
			for (size_t i = 0; i < p->nproblems; i++)
				fprintf(f, "    %s: %s (%llu time(s))\n",
				    report_safe(s1, sizeof(s1),
				    p->problems[i].host),
				    report_safe(s2, sizeof(s2),
				    p->problems[i].reply),
				    (unsigned long long)p->problems[i].count);
		}
	}
	if (r->preflight != NULL)
		report_text_preflight(r->preflight, f);
	if (r->store.on)
		report_text_store(r, f);
	if (r->changes.on)
		report_text_changes(r, f);
	if (r->by_sub[SUB_MALFORMED_ROW] > 0) {
		fprintf(f, "  malformed rows at line(s):");
		for (size_t i = 0; i < REPORT_MAX_LINES &&
		    i < r->by_sub[SUB_MALFORMED_ROW]; i++)
			fprintf(f, " %lu", r->malformed_lines[i]);
		fprintf(f, "%s\n", r->by_sub[SUB_MALFORMED_ROW] >
		    REPORT_MAX_LINES ? " ..." : "");
	}
	if (r->short_rows > 0)
		fprintf(f, "  %llu row(s) had fewer cells than the header "
		    "(padded)\n", (unsigned long long)r->short_rows);
	if (r->long_rows > 0) {
		fprintf(f, "  warning: %llu row(s) have more cells than the "
		    "header; their verdict columns start further right. "
		    "Line(s):", (unsigned long long)r->long_rows);
		for (size_t i = 0; i < REPORT_MAX_LINES && i < r->long_rows; i++)
			fprintf(f, " %lu", r->long_lines[i]);
		fprintf(f, "%s\n", r->long_rows > REPORT_MAX_LINES ? " ..." : "");
	}
	if (r->guarded_rows > 0)
		fprintf(f, "  %llu row(s) had cells starting like a spreadsheet "
		    "formula; a ' was put in front (--formula-guard)\n",
		    (unsigned long long)r->guarded_rows);
	if (r->blank_lines > 0)
		fprintf(f, "  %lu blank line(s) skipped\n", r->blank_lines);
	fprintf(f, "  outputs: %s, %s%s%s\n",
	    report_safe(s1, sizeof(s1), r->cleaned_path),
	    report_safe(s2, sizeof(s2), r->rejected_path),
	    r->review_path ? ", " : "", r->review_path ?
	    report_safe(s3, sizeof(s3), r->review_path) : "");
}

/*
 * A network stage's counters, in the order the JSON and CSV summaries
 * print them (one list, so the two formats cannot drift apart).
 */
#define REPORT_MAX_COUNTS 24
struct report_count {
	const char *key;
	unsigned long long n;
};

static size_t
report_dns_counts(const struct dnsstage_stats *d, struct report_count *c)
{
	size_t n = 0;

	c[n++] = (struct report_count){ "queries_mx", d->q.queries_mx };
	c[n++] = (struct report_count){ "queries_a", d->q.queries_a };
	c[n++] = (struct report_count){ "queries_aaaa", d->q.queries_aaaa };
	c[n++] = (struct report_count){ "answers", d->q.answers };
	c[n++] = (struct report_count){ "timeouts", d->q.timeouts };
	c[n++] = (struct report_count){ "errors", d->q.errors };
	c[n++] = (struct report_count){ "retransmits", d->q.retransmits };
	c[n++] = (struct report_count){ "max_inflight", d->q.max_inflight };
	c[n++] = (struct report_count){ "suggestions_looked_up",
	    d->suggestions };
	c[n++] = (struct report_count){ "suggestions_dropped",
	    d->suggestions_dropped };
	c[n++] = (struct report_count){ "suggestions_unconfirmed",
	    d->suggestions_unconfirmed };
	return n;
}

static size_t
report_smtp_counts(const struct report *r, struct report_count *c)
{
	const struct probe_stats *p = &r->smtp;
	size_t n = 0;

	c[n++] = (struct report_count){ "addresses", p->addresses };
	c[n++] = (struct report_count){ "hosts", p->hosts };
	c[n++] = (struct report_count){ "connections", p->connections };
	c[n++] = (struct report_count){ "tls_sessions", p->tls_sessions };
	c[n++] = (struct report_count){ "transactions", p->transactions };
	c[n++] = (struct report_count){ "rcpts", p->rcpts };
	c[n++] = (struct report_count){ "retries", p->retries };
	c[n++] = (struct report_count){ "requeued", p->requeued };
	c[n++] = (struct report_count){ "catch_all_domains",
	    p->catch_all_domains };
	c[n++] = (struct report_count){ "blocked_hosts", p->blocked_hosts };
	c[n++] = (struct report_count){ "provider_not_asked",
	    p->provider_not_asked };
	c[n++] = (struct report_count){ "provider_no_test",
	    p->provider_no_test };
	c[n++] = (struct report_count){ "provider_throttled",
	    p->provider_throttled };
	c[n++] = (struct report_count){ "provider_banner_hosts",
	    p->provider_banner };
	c[n++] = (struct report_count){ "addresses_sender_refused",
	    r->smtp_refused };
	c[n++] = (struct report_count){ "hosts_unreachable_from_sources",
	    p->source_unreachable };
	return n;
}

static size_t
report_changes_counts(const struct report_changes *ch, struct report_count *c)
{
	size_t n = 0;

	c[n++] = (struct report_count){ "compared", ch->compared };
	c[n++] = (struct report_count){ "changed", ch->changed };
	c[n++] = (struct report_count){ "went_bad", ch->went_bad };
	c[n++] = (struct report_count){ "recovered", ch->recovered };
	c[n++] = (struct report_count){ "bad_then", ch->bad_then };
	c[n++] = (struct report_count){ "bad_now", ch->bad_now };
	return n;
}

static size_t
report_store_counts(const struct report_store *s, struct report_count *c)
{
	size_t n = 0;

	c[n++] = (struct report_count){ "dns_recalled", s->dns_recalled };
	c[n++] = (struct report_count){ "dns_asked", s->dns_asked };
	c[n++] = (struct report_count){ "smtp_recalled", s->smtp_recalled };
	c[n++] = (struct report_count){ "smtp_asked", s->smtp_asked };
	return n;
}

/* report_json_counts - ", \"key\": n" for each counter. */
static void
report_json_counts(FILE *f, const struct report_count *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(f, ", \"%s\": %llu", c[i].key, c[i].n);
}

/* report_csv_counts - "section,key,n" lines. */
static void
report_csv_counts(FILE *f, const char *section, const struct report_count *c,
    size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s,%s,%llu\n", section, c[i].key, c[i].n);
}

/* report_json - the summary as one JSON object. */
static void
report_json(const struct report *r, FILE *f)
{
	struct report_count c[REPORT_MAX_COUNTS];

	fprintf(f, "{\n  \"input\": ");
	utf8_json_str(f, r->input);
	fprintf(f, ",\n  \"started_at\": \"%s\",\n  \"seconds\": %.3f,\n",
	    r->started_at, r->seconds);
	fprintf(f, "  \"detected\": {\"delimiter\": \"%s\", \"bom\": %s, "
	    "\"line_ending\": \"%s\", \"header\": %s, \"column\": %ld, "
	    "\"column_name\": ", report_delim_name(r->delim),
	    r->bom ? "true" : "false",
	    report_eol_name(r->eol),
	    r->header ? "true" : "false", r->column + 1);
	utf8_json_str(f, r->column_name);
	fprintf(f, ", \"column_by\": \"%s\", \"other_email_columns\": %d",
	    r->column_how, r->other_email_columns);
	fprintf(f, ", \"utf8\": %s, \"encoding\": \"%s\", "
	    "\"first_non_utf8_line\": ", r->utf8 ? "true" : "false",
	    r->utf8 ? "utf-8" : r->encoding_guess);
	if (r->utf8)
		fprintf(f, "null");
	else
		fprintf(f, "%lu", r->non_utf8_line);
	fprintf(f, ", \"converted_from\": ");
	if (r->converted_from != NULL)
		utf8_json_str(f, r->converted_from);
	else
		fprintf(f, "null");
	if (r->ncandidates > 1) {
		fprintf(f, ", \"column_candidates\": [");
		for (size_t i = 0; i < r->ncandidates; i++)
			fprintf(f, "%s{\"column\": %ld, \"cells\": %llu, "
			    "\"addresses\": %llu}", i ? ", " : "",
			    r->candidates[i].column + 1,
			    (unsigned long long)r->candidates[i].cells,
			    (unsigned long long)r->candidates[i].addresses);
		fprintf(f, "], \"column_why\": \"%s\"", r->column_why);
	}
	fprintf(f, "},\n");
	{
		char why[400];
		bool deg = report_degraded(r, why, sizeof(why));

		fprintf(f, "  \"degraded\": %s,\n", deg ? "true" : "false");
		if (deg) {
			fprintf(f, "  \"degraded_why\": ");
			utf8_json_str(f, why);
			fprintf(f, ",\n");
		}
	}
	fprintf(f, "  \"policy\": \"%s\",\n  \"rows\": %llu,\n  \"cleaned\": "
	    "%llu,\n  \"rejected\": %llu,\n  \"review\": %llu,\n", r->policy,
	    (unsigned long long)r->rows, (unsigned long long)r->cleaned,
	    (unsigned long long)r->rejected, (unsigned long long)r->review);
	fprintf(f, "  \"status\": {");
	for (int s = 0; s < STATUS_LAST; s++)
		fprintf(f, "%s\"%s\": %llu", s ? ", " : "",
		    verdict_status_name(s), (unsigned long long)r->by_status[s]);
	fprintf(f, "},\n  \"sub_status\": {");
	for (int s = 0; s < SUB_LAST; s++)
		fprintf(f, "%s\"%s\": %llu", s ? ", " : "", verdict_sub_name(s),
		    (unsigned long long)r->by_sub[s]);
	fprintf(f, "},\n  \"action\": {");
	for (int a = 0; a < ACTION_LAST; a++)
		fprintf(f, "%s\"%s\": %llu", a ? ", " : "",
		    verdict_action_name(a), (unsigned long long)r->by_action[a]);
	/* shares of all rows, in percent, one decimal */
	fprintf(f, "},\n  \"status_percent\": {");
	for (int s = 0; s < STATUS_LAST; s++)
		fprintf(f, "%s\"%s\": %.1f", s ? ", " : "",
		    verdict_status_name(s), report_pct(r->by_status[s], r->rows));
	fprintf(f, "},\n  \"action_percent\": {");
	for (int a = 0; a < ACTION_LAST; a++)
		fprintf(f, "%s\"%s\": %.1f", a ? ", " : "",
		    verdict_action_name(a), report_pct(r->by_action[a], r->rows));
	fprintf(f, "},\n  \"unique_addresses\": %llu,\n  \"unique_domains\": "
	    "%llu,\n  \"top_domains\": [", (unsigned long long)r->unique_addresses,
	    (unsigned long long)r->unique_domains);
	for (size_t i = 0; i < r->ntop; i++) {
		fprintf(f, "%s{\"domain\": ", i ? ", " : "");
		utf8_json_str(f, r->top_names[i]);
		fprintf(f, ", \"rows\": %llu", (unsigned long long)r->top_rows[i]);
		/* the domain's rows by action */
		for (int a = 0; a < ACTION_LAST; a++)
			fprintf(f, ", \"%s\": %llu", verdict_action_name(a),
			    (unsigned long long)r->top_action[i][a]);
		fputc('}', f);
	}
	/* rows by mailbox provider, and their statuses */
	fprintf(f, "],\n  \"providers\": [");
	for (size_t i = 0; i < r->nproviders; i++) {
		const struct report_provider *p = &r->providers[i];

		fprintf(f, "%s{\"provider\": ", i ? ", " : "");
		utf8_json_str(f, p->name);
		fprintf(f, ", \"rows\": %llu", (unsigned long long)p->rows);
		for (int s = 0; s < STATUS_LAST; s++)
			fprintf(f, ", \"%s\": %llu", verdict_status_name(s),
			    (unsigned long long)p->by_status[s]);
		fputc('}', f);
	}
	fprintf(f, "],\n  \"short_rows\": %llu,\n  \"long_rows\": %llu,\n"
	    "  \"guarded_rows\": %llu,\n  \"blank_lines\": %lu,\n"
	    "  \"malformed_lines\": [", (unsigned long long)r->short_rows,
	    (unsigned long long)r->long_rows, (unsigned long long)r->guarded_rows,
	    r->blank_lines);
	for (size_t i = 0; i < REPORT_MAX_LINES &&
	    i < r->by_sub[SUB_MALFORMED_ROW]; i++)
		fprintf(f, "%s%lu", i ? ", " : "", r->malformed_lines[i]);
	fprintf(f, "]");
	if (r->dns_ran) {
		const struct dnsstage_stats *d = &r->dns;

		fprintf(f, ",\n  \"dns\": {\"domains\": %llu, \"seconds\": %.3f, "
		    "\"outcomes\": {", (unsigned long long)d->domains, d->seconds);
		for (int o = 0; o < MX_OUTCOME_LAST; o++)
			fprintf(f, "%s\"%s\": %llu", o ? ", " : "",
			    mx_outcome_name(o), (unsigned long long)d->outcomes[o]);
		fprintf(f, "}");
		report_json_counts(f, c, report_dns_counts(d, c));
		fprintf(f, "}");
	}
	if (r->smtp_ran) {
		const struct probe_stats *p = &r->smtp;

		fprintf(f, ",\n  \"smtp\": {\"seconds\": %.3f", p->seconds);
		report_json_counts(f, c, report_smtp_counts(r, c));
		if (r->smtp_proxy[0] != '\0') {
			fprintf(f, ", \"proxy\": ");
			utf8_json_str(f, r->smtp_proxy);
			fprintf(f, ", \"proxy_failed\": %llu",
			    (unsigned long long)r->smtp_proxy_failed);
		}
		fprintf(f, ", \"sender_problems\": [");
		for (size_t i = 0; i < p->nproblems; i++) {
			fprintf(f, "%s{\"host\": ", i ? ", " : "");
			utf8_json_str(f, p->problems[i].host);
			fprintf(f, ", \"reply\": ");
			utf8_json_str(f, p->problems[i].reply);
			fprintf(f, ", \"count\": %llu}",
			    (unsigned long long)p->problems[i].count);
		}
		fprintf(f, "], \"source_connections\": [");
		for (size_t i = 0; i < p->nsources; i++) {
			fprintf(f, "%s{\"address\": ", i ? ", " : "");
			utf8_json_str(f, p->source_addr[i]);
			fprintf(f, ", \"connections\": %llu}",
			    (unsigned long long)p->source_connections[i]);
		}
		fprintf(f, "]}");
	}
	if (r->preflight != NULL) {
		fprintf(f, ",\n  \"preflight\": ");
		preflight_write_json(f, r->preflight);
	}
	if (r->store.on) {
		fprintf(f, ",\n  \"store\": {\"path\": ");
		utf8_json_str(f, r->store.path);
		report_json_counts(f, c, report_store_counts(&r->store, c));
		fprintf(f, "}");
	}
	if (r->changes.on) {
		int subs[SUB_LAST];
		size_t n = report_went_bad(&r->changes, subs);

		fprintf(f, ",\n  \"changes\": {\"on\": true");
		report_json_counts(f, c, report_changes_counts(&r->changes, c));
		fprintf(f, ", \"went_bad_by_sub_status\": {");
		for (size_t i = 0; i < n; i++)
			fprintf(f, "%s\"%s\": %llu", i ? ", " : "",
			    verdict_sub_name(subs[i]), (unsigned long long)
			    r->changes.went_bad_by_sub[subs[i]]);
		fprintf(f, "}}");
	}
	fprintf(f, "\n}\n");
}

/*
 * report_csv_str - s as one CSV cell: quoted when it holds a comma, a
 * quote, CR or LF, quotes doubled (RFC 4180 2.6, 2.7); made valid UTF-8
 * first, as in the JSON summary.
 */
static void
report_csv_str(FILE *f, const char *s)
{
	struct buf b;
	bool quote;

	buf_init(&b, 4 * strlen(s) + 16);
	(void)utf8_clean(s, strlen(s), SIZE_MAX, &b);
	s = buf_str(&b);
	quote = strpbrk(s, ",\"\r\n") != NULL;
	if (quote)
		fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	if (quote)
		fputc('"', f);
	buf_free(&b);
}

/*
 * report_csv_preflight - the sender preflight as key/value rows: the
 * probing IPs, HELO, MAIL FROM and the blocking count under "preflight";
 * each check's status, blocking, detail, meaning and fix under
 * "preflight_status" ... "preflight_fix", keyed IP/NAME (NAME alone for
 * the MAIL FROM domain's checks).
 */
static void
report_csv_preflight(const struct preflight_result *p, FILE *f)
{
	char ips[PREFLIGHT_MAX_IPS * 48];
	static const char *const field[] = { "detail", "meaning", "fix" };

	for (size_t k = 0; k < p->nip; k++)
		fprintf(f, "preflight,ip,%s\n", p->ips[k]);
	fputs("preflight,helo,", f);
	report_csv_str(f, p->helo);
	fputs("\npreflight,mail_from,", f);
	report_csv_str(f, p->mail_from);
	fprintf(f, "\npreflight,blocking,%zu\n", preflight_blocking(p));
	(void)preflight_blocking_ips(p, ips, sizeof(ips));
	fputs("preflight,blocking_ips,", f);
	report_csv_str(f, ips);
	fputc('\n', f);
	for (size_t i = 0; i < p->n; i++) {
		const struct preflight_check *c = &p->checks[i];
		char key[sizeof(c->ip) + sizeof(c->name) + 1];
		const char *text[3] = { c->detail, c->meaning, c->fix };

		snprintf(key, sizeof(key), "%s%s%s", c->ip,
		    c->ip[0] != '\0' ? "/" : "", c->name);
		fputs("preflight_status,", f);
		report_csv_str(f, key);
		fprintf(f, ",%s\npreflight_blocking,", pf_status_name(c->status));
		report_csv_str(f, key);
		fprintf(f, ",%s\n", c->blocking ? "true" : "false");
		for (size_t t = 0; t < 3; t++) {
			fprintf(f, "preflight_%s,", field[t]);
			report_csv_str(f, key);
			fputc(',', f);
			report_csv_str(f, text[t]);
			fputc('\n', f);
		}
	}
}

/* report_csv - long format: section,key,value (chartable as is). */
static void
report_csv(const struct report *r, FILE *f)
{
	struct report_count c[REPORT_MAX_COUNTS];

	fprintf(f, "section,key,value\n");
	fprintf(f, "run,rows,%llu\nrun,seconds,%.3f\nrun,started_at,%s\n",
	    (unsigned long long)r->rows, r->seconds, r->started_at);
	fprintf(f, "run,policy,%s\n", r->policy);
	fprintf(f, "run,degraded,%s\n", report_degraded(r, NULL, 0) ?
	    "true" : "false");
	fprintf(f, "output,cleaned,%llu\noutput,rejected,%llu\n"
	    "output,review,%llu\n", (unsigned long long)r->cleaned,
	    (unsigned long long)r->rejected, (unsigned long long)r->review);
	for (int s = 0; s < STATUS_LAST; s++)
		fprintf(f, "status,%s,%llu\n", verdict_status_name(s),
		    (unsigned long long)r->by_status[s]);
	for (int s = 0; s < SUB_LAST; s++)
		fprintf(f, "sub_status,%s,%llu\n", verdict_sub_name(s),
		    (unsigned long long)r->by_sub[s]);
	for (int a = 0; a < ACTION_LAST; a++)
		fprintf(f, "action,%s,%llu\n", verdict_action_name(a),
		    (unsigned long long)r->by_action[a]);
	for (int s = 0; s < STATUS_LAST; s++)
		fprintf(f, "status_percent,%s,%.1f\n", verdict_status_name(s),
		    report_pct(r->by_status[s], r->rows));
	for (int a = 0; a < ACTION_LAST; a++)
		fprintf(f, "action_percent,%s,%.1f\n", verdict_action_name(a),
		    report_pct(r->by_action[a], r->rows));
	for (size_t i = 0; i < r->ntop; i++) {
		fprintf(f, "top_domain,%s,%llu\n", r->top_names[i],
		    (unsigned long long)r->top_rows[i]);
		for (int a = 0; a < ACTION_LAST; a++)
			fprintf(f, "top_domain_%s,%s,%llu\n",
			    verdict_action_name(a), r->top_names[i],
			    (unsigned long long)r->top_action[i][a]);
	}
	for (size_t i = 0; i < r->nproviders; i++) {
		const struct report_provider *p = &r->providers[i];

		fprintf(f, "provider,%s,%llu\n", p->name,
		    (unsigned long long)p->rows);
		for (int s = 0; s < STATUS_LAST; s++)
			fprintf(f, "provider_%s,%s,%llu\n",
			    verdict_status_name(s), p->name,
			    (unsigned long long)p->by_status[s]);
	}
	fprintf(f, "input,delimiter,%s\ninput,line_ending,%s\ninput,bom,%s\n"
	    "input,header,%s\ninput,column,%ld\n", report_delim_name(r->delim),
	    report_eol_name(r->eol),
	    r->bom ? "true" : "false", r->header ? "true" : "false",
	    r->column + 1);
	fprintf(f, "input,utf8,%s\ninput,encoding,%s\n"
	    "input,first_non_utf8_line,%lu\ninput,converted_from,",
	    r->utf8 ? "true" : "false", r->utf8 ? "utf-8" : r->encoding_guess,
	    r->non_utf8_line);
	report_csv_str(f, r->converted_from ? r->converted_from : "");
	fputc('\n', f);
	fprintf(f, "input,blank_lines,%lu\ninput,short_rows,%llu\n"
	    "input,long_rows,%llu\ninput,guarded_rows,%llu\n", r->blank_lines,
	    (unsigned long long)r->short_rows, (unsigned long long)r->long_rows,
	    (unsigned long long)r->guarded_rows);
	fprintf(f, "input,unique_addresses,%llu\ninput,unique_domains,%llu\n",
	    (unsigned long long)r->unique_addresses,
	    (unsigned long long)r->unique_domains);
	if (r->dns_ran) {
		const struct dnsstage_stats *d = &r->dns;

		fprintf(f, "dns,domains,%llu\ndns,seconds,%.3f\n",
		    (unsigned long long)d->domains, d->seconds);
		for (int o = 0; o < MX_OUTCOME_LAST; o++)
			fprintf(f, "dns_outcome,%s,%llu\n", mx_outcome_name(o),
			    (unsigned long long)d->outcomes[o]);
		report_csv_counts(f, "dns", c, report_dns_counts(d, c));
	}
	if (r->smtp_ran) {
		const struct probe_stats *p = &r->smtp;

		fprintf(f, "smtp,seconds,%.3f\n", p->seconds);
		report_csv_counts(f, "smtp", c, report_smtp_counts(r, c));
		/* Host names are DNS names: no comma or quote can occur. */
		for (size_t i = 0; i < p->nproblems; i++)
			fprintf(f, "sender_problem,%s,%llu\n",
			    p->problems[i].host,
			    (unsigned long long)p->problems[i].count);
		/* inet_ntop text: no comma or quote either */
		for (size_t i = 0; i < p->nsources; i++)
			fprintf(f, "source_connections,%s,%llu\n",
			    p->source_addr[i],
			    (unsigned long long)p->source_connections[i]);
	}
	if (r->preflight != NULL)
		report_csv_preflight(r->preflight, f);
	if (r->store.on) {
		fprintf(f, "store,path,");
		report_csv_str(f, r->store.path);
		fprintf(f, "\n");
		report_csv_counts(f, "store", c, report_store_counts(&r->store,
		    c));
	}
	if (r->changes.on) {
		int subs[SUB_LAST];
		size_t n = report_went_bad(&r->changes, subs);

		report_csv_counts(f, "changes", c,
		    report_changes_counts(&r->changes, c));
		for (size_t i = 0; i < n; i++)
			fprintf(f, "changes_went_bad,%s,%llu\n",
			    verdict_sub_name(subs[i]), (unsigned long long)
			    r->changes.went_bad_by_sub[subs[i]]);
	}
}

enum report_form
report_form_of(const char *path)
{
	const char *base = strrchr(path, '/'), *dot;

	base = base != NULL ? base + 1 : path;
	dot = strrchr(base, '.');
	if (dot == NULL || dot == base || strcmp(dot, ".txt") == 0)
		return REPORT_TEXT;	/* a dot-file has no extension */
	if (strcmp(dot, ".json") == 0)
		return REPORT_JSON;
	if (strcmp(dot, ".csv") == 0)
		return REPORT_CSV;
	return REPORT_UNKNOWN;
}

void
report_format(const struct report *r, const char *path, FILE *f)
{
	switch (report_form_of(path)) {
	case REPORT_JSON:
		report_json(r, f);
		break;
	case REPORT_CSV:
		report_csv(r, f);
		break;
	case REPORT_TEXT:
	case REPORT_UNKNOWN:
		report_text(r, f);
		break;
	}
}
