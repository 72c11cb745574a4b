/*
 * preflight - the sender preflight's checks. The contract is in
 * preflight.h; the facts (query forms, record locations) are in
 * validator/README, "DNS facts".
 */
#include "preflight/preflight.h"

#include <sys/select.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netinet/in.h>

#include <ares.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
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
#include "util/utf8.h"
#include "util/xalloc.h"

#define PF_TIMEOUT_MS	2000

/* One address, v4 or v6. */
struct pf_ip {
	int family;
	union {
		struct in_addr v4;
		struct in6_addr v6;
	} u;
};

/* The run's state. */
struct pf {
	ares_channel ch;
	bool dns_dead;		/* a query timed out: ask no more */
	struct pf_ip ip;
	char ipstr[64];
	const struct preflight_opts *o;
	struct preflight_result *r;
};

/* One query's answer, copied out of the c-ares callback. */
struct pfq {
	bool done;
	int status;		/* ARES_SUCCESS, ARES_ENOTFOUND, ... */
	unsigned char *abuf;
	int alen;
};

static void
pfq_cb(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	struct pfq *q = arg;

	(void)timeouts;
	q->done = true;
	q->status = status;
	if (status == ARES_SUCCESS && abuf != NULL && alen > 0) {
		q->abuf = xmalloc((size_t)alen);
		memcpy(q->abuf, abuf, (size_t)alen);
		q->alen = alen;
	}
}

/* pf_query - ask name/type and wait for the answer (q->status tells).
 * After a timeout no more is asked: every later query fails at once the
 * same way, so a dead resolver costs one query's
 * timeout, not one per check. */
static void
pf_query(struct pf *p, const char *name, int type, struct pfq *q)
{
	ares_channel ch = p->ch;

	memset(q, 0, sizeof *q);
	if (p->dns_dead) {
		q->done = true;
		q->status = ARES_ETIMEOUT;
		return;
	}
	ares_query(ch, name, ns_c_in, type, pfq_cb, q);
	while (!q->done) {
		fd_set r, w;
		struct timeval tv, *tvp;
		int nfds;

		FD_ZERO(&r);
		FD_ZERO(&w);
		nfds = ares_fds(ch, &r, &w);
		if (nfds == 0 && q->done)
			break;
		tvp = ares_timeout(ch, NULL, &tv);
		if (select(nfds, &r, &w, NULL, tvp) < 0 && errno != EINTR)
			break;
		ares_process(ch, &r, &w);
	}
	if (!q->done) {
		ares_cancel(ch);
		q->done = true;
		q->status = ARES_ECANCELLED;
	}
	/* Not ARES_ECONNREFUSED: c-ares also says that when every server
	 * answered REFUSED (a zone the server does not serve), which costs
	 * nothing to ask again. */
	if (q->status == ARES_ETIMEOUT || q->status == ARES_ECANCELLED)
		p->dns_dead = true;
}

static void
pfq_free(struct pfq *q)
{
	free(q->abuf);
	q->abuf = NULL;
}

/* pf_temp - the query failed for a reason that says nothing about the
 * name (timeout, SERVFAIL, REFUSED, ...). */
static bool
pf_temp(const struct pfq *q)
{
	return q->status != ARES_SUCCESS && q->status != ARES_ENOTFOUND &&
	    q->status != ARES_ENODATA;
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

/* pf_answer_has_ip - the A/AAAA answer in q holds ip. */
static bool
pf_answer_has_ip(const struct pfq *q, const struct pf_ip *ip)
{
	int i, n;

	if (q->status != ARES_SUCCESS)
		return false;
	if (ip->family == AF_INET) {
		struct ares_addrttl at[32];

		n = 32;
		if (ares_parse_a_reply(q->abuf, q->alen, NULL, at, &n) !=
		    ARES_SUCCESS)
			return false;
		for (i = 0; i < n; i++)
			if (at[i].ipaddr.s_addr == ip->u.v4.s_addr)
				return true;
	} else {
		struct ares_addr6ttl at[32];

		n = 32;
		if (ares_parse_aaaa_reply(q->abuf, q->alen, NULL, at, &n) !=
		    ARES_SUCCESS)
			return false;
		for (i = 0; i < n; i++)
			if (memcmp(&at[i].ip6addr, &ip->u.v6, 16) == 0)
				return true;
	}
	return false;
}


static struct preflight_check *
pf_add(struct pf *p, const char *name)
{
	struct preflight_check *c;
	size_t len;

	if (p->r->n >= PREFLIGHT_MAX_CHECKS)
		return NULL;
	c = &p->r->checks[p->r->n++];
	memset(c, 0, sizeof *c);
	len = strnlen(name, sizeof c->name - 1);
	memcpy(c->name, name, len);	/* NUL from the memset */
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

/* pf_dnsbl_one - the IP on one zone. */
static void
pf_dnsbl_one(struct pf *p, const char *zone, enum pf_dnsbl_kind kind)
{
	struct preflight_check *c;
	char name[NS_MAXDNAME], cname[NS_MAXDNAME + 8];
	struct ares_addrttl at[16];
	struct pfq q;
	int i, n = 16;
	enum pf_status worst = PF_PASS;
	struct buf codes, means;
	const char *meaning = NULL;

	snprintf(cname, sizeof cname, "dnsbl:%s", zone);
	if ((c = pf_add(p, cname)) == NULL)
		return;
	pf_reverse(&p->ip, zone, name, sizeof name);
	pf_query(p, name, ns_t_a, &q);
	if (q.status == ARES_ENOTFOUND || q.status == ARES_ENODATA) {
		pf_set(c, PF_PASS, true, "the IP is not on this blocklist",
		    NULL, "%s: not listed", name);
		pfq_free(&q);
		return;
	}
	if (pf_temp(&q) || ares_parse_a_reply(q.abuf, q.alen, NULL, at,
	    &n) != ARES_SUCCESS) {
		pf_set(c, PF_WARN, true, "the blocklist could not be asked",
		    "check --dns-server; a blocklist that cannot be asked "
		    "cannot be trusted either way", "%s: %s", name,
		    ares_strerror(q.status));
		pfq_free(&q);
		return;
	}
	buf_init(&codes, 512);
	buf_init(&means, 1024);
	for (i = 0; i < n; i++) {
		struct pf_dnsbl_meaning m;
		char a[INET_ADDRSTRLEN];

		pfcodes_dnsbl(kind, ntohl(at[i].ipaddr.s_addr), &m);
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
	if (worst == PF_FAIL)
		pf_set(c, PF_FAIL, true, buf_str(&means), "find why at the "
		    "list's lookup page and request delisting, or probe from "
		    "another IP (--source-address); listed IPs are refused "
		    "by receivers that use this list", "%s: %s", name,
		    buf_str(&codes));
	else
		pf_set(c, worst, true, meaning ? meaning :
		    "not listed", worst == PF_PASS ? NULL :
		    "use your own recursive resolver (--dns-server), not a "
		    "public one", "%s: %s", name, buf_str(&codes));
	buf_free(&codes);
	buf_free(&means);
	pfq_free(&q);
}

static void
pf_dnsbl(struct pf *p)
{
	const char *s = p->o->dnsbl ? p->o->dnsbl : PREFLIGHT_DNSBL_DEFAULT;

	while (*s != '\0') {
		char zone[256], *eq;
		size_t len = strcspn(s, ",");
		int kind = PF_DNSBL_GENERIC;

		snprintf(zone, sizeof zone, "%.*s", (int)len, s);
		if ((eq = strchr(zone, '=')) != NULL) {
			*eq = '\0';
			kind = pfcodes_dnsbl_kind(eq + 1);
		}
		if (zone[0] != '\0' && kind >= 0)
			pf_dnsbl_one(p, zone, (enum pf_dnsbl_kind)kind);
		s += len;
		if (*s == ',')
			s++;
	}
}

/* pf_fcrdns - PTR of the IP, each name's A/AAAA back to the IP. */
static void
pf_fcrdns(struct pf *p)
{
	struct preflight_check *c = pf_add(p, "fcrdns");
	const char *helo = p->o->helo;
	char name[NS_MAXDNAME];
	struct hostent *he = NULL;
	unsigned char dummy[16] = { 0 };
	struct pfq q;
	char confirmed[NS_MAXDNAME] = "";
	bool helo_named = false, helo_back;
	int i;

	if (c == NULL)
		return;
	pf_reverse(&p->ip, p->ip.family == AF_INET ? "in-addr.arpa" :
	    "ip6.arpa", name, sizeof name);
	pf_query(p, name, ns_t_ptr, &q);
	if (pf_temp(&q)) {
		pf_set(c, PF_WARN, true, "the reverse DNS could not be asked",
		    "check --dns-server", "PTR %s: %s", name,
		    ares_strerror(q.status));
		pfq_free(&q);
		return;
	}
	if (q.status != ARES_SUCCESS || ares_parse_ptr_reply(q.abuf, q.alen,
	    dummy, p->ip.family == AF_INET ? 4 : 16, p->ip.family, &he) !=
	    ARES_SUCCESS || he == NULL) {
		pf_set(c, PF_FAIL, true, "the IP has no reverse DNS (PTR); "
		    "most receivers refuse such clients (\"Fix reverse "
		    "DNS\")", "ask the owner of the IP (hosting provider or "
		    "ISP) for a PTR record naming the HELO name",
		    "no PTR for %s", p->ipstr);
		pfq_free(&q);
		return;
	}
	pfq_free(&q);
	for (i = -1; confirmed[0] == '\0' || !helo_named; i++) {
		const char *n = i < 0 ? he->h_name : he->h_aliases[i];
		struct pfq f;

		if (n == NULL)
			break;
		pf_query(p, n, p->ip.family == AF_INET ? ns_t_a :
		    ns_t_aaaa, &f);
		if (pf_answer_has_ip(&f, &p->ip)) {
			if (confirmed[0] == '\0' || pf_name_eq(n, helo))
				snprintf(confirmed, sizeof confirmed, "%s",
				    n);
			if (pf_name_eq(n, helo))
				helo_named = true;
		}
		pfq_free(&f);
		if (i >= 0 && i > 8)
			break;
	}
	if (confirmed[0] == '\0') {
		pf_set(c, PF_FAIL, true, "the IP's PTR name does not resolve "
		    "back to the IP (no forward-confirmed reverse DNS); "
		    "receivers treat such clients as unidentified",
		    "make the PTR name's A/AAAA record point to the IP, or "
		    "the PTR name one that does", "PTR %s -> %s; its "
		    "address is not %s", p->ipstr, he->h_name, p->ipstr);
		ares_free_hostent(he);
		return;
	}
	ares_free_hostent(he);
	if (helo_named) {
		pf_set(c, PF_PASS, true, "forward-confirmed reverse DNS, and "
		    "the PTR names the HELO name", NULL,
		    "%s -> %s -> %s", p->ipstr, confirmed, p->ipstr);
		return;
	}
	/* FCrDNS holds, but for another name: does the HELO name at least
	 * resolve to the IP? */
	{
		struct pfq f;

		pf_query(p, helo, p->ip.family == AF_INET ? ns_t_a :
		    ns_t_aaaa, &f);
		helo_back = pf_answer_has_ip(&f, &p->ip);
		pfq_free(&f);
	}
	pf_set(c, PF_WARN, true, "the IP has forward-confirmed reverse DNS, "
	    "but for another name than the HELO name; some receivers "
	    "require them to match", "use --helo with the PTR name",
	    "%s -> %s -> %s; HELO %s %s", p->ipstr, confirmed, p->ipstr,
	    helo, helo_back ? "resolves to the IP" :
	    "does not resolve to the IP");
}

/* libspf2's DNS layer over our c-ares channel, so that SPF sees the same
 * servers as the rest of the run (--dns-server). */
static SPF_dns_rr_t *
pf_spf_lookup(SPF_dns_server_t *s, const char *domain, ns_type type,
    int should_cache)
{
	struct pf *p = s->hook;
	SPF_dns_rr_t *rr;
	struct pfq q;
	int i, n = 0;

	(void)should_cache;
	pf_query(p, domain, (int)type, &q);
	if (q.status == ARES_ENOTFOUND) {
		pfq_free(&q);
		return SPF_dns_rr_new_init(s, domain, type, 0, HOST_NOT_FOUND);
	}
	if (q.status == ARES_ENODATA) {
		pfq_free(&q);
		return SPF_dns_rr_new_init(s, domain, type, 0, NO_DATA);
	}
	if (q.status != ARES_SUCCESS) {
		pfq_free(&q);
		return SPF_dns_rr_new_init(s, domain, type, 0, TRY_AGAIN);
	}
	rr = SPF_dns_rr_new_init(s, domain, type, 0, NETDB_SUCCESS);
	if (rr == NULL) {
		pfq_free(&q);
		return NULL;
	}
	switch (type) {
	case ns_t_a: {
		struct ares_addrttl at[32];

		n = 32;
		if (ares_parse_a_reply(q.abuf, q.alen, NULL, at, &n) !=
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
		if (ares_parse_aaaa_reply(q.abuf, q.alen, NULL, at, &n) !=
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

		if (ares_parse_txt_reply_ext(q.abuf, q.alen, &txt) !=
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

		if (ares_parse_mx_reply(q.abuf, q.alen, &mx) != ARES_SUCCESS)
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

		if (ares_parse_ptr_reply(q.abuf, q.alen, dummy, 4, AF_INET,
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
	pfq_free(&q);
	return rr;
}

static const char *
pf_domain(const char *mail_from)
{
	const char *at = strrchr(mail_from, '@');

	return at != NULL ? at + 1 : mail_from;
}

static void
pf_spf(struct pf *p)
{
	struct preflight_check *c = pf_add(p, "spf");
	SPF_dns_server_t *dns;
	SPF_server_t *srv;
	SPF_request_t *req;
	SPF_response_t *resp = NULL;
	struct pf_spf_meaning m;
	SPF_errcode_t err;
	int res;

	if (c == NULL)
		return;
	dns = xcalloc(1, sizeof *dns);
	/* destroy NULL: the layer is ours, SPF_server_free leaves it
	 * (spf_dns.h); freed below. */
	dns->destroy = NULL;
	dns->lookup = pf_spf_lookup;
	dns->name = "listscrub-c-ares";
	dns->hook = p;
	srv = SPF_server_new_dns(dns, 0);
	if (srv == NULL) {
		free(dns);
		pf_set(c, PF_WARN, false, "libspf2 could not start", NULL,
		    "SPF not evaluated");
		return;
	}
	req = SPF_request_new(srv);
	if (p->ip.family == AF_INET)
		SPF_request_set_ipv4(req, p->ip.u.v4);
	else
		SPF_request_set_ipv6(req, p->ip.u.v6);
	SPF_request_set_helo_dom(req, p->o->helo);
	if (SPF_request_set_env_from(req, p->o->mail_from) != 0) {
		pf_set(c, PF_FAIL, true, "the MAIL FROM address is not usable "
		    "for SPF", "give a real address (--mail-from)",
		    "MAIL FROM %s", p->o->mail_from);
		SPF_request_free(req);
		SPF_server_free(srv);
		free(dns);
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
		    pf_domain(p->o->mail_from), p->ipstr);
	else
		pf_set(c, m.status, m.blocking, m.meaning, m.fix,
		    "SPF of %s for %s: %s", pf_domain(p->o->mail_from),
		    p->ipstr, m.word);
	if (resp != NULL)
		SPF_response_free(resp);
	SPF_request_free(req);
	SPF_server_free(srv);
	free(dns);
}

/* pf_dmarc - a TXT record at _dmarc.DOMAIN that starts "v=DMARC1"
 * (RFC 7489 6.1, 6.4). The organizational-domain fallback (6.6.3) needs
 * the public suffix list and is not done: a subdomain without its own
 * record is a warning, not a failure. */
static void
pf_dmarc(struct pf *p)
{
	struct preflight_check *c = pf_add(p, "dmarc");
	const char *dom = pf_domain(p->o->mail_from);
	char name[NS_MAXDNAME];
	struct ares_txt_ext *txt = NULL, *t;
	struct pfq q;
	bool found = false;
	struct buf rec;

	if (c == NULL)
		return;
	snprintf(name, sizeof name, "_dmarc.%s", dom);
	pf_query(p, name, ns_t_txt, &q);
	if (pf_temp(&q)) {
		pf_set(c, PF_WARN, false, "the DMARC record could not be "
		    "asked", "check --dns-server", "TXT %s: %s", name,
		    ares_strerror(q.status));
		pfq_free(&q);
		return;
	}
	buf_init(&rec, 4096);
	if (q.status == ARES_SUCCESS &&
	    ares_parse_txt_reply_ext(q.abuf, q.alen, &txt) == ARES_SUCCESS) {
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
	pfq_free(&q);
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
		    "DMARC policy", NULL, "%s: %s", name, shown);
	} else {
		pf_set(c, PF_WARN, false, "the MAIL FROM domain publishes no "
		    "DMARC record; large mailbox providers expect one from "
		    "senders at volume", "publish TXT \"v=DMARC1; p=none; "
		    "rua=mailto:...\" at _dmarc.DOMAIN", "no v=DMARC1 TXT "
		    "at %s", name);
	}
	buf_free(&rec);
}

/* pf_mx - the MAIL FROM domain has a mail host (RFC 5321 5.1): MX, or an
 * address record (implicit MX); a null MX (RFC 7505) accepts no mail. */
static void
pf_mx(struct pf *p)
{
	struct preflight_check *c = pf_add(p, "mx");
	const char *dom = pf_domain(p->o->mail_from);
	struct ares_mx_reply *mx = NULL, *m;
	struct pfq q;
	char hosts[200] = "";
	bool nullmx = false;
	int n = 0;

	if (c == NULL)
		return;
	pf_query(p, dom, ns_t_mx, &q);
	if (q.status == ARES_ENOTFOUND) {
		pf_set(c, PF_FAIL, true, "the MAIL FROM domain does not "
		    "exist; receivers reject the sender (4.1.8/5.1.8 "
		    "\"Domain not found\")", "use a MAIL FROM address on a "
		    "domain you own", "%s: NXDOMAIN", dom);
		pfq_free(&q);
		return;
	}
	if (pf_temp(&q)) {
		pf_set(c, PF_WARN, false, "the MX could not be asked",
		    "check --dns-server", "MX %s: %s", dom,
		    ares_strerror(q.status));
		pfq_free(&q);
		return;
	}
	if (q.status == ARES_SUCCESS &&
	    ares_parse_mx_reply(q.abuf, q.alen, &mx) == ARES_SUCCESS) {
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
	pfq_free(&q);
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

/* pf_port25 - a TCP connect to the named host, from the probing IP when
 * it was given. Only what the user named is ever connected to. */
static void
pf_port25(struct pf *p)
{
	struct preflight_check *c = pf_add(p, "port25");
	const char *spec = p->o->port25;
	char host[256], port[16] = "25";
	struct addrinfo hints, *ai = NULL;
	const char *colon;
	int fd, rc, err = 0;
	socklen_t elen = sizeof err;
	struct pollfd pfd;

	if (c == NULL)
		return;
	if (spec == NULL) {
		pf_set(c, PF_SKIP, false, "outbound port 25 was not tested",
		    "name a mail host you may connect to with "
		    "--port25-test HOST[:PORT]", "not checked");
		return;
	}
	if (spec[0] == '[' && (colon = strchr(spec, ']')) != NULL) {
		snprintf(host, sizeof host, "%.*s", (int)(colon - spec - 1),
		    spec + 1);
		if (colon[1] == ':')
			snprintf(port, sizeof port, "%s", colon + 2);
	} else if ((colon = strrchr(spec, ':')) != NULL &&
	    strchr(spec, ':') == colon) {
		snprintf(host, sizeof host, "%.*s", (int)(colon - spec), spec);
		snprintf(port, sizeof port, "%s", colon + 1);
	} else {
		snprintf(host, sizeof host, "%s", spec);
	}
	memset(&hints, 0, sizeof hints);
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_family = p->o->source != NULL ? p->ip.family : AF_UNSPEC;
	if ((rc = getaddrinfo(host, port, &hints, &ai)) != 0 || ai == NULL) {
		pf_set(c, PF_WARN, false, "the test host could not be "
		    "resolved", "check --port25-test", "%s: %s", spec,
		    gai_strerror(rc));
		return;
	}
	fd = socket(ai->ai_family, SOCK_STREAM, 0);
	if (fd >= 0 && p->o->source != NULL) {
		struct sockaddr_storage ss;
		socklen_t len;

		memset(&ss, 0, sizeof ss);
		if (p->ip.family == AF_INET) {
			((struct sockaddr_in *)&ss)->sin_family = AF_INET;
			((struct sockaddr_in *)&ss)->sin_addr = p->ip.u.v4;
			len = sizeof(struct sockaddr_in);
		} else {
			((struct sockaddr_in6 *)&ss)->sin6_family = AF_INET6;
			((struct sockaddr_in6 *)&ss)->sin6_addr = p->ip.u.v6;
			len = sizeof(struct sockaddr_in6);
		}
		if (bind(fd, (struct sockaddr *)&ss, len) != 0)
			err = errno;
	}
	if (fd < 0)
		err = errno;
	else if (err == 0) {
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
			if (errno != EINPROGRESS) {
				err = errno;
			} else {
				pfd.fd = fd;
				pfd.events = POLLOUT;
				rc = poll(&pfd, 1, (int)(p->o->timeout_ms ?
				    p->o->timeout_ms * 2 : PF_TIMEOUT_MS * 2));
				if (rc == 0)
					err = ETIMEDOUT;
				else if (getsockopt(fd, SOL_SOCKET, SO_ERROR,
				    &err, &elen) != 0)
					err = errno;
			}
		}
	}
	if (fd >= 0)
		close(fd);
	freeaddrinfo(ai);
	if (err == 0)
		pf_set(c, PF_PASS, false, "outbound connections to port 25 "
		    "work from here", NULL, "connected to %s:%s", host, port);
	else
		pf_set(c, PF_FAIL, false, "outbound port 25 looks blocked "
		    "(clouds and ISPs often block it); every probe would "
		    "end unknown", "ask the provider to open port 25, or "
		    "probe through a reputable egress", "%s:%s: %s", host,
		    port, strerror(err));
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

	memset(&ao, 0, sizeof ao);
	ao.timeout = (int)(p->o->timeout_ms ? p->o->timeout_ms :
	    PF_TIMEOUT_MS);
	ao.tries = 2;
	rc = ares_init_options(&p->ch, &ao, ARES_OPT_TIMEOUTMS |
	    ARES_OPT_TRIES);
	if (rc != ARES_SUCCESS) {
		diag_set(d, DIAG_INTERNAL, "preflight: c-ares: %s",
		    ares_strerror(rc));
		return -1;
	}
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
		ares_destroy(p->ch);
		return -1;
	}
	return 0;
}

int
preflight_run(const struct preflight_opts *o, struct preflight_result *r,
    struct diag *d)
{
	struct pf p;

	memset(r, 0, sizeof *r);
	memset(&p, 0, sizeof p);
	p.o = o;
	p.r = r;
	if (o->helo == NULL || o->mail_from == NULL) {
		diag_set(d, DIAG_USAGE, "preflight needs --helo NAME and "
		    "--mail-from ADDR");
		return -1;
	}
	if (o->dnsbl != NULL && preflight_check_zones(o->dnsbl, d) != 0)
		return -1;
	if (o->source != NULL) {
		if (!pf_ip_parse(o->source, &p.ip)) {
			diag_set(d, DIAG_USAGE, "--source-address: not an IP "
			    "address: %s", o->source);
			return -1;
		}
		r->ip_given = true;
	} else if (!pf_default_ip(&p.ip)) {
		diag_set(d, DIAG_USAGE, "preflight: cannot tell the probing "
		    "IP (no route to the internet); give --source-address");
		return -1;
	}
	inet_ntop(p.ip.family, &p.ip.u, p.ipstr, sizeof p.ipstr);
	snprintf(r->ip, sizeof r->ip, "%s", p.ipstr);
	snprintf(r->helo, sizeof r->helo, "%s", o->helo);
	snprintf(r->mail_from, sizeof r->mail_from, "%s", o->mail_from);
	if (pf_channel(&p, d) != 0)
		return -1;
	pf_dnsbl(&p);
	pf_fcrdns(&p);
	pf_spf(&p);
	pf_dmarc(&p);
	pf_mx(&p);
	pf_port25(&p);
	ares_destroy(p.ch);
	return 0;
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

void
preflight_write_text(FILE *f, const struct preflight_result *r)
{
	size_t i, nb = preflight_blocking(r);

	fprintf(f, "Sender preflight for %s%s (HELO %s, MAIL FROM %s)\n",
	    r->ip, r->ip_given ? "" : " (the default route's address)",
	    r->helo, r->mail_from);
	for (i = 0; i < r->n; i++) {
		const struct preflight_check *c = &r->checks[i];

		fprintf(f, "  %-11s %-28s %s\n", pf_status_name(c->status),
		    c->name, c->detail);
		if (c->status == PF_PASS)
			continue;
		if (c->meaning[0] != '\0')
			fprintf(f, "  %-11s %-28s meaning: %s\n", "", "",
			    c->meaning);
		if (c->fix[0] != '\0')
			fprintf(f, "  %-11s %-28s fix: %s\n", "", "", c->fix);
	}
	if (nb > 0)
		fprintf(f, "%zu blocking failure%s: receivers would refuse "
		    "every probe; a --probe run stops before its first "
		    "connection (--force overrides)\n", nb,
		    nb == 1 ? "" : "s");
	else
		fprintf(f, "no blocking failure\n");
}

void
preflight_write_json(FILE *f, const struct preflight_result *r)
{
	size_t i;

	fputs("{\"ip\":", f);
	utf8_json_str(f, r->ip);
	fputs(",\"helo\":", f);
	utf8_json_str(f, r->helo);
	fputs(",\"mail_from\":", f);
	utf8_json_str(f, r->mail_from);
	fprintf(f, ",\"blocking\":%zu,\"checks\":[", preflight_blocking(r));
	for (i = 0; i < r->n; i++) {
		const struct preflight_check *c = &r->checks[i];

		fputs(i ? ",{\"name\":" : "{\"name\":", f);
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
