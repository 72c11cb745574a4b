#include "address/dedupe.h"

#include <stdlib.h>

#include "util/ascii.h"
#include "util/buf.h"
#include "util/strmap.h"
#include "util/xalloc.h"

struct dedupe {
	struct strmap *keys;
	uint32_t *first;	/* per key id: first row (rows fit 32 bits) */
	size_t cap;
	struct buf key;
};

struct dedupe *
dedupe_new(void)
{
	struct dedupe *d = xcalloc(1, sizeof(*d));

	d->keys = strmap_new();
	buf_init(&d->key, 1024);
	return d;
}

void
dedupe_reserve(struct dedupe *d, size_t n)
{
	strmap_reserve(d->keys, n);
	if (n > d->cap) {
		d->first = xreallocarray(d->first, n, sizeof(*d->first));
		d->cap = n;
	}
}

uint64_t
dedupe_see(struct dedupe *d, const char *addr, size_t len, size_t at,
    uint64_t row)
{
	uint32_t id;

	return dedupe_see_id(d, addr, len, at, row, &id);
}

uint64_t
dedupe_see_id(struct dedupe *d, const char *addr, size_t len, size_t at,
    uint64_t row, uint32_t *idp)
{
	bool inserted;
	uint32_t id;

	buf_reset(&d->key);
	if (at > len)
		at = len;
	/* Fits: the buffer holds 1024 bytes, addresses are <= 254. */
	if (buf_append(&d->key, addr, len) != 0)
		return row;
	ascii_lower(d->key.data, at);	/* the local part only */
	id = strmap_intern(d->keys, d->key.data, d->key.len, &inserted);
	if (inserted) {
		if (id >= d->cap) {
			d->cap = d->cap ? d->cap * 2 : 1024;
			d->first = xreallocarray(d->first, d->cap,
			    sizeof(*d->first));
		}
		d->first[id] = (uint32_t)row;
	}
	*idp = id;
	return d->first[id];
}

void
dedupe_prefetch(struct dedupe *d, const char *cell, size_t len)
{
	/* the key of a plain address: the domain is lower case too */
	strmap_prefetch(d->keys, cell, len, true);
}

int
dedupe_find(const struct dedupe *d, const char *key, size_t len, uint32_t *id)
{
	return strmap_find(d->keys, key, len, id);
}

const char *
dedupe_key(const struct dedupe *d, uint32_t id, size_t *len)
{
	return strmap_key(d->keys, id, len);
}

size_t
dedupe_count(const struct dedupe *d)
{
	return strmap_count(d->keys);
}

size_t
dedupe_bytes(const struct dedupe *d)
{
	return strmap_bytes(d->keys) + d->cap * sizeof(*d->first);
}

void
dedupe_free(struct dedupe *d)
{
	if (d == NULL)
		return;
	strmap_free(d->keys);
	free(d->first);
	buf_free(&d->key);
	free(d);
}
