/*
 * t_mxlookup - the DNS engine against a real authoritative server (NSD on
 * loopback) plus a silent UDP socket (timeout) and a closed port (no
 * server). Also exercises evloop timers.
 *
 * LISTSCRUB_TEST_DNS   server "HOST:PORT" (unset: the whole test skips)
 * LISTSCRUB_TEST_ZONE  zone apex (default "lab"); the records expected are
 *                      those of tests/dns/zones/mxt.zone, which
 *                      tests/dns/t_mxlookup.sh serves. The name
 *                      servfail.<apex> must be a zone configured with a
 *                      missing zone file (NSD answers SERVFAIL).
 * LISTSCRUB_TEST_SERVFAIL  another name that answers SERVFAIL, absolute
 *                      with a trailing dot (tests/dns/t_mxlookup.sh: the
 *                      harness's "broken." zone).
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/diag.h"
#include "util/evloop.h"
#include "dns/mxlookup.h"
#include "tap.h"

#define MAXH MXLOOKUP_MAX_HOSTS

struct capture {
	int calls;
	bool sync;		/* called from inside mxlookup_submit */
	bool over_cap;		/* saw more queries in flight than allowed */
	enum mx_outcome outcome;
	unsigned flags;
	size_t nmx, nhosts;
	char names[MAXH][256];
	unsigned prefs[MAXH];
	unsigned hflags[MAXH];
	size_t naddrs[MAXH];
	char addr0[MAXH][INET6_ADDRSTRLEN];
	char addr1[MAXH][INET6_ADDRSTRLEN];
	char detail[96];
};

struct ctx {
	struct mxlookup *m;
	bool in_submit;
	size_t cap;		/* concurrency to check in callbacks, or 0 */
};

static struct ctx *cur;		/* the lookup the callbacks belong to */
static char zone[200];

static void on_done(void *arg, const struct mx_result *r);
static void fmt_addr(const struct mx_addr *a, char *out);
static int submit(struct ctx *c, const char *label, struct capture *cap);
static int run(struct evloop *loop, struct mxlookup *m, int limit_ms);
static struct mxlookup *make(struct evloop *loop, const char *server,
    unsigned timeout_ms, unsigned concurrency, bool allow_reserved,
    uint64_t seed);
static int udp_port(int *fd_out);
static void test_evloop(void);
static void on_tick(void *arg);
static void on_stress(void *arg);
static void on_sp(void *arg, int fd, bool rd, bool wr);

/* fmt_addr - printable form of a. */
static void
fmt_addr(const struct mx_addr *a, char *out)
{
	inet_ntop(a->family, a->family == AF_INET6 ? (const void *)&a->u.v6 :
	    (const void *)&a->u.v4, out, INET6_ADDRSTRLEN);
}

/* on_done - copy the result into the capture. */
static void
on_done(void *arg, const struct mx_result *r)
{
	struct capture *cap = arg;

	cap->calls++;
	if (cur != NULL && cur->in_submit)
		cap->sync = true;
	if (cur != NULL && cur->cap > 0 &&
	    mxlookup_inflight(cur->m) > cur->cap)
		cap->over_cap = true;
	cap->outcome = r->outcome;
	cap->flags = r->flags;
	cap->nmx = r->nmx;
	cap->nhosts = r->nhosts;
	snprintf(cap->detail, sizeof(cap->detail), "%s", r->detail);
	for (size_t i = 0; i < r->nhosts && i < MAXH; i++) {
		const struct mx_host *h = &r->hosts[i];

		snprintf(cap->names[i], sizeof(cap->names[i]), "%s", h->name);
		cap->prefs[i] = h->preference;
		cap->hflags[i] = h->flags;
		cap->naddrs[i] = h->naddrs;
		if (h->naddrs > 0)
			fmt_addr(&h->addrs[0], cap->addr0[i]);
		if (h->naddrs > 1)
			fmt_addr(&h->addrs[1], cap->addr1[i]);
	}
}

/* submit - look up label.<zone> ("" label: the apex itself; "name."
 * an absolute name). */
static int
submit(struct ctx *c, const char *label, struct capture *cap)
{
	char name[300];
	struct diag d = { 0 };
	int rc;

	if (*label == '\0')
		snprintf(name, sizeof(name), "%s", zone);
	else if (label[strlen(label) - 1] == '.')
		snprintf(name, sizeof(name), "%.*s", (int)strlen(label) - 1,
		    label);
	else
		snprintf(name, sizeof(name), "%s.%s", label, zone);
	memset(cap, 0, sizeof(*cap));
	c->in_submit = true;
	rc = mxlookup_submit(c->m, name, on_done, cap, &d);
	c->in_submit = false;
	if (rc != 0)
		diag("submit %s: %s", name, d.msg);
	return rc;
}

/* run - turn the loop until nothing is pending; -1 after limit_ms. */
static int
run(struct evloop *loop, struct mxlookup *m, int limit_ms)
{
	int64_t end = evloop_now_ms() + limit_ms;
	struct diag d = { 0 };

	while (mxlookup_pending(m) > 0) {
		if (evloop_now_ms() > end)
			return -1;
		if (evloop_run_once(loop, 100, &d) != 0) {
			diag("evloop: %s", d.msg);
			return -1;
		}
	}
	return 0;
}

/* make - an mxlookup with one server. */
static struct mxlookup *
make(struct evloop *loop, const char *server, unsigned timeout_ms,
    unsigned concurrency, bool allow_reserved, uint64_t seed)
{
	struct mxlookup_opts o = { 0 };
	struct diag d = { 0 };
	struct mxlookup *m;

	o.servers = &server;
	o.nservers = 1;
	o.timeout_ms = timeout_ms;
	o.tries = 2;
	o.concurrency = concurrency;
	o.allow_reserved = allow_reserved;
	o.seed = seed;
	m = mxlookup_new(loop, &o, &d);
	if (m == NULL)
		diag("mxlookup_new: %s", d.msg);
	return m;
}

/* udp_port - a UDP socket bound on 127.0.0.1; its port, the fd in *fd_out. */
static int
udp_port(int *fd_out)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) != 0)
		return -1;
	*fd_out = fd;
	return ntohs(sin.sin_port);
}

struct tick {
	struct evloop *loop;
	struct evtimer t;
	int order[8];
	int *n;
	int id;
	int rearms;
};

/* on_tick - record the firing order; optionally re-arm at deadline 0. */
static void
on_tick(void *arg)
{
	struct tick *k = arg;

	k->order[0] = (*k->n)++;
	k->order[1] = k->id;
	if (k->rearms > 0) {
		k->rearms--;
		evloop_timer_set(k->loop, &k->t, 0, on_tick, k);
	}
}

struct stress {
	struct evtimer t;
	int64_t *last;
	int *bad, *fired;
};

/* on_stress - deadlines must come out non-decreasing. */
static void
on_stress(void *arg)
{
	struct stress *s = arg;

	if (s->t.deadline < *s->last)
		(*s->bad)++;
	*s->last = s->t.deadline;
	(*s->fired)++;
}

struct sp {
	struct evloop *loop;
	int other;		/* the fd to unwatch when this one fires */
	int calls;
};

/* on_sp - a socketpair end is readable; stop watching the other end. */
static void
on_sp(void *arg, int fd, bool rd, bool wr)
{
	struct sp *p = arg;
	char c;

	(void)wr;
	p->calls++;
	if (rd && read(fd, &c, 1) != 1)
		p->calls += 100;
	evloop_watch(p->loop, p->other, false, false, NULL, NULL, NULL);
}

/* test_evloop - timer order, cancel, and a zero-delay re-arm per round. */
static void
test_evloop(void)
{
	struct evloop *loop = evloop_new();
	struct tick ks[5];
	int64_t now = evloop_now_ms();
	int n = 0, seq[5];
	struct diag d = { 0 };

	for (int i = 0; i < 5; i++) {
		memset(&ks[i], 0, sizeof(ks[i]));
		ks[i].loop = loop;
		ks[i].n = &n;
		ks[i].id = i;
		evtimer_init(&ks[i].t);
	}
	/* deadlines: 3 -> now-10, 1 -> now-30, 4 -> now-20, 0 cancelled */
	evloop_timer_set(loop, &ks[0].t, now - 40, on_tick, &ks[0]);
	evloop_timer_set(loop, &ks[3].t, now - 10, on_tick, &ks[3]);
	evloop_timer_set(loop, &ks[1].t, now - 30, on_tick, &ks[1]);
	evloop_timer_set(loop, &ks[4].t, now - 20, on_tick, &ks[4]);
	evloop_timer_set(loop, &ks[2].t, now + 60000, on_tick, &ks[2]);
	evloop_timer_cancel(loop, &ks[0].t);
	ok(!evtimer_armed(&ks[0].t) && evloop_ntimers(loop) == 4,
	    "evloop: cancel disarms");
	ks[1].rearms = 1000;
	evloop_run_once(loop, 0, &d);
	for (int i = 0; i < 5; i++)
		seq[i] = ks[i].order[0];
	ok(n == 3 && seq[1] == 0 && seq[4] == 1 && seq[3] == 2,
	    "evloop: due timers fire in deadline order, once per round");
	evloop_run_once(loop, 0, &d);
	ok(n == 4 && evtimer_armed(&ks[1].t) && evtimer_armed(&ks[2].t),
	    "evloop: a zero-delay re-arm waits for the next round");
	evloop_free(loop);

	{
		struct stress *ss = calloc(5000, sizeof(*ss));
		int64_t last = INT64_MIN;
		int bad = 0, fired = 0;
		uint32_t r = 12345;
		struct sp p1, p2;
		int sv1[2], sv2[2];

		loop = evloop_new();
		for (int i = 0; i < 5000; i++) {
			r = r * 1103515245 + 12345;
			evtimer_init(&ss[i].t);
			ss[i].last = &last;
			ss[i].bad = &bad;
			ss[i].fired = &fired;
			evloop_timer_set(loop, &ss[i].t,
			    now - 1 - (int64_t)(r % 100000), on_stress, &ss[i]);
		}
		for (int i = 0; i < 5000; i += 3)
			evloop_timer_cancel(loop, &ss[i].t);
		evloop_run_once(loop, 0, &d);
		ok(bad == 0 && fired == 5000 - 1667,
		    "evloop: 5000 timers, 1667 cancelled, rest in order "
		    "(fired %d, out of order %d)", fired, bad);
		free(ss);

		socketpair(AF_UNIX, SOCK_STREAM, 0, sv1);
		socketpair(AF_UNIX, SOCK_STREAM, 0, sv2);
		p1.loop = p2.loop = loop;
		p1.calls = p2.calls = 0;
		p1.other = sv2[0];
		p2.other = sv1[0];
		evloop_watch(loop, sv1[0], true, false, on_sp, &p1, NULL);
		evloop_watch(loop, sv2[0], true, false, on_sp, &p2, NULL);
		(void)!write(sv1[1], "x", 1);
		(void)!write(sv2[1], "y", 1);
		evloop_run_once(loop, 1000, &d);
		ok(p1.calls + p2.calls == 1 && evloop_nwatched(loop) == 1,
		    "evloop: an fd unwatched by an earlier callback in the "
		    "round is not called");
		evloop_watch(loop, sv1[0], false, false, NULL, NULL, NULL);
		evloop_watch(loop, sv2[0], false, false, NULL, NULL, NULL);
		for (int i = 0; i < 2; i++) {
			close(sv1[i]);
			close(sv2[i]);
		}
		evloop_free(loop);
	}
}

int
main(void)
{
	const char *server = getenv("LISTSCRUB_TEST_DNS");
	const char *z = getenv("LISTSCRUB_TEST_ZONE");
	struct evloop *loop;
	struct ctx c = { 0 };
	struct capture ok_, cname_dom, nullmx, mixed, nx, impl, nomail,
	    dangling, mxcname, iplit, iplit6, looponly, privonly, implloop,
	    partial,
	    mx40, tempfail, servfail, badname, equal[30];
	struct capture loop_ok, implloop_ok, tmo, refused, bulk[100],
	    freed[5];
	char name[300];
	int64_t t0;
	int silent = -1, closed = -1, port, firsts[3] = { 0 }, bad;
	const struct mxlookup_stats *st;
	struct diag d = { 0 };
	struct mxlookup_opts o = { 0 };
	const char *badsrv = "not an address";

	if (server == NULL || *server == '\0') {
		printf("1..0 # SKIP no test DNS server "
		    "(LISTSCRUB_TEST_DNS unset)\n");
		return 0;
	}
	snprintf(zone, sizeof(zone), "%s", z && *z ? z : "lab");
	test_evloop();

	loop = evloop_new();
	c.m = make(loop, server, 1000, 0, false, 42);
	if (c.m == NULL)
		return 1;
	cur = &c;
	submit(&c, "mx-ok", &ok_);
	submit(&c, "cname-dom", &cname_dom);
	submit(&c, "nullmx", &nullmx);
	submit(&c, "nullmx-mixed", &mixed);
	submit(&c, "nx", &nx);
	submit(&c, "implicit", &impl);
	submit(&c, "nomail", &nomail);
	submit(&c, "mx-dangling", &dangling);
	submit(&c, "mx-cname", &mxcname);
	submit(&c, "mx-ipliteral", &iplit);
	submit(&c, "mx-ipliteral6", &iplit6);
	submit(&c, "mx-loop-only", &looponly);
	submit(&c, "mx-private", &privonly);
	submit(&c, "implicit-loop", &implloop);
	submit(&c, "mx-partial", &partial);
	submit(&c, "mx40", &mx40);
	submit(&c, "mx-tempfail", &tempfail);
	submit(&c, getenv("LISTSCRUB_TEST_SERVFAIL") ?
	    getenv("LISTSCRUB_TEST_SERVFAIL") : "servfail", &servfail);
	submit(&c, "bad..name", &badname);	/* EBADNAME inside ares_query */
	for (int i = 0; i < 30; i++)
		submit(&c, "mx-equal", &equal[i]);
	ok(mxlookup_pending(c.m) == 49, "49 domains pending after submit");
	ok(run(loop, c.m, 20000) == 0, "all lookups finish");

	is_str(mx_outcome_name(ok_.outcome), "ok", "mx-ok: outcome");
	is_int(ok_.nmx, 3, "mx-ok: 3 MX records");
	ok(ok_.nhosts == 3 && ok_.prefs[0] == 10 && ok_.prefs[1] == 20 && ok_.prefs[2] == 30,
	    "mx-ok: sorted by preference (10, 20, 30)");
	snprintf(name, sizeof(name), "mx1.mx-ok.%s", zone);
	is_str(ok_.names[0], name, "mx-ok: first host is mx1");
	ok(ok_.naddrs[0] == 2 && strcmp(ok_.addr0[0], "192.0.2.1") == 0 &&
	    strcmp(ok_.addr1[0], "2001:db8::1") == 0,
	    "mx-ok: mx1 has A then AAAA (%s, %s)", ok_.addr0[0],
	    ok_.addr1[0]);
	ok(ok_.naddrs[1] == 1 && ok_.naddrs[2] == 1 &&
	    strcmp(ok_.addr0[2], "2001:db8::3") == 0,
	    "mx-ok: mx2 A only, mx3 AAAA only");
	ok(ok_.flags == 0, "mx-ok: no flags");

	is_str(mx_outcome_name(cname_dom.outcome), "ok",
	    "cname-dom: MX of the CNAME target");
	is_int(cname_dom.nmx, 3, "cname-dom: 3 MX records");

	is_str(mx_outcome_name(nullmx.outcome), "null_mx",
	    "nullmx: null MX, no fallback to its A record");
	is_int(nullmx.nhosts, 0, "nullmx: no hosts");

	is_str(mx_outcome_name(mixed.outcome), "ok",
	    "nullmx-mixed: the real MX is used");
	ok(mixed.flags & MX_F_NULLMX_MIXED, "nullmx-mixed: flagged");
	ok(mixed.nmx == 1 && mixed.nhosts == 1 && mixed.prefs[0] == 10,
	    "nullmx-mixed: null entry dropped");

	is_str(mx_outcome_name(nx.outcome), "nxdomain", "nx: NXDOMAIN");

	is_str(mx_outcome_name(impl.outcome), "implicit_mx",
	    "implicit: implicit MX");
	snprintf(name, sizeof(name), "implicit.%s", zone);
	ok(impl.nhosts == 1 && strcmp(impl.names[0], name) == 0 &&
	    impl.prefs[0] == 0 && impl.naddrs[0] == 2 &&
	    (impl.flags & MX_F_IMPLICIT),
	    "implicit: host is the domain, pref 0, A + AAAA");

	is_str(mx_outcome_name(nomail.outcome), "no_mail_host",
	    "nomail: no MX, no A/AAAA -> no host");

	is_str(mx_outcome_name(dangling.outcome), "no_mail_host",
	    "mx-dangling: MX to a missing name -> no host");
	ok(dangling.nhosts == 1 && (dangling.hflags[0] & MX_H_NOADDR),
	    "mx-dangling: host flagged NOADDR");

	is_str(mx_outcome_name(mxcname.outcome), "ok",
	    "mx-cname: CNAME at the target is followed");
	ok((mxcname.flags & MX_F_CNAME_TARGET) &&
	    (mxcname.hflags[0] & MX_H_CNAME) &&
	    strcmp(mxcname.addr0[0], "192.0.2.1") == 0,
	    "mx-cname: flagged, address of the CNAME target");

	is_str(mx_outcome_name(iplit.outcome), "no_mail_host",
	    "mx-ipliteral: IP-literal target is unusable");
	ok((iplit.flags & MX_F_IP_LITERAL_TARGET) &&
	    (iplit.hflags[0] & MX_H_IP_LITERAL) && iplit.naddrs[0] == 0,
	    "mx-ipliteral: flagged, no address");
	is_str(mx_outcome_name(iplit6.outcome), "no_mail_host",
	    "mx-ipliteral6: IPv6-literal target is unusable");
	ok((iplit6.flags & MX_F_IP_LITERAL_TARGET) &&
	    (iplit6.hflags[0] & MX_H_IP_LITERAL) && iplit6.naddrs[0] == 0,
	    "mx-ipliteral6: flagged, no address");

	is_str(mx_outcome_name(looponly.outcome), "no_mail_host",
	    "mx-loop-only: loopback-only target -> no host");
	ok(looponly.flags & MX_F_RESERVED_ONLY, "mx-loop-only: reserved_only");
	is_str(mx_outcome_name(privonly.outcome), "no_mail_host",
	    "mx-private: RFC 1918 / ULA / link-local only -> no host");
	ok(privonly.flags & MX_F_RESERVED_ONLY, "mx-private: reserved_only");
	is_str(mx_outcome_name(implloop.outcome), "no_mail_host",
	    "implicit-loop: loopback implicit MX -> no host");

	is_str(mx_outcome_name(partial.outcome), "ok",
	    "mx-partial: one dangling target, one good");
	ok(partial.nhosts == 2 && partial.naddrs[0] == 0 &&
	    partial.naddrs[1] == 2 && (partial.hflags[0] & MX_H_NOADDR),
	    "mx-partial: dangling first host kept, no addresses");

	is_str(mx_outcome_name(mx40.outcome), "ok",
	    "mx40: 40 MX records (TCP fallback)");
	ok(mx40.nmx == 40 && mx40.nhosts == MXLOOKUP_MAX_HOSTS &&
	    mx40.prefs[0] == 1 && mx40.prefs[9] == 10,
	    "mx40: 40 counted, first 10 kept in order");

	is_str(mx_outcome_name(tempfail.outcome), "dns_error",
	    "mx-tempfail: SERVFAIL on the target is temporary, not no-host");
	ok(tempfail.hflags[0] & MX_H_TEMPFAIL, "mx-tempfail: host TEMPFAIL");
	is_str(mx_outcome_name(servfail.outcome), "dns_error",
	    "servfail: SERVFAIL (ECONNREFUSED) -> dns_error");
	diag("servfail detail: %s", servfail.detail);
	is_str(mx_outcome_name(badname.outcome), "dns_error",
	    "bad..name: EBADNAME -> dns_error");

	bad = 0;
	for (int i = 0; i < 30; i++) {
		if (equal[i].nhosts != 3 || equal[i].prefs[0] != 10 ||
		    equal[i].prefs[2] != 10 || equal[i].names[0][0] < 'a' ||
		    equal[i].names[0][0] > 'c')
			bad++;
		else
			firsts[equal[i].names[0][0] - 'a']++;
	}
	ok(bad == 0 && firsts[0] > 0 && firsts[1] > 0 && firsts[2] > 0,
	    "mx-equal: equal preferences shuffled (a=%d b=%d c=%d)",
	    firsts[0], firsts[1], firsts[2]);

	bad = 0;
	{
		struct capture *all[] = { &ok_, &cname_dom, &nullmx, &mixed,
			&nx, &impl, &nomail, &dangling, &mxcname, &iplit,
			&iplit6, &looponly, &privonly, &implloop, &partial, &mx40,
			&tempfail, &servfail, &badname };

		for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
			if (all[i]->calls != 1 || all[i]->sync)
				bad++;
		for (int i = 0; i < 30; i++)
			if (equal[i].calls != 1 || equal[i].sync)
				bad++;
	}
	is_int(bad, 0, "each done called once, never inside submit");
	st = mxlookup_stats(c.m);
	ok(st->domains_done == 49 && st->queries_mx == 49,
	    "stats: 49 domains, 49 MX queries");
	diag("stats: mx=%llu a=%llu aaaa=%llu answers=%llu timeouts=%llu "
	    "errors=%llu max_inflight=%zu",
	    (unsigned long long)st->queries_mx,
	    (unsigned long long)st->queries_a,
	    (unsigned long long)st->queries_aaaa,
	    (unsigned long long)st->answers,
	    (unsigned long long)st->timeouts,
	    (unsigned long long)st->errors, st->max_inflight);
	mxlookup_free(c.m);

	/* Test mode: reserved addresses allowed. */
	c.m = make(loop, server, 1000, 0, true, 0);
	submit(&c, "mx-loop-only", &loop_ok);
	submit(&c, "implicit-loop", &implloop_ok);
	ok(run(loop, c.m, 10000) == 0, "allow_reserved lookups finish");
	ok(loop_ok.outcome == MX_OK && loop_ok.naddrs[0] == 2 &&
	    strcmp(loop_ok.addr0[0], "127.0.0.2") == 0 &&
	    (loop_ok.flags & MX_F_RESERVED_ONLY),
	    "allow_reserved: mx-loop-only ok, 127.0.0.2 + ::1");
	ok(implloop_ok.outcome == MX_IMPLICIT,
	    "allow_reserved: implicit-loop is an implicit MX");
	mxlookup_free(c.m);

	/* 100 domains, concurrency 8. */
	c.m = make(loop, server, 1000, 8, false, 0);
	c.cap = 8;
	for (int i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "d%d.bulk", i);
		submit(&c, name, &bulk[i]);
	}
	ok(mxlookup_inflight(c.m) <= 8, "bulk: <= 8 in flight after submit");
	ok(run(loop, c.m, 20000) == 0, "bulk: 100 domains finish");
	bad = 0;
	for (int i = 0; i < 100; i++)
		if (bulk[i].calls != 1 || bulk[i].outcome != MX_IMPLICIT ||
		    bulk[i].over_cap || bulk[i].sync)
			bad++;
	is_int(bad, 0, "bulk: all implicit MX, once each, cap respected");
	st = mxlookup_stats(c.m);
	ok(st->max_inflight <= 8 && st->max_inflight >= 2,
	    "bulk: max in flight %zu (<= 8)", st->max_inflight);
	ok(st->queries_mx + st->queries_a + st->queries_aaaa == 300,
	    "bulk: 300 queries (MX, A, AAAA per domain)");
	mxlookup_free(c.m);
	c.cap = 0;

	/* A server that never answers: timeout after 200 + 400 ms. */
	port = udp_port(&silent);
	ok(port > 0, "silent UDP socket bound");
	snprintf(name, sizeof(name), "127.0.0.1:%d", port);
	c.m = make(loop, name, 200, 0, false, 0);
	t0 = evloop_now_ms();
	submit(&c, "mx-ok", &tmo);
	ok(run(loop, c.m, 10000) == 0, "timeout: finishes");
	t0 = evloop_now_ms() - t0;
	is_str(mx_outcome_name(tmo.outcome), "dns_timeout",
	    "timeout: dns_timeout");
	ok(t0 >= 550 && t0 < 2000, "timeout: after %lld ms (~600)",
	    (long long)t0);
	ok(strstr(tmo.detail, "timed out") != NULL, "timeout: detail '%s'",
	    tmo.detail);
	ok(mxlookup_stats(c.m)->timeouts == 1, "timeout: counted");

	/* mxlookup_free with lookups in flight: no callbacks. */
	for (int i = 0; i < 5; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		submit(&c, name, &freed[i]);
	}
	evloop_run_once(loop, 10, &d);
	mxlookup_free(c.m);
	bad = 0;
	for (int i = 0; i < 5; i++)
		bad += freed[i].calls;
	is_int(bad, 0, "free with 5 pending: no done callbacks");
	ok(evloop_nwatched(loop) == 0 && evloop_ntimers(loop) == 0,
	    "free: sockets unwatched, timers cancelled");
	close(silent);

	/* A closed port: ICMP unreachable -> ECONNREFUSED at once. */
	port = udp_port(&closed);
	close(closed);
	snprintf(name, sizeof(name), "127.0.0.1:%d", port);
	c.m = make(loop, name, 2000, 0, false, 0);
	t0 = evloop_now_ms();
	submit(&c, "mx-ok", &refused);
	ok(run(loop, c.m, 20000) == 0, "closed port: finishes");
	t0 = evloop_now_ms() - t0;
	is_str(mx_outcome_name(refused.outcome), "dns_error",
	    "closed port: dns_error (%s)", refused.detail);
	ok(t0 < 1000, "closed port: no waiting for the timeout (%lld ms)",
	    (long long)t0);
	mxlookup_free(c.m);

	o.servers = &badsrv;
	o.nservers = 1;
	ok(mxlookup_new(loop, &o, &d) == NULL && d.msg[0] != '\0',
	    "bad server string: refused (%s)", d.msg);
	mxlookup_free(NULL);
	evloop_free(loop);
	return done_testing();
}
