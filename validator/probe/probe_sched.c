#include "probe/probe_sched.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "util/diag.h"
#include "dns/domains.h"
#include "util/evloop.h"
#include "util/progress.h"
#include "dns/mailhosts.h"
#include "dns/providers.h"
#include "probe/probe_addrsel.h"
#include "probe/probe_targets.h"
#include "probe/probe_trouble.h"
#include "verdict/smtp_classify.h"
#include "smtp/tlsctx.h"
#include "verdict/verdict.h"
#include "util/xalloc.h"

#define NONE UINT32_MAX
#define TICK_MS 100		/* wake-up while work waits on a delay */
#define FD_MARGIN 32		/* descriptors besides the connections */
/* Sessions in a row that could not start for a local reason (no socket)
 * while none was open to free one: the stage cannot run. */
#define LOCAL_FAILS_MAX 50
/* Bytes of a host's set of providers (one bit per provider of the table). */
#define PVSET_BYTES ((PROVIDERS_MAX + 7) / 8)

/* One recipient: an address of the probe_targets, or a domain's catch-all test. */
struct item {
	uint32_t next;		/* host queue link */
	uint32_t domain;	/* domains id */
	int64_t not_before;	/* evloop ms */
	uint8_t hostidx;	/* index in the domain's host list */
	bool done;		/* answered (or never to be asked) */
	uint32_t wnext;		/* answered, waiting for its domain's test */
	uint8_t lastsub;	/* enum verdict_sub of its last reply */
	uint16_t lastcode;	/* its own last reply (a 4xx asked again),
				 * 0: none */
	char lastenh[16];
	const char *lasttext;	/* probe_targets_text */
	struct probe_trouble_addr_count trouble;
};

struct hstate {
	uint32_t head, tail;	/* queue of items */
	uint32_t queued;
	unsigned active;	/* sessions now */
	struct probe_trouble_host_count trouble;
	unsigned batch_max;
	unsigned max_rcpt;	/* per connection (providers.tsv); 0: none */
	const struct provider *own;	/* the provider its own name names,
					 * or (by_banner) its greeting */
	bool by_banner;
	const struct socks5_proxy *proxy;	/* its sessions' (--proxy,
						 * --proxy-for); NULL: direct */
	bool dead, blocked, tls_off, listed;
	bool dead_proxy;	/* dead because the --proxy failed */
	bool throttled;		/* blocked because it kept saying "slow
				 * down" */
	uint8_t addr;		/* the address sessions go to now: its
				 * position in order */
	bool ordered;
	uint8_t order[MAILHOSTS_MAX_ADDRS];	/* RFC 6724 order */
	uint8_t ntry;		/* order[0..ntry-1] are tried: those of a
				 * family with a source address */
	int64_t next_allowed;
	int64_t *starts;	/* ring of the last host_rate start times */
	unsigned nstarts, startpos;
};

struct dstate {
	uint32_t catchall;	/* its catch-all item, NONE: not probed */
	uint8_t catch_all;	/* enum probe_tri */
	uint8_t test_sub;	/* enum verdict_sub: how the test ended */
	bool tested;		/* the test has ended */
	bool routed;		/* some of its addresses are asked */
	uint32_t waiting;	/* answered items waiting for the test */
	char local[24];		/* the test's local part, one for the run:
				 * a greylister lets it through when it is
				 * asked again */
};

struct sched;

struct psess {
	struct sched *s;
	struct smtp_session *sess;
	struct psess *prev, *next;	/* the sessions not ended yet */
	uint32_t host;
	uint8_t addr;		/* index of the host address it went to */
	bool progress;		/* a RCPT got a reply */
	bool tls;
	unsigned answered;	/* replies in the current transaction */
	unsigned errors;	/* 5xx RCPT replies in this session */
	unsigned txns;		/* transactions in this session */
	bool too_many;		/* a 452 too many recipients in this one */
	unsigned handed;	/* recipients handed out in this session */
	/* handed out, and the session ended before their RCPT got a reply:
	 * what becomes of them waits for how it ended (on_ended) */
	uint32_t pend[SMTP_RCPT_MAX];
	unsigned npend;
};

struct sched {
	struct evloop *loop;
	struct probe_targets *ps;
	struct domains *dt;
	const struct mailhosts *mx;
	const struct smtp_phrases *ph;
	const struct probe_opts *o;
	struct probe_trouble_opts topts;
	struct probe_stats *st;
	SSL_CTX *ctx;
	struct item *items;
	size_t naddr, nitems;
	struct hstate *hosts;
	size_t nhosts;
	const struct providers *pvt;	/* lists/providers.tsv, or NULL */
	uint8_t *pvset;		/* per host: PVSET_BYTES, the providers whose
				 * rules it follows */
	struct dstate *doms;
	size_t ndoms;
	uint32_t *work;		/* hosts with queued items */
	size_t nwork;
	size_t remaining;	/* items not done */
	size_t asked;		/* addresses (not tests) to ask */
	unsigned active;
	struct psess *live;	/* sessions not ended, to abort on a stop */
	struct evtimer tick;
	uint64_t rng;
	char catchbuf[SMTP_RCPT_MAX][320];
	unsigned local_fails;	/* starts failed here in a row */
	int failed;
	struct diag fail;
};

static void sched_kick(struct sched *s);

/* sched_rand - splitmix64 over the run's seed (no global PRNG). */
static uint64_t
sched_rand(struct sched *s)
{
	uint64_t z = (s->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* sched_host - the mailhosts id an item is routed to now. */
static uint32_t
sched_host(const struct sched *s, const struct item *it)
{
	uint32_t list;

	(void)domains_hosts(s->dt, it->domain, &list);
	return mailhosts_list_at(s->mx, list)[it->hostidx];
}

static void sched_fallback(struct sched *s, uint32_t id, enum verdict_sub sub,
    const struct smtp_reply *r);
static void sched_finish(struct sched *s, uint32_t id, enum verdict_sub sub,
    const struct smtp_reply *r, bool tls);
static void sched_out(struct sched *s, uint32_t id,
    const struct probe_trouble_host *t, const struct smtp_reply *r);
static void sched_settle_one(struct sched *s, uint32_t id);

/* sched_push - queue an item on its host (or past it, if the host is out). */
static void
sched_push(struct sched *s, uint32_t id, bool front)
{
	struct item *it = &s->items[id];
	uint32_t hid = sched_host(s, it);
	struct hstate *h = &s->hosts[hid];

	if (h->dead || h->blocked) {
		struct probe_trouble_host t;

		probe_trouble_out(h->dead, &t);
		if (h->dead && h->dead_proxy)
			t.sub = SUB_PROXY_FAILED;	/* not the host's */
		else if (!h->dead && h->throttled)
			t.sub = SUB_THROTTLED;
		sched_out(s, id, &t, NULL);
		return;
	}
	if (h->own != NULL && h->own->accept_all) {
		/* A host of a provider that accepts every recipient (reached
		 * by falling back to it): asking it proves nothing. */
		if (id < s->naddr)
			s->st->provider_not_asked++;
		sched_finish(s, id, SUB_PROVIDER_ACCEPTS_ALL, NULL, false);
		return;
	}
	it->done = false;
	it->next = NONE;
	if (h->head == NONE) {
		h->head = h->tail = id;
	} else if (front) {
		it->next = h->head;
		h->head = id;
	} else {
		s->items[h->tail].next = id;
		h->tail = id;
	}
	h->queued++;
	if (!h->listed) {
		h->listed = true;
		s->work[s->nwork++] = hid;
	}
}

/* sched_finish - store a final answer for an item. */
static void
sched_finish(struct sched *s, uint32_t id, enum verdict_sub sub,
    const struct smtp_reply *r, bool tls)
{
	struct item *it = &s->items[id];

	if (it->done)
		return;
	it->done = true;
	s->remaining--;
	if (id >= s->naddr) {
		struct dstate *ds = &s->doms[it->domain];

		/* Only a refusal as "no such mailbox" says the domain
		 * checks its recipients; anything else leaves it open
		 * (validator/README, "Probe etiquette"). */
		ds->test_sub = (uint8_t)sub;
		if (sub == SUB_MAILBOX_OK || sub == SUB_PROVIDER_ACCEPTS_ALL)
			ds->catch_all = PROBE_TRI_YES;
		else if (sub == SUB_MAILBOX_NOT_FOUND)
			ds->catch_all = PROBE_TRI_NO;
		ds->tested = true;
		if (s->o->memory != NULL && ds->catch_all != PROBE_TRI_UNSET)
			s->o->memory->catch_all(s->o->memory->arg, it->domain,
			    (enum probe_tri)ds->catch_all);
		/* the answers that waited for it are final now */
		while (ds->waiting != NONE) {
			uint32_t w = ds->waiting;

			ds->waiting = s->items[w].wnext;
			sched_settle_one(s, w);
		}
		return;
	}
	{
		struct probe_result *pr = probe_targets_result(s->ps, id);

		pr->sub = (uint16_t)sub;
		pr->tls = r != NULL ? (tls ? PROBE_TRI_YES : PROBE_TRI_NO) :
		    PROBE_TRI_UNSET;
		if (r != NULL && r->code > 0) {
			pr->code = (uint16_t)r->code;
			snprintf(pr->enhanced, sizeof(pr->enhanced), "%s",
			    r->enhanced);
			pr->text = probe_targets_text(s->ps, r->text);
		}
		s->st->addresses++;
	}
	/* An accepted address means something only next to its domain's
	 * test: it is final when that has ended. */
	if (s->doms[it->domain].catchall != NONE &&
	    !s->doms[it->domain].tested) {
		it->wnext = s->doms[it->domain].waiting;
		s->doms[it->domain].waiting = id;
	} else
		sched_settle_one(s, id);
}

/*
 * sched_finish_own - final answer for an item from its own last reply
 * (a temporary one it was asked again for), never another address's.
 */
static void
sched_finish_own(struct sched *s, uint32_t id)
{
	struct item *it = &s->items[id];
	struct smtp_reply r;

	memset(&r, 0, sizeof(r));
	r.code = it->lastcode;
	snprintf(r.enhanced, sizeof(r.enhanced), "%s", it->lastenh);
	snprintf(r.text, sizeof(r.text), "%s",
	    it->lasttext != NULL ? it->lasttext : "");
	sched_finish(s, id, (enum verdict_sub)it->lastsub, &r, false);
}

/* sched_remember - an item's own temporary answer, kept for its end. */
static void
sched_remember(struct sched *s, uint32_t id, enum verdict_sub sub,
    const struct smtp_reply *r)
{
	struct item *it = &s->items[id];

	if (r == NULL || r->code <= 0)
		return;
	it->lastsub = (uint8_t)sub;
	it->lastcode = (uint16_t)r->code;
	snprintf(it->lastenh, sizeof(it->lastenh), "%s", r->enhanced);
	it->lasttext = probe_targets_text(s->ps, r->text);
}

/*
 * sched_fallback - the item's host is out: the next usable host of its
 * domain by preference, or the final answer sub.
 */
static void
sched_fallback(struct sched *s, uint32_t id, enum verdict_sub sub,
    const struct smtp_reply *r)
{
	struct item *it = &s->items[id];
	uint32_t handle;
	size_t nhosts = domains_hosts(s->dt, it->domain, &handle);
	const uint32_t *list = mailhosts_list_at(s->mx, handle);

	while (it->hostidx + 1u < nhosts) {
		struct hstate *h = &s->hosts[list[++it->hostidx]];

		if (!h->dead && !h->blocked) {
			sched_push(s, id, false);
			return;
		}
	}
	if (s->items[id].lastcode != 0)
		sched_finish_own(s, id);
	else
		sched_finish(s, id, sub, r, false);
}

/*
 * sched_out - an item meets a host that is out for the run (t: DEAD or
 * BLOCKED): another host, or its final answer.
 */
static void
sched_out(struct sched *s, uint32_t id, const struct probe_trouble_host *t,
    const struct smtp_reply *r)
{
	if (!t->reply)
		r = NULL;
	if (t->act == TROUBLE_HOST_DEAD)
		sched_fallback(s, id, t->sub, r);
	else if (s->items[id].lastcode != 0)
		sched_finish_own(s, id);
	else
		sched_finish(s, id, t->sub, r, false);
}

/* sched_drain - a host is out for the run: move or finish its queue. */
static void
sched_drain(struct sched *s, uint32_t hid, const struct probe_trouble_host *t,
    const struct smtp_reply *r)
{
	struct hstate *h = &s->hosts[hid];
	uint32_t id = h->head;

	h->head = h->tail = NONE;
	h->queued = 0;
	while (id != NONE) {
		uint32_t next = s->items[id].next;

		sched_out(s, id, t, r);
		id = next;
	}
}

/* sched_problem - note a refusal aimed at the sender, per host. */
static void
sched_problem(struct sched *s, uint32_t hid, const struct smtp_reply *r)
{
	const char *host = mailhosts_name(s->mx, hid);
	struct probe_stats *st = s->st;

	for (size_t i = 0; i < st->nproblems; i++)
		if (strcmp(st->problems[i].host, host) == 0) {
			st->problems[i].count++;
			return;
		}
	if (st->nproblems == PROBE_MAX_PROBLEMS)
		return;
	snprintf(st->problems[st->nproblems].host,
	    sizeof(st->problems[0].host), "%s", host);
	snprintf(st->problems[st->nproblems].reply,
	    sizeof(st->problems[0].reply), "%d%s%s %s", r->code,
	    r->enhanced[0] ? " " : "", r->enhanced,
	    probe_targets_text(s->ps, r->text));
	st->problems[st->nproblems++].count = 1;
}

/*
 * sched_apply_host - carry out what probe_trouble decided for host hid;
 * r is the reply that decided, or NULL; qr is what the queued addresses
 * may carry: r when it was about the host (a greeting, a 421), NULL when
 * it answered another address.
 */
static void
sched_apply_host(struct sched *s, uint32_t hid,
    const struct probe_trouble_host *t, const struct smtp_reply *r,
    const struct smtp_reply *qr)
{
	struct hstate *h = &s->hosts[hid];

	if (t->problem)
		sched_problem(s, hid, r);
	switch (t->act) {
	case TROUBLE_HOST_KEEP:
	case TROUBLE_HOST_LAST:
		break;
	case TROUBLE_HOST_BACK_OFF:
		h->next_allowed = evloop_now_ms() + t->delay_ms;
		break;
	case TROUBLE_HOST_PLAIN:
		h->tls_off = true;
		break;
	case TROUBLE_HOST_DEAD:
		h->dead = true;
		h->dead_proxy = t->sub == SUB_PROXY_FAILED;
		sched_drain(s, hid, t, qr);
		break;
	case TROUBLE_HOST_BLOCKED:
		if (h->blocked)
			break;
		h->blocked = true;
		h->throttled = t->sub == SUB_THROTTLED;
		s->st->blocked_hosts++;
		sched_drain(s, hid, t, qr);
		break;
	}
}

/*
 * sched_smaller - the host took fewer recipients than we sent: later
 * transactions to it are no bigger than what this one accepted.
 */
static void
sched_smaller(struct sched *s, struct psess *p)
{
	struct hstate *h = &s->hosts[p->host];
	unsigned nb = p->answered > 1 ? p->answered - 1 : 1;

	if (p->too_many)
		return;
	p->too_many = true;
	if (h->batch_max == 0 || nb < h->batch_max)
		h->batch_max = nb;
}

/*
 * sched_apply_addr - carry out what probe_trouble decided for item id,
 * handed out in session p; r is the reply that decided, or NULL.
 */
static void
sched_apply_addr(struct sched *s, struct psess *p, uint32_t id,
    const struct probe_trouble_addr *t, const struct smtp_reply *r)
{
	switch (t->act) {
	case TROUBLE_ANSWER:
		sched_finish(s, id, t->sub, t->reply ? r : NULL, p->tls);
		break;
	case TROUBLE_RETRY:
		s->st->retries++;
		sched_remember(s, id, t->sub, r);
		s->items[id].not_before = evloop_now_ms() + t->delay_ms;
		sched_push(s, id, false);
		break;
	case TROUBLE_REQUEUE:
		s->st->requeued++;
		sched_push(s, id, true);
		break;
	case TROUBLE_GIVE_UP:
		s->st->requeued++;	/* counted as the earlier ones were */
		if (s->items[id].lastcode != 0)
			sched_finish_own(s, id);
		else
			sched_finish(s, id, t->sub, NULL, false);
		break;
	case TROUBLE_SMALLER:
		s->st->requeued++;
		sched_remember(s, id, SUB_TEMPORARY_ERROR, r);
		sched_smaller(s, p);
		sched_push(s, id, true);
		break;
	case TROUBLE_ADDR_LAST:
		break;
	}
}

/*
 * sched_unreachable - no session to host hid can even start (no address,
 * no socket): the same as a connect that fails.
 */
static void
sched_unreachable(struct sched *s, uint32_t hid)
{
	struct probe_trouble_host t;

	probe_trouble_ended(&s->topts, SMTP_END_CONNECT_FAILED, "connect",
	    NULL, false, &s->hosts[hid].trouble, &t);
	sched_apply_host(s, hid, &t, NULL, NULL);
}

/* sched_ready - a queued item may be handed out now. */
static bool
sched_ready(const struct sched *s, uint32_t id, int64_t now)
{
	return s->items[id].not_before <= now;
}

/*
 * sched_host_rules - host hid follows provider pv's rules too (pv may be
 * NULL): its cap per connection is the smallest of its providers'
 * (validator/README, "Mailbox providers").
 */
static void
sched_host_rules(struct sched *s, uint32_t hid, const struct provider *pv)
{
	struct hstate *h = &s->hosts[hid];
	size_t k = providers_index(s->pvt, pv);

	if (pv == NULL || k >= PROVIDERS_MAX)
		return;
	s->pvset[(size_t)hid * PVSET_BYTES + k / 8] |= (uint8_t)(1u << (k % 8));
	if (pv->max_rcpt > 0 && (h->max_rcpt == 0 || pv->max_rcpt < h->max_rcpt))
		h->max_rcpt = pv->max_rcpt;
}

/*
 * sched_throttles - whether reply r from host hid means "slow down": 421
 * 4.7.28 from anyone, or a throttle_codes reply of one of the host's
 * providers (validator/README, "Probe etiquette").
 */
static bool
sched_throttles(const struct sched *s, uint32_t hid, const struct smtp_reply *r)
{
	const uint8_t *set = &s->pvset[(size_t)hid * PVSET_BYTES];
	size_t n = providers_count(s->pvt);

	if (r == NULL || r->code <= 0)
		return false;
	if (r->code == 421 && strcmp(r->enhanced, "4.7.28") == 0)
		return true;
	for (size_t k = 0; k < n && k < PROVIDERS_MAX; k++)
		if ((set[k / 8] >> (k % 8) & 1u) != 0 &&
		    provider_throttles(providers_at(s->pvt, k),
		    (unsigned)r->code, r->enhanced))
			return true;
	return false;
}

/*
 * sched_identify - a host no row names by its name may name itself: a
 * banner row found in its greeting or EHLO line gives it that provider's
 * rules from now on; an accept_all provider's queue is answered at once
 * (validator/README, "Mailbox providers").
 */
static void
sched_identify(struct sched *s, uint32_t hid, const struct smtp_caps *caps)
{
	struct hstate *h = &s->hosts[hid];
	const struct provider *pv;

	if (h->own != NULL || s->pvt == NULL)
		return;
	pv = providers_match_banner(s->pvt, caps->greeting,
	    strlen(caps->greeting));
	if (pv == NULL)
		pv = providers_match_banner(s->pvt, caps->hello,
		    strlen(caps->hello));
	if (pv == NULL)
		return;
	h->own = pv;
	h->by_banner = true;
	s->st->provider_banner++;
	sched_host_rules(s, hid, pv);
	if (!pv->accept_all)
		return;
	while (h->head != NONE) {
		uint32_t id = h->head;

		h->head = s->items[id].next;
		h->queued--;
		if (id < s->naddr)
			s->st->provider_not_asked++;
		sched_finish(s, id, SUB_PROVIDER_ACCEPTS_ALL, NULL, false);
	}
	h->tail = NONE;
}

/* on_next_batch - smtp_session wants the next transaction's recipients. */
static size_t
on_next_batch(void *arg, const struct smtp_caps *caps, struct smtp_rcpt *out,
    size_t max)
{
	struct psess *p = arg;
	struct sched *s = p->s;
	struct hstate *h = &s->hosts[p->host];
	int64_t now = evloop_now_ms();
	uint32_t id, prev = NONE;
	size_t n = 0, ntests = 0, maxtests;

	if (caps->tls && !p->tls)
		s->st->tls_sessions++;
	p->tls = caps->tls;
	sched_identify(s, p->host, caps);	/* may empty the queue */
	id = h->head;
	/* Fewer when the host told us so (452 too many recipients). */
	if (h->batch_max > 0 && max > h->batch_max)
		max = h->batch_max;
	if (h->blocked || h->dead || probe_trouble_spent(p->errors, p->txns))
		return 0;
	if (s->o->rcpt_per_session > 0) {
		if (p->handed >= s->o->rcpt_per_session)
			return 0;
		if (max > s->o->rcpt_per_session - p->handed)
			max = s->o->rcpt_per_session - p->handed;
	}
	/* The provider's cap per connection (max_rcpt_per_conn): a new
	 * connection asks the rest. */
	if (h->max_rcpt > 0) {
		if (p->handed >= h->max_rcpt)
			return 0;
		if (max > h->max_rcpt - p->handed)
			max = h->max_rcpt - p->handed;
	}
	maxtests = probe_trouble_tests(p->errors);
	while (id != NONE && n < max) {
		uint32_t next = s->items[id].next;
		struct item *it = &s->items[id];
		bool utf8 = id < s->naddr && probe_targets_utf8(s->ps, id);

		if (!sched_ready(s, id, now) ||
		    (id >= s->naddr && ntests >= maxtests)) {
			prev = id;
			id = next;
			continue;
		}
		/* unlink */
		if (prev == NONE)
			h->head = next;
		else
			s->items[prev].next = next;
		if (h->tail == id)
			h->tail = prev;
		h->queued--;
		if (utf8 && !caps->smtputf8) {
			sched_finish(s, id, SUB_SMTPUTF8_UNSUPPORTED, NULL,
			    false);
			id = next;
			continue;
		}
		out[n].id = id;
		out[n].utf8 = utf8;
		if (id < s->naddr) {
			out[n].addr = probe_targets_addr(s->ps, id);
		} else {
			struct dstate *ds = &s->doms[it->domain];

			if (ds->local[0] == '\0') {
				uint64_t r = sched_rand(s);

				snprintf(ds->local, sizeof(ds->local),
				    "lsx-%08llx%08llx",
				    (unsigned long long)(r >> 32),
				    (unsigned long long)(r & 0xffffffffu));
			}
			ntests++;
			snprintf(s->catchbuf[n], sizeof(s->catchbuf[n]),
			    "%s@%s", ds->local,
			    domains_name(s->dt, it->domain));
			out[n].addr = s->catchbuf[n];
		}
		n++;
		id = next;
	}
	if (n > 0) {
		s->st->transactions++;
		p->answered = 0;
		p->too_many = false;
		p->handed += (unsigned)n;
		p->txns++;
	}
	return n;
}

/* on_rcpt_done - one recipient's outcome: probe_trouble says what it means. */
static void
on_rcpt_done(void *arg, const struct smtp_rcpt *r, const struct smtp_reply *reply,
    const struct smtp_reply *mail)
{
	struct psess *p = arg;
	struct sched *s = p->s;
	struct smtp_verdict v = { .cls = SMTPC_LAST };
	struct probe_trouble_addr ta;
	struct probe_trouble_host th;

	if (reply == NULL && (mail == NULL || mail->code < 400) &&
	    p->npend < SMTP_RCPT_MAX) {
		/* Not refused, no reply: the session is ending before r got
		 * one. What that means waits for how it ends (on_ended). */
		p->pend[p->npend++] = r->id;
		return;
	}
	if (reply != NULL && reply->code != SMTP_CODE_UNSAFE) {
		p->progress = true;
		p->answered++;
		s->st->rcpts++;
		if (reply->code >= 500)
			p->errors++;
		smtp_classify(s->ph, SMTPS_RCPT, reply, &v);
		/* The host's providers' "slow down" replies (throttle_codes):
		 * back off and ask again later, never a verdict. */
		if (sched_throttles(s, p->host, reply)) {
			v.cls = SMTPC_RATE_LIMITED;
			s->st->provider_throttled++;
		}
	}
	probe_trouble_rcpt(&s->topts, reply, v.cls, mail, r->utf8,
	    &s->items[r->id].trouble, &s->hosts[p->host].trouble, &ta, &th);
	if (reply == NULL)
		reply = mail;	/* MAIL FROM's refusal decided, if any */
	sched_apply_addr(s, p, r->id, &ta, reply);
	/* The queued addresses never carry this reply: it is about r. */
	sched_apply_host(s, p->host, &th, reply, NULL);
}

/* sched_unlink - p's session has ended (or is being aborted). */
static void
sched_unlink(struct sched *s, struct psess *p)
{
	if (p->prev != NULL)
		p->prev->next = p->next;
	else
		s->live = p->next;
	if (p->next != NULL)
		p->next->prev = p->prev;
}

/*
 * sched_pending - the recipients of p's last transaction that got no
 * reply: asked again later when the session ended "slow down" (throttled,
 * last the reply that ended it), else as probe_trouble_rcpt says.
 */
static void
sched_pending(struct sched *s, struct psess *p, bool throttled,
    const struct smtp_reply *last)
{
	for (unsigned i = 0; i < p->npend; i++) {
		uint32_t id = p->pend[i];
		struct item *it = &s->items[id];
		struct probe_trouble_addr ta;
		struct probe_trouble_host th;

		if (throttled) {
			probe_trouble_throttled_addr(&s->topts, &it->trouble,
			    &ta);
			sched_apply_addr(s, p, id, &ta, last);
			continue;
		}
		probe_trouble_rcpt(&s->topts, NULL, SMTPC_LAST, NULL,
		    id < s->naddr && probe_targets_utf8(s->ps, id),
		    &it->trouble, &s->hosts[p->host].trouble, &ta, &th);
		sched_apply_addr(s, p, id, &ta, NULL);
		sched_apply_host(s, p->host, &th, NULL, NULL);
	}
	p->npend = 0;
}

/* on_ended - a session is over: probe_trouble says what it means. */
static void
on_ended(void *arg, enum smtp_end why, const char *phase,
    const struct smtp_reply *last, const struct smtp_caps *caps)
{
	struct psess *p = arg;
	struct sched *s = p->s;
	uint32_t hid = p->host;
	struct hstate *h = &s->hosts[hid];
	struct probe_trouble_host th;
	/* "Slow down" at any phase: ask again later, never a verdict. */
	bool throttled = why == SMTP_END_REFUSED &&
	    sched_throttles(s, hid, last);

	(void)caps;
	h->active--;
	s->active--;
	sched_unlink(s, p);
	if (throttled)
		s->st->provider_throttled++;
	sched_pending(s, p, throttled, last);
	if (throttled) {
		probe_trouble_throttled(&s->topts, p->progress, &h->trouble,
		    &th);
		sched_apply_host(s, hid, &th, last, last);
	} else if (probe_trouble_next_addr(why, phase) && p->addr < h->addr) {
		/* An address the host's sessions have left already. */
	} else if (probe_trouble_next_addr(why, phase) &&
	    h->addr + 1u < h->ntry) {
		/* That address failed, not the host: try its next one at
		 * once, counting nothing against the host. */
		h->addr++;
	} else {
		probe_trouble_ended(&s->topts, why, phase, last, p->progress,
		    &h->trouble, &th);
		sched_apply_host(s, hid, &th, last, last);
	}
	free(p);
	sched_kick(s);
}

static const struct smtp_session_cb sched_cb = {
	on_next_batch, on_rcpt_done, on_ended
};

/* sched_can_start - limits and politeness allow a new session to hid. */
static bool
sched_can_start(struct sched *s, uint32_t hid, int64_t now)
{
	struct hstate *h = &s->hosts[hid];
	size_t ready = 0, per = s->o->rcpt_per_txn, need;

	if (h->dead || h->blocked || h->queued == 0 ||
	    h->active >= s->o->per_host || s->active >= s->o->max_connections ||
	    now < h->next_allowed)
		return false;
	if (h->batch_max > 0 && per > h->batch_max)
		per = h->batch_max;
	/* Another connection only for work the open ones will not reach
	 * in their next transaction: no idle EHLO/QUIT sessions. */
	need = (size_t)h->active * per + 1;
	for (uint32_t id = h->head; id != NONE && ready < need;
	    id = s->items[id].next)
		if (sched_ready(s, id, now))
			ready++;
	if (ready < need)
		return false;
	/* --host-rate: at most host_rate starts in any 60 s. */
	if (h->nstarts == s->o->host_rate &&
	    h->starts[h->startpos] > now - 60000) {
		h->next_allowed = h->starts[h->startpos] + 60000;
		return false;
	}
	return true;
}

/*
 * sched_order - once per host: the order to try its addresses in (RFC
 * 6724), leaving out those of a family without a source address when
 * --source-address gives some; a host left with none is counted as not
 * reachable from here.
 */
static void
sched_order(struct sched *s, uint32_t hid, const struct mx_addr *addrs,
    size_t naddrs)
{
	struct hstate *h = &s->hosts[hid];
	struct probe_addrsel_src src[MAILHOSTS_MAX_ADDRS];
	const struct probe_sources *ps = s->o->sources;
	/* through a proxy, the proxy's address is the one the host sees */
	bool sourced = ps != NULL && ps->n > 0 && h->proxy == NULL;
	bool has[MAILHOSTS_MAX_ADDRS];
	size_t keep = 0;

	if (naddrs > MAILHOSTS_MAX_ADDRS)
		naddrs = MAILHOSTS_MAX_ADDRS;
	for (size_t i = 0; i < naddrs; i++) {
		int k;

		probe_addrsel_source(&addrs[i], s->o->port, &src[i]);
		has[i] = true;
		if (!sourced)
			continue;
		k = probe_source_pick(ps, mailhosts_name(s->mx, hid),
		    addrs[i].family);
		if (k < 0) {
			has[i] = false;
			src[i].usable = false;
		} else if (src[i].usable) {
			/* RFC 6724 rule 2 compares the scope of the source
			 * the connection will really leave from */
			struct mx_addr a;

			memset(&a, 0, sizeof(a));
			a.family = ps->src[k].family;
			if (a.family == AF_INET6)
				a.u.v6 = ps->src[k].u.v6;
			else
				a.u.v4 = ps->src[k].u.v4;
			src[i].scope = probe_addrsel_scope(&a);
		}
	}
	probe_addrsel_order(addrs, src, naddrs, h->order);
	for (size_t i = 0; i < naddrs; i++)
		if (has[h->order[i]])
			h->order[keep++] = h->order[i];
	h->ntry = (uint8_t)keep;
	h->ordered = true;
	if (keep == 0 && naddrs > 0) {
		s->st->source_unreachable++;
		for (size_t i = 0; i < naddrs; i++) {
			if (addrs[i].family == AF_INET6)
				s->st->source_missing_v6 = true;
			else
				s->st->source_missing_v4 = true;
		}
	}
}

/* sched_start - open one session to host hid. */
static void
sched_start(struct sched *s, uint32_t hid, int64_t now)
{
	struct hstate *h = &s->hosts[hid];
	struct smtp_session_opts so = { 0 };
	struct sockaddr_storage ss;
	socklen_t sl;
	const struct mx_addr *addrs, *to;
	size_t naddrs = mailhosts_addrs(s->mx, hid, &addrs);
	struct psess *p;
	struct diag d = { 0 };
	struct sockaddr_storage srcss;
	int srcidx = -1;

	if (naddrs <= h->addr) {
		sched_unreachable(s, hid);
		return;
	}
	if (!h->ordered)
		sched_order(s, hid, addrs, naddrs);
	if (h->ntry <= h->addr) {
		/* Every address it has is of a family we have no source
		 * address for: not reachable from here. */
		sched_unreachable(s, hid);
		return;
	}
	to = &addrs[h->order[h->addr]];
	memset(&ss, 0, sizeof(ss));
	if (to->family == AF_INET6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

		a->sin6_family = AF_INET6;
		a->sin6_addr = to->u.v6;
		a->sin6_port = htons((uint16_t)s->o->port);
		sl = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;

		a->sin_family = AF_INET;
		a->sin_addr = to->u.v4;
		a->sin_port = htons((uint16_t)s->o->port);
		sl = sizeof(*a);
	}
	so.helo = s->o->helo;
	so.mail_from = s->o->mail_from;
	so.tls = h->tls_off ? SMTP_TLS_OFF : s->o->tls;
	so.pipelining = s->o->pipelining;
	so.rcpt_per_txn = s->o->rcpt_per_txn;
	so.connect_ms = s->o->connect_ms;
	so.banner_ms = s->o->banner_ms;
	so.command_ms = s->o->command_ms;
	so.ssl_ctx = s->ctx;
	if (s->o->sources != NULL && s->o->sources->n > 0 && h->proxy == NULL) {
		/* sched_order tried only addresses of a family that has one */
		srcidx = probe_source_pick(s->o->sources,
		    mailhosts_name(s->mx, hid), to->family);
		if (srcidx < 0) {	/* cannot happen: not in order[] */
			sched_unreachable(s, hid);
			return;
		}
		so.source_len = probe_source_sockaddr(
		    &s->o->sources->src[srcidx], &srcss);
		so.source = (struct sockaddr *)&srcss;
	}
	so.proxy = h->proxy;
	p = xcalloc(1, sizeof(*p));
	p->s = s;
	p->host = hid;
	p->addr = h->addr;
	if ((p->sess = smtp_session_start(s->loop, &so,
	    (struct sockaddr *)&ss, sl, mailhosts_name(s->mx, hid), &sched_cb,
	    p, &d)) == NULL) {
		/* No socket (EMFILE...): our trouble, not the host's. Try
		 * again a little later; nothing is counted against it. */
		free(p);
		h->next_allowed = now + TICK_MS;
		if (++s->local_fails >= LOCAL_FAILS_MAX && s->active == 0 &&
		    !s->failed) {
			s->failed = 1;
			s->fail = d;
		}
		return;
	}
	s->local_fails = 0;
	p->next = s->live;
	if (s->live != NULL)
		s->live->prev = p;
	s->live = p;
	if (h->starts == NULL)
		h->starts = xcalloc(s->o->host_rate, sizeof(*h->starts));
	h->starts[h->startpos] = now;
	h->startpos = (h->startpos + 1) % s->o->host_rate;
	if (h->nstarts < s->o->host_rate)
		h->nstarts++;
	h->active++;
	s->active++;
	s->st->connections++;
	if (srcidx >= 0)
		s->st->source_connections[srcidx]++;
}

/* sched_kick - start what may start; forget hosts without work. */
static void
sched_kick(struct sched *s)
{
	int64_t now = evloop_now_ms();
	size_t keep = 0;

	for (size_t i = 0; i < s->nwork; i++) {
		uint32_t hid = s->work[i];
		struct hstate *h = &s->hosts[hid];

		while (sched_can_start(s, hid, now))
			sched_start(s, hid, now);
		if (h->queued > 0 && !h->dead && !h->blocked)
			s->work[keep++] = hid;
		else
			h->listed = false;
	}
	s->nwork = keep;
}

/* on_tick - the periodic wake-up while work waits on a delay. */
static void
on_tick(void *arg)
{
	struct sched *s = arg;

	sched_kick(s);
	if (s->remaining > 0)
		evloop_timer_set(s->loop, &s->tick, evloop_now_ms() + TICK_MS,
		    on_tick, s);
}

/*
 * sched_proxy - the proxy of the sessions to a host of provider pv (NULL:
 * none): its --proxy-for, else --proxy, else none.
 */
static const struct socks5_proxy *
sched_proxy(const struct probe_opts *o, const struct provider *pv)
{
	for (size_t i = 0; pv != NULL && i < o->nproxy_for; i++)
		if (strcmp(o->proxy_for[i].provider, pv->name) == 0)
			return &o->proxy_for[i].proxy;
	return o->proxy;
}

/* sched_setup - items for every probeable address, hosts, catch-all tests. */
static void
sched_setup(struct sched *s)
{
	size_t naddr = probe_targets_count(s->ps);

	s->naddr = naddr;
	s->ndoms = domains_count(s->dt);
	s->nhosts = mailhosts_count(s->mx);
	s->items = xcalloc(naddr + s->ndoms + 1, sizeof(*s->items));
	s->doms = xcalloc(s->ndoms + 1, sizeof(*s->doms));
	s->hosts = xcalloc(s->nhosts + 1, sizeof(*s->hosts));
	s->work = xcalloc(s->nhosts + 1, sizeof(*s->work));
	s->pvt = domains_providers(s->dt);
	s->pvset = xcalloc(s->nhosts + 1, PVSET_BYTES);
	for (size_t i = 0; i < s->nhosts; i++) {
		const char *name = mailhosts_name(s->mx, (uint32_t)i);

		s->hosts[i].head = s->hosts[i].tail = NONE;
		/* A host whose own name is a provider's follows its rules,
		 * whichever domain it serves. */
		s->hosts[i].own = providers_match(s->pvt, name, strlen(name));
		sched_host_rules(s, (uint32_t)i, s->hosts[i].own);
		s->hosts[i].proxy = sched_proxy(s->o, s->hosts[i].own);
	}
	for (size_t i = 0; i < s->ndoms; i++)
		s->doms[i].catchall = s->doms[i].waiting = NONE;
	s->nitems = naddr;
	for (uint32_t id = 0; id < naddr; id++) {
		uint32_t dom = probe_targets_domain(s->ps, id);
		struct item *it = &s->items[id];
		const struct provider *pv;

		it->done = true;	/* until queued */
		/* answered already: by an earlier run (the result store) */
		if (probe_targets_result(s->ps, id)->sub != SUB_LAST)
			continue;
		if (dom == NONE || domains_hosts(s->dt, dom, NULL) == 0)
			continue;
		pv = domains_provider(s->dt, dom);
		/* A provider that accepts every recipient (accept_all):
		 * asking proves nothing, so nobody is asked. */
		if (pv != NULL && pv->accept_all) {
			struct probe_result *pr = probe_targets_result(s->ps,
			    id);

			pr->sub = SUB_PROVIDER_ACCEPTS_ALL;
			pr->catch_all = PROBE_TRI_YES;
			s->st->provider_not_asked++;
			continue;
		}
		/* The domain's catch-all test goes first on its host, unless
		 * the provider is known to refuse unknown users. */
		if (pv != NULL && pv->no_catch_all_test &&
		    !s->doms[dom].tested) {
			s->doms[dom].tested = true;
			s->st->provider_no_test++;
		}
		if (s->doms[dom].catchall == NONE && !(pv != NULL &&
		    pv->no_catch_all_test)) {
			uint32_t cid = (uint32_t)s->nitems++;

			s->doms[dom].catchall = cid;
			s->items[cid].domain = dom;
			s->remaining++;
			sched_push(s, cid, false);
		}
		it->domain = dom;
		s->remaining++;
		s->asked++;
		s->doms[dom].routed = true;
		sched_push(s, id, false);
	}
	/* The domain's provider's rules go with its addresses to every
	 * host of the domain, the fallbacks too. */
	for (uint32_t dom = 0; dom < s->ndoms; dom++) {
		uint32_t list;
		size_t n;
		const uint32_t *hl;

		if (!s->doms[dom].routed)
			continue;
		n = domains_hosts(s->dt, dom, &list);
		hl = mailhosts_list_at(s->mx, list);
		for (size_t k = 0; k < n; k++)
			sched_host_rules(s, hl[k], domains_provider(s->dt, dom));
	}
	for (size_t i = 0; i < s->nhosts; i++)
		if (s->hosts[i].queued > 0)
			s->st->hosts++;
}

/*
 * sched_settle_one - id's answer is final: an accepted address becomes
 * mailbox_ok or accept_all by its domain's test, and the memory hears of
 * it.
 */
static void
sched_settle_one(struct sched *s, uint32_t id)
{
	struct probe_result *pr = probe_targets_result(s->ps, id);
	uint32_t dom = probe_targets_domain(s->ps, id);

	if (dom != NONE && s->doms[dom].catchall != NONE) {
		pr->catch_all = s->doms[dom].catch_all;
		/* Accepted: mailbox_ok only when the domain refused a made-up
		 * address as not found; an unresolved test leaves it
		 * unknown, as greylisted when the test was. */
		if (pr->sub == SUB_MAILBOX_OK) {
			if (pr->catch_all == PROBE_TRI_YES)
				pr->sub = SUB_ACCEPT_ALL;
			else if (pr->catch_all != PROBE_TRI_NO)
				pr->sub = s->doms[dom].test_sub ==
				    SUB_GREYLISTED ? SUB_GREYLISTED :
				    SUB_TEMPORARY_ERROR;
		}
	}
	if (pr->sub == SUB_PROVIDER_ACCEPTS_ALL)	/* a fallback host's */
		pr->catch_all = PROBE_TRI_YES;
	if (s->o->memory != NULL)
		s->o->memory->answered(s->o->memory->arg, id);
}

/*
 * sched_settle - count the catch-all domains (every answer is final); a
 * domain without a provider takes the one its preferred host's greeting
 * named.
 */
static void
sched_settle(struct sched *s)
{
	for (uint32_t i = 0; i < s->ndoms; i++) {
		uint32_t list;

		if (s->doms[i].catch_all == PROBE_TRI_YES)
			s->st->catch_all_domains++;
		if (domains_provider(s->dt, i) == NULL &&
		    domains_hosts(s->dt, i, &list) > 0) {
			const struct hstate *h =
			    &s->hosts[mailhosts_list_at(s->mx, list)[0]];

			if (h->by_banner)
				domains_set_provider(s->dt, i, h->own);
		}
	}
}

/* sched_problem_cmp - more refusals first, then the host's name. */
static int
sched_problem_cmp(const void *a, const void *b)
{
	const struct probe_problem *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->host, y->host);
}

void
probe_problems_sort(struct probe_stats *st)
{
	qsort(st->problems, st->nproblems, sizeof(st->problems[0]),
	    sched_problem_cmp);
}

int
probe_fd_check(unsigned max_connections, struct diag *d)
{
	struct rlimit rl;
	rlim_t need = (rlim_t)max_connections + FD_MARGIN;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return 0;	/* nothing known: let EMFILE say it */
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= need)
		return 0;
	if (rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= need) {
		rl.rlim_cur = need;
		if (setrlimit(RLIMIT_NOFILE, &rl) == 0)
			return 0;
	}
	diag_set(d, DIAG_USAGE, "--max-connections %u needs %llu open files, "
	    "and the limit is %llu (ulimit -n)", max_connections,
	    (unsigned long long)need, (unsigned long long)(
	    rl.rlim_max == RLIM_INFINITY ? rl.rlim_cur : rl.rlim_max));
	return -1;
}

int
probe_run(struct evloop *loop, struct probe_targets *ps,
    struct domains *dt, const struct mailhosts *mx,
    const struct smtp_phrases *ph, const struct probe_opts *o,
    struct probe_stats *st, struct diag *d)
{
	struct sched *s = xcalloc(1, sizeof(*s));
	int64_t t0 = evloop_now_ms();
	int rc = -1;

	memset(st, 0, sizeof(*st));
	s->loop = loop;
	s->ps = ps;
	s->dt = dt;
	s->mx = mx;
	s->ph = ph;
	s->o = o;
	s->topts.retries = o->retries;
	s->topts.retry_delay_ms = o->retry_delay_ms;
	s->topts.tls = o->tls;
	s->st = st;
	s->rng = o->seed ? o->seed : (uint64_t)t0 * 0x9e3779b97f4a7c15ULL ^
	    (uint64_t)(uintptr_t)s;
	evtimer_init(&s->tick);
	if (o->sources != NULL) {
		st->nsources = o->sources->n;
		for (size_t i = 0; i < o->sources->n; i++)
			snprintf(st->source_addr[i], sizeof(st->source_addr[i]),
			    "%s", o->sources->src[i].text);
	}
	if (probe_fd_check(o->max_connections, d) != 0)
		goto done;
	if (o->tls != SMTP_TLS_OFF &&
	    (s->ctx = tlsctx_new(o->tls, o->tls_ca, d)) == NULL)
		goto done;
	sched_setup(s);
	progress_begin(o->progress, "SMTP", "addresses", s->asked);
	sched_kick(s);
	if (s->remaining > 0)
		evloop_timer_set(loop, &s->tick, t0 + TICK_MS, on_tick, s);
	while ((s->remaining > 0 || s->active > 0) && !s->failed) {
		if (evloop_run_once(loop, -1, d) != 0)
			goto done;
		progress_tick(o->progress, st->addresses, st->addresses);
	}
	if (s->failed) {
		*d = s->fail;
		goto done;
	}
	sched_settle(s);
	probe_problems_sort(st);
	rc = 0;
done:
	progress_end(o->progress);
	/* a stage that stops early (a signal, a loop failure) drops the
	 * sessions still open: no QUIT, no callback */
	while (s->live != NULL) {
		struct psess *p = s->live;

		sched_unlink(s, p);
		smtp_session_abort(p->sess);
		free(p);
	}
	evloop_timer_cancel(loop, &s->tick);
	st->seconds = (double)(evloop_now_ms() - t0) / 1000.0;
	tlsctx_free(s->ctx);
	for (size_t i = 0; i < s->nhosts; i++)
		free(s->hosts[i].starts);
	free(s->hosts);
	free(s->pvset);
	free(s->items);
	free(s->doms);
	free(s->work);
	free(s);
	return rc;
}
