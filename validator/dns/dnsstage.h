/*
 * dnsstage - the DNS stage: every unique domain of the run is looked up
 * once (mxlookup on the run's event loop) and its answer stored in the
 * domains, where each row of that domain finds it. Typo suggestions whose
 * domain has no mail host by a definitive answer (NXDOMAIN, null MX, no
 * mail host) are dropped ("did you mean" must deliver); a suggestion whose
 * lookup failed (timeout, resolver error) is kept: the typo is an offline
 * finding and the network's trouble does not undo it.
 */
#ifndef LISTSCRUB_DNSSTAGE_H
#define LISTSCRUB_DNSSTAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns/mxlookup.h"
#include "verdict/classify.h"

struct diag;
struct domains;
struct evloop;
struct progress;

/*
 * An answer kept from an earlier run (the result store), or one to keep.
 * hosts is the domain's mail hosts in mailhosts' text form.
 */
struct dnsstage_answer {
	enum evidence_dns dns;
	const char *mx;			/* preferred mail host, or NULL */
	const char *detail;		/* why the lookup failed, or NULL */
	const char *hosts;		/* mailhosts_text form, or NULL */
	/* learn: the preferred mail host by shard_owner_host, or NULL
	 * (none, or not known) */
	const char *owner;
	int64_t at;			/* when it was learned (Unix s) */
};

/*
 * Where answers of earlier runs come from and new ones go (the pipeline
 * hands the result store over this). id is the domains id, or UINT32_MAX
 * for a suggested domain.
 */
struct dnsstage_memory {
	/* recall - 1 and *a when name's answer may be used as it is. */
	int (*recall)(void *arg, uint32_t id, const char *name,
	    struct dnsstage_answer *a);
	/* learn - a fresh answer for name (a->at is 0: now). */
	void (*learn)(void *arg, uint32_t id, const char *name,
	    const struct dnsstage_answer *a);
	void *arg;
};

struct dnsstage_opts {
	const char *const *servers;	/* HOST[:PORT]; none: resolv.conf */
	size_t nservers;
	unsigned timeout_ms;
	unsigned tries;
	unsigned concurrency;
	bool allow_reserved;
	uint64_t tie_seed;		/* mxlookup_opts.tie_seed */
	struct mailhosts *hosts;	/* keep each domain's mail hosts here, or NULL */
	const struct dnsstage_memory *memory;	/* NULL: every name is looked up */
	/* a name the memory does not recall is an error, never a lookup
	 * (listscrub merge: every answer comes from the parts) */
	bool no_lookup;
	struct progress *progress;	/* the stage's line, or NULL */
};

struct dnsstage_stats {
	uint64_t domains;		/* list domains answered */
	uint64_t recalled;		/* ... of those, by the memory */
	uint64_t outcomes[MX_OUTCOME_LAST];	/* of those domains */
	uint64_t implicit;		/* MX_OK via the implicit MX */
	uint64_t suggestions;		/* suggested domains looked up */
	uint64_t suggestions_dropped;	/* ... answered: no mail host */
	uint64_t suggestions_unconfirmed;	/* ... lookup failed: kept */
	struct mxlookup_stats q;	/* queries, answers, timeouts */
	double seconds;
};

/*
 * dnsstage_run - look up every domain in t (and every suggested domain)
 * that o->memory does not recall (a recalled answer that promises mail
 * hosts counts only when, with o->hosts, its hosts can be used), storing
 * each answer with domains_set_dns (mail hosts into o->hosts too)
 * and dropping suggestions that, by a definitive answer, do not deliver
 * (those whose lookup failed are kept and counted). Lookup trouble is an
 * answer (dns_timeout, dns_error), not an error: -1 with d set only when
 * the resolver cannot be set up (a bad --dns-server) or the event loop
 * fails, or, with o->no_lookup, when a name is not recalled (DIAG_INPUT,
 * naming it). o->progress counts the names answered (recalled ones too) of
 * all the names, the suggested domains among them.
 */
int dnsstage_run(struct evloop *loop, struct domains *t,
    const struct dnsstage_opts *o, struct dnsstage_stats *st,
    struct diag *d);

#endif
