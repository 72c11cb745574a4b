/*
 * providers - which mailbox provider or filtering gateway runs a domain's
 * mail, recognised by the names of its mail hosts, and how to probe it:
 * the table lists/providers.tsv (its header and lists/README give the
 * format), loaded once per run.
 *
 * Owns: every row, provider and string it returns (valid until
 * providers_free()).
 * Fails: only providers_load() can fail: a missing, unreadable or
 * malformed table is DIAG_DATA with "path:line: what" or "path: why".
 * Matching cannot fail and only reads the table.
 * Cost: a match compares the host name with every pattern (the table has
 * a few dozen rows); the pipeline matches once per domain.
 */
#ifndef LISTSCRUB_PROVIDERS_H
#define LISTSCRUB_PROVIDERS_H

#include <stdbool.h>
#include <stddef.h>

#include "util/diag.h"

#define PROVIDERS_THROTTLE_MAX 8	/* throttle_codes per provider */
#define PROVIDERS_MAX 250		/* providers per table */

/* One reply that means "slow down": code, and enhanced code or "". */
struct provider_code {
	unsigned code;			/* 400..599 */
	char enhanced[16];		/* "4.2.1", or "" for any */
};

/* One provider and its probe rules (shared by all its rows). */
struct provider {
	const char *name;		/* "google", "yahoo", ... */
	const char *source;		/* the source field of its first row */
	bool accept_all;		/* accepts every RCPT: do not probe */
	bool no_catch_all_test;		/* rejects unknown users */
	unsigned max_rcpt;		/* per connection; 0: no cap */
	size_t nthrottle;
	struct provider_code throttle[PROVIDERS_THROTTLE_MAX];
};

struct providers;

/*
 * providers_load - read the table at path (borrowed). Returns it (free
 * with providers_free), or NULL with d filled (DIAG_DATA): the path and
 * line of the first bad row and what is wrong with it (field count,
 * pattern, provider name, unknown or malformed rule, a rule without a
 * source, two rows of one provider with different rules).
 */
struct providers *providers_load(const char *path, struct diag *d);

/*
 * providers_match - the provider of the mail host name host (len bytes,
 * any case, one trailing root dot ignored), or NULL when no row matches.
 * The longest matching pattern wins.
 */
const struct provider *providers_match(const struct providers *p,
    const char *host, size_t len);

/* providers_count - how many distinct providers the table names. */
size_t providers_count(const struct providers *p);

/* providers_at - provider i (0 <= i < providers_count), in table order. */
const struct provider *providers_at(const struct providers *p, size_t i);

/* providers_rows - how many pattern rows the table has. */
size_t providers_rows(const struct providers *p);

/*
 * provider_throttles - whether the reply (code, enhanced code or NULL/"")
 * is one of the provider's throttle_codes. pv may be NULL (false).
 */
bool provider_throttles(const struct provider *pv, unsigned code,
    const char *enhanced);

/*
 * provider_rules_text - the provider's probe rules in words, separated
 * by "; " ("accepts all: not asked; 1 recipient per connection;
 * throttling replies retried (450 4.2.1, 421 4.7.28); no catch-all
 * test"), or "none", into buf (n bytes, cut if shorter; always
 * terminated when n > 0). pv may be NULL ("none").
 */
void provider_rules_text(const struct provider *pv, char *buf, size_t n);

/* providers_free - release p; NULL is allowed. */
void providers_free(struct providers *p);

#endif
