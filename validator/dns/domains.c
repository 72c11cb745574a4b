#include "dns/domains.h"

#include <stdlib.h>
#include <string.h>

#include "address/listcheck.h"
#include "util/strmap.h"
#include "util/xalloc.h"

struct domains {
	struct listcheck *lists;
	struct strmap *names;
	struct strmap *texts;	/* mail host names, DNS failure details */
	struct domain_info *info;
	size_t cap;
};

struct domains *
domains_new(struct listcheck *lists)
{
	struct domains *t = xcalloc(1, sizeof(*t));

	t->lists = lists;
	t->names = strmap_new();
	t->texts = strmap_new();
	return t;
}

struct domain_info *
domains_get(struct domains *t, const char *domain, size_t len)
{
	uint32_t id;

	return domains_get_id(t, domain, len, &id);
}

struct domain_info *
domains_at(struct domains *t, uint32_t id)
{
	return &t->info[id];
}

struct domain_info *
domains_get_id(struct domains *t, const char *domain, size_t len, uint32_t *idp)
{
	bool inserted;
	uint32_t id = strmap_intern(t->names, domain, len, &inserted);
	struct domain_info *i;

	*idp = id;
	if (!inserted)
		return &t->info[id];
	if (id >= t->cap) {
		t->cap = t->cap ? t->cap * 2 : 256;
		t->info = xreallocarray(t->info, t->cap, sizeof(*t->info));
	}
	i = &t->info[id];
	i->rows = 0;
	i->dns = 0;
	i->mx = NULL;
	i->dns_detail = NULL;
	i->nhosts = 0;
	i->disposable = listcheck_disposable(t->lists, domain, len);
	i->free_mail = listcheck_freemail(t->lists, domain, len);
	i->suggest = listcheck_suggest(t->lists, domain, len);
	return i;
}

const char *
domains_text(struct domains *t, const char *s)
{
	size_t len = strlen(s);

	return strmap_key(t->texts, strmap_intern(t->texts, s, len, NULL),
	    NULL);
}

size_t
domains_count(const struct domains *t)
{
	return strmap_count(t->names);
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

const char *
domains_name(const struct domains *t, uint32_t id)
{
	return strmap_key(t->names, id, NULL);
}

const struct domain_info *
domain_info(const struct domains *t, uint32_t id)
{
	return &t->info[id];
}

size_t
domains_bytes(const struct domains *t)
{
	return strmap_bytes(t->names) + strmap_bytes(t->texts) +
	    t->cap * sizeof(*t->info);
}

void
domains_free(struct domains *t)
{
	if (t == NULL)
		return;
	strmap_free(t->names);
	strmap_free(t->texts);
	free(t->info);
	free(t);
}
