/*
 * t_shard_owner - the shard a domain belongs to (validator/README,
 * "Shards and merge"): the two halves of the hash against their published
 * test values, fixed owners that every platform must agree on, an even
 * spread over N, and the preferred mail host of an MX answer.
 */
#include <stdio.h>
#include <string.h>

#include "dns/shard_owner.h"
#include "tap.h"

/* One mail host of an answer. */
static struct mx_addr addr1;

static struct mx_host
host(const char *name, unsigned pref, size_t naddrs)
{
	struct mx_host h = { name, pref, 0, naddrs, naddrs ? &addr1 : NULL };

	return h;
}

static void
t_vectors(void)
{
	/* FNV-1a 64 (draft-eastlake-fnv): "", "a", "foobar" */
	is_int(shard_owner_fnv1a("", 0) == 0xcbf29ce484222325ULL, 1,
	    "FNV-1a 64 of \"\" is the offset basis");
	is_int(shard_owner_fnv1a("a", 1) == 0xaf63dc4c8601ec8cULL, 1,
	    "FNV-1a 64 of \"a\"");
	is_int(shard_owner_fnv1a("foobar", 6) == 0x85944171f73967e8ULL, 1,
	    "FNV-1a 64 of \"foobar\"");
	/* splitmix64 from seed 0: its first two outputs are the mix of one
	 * and two golden-ratio increments */
	is_int(shard_owner_mix(0x9e3779b97f4a7c15ULL) == 0xe220a8397b1dcdafULL,
	    1, "splitmix64's first output from seed 0");
	is_int(shard_owner_mix(0x3c6ef372fe94f82aULL) == 0x6e789e6aa1b965f4ULL,
	    1, "splitmix64's second output from seed 0");
	is_int(shard_owner_hash("foobar", 6) ==
	    shard_owner_mix(0x85944171f73967e8ULL), 1,
	    "the hash is the mix of FNV-1a");
	is_int(shard_owner_hash("mx.normal.mail", 14) ==
	    shard_owner_mix(shard_owner_fnv1a("mx.normal.mail", 14)), 1,
	    "the hash of a host name is the mix of its FNV-1a");
}

static void
t_fixed(void)
{
	/* The owners of tests/smtp/mail.zone's hosts, and a few more: the
	 * same on every platform, or shards on two machines disagree. */
	static const struct { const char *key; unsigned n, want; } c[] = {
		{ "mx.normal.mail", 3, 2 }, { "mx.normal.mail", 4, 3 },
		{ "mx.normal.mail", 4096, 711 },
		{ "mx.grey.mail", 3, 2 }, { "mx.grey.mail", 4096, 3374 },
		{ "mx.catchall.mail", 3, 0 }, { "mx.catchall.mail", 4, 1 },
		{ "mx.policy.mail", 4, 0 }, { "mx.policy.mail", 4096, 2688 },
		{ "mx.tlsreq.mail", 4096, 2859 }, { "nullmx.lab", 3, 1 },
		{ "example.com", 4096, 2743 }, { "", 4096, 2203 },
	};

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		is_int(shard_owner_of(c[i].key, strlen(c[i].key), c[i].n),
		    c[i].want, "'%s' of %u shards: shard %u", c[i].key,
		    c[i].n, c[i].want);
	is_int(shard_owner_of("mx.normal.mail", 14, 1), 0,
	    "one shard owns everything");
}

static void
t_spread(void)
{
	static const unsigned ns[] = { 2, 3, 7, 16, 100 };
	char name[64];

	for (size_t k = 0; k < sizeof(ns) / sizeof(ns[0]); k++) {
		unsigned n = ns[k], count[100] = { 0 }, lo = ~0u, hi = 0;
		const unsigned total = 100000;
		const double e = (double)total / n;

		for (unsigned i = 0; i < total; i++) {
			int len = snprintf(name, sizeof(name),
			    "mx%u.host%u.example", i % 997, i);

			count[shard_owner_of(name, (size_t)len, n)]++;
		}
		for (unsigned s = 0; s < n; s++) {
			lo = count[s] < lo ? count[s] : lo;
			hi = count[s] > hi ? count[s] : hi;
		}
		/* every share within 5 standard deviations of an even one
		 * (binomial: sqrt(total/n * (1 - 1/n)) < sqrt(total/n)); a
		 * hash that spread badly misses by far more */
		ok(((double)lo - e) * ((double)lo - e) <= 25 * e &&
		    ((double)hi - e) * ((double)hi - e) <= 25 * e,
		    "100,000 similar names over %u shards: from %u to %u each "
		    "(even: %.0f)", n, lo, hi, e);
	}
}

static void
t_preferred(void)
{
	char out[SHARD_OWNER_NAME_MAX];
	struct mx_host h[4];
	struct mx_result r = { 0 };

	r.hosts = h;
	h[0] = host("MX2.Example.", 10, 1);
	h[1] = host("mx1.example", 10, 1);
	h[2] = host("mx0.example", 5, 0);	/* no address: not asked */
	h[3] = host("mx9.example", 20, 1);
	r.nhosts = 4;
	is_int(shard_owner_host(&r, out, sizeof(out)), 11,
	    "preferred host: found");
	is_str(out, "mx1.example", "a tie goes to the least name; a host "
	    "without an address does not count");
	h[1] = host("mx3.example", 10, 1);
	shard_owner_host(&r, out, sizeof(out));
	is_str(out, "mx2.example", "lower-cased, without the trailing dot");
	h[3] = host("mx9.example", 1, 1);
	shard_owner_host(&r, out, sizeof(out));
	is_str(out, "mx9.example", "the lowest preference wins, wherever it is");
	r.nhosts = 1;
	h[0] = host("mx.example", 10, 0);
	is_int(shard_owner_host(&r, out, sizeof(out)), 0,
	    "no host with an address: none (the domain's name decides)");
}

int
main(void)
{
	plan(31);
	t_vectors();
	t_fixed();
	t_spread();
	t_preferred();
	return tap_failed ? 1 : 0;
}
