#include "dns/mailhosts.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/ascii.h"
#include "util/buf.h"
#include "util/strmap.h"
#include "util/xalloc.h"

struct mailhosts_host {
	uint8_t naddrs;
	struct mx_addr addrs[MAILHOSTS_MAX_ADDRS];
};

struct mailhosts {
	struct strmap *names;	/* lower-case host name -> id */
	struct mailhosts_host *hosts;
	size_t cap;
	uint32_t *lists;	/* handle -> ids, all lists end to end */
	size_t nlists, listcap;
	struct buf key;
};

struct mailhosts *
mailhosts_new(void)
{
	struct mailhosts *t = xcalloc(1, sizeof(*t));

	t->names = strmap_new();
	buf_init(&t->key, 256);
	return t;
}

uint32_t
mailhosts_host(struct mailhosts *t, const char *name, const struct mx_addr *addrs,
    size_t naddrs)
{
	size_t len = strlen(name);
	struct mailhosts_host *h;
	uint32_t id;
	bool fresh;

	buf_reset(&t->key);
	(void)buf_append(&t->key, name, len);	/* host names <= 255 */
	ascii_lower(t->key.data, len);
	id = strmap_intern(t->names, t->key.data, len, &fresh);
	if (id >= t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;

		t->hosts = xreallocarray(t->hosts, cap, sizeof(*t->hosts));
		memset(t->hosts + t->cap, 0, (cap - t->cap) * sizeof(*t->hosts));
		t->cap = cap;
	}
	h = &t->hosts[id];
	if (h->naddrs == 0)
		for (size_t i = 0; i < naddrs && h->naddrs < MAILHOSTS_MAX_ADDRS;
		    i++)
			h->addrs[h->naddrs++] = addrs[i];
	return id;
}

uint32_t
mailhosts_list(struct mailhosts *t, const uint32_t *ids, size_t n)
{
	uint32_t handle = (uint32_t)t->nlists;

	if (t->nlists + n > t->listcap) {
		size_t cap = t->listcap ? t->listcap : 256;

		while (cap < t->nlists + n)
			cap *= 2;
		t->lists = xreallocarray(t->lists, cap, sizeof(*t->lists));
		t->listcap = cap;
	}
	memcpy(t->lists + t->nlists, ids, n * sizeof(*ids));
	t->nlists += n;
	return handle;
}

const uint32_t *
mailhosts_list_at(const struct mailhosts *t, uint32_t handle)
{
	return t->lists + handle;
}

const char *
mailhosts_name(const struct mailhosts *t, uint32_t id)
{
	return strmap_key(t->names, id, NULL);
}

size_t
mailhosts_addrs(const struct mailhosts *t, uint32_t id, const struct mx_addr **addrs)
{
	*addrs = t->hosts[id].addrs;
	return t->hosts[id].naddrs;
}

size_t
mailhosts_count(const struct mailhosts *t)
{
	return strmap_count(t->names);
}

int
mailhosts_text(const struct mx_result *res, struct buf *out)
{
	char a[INET6_ADDRSTRLEN];
	bool first = true;

	for (size_t h = 0; h < res->nhosts; h++) {
		const struct mx_host *x = &res->hosts[h];

		if (x->naddrs == 0)
			continue;
		if ((!first && buf_addc(out, ' ') != 0) ||
		    buf_addstr(out, x->name) != 0 || buf_addc(out, '=') != 0)
			return -1;
		first = false;
		for (size_t i = 0; i < x->naddrs; i++) {
			if (inet_ntop(x->addrs[i].family, &x->addrs[i].u, a,
			    sizeof(a)) == NULL)
				return -1;
			if ((i > 0 && buf_addc(out, ',') != 0) ||
			    buf_addstr(out, a) != 0)
				return -1;
		}
	}
	return 0;
}

int
mailhosts_from_text(struct mailhosts *t, const char *text, uint32_t *handle,
    size_t *n)
{
	uint32_t ids[MXLOOKUP_MAX_HOSTS];
	size_t nids = 0;
	const char *p = text;

	while (*p != '\0') {
		struct mx_addr addrs[MXLOOKUP_MAX_ADDRS];
		size_t naddrs = 0, nl;
		const char *eq = strchr(p, '='), *end = strchr(p, ' ');
		char name[256], a[INET6_ADDRSTRLEN];

		if (end == NULL)
			end = p + strlen(p);
		if (eq == NULL || eq >= end || eq == p ||
		    (nl = (size_t)(eq - p)) >= sizeof(name) ||
		    nids == MXLOOKUP_MAX_HOSTS)
			return -1;
		memcpy(name, p, nl);
		name[nl] = '\0';
		for (const char *q = eq + 1; q < end;) {
			const char *c = memchr(q, ',', (size_t)(end - q));
			size_t al;

			if (c == NULL)
				c = end;
			al = (size_t)(c - q);
			if (al == 0 || al >= sizeof(a) ||
			    naddrs == MXLOOKUP_MAX_ADDRS)
				return -1;
			memcpy(a, q, al);
			a[al] = '\0';
			memset(&addrs[naddrs], 0, sizeof(addrs[naddrs]));
			if (inet_pton(AF_INET, a, &addrs[naddrs].u.v4) == 1)
				addrs[naddrs].family = AF_INET;
			else if (inet_pton(AF_INET6, a, &addrs[naddrs].u.v6) == 1)
				addrs[naddrs].family = AF_INET6;
			else
				return -1;
			naddrs++;
			q = c < end ? c + 1 : end;
		}
		if (naddrs == 0)
			return -1;
		ids[nids++] = mailhosts_host(t, name, addrs, naddrs);
		p = *end == ' ' ? end + 1 : end;
	}
	if (nids == 0)
		return -1;
	*handle = mailhosts_list(t, ids, nids);
	*n = nids;
	return 0;
}

void
mailhosts_free(struct mailhosts *t)
{
	if (t == NULL)
		return;
	strmap_free(t->names);
	buf_free(&t->key);
	free(t->hosts);
	free(t->lists);
	free(t);
}
