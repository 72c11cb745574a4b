/*
 * t_probe_addrsel - the order a mail host's addresses are tried in
 * (validator/probe/probe_addrsel.c, RFC 6724 6): scopes, the default
 * precedences, and the order for hand-made answers of the system.
 */
#include <arpa/inet.h>
#include <string.h>

#include "probe/probe_addrsel.h"
#include "tap.h"

/* mk - an mx_addr from text */
static struct mx_addr
mk(const char *s)
{
	struct mx_addr a;

	memset(&a, 0, sizeof(a));
	if (strchr(s, ':') != NULL) {
		a.family = AF_INET6;
		inet_pton(AF_INET6, s, &a.u.v6);
	} else {
		a.family = AF_INET;
		inet_pton(AF_INET, s, &a.u.v4);
	}
	return a;
}

/* order_of - the order as text: the indexes, e.g. "1 0 2" */
static const char *
order_of(const char *const *addrs, const struct probe_addrsel_src *src,
    size_t n)
{
	static char out[64];
	struct mx_addr a[8];
	uint8_t order[8];
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		a[i] = mk(addrs[i]);
	probe_addrsel_order(a, src, n, order);
	out[0] = '\0';
	for (size_t i = 0; i < n; i++)
		k += (size_t)snprintf(out + k, sizeof(out) - k, "%s%u",
		    i ? " " : "", order[i]);
	return out;
}

int
main(void)
{
	static const struct {
		const char *addr;
		int scope, prec;
	} one[] = {
		{ "192.0.2.1", 14, 35 }, { "127.0.0.1", 2, 35 },
		{ "169.254.1.1", 2, 35 }, { "::1", 2, 50 },
		{ "2001:db8::1", 14, 40 }, { "2002:c000:201::1", 14, 30 },
		{ "2001:0:1::1", 14, 5 }, { "fd00::1", 14, 3 },
		{ "fe80::1", 2, 40 }, { "fec0::1", 5, 1 },
		{ "::ffff:192.0.2.1", 14, 35 },
	};
	const struct probe_addrsel_src g = { true, 14 }, none = { false, 0 };

	for (size_t i = 0; i < sizeof(one) / sizeof(one[0]); i++) {
		struct mx_addr a = mk(one[i].addr);

		is_int(probe_addrsel_scope(&a), one[i].scope, "%s: scope",
		    one[i].addr);
		is_int(probe_addrsel_precedence(&a), one[i].prec,
		    "%s: precedence", one[i].addr);
	}
	{
		/* The DNS stage lists IPv4 first; with IPv6 routed, IPv6
		 * goes first (rule 6), the DNS order kept among equals. */
		const char *const a[] = { "192.0.2.1", "192.0.2.2",
		    "2001:db8::1" };
		const struct probe_addrsel_src s[] = { g, g, g };

		is_str(order_of(a, s, 3), "2 0 1", "IPv6 routed: first");
	}
	{
		/* No IPv6 route: the IPv6 address is tried last (rule 1). */
		const char *const a[] = { "192.0.2.1", "2001:db8::1",
		    "192.0.2.2" };
		const struct probe_addrsel_src s[] = { g, none, g };

		is_str(order_of(a, s, 3), "0 2 1", "unusable: last");
	}
	{
		/* A source of another scope (rule 2): a global destination
		 * reached only from a link-local source goes after. */
		const char *const a[] = { "2001:db8::1", "192.0.2.1" };
		const struct probe_addrsel_src s[] = { { true, 2 }, g };

		is_str(order_of(a, s, 2), "1 0", "scope mismatch: after");
	}
	{
		const char *const a[] = { "127.0.0.1", "::1" };
		const struct probe_addrsel_src s[] = { { true, 2 },
		    { true, 2 } };

		is_str(order_of(a, s, 2), "1 0", "::1 before 127.0.0.1");
	}
	{
		/* The system, asked: loopback is always usable. */
		struct mx_addr a = mk("127.0.0.1");
		struct probe_addrsel_src s;

		probe_addrsel_source(&a, 25, &s);
		ok(s.usable && s.scope == 2, "127.0.0.1: usable, from a "
		    "link-local scope source");
	}
	return done_testing();
}
