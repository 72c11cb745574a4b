#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "xalloc.h"

enum {
	OPT_REVIEW = 256, OPT_SUMMARY, OPT_COLUMN, OPT_DELIMITER, OPT_NO_HEADER,
	OPT_OFFLINE, OPT_POLICY, OPT_KEEP, OPT_REMOVE, OPT_EXCEL, OPT_PREFIX,
	OPT_FORMULA_GUARD, OPT_ALLOW_RESERVED, OPT_PROGRESS, OPT_NO_PROGRESS,
	OPT_LISTS_DIR, OPT_HELP, OPT_VERSION, OPT_DNS_SERVER, OPT_DNS_TIMEOUT,
	OPT_DNS_TRIES, OPT_DNS_CONCURRENCY
};

static const struct option long_opts[] = {
	{ "cleaned", required_argument, NULL, 'o' },
	{ "rejected", required_argument, NULL, 'r' },
	{ "review", required_argument, NULL, OPT_REVIEW },
	{ "summary", required_argument, NULL, OPT_SUMMARY },
	{ "column", required_argument, NULL, OPT_COLUMN },
	{ "delimiter", required_argument, NULL, OPT_DELIMITER },
	{ "no-header", no_argument, NULL, OPT_NO_HEADER },
	{ "offline", no_argument, NULL, OPT_OFFLINE },
	{ "policy", required_argument, NULL, OPT_POLICY },
	{ "keep", required_argument, NULL, OPT_KEEP },
	{ "remove", required_argument, NULL, OPT_REMOVE },
	{ "excel", no_argument, NULL, OPT_EXCEL },
	{ "prefix", required_argument, NULL, OPT_PREFIX },
	{ "formula-guard", required_argument, NULL, OPT_FORMULA_GUARD },
	{ "allow-reserved", no_argument, NULL, OPT_ALLOW_RESERVED },
	{ "progress", no_argument, NULL, OPT_PROGRESS },
	{ "no-progress", no_argument, NULL, OPT_NO_PROGRESS },
	{ "lists-dir", required_argument, NULL, OPT_LISTS_DIR },
	{ "dns-server", required_argument, NULL, OPT_DNS_SERVER },
	{ "dns-timeout", required_argument, NULL, OPT_DNS_TIMEOUT },
	{ "dns-tries", required_argument, NULL, OPT_DNS_TRIES },
	{ "dns-concurrency", required_argument, NULL, OPT_DNS_CONCURRENCY },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 }
};

static const char usage_text[] =
"Usage: listscrub [OPTIONS] INPUT.csv     (INPUT '-' reads standard input)\n"
"Clean a mailing list: every row goes to the cleaned or the rejected file,\n"
"original columns untouched, verdict columns appended.\n"
"\n"
"Outputs:\n"
"  -o, --cleaned FILE       rows to keep (default INPUT-cleaned.csv)\n"
"  -r, --rejected FILE      rows to drop (default INPUT-rejected.csv)\n"
"      --review FILE        rows whose action is review or retry_later\n"
"      --summary FILE       summary report; .json, .csv or .txt by extension\n"
"  -q, --quiet              no summary on standard error\n"
"      --progress           progress bar on standard error (default: on a TTY)\n"
"      --no-progress        no progress bar\n"
"Input:\n"
"      --column NAME|N      the email column, by header name or 1-based number\n"
"      --delimiter D        auto (default), ',', ';', 'tab' or '|'\n"
"      --no-header          the first row is data, not a header\n"
"Checks and policy:\n"
"      --offline            syntax, IDN, duplicates and list flags only\n"
"                           (no DNS; without it each domain's MX is looked up)\n"
"DNS:\n"
"      --dns-server H[:P]   resolver to ask (repeatable; default: resolv.conf)\n"
"      --dns-timeout MS     first-try timeout, doubled per retry (default 1000)\n"
"      --dns-tries N        tries per server (default 2: at most 3 s a query)\n"
"      --dns-concurrency N  DNS queries in flight (default 256)\n"
"      --policy P           standard (default), strict or lenient\n"
"      --keep SUB[,SUB...]  always keep rows with these sub-statuses\n"
"      --remove SUB[,SUB...] always remove rows with these sub-statuses\n"
"      --allow-reserved     accept .test/.example/.invalid/.localhost domains\n"
"      --lists-dir DIR      read the data tables from DIR\n"
"Spreadsheets:\n"
"      --excel              write a UTF-8 BOM and CRLF line ends\n"
"      --prefix P           prefix of the appended columns (default scrub_)\n"
"      --formula-guard G    auto (default), strict or off\n"
"\n"
"      --help               this text\n"
"      --version            the version\n"
"Exit status: 0 done, 2 usage error or unreadable input, 1 other failure.\n";

static char *options_default_out(const char *input, const char *suffix);
static int options_uint(const char *opt, const char *s, unsigned lo,
    unsigned hi, unsigned *out, struct diag *d);

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
static int options_subs(const char *list, uint64_t *mask, struct diag *d);
static int options_delim(const char *s);

/* options_default_out - INPUT-cleaned.csv beside INPUT ("listscrub-..." for stdin). */
static char *
options_default_out(const char *input, const char *suffix)
{
	size_t n = strlen(input);
	char *out;

	if (strcmp(input, "-") == 0)
		input = "listscrub", n = strlen(input);
	else if (n > 4 && (strcmp(input + n - 4, ".csv") == 0 ||
	    strcmp(input + n - 4, ".CSV") == 0 ||
	    strcmp(input + n - 4, ".txt") == 0 ||
	    strcmp(input + n - 4, ".tsv") == 0))
		n -= 4;
	out = xmalloc(n + strlen(suffix) + 1);
	memcpy(out, input, n);
	memcpy(out + n, suffix, strlen(suffix) + 1);
	return out;
}

/* options_subs - add each comma-separated sub-status name to mask. */
static int
options_subs(const char *list, uint64_t *mask, struct diag *d)
{
	const char *p = list;

	for (;;) {
		size_t n = strcspn(p, ",");
		enum verdict_sub s = verdict_sub_parse(p, n);

		if (s == SUB_LAST) {
			diag_set(d, DIAG_USAGE,
			    "unknown sub-status '%.*s' (see listscrub --help "
			    "and the README for the list)", (int)n, p);
			return -1;
		}
		*mask |= UINT64_C(1) << s;
		if (p[n] == '\0')
			return 0;
		p += n + 1;
	}
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

enum options_result
options_parse(int argc, char **argv, struct options *o, struct diag *d)
{
	const char *cleaned = NULL, *rejected = NULL;
	int c;

	memset(o, 0, sizeof(*o));
	o->policy = POLICY_STANDARD;
	o->prefix = "scrub_";
	o->guard = CSVWRITE_GUARD_AUTO;
	o->progress = PROGRESS_AUTO;
	o->dns_timeout_ms = 1000;
	o->dns_tries = 2;
	o->dns_concurrency = 256;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:r:q", long_opts, NULL)) != -1) {
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
			o->summary = optarg;
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
		case OPT_NO_HEADER:
			o->no_header = true;
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
			if (options_subs(optarg, &o->keep_subs, d) != 0)
				return OPTIONS_ERROR;
			break;
		case OPT_REMOVE:
			if (options_subs(optarg, &o->remove_subs, d) != 0)
				return OPTIONS_ERROR;
			break;
		case OPT_EXCEL:
			o->excel = true;
			break;
		case OPT_PREFIX:
			o->prefix = optarg;
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
		case OPT_DNS_TIMEOUT:
			if (options_uint("--dns-timeout", optarg, 10, 60000,
			    &o->dns_timeout_ms, d) != 0)
				return OPTIONS_ERROR;
			break;
		case OPT_DNS_TRIES:
			if (options_uint("--dns-tries", optarg, 1, 10,
			    &o->dns_tries, d) != 0)
				return OPTIONS_ERROR;
			break;
		case OPT_DNS_CONCURRENCY:
			if (options_uint("--dns-concurrency", optarg, 1, 10000,
			    &o->dns_concurrency, d) != 0)
				return OPTIONS_ERROR;
			break;
		case OPT_HELP:
			fputs(usage_text, stdout);
			return OPTIONS_EXIT;
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
	if (o->keep_subs & o->remove_subs) {
		diag_set(d, DIAG_USAGE,
		    "a sub-status cannot be in both --keep and --remove");
		return OPTIONS_ERROR;
	}
	if (optind != argc - 1) {
		diag_set(d, DIAG_USAGE, optind == argc ?
		    "no input file given (try listscrub --help)" :
		    "only one input file is allowed (try listscrub --help)");
		return OPTIONS_ERROR;
	}
	o->input = argv[optind];
	o->cleaned = cleaned ? xstrdup(cleaned) :
	    options_default_out(o->input, "-cleaned.csv");
	o->rejected = rejected ? xstrdup(rejected) :
	    options_default_out(o->input, "-rejected.csv");
	if (strcmp(o->cleaned, o->rejected) == 0 ||
	    (o->review && (strcmp(o->review, o->cleaned) == 0 ||
	    strcmp(o->review, o->rejected) == 0)) ||
	    strcmp(o->input, o->cleaned) == 0 ||
	    strcmp(o->input, o->rejected) == 0) {
		diag_set(d, DIAG_USAGE, "the input and output files must all "
		    "be different files");
		return OPTIONS_ERROR;
	}
	return OPTIONS_RUN;
}

void
options_free(struct options *o)
{
	free(o->cleaned);
	free(o->rejected);
	o->cleaned = o->rejected = NULL;
}
