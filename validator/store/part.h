/*
 * part - a shard's part file (validator/README, "Shards and merge"): what
 * one shard of a --shard run learned, for listscrub merge. One SQLite
 * file, written whole under a temporary name (FILE.tmp-PID), synced and
 * renamed into place, so a part that exists is complete. Tables:
 *   meta(key, value)       format 'listscrub-part 1', shard, shards,
 *                          input_size, input_sha256, options, started_at,
 *                          and the row counts of the tables below
 *   domains(name, ...)     every list domain's DNS answer, the shard that
 *                          owns it by this shard's answer, and the
 *                          provider a greeting named
 *   suggestions(name, dns) the DNS answer of every suggested domain
 *   addresses(addr, ...)   the SMTP answer of every address it probed
 *   stats(key, value)      the DNS and SMTP stages' counters
 *   problems(...)          refusals aimed at the sender
 * Every function that can fail returns -1 with d set naming the file.
 */
#ifndef LISTSCRUB_PART_H
#define LISTSCRUB_PART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/diag.h"
#include "verdict/classify.h"

#define PART_FORMAT "listscrub-part 1"

struct part;

struct part_meta {
	unsigned shard, shards;
	uint64_t input_size;
	char input_sha256[65];		/* lower-case hex */
	char options[2048];		/* the verdict-affecting options */
	char started_at[32];
};

/* One domain's DNS answer; the strings may be NULL. */
struct part_domain {
	const char *name;		/* lower-case A-label */
	int dns;			/* enum evidence_dns */
	const char *mx, *detail, *hosts;	/* as the result store keeps them */
	unsigned owner;			/* the shard it belongs to */
	const char *provider;		/* named by a greeting, or NULL */
};

/* One probed address's SMTP answer. */
struct part_address {
	const char *addr;
	struct probe_result r;
	int64_t at;			/* when it was learned (Unix s) */
};

/*
 * part_create - start writing path (under path.tmp-PID) with meta m, in
 * one transaction. NULL with d.
 */
struct part *part_create(const char *path, const struct part_meta *m,
    struct diag *d);
int part_put_domain(struct part *p, const struct part_domain *dm,
    struct diag *d);
int part_put_suggestion(struct part *p, const char *name, int dns,
    struct diag *d);
int part_put_address(struct part *p, const struct part_address *a,
    struct diag *d);
int part_put_stat(struct part *p, const char *key, uint64_t value,
    struct diag *d);
int part_put_problem(struct part *p, const char *host, const char *reply,
    uint64_t count, struct diag *d);
/*
 * part_commit - the counts into meta, commit, sync and rename into place;
 * p is freed whatever the result (on failure no file is left).
 */
int part_commit(struct part *p, struct diag *d);

/*
 * part_open - read path's meta: -1 with d (DIAG_INPUT) when it is not a
 * listscrub part (not SQLite, no meta, another format) or is damaged
 * (the integrity check, or rows missing against the counts kept).
 */
struct part *part_open(const char *path, struct diag *d);
/* part_meta - what part_open read. */
const struct part_meta *part_meta_of(const struct part *p);
/* part_path - the file. */
const char *part_path(const struct part *p);

/* The readers call cb for each row (its strings live until cb returns);
 * cb returns 0 to go on, -1 (with d) to stop with that error. */
int part_each_domain(struct part *p, int (*cb)(void *arg,
    const struct part_domain *dm, struct diag *d), void *arg,
    struct diag *d);
int part_each_suggestion(struct part *p, int (*cb)(void *arg,
    const char *name, int dns, struct diag *d), void *arg, struct diag *d);
int part_each_address(struct part *p, int (*cb)(void *arg,
    const struct part_address *a, struct diag *d), void *arg,
    struct diag *d);
int part_each_stat(struct part *p, int (*cb)(void *arg, const char *key,
    uint64_t value, struct diag *d), void *arg, struct diag *d);
int part_each_problem(struct part *p, int (*cb)(void *arg, const char *host,
    const char *reply, uint64_t count, struct diag *d), void *arg,
    struct diag *d);

/* part_close - close (a writer: abandon, removing its temporary file). */
void part_close(struct part *p);

#endif
