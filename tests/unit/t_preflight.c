/*
 * t_preflight - the sender preflight's pure tables (validator/preflight/
 * pfcodes.c): DNS blocklist return codes (RFC 5782, Spamhaus ZEN) and the
 * mapping of libspf2's results and errors; the --dnsbl syntax check. The
 * checks themselves run against the loopback NSD in tests/dns/t_preflight.sh.
 */
#include <sys/types.h>

#include <arpa/nameser.h>
#include <netinet/in.h>

#include <spf2/spf.h>
#include <string.h>

#include "preflight/pfcodes.h"
#include "preflight/preflight.h"
#include "util/diag.h"
#include "tap.h"

#define IP4(a, b, c, d) \
	(((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | \
	    ((uint32_t)(c) << 8) | (uint32_t)(d))

static void
dnsbl(enum pf_dnsbl_kind k, uint32_t a, enum pf_status st, const char *list)
{
	struct pf_dnsbl_meaning m;

	pfcodes_dnsbl(k, a, &m);
	ok(m.status == st && strcmp(m.list, list) == 0,
	    "%s 127.%u.%u.%u -> %s %s (got %s %s)",
	    k == PF_DNSBL_SPAMHAUS ? "spamhaus" : "generic",
	    (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff,
	    pf_status_name(st), list, pf_status_name(m.status), m.list);
}

static void
spf(int r, int err, enum pf_status st, bool blocking, const char *word)
{
	struct pf_spf_meaning m;

	pfcodes_spf(r, err, &m);
	ok(m.status == st && m.blocking == blocking &&
	    strcmp(m.word, word) == 0 && (st == PF_PASS) == (m.fix == NULL),
	    "SPF %d/%d -> %s%s %s (got %s%s %s)", r, err,
	    pf_status_name(st), blocking ? " blocking" : "", word,
	    pf_status_name(m.status), m.blocking ? " blocking" : "", m.word);
}

int
main(void)
{
	struct diag d;
	unsigned i;

	/* Spamhaus ZEN */
	dnsbl(PF_DNSBL_SPAMHAUS, IP4(127, 0, 0, 2), PF_FAIL, "SBL");
	dnsbl(PF_DNSBL_SPAMHAUS, IP4(127, 0, 0, 3), PF_FAIL, "CSS");
	for (i = 4; i <= 7; i++)
		dnsbl(PF_DNSBL_SPAMHAUS, IP4(127, 0, 0, i), PF_FAIL, "XBL");
	dnsbl(PF_DNSBL_SPAMHAUS, IP4(127, 0, 0, 9), PF_FAIL, "DROP");
	dnsbl(PF_DNSBL_SPAMHAUS, IP4(127, 0, 0, 10), PF_FAIL, "PBL");
	dnsbl(PF_DNSBL_SPAMHAUS, IP4(127, 0, 0, 11), PF_FAIL, "PBL");
	dnsbl(PF_DNSBL_SPAMHAUS, IP4(127, 0, 0, 8), PF_FAIL, "listed");
	dnsbl(PF_DNSBL_SPAMHAUS, IP4(127, 255, 255, 252), PF_WARN, "refused");
	dnsbl(PF_DNSBL_SPAMHAUS, IP4(127, 255, 255, 254), PF_WARN, "refused");
	dnsbl(PF_DNSBL_SPAMHAUS, IP4(127, 255, 255, 255), PF_WARN, "refused");
	dnsbl(PF_DNSBL_SPAMHAUS, IP4(127, 0, 0, 1), PF_WARN, "invalid");
	dnsbl(PF_DNSBL_SPAMHAUS, IP4(192, 0, 2, 1), PF_WARN, "invalid");
	/* generic (RFC 5782) */
	dnsbl(PF_DNSBL_GENERIC, IP4(127, 0, 0, 2), PF_FAIL, "listed");
	dnsbl(PF_DNSBL_GENERIC, IP4(127, 0, 0, 10), PF_FAIL, "listed");
	dnsbl(PF_DNSBL_GENERIC, IP4(127, 0, 0, 1), PF_WARN, "invalid");
	dnsbl(PF_DNSBL_GENERIC, IP4(10, 0, 0, 2), PF_WARN, "invalid");
	dnsbl(PF_DNSBL_GENERIC, IP4(127, 255, 255, 254), PF_WARN, "refused");
	is_int(pfcodes_dnsbl_kind("spamhaus"), PF_DNSBL_SPAMHAUS, "kind spamhaus");
	is_int(pfcodes_dnsbl_kind("nope"), -1, "unknown kind");

	/* SPF results (RFC 7208 2.6) */
	spf(SPF_RESULT_PASS, SPF_E_SUCCESS, PF_PASS, false, "pass");
	spf(SPF_RESULT_FAIL, SPF_E_SUCCESS, PF_FAIL, true, "fail");
	spf(SPF_RESULT_SOFTFAIL, SPF_E_SUCCESS, PF_WARN, false, "softfail");
	spf(SPF_RESULT_NEUTRAL, SPF_E_SUCCESS, PF_WARN, false, "neutral");
	spf(SPF_RESULT_NONE, SPF_E_SUCCESS, PF_WARN, false, "none");
	spf(SPF_RESULT_TEMPERROR, SPF_E_SUCCESS, PF_WARN, false, "temperror");
	spf(SPF_RESULT_PERMERROR, SPF_E_SUCCESS, PF_FAIL, false, "permerror");
	/* libspf2 leaves "invalid" on a record that does not compile */
	spf(SPF_RESULT_INVALID, SPF_E_UNKNOWN_MECH, PF_FAIL, false, "permerror");
	spf(SPF_RESULT_INVALID, SPF_E_BIG_DNS, PF_FAIL, false, "permerror");
	spf(SPF_RESULT_INVALID, SPF_E_DNS_ERROR, PF_WARN, false, "temperror");
	spf(SPF_RESULT_INVALID, SPF_E_SUCCESS, PF_WARN, false, "unknown");
	spf(SPF_RESULT_INVALID, SPF_E_NO_MEMORY, PF_WARN, false, "unknown");

	/* --dnsbl syntax */
	is_int(preflight_check_zones("zen.test=spamhaus,bl.test", &d), 0,
	    "--dnsbl with a kind and without");
	is_int(preflight_check_zones("zen.test=bogus", &d), -1, "bad kind");
	is_int(preflight_check_zones("a,,b", &d), -1, "empty zone");
	return done_testing();
}
