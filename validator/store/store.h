/*
 * store - the result store: what earlier runs learned, kept in one SQLite
 * file across runs, so that a scheduled scrub does not ask again what it
 * was told yesterday and an interrupted run resumes where it stopped
 * (validator/README, "The result store").
 *
 * Kept per address (the key: the canonical address, ASCII letters
 * lower-cased by the store itself, so a dedupe key or a canonical address
 * may be given): the SMTP evidence (sub-status, reply code, enhanced code,
 * text, TLS, catch-all; when learned) and the verdict of the last complete
 * run that saw it (status, sub-status; when). Kept per domain (lower-case
 * A-label): the DNS evidence, preferred mail host, failure detail, mail
 * hosts with their addresses (text, dns/mailhosts' form), when learned;
 * and the catch-all test's result, when learned.
 *
 * Writes are batched: every put joins the open transaction, which is
 * committed by store_commit, or by the store itself every STORE_BATCH
 * puts. A process killed at any point keeps everything up to its last
 * commit (WAL, synchronous=NORMAL: a commit survives the process, not a
 * power cut). One process uses a store at a time (an exclusive flock);
 * a second waits up to wait_ms and then fails, naming the holder.
 *
 * Every function that can fail returns -1 with d set and names the file.
 */
#ifndef LISTSCRUB_STORE_H
#define LISTSCRUB_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/diag.h"
#include "verdict/classify.h"
#include "verdict/verdict.h"

#define STORE_BATCH 4096	/* puts per transaction at most */
#define STORE_APPLICATION_ID 0x4C535342	/* PRAGMA application_id: "LSSB" */
#define STORE_VERSION 1		/* PRAGMA user_version this program writes */
#define STORE_FUTURE_SLACK 300	/* seconds a stored time may be ahead of now */

struct store;

/*
 * How long an answer stays good depends on what it says. Every stored
 * answer falls in one class (store_class_of_sub, store_class_of_dns).
 */
enum store_class {
	STORE_CLASS_INVALID,	/* no such mailbox, domain without mail: 90d */
	STORE_CLASS_VALID,	/* deliverable mailbox, domain with mail: 30d */
	STORE_CLASS_CATCH_ALL,	/* the domain accepts every address: 30d */
	STORE_CLASS_TEMPORARY,	/* greylisting, timeouts, 4xx, DNS trouble: 6h */
	STORE_CLASS_SENDER,	/* about the sender (policy, blocked, TLS): never */
	STORE_CLASS_LAST
};

struct store_ages {
	int64_t max_age[STORE_CLASS_LAST];	/* seconds; 0: never reused */
	int64_t older_than;	/* --refresh-older-than; 0: no limit */
	bool refresh;		/* --refresh: reuse nothing (still written) */
};

/* store_ages_default - the default age of every class, no refresh. */
void store_ages_default(struct store_ages *a);
/*
 * store_ages_set - apply one --max-age CLASS=DURATION to a. -1 with d
 * (DIAG_USAGE, naming the classes) for an unknown class or bad duration.
 */
int store_ages_set(struct store_ages *a, const char *spec, struct diag *d);
/*
 * store_duration_parse - "90d", "6h", "30m", "45s", "2w", "0" (a bare
 * number is seconds) into seconds. -1 when s is not one.
 */
int store_duration_parse(const char *s, int64_t *secs);
/* store_class_name - "invalid", "valid", "catch_all", "temporary", "sender". */
const char *store_class_name(enum store_class c);
/* store_class_parse - STORE_CLASS_LAST when name is none of them. */
enum store_class store_class_parse(const char *name);
/* store_class_of_sub - the class of an SMTP answer's sub-status. */
enum store_class store_class_of_sub(enum verdict_sub s);
/* store_class_of_dns - the class of a DNS answer (EVDNS_NONE: SENDER). */
enum store_class store_class_of_dns(enum evidence_dns e);
/*
 * store_class_of_catch_all - the class of a catch-all test's result
 * (enum probe_tri): YES is CATCH_ALL, NO is VALID, UNSET is SENDER.
 */
enum store_class store_class_of_catch_all(uint8_t catch_all);
/*
 * store_dns_name - the stored name of a DNS answer: "ok", "implicit",
 * "null_mx", "nxdomain", "no_host", "timeout", "error"; "none" for
 * EVDNS_NONE, "?" out of range.
 */
const char *store_dns_name(enum evidence_dns e);
/* store_dns_parse - EVDNS_NONE when name (a C string) is none of them. */
enum evidence_dns store_dns_parse(const char *name);
/*
 * store_fresh - whether an answer of class c learned at time at (Unix
 * seconds) may be reused at time now under a.
 */
bool store_fresh(const struct store_ages *a, enum store_class c, int64_t at,
    int64_t now);

/*
 * store_default_path - $XDG_CACHE_HOME/listscrub/results.sqlite, or
 * $HOME/.cache/listscrub/results.sqlite, into buf. -1 with d when
 * neither variable is set or the path does not fit.
 */
int store_default_path(char *buf, size_t n, struct diag *d);

/*
 * store_open - open the store at path, creating it (and, with create,
 * missing parent directories, mode 0700) when it does not exist: file
 * mode 0600, it holds addresses. Takes the store's lock, waiting up to
 * wait_ms for another process to let go. Checks that the file is ours
 * (application id), not newer than this program (schema version),
 * migrates an older one, and runs PRAGMA quick_check. Each failure is a
 * clear one-line error naming path (DIAG_INPUT): not a listscrub store,
 * made by a newer listscrub, busy (held by pid N), corrupt, cannot
 * create. Never a crash, never a silently empty store.
 */
struct store *store_open(const char *path, bool create, unsigned wait_ms,
    struct diag *d);
/* store_path - the path store_open was given. */
const char *store_path(const struct store *s);
/*
 * store_close - commit what is pending (errors ignored: call store_commit
 * first to see them) and close; NULL is a no-op.
 */
void store_close(struct store *s);
/* store_commit - commit the open transaction, if any. */
int store_commit(struct store *s, struct diag *d);
/* store_pending - puts not yet committed. */
size_t store_pending(const struct store *s);

/* What is stored about one address. Strings stay valid until the next
 * call on the store. */
struct store_address {
	struct probe_result smtp;	/* sub SUB_LAST: no SMTP answer */
	int64_t smtp_at;		/* when it was learned */
	enum verdict_status last_status;	/* STATUS_LAST: never judged */
	enum verdict_sub last_sub;
	int64_t last_at;
};

/* store_get_address - 1 and *out when addr is stored, 0 when not. */
int store_get_address(struct store *s, const char *addr, size_t len,
    struct store_address *out, struct diag *d);
/* store_put_smtp - the SMTP answer r (r->sub != SUB_LAST) for addr, at at. */
int store_put_smtp(struct store *s, const char *addr, size_t len,
    const struct probe_result *r, int64_t at, struct diag *d);
/* store_put_last - the verdict a complete run gave addr, at at. */
int store_put_last(struct store *s, const char *addr, size_t len,
    enum verdict_status status, enum verdict_sub sub, int64_t at,
    struct diag *d);

/* What is stored about one domain. Strings as for store_address. */
struct store_domain {
	enum evidence_dns dns;		/* EVDNS_NONE: no DNS answer stored */
	const char *mx;			/* NULL: none */
	const char *detail;		/* NULL: none */
	const char *hosts;		/* mail hosts and addresses, or NULL */
	int64_t dns_at;
	uint8_t catch_all;		/* enum probe_tri; UNSET: no test */
	int64_t catch_at;
};

/* store_get_domain - 1 and *out when name is stored, 0 when not. */
int store_get_domain(struct store *s, const char *name,
    struct store_domain *out, struct diag *d);
/* store_put_dns - the DNS answer for name (mx, detail, hosts may be NULL). */
int store_put_dns(struct store *s, const char *name, enum evidence_dns dns,
    const char *mx, const char *detail, const char *hosts, int64_t at,
    struct diag *d);
/* store_put_catch_all - the catch-all test's result (YES or NO) for name. */
int store_put_catch_all(struct store *s, const char *name, uint8_t catch_all,
    int64_t at, struct diag *d);

/*
 * For maintenance (store_admin, `listscrub cache`).
 *
 * store_each_address, store_each_domain - call cb for every stored
 * address (key order) or domain, with what store_get_* would give; the
 * strings are valid during the call only, and cb must not use the store.
 * cb returns 0 to go on, -1 (d set) to stop: then -1 is returned.
 */
typedef int (*store_address_cb)(void *arg, const char *key,
    const struct store_address *a, struct diag *d);
typedef int (*store_domain_cb)(void *arg, const char *name,
    const struct store_domain *dom, struct diag *d);
int store_each_address(struct store *s, store_address_cb cb, void *arg,
    struct diag *d);
/* store_count_addresses - how many addresses are stored, into *n. */
int store_count_addresses(struct store *s, uint64_t *n, struct diag *d);
int store_each_domain(struct store *s, store_domain_cb cb, void *arg,
    struct diag *d);

/* The parts of a row that can be dropped on their own. */
enum store_part {
	STORE_PART_SMTP,	/* address: the SMTP answer */
	STORE_PART_VERDICT,	/* address: the last run's verdict (last_*) */
	STORE_PART_DNS,		/* domain: the DNS answer */
	STORE_PART_CATCH_ALL,	/* domain: the catch-all test */
	STORE_PART_LAST
};

/*
 * store_drop - forget one part of the row of key (an address for the
 * first two parts, a domain for the others); a row left with no part is
 * deleted. Counts as a put (batching). 1 when the row was deleted, 0
 * when it stays (or was not there), -1 on failure.
 */
int store_drop(struct store *s, enum store_part part, const char *key,
    size_t len, struct diag *d);
/*
 * store_forget_address - delete everything about addr. Counts as a put.
 * 1 when it was stored, 0 when not, -1 on failure.
 */
int store_forget_address(struct store *s, const char *addr, size_t len,
    struct diag *d);
/*
 * store_forget_domain - delete the domain row of name and every address
 * at name (the part after the key's last '@'). Counts as a put. *addrs
 * gets the addresses deleted, *row whether the domain row was there.
 */
int store_forget_domain(struct store *s, const char *name, uint64_t *addrs,
    bool *row, struct diag *d);
/*
 * store_vacuum - commit, then give the pages freed by deletes back to the
 * file system (VACUUM: rewrites the file; needs as much free space).
 */
int store_vacuum(struct store *s, struct diag *d);

#endif
