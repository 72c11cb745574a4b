/*
 * t_probe_source - --source-address (validator/probe/probe_source.c):
 * parsing, the bind check, and which source each mail host gets: stable
 * (the same host, any spelling of its case, the same source in every
 * run), spread over the sources, and none for a family without one.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "probe/probe_source.h"
#include "tap.h"
#include "util/diag.h"

/* parse_ok - list parses; returns the count, -1 on failure */
static int
parse_ok(const char *list, struct probe_sources *ps)
{
	struct diag d = { 0 };

	if (probe_source_parse(list, ps, &d) != 0)
		return -1;
	return (int)ps->n;
}

/* parse_err - list is refused with a usage error naming want */
static int
parse_err(const char *list, const char *want)
{
	struct probe_sources ps;
	struct diag d = { 0 };

	return probe_source_parse(list, &ps, &d) == -1 &&
	    d.code == DIAG_USAGE && strstr(d.msg, want) != NULL;
}

int
main(void)
{
	struct probe_sources ps, one, v6;
	struct diag d = { 0 };
	char name[64];
	unsigned count[3] = { 0, 0, 0 };
	int stable = 1, mixed = 1, k;

	/* parsing */
	is_int(parse_ok("127.0.0.11,127.0.0.12", &ps), 2, "two IPv4");
	is_str(ps.src[1].text, "127.0.0.12", "text kept");
	is_int(parse_ok("2001:DB8::1,192.0.2.7", &ps), 2, "mixed families");
	is_str(ps.src[0].text, "2001:db8::1", "IPv6 in inet_ntop form");
	is_int(ps.src[0].family, AF_INET6, "family v6");
	is_int(ps.src[1].family, AF_INET, "family v4");
	ok(parse_err("", "ADDR[,ADDR...]"), "empty list refused");
	ok(parse_err("127.0.0.1,", "ADDR[,ADDR...]"), "empty item refused");
	ok(parse_err("127.0.0.1,,127.0.0.2", "ADDR[,ADDR...]"),
	    "empty item in the middle refused");
	ok(parse_err("mx.example.com", "not an IPv4 or IPv6"),
	    "a name refused");
	ok(parse_err("127.0.0.1:25", "not an IPv4 or IPv6"),
	    "a port refused");
	ok(parse_err("[::1]", "not an IPv4 or IPv6"), "brackets refused");
	ok(parse_err("127.0.0.1,127.0.0.01", "not an IPv4 or IPv6") ||
	    parse_err("127.0.0.1,127.0.0.01", "twice"),
	    "leading zero octet refused");
	ok(parse_err("::1,0:0::1", "twice"), "the same address twice refused");
	ok(parse_err("0.0.0.0", "leave from"), "IPv4 wildcard refused");
	ok(parse_err("::", "leave from"), "IPv6 wildcard refused");
	ok(parse_err("224.0.0.1", "leave from"), "multicast refused");
	ok(parse_err("255.255.255.255", "leave from"), "broadcast refused");
	ok(parse_err("ff02::1", "leave from"), "IPv6 multicast refused");
	ok(parse_err("1.1.1.1,1.1.1.2,1.1.1.3,1.1.1.4,1.1.1.5,1.1.1.6,1.1.1.7,"
	    "1.1.1.8,1.1.1.9,1.1.1.10,1.1.1.11,1.1.1.12,1.1.1.13,1.1.1.14,"
	    "1.1.1.15,1.1.1.16,1.1.1.17", "at most 16"), "17 refused");

	/* the hash is pinned: changing it moves hosts to other IPs between
	 * runs (FNV-1a 64 test vectors) */
	ok(probe_source_hash("") == 0xcbf29ce484222325ULL, "FNV-1a of \"\"");
	ok(probe_source_hash("a") == 0xaf63dc4c8601ec8cULL, "FNV-1a of \"a\"");
	ok(probe_source_hash("foobar") == 0x85944171f73967e8ULL,
	    "FNV-1a of \"foobar\"");
	ok(probe_source_hash("MX1.Example.TEST") ==
	    probe_source_hash("mx1.example.test"), "case folded");

	/* stable and spread: 3000 host names over 3 sources */
	(void)parse_ok("192.0.2.1,192.0.2.2,192.0.2.3", &ps);
	for (unsigned i = 0; i < 3000; i++) {
		snprintf(name, sizeof(name), "mx%u.domain%u.example", i % 7,
		    i);
		k = probe_source_pick(&ps, name, AF_INET);
		if (k < 0 || k > 2) {
			stable = 0;
			break;
		}
		count[k]++;
		if (probe_source_pick(&ps, name, AF_INET) != k)
			stable = 0;
	}
	ok(stable, "every host gets a source, the same one when asked again");
	for (int i = 0; i < 3; i++)
		ok(count[i] > 850 && count[i] < 1150,
		    "source %d gets about a third of the hosts (%u)", i,
		    count[i]);
	/* the pinned hash decides: a fixed host, a fixed source */
	is_int(probe_source_pick(&ps, "a", AF_INET),
	    (int)(0xaf63dc4c8601ec8cULL % 3), "host 'a' -> hash mod 3");

	/* one source: everything goes to it */
	(void)parse_ok("192.0.2.9", &one);
	is_int(probe_source_pick(&one, "mx.example.com", AF_INET), 0,
	    "one source takes every host");

	/* family mismatch: no source of the host address's family */
	is_int(probe_source_pick(&one, "mx.example.com", AF_INET6), -1,
	    "IPv6 host address, IPv4 sources only: none");
	(void)parse_ok("2001:db8::5,2001:db8::6", &v6);
	is_int(probe_source_pick(&v6, "mx.example.com", AF_INET), -1,
	    "IPv4 host address, IPv6 sources only: none");
	is_int((int)probe_source_count(&v6, AF_INET), 0, "no IPv4 source");
	is_int((int)probe_source_count(&v6, AF_UNSPEC), 2, "two in all");

	/* mixed: each family picks among its own */
	(void)parse_ok("192.0.2.1,2001:db8::1,192.0.2.2,2001:db8::2", &ps);
	for (unsigned i = 0; i < 200; i++) {
		int k4, k6;

		snprintf(name, sizeof(name), "host%u.example", i);
		k4 = probe_source_pick(&ps, name, AF_INET);
		k6 = probe_source_pick(&ps, name, AF_INET6);
		if (k4 < 0 || k6 < 0 || ps.src[k4].family != AF_INET ||
		    ps.src[k6].family != AF_INET6)
			mixed = 0;
	}
	ok(mixed, "mixed sources: each family gets one of its own family");

	/* the bind check: loopback addresses are ours, TEST-NET-1 is not */
	(void)parse_ok("127.0.0.1,127.0.0.11", &ps);
	is_int(probe_source_check(&ps, &d), 0, "127.0.0.1 and 127.0.0.11 bind");
	(void)parse_ok("127.0.0.1,192.0.2.1", &ps);
	memset(&d, 0, sizeof(d));
	is_int(probe_source_check(&ps, &d), -1, "192.0.2.1 does not bind");
	is_int(d.code, DIAG_USAGE, "a usage error");
	ok(strstr(d.msg, "192.0.2.1") != NULL &&
	    strstr(d.msg, "not an address of this host") != NULL,
	    "the message names it: %s", d.msg);
	return done_testing();
}
