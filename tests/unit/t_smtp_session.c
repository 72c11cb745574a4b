/*
 * t_smtp_session - the SMTP session engine against the loopback mail world
 * of tests/smtp/lib.sh (a real Postfix per behaviour + the fault server).
 * Run through tests/smtp/t_session.sh, which starts the servers.
 *
 * Environment (each "HOST:PORT"; a test whose variable is unset is skipped,
 * and without LISTSCRUB_TEST_SMTP the whole program skips):
 *   LISTSCRUB_TEST_SMTP            NORMAL (mx.normal.mail)
 *   LISTSCRUB_TEST_SMTP_CA         the test CA (PEM) for verify mode
 *   LISTSCRUB_TEST_SMTP_TLSREQ     TLS required by the server (530 at MAIL)
 *   LISTSCRUB_TEST_SMTP_TLSBROKEN  STARTTLS 220, then the handshake fails
 *   LISTSCRUB_TEST_SMTP_DEAD       nothing listens
 *   LISTSCRUB_TEST_SMTP_F421       fault server: 421 after EHLO
 *   LISTSCRUB_TEST_SMTP_NOBANNER   fault server: accepts, never greets
 *   LISTSCRUB_TEST_SMTP_ENDLESS    fault server: endless multi-line reply
 *   LISTSCRUB_TEST_SMTP_INJECT     fault server: bytes after 220 STARTTLS
 *   LISTSCRUB_TEST_SMTP_TARPIT     fault server: slow replies
 *   LISTSCRUB_TEST_SMTP_DROP       fault server: closes mid-batch
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "util/diag.h"
#include "util/evloop.h"
#include "smtp/smtp_reply.h"
#include "smtp/smtp_session.h"
#include "tap.h"
#include "smtp/tlsctx.h"

#define MAXR 256

struct got {
	uint32_t id;
	bool null;		/* reply == NULL */
	int code;
	char enh[16];
	int mailcode;		/* 0: mail == NULL */
};

struct run {
	/* input */
	const char *const *addrs;
	size_t naddrs;
	size_t next;
	bool abort_in_rcpt;	/* smtp_session_abort from the 2nd rcpt_done */
	struct smtp_session *s;
	/* output */
	struct got got[MAXR];
	size_t ngot;
	size_t nbatches;
	size_t handed;
	int ended;
	enum smtp_end why;
	char phase[16];
	int lastcode;
	char lasttext[SMTP_REPLY_TEXT_MAX];
	struct smtp_caps caps;
	struct smtp_caps batch_caps;	/* as next_batch saw them first */
	char detail[256];
	int64_t t0, t_end;
	int dup;		/* an id reported twice */
};

static size_t cb_next(void *arg, const struct smtp_caps *caps,
    struct smtp_rcpt *out, size_t max);
static void cb_rcpt(void *arg, const struct smtp_rcpt *r,
    const struct smtp_reply *reply, const struct smtp_reply *mail);
static void cb_ended(void *arg, enum smtp_end why, const char *phase,
    const struct smtp_reply *last, const struct smtp_caps *caps);
static int parse_addr(const char *hp, struct sockaddr_in *sin);
static bool run_session(struct run *r, const char *hp, const char *name,
    const struct smtp_session_opts *o, int limit_ms);
static const struct got *find(const struct run *r, uint32_t id);
static int code_of(const struct run *r, uint32_t id);
static const char *enh_of(const struct run *r, uint32_t id);

static struct evloop *loop;

/* env - a variable's value, NULL when unset or empty */
static const char *
env(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && v[0] != '\0' ? v : NULL;
}
static SSL_CTX *ctx_opp, *ctx_verify;

static const struct smtp_session_cb cbs = { cb_next, cb_rcpt, cb_ended };

/* cb_next - hand out up to max of the run's addresses. */
static size_t
cb_next(void *arg, const struct smtp_caps *caps, struct smtp_rcpt *out,
    size_t max)
{
	struct run *r = arg;
	size_t n = 0;

	if (r->nbatches == 0)
		r->batch_caps = *caps;
	while (n < max && r->next < r->naddrs) {
		out[n].id = (uint32_t)r->next;
		out[n].addr = r->addrs[r->next];
		out[n].utf8 = false;
		n++;
		r->next++;
	}
	if (n > 0)
		r->nbatches++;
	r->handed += n;
	return n;
}

/* cb_rcpt - record one recipient's outcome. */
static void
cb_rcpt(void *arg, const struct smtp_rcpt *rc, const struct smtp_reply *reply,
    const struct smtp_reply *mail)
{
	struct run *r = arg;
	struct got *g;

	if (find(r, rc->id) != NULL)
		r->dup++;
	if (r->ngot >= MAXR)
		return;
	g = &r->got[r->ngot++];
	g->id = rc->id;
	g->null = reply == NULL;
	g->code = reply != NULL ? reply->code : -1;
	snprintf(g->enh, sizeof(g->enh), "%s", reply != NULL ?
	    reply->enhanced : "");
	g->mailcode = mail != NULL ? mail->code : 0;
	if (r->abort_in_rcpt && r->ngot == 2) {
		smtp_session_abort(r->s);
		r->s = NULL;
	}
}

/* cb_ended - record the end. */
static void
cb_ended(void *arg, enum smtp_end why, const char *phase,
    const struct smtp_reply *last, const struct smtp_caps *caps)
{
	struct run *r = arg;

	r->ended++;
	r->why = why;
	snprintf(r->phase, sizeof(r->phase), "%s", phase);
	r->lastcode = last != NULL ? last->code : 0;
	snprintf(r->lasttext, sizeof(r->lasttext), "%s", last != NULL ?
	    last->text : "");
	r->caps = *caps;
	if (r->s != NULL)
		snprintf(r->detail, sizeof(r->detail), "%s",
		    smtp_session_detail(r->s));
	r->t_end = evloop_now_ms();
	r->s = NULL;
}

static const struct got *
find(const struct run *r, uint32_t id)
{
	size_t i;

	for (i = 0; i < r->ngot; i++)
		if (r->got[i].id == id)
			return &r->got[i];
	return NULL;
}

/* code_of - the reply code reported for id (-1: NULL, -2: none) */
static int
code_of(const struct run *r, uint32_t id)
{
	const struct got *g = find(r, id);

	return g == NULL ? -2 : g->code;
}

static const char *
enh_of(const struct run *r, uint32_t id)
{
	const struct got *g = find(r, id);

	return g == NULL ? "(none)" : g->enh;
}

/* parse_addr - "A.B.C.D:PORT" */
static int
parse_addr(const char *hp, struct sockaddr_in *sin)
{
	char host[64];
	const char *c = strrchr(hp, ':');
	size_t n;

	if (c == NULL || (n = (size_t)(c - hp)) >= sizeof(host))
		return -1;
	memcpy(host, hp, n);
	host[n] = '\0';
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = htons((uint16_t)strtoul(c + 1, NULL, 10));
	return inet_pton(AF_INET, host, &sin->sin_addr) == 1 ? 0 : -1;
}

/* run_session - one session to hp; true when ended() came in time. */
static bool
run_session(struct run *r, const char *hp, const char *name,
    const struct smtp_session_opts *o, int limit_ms)
{
	struct sockaddr_in sin;
	struct diag d = { DIAG_OK, "" };
	int64_t end;

	if (parse_addr(hp, &sin) < 0) {
		diag("bad address %s", hp);
		return false;
	}
	r->t0 = evloop_now_ms();
	r->s = smtp_session_start(loop, o, (struct sockaddr *)&sin,
	    sizeof(sin), name, &cbs, r, &d);
	if (r->s == NULL) {
		diag("smtp_session_start: %s", d.msg);
		return false;
	}
	if (r->ended != 0)
		diag("ended() called inside smtp_session_start");
	end = r->t0 + limit_ms;
	while (r->ended == 0 && r->s != NULL && evloop_now_ms() < end)
		if (evloop_run_once(loop, 100, &d) < 0)
			return false;
	if (r->ended == 0 && r->s != NULL) {
		diag("no end after %d ms", limit_ms);
		smtp_session_abort(r->s);
		r->s = NULL;
		return false;
	}
	if (r->ended != 0 && r->detail[0] != '\0')
		diag("end: %s/%s: %s", smtp_end_name(r->why), r->phase,
		    r->detail);
	return true;
}

static struct smtp_session_opts
opts(enum smtp_tls tls, bool pipe, unsigned per_txn)
{
	struct smtp_session_opts o;

	memset(&o, 0, sizeof(o));
	o.helo = "probe.listscrub.test";
	o.mail_from = "probe@listscrub.test";
	o.tls = tls;
	o.pipelining = pipe;
	o.rcpt_per_txn = per_txn;
	o.connect_ms = 3000;
	o.banner_ms = 5000;
	o.command_ms = 5000;
	o.ssl_ctx = tls == SMTP_TLS_VERIFY ? ctx_verify : ctx_opp;
	return o;
}

/* every handed-out recipient reported exactly once */
static bool
all_reported(const struct run *r)
{
	size_t i;

	if (r->dup != 0 || r->ngot != r->handed)
		return false;
	for (i = 0; i < r->handed; i++)
		if (find(r, (uint32_t)i) == NULL)
			return false;
	return true;
}

static void
t_normal_pipelined_tls(const char *hp)
{
	static const char *const a[] = {
		"alice@normal.mail", "nobody@normal.mail", "bob@normal.mail",
		"full@normal.mail", "tempfull@normal.mail",
		"a\r\nDATA@normal.mail",
	};
	struct run r = { .addrs = a, .naddrs = 6 };
	struct smtp_session_opts o = opts(SMTP_TLS_OPPORTUNISTIC, true, 10);

	ok(run_session(&r, hp, "mx.normal.mail", &o, 15000),
	    "normal: session ends");
	is_int(r.ended, 1, "normal: ended() once");
	is_int(r.why, SMTP_END_QUIT, "normal: ends with QUIT");
	is_int(r.lastcode, 221, "normal: last reply is the 221");
	ok(r.caps.tls && r.caps.esmtp, "normal: STARTTLS done (caps.tls)");
	ok(!r.caps.starttls, "normal: caps are from the second EHLO "
	    "(STARTTLS no longer listed)");
	ok(r.batch_caps.tls && r.batch_caps.pipelining,
	    "normal: next_batch saw TLS + PIPELINING");
	ok(r.caps.tls_verified, "normal: certificate verifies for "
	    "mx.normal.mail (%s %s)", r.caps.tls_version, r.caps.tls_cipher);
	is_int(r.nbatches, 1, "normal: one transaction");
	ok(all_reported(&r), "normal: every recipient reported once");
	is_int(r.ngot, 6, "normal: 6 reports");
	/* the unsafe one is reported first (before MAIL goes out) */
	ok(r.got[0].id == 5 && r.got[0].code == SMTP_CODE_UNSAFE &&
	    !r.got[0].null, "normal: CR/LF recipient refused, not sent");
	ok(r.ngot == 6 && r.got[1].id == 0 && r.got[2].id == 1 &&
	    r.got[3].id == 2 && r.got[4].id == 3 && r.got[5].id == 4,
	    "normal: replies attributed in command order");
	is_int(code_of(&r, 0), 250, "normal: alice 250");
	is_int(code_of(&r, 1), 550, "normal: nobody 550");
	is_str(enh_of(&r, 1), "5.1.1", "normal: nobody 5.1.1");
	is_int(code_of(&r, 2), 250, "normal: bob 250");
	is_int(code_of(&r, 3), 552, "normal: full 552");
	is_int(code_of(&r, 4), 452, "normal: tempfull 452");
	is_int(r.ngot > 1 ? r.got[1].mailcode : -1, 250, "normal: MAIL reply passed along");
}

static void
t_normal_plain_multi(const char *hp)
{
	static const char *const a[] = {
		"alice@normal.mail", "x1@normal.mail", "bob@normal.mail",
		"x2@normal.mail", "carol@normal.mail",
	};
	static const int want[] = { 250, 550, 250, 550, 250 };
	struct run r = { .addrs = a, .naddrs = 5 };
	struct smtp_session_opts o = opts(SMTP_TLS_OFF, false, 2);
	size_t i;
	bool inorder = true;

	ok(run_session(&r, hp, "mx.normal.mail", &o, 15000),
	    "plain: session ends");
	is_int(r.why, SMTP_END_QUIT, "plain: ends with QUIT");
	ok(!r.caps.tls, "plain: tls off means no STARTTLS");
	ok(r.caps.starttls, "plain: STARTTLS was offered though");
	is_int(r.nbatches, 3, "plain: 3 transactions on one connection "
	    "(RSET between)");
	ok(all_reported(&r), "plain: every recipient reported once");
	for (i = 0; i < r.ngot && i < 5; i++)
		if (r.got[i].id != i || r.got[i].code != want[i])
			inorder = false;
	ok(inorder && r.ngot == 5, "plain: one command at a time, replies "
	    "in order");
}

static void
t_tlsreq(const char *hp)
{
	static const char *const a[] = { "alice@tlsreq.mail" };
	struct run r = { .addrs = a, .naddrs = 1 };
	struct run r2 = { .addrs = a, .naddrs = 1 };
	struct run r3 = { .addrs = a, .naddrs = 1 };
	struct run r4 = { .addrs = a, .naddrs = 1 };
	struct smtp_session_opts o = opts(SMTP_TLS_REQUIRED, true, 10);

	ok(run_session(&r, hp, "mx.tlsreq.mail", &o, 15000),
	    "tlsreq/required: ends");
	ok(r.why == SMTP_END_QUIT && r.caps.tls && r.ngot == 1 &&
	    r.got[0].code == 250, "tlsreq/required: TLS, alice 250");

	o = opts(SMTP_TLS_OFF, true, 10);
	ok(run_session(&r2, hp, "mx.tlsreq.mail", &o, 15000),
	    "tlsreq/off: ends");
	ok(r2.ngot == 1 && r2.got[0].null && r2.got[0].mailcode == 530,
	    "tlsreq/off: rcpt reported NULL with the 530 to MAIL (got "
	    "null=%d mail=%d)", r2.ngot ? r2.got[0].null : -1,
	    r2.ngot ? r2.got[0].mailcode : -1);
	is_int(r2.why, SMTP_END_QUIT, "tlsreq/off: still a clean QUIT");

	if (ctx_verify == NULL) {
		ok(1, "# SKIP no LISTSCRUB_TEST_SMTP_CA");
		ok(1, "# SKIP no LISTSCRUB_TEST_SMTP_CA");
		return;
	}
	o = opts(SMTP_TLS_VERIFY, true, 10);
	ok(run_session(&r3, hp, "mx.tlsreq.mail", &o, 15000) &&
	    r3.why == SMTP_END_QUIT && r3.caps.tls_verified,
	    "tlsreq/verify: right name verifies");
	ok(run_session(&r4, hp, "mx.wrong.example", &o, 15000) &&
	    r4.why == SMTP_END_TLS_FAILED && r4.ngot == 0,
	    "tlsreq/verify: wrong name -> TLS_FAILED (%s)",
	    smtp_end_name(r4.why));
}

static void
t_tlsbroken(const char *hp)
{
	static const char *const a[] = { "alice@tlsbroken.mail" };
	struct run r = { .addrs = a, .naddrs = 1 };
	struct smtp_session_opts o = opts(SMTP_TLS_OPPORTUNISTIC, true, 10);

	ok(run_session(&r, hp, "mx.tlsbroken.mail", &o, 15000),
	    "tlsbroken: ends");
	is_int(r.why, SMTP_END_TLS_FAILED, "tlsbroken: TLS_FAILED");
	is_str(r.phase, "tls", "tlsbroken: phase tls");
	is_int(r.handed, 0, "tlsbroken: no work handed out before TLS");
}

static void
t_dead(const char *hp)
{
	static const char *const a[] = { "alice@normal.mail" };
	struct run r = { .addrs = a, .naddrs = 1 };
	struct smtp_session_opts o = opts(SMTP_TLS_OPPORTUNISTIC, true, 10);

	ok(run_session(&r, hp, NULL, &o, 5000), "dead: ends");
	is_int(r.why, SMTP_END_CONNECT_FAILED, "dead: CONNECT_FAILED");
	ok(r.t_end - r.t0 < 1000, "dead: quickly (%lld ms)",
	    (long long)(r.t_end - r.t0));
}

static void
t_421(const char *hp)
{
	static const char *const a[] = { "alice@normal.mail" };
	struct run r = { .addrs = a, .naddrs = 1 };
	struct smtp_session_opts o = opts(SMTP_TLS_OPPORTUNISTIC, true, 10);

	ok(run_session(&r, hp, NULL, &o, 10000), "421: ends");
	is_int(r.why, SMTP_END_REFUSED, "421: REFUSED");
	is_int(r.lastcode, 421, "421: the 421 is reported (%s)", r.lasttext);
	ok(all_reported(&r), "421: nothing lost");
}

static void
t_fault_protocol(const char *hp, const char *what, const char *phase)
{
	static const char *const a[] = { "alice@normal.mail" };
	struct run r = { .addrs = a, .naddrs = 1 };
	struct smtp_session_opts o = opts(SMTP_TLS_OPPORTUNISTIC, true, 10);

	ok(run_session(&r, hp, NULL, &o, 15000), "%s: ends", what);
	is_int(r.why, SMTP_END_PROTOCOL, "%s: PROTOCOL", what);
	if (phase != NULL)
		is_str(r.phase, phase, "%s: phase", what);
	ok(!r.caps.tls && all_reported(&r), "%s: no TLS, nothing lost",
	    what);
}

static void
t_nobanner(const char *hp)
{
	static const char *const a[] = { "alice@normal.mail" };
	struct run r = { .addrs = a, .naddrs = 1 };
	struct smtp_session_opts o = opts(SMTP_TLS_OPPORTUNISTIC, true, 10);

	o.banner_ms = 700;
	ok(run_session(&r, hp, NULL, &o, 5000), "nobanner: ends");
	is_int(r.why, SMTP_END_TIMEOUT, "nobanner: TIMEOUT");
	is_str(r.phase, "banner", "nobanner: phase banner");
	ok(r.t_end - r.t0 >= 650 && r.t_end - r.t0 < 1500,
	    "nobanner: after banner_ms (%lld ms)", (long long)(r.t_end - r.t0));
}

static void
t_tarpit(const char *hp)
{
	static const char *const a[] = { "alice@normal.mail" };
	struct run r = { .addrs = a, .naddrs = 1 };
	struct smtp_session_opts o = opts(SMTP_TLS_OFF, true, 10);

	o.banner_ms = 800;
	o.command_ms = 800;
	ok(run_session(&r, hp, NULL, &o, 10000), "tarpit: ends");
	is_int(r.why, SMTP_END_TIMEOUT, "tarpit: TIMEOUT (phase %s)",
	    r.phase);
	ok(all_reported(&r), "tarpit: nothing lost");
}

static void
t_drop(const char *hp)
{
	static const char *const a[] = {
		"r0@normal.mail", "r1@normal.mail", "r2@normal.mail",
		"r3@normal.mail", "r4@normal.mail", "r5@normal.mail",
	};
	struct run r = { .addrs = a, .naddrs = 6 };
	struct smtp_session_opts o = opts(SMTP_TLS_OFF, true, 10);
	size_t i, nnull = 0;

	ok(run_session(&r, hp, NULL, &o, 10000), "drop: ends");
	is_int(r.why, SMTP_END_DROPPED, "drop: DROPPED (phase %s)", r.phase);
	ok(all_reported(&r), "drop: every recipient reported once");
	for (i = 0; i < r.ngot; i++)
		nnull += r.got[i].null;
	ok(nnull == 3 && r.ngot == 6 && r.got[0].code == 250 &&
	    r.got[2].code == 250 && r.got[3].null && r.got[3].mailcode == 250,
	    "drop: 3 answered in order, the 3 unanswered with reply NULL "
	    "(%zu)", nnull);
}

static void
t_error_limit(const char *hp)
{
	static char names[60][40];
	static const char *a[60];
	struct run r = { .addrs = a, .naddrs = 60 };
	struct smtp_session_opts o = opts(SMTP_TLS_OPPORTUNISTIC, true, 50);
	size_t i, nrep = 0, nnull = 0;

	for (i = 0; i < 60; i++) {
		snprintf(names[i], sizeof(names[i]), "nouser%zu@normal.mail",
		    i);
		a[i] = names[i];
	}
	o.command_ms = 20000;	/* Postfix sleeps 1 s per error after 10 */
	ok(run_session(&r, hp, "mx.normal.mail", &o, 60000),
	    "error limit: ends");
	ok(all_reported(&r), "error limit: every handed-out recipient "
	    "reported exactly once (%zu of %zu)", r.ngot, r.handed);
	for (i = 0; i < r.ngot; i++) {
		if (r.got[i].null)
			nnull++;
		else if (r.got[i].code == 550)
			nrep++;
	}
	ok(r.why == SMTP_END_REFUSED && r.lastcode == 421,
	    "error limit: 421 ends it (%s %d %s)", smtp_end_name(r.why),
	    r.lastcode, r.lasttext);
	ok(nrep > 0 && nnull > 0 && nrep + nnull == r.ngot,
	    "error limit: %zu answered 550, %zu NULL (re-queue)", nrep, nnull);
	ok(r.next == r.handed && r.handed <= 60,
	    "error limit: the rest (%zu) never handed out",
	    (size_t)60 - r.handed);
}

static void
t_abort(const char *hp)
{
	static const char *const a[] = {
		"alice@normal.mail", "bob@normal.mail", "carol@normal.mail",
	};
	struct run r = { .addrs = a, .naddrs = 3, .abort_in_rcpt = true };
	struct smtp_session_opts o = opts(SMTP_TLS_OFF, true, 10);

	run_session(&r, hp, NULL, &o, 10000);
	ok(r.s == NULL && r.ended == 0 && r.ngot == 2,
	    "abort inside rcpt_done: no callback after it (got %zu, "
	    "ended %d)", r.ngot, r.ended);
	is_int(evloop_nwatched(loop), 0, "abort: socket unwatched");
}

int
main(void)
{
	const char *normal = env("LISTSCRUB_TEST_SMTP");
	const char *ca = env("LISTSCRUB_TEST_SMTP_CA");
	const char *v;
	struct diag d = { DIAG_OK, "" };

	if (normal == NULL) {
		printf("1..0 # SKIP LISTSCRUB_TEST_SMTP not set "
		    "(run tests/smtp/t_session.sh)\n");
		return 0;
	}
	signal(SIGPIPE, SIG_IGN);
	loop = evloop_new();
	ctx_opp = tlsctx_new(SMTP_TLS_OPPORTUNISTIC, ca, &d);
	if (ctx_opp == NULL) {
		printf("Bail out! tlsctx_new: %s\n", d.msg);
		return 1;
	}
	if (ca != NULL)
		ctx_verify = tlsctx_new(SMTP_TLS_VERIFY, ca, &d);

	t_normal_pipelined_tls(normal);
	t_normal_plain_multi(normal);
	t_error_limit(normal);
	t_abort(normal);
	if ((v = env("LISTSCRUB_TEST_SMTP_TLSREQ")) != NULL)
		t_tlsreq(v);
	if ((v = env("LISTSCRUB_TEST_SMTP_TLSBROKEN")) != NULL)
		t_tlsbroken(v);
	if ((v = env("LISTSCRUB_TEST_SMTP_DEAD")) != NULL)
		t_dead(v);
	if ((v = env("LISTSCRUB_TEST_SMTP_F421")) != NULL)
		t_421(v);
	if ((v = env("LISTSCRUB_TEST_SMTP_INJECT")) != NULL)
		t_fault_protocol(v, "inject", "starttls");
	if ((v = env("LISTSCRUB_TEST_SMTP_ENDLESS")) != NULL)
		t_fault_protocol(v, "endless", NULL);
	if ((v = env("LISTSCRUB_TEST_SMTP_NOBANNER")) != NULL)
		t_nobanner(v);
	if ((v = env("LISTSCRUB_TEST_SMTP_TARPIT")) != NULL)
		t_tarpit(v);
	if ((v = env("LISTSCRUB_TEST_SMTP_DROP")) != NULL)
		t_drop(v);

	is_int(evloop_nwatched(loop), 0, "no fd left watched");
	is_int(evloop_ntimers(loop), 0, "no timer left armed");
	tlsctx_free(ctx_opp);
	tlsctx_free(ctx_verify);
	evloop_free(loop);
	return done_testing();
}
