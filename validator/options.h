/*
 * options - the command line, parsed into struct options: the run's only
 * configuration. Nothing here touches the input or output files.
 */
#ifndef LISTSCRUB_OPTIONS_H
#define LISTSCRUB_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "csv/columns.h"
#include "csv/csvwrite.h"
#include "probe/probe_sched.h"
#include "probe/probe_source.h"
#include "smtp/socks5.h"
#include "store/store.h"
#include "util/diag.h"
#include "verdict/verdict.h"

#define OPTIONS_PROXY_FOR_MAX 8	/* --proxy-for options */

enum options_progress { PROGRESS_AUTO, PROGRESS_ON, PROGRESS_OFF };

#define OPTIONS_MAX_DNS_SERVERS 8

/* --tls; the values match enum smtp_tls (smtp_session.h). */
enum options_tls { TLS_OPPORTUNISTIC, TLS_REQUIRED, TLS_VERIFY, TLS_OFF };

struct options {
	const char *input;	/* path, or "-" for standard input */
	char *cleaned;		/* owned; defaulted from input */
	char *rejected;		/* owned; defaulted from input */
	const char *review;	/* NULL: no review file */
	const char *summary;	/* NULL: no summary file; else *.json,
				   *.csv, *.txt or no extension (checked) */
	const char *report;	/* NULL: no HTML report; else *.html or
				   *.htm (checked) */
	const char *column;	/* NULL: detect */
	int delim;		/* 0: sniff */
	const char *encoding;	/* --encoding NAME; NULL: bytes as they are */
	size_t max_record;	/* --max-record-size; 0: csvread's default */
	bool single_thread;	/* --single-thread: no rowflow */
	bool no_header;
	bool offline;
	enum verdict_policy policy;
	uint64_t keep_subs;	/* bit per enum verdict_sub: force keep */
	uint64_t remove_subs;	/* bit per enum verdict_sub: force remove */
	bool excel;
	const char *xlsx;	/* --xlsx FILE, or NULL */
	const char *split_dir;	/* --split DIR, or NULL */
	struct columns cols;	/* --columns (columns_finish not yet applied) */
	bool no_header_out;
	/* the input's extension for the outputs: ".csv", ".tsv", ".txt" */
	const char *out_ext;
	const char *prefix;	/* appended column name prefix */
	enum csvwrite_guard guard;
	bool allow_reserved;
	enum options_progress progress;
	bool quiet;
	const char *lists_dir;	/* NULL: the installed tables */
	const char *dns_servers[OPTIONS_MAX_DNS_SERVERS];	/* HOST[:PORT] */
	int ndns_servers;	/* 0: the system's resolv.conf */
	unsigned dns_timeout_ms;	/* first try; c-ares doubles it */
	unsigned dns_tries;	/* per server */
	unsigned dns_concurrency;	/* queries in flight */
	/* SMTP stage (--probe) */
	bool probe;
	const char *helo;	/* FQDN for EHLO */
	const char *mail_from;	/* the envelope sender */
	unsigned smtp_port;	/* 25 */
	/* the sender preflight at the start of a --probe run */
	bool preflight;		/* false: --no-preflight */
	bool force;		/* probe despite a blocking failure */
	const char *preflight_address;	/* "IP[,IP...]"; NULL: the sources */
	const char *dnsbl;	/* NULL: PREFLIGHT_DNSBL_DEFAULT */
	const char *port25_test;	/* NULL: not tested */
	enum options_tls tls;
	const char *tls_ca;	/* CA file for --tls verify; NULL: system */
	bool proxied;		/* --proxy given: proxy holds it */
	struct socks5_proxy proxy;	/* parsed, not yet resolved */
	/* --proxy-for PROVIDER=URL, parsed, not yet resolved; the names
	 * are checked against lists/providers.tsv when the run loads it */
	size_t nproxy_for;
	struct probe_proxy_for proxy_for[OPTIONS_PROXY_FOR_MAX];
	unsigned rcpt_per_txn;	/* recipients per MAIL FROM */
	unsigned rcpt_per_conn;	/* recipients per connection, 0: no limit */
	bool pipelining;	/* use PIPELINING when offered */
	unsigned retry_delay;	/* seconds before a 4xx recipient is asked again */
	unsigned retries;	/* times a 4xx recipient is asked again */
	unsigned per_host;	/* connections per mail host at once */
	unsigned host_rate;	/* connections per mail host per minute */
	unsigned max_connections;	/* connections at once, all hosts */
	unsigned connect_timeout, banner_timeout, command_timeout;	/* s */
	struct probe_sources sources;	/* --source-address; n 0: none */
	/* result store */
	const char *cache;	/* --cache FILE; NULL: the default, if any */
	bool no_cache;
	struct store_ages ages;	/* --max-age, --refresh, --refresh-older-than */
	unsigned cache_wait;	/* seconds */
	/* --now: the run's clock (validator/README, "Shards and merge") */
	bool now_set;
	int64_t now;		/* Unix s */
	/* --shard I/N and --part FILE; shards 0: not a shard */
	unsigned shard, shards;
	const char *part;
	/* listscrub merge: the part files given after INPUT */
	bool merge;
	char *const *parts;
	size_t nparts;
};

enum options_result {
	OPTIONS_RUN,		/* run the scrub */
	OPTIONS_EXIT,		/* --help or --version was printed: exit 0 */
	OPTIONS_ERROR		/* usage error in d */
};

/*
 * options_parse - fill out from argv; the options are those of
 * options_table.c. Prints --help, --help statuses and --version to stdout
 * (OPTIONS_EXIT). On OPTIONS_ERROR, d holds a one-line message
 * (DIAG_USAGE): a bad value, an unknown sub-status, a --summary name
 * whose extension is not .json, .csv or .txt, a --source-address that
 * this host cannot bind to (a test socket is bound to each, nothing is
 * sent).
 */
enum options_result options_parse(int argc, char **argv, struct options *out,
    struct diag *d);
/*
 * options_parse_merge - the command line of listscrub merge (argv[0] is
 * "merge"): the run's options, then INPUT and one or more PART files.
 * --shard and --part are refused; --probe is implied and the result
 * store is not used (validator/README, "Shards and merge").
 */
enum options_result options_parse_merge(int argc, char **argv,
    struct options *out, struct diag *d);
/*
 * options_now - TIME of --now (YYYY-MM-DDTHH:MM:SSZ or @UNIXSECONDS) into
 * *out; -1 with d (DIAG_USAGE) when it is neither.
 */
int options_now(const char *s, int64_t *out, struct diag *d);
/* options_free - release what options_parse allocated. */
void options_free(struct options *o);

#endif
