/*
 * classify - pure policy: the evidence gathered for one row becomes a
 * verdict (status, sub-status, reason) and, under the run's policy, an
 * action. No I/O, no state: the same evidence always gives the same verdict.
 */
#ifndef LISTSCRUB_CLASSIFY_H
#define LISTSCRUB_CLASSIFY_H

#include <stdbool.h>
#include <stdint.h>

#include "address/addr_check.h"
#include "verdict/verdict.h"

/* What the SMTP stage learned about one address (NULL evidence: not asked). */
/* Bytes of server text kept; RFC 5321 4.5.3.1.5 allows 512 a line. */
#define PROBE_TEXT_MAX 200

enum probe_tri { PROBE_TRI_UNSET, PROBE_TRI_YES, PROBE_TRI_NO };

struct probe_result {
	uint16_t sub;		/* enum verdict_sub; SUB_LAST: no answer */
	uint16_t code;		/* SMTP reply code, 0: none */
	char enhanced[16];	/* "5.1.1" or "" */
	const char *text;	/* server text, made safe, or NULL */
	uint8_t tls;		/* enum probe_tri: was the session TLS */
	uint8_t catch_all;	/* enum probe_tri: the domain accepts all */
};

/* What the DNS stage learned about the address's domain. */
enum evidence_dns {
	EVDNS_NONE,		/* not looked up (offline, IP literal, ...) */
	EVDNS_OK,		/* MX hosts with usable addresses */
	EVDNS_IMPLICIT,		/* no MX; the domain's own A/AAAA */
	EVDNS_NULL_MX,
	EVDNS_NXDOMAIN,
	EVDNS_NO_HOST,
	EVDNS_TIMEOUT,
	EVDNS_ERROR
};

struct evidence {
	const char *malformed;	/* CSV trouble for the row, or NULL */
	const struct addr_result *addr;	/* NULL when malformed */
	bool role;
	bool disposable;
	bool free_mail;
	const char *suggest;	/* a corrected domain, or NULL */
	uint64_t duplicate_of;	/* row of the first occurrence, or 0 */
	enum evidence_dns dns;
	const char *dns_detail;	/* why, for the failures; may be NULL */
	const struct probe_result *smtp;	/* SMTP answer, or NULL */
};

struct verdict {
	enum verdict_sub sub;
	enum verdict_status status;
	enum verdict_action action;
	bool flags_known;	/* role/disposable/free were checked */
	const char *reason;	/* points into reason_buf or a static string */
	char reason_buf[320];
};

/* classify - the verdict for e (action left as ACTION_KEEP). */
void classify(const struct evidence *e, struct verdict *v);

struct classify_policy {
	enum verdict_policy policy;
	uint64_t keep_subs;	/* bit per enum verdict_sub */
	uint64_t remove_subs;
};

/* classify_action - set v->action from the policy and the overrides. */
void classify_action(const struct classify_policy *p, bool role,
    struct verdict *v);

#endif
