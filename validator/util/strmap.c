#include "util/strmap.h"

#include <stdlib.h>
#include <string.h>

#include "util/ascii.h"
#include "util/xalloc.h"

#define CHUNK_SIZE (256 * 1024)
#define EMPTY UINT32_MAX

struct strmap_entry {
	const char *key;
	uint32_t len;
};

/*
 * A slot keeps the hash beside the id, so a probe past other keys and a
 * rehash touch no entry (on lists of a million addresses each entry is a
 * cache miss). Measured: a wider slot with the key pointer was slower.
 */
struct strmap_slot {
	uint32_t hash;
	uint32_t id;		/* EMPTY or an entry index */
};

struct strmap_chunk {
	struct strmap_chunk *next;
	size_t used;
	size_t size;
	char data[];
};

struct strmap {
	struct strmap_slot *slots;	/* power-of-two size */
	size_t nslots;
	struct strmap_entry *entries;
	size_t count;
	size_t cap;
	struct strmap_chunk *chunks;
	size_t bytes;
};

static char *strmap_store(struct strmap *m, const char *key, size_t n);
static void strmap_grow(struct strmap *m);
static void strmap_resize(struct strmap *m, size_t n);
static inline uint64_t strmap_tail(const char *p, size_t n, size_t len);

/* strmap_mix - 64x64->128 multiply, halves folded: a fast, good mixer. */
static inline uint64_t
strmap_mix(uint64_t a, uint64_t b)
{
	__uint128_t r = (__uint128_t)a * b;

	return (uint64_t)r ^ (uint64_t)(r >> 64);
}

/*
 * strmap_tail - the last n < 8 bytes of a key of len bytes, p[0] in the
 * low byte, zeros above. Not through a copy into memory: a wide load of
 * bytes just stored narrow stalls (store forwarding), and every hash
 * ends here. A key of 8 bytes or more gives its last 8 in one load,
 * shifted; a shorter one is gathered a byte at a time.
 */
static inline uint64_t
strmap_tail(const char *p, size_t n, size_t len)
{
	uint64_t v = 0;

	if (n == 0)
		return 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	if (len >= 8) {
		memcpy(&v, p + n - 8, 8);
		return v >> (64 - 8 * n);
	}
#else
	(void)len;
#endif
	for (size_t i = 0; i < n; i++)
		v |= (uint64_t)(unsigned char)p[i] << (8 * i);
	return v;
}

/*
 * strmap_hash_as - eight bytes a step (keys are addresses of ~25 bytes);
 * with fold, the hash of the key lower-cased (ASCII) without a copy.
 */
static inline uint32_t
strmap_hash_as(const char *p, size_t n, bool fold)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ n, v;
	size_t len = n;

	for (; n >= 8; p += 8, n -= 8) {
		memcpy(&v, p, 8);
		h = strmap_mix(h ^ (fold ? ascii_lower8(v) : v),
		    0xa0761d6478bd642fULL);
	}
	v = strmap_tail(p, n, len);
	h = strmap_mix(h ^ (fold ? ascii_lower8(v) : v),
	    0xe7037ed1a0b428dbULL);
	return (uint32_t)(h ^ (h >> 32));
}

/* strmap_store - copy a key into chunk storage, NUL-terminated. */
static char *
strmap_store(struct strmap *m, const char *key, size_t n)
{
	struct strmap_chunk *c = m->chunks;
	char *p;

	if (c == NULL || c->size - c->used < n + 1) {
		size_t size = n + 1 > CHUNK_SIZE ? n + 1 : CHUNK_SIZE;

		c = xmalloc(sizeof(*c) + size);
		c->next = m->chunks;
		c->used = 0;
		c->size = size;
		m->chunks = c;
		m->bytes += sizeof(*c) + size;
	}
	p = c->data + c->used;
	memcpy(p, key, n);
	p[n] = '\0';
	c->used += n + 1;
	return p;
}

/* strmap_grow - double the slot table and re-place every entry. */
static void
strmap_grow(struct strmap *m)
{
	strmap_resize(m, m->nslots ? m->nslots * 2 : 64);
}

/* strmap_resize - n slots (a power of two, more than now), rehashed. */
static void
strmap_resize(struct strmap *m, size_t n)
{
	struct strmap_slot *slots = xreallocarray(NULL, n, sizeof(*slots));

	for (size_t i = 0; i < n; i++)
		slots[i].id = EMPTY;
	for (size_t i = 0; i < m->nslots; i++) {
		size_t s;

		if (m->slots[i].id == EMPTY)
			continue;
		for (s = m->slots[i].hash & (n - 1); slots[s].id != EMPTY;
		     s = (s + 1) & (n - 1))
			;
		slots[s] = m->slots[i];
	}
	m->bytes += (n - m->nslots) * sizeof(*slots);
	free(m->slots);
	m->slots = slots;
	m->nslots = n;
}

/* strmap_eq_folded - whether key lower-cased (ASCII) is the stored k. */
static bool
strmap_eq_folded(const char *k, const char *key, size_t len)
{
	uint64_t a, b;

	for (; len >= 8; k += 8, key += 8, len -= 8) {
		memcpy(&a, k, 8);
		memcpy(&b, key, 8);
		if (a != ascii_lower8(b))
			return false;
	}
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)k[i] !=
		    ascii_tolower((unsigned char)key[i]))
			return false;
	return true;
}

/*
 * strmap_probe_as - the slot holding key (with fold: key lower-cased),
 * or the empty slot where it goes; h is its hash.
 */
static inline size_t
strmap_probe_as(const struct strmap *m, const char *key, size_t len,
    uint32_t h, bool fold)
{
	size_t mask = m->nslots - 1, s = h & mask;

	for (; m->slots[s].id != EMPTY; s = (s + 1) & mask) {
		const struct strmap_entry *e;

		if (m->slots[s].hash != h)
			continue;
		e = &m->entries[m->slots[s].id];
		if (e->len == len && (fold ? strmap_eq_folded(e->key, key,
		    len) : memcmp(e->key, key, len) == 0))
			break;
	}
	return s;
}

struct strmap *
strmap_new(void)
{
	struct strmap *m = xcalloc(1, sizeof(*m));

	strmap_grow(m);
	return m;
}

void
strmap_reserve(struct strmap *m, size_t count)
{
	size_t n = m->nslots;

	while ((count + 1) * 2 > n)
		n *= 2;
	if (n > m->nslots)
		strmap_resize(m, n);
	if (count > m->cap) {
		m->entries = xreallocarray(m->entries, count,
		    sizeof(*m->entries));
		m->bytes += (count - m->cap) * sizeof(*m->entries);
		m->cap = count;
	}
}

void
strmap_prefetch(const struct strmap *m, const char *key, size_t len,
    bool fold)
{
	const struct strmap_slot *s =
	    &m->slots[strmap_hash_as(key, len, fold) & (m->nslots - 1)];

#if defined(__GNUC__)
	__builtin_prefetch(s);
#else
	(void)s;
#endif
}

/* strmap_find_as - strmap_find, with fold of key lower-cased. */
static inline int
strmap_find_as(const struct strmap *m, const char *key, size_t len,
    uint32_t *id, bool fold)
{
	size_t s = strmap_probe_as(m, key, len, strmap_hash_as(key, len, fold),
	    fold);

	if (m->slots[s].id == EMPTY)
		return 0;
	*id = m->slots[s].id;
	return 1;
}

int
strmap_find(const struct strmap *m, const char *key, size_t len, uint32_t *id)
{
	return strmap_find_as(m, key, len, id, false);
}

int
strmap_find_folded(const struct strmap *m, const char *key, size_t len,
    uint32_t *id)
{
	return strmap_find_as(m, key, len, id, true);
}

/*
 * strmap_intern_as - strmap_intern, or with fold strmap_intern_folded:
 * the key found and kept lower-cased.
 */
static inline uint32_t
strmap_intern_as(struct strmap *m, const char *key, size_t len,
    bool *inserted, bool fold)
{
	uint32_t id, h = strmap_hash_as(key, len, fold);
	size_t s = strmap_probe_as(m, key, len, h, fold);
	char *k;

	if (m->slots[s].id != EMPTY) {
		if (inserted)
			*inserted = false;
		return m->slots[s].id;
	}
	/* Keep the load factor under 1/2 so probe runs stay short. */
	if ((m->count + 1) * 2 > m->nslots) {
		strmap_grow(m);
		s = strmap_probe_as(m, key, len, h, fold);
	}
	if (m->count == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 64;

		m->entries = xreallocarray(m->entries, cap, sizeof(*m->entries));
		m->bytes += (cap - m->cap) * sizeof(*m->entries);
		m->cap = cap;
	}
	id = (uint32_t)m->count++;
	k = strmap_store(m, key, len);
	if (fold)
		ascii_lower(k, len);
	m->entries[id].key = k;
	m->entries[id].len = (uint32_t)len;
	m->slots[s].hash = h;
	m->slots[s].id = id;
	if (inserted)
		*inserted = true;
	return id;
}

uint32_t
strmap_intern(struct strmap *m, const char *key, size_t len, bool *inserted)
{
	return strmap_intern_as(m, key, len, inserted, false);
}

uint32_t
strmap_intern_folded(struct strmap *m, const char *key, size_t len,
    bool *inserted)
{
	return strmap_intern_as(m, key, len, inserted, true);
}

const char *
strmap_key(const struct strmap *m, uint32_t id, size_t *len)
{
	if (len)
		*len = m->entries[id].len;
	return m->entries[id].key;
}

size_t
strmap_count(const struct strmap *m)
{
	return m->count;
}

size_t
strmap_bytes(const struct strmap *m)
{
	return m->bytes;
}

void
strmap_free(struct strmap *m)
{
	struct strmap_chunk *c, *next;

	if (m == NULL)
		return;
	for (c = m->chunks; c; c = next) {
		next = c->next;
		free(c);
	}
	free(m->entries);
	free(m->slots);
	free(m);
}
