#include "recall.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "address/dedupe.h"
#include "dns/domains.h"
#include "options.h"
#include "probe/probe_targets.h"
#include "store/store.h"
#include "util/evloop.h"
#include "util/xalloc.h"

/* prev[] values: not looked up yet, looked up and none, else status + 2 */
#define PREV_UNKNOWN 0
#define PREV_NONE 1
/* read the whole store when it holds at most this many times the list */
#define RECALL_SCAN_RATIO 4

struct recall {
	struct store *store;
	struct store_ages ages;
	int64_t now;
	struct evloop *loop;
	struct evtimer timer;	/* commits new answers */
	int64_t committed;	/* when it last did (evloop ms) */
	const struct domains *dt;
	struct probe_targets *pt;
	struct dnsstage_memory dmem;
	struct probe_memory pmem;
	bool *need;		/* domains id: an address there is still to ask */
	size_t nneed;
	uint32_t *dom_at;	/* domains id -> when recalled (0: not) */
	size_t ndom_at;
	uint32_t *smtp_at;	/* address id -> when recalled (0: not) */
	size_t nsmtp_at;
	uint8_t *prev;		/* address id -> PREV_* or status + 2 */
	uint8_t *fin;		/* address id -> status + 1 (0: none) */
	uint8_t *fin_sub;
	size_t nstat;
	const char *last_text;	/* the last SMTP text interned */
	bool failed;		/* a write failed: write no more */
	struct diag err;
};

static int recall_without(struct diag *d);
static bool recall_take(struct recall *m, struct probe_targets *pt,
    uint32_t id, const struct store_address *a);
static int recall_scanned(void *arg, const char *key,
    const struct store_address *a, struct diag *d);
static void recall_fail(struct recall *m, struct diag *d);
static void recall_later(struct recall *m);
static void on_commit(void *arg);
static int on_recall(void *arg, uint32_t id, const char *name,
    struct dnsstage_answer *a);
static void on_learn(void *arg, uint32_t id, const char *name,
    const struct dnsstage_answer *a);
static void on_answered(void *arg, uint32_t id);
static void on_catch_all(void *arg, uint32_t domain, enum probe_tri t);
static void recall_grow_stat(struct recall *m, uint32_t aid);
static uint32_t *recall_grow32(uint32_t *a, size_t *n, size_t need);

/*
 * recall_without - the default store cannot be had (no home, a read-only
 * one): the run goes on without a store, and says so once.
 */
static int
recall_without(struct diag *d)
{
	fprintf(stderr, "listscrub: warning: no result store: %s; this run "
	    "keeps nothing for the next (--cache FILE names one, --no-cache "
	    "silences this)\n", d->msg);
	memset(d, 0, sizeof(*d));
	return 0;
}

int
recall_open(const struct options *o, int64_t now, struct recall **out,
    struct diag *d)
{
	char def[4096];
	const char *path = o->cache;
	struct recall *m;
	struct store *s;

	*out = NULL;
	if (o->no_cache || (path == NULL && o->offline))
		return 0;
	if (path == NULL) {
		if (store_default_path(def, sizeof(def), d) != 0)
			return recall_without(d);
		path = def;
	}
	if ((s = store_open(path, path == def, o->cache_wait * 1000u, d)) ==
	    NULL)
		/* a default store that cannot be made does not stop a scrub;
		 * one that is not ours, newer, damaged or busy does */
		return path == def && d->code == DIAG_OUTPUT ?
		    recall_without(d) : -1;
	m = xcalloc(1, sizeof(*m));
	m->store = s;
	m->ages = o->ages;
	m->now = now;
	evtimer_init(&m->timer);
	*out = m;
	return 0;
}

const char *
recall_path(const struct recall *m)
{
	return m ? store_path(m->store) : NULL;
}

/* recall_grow32 - a grows (zeroed) to hold index need; returns it. */
static uint32_t *
recall_grow32(uint32_t *a, size_t *n, size_t need)
{
	size_t cap = *n ? *n : 1024;

	if (need < *n)
		return a;
	while (cap <= need)
		cap *= 2;
	a = xreallocarray(a, cap, sizeof(*a));
	memset(a + *n, 0, (cap - *n) * sizeof(*a));
	*n = cap;
	return a;
}

/* recall_grow_stat - prev, fin and fin_sub hold index aid. */
static void
recall_grow_stat(struct recall *m, uint32_t aid)
{
	size_t cap = m->nstat ? m->nstat : 1024;

	if (aid < m->nstat)
		return;
	while (cap <= aid)
		cap *= 2;
	m->prev = xreallocarray(m->prev, cap, 1);
	m->fin = xreallocarray(m->fin, cap, 1);
	m->fin_sub = xreallocarray(m->fin_sub, cap, 1);
	memset(m->prev + m->nstat, PREV_UNKNOWN, cap - m->nstat);
	memset(m->fin + m->nstat, 0, cap - m->nstat);
	memset(m->fin_sub + m->nstat, 0, cap - m->nstat);
	m->nstat = cap;
}

/* recall_fail - the first write failure is kept; no write follows it. */
static void
recall_fail(struct recall *m, struct diag *d)
{
	if (!m->failed)
		m->err = *d;
	m->failed = true;
}

/* on_commit - the timer: commit what arrived since the last commit. */
static void
on_commit(void *arg)
{
	struct recall *m = arg;
	struct diag d = { 0 };

	m->committed = evloop_now_ms();
	if (!m->failed && store_commit(m->store, &d) != 0)
		recall_fail(m, &d);
}

/*
 * recall_later - a put joined the open transaction: commit it on the
 * loop's next turn, but no sooner than RECALL_COMMIT_MS after the last
 * commit, so that a run killed at any moment loses at most that much and
 * a fast one does not commit every few answers (validator/README, "The
 * result store").
 */
static void
recall_later(struct recall *m)
{
	int64_t at;

	if (m->loop == NULL || evtimer_armed(&m->timer))
		return;
	at = evloop_now_ms();
	if (at < m->committed + RECALL_COMMIT_MS)
		at = m->committed + RECALL_COMMIT_MS;
	evloop_timer_set(m->loop, &m->timer, at, on_commit, m);
}

/* recall_take - address id's stored row a: its previous status, and its
 * SMTP answer when still good. Returns whether the answer was taken. */
static bool
recall_take(struct recall *m, struct probe_targets *pt, uint32_t id,
    const struct store_address *a)
{
	struct probe_result *pr = probe_targets_result(pt, id);

	m->prev[id] = a->last_status < STATUS_LAST ?
	    (uint8_t)(a->last_status + 2) : PREV_NONE;
	if (a->smtp.sub >= SUB_LAST || !store_fresh(&m->ages,
	    store_class_of_sub((enum verdict_sub)a->smtp.sub), a->smtp_at,
	    m->now))
		return false;
	*pr = a->smtp;
	/* most answers share a few texts ("2.1.5 Ok"): intern each once */
	if (a->smtp.text == NULL)
		pr->text = NULL;
	else if (m->last_text != NULL && strcmp(m->last_text, a->smtp.text) == 0)
		pr->text = m->last_text;
	else
		pr->text = m->last_text = probe_targets_text(pt, a->smtp.text);
	m->smtp_at[id] = (uint32_t)a->smtp_at;
	return true;
}

/* The scan of the whole store (recall_addresses). */
struct recall_scan {
	struct recall *m;
	struct probe_targets *pt;
	const struct dedupe *dd;
	uint64_t got;
};

/* recall_scanned - one stored address: is it one of the run's? */
static int
recall_scanned(void *arg, const char *key, const struct store_address *a,
    struct diag *d)
{
	struct recall_scan *sc = arg;
	uint32_t id;

	(void)d;
	if (dedupe_find(sc->dd, key, strlen(key), &id) == 1 &&
	    id < probe_targets_count(sc->pt))
		sc->got += recall_take(sc->m, sc->pt, id, a);
	return 0;
}

uint64_t
recall_addresses(struct recall *m, struct probe_targets *pt,
    const struct dedupe *dd, size_t ndomains, struct diag *d)
{
	struct recall_scan sc = { m, pt, dd, 0 };
	size_t n = probe_targets_count(pt);
	uint64_t stored;

	if (m == NULL)
		return 0;
	m->need = xcalloc(ndomains + 1, sizeof(*m->need));
	m->nneed = ndomains;
	if (n == 0)
		return 0;
	recall_grow_stat(m, (uint32_t)(n - 1));
	m->smtp_at = recall_grow32(m->smtp_at, &m->nsmtp_at, n - 1);
	if (store_count_addresses(m->store, &stored, d) != 0)
		return UINT64_MAX;
	/*
	 * A lookup costs about five times a row of a scan in key order: a
	 * store not much larger than the list is read whole, a big one is
	 * asked address by address (validator/README, "The result store").
	 */
	if (stored <= RECALL_SCAN_RATIO * (uint64_t)n) {
		if (store_each_address(m->store, recall_scanned, &sc, d) != 0)
			return UINT64_MAX;
	} else
		for (uint32_t id = 0; id < n; id++) {
			const char *a = probe_targets_addr(pt, id);
			struct store_address sa;
			int rc = store_get_address(m->store, a, strlen(a), &sa,
			    d);

			if (rc < 0)
				return UINT64_MAX;
			if (rc == 1)
				sc.got += recall_take(m, pt, id, &sa);
			else
				m->prev[id] = PREV_NONE;
		}
	for (uint32_t id = 0; id < n; id++) {
		uint32_t dom = probe_targets_domain(pt, id);

		if (m->prev[id] == PREV_UNKNOWN)
			m->prev[id] = PREV_NONE;
		if (probe_targets_result(pt, id)->sub == SUB_LAST &&
		    dom < ndomains)
			m->need[dom] = true;
	}
	return sc.got;
}

/*
 * on_recall - the DNS stage asks for a kept answer. One whose mail hosts
 * the SMTP stage will connect to is taken only while its addresses are
 * as fresh as a temporary answer: host addresses change, and a stale one
 * costs a connection failure (validator/README, "The result store").
 */
static int
on_recall(void *arg, uint32_t id, const char *name, struct dnsstage_answer *a)
{
	struct recall *m = arg;
	struct store_domain sd;
	struct diag d = { 0 };
	bool usable;

	if (store_get_domain(m->store, name, &sd, &d) != 1)
		return 0;	/* a read error: ask the network */
	/* A lookup that failed is asked again: it costs a query, and most
	 * often it was our own resolver's trouble. */
	if (sd.dns == EVDNS_NONE || sd.dns == EVDNS_TIMEOUT ||
	    sd.dns == EVDNS_ERROR || !store_fresh(&m->ages,
	    store_class_of_dns(sd.dns), sd.dns_at, m->now))
		return 0;
	usable = sd.dns == EVDNS_OK || sd.dns == EVDNS_IMPLICIT;
	if (usable && id != UINT32_MAX && id < m->nneed && m->need[id] &&
	    !store_fresh(&m->ages, STORE_CLASS_TEMPORARY, sd.dns_at, m->now))
		return 0;
	a->dns = sd.dns;
	a->mx = sd.mx;
	a->detail = sd.detail;
	a->hosts = sd.hosts;
	a->at = sd.dns_at;
	if (id != UINT32_MAX) {
		m->dom_at = recall_grow32(m->dom_at, &m->ndom_at, id);
		m->dom_at[id] = (uint32_t)sd.dns_at;
	}
	return 1;
}

/* on_learn - a fresh DNS answer is kept. */
static void
on_learn(void *arg, uint32_t id, const char *name,
    const struct dnsstage_answer *a)
{
	struct recall *m = arg;
	struct diag d = { 0 };

	(void)id;
	if (m->failed)
		return;
	if (store_put_dns(m->store, name, a->dns, a->mx, a->detail, a->hosts,
	    m->now, &d) != 0)
		recall_fail(m, &d);
	else
		recall_later(m);
}

/* on_answered - a final SMTP answer is kept. */
static void
on_answered(void *arg, uint32_t id)
{
	struct recall *m = arg;
	struct probe_targets *pt = m->pt;
	const char *a = probe_targets_addr(pt, id);
	struct diag d = { 0 };

	if (m->failed)
		return;
	if (store_put_smtp(m->store, a, strlen(a),
	    probe_targets_result(pt, id), m->now, &d) != 0)
		recall_fail(m, &d);
	else
		recall_later(m);
}

/* on_catch_all - a domain's catch-all test ended yes or no. */
static void
on_catch_all(void *arg, uint32_t domain, enum probe_tri t)
{
	struct recall *m = arg;
	struct diag d = { 0 };

	if (m->failed)
		return;
	if (store_put_catch_all(m->store, domains_name(m->dt, domain),
	    (uint8_t)t, m->now, &d) != 0)
		recall_fail(m, &d);
	else
		recall_later(m);
}

const struct dnsstage_memory *
recall_dns(struct recall *m, struct evloop *loop, const struct domains *dt)
{
	if (m == NULL)
		return NULL;
	m->loop = loop;
	m->dt = dt;
	m->dmem.recall = on_recall;
	m->dmem.learn = on_learn;
	m->dmem.arg = m;
	return &m->dmem;
}

const struct probe_memory *
recall_probe(struct recall *m, struct evloop *loop, struct probe_targets *pt,
    const struct domains *dt)
{
	if (m == NULL)
		return NULL;
	m->loop = loop;
	m->pt = pt;
	m->dt = dt;
	m->pmem.answered = on_answered;
	m->pmem.catch_all = on_catch_all;
	m->pmem.arg = m;
	return &m->pmem;
}

int
recall_flush(struct recall *m, struct diag *d)
{
	if (m == NULL)
		return 0;
	if (m->loop != NULL)
		evloop_timer_cancel(m->loop, &m->timer);
	if (!m->failed && store_commit(m->store, d) != 0)
		recall_fail(m, d);
	if (m->failed) {
		*d = m->err;
		return -1;
	}
	return 0;
}

int64_t
recall_dns_at(const struct recall *m, uint32_t dom)
{
	return m != NULL && dom < m->ndom_at ? m->dom_at[dom] : 0;
}

int64_t
recall_smtp_at(const struct recall *m, uint32_t aid)
{
	return m != NULL && aid < m->nsmtp_at ? m->smtp_at[aid] : 0;
}

int
recall_previous(struct recall *m, uint32_t aid, const char *key, size_t len,
    enum verdict_status *out, struct diag *d)
{
	struct store_address sa;
	int rc;

	*out = STATUS_LAST;
	if (m == NULL)
		return 0;
	recall_grow_stat(m, aid);
	if (m->prev[aid] == PREV_UNKNOWN) {
		if ((rc = store_get_address(m->store, key, len, &sa, d)) < 0)
			return -1;
		m->prev[aid] = rc == 1 && sa.last_status < STATUS_LAST ?
		    (uint8_t)(sa.last_status + 2) : PREV_NONE;
	}
	if (m->prev[aid] >= 2)
		*out = (enum verdict_status)(m->prev[aid] - 2);
	return 0;
}

void
recall_final(struct recall *m, uint32_t aid, enum verdict_status status,
    enum verdict_sub sub)
{
	if (m == NULL)
		return;
	recall_grow_stat(m, aid);
	m->fin[aid] = (uint8_t)(status + 1);
	m->fin_sub[aid] = (uint8_t)sub;
}

/* One status to write (recall_commit). */
struct recall_last {
	const char *key;
	size_t len;
	uint32_t id;
};

/* recall_by_key - order recall_last entries by key, as the store does. */
static int
recall_by_key(const void *a, const void *b)
{
	const struct recall_last *x = a, *y = b;
	int c = memcmp(x->key, y->key, x->len < y->len ? x->len : y->len);

	if (c != 0)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

int
recall_commit(struct recall *m, const struct dedupe *dd, struct diag *d)
{
	struct recall_last *w;
	size_t n, nw = 0;
	int rc = 0;

	if (m == NULL || m->failed)
		return recall_flush(m, d);
	n = dedupe_count(dd);
	if (n > m->nstat)
		n = m->nstat;
	/* New or changed statuses only, written in key order: a b-tree
	 * filled in order touches each page once. */
	w = xreallocarray(NULL, n + 1, sizeof(*w));
	for (uint32_t id = 0; id < n; id++)
		if (m->fin[id] != 0 && m->fin[id] + 1 != m->prev[id]) {
			w[nw].key = dedupe_key(dd, id, &w[nw].len);
			w[nw++].id = id;
		}
	qsort(w, nw, sizeof(*w), recall_by_key);
	for (size_t i = 0; i < nw && rc == 0; i++) {
		uint32_t id = w[i].id;

		if (store_put_last(m->store, w[i].key, w[i].len,
		    (enum verdict_status)(m->fin[id] - 1),
		    (enum verdict_sub)m->fin_sub[id], m->now, d) != 0) {
			recall_fail(m, d);
			rc = -1;
		}
	}
	free(w);
	return rc != 0 ? -1 : recall_flush(m, d);
}

void
recall_close(struct recall *m)
{
	if (m == NULL)
		return;
	if (m->loop != NULL)
		evloop_timer_cancel(m->loop, &m->timer);
	store_close(m->store);
	free(m->need);
	free(m->dom_at);
	free(m->smtp_at);
	free(m->prev);
	free(m->fin);
	free(m->fin_sub);
	free(m);
}
