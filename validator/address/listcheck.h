/*
 * listcheck - what the data tables in lists/ say about one address:
 * role local part (role.txt), disposable domain (disposable.txt),
 * free/consumer mail domain (free.txt), and a likely correction for a
 * misspelt domain (typos.tsv, then edit distance to popular.txt).
 *
 * Owns: the five loaded tables and every string it returns (valid until
 * listcheck_free()).
 * Fails: only listcheck_load() can fail: a missing, unreadable or
 * malformed table, reported as DIAG_DATA naming the file and line. The
 * checks themselves cannot fail; they only read the loaded tables (no
 * caches), so several threads may call them at once.
 * Cost: loading takes about 30 ms and 6 MB (mostly disposable.txt); a
 * check is a few hash lookups; listcheck_suggest() about 5 us.
 * Inputs: the local part as written (any case) and the domain as an
 * A-label; neither needs a NUL terminator, lengths are given. Domains are
 * matched ASCII case-insensitively and one trailing root dot is ignored.
 */
#ifndef LISTSCRUB_LISTCHECK_H
#define LISTSCRUB_LISTCHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "util/diag.h"

struct listcheck;

/*
 * listcheck_load - load role.txt, disposable.txt, free.txt, popular.txt
 * and typos.tsv from the directory dir (borrowed). Besides the format
 * rules of wordlist.h it checks that domain entries are A-label names of
 * at least two labels, that every popular domain is also in free.txt, and
 * that each typos.tsv line maps a domain that is neither popular nor free
 * to one that is (so a table edit cannot make listscrub "correct" a real
 * provider). Returns the tables (free with listcheck_free), or NULL with
 * d filled: DIAG_DATA, "dir/file:line: what" or "dir/file: why".
 */
struct listcheck *listcheck_load(const char *dir, struct diag *d);

/*
 * listcheck_role - whether the local part names a role, not a person
 * (postmaster, info, sales, noreply, ...). ASCII case-insensitive. Also
 * true when the part before the first '+' is a role (info+news, RFC 5233
 * subaddress), and for a quoted local part without backslashes whose
 * content is a role ("info"). No other separator is stripped: info.uk or
 * sales-team match only if listed; role.txt lists the common variants
 * (no-reply, no_reply, noreply) explicitly.
 */
bool listcheck_role(const struct listcheck *l, const char *local,
    size_t len);

/*
 * listcheck_disposable - whether domain is a disposable mail domain: it
 * is listed, or it is a subdomain of a listed domain (a.b.mailinator.com),
 * or a subdomain of a "*.name" wildcard entry (which does not match name
 * itself).
 */
bool listcheck_disposable(const struct listcheck *l, const char *domain,
    size_t len);

/*
 * listcheck_freemail - whether domain is a free webmail or consumer ISP
 * mail domain (gmail.com, gmx.de, comcast.net, ...). Exact match only:
 * subdomains are not free mail. Independent of listcheck_disposable(): a
 * domain may be both. (Named _freemail because listcheck_free() is the
 * destructor.)
 */
bool listcheck_freemail(const struct listcheck *l, const char *domain,
    size_t len);

/*
 * listcheck_suggest - the domain the writer probably meant, or NULL.
 * In order:
 *  1. typos.tsv: an exact entry wins, even when the misspelling is itself
 *     a disposable domain (typo-squatters such as gmai.com are both).
 *  2. NULL when domain is popular, free mail or disposable, or is shorter
 *     than 6 bytes, or is a known name cut at a dot: the start of a
 *     popular domain, or a free domain minus its country code (yahoo.co
 *     could be yahoo.com or yahoo.co.uk; outlook.co could be
 *     outlook.co.il).
 *  3. Optimal-string-alignment Damerau-Levenshtein distance (one insert,
 *     delete, substitution or swap of neighbours per step) to popular.txt
 *     domains: at most 1, or 2 when both names are 10 bytes or longer and
 *     the two edits are one in the first label and one after it
 *     (hotmial.con; but never joymail.com or popmail.com -> hotmail.com).
 *     If the first label of domain is the first label of a popular domain
 *     (gmail.cmo), only that provider's domains are candidates; otherwise
 *     only popular domains whose first label has 5 or more bytes are
 *     (short names like aol, gmx, live, mail have too many real
 *     neighbours: their misspellings belong in typos.tsv).
 *     A candidate with a different last label is refused when domain's
 *     last label is a real TLD (com, net, org, ..., or a country code),
 *     except co, cm, om, ne and et, which are mostly slips for com/net:
 *     gmx.at never becomes gmx.de, verizon.com never verizon.net.
 *     Two candidates at the same best distance: NULL (no guessing).
 * Cheap enough to call per address; memoizing per domain still helps.
 * Returns a lower-case domain owned by l, never equal to domain.
 */
const char *listcheck_suggest(const struct listcheck *l, const char *domain,
    size_t len);

/* A domain's three answers, for listcheck_domain. */
struct listcheck_domain {
	bool disposable;	/* listcheck_disposable */
	bool free_mail;		/* listcheck_freemail */
	const char *suggest;	/* listcheck_suggest */
};

/*
 * listcheck_domain - the three per-domain answers at once, the same as the
 * three calls: each table is asked once (a new domain of a list costs its
 * lookups in the 100,000s-entry disposable table once, not twice).
 */
void listcheck_domain(const struct listcheck *l, const char *domain,
    size_t len, struct listcheck_domain *out);

/* listcheck_free - release l and everything it returned; NULL allowed. */
void listcheck_free(struct listcheck *l);

#endif
