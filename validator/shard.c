#include "shard.h"

#include <errno.h>
#include <inttypes.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "dns/domains.h"
#include "dns/providers.h"
#include "dns/shard_owner.h"
#include "options.h"
#include "probe/probe_targets.h"
#include "recall.h"
#include "store/part.h"
#include "util/strmap.h"
#include "util/xalloc.h"
#include "verdict/verdict.h"

/* One domain's answer as a shard noted it, or as the merge uses it. */
struct shard_answer {
	bool set;
	uint8_t dns;		/* enum evidence_dns */
	char *mx, *detail, *hosts, *provider;
	uint32_t owner;
	int owned_by;		/* merge: the part that owns it, -1: none */
};

/* The counters a part carries (probe_stats, dnsstage_stats by name). */
#define PSTAT(f) { "smtp_" #f, offsetof(struct probe_stats, f) }
static const struct { const char *key; size_t off; } shard_pstats[] = {
	PSTAT(hosts), PSTAT(connections), PSTAT(tls_sessions),
	PSTAT(transactions), PSTAT(rcpts), PSTAT(requeued), PSTAT(retries),
	PSTAT(catch_all_domains), PSTAT(blocked_hosts), PSTAT(addresses),
	PSTAT(provider_not_asked), PSTAT(provider_no_test),
	PSTAT(provider_throttled), PSTAT(provider_banner),
};
#define DSTAT(f) { "dns_" #f, offsetof(struct dnsstage_stats, f) }
#define QSTAT(f) { "dns_q_" #f, offsetof(struct dnsstage_stats, q.f) }
static const struct { const char *key; size_t off; } shard_dstats[] = {
	DSTAT(domains), DSTAT(recalled), DSTAT(implicit), DSTAT(suggestions),
	DSTAT(suggestions_dropped), DSTAT(suggestions_unconfirmed),
	QSTAT(domains_done), QSTAT(queries_mx), QSTAT(queries_a),
	QSTAT(queries_aaaa), QSTAT(answers), QSTAT(timeouts), QSTAT(errors),
	QSTAT(retransmits),
};
#define NPSTATS (sizeof(shard_pstats) / sizeof(shard_pstats[0]))
#define NDSTATS (sizeof(shard_dstats) / sizeof(shard_dstats[0]))

struct shard {
	unsigned shard, shards;
	const char *part;
	struct shard_input id;
	const struct dnsstage_memory *inner;
	struct dnsstage_memory mem;
	const struct domains *dt;
	struct shard_answer *ans;	/* by domains id */
	size_t nans;
	struct strmap *sugg;		/* suggested domains ... */
	uint8_t *sugg_dns;		/* ... and their answers */
	size_t nsugg_cap;
	bool *aside;			/* by address id: set aside */
	size_t naside;
	uint64_t own_domains, own_addresses;
};

static char *shard_dup(const char *s);
static void shard_subs(uint64_t mask, char *out, size_t n);

/* shard_subs - the sub-statuses of mask, comma-separated, or "(none)". */
static void
shard_subs(uint64_t mask, char *out, size_t n)
{
	size_t used = 0;

	snprintf(out, n, "(none)");
	for (int i = 0; i < SUB_LAST && i < 64; i++)
		if (mask & (1ULL << i)) {
			int w = snprintf(out + used, n - used, "%s%s",
			    used ? "," : "", verdict_sub_name(
			    (enum verdict_sub)i));

			if (w < 0 || (size_t)w >= n - used)
				break;
			used += (size_t)w;
		}
}
static void shard_answer_free(struct shard_answer *a);

static char *
shard_dup(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

static void
shard_answer_free(struct shard_answer *a)
{
	free(a->mx);
	free(a->detail);
	free(a->hosts);
	free(a->provider);
	memset(a, 0, sizeof(*a));
}

int
shard_input_id(FILE *f, const struct options *o, struct shard_input *id,
    struct diag *d)
{
	static const char *const tls[] = { "opportunistic", "required",
	    "verify", "off" };
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char b[65536], md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	size_t n;

	memset(id, 0, sizeof(*id));
	if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(ctx);
		diag_set(d, DIAG_INTERNAL, "SHA-256 is not available");
		return -1;
	}
	while ((n = fread(b, 1, sizeof(b), f)) > 0) {
		(void)EVP_DigestUpdate(ctx, b, n);
		id->size += n;
	}
	(void)EVP_DigestFinal_ex(ctx, md, &mdlen);
	EVP_MD_CTX_free(ctx);
	if (ferror(f)) {
		diag_set(d, DIAG_INPUT, "%s: read error: %s", o->input,
		    strerror(errno));
		return -1;
	}
	for (unsigned i = 0; i < mdlen && i < 32; i++)
		snprintf(id->sha256 + 2 * i, 3, "%02x", md[i]);
	clearerr(f);
	if (fseek(f, 0, SEEK_SET) != 0) {
		diag_set(d, DIAG_INPUT, "%s: cannot read it a second time: %s",
		    o->input, strerror(errno));
		return -1;
	}
	/*
	 * The options that change what a shard learns or how the merge
	 * judges it; egress (source address, proxy, HELO, sender), tuning
	 * (timeouts, limits) and display options may differ between machines
	 * (validator/README, "Shards and merge").
	 */
	{
		char keep[512], remove[512], delim[8];

		shard_subs(o->keep_subs, keep, sizeof(keep));
		shard_subs(o->remove_subs, remove, sizeof(remove));
		if (o->delim == 0)
			snprintf(delim, sizeof(delim), "auto");
		else if (o->delim == '\t')
			snprintf(delim, sizeof(delim), "tab");
		else
			snprintf(delim, sizeof(delim), "%c", o->delim);
		snprintf(id->options, sizeof(id->options),
		    "--column %s\n--delimiter %s\n--encoding %s\n"
		    "--max-record-size %zu\n--no-header %s\n--policy %s\n"
		    "--keep %s\n--remove %s\n--allow-reserved %s\n"
		    "--smtp-port %u\n--tls %s\n--retries %u\n"
		    "--retry-delay %u\n",
		    o->column ? o->column : "(auto)", delim,
		    o->encoding ? o->encoding : "(none)", o->max_record,
		    o->no_header ? "yes" : "no",
		    verdict_policy_name(o->policy), keep, remove,
		    o->allow_reserved ? "yes" : "no", o->smtp_port,
		    tls[o->tls & 3], o->retries, o->retry_delay);
	}
	return 0;
}

struct shard *
shard_new(const struct options *o, const struct shard_input *id)
{
	struct shard *s = xcalloc(1, sizeof(*s));

	s->shard = o->shard;
	s->shards = o->shards;
	s->part = o->part;
	s->id = *id;
	s->sugg = strmap_new();
	return s;
}

/* shard_slot - the answer slot of domain id. */
static struct shard_answer *
shard_slot(struct shard *s, uint32_t id)
{
	if (id >= s->nans) {
		size_t cap = s->nans ? s->nans : 256;

		while (cap <= id)
			cap *= 2;
		s->ans = xreallocarray(s->ans, cap, sizeof(*s->ans));
		memset(s->ans + s->nans, 0, (cap - s->nans) * sizeof(*s->ans));
		s->nans = cap;
	}
	return &s->ans[id];
}

/*
 * shard_note - keep a's answer for name (domains id, or UINT32_MAX for a
 * suggested domain) and decide its owner: by the preferred mail host the
 * lookup named, else (an answer recalled from the store, which keeps the
 * hosts in delivery order only) its first host, else the domain's name.
 */
static void
shard_note(struct shard *s, uint32_t id, const char *name,
    const struct dnsstage_answer *a)
{
	struct shard_answer *x;
	char host[SHARD_OWNER_NAME_MAX];
	const char *key = name;
	size_t len = strlen(name);

	if (id == UINT32_MAX) {
		uint32_t sid = strmap_intern(s->sugg, name, len, NULL);

		if (sid >= s->nsugg_cap) {
			size_t cap = s->nsugg_cap ? s->nsugg_cap * 2 : 64;

			while (cap <= sid)
				cap *= 2;
			s->sugg_dns = xreallocarray(s->sugg_dns, cap, 1);
			s->nsugg_cap = cap;
		}
		s->sugg_dns[sid] = (uint8_t)a->dns;
		return;
	}
	x = shard_slot(s, id);
	shard_answer_free(x);
	x->set = true;
	x->dns = (uint8_t)a->dns;
	x->mx = shard_dup(a->mx);
	x->detail = shard_dup(a->detail);
	x->hosts = shard_dup(a->hosts);
	if ((a->dns == EVDNS_OK || a->dns == EVDNS_IMPLICIT) && a->owner) {
		key = a->owner;
		len = strlen(key);
	} else if ((a->dns == EVDNS_OK || a->dns == EVDNS_IMPLICIT) &&
	    a->hosts != NULL && a->hosts[0] != '\0') {
		len = strcspn(a->hosts, "= ");
		if (len >= sizeof(host))
			len = sizeof(host) - 1;
		memcpy(host, a->hosts, len);
		host[len] = '\0';
		key = host;
	}
	x->owner = shard_owner_of(key, len, s->shards);
}

static int
shard_on_recall(void *arg, uint32_t id, const char *name,
    struct dnsstage_answer *a)
{
	struct shard *s = arg;

	if (s->inner == NULL || s->inner->recall(s->inner->arg, id, name,
	    a) != 1)
		return 0;
	/* a recalled answer the stage turns down is learned afresh */
	shard_note(s, id, name, a);
	return 1;
}

static void
shard_on_learn(void *arg, uint32_t id, const char *name,
    const struct dnsstage_answer *a)
{
	struct shard *s = arg;

	shard_note(s, id, name, a);
	if (s->inner != NULL)
		s->inner->learn(s->inner->arg, id, name, a);
}

const struct dnsstage_memory *
shard_dns_memory(struct shard *s, const struct dnsstage_memory *inner,
    const struct domains *dt)
{
	s->inner = inner;
	s->dt = dt;
	s->mem.recall = shard_on_recall;
	s->mem.learn = shard_on_learn;
	s->mem.arg = s;
	return &s->mem;
}

/* shard_mine - does this shard own domain dom? */
static bool
shard_mine(const struct shard *s, uint32_t dom)
{
	return dom < s->nans && s->ans[dom].set &&
	    s->ans[dom].owner == s->shard;
}

void
shard_select(struct shard *s, struct probe_targets *pt)
{
	size_t n = probe_targets_count(pt);

	s->aside = xcalloc(n + 1, sizeof(*s->aside));
	s->naside = n;
	for (uint32_t id = 0; id < n; id++) {
		struct probe_result *pr = probe_targets_result(pt, id);

		if (pr->sub != SUB_LAST ||
		    shard_mine(s, probe_targets_domain(pt, id)))
			continue;
		s->aside[id] = true;
		pr->sub = SUB_MALFORMED_ROW;	/* any answer: not asked */
	}
}

void
shard_unselect(struct shard *s, struct probe_targets *pt)
{
	for (uint32_t id = 0; id < s->naside; id++)
		if (s->aside[id])
			probe_targets_result(pt, id)->sub = SUB_LAST;
}

int
shard_write(struct shard *s, const struct domains *dt,
    struct probe_targets *pt, const struct recall *mem, int64_t now,
    const char *started_at, const struct dnsstage_stats *dns,
    const struct probe_stats *smtp, struct diag *d)
{
	struct part_meta pm;
	struct part *p;
	size_t ndom = domains_count(dt), n = probe_targets_count(pt);
	char key[64];

	memset(&pm, 0, sizeof(pm));
	pm.shard = s->shard;
	pm.shards = s->shards;
	pm.input_size = s->id.size;
	snprintf(pm.input_sha256, sizeof(pm.input_sha256), "%s",
	    s->id.sha256);
	snprintf(pm.options, sizeof(pm.options), "%s", s->id.options);
	snprintf(pm.started_at, sizeof(pm.started_at), "%s", started_at);
	if ((p = part_create(s->part, &pm, d)) == NULL)
		return -1;
	for (uint32_t i = 0; i < ndom; i++) {
		struct part_domain dm = { 0 };
		const struct provider *pv = domains_provider(dt, i);
		struct shard_answer *x;

		if (i >= s->nans || !s->ans[i].set)
			continue;	/* never asked (a lookup that failed) */
		x = &s->ans[i];
		dm.name = domains_name(dt, i);
		dm.dns = x->dns;
		dm.mx = x->mx;
		dm.detail = x->detail;
		dm.hosts = x->hosts;
		dm.owner = x->owner;
		dm.provider = x->owner == s->shard && pv ? pv->name : NULL;
		s->own_domains += x->owner == s->shard;
		if (part_put_domain(p, &dm, d) != 0)
			goto fail;
	}
	for (uint32_t i = 0; i < strmap_count(s->sugg); i++)
		if (part_put_suggestion(p, strmap_key(s->sugg, i, NULL),
		    s->sugg_dns[i], d) != 0)
			goto fail;
	for (uint32_t id = 0; id < n; id++) {
		struct part_address a;
		int64_t at = recall_smtp_at(mem, id);

		a.r = *probe_targets_result(pt, id);
		if (a.r.sub == SUB_LAST ||
		    !shard_mine(s, probe_targets_domain(pt, id)))
			continue;
		a.addr = probe_targets_addr(pt, id);
		a.at = at != 0 ? at : now;
		s->own_addresses++;
		if (part_put_address(p, &a, d) != 0)
			goto fail;
	}
	for (size_t i = 0; i < NPSTATS; i++)
		if (part_put_stat(p, shard_pstats[i].key, *(const uint64_t *)(
		    (const char *)smtp + shard_pstats[i].off), d) != 0)
			goto fail;
	for (size_t i = 0; i < NDSTATS; i++)
		if (part_put_stat(p, shard_dstats[i].key, *(const uint64_t *)(
		    (const char *)dns + shard_dstats[i].off), d) != 0)
			goto fail;
	for (size_t i = 0; i < MX_OUTCOME_LAST; i++) {
		snprintf(key, sizeof(key), "dns_outcome_%zu", i);
		if (part_put_stat(p, key, dns->outcomes[i], d) != 0)
			goto fail;
	}
	if (part_put_stat(p, "dns_q_max_inflight", dns->q.max_inflight,
	    d) != 0 || part_put_stat(p, "dns_ms", (uint64_t)(dns->seconds *
	    1000.0), d) != 0 || part_put_stat(p, "smtp_ms",
	    (uint64_t)(smtp->seconds * 1000.0), d) != 0)
		goto fail;
	for (size_t i = 0; i < smtp->nproblems; i++)
		if (part_put_problem(p, smtp->problems[i].host,
		    smtp->problems[i].reply, smtp->problems[i].count, d) != 0)
			goto fail;
	return part_commit(p, d);
fail:
	part_close(p);
	return -1;
}

void
shard_owned(const struct shard *s, uint64_t *domains, uint64_t *addresses)
{
	*domains = s->own_domains;
	*addresses = s->own_addresses;
}

void
shard_free(struct shard *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->nans; i++)
		shard_answer_free(&s->ans[i]);
	free(s->ans);
	strmap_free(s->sugg);
	free(s->sugg_dns);
	free(s->aside);
	free(s);
}

/* The merge: every part's answers, one per name. */
struct merge {
	struct part **parts;		/* by shard index */
	size_t nparts;
	unsigned shards;
	int cur;			/* the part being read */
	struct strmap *dom;		/* list domains ... */
	struct shard_answer *ans;	/* ... and their answers */
	size_t nans;
	struct strmap *sugg;
	uint8_t *sugg_dns;
	size_t nsugg_cap;
	struct strmap *addr;		/* probed addresses ... */
	struct probe_result *res;	/* ... their answers (texts owned) */
	size_t nres;
	struct probe_stats smtp;	/* summed */
	struct dnsstage_stats dns;	/* the lowest shard's */
	struct dnsstage_memory mem;
};

/* merge_sort - parts by shard index. */
static int
merge_by_shard(const void *a, const void *b)
{
	const struct part *x = *(struct part *const *)a;
	const struct part *y = *(struct part *const *)b;
	unsigned i = part_meta_of(x)->shard, j = part_meta_of(y)->shard;

	return i < j ? -1 : i > j;
}

/* merge_lacks - the first line of a that b lacks into out ("" if none). */
static void
merge_lacks(const char *a, const char *b, char *out, size_t n)
{
	const char *p = a;

	out[0] = '\0';
	while (*p != '\0') {
		size_t len = strcspn(p, "\n");
		const char *q = b;
		bool found = false;

		while (*q != '\0' && !found) {
			size_t ql = strcspn(q, "\n");

			found = ql == len && memcmp(p, q, len) == 0;
			q += ql + (q[ql] == '\n');
		}
		if (!found) {
			snprintf(out, n, "%.*s", (int)len, p);
			return;
		}
		p += len + (p[len] == '\n');
	}
}

/* merge_line - the line of text for option name (len bytes), or "". */
static void
merge_line(const char *text, const char *name, size_t len, char *out,
    size_t n)
{
	out[0] = '\0';
	for (const char *q = text; *q != '\0';) {
		size_t ql = strcspn(q, "\n");

		if (ql > len && strncmp(q, name, len) == 0 && q[len] == ' ')
			snprintf(out, n, "%.*s", (int)ql, q);
		q += ql + (q[ql] == '\n');
	}
}

/*
 * merge_options_differ - d names the first option whose value in the
 * part (theirs) is not the merge's (ours), with both values.
 */
static void
merge_options_differ(const char *path, const char *theirs, const char *ours,
    struct diag *d)
{
	char opt[256], a[256], b[256];
	size_t len;

	merge_lacks(theirs, ours, opt, sizeof(opt));
	if (opt[0] == '\0')
		merge_lacks(ours, theirs, opt, sizeof(opt));
	len = strcspn(opt, " ");
	merge_line(theirs, opt, len, a, sizeof(a));
	merge_line(ours, opt, len, b, sizeof(b));
	diag_set(d, DIAG_USAGE, "part %s was made with other options: %.*s "
	    "differs (the part: '%s', this merge: '%s'); give the merge the "
	    "shards' options", path, (int)len, opt, a, b);
}

static int
merge_domain(void *arg, const struct part_domain *dm, struct diag *d)
{
	struct merge *m = arg;
	unsigned me = part_meta_of(m->parts[m->cur])->shard;
	uint32_t id = strmap_intern(m->dom, dm->name, strlen(dm->name), NULL);
	struct shard_answer *x;

	(void)d;
	if (id >= m->nans) {
		size_t cap = m->nans ? m->nans * 2 : 256;

		while (cap <= id)
			cap *= 2;
		m->ans = xreallocarray(m->ans, cap, sizeof(*m->ans));
		memset(m->ans + m->nans, 0, (cap - m->nans) * sizeof(*m->ans));
		m->nans = cap;
	}
	x = &m->ans[id];
	/* the owner's answer; else the lowest shard's */
	if (x->set && (x->owned_by >= 0 || dm->owner != me))
		return 0;
	shard_answer_free(x);
	x->set = true;
	x->dns = (uint8_t)dm->dns;
	x->mx = shard_dup(dm->mx);
	x->detail = shard_dup(dm->detail);
	x->hosts = shard_dup(dm->hosts);
	x->provider = shard_dup(dm->provider);
	x->owner = dm->owner;
	x->owned_by = dm->owner == me ? m->cur : -1;
	return 0;
}

static int
merge_suggestion(void *arg, const char *name, int dns, struct diag *d)
{
	struct merge *m = arg;
	size_t before = strmap_count(m->sugg);
	uint32_t id = strmap_intern(m->sugg, name, strlen(name), NULL);

	(void)d;
	if (strmap_count(m->sugg) == before)
		return 0;	/* the lowest shard's answer stands */
	if (id >= m->nsugg_cap) {
		size_t cap = m->nsugg_cap ? m->nsugg_cap * 2 : 64;

		while (cap <= id)
			cap *= 2;
		m->sugg_dns = xreallocarray(m->sugg_dns, cap, 1);
		m->nsugg_cap = cap;
	}
	m->sugg_dns[id] = (uint8_t)dns;
	return 0;
}

static int
merge_address(void *arg, const struct part_address *a, struct diag *d)
{
	struct merge *m = arg;
	size_t before = strmap_count(m->addr);
	uint32_t id = strmap_intern(m->addr, a->addr, strlen(a->addr), NULL);

	(void)d;
	if (strmap_count(m->addr) == before)
		return 0;
	if (id >= m->nres) {
		size_t cap = m->nres ? m->nres * 2 : 1024;

		while (cap <= id)
			cap *= 2;
		m->res = xreallocarray(m->res, cap, sizeof(*m->res));
		m->nres = cap;
	}
	m->res[id] = a->r;
	m->res[id].text = shard_dup(a->r.text);
	return 0;
}

static int
merge_stat(void *arg, const char *key, uint64_t v, struct diag *d)
{
	struct merge *m = arg;
	bool lowest = m->cur == 0;

	(void)d;
	for (size_t i = 0; i < NPSTATS; i++)
		if (strcmp(key, shard_pstats[i].key) == 0)
			*(uint64_t *)((char *)&m->smtp + shard_pstats[i].off) +=
			    v;
	if (strcmp(key, "smtp_ms") == 0 && (double)v / 1000.0 >
	    m->smtp.seconds)
		m->smtp.seconds = (double)v / 1000.0;	/* in parallel */
	if (!lowest)
		return 0;
	for (size_t i = 0; i < NDSTATS; i++)
		if (strcmp(key, shard_dstats[i].key) == 0)
			*(uint64_t *)((char *)&m->dns + shard_dstats[i].off) =
			    v;
	if (strcmp(key, "dns_q_max_inflight") == 0)
		m->dns.q.max_inflight = (size_t)v;
	else if (strcmp(key, "dns_ms") == 0)
		m->dns.seconds = (double)v / 1000.0;
	return 0;
}

static int
merge_problem(void *arg, const char *host, const char *reply, uint64_t count,
    struct diag *d)
{
	struct merge *m = arg;
	struct probe_stats *st = &m->smtp;
	size_t i;

	(void)d;
	/* per host, as probe_sched keeps them: the first reply stands */
	for (i = 0; i < st->nproblems; i++)
		if (strcmp(st->problems[i].host, host) == 0)
			break;
	if (i == st->nproblems) {
		if (i == PROBE_MAX_PROBLEMS)
			return 0;
		st->nproblems++;
		snprintf(st->problems[i].host, sizeof(st->problems[i].host),
		    "%s", host);
		snprintf(st->problems[i].reply, sizeof(st->problems[i].reply),
		    "%s", reply);
	}
	st->problems[i].count += count;
	return 0;
}

/* merge_check - the parts against each other, the input and options. */
static int
merge_check(struct merge *m, const struct options *o,
    const struct shard_input *id, struct diag *d)
{
	const struct part_meta *a0 = part_meta_of(m->parts[0]);

	for (size_t i = 1; i < m->nparts; i++) {
		const struct part_meta *a = part_meta_of(m->parts[i]);

		if (a->shards != a0->shards) {
			diag_set(d, DIAG_INPUT, "parts %s and %s come from "
			    "different splits: shard %u of %u and shard %u "
			    "of %u", part_path(m->parts[0]),
			    part_path(m->parts[i]), a0->shard, a0->shards,
			    a->shard, a->shards);
			return -1;
		}
	}
	qsort(m->parts, m->nparts, sizeof(*m->parts), merge_by_shard);
	m->shards = a0->shards;
	for (size_t i = 1; i < m->nparts; i++) {
		const struct part_meta *a = part_meta_of(m->parts[i - 1]);

		if (a->shard == part_meta_of(m->parts[i])->shard) {
			diag_set(d, DIAG_INPUT, "parts %s and %s are both shard "
			    "%u of %u", part_path(m->parts[i - 1]),
			    part_path(m->parts[i]), a->shard, a->shards);
			return -1;
		}
	}
	for (unsigned k = 0, i = 0; k < m->shards; k++, i++)
		if (i >= m->nparts || part_meta_of(m->parts[i])->shard != k) {
			diag_set(d, DIAG_INPUT, "shard %u of %u is missing: "
			    "give its part too (listscrub --shard %u/%u "
			    "--part FILE makes it)", k, m->shards, k,
			    m->shards);
			return -1;
		}
	for (size_t i = 0; i < m->nparts; i++) {
		const struct part_meta *a = part_meta_of(m->parts[i]);

		if (a->input_size != id->size ||
		    strcmp(a->input_sha256, id->sha256) != 0) {
			diag_set(d, DIAG_INPUT, "part %s was made from another "
			    "input than %s (its size or SHA-256 differ)",
			    part_path(m->parts[i]), o->input);
			return -1;
		}
		if (strcmp(a->options, id->options) != 0) {
			merge_options_differ(part_path(m->parts[i]),
			    a->options, id->options, d);
			return -1;
		}
	}
	return 0;
}

struct merge *
merge_open(const struct options *o, const struct shard_input *id,
    struct diag *d)
{
	struct merge *m = xcalloc(1, sizeof(*m));

	m->parts = xcalloc(o->nparts + 1, sizeof(*m->parts));
	m->dom = strmap_new();
	m->sugg = strmap_new();
	m->addr = strmap_new();
	for (size_t i = 0; i < o->nparts; i++) {
		if ((m->parts[i] = part_open(o->parts[i], d)) == NULL)
			goto fail;
		m->nparts++;
	}
	if (merge_check(m, o, id, d) != 0)
		goto fail;
	for (size_t i = 0; i < m->nparts; i++) {
		m->cur = (int)i;
		if (part_each_domain(m->parts[i], merge_domain, m, d) != 0 ||
		    part_each_suggestion(m->parts[i], merge_suggestion, m,
		    d) != 0 ||
		    part_each_address(m->parts[i], merge_address, m, d) != 0 ||
		    part_each_stat(m->parts[i], merge_stat, m, d) != 0 ||
		    part_each_problem(m->parts[i], merge_problem, m, d) != 0)
			goto fail;
	}
	return m;
fail:
	merge_free(m);
	return NULL;
}

static int
merge_on_recall(void *arg, uint32_t id, const char *name,
    struct dnsstage_answer *a)
{
	struct merge *m = arg;
	uint32_t k;

	if (id == UINT32_MAX) {
		if (strmap_find(m->sugg, name, strlen(name), &k) != 1)
			return 0;
		a->dns = (enum evidence_dns)m->sugg_dns[k];
		return 1;
	}
	if (strmap_find(m->dom, name, strlen(name), &k) != 1 ||
	    !m->ans[k].set)
		return 0;
	a->dns = (enum evidence_dns)m->ans[k].dns;
	a->mx = m->ans[k].mx;
	a->detail = m->ans[k].detail;
	a->hosts = m->ans[k].hosts;
	return 1;
}

static void
merge_on_learn(void *arg, uint32_t id, const char *name,
    const struct dnsstage_answer *a)
{
	(void)arg;
	(void)id;
	(void)name;
	(void)a;		/* nothing is looked up */
}

const struct dnsstage_memory *
merge_dns_memory(struct merge *m)
{
	m->mem.recall = merge_on_recall;
	m->mem.learn = merge_on_learn;
	m->mem.arg = m;
	return &m->mem;
}

void
merge_dns_stats(const struct merge *m, struct dnsstage_stats *st)
{
	uint64_t outcomes[MX_OUTCOME_LAST], implicit = st->implicit;

	memcpy(outcomes, st->outcomes, sizeof(outcomes));
	*st = m->dns;
	memcpy(st->outcomes, outcomes, sizeof(outcomes));
	st->implicit = implicit;
}

int
merge_probe(struct merge *m, struct domains *dt, const struct providers *p,
    struct probe_targets *pt, struct probe_stats *st, struct diag *d)
{
	size_t n = probe_targets_count(pt), ndom = domains_count(dt);

	for (uint32_t id = 0; id < n; id++) {
		const char *a = probe_targets_addr(pt, id);
		uint32_t dom = probe_targets_domain(pt, id), k;
		struct probe_result *pr = probe_targets_result(pt, id);

		if (strmap_find(m->addr, a, strlen(a), &k) == 1) {
			*pr = m->res[k];
			if (m->res[k].text != NULL)
				pr->text = probe_targets_text(pt,
				    m->res[k].text);
			continue;
		}
		if (dom < ndom && domains_hosts(dt, dom, NULL) > 0) {
			const char *name = domains_name(dt, dom);
			unsigned owner = 0;

			if (strmap_find(m->dom, name, strlen(name), &k) == 1)
				owner = m->ans[k].owner;
			diag_set(d, DIAG_INPUT, "domain %s has mail hosts but "
			    "no part probed it (the shards' DNS answers "
			    "differed); run shard %u of %u again, then the "
			    "merge", name, owner, m->shards);
			return -1;
		}
	}
	/* the providers the mail hosts' greetings named */
	for (uint32_t i = 0; i < ndom; i++) {
		const char *name = domains_name(dt, i);
		uint32_t k;

		if (domains_provider(dt, i) != NULL ||
		    strmap_find(m->dom, name, strlen(name), &k) != 1 ||
		    m->ans[k].provider == NULL)
			continue;
		for (size_t j = 0; j < providers_count(p); j++)
			if (strcmp(providers_at(p, j)->name,
			    m->ans[k].provider) == 0) {
				domains_set_provider(dt, i, providers_at(p, j));
				break;
			}
	}
	*st = m->smtp;
	probe_problems_sort(st);
	return 0;
}

void
merge_free(struct merge *m)
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < m->nparts; i++)
		part_close(m->parts[i]);
	free(m->parts);
	for (size_t i = 0; i < m->nans; i++)
		shard_answer_free(&m->ans[i]);
	free(m->ans);
	for (size_t i = 0; m->addr != NULL && i < strmap_count(m->addr); i++)
		free((char *)m->res[i].text);
	free(m->res);
	strmap_free(m->dom);
	strmap_free(m->sugg);
	strmap_free(m->addr);
	free(m->sugg_dns);
	free(m);
}
