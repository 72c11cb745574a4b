#include "probe/probe_targets.h"

#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/strmap.h"
#include "util/utf8.h"
#include "verdict/verdict.h"
#include "util/xalloc.h"

struct probe_entry {
	uint32_t domain;
	bool utf8;
	struct probe_result r;
};

struct probe_targets {
	struct strmap *addrs;	/* id order = probe_targets id order */
	struct strmap *texts;
	struct probe_entry *e;
	size_t cap;
};

struct probe_targets *
probe_targets_new(void)
{
	struct probe_targets *p = xcalloc(1, sizeof(*p));

	p->addrs = strmap_new();
	p->texts = strmap_new();
	return p;
}

void
probe_targets_add(struct probe_targets *p, uint32_t id, const char *addr, size_t len,
    uint32_t domain, bool utf8)
{
	struct probe_entry *e;

	if (id != strmap_count(p->addrs))
		return;		/* known, or not dense: first one wins */
	(void)strmap_intern(p->addrs, addr, len, NULL);
	if (id >= p->cap) {
		p->cap = p->cap ? p->cap * 2 : 1024;
		p->e = xreallocarray(p->e, p->cap, sizeof(*p->e));
	}
	e = &p->e[id];
	memset(e, 0, sizeof(*e));
	e->domain = domain;
	e->utf8 = utf8;
	e->r.sub = SUB_LAST;
}

size_t
probe_targets_count(const struct probe_targets *p)
{
	return strmap_count(p->addrs);
}

const char *
probe_targets_addr(const struct probe_targets *p, uint32_t id)
{
	return strmap_key(p->addrs, id, NULL);
}

uint32_t
probe_targets_domain(const struct probe_targets *p, uint32_t id)
{
	return p->e[id].domain;
}

bool
probe_targets_utf8(const struct probe_targets *p, uint32_t id)
{
	return p->e[id].utf8;
}

struct probe_result *
probe_targets_result(struct probe_targets *p, uint32_t id)
{
	return &p->e[id].r;
}

const char *
probe_targets_text(struct probe_targets *p, const char *s)
{
	struct buf b;
	const char *t;

	/* A server's text goes into a cell: valid UTF-8, no controls, no
	 * bidi overrides (validator/README, "Conventions"). */
	buf_init(&b, PROBE_TEXT_MAX + 8);
	if (utf8_clean(s, strlen(s), PROBE_TEXT_MAX, &b) < 0)
		buf_reset(&b);
	t = strmap_key(p->texts, strmap_intern(p->texts, buf_str(&b), b.len,
	    NULL), NULL);
	buf_free(&b);
	return t;
}

void
probe_targets_free(struct probe_targets *p)
{
	if (p == NULL)
		return;
	strmap_free(p->addrs);
	strmap_free(p->texts);
	free(p->e);
	free(p);
}
