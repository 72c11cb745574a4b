/*
 * recall - what one run takes from the result store and gives back to it
 * (validator/README, "The result store"): earlier answers for the DNS and
 * SMTP stages, new answers as they arrive (committed in batches, at most
 * RECALL_COMMIT_MS apart), each address's previous status for "what changed",
 * and, once the outputs are in place, the statuses of this run.
 *
 * A run without a store has no recall (recall_open gives NULL); every
 * function below takes that NULL and then does nothing.
 */
#ifndef LISTSCRUB_RECALL_H
#define LISTSCRUB_RECALL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns/dnsstage.h"
#include "probe/probe_sched.h"
#include "util/diag.h"
#include "verdict/verdict.h"

/*
 * New answers are committed on the event loop's next turn, and at most
 * once in this many ms: each commit writes the pages it touched, and a
 * fast run committing every few answers spent a third more time.
 */
#define RECALL_COMMIT_MS 20

struct dedupe;
struct domains;
struct evloop;
struct options;
struct probe_targets;
struct recall;

/*
 * recall_open - the run's store, if it uses one (o: --cache, --no-cache,
 * --offline; the default path for runs that use the network). now is the
 * run's start (Unix s): the time every new answer is kept under. 0 and
 * *out (NULL: no store), or -1 with d. A default store that cannot be
 * made (no home directory, no room) is a warning and no store.
 */
int recall_open(const struct options *o, int64_t now, struct recall **out,
    struct diag *d);
/* recall_path - the store's file. */
const char *recall_path(const struct recall *m);

/*
 * recall_addresses - before the network stages (--probe): every address
 * of pt (its ids are dd's) whose kept SMTP answer is still good gets it;
 * returns how many, or UINT64_MAX with d. Their previous statuses are
 * read at the same time.
 */
uint64_t recall_addresses(struct recall *m, struct probe_targets *pt,
    const struct dedupe *dd, size_t ndomains, struct diag *d);

/* recall_dns - the DNS stage's memory over the store, for domains dt. */
const struct dnsstage_memory *recall_dns(struct recall *m, struct evloop *loop,
    const struct domains *dt);
/* recall_probe - the SMTP stage's memory, for addresses pt at domains dt. */
const struct probe_memory *recall_probe(struct recall *m, struct evloop *loop,
    struct probe_targets *pt, const struct domains *dt);
/*
 * recall_flush - commit what is pending. -1 with d when that, or any
 * write since the last flush, failed (the store is not written again).
 */
int recall_flush(struct recall *m, struct diag *d);

/* recall_dns_at - when domain dom's answer was learned; 0: by this run. */
int64_t recall_dns_at(const struct recall *m, uint32_t dom);
/* recall_smtp_at - when address aid's answer was learned; 0: this run. */
int64_t recall_smtp_at(const struct recall *m, uint32_t aid);

/*
 * recall_previous - into *out the status address aid (dedupe id; key
 * its dedupe key) had after the last complete run, or STATUS_LAST (also
 * without a store). Looked up once per address.
 */
int recall_previous(struct recall *m, uint32_t aid, const char *key,
    size_t len, enum verdict_status *out, struct diag *d);
/* recall_final - this run's verdict for address aid (its first row). */
void recall_final(struct recall *m, uint32_t aid, enum verdict_status status,
    enum verdict_sub sub);
/*
 * recall_commit - after the outputs are in place: keep this run's status
 * of every address whose status is new or changed (keys from dd).
 */
int recall_commit(struct recall *m, const struct dedupe *dd, struct diag *d);
/* recall_close - close the store (pending writes committed); NULL: no-op. */
void recall_close(struct recall *m);

#endif
