/*
 * t_session_peer - the SMTP session engine against scripted peers: for each
 * script in tests/data/peer (the files named *.peer), a child process
 * listens on 127.0.0.1 (port 0, loopback only) and plays the script while
 * this process runs a real smtp_session against it on the evloop and
 * checks what the session reported. No root, no mail server, no TLS.
 *
 * usage: t_session_peer [DIR | FILE.peer ...]
 *   without arguments: $srcdir/tests/data/peer (srcdir as exported by
 *   make check), else ./tests/data/peer.
 *
 * Script format: one directive a line; blank lines and lines whose first
 * non-blank is '#' are ignored.
 *   Header (what the session is asked and what it must report; anywhere):
 *     rcpt ADDR...             recipients, handed out in this order
 *     opt pipelining on|off    the session option (default on)
 *     opt per-txn N            recipients per transaction (default 50)
 *     opt command-ms N         command timeout (default 2000)
 *     opt banner-ms N          greeting timeout (default 2000)
 *     expect-result ADDR CODE  rcpt_done came with a reply of code CODE
 *     expect-result ADDR none  no reply reported: never handed out, or
 *                              rcpt_done(reply NULL) with no MAIL refusal
 *                              (mail NULL or < 400): the scheduler asks
 *                              the address again
 *     expect-result ADDR none MAILCODE
 *                              rcpt_done(reply NULL) with MAIL refused
 *                              with MAILCODE
 *     expect-end WHY [PHASE]   ended() with smtp_end_name WHY (and phase)
 *   Body (the peer, in order):
 *     send TEXT     queue TEXT + CRLF; escapes \r \n \t \\ \xHH. Sends
 *                   in a row leave in ONE write, when the next directive
 *                   that is not a send comes (or the body ends)
 *     expect PREFIX read one command line (CRLF-terminated); it must
 *                   start with PREFIX (case-insensitive), else fail
 *     sleep MS      pause
 *     close         close the connection; the peer is done
 *   Tail rules (used once the body is over):
 *     on PREFIX TEXT      a line starting with PREFIX is answered TEXT
 *     on-rcpt ADDR TEXT   "RCPT TO:<ADDR>..." is answered TEXT
 *   After the body the peer reads until the client closes (at most 5 s
 *   after the last line), answering each line with the first matching
 *   tail rule, if any (no rule: no answer). The rules let a client that
 *   wrongly carries on meet a plausible server, so that a misattribution
 *   shows in the results, not only in a failed expect.
 * The peer fails (and the test with it) when an expect does not match,
 * when it ever receives DATA, VRFY or EXPN, a RCPT for an address not in
 * the rcpt list, a line with a control byte or a bare LF, or when the
 * client never closes.
 */
#include <errno.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "smtp/smtp_reply.h"
#include "smtp/smtp_session.h"
#include "peer.h"
#include "tap.h"
#include "util/ascii.h"
#include "util/diag.h"
#include "util/evloop.h"

#define MAXRCPT 64
#define MAXSTEP 256
#define MAXRULE 32
#define MAXTEXT 2048
#define PEER_ALARM_S 30		/* the child's hard limit */
#define RUN_LIMIT_MS 10000	/* the session's */

enum step_kind { STEP_SEND, STEP_EXPECT, STEP_SLEEP, STEP_CLOSE };

struct step {
	enum step_kind kind;
	char text[MAXTEXT];	/* send: decoded bytes; expect: prefix */
	size_t len;
	unsigned ms;
};

struct rule {
	bool rcpt;		/* on-rcpt: key is an address */
	char key[320];
	char text[MAXTEXT];	/* decoded, CRLF added */
	size_t len;
};

struct want {
	char addr[320];
	int code;		/* -1: none */
	int mailcode;		/* with none: 0 = no MAIL refusal, else it */
};

struct script {
	char name[128];
	char rcpt[MAXRCPT][320];
	size_t nrcpt;
	bool pipelining;
	unsigned per_txn, command_ms, banner_ms;
	struct step steps[MAXSTEP];
	size_t nsteps;
	struct rule rules[MAXRULE];
	size_t nrules;
	struct want wants[MAXRCPT];
	size_t nwants;
	char end_why[32];
	char end_phase[32];
};

struct got {
	bool handed;
	int reports;
	bool null;
	int code;
	int mailcode;		/* 0: mail NULL */
	char text[128];
};

struct run {
	const struct script *sc;
	struct smtp_session *s;
	size_t next;		/* next recipient to hand out */
	struct got got[MAXRCPT];
	int stray;		/* reports for ids never handed out */
	int ended;
	enum smtp_end why;
	char phase[16];
	int lastcode;
	char detail[256];
};

static struct evloop *loop;

static size_t cb_next(void *arg, const struct smtp_caps *caps,
    struct smtp_rcpt *out, size_t max);
static void cb_rcpt(void *arg, const struct smtp_rcpt *r,
    const struct smtp_reply *reply, const struct smtp_reply *mail);
static void cb_ended(void *arg, enum smtp_end why, const char *phase,
    const struct smtp_reply *last, const struct smtp_caps *caps);

static const struct smtp_session_cb cbs = { cb_next, cb_rcpt, cb_ended };

/* ---------------------------------------------------------------- script */

/* script_load - parse path; 0, or -1 with why (and the line) set */
static int
script_load(const char *path, struct script *sc, char *why, size_t whylen)
{
	FILE *f = fopen(path, "r");
	char line[4096], *p;
	unsigned lineno = 0;
	const char *base = strrchr(path, '/');
	size_t n;

	memset(sc, 0, sizeof(*sc));
	snprintf(sc->name, sizeof(sc->name), "%s", base ? base + 1 : path);
	n = strlen(sc->name);
	if (n > 5 && strcmp(sc->name + n - 5, ".peer") == 0)
		sc->name[n - 5] = '\0';
	sc->pipelining = true;
	sc->per_txn = 50;
	sc->command_ms = 2000;
	sc->banner_ms = 2000;
	if (f == NULL) {
		snprintf(why, whylen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while ((p = peer_script_line(f, line, sizeof(line), &lineno)) !=
	    NULL) {
		const char *d = peer_word(&p);

		if (strcmp(d, "rcpt") == 0) {
			while (*p != '\0') {
				if (sc->nrcpt == MAXRCPT)
					goto bad;
				snprintf(sc->rcpt[sc->nrcpt++],
				    sizeof(sc->rcpt[0]), "%s", peer_word(&p));
			}
		} else if (strcmp(d, "opt") == 0) {
			const char *k = peer_word(&p), *v = peer_word(&p);
			long num = peer_num(v);

			if (strcmp(k, "pipelining") == 0 &&
			    (strcmp(v, "on") == 0 || strcmp(v, "off") == 0))
				sc->pipelining = strcmp(v, "on") == 0;
			else if (strcmp(k, "per-txn") == 0 && num > 0 &&
			    num <= SMTP_RCPT_MAX)
				sc->per_txn = (unsigned)num;
			else if (strcmp(k, "command-ms") == 0 && num > 0 &&
			    num < 60000)
				sc->command_ms = (unsigned)num;
			else if (strcmp(k, "banner-ms") == 0 && num > 0 &&
			    num < 60000)
				sc->banner_ms = (unsigned)num;
			else
				goto bad;
		} else if (strcmp(d, "expect-result") == 0) {
			struct want *w = &sc->wants[sc->nwants];
			const char *a = peer_word(&p), *c = peer_word(&p);
			const char *m = peer_word(&p);

			if (sc->nwants == MAXRCPT || a[0] == '\0')
				goto bad;
			snprintf(w->addr, sizeof(w->addr), "%s", a);
			if (strcmp(c, "none") == 0) {
				w->code = -1;
				w->mailcode = m[0] != '\0' ?
				    (int)peer_num(m) : 0;
				if (w->mailcode < 0)
					goto bad;
			} else if ((w->code = (int)peer_num(c)) < 0 ||
			    m[0] != '\0') {
				goto bad;
			}
			sc->nwants++;
		} else if (strcmp(d, "expect-end") == 0) {
			snprintf(sc->end_why, sizeof(sc->end_why), "%s",
			    peer_word(&p));
			snprintf(sc->end_phase, sizeof(sc->end_phase), "%s",
			    peer_word(&p));
			if (sc->end_why[0] == '\0')
				goto bad;
		} else if (strcmp(d, "on") == 0 || strcmp(d, "on-rcpt") == 0) {
			struct rule *r = &sc->rules[sc->nrules];
			const char *k = peer_word(&p);

			if (sc->nrules == MAXRULE || k[0] == '\0' ||
			    peer_decode(p, r->text, sizeof(r->text) - 2,
			    &r->len) < 0)
				goto bad;
			r->rcpt = d[2] == '-';
			snprintf(r->key, sizeof(r->key), "%s", k);
			r->text[r->len++] = '\r';
			r->text[r->len++] = '\n';
			sc->nrules++;
		} else {
			struct step *st = &sc->steps[sc->nsteps];

			if (sc->nsteps == MAXSTEP)
				goto bad;
			if (strcmp(d, "send") == 0) {
				st->kind = STEP_SEND;
				if (peer_decode(p, st->text, sizeof(st->text) - 2,
				    &st->len) < 0)
					goto bad;
				st->text[st->len++] = '\r';
				st->text[st->len++] = '\n';
			} else if (strcmp(d, "expect") == 0 && *p != '\0') {
				st->kind = STEP_EXPECT;
				snprintf(st->text, sizeof(st->text), "%s", p);
				st->len = strlen(st->text);
			} else if (strcmp(d, "sleep") == 0 &&
			    peer_num(p) >= 0) {
				st->kind = STEP_SLEEP;
				st->ms = (unsigned)peer_num(p);
			} else if (strcmp(d, "close") == 0 && *p == '\0') {
				st->kind = STEP_CLOSE;
			} else {
				goto bad;
			}
			sc->nsteps++;
		}
	}
	fclose(f);
	return 0;
bad:
	snprintf(why, whylen, "%s:%u: cannot use this line", path, lineno);
	fclose(f);
	return -1;
}

/* ------------------------------------------------------------------ peer */

/* script_rcpt_ok - the peer's check: addr is one of the script's */
static bool
script_rcpt_ok(void *arg, const char *addr)
{
	const struct script *sc = (const struct script *)(uintptr_t)arg;

	for (size_t i = 0; i < sc->nrcpt; i++)
		if (strcmp(addr, sc->rcpt[i]) == 0)
			return true;
	return false;
}

/* peer_tail - after the body: answer by the rules until the client
 * closes */
static void
peer_tail(struct peer *p, const struct script *sc)
{
	char line[1024], a[320];
	size_t i;
	int k;

	while ((k = peer_line(p, line, sizeof(line), PEER_WAIT_MS)) == 1) {
		for (i = 0; i < sc->nrules; i++) {
			const struct rule *r = &sc->rules[i];

			if (r->rcpt ? peer_rcpt_addr(line, a, sizeof(a)) !=
			    NULL && strcmp(a, r->key) == 0 :
			    peer_prefix(line, r->key)) {
				peer_queue(p, r->text, r->len);
				peer_flush(p);
				break;
			}
		}
	}
	if (k < 0)
		peer_fail(p, "the client did not close the connection");
}

/* peer_play - the child: accept one connection on lfd and play sc */
static int
peer_play(const struct script *sc, int lfd, int logfd)
{
	static struct peer pp;
	struct peer *p = &pp;
	struct pollfd pfd = { lfd, POLLIN, 0 };
	char line[1024];
	size_t i;

	memset(p, 0, sizeof(*p));
	p->rcpt_ok = script_rcpt_ok;
	p->arg = (void *)(uintptr_t)sc;
	p->logfd = logfd;
	p->fd = -1;
	alarm(PEER_ALARM_S);
	if (poll(&pfd, 1, PEER_WAIT_MS) != 1 ||
	    (p->fd = accept(lfd, NULL, NULL)) < 0) {
		peer_fail(p, "no connection");
		return 1;
	}
	close(lfd);
	for (i = 0; i < sc->nsteps && !p->failed; i++) {
		const struct step *st = &sc->steps[i];
		int k;

		if (st->kind != STEP_SEND)
			peer_flush(p);
		switch (st->kind) {
		case STEP_SEND:
			peer_queue(p, st->text, st->len);
			break;
		case STEP_EXPECT:
			k = peer_line(p, line, sizeof(line), PEER_WAIT_MS);
			if (k == 0)
				peer_fail(p, "expected %s, the client closed",
				    st->text);
			else if (k == 1 && !peer_prefix(line, st->text))
				peer_fail(p, "expected %s, got %s", st->text,
				    line);
			break;
		case STEP_SLEEP: {
			struct timespec ts = { st->ms / 1000,
			    (long)(st->ms % 1000) * 1000000L };

			while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
				;
			break;
		}
		case STEP_CLOSE:
			close(p->fd);
			peer_log(p, "(closed)");
			return p->failed ? 1 : 0;
		}
	}
	peer_flush(p);
	if (!p->failed)
		peer_tail(p, sc);
	close(p->fd);
	return p->failed ? 1 : 0;
}

/* ---------------------------------------------------------------- client */

/* rcpt_index - the script's index of addr, or -1 */
static int
rcpt_index(const struct script *sc, const char *addr)
{
	size_t i;

	for (i = 0; i < sc->nrcpt; i++)
		if (strcmp(sc->rcpt[i], addr) == 0)
			return (int)i;
	return -1;
}

static size_t
cb_next(void *arg, const struct smtp_caps *caps, struct smtp_rcpt *out,
    size_t max)
{
	struct run *r = arg;
	size_t n = 0;

	(void)caps;
	while (n < max && r->next < r->sc->nrcpt) {
		out[n].id = (uint32_t)r->next;
		out[n].addr = r->sc->rcpt[r->next];
		out[n].utf8 = false;
		r->got[r->next].handed = true;
		n++;
		r->next++;
	}
	return n;
}

static void
cb_rcpt(void *arg, const struct smtp_rcpt *rc, const struct smtp_reply *reply,
    const struct smtp_reply *mail)
{
	struct run *r = arg;
	struct got *g;

	if (rc->id >= r->sc->nrcpt || !r->got[rc->id].handed) {
		r->stray++;
		return;
	}
	g = &r->got[rc->id];
	g->reports++;
	g->null = reply == NULL;
	g->code = reply != NULL ? reply->code : -1;
	g->mailcode = mail != NULL ? mail->code : 0;
	snprintf(g->text, sizeof(g->text), "%.*s", (int)sizeof(g->text) - 1,
	    reply != NULL ? reply->text : "");
}

static void
cb_ended(void *arg, enum smtp_end why, const char *phase,
    const struct smtp_reply *last, const struct smtp_caps *caps)
{
	struct run *r = arg;

	(void)caps;
	r->ended++;
	r->why = why;
	snprintf(r->phase, sizeof(r->phase), "%s", phase);
	r->lastcode = last != NULL ? last->code : 0;
	if (r->s != NULL)
		snprintf(r->detail, sizeof(r->detail), "%s",
		    smtp_session_detail(r->s));
	r->s = NULL;
}

/* run_script - one script: fork the peer, run a session against it */
static void
run_script(const char *path)
{
	static struct script sc;
	static struct run r;
	char why[512];
	struct sockaddr_in sin;
	struct smtp_session_opts o;
	struct diag d = { DIAG_OK, "" };
	int lfd, logp[2], pst, before = tap_failed;
	pid_t pid;
	int64_t end;
	size_t i;
	bool once = true;

	if (script_load(path, &sc, why, sizeof(why)) < 0) {
		ok(0, "script loads: %s", why);
		return;
	}
	memset(&r, 0, sizeof(r));
	r.sc = &sc;
	memset(&sin, 0, sizeof(sin));
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((lfd = peer_listen(&sin)) < 0 || pipe(logp) < 0) {
		ok(0, "%s: listen on 127.0.0.1: %s", sc.name, strerror(errno));
		if (lfd >= 0)
			close(lfd);
		return;
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		ok(0, "%s: fork: %s", sc.name, strerror(errno));
		close(lfd);
		close(logp[0]);
		close(logp[1]);
		return;
	}
	if (pid == 0) {
		close(logp[0]);
		_exit(peer_play(&sc, lfd, logp[1]));
	}
	close(lfd);
	close(logp[1]);

	memset(&o, 0, sizeof(o));
	o.helo = "probe.listscrub.test";
	o.mail_from = "probe@listscrub.test";
	o.tls = SMTP_TLS_OFF;
	o.pipelining = sc.pipelining;
	o.rcpt_per_txn = sc.per_txn;
	o.connect_ms = 2000;
	o.banner_ms = sc.banner_ms;
	o.command_ms = sc.command_ms;
	r.s = smtp_session_start(loop, &o, (struct sockaddr *)&sin,
	    sizeof(sin), NULL, &cbs, &r, &d);
	if (r.s == NULL)
		diag("smtp_session_start: %s", d.msg);
	end = evloop_now_ms() + RUN_LIMIT_MS;
	while (r.s != NULL && r.ended == 0 && evloop_now_ms() < end)
		if (evloop_run_once(loop, 100, &d) < 0)
			break;
	if (r.s != NULL && r.ended == 0) {
		smtp_session_abort(r.s);
		r.s = NULL;
	}
	pst = peer_wait(pid, PEER_WAIT_MS + 2000);

	ok(r.ended == 1, "%s: ended() exactly once (%s/%s%s%s)", sc.name,
	    r.ended ? smtp_end_name(r.why) : "-", r.phase,
	    r.detail[0] ? ": " : "", r.detail);
	if (sc.end_why[0] != '\0') {
		is_str(r.ended ? smtp_end_name(r.why) : "(no end)",
		    sc.end_why, "%s: ends %s", sc.name, sc.end_why);
		if (sc.end_phase[0] != '\0')
			is_str(r.phase, sc.end_phase, "%s: in phase %s",
			    sc.name, sc.end_phase);
	}
	for (i = 0; i < sc.nrcpt; i++)
		if (r.got[i].handed && r.got[i].reports != 1)
			once = false;
	ok(once && r.stray == 0, "%s: every recipient handed out is "
	    "reported exactly once", sc.name);
	for (i = 0; i < sc.nwants; i++) {
		const struct want *w = &sc.wants[i];
		int k = rcpt_index(&sc, w->addr);
		const struct got *g = k >= 0 ? &r.got[k] : NULL;
		char saw[200];

		if (g == NULL) {
			ok(0, "%s: %s is not a rcpt of the script", sc.name,
			    w->addr);
			continue;
		}
		if (!g->handed)
			snprintf(saw, sizeof(saw), "never handed out");
		else if (g->null)
			snprintf(saw, sizeof(saw), "reply NULL, mail %d",
			    g->mailcode);
		else
			snprintf(saw, sizeof(saw), "%d %s", g->code, g->text);
		if (w->code >= 0)
			ok(g->handed && !g->null && g->code == w->code,
			    "%s: %s -> %d (got: %s)", sc.name, w->addr,
			    w->code, saw);
		else if (w->mailcode == 0)
			ok(!g->handed || (g->null && (g->mailcode == 0 ||
			    g->mailcode < 400)), "%s: %s -> no reply, asked "
			    "again (got: %s)", sc.name, w->addr, saw);
		else
			ok(g->handed && g->null && g->mailcode == w->mailcode,
			    "%s: %s -> MAIL refused %d (got: %s)", sc.name,
			    w->addr, w->mailcode, saw);
	}
	ok(pst == 0, "%s: the peer saw the dialogue of the script", sc.name);
	if (tap_failed != before)
		peer_show_log(logp[0]);
	close(logp[0]);
}

int
main(int argc, char **argv)
{
	const char *src = getenv("srcdir");
	char dir[4096];
	int i, n = 0;

	signal(SIGPIPE, SIG_IGN);
	loop = evloop_new();
	if (argc > 1) {
		for (i = 1; i < argc; i++) {
			size_t len = strlen(argv[i]);

			if (len > 5 &&
			    strcmp(argv[i] + len - 5, ".peer") == 0) {
				run_script(argv[i]);
				n++;
			} else if (peer_each_script(argv[i], ".peer", run_script) > 0) {
				n++;
			}
		}
	} else {
		snprintf(dir, sizeof(dir), "%s/tests/data/peer",
		    src != NULL && src[0] != '\0' ? src : ".");
		n = peer_each_script(dir, ".peer", run_script);
	}
	if (n <= 0) {
		printf("Bail out! no *.peer scripts found\n");
		return 1;
	}
	is_int(evloop_nwatched(loop), 0, "no fd left watched");
	is_int(evloop_ntimers(loop), 0, "no timer left armed");
	evloop_free(loop);
	return done_testing();
}
