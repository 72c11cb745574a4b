/*
 * mxlookup - where mail for a domain goes (RFC 5321 5.1, RFC 7505 null MX,
 * RFC 2181 10.3), resolved with one c-ares channel driven by our evloop.
 *
 * Per domain: MX query; null MX; implicit MX (the domain's own A/AAAA) on
 * NODATA; MX hosts sorted by preference with equal preferences shuffled;
 * the A and AAAA of up to MXLOOKUP_MAX_HOSTS hosts. Addresses that are not
 * globally routable (see mxlookup_addr_reserved) are not usable unless
 * allow_reserved is set (loopback tests).
 *
 * Never fails the run: lookup trouble is an mx_outcome in the result.
 * A timeout, SERVFAIL, REFUSED, no reachable server or a bad answer gives
 * MX_TIMEOUT or MX_ERROR, never a definitive (negative) outcome.
 * The caller deduplicates domains; the A/AAAA of each mail host are asked
 * once per run (a memo by host name).
 */
#ifndef LISTSCRUB_MXLOOKUP_H
#define LISTSCRUB_MXLOOKUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <netinet/in.h>
#include <sys/socket.h>

struct diag;
struct evloop;
struct mxlookup;

/* Hosts resolved per domain, after sorting (RFC 5321 5.1 "SHOULD try at
 * least two"; more than 10 is only load). */
#define MXLOOKUP_MAX_HOSTS 10
/* Usable addresses kept per host and address family. */
#define MXLOOKUP_MAX_ADDRS 8

enum mx_outcome {
	MX_OK,		/* >= 1 MX host with a usable address */
	MX_IMPLICIT,	/* no MX; the domain's own A/AAAA is usable */
	MX_NULL,	/* RFC 7505: MX 0 "." only - accepts no mail */
	MX_NXDOMAIN,	/* the domain does not exist */
	MX_NO_HOST,	/* definitive: no usable mail host at all */
	MX_TIMEOUT,	/* temporary: no answer in time */
	MX_ERROR,	/* temporary: SERVFAIL, REFUSED, no server, bad answer */
	MX_OUTCOME_LAST
};

/* mx_outcome_name - stable lowercase word ("ok", "null_mx", ...). */
const char *mx_outcome_name(enum mx_outcome o);

/* Result flags (struct mx_result.flags). */
#define MX_F_IMPLICIT		0x01	/* hosts[0] is the domain itself */
#define MX_F_NULLMX_MIXED	0x02	/* null MX next to real ones; dropped */
#define MX_F_CNAME_TARGET	0x04	/* an MX target was a CNAME (followed) */
#define MX_F_IP_LITERAL_TARGET	0x08	/* an MX target was an IP (skipped) */
#define MX_F_RESERVED_ONLY	0x10	/* addresses found were all reserved */

/* Per-host flags (struct mx_host.flags). */
#define MX_H_CNAME		0x01	/* the name was an alias */
#define MX_H_IP_LITERAL		0x02	/* "MX 10 192.0.2.1.": not looked up */
#define MX_H_RESERVED		0x04	/* had reserved addresses (dropped
					 * unless allow_reserved) */
#define MX_H_TEMPFAIL		0x08	/* A or AAAA failed temporarily */
#define MX_H_NOADDR		0x10	/* A and AAAA: NXDOMAIN or NODATA */

struct mx_addr {
	sa_family_t family;	/* AF_INET or AF_INET6 */
	union {
		struct in_addr v4;
		struct in6_addr v6;
	} u;
};

struct mx_host {
	const char *name;	/* as in the MX RDATA, no trailing dot */
	unsigned preference;
	unsigned flags;		/* MX_H_* */
	size_t naddrs;		/* usable addresses: IPv4 first, then IPv6 */
	const struct mx_addr *addrs;
};

struct mx_result {
	enum mx_outcome outcome;
	const char *domain;	/* as submitted */
	unsigned flags;		/* MX_F_* */
	size_t nmx;		/* MX records in the answer, null MX excluded */
	size_t nhosts;		/* <= MXLOOKUP_MAX_HOSTS */
	const struct mx_host *hosts;	/* delivery order; naddrs may be 0 */
	const char *detail;	/* short reason text, never NULL */
};

struct mxlookup_opts {
	/* "HOST[:PORT]" each, IPv6 as "[::1]:5353"; nservers 0 = the
	 * system's resolv.conf. Borrowed during mxlookup_new only. */
	const char *const *servers;
	size_t nservers;
	/* First-try timeout; 0 = 1000. c-ares doubles it per round, so with
	 * one server the worst case per query is
	 * timeout_ms * (2^tries - 1): 1000 * 3 = 3 s with the defaults. A
	 * domain needs up to two rounds of queries (MX, then A/AAAA). */
	unsigned timeout_ms;
	unsigned tries;		/* per server; 0 = 2 */
	unsigned concurrency;	/* c-ares queries in flight; 0 = 256 */
	bool allow_reserved;	/* loopback/private addresses are usable */
	uint64_t seed;		/* shuffle of equal preferences; 0 = clock */
	/* not 0: equal preferences in an order that is a function of this
	 * and the host names (--now: the same in every process) */
	uint64_t tie_seed;
};

struct mxlookup_stats {
	uint64_t domains_done;	/* done callbacks made */
	uint64_t queries_mx;	/* ares_query calls, by type */
	uint64_t queries_a;
	uint64_t queries_aaaa;
	uint64_t answers;	/* queries that got a DNS answer (any rcode) */
	uint64_t timeouts;	/* queries that ended in ARES_ETIMEOUT */
	uint64_t errors;	/* queries that ended in another failure */
	uint64_t retransmits;	/* c-ares per-try timeouts, summed */
	size_t max_inflight;	/* highest number of queries in flight */
};

/*
 * mx_result_cb - a domain is done. res and everything it points to are
 * valid only during the call; copy what you keep. Called exactly once per
 * mxlookup_submit, always from evloop_run_once (never from inside
 * mxlookup_submit). It may call mxlookup_submit, but not mxlookup_free.
 */
typedef void (*mx_result_cb)(void *arg, const struct mx_result *res);

/*
 * mxlookup_new - a c-ares channel on loop with options o (NULL = defaults).
 * Calls ares_library_init (reference-counted by c-ares). Returns NULL with
 * d set when c-ares cannot be initialised or a server string is bad.
 * loop must outlive the mxlookup.
 */
struct mxlookup *mxlookup_new(struct evloop *loop,
    const struct mxlookup_opts *o, struct diag *d);

/*
 * mxlookup_submit - queue domain (an A-label, no trailing dot; copied) and
 * call done(arg, result) when it is resolved. The lookup starts when the
 * concurrency cap leaves room; queries of domains already started go
 * before new domains. Returns 0, or -1 with d set when domain is empty or
 * longer than 253 bytes (done is then never called).
 */
int mxlookup_submit(struct mxlookup *m, const char *domain, mx_result_cb done,
    void *arg, struct diag *d);

/* mxlookup_pending - submitted domains whose done has not been called.
 * Run evloop_run_once until this is 0. */
size_t mxlookup_pending(const struct mxlookup *m);

/* mxlookup_inflight - c-ares queries in flight now (<= concurrency). */
size_t mxlookup_inflight(const struct mxlookup *m);

/* mxlookup_stats - counters since mxlookup_new; valid until the next
 * call into m. */
const struct mxlookup_stats *mxlookup_stats(const struct mxlookup *m);

/*
 * mxlookup_free - cancel everything (ares_destroy) and release it. No done
 * callback is made for domains still pending. Call it before
 * evloop_free; never from inside a done callback. NULL is a no-op.
 */
void mxlookup_free(struct mxlookup *m);

/*
 * mxlookup_addr_reserved - whether a is not a place to deliver mail:
 * 0/8, 10/8, 100.64/10, 127/8, 169.254/16, 172.16/12, 192.168/16, 224/4,
 * 240/4; ::, ::1, fe80::/10, fc00::/7, ff00::/8 and IPv4-mapped forms of
 * the IPv4 ranges. Documentation ranges (192.0.2/24, 2001:db8::/32) are
 * not reserved, so tests can use them as "public" addresses.
 */
bool mxlookup_addr_reserved(const struct mx_addr *a);

#endif
