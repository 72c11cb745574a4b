/*
 * report - the run's summary: what was detected in the input, how many
 * rows got each verdict and action, top domains, timings. Written as text
 * (standard error, or .txt), JSON or a long-format CSV a spreadsheet can
 * chart. Counts only: no addresses (they are personal data).
 */
#ifndef LISTSCRUB_REPORT_H
#define LISTSCRUB_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "util/diag.h"
#include "dns/dnsstage.h"
#include "probe/probe_sched.h"
#include "verdict/verdict.h"

struct domains;

#define REPORT_MAX_LINES 10	/* malformed/ragged line numbers kept */
#define REPORT_TOP_DOMAINS 10

struct report {
	/* input */
	const char *input;
	int delim;
	int bom;
	const char *eol;
	int header;		/* 1 header row, 0 none */
	long column;		/* 0-based email column */
	char column_name[128];
	const char *column_how;	/* "option", "header" or "content" */
	int other_email_columns;
	unsigned long blank_lines;
	/* rows */
	uint64_t rows;
	uint64_t by_status[STATUS_LAST];
	uint64_t by_sub[SUB_LAST];
	uint64_t by_action[ACTION_LAST];
	uint64_t cleaned, rejected, review;
	uint64_t short_rows, long_rows, guarded_rows;
	unsigned long malformed_lines[REPORT_MAX_LINES];
	unsigned long long_lines[REPORT_MAX_LINES];
	/* outputs and policy */
	const char *cleaned_path, *rejected_path, *review_path;
	const char *policy;
	/* network-free stage facts */
	uint64_t unique_addresses;
	uint64_t unique_domains;
	uint32_t top_ids[REPORT_TOP_DOMAINS];
	uint64_t top_rows[REPORT_TOP_DOMAINS];
	char top_names[REPORT_TOP_DOMAINS][256];
	size_t ntop;
	/* DNS stage */
	bool dns_ran;
	struct dnsstage_stats dns;
	/* SMTP stage */
	bool smtp_ran;
	struct probe_stats smtp;
	/* timings */
	double seconds;
	char started_at[32];	/* UTC, ISO 8601 */
};

/* report_init - an empty report: all counts 0, no column yet. */
void report_init(struct report *r);
/* report_top_domains - copy the busiest domains out of t. */
void report_top_domains(struct report *r, const struct domains *t);
/* report_text - the human summary. */
void report_text(const struct report *r, FILE *out);
/*
 * report_format - the summary in the format path's name asks for (.json,
 * .csv, anything else text) written to f; the caller owns f and writes
 * it to path as one of the run's outputs (atomically, with the others).
 */
void report_format(const struct report *r, const char *path, FILE *f);

#endif
