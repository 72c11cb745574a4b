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
#include <stdio.h>
#include <stdlib.h>
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

/* check - fill c. */
static void
check(struct preflight_check *c, const char *ip, const char *name,
    enum pf_status st, bool blocking)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->ip, sizeof(c->ip), "%s", ip);
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->status = st;
	c->blocking = blocking;
}

/* blocking - preflight_blocking_ips and preflight_domain_blocking over a
 * three-IP result, and what the JSON and text outputs say of them. */
static void
blocking(void)
{
	struct preflight_check c[6];
	struct preflight_result r;
	char ips[200], *text = NULL;
	size_t len = 0;
	FILE *f;

	memset(&r, 0, sizeof(r));
	r.nip = 3;
	snprintf(r.ips[0], sizeof(r.ips[0]), "192.0.2.1");
	snprintf(r.ips[1], sizeof(r.ips[1]), "192.0.2.2");
	snprintf(r.ips[2], sizeof(r.ips[2]), "2001:db8::3");
	r.ip_given = true;
	r.checks = c;
	r.n = 6;
	check(&c[0], "192.0.2.1", "dnsbl:zen.test", PF_PASS, false);
	check(&c[1], "192.0.2.2", "dnsbl:zen.test", PF_FAIL, true);
	check(&c[2], "192.0.2.2", "fcrdns", PF_FAIL, true);
	check(&c[3], "2001:db8::3", "spf", PF_FAIL, false);	/* permerror */
	check(&c[4], "", "dmarc", PF_WARN, false);
	check(&c[5], "", "mx", PF_PASS, false);
	is_int((int)preflight_blocking(&r), 2, "two blocking failures");
	is_int((int)preflight_blocking_ips(&r, ips, sizeof(ips)), 1,
	    "of one IP");
	is_str(ips, "192.0.2.2", "named");
	ok(!preflight_domain_blocking(&r), "none of the domain");
	if ((f = open_memstream(&text, &len)) == NULL)
		abort();
	preflight_write_text(f, &r);
	fclose(f);
	ok(strstr(text, "refuse the probes from 192.0.2.2 ") != NULL &&
	    strstr(text, " probing IP 2001:db8::3:\n") != NULL &&
	    strstr(text, " the MAIL FROM domain:\n") != NULL,
	    "text: the IP whose probes would be refused, a block per IP");
	free(text);
	text = NULL;
	if ((f = open_memstream(&text, &len)) == NULL)
		abort();
	preflight_write_json(f, &r);
	fclose(f);
	ok(strstr(text, "\"ips\":[\"192.0.2.1\",\"192.0.2.2\","
	    "\"2001:db8::3\"]") != NULL && strstr(text, "\"blocking\":2,"
	    "\"blocking_ips\":[\"192.0.2.2\"]") != NULL &&
	    strstr(text, "{\"ip\":\"\",\"name\":\"mx\"") != NULL,
	    "json: ips, blocking_ips, the domain's checks with ip \"\"");
	free(text);

	/* a blocking failure of the domain (MAIL FROM NXDOMAIN) and of every
	 * IP; a short buffer is cut, the count stays */
	check(&c[5], "", "mx", PF_FAIL, true);
	check(&c[0], "192.0.2.1", "dnsbl:zen.test", PF_FAIL, true);
	check(&c[3], "2001:db8::3", "spf", PF_FAIL, true);
	ok(preflight_domain_blocking(&r), "the domain's mx blocks");
	is_int((int)preflight_blocking_ips(&r, ips, sizeof(ips)), 3,
	    "three IPs");
	is_str(ips, "192.0.2.1, 192.0.2.2, 2001:db8::3", "all named");
	is_int((int)preflight_blocking_ips(&r, ips, 12), 3,
	    "a short buffer: the count stays");
	is_str(ips, "192.0.2.1, ", "and the list is cut");
	text = NULL;
	if ((f = open_memstream(&text, &len)) == NULL)
		abort();
	preflight_write_text(f, &r);
	fclose(f);
	ok(strstr(text, "would refuse every probe;") != NULL, "text: every "
	    "probe refused");
	free(text);
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

	/* zones read the generic way, explained from the operators' pages */
	ok(pfcodes_dnsbl_zone("bl.spamcop.net") != NULL &&
	    strstr(pfcodes_dnsbl_zone("bl.spamcop.net")->about, "SpamCop") !=
	    NULL, "bl.spamcop.net: SpamCop's list");
	ok(pfcodes_dnsbl_zone("B.BarracudaCentral.org.") != NULL &&
	    strstr(pfcodes_dnsbl_zone("b.barracudacentral.org")->about,
	    "BRBL") != NULL, "b.barracudacentral.org, case and trailing dot "
	    "aside: Barracuda's list");
	ok(pfcodes_dnsbl_zone("zen.spamhaus.org") == NULL &&
	    pfcodes_dnsbl_zone("spamcop.net") == NULL &&
	    pfcodes_dnsbl_zone("xbl.spamcop.net") == NULL,
	    "other zones: nothing particular");

	/* which IPs have a blocking failure of their own */
	blocking();

	/* --dnsbl syntax */
	is_int(preflight_check_zones("zen.test=spamhaus,bl.test", &d), 0,
	    "--dnsbl with a kind and without");
	is_int(preflight_check_zones("zen.test=bogus", &d), -1, "bad kind");
	is_int(preflight_check_zones("a,,b", &d), -1, "empty zone");
	return done_testing();
}
