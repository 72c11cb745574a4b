#include "dns/dnsstage.h"

#include <stdlib.h>
#include <string.h>

#include "verdict/classify.h"
#include "util/diag.h"
#include "dns/domains.h"
#include "util/evloop.h"
#include "dns/mailhosts.h"
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
static void dnsstage_done(void *arg, const struct mx_result *res);

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

/* dnsstage_done - store one answer where the rows will look for it. */
static void
dnsstage_done(void *arg, const struct mx_result *res)
{
	struct dns_ask *a = arg;
	struct dnsstage *s = a->s;
	bool usable = res->outcome == MX_OK || res->outcome == MX_IMPLICIT;
	struct domains_dns_answer ans = { 0 };

	if (a->suggestion) {
		/*
		 * Only a definitive answer says the suggestion cannot deliver;
		 * a timeout or a resolver error is our trouble, and the typo
		 * stays (validator/README, "The verdict model").
		 */
		if (usable)
			s->sugg_ans[a->id] = SUGG_DELIVERS;
		else if (res->outcome == MX_NULL ||
		    res->outcome == MX_NXDOMAIN || res->outcome == MX_NO_HOST)
			s->sugg_ans[a->id] = SUGG_NO_MAIL;
		else
			s->sugg_ans[a->id] = SUGG_UNANSWERED;
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
	struct dnsstage s = { t, o->hosts, st, NULL, NULL };
	struct mxlookup *m;
	struct dns_ask *asks = NULL;
	size_t ndom = domains_count(t), nsugg, next = 0, window;
	int64_t t0 = evloop_now_ms();
	int rc = -1;

	memset(st, 0, sizeof(*st));
	mo.servers = o->servers;
	mo.nservers = o->nservers;
	mo.timeout_ms = o->timeout_ms;
	mo.tries = o->tries;
	mo.concurrency = o->concurrency;
	mo.allow_reserved = o->allow_reserved;
	if ((m = mxlookup_new(loop, &mo, d)) == NULL)
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
	while (next < ndom + nsugg || mxlookup_pending(m) > 0) {
		while (next < ndom + nsugg && mxlookup_pending(m) < window) {
			struct dns_ask *a = &asks[next];
			const char *name;

			a->s = &s;
			a->suggestion = next >= ndom;
			a->id = (uint32_t)(a->suggestion ? next - ndom : next);
			name = a->suggestion ? strmap_key(s.sugg, a->id, NULL) :
			    domains_name(t, a->id);
			next++;
			if (mxlookup_submit(m, name, dnsstage_done, a, d) != 0)
				goto done;
		}
		if (evloop_run_once(loop, -1, d) != 0)
			goto done;
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
	st->q = *mxlookup_stats(m);
	st->seconds = (double)(evloop_now_ms() - t0) / 1000.0;
	mxlookup_free(m);
	strmap_free(s.sugg);
	free(s.sugg_ans);
	free(asks);
	return rc;
}
