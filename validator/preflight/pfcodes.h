/*
 * pfcodes - the sender preflight's pure tables: what a DNS blocklist's
 * answer means (RFC 5782 and each provider's return codes) and what an SPF
 * result (RFC 7208 section 2.6, as libspf2 reports it) means for a prober.
 * No I/O; unit-tested in tests/unit/t_preflight.c.
 */
#ifndef LISTSCRUB_PFCODES_H
#define LISTSCRUB_PFCODES_H

#include <stdbool.h>
#include <stdint.h>

/* A check's outcome. Names ("pass", "warn", "fail", "not_checked") are part
 * of the output contract (README, "Sender preflight"). */
enum pf_status {
	PF_PASS,
	PF_WARN,
	PF_FAIL,
	PF_SKIP		/* not checked */
};

/* pf_status_name - the stable word for st. */
const char *pf_status_name(enum pf_status st);

/* How a zone's answers are read. */
enum pf_dnsbl_kind {
	PF_DNSBL_GENERIC,	/* RFC 5782: any 127.0.0.0/8 answer but .1 */
	PF_DNSBL_SPAMHAUS	/* ZEN: SBL, CSS, XBL, DROP, PBL codes */
};

/* pfcodes_dnsbl_kind - the kind for "spamhaus" or "generic"; -1 else. */
int pfcodes_dnsbl_kind(const char *word);

/* What one A record in a DNSBL answer means. */
struct pf_dnsbl_meaning {
	enum pf_status status;	/* PF_FAIL listed, PF_WARN refused/odd */
	const char *list;	/* "SBL", "XBL", ..., "listed", "refused" */
	const char *meaning;	/* one sentence */
};

/* pfcodes_dnsbl - the meaning of answer a (IPv4, host byte order) from a
 * zone of the given kind. Never fails. */
void pfcodes_dnsbl(enum pf_dnsbl_kind kind, uint32_t a,
    struct pf_dnsbl_meaning *out);

/* What a listing on a known zone read the generic way (RFC 5782) means,
 * from the operator's own page (validator/README, "DNS facts"). */
struct pf_dnsbl_zone {
	const char *zone;	/* "bl.spamcop.net" */
	const char *about;	/* the list and what puts an IP on it */
	const char *fix;	/* how a listing ends */
};

/* pfcodes_dnsbl_zone - the entry for zone (ASCII case aside, one trailing
 * dot allowed), or NULL for a zone we know nothing particular about. */
const struct pf_dnsbl_zone *pfcodes_dnsbl_zone(const char *zone);

/* What an SPF result means for the prober. */
struct pf_spf_meaning {
	enum pf_status status;
	bool blocking;		/* every probe would be refused: stop a run */
	const char *word;	/* RFC 7208 result name: "pass", "fail", ... */
	const char *meaning;
	const char *fix;	/* NULL on pass */
};

/* pfcodes_spf - the meaning of libspf2's SPF_result_t value r and the
 * SPF_errcode_t err SPF_request_query_mailfrom returned (ints, so this
 * header needs no libspf2). libspf2 leaves r "invalid" when the record
 * does not compile: then err tells permerror (a record error) from
 * temperror (SPF_E_DNS_ERROR). Unknown values are a warning. */
void pfcodes_spf(int r, int err, struct pf_spf_meaning *out);

#endif
