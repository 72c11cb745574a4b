/*
 * mxtab - the run's mail hosts: each host name once, with the addresses
 * the DNS stage found, and per domain the list of its hosts in delivery
 * order. The SMTP stage batches by host, across domains that share one.
 * Memory grows with unique hosts and domains.
 */
#ifndef LISTSCRUB_MXTAB_H
#define LISTSCRUB_MXTAB_H

#include <stddef.h>
#include <stdint.h>

#include "dns/mxlookup.h"

#define MXTAB_MAX_ADDRS 4	/* addresses kept per host */

struct mxtab;

struct mxtab *mxtab_new(void);
/*
 * mxtab_host - the id of host name (case-insensitive), recording addrs
 * (usable ones, delivery order) the first time it is seen with any.
 */
uint32_t mxtab_host(struct mxtab *t, const char *name,
    const struct mx_addr *addrs, size_t naddrs);
/* mxtab_list - store a list of host ids; returns its handle. */
uint32_t mxtab_list(struct mxtab *t, const uint32_t *ids, size_t n);
/* mxtab_list_at - the ids of a list handle (n as stored). */
const uint32_t *mxtab_list_at(const struct mxtab *t, uint32_t handle);
const char *mxtab_name(const struct mxtab *t, uint32_t id);
/* mxtab_addrs - the host's addresses; returns how many. */
size_t mxtab_addrs(const struct mxtab *t, uint32_t id,
    const struct mx_addr **addrs);
size_t mxtab_count(const struct mxtab *t);
void mxtab_free(struct mxtab *t);

#endif
