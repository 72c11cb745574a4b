/*
 * shard - the two halves of a list probed in shards (validator/README,
 * "Shards and merge"). A shard (--shard I/N --part FILE) runs the DNS
 * stage for every domain, probes only the addresses of the domains it
 * owns (dns/shard_owner) and writes what it learned into its part file
 * (store/part). listscrub merge checks the parts against each other, the
 * input and its own options, then hands their answers to the normal
 * pipeline: a DNS memory that answers every name (the DNS stage asks
 * nothing), the SMTP answers and the stages' counters.
 */
#ifndef LISTSCRUB_SHARD_H
#define LISTSCRUB_SHARD_H

#include <stdint.h>
#include <stdio.h>

#include "dns/dnsstage.h"
#include "probe/probe_sched.h"
#include "util/diag.h"

struct domains;
struct options;
struct probe_targets;
struct providers;
struct recall;

/* What the parts must have been made from. */
struct shard_input {
	uint64_t size;
	char sha256[65];	/* hex */
	char options[2048];	/* the verdict-affecting options, one a line */
};

/*
 * shard_input_id - size and SHA-256 of what f (at its start) holds, and
 * o's verdict-affecting options; f is rewound. -1 with d.
 */
int shard_input_id(FILE *f, const struct options *o, struct shard_input *id,
    struct diag *d);

/* The shard's side. */
struct shard;

/* shard_new - shard o->shard of o->shards of input id. */
struct shard *shard_new(const struct options *o, const struct shard_input *id);
/*
 * shard_dns_memory - the DNS stage's memory: inner's (the result store,
 * or NULL), and every answer noted for the part, with its owner.
 */
const struct dnsstage_memory *shard_dns_memory(struct shard *s,
    const struct dnsstage_memory *inner, const struct domains *dt);
/*
 * shard_select - before the SMTP stage: the addresses of domains another
 * shard owns are set aside (the stage skips an address with an answer);
 * shard_unselect puts them back unanswered.
 */
void shard_select(struct shard *s, struct probe_targets *pt);
void shard_unselect(struct shard *s, struct probe_targets *pt);
/*
 * shard_write - the part file: every domain's answer and owner, the
 * answers of the owned addresses (learned at now, or when the store
 * says), the counters. -1 with d; no file then.
 */
int shard_write(struct shard *s, const struct domains *dt,
    struct probe_targets *pt, const struct recall *mem, int64_t now,
    const char *started_at, const struct dnsstage_stats *dns,
    const struct probe_stats *smtp, struct diag *d);
/* shard_owned - how many domains and probed addresses it owns. */
void shard_owned(const struct shard *s, uint64_t *domains,
    uint64_t *addresses);
void shard_free(struct shard *s);

/* The merge's side. */
struct merge;

/*
 * merge_open - open o->parts and check them (validator/README, "Shards
 * and merge"): each a listscrub part, one of each shard of the same N,
 * made from the input and options of id. -1 (NULL) with d naming the
 * files (DIAG_INPUT; DIAG_USAGE for options).
 */
struct merge *merge_open(const struct options *o, const struct shard_input *id,
    struct diag *d);
/* merge_dns_memory - the DNS stage's memory: the parts' answers. */
const struct dnsstage_memory *merge_dns_memory(struct merge *m);
/*
 * merge_dns_stats - the DNS counters shown: the lowest shard's, with the
 * per-outcome counts st has from the answers used.
 */
void merge_dns_stats(const struct merge *m, struct dnsstage_stats *st);
/*
 * merge_probe - instead of the SMTP stage: every address of pt gets its
 * part's answer, domains their greeting's provider (from p), st the
 * shards' counters summed. -1 with d when an address at a domain with
 * mail hosts has no answer in any part (naming the shard to run again).
 */
int merge_probe(struct merge *m, struct domains *dt,
    const struct providers *p, struct probe_targets *pt,
    struct probe_stats *st, struct diag *d);
void merge_free(struct merge *m);

#endif
