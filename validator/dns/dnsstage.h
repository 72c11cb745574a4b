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

struct diag;
struct domains;
struct evloop;

struct dnsstage_opts {
	const char *const *servers;	/* HOST[:PORT]; none: resolv.conf */
	size_t nservers;
	unsigned timeout_ms;
	unsigned tries;
	unsigned concurrency;
	bool allow_reserved;
	struct mailhosts *hosts;	/* keep each domain's mail hosts here, or NULL */
};

struct dnsstage_stats {
	uint64_t domains;		/* list domains looked up */
	uint64_t outcomes[MX_OUTCOME_LAST];	/* of those domains */
	uint64_t implicit;		/* MX_OK via the implicit MX */
	uint64_t suggestions;		/* suggested domains looked up */
	uint64_t suggestions_dropped;	/* ... answered: no mail host */
	uint64_t suggestions_unconfirmed;	/* ... lookup failed: kept */
	struct mxlookup_stats q;	/* queries, answers, timeouts */
	double seconds;
};

/*
 * dnsstage_run - look up every domain in t (and every suggested domain),
 * storing each answer with domains_set_dns (mail hosts into o->hosts too)
 * and dropping suggestions that, by a definitive answer, do not deliver
 * (those whose lookup failed are kept and counted). Lookup trouble is an
 * answer (dns_timeout, dns_error), not an error: -1 with d set only when
 * the resolver cannot be set up (a bad --dns-server) or the event loop
 * fails.
 */
int dnsstage_run(struct evloop *loop, struct domains *t,
    const struct dnsstage_opts *o, struct dnsstage_stats *st,
    struct diag *d);

#endif
