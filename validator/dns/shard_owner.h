/*
 * shard_owner - which shard of N probes a domain (validator/README,
 * "Shards and merge"). A domain with mail hosts belongs to the shard of
 * its preferred mail host, so every address at one host is asked by one
 * shard; a domain without one belongs to the shard of its own name. The
 * hash is FNV-1a 64 followed by the splitmix64 finalizer: the same on
 * every platform, so shards on different machines agree.
 */
#ifndef LISTSCRUB_SHARD_OWNER_H
#define LISTSCRUB_SHARD_OWNER_H

#include <stddef.h>
#include <stdint.h>

#include "dns/mxlookup.h"

/* The longest host name kept (RFC 1035: 253 octets), with its NUL. */
#define SHARD_OWNER_NAME_MAX 256

/* shard_owner_fnv1a - FNV-1a 64 of s[0..len). */
uint64_t shard_owner_fnv1a(const char *s, size_t len);
/* shard_owner_mix - splitmix64's finalizer of z. */
uint64_t shard_owner_mix(uint64_t z);
/* shard_owner_hash - shard_owner_mix(shard_owner_fnv1a(s, len)). */
uint64_t shard_owner_hash(const char *s, size_t len);

/*
 * shard_owner_of - the shard (0 .. n-1) of key: a preferred mail host or
 * a domain's A-label, lower case, without a trailing dot. n >= 1.
 */
unsigned shard_owner_of(const char *key, size_t len, unsigned n);

/*
 * shard_owner_host - res's preferred mail host into out (n bytes): of
 * the hosts with an address, the lowest preference, ties broken by the
 * byte-wise least lower-case name; no trailing dot. Returns its length,
 * or 0 when res has no such host (the domain has no mail host to ask).
 */
size_t shard_owner_host(const struct mx_result *res, char *out, size_t n);

#endif
