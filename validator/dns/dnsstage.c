#include "dns/dnsstage.h"

#include <stdlib.h>
#include <string.h>

#include "verdict/classify.h"
#include "util/buf.h"
#include "util/diag.h"
#include "dns/domains.h"
#include "util/evloop.h"
#include "util/progress.h"
#include "dns/mailhosts.h"
#include "dns/shard_owner.h"
#include "util/strmap.h"
#include "util/xalloc.h"

/* One submitted name: a list domain (domains id) or a suggested domain. */
struct dns_ask {
	struct dnsstage *s;
	uint32_t id;
	bool suggestion;
};

struct dnsstage {
	struct domains *t;
	struct mailhosts *hosts;
	const struct dnsstage_memory *mem;
	struct buf text;	/* mail hosts in text form, for mem->learn */
	struct dnsstage_stats *st;
	struct strmap *sugg;	/* suggested domains, by id */
	uint8_t *sugg_ans;	/* per sugg id: enum dnsstage_sugg */
};

/* What the lookup of a suggested domain said. */
enum dnsstage_sugg {
	SUGG_UNANSWERED,	/* the lookup failed: no answer either way */
	SUGG_DELIVERS,		/* a usable mail host */
	SUGG_NO_MAIL		/* a real negative answer */
};

static enum evidence_dns dnsstage_evidence(enum mx_outcome o);
static enum mx_outcome dnsstage_outcome(enum evidence_dns e);
static void dnsstage_done(void *arg, const struct mx_result *res);
static bool dnsstage_recall(struct dnsstage *s, const struct dns_ask *a,
    const char *name);
static void dnsstage_suggestion(struct dnsstage *s, uint32_t id,
    enum mx_outcome o);
static size_t dnsstage_pending(const struct mxlookup *m);

/* dnsstage_pending - names in flight; none without a resolver. */
static size_t
dnsstage_pending(const struct mxlookup *m)
{
	return m != NULL ? mxlookup_pending(m) : 0;
}

/* dnsstage_evidence - the classify input for an mxlookup outcome. */
static enum evidence_dns
dnsstage_evidence(enum mx_outcome o)
{
	switch (o) {
	case MX_OK:
		return EVDNS_OK;
	case MX_IMPLICIT:
		return EVDNS_IMPLICIT;
	case MX_NULL:
		return EVDNS_NULL_MX;
	case MX_NXDOMAIN:
		return EVDNS_NXDOMAIN;
	case MX_NO_HOST:
		return EVDNS_NO_HOST;
	case MX_TIMEOUT:
		return EVDNS_TIMEOUT;
	case MX_ERROR:
	case MX_OUTCOME_LAST:
		break;
	}
	return EVDNS_ERROR;
}

/* dnsstage_outcome - the mxlookup outcome an evidence came from. */
static enum mx_outcome
dnsstage_outcome(enum evidence_dns e)
{
	switch (e) {
	case EVDNS_OK:
		return MX_OK;
	case EVDNS_IMPLICIT:
		return MX_IMPLICIT;
	case EVDNS_NULL_MX:
		return MX_NULL;
	case EVDNS_NXDOMAIN:
		return MX_NXDOMAIN;
	case EVDNS_NO_HOST:
		return MX_NO_HOST;
	case EVDNS_TIMEOUT:
		return MX_TIMEOUT;
	case EVDNS_NONE:
	case EVDNS_ERROR:
		break;
	}
	return MX_ERROR;
}

/* dnsstage_suggestion - what the answer o for a suggested domain says. */
static void
dnsstage_suggestion(struct dnsstage *s, uint32_t id, enum mx_outcome o)
{
	/*
	 * Only a definitive answer says the suggestion cannot deliver; a
	 * timeout or a resolver error is our trouble, and the typo stays
	 * (validator/README, "The verdict model").
	 */
	if (o == MX_OK || o == MX_IMPLICIT)
		s->sugg_ans[id] = SUGG_DELIVERS;
	else if (o == MX_NULL || o == MX_NXDOMAIN || o == MX_NO_HOST)
		s->sugg_ans[id] = SUGG_NO_MAIL;
	else
		s->sugg_ans[id] = SUGG_UNANSWERED;
}

/*
 * dnsstage_recall - take an earlier run's answer for a's name, if the
 * memory has one. One that promises mail hosts is taken, when the SMTP
 * stage will need them, only with hosts that can be used
 * (validator/README, "The result store").
 */
static bool
dnsstage_recall(struct dnsstage *s, const struct dns_ask *a, const char *name)
{
	struct dnsstage_answer r = { 0 };
	struct domains_dns_answer ans = { 0 };
	bool usable;

	if (s->mem == NULL || s->mem->recall(s->mem->arg, a->suggestion ?
	    UINT32_MAX : a->id, name, &r) != 1)
		return false;
	if (a->suggestion) {
		dnsstage_suggestion(s, a->id, dnsstage_outcome(r.dns));
		return true;
	}
	usable = r.dns == EVDNS_OK || r.dns == EVDNS_IMPLICIT;
	if (usable && s->hosts != NULL && (r.hosts == NULL ||
	    mailhosts_from_text(s->hosts, r.hosts, &ans.hosts,
	    &ans.nhosts) != 0))
		return false;
	ans.dns = r.dns;
	ans.mx = usable ? r.mx : NULL;
	ans.detail = usable ? NULL : r.detail;
	domains_set_dns(s->t, a->id, &ans);
	s->st->outcomes[dnsstage_outcome(r.dns)]++;
	if (r.dns == EVDNS_IMPLICIT)
		s->st->implicit++;
	s->st->recalled++;
	return true;
}

/* dnsstage_done - store one answer where the rows will look for it. */
static void
dnsstage_done(void *arg, const struct mx_result *res)
{
	struct dns_ask *a = arg;
	struct dnsstage *s = a->s;
	bool usable = res->outcome == MX_OK || res->outcome == MX_IMPLICIT;
	struct domains_dns_answer ans = { 0 };

	if (s->mem != NULL) {
		struct dnsstage_answer l = { 0 };
		char owner[SHARD_OWNER_NAME_MAX];

		l.dns = dnsstage_evidence(res->outcome);
		buf_reset(&s->text);
		if (usable && res->nhosts > 0)
			l.mx = res->hosts[0].name;
		if (usable && mailhosts_text(res, &s->text) == 0 &&
		    s->text.len > 0)
			l.hosts = buf_str(&s->text);
		if (!usable && res->detail[0])
			l.detail = res->detail;
		if (usable && shard_owner_host(res, owner, sizeof(owner)) > 0)
			l.owner = owner;
		s->mem->learn(s->mem->arg, a->suggestion ? UINT32_MAX : a->id,
		    res->domain, &l);
	}
	if (a->suggestion) {
		dnsstage_suggestion(s, a->id, res->outcome);
		return;
	}
	ans.dns = dnsstage_evidence(res->outcome);
	if (usable && res->nhosts > 0)
		ans.mx = res->hosts[0].name;
	if (usable && s->hosts != NULL) {
		uint32_t ids[MXLOOKUP_MAX_HOSTS];
		size_t n = 0;

		/* Only hosts with an address a probe may connect to. */
		for (size_t h = 0; h < res->nhosts && n < MXLOOKUP_MAX_HOSTS;
		    h++)
			if (res->hosts[h].naddrs > 0)
				ids[n++] = mailhosts_host(s->hosts,
				    res->hosts[h].name, res->hosts[h].addrs,
				    res->hosts[h].naddrs);
		ans.hosts = mailhosts_list(s->hosts, ids, n);
		ans.nhosts = n;
	} else if (!usable && res->detail[0])
		ans.detail = res->detail;
	domains_set_dns(s->t, a->id, &ans);
	s->st->outcomes[res->outcome]++;
	if (res->outcome == MX_IMPLICIT)
		s->st->implicit++;
}

int
dnsstage_run(struct evloop *loop, struct domains *t,
    const struct dnsstage_opts *o, struct dnsstage_stats *st,
    struct diag *d)
{
	struct mxlookup_opts mo = { 0 };
	struct dnsstage s = { t, o->hosts, o->memory, { 0 }, st, NULL, NULL };
	struct mxlookup *m;
	struct dns_ask *asks = NULL;
	size_t ndom = domains_count(t), nsugg, next = 0, window;
	int64_t t0 = evloop_now_ms();
	int rc = -1;

	memset(st, 0, sizeof(*st));
	buf_init(&s.text, 8192);
	mo.servers = o->servers;
	mo.nservers = o->nservers;
	mo.timeout_ms = o->timeout_ms;
	mo.tries = o->tries;
	mo.concurrency = o->concurrency;
	mo.allow_reserved = o->allow_reserved;
	mo.tie_seed = o->tie_seed;
	/* no_lookup: not even a resolver is set up (no socket, no
	 * resolv.conf) */
	m = NULL;
	if (!o->no_lookup && (m = mxlookup_new(loop, &mo, d)) == NULL)
		return -1;

	/* Suggested domains are looked up too, each once. */
	s.sugg = strmap_new();
	for (uint32_t id = 0; id < ndom; id++) {
		const char *sg = domains_suggest(t, id);

		if (sg != NULL)
			strmap_intern(s.sugg, sg, strlen(sg), NULL);
	}
	nsugg = strmap_count(s.sugg);
	s.sugg_ans = xcalloc(nsugg + 1, sizeof(*s.sugg_ans));
	asks = xreallocarray(NULL, ndom + nsugg + 1, sizeof(*asks));

	/* Keep a bounded queue in mxlookup: memory stays per domain here. */
	window = (size_t)(o->concurrency ? o->concurrency : 256) * 4;
	progress_begin(o->progress, "DNS", "domains", ndom + nsugg);
	while (next < ndom + nsugg || dnsstage_pending(m) > 0) {
		while (next < ndom + nsugg && dnsstage_pending(m) < window) {
			struct dns_ask *a = &asks[next];
			const char *name;

			a->s = &s;
			a->suggestion = next >= ndom;
			a->id = (uint32_t)(a->suggestion ? next - ndom : next);
			name = a->suggestion ? strmap_key(s.sugg, a->id, NULL) :
			    domains_name(t, a->id);
			next++;
			if (dnsstage_recall(&s, a, name))
				continue;
			if (o->no_lookup) {
				diag_set(d, DIAG_INPUT, "%s: no usable DNS "
				    "answer for it in the parts", name);
				goto done;
			}
			if (mxlookup_submit(m, name, dnsstage_done, a, d) != 0)
				goto done;
		}
		if (dnsstage_pending(m) > 0 &&
		    evloop_run_once(loop, -1, d) != 0)
			goto done;
		progress_tick(o->progress, next - dnsstage_pending(m),
		    next - dnsstage_pending(m));
	}
	for (uint32_t id = 0; id < ndom; id++) {
		const char *sg = domains_suggest(t, id);
		uint32_t sid;

		if (sg == NULL)
			continue;
		if (strmap_find(s.sugg, sg, strlen(sg), &sid) != 1)
			continue;
		if (s.sugg_ans[sid] == SUGG_NO_MAIL) {
			domains_drop_suggest(t, id);
			st->suggestions_dropped++;
		} else if (s.sugg_ans[sid] == SUGG_UNANSWERED)
			st->suggestions_unconfirmed++;
	}
	st->domains = ndom;
	st->suggestions = nsugg;
	rc = 0;
done:
	progress_end(o->progress);
	if (m != NULL)
		st->q = *mxlookup_stats(m);
	st->seconds = (double)(evloop_now_ms() - t0) / 1000.0;
	mxlookup_free(m);
	strmap_free(s.sugg);
	free(s.sugg_ans);
	free(asks);
	buf_free(&s.text);
	return rc;
}
