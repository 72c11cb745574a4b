#include "options_table.h"

#include <string.h>

#include "verdict/verdict.h"

/*
 * Layout of the help texts. Lines are at most HELP_WIDTH columns; an
 * option's help starts in column HELP_COL (on the next line when the
 * option and its argument do not leave two spaces before it).
 */
#define HELP_WIDTH	78
#define HELP_COL	28
#define STATUS_COL	12	/* --help statuses: a status's meaning */
#define SUB_COL		24	/* --help statuses: a sub-status's meaning */

/* The headings of --help, in the order they are printed. */
enum options_group {
	GROUP_OUTPUTS,
	GROUP_INPUT,
	GROUP_CHECKS,
	GROUP_DNS,
	GROUP_SMTP,
	GROUP_STORE,
	GROUP_SPREADSHEETS,
	GROUP_SHARDS,
	GROUP_HELP,
	GROUP_LAST
};

static const char *const group_names[GROUP_LAST] = {
	[GROUP_OUTPUTS] = "Outputs",
	[GROUP_INPUT] = "Input",
	[GROUP_CHECKS] = "Checks and policy",
	[GROUP_DNS] = "DNS (without --offline)",
	[GROUP_SMTP] =
	    "SMTP (--probe): ask each domain's mail server about each address",
	[GROUP_STORE] = "Result store (scheduled scrubs): what earlier runs learned",
	[GROUP_SPREADSHEETS] = "Spreadsheets",
	[GROUP_SHARDS] =
	    "Shards (probing from several machines, then listscrub merge)",
	[GROUP_HELP] = "Help",
};

/*
 * One row per option. help is plain text in single-spaced sentences,
 * unwrapped: options_table_wrap lays it out. The text is the user
 * documentation (README, listscrub(1)): say what the option does, its
 * default, and what the user must know to choose a value.
 */
static const struct options_row {
	const char *name;	/* long name, without "--" */
	int letter;		/* short option, or 0 */
	int id;			/* letter, or an enum options_id value */
	const char *arg;	/* NULL, "[WORD]" (optional) or "NAME" */
	enum options_group group;
	const char *help;
} rows[] = {
	{ "cleaned", 'o', 'o', "FILE", GROUP_OUTPUTS,
	    "rows to keep (default: INPUT-cleaned.csv beside the input; "
	    "listscrub-cleaned.csv for standard input)" },
	{ "rejected", 'r', 'r', "FILE", GROUP_OUTPUTS,
	    "rows to drop (default: INPUT-rejected.csv)" },
	{ "review", 0, OPT_REVIEW, "FILE", GROUP_OUTPUTS,
	    "a third file for rows whose action is review or retry_later. "
	    "Without it the policy places them: in the cleaned file under "
	    "standard and lenient, in the rejected file under strict." },
	{ "summary", 0, OPT_SUMMARY, "FILE", GROUP_OUTPUTS,
	    "the summary as a file, in the format its name ends with: .json, "
	    ".csv (long format section,key,value, ready to chart), or .txt or "
	    "no extension (text). Other extensions are refused." },
	{ "report", 0, OPT_REPORT, "FILE", GROUP_OUTPUTS,
	    "the report as one web page, for people: the list's health at a "
	    "glance, charts of statuses and reasons, the top domains, "
	    "sender-side problems with their fixes and what to do next. "
	    "Self-contained (it loads nothing; open or forward it as it is), "
	    "counts only, never an address. The name must end in .html or "
	    ".htm." },
	{ "quiet", 'q', 'q', NULL, GROUP_OUTPUTS,
	    "no summary on standard error" },
	{ "progress", 0, OPT_PROGRESS, NULL, GROUP_OUTPUTS,
	    "a progress line on standard error for each stage (pass 1, DNS, "
	    "SMTP, pass 2): counts, rate, percent, ETA. Redrawn in place on "
	    "a terminal; into a file or a pipe, plain lines instead, one "
	    "every 5 s and one as each stage ends. Default: only when "
	    "standard error is a terminal (and not with -q)" },
	{ "no-progress", 0, OPT_NO_PROGRESS, NULL, GROUP_OUTPUTS,
	    "never show it" },

	{ "column", 0, OPT_COLUMN, "NAME|N", GROUP_INPUT,
	    "the email column, by header name (in any case) or 1-based number. "
	    "Default: the column named email, e-mail, Email Address, "
	    "email_address, mail, E-Mail-Adresse, courriel, correo, ...; else "
	    "the one whose cells look most like addresses. A column chosen "
	    "by option or name whose cells are not addresses (fewer than 1 "
	    "in 10 in the first 200 rows) stops the run with exit status "
	    "2." },
	{ "delimiter", 0, OPT_DELIMITER, "D", GROUP_INPUT,
	    "auto (default), \",\", \";\", \"tab\" or \"|\". Auto looks at "
	    "the first lines and honours Excel's \"sep=;\" line." },
	{ "encoding", 0, OPT_ENCODING, "NAME", GROUP_INPUT,
	    "converts the input from NAME (windows-1252, iso-8859-1, "
	    "iso-8859-15, utf-16, ...: any name iconv -l lists) to UTF-8 "
	    "before reading it, so the checks and every output see UTF-8; the "
	    "outputs are UTF-8. A byte that is not NAME stops the run (exit "
	    "status 2) with its line. Without this option the bytes pass "
	    "through unchanged, and input that is not UTF-8 gets one warning "
	    "naming the encoding it looks like." },
	{ "max-record-size", 0, OPT_MAX_RECORD_SIZE, "BYTES", GROUP_INPUT,
	    "the longest record read as CSV, in bytes, with an optional K, M "
	    "or G suffix (default 64M, from 1K to 4G). A longer line still "
	    "comes back whole, as the first cell of a malformed_row row in the "
	    "rejected file; only this much of it is held in memory." },
	{ "single-thread", 0, OPT_SINGLE_THREAD, NULL, GROUP_INPUT,
	    "read, judge and write the rows on one thread. By default, with "
	    "two CPUs or more to run on, the pass that writes the outputs "
	    "uses three: one reads the records and checks the addresses, one "
	    "judges the rows, one writes them. The outputs are the same byte "
	    "for byte either way." },
	{ "no-header", 0, OPT_NO_HEADER, NULL, GROUP_INPUT,
	    "the first row is data. Without this option a first row is taken "
	    "as data when no cell names an email column and one of its cells "
	    "looks like an address." },

	{ "offline", 0, OPT_OFFLINE, NULL, GROUP_CHECKS,
	    "syntax, IDN, duplicates and list flags only: no DNS, no network "
	    "at all" },
	{ "policy", 0, OPT_POLICY, "P", GROUP_CHECKS,
	    "standard, strict or lenient: which rows are kept, reviewed or "
	    "removed. standard (default): remove invalid, skipped, disposable "
	    "and possible_typo, keep the rest. strict: "
	    "keep only valid addresses that are not role-based; review "
	    "catch_all, unknown and role_based; remove the rest. lenient: "
	    "remove only invalid and skipped. Under all three, mailbox_full is "
	    "retry_later." },
	{ "keep", 0, OPT_KEEP, "SUB[,SUB...]", GROUP_CHECKS,
	    "always keep rows with these sub-statuses, whatever the policy "
	    "says (listscrub --help statuses lists them), e.g. --keep "
	    "role_based,possible_typo" },
	{ "remove", 0, OPT_REMOVE, "SUB[,SUB...]", GROUP_CHECKS,
	    "always remove rows with these sub-statuses, e.g. --remove "
	    "smtputf8_local_part. A sub-status cannot be in both --keep and "
	    "--remove." },
	{ "allow-reserved", 0, OPT_ALLOW_RESERVED, NULL, GROUP_CHECKS,
	    "accept special-use domains (.test, .example, .invalid, "
	    ".localhost, ...) and mail hosts on loopback or private addresses, "
	    "for test setups (else reserved_domain and no_mail_host)" },
	{ "lists-dir", 0, OPT_LISTS_DIR, "DIR", GROUP_CHECKS,
	    "read the data tables from DIR (default: $LISTSCRUB_LISTS if set, "
	    "else the installed tables)" },

	{ "dns-server", 0, OPT_DNS_SERVER, "HOST[:PORT]", GROUP_DNS,
	    "the resolver to ask; repeat it for fallbacks, up to 8 (IPv6 as "
	    "[::1]:53). Default: /etc/resolv.conf. Use a recursive resolver "
	    "you trust." },
	{ "dns-timeout", 0, OPT_DNS_TIMEOUT, "MS", GROUP_DNS,
	    "first-try timeout in milliseconds (default 1000); each retry "
	    "waits twice as long" },
	{ "dns-tries", 0, OPT_DNS_TRIES, "N", GROUP_DNS,
	    "tries per server (default 2). With the defaults a dead resolver "
	    "costs at most 3 s per query, and a domain at most two rounds of "
	    "queries (MX, then the hosts' A/AAAA); queries run in parallel." },
	{ "dns-concurrency", 0, OPT_DNS_CONCURRENCY, "N", GROUP_DNS,
	    "DNS queries in flight at once (default 256)" },

	{ "probe", 0, OPT_PROBE, NULL, GROUP_SMTP,
	    "turn the SMTP stage on (off by default; needs the DNS stage, "
	    "--helo and --mail-from). listscrub connects to the mail hosts the "
	    "DNS stage found and asks EHLO, MAIL FROM, RCPT TO - never DATA, "
	    "VRFY or EXPN - batched per mail host, and QUITs." },
	{ "helo", 0, OPT_HELO, "NAME", GROUP_SMTP,
	    "the probing host's fully qualified name, with matching reverse "
	    "DNS (required; localhost and big providers' names are refused)" },
	{ "mail-from", 0, OPT_MAIL_FROM, "ADDR", GROUP_SMTP,
	    "a real address of yours, the envelope sender (required)" },
	{ "no-preflight", 0, OPT_NO_PREFLIGHT, NULL, GROUP_SMTP,
	    "skip the sender preflight that starts every --probe run (DNS "
	    "blocklists, reverse DNS, SPF, DMARC and MX of the sender: "
	    "listscrub preflight --help)" },
	{ "force", 0, OPT_FORCE, NULL, GROUP_SMTP,
	    "probe even when the preflight finds a blocking failure (a listed "
	    "IP, SPF fail, no forward-confirmed reverse DNS, a MAIL FROM "
	    "domain that does not exist); without it the run stops before its "
	    "first connection with exit status 4" },
	{ "preflight-address", 0, OPT_PREFLIGHT_ADDRESS, "IP[,IP...]",
	    GROUP_SMTP,
	    "the probing IPs the preflight checks, as receivers see them "
	    "(behind NAT) (default: every --source-address, else the address "
	    "of the route to the internet)" },
	{ "dnsbl", 0, OPT_DNSBL, "ZONE[=KIND],...", GROUP_SMTP,
	    "the DNS blocklists the preflight asks, KIND spamhaus or generic "
	    "(default zen.spamhaus.org=spamhaus, b.barracudacentral.org, "
	    "bl.spamcop.net)" },
	{ "port25-test", 0, OPT_PORT25_TEST, "HOST[:PORT]", GROUP_SMTP,
	    "the preflight connects there to test outbound port 25 (default: "
	    "not tested)" },
	{ "smtp-port", 0, OPT_SMTP_PORT, "N", GROUP_SMTP,
	    "port of the mail servers (default 25; for tests)" },
	{ "tls", 0, OPT_TLS, "MODE", GROUP_SMTP,
	    "opportunistic (default: STARTTLS when offered, the certificate "
	    "is recorded, not enforced; if the handshake fails the host is "
	    "asked once more in clear), required (never probe in clear), "
	    "verify (chain and host name checked), off" },
	{ "tls-ca", 0, OPT_TLS_CA, "FILE", GROUP_SMTP,
	    "CA bundle for --tls verify (default: the system's)" },
	{ "source-address", 0, OPT_SOURCE_ADDRESS, "ADDR[,ADDR...]",
	    GROUP_SMTP,
	    "local IPv4/IPv6 addresses to connect from, up to 16 (default: "
	    "the system chooses). Each mail host keeps one of them (per "
	    "family) for the whole run and in every run, picked by a hash of "
	    "its name, so each address keeps its own reputation and a "
	    "greylisted retry comes from the same IP. A host with only "
	    "addresses of a family none of them has is not reachable from "
	    "here: its addresses end unknown/connection_failed. An address "
	    "this host cannot bind to is a usage error at start. The summary "
	    "counts connections per source." },
	{ "proxy", 0, OPT_PROXY, "URL", GROUP_SMTP,
	    "socks5://[USER:PASS@]HOST:PORT: every SMTP connection goes "
	    "through this SOCKS5 proxy (RFC 1928; USER:PASS by RFC 1929, "
	    "%XX escapes allowed), which connects to the mail host's address "
	    "for us. A proxy that fails makes the addresses unknown "
	    "(proxy_failed), never invalid. The credentials are never shown "
	    "and are blanked in the process's arguments. Not with "
	    "--source-address: the mail hosts see the proxy's address." },
	{ "proxy-for", 0, OPT_PROXY_FOR, "PROVIDER=URL", GROUP_SMTP,
	    "the connections to one provider's mail hosts (those whose name "
	    "matches its rows in lists/providers.tsv, e.g. google) go "
	    "through this SOCKS5 proxy (URL as for --proxy); the other hosts "
	    "are asked directly, or through --proxy. Repeatable, once per "
	    "provider. A name the table does not know is a usage error that "
	    "lists the known ones. With --source-address, only the other "
	    "hosts' connections are bound to those addresses." },
	{ "rcpt-per-transaction", 0, OPT_RCPT_PER_TXN, "N", GROUP_SMTP,
	    "recipients per MAIL FROM (default 50; a \"452 too many "
	    "recipients\" continues in a new one)" },
	{ "rcpt-per-connection", 0, OPT_RCPT_PER_CONN, "N", GROUP_SMTP,
	    "recipients per connection, then QUIT and a new one (default: no "
	    "limit). A session also ends after 8 rejected recipients or 50 "
	    "transactions, before the server starts to slow it down." },
	{ "no-pipelining", 0, OPT_NO_PIPELINING, NULL, GROUP_SMTP,
	    "one command at a time even if PIPELINING is offered" },
	{ "retry-delay", 0, OPT_RETRY_DELAY, "S", GROUP_SMTP,
	    "seconds before a greylisted/4xx address is asked again (default "
	    "300; 0 for tests)" },
	{ "retries", 0, OPT_RETRIES, "N", GROUP_SMTP,
	    "how often (default 2); still deferred at the end: "
	    "unknown/greylisted, unknown/throttled or "
	    "unknown/temporary_error" },
	{ "per-host", 0, OPT_PER_HOST, "N", GROUP_SMTP,
	    "connections per mail host at once (default 2)" },
	{ "host-rate", 0, OPT_HOST_RATE, "N[/MIN]", GROUP_SMTP,
	    "new connections per mail host per minute (default 60)" },
	{ "max-connections", 0, OPT_MAX_CONNECTIONS, "N", GROUP_SMTP,
	    "connections at once over all hosts (default 100)" },
	{ "connect-timeout", 0, OPT_CONNECT_TIMEOUT, "S", GROUP_SMTP,
	    "seconds to wait for a connection (default 20)" },
	{ "banner-timeout", 0, OPT_BANNER_TIMEOUT, "S", GROUP_SMTP,
	    "seconds to wait for the server's greeting (default 120)" },
	{ "command-timeout", 0, OPT_COMMAND_TIMEOUT, "S", GROUP_SMTP,
	    "seconds to wait for each reply (default 60). A slow server "
	    "delays only its own addresses." },

	{ "cache", 0, OPT_CACHE, "FILE", GROUP_STORE,
	    "the result store, one SQLite file (default for every run that "
	    "uses the network: $XDG_CACHE_HOME/listscrub/results.sqlite, "
	    "else ~/.cache/listscrub/results.sqlite; created mode 0600). "
	    "Answers still good there are not asked again; new ones are kept "
	    "as they arrive, so a run that was stopped (even killed) and is "
	    "started again asks only what it had not been told. With a store "
	    "the outputs gain scrub_previous_status and scrub_changed, and the "
	    "summary says what changed since the last run. --offline uses a "
	    "store only when this option names one, and then only for the "
	    "previous statuses. Manage it with listscrub cache." },
	{ "no-cache", 0, OPT_NO_CACHE, NULL, GROUP_STORE,
	    "use no store: ask everything, keep nothing" },
	{ "max-age", 0, OPT_MAX_AGE, "CLASS=AGE", GROUP_STORE,
	    "how long a kept answer stays good, by class (repeatable; AGE as "
	    "90d, 6h, 30m, 2w or seconds; 0: never reused): invalid (no such "
	    "mailbox, domain without mail; default 90d), valid (deliverable "
	    "mailbox, domain with mail; 30d), catch_all (30d), temporary "
	    "(greylisting, timeouts, 4xx; 6h), sender (refusals "
	    "of the sender: policy blocks, blocked prober, TLS; 0, never "
	    "reused)" },
	{ "refresh", 0, OPT_REFRESH, NULL, GROUP_STORE,
	    "ask everything again this run, and keep the new answers" },
	{ "refresh-older-than", 0, OPT_REFRESH_OLDER_THAN, "AGE", GROUP_STORE,
	    "ask again only what was learned longer ago than AGE (e.g. 7d)" },
	{ "cache-wait", 0, OPT_CACHE_WAIT, "S", GROUP_STORE,
	    "seconds to wait for another listscrub using the same store to "
	    "finish (default 60); then the run stops with exit status 2" },

	{ "xlsx", 0, OPT_XLSX, "FILE", GROUP_SPREADSHEETS,
	    "also write one Excel workbook: a Summary sheet with a chart, "
	    "then Cleaned, Rejected and (with --review) Review. Every "
	    "original cell is text exactly as it was (leading zeros and long "
	    "ids stay), the header row frozen, a filter on every column." },
	{ "split", 0, OPT_SPLIT, "DIR", GROUP_SPREADSHEETS,
	    "also write one file per status into DIR (valid, catch_all, "
	    "risky, unknown, invalid, skipped; named like valid.csv with the "
	    "input's extension), the same columns as the cleaned file; every "
	    "row is in exactly one of them" },
	{ "columns", 0, OPT_COLUMNS, "LIST", GROUP_SPREADSHEETS,
	    "the appended columns, by name without the prefix, comma-"
	    "separated, in the order given; or all (default) or minimal "
	    "(status, sub_status, action, reason), e.g. --columns "
	    "minimal,did_you_mean" },
	{ "no-header-out", 0, OPT_NO_HEADER_OUT, NULL, GROUP_SPREADSHEETS,
	    "for a file without a header row: write none either. By default "
	    "the outputs get a header naming the original columns column_1, "
	    "column_2, ... and the appended ones." },
	{ "excel", 0, OPT_EXCEL, NULL, GROUP_SPREADSHEETS,
	    "write a UTF-8 byte order mark and CRLF line ends, which Excel "
	    "needs to read UTF-8 correctly. Without it the outputs mirror the "
	    "input's BOM and line ends." },
	{ "prefix", 0, OPT_PREFIX, "P", GROUP_SPREADSHEETS,
	    "prefix of the appended column names (default scrub_)" },
	{ "formula-guard", 0, OPT_FORMULA_GUARD, "G", GROUP_SPREADSHEETS,
	    "auto (default), strict or off: which original cells that start "
	    "like a formula (= + - @, tab, CR) get a ' in front. auto: all but "
	    "numbers and phone numbers such as -5 or \"+44 20 7946 0958\"; "
	    "strict: all; off: none. Cells listscrub writes are always "
	    "guarded." },

	{ "now", 0, OPT_NOW, "TIME", GROUP_SHARDS,
	    "the run's clock reads TIME (YYYY-MM-DDTHH:MM:SSZ, UTC, or "
	    "@UNIXSECONDS) throughout: the summary's started_at, every "
	    "scrub_checked_at, the time new answers are kept under; every "
	    "duration shown reads 0. For reproducible outputs: a merge "
	    "compared with a one-process run, tests." },
	{ "shard", 0, OPT_SHARD, "I/N", GROUP_SHARDS,
	    "this run is shard I of N (0 <= I < N <= 4096): it reads the "
	    "whole input and runs the DNS stage, then probes only the "
	    "addresses of the domains it owns (by a hash of the domain's "
	    "preferred mail host, so each mail host is asked by one shard), "
	    "and writes --part FILE and no other output. Needs --probe and "
	    "--part; not with -o, -r, --review, --summary, --xlsx, --report "
	    "or --split: the outputs come from listscrub merge." },
	{ "part", 0, OPT_PART, "FILE", GROUP_SHARDS,
	    "where a shard writes what it learned (an SQLite file, written "
	    "whole or not at all); never the input" },

	{ "help", 0, OPT_HELP, "[statuses]", GROUP_HELP,
	    "print the options; --help statuses prints every status and "
	    "sub-status with its meaning" },
	{ "version", 0, OPT_VERSION, NULL, GROUP_HELP,
	    "print the version" },
};

#define NROWS (sizeof(rows) / sizeof(rows[0]))
_Static_assert(NROWS <= OPTIONS_TABLE_MAX, "raise OPTIONS_TABLE_MAX");

static void options_table_pad(FILE *f, size_t from, size_t to);
static void options_table_tab(FILE *f, int n, size_t col);
static void options_table_wrap(FILE *f, size_t col, size_t indent,
    const char *text);

/* options_table_pad - spaces from column from to column to. */
static void
options_table_pad(FILE *f, size_t from, size_t to)
{
	for (; from < to; from++)
		putc(' ', f);
}

/*
 * options_table_tab - after a label of n columns, go to column col: on
 * this line if that leaves two spaces, else on the next one.
 */
static void
options_table_tab(FILE *f, int n, size_t col)
{
	if (n < 0 || (size_t)n + 2 > col) {
		putc('\n', f);
		n = 0;
	}
	options_table_pad(f, (size_t)n, col);
}

/*
 * options_table_wrap - text from column col (the cursor is there), words
 * wrapped before HELP_WIDTH, continuation lines starting at indent.
 */
static void
options_table_wrap(FILE *f, size_t col, size_t indent, const char *text)
{
	const char *s = text;

	while (*s == ' ')
		s++;
	while (*s != '\0') {
		size_t n = strcspn(s, " ");

		if (col > indent && col + 1 + n > HELP_WIDTH) {
			putc('\n', f);
			options_table_pad(f, 0, indent);
			col = indent;
		} else if (col > indent) {
			putc(' ', f);
			col++;
		}
		fwrite(s, 1, n, f);
		col += n;
		s += n;
		while (*s == ' ')
			s++;
	}
	putc('\n', f);
}

void
options_table_getopt(struct option *lo, char *shorts)
{
	char *sp = shorts;

	*sp++ = ':';		/* report a missing value as ':' */
	for (size_t i = 0; i < NROWS; i++) {
		const struct options_row *r = &rows[i];

		lo[i].name = r->name;
		lo[i].has_arg = r->arg == NULL ? no_argument :
		    r->arg[0] == '[' ? optional_argument : required_argument;
		lo[i].flag = NULL;
		lo[i].val = r->id;
		if (r->letter != 0) {
			*sp++ = (char)r->letter;
			if (lo[i].has_arg == required_argument)
				*sp++ = ':';
		}
	}
	memset(&lo[NROWS], 0, sizeof(lo[NROWS]));
	*sp = '\0';
}

void
options_table_help(FILE *f)
{
	fputs("Usage: listscrub [OPTIONS] INPUT.csv    "
	    "(INPUT \"-\" reads standard input)\n"
	    "       listscrub explain [--json] [--stage=STAGE] [REPLY...]\n"
	    "       listscrub cache [--cache FILE] stats|prune|forget|export ...\n"
	    "       listscrub merge [OPTIONS] INPUT.csv PART...\n"
	    "       listscrub --help [statuses]\n"
	    "Clean a mailing list: every row goes to the cleaned or the "
	    "rejected file,\n"
	    "original columns untouched, verdict columns appended.\n"
	    "\n", f);
	for (int g = 0; g < GROUP_LAST; g++) {
		fprintf(f, "%s\n", group_names[g]);
		for (size_t i = 0; i < NROWS; i++) {
			const struct options_row *r = &rows[i];
			int n;

			if (r->group != (enum options_group)g)
				continue;
			if (r->letter != 0)
				n = fprintf(f, "  -%c, --%s", r->letter,
				    r->name);
			else
				n = fprintf(f, "      --%s", r->name);
			if (r->arg != NULL)
				n += fprintf(f, " %s", r->arg);
			options_table_tab(f, n, HELP_COL);
			options_table_wrap(f, HELP_COL, HELP_COL, r->help);
		}
	}
	fputs("\n"
	    "listscrub explain says what an SMTP reply or bounce line means "
	    "(the arguments,\n"
	    "or standard input): its class, who is at fault and what to do; "
	    "--json prints\n"
	    "one JSON object. listscrub explain --help has the details.\n"
	    "listscrub cache looks after the result store: what it holds, "
	    "dropping what\n"
	    "has expired, forgetting one address or domain, an export. "
	    "listscrub cache\n"
	    "--help has the details.\n"
	    "listscrub merge writes the outputs of a list probed in shards "
	    "(--shard,\n"
	    "--part) from their part files, without any network: the same "
	    "bytes a\n"
	    "one-process run writes. OPTIONS are those the shards were "
	    "given.\n"
	    "\n"
	    "Exit status: 0 when the run is done (whatever the verdicts), 3 "
	    "when it is done\n"
	    "but degraded (the DNS lookup failed for more than half of at "
	    "least 5 domains,\n"
	    "or the mail hosts refused the sender for more than half of at "
	    "least 5\n"
	    "addresses asked; one DEGRADED line says so), 2 for a usage "
	    "error or an input\n"
	    "that cannot be used (also a chosen column that holds no "
	    "addresses, or a\n"
	    "result store that cannot be used), 1 for any\n"
	    "other failure, 128 + the signal when SIGINT (130), SIGTERM "
	    "(143) or SIGHUP\n"
	    "(129) stopped it.\n"
	    "Every status and sub-status, with its meaning: listscrub --help "
	    "statuses\n", f);
}

void
options_table_statuses(FILE *f)
{
	fputs("Statuses (the scrub_status column) and their sub-statuses "
	    "(scrub_sub_status).\n"
	    "--keep and --remove take sub-status names. (--probe): SMTP "
	    "stage only.\n"
	    "\n", f);
	for (int s = 0; s < STATUS_LAST; s++) {
		options_table_tab(f, fprintf(f, "%s", verdict_status_name(s)),
		    STATUS_COL);
		options_table_wrap(f, STATUS_COL, STATUS_COL,
		    verdict_status_meaning(s));
		for (int u = 0; u < SUB_LAST; u++) {
			if (verdict_sub_status(u) != (enum verdict_status)s)
				continue;
			options_table_tab(f, fprintf(f, "  %s",
			    verdict_sub_name(u)), SUB_COL);
			options_table_wrap(f, SUB_COL, SUB_COL,
			    verdict_sub_meaning(u));
		}
	}
	fputs("\n"
	    "An address with several findings gets the most serious one as "
	    "its sub-status.\n"
	    "Actions (scrub_action): keep, review, remove, retry_later; see "
	    "--policy.\n", f);
}
