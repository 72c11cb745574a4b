/*
 * preflight - the sender preflight's checks. The contract is in
 * preflight.h; the facts (query forms, record locations, why SPF waits
 * for its own queries) are in validator/README, "DNS facts".
 */
#include "preflight/preflight.h"

#include <sys/socket.h>
#include <sys/time.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netinet/in.h>

#include <ares.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <spf2/spf.h>
#include <spf2/spf_dns.h>
#include <spf2/spf_dns_rr.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/ascii.h"
#include "util/buf.h"
#include "util/diag.h"
#include "util/evloop.h"
#include "util/utf8.h"
#include "util/xalloc.h"

#define PF_TIMEOUT_MS	2000
#define PF_BOUND_FACTOR	4	/* the whole preflight: 4 DNS timeouts */
#define PF_MAX_PTR	10	/* PTR names whose address is asked */

/* One address, v4 or v6. */
struct pf_ip {
	int family;
	union {
		struct in_addr v4;
		struct in6_addr v6;
	} u;
};

struct pf;
struct pfq;

/* A query's answer goes to its done function; abuf is NULL unless the
 * status is ARES_SUCCESS. */
typedef void (*pfq_fn)(struct pfq *q, const unsigned char *abuf, int alen);

/* One answer kept for libspf2, which asks synchronously and may ask the
 * same name again for the next IP. */
struct pf_memo {
	struct pf_memo *next;
	int type;
	bool done;
	int status;
	unsigned char *abuf;
	int alen;
	char name[NS_MAXDNAME];
};

/* One probing IP and its checks' state. */
struct pf_src {
	struct pf *p;
	struct pf_ip ip;
	char ipstr[64];
	struct preflight_check *fc, *spf, *p25;
	/* fcrdns: the PTR names, which of them resolve back to the IP */
	char *names[PF_MAX_PTR];
	bool name_ok[PF_MAX_PTR];
	size_t nnames, fc_pending;
	bool fc_temp, helo_back;
	/* port25: the connection in progress */
	int p25_fd;
	struct evtimer p25_timer;
};

/* One query in flight. */
struct pfq {
	struct pf *p;
	pfq_fn done;
	struct pf_src *src;		/* NULL: the MAIL FROM domain's */
	struct preflight_check *c;
	int kind;	/* dnsbl: the zone's kind; fcrdns: the name's index,
			 * -1 the HELO name */
	struct pf_memo *memo;
	int status;
	char name[NS_MAXDNAME];
};

/* The run's state. */
struct pf {
	const struct preflight_opts *o;
	struct preflight_result *r;
	unsigned timeout_ms;
	struct evloop *loop;
	ares_channel ch;
	bool ch_init, lib_init;
	struct evtimer ares_timer, deadline;
	bool dns_dead;		/* timed out or past the deadline: ask no
				 * more, every later query fails at once */
	size_t pending;		/* queries and connections in flight */
	struct pf_src *src;
	size_t nsrc;
	struct pf_memo *memo;
	struct addrinfo *p25ai;	/* the --port25-test host's addresses */
	char p25host[256], p25port[16];
};

static void pf_rearm(struct pf *p);

static const char *
pf_domain(const char *mail_from)
{
	const char *at = strrchr(mail_from, '@');

	return at != NULL ? at + 1 : mail_from;
}

/* pf_temp - the query failed for a reason that says nothing about the
 * name (timeout, SERVFAIL, REFUSED, cancelled at the deadline, ...). */
static bool
pf_temp(int status)
{
	return status != ARES_SUCCESS && status != ARES_ENOTFOUND &&
	    status != ARES_ENODATA;
}

/* pf_why - a failed query in words. c-ares says "Could not contact DNS
 * servers" also when every server answered SERVFAIL or REFUSED (a server
 * that does not serve the zone), which would send the user after the
 * wrong fault. */
static const char *
pf_why(int status)
{
	if (status == ARES_ECONNREFUSED)
		return "SERVFAIL, REFUSED or no server answered";
	return ares_strerror(status);
}

/* c-ares on the loop: c-ares says which sockets to watch (sock_state_cb),
 * the loop tells it which are ready, and a timer keeps its retransmissions
 * and timeouts (ares_timeout), as in dns/mxlookup. */
static void
pf_on_fd(void *arg, int fd, bool rd, bool wr)
{
	struct pf *p = arg;

	ares_process_fd(p->ch, rd ? fd : ARES_SOCKET_BAD,
	    wr ? fd : ARES_SOCKET_BAD);
	pf_rearm(p);
}

static void
pf_on_sock_state(void *data, ares_socket_t fd, int rd, int wr)
{
	struct pf *p = data;

	/* Only fails for fd < 0, which c-ares never passes. */
	(void)evloop_watch(p->loop, fd, rd != 0, wr != 0, pf_on_fd, p, NULL);
}

static void
pf_on_ares_timer(void *arg)
{
	struct pf *p = arg;

	ares_process_fd(p->ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
	pf_rearm(p);
}

static void
pf_rearm(struct pf *p)
{
	struct timeval tv, *tvp;
	int64_t ms;

	if (!p->ch_init)
		return;
	tvp = ares_timeout(p->ch, NULL, &tv);
	if (tvp == NULL) {
		evloop_timer_cancel(p->loop, &p->ares_timer);
		return;
	}
	ms = (int64_t)tvp->tv_sec * 1000 + (tvp->tv_usec + 999) / 1000;
	evloop_timer_set(p->loop, &p->ares_timer, evloop_now_ms() + ms,
	    pf_on_ares_timer, p);
}

static void
pfq_cb(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	struct pfq *q = arg;
	struct pf *p = q->p;

	(void)timeouts;
	if (status == ARES_EDESTRUCTION)
		status = ARES_ECANCELLED;
	/* Not ARES_ECONNREFUSED: c-ares also says that when every server
	 * answered REFUSED (a zone the server does not serve), which costs
	 * nothing to ask again. */
	if (status == ARES_ETIMEOUT || status == ARES_ECANCELLED)
		p->dns_dead = true;
	q->status = status;
	if (status == ARES_SUCCESS && abuf != NULL && alen > 0)
		q->done(q, abuf, alen);
	else
		q->done(q, NULL, 0);
	p->pending--;
	free(q);
}

/* pf_ask - send name/type; done(q, ...) is called with the answer, from
 * the loop, or at once when the DNS is known dead (a dead resolver costs
 * one timeout, not one per query). */
static void
pf_ask(struct pf *p, const char *name, int type, pfq_fn done,
    struct pf_src *src, struct preflight_check *c, int kind,
    struct pf_memo *memo)
{
	struct pfq *q = xcalloc(1, sizeof *q);

	q->p = p;
	q->done = done;
	q->src = src;
	q->c = c;
	q->kind = kind;
	q->memo = memo;
	snprintf(q->name, sizeof q->name, "%s", name);
	p->pending++;
	if (p->dns_dead) {
		pfq_cb(q, ARES_ETIMEOUT, 0, NULL, 0);
		return;
	}
	ares_query(p->ch, name, ns_c_in, type, pfq_cb, q);
	pf_rearm(p);
}

/* pf_name_eq - DNS names equal, ASCII case and one trailing dot aside. */
static bool
pf_name_eq(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la > 0 && a[la - 1] == '.')
		la--;
	if (lb > 0 && b[lb - 1] == '.')
		lb--;
	return la == lb && ascii_ncasecmp(a, b, la) == 0;
}

/* pf_reverse - the reversed-address name under suffix: "d.c.b.a.SUFFIX"
 * for IPv4, 32 nibbles for IPv6 (RFC 5782 2.1 and 2.4; in-addr.arpa and
 * ip6.arpa use the same forms). */
static void
pf_reverse(const struct pf_ip *ip, const char *suffix, char *out,
    size_t size)
{
	const unsigned char *p;
	size_t off = 0;
	int i;

	if (ip->family == AF_INET) {
		p = (const unsigned char *)&ip->u.v4;
		snprintf(out, size, "%u.%u.%u.%u.%s", p[3], p[2], p[1],
		    p[0], suffix);
		return;
	}
	p = (const unsigned char *)&ip->u.v6;
	for (i = 15; i >= 0 && off + 4 < size; i--) {
		off += (size_t)snprintf(out + off, size - off, "%x.%x.",
		    p[i] & 0xf, p[i] >> 4);
	}
	snprintf(out + off, size - off, "%s", suffix);
}

static bool
pf_ip_parse(const char *s, struct pf_ip *ip)
{
	memset(ip, 0, sizeof *ip);
	if (inet_pton(AF_INET, s, &ip->u.v4) == 1) {
		ip->family = AF_INET;
		return true;
	}
	if (inet_pton(AF_INET6, s, &ip->u.v6) == 1) {
		ip->family = AF_INET6;
		return true;
	}
	return false;
}

/* pf_default_ip - the address the kernel would send from to reach the
 * internet: connect a UDP socket to a public address (no packet is sent)
 * and read its local address. */
static bool
pf_default_ip(struct pf_ip *ip)
{
	static const struct {
		int family;
		const char *addr;
	} to[] = {
		{ AF_INET, "192.0.32.10" },	/* a public IANA address */
		{ AF_INET6, "2620:0:2d0:200::10" },
	};
	size_t i;

	for (i = 0; i < sizeof to / sizeof to[0]; i++) {
		struct sockaddr_storage ss, me;
		socklen_t len;
		int fd;

		memset(&ss, 0, sizeof ss);
		if (to[i].family == AF_INET) {
			struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

			s4->sin_family = AF_INET;
			s4->sin_port = htons(53);
			inet_pton(AF_INET, to[i].addr, &s4->sin_addr);
			len = sizeof *s4;
		} else {
			struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

			s6->sin6_family = AF_INET6;
			s6->sin6_port = htons(53);
			inet_pton(AF_INET6, to[i].addr, &s6->sin6_addr);
			len = sizeof *s6;
		}
		fd = socket(to[i].family, SOCK_DGRAM, 0);
		if (fd < 0)
			continue;
		if (connect(fd, (struct sockaddr *)&ss, len) == 0) {
			len = sizeof me;
			if (getsockname(fd, (struct sockaddr *)&me,
			    &len) == 0) {
				close(fd);
				memset(ip, 0, sizeof *ip);
				ip->family = to[i].family;
				if (ip->family == AF_INET)
					ip->u.v4 = ((struct sockaddr_in *)
					    &me)->sin_addr;
				else
					ip->u.v6 = ((struct sockaddr_in6 *)
					    &me)->sin6_addr;
				return true;
			}
		}
		close(fd);
	}
	return false;
}

/* pf_answer_has_ip - the A/AAAA answer holds ip. */
static bool
pf_answer_has_ip(const unsigned char *abuf, int alen, const struct pf_ip *ip)
{
	int i, n;

	if (abuf == NULL)
		return false;
	if (ip->family == AF_INET) {
		struct ares_addrttl at[32];

		n = 32;
		if (ares_parse_a_reply(abuf, alen, NULL, at, &n) !=
		    ARES_SUCCESS)
			return false;
		for (i = 0; i < n; i++)
			if (at[i].ipaddr.s_addr == ip->u.v4.s_addr)
				return true;
	} else {
		struct ares_addr6ttl at[32];

		n = 32;
		if (ares_parse_aaaa_reply(abuf, alen, NULL, at, &n) !=
		    ARES_SUCCESS)
			return false;
		for (i = 0; i < n; i++)
			if (memcmp(&at[i].ip6addr, &ip->u.v6, 16) == 0)
				return true;
	}
	return false;
}

/* pf_slot - the next check of r, named, for src (NULL: the domain's). Its
 * result stays "could not check" until an answer replaces it, so a check
 * the deadline cut short is never a pass. */
static struct preflight_check *
pf_slot(struct pf *p, const struct pf_src *src, const char *name)
{
	struct preflight_check *c = &p->r->checks[p->r->n++];

	memset(c, 0, sizeof *c);
	snprintf(c->ip, sizeof c->ip, "%s", src != NULL ? src->ipstr : "");
	snprintf(c->name, sizeof c->name, "%s", name);
	c->status = PF_WARN;
	snprintf(c->detail, sizeof c->detail, "could not check: no answer "
	    "within %u ms", p->r->bound_ms);
	snprintf(c->meaning, sizeof c->meaning, "the check could not be "
	    "completed in time");
	snprintf(c->fix, sizeof c->fix, "check --dns-server and the "
	    "network; run listscrub preflight again");
	return c;
}

static void
pf_set(struct preflight_check *c, enum pf_status st, bool blocking,
    const char *meaning, const char *fix, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

static void
pf_set(struct preflight_check *c, enum pf_status st, bool blocking,
    const char *meaning, const char *fix, const char *fmt, ...)
{
	va_list ap;

	c->status = st;
	c->blocking = blocking && st == PF_FAIL;
	snprintf(c->meaning, sizeof c->meaning, "%s", meaning ? meaning : "");
	snprintf(c->fix, sizeof c->fix, "%s", fix ? fix : "");
	va_start(ap, fmt);
	vsnprintf(c->detail, sizeof c->detail, fmt, ap);
	va_end(ap);
}

/* pf_dnsbl_done - the IP on one zone (q->kind is the zone's kind). */
static void
pf_dnsbl_done(struct pfq *q, const unsigned char *abuf, int alen)
{
	struct preflight_check *c = q->c;
	struct ares_addrttl at[16];
	int i, n = 16;
	enum pf_status worst = PF_PASS;
	struct buf codes, means;
	const char *meaning = NULL;

	if (q->status == ARES_ENOTFOUND || q->status == ARES_ENODATA) {
		pf_set(c, PF_PASS, true, "the IP is not on this blocklist",
		    NULL, "%s: not listed", q->name);
		return;
	}
	if (pf_temp(q->status) || ares_parse_a_reply(abuf, alen, NULL, at,
	    &n) != ARES_SUCCESS) {
		pf_set(c, PF_WARN, true, "could not check: the blocklist "
		    "could not be asked", "check --dns-server; a blocklist "
		    "that cannot be asked cannot be trusted either way",
		    "%s: %s", q->name, pf_why(q->status));
		return;
	}
	buf_init(&codes, 512);
	buf_init(&means, 1024);
	for (i = 0; i < n; i++) {
		struct pf_dnsbl_meaning m;
		char a[INET_ADDRSTRLEN];

		pfcodes_dnsbl((enum pf_dnsbl_kind)q->kind,
		    ntohl(at[i].ipaddr.s_addr), &m);
		inet_ntop(AF_INET, &at[i].ipaddr, a, sizeof a);
		if (codes.len > 0)
			buf_addstr(&codes, ", ");
		buf_addstr(&codes, a);
		buf_addstr(&codes, " ");
		buf_addstr(&codes, m.list);
		/* Every listing's meaning, each once (.4 to .7 are all XBL). */
		if (m.status == PF_FAIL &&
		    strstr(buf_str(&means), m.meaning) == NULL) {
			if (means.len > 0)
				buf_addstr(&means, "; ");
			buf_addstr(&means, m.meaning);
		}
		if (m.status == PF_FAIL || (worst == PF_PASS &&
		    m.status == PF_WARN)) {
			if (worst != PF_FAIL)
				meaning = m.meaning;
			if (m.status == PF_FAIL)
				worst = PF_FAIL;
			else
				worst = PF_WARN;
		}
	}
	if (worst == PF_FAIL) {
		const char *zone = strchr(c->name, ':') + 1;
		const struct pf_dnsbl_zone *z = pfcodes_dnsbl_zone(zone);
		char fix[320];

		if (z != NULL && means.len > 0) {
			buf_addstr(&means, " (");
			buf_addstr(&means, z->about);
			buf_addstr(&means, ")");
		}
		snprintf(fix, sizeof fix, "%s%sprobe from another IP "
		    "(--source-address); listed IPs are refused by receivers "
		    "that use this list", z != NULL ? z->fix :
		    "find why at the list's lookup page and request "
		    "delisting", z != NULL ? "; or " : ", or ");
		pf_set(c, PF_FAIL, true, buf_str(&means), fix, "%s: %s",
		    q->name, buf_str(&codes));
	} else {
		pf_set(c, worst, true, meaning ? meaning :
		    "not listed", worst == PF_PASS ? NULL :
		    "use your own recursive resolver (--dns-server), not a "
		    "public one", "%s: %s", q->name, buf_str(&codes));
	}
	buf_free(&codes);
	buf_free(&means);
}

/* pf_dnsbl - ask each zone about src. */
static void
pf_dnsbl(struct pf *p, struct pf_src *src)
{
	const char *s = p->o->dnsbl ? p->o->dnsbl : PREFLIGHT_DNSBL_DEFAULT;

	while (*s != '\0') {
		char zone[256], *eq, name[NS_MAXDNAME], cname[NS_MAXDNAME + 8];
		size_t len = strcspn(s, ",");
		int kind = PF_DNSBL_GENERIC;

		snprintf(zone, sizeof zone, "%.*s", (int)len, s);
		if ((eq = strchr(zone, '=')) != NULL) {
			*eq = '\0';
			kind = pfcodes_dnsbl_kind(eq + 1);
		}
		if (zone[0] != '\0' && kind >= 0) {
			struct preflight_check *c;

			snprintf(cname, sizeof cname, "dnsbl:%s", zone);
			c = pf_slot(p, src, cname);
			pf_reverse(&src->ip, zone, name, sizeof name);
			pf_ask(p, name, ns_t_a, pf_dnsbl_done, src, c, kind,
			    NULL);
		}
		s += len;
		if (*s == ',')
			s++;
	}
}

/* pf_fc_finish - every PTR name's address and the HELO name's are in:
 * confirmed when one of the names resolves back to the IP, the HELO name
 * preferred. */
static void
pf_fc_finish(struct pf_src *s)
{
	struct preflight_check *c = s->fc;
	const char *helo = s->p->o->helo, *confirmed = NULL;
	bool helo_named = false;
	size_t k;

	for (k = 0; k < s->nnames; k++) {
		if (!s->name_ok[k])
			continue;
		if (pf_name_eq(s->names[k], helo)) {
			confirmed = s->names[k];
			helo_named = true;
			break;
		}
		if (confirmed == NULL)
			confirmed = s->names[k];
	}
	if (confirmed == NULL && s->fc_temp) {
		pf_set(c, PF_WARN, true, "could not check: the PTR name's "
		    "address could not be asked", "check --dns-server",
		    "PTR %s -> %s; its address: no answer", s->ipstr,
		    s->names[0]);
		return;
	}
	if (confirmed == NULL) {
		pf_set(c, PF_FAIL, true, "the IP's PTR name does not resolve "
		    "back to the IP (no forward-confirmed reverse DNS); "
		    "receivers treat such clients as unidentified",
		    "make the PTR name's A/AAAA record point to the IP, or "
		    "the PTR name one that does", "PTR %s -> %s; its "
		    "address is not %s", s->ipstr, s->names[0], s->ipstr);
		return;
	}
	if (helo_named) {
		pf_set(c, PF_PASS, true, "forward-confirmed reverse DNS, and "
		    "the PTR names the HELO name", NULL,
		    "%s -> %s -> %s", s->ipstr, confirmed, s->ipstr);
		return;
	}
	pf_set(c, PF_WARN, true, "the IP has forward-confirmed reverse DNS, "
	    "but for another name than the HELO name; some receivers "
	    "require them to match", "use --helo with the PTR name",
	    "%s -> %s -> %s; HELO %s %s", s->ipstr, confirmed, s->ipstr,
	    helo, s->helo_back ? "resolves to the IP" :
	    "does not resolve to the IP");
}

/* pf_fc_fwd - the A/AAAA of one PTR name (q->kind >= 0) or of the HELO
 * name (-1). */
static void
pf_fc_fwd(struct pfq *q, const unsigned char *abuf, int alen)
{
	struct pf_src *s = q->src;
	bool has = pf_answer_has_ip(abuf, alen, &s->ip);

	if (pf_temp(q->status))
		s->fc_temp = true;
	if (q->kind < 0)
		s->helo_back = has;
	else
		s->name_ok[q->kind] = has;
	if (--s->fc_pending == 0)
		pf_fc_finish(s);
}

/* pf_fc_ptr - the PTR of the IP: ask every name's address, and the HELO
 * name's, at once. */
static void
pf_fc_ptr(struct pfq *q, const unsigned char *abuf, int alen)
{
	struct pf_src *s = q->src;
	struct pf *p = s->p;
	struct hostent *he = NULL;
	unsigned char dummy[16] = { 0 };
	int type = s->ip.family == AF_INET ? ns_t_a : ns_t_aaaa;
	size_t k;
	int i;

	if (pf_temp(q->status)) {
		pf_set(s->fc, PF_WARN, true, "could not check: the reverse "
		    "DNS could not be asked", "check --dns-server",
		    "PTR %s: %s", q->name, pf_why(q->status));
		return;
	}
	if (abuf == NULL || ares_parse_ptr_reply(abuf, alen, dummy,
	    s->ip.family == AF_INET ? 4 : 16, s->ip.family, &he) !=
	    ARES_SUCCESS || he == NULL) {
		pf_set(s->fc, PF_FAIL, true, "the IP has no reverse DNS "
		    "(PTR); most receivers refuse such clients (\"Fix "
		    "reverse DNS\")", "ask the owner of the IP (hosting "
		    "provider or ISP) for a PTR record naming the HELO name",
		    "no PTR for %s", s->ipstr);
		return;
	}
	for (i = -1; s->nnames < PF_MAX_PTR; i++) {
		const char *n = i < 0 ? he->h_name : he->h_aliases[i];

		if (n == NULL)
			break;
		s->names[s->nnames++] = xstrdup(n);
	}
	ares_free_hostent(he);
	/* All counted before the first is asked: an answer may come at
	 * once (a dead resolver). */
	s->fc_pending = s->nnames + 1;
	for (k = 0; k < s->nnames; k++)
		pf_ask(p, s->names[k], type, pf_fc_fwd, s, s->fc, (int)k,
		    NULL);
	pf_ask(p, p->o->helo, type, pf_fc_fwd, s, s->fc, -1, NULL);
}

/* pf_memo_done - an answer libspf2 asked for (or will ask for). */
static void
pf_memo_done(struct pfq *q, const unsigned char *abuf, int alen)
{
	struct pf_memo *m = q->memo;

	m->done = true;
	m->status = q->status;
	if (abuf != NULL) {
		m->abuf = xmalloc((size_t)alen);
		memcpy(m->abuf, abuf, (size_t)alen);
		m->alen = alen;
	}
}

/* pf_memo_get - the memo entry of name/type, asked now if new. */
static struct pf_memo *
pf_memo_get(struct pf *p, const char *name, int type)
{
	struct pf_memo *m;

	for (m = p->memo; m != NULL; m = m->next)
		if (m->type == type && pf_name_eq(m->name, name))
			return m;
	m = xcalloc(1, sizeof *m);
	m->type = type;
	snprintf(m->name, sizeof m->name, "%s", name);
	m->next = p->memo;
	p->memo = m;
	pf_ask(p, name, type, pf_memo_done, NULL, NULL, 0, m);
	return m;
}

/* libspf2's DNS layer over our c-ares channel, so that SPF sees the same
 * servers as the rest of the run (--dns-server). libspf2 wants the answer
 * returned: the loop runs here until it is in (the other checks' queries
 * are answered meanwhile). Never called from a loop callback. */
static SPF_dns_rr_t *
pf_spf_lookup(SPF_dns_server_t *s, const char *domain, ns_type type,
    int should_cache)
{
	struct pf *p = s->hook;
	struct pf_memo *me;
	SPF_dns_rr_t *rr;
	int i, n = 0;

	(void)should_cache;
	me = pf_memo_get(p, domain, (int)type);
	while (!me->done)
		if (evloop_run_once(p->loop, -1, NULL) != 0)
			break;
	if (!me->done)
		return SPF_dns_rr_new_init(s, domain, type, 0, TRY_AGAIN);
	if (me->status == ARES_ENOTFOUND)
		return SPF_dns_rr_new_init(s, domain, type, 0, HOST_NOT_FOUND);
	if (me->status == ARES_ENODATA)
		return SPF_dns_rr_new_init(s, domain, type, 0, NO_DATA);
	if (me->status != ARES_SUCCESS)
		return SPF_dns_rr_new_init(s, domain, type, 0, TRY_AGAIN);
	rr = SPF_dns_rr_new_init(s, domain, type, 0, NETDB_SUCCESS);
	if (rr == NULL)
		return NULL;
	switch (type) {
	case ns_t_a: {
		struct ares_addrttl at[32];

		n = 32;
		if (ares_parse_a_reply(me->abuf, me->alen, NULL, at, &n) !=
		    ARES_SUCCESS)
			n = 0;
		for (i = 0; i < n; i++) {
			if (SPF_dns_rr_buf_realloc(rr, i, sizeof at[i].ipaddr)
			    != SPF_E_SUCCESS)
				break;
			rr->rr[i]->a = at[i].ipaddr;
		}
		n = i;
		break;
	}
	case ns_t_aaaa: {
		struct ares_addr6ttl at[32];

		n = 32;
		if (ares_parse_aaaa_reply(me->abuf, me->alen, NULL, at, &n) !=
		    ARES_SUCCESS)
			n = 0;
		for (i = 0; i < n; i++) {
			if (SPF_dns_rr_buf_realloc(rr, i, 16) != SPF_E_SUCCESS)
				break;
			memcpy(&rr->rr[i]->aaaa, &at[i].ip6addr, 16);
		}
		n = i;
		break;
	}
	case ns_t_txt:
	case ns_t_spf: {
		struct ares_txt_ext *txt = NULL, *t;
		struct buf b;

		if (ares_parse_txt_reply_ext(me->abuf, me->alen, &txt) !=
		    ARES_SUCCESS)
			break;
		buf_init(&b, 65536);
		for (t = txt; t != NULL; t = t->next) {
			buf_append(&b, t->txt, t->length);
			if (t->next != NULL && !t->next->record_start)
				continue;
			if (SPF_dns_rr_buf_realloc(rr, n, b.len + 1) !=
			    SPF_E_SUCCESS)
				break;
			memcpy(rr->rr[n]->txt, buf_str(&b), b.len + 1);
			n++;
			buf_reset(&b);
		}
		buf_free(&b);
		ares_free_data(txt);
		break;
	}
	case ns_t_mx: {
		struct ares_mx_reply *mx = NULL, *m;

		if (ares_parse_mx_reply(me->abuf, me->alen, &mx) != ARES_SUCCESS)
			break;
		for (m = mx; m != NULL; m = m->next) {
			size_t len = strlen(m->host) + 1;

			if (SPF_dns_rr_buf_realloc(rr, n, len) != SPF_E_SUCCESS)
				break;
			memcpy(rr->rr[n]->mx, m->host, len);
			n++;
		}
		ares_free_data(mx);
		break;
	}
	case ns_t_ptr: {
		struct hostent *he = NULL;
		unsigned char dummy[16] = { 0 };

		if (ares_parse_ptr_reply(me->abuf, me->alen, dummy, 4, AF_INET,
		    &he) != ARES_SUCCESS || he == NULL)
			break;
		for (i = -1; i < 16; i++) {
			const char *h = i < 0 ? he->h_name : he->h_aliases[i];
			size_t len;

			if (h == NULL)
				break;
			len = strlen(h) + 1;
			if (SPF_dns_rr_buf_realloc(rr, n, len) != SPF_E_SUCCESS)
				break;
			memcpy(rr->rr[n]->ptr, h, len);
			n++;
		}
		ares_free_hostent(he);
		break;
	}
	default:
		break;
	}
	rr->num_rr = n;
	if (n == 0)
		rr->herrno = NO_DATA;
	return rr;
}

/* pf_spf_one - the MAIL FROM domain's SPF for src's IP. */
static void
pf_spf_one(struct pf *p, SPF_server_t *srv, struct pf_src *src)
{
	struct preflight_check *c = src->spf;
	SPF_request_t *req;
	SPF_response_t *resp = NULL;
	struct pf_spf_meaning m;
	SPF_errcode_t err;
	int res;

	req = SPF_request_new(srv);
	if (src->ip.family == AF_INET)
		SPF_request_set_ipv4(req, src->ip.u.v4);
	else
		SPF_request_set_ipv6(req, src->ip.u.v6);
	SPF_request_set_helo_dom(req, p->o->helo);
	if (SPF_request_set_env_from(req, p->o->mail_from) != 0) {
		pf_set(c, PF_FAIL, true, "the MAIL FROM address is not usable "
		    "for SPF", "give a real address (--mail-from)",
		    "MAIL FROM %s", p->o->mail_from);
		SPF_request_free(req);
		return;
	}
	err = SPF_request_query_mailfrom(req, &resp);
	res = resp != NULL ? (int)SPF_response_result(resp) :
	    (int)SPF_RESULT_INVALID;
	pfcodes_spf(res, (int)err, &m);
	if (resp != NULL && SPF_response_reason(resp) == SPF_REASON_LOCALHOST)
		/* libspf2 passes loopback clients without looking. */
		pf_set(c, PF_WARN, false, "the IP is a loopback address; "
		    "libspf2 passes it without evaluating the record",
		    "give the public probing IP (--source-address)",
		    "SPF of %s for %s: not evaluated",
		    pf_domain(p->o->mail_from), src->ipstr);
	else
		pf_set(c, m.status, m.blocking, m.meaning, m.fix,
		    "SPF of %s for %s: %s%s", pf_domain(p->o->mail_from),
		    src->ipstr, m.word, m.status == PF_WARN &&
		    strcmp(m.word, "temperror") == 0 ? " (could not check)" :
		    "");
	if (resp != NULL)
		SPF_response_free(resp);
	SPF_request_free(req);
}

/* pf_spf - SPF for every IP, one after the other: libspf2 evaluates
 * synchronously (validator/README, "DNS facts"). The answers are kept, so
 * the second IP costs no query the first one made. */
static void
pf_spf(struct pf *p)
{
	SPF_dns_server_t *dns;
	SPF_server_t *srv;
	size_t i;

	dns = xcalloc(1, sizeof *dns);
	/* destroy NULL: the layer is ours, SPF_server_free leaves it
	 * (spf_dns.h); freed below. */
	dns->destroy = NULL;
	dns->lookup = pf_spf_lookup;
	dns->name = "listscrub-c-ares";
	dns->hook = p;
	srv = SPF_server_new_dns(dns, 0);
	if (srv == NULL) {
		for (i = 0; i < p->nsrc; i++)
			pf_set(p->src[i].spf, PF_WARN, false, "libspf2 could "
			    "not start", NULL, "SPF not evaluated");
		free(dns);
		return;
	}
	for (i = 0; i < p->nsrc; i++)
		pf_spf_one(p, srv, &p->src[i]);
	SPF_server_free(srv);
	free(dns);
}

/* pf_dmarc_done - a TXT record at _dmarc.DOMAIN that starts "v=DMARC1"
 * (RFC 7489 6.1, 6.4). The organizational-domain fallback (6.6.3) needs
 * the public suffix list and is not done: a subdomain without its own
 * record is a warning, not a failure. */
static void
pf_dmarc_done(struct pfq *q, const unsigned char *abuf, int alen)
{
	struct preflight_check *c = q->c;
	struct ares_txt_ext *txt = NULL, *t;
	bool found = false;
	struct buf rec;

	if (pf_temp(q->status)) {
		pf_set(c, PF_WARN, false, "could not check: the DMARC record "
		    "could not be asked", "check --dns-server", "TXT %s: %s",
		    q->name, pf_why(q->status));
		return;
	}
	buf_init(&rec, 4096);
	if (abuf != NULL &&
	    ares_parse_txt_reply_ext(abuf, alen, &txt) == ARES_SUCCESS) {
		for (t = txt; t != NULL && !found; t = t->next) {
			buf_append(&rec, t->txt, t->length);
			if (t->next != NULL && !t->next->record_start)
				continue;
			if (ascii_ncasecmp(buf_str(&rec), "v=DMARC1", 8) ==
			    0 && strchr("; \t", buf_str(&rec)[8]) != NULL)
				found = true;
			else
				buf_reset(&rec);
		}
		ares_free_data(txt);
	}
	if (found) {
		char shown[201];
		size_t i;

		/* Shown as printable ASCII only: the record is untrusted. */
		snprintf(shown, sizeof shown, "%s", buf_str(&rec));
		for (i = 0; shown[i] != '\0'; i++)
			if ((unsigned char)shown[i] < 0x20 ||
			    (unsigned char)shown[i] > 0x7e)
				shown[i] = '?';
		pf_set(c, PF_PASS, false, "the MAIL FROM domain publishes a "
		    "DMARC policy", NULL, "%s: %s", q->name, shown);
	} else {
		pf_set(c, PF_WARN, false, "the MAIL FROM domain publishes no "
		    "DMARC record; large mailbox providers expect one from "
		    "senders at volume", "publish TXT \"v=DMARC1; p=none; "
		    "rua=mailto:...\" at _dmarc.DOMAIN", "no v=DMARC1 TXT "
		    "at %s", q->name);
	}
	buf_free(&rec);
}

/* pf_mx_done - the MAIL FROM domain has a mail host (RFC 5321 5.1): MX,
 * or an address record (implicit MX); a null MX (RFC 7505) accepts no
 * mail. */
static void
pf_mx_done(struct pfq *q, const unsigned char *abuf, int alen)
{
	struct preflight_check *c = q->c;
	const char *dom = q->name;
	struct ares_mx_reply *mx = NULL, *m;
	char hosts[200] = "";
	bool nullmx = false;
	int n = 0;

	if (q->status == ARES_ENOTFOUND) {
		pf_set(c, PF_FAIL, true, "the MAIL FROM domain does not "
		    "exist; receivers reject the sender (4.1.8/5.1.8 "
		    "\"Domain not found\")", "use a MAIL FROM address on a "
		    "domain you own", "%s: NXDOMAIN", dom);
		return;
	}
	if (pf_temp(q->status)) {
		pf_set(c, PF_WARN, false, "could not check: the MX could not "
		    "be asked", "check --dns-server", "MX %s: %s", dom,
		    pf_why(q->status));
		return;
	}
	if (abuf != NULL &&
	    ares_parse_mx_reply(abuf, alen, &mx) == ARES_SUCCESS) {
		for (m = mx; m != NULL; m = m->next) {
			if (m->host[0] == '\0' || strcmp(m->host, ".") == 0) {
				nullmx = true;
				continue;
			}
			n++;
			if (strlen(hosts) + strlen(m->host) + 2 < sizeof hosts)
				snprintf(hosts + strlen(hosts),
				    sizeof hosts - strlen(hosts), "%s%s",
				    hosts[0] ? " " : "", m->host);
		}
		ares_free_data(mx);
	}
	if (n > 0)
		pf_set(c, PF_PASS, false, "bounces and replies to the MAIL "
		    "FROM address can arrive", NULL, "MX %s: %s", dom, hosts);
	else if (nullmx)
		pf_set(c, PF_FAIL, false, "the MAIL FROM domain says it "
		    "accepts no mail (null MX, RFC 7505); receivers may "
		    "refuse it as a sender", "use a MAIL FROM domain that "
		    "receives mail", "MX %s: null MX", dom);
	else
		pf_set(c, PF_WARN, false, "the MAIL FROM domain has no MX "
		    "record; mail to it goes to its address record "
		    "(implicit MX), if any", "publish an MX record for the "
		    "MAIL FROM domain", "MX %s: none", dom);
}

/* pf_p25_result - the connection from src ended with err (0: connected). */
static void
pf_p25_result(struct pf_src *s, int err)
{
	struct pf *p = s->p;

	if (err == 0)
		pf_set(s->p25, PF_PASS, false, "outbound connections to port "
		    "25 work from here", NULL, "connected to %s:%s",
		    p->p25host, p->p25port);
	else
		pf_set(s->p25, PF_FAIL, false, "outbound port 25 looks "
		    "blocked (clouds and ISPs often block it); every probe "
		    "would end unknown", "ask the provider to open port 25, "
		    "or probe through a reputable egress", "%s:%s: %s",
		    p->p25host, p->p25port, strerror(err));
}

/* pf_p25_end - stop the connection in flight with err. */
static void
pf_p25_end(struct pf_src *s, int err)
{
	struct pf *p = s->p;

	if (s->p25_fd < 0)
		return;
	(void)evloop_watch(p->loop, s->p25_fd, false, false, NULL, NULL,
	    NULL);
	close(s->p25_fd);
	s->p25_fd = -1;
	evloop_timer_cancel(p->loop, &s->p25_timer);
	p->pending--;
	pf_p25_result(s, err);
}

static void
pf_p25_on_fd(void *arg, int fd, bool rd, bool wr)
{
	int err = 0;
	socklen_t elen = sizeof err;

	(void)rd;
	(void)wr;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) != 0)
		err = errno;
	pf_p25_end(arg, err);
}

static void
pf_p25_on_timer(void *arg)
{
	pf_p25_end(arg, ETIMEDOUT);
}

/* pf_p25_start - a TCP connect to the named host from src (bound to it
 * when it was given). Only what the user named is ever connected to. */
static void
pf_p25_start(struct pf *p, struct pf_src *s)
{
	const struct addrinfo *ai;
	int fd, err = 0;

	for (ai = p->p25ai; ai != NULL; ai = ai->ai_next)
		if (!p->r->ip_given || ai->ai_family == s->ip.family)
			break;
	if (ai == NULL) {
		pf_set(s->p25, PF_WARN, false, "could not check: the test "
		    "host has no address of the probing IP's family",
		    "name a test host with an IPv4 and an IPv6 address",
		    "%s: no %s address", p->p25host, s->ip.family == AF_INET ?
		    "IPv4" : "IPv6");
		return;
	}
	fd = socket(ai->ai_family, SOCK_STREAM, 0);
	if (fd < 0) {
		pf_p25_result(s, errno);
		return;
	}
	if (p->r->ip_given) {
		struct sockaddr_storage ss;
		socklen_t len;

		memset(&ss, 0, sizeof ss);
		if (s->ip.family == AF_INET) {
			((struct sockaddr_in *)&ss)->sin_family = AF_INET;
			((struct sockaddr_in *)&ss)->sin_addr = s->ip.u.v4;
			len = sizeof(struct sockaddr_in);
		} else {
			((struct sockaddr_in6 *)&ss)->sin6_family = AF_INET6;
			((struct sockaddr_in6 *)&ss)->sin6_addr = s->ip.u.v6;
			len = sizeof(struct sockaddr_in6);
		}
		if (bind(fd, (struct sockaddr *)&ss, len) != 0)
			err = errno;
	}
	if (err == 0 && fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) |
	    O_NONBLOCK) != 0)
		err = errno;
	if (err == 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
		if (errno == EINPROGRESS) {
			s->p25_fd = fd;
			p->pending++;
			(void)evloop_watch(p->loop, fd, false, true,
			    pf_p25_on_fd, s, NULL);
			evloop_timer_set(p->loop, &s->p25_timer,
			    evloop_now_ms() + 2 * (int64_t)p->timeout_ms,
			    pf_p25_on_timer, s);
			return;
		}
		err = errno;
	}
	close(fd);
	pf_p25_result(s, err);
}

/* pf_p25_resolve - the --port25-test host's addresses, once for every IP;
 * false (the checks set) when there is no host to try. */
static bool
pf_p25_resolve(struct pf *p)
{
	const char *spec = p->o->port25, *colon;
	struct addrinfo hints;
	size_t i;
	int rc;

	if (spec == NULL) {
		for (i = 0; i < p->nsrc; i++)
			pf_set(p->src[i].p25, PF_SKIP, false, "outbound port "
			    "25 was not tested", "name a mail host you may "
			    "connect to with --port25-test HOST[:PORT]",
			    "not checked");
		return false;
	}
	snprintf(p->p25port, sizeof p->p25port, "25");
	if (spec[0] == '[' && (colon = strchr(spec, ']')) != NULL) {
		snprintf(p->p25host, sizeof p->p25host, "%.*s",
		    (int)(colon - spec - 1), spec + 1);
		if (colon[1] == ':')
			snprintf(p->p25port, sizeof p->p25port, "%s",
			    colon + 2);
	} else if ((colon = strrchr(spec, ':')) != NULL &&
	    strchr(spec, ':') == colon) {
		snprintf(p->p25host, sizeof p->p25host, "%.*s",
		    (int)(colon - spec), spec);
		snprintf(p->p25port, sizeof p->p25port, "%s", colon + 1);
	} else {
		snprintf(p->p25host, sizeof p->p25host, "%s", spec);
	}
	memset(&hints, 0, sizeof hints);
	hints.ai_socktype = SOCK_STREAM;
	if ((rc = getaddrinfo(p->p25host, p->p25port, &hints, &p->p25ai)) !=
	    0 || p->p25ai == NULL) {
		for (i = 0; i < p->nsrc; i++)
			pf_set(p->src[i].p25, PF_WARN, false, "could not "
			    "check: the test host could not be resolved",
			    "check --port25-test", "%s: %s", spec,
			    gai_strerror(rc));
		p->p25ai = NULL;
		return false;
	}
	return true;
}

int
preflight_check_zones(const char *zones, struct diag *d)
{
	const char *s = zones;
	size_t nz = 0;

	while (*s != '\0') {
		size_t len = strcspn(s, ",");
		const char *eq = memchr(s, '=', len);
		size_t zl = eq ? (size_t)(eq - s) : len;
		char kind[32];

		if (zl == 0 || zl > 200) {
			diag_set(d, DIAG_USAGE, "--dnsbl: empty or too long "
			    "zone in \"%s\"", zones);
			return -1;
		}
		if (eq != NULL) {
			snprintf(kind, sizeof kind, "%.*s",
			    (int)(len - zl - 1), eq + 1);
			if (pfcodes_dnsbl_kind(kind) < 0) {
				diag_set(d, DIAG_USAGE, "--dnsbl: unknown "
				    "kind \"%s\" (spamhaus or generic)", kind);
				return -1;
			}
		}
		if (++nz > PREFLIGHT_MAX_ZONES) {
			diag_set(d, DIAG_USAGE, "--dnsbl: at most %d zones",
			    PREFLIGHT_MAX_ZONES);
			return -1;
		}
		s += len;
		if (*s == ',')
			s++;
	}
	return 0;
}

static int
pf_channel(struct pf *p, struct diag *d)
{
	struct ares_options ao;
	struct buf csv;
	size_t i;
	int rc;

	rc = ares_library_init(ARES_LIB_INIT_ALL);
	if (rc != ARES_SUCCESS) {
		diag_set(d, DIAG_INTERNAL, "preflight: c-ares: %s",
		    ares_strerror(rc));
		return -1;
	}
	p->lib_init = true;
	memset(&ao, 0, sizeof ao);
	/* NOSEARCH: the names asked are absolute (blocklist entries,
	 * PTR names), never to be completed with resolv.conf's search. */
	ao.flags = ARES_FLAG_NOSEARCH;
	ao.timeout = (int)p->timeout_ms;
	ao.tries = 2;
	ao.sock_state_cb = pf_on_sock_state;
	ao.sock_state_cb_data = p;
	rc = ares_init_options(&p->ch, &ao, ARES_OPT_FLAGS |
	    ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_SOCK_STATE_CB);
	if (rc != ARES_SUCCESS) {
		diag_set(d, DIAG_INTERNAL, "preflight: c-ares: %s",
		    ares_strerror(rc));
		return -1;
	}
	p->ch_init = true;
	if (p->o->nservers == 0)
		return 0;
	buf_init(&csv, 8192);
	for (i = 0; i < p->o->nservers; i++) {
		if (i > 0)
			buf_addc(&csv, ',');
		buf_addstr(&csv, p->o->servers[i]);
	}
	rc = ares_set_servers_ports_csv(p->ch, buf_str(&csv));
	buf_free(&csv);
	if (rc != ARES_SUCCESS) {
		diag_set(d, DIAG_USAGE, "preflight: --dns-server: %s",
		    ares_strerror(rc));
		return -1;
	}
	return 0;
}

/* pf_on_deadline - the preflight's time is up: cancel what is in flight
 * (each check says it could not check) and ask nothing more. */
static void
pf_on_deadline(void *arg)
{
	struct pf *p = arg;
	size_t i;

	p->dns_dead = true;
	ares_cancel(p->ch);
	for (i = 0; i < p->nsrc; i++)
		pf_p25_end(&p->src[i], ETIMEDOUT);
	pf_rearm(p);
}

/* pf_sources - the probing IPs into p->src; -1 with d set. */
static int
pf_sources(struct pf *p, struct diag *d)
{
	const struct preflight_opts *o = p->o;
	size_t i, j, n = o->nsources > 0 ? o->nsources : 1;

	if (n > PREFLIGHT_MAX_IPS) {
		diag_set(d, DIAG_USAGE, "preflight: at most %d probing IPs",
		    PREFLIGHT_MAX_IPS);
		return -1;
	}
	p->src = xcalloc(n, sizeof *p->src);
	p->nsrc = n;
	for (i = 0; i < n; i++) {
		p->src[i].p = p;
		p->src[i].p25_fd = -1;	/* pf_free closes none */
		evtimer_init(&p->src[i].p25_timer);
	}
	for (i = 0; i < n; i++) {
		struct pf_src *s = &p->src[i];

		if (o->nsources == 0) {
			if (!pf_default_ip(&s->ip)) {
				diag_set(d, DIAG_USAGE, "preflight: cannot "
				    "tell the probing IP (no route to the "
				    "internet); give --source-address");
				return -1;
			}
		} else if (!pf_ip_parse(o->sources[i], &s->ip)) {
			diag_set(d, DIAG_USAGE, "--source-address: not an IP "
			    "address: %s", o->sources[i]);
			return -1;
		}
		inet_ntop(s->ip.family, &s->ip.u, s->ipstr, sizeof s->ipstr);
		for (j = 0; j < i; j++)
			if (strcmp(p->src[j].ipstr, s->ipstr) == 0) {
				diag_set(d, DIAG_USAGE, "preflight: %s given "
				    "twice", s->ipstr);
				return -1;
			}
		snprintf(p->r->ips[i], sizeof p->r->ips[i], "%s", s->ipstr);
	}
	p->r->nip = n;
	p->r->ip_given = o->nsources > 0;
	return 0;
}

/* pf_free - everything but r. Destroying the channel calls what is still
 * in flight with ARES_EDESTRUCTION (only after a loop failure). */
static void
pf_free(struct pf *p)
{
	size_t i, k;

	if (p->ch_init)
		ares_destroy(p->ch);
	p->ch_init = false;
	for (i = 0; i < p->nsrc; i++) {
		pf_p25_end(&p->src[i], ECANCELED);
		for (k = 0; k < p->src[i].nnames; k++)
			free(p->src[i].names[k]);
	}
	if (p->loop != NULL) {
		evloop_timer_cancel(p->loop, &p->ares_timer);
		evloop_timer_cancel(p->loop, &p->deadline);
	}
	evloop_free(p->loop);
	while (p->memo != NULL) {
		struct pf_memo *m = p->memo;

		p->memo = m->next;
		free(m->abuf);
		free(m);
	}
	if (p->p25ai != NULL)
		freeaddrinfo(p->p25ai);
	free(p->src);
	if (p->lib_init)
		ares_library_cleanup();
}

int
preflight_run(const struct preflight_opts *o, struct preflight_result *r,
    struct diag *d)
{
	struct pf p;
	struct diag ld = { DIAG_OK, "" };
	char name[NS_MAXDNAME];
	const char *dom;
	size_t i, nz;
	bool p25;
	int rc = -1;

	memset(r, 0, sizeof *r);
	memset(&p, 0, sizeof p);
	p.o = o;
	p.r = r;
	p.timeout_ms = o->timeout_ms ? o->timeout_ms : PF_TIMEOUT_MS;
	r->bound_ms = PF_BOUND_FACTOR * p.timeout_ms;
	evtimer_init(&p.ares_timer);
	evtimer_init(&p.deadline);
	if (o->helo == NULL || o->mail_from == NULL) {
		diag_set(d, DIAG_USAGE, "preflight needs --helo NAME and "
		    "--mail-from ADDR");
		return -1;
	}
	if (o->dnsbl != NULL && preflight_check_zones(o->dnsbl, d) != 0)
		return -1;
	snprintf(r->helo, sizeof r->helo, "%s", o->helo);
	snprintf(r->mail_from, sizeof r->mail_from, "%s", o->mail_from);
	if (pf_sources(&p, d) != 0)
		goto done;
	p.loop = evloop_new();
	if (pf_channel(&p, d) != 0)
		goto done;
	nz = o->dnsbl != NULL ? PREFLIGHT_MAX_ZONES : 3;
	r->checks = xcalloc(p.nsrc * (nz + 3) + 2, sizeof *r->checks);
	evloop_timer_set(p.loop, &p.deadline, evloop_now_ms() +
	    (int64_t)r->bound_ms, pf_on_deadline, &p);
	dom = pf_domain(o->mail_from);
	/* Everything but SPF goes out now, concurrently; SPF's first
	 * question (the domain's TXT) too, into the memo. */
	for (i = 0; i < p.nsrc; i++) {
		struct pf_src *s = &p.src[i];

		pf_dnsbl(&p, s);
		s->fc = pf_slot(&p, s, "fcrdns");
		s->spf = pf_slot(&p, s, "spf");
		s->p25 = pf_slot(&p, s, "port25");
		pf_reverse(&s->ip, s->ip.family == AF_INET ? "in-addr.arpa" :
		    "ip6.arpa", name, sizeof name);
		pf_ask(&p, name, ns_t_ptr, pf_fc_ptr, s, s->fc, 0, NULL);
	}
	snprintf(name, sizeof name, "_dmarc.%s", dom);
	pf_ask(&p, name, ns_t_txt, pf_dmarc_done, NULL, pf_slot(&p, NULL,
	    "dmarc"), 0, NULL);
	pf_ask(&p, dom, ns_t_mx, pf_mx_done, NULL, pf_slot(&p, NULL, "mx"),
	    0, NULL);
	(void)pf_memo_get(&p, dom, ns_t_txt);
	p25 = pf_p25_resolve(&p);
	for (i = 0; p25 && i < p.nsrc; i++)
		pf_p25_start(&p, &p.src[i]);
	pf_spf(&p);
	while (p.pending > 0)
		if (evloop_run_once(p.loop, -1, &ld) != 0)
			break;
	rc = 0;
done:
	pf_free(&p);
	return rc;
}

void
preflight_result_free(struct preflight_result *r)
{
	free(r->checks);
	r->checks = NULL;
	r->n = 0;
}

size_t
preflight_blocking(const struct preflight_result *r)
{
	size_t i, n = 0;

	for (i = 0; i < r->n; i++)
		if (r->checks[i].blocking && r->checks[i].status == PF_FAIL)
			n++;
	return n;
}

/* pf_ip_blocks - whether the IP has a blocking failure of its own. */
static bool
pf_ip_blocks(const struct preflight_result *r, const char *ip)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (r->checks[i].blocking && r->checks[i].status == PF_FAIL &&
		    strcmp(r->checks[i].ip, ip) == 0)
			return true;
	return false;
}

size_t
preflight_blocking_ips(const struct preflight_result *r, char *out,
    size_t size)
{
	size_t k, n = 0, off = 0;

	if (size > 0)
		out[0] = '\0';
	for (k = 0; k < r->nip; k++) {
		if (!pf_ip_blocks(r, r->ips[k]))
			continue;
		if (off < size)
			off += (size_t)snprintf(out + off, size - off, "%s%s",
			    n > 0 ? ", " : "", r->ips[k]);
		n++;
	}
	return n;
}

bool
preflight_domain_blocking(const struct preflight_result *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (r->checks[i].ip[0] == '\0' && r->checks[i].blocking &&
		    r->checks[i].status == PF_FAIL)
			return true;
	return false;
}

/* pf_text_check - one check's lines. */
static void
pf_text_check(FILE *f, const struct preflight_check *c)
{
	fprintf(f, "  %-11s %-28s %s\n", pf_status_name(c->status), c->name,
	    c->detail);
	if (c->status == PF_PASS)
		return;
	if (c->meaning[0] != '\0')
		fprintf(f, "  %-11s %-28s meaning: %s\n", "", "", c->meaning);
	if (c->fix[0] != '\0')
		fprintf(f, "  %-11s %-28s fix: %s\n", "", "", c->fix);
}

void
preflight_write_text(FILE *f, const struct preflight_result *r)
{
	size_t i, k, nb = preflight_blocking(r), nips;
	char ips[PREFLIGHT_MAX_IPS * 48];

	fprintf(f, "Sender preflight for %s%s", r->nip > 0 ? r->ips[0] : "",
	    r->ip_given ? "" : " (the default route's address)");
	for (k = 1; k < r->nip; k++)
		fprintf(f, ", %s", r->ips[k]);
	fprintf(f, " (HELO %s, MAIL FROM %s)\n", r->helo, r->mail_from);
	for (k = 0; k < r->nip; k++) {
		if (r->nip > 1)
			fprintf(f, " probing IP %s:\n", r->ips[k]);
		for (i = 0; i < r->n; i++)
			if (strcmp(r->checks[i].ip, r->ips[k]) == 0)
				pf_text_check(f, &r->checks[i]);
	}
	if (r->nip > 1)
		fprintf(f, " the MAIL FROM domain:\n");
	for (i = 0; i < r->n; i++)
		if (r->checks[i].ip[0] == '\0')
			pf_text_check(f, &r->checks[i]);
	if (nb == 0) {
		fprintf(f, "no blocking failure\n");
		return;
	}
	nips = preflight_blocking_ips(r, ips, sizeof ips);
	fprintf(f, "%zu blocking failure%s: ", nb, nb == 1 ? "" : "s");
	if (preflight_domain_blocking(r))
		fprintf(f, "receivers would refuse every probe");
	else if (nips == r->nip)
		fprintf(f, "receivers would refuse every probe (%s)", ips);
	else
		fprintf(f, "receivers would refuse the probes from %s (the "
		    "mail hosts that source is picked for)", ips);
	fprintf(f, "; a --probe run stops before its first connection "
	    "(--force overrides)\n");
}

void
preflight_write_json(FILE *f, const struct preflight_result *r)
{
	size_t i, k;

	fputs("{\"ip\":", f);
	utf8_json_str(f, r->nip > 0 ? r->ips[0] : "");
	fputs(",\"ips\":[", f);
	for (k = 0; k < r->nip; k++) {
		if (k > 0)
			fputc(',', f);
		utf8_json_str(f, r->ips[k]);
	}
	fputs("],\"helo\":", f);
	utf8_json_str(f, r->helo);
	fputs(",\"mail_from\":", f);
	utf8_json_str(f, r->mail_from);
	fprintf(f, ",\"blocking\":%zu,\"blocking_ips\":[",
	    preflight_blocking(r));
	for (k = 0, i = 0; k < r->nip; k++) {
		if (!pf_ip_blocks(r, r->ips[k]))
			continue;
		if (i++ > 0)
			fputc(',', f);
		utf8_json_str(f, r->ips[k]);
	}
	fputs("],\"checks\":[", f);
	for (i = 0; i < r->n; i++) {
		const struct preflight_check *c = &r->checks[i];

		fputs(i ? ",{\"ip\":" : "{\"ip\":", f);
		utf8_json_str(f, c->ip);
		fputs(",\"name\":", f);
		utf8_json_str(f, c->name);
		fprintf(f, ",\"status\":\"%s\",\"blocking\":%s,\"detail\":",
		    pf_status_name(c->status), c->blocking ? "true" :
		    "false");
		utf8_json_str(f, c->detail);
		fputs(",\"meaning\":", f);
		utf8_json_str(f, c->meaning);
		fputs(",\"fix\":", f);
		utf8_json_str(f, c->fix);
		fputc('}', f);
	}
	fputs("]}", f);
}
