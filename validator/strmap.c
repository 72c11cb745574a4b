#include "strmap.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

#define CHUNK_SIZE (256 * 1024)
#define EMPTY UINT32_MAX

struct strmap_entry {
	const char *key;
	uint32_t len;
	uint32_t hash;
};

struct strmap_chunk {
	struct strmap_chunk *next;
	size_t used;
	size_t size;
	char data[];
};

struct strmap {
	uint32_t *slots;	/* entry index or EMPTY; power-of-two size */
	size_t nslots;
	struct strmap_entry *entries;
	size_t count;
	size_t cap;
	struct strmap_chunk *chunks;
	size_t bytes;
};

static uint32_t strmap_hash(const char *p, size_t n);
static const char *strmap_store(struct strmap *m, const char *key, size_t n);
static void strmap_grow(struct strmap *m);

/* strmap_hash - FNV-1a, folded to 32 bits; keys are short addresses. */
static uint32_t
strmap_hash(const char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= 0x100000001b3ULL;
	}
	return (uint32_t)(h ^ (h >> 32));
}

/* strmap_store - copy a key into chunk storage, NUL-terminated. */
static const char *
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
	size_t n = m->nslots ? m->nslots * 2 : 64;
	uint32_t *slots = xmalloc(n * sizeof(*slots));

	memset(slots, 0xff, n * sizeof(*slots));
	for (size_t i = 0; i < m->count; i++) {
		size_t s = m->entries[i].hash & (n - 1);

		while (slots[s] != EMPTY)
			s = (s + 1) & (n - 1);
		slots[s] = (uint32_t)i;
	}
	m->bytes += (n - m->nslots) * sizeof(*slots);
	free(m->slots);
	m->slots = slots;
	m->nslots = n;
}

struct strmap *
strmap_new(void)
{
	struct strmap *m = xcalloc(1, sizeof(*m));

	strmap_grow(m);
	return m;
}

int
strmap_find(const struct strmap *m, const char *key, size_t len, uint32_t *id)
{
	uint32_t h = strmap_hash(key, len);
	size_t s = h & (m->nslots - 1);

	for (; m->slots[s] != EMPTY; s = (s + 1) & (m->nslots - 1)) {
		const struct strmap_entry *e = &m->entries[m->slots[s]];

		if (e->hash == h && e->len == len &&
		    memcmp(e->key, key, len) == 0) {
			*id = m->slots[s];
			return 1;
		}
	}
	return 0;
}

uint32_t
strmap_intern(struct strmap *m, const char *key, size_t len, bool *inserted)
{
	uint32_t id, h;
	size_t s;

	if (strmap_find(m, key, len, &id)) {
		if (inserted)
			*inserted = false;
		return id;
	}
	/* Keep the load factor under 1/2 so probe runs stay short. */
	if ((m->count + 1) * 2 > m->nslots)
		strmap_grow(m);
	if (m->count == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 64;

		m->entries = xreallocarray(m->entries, cap, sizeof(*m->entries));
		m->bytes += (cap - m->cap) * sizeof(*m->entries);
		m->cap = cap;
	}
	h = strmap_hash(key, len);
	id = (uint32_t)m->count++;
	m->entries[id].key = strmap_store(m, key, len);
	m->entries[id].len = (uint32_t)len;
	m->entries[id].hash = h;
	for (s = h & (m->nslots - 1); m->slots[s] != EMPTY;
	     s = (s + 1) & (m->nslots - 1))
		;
	m->slots[s] = id;
	if (inserted)
		*inserted = true;
	return id;
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
