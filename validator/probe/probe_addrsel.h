/*
 * probe_addrsel - the order in which the addresses of one mail host are
 * tried: RFC 6724 section 6 (destination address selection), the rules
 * that need no policy table beyond the default one: 1 avoid unusable
 * destinations, 2 prefer matching scope, 6 prefer higher precedence,
 * 8 prefer smaller scope, 10 otherwise keep the DNS stage's order.
 * probe_sched tries them in turn (Postfix's smtp_mx_address_limit).
 */
#ifndef LISTSCRUB_PROBE_ADDRSEL_H
#define LISTSCRUB_PROBE_ADDRSEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns/mxlookup.h"

/* What the system says about reaching one destination. */
struct probe_addrsel_src {
	bool usable;		/* a route and a source address exist */
	int scope;		/* the source address's scope (RFC 6724 3.1:
				 * 2 link-local or loopback, 5 site, 14
				 * global); read only when usable */
};

/*
 * probe_addrsel_scope - the scope of an address (RFC 6724 3.1, IPv4 as
 * its IPv4-mapped form: 127/8 and 169.254/16 link-local, the rest
 * global).
 */
int probe_addrsel_scope(const struct mx_addr *a);

/*
 * probe_addrsel_precedence - its precedence in RFC 6724's default policy
 * table (2.1): ::1 50, ::/0 40, IPv4 35, 2002::/16 30, 2001::/32 5,
 * fc00::/7 3, fec0::/10 and 3ffe::/16 1, ::/96 1.
 */
int probe_addrsel_precedence(const struct mx_addr *a);

/*
 * probe_addrsel_source - ask the system (a UDP socket connected to a,
 * nothing sent) whether a can be reached and from which source; port is
 * the one that will be used. Never fails: unknown means unusable.
 */
void probe_addrsel_source(const struct mx_addr *a, unsigned port,
    struct probe_addrsel_src *src);

/*
 * probe_addrsel_order - the order of a[0..n-1] (n <= 255) given what the
 * system said about each (src[i]), into order[0..n-1] as indexes of a.
 * Pure: no I/O.
 */
void probe_addrsel_order(const struct mx_addr *a,
    const struct probe_addrsel_src *src, size_t n, uint8_t *order);

#endif
