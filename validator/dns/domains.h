/*
 * domains - what the run knows about each unique domain, by a dense id
 * (0, 1, 2, ... in first-seen order): its list flags and typo suggestion
 * (looked up once per domain, not once per row), how many rows use it, and
 * the DNS stage's answer, mail hosts included, for the SMTP stage.
 *
 * Each fact has one writer: the list flags and the suggestion are set when
 * the domain is first seen (domains_id); the DNS stage stores its answer
 * (domains_set_dns) and drops suggestions that do not deliver
 * (domains_drop_suggest); pass 2 counts the rows (domains_count_row) and
 * their actions (domains_count_action).
 * Everyone else reads, by id; no read allocates or hashes, so the per-row
 * path stays a few loads (validator/README, "Data between the stages").
 *
 * Memory grows with unique domains only. Strings returned are owned by the
 * table (or by the listcheck it borrows) and stay valid until
 * domains_free. Nothing here fails but memory, and xalloc exits on that.
 */
#ifndef LISTSCRUB_DOMAINS_H
#define LISTSCRUB_DOMAINS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "verdict/classify.h"

struct listcheck;
struct domains;
struct provider;
struct providers;

/* The DNS stage's answer for one domain (domains_set_dns). */
struct domains_dns_answer {
	enum evidence_dns dns;
	const char *mx;		/* preferred mail host, or NULL; copied */
	const char *detail;	/* why the lookup failed, or NULL; copied */
	uint32_t hosts;		/* mailhosts list handle of its mail hosts */
	size_t nhosts;		/* hosts in that list (at most
				 * MXLOOKUP_MAX_HOSTS); 0: none kept */
};

/*
 * domains_new - an empty table. lists is borrowed and must outlive the
 * table: it gives each new domain its flags and suggestion.
 */
struct domains *domains_new(struct listcheck *lists);

/*
 * domains_id - the id of domain (lower-case A-label, len bytes), adding
 * it on first sight: then its list flags and suggestion are looked up,
 * its row count is 0 and it has no DNS answer (EVDNS_NONE, no mx, no
 * detail, no hosts). Ids are dense, in first-seen order.
 */
uint32_t domains_id(struct domains *t, const char *domain, size_t len);

/* domains_count - how many domains (the ids are 0 .. count-1). */
size_t domains_count(const struct domains *t);

/* domains_name - the domain of id, as given to domains_id. */
const char *domains_name(const struct domains *t, uint32_t id);

/* domains_disposable - the domain is on the disposable list. */
bool domains_disposable(const struct domains *t, uint32_t id);

/* domains_free_mail - the domain is a free mail provider. */
bool domains_free_mail(const struct domains *t, uint32_t id);

/*
 * domains_suggest - the domain the list of typos suggests instead, or NULL
 * (none, or dropped by the DNS stage).
 */
const char *domains_suggest(const struct domains *t, uint32_t id);

/* domains_rows - rows with a valid address at the domain, so far. */
uint64_t domains_rows(const struct domains *t, uint32_t id);

/* domains_dns - the DNS stage's evidence; EVDNS_NONE when it did not run. */
enum evidence_dns domains_dns(const struct domains *t, uint32_t id);

/* domains_mx - the preferred mail host the DNS stage found, or NULL. */
const char *domains_mx(const struct domains *t, uint32_t id);

/* domains_dns_detail - why the domain's lookup failed, or NULL. */
const char *domains_dns_detail(const struct domains *t, uint32_t id);

/*
 * domains_hosts - how many mail hosts the DNS stage kept for the domain
 * (0: none), and in *list (if not NULL) the mailhosts list handle that
 * holds them in delivery order.
 */
size_t domains_hosts(const struct domains *t, uint32_t id, uint32_t *list);

/*
 * domains_set_dns - store the DNS stage's answer a for domain id (the DNS
 * stage is its only writer). a->mx and a->detail are copied; equal
 * strings share one copy.
 */
void domains_set_dns(struct domains *t, uint32_t id,
    const struct domains_dns_answer *a);

/*
 * domains_drop_suggest - forget the domain's suggestion (the DNS stage:
 * the suggested domain has no mail host).
 */
void domains_drop_suggest(struct domains *t, uint32_t id);

/* domains_count_row - one more row with a valid address at the domain. */
void domains_count_row(struct domains *t, uint32_t id);

/*
 * domains_prefetch - start loading what the rows of domain id read and
 * count, a few rows before they do. Any id: unknown ones are ignored.
 */
void domains_prefetch(const struct domains *t, uint32_t id);

/*
 * domains_count_action - one more of the domain's rows (those counted by
 * domains_count_row) got action a (for the report's busiest domains).
 */
void domains_count_action(struct domains *t, uint32_t id,
    enum verdict_action a);

/* domains_action_rows - the domain's rows that got action a, so far. */
uint64_t domains_action_rows(const struct domains *t, uint32_t id,
    enum verdict_action a);

/*
 * domains_top - up to n ids of the domains with the most rows (and at
 * least one), most first, into ids; returns how many.
 */
size_t domains_top(const struct domains *t, uint32_t *ids, size_t n);

/*
 * domains_find_providers - which provider of p (borrowed; must outlive
 * the table) runs each domain's mail: the one its preferred mail host
 * (domains_mx, the scrub_mx column) matches, or none. The same answer
 * with or without --probe, and whether the DNS answer was looked up or
 * recalled. Call after the DNS stage; a domain added later has none.
 */
void domains_find_providers(struct domains *t, const struct providers *p);

/* domains_providers - the table given to domains_find_providers, or NULL. */
const struct providers *domains_providers(const struct domains *t);

/*
 * domains_set_provider - the domain's provider is pv, one of the table
 * given to domains_find_providers (the SMTP stage: its preferred mail
 * host's greeting named it). Ignored without a table or for a pv not of
 * it.
 */
void domains_set_provider(struct domains *t, uint32_t id,
    const struct provider *pv);

/* domains_provider - the domain's provider, or NULL (none, not found yet). */
const struct provider *domains_provider(const struct domains *t,
    uint32_t id);

/*
 * domains_provider_index - 0 for none, else 1 + the provider's index in
 * the table (providers_at), for per-provider counters.
 */
size_t domains_provider_index(const struct domains *t, uint32_t id);

/* domains_bytes - memory held by the table, for benchmarks. */
size_t domains_bytes(const struct domains *t);

/* domains_free - free the table and its strings; NULL is a no-op. */
void domains_free(struct domains *t);

#endif
