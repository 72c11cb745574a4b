/*
 * probe_source - the local addresses outgoing SMTP connections leave
 * from (--source-address), and which of them each mail host gets.
 *
 * A mail host sticks to one source address of each family for the whole
 * run, chosen by a hash of its name (FNV-1a, 64 bits) modulo the number
 * of sources of that family: the same host gets the same source in every
 * run whatever the order of the input, so a greylister (which keys on
 * the client IP) sees its retry, and a re-scrub of the unknowns, come
 * from the address it saw first, and each source address keeps a
 * reputation of its own with the hosts it talks to. A host address of a
 * family without any source cannot be reached from here: the prober's
 * trouble, never the address's (validator/README, "Probe etiquette").
 *
 * Owns nothing beyond the struct. Parsing and the bind check fail with
 * a usage error in struct diag; the rest cannot fail.
 */
#ifndef LISTSCRUB_PROBE_SOURCE_H
#define LISTSCRUB_PROBE_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <netinet/in.h>
#include <sys/socket.h>

struct diag;

#define PROBE_SOURCE_MAX 16	/* addresses --source-address takes */

struct probe_source {
	int family;		/* AF_INET or AF_INET6 */
	union {
		struct in_addr v4;
		struct in6_addr v6;
	} u;
	char text[INET6_ADDRSTRLEN];	/* as inet_ntop writes it */
};

struct probe_sources {
	size_t n;		/* 0: the system chooses (no bind) */
	struct probe_source src[PROBE_SOURCE_MAX];
};

/*
 * probe_source_parse - list is "ADDR[,ADDR...]", IPv4 dotted quads or
 * IPv6 addresses (without brackets or zone); fills out. Returns 0, or -1
 * with d set (DIAG_USAGE) for an empty item, an address that is not one,
 * a repeated address, more than PROBE_SOURCE_MAX, or a wildcard,
 * multicast or broadcast address (no connection can leave from one).
 */
int probe_source_parse(const char *list, struct probe_sources *out,
    struct diag *d);

/*
 * probe_source_check - bind a TCP socket to each address (port 0) and
 * close it: an address that is not this host's (EADDRNOTAVAIL) or that
 * cannot be bound fails with d set (DIAG_USAGE) naming it. Nothing is
 * sent. Returns 0 or -1.
 */
int probe_source_check(const struct probe_sources *s, struct diag *d);

/* probe_source_hash - FNV-1a over the host name, ASCII case folded. */
uint64_t probe_source_hash(const char *host);

/*
 * probe_source_count - how many sources of family there are (all of
 * them for AF_UNSPEC).
 */
size_t probe_source_count(const struct probe_sources *s, int family);

/*
 * probe_source_pick - the index in s->src of the source host's
 * connections to an address of family leave from, or -1 when there is
 * none of that family (the address is not reachable from here). Pure.
 */
int probe_source_pick(const struct probe_sources *s, const char *host,
    int family);

/*
 * probe_source_sockaddr - the source as a sockaddr with port 0 (the
 * kernel picks the port at connect time), into ss; returns its length.
 */
socklen_t probe_source_sockaddr(const struct probe_source *src,
    struct sockaddr_storage *ss);

/* probe_source_family_name - "IPv4" or "IPv6". */
const char *probe_source_family_name(int family);

#endif
