/*
 * store_admin - upkeep of the result store, for `listscrub cache`: what
 * it holds by class and age (stats), dropping what has expired (prune),
 * and its rows in words a person can read (export). No SQL here: it goes
 * through store.h. Owns nothing between calls; fails as store.h does.
 * (validator/README, "The result store".)
 */
#ifndef LISTSCRUB_STORE_ADMIN_H
#define LISTSCRUB_STORE_ADMIN_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"
#include "util/diag.h"

/*
 * How long the last run's verdict of an address is kept by prune: it is
 * never reused as an answer, only compared with the next run's.
 */
#define STORE_VERDICT_KEEP	(400 * 86400)

/* Age buckets of stats: how long ago a part was learned. */
enum store_age {
	STORE_AGE_1D,		/* < 1 day (and times in the future) */
	STORE_AGE_7D,		/* < 7 days */
	STORE_AGE_30D,		/* < 30 days */
	STORE_AGE_90D,		/* < 90 days */
	STORE_AGE_OLDER,
	STORE_AGE_LAST
};

/* One kind of stored answer, counted. */
struct store_stats_part {
	uint64_t total;
	uint64_t by_class[STORE_CLASS_LAST];
	uint64_t by_age[STORE_CLASS_LAST][STORE_AGE_LAST];
	uint64_t expired[STORE_CLASS_LAST];	/* not fresh under the ages */
};

struct store_stats {
	uint64_t file_bytes;		/* the database file and its WAL */
	uint64_t addresses;		/* address rows */
	uint64_t domains;		/* domain rows */
	struct store_stats_part smtp;	/* SMTP answers (address rows) */
	struct store_stats_part dns;	/* DNS answers (domain rows) */
	struct store_stats_part catch_all;	/* catch-all tests */
	uint64_t verdicts;		/* last-run verdicts */
	uint64_t verdicts_expired;	/* older than STORE_VERDICT_KEEP */
};

struct store_prune {
	uint64_t addresses_deleted;	/* nothing left of the row */
	uint64_t addresses_trimmed;	/* one part dropped, the row kept */
	uint64_t domains_deleted;
	uint64_t domains_trimmed;
};

/* store_age_name - "<1d", "<7d", "<30d", "<90d", "older". */
const char *store_age_name(enum store_age a);

/*
 * store_admin_stats - count what s holds at time now, with the expired
 * parts under a (a's refresh and older_than are ignored). *out is filled.
 */
int store_admin_stats(struct store *s, const struct store_ages *a,
    int64_t now, struct store_stats *out, struct diag *d);

/*
 * store_admin_prune - drop every part that has expired at now under a
 * (SMTP answers, DNS answers, catch-all tests by their class; verdicts
 * after STORE_VERDICT_KEEP); a row with nothing left is deleted, so an
 * address whose SMTP answer expired keeps its row while its verdict is
 * younger. Parts written under names this version does not know are
 * kept. Commits, then compacts the file (store_vacuum) if anything was
 * dropped. *out is filled.
 */
int store_admin_prune(struct store *s, const struct store_ages *a,
    int64_t now, struct store_prune *out, struct diag *d);

/*
 * An export row: n cells (UTF-8 text, "" for nothing), valid during the
 * call. Returns 0, or -1 with d set to stop the export.
 */
typedef int (*store_admin_row_cb)(void *arg, const char *const *cells,
    size_t n, struct diag *d);

/*
 * store_admin_export_addresses - cb gets a header row, then one row per
 * address in key order: address, smtp_status, smtp_sub_status,
 * smtp_code, smtp_enhanced, smtp_text, tls, catch_all, checked,
 * last_status, last_sub_status, last_seen (times ISO 8601 UTC).
 */
int store_admin_export_addresses(struct store *s, store_admin_row_cb cb,
    void *arg, struct diag *d);
/*
 * store_admin_export_domains - the same for domains: domain, dns, mx,
 * detail, hosts, dns_checked, catch_all, catch_all_checked.
 */
int store_admin_export_domains(struct store *s, store_admin_row_cb cb,
    void *arg, struct diag *d);

#endif
