/*
 * options - the command line, parsed into struct options: the run's only
 * configuration. Nothing here touches the input or output files.
 */
#ifndef LISTSCRUB_OPTIONS_H
#define LISTSCRUB_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "csvwrite.h"
#include "diag.h"
#include "verdict.h"

enum options_progress { PROGRESS_AUTO, PROGRESS_ON, PROGRESS_OFF };

#define OPTIONS_MAX_DNS_SERVERS 8

struct options {
	const char *input;	/* path, or "-" for standard input */
	char *cleaned;		/* owned; defaulted from input */
	char *rejected;		/* owned; defaulted from input */
	const char *review;	/* NULL: no review file */
	const char *summary;	/* NULL: no summary file */
	const char *column;	/* NULL: detect */
	int delim;		/* 0: sniff */
	bool no_header;
	bool offline;
	enum verdict_policy policy;
	uint64_t keep_subs;	/* bit per enum verdict_sub: force keep */
	uint64_t remove_subs;	/* bit per enum verdict_sub: force remove */
	bool excel;
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
};

enum options_result {
	OPTIONS_RUN,		/* run the scrub */
	OPTIONS_EXIT,		/* --help or --version was printed: exit 0 */
	OPTIONS_ERROR		/* usage error in d */
};

/*
 * options_parse - fill out from argv. Prints --help/--version to stdout.
 * On OPTIONS_ERROR, d holds a one-line message (DIAG_USAGE).
 */
enum options_result options_parse(int argc, char **argv, struct options *out,
    struct diag *d);
/* options_free - release what options_parse allocated. */
void options_free(struct options *o);

#endif
