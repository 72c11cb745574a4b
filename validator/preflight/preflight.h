/*
 * preflight - the sender preflight: before probing, check what every
 * receiver will check about the prober (validator/README, "Probe
 * etiquette"; README, "Sender preflight"):
 *   dnsbl:ZONE  the probing IP on each DNS blocklist (RFC 5782)
 *   fcrdns      the IP's PTR names the HELO name, which resolves back
 *   spf         the MAIL FROM domain's SPF authorises the IP (RFC 7208,
 *               evaluated by libspf2 over our c-ares queries)
 *   dmarc       the MAIL FROM domain has a DMARC record (RFC 7489 6.1)
 *   mx          the MAIL FROM domain has a mail host, so bounces arrive
 *   port25      a TCP connect to a named test host's port 25
 * Each check is pass / warn / fail / not_checked with its meaning and the
 * fix. A blocking failure (listed on a blocklist, SPF fail, no FCrDNS, a
 * MAIL FROM domain that does not exist) would get every probe refused, or,
 * for one of several probing IPs, that IP's share of them.
 *
 * Every probing IP is checked (dnsbl, fcrdns, spf, port25 each); the MAIL
 * FROM domain's dmarc and mx once. The DNS queries of all the checks go out
 * at once on one private c-ares channel driven by an evloop of its own; SPF
 * runs in libspf2, whose DNS layer must answer synchronously, so each SPF
 * evaluation waits for its own queries (on the same loop, while the other
 * queries are in flight). The whole preflight is bounded: after 4 times the
 * DNS timeout what has not answered is cancelled and its check is a warning
 * ("could not check"), never a failure (validator/README, "DNS facts").
 */
#ifndef LISTSCRUB_PREFLIGHT_H
#define LISTSCRUB_PREFLIGHT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "preflight/pfcodes.h"

struct diag;

/* The zones checked when none are named: Spamhaus ZEN, Barracuda, SpamCop.
 * ZONE[=KIND], KIND "spamhaus" or "generic" (the default). */
#define PREFLIGHT_DNSBL_DEFAULT \
	"zen.spamhaus.org=spamhaus,b.barracudacentral.org,bl.spamcop.net"
#define PREFLIGHT_MAX_ZONES	8
#define PREFLIGHT_MAX_IPS	16	/* as many as --source-address takes */

struct preflight_opts {
	const char *helo;	/* the EHLO name the probes will use */
	const char *mail_from;	/* the MAIL FROM address */
	const char *const *sources;	/* the probing IPs; 0 = the default
					 * route's address */
	size_t nsources;
	const char *dnsbl;	/* "ZONE[=KIND],..."; NULL = the default */
	const char *const *servers;	/* "HOST[:PORT]"; 0 = resolv.conf */
	size_t nservers;
	const char *port25;	/* "HOST[:PORT]" to connect to; NULL = skip */
	unsigned timeout_ms;	/* per DNS try and for the connect; 0 = 2000;
				 * the whole preflight ends by 4 times it */
};

struct preflight_check {
	char ip[64];		/* the probing IP checked; "" for the MAIL
				 * FROM domain's checks (dmarc, mx) */
	char name[216];		/* "dnsbl:zen.spamhaus.org", "fcrdns", ... */
	enum pf_status status;
	bool blocking;		/* a failure that gets every probe refused */
	char detail[320];	/* what was found */
	char meaning[320];	/* what it means */
	char fix[320];		/* what to do; "" on pass */
};

/* The checks in a fixed order whatever order the answers came in: each
 * probing IP's (dnsbl zones, fcrdns, spf, port25) in the order the IPs were
 * given, then the MAIL FROM domain's (dmarc, mx). */
struct preflight_result {
	size_t nip;
	char ips[PREFLIGHT_MAX_IPS][64];	/* the probing IPs checked */
	bool ip_given;		/* from --source-address */
	char helo[256];
	char mail_from[320];
	unsigned bound_ms;	/* the time limit the run had */
	size_t n;
	struct preflight_check *checks;	/* owned; preflight_result_free */
};

/* preflight_check_zones - validate a --dnsbl value; 0, or -1 with d set. */
int preflight_check_zones(const char *zones, struct diag *d);

/* preflight_run - run every check into r (r is reset first; free it with
 * preflight_result_free also after a failure). -1 (d set) only when the
 * checks cannot run at all (bad options, no probing IP, c-ares init). */
int preflight_run(const struct preflight_opts *o, struct preflight_result *r,
    struct diag *d);

/* preflight_result_free - release r's checks; r may be reused. */
void preflight_result_free(struct preflight_result *r);

/* preflight_blocking - the number of blocking failures in r. */
size_t preflight_blocking(const struct preflight_result *r);

/* preflight_blocking_ips - the probing IPs with a blocking failure of
 * their own, ", "-separated into out (truncated to size); returns how
 * many. A blocking failure of the MAIL FROM domain is no IP's. */
size_t preflight_blocking_ips(const struct preflight_result *r, char *out,
    size_t size);

/* preflight_domain_blocking - whether the MAIL FROM domain's checks have a
 * blocking failure (every probe, from every IP, would be refused). */
bool preflight_domain_blocking(const struct preflight_result *r);

/* preflight_write_text - the checks, one block each, for a terminal. */
void preflight_write_text(FILE *f, const struct preflight_result *r);

/* preflight_write_json - r as one JSON object (no newline at the end):
 * {"ip":FIRST,"ips":[...],"helo":...,"mail_from":...,"blocking":N,
 *  "blocking_ips":[...],
 *  "checks":[{"ip","name","status","blocking","detail","meaning","fix"}...]}
 * "ip" of a MAIL FROM domain check is "". */
void preflight_write_json(FILE *f, const struct preflight_result *r);

#endif
