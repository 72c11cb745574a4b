#include "dns/domains.h"

#include <stdlib.h>
#include <string.h>

#include "address/listcheck.h"
#include "dns/providers.h"
#include "util/strmap.h"
#include "util/xalloc.h"

/* One domain; 56 bytes on LP64, largest fields first. */
struct domain_info {
	const char *suggest;	/* owned by the listcheck, or NULL */
	const char *mx;		/* preferred mail host (texts), or NULL */
	const char *dns_detail;	/* why a lookup failed (texts), or NULL */
	uint64_t rows;		/* rows with a valid address at this domain */
	/* ... of those, by action (row numbers fit 32 bits: dedupe) */
	uint32_t actions[ACTION_LAST];
	uint32_t hosts;		/* mailhosts list handle of its mail hosts */
	uint8_t nhosts;		/* 0: none kept */
	uint8_t dns;		/* enum evidence_dns; 0 until the DNS stage */
	bool disposable;
	bool free_mail;
};

struct domains {
	struct listcheck *lists;
	struct strmap *names;
	struct strmap *texts;	/* mail host names, DNS failure details */
	struct domain_info *info;
	/* per id: 0, or 1 + the provider's index in providers */
	uint8_t *prov;
	const struct providers *providers;	/* borrowed, or NULL */
	size_t cap;
};

static const char *domains_text(struct domains *t, const char *s);

/* domains_text - a copy of s (or NULL) kept until domains_free, shared. */
static const char *
domains_text(struct domains *t, const char *s)
{
	if (s == NULL)
		return NULL;
	return strmap_key(t->texts, strmap_intern(t->texts, s, strlen(s),
	    NULL), NULL);
}

struct domains *
domains_new(struct listcheck *lists)
{
	struct domains *t = xcalloc(1, sizeof(*t));

	t->lists = lists;
	t->names = strmap_new();
	t->texts = strmap_new();
	return t;
}

uint32_t
domains_id(struct domains *t, const char *domain, size_t len)
{
	struct listcheck_domain lc;
	bool inserted;
	uint32_t id = strmap_intern(t->names, domain, len, &inserted);
	struct domain_info *i;

	if (!inserted)
		return id;
	if (id >= t->cap) {
		t->cap = t->cap ? t->cap * 2 : 256;
		t->info = xreallocarray(t->info, t->cap, sizeof(*t->info));
		t->prov = xreallocarray(t->prov, t->cap, sizeof(*t->prov));
	}
	t->prov[id] = 0;
	i = &t->info[id];
	memset(i, 0, sizeof(*i));
	i->dns = EVDNS_NONE;
	listcheck_domain(t->lists, domain, len, &lc);
	i->disposable = lc.disposable;
	i->free_mail = lc.free_mail;
	i->suggest = lc.suggest;
	return id;
}

size_t
domains_count(const struct domains *t)
{
	return strmap_count(t->names);
}

const char *
domains_name(const struct domains *t, uint32_t id)
{
	return strmap_key(t->names, id, NULL);
}

bool
domains_disposable(const struct domains *t, uint32_t id)
{
	return t->info[id].disposable;
}

bool
domains_free_mail(const struct domains *t, uint32_t id)
{
	return t->info[id].free_mail;
}

const char *
domains_suggest(const struct domains *t, uint32_t id)
{
	return t->info[id].suggest;
}

uint64_t
domains_rows(const struct domains *t, uint32_t id)
{
	return t->info[id].rows;
}

enum evidence_dns
domains_dns(const struct domains *t, uint32_t id)
{
	return (enum evidence_dns)t->info[id].dns;
}

const char *
domains_mx(const struct domains *t, uint32_t id)
{
	return t->info[id].mx;
}

const char *
domains_dns_detail(const struct domains *t, uint32_t id)
{
	return t->info[id].dns_detail;
}

size_t
domains_hosts(const struct domains *t, uint32_t id, uint32_t *list)
{
	const struct domain_info *i = &t->info[id];

	if (list != NULL)
		*list = i->hosts;
	return i->nhosts;
}

void
domains_set_dns(struct domains *t, uint32_t id,
    const struct domains_dns_answer *a)
{
	struct domain_info *i = &t->info[id];

	i->dns = (uint8_t)a->dns;
	i->mx = domains_text(t, a->mx);
	i->dns_detail = domains_text(t, a->detail);
	i->hosts = a->hosts;
	i->nhosts = (uint8_t)a->nhosts;
}

void
domains_drop_suggest(struct domains *t, uint32_t id)
{
	t->info[id].suggest = NULL;
}

void
domains_count_row(struct domains *t, uint32_t id)
{
	t->info[id].rows++;
}

void
domains_prefetch(const struct domains *t, uint32_t id)
{
#if defined(__GNUC__)
	if (id < strmap_count(t->names))
		__builtin_prefetch(&t->info[id], 1);
#else
	(void)t;
	(void)id;
#endif
}

void
domains_count_action(struct domains *t, uint32_t id, enum verdict_action a)
{
	if (a < ACTION_LAST && t->info[id].actions[a] < UINT32_MAX)
		t->info[id].actions[a]++;
}

uint64_t
domains_action_rows(const struct domains *t, uint32_t id,
    enum verdict_action a)
{
	return a < ACTION_LAST ? t->info[id].actions[a] : 0;
}

size_t
domains_top(const struct domains *t, uint32_t *ids, size_t n)
{
	size_t have = 0, count = strmap_count(t->names);

	if (n == 0)
		return 0;

	/* Insertion into a short sorted array: n is small (10 or so). */
	for (size_t id = 0; id < count; id++) {
		uint64_t rows = t->info[id].rows;
		size_t pos;

		if (rows == 0 || (have == n && rows <= t->info[ids[n - 1]].rows))
			continue;
		pos = have < n ? have++ : n - 1;
		while (pos > 0 && t->info[ids[pos - 1]].rows < rows) {
			ids[pos] = ids[pos - 1];
			pos--;
		}
		ids[pos] = (uint32_t)id;
	}
	return have;
}

size_t
domains_bytes(const struct domains *t)
{
	return strmap_bytes(t->names) + strmap_bytes(t->texts) +
	    t->cap * (sizeof(*t->info) + sizeof(*t->prov));
}

void
domains_free(struct domains *t)
{
	if (t == NULL)
		return;
	strmap_free(t->names);
	strmap_free(t->texts);
	free(t->info);
	free(t->prov);
	free(t);
}

void
domains_find_providers(struct domains *t, const struct providers *p)
{
	size_t n = domains_count(t);

	t->providers = p;
	for (size_t id = 0; id < n; id++) {
		const struct domain_info *i = &t->info[id];
		const struct provider *pv = NULL;

		t->prov[id] = 0;
		if (i->mx != NULL)
			pv = providers_match(p, i->mx, strlen(i->mx));
		if (pv != NULL)
			t->prov[id] = (uint8_t)(providers_index(p, pv) + 1);
	}
}

void
domains_set_provider(struct domains *t, uint32_t id, const struct provider *pv)
{
	size_t k = providers_index(t->providers, pv);

	if (t->providers != NULL && k < providers_count(t->providers))
		t->prov[id] = (uint8_t)(k + 1);
}

const struct providers *
domains_providers(const struct domains *t)
{
	return t->providers;
}

const struct provider *
domains_provider(const struct domains *t, uint32_t id)
{
	if (t->providers == NULL || t->prov[id] == 0)
		return NULL;
	return providers_at(t->providers, (size_t)t->prov[id] - 1);
}

size_t
domains_provider_index(const struct domains *t, uint32_t id)
{
	return t->prov[id];
}
