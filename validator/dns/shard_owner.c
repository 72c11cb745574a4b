#include "dns/shard_owner.h"

#include <string.h>

#include "util/ascii.h"

uint64_t
shard_owner_fnv1a(const char *s, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;	/* FNV-1a 64 offset basis */

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;		/* FNV 64 prime */
	}
	return h;
}

uint64_t
shard_owner_mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint64_t
shard_owner_hash(const char *s, size_t len)
{
	/* FNV's low bits alone spread similar names badly mod N */
	return shard_owner_mix(shard_owner_fnv1a(s, len));
}

unsigned
shard_owner_of(const char *key, size_t len, unsigned n)
{
	return n <= 1 ? 0 : (unsigned)(shard_owner_hash(key, len) % n);
}

/* shard_owner_lower - name lower-cased, without a trailing dot, into out. */
static size_t
shard_owner_lower(const char *name, char *out, size_t n)
{
	size_t len = strlen(name);

	if (len > 0 && name[len - 1] == '.')
		len--;
	if (len >= n)
		len = n - 1;
	for (size_t i = 0; i < len; i++)
		out[i] = (char)ascii_tolower((unsigned char)name[i]);
	out[len] = '\0';
	return len;
}

size_t
shard_owner_host(const struct mx_result *res, char *out, size_t n)
{
	char cand[SHARD_OWNER_NAME_MAX];
	size_t best = 0;
	unsigned pref = 0;

	if (n == 0)
		return 0;
	out[0] = '\0';
	for (size_t i = 0; i < res->nhosts; i++) {
		const struct mx_host *h = &res->hosts[i];
		size_t len;

		if (h->naddrs == 0 || h->name == NULL)
			continue;
		len = shard_owner_lower(h->name, cand, sizeof(cand));
		if (best == 0 || h->preference < pref ||
		    (h->preference == pref && strcmp(cand, out) < 0)) {
			best = len < n ? len : n - 1;
			memcpy(out, cand, best);
			out[best] = '\0';
			pref = h->preference;
		}
	}
	return best;
}
