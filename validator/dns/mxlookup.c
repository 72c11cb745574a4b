#include "dns/mxlookup.h"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ares.h>

#include "dns/shard_owner.h"
#include "util/ascii.h"
#include "util/buf.h"
#include "util/diag.h"
#include "util/evloop.h"
#include "util/strmap.h"
#include "util/xalloc.h"

#define RCVBUF_BYTES (4 * 1024 * 1024)
#define CNAME_MAX 16		/* aliases followed in one answer */
/* Our own status for an answer whose aliases loop (never a c-ares code). */
#define STATUS_CNAME_LOOP (-1000)
#define EDNS_PAYLOAD 1232

/* What one A or AAAA lookup of a host came to. */
enum fam_state {
	FAM_PENDING,
	FAM_GOT,	/* answer with addresses (maybe all reserved) */
	FAM_NONE,	/* NXDOMAIN or NODATA: definitive */
	FAM_TIMEOUT,	/* ARES_ETIMEOUT: temporary */
	FAM_FAIL	/* SERVFAIL, REFUSED, bad answer...: temporary */
};

struct mx_hostrec {
	char *name;
	unsigned pref;
	unsigned flags;		/* MX_H_* */
	enum fam_state st4, st6;
	int fail_status;	/* last temporary ares status, for detail */
	size_t nv4, nv6;
	/* IPv4 in [0, nv4), IPv6 in [MAX_ADDRS, MAX_ADDRS + nv6); joined
	 * just before the done callback. */
	struct mx_addr addrs[2 * MXLOOKUP_MAX_ADDRS];
};

/* One c-ares query, queued or in flight; it is the ares callback's arg. */
struct mx_query {
	struct mx_query *next;
	struct mxlookup *m;
	struct mx_job *job;	/* MX queries: the query is the job's own */
	int type;		/* ns_t_mx, ns_t_a or ns_t_aaaa */
	uint32_t memo;		/* A/AAAA: host memo id */
};

struct mx_job {
	struct mx_job *next;	/* in the domain queue or the done list */
	struct mx_job *prev_all, *next_all;
	struct mxlookup *m;
	char *domain;
	mx_result_cb done;
	void *arg;
	enum mx_outcome outcome;
	unsigned flags;		/* MX_F_* */
	size_t nmx;
	size_t nhosts;
	struct mx_hostrec *hosts;
	size_t waiting;		/* address queries queued or in flight */
	size_t npublic, nreserved;	/* addresses seen */
	int64_t started;
	struct mx_query mxq;	/* its MX query: one allocation less */
	char detail[96];
};

/* A job's host waiting for a host-memo answer. */
struct mx_waiter {
	struct mx_waiter *next;
	struct mx_job *job;
	size_t host;		/* index in job->hosts */
};

/*
 * The run's memo of mail host addresses, per host name and family: lists
 * share MX hosts heavily (hosted mail), so each host's A and AAAA are
 * asked once per run, not once per domain. Temporary failures are kept
 * too, as failures (never as "no address"): one run is one moment.
 */
struct mx_fam {
	enum fam_state st;	/* FAM_PENDING until the answer is in */
	bool asked;
	bool cname;		/* the name was an alias */
	int fail_status;
	size_t n;
	struct mx_addr a[MXLOOKUP_MAX_ADDRS];	/* reserved ones included */
	struct mx_waiter *waiters;
};

struct mx_hostmemo {
	struct mx_fam fam[2];	/* [0] A, [1] AAAA */
};

struct mxlookup {
	struct evloop *loop;
	ares_channel channel;
	bool lib_init;
	bool pumping;
	bool in_event;		/* in on_fd or on_ares_timer, at time now */
	bool rearm_soon;	/* ares_timer set to fire at once */
	int64_t now;
	bool allow_reserved;
	size_t concurrency;
	size_t inflight;
	size_t pending;
	uint64_t rng;
	uint64_t tie_seed;	/* mxlookup_opts.tie_seed */
	struct evtimer ares_timer;	/* c-ares retransmits and timeouts */
	struct evtimer done_timer;	/* deferred done callbacks */
	struct mx_job *dq_head, *dq_tail;	/* domains not started */
	struct mx_query *qq_head, *qq_tail;	/* address queries waiting */
	struct mx_job *done_head, *done_tail;
	struct mx_job *all;	/* every job not yet freed */
	struct strmap *hostnames;	/* host memo: lower-case name -> id */
	struct mx_hostmemo *memo;
	size_t memo_cap;
	struct buf scratch;
	struct mxlookup_stats stats;
};

struct mx_sortrec {
	const char *host;
	unsigned pref;
	uint64_t key;
};

static const char *const outcome_names[MX_OUTCOME_LAST] = {
	[MX_OK] = "ok",
	[MX_IMPLICIT] = "implicit_mx",
	[MX_NULL] = "null_mx",
	[MX_NXDOMAIN] = "nxdomain",
	[MX_NO_HOST] = "no_mail_host",
	[MX_TIMEOUT] = "dns_timeout",
	[MX_ERROR] = "dns_error",
};

static uint64_t rng_next(struct mxlookup *m);
static void on_sock_state(void *data, ares_socket_t fd, int rd, int wr);
static void on_fd(void *arg, int fd, bool rd, bool wr);
static void on_ares_timer(void *arg);
static void rearm(struct mxlookup *m);
static size_t pump(struct mxlookup *m);
static void send_query(struct mxlookup *m, struct mx_query *q);
static void queue_query(struct mxlookup *m, int type, uint32_t memo);
static void on_answer(void *arg, int status, int timeouts,
    unsigned char *abuf, int alen);
static void handle_mx(struct mx_job *j, int status, unsigned char *abuf,
    int alen);
static void handle_addr(struct mxlookup *m, struct mx_query *q, int status,
    unsigned char *abuf, int alen);
static void want_addr(struct mx_job *j, size_t host, int fam);
static void apply_addr(struct mx_job *j, size_t host, int fam,
    const struct mx_fam *f);
static int sortrec_cmp(const void *a, const void *b);
static bool is_ip_literal(const char *s);
static void start_hosts(struct mx_job *j);
static void evaluate(struct mx_job *j);
static void set_detail(struct mx_job *j, const char *text);
static void set_temp_detail(struct mx_job *j, int status, const char *what);
static void finish(struct mx_job *j, enum mx_outcome o);
static void on_done_timer(void *arg);
static void job_free(struct mx_job *j);

const char *
mx_outcome_name(enum mx_outcome o)
{
	if ((unsigned)o >= MX_OUTCOME_LAST)
		return "unknown";
	return outcome_names[o];
}

/* rng_next - splitmix64; the state lives in m (no global PRNG). */
static uint64_t
rng_next(struct mxlookup *m)
{
	uint64_t z = (m->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

bool
mxlookup_addr_reserved(const struct mx_addr *a)
{
	const uint8_t *b;
	uint32_t v;

	if (a->family == AF_INET6) {
		static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0,
			0, 0xff, 0xff };
		static const uint8_t zero[15] = { 0 };

		b = a->u.v6.s6_addr;
		if (memcmp(b, zero, 15) == 0)	/* :: and ::1 */
			return b[15] == 0 || b[15] == 1;
		if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)	/* fe80::/10 */
			return true;
		if ((b[0] & 0xfe) == 0xfc)	/* fc00::/7 ULA */
			return true;
		if (b[0] == 0xff)	/* multicast */
			return true;
		if (memcmp(b, mapped, 12) != 0)
			return false;
		v = (uint32_t)b[12] << 24 | (uint32_t)b[13] << 16 |
		    (uint32_t)b[14] << 8 | b[15];
	} else {
		v = ntohl(a->u.v4.s_addr);
	}
	return (v >> 24) == 0 || (v >> 24) == 10 || (v >> 24) == 127 ||
	    (v & 0xffc00000) == 0x64400000 ||	/* 100.64/10 */
	    (v & 0xffff0000) == 0xa9fe0000 ||	/* 169.254/16 */
	    (v & 0xfff00000) == 0xac100000 ||	/* 172.16/12 */
	    (v & 0xffff0000) == 0xc0a80000 ||	/* 192.168/16 */
	    (v >> 28) >= 0xe;			/* 224/4, 240/4 */
}

struct mxlookup *
mxlookup_new(struct evloop *loop, const struct mxlookup_opts *o,
    struct diag *d)
{
	static const struct mxlookup_opts defaults;
	struct mxlookup *m = xcalloc(1, sizeof(*m));
	struct ares_options ao;
	struct buf csv;
	int rc, mask;

	if (o == NULL)
		o = &defaults;
	m->loop = loop;
	m->allow_reserved = o->allow_reserved;
	m->concurrency = o->concurrency ? o->concurrency : 256;
	m->tie_seed = o->tie_seed;
	m->rng = o->seed ? o->seed :
	    (uint64_t)evloop_now_ms() ^ ((uint64_t)getpid() << 32) ^
	    (uint64_t)(uintptr_t)m;
	evtimer_init(&m->ares_timer);
	evtimer_init(&m->done_timer);
	m->hostnames = strmap_new();
	buf_init(&m->scratch, 256);
	buf_init(&csv, 64 * 1024);

	rc = ares_library_init(ARES_LIB_INIT_ALL);
	if (rc != ARES_SUCCESS) {
		diag_set(d, DIAG_INTERNAL, "c-ares: %s", ares_strerror(rc));
		goto fail;
	}
	m->lib_init = true;

	memset(&ao, 0, sizeof(ao));
	/* NOSEARCH: never append resolv.conf search domains. EDNS avoids
	 * most TCP fallbacks. Never IGNTC: truncated answers go to TCP. */
	ao.flags = ARES_FLAG_NOSEARCH | ARES_FLAG_EDNS;
	ao.timeout = (int)(o->timeout_ms ? o->timeout_ms : 1000);
	ao.tries = (int)(o->tries ? o->tries : 2);
	ao.sock_state_cb = on_sock_state;
	ao.sock_state_cb_data = m;
	ao.socket_receive_buffer_size = RCVBUF_BYTES;
	ao.ednspsz = EDNS_PAYLOAD;
	mask = ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES |
	    ARES_OPT_SOCK_STATE_CB | ARES_OPT_SOCK_RCVBUF | ARES_OPT_EDNSPSZ;
	rc = ares_init_options(&m->channel, &ao, mask);
	if (rc != ARES_SUCCESS) {
		m->channel = NULL;
		diag_set(d, DIAG_INTERNAL, "c-ares init: %s",
		    ares_strerror(rc));
		goto fail;
	}

	for (size_t i = 0; i < o->nservers; i++) {
		const char *s = o->servers[i];

		if (s == NULL || *s == '\0' || strchr(s, ',') != NULL ||
		    (i > 0 && buf_addc(&csv, ',') < 0) ||
		    buf_addstr(&csv, s) < 0) {
			diag_set(d, DIAG_USAGE, "bad DNS server '%s'",
			    s ? s : "(null)");
			goto fail;
		}
	}
	if (o->nservers > 0) {
		/* _ports_csv honours ":PORT"; ares_set_servers_csv drops it. */
		rc = ares_set_servers_ports_csv(m->channel, buf_str(&csv));
		if (rc != ARES_SUCCESS) {
			diag_set(d, DIAG_USAGE, "bad DNS server list '%s': %s",
			    buf_str(&csv), ares_strerror(rc));
			goto fail;
		}
	}
	buf_free(&csv);
	return m;
fail:
	buf_free(&csv);
	mxlookup_free(m);
	return NULL;
}

/* on_sock_state - c-ares wants fd watched (or not): mirror it in the loop. */
static void
on_sock_state(void *data, ares_socket_t fd, int rd, int wr)
{
	struct mxlookup *m = data;

	/* Only fails for fd < 0, which c-ares never passes. */
	(void)evloop_watch(m->loop, fd, rd != 0, wr != 0, on_fd, m, NULL);
}

/* on_fd - a c-ares socket is ready. */
static void
on_fd(void *arg, int fd, bool rd, bool wr)
{
	struct mxlookup *m = arg;

	m->now = evloop_now_ms();
	m->in_event = true;
	ares_process_fd(m->channel, rd ? fd : ARES_SOCKET_BAD,
	    wr ? fd : ARES_SOCKET_BAD);
	(void)pump(m);
	m->in_event = false;
	rearm(m);
}

/* on_ares_timer - c-ares' next deadline passed: retransmit or time out. */
static void
on_ares_timer(void *arg)
{
	struct mxlookup *m = arg;

	m->now = evloop_now_ms();
	m->in_event = true;
	ares_process_fd(m->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
	(void)pump(m);
	m->in_event = false;
	rearm(m);
}

/* rearm - keep ares_timer at c-ares' next deadline (ares_timeout). */
static void
rearm(struct mxlookup *m)
{
	struct timeval tv, *tvp;
	int64_t ms;

	if (m->channel == NULL)
		return;
	m->rearm_soon = false;
	tvp = ares_timeout(m->channel, NULL, &tv);
	if (tvp == NULL) {
		evloop_timer_cancel(m->loop, &m->ares_timer);
		return;
	}
	/* Round up: waking early would only spin. */
	ms = (int64_t)tvp->tv_sec * 1000 + (tvp->tv_usec + 999) / 1000;
	evloop_timer_set(m->loop, &m->ares_timer, evloop_now_ms() + ms,
	    on_ares_timer, m);
}

/*
 * pump - start queries while the cap leaves room: address queries of
 * started domains first, then new domains; returns how many it started.
 * Re-entrant calls (an answer callback fired inside ares_query) return at
 * once; the outer loop goes on. The caller rearms the timer: ares_timeout
 * walks every query in flight, too dear to ask once per answer.
 */
static size_t
pump(struct mxlookup *m)
{
	size_t sent = 0;

	if (m->pumping)
		return 0;
	m->pumping = true;
	while (m->inflight < m->concurrency) {
		struct mx_query *q = m->qq_head;

		if (q != NULL) {
			m->qq_head = q->next;
			if (m->qq_head == NULL)
				m->qq_tail = NULL;
		} else if (m->dq_head != NULL) {
			struct mx_job *j = m->dq_head;

			m->dq_head = j->next;
			if (m->dq_head == NULL)
				m->dq_tail = NULL;
			j->next = NULL;
			/* inside a socket event, its time: a clock read less
			 * per domain */
			j->started = m->in_event ? m->now : evloop_now_ms();
			q = &j->mxq;
			q->m = m;
			q->job = j;
			q->type = ns_t_mx;
		} else {
			break;
		}
		send_query(m, q);
		sent++;
	}
	m->pumping = false;
	return sent;
}

/* send_query - hand q to c-ares; its callback may run before this returns. */
static void
send_query(struct mxlookup *m, struct mx_query *q)
{
	const char *name = q->type == ns_t_mx ? q->job->domain :
	    strmap_key(m->hostnames, q->memo, NULL);

	m->inflight++;
	if (m->inflight > m->stats.max_inflight)
		m->stats.max_inflight = m->inflight;
	if (q->type == ns_t_mx)
		m->stats.queries_mx++;
	else if (q->type == ns_t_a)
		m->stats.queries_a++;
	else
		m->stats.queries_aaaa++;
	ares_query(m->channel, name, ns_c_in, q->type, on_answer, q);
}

/* queue_query - an A or AAAA query for a memo host, sent when room allows. */
static void
queue_query(struct mxlookup *m, int type, uint32_t memo)
{
	struct mx_query *q = xcalloc(1, sizeof(*q));

	q->m = m;
	q->type = type;
	q->memo = memo;
	if (m->qq_tail != NULL)
		m->qq_tail->next = q;
	else
		m->qq_head = q;
	m->qq_tail = q;
}

/* on_answer - c-ares callback for every query (also from ares_destroy). */
static void
on_answer(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	struct mx_query *q = arg;
	struct mxlookup *m = q->m;

	if (status == ARES_EDESTRUCTION) {
		/* mxlookup_free is running: the jobs (and their MX
		 * queries) go with it. */
		if (q->type != ns_t_mx)
			free(q);
		return;
	}
	/* c-ares 1.18 maps only RCODEs 0-5: any other is no answer at all
	 * (validator/README, "DNS facts"), never a negative one */
	if ((status == ARES_SUCCESS || status == ARES_ENODATA) &&
	    abuf != NULL && alen >= 4 && (abuf[3] & 0x0f) != 0)
		status = ARES_EBADRESP;
	m->inflight--;
	m->stats.retransmits += (uint64_t)(timeouts > 0 ? timeouts : 0);
	if (abuf != NULL)
		m->stats.answers++;
	if (status == ARES_ETIMEOUT)
		m->stats.timeouts++;
	else if (status != ARES_SUCCESS && status != ARES_ENODATA &&
	    status != ARES_ENOTFOUND)
		m->stats.errors++;
	if (q->type == ns_t_mx) {
		handle_mx(q->job, status, abuf, alen);	/* q is the job's */
	} else {
		handle_addr(m, q, status, abuf, alen);
		free(q);
	}
	(void)pump(m);	/* inside ares_process_fd: on_fd rearms after */
}

/* sortrec_cmp - ascending preference, then the random key (RFC 5321 5.1:
 * equal preferences are tried in random order). */
static int
sortrec_cmp(const void *a, const void *b)
{
	const struct mx_sortrec *x = a, *y = b;

	if (x->pref != y->pref)
		return x->pref < y->pref ? -1 : 1;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return 0;
}

/* is_ip_literal - "MX 10 192.0.2.1." arrives as host "192.0.2.1". */
static bool
is_ip_literal(const char *s)
{
	unsigned char tmp[sizeof(struct in6_addr)];

	/* a dotted quad starts with a digit, IPv6 text has a colon: most
	 * host names are neither, and skip both parsers */
	if (!(s[0] >= '0' && s[0] <= '9') && strchr(s, ':') == NULL)
		return false;
	return inet_pton(AF_INET, s, tmp) == 1 ||
	    inet_pton(AF_INET6, s, tmp) == 1;
}

/*
 * answer_cname_loop - whether the CNAME records of an answer without the
 * asked-for data, followed from the question's name, come back to a name
 * seen before or go on for more than CNAME_MAX steps. RFC 1034 3.6.2 asks
 * resolvers to detect such loops; an authoritative server answers one
 * with NOERROR and the aliases, which reads like "no such record" unless
 * the chain is followed. A loop is a broken zone, not a negative answer
 * (validator/README, "DNS facts"). Names are read with ares_expand_name.
 */
static bool
answer_cname_loop(const unsigned char *abuf, int alen)
{
	char *owner[CNAME_MAX + 1], *target[CNAME_MAX + 1], *q = NULL;
	const unsigned char *p = abuf + 12, *end = abuf + alen;
	size_t n = 0, steps;
	unsigned qd, an;
	long len;
	bool loop = false;
	const char *cur;

	if (alen < 12)
		return false;
	qd = (unsigned)abuf[4] << 8 | abuf[5];
	an = (unsigned)abuf[6] << 8 | abuf[7];
	if (qd != 1 || an == 0 ||
	    ares_expand_name(p, abuf, alen, &q, &len) != ARES_SUCCESS)
		return false;
	p += len + 4;	/* QTYPE, QCLASS */
	for (unsigned i = 0; i < an && p < end && n <= CNAME_MAX; i++) {
		char *o = NULL, *t = NULL;
		unsigned type, rdlen;

		if (ares_expand_name(p, abuf, alen, &o, &len) != ARES_SUCCESS)
			break;
		p += len;
		if (end - p < 10) {
			ares_free_string(o);
			break;
		}
		type = (unsigned)p[0] << 8 | p[1];
		rdlen = (unsigned)p[8] << 8 | p[9];
		p += 10;
		if ((size_t)(end - p) < rdlen) {
			ares_free_string(o);
			break;
		}
		if (type == ns_t_cname &&
		    ares_expand_name(p, abuf, alen, &t, &len) == ARES_SUCCESS) {
			owner[n] = o;
			target[n++] = t;
		} else {
			ares_free_string(o);
		}
		p += rdlen;
	}
	/* follow the chain from the question; more steps than records
	 * means a name came back */
	cur = q;
	for (steps = 0; steps <= n && !loop; steps++) {
		size_t k;

		for (k = 0; k < n; k++)
			if (ascii_ncasecmp(owner[k], cur, strlen(cur) + 1) == 0)
				break;
		if (k == n)
			break;	/* the chain ends here */
		cur = target[k];
		if (steps == n || n > CNAME_MAX)
			loop = true;
	}
	for (size_t k = 0; k < n; k++) {
		ares_free_string(owner[k]);
		ares_free_string(target[k]);
	}
	ares_free_string(q);
	return loop;
}

/* handle_mx - the domain's MX answer (RFC 5321 5.1, RFC 7505). */
static void
handle_mx(struct mx_job *j, int status, unsigned char *abuf, int alen)
{
	struct ares_mx_reply *mx = NULL;
	struct mx_sortrec *recs = NULL;
	size_t n = 0, nnull = 0;

	if (status == ARES_SUCCESS) {
		status = ares_parse_mx_reply(abuf, alen, &mx);
		if (status == ARES_SUCCESS && mx == NULL)
			status = ARES_ENODATA;
		if (status != ARES_SUCCESS && status != ARES_ENODATA) {
			snprintf(j->detail, sizeof(j->detail),
			    "bad MX answer: %s", ares_strerror(status));
			finish(j, MX_ERROR);
			goto done;
		}
	}
	if (status == ARES_ENODATA && abuf != NULL &&
	    answer_cname_loop(abuf, alen)) {
		set_temp_detail(j, STATUS_CNAME_LOOP, "MX");
		finish(j, MX_ERROR);
		goto done;
	}
	switch (status) {
	case ARES_SUCCESS:
		break;
	case ARES_ENODATA:
		/* No MX: the implicit MX is the domain itself, pref 0. */
		j->flags |= MX_F_IMPLICIT;
		j->hosts = xcalloc(1, sizeof(*j->hosts));
		j->hosts[0].name = xstrdup(j->domain);
		j->nhosts = 1;
		start_hosts(j);
		goto done;
	case ARES_ENOTFOUND:
		snprintf(j->detail, sizeof(j->detail), "domain not found");
		finish(j, MX_NXDOMAIN);
		goto done;
	default:
		set_temp_detail(j, status, "MX");
		finish(j, status == ARES_ETIMEOUT ? MX_TIMEOUT : MX_ERROR);
		goto done;
	}

	for (struct ares_mx_reply *r = mx; r != NULL; r = r->next)
		n++;
	recs = xreallocarray(NULL, n, sizeof(*recs));
	n = 0;
	for (struct ares_mx_reply *r = mx; r != NULL; r = r->next) {
		if (r->host[0] == '\0') {	/* null MX: "MX 0 ." */
			nnull++;
			continue;
		}
		recs[n].host = r->host;
		recs[n].pref = r->priority;
		recs[n].key = j->m->tie_seed != 0 ?
		    shard_owner_mix(shard_owner_fnv1a(r->host,
		    strlen(r->host)) ^ j->m->tie_seed) : rng_next(j->m);
		n++;
	}
	j->nmx = n;
	if (n == 0) {
		snprintf(j->detail, sizeof(j->detail),
		    "null MX: domain accepts no mail");
		finish(j, MX_NULL);
		goto done;
	}
	if (nnull > 0)
		j->flags |= MX_F_NULLMX_MIXED;	/* RFC 7505 3: ignore it */
	qsort(recs, n, sizeof(*recs), sortrec_cmp);
	j->hosts = xcalloc(n < MXLOOKUP_MAX_HOSTS ? n : MXLOOKUP_MAX_HOSTS,
	    sizeof(*j->hosts));
	for (size_t i = 0; i < n && j->nhosts < MXLOOKUP_MAX_HOSTS; i++) {
		bool dup = false;

		for (size_t k = 0; k < j->nhosts && !dup; k++)
			dup = ascii_ncasecmp(j->hosts[k].name, recs[i].host,
			    strlen(recs[i].host) + 1) == 0;
		if (dup)
			continue;
		j->hosts[j->nhosts].name = xstrdup(recs[i].host);
		j->hosts[j->nhosts].pref = recs[i].pref;
		j->nhosts++;
	}
	start_hosts(j);
done:
	free(recs);
	if (mx != NULL)
		ares_free_data(mx);
}

/* start_hosts - queue A and AAAA for every host that is a name. */
static void
start_hosts(struct mx_job *j)
{
	for (size_t i = 0; i < j->nhosts; i++) {
		struct mx_hostrec *h = &j->hosts[i];

		/*
		 * RDATA must be a domain name (RFC 1035 3.3.9): an IP
		 * literal is unusable, and so is a name longer than a host
		 * name can be (253 octets, RFC 1035 2.3.4) once c-ares has
		 * spelt its odd bytes as \DDD.
		 */
		if (!(j->flags & MX_F_IMPLICIT) && (is_ip_literal(h->name) ||
		    strlen(h->name) > 253)) {
			h->flags |= MX_H_IP_LITERAL;
			j->flags |= MX_F_IP_LITERAL_TARGET;
			h->st4 = h->st6 = FAM_NONE;
			continue;
		}
		want_addr(j, i, 0);
		want_addr(j, i, 1);
	}
	if (j->waiting == 0)
		evaluate(j);
}

/*
 * want_addr - family fam (0 A, 1 AAAA) of j's host: from the memo if the
 * answer is in, else wait for it (asking first if nobody has).
 */
static void
want_addr(struct mx_job *j, size_t host, int fam)
{
	struct mxlookup *m = j->m;
	const char *name = j->hosts[host].name;
	size_t len = strlen(name);
	struct mx_fam *f;
	struct mx_waiter *w;
	uint32_t id;
	bool fresh;

	buf_reset(&m->scratch);
	if (buf_append(&m->scratch, name, len) != 0) {
		/* start_hosts keeps such names out; never read past it */
		const struct mx_fam none = { .st = FAM_NONE };

		apply_addr(j, host, fam, &none);
		return;
	}
	ascii_lower(m->scratch.data, len);
	id = strmap_intern(m->hostnames, m->scratch.data, len, &fresh);
	if (id >= m->memo_cap) {
		size_t cap = m->memo_cap ? m->memo_cap * 2 : 64;

		m->memo = xreallocarray(m->memo, cap, sizeof(*m->memo));
		memset(m->memo + m->memo_cap, 0,
		    (cap - m->memo_cap) * sizeof(*m->memo));
		m->memo_cap = cap;
	}
	f = &m->memo[id].fam[fam];
	if (f->asked && f->st != FAM_PENDING) {
		apply_addr(j, host, fam, f);
		return;
	}
	w = xcalloc(1, sizeof(*w));
	w->job = j;
	w->host = host;
	w->next = f->waiters;
	f->waiters = w;
	j->waiting++;
	if (!f->asked) {
		f->asked = true;
		queue_query(m, fam ? ns_t_aaaa : ns_t_a, id);
	}
}

/* apply_addr - one family's memo answer becomes part of j's host. */
static void
apply_addr(struct mx_job *j, size_t host, int fam, const struct mx_fam *f)
{
	struct mx_hostrec *h = &j->hosts[host];
	bool v6 = fam == 1;

	if (v6)
		h->st6 = f->st;
	else
		h->st4 = f->st;
	if (f->st == FAM_GOT && f->cname) {
		/* RFC 2181 10.3: the target should not be an alias; we
		 * follow it (c-ares did) and say so. */
		h->flags |= MX_H_CNAME;
		if (!(j->flags & MX_F_IMPLICIT))
			j->flags |= MX_F_CNAME_TARGET;
	}
	for (size_t i = 0; f->st == FAM_GOT && i < f->n; i++) {
		if (mxlookup_addr_reserved(&f->a[i])) {
			h->flags |= MX_H_RESERVED;
			j->nreserved++;
			if (!j->m->allow_reserved)
				continue;
		} else {
			j->npublic++;
		}
		if (v6)
			h->addrs[MXLOOKUP_MAX_ADDRS + h->nv6++] = f->a[i];
		else
			h->addrs[h->nv4++] = f->a[i];
	}
	if (f->st == FAM_TIMEOUT || f->st == FAM_FAIL) {
		h->fail_status = f->fail_status;
		h->flags |= MX_H_TEMPFAIL;
	}
	if (h->st4 == FAM_NONE && h->st6 == FAM_NONE)
		h->flags |= MX_H_NOADDR;
}

/* handle_addr - one A or AAAA answer: into the memo, then to its waiters. */
static void
handle_addr(struct mxlookup *m, struct mx_query *q, int status,
    unsigned char *abuf, int alen)
{
	bool v6 = q->type == ns_t_aaaa;
	struct mx_fam *f = &m->memo[q->memo].fam[v6 ? 1 : 0];
	const char *name = strmap_key(m->hostnames, q->memo, NULL);
	struct hostent *he = NULL;
	struct mx_waiter *w;

	if (status == ARES_SUCCESS) {
		if (v6)
			status = ares_parse_aaaa_reply(abuf, alen, &he, NULL,
			    NULL);
		else
			status = ares_parse_a_reply(abuf, alen, &he, NULL,
			    NULL);
		if (status == ARES_SUCCESS && he == NULL)
			status = ARES_EBADRESP;
		/* c-ares 1.18 answers aliases without an address with
		 * success and an empty list: that is NODATA */
		if (status == ARES_SUCCESS && he->h_addr_list[0] == NULL) {
			ares_free_hostent(he);
			he = NULL;
			status = ARES_ENODATA;
		}
	}
	if (status == ARES_ENODATA && abuf != NULL &&
	    answer_cname_loop(abuf, alen))
		status = STATUS_CNAME_LOOP;
	switch (status) {
	case ARES_SUCCESS:
		f->st = FAM_GOT;
		f->cname = he->h_name != NULL && ascii_ncasecmp(he->h_name,
		    name, strlen(name) + 1) != 0;
		for (size_t i = 0; he->h_addr_list[i] != NULL &&
		    f->n < MXLOOKUP_MAX_ADDRS; i++) {
			struct mx_addr *a = &f->a[f->n++];

			memset(a, 0, sizeof(*a));
			a->family = v6 ? AF_INET6 : AF_INET;
			memcpy(v6 ? (void *)&a->u.v6 : (void *)&a->u.v4,
			    he->h_addr_list[i],
			    v6 ? sizeof(a->u.v6) : sizeof(a->u.v4));
		}
		break;
	case ARES_ENODATA:
	case ARES_ENOTFOUND:
		f->st = FAM_NONE;
		break;
	case ARES_ETIMEOUT:
		f->st = FAM_TIMEOUT;
		f->fail_status = status;
		break;
	default:
		f->st = FAM_FAIL;
		f->fail_status = status;
		break;
	}
	if (he != NULL)
		ares_free_hostent(he);
	while ((w = f->waiters) != NULL) {
		f->waiters = w->next;
		apply_addr(w->job, w->host, v6 ? 1 : 0, f);
		if (--w->job->waiting == 0)
			evaluate(w->job);
		free(w);
	}
}

/* set_detail - a fixed reason text (shorter than detail), no snprintf:
 * every domain gets one. */
static void
set_detail(struct mx_job *j, const char *text)
{
	size_t n = strlen(text);

	if (n >= sizeof(j->detail))
		n = sizeof(j->detail) - 1;
	memcpy(j->detail, text, n);
	j->detail[n] = '\0';
}

/* set_temp_detail - the reason text for a temporary failure. */
static void
set_temp_detail(struct mx_job *j, int status, const char *what)
{
	const char *why;

	switch (status) {
	case ARES_ETIMEOUT:
		snprintf(j->detail, sizeof(j->detail),
		    "%s lookup timed out after %.1f s", what,
		    (double)(evloop_now_ms() - j->started) / 1000.0);
		return;
	case ARES_ECONNREFUSED:	/* c-ares 1.18 maps SERVFAIL here */
		why = "SERVFAIL, REFUSED or no server";
		break;
	case ARES_EFORMERR:
		why = "FORMERR";
		break;
	case ARES_EBADRESP:
		why = "bad response";
		break;
	case STATUS_CNAME_LOOP:
		why = "CNAME loop";
		break;
	default:
		why = ares_strerror(status);
		break;
	}
	snprintf(j->detail, sizeof(j->detail), "%s lookup: %s", what, why);
}

/*
 * evaluate - all address lookups of j are in: usable address -> OK or
 * IMPLICIT; otherwise any temporary failure -> TIMEOUT/ERROR; otherwise
 * NO_HOST (RFC 5321 5.1: MX records without a usable host are an error).
 */
static void
evaluate(struct mx_job *j)
{
	bool usable = false, timeout = false, fail = false;
	int fail_status = 0;
	bool implicit = (j->flags & MX_F_IMPLICIT) != 0;

	for (size_t i = 0; i < j->nhosts; i++) {
		struct mx_hostrec *h = &j->hosts[i];

		if (h->nv4 + h->nv6 > 0)
			usable = true;
		if (h->st4 == FAM_TIMEOUT || h->st6 == FAM_TIMEOUT)
			timeout = true;
		if (h->st4 == FAM_FAIL || h->st6 == FAM_FAIL) {
			fail = true;
			fail_status = h->fail_status;
		}
	}
	if (j->nreserved > 0 && j->npublic == 0)
		j->flags |= MX_F_RESERVED_ONLY;
	if (usable) {
		set_detail(j, implicit ? "no MX; domain address used" : "ok");
		finish(j, implicit ? MX_IMPLICIT : MX_OK);
	} else if (timeout || fail) {
		const char *what = implicit ? "address" : "MX host address";

		set_temp_detail(j, timeout ? ARES_ETIMEOUT : fail_status,
		    what);
		finish(j, timeout ? MX_TIMEOUT : MX_ERROR);
	} else {
		const char *why;

		if (j->flags & MX_F_RESERVED_ONLY)
			why = "only non-routable addresses";
		else if (implicit)
			why = "no MX and no address";
		else if (j->flags & MX_F_IP_LITERAL_TARGET)
			why = "MX hosts are IP literals or have no address";
		else
			why = "MX hosts have no address";
		set_detail(j, why);
		finish(j, MX_NO_HOST);
	}
}

/* finish - j has its outcome; its done callback runs from the loop. */
static void
finish(struct mx_job *j, enum mx_outcome o)
{
	struct mxlookup *m = j->m;

	j->outcome = o;
	j->next = NULL;
	if (m->done_tail != NULL)
		m->done_tail->next = j;
	else
		m->done_head = j;
	m->done_tail = j;
	if (!evtimer_armed(&m->done_timer))
		evloop_timer_set(m->loop, &m->done_timer, 0, on_done_timer, m);
}

/* on_done_timer - call the done callbacks of the finished jobs. */
static void
on_done_timer(void *arg)
{
	struct mxlookup *m = arg;
	struct mx_job *j = m->done_head;

	/* Jobs finishing inside these callbacks go to a fresh list and a
	 * re-armed timer (next round). */
	m->done_head = m->done_tail = NULL;
	while (j != NULL) {
		struct mx_job *next = j->next;
		struct mx_host hosts[MXLOOKUP_MAX_HOSTS];
		struct mx_result res;

		for (size_t i = 0; i < j->nhosts; i++) {
			struct mx_hostrec *h = &j->hosts[i];

			/* One array: IPv4 first, then IPv6. The job is
			 * freed after this, so the layout may change. */
			memmove(&h->addrs[h->nv4],
			    &h->addrs[MXLOOKUP_MAX_ADDRS],
			    h->nv6 * sizeof(h->addrs[0]));
			hosts[i].name = h->name;
			hosts[i].preference = h->pref;
			hosts[i].flags = h->flags;
			hosts[i].naddrs = h->nv4 + h->nv6;
			hosts[i].addrs = h->addrs;
		}
		memset(&res, 0, sizeof(res));
		res.outcome = j->outcome;
		res.domain = j->domain;
		res.flags = j->flags;
		res.nmx = j->nmx;
		res.nhosts = j->nhosts;
		res.hosts = hosts;
		res.detail = j->detail;
		m->pending--;
		m->stats.domains_done++;
		j->done(j->arg, &res);
		job_free(j);
		j = next;
	}
}

/* job_free - unlink j from the all-jobs list and release it. */
static void
job_free(struct mx_job *j)
{
	struct mxlookup *m = j->m;

	if (j->prev_all != NULL)
		j->prev_all->next_all = j->next_all;
	else
		m->all = j->next_all;
	if (j->next_all != NULL)
		j->next_all->prev_all = j->prev_all;
	for (size_t i = 0; i < j->nhosts; i++)
		free(j->hosts[i].name);
	free(j->hosts);
	free(j->domain);
	free(j);
}

int
mxlookup_submit(struct mxlookup *m, const char *domain, mx_result_cb done,
    void *arg, struct diag *d)
{
	size_t len = domain ? strlen(domain) : 0;
	struct mx_job *j;

	if (len == 0 || len > 253) {
		diag_set(d, DIAG_INTERNAL, "mxlookup: bad domain length %zu",
		    len);
		return -1;
	}
	j = xcalloc(1, sizeof(*j));
	j->m = m;
	j->domain = xstrdup(domain);
	j->done = done;
	j->arg = arg;
	j->next_all = m->all;
	if (m->all != NULL)
		m->all->prev_all = j;
	m->all = j;
	if (m->dq_tail != NULL)
		m->dq_tail->next = j;
	else
		m->dq_head = j;
	m->dq_tail = j;
	m->pending++;
	/*
	 * A query started from outside an event: c-ares' deadline is asked
	 * from the loop (on_ares_timer, due at once), once for a burst of
	 * submits, not once per domain.
	 */
	if (pump(m) > 0 && !m->rearm_soon) {
		m->rearm_soon = true;
		evloop_timer_set(m->loop, &m->ares_timer, 0, on_ares_timer, m);
	}
	return 0;
}

size_t
mxlookup_pending(const struct mxlookup *m)
{
	return m->pending;
}

size_t
mxlookup_inflight(const struct mxlookup *m)
{
	return m->inflight;
}

const struct mxlookup_stats *
mxlookup_stats(const struct mxlookup *m)
{
	return &m->stats;
}

void
mxlookup_free(struct mxlookup *m)
{
	if (m == NULL)
		return;
	/* Fires every callback with ARES_EDESTRUCTION (they free only their
	 * query) and unwatches the sockets through on_sock_state. */
	if (m->channel != NULL)
		ares_destroy(m->channel);
	m->channel = NULL;
	evloop_timer_cancel(m->loop, &m->ares_timer);
	evloop_timer_cancel(m->loop, &m->done_timer);
	while (m->qq_head != NULL) {
		struct mx_query *q = m->qq_head;

		m->qq_head = q->next;
		free(q);
	}
	while (m->all != NULL)
		job_free(m->all);
	for (size_t i = 0; i < m->memo_cap; i++)
		for (int k = 0; k < 2; k++)
			while (m->memo[i].fam[k].waiters != NULL) {
				struct mx_waiter *w = m->memo[i].fam[k].waiters;

				m->memo[i].fam[k].waiters = w->next;
				free(w);
			}
	free(m->memo);
	strmap_free(m->hostnames);
	buf_free(&m->scratch);
	if (m->lib_init)
		ares_library_cleanup();
	free(m);
}
