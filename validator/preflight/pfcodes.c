/*
 * pfcodes - the sender preflight's return-code and SPF-result tables.
 * The contract is in pfcodes.h; the sources of each meaning are in
 * validator/README, "DNS facts" (DNS blocklists, SPF).
 */
#include "preflight/pfcodes.h"

#include <sys/types.h>

#include <arpa/nameser.h>
#include <netinet/in.h>

#include <spf2/spf.h>
#include <stddef.h>
#include <string.h>

#include "util/ascii.h"

const char *
pf_status_name(enum pf_status st)
{
	switch (st) {
	case PF_PASS:
		return "pass";
	case PF_WARN:
		return "warn";
	case PF_FAIL:
		return "fail";
	case PF_SKIP:
		return "not_checked";
	}
	return "not_checked";
}

int
pfcodes_dnsbl_kind(const char *word)
{
	if (strcmp(word, "generic") == 0)
		return PF_DNSBL_GENERIC;
	if (strcmp(word, "spamhaus") == 0)
		return PF_DNSBL_SPAMHAUS;
	return -1;
}

#define IP4(a, b, c, d) \
	(((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | \
	    ((uint32_t)(c) << 8) | (uint32_t)(d))

/* Spamhaus ZEN return codes (Spamhaus "DNSBL return codes"; rspamd and
 * luids-io tables agree). */
static const struct {
	uint8_t lo, hi;
	const char *list, *meaning;
} spamhaus[] = {
	{ 2, 2, "SBL", "Spamhaus Block List: a known spam source or "
	    "spam operation" },
	{ 3, 3, "CSS", "Spamhaus CSS: snowshoe or low-reputation mail "
	    "detected automatically" },
	{ 4, 7, "XBL", "Exploits Block List: an infected or hijacked host "
	    "(botnet, open proxy)" },
	{ 9, 9, "DROP", "Don't Route Or Peer: a hijacked or criminal "
	    "network" },
	{ 10, 11, "PBL", "Policy Block List: an end-user range that should "
	    "not send mail directly to MX hosts" },
};

void
pfcodes_dnsbl(enum pf_dnsbl_kind kind, uint32_t a,
    struct pf_dnsbl_meaning *out)
{
	size_t i;

	/* RFC 5782 2.1: answers are in 127.0.0.0/8; 127.0.0.1 is never a
	 * listing. Anything else is a wildcard or a hijacked zone. */
	if ((a >> 24) != 127 || a == IP4(127, 0, 0, 1)) {
		out->status = PF_WARN;
		out->list = "invalid";
		out->meaning = "the zone gave an answer that is not a listing "
		    "code (wildcard or misconfigured zone); ignored";
		return;
	}
	/* 127.255.255.0/24: the query was refused (Spamhaus: .252 typo in
	 * the zone name, .254 public/open resolver, .255 excessive queries);
	 * the prober's setup, not a listing. */
	if ((a >> 8) == IP4(127, 255, 255, 0) >> 8) {
		out->status = PF_WARN;
		out->list = "refused";
		out->meaning = "the blocklist refused the query (public or "
		    "open resolver, or too many queries); use your own "
		    "recursive resolver (--dns-server) or a DQS key";
		return;
	}
	if (kind == PF_DNSBL_SPAMHAUS) {
		for (i = 0; i < sizeof spamhaus / sizeof spamhaus[0]; i++) {
			if ((a >> 8) == IP4(127, 0, 0, 0) >> 8 &&
			    (a & 0xff) >= spamhaus[i].lo &&
			    (a & 0xff) <= spamhaus[i].hi) {
				out->status = PF_FAIL;
				out->list = spamhaus[i].list;
				out->meaning = spamhaus[i].meaning;
				return;
			}
		}
	}
	out->status = PF_FAIL;
	out->list = "listed";
	out->meaning = "listed (RFC 5782: an A record in 127.0.0.0/8 means "
	    "the address is on the list)";
}

/* Sources: Barracuda Central, "Barracuda Reputation Block List (BRBL) -
 * How to Use"; SpamCop, "SpamCop Blocking List" (spamcop.net/bl.shtml).
 * Neither page names return codes beyond RFC 5782's: any 127.0.0.0/8
 * answer is read as a listing (validator/README, "DNS facts"). */
static const struct pf_dnsbl_zone zones[] = {
	{ "b.barracudacentral.org", "Barracuda Reputation Block List "
	    "(BRBL), a standard DNSBL of IPs Barracuda observed sending "
	    "spam", "look the IP up at barracudacentral.org and request "
	    "removal there" },
	{ "bl.spamcop.net", "SpamCop Blocking List (SCBL): the IP sent "
	    "mail that SpamCop users or its traps reported; a listing ends "
	    "by itself when the reports stop", "find what was reported at "
	    "spamcop.net/bl.shtml?IP and stop it; the listing expires on "
	    "its own" },
};

const struct pf_dnsbl_zone *
pfcodes_dnsbl_zone(const char *zone)
{
	size_t i, len = strlen(zone);

	if (len > 0 && zone[len - 1] == '.')
		len--;
	for (i = 0; i < sizeof zones / sizeof zones[0]; i++)
		if (strlen(zones[i].zone) == len &&
		    ascii_ncasecmp(zones[i].zone, zone, len) == 0)
			return &zones[i];
	return NULL;
}

void
pfcodes_spf(int r, int err, struct pf_spf_meaning *out)
{
	out->blocking = false;
	if ((SPF_result_t)r == SPF_RESULT_INVALID && err != SPF_E_SUCCESS) {
		switch ((SPF_errcode_t)err) {
		case SPF_E_DNS_ERROR:
			r = SPF_RESULT_TEMPERROR;
			break;
		case SPF_E_NO_MEMORY:
		case SPF_E_INTERNAL_ERROR:
		case SPF_E_NOT_CONFIG:
			break;
		default:	/* the record: syntax, limits (RFC 7208 4.6) */
			r = SPF_RESULT_PERMERROR;
			break;
		}
	}
	out->fix = "publish or extend the MAIL FROM domain's SPF record "
	    "(TXT \"v=spf1 ip4:ADDR ... -all\") to include the probing IP";
	switch ((SPF_result_t)r) {
	case SPF_RESULT_PASS:
		out->status = PF_PASS;
		out->word = "pass";
		out->meaning = "the domain's SPF record authorises the IP";
		out->fix = NULL;
		return;
	case SPF_RESULT_FAIL:
		out->status = PF_FAIL;
		out->blocking = true;
		out->word = "fail";
		out->meaning = "the domain's SPF record says the IP may not "
		    "send for it; receivers reject MAIL FROM";
		return;
	case SPF_RESULT_SOFTFAIL:
		out->status = PF_WARN;
		out->word = "softfail";
		out->meaning = "the domain's SPF record says the IP is "
		    "probably not authorised (~all)";
		return;
	case SPF_RESULT_NEUTRAL:
		out->status = PF_WARN;
		out->word = "neutral";
		out->meaning = "the domain's SPF record makes no assertion "
		    "about the IP (?all)";
		return;
	case SPF_RESULT_NONE:
		out->status = PF_WARN;
		out->word = "none";
		out->meaning = "the domain publishes no SPF record";
		return;
	case SPF_RESULT_TEMPERROR:
		out->status = PF_WARN;
		out->word = "temperror";
		out->meaning = "SPF could not be evaluated (DNS trouble); "
		    "try again";
		out->fix = "check the --dns-server and the domain's DNS";
		return;
	case SPF_RESULT_PERMERROR:
		out->status = PF_FAIL;
		out->word = "permerror";
		out->meaning = "the domain's SPF record is broken (syntax, "
		    "too many lookups); many receivers treat it as fail";
		out->fix = "repair the SPF record (RFC 7208 4.6, 4.6.4)";
		return;
	case SPF_RESULT_INVALID:
	default:
		break;
	}
	out->status = PF_WARN;
	out->word = "unknown";
	out->meaning = "libspf2 returned no usable result";
	out->fix = "check the MAIL FROM address and the domain's DNS";
}
