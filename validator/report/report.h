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
#include "probe/probe_targets.h"
#include "verdict/classify.h"
#include "verdict/verdict.h"

struct domains;
struct provider;

#define REPORT_MAX_LINES 10	/* malformed/ragged line numbers kept */
#define REPORT_TOP_DOMAINS 10
#define REPORT_PROVIDERS 32	/* providers named in the summary */
#define REPORT_MAX_CANDIDATES 8	/* address-like columns named */

/* One column content detection could have chosen. */
struct report_candidate {
	long column;		/* 0-based */
	char label[64];		/* "3 'Email'", or "3" without a header */
	uint64_t cells;		/* non-empty cells read ahead */
	uint64_t addresses;	/* ... that look like an address */
};

struct preflight_result;

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
	size_t ncandidates;	/* content detection: address-like columns */
	struct report_candidate candidates[REPORT_MAX_CANDIDATES];
	const char *column_why;	/* why candidates[0] won, when several */
	unsigned long blank_lines;
	/*
	 * The input's encoding (validator/README, "CSV facts"): whether
	 * every record read was UTF-8; if not, the likely encoding and the
	 * line of the first byte that is not; converted_from is --encoding's
	 * NAME (the records read were then the UTF-8 copy).
	 */
	bool utf8;
	const char *encoding_guess;	/* NULL while utf8 */
	unsigned long non_utf8_line;	/* 0 while utf8 */
	const char *converted_from;	/* NULL: the bytes as they are */
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
	/* each top domain's DNS answer (EVDNS_NONE: not looked up) */
	enum evidence_dns top_dns[REPORT_TOP_DOMAINS];
	/* each top domain's rows by action (they add up to top_rows) */
	uint64_t top_action[REPORT_TOP_DOMAINS][ACTION_LAST];
	bool top_free_mail[REPORT_TOP_DOMAINS];	/* a free mail provider */
	size_t ntop;
	/*
	 * Rows by mailbox provider (lists/providers.tsv, found from the
	 * domain's mail hosts by the DNS stage), in order of first sight;
	 * providers past REPORT_PROVIDERS are counted in providers_more.
	 */
	struct report_provider {
		char name[48];
		/* its probe rules in words (provider_rules_text) */
		char rules[160];
		uint64_t rows;
		uint64_t by_status[STATUS_LAST];
	} providers[REPORT_PROVIDERS];
	size_t nproviders;
	uint64_t providers_more;	/* rows at providers not listed */
	/* DNS stage */
	bool dns_ran;
	struct dnsstage_stats dns;
	/* SMTP stage */
	bool smtp_ran;
	struct probe_stats smtp;
	uint64_t smtp_answered;	/* addresses with an SMTP answer */
	uint64_t smtp_refused;	/* ... policy_blocked or probe_blocked */
	uint64_t smtp_proxy_failed;	/* ... proxy_failed (--proxy) */
	char smtp_proxy[300];	/* --proxy, masked; "" without */
	/*
	 * What changed since the last scrub: per unique address with a
	 * previous status.
	 */
	struct report_changes {
		/* previous statuses were looked for (store or re-scrubbed
		   input) */
		bool on;
		uint64_t compared;	/* unique addresses with a previous
					   status */
		uint64_t changed;	/* ... whose status differs now */
		uint64_t went_bad;	/* not invalid then, invalid now */
		/* by today's sub-status */
		uint64_t went_bad_by_sub[SUB_LAST];
		uint64_t recovered;	/* invalid then, not invalid now */
		/* invalid among the compared, then and now */
		uint64_t bad_then, bad_now;
	} changes;
	/* The result store. */
	struct report_store {
		bool on;
		char path[1024];	/* the store's file (cut if longer) */
		/* domains: answer from the store / looked up now */
		uint64_t dns_recalled, dns_asked;
		/* addresses: answer from the store / probed now */
		uint64_t smtp_recalled, smtp_asked;
	} store;
	/* The sender preflight of a --probe run; NULL: not run (owned by
	 * the caller). */
	const struct preflight_result *preflight;
	/* timings */
	double seconds;
	char started_at[32];	/* UTC, ISO 8601 */
};

/* report_pct - n of `of` in percent; 0 when `of` is 0. */
double report_pct(uint64_t n, uint64_t of);

/* report_init - an empty report: all counts 0, no column yet. */
void report_init(struct report *r);
struct csvrow;
struct email_column;

/*
 * report_column_candidates - content detection chose the email column:
 * note the address-like columns it chose among (best first, labelled from
 * the header row h, or by number when h is NULL) and, when there are
 * several, why the first won. Also sets other_email_columns.
 */
void report_column_candidates(struct report *r, const struct email_column *c,
    const struct csvrow *h);

/*
 * report_went_bad - the sub-statuses addresses went bad with (count not
 * 0) into subs (SUB_LAST entries), largest count first, equal counts in
 * sub-status order; returns how many.
 */
size_t report_went_bad(const struct report_changes *c, int *subs);

/*
 * report_count_provider - one more row at provider pv (NULL: no
 * provider, not counted) with status s.
 */
void report_count_provider(struct report *r, const struct provider *pv,
    enum verdict_status s);

/*
 * report_provider_outcomes - p's rows by status in words, as the text
 * summary gives them ("valid 4, invalid 1": statuses with rows, in
 * status order), into buf (n bytes, cut if shorter); "" when p has no
 * row.
 */
void report_provider_outcomes(const struct report_provider *p, char *buf,
    size_t n);

/*
 * report_top_domains - copy the busiest domains out of t: name, rows, DNS
 * answer, free-mail flag and rows by action.
 */
void report_top_domains(struct report *r, const struct domains *t);
/*
 * A degraded run: it completed, but the network stages mostly failed, so
 * most of their verdicts are unknown (validator/README, "Stages and
 * passes"). At least REPORT_DEGRADED_MIN domains looked up of which more
 * than half ended dns_timeout or dns_error; or at least
 * REPORT_DEGRADED_MIN addresses with an SMTP answer of which more than
 * half were refused for the sender (policy_blocked, probe_blocked).
 */
#define REPORT_DEGRADED_MIN 5

/*
 * report_probe_answers - count, over pt's SMTP answers, the addresses
 * answered and those refused for the sender (for report_degraded).
 */
void report_probe_answers(struct report *r, struct probe_targets *pt);

/*
 * report_degraded - whether the run is degraded (see above); if so, and
 * why is not NULL, one line saying why (without a newline) into why.
 */
bool report_degraded(const struct report *r, char *why, size_t n);

/*
 * report_text - the human summary; a degraded run's line comes first.
 * The "Result store" and "Since the last scrub" blocks (and the JSON and
 * CSV summaries' store and changes parts) appear only when their .on is
 * set.
 */
void report_text(const struct report *r, FILE *out);
/* The summary file's format, from its name. */
enum report_form {
	REPORT_TEXT,		/* .txt, or no extension */
	REPORT_JSON,		/* .json */
	REPORT_CSV,		/* .csv: long format section,key,value */
	REPORT_UNKNOWN		/* any other extension: refused */
};

/* report_form_of - the format path's last name component asks for. */
enum report_form report_form_of(const char *path);

/*
 * report_format - the summary in the format path's name asks for
 * (report_form_of; text for REPORT_UNKNOWN) written to f; the caller owns
 * f and writes it to path as one of the run's outputs (atomically, with
 * the others).
 */
void report_format(const struct report *r, const char *path, FILE *f);

#endif
