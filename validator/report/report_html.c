/*
 * report_html - the --report page. The contract is in report_html.h; the
 * rules it keeps are in (validator/README, "Data between the stages"):
 * one file, inline CSS and SVG, no script, nothing fetched (no URL of any
 * kind: not even url() or an SVG namespace), counts only, every text from
 * the input or a server made valid UTF-8 and HTML-escaped (rh_text).
 */
#include "config.h"

#include "report/report_html.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "preflight/preflight.h"
#include "util/buf.h"
#include "util/utf8.h"
#include "verdict/smtp_classify.h"

/* Colours: each is used as an SVG fill (tests/e2e/t_html.sh looks for them). */
#define C_KEEP		"#1a9850"
#define C_REVIEW	"#f0a202"
#define C_REMOVE	"#d73027"
#define C_CATCH_ALL	"#7e57c2"
#define C_UNKNOWN	"#4f7cc4"
#define C_SKIPPED	"#9aa5b1"
#define C_TRACK		"#edf0f4"

/* The chart geometry, in SVG user units (the SVG scales to its box). */
#define CH_WIDTH	760
#define CH_LABEL	190	/* label column */
#define CH_BAR		420	/* the longest bar */
#define CH_ROW		30
#define CH_BAR_H	18

static const char *const status_colour[STATUS_LAST] = {
	[STATUS_VALID] = C_KEEP,
	[STATUS_INVALID] = C_REMOVE,
	[STATUS_CATCH_ALL] = C_CATCH_ALL,
	[STATUS_RISKY] = C_REVIEW,
	[STATUS_UNKNOWN] = C_UNKNOWN,
	[STATUS_SKIPPED] = C_SKIPPED,
};

/* The DNS answer of a top domain, in words, and the class of its label. */
static const struct {
	const char *words;
	const char *cls;	/* ok, bad, temp or none */
} dns_words[] = {
	[EVDNS_NONE] = { "not looked up", "none" },
	[EVDNS_OK] = { "has a mail server", "ok" },
	[EVDNS_IMPLICIT] = { "has a mail server (its own address)", "ok" },
	[EVDNS_NULL_MX] = { "accepts no mail (null MX)", "bad" },
	[EVDNS_NXDOMAIN] = { "does not exist", "bad" },
	[EVDNS_NO_HOST] = { "no usable mail server", "bad" },
	[EVDNS_TIMEOUT] = { "lookup timed out", "temp" },
	[EVDNS_ERROR] = { "lookup failed", "temp" },
};

/*
 * The sub-statuses that blame the checking side (our resolver, our IP,
 * our sender, our network), not the address: never held against it, and
 * fixed on this side. cls: the smtp_classify class whose advice applies
 * (SMTPC_LAST: none); fix: what to change here, after that advice.
 */
static const struct {
	enum verdict_sub sub;
	enum smtp_class cls;
	const char *fix;
} sender_subs[] = {
	{ SUB_DNS_TIMEOUT, SMTPC_LAST,
	    "Check that the resolver answers (the system's, or --dns-server) "
	    "and run again later." },
	{ SUB_DNS_ERROR, SMTPC_LAST,
	    "Check that the resolver is reachable and works (the system's, "
	    "or --dns-server), then run again." },
	{ SUB_POLICY_BLOCKED, SMTPC_POLICY,
	    "Check from an IP with a clean reputation and matching forward "
	    "and reverse DNS, with a --helo name and a --mail-from address "
	    "on a domain that has SPF." },
	{ SUB_PROBE_BLOCKED, SMTPC_RATE_LIMITED,
	    "Ask each host less often (lower --per-host and --host-rate) and "
	    "run again later." },
	{ SUB_THROTTLED, SMTPC_RATE_LIMITED,
	    "The hosts asked us to slow down: lower --per-host, --host-rate "
	    "and --rcpt-per-connection, raise --retry-delay, or run again "
	    "later." },
	{ SUB_GREYLISTED, SMTPC_GREYLISTED,
	    "Greylisting usually lasts 5 to 15 minutes: raise --retry-delay "
	    "or run again later." },
	{ SUB_TEMPORARY_ERROR, SMTPC_TEMPORARY, NULL },
	{ SUB_CONNECTION_FAILED, SMTPC_LAST,
	    "Check that this machine may connect out to port 25 (many "
	    "clouds and providers block it), or check from a host that can; "
	    "then run again." },
	{ SUB_TIMEOUT, SMTPC_LAST,
	    "Run again later, or give slow hosts more time "
	    "(--banner-timeout, --command-timeout)." },
	{ SUB_TLS_FAILED, SMTPC_LAST,
	    "Check --tls (verify needs a CA the servers' certificates chain "
	    "to: --tls-ca) and that OpenSSL here is up to date; run again." },
	{ SUB_PROXY_FAILED, SMTPC_LAST,
	    "Check that the --proxy is running and reachable, that its "
	    "credentials are right and that it may connect out to port 25; "
	    "then run again." },
};
#define NSENDER_SUBS (sizeof(sender_subs) / sizeof(sender_subs[0]))

/* One bar of a chart. */
struct rh_bar {
	const char *label;
	uint64_t n;
	const char *colour;
	const char *title;	/* tooltip, or NULL */
};

static void rh_text(FILE *f, const char *s);
static bool rh_optchar(char c);
static void rh_prose(FILE *f, const char *s);
static const char *rh_base(const char *path);
static void rh_num(FILE *f, uint64_t n);
static void rh_pct(FILE *f, uint64_t n, uint64_t of);
static void rh_style(FILE *f);
static void rh_header(const struct report *r, FILE *f);
static void rh_health(const struct report *r, FILE *f);
static void rh_bars(FILE *f, const char *what, const struct rh_bar *b,
    size_t n, uint64_t total);
static void rh_statuses(const struct report *r, FILE *f);
static void rh_subs(const struct report *r, FILE *f);
static void rh_domains(const struct report *r, FILE *f);
static void rh_providers(const struct report *r, FILE *f);
static void rh_tile(FILE *f, uint64_t n, const char *what);
static void rh_network(const struct report *r, FILE *f);
static uint64_t rh_sender_rows(const struct report *r);
static void rh_sender(const struct report *r, FILE *f);
static void rh_preflight(const struct report *r, FILE *f);
static void rh_next(const struct report *r, FILE *f);
static void rh_store(const struct report *r, FILE *f);
static void rh_changes(const struct report *r, FILE *f);
static void rh_facts(const struct report *r, FILE *f);

/*
 * rh_text - s as HTML text or attribute value: made valid UTF-8 first
 * (utf8_clean: bad bytes become U+FFFD, control and bidi characters go),
 * then & < > " ' escaped. Names from the input and from servers (the
 * file, the column, domains, replies) go through here and nowhere else.
 */
static void
rh_text(FILE *f, const char *s)
{
	struct buf b;

	if (s == NULL)
		return;
	buf_init(&b, 3 * strlen(s) + 16);
	(void)utf8_clean(s, strlen(s), SIZE_MAX, &b);	/* room for all */
	for (s = buf_str(&b); *s != '\0'; s++)
		switch (*s) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&#39;", f);
			break;
		default:
			fputc(*s, f);
		}
	buf_free(&b);
}

/* rh_optchar - c may be part of an option's name (--dns-server). */
static bool
rh_optchar(char c)
{
	return (c >= 'a' && c <= 'z') || c == '-';
}

/*
 * rh_prose - one of our own sentences (never input or server text): as
 * rh_text, but each --option in it set as code that does not break.
 */
static void
rh_prose(FILE *f, const char *s)
{
	char part[128];

	if (s == NULL)
		return;
	while (*s != '\0') {
		bool opt = s[0] == '-' && s[1] == '-' && rh_optchar(s[2]);
		size_t n = opt ? 2 : 1;

		while (n < sizeof(part) - 1 && s[n] != '\0' && (opt ?
		    rh_optchar(s[n]) : !(s[n] == '-' && s[n + 1] == '-')))
			n++;
		memcpy(part, s, n);
		part[n] = '\0';
		if (opt)
			fputs("<code class=\"opt\">", f);
		rh_text(f, part);
		if (opt)
			fputs("</code>", f);
		s += n;
	}
}

/*
 * rh_base - a file's last name component: the page may be forwarded, and
 * the directories it was made in are nobody else's business.
 */
static const char *
rh_base(const char *path)
{
	const char *slash;

	if (path == NULL)
		return "?";
	if (strcmp(path, "-") == 0)
		return "standard input";
	slash = strrchr(path, '/');
	return slash != NULL && slash[1] != '\0' ? slash + 1 : path;
}

/* rh_num - n with thousands separated by commas: 1,234,567. */
static void
rh_num(FILE *f, uint64_t n)
{
	char d[32];
	int len = snprintf(d, sizeof(d), "%llu", (unsigned long long)n);

	for (int i = 0; i < len; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			fputc(',', f);
		fputc(d[i], f);
	}
}

/*
 * rh_pct - n of `of` in percent, one decimal; "0.0%" when `of` is 0 (an
 * empty list divides by nothing), "<0.1%" for a share too small to show.
 */
static void
rh_pct(FILE *f, uint64_t n, uint64_t of)
{
	double p = of > 0 ? 100.0 * (double)n / (double)of : 0.0;

	if (n > 0 && p < 0.05)
		fputs("&lt;0.1%", f);
	else
		fprintf(f, "%.1f%%", p);
}

/* rh_style - the page's one style sheet (system fonts; print on A4). */
static void
rh_style(FILE *f)
{
	fputs("<style>\n"
	    ":root{color-scheme:light}\n"
	    "*{box-sizing:border-box}\n"
	    "html{background:#eef1f5}\n"
	    "body{margin:0;color:#1f2933;font:15px/1.5 system-ui,"
	    "-apple-system,\"Segoe UI\",Roboto,\"Helvetica Neue\",Arial,"
	    "\"Noto Sans\",\"Liberation Sans\",\"DejaVu Sans\",sans-serif;"
	    "-webkit-text-size-adjust:100%}\n"
	    "main{max-width:1000px;margin:0 auto;padding:28px 24px 40px}\n"
	    "h1{font-size:28px;line-height:1.2;margin:0 0 6px;"
	    "letter-spacing:-.01em}\n"
	    "h2{font-size:18px;margin:0 0 12px}\n"
	    "h3{font-size:15px;margin:18px 0 8px}\n"
	    "p{margin:0 0 10px}\n"
	    ".lede{color:#52606d;margin:0}\n"
	    ".lede b{color:#1f2933}\n"
	    "section{background:#fff;border:1px solid #e1e6ec;"
	    "border-radius:12px;padding:20px 24px;margin:16px 0;"
	    "box-shadow:0 1px 2px rgba(16,24,40,.05)}\n"
	    ".muted{color:#616e7c}\n"
	    ".small{font-size:13px}\n"
	    ".num{font-variant-numeric:tabular-nums}\n"
	    "code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"
	    "\"Liberation Mono\",monospace;font-size:.9em;background:#f0f3f7;"
	    "padding:1px 4px;border-radius:4px}\n"
	    "code.opt{white-space:nowrap}\n"
	    ".alert{background:#fdecea;border-color:#f3b1aa}\n"
	    ".kpis{display:grid;grid-template-columns:repeat(3,1fr);gap:14px;"
	    "margin:4px 0 18px}\n"
	    ".kpi{background:#f7f9fb;border-radius:10px;padding:12px 16px;"
	    "border-top:5px solid #9aa5b1}\n"
	    ".kpi .pct{display:block;font-size:40px;font-weight:700;"
	    "line-height:1.1;font-variant-numeric:tabular-nums}\n"
	    ".kpi .what{display:block;font-weight:600}\n"
	    ".kpi .rows{display:block;color:#616e7c;font-size:13px}\n"
	    ".kpi.keep{border-color:" C_KEEP "}.kpi.keep .pct{color:#137a3f}\n"
	    ".kpi.review{border-color:" C_REVIEW "}"
	    ".kpi.review .pct{color:#a86b00}\n"
	    ".kpi.remove{border-color:" C_REMOVE "}"
	    ".kpi.remove .pct{color:#b3261e}\n"
	    ".stack{display:block;width:100%;height:28px;border-radius:7px;"
	    "overflow:hidden}\n"
	    ".legend{margin:8px 0 0;font-size:13px;color:#3e4c59}\n"
	    ".legend span{margin-right:18px;white-space:nowrap}\n"
	    ".sw{display:inline-block;width:11px;height:11px;"
	    "border-radius:3px;margin-right:6px;vertical-align:-1px}\n"
	    ".chart{display:block;width:100%;max-width:760px;height:auto}\n"
	    ".chart text{font-size:13px;fill:#1f2933}\n"
	    ".chart text.v{fill:#52606d;font-variant-numeric:tabular-nums}\n"
	    "dl.means{display:grid;grid-template-columns:max-content 1fr;"
	    "gap:3px 16px;margin:12px 0 0;font-size:13px;color:#3e4c59}\n"
	    "dl.means dt{font-weight:600}\n"
	    "dl.means dd{margin:0}\n"
	    "table{border-collapse:collapse;width:100%;"
	    "font-variant-numeric:tabular-nums}\n"
	    "th,td{padding:7px 8px;border-bottom:1px solid #e6eaef;"
	    "text-align:left;vertical-align:top}\n"
	    "th{font-size:12px;text-transform:uppercase;letter-spacing:.04em;"
	    "color:#616e7c;font-weight:600}\n"
	    "td.n,th.n{text-align:right;white-space:nowrap}\n"
	    "td.dom{font-weight:600;word-break:break-all}\n"
	    ".mini{display:block;width:120px;height:12px;border-radius:3px;"
	    "overflow:hidden}\n"
	    ".tag{display:inline-block;font-size:12px;font-weight:600;"
	    "padding:1px 8px;border-radius:10px;white-space:nowrap}\n"
	    ".tag.ok{background:#e3f4ea;color:#137a3f}\n"
	    ".tag.bad{background:#fbe4e2;color:#b3261e}\n"
	    ".tag.temp{background:#fdf1d8;color:#8a5a00}\n"
	    ".tag.none{background:#eef1f5;color:#616e7c}\n"
	    ".tag.free{background:#e8eefa;color:#34568f;margin-left:6px}\n"
	    ".tiles{display:grid;"
	    "grid-template-columns:repeat(auto-fill,minmax(140px,1fr));"
	    "gap:10px;margin:0 0 10px}\n"
	    ".tile{background:#f7f9fb;border-radius:10px;padding:10px 14px}\n"
	    ".tile b{display:block;font-size:24px;line-height:1.2;"
	    "font-variant-numeric:tabular-nums}\n"
	    ".tile span{color:#616e7c;font-size:13px}\n"
	    "ol.next{margin:0;padding-left:22px}\n"
	    "ol.next li{margin:0 0 8px}\n"
	    "dl.facts{display:grid;grid-template-columns:max-content 1fr;"
	    "gap:4px 18px;margin:0}\n"
	    "dl.facts dt{color:#616e7c}\n"
	    "dl.facts dd{margin:0;word-break:break-word}\n"
	    "footer{color:#7b8794;font-size:12px;text-align:center;"
	    "margin-top:8px}\n"
	    "@media (max-width:640px){.kpis{grid-template-columns:1fr}"
	    "main{padding:16px 10px}section{padding:16px}}\n"
	    "@page{size:A4;margin:14mm}\n"
	    "@media print{html,body{background:#fff}"
	    "body{font-size:10pt}"
	    "main{max-width:none;padding:0}"
	    "section{box-shadow:none;border-color:#d5dbe1;"
	    "break-inside:avoid;page-break-inside:avoid;margin:0 0 10px;"
	    "padding:12px 16px}"
	    "h1{font-size:20pt}h2{font-size:13pt}"
	    ".kpi .pct{font-size:26pt}"
	    "*{-webkit-print-color-adjust:exact;print-color-adjust:exact}}\n"
	    "</style>\n", f);
}

/* rh_header - the title, the one-line run facts, a degraded run's line. */
static void
rh_header(const struct report *r, FILE *f)
{
	char why[400];

	fputs("<header>\n<h1>Email list health report</h1>\n"
	    "<p class=\"lede\"><b>", f);
	rh_text(f, rh_base(r->input));
	fputs("</b> &middot; <span class=\"num\">", f);
	rh_num(f, r->rows);
	fprintf(f, "</span> row%s", r->rows == 1 ? "" : "s");
	if (r->started_at[0] != '\0') {
		/* 2026-12-03T18:00:00Z -> 2026-12-03 18:00 UTC */
		fputs(" &middot; checked ", f);
		if (strlen(r->started_at) >= 16 && r->started_at[10] == 'T') {
			fprintf(f, "%.10s %.5s UTC", r->started_at,
			    r->started_at + 11);
		} else
			rh_text(f, r->started_at);
	}
	fputs(" &middot; policy ", f);
	rh_text(f, r->policy != NULL ? r->policy : "?");
	fputs(" &middot; ", f);
	fputs(r->smtp_ran ? "syntax, lists, DNS and mail servers checked" :
	    r->dns_ran ? "syntax, lists and DNS checked" :
	    "offline check: syntax and lists", f);
	fputs("</p>\n</header>\n", f);
	if (report_degraded(r, why, sizeof(why))) {
		fputs("<section class=\"alert\"><h2>This run is degraded</h2>"
		    "<p>", f);
		rh_text(f, why + (strncmp(why, "DEGRADED: ", 10) == 0 ? 10 :
		    0));
		fputs("</p></section>\n", f);
	}
}

/*
 * rh_health - the list at a glance: deliverable (keep), to review
 * (review, retry_later), to remove, as big numbers and one stacked bar.
 */
static void
rh_health(const struct report *r, FILE *f)
{
	const uint64_t n[3] = { r->by_action[ACTION_KEEP],
	    r->by_action[ACTION_REVIEW] + r->by_action[ACTION_RETRY_LATER],
	    r->by_action[ACTION_REMOVE] };
	static const char *const cls[3] = { "keep", "review", "remove" };
	static const char *const what[3] = { "deliverable",
	    "to review", "to remove" };
	static const char *const colour[3] = { C_KEEP, C_REVIEW, C_REMOVE };
	uint64_t total = n[0] + n[1] + n[2], cum = 0;

	fputs("<section>\n<h2>The list at a glance</h2>\n", f);
	if (total == 0) {
		fputs("<p class=\"muted\">The input has no data rows: there "
		    "is nothing to judge or to chart.</p>\n</section>\n", f);
		return;
	}
	fputs("<div class=\"kpis\">\n", f);
	for (int i = 0; i < 3; i++) {
		fprintf(f, "<div class=\"kpi %s\"><span class=\"pct\">",
		    cls[i]);
		rh_pct(f, n[i], total);
		fprintf(f, "</span><span class=\"what\">%s</span>"
		    "<span class=\"rows\">", what[i]);
		rh_num(f, n[i]);
		fprintf(f, " row%s</span></div>\n", n[i] == 1 ? "" : "s");
	}
	fputs("</div>\n<svg class=\"stack\" viewBox=\"0 0 1000 28\" "
	    "preserveAspectRatio=\"none\" role=\"img\" aria-label=\"Share "
	    "of rows: deliverable, to review, to remove\">\n", f);
	fputs("<rect x=\"0\" y=\"0\" width=\"1000\" height=\"28\" fill=\""
	    C_TRACK "\"/>\n", f);
	for (int i = 0; i < 3; i++) {
		/* Edges from the running sum: the parts meet exactly. */
		double x0 = 1000.0 * (double)cum / (double)total;
		double x1 = 1000.0 * (double)(cum + n[i]) / (double)total;

		cum += n[i];
		if (n[i] == 0)
			continue;
		fprintf(f, "<rect x=\"%.2f\" y=\"0\" width=\"%.2f\" "
		    "height=\"28\" fill=\"%s\"><title>%s: ", x0, x1 - x0,
		    colour[i], what[i]);
		rh_num(f, n[i]);
		fputs(" rows, ", f);
		rh_pct(f, n[i], total);
		fputs("</title></rect>\n", f);
	}
	fputs("</svg>\n<p class=\"legend\">", f);
	for (int i = 0; i < 3; i++) {
		fprintf(f, "<span><i class=\"sw\" style=\"background:%s\">"
		    "</i>%s ", colour[i], what[i]);
		rh_pct(f, n[i], total);
		fputs("</span>", f);
	}
	fputs("</p>\n<p class=\"small muted\">Deliverable: rows whose "
	    "action is keep. To review: review, and retry_later (a full "
	    "mailbox). To remove: remove. The action follows the status and "
	    "the policy.</p>\n</section>\n", f);
}

/*
 * rh_bars - a horizontal bar chart: per bar its label, a bar scaled to
 * the largest count, and the count with its share of total. Nothing
 * when every count is 0.
 */
static void
rh_bars(FILE *f, const char *what, const struct rh_bar *b, size_t n,
    uint64_t total)
{
	uint64_t max = 0;
	size_t rows = 0;

	for (size_t i = 0; i < n; i++) {
		if (b[i].n > max)
			max = b[i].n;
		rows += b[i].n > 0;
	}
	if (max == 0)
		return;
	fprintf(f, "<svg class=\"chart\" viewBox=\"0 0 %d %zu\" role=\"img\" "
	    "aria-label=\"%s\">\n", CH_WIDTH, rows * CH_ROW + 4, what);
	rows = 0;
	for (size_t i = 0; i < n; i++) {
		double w;
		size_t y;

		if (b[i].n == 0)
			continue;
		y = rows++ * CH_ROW + 4;
		w = (double)CH_BAR * (double)b[i].n / (double)max;
		if (w < 2.0)
			w = 2.0;	/* a count that is there is seen */
		fputs("<g>", f);
		if (b[i].title != NULL) {
			fputs("<title>", f);
			rh_text(f, b[i].title);
			fputs("</title>", f);
		}
		fprintf(f, "<text x=\"0\" y=\"%zu\">", y + 14);
		rh_text(f, b[i].label);
		fprintf(f, "</text><rect x=\"%d\" y=\"%zu\" width=\"%.1f\" "
		    "height=\"%d\" rx=\"3\" fill=\"%s\"/>", CH_LABEL, y, w,
		    CH_BAR_H, b[i].colour);
		fprintf(f, "<text class=\"v\" x=\"%.1f\" y=\"%zu\">",
		    CH_LABEL + w + 8, y + 14);
		rh_num(f, b[i].n);
		fputs(" (", f);
		rh_pct(f, b[i].n, total);
		fputs(")</text></g>\n", f);
	}
	fputs("</svg>\n", f);
}

/* rh_statuses - the chart of statuses, with what each means. */
static void
rh_statuses(const struct report *r, FILE *f)
{
	struct rh_bar b[STATUS_LAST];

	if (r->rows == 0)
		return;
	for (int s = 0; s < STATUS_LAST; s++)
		b[s] = (struct rh_bar){ verdict_status_name(s), r->by_status[s],
		    status_colour[s], verdict_status_meaning(s) };
	fputs("<section>\n<h2>Rows by status</h2>\n", f);
	rh_bars(f, "Rows by status", b, STATUS_LAST, r->rows);
	fputs("<dl class=\"means\">\n", f);
	for (int s = 0; s < STATUS_LAST; s++) {
		if (r->by_status[s] == 0)
			continue;
		fprintf(f, "<dt><i class=\"sw\" style=\"background:%s\"></i>%s"
		    "</dt><dd>", status_colour[s], verdict_status_name(s));
		rh_text(f, verdict_status_meaning(s));
		fputs("</dd>\n", f);
	}
	fputs("</dl>\n</section>\n", f);
}

/* rh_subs - the chart of the sub-statuses that occur, most first. */
static void
rh_subs(const struct report *r, FILE *f)
{
	struct rh_bar b[SUB_LAST] = { { NULL, 0, NULL, NULL } };
	int order[SUB_LAST];
	size_t n = 0;

	if (r->rows == 0)
		return;
	/* Insertion sort, stable: equal counts stay in sub-status order. */
	for (int u = 0; u < SUB_LAST; u++) {
		size_t i = n;

		if (r->by_sub[u] == 0)
			continue;
		for (; i > 0 && r->by_sub[order[i - 1]] < r->by_sub[u]; i--)
			order[i] = order[i - 1];
		order[i] = u;
		n++;
	}
	for (size_t i = 0; i < n; i++) {
		enum verdict_sub u = (enum verdict_sub)order[i];

		b[i] = (struct rh_bar){ verdict_sub_name(u), r->by_sub[u],
		    status_colour[verdict_sub_status(u)],
		    verdict_sub_reason(u) };
	}
	fputs("<section>\n<h2>Rows by reason (sub-status)</h2>\n", f);
	rh_bars(f, "Rows by sub-status", b, n, r->rows);
	fputs("<dl class=\"means\">\n", f);
	for (size_t i = 0; i < n; i++) {
		enum verdict_sub u = (enum verdict_sub)order[i];

		fprintf(f, "<dt><i class=\"sw\" style=\"background:%s\"></i>%s"
		    "</dt><dd>", status_colour[verdict_sub_status(u)],
		    verdict_sub_name(u));
		rh_text(f, verdict_sub_reason(u));
		fputs("</dd>\n", f);
	}
	fputs("</dl>\n</section>\n", f);
}

/*
 * rh_domains - the busiest domains: rows, share, the DNS answer, and
 * their rows kept / to review / removed, with a small stacked bar.
 */
static void
rh_domains(const struct report *r, FILE *f)
{
	if (r->rows == 0)
		return;
	fputs("<section>\n<h2>Top domains</h2>\n", f);
	if (r->ntop == 0) {
		fputs("<p class=\"muted\">No row has a valid address, so there "
		    "is no domain to show.</p>\n</section>\n", f);
		return;
	}
	fputs("<table>\n<thead><tr><th>Domain</th><th class=\"n\">Rows</th>"
	    "<th class=\"n\">Share</th><th>Mail server (DNS)</th>"
	    "<th class=\"n\">Kept</th><th class=\"n\">Review</th>"
	    "<th class=\"n\">Removed</th><th>Outcome</th></tr></thead>\n"
	    "<tbody>\n", f);
	for (size_t i = 0; i < r->ntop; i++) {
		const uint64_t *a = r->top_action[i];
		uint64_t keep = a[ACTION_KEEP], review = a[ACTION_REVIEW] +
		    a[ACTION_RETRY_LATER], remove = a[ACTION_REMOVE];
		uint64_t all = keep + review + remove;
		unsigned dns = (unsigned)r->top_dns[i];

		if (dns >= sizeof(dns_words) / sizeof(dns_words[0]))
			dns = EVDNS_NONE;
		fputs("<tr><td class=\"dom\">", f);
		rh_text(f, r->top_names[i]);
		if (r->top_free_mail[i])
			fputs("<span class=\"tag free\">free mail</span>", f);
		fputs("</td><td class=\"n\">", f);
		rh_num(f, r->top_rows[i]);
		fputs("</td><td class=\"n\">", f);
		rh_pct(f, r->top_rows[i], r->rows);
		fprintf(f, "</td><td><span class=\"tag %s\">%s</span></td>",
		    dns_words[dns].cls, dns_words[dns].words);
		fputs("<td class=\"n\">", f);
		rh_num(f, keep);
		fputs("</td><td class=\"n\">", f);
		rh_num(f, review);
		fputs("</td><td class=\"n\">", f);
		rh_num(f, remove);
		fputs("</td><td>", f);
		if (all > 0) {
			double x = 0;
			const uint64_t part[3] = { keep, review, remove };
			static const char *const c[3] = { C_KEEP, C_REVIEW,
			    C_REMOVE };

			fputs("<svg class=\"mini\" viewBox=\"0 0 120 12\" "
			    "preserveAspectRatio=\"none\" role=\"img\" "
			    "aria-label=\"kept, review, removed\">", f);
			for (int k = 0; k < 3; k++) {
				double w = 120.0 * (double)part[k] /
				    (double)all;

				if (part[k] > 0)
					fprintf(f, "<rect x=\"%.2f\" y=\"0\" "
					    "width=\"%.2f\" height=\"12\" "
					    "fill=\"%s\"/>", x, w, c[k]);
				x += w;
			}
			fputs("</svg>", f);
		}
		fputs("</td></tr>\n", f);
	}
	fputs("</tbody>\n</table>\n<p class=\"small muted\" "
	    "style=\"margin-top:8px\">Rows with a valid address at the "
	    "domain; share of all ", f);
	rh_num(f, r->rows);
	fputs(" rows. Kept, review (with retry later) and removed are "
	    "those rows' actions.</p>\n</section>\n", f);
}

/*
 * rh_providers - rows by mailbox provider (lists/providers.tsv): their
 * statuses as the text summary gives them, and the probe rules applied
 * to the provider. Shown only when a row had one.
 */
static void
rh_providers(const struct report *r, FILE *f)
{
	char outcomes[256];

	if (r->nproviders == 0 && r->providers_more == 0)
		return;
	fputs("<section>\n<h2>Mailbox providers</h2>\n"
	    "<table>\n<thead><tr><th>Provider</th><th class=\"n\">Rows</th>"
	    "<th class=\"n\">Share</th><th>Outcomes</th>"
	    "<th>Rule applied</th></tr></thead>\n<tbody>\n", f);
	for (size_t i = 0; i < r->nproviders; i++) {
		const struct report_provider *p = &r->providers[i];

		report_provider_outcomes(p, outcomes, sizeof(outcomes));
		fputs("<tr><td class=\"dom\">", f);
		rh_text(f, p->name);
		fputs("</td><td class=\"n\">", f);
		rh_num(f, p->rows);
		fputs("</td><td class=\"n\">", f);
		rh_pct(f, p->rows, r->rows);
		fputs("</td><td>", f);
		rh_text(f, outcomes);
		fputs("</td><td>", f);
		rh_text(f, p->rules);
		fputs("</td></tr>\n", f);
	}
	fputs("</tbody>\n</table>\n<p class=\"small muted\" "
	    "style=\"margin-top:8px\">The provider of a row is the one whose "
	    "mail server names (lists/providers.tsv) match the domain's "
	    "preferred mail server.", f);
	if (r->providers_more > 0) {
		fputs(" ", f);
		rh_num(f, r->providers_more);
		fputs(" more row(s) at providers not listed here.", f);
	}
	fputs("</p>\n</section>\n", f);
}

/* rh_tile - one figure with its caption. */
static void
rh_tile(FILE *f, uint64_t n, const char *what)
{
	fputs("<div class=\"tile\"><b>", f);
	rh_num(f, n);
	fprintf(f, "</b><span>%s</span></div>\n", what);
}

/* rh_network - the DNS and SMTP figures, for the stages that ran. */
static void
rh_network(const struct report *r, FILE *f)
{
	if (!r->dns_ran && !r->smtp_ran)
		return;
	fputs("<section>\n<h2>Network checks</h2>\n", f);
	if (r->dns_ran) {
		const struct dnsstage_stats *d = &r->dns;
		uint64_t ok = d->outcomes[MX_OK] + d->outcomes[MX_IMPLICIT];
		uint64_t no = d->outcomes[MX_NULL] + d->outcomes[MX_NXDOMAIN] +
		    d->outcomes[MX_NO_HOST];
		uint64_t failed = d->outcomes[MX_TIMEOUT] +
		    d->outcomes[MX_ERROR];

		fputs("<h3>DNS: does each domain receive mail?</h3>\n"
		    "<div class=\"tiles\">\n", f);
		rh_tile(f, d->domains, "domains looked up");
		rh_tile(f, ok, "have a mail server");
		rh_tile(f, no, "receive no mail");
		rh_tile(f, failed, "lookups failed");
		fputs("</div>\n<p class=\"small muted\">", f);
		fprintf(f, "In %.1f s. ", d->seconds >= 0 ? d->seconds : 0.0);
		if (d->recalled > 0) {
			rh_num(f, d->recalled);
			fputs(" answers from the result store. ", f);
		}
		fputs("Do not exist: ", f);
		rh_num(f, d->outcomes[MX_NXDOMAIN]);
		fputs("; null MX: ", f);
		rh_num(f, d->outcomes[MX_NULL]);
		fputs("; no usable mail server: ", f);
		rh_num(f, d->outcomes[MX_NO_HOST]);
		fputs("; timed out: ", f);
		rh_num(f, d->outcomes[MX_TIMEOUT]);
		fputs("; failed: ", f);
		rh_num(f, d->outcomes[MX_ERROR]);
		fputs(". Queries: ", f);
		rh_num(f, d->q.queries_mx + d->q.queries_a +
		    d->q.queries_aaaa);
		fputs(".", f);
		if (d->suggestions_dropped > 0) {
			fputs(" Typo suggestions dropped (the suggested "
			    "domain has no mail server): ", f);
			rh_num(f, d->suggestions_dropped);
			fputs(".", f);
		}
		fputs("</p>\n", f);
	}
	if (r->smtp_ran) {
		const struct probe_stats *p = &r->smtp;

		fputs("<h3>SMTP: does each mailbox exist?</h3>\n"
		    "<div class=\"tiles\">\n", f);
		rh_tile(f, r->smtp_answered, "addresses answered");
		rh_tile(f, p->addresses, "asked in this run");
		rh_tile(f, r->smtp_refused, "refused the sender");
		rh_tile(f, p->hosts, "mail hosts");
		rh_tile(f, p->connections, "connections");
		rh_tile(f, p->tls_sessions, "with TLS");
		fputs("</div>\n<p class=\"small muted\">", f);
		fprintf(f, "In %.1f s. TLS on ", p->seconds >= 0 ?
		    p->seconds : 0.0);
		rh_pct(f, p->tls_sessions, p->connections);
		fputs(" of the connections. Catch-all domains: ", f);
		rh_num(f, p->catch_all_domains);
		fputs("; asked again after a 4xx (greylisting): ", f);
		rh_num(f, p->retries);
		fputs("; hosts given up after refusals: ", f);
		rh_num(f, p->blocked_hosts);
		fputs(".</p>\n", f);
	}
	fputs("</section>\n", f);
}

/* rh_sender_rows - rows whose sub-status blames the checking side. */
static uint64_t
rh_sender_rows(const struct report *r)
{
	uint64_t n = 0;

	for (size_t i = 0; i < NSENDER_SUBS; i++)
		n += r->by_sub[sender_subs[i].sub];
	return n;
}

/*
 * rh_preflight - the sender preflight of a --probe run: each check, what
 * it found and, where it did not pass, the fix.
 */
static void
rh_preflight(const struct report *r, FILE *f)
{
	const struct preflight_result *p = r->preflight;

	if (p == NULL)
		return;
	fprintf(f, "<section>\n<h2>Sender preflight</h2>\n<p>Checked before "
	    "the first connection, for the probing IP%s ", p->nip > 1 ?
	    "s" : "");
	for (size_t k = 0; k < p->nip; k++) {
		if (k > 0)
			fputs(", ", f);
		rh_text(f, p->ips[k]);
	}
	fputs(preflight_blocking(p) > 0 ? ": a blocking failure; probed "
	    "anyway (<code>--force</code>).</p>\n" : ": no blocking "
	    "failure.</p>\n", f);
	fputs("<table>\n<thead><tr><th>Probing IP</th><th>Check</th><th>"
	    "Result</th><th>Found</th><th>How to fix it</th></tr></thead>\n"
	    "<tbody>\n", f);
	for (size_t i = 0; i < p->n; i++) {
		const struct preflight_check *c = &p->checks[i];

		fputs("<tr><td>", f);
		/* "" : a check of the MAIL FROM domain, not of an IP */
		rh_text(f, c->ip[0] != '\0' ? c->ip : "(MAIL FROM domain)");
		fputs("</td><td><code>", f);
		rh_text(f, c->name);
		fprintf(f, "</code></td><td>%s</td><td>",
		    pf_status_name(c->status));
		rh_text(f, c->detail);
		fputs("</td><td>", f);
		if (c->status != PF_PASS)
			rh_prose(f, c->fix);
		fputs("</td></tr>\n", f);
	}
	fputs("</tbody>\n</table>\n</section>\n", f);
}

/*
 * rh_sender - the problems of the checking side, with the fix for each,
 * and the mail hosts that refused the sender.
 */
static void
rh_sender(const struct report *r, FILE *f)
{
	uint64_t n = rh_sender_rows(r);
	size_t np = r->smtp_ran ? r->smtp.nproblems : 0;

	if (!r->dns_ran && !r->smtp_ran && n == 0)
		return;
	fputs("<section>\n<h2>Sender-side problems</h2>\n", f);
	if (n == 0 && np == 0) {
		fputs("<p>None: no lookup failed and no mail server refused "
		    "the checks.</p>\n</section>\n", f);
		return;
	}
	fputs("<p>These rows were not checked because of the checking side "
	    "(our resolver, IP address, sender or network), not because of "
	    "the address: they are <b>never held against it</b>. Fix the "
	    "cause, then run again.</p>\n", f);
	if (n > 0) {
		fputs("<table>\n<thead><tr><th>Reason</th><th class=\"n\">"
		    "Rows</th><th>What happened</th><th>How to fix it</th>"
		    "</tr></thead>\n<tbody>\n", f);
		for (size_t i = 0; i < NSENDER_SUBS; i++) {
			enum verdict_sub u = sender_subs[i].sub;
			enum smtp_class c = sender_subs[i].cls;

			if (r->by_sub[u] == 0)
				continue;
			fprintf(f, "<tr><td><code>%s</code></td>"
			    "<td class=\"n\">", verdict_sub_name(u));
			rh_num(f, r->by_sub[u]);
			fputs("</td><td>", f);
			rh_text(f, verdict_sub_reason(u));
			fputs("</td><td>", f);
			if (c != SMTPC_LAST) {
				rh_prose(f, smtp_class_advice(c));
				if (sender_subs[i].fix != NULL)
					fputc(' ', f);
			}
			rh_prose(f, sender_subs[i].fix);
			fputs("</td></tr>\n", f);
		}
		fputs("</tbody>\n</table>\n", f);
	}
	if (np > 0) {
		fputs("<h3>Mail hosts that refused the sender</h3>\n<table>\n"
		    "<thead><tr><th>Mail host</th><th>Their reply</th>"
		    "<th class=\"n\">Times</th></tr></thead>\n<tbody>\n", f);
		for (size_t i = 0; i < np && i < PROBE_MAX_PROBLEMS; i++) {
			fputs("<tr><td class=\"dom\">", f);
			rh_text(f, r->smtp.problems[i].host);
			fputs("</td><td><code>", f);
			rh_text(f, r->smtp.problems[i].reply);
			fputs("</code></td><td class=\"n\">", f);
			rh_num(f, r->smtp.problems[i].count);
			fputs("</td></tr>\n", f);
		}
		fputs("</tbody>\n</table>\n<p class=\"small muted\" "
		    "style=\"margin-top:8px\">", f);
		rh_text(f, smtp_class_advice(SMTPC_POLICY));
		fputs("</p>\n", f);
	}
	fputs("</section>\n", f);
}

/* rh_next - what to do now, derived from the counts, most urgent first. */
static void
rh_next(const struct report *r, FILE *f)
{
	uint64_t sender = rh_sender_rows(r);
	uint64_t keep = r->by_action[ACTION_KEEP];
	uint64_t review = r->by_action[ACTION_REVIEW];
	uint64_t retry = r->by_action[ACTION_RETRY_LATER];
	uint64_t remove = r->by_action[ACTION_REMOVE];
	uint64_t unknown = r->by_status[STATUS_UNKNOWN];

	fputs("<section>\n<h2>What to do next</h2>\n<ol class=\"next\">\n", f);
	if (r->rows == 0)
		fputs("<li>The input has no data rows (it is empty, or holds "
		    "only a header): check that this is the file you meant to "
		    "scrub.</li>\n", f);
	if (report_degraded(r, NULL, 0))
		fputs("<li><b>Fix the problem named at the top first</b>, then "
		    "run again: most of this run's network checks failed, so "
		    "its unknown rows say little.</li>\n", f);
	if (sender > 0) {
		fputs("<li><b>Fix the sending side first</b> (see "
		    "Sender-side problems): ", f);
		rh_num(f, sender);
		fprintf(f, " row%s could not be checked because of it. Then "
		    "run again", sender == 1 ? "" : "s");
		fputs(r->store.on ? "; the result store keeps every answer, "
		    "so only those rows are asked again.</li>\n" :
		    ".</li>\n", f);
	}
	if (keep > 0) {
		fputs("<li><b>Upload the cleaned file</b>, <code>", f);
		rh_text(f, rh_base(r->cleaned_path));
		fputs("</code>, to your sending tool: ", f);
		rh_num(f, r->cleaned);
		fprintf(f, " row%s", r->cleaned == 1 ? "" : "s");
		if (r->review_path == NULL && r->cleaned > keep) {
			fputs(", of which ", f);
			rh_num(f, r->cleaned - keep);
			fputs(" to review (their scrub_action column says "
			    "review or retry_later)", f);
		}
		fputs(".</li>\n", f);
	}
	if (review > 0) {
		fputs("<li><b>Decide on the ", f);
		rh_num(f, review);
		fprintf(f, " row%s to review</b> (catch-all domains, unknown "
		    "answers, role addresses, depending on the policy) before "
		    "you send to them: send to them apart from the rest, or "
		    "leave them out", review == 1 ? "" : "s");
		if (r->review_path != NULL) {
			fputs("; they are in <code>", f);
			rh_text(f, rh_base(r->review_path));
			fputs("</code>", f);
		}
		fputs(".</li>\n", f);
	}
	if (retry > 0) {
		fputs("<li><b>Check the ", f);
		rh_num(f, retry);
		fprintf(f, " row%s with a full mailbox again</b> in a few days "
		    "(retry_later). ", retry == 1 ? "" : "s");
		rh_text(f, smtp_class_advice(SMTPC_MAILBOX_FULL));
		fputs("</li>\n", f);
	}
	if (remove > 0) {
		fputs("<li><b>Do not send to the ", f);
		rh_num(f, remove);
		fprintf(f, " row%s to remove</b>: they are in the rejected "
		    "file, <code>", remove == 1 ? "" : "s");
		rh_text(f, rh_base(r->rejected_path));
		fputs("</code>. Delete them from your list or add them to "
		    "your suppression list; sending to them hurts your sender "
		    "reputation.</li>\n", f);
	}
	if (r->by_sub[SUB_POSSIBLE_TYPO] > 0) {
		fputs("<li><b>Correct the ", f);
		rh_num(f, r->by_sub[SUB_POSSIBLE_TYPO]);
		fputs(" likely typo(s)</b> of popular domains if you can "
		    "confirm them with the person: the scrub_did_you_mean "
		    "column has the suggestion.</li>\n", f);
	}
	if (unknown > sender) {
		fputs("<li><b>Run again later for the ", f);
		rh_num(f, unknown - sender);
		fputs(" other unknown row(s)</b>: they were not decided either "
		    "way (the server did not say), and are never held against "
		    "the address.</li>\n", f);
	}
	if (!r->dns_ran && r->rows > 0)
		fputs("<li>This was an offline check (syntax, duplicates and "
		    "lists only). <b>Run without <code class=\"opt\">"
		    "--offline</code></b> to check that each domain receives "
		    "mail.</li>\n", f);
	else if (!r->smtp_ran && r->rows > 0)
		fputs("<li>To ask the mail servers whether each mailbox "
		    "exists, <b>run with <code class=\"opt\">--probe</code>"
		    "</b> from a host that may connect out to port 25.</li>\n",
		    f);
	fputs("<li>Scrub the list again before a large send, or every few "
	    "months: lists lose about 2% of their addresses a month.</li>\n"
	    "</ol>\n</section>\n", f);
}

/* rh_store - the result store block (when the run used one). */
static void
rh_store(const struct report *r, FILE *f)
{
	const struct report_store *s = &r->store;

	if (!s->on)
		return;
	fputs("<section>\n<h2>Result store</h2>\n<p class=\"small muted\">"
	    "Answers from earlier runs that are still good are taken from the "
	    "store, not asked again: <code>", f);
	rh_text(f, rh_base(s->path));
	fputs("</code></p>\n<div class=\"tiles\">\n", f);
	rh_tile(f, s->dns_recalled, "domains: from the store");
	rh_tile(f, s->dns_asked, "domains: looked up now");
	rh_tile(f, s->smtp_recalled, "addresses: from the store");
	rh_tile(f, s->smtp_asked, "addresses: asked now");
	fputs("</div>\n</section>\n", f);
}

/* rh_changes - the "since the last scrub" block (when it was looked for). */
static void
rh_changes(const struct report *r, FILE *f)
{
	const struct report_changes *c = &r->changes;
	int subs[SUB_LAST];
	size_t n;

	if (!c->on)
		return;
	fputs("<section>\n<h2>Since the last scrub</h2>\n", f);
	if (c->compared == 0) {
		fputs("<p class=\"muted\">No address had a previous status: "
		    "this is the first scrub of these addresses.</p>\n"
		    "</section>\n", f);
		return;
	}
	fputs("<div class=\"tiles\">\n", f);
	rh_tile(f, c->compared, "addresses compared");
	rh_tile(f, c->changed, "changed status");
	rh_tile(f, c->went_bad, "went bad (now invalid)");
	rh_tile(f, c->recovered, "recovered");
	fputs("</div>\n<p>Bad-address rate among them: ", f);
	rh_pct(f, c->bad_then, c->compared);
	fputs(" then, <b>", f);
	rh_pct(f, c->bad_now, c->compared);
	fputs("</b> now.", f);
	n = report_went_bad(c, subs);
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "%s<code>%s</code> ", i ? ", " : " Went bad as: ",
		    verdict_sub_name(subs[i]));
		rh_num(f, c->went_bad_by_sub[subs[i]]);
	}
	fputs(n > 0 ? ".</p>\n</section>\n" : "</p>\n</section>\n", f);
}

/* rh_facts - the run's facts: input, column, rows, outputs, time. */
static void
rh_facts(const struct report *r, FILE *f)
{
	fputs("<section>\n<h2>About this run</h2>\n<dl class=\"facts\">\n"
	    "<dt>Input</dt><dd>", f);
	rh_text(f, rh_base(r->input));
	fputs("</dd>\n<dt>Rows</dt><dd>", f);
	rh_num(f, r->rows);
	fputs(" (unique addresses ", f);
	rh_num(f, r->unique_addresses);
	fputs(", unique domains ", f);
	rh_num(f, r->unique_domains);
	fputs(")</dd>\n", f);
	if (r->column >= 0) {
		fprintf(f, "<dt>Email column</dt><dd>%ld", r->column + 1);
		if (r->column_name[0] != '\0') {
			fputs(" &ldquo;", f);
			rh_text(f, r->column_name);
			fputs("&rdquo;", f);
		}
		if (r->column_how != NULL && r->column_how[0] != '\0') {
			fputs(" (chosen by ", f);
			rh_text(f, r->column_how);
			fputs(")", f);
		}
		fputs("</dd>\n", f);
	}
	fputs("<dt>Checked at</dt><dd>", f);
	rh_text(f, r->started_at[0] != '\0' ? r->started_at : "?");
	fputs("</dd>\n<dt>Policy</dt><dd>", f);
	rh_text(f, r->policy != NULL ? r->policy : "?");
	fprintf(f, "</dd>\n<dt>Took</dt><dd>%.1f s</dd>\n<dt>Outputs</dt><dd>",
	    r->seconds >= 0 ? r->seconds : 0.0);
	rh_text(f, rh_base(r->cleaned_path));
	fputs(" (", f);
	rh_num(f, r->cleaned);
	fputs(" rows), ", f);
	rh_text(f, rh_base(r->rejected_path));
	fputs(" (", f);
	rh_num(f, r->rejected);
	fputs(" rows)", f);
	if (r->review_path != NULL) {
		fputs(", ", f);
		rh_text(f, rh_base(r->review_path));
		fputs(" (", f);
		rh_num(f, r->review);
		fputs(" rows)", f);
	}
	fputs("</dd>\n", f);
	if (r->by_sub[SUB_MALFORMED_ROW] + r->long_rows + r->short_rows +
	    r->guarded_rows + r->blank_lines > 0) {
		fputs("<dt>Input notes</dt><dd>", f);
		rh_num(f, r->by_sub[SUB_MALFORMED_ROW]);
		fputs(" unreadable row(s), ", f);
		rh_num(f, r->long_rows);
		fputs(" with extra cells, ", f);
		rh_num(f, r->short_rows);
		fputs(" short (padded), ", f);
		rh_num(f, r->guarded_rows);
		fputs(" with formula-like cells guarded, ", f);
		rh_num(f, r->blank_lines);
		fputs(" blank line(s) skipped</dd>\n", f);
	}
	fputs("</dl>\n</section>\n", f);
}

void
report_html(const struct report *r, FILE *f)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\">\n"
	    "<meta name=\"generator\" content=\"listscrub " PACKAGE_VERSION
	    "\">\n<title>List health: ", f);
	rh_text(f, rh_base(r->input));
	fputs("</title>\n", f);
	rh_style(f);
	fputs("</head>\n<body>\n<main>\n", f);
	rh_header(r, f);
	rh_health(r, f);
	rh_next(r, f);
	rh_statuses(r, f);
	rh_subs(r, f);
	rh_domains(r, f);
	rh_providers(r, f);
	rh_sender(r, f);
	rh_preflight(r, f);
	rh_network(r, f);
	rh_store(r, f);
	rh_changes(r, f);
	rh_facts(r, f);
	fputs("<footer>Made by listscrub " PACKAGE_VERSION ". Counts only: "
	    "this page holds no address. Self-contained: it loads nothing "
	    "and can be forwarded as it is.</footer>\n"
	    "</main>\n</body>\n</html>\n", f);
}
