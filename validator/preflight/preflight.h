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
 * MAIL FROM domain that does not exist) would get every probe refused.
 *
 * DNS goes through one private c-ares channel with the run's servers; the
 * queries are made one at a time, each waited for (there are a dozen, once
 * per run, before any probe).
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
#define PREFLIGHT_MAX_CHECKS	(PREFLIGHT_MAX_ZONES + 5)

struct preflight_opts {
	const char *helo;	/* the EHLO name the probes will use */
	const char *mail_from;	/* the MAIL FROM address */
	const char *source;	/* the probing IP; NULL = the default route's */
	const char *dnsbl;	/* "ZONE[=KIND],..."; NULL = the default */
	const char *const *servers;	/* "HOST[:PORT]"; 0 = resolv.conf */
	size_t nservers;
	const char *port25;	/* "HOST[:PORT]" to connect to; NULL = skip */
	unsigned timeout_ms;	/* per DNS try and for the connect; 0 = 2000 */
};

struct preflight_check {
	char name[216];		/* "dnsbl:zen.spamhaus.org", "fcrdns", ... */
	enum pf_status status;
	bool blocking;		/* a failure that gets every probe refused */
	char detail[320];	/* what was found */
	char meaning[320];	/* what it means */
	char fix[320];		/* what to do; "" on pass */
};

struct preflight_result {
	char ip[64];		/* the probing IP checked */
	bool ip_given;		/* from --source-address */
	char helo[256];
	char mail_from[320];
	size_t n;
	struct preflight_check checks[PREFLIGHT_MAX_CHECKS];
};

/* preflight_check_zones - validate a --dnsbl value; 0, or -1 with d set. */
int preflight_check_zones(const char *zones, struct diag *d);

/* preflight_run - run every check into r. -1 (d set) only when the checks
 * cannot run at all (bad options, no probing IP, c-ares init). */
int preflight_run(const struct preflight_opts *o, struct preflight_result *r,
    struct diag *d);

/* preflight_blocking - the number of blocking failures in r. */
size_t preflight_blocking(const struct preflight_result *r);

/* preflight_write_text - the checks, one block each, for a terminal. */
void preflight_write_text(FILE *f, const struct preflight_result *r);

/* preflight_write_json - r as one JSON object (no newline at the end):
 * {"ip":...,"helo":...,"mail_from":...,"blocking":N,
 *  "checks":[{"name","status","blocking","detail","meaning","fix"}...]} */
void preflight_write_json(FILE *f, const struct preflight_result *r);

#endif
