/*
 * options_table - every command-line option once: its name, short letter,
 * argument, heading and help text. getopt's option list is built from it
 * (options_table_getopt), --help prints it (options_table_help), and the
 * README's option list and listscrub(1)'s OPTIONS section are that --help
 * output (tests/options_doc.sh checks it; make update-docs rewrites them).
 * --help statuses prints the verdict vocabulary with the meanings kept in
 * verdict/verdict.c. Nothing here fails.
 */
#ifndef LISTSCRUB_OPTIONS_TABLE_H
#define LISTSCRUB_OPTIONS_TABLE_H

#include <getopt.h>
#include <stdio.h>

/* What getopt_long returns for an option without a short letter. */
enum options_id {
	OPT_REVIEW = 256, OPT_SUMMARY, OPT_COLUMN, OPT_DELIMITER, OPT_NO_HEADER,
	OPT_OFFLINE, OPT_POLICY, OPT_KEEP, OPT_REMOVE, OPT_EXCEL, OPT_PREFIX,
	OPT_FORMULA_GUARD, OPT_ALLOW_RESERVED, OPT_PROGRESS, OPT_NO_PROGRESS,
	OPT_LISTS_DIR, OPT_HELP, OPT_VERSION, OPT_DNS_SERVER, OPT_DNS_TIMEOUT,
	OPT_DNS_TRIES, OPT_DNS_CONCURRENCY, OPT_PROBE, OPT_HELO, OPT_MAIL_FROM,
	OPT_SMTP_PORT, OPT_TLS, OPT_TLS_CA, OPT_RCPT_PER_TXN, OPT_NO_PIPELINING,
	OPT_RETRY_DELAY, OPT_RETRIES, OPT_PER_HOST, OPT_HOST_RATE,
	OPT_MAX_CONNECTIONS, OPT_CONNECT_TIMEOUT, OPT_BANNER_TIMEOUT,
	OPT_COMMAND_TIMEOUT, OPT_RCPT_PER_CONN, OPT_MAX_RECORD_SIZE,
	OPT_CACHE, OPT_NO_CACHE, OPT_MAX_AGE, OPT_REFRESH, OPT_REFRESH_OLDER_THAN,
	OPT_CACHE_WAIT, OPT_XLSX, OPT_SPLIT, OPT_COLUMNS, OPT_NO_HEADER_OUT,
	OPT_ENCODING, OPT_REPORT, OPT_SOURCE_ADDRESS, OPT_PROXY,
	OPT_NO_PREFLIGHT, OPT_FORCE, OPT_PREFLIGHT_ADDRESS, OPT_DNSBL,
	OPT_PORT25_TEST, OPT_PROXY_FOR, OPT_NOW, OPT_SHARD, OPT_PART,
	OPT_SINGLE_THREAD
};

/* Room options_table_getopt needs; the table is checked against it. */
#define OPTIONS_TABLE_MAX 96

/*
 * options_table_getopt - fill lo (OPTIONS_TABLE_MAX + 1 entries, ended by
 * a zero entry) and shorts (2 * OPTIONS_TABLE_MAX + 2 bytes: ":o:r:q")
 * for getopt_long. A row's argument decides has_arg: none, "[WORD]"
 * (optional_argument: --help=statuses; options.c also takes the next word)
 * or any other name (required_argument).
 */
void options_table_getopt(struct option *lo, char *shorts);

/* options_table_help - the --help text: usage, every option, exit status. */
void options_table_help(FILE *f);

/*
 * options_table_statuses - the --help statuses text: every status and its
 * sub-statuses, each with its meaning (verdict_*_meaning).
 */
void options_table_statuses(FILE *f);

#endif
