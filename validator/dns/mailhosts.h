/*
 * mailhosts - the run's mail hosts: each host name once, with the addresses
 * the DNS stage found, and per domain the list of its hosts in delivery
 * order. The SMTP stage batches by host, across domains that share one.
 * Memory grows with unique hosts and domains.
 */
#ifndef LISTSCRUB_MAILHOSTS_H
#define LISTSCRUB_MAILHOSTS_H

#include <stddef.h>
#include <stdint.h>

#include "dns/mxlookup.h"

#define MAILHOSTS_MAX_ADDRS 4	/* addresses kept per host */

struct mailhosts;

/* mailhosts_new - an empty table; free it with mailhosts_free. */
struct mailhosts *mailhosts_new(void);
/*
 * mailhosts_host - the id of host name (case-insensitive), recording addrs
 * (usable ones, delivery order) the first time it is seen with any.
 */
uint32_t mailhosts_host(struct mailhosts *t, const char *name,
    const struct mx_addr *addrs, size_t naddrs);
/* mailhosts_list - store a list of host ids; returns its handle. */
uint32_t mailhosts_list(struct mailhosts *t, const uint32_t *ids, size_t n);
/* mailhosts_list_at - the ids of a list handle (n as stored). */
const uint32_t *mailhosts_list_at(const struct mailhosts *t, uint32_t handle);
/* mailhosts_name - the host's name, lower-cased (owned by the table). */
const char *mailhosts_name(const struct mailhosts *t, uint32_t id);
/* mailhosts_addrs - the host's addresses; returns how many. */
size_t mailhosts_addrs(const struct mailhosts *t, uint32_t id,
    const struct mx_addr **addrs);
/* mailhosts_count - how many hosts (the ids are 0 .. count-1). */
size_t mailhosts_count(const struct mailhosts *t);
/*
 * The text form of one domain's mail hosts, for the result store: hosts in
 * delivery order separated by one space, each "name=addr,addr" with the
 * addresses in inet_ntop form ("mx1.example=192.0.2.1,2001:db8::1").
 * Hosts without an address are left out, as the DNS stage leaves them out.
 */
struct buf;
/* mailhosts_text - the text form of res's hosts appended to out; -1 when it
 * does not fit out's limit. */
int mailhosts_text(const struct mx_result *res, struct buf *out);
/*
 * mailhosts_from_text - add the hosts of text to t and store their list:
 * *handle and *n as domains_set_dns wants them. -1 (t may have gained
 * hosts, no list is stored) when text is not in that form or names none.
 */
int mailhosts_from_text(struct mailhosts *t, const char *text,
    uint32_t *handle, size_t *n);
/* mailhosts_free - free the table; NULL is a no-op. */
void mailhosts_free(struct mailhosts *t);

#endif
