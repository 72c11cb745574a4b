#include "options.h"

#include <errno.h>
#include <stddef.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "options_table.h"
#include "util/ascii.h"
#include "preflight/preflight.h"
#include "report/report.h"
#include "util/ascii.h"
#include "util/xalloc.h"

/* The options that take a plain number: where it goes and its range. */
static const struct options_num {
	int opt;
	const char *name;
	unsigned lo, hi;
	size_t off;		/* of the unsigned in struct options */
} options_nums[] = {
	{ OPT_DNS_TIMEOUT, "--dns-timeout", 10, 60000,
	    offsetof(struct options, dns_timeout_ms) },
	{ OPT_DNS_TRIES, "--dns-tries", 1, 10,
	    offsetof(struct options, dns_tries) },
	{ OPT_DNS_CONCURRENCY, "--dns-concurrency", 1, 10000,
	    offsetof(struct options, dns_concurrency) },
	{ OPT_SMTP_PORT, "--smtp-port", 1, 65535,
	    offsetof(struct options, smtp_port) },
	{ OPT_RCPT_PER_TXN, "--rcpt-per-transaction", 1, 100,
	    offsetof(struct options, rcpt_per_txn) },
	{ OPT_RCPT_PER_CONN, "--rcpt-per-connection", 0, 1000000,
	    offsetof(struct options, rcpt_per_conn) },
	{ OPT_RETRY_DELAY, "--retry-delay", 0, 86400,
	    offsetof(struct options, retry_delay) },
	{ OPT_RETRIES, "--retries", 0, 20,
	    offsetof(struct options, retries) },
	{ OPT_PER_HOST, "--per-host", 1, 50,
	    offsetof(struct options, per_host) },
	{ OPT_MAX_CONNECTIONS, "--max-connections", 1, 10000,
	    offsetof(struct options, max_connections) },
	{ OPT_CONNECT_TIMEOUT, "--connect-timeout", 1, 3600,
	    offsetof(struct options, connect_timeout) },
	{ OPT_BANNER_TIMEOUT, "--banner-timeout", 1, 3600,
	    offsetof(struct options, banner_timeout) },
	{ OPT_CACHE_WAIT, "--cache-wait", 0, 86400,
	    offsetof(struct options, cache_wait) },
	{ OPT_COMMAND_TIMEOUT, "--command-timeout", 1, 3600,
	    offsetof(struct options, command_timeout) },
};

static char *options_default_out(const char *input, const char *suffix,
    const char *ext);
static const char *options_out_ext(const char *input);
static int options_ext_check(const char *opt, const char *path,
    const char *ext, struct diag *d);
static int options_uint(const char *opt, const char *s, unsigned lo,
    unsigned hi, unsigned *out, struct diag *d);
static int options_probe_check(const struct options *o, struct diag *d);
static void options_blank_creds(char *url);
static int options_proxy_for(char *arg, struct options *o, struct diag *d);
static int options_summary_check(const char *path, struct diag *d);
static int options_report_check(const char *path, struct diag *d);
static int options_subs(const char *opt, const char *list, uint64_t *mask,
    struct diag *d);
static int options_delim(const char *s);
static int options_size(const char *opt, const char *s, size_t *out,
    struct diag *d);
static enum options_result options_help(const char *topic, struct diag *d);
static int options_shard(const char *s, struct options *o, struct diag *d);
static int options_shard_check(const struct options *o, bool outputs,
    struct diag *d);
static enum options_result options_parse_mode(int argc, char **argv,
    struct options *o, bool merge, struct diag *d);

/*
 * Names an EHLO must not claim: a probe that says it is a big provider
 * (or nobody) gets refused for policy, and deserves it (validator/README,
 * "Probe etiquette").
 */
static const char *const options_bad_helo[] = {
	"gmail.com", "google.com", "googlemail.com", "outlook.com",
	"hotmail.com", "live.com", "microsoft.com", "office365.com",
	"yahoo.com", "aol.com", "icloud.com", "apple.com", "me.com",
	"gmx.net", "gmx.de", "web.de", "yandex.ru", "mail.ru", "qq.com",
	"protonmail.com", "proton.me", "zoho.com", "amazon.com",
	"amazonses.com", "sendgrid.net", "mailgun.org", "facebook.com",
};

/* options_probe_check - --probe needs a real EHLO name and sender. */
static int
options_probe_check(const struct options *o, struct diag *d)
{
	const char *h = o->helo, *m = o->mail_from, *at, *dot;
	size_t hl;

	if (o->offline) {
		diag_set(d, DIAG_USAGE, "--probe needs the DNS stage: drop "
		    "--offline");
		return -1;
	}
	if (h == NULL || m == NULL) {
		diag_set(d, DIAG_USAGE, "--probe needs --helo NAME (a fully "
		    "qualified name of the probing host) and --mail-from ADDR "
		    "(a real address of yours)");
		return -1;
	}
	hl = strlen(h);
	if (hl > 0 && h[hl - 1] == '.')
		hl--;
	dot = memchr(h, '.', hl);
	if (hl == 0 || hl > 253 || dot == NULL || dot == h ||
	    h[hl - 1] == '.' || strspn(h, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.") < hl ||
	    strstr(h, "..") != NULL) {
		diag_set(d, DIAG_USAGE, "--helo '%s' is not a fully qualified "
		    "host name (like probe.example.com)", h);
		return -1;
	}
	if (strncasecmp(h, "localhost", 9) == 0 &&
	    (h[9] == '\0' || h[9] == '.')) {
		diag_set(d, DIAG_USAGE, "--helo '%s': use the probing host's "
		    "own name, with matching reverse DNS", h);
		return -1;
	}
	for (size_t i = 0; i < sizeof(options_bad_helo) /
	    sizeof(options_bad_helo[0]); i++) {
		size_t bl = strlen(options_bad_helo[i]);

		if (hl >= bl && strncasecmp(h + hl - bl, options_bad_helo[i],
		    bl) == 0 && (hl == bl || h[hl - bl - 1] == '.')) {
			diag_set(d, DIAG_USAGE, "--helo '%s' claims to be %s: "
			    "use the probing host's own name", h,
			    options_bad_helo[i]);
			return -1;
		}
	}
	at = strrchr(m, '@');
	if (*m == '\0' || at == NULL || at == m || strchr(at, '.') == NULL ||
	    at[1] == '.' || m[strlen(m) - 1] == '.' ||
	    strpbrk(m, " <>\"\\,;()[]") != NULL) {
		diag_set(d, DIAG_USAGE, "--mail-from '%s' is not a usable "
		    "address (give a real address of yours, like "
		    "lists@example.com)", m);
		return -1;
	}
	for (const char *p = m; *p; p++)
		if ((unsigned char)*p < 0x21 || (unsigned char)*p == 0x7f) {
			diag_set(d, DIAG_USAGE, "--mail-from holds a control "
			    "character or space");
			return -1;
		}
	return 0;
}

/* options_uint - a decimal number in [lo, hi] for option opt. */
static int
options_uint(const char *opt, const char *s, unsigned lo, unsigned hi,
    unsigned *out, struct diag *d)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (*s < '0' || *s > '9' || *end != '\0' || errno != 0 || v < lo ||
	    v > hi) {
		diag_set(d, DIAG_USAGE, "%s takes a number from %u to %u, not "
		    "'%s'", opt, lo, hi, s);
		return -1;
	}
	*out = (unsigned)v;
	return 0;
}

/*
 * options_size - a size in bytes from 1 KiB to 4 GiB for option opt:
 * digits and an optional K, M or G (binary multiples, either case).
 */
static int
options_size(const char *opt, const char *s, size_t *out, struct diag *d)
{
	const unsigned long long lo = 1024, hi = 4ULL << 30;
	unsigned long long v = 0, mult = 1;
	const char *p = s;

	while (*p >= '0' && *p <= '9' && v <= hi)
		v = v * 10 + (unsigned long long)(*p++ - '0');
	if (*p == 'K' || *p == 'k')
		mult = 1ULL << 10, p++;
	else if (*p == 'M' || *p == 'm')
		mult = 1ULL << 20, p++;
	else if (*p == 'G' || *p == 'g')
		mult = 1ULL << 30, p++;
	if (p == s || *s < '0' || *s > '9' || *p != '\0' || v > hi / mult ||
	    v * mult < lo || v * mult > hi || v * mult > SIZE_MAX / 4) {
		diag_set(d, DIAG_USAGE, "%s takes a size in bytes from 1K to "
		    "4G (suffix K, M or G), not '%s'", opt, s);
		return -1;
	}
	*out = (size_t)(v * mult);
	return 0;
}

/*
 * options_out_ext - the extension the outputs get: the input's own when it
 * is one a delimited text file has (.csv, .tsv, .tab, .txt, in any case;
 * ".csv" of "list.csv.gz"), else ".csv".
 */
static const char *
options_out_ext(const char *input)
{
	static const char *const exts[] = { ".csv", ".tsv", ".tab", ".txt" };
	size_t n = strlen(input);

	if (n > 3 && ascii_ncasecmp(input + n - 3, ".gz", 3) == 0)
		n -= 3;
	for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++)
		if (n > 4 && ascii_ncasecmp(input + n - 4, exts[i], 4) == 0)
			return exts[i];
	return ".csv";
}

/*
 * options_default_out - INPUT-cleaned.EXT beside INPUT, without the
 * input's extension ("listscrub-..." for stdin).
 */
static char *
options_default_out(const char *input, const char *suffix, const char *ext)
{
	size_t n = strlen(input);
	char *out;

	if (strcmp(input, "-") == 0)
		input = "listscrub", n = strlen(input);
	else {
		if (n > 3 && ascii_ncasecmp(input + n - 3, ".gz", 3) == 0)
			n -= 3;
		if (n > 4 && ascii_ncasecmp(input + n - 4, ext, 4) == 0)
			n -= 4;
	}
	out = xmalloc(n + strlen(suffix) + strlen(ext) + 1);
	memcpy(out, input, n);
	memcpy(out + n, suffix, strlen(suffix));
	memcpy(out + n + strlen(suffix), ext, strlen(ext) + 1);
	return out;
}

/*
 * options_ext_check - whether path names a file ending in ext (any
 * case); else -1 with d.
 */
static int
options_ext_check(const char *opt, const char *path, const char *ext,
    struct diag *d)
{
	size_t n = strlen(path), e = strlen(ext);

	if (n > e && ascii_ncasecmp(path + n - e, ext, e) == 0)
		return 0;
	diag_set(d, DIAG_USAGE, "%s %s: the file name must end in %s", opt,
	    path, ext);
	return -1;
}

/* options_subs - add each comma-separated sub-status name to mask. */
static int
options_subs(const char *opt, const char *list, uint64_t *mask,
    struct diag *d)
{
	const char *p = list;

	for (;;) {
		size_t n = strcspn(p, ",");
		enum verdict_sub s = verdict_sub_parse(p, n);

		if (s == SUB_LAST &&
		    verdict_status_parse(p, n) != STATUS_LAST) {
			diag_set(d, DIAG_USAGE, "%s takes sub-statuses; '%.*s' "
			    "is a status (listscrub --help statuses lists its "
			    "sub-statuses)", opt, (int)n, p);
			return -1;
		}
		if (s == SUB_LAST) {
			diag_set(d, DIAG_USAGE, "%s: unknown sub-status '%.*s' "
			    "(listscrub --help statuses lists them)", opt,
			    (int)n, p);
			return -1;
		}
		*mask |= UINT64_C(1) << s;
		if (p[n] == '\0')
			return 0;
		p += n + 1;
	}
}

/*
 * options_summary_check - --summary FILE: the name must say the format
 * (report_form_of, which report_format goes by): .json, .csv, .txt or no
 * extension at all, so a name like s.xlsx is refused, not written as text.
 */
static int
options_summary_check(const char *path, struct diag *d)
{
	const char *base = strrchr(path, '/');

	if (report_form_of(path) != REPORT_UNKNOWN)
		return 0;
	base = base != NULL ? base + 1 : path;
	diag_set(d, DIAG_USAGE, "--summary '%s': unknown extension '%s'; the "
	    "name must end in .json (JSON), .csv (CSV) or .txt (text), or "
	    "have no extension (text)", path, strrchr(base, '.'));
	return -1;
}

/*
 * options_report_check - --report FILE: the page is HTML, so the name must
 * say so (.html or .htm, in any case): a browser opens it by its name, and
 * a slip like --report list.csv must not overwrite a spreadsheet.
 */
static int
options_report_check(const char *path, struct diag *d)
{
	const char *base = strrchr(path, '/'), *dot;

	base = base != NULL ? base + 1 : path;
	dot = strrchr(base, '.');
	if (dot != NULL && dot != base && (ascii_ncasecmp(dot, ".html", 6) ==
	    0 || ascii_ncasecmp(dot, ".htm", 5) == 0))
		return 0;
	diag_set(d, DIAG_USAGE, "--report '%s': the name must end in .html "
	    "or .htm (the report is a web page)", path);
	return -1;
}

/*
 * options_help - --help [statuses] or --help=statuses: print the text to
 * standard output. topic is NULL for plain --help.
 */
static enum options_result
options_help(const char *topic, struct diag *d)
{
	if (topic == NULL)
		options_table_help(stdout);
	else if (strcmp(topic, "statuses") == 0)
		options_table_statuses(stdout);
	else {
		diag_set(d, DIAG_USAGE, "--help takes nothing or 'statuses', "
		    "not '%s'", topic);
		return OPTIONS_ERROR;
	}
	return OPTIONS_EXIT;
}

/* options_delim - the delimiter byte for a --delimiter word, -1 if bad. */
static int
options_delim(const char *s)
{
	if (strcmp(s, "auto") == 0)
		return 0;
	if (strcmp(s, "tab") == 0 || strcmp(s, "\\t") == 0 ||
	    strcmp(s, "\t") == 0)
		return '\t';
	if (strcmp(s, ",") == 0 || strcmp(s, "comma") == 0)
		return ',';
	if (strcmp(s, ";") == 0 || strcmp(s, "semicolon") == 0)
		return ';';
	if (strcmp(s, "|") == 0 || strcmp(s, "pipe") == 0)
		return '|';
	return -1;
}

/*
 * options_blank_creds - overwrite USER:PASS of a proxy URL in argv with
 * '*': ps shows the arguments otherwise.
 */
static void
options_blank_creds(char *url)
{
	char *at = strrchr(url, '@'), *q = strstr(url, "//");

	if (at == NULL || q == NULL || q > at)
		return;
	for (q += 2; q < at; q++)
		*q = '*';
}

/*
 * options_proxy_for - one --proxy-for PROVIDER=URL into o: PROVIDER as a
 * lists/providers.tsv provider name is spelled (the table itself is read
 * later: pipeline), once each, URL as --proxy's. Blanks the credentials
 * in arg. 0, or -1 with d set (DIAG_USAGE, credentials never repeated).
 */
static int
options_proxy_for(char *arg, struct options *o, struct diag *d)
{
	char *eq = strchr(arg, '=');
	struct probe_proxy_for *pf = &o->proxy_for[o->nproxy_for];
	size_t n = eq != NULL ? (size_t)(eq - arg) : 0;
	int rc = -1;

	if (n == 0 || n >= sizeof(pf->provider) ||
	    strspn(arg, "abcdefghijklmnopqrstuvwxyz0123456789_") != n) {
		diag_set(d, DIAG_USAGE, "--proxy-for takes PROVIDER=URL, "
		    "PROVIDER a name of lists/providers.tsv (lower-case "
		    "letters, digits, '_'), e.g. google=socks5://HOST:PORT");
		goto done;
	}
	if (o->nproxy_for == OPTIONS_PROXY_FOR_MAX) {
		diag_set(d, DIAG_USAGE, "--proxy-for: at most %d providers",
		    OPTIONS_PROXY_FOR_MAX);
		goto done;
	}
	for (size_t i = 0; i < o->nproxy_for; i++)
		if (strlen(o->proxy_for[i].provider) == n &&
		    strncmp(o->proxy_for[i].provider, arg, n) == 0) {
			diag_set(d, DIAG_USAGE, "--proxy-for %.*s given twice",
			    (int)n, arg);
			goto done;
		}
	memcpy(pf->provider, arg, n);
	pf->provider[n] = '\0';
	if (socks5_proxy_parse(eq + 1, &pf->proxy, d) != 0) {
		char msg[sizeof(d->msg)];

		snprintf(msg, sizeof(msg), "%s", d->msg);
		diag_set(d, DIAG_USAGE, "--proxy-for %s: %s", pf->provider,
		    msg);
		goto done;
	}
	o->nproxy_for++;
	rc = 0;
done:
	options_blank_creds(arg);
	return rc;
}

/* options_days - days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static int64_t
options_days(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

int
options_now(const char *s, int64_t *out, struct diag *d)
{
	static const unsigned mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31,
	    30, 31, 30, 31 };
	unsigned y, mo, dd, h, mi, se;
	int n = 0;

	if (s[0] == '@') {
		char *end;
		long long v;

		errno = 0;
		v = strtoll(s + 1, &end, 10);
		if (s[1] >= '0' && s[1] <= '9' && *end == '\0' &&
		    errno == 0 && v <= 253402300799LL) {
			*out = v;
			return 0;
		}
	} else if (strlen(s) == 20 && sscanf(s, "%4u-%2u-%2uT%2u:%2u:%2uZ%n",
	    &y, &mo, &dd, &h, &mi, &se, &n) == 6 && n == 20 && y >= 1970 &&
	    mo >= 1 && mo <= 12 && dd >= 1 && dd <= mdays[mo - 1] &&
	    (mo != 2 || dd < 29 || (y % 4 == 0 && (y % 100 != 0 ||
	    y % 400 == 0))) && h < 24 && mi < 60 && se < 60 &&
	    strspn(s, "0123456789-:TZ") == 20) {
		*out = options_days(y, mo, dd) * 86400 + h * 3600 + mi * 60 +
		    se;
		return 0;
	}
	diag_set(d, DIAG_USAGE, "--now takes YYYY-MM-DDTHH:MM:SSZ (UTC) or "
	    "@UNIXSECONDS, not '%s'", s);
	return -1;
}

/* options_shard - --shard I/N. */
static int
options_shard(const char *s, struct options *o, struct diag *d)
{
	unsigned long i, n;
	char *end, *mid;

	errno = 0;
	i = strtoul(s, &mid, 10);
	if (*s >= '0' && *s <= '9' && *mid == '/' && mid[1] >= '0' &&
	    mid[1] <= '9') {
		n = strtoul(mid + 1, &end, 10);
		if (*end == '\0' && errno == 0 && n >= 1 && n <= 4096 &&
		    i < n) {
			o->shard = (unsigned)i;
			o->shards = (unsigned)n;
			return 0;
		}
	}
	diag_set(d, DIAG_USAGE, "--shard takes I/N with 0 <= I < N and N from "
	    "1 to 4096 (e.g. --shard 0/4), not '%s'", s);
	return -1;
}

/*
 * options_shard_check - a shard needs --probe and --part, and writes no
 * output of its own (outputs: -o or -r was given).
 */
static int
options_shard_check(const struct options *o, bool outputs, struct diag *d)
{
	const char *out = NULL;

	if (o->part != NULL && o->shards == 0) {
		diag_set(d, DIAG_USAGE, "--part is for a shard: add --shard I/N");
		return -1;
	}
	if (o->shards == 0)
		return 0;
	if (!o->probe) {
		diag_set(d, DIAG_USAGE, "--shard divides the SMTP stage: add "
		    "--probe");
		return -1;
	}
	if (o->part == NULL) {
		diag_set(d, DIAG_USAGE, "--shard needs --part FILE (where the "
		    "shard writes what it learned)");
		return -1;
	}
	if (outputs)
		out = "-o/-r";
	else if (o->review != NULL)
		out = "--review";
	else if (o->summary != NULL)
		out = "--summary";
	else if (o->xlsx != NULL)
		out = "--xlsx";
	else if (o->report != NULL)
		out = "--report";
	else if (o->split_dir != NULL)
		out = "--split";
	if (out != NULL) {
		diag_set(d, DIAG_USAGE, "--shard with %s: a shard writes its "
		    "part; the outputs come from listscrub merge", out);
		return -1;
	}
	return 0;
}

enum options_result
options_parse(int argc, char **argv, struct options *o, struct diag *d)
{
	return options_parse_mode(argc, argv, o, false, d);
}

enum options_result
options_parse_merge(int argc, char **argv, struct options *o, struct diag *d)
{
	return options_parse_mode(argc, argv, o, true, d);
}

/*
 * options_parse_mode - the run's command line, or (merge) listscrub
 * merge's: INPUT and the part files.
 */
static enum options_result
options_parse_mode(int argc, char **argv, struct options *o, bool merge,
    struct diag *d)
{
	const char *cleaned = NULL, *rejected = NULL;
	bool columns_set = false;
	struct option long_opts[OPTIONS_TABLE_MAX + 1];
	char shorts[2 * OPTIONS_TABLE_MAX + 2];
	int c;

	memset(o, 0, sizeof(*o));
	o->policy = POLICY_STANDARD;
	o->prefix = "scrub_";
	o->guard = CSVWRITE_GUARD_AUTO;
	o->progress = PROGRESS_AUTO;
	o->dns_timeout_ms = 1000;
	o->dns_tries = 2;
	o->dns_concurrency = 256;
	o->smtp_port = 25;
	o->preflight = true;
	o->tls = TLS_OPPORTUNISTIC;
	o->rcpt_per_txn = 50;
	o->pipelining = true;
	o->retry_delay = 300;
	o->retries = 2;
	o->per_host = 2;
	o->host_rate = 60;
	o->max_connections = 100;
	o->connect_timeout = 20;
	o->banner_timeout = 120;
	o->command_timeout = 60;
	o->cache_wait = 60;
	store_ages_default(&o->ages);
	options_table_getopt(long_opts, shorts);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, shorts, long_opts, NULL)) != -1) {
		const struct options_num *nopt = NULL;

		for (size_t i = 0; i < sizeof(options_nums) /
		    sizeof(options_nums[0]) && nopt == NULL; i++)
			if (options_nums[i].opt == c)
				nopt = &options_nums[i];
		if (nopt != NULL) {
			if (options_uint(nopt->name, optarg, nopt->lo, nopt->hi,
			    (unsigned *)(void *)((char *)o + nopt->off), d) != 0)
				return OPTIONS_ERROR;
			continue;
		}
		switch (c) {
		case 'o':
			cleaned = optarg;
			break;
		case 'r':
			rejected = optarg;
			break;
		case 'q':
			o->quiet = true;
			break;
		case OPT_REVIEW:
			o->review = optarg;
			break;
		case OPT_SUMMARY:
			if (options_summary_check(optarg, d) != 0)
				return OPTIONS_ERROR;
			o->summary = optarg;
			break;
		case OPT_REPORT:
			if (options_report_check(optarg, d) != 0)
				return OPTIONS_ERROR;
			o->report = optarg;
			break;
		case OPT_COLUMN:
			o->column = optarg;
			break;
		case OPT_DELIMITER:
			if ((o->delim = options_delim(optarg)) < 0) {
				diag_set(d, DIAG_USAGE, "--delimiter takes auto, "
				    "',', ';', 'tab' or '|', not '%s'", optarg);
				return OPTIONS_ERROR;
			}
			break;
		case OPT_ENCODING:
			if (*optarg == '\0') {
				diag_set(d, DIAG_USAGE, "--encoding needs a "
				    "name, such as windows-1252");
				return OPTIONS_ERROR;
			}
			o->encoding = optarg;
			break;
		case OPT_MAX_RECORD_SIZE:
			if (options_size("--max-record-size", optarg,
			    &o->max_record, d) != 0)
				return OPTIONS_ERROR;
			break;
		case OPT_NO_HEADER:
			o->no_header = true;
			break;
		case OPT_SINGLE_THREAD:
			o->single_thread = true;
			break;
		case OPT_OFFLINE:
			o->offline = true;
			break;
		case OPT_POLICY:
			o->policy = verdict_policy_parse(optarg);
			if (o->policy == POLICY_LAST) {
				diag_set(d, DIAG_USAGE, "--policy takes standard, "
				    "strict or lenient, not '%s'", optarg);
				return OPTIONS_ERROR;
			}
			break;
		case OPT_KEEP:
			if (options_subs("--keep", optarg, &o->keep_subs,
			    d) != 0)
				return OPTIONS_ERROR;
			break;
		case OPT_REMOVE:
			if (options_subs("--remove", optarg, &o->remove_subs,
			    d) != 0)
				return OPTIONS_ERROR;
			break;
		case OPT_EXCEL:
			o->excel = true;
			break;
		case OPT_PREFIX:
			o->prefix = optarg;
			break;
		case OPT_XLSX:
			if (options_ext_check("--xlsx", optarg, ".xlsx",
			    d) != 0)
				return OPTIONS_ERROR;
			o->xlsx = optarg;
			break;
		case OPT_SPLIT:
			o->split_dir = optarg;
			break;
		case OPT_COLUMNS:
			if (columns_parse(optarg, &o->cols, d) != 0)
				return OPTIONS_ERROR;
			columns_set = true;
			break;
		case OPT_NO_HEADER_OUT:
			o->no_header_out = true;
			break;
		case OPT_FORMULA_GUARD:
			if (strcmp(optarg, "auto") == 0)
				o->guard = CSVWRITE_GUARD_AUTO;
			else if (strcmp(optarg, "strict") == 0)
				o->guard = CSVWRITE_GUARD_STRICT;
			else if (strcmp(optarg, "off") == 0)
				o->guard = CSVWRITE_GUARD_OFF;
			else {
				diag_set(d, DIAG_USAGE, "--formula-guard takes "
				    "auto, strict or off, not '%s'", optarg);
				return OPTIONS_ERROR;
			}
			break;
		case OPT_ALLOW_RESERVED:
			o->allow_reserved = true;
			break;
		case OPT_PROGRESS:
			o->progress = PROGRESS_ON;
			break;
		case OPT_NO_PROGRESS:
			o->progress = PROGRESS_OFF;
			break;
		case OPT_LISTS_DIR:
			o->lists_dir = optarg;
			break;
		case OPT_DNS_SERVER:
			if (o->ndns_servers == OPTIONS_MAX_DNS_SERVERS) {
				diag_set(d, DIAG_USAGE, "at most %d --dns-server "
				    "options", OPTIONS_MAX_DNS_SERVERS);
				return OPTIONS_ERROR;
			}
			if (*optarg == '\0' || strchr(optarg, ',') != NULL) {
				diag_set(d, DIAG_USAGE, "--dns-server takes one "
				    "HOST[:PORT], not '%s'", optarg);
				return OPTIONS_ERROR;
			}
			o->dns_servers[o->ndns_servers++] = optarg;
			break;
		case OPT_PROBE:
			o->probe = true;
			break;
		case OPT_HELO:
			o->helo = optarg;
			break;
		case OPT_MAIL_FROM:
			o->mail_from = optarg;
			break;
		case OPT_NO_PREFLIGHT:
			o->preflight = false;
			break;
		case OPT_FORCE:
			o->force = true;
			break;
		case OPT_PREFLIGHT_ADDRESS: {
			struct probe_sources check;

			if (probe_source_parse(optarg, &check, d) != 0)
				return OPTIONS_ERROR;
			o->preflight_address = optarg;
			break;
		}
		case OPT_DNSBL:
			if (preflight_check_zones(optarg, d) != 0)
				return OPTIONS_ERROR;
			o->dnsbl = optarg;
			break;
		case OPT_PORT25_TEST:
			o->port25_test = optarg;
			break;
		case OPT_TLS:
			if (strcmp(optarg, "opportunistic") == 0)
				o->tls = TLS_OPPORTUNISTIC;
			else if (strcmp(optarg, "required") == 0)
				o->tls = TLS_REQUIRED;
			else if (strcmp(optarg, "verify") == 0)
				o->tls = TLS_VERIFY;
			else if (strcmp(optarg, "off") == 0)
				o->tls = TLS_OFF;
			else {
				diag_set(d, DIAG_USAGE, "--tls takes opportunistic, "
				    "required, verify or off, not '%s'", optarg);
				return OPTIONS_ERROR;
			}
			break;
		case OPT_TLS_CA:
			o->tls_ca = optarg;
			break;
		case OPT_SOURCE_ADDRESS:
			if (probe_source_parse(optarg, &o->sources, d) != 0)
				return OPTIONS_ERROR;
			break;
		case OPT_PROXY:
			if (socks5_proxy_parse(optarg, &o->proxy, d) != 0)
				return OPTIONS_ERROR;
			o->proxied = true;
			options_blank_creds(optarg);
			break;
		case OPT_PROXY_FOR:
			if (options_proxy_for(optarg, o, d) != 0)
				return OPTIONS_ERROR;
			break;
		case OPT_NO_PIPELINING:
			o->pipelining = false;
			break;
		case OPT_HOST_RATE: {
			char num[32];
			size_t n = strcspn(optarg, "/");

			if (optarg[n] != '\0' && strcasecmp(optarg + n, "/min")
			    != 0) {
				diag_set(d, DIAG_USAGE, "--host-rate takes N or "
				    "N/MIN, not '%s'", optarg);
				return OPTIONS_ERROR;
			}
			snprintf(num, sizeof(num), "%.*s", (int)(n < 31 ? n : 31),
			    optarg);
			if (options_uint("--host-rate", num, 1, 100000,
			    &o->host_rate, d) != 0)
				return OPTIONS_ERROR;
			break;
		}
		case OPT_CACHE:
			if (*optarg == '\0') {
				diag_set(d, DIAG_USAGE, "--cache needs a file name");
				return OPTIONS_ERROR;
			}
			o->cache = optarg;
			break;
		case OPT_NO_CACHE:
			o->no_cache = true;
			break;
		case OPT_MAX_AGE:
			if (store_ages_set(&o->ages, optarg, d) != 0)
				return OPTIONS_ERROR;
			break;
		case OPT_REFRESH:
			o->ages.refresh = true;
			break;
		case OPT_REFRESH_OLDER_THAN:
			if (store_duration_parse(optarg, &o->ages.older_than)
			    != 0 || o->ages.older_than <= 0) {
				diag_set(d, DIAG_USAGE, "--refresh-older-than takes "
				    "an age such as 7d, 12h or 30m, not '%s'",
				    optarg);
				return OPTIONS_ERROR;
			}
			break;
		case OPT_NOW:
			if (options_now(optarg, &o->now, d) != 0)
				return OPTIONS_ERROR;
			o->now_set = true;
			break;
		case OPT_SHARD:
			if (merge) {
				diag_set(d, DIAG_USAGE, "--shard is for the "
				    "shards; listscrub merge reads their parts");
				return OPTIONS_ERROR;
			}
			if (options_shard(optarg, o, d) != 0)
				return OPTIONS_ERROR;
			break;
		case OPT_PART:
			if (merge) {
				diag_set(d, DIAG_USAGE, "--part is for the "
				    "shards; give listscrub merge the part "
				    "files after INPUT");
				return OPTIONS_ERROR;
			}
			if (*optarg == '\0') {
				diag_set(d, DIAG_USAGE, "--part needs a file "
				    "name");
				return OPTIONS_ERROR;
			}
			o->part = optarg;
			break;
		case OPT_HELP:
			/* --help=statuses, or the word after --help */
			if (optarg == NULL && optind < argc &&
			    strcmp(argv[optind], "statuses") == 0)
				optarg = argv[optind];
			return options_help(optarg, d);
		case OPT_VERSION:
			printf("listscrub %s\n", PACKAGE_VERSION);
			return OPTIONS_EXIT;
		case ':':
			diag_set(d, DIAG_USAGE, "option '%s' needs a value",
			    argv[optind - 1]);
			return OPTIONS_ERROR;
		default:
			diag_set(d, DIAG_USAGE, "unknown option '%s' (try "
			    "listscrub --help)", argv[optind - 1]);
			return OPTIONS_ERROR;
		}
	}
	if (merge) {
		/* every answer comes from the parts: no network, no store,
		 * no preflight (validator/README, "Shards and merge") */
		if (o->offline) {
			diag_set(d, DIAG_USAGE, "listscrub merge takes the "
			    "shards' answers: drop --offline");
			return OPTIONS_ERROR;
		}
		if (o->cache != NULL) {
			diag_set(d, DIAG_USAGE, "listscrub merge uses no "
			    "result store: drop --cache");
			return OPTIONS_ERROR;
		}
		o->merge = true;
		o->probe = true;
		o->no_cache = true;
		o->preflight = false;
		o->sources.n = 0;
		o->proxied = false;
		o->nproxy_for = 0;
	} else if (o->probe && options_probe_check(o, d) != 0)
		return OPTIONS_ERROR;
	/* An address that is not ours is found now, before any connection
	 * (validator/README, "Probe etiquette"). */
	if (o->sources.n > 0 && probe_source_check(&o->sources, d) != 0)
		return OPTIONS_ERROR;
	if (o->proxied && o->sources.n > 0) {
		/* the mail hosts see the proxy's address, not ours */
		diag_set(d, DIAG_USAGE, "--source-address and --proxy cannot "
		    "be used together: the mail hosts see the proxy's "
		    "outgoing address");
		return OPTIONS_ERROR;
	}
	if ((o->proxied || o->nproxy_for > 0) && !o->probe) {
		diag_set(d, DIAG_USAGE, "--%s is for the SMTP stage: add "
		    "--probe", o->proxied ? "proxy" : "proxy-for");
		return OPTIONS_ERROR;
	}
	if (o->cache != NULL && o->no_cache) {
		diag_set(d, DIAG_USAGE, "--cache and --no-cache cannot be used "
		    "together");
		return OPTIONS_ERROR;
	}
	if (o->keep_subs & o->remove_subs) {
		diag_set(d, DIAG_USAGE,
		    "a sub-status cannot be in both --keep and --remove");
		return OPTIONS_ERROR;
	}
	if (options_shard_check(o, cleaned != NULL || rejected != NULL,
	    d) != 0)
		return OPTIONS_ERROR;
	if (merge && argc - optind < 2) {
		diag_set(d, DIAG_USAGE, optind == argc ? "listscrub merge needs "
		    "INPUT and the shards' part files" : "listscrub merge: no "
		    "part file given (INPUT PART...)");
		return OPTIONS_ERROR;
	}
	if (merge) {
		o->parts = argv + optind + 1;
		o->nparts = (size_t)(argc - optind - 1);
	} else if (optind != argc - 1) {
		diag_set(d, DIAG_USAGE, optind == argc ?
		    "no input file given (try listscrub --help)" :
		    "only one input file is allowed (try listscrub --help)");
		return OPTIONS_ERROR;
	}
	o->input = argv[optind];
	if (!columns_set)
		(void)columns_parse(NULL, &o->cols, d);
	o->out_ext = options_out_ext(o->input);
	o->cleaned = cleaned ? xstrdup(cleaned) :
	    options_default_out(o->input, "-cleaned", o->out_ext);
	o->rejected = rejected ? xstrdup(rejected) :
	    options_default_out(o->input, "-rejected", o->out_ext);
	/* whether they are all different files is outputs_check's to say:
	 * names compared as strings miss links and other spellings */
	return OPTIONS_RUN;
}

void
options_free(struct options *o)
{
	free(o->cleaned);
	free(o->rejected);
	o->cleaned = o->rejected = NULL;
}
