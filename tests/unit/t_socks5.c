/*
 * t_socks5 - the SOCKS5 client (smtp/socks5, RFC 1928 and 1929) inside a
 * real smtp_session, against scripted fake proxies: for each script in
 * tests/data/socks5 (*.s5) a child process listens on 127.0.0.1 (port 0)
 * and plays the proxy byte by byte, then (directive smtp) the mail host
 * behind it, while this process runs the session with opts.proxy set
 * and checks how it ended. Also the --proxy URL parser, table-driven.
 * No root, no network beyond loopback.
 *
 * usage: t_socks5 [FILE.s5 ...]   (default: $srcdir/tests/data/socks5)
 *
 * Script format: one directive a line; blank and '#' lines ignored.
 *   Header:
 *     auth USER PASS          the proxy URL carries USER:PASS
 *     target ADDR PORT        the mail host asked for (default
 *                             192.0.2.25 25); IPv4 or IPv6
 *     expect-end WHY [PHASE]  ended() with smtp_end_name WHY (and phase)
 *     expect-detail TEXT      smtp_session_detail() contains TEXT
 *     refused                 nobody listens at the proxy's port
 *   Body (the proxy, in order):
 *     expect BYTES  read exactly these bytes (escapes \xHH \r \n \\);
 *                   anything else fails the peer
 *     send BYTES    write these bytes
 *     sleep MS      pause
 *     close         close the connection; the peer is done
 *     smtp          play a mail host: 220, EHLO -> 250, QUIT -> 221, close
 *   After the body the peer waits until the client closes (5 s at most).
 * Every detail text is also checked never to hold the script's PASS.
 */
#include <errno.h>
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

#include <arpa/inet.h>
#include <netinet/in.h>

#include "peer.h"
#include "smtp/smtp_session.h"
#include "smtp/socks5.h"
#include "tap.h"
#include "util/diag.h"
#include "util/evloop.h"

#define MAXSTEP 64
#define MAXTEXT 600
#define RUN_LIMIT_MS 10000

struct step {
	enum { S_EXPECT, S_SEND, S_SLEEP, S_CLOSE, S_SMTP } kind;
	char b[MAXTEXT];
	size_t n;
	long ms;
};

struct script {
	const char *name;
	char user[64], pass[64];
	bool auth;
	char target[64];
	unsigned tport;
	char end_why[32], end_phase[32];
	char detail[200];
	bool refused;		/* no proxy listens: connection refused */
	struct step steps[MAXSTEP];
	size_t nsteps;
};

struct run {
	int ended;
	enum smtp_end why;
	char phase[32];
	char detail[600];
};

static struct evloop *loop;

static size_t cb_next(void *arg, const struct smtp_caps *caps,
    struct smtp_rcpt *out, size_t max);
static void cb_rcpt(void *arg, const struct smtp_rcpt *r,
    const struct smtp_reply *reply, const struct smtp_reply *mail);
static void cb_ended(void *arg, enum smtp_end why, const char *phase,
    const struct smtp_reply *last, const struct smtp_caps *caps);
static const struct smtp_session_cb cbs = { cb_next, cb_rcpt, cb_ended };

/* cb_next - no recipients: the session QUITs after EHLO */
static size_t
cb_next(void *arg, const struct smtp_caps *caps, struct smtp_rcpt *out,
    size_t max)
{
	(void)arg;
	(void)caps;
	(void)out;
	(void)max;
	return 0;
}

/* cb_rcpt - never called: no recipient is handed out */
static void
cb_rcpt(void *arg, const struct smtp_rcpt *r, const struct smtp_reply *reply,
    const struct smtp_reply *mail)
{
	(void)arg;
	(void)r;
	(void)reply;
	(void)mail;
	ok(0, "rcpt_done without recipients");
}

/* cb_ended - record the end and the detail */
static void
cb_ended(void *arg, enum smtp_end why, const char *phase,
    const struct smtp_reply *last, const struct smtp_caps *caps)
{
	struct run *r = arg;

	(void)last;
	(void)caps;
	r->ended++;
	r->why = why;
	snprintf(r->phase, sizeof(r->phase), "%s", phase);
	r->detail[0] = '\0';
}

/* script_load - parse one .s5 file */
static int
script_load(const char *path, struct script *sc, char *why, size_t n)
{
	FILE *f = fopen(path, "r");
	char line[1024], *p, *w;
	unsigned lineno = 0;
	const char *slash = strrchr(path, '/');

	memset(sc, 0, sizeof(*sc));
	sc->name = slash != NULL ? slash + 1 : path;
	snprintf(sc->target, sizeof(sc->target), "192.0.2.25");
	sc->tport = 25;
	if (f == NULL) {
		snprintf(why, n, "%s: %s", path, strerror(errno));
		return -1;
	}
	while ((p = peer_script_line(f, line, sizeof(line), &lineno)) != NULL) {
		struct step *st = &sc->steps[sc->nsteps];

		w = (char *)peer_word(&p);
		if (strcmp(w, "auth") == 0) {
			snprintf(sc->user, sizeof(sc->user), "%s", peer_word(&p));
			snprintf(sc->pass, sizeof(sc->pass), "%s", peer_word(&p));
			sc->auth = true;
			continue;
		}
		if (strcmp(w, "target") == 0) {
			snprintf(sc->target, sizeof(sc->target), "%s",
			    peer_word(&p));
			sc->tport = (unsigned)peer_num(peer_word(&p));
			continue;
		}
		if (strcmp(w, "expect-end") == 0) {
			snprintf(sc->end_why, sizeof(sc->end_why), "%s",
			    peer_word(&p));
			snprintf(sc->end_phase, sizeof(sc->end_phase), "%s",
			    peer_word(&p));
			continue;
		}
		if (strcmp(w, "refused") == 0) {
			sc->refused = true;
			continue;
		}
		if (strcmp(w, "expect-detail") == 0) {
			snprintf(sc->detail, sizeof(sc->detail), "%s", p);
			continue;
		}
		if (sc->nsteps == MAXSTEP) {
			snprintf(why, n, "%s:%u: too many steps", path, lineno);
			fclose(f);
			return -1;
		}
		if (strcmp(w, "expect") == 0 || strcmp(w, "send") == 0) {
			st->kind = w[0] == 'e' ? S_EXPECT : S_SEND;
			if (peer_decode(p, st->b, sizeof(st->b), &st->n) < 0) {
				snprintf(why, n, "%s:%u: bad escape", path,
				    lineno);
				fclose(f);
				return -1;
			}
		} else if (strcmp(w, "sleep") == 0) {
			st->kind = S_SLEEP;
			st->ms = peer_num(peer_word(&p));
		} else if (strcmp(w, "close") == 0) {
			st->kind = S_CLOSE;
		} else if (strcmp(w, "smtp") == 0) {
			st->kind = S_SMTP;
		} else {
			snprintf(why, n, "%s:%u: unknown directive '%s'", path,
			    lineno, w);
			fclose(f);
			return -1;
		}
		sc->nsteps++;
	}
	fclose(f);
	return 0;
}

/* say - a diagnostic line from the child, straight to stdout */
static void
say(const char *fmt, ...)
{
	char b[700];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(b + 2, sizeof(b) - 3, fmt, ap);
	va_end(ap);
	b[0] = '#';
	b[1] = ' ';
	if (n < 0)
		return;
	if ((size_t)n > sizeof(b) - 4)
		n = (int)sizeof(b) - 4;
	b[n + 2] = '\n';
	(void)!write(1, b, (size_t)n + 3);
}

/* readn - exactly n bytes within ms: 1, 0 on EOF, -1 on timeout/error */
static int
readn(int fd, char *b, size_t n, int ms)
{
	size_t got = 0;

	while (got < n) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		ssize_t r;

		if (poll(&pfd, 1, ms) <= 0)
			return -1;
		r = read(fd, b + got, n - got);
		if (r == 0)
			return 0;
		if (r < 0)
			return -1;
		got += (size_t)r;
	}
	return 1;
}

/* readline - one line (to LF) within ms into b; 1, 0 EOF, -1 */
static int
readline(int fd, char *b, size_t room, int ms)
{
	size_t n = 0;
	int r;

	while (n + 1 < room) {
		if ((r = readn(fd, b + n, 1, ms)) <= 0)
			return r;
		if (b[n++] == '\n') {
			b[n] = '\0';
			return 1;
		}
	}
	return -1;
}

/* play - the child: accept once and play the body; exit status 0 if the
 * client did what the script expects */
static int
play(const struct script *sc, int lfd)
{
	struct pollfd pfd = { lfd, POLLIN, 0 };
	char b[MAXTEXT], line[1024];
	int fd;

	alarm(30);
	if (poll(&pfd, 1, PEER_WAIT_MS) <= 0 ||
	    (fd = accept(lfd, NULL, NULL)) < 0) {
		say("peer: no connection");
		return 1;
	}
	close(lfd);
	for (size_t i = 0; i < sc->nsteps; i++) {
		const struct step *st = &sc->steps[i];

		switch (st->kind) {
		case S_EXPECT:
			if (readn(fd, b, st->n, PEER_WAIT_MS) != 1) {
				say("peer: step %zu: %zu bytes did not come",
				    i + 1, st->n);
				return 1;
			}
			if (memcmp(b, st->b, st->n) != 0) {
				say("peer: step %zu: other bytes than "
				    "expected", i + 1);
				return 1;
			}
			break;
		case S_SEND:
			if (write(fd, st->b, st->n) != (ssize_t)st->n) {
				say("peer: write failed");
				return 1;
			}
			break;
		case S_SLEEP:
			usleep((useconds_t)st->ms * 1000);
			break;
		case S_CLOSE:
			close(fd);
			return 0;
		case S_SMTP:
			(void)!write(fd, "220 mx.peer.test ESMTP\r\n", 24);
			if (readline(fd, line, sizeof(line), PEER_WAIT_MS) != 1 ||
			    strncmp(line, "EHLO ", 5) != 0) {
				say("peer: no EHLO in the tunnel");
				return 1;
			}
			(void)!write(fd, "250 mx.peer.test\r\n", 18);
			if (readline(fd, line, sizeof(line), PEER_WAIT_MS) != 1 ||
			    strncmp(line, "QUIT", 4) != 0) {
				say("peer: no QUIT in the tunnel");
				return 1;
			}
			(void)!write(fd, "221 bye\r\n", 9);
			close(fd);
			return 0;
		}
	}
	/* wait for the client to close */
	while (readn(fd, b, 1, PEER_WAIT_MS) == 1)
		;
	close(fd);
	return 0;
}

/* on_detail - copy the detail while the session is in ended() */
static struct run *cur_run;
static struct smtp_session *cur_sess;

/* cb_ended_detail - cb_ended plus the detail text */
static void
cb_ended_detail(void *arg, enum smtp_end why, const char *phase,
    const struct smtp_reply *last, const struct smtp_caps *caps)
{
	struct run *r = arg;

	cb_ended(arg, why, phase, last, caps);
	if (cur_sess != NULL)
		snprintf(r->detail, sizeof(r->detail), "%s",
		    smtp_session_detail(cur_sess));
}

static const struct smtp_session_cb cbs_detail = {
	cb_next, cb_rcpt, cb_ended_detail
};

/* run_script - fork the proxy, run a proxied session against it */
static void
run_script(const char *path)
{
	static struct script sc;
	struct run r;
	char why[512], url[400];
	struct sockaddr_in sin;
	struct sockaddr_storage tss;
	socklen_t tlen;
	struct socks5_proxy px;
	struct smtp_session_opts o;
	struct diag d = { DIAG_OK, "" };
	int lfd, pst;
	pid_t pid;
	int64_t end;

	(void)cbs;
	if (script_load(path, &sc, why, sizeof(why)) < 0) {
		ok(0, "script loads: %s", why);
		return;
	}
	memset(&r, 0, sizeof(r));
	memset(&tss, 0, sizeof(tss));
	if (strchr(sc.target, ':') != NULL) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&tss;

		a->sin6_family = AF_INET6;
		(void)inet_pton(AF_INET6, sc.target, &a->sin6_addr);
		a->sin6_port = htons((uint16_t)sc.tport);
		tlen = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&tss;

		a->sin_family = AF_INET;
		(void)inet_pton(AF_INET, sc.target, &a->sin_addr);
		a->sin_port = htons((uint16_t)sc.tport);
		tlen = sizeof(*a);
	}
	memset(&sin, 0, sizeof(sin));
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((lfd = peer_listen(&sin)) < 0) {
		ok(0, "%s: listen: %s", sc.name, strerror(errno));
		return;
	}
	snprintf(url, sizeof(url), "socks5://%s%s%s%s127.0.0.1:%u",
	    sc.auth ? sc.user : "", sc.auth ? ":" : "", sc.auth ? sc.pass : "",
	    sc.auth ? "@" : "", (unsigned)ntohs(sin.sin_port));
	if (socks5_proxy_parse(url, &px, &d) != 0 ||
	    socks5_proxy_resolve(&px, &d) != 0) {
		ok(0, "%s: proxy URL: %s", sc.name, d.msg);
		close(lfd);
		return;
	}
	fflush(stdout);
	if (sc.refused) {
		close(lfd);	/* nobody listens there any more */
		lfd = -1;
	}
	pid = sc.refused ? 0 : fork();
	if (pid < 0) {
		ok(0, "%s: fork: %s", sc.name, strerror(errno));
		close(lfd);
		return;
	}
	if (pid == 0 && !sc.refused)
		_exit(play(&sc, lfd));
	if (lfd >= 0)
		close(lfd);

	memset(&o, 0, sizeof(o));
	o.helo = "probe.listscrub.test";
	o.mail_from = "probe@listscrub.test";
	o.tls = SMTP_TLS_OFF;
	o.pipelining = true;
	o.connect_ms = 1500;
	o.banner_ms = 2000;
	o.command_ms = 2000;
	o.proxy = &px;
	cur_run = &r;
	cur_sess = smtp_session_start(loop, &o, (struct sockaddr *)&tss, tlen,
	    NULL, &cbs_detail, &r, &d);
	memset(&px, 0, sizeof(px));	/* the session kept what it needs */
	if (cur_sess == NULL)
		diag("smtp_session_start: %s", d.msg);
	end = evloop_now_ms() + RUN_LIMIT_MS;
	while (cur_sess != NULL && r.ended == 0 && evloop_now_ms() < end)
		if (evloop_run_once(loop, 100, &d) < 0)
			break;
	if (cur_sess != NULL && r.ended == 0)
		smtp_session_abort(cur_sess);
	cur_sess = NULL;
	pst = sc.refused ? 0 : peer_wait(pid, PEER_WAIT_MS + 2000);

	ok(r.ended == 1, "%s: ended() exactly once (%s/%s: %s)", sc.name,
	    r.ended ? smtp_end_name(r.why) : "-", r.phase, r.detail);
	if (sc.end_why[0] != '\0')
		is_str(r.ended ? smtp_end_name(r.why) : "(no end)", sc.end_why,
		    "%s: ends %s", sc.name, sc.end_why);
	if (sc.end_phase[0] != '\0')
		is_str(r.phase, sc.end_phase, "%s: in phase %s", sc.name,
		    sc.end_phase);
	if (sc.detail[0] != '\0')
		ok(strstr(r.detail, sc.detail) != NULL, "%s: detail has '%s' "
		    "(got '%s')", sc.name, sc.detail, r.detail);
	if (r.why == SMTP_END_PROXY)
		ok(strstr(r.detail, "proxy socks5://") != NULL,
		    "%s: the detail names the proxy", sc.name);
	if (sc.auth)
		ok(strstr(r.detail, sc.pass) == NULL &&
		    strstr(r.detail, sc.user) == NULL,
		    "%s: the credentials are not in the detail", sc.name);
	ok(pst == 0, "%s: the proxy saw the bytes of the script", sc.name);
}

static const struct {
	const char *url;
	bool ok;
	const char *shown;	/* when ok */
	const char *user, *pass;
} urls[] = {
	{ "socks5://127.0.0.1:1080", true, "socks5://127.0.0.1:1080", "", "" },
	{ "SOCKS5://proxy.example.net:1080/", true,
	    "socks5://proxy.example.net:1080", "", "" },
	{ "socks5://u:p@127.0.0.1:1080", true,
	    "socks5://***:***@127.0.0.1:1080", "u", "p" },
	{ "socks5://us%40er:p%3Ass@[::1]:9050", true,
	    "socks5://***:***@[::1]:9050", "us@er", "p:ss" },
	{ "socks5://u:p@ss@h:1", true, "socks5://***:***@h:1", "u", "p@ss" },
	{ "socks4://127.0.0.1:1080", false, NULL, NULL, NULL },
	{ "http://127.0.0.1:1080", false, NULL, NULL, NULL },
	{ "socks5://127.0.0.1", false, NULL, NULL, NULL },
	{ "socks5://127.0.0.1:", false, NULL, NULL, NULL },
	{ "socks5://127.0.0.1:0", false, NULL, NULL, NULL },
	{ "socks5://127.0.0.1:65536", false, NULL, NULL, NULL },
	{ "socks5://127.0.0.1:10x", false, NULL, NULL, NULL },
	{ "socks5://:1080", false, NULL, NULL, NULL },
	{ "socks5://u@127.0.0.1:1080", false, NULL, NULL, NULL },
	{ "socks5://:p@127.0.0.1:1080", false, NULL, NULL, NULL },
	{ "socks5://u:@127.0.0.1:1080", false, NULL, NULL, NULL },
	{ "socks5://u:p%0a@127.0.0.1:1080", false, NULL, NULL, NULL },
	{ "socks5://u:p%zz@127.0.0.1:1080", false, NULL, NULL, NULL },
	{ "socks5://[::1:1080", false, NULL, NULL, NULL },
	{ "socks5://[nothex]:1080", false, NULL, NULL, NULL },
	{ "socks5://::1:1080", false, NULL, NULL, NULL },
	{ "socks5://host/path:1080", false, NULL, NULL, NULL },
	{ "socks5://ho st:1080", false, NULL, NULL, NULL },
	{ "socks5://127.0.0.1:1080?x", false, NULL, NULL, NULL },
};

/* test_urls - the --proxy URL grammar and the masked form */
static void
test_urls(void)
{
	char longuser[300];

	for (size_t i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
		struct socks5_proxy p;
		struct diag d = { DIAG_OK, "" };
		int rc = socks5_proxy_parse(urls[i].url, &p, &d);

		ok((rc == 0) == urls[i].ok, "%s: %s", urls[i].url,
		    urls[i].ok ? "accepted" : "refused");
		if (rc == 0 && urls[i].ok) {
			is_str(p.shown, urls[i].shown, "%s: shown masked",
			    urls[i].url);
			is_str(p.user, urls[i].user, "%s: user", urls[i].url);
			is_str(p.pass, urls[i].pass, "%s: pass", urls[i].url);
		}
		if (rc != 0) {
			ok(d.code == DIAG_USAGE && strstr(d.msg, "p%") == NULL &&
			    strstr(d.msg, "u:p") == NULL,
			    "%s: a usage error without the credentials",
			    urls[i].url);
		}
	}
	/* RFC 1929 2: 255 bytes at most */
	memset(longuser, 'a', sizeof(longuser));
	memcpy(longuser, "socks5://", 9);
	memcpy(longuser + 9 + 256, ":p@h:1", 7);
	{
		struct socks5_proxy p;

		ok(socks5_proxy_parse(longuser, &p, NULL) != 0,
		    "a 256-byte user is refused");
		longuser[9 + 255] = ':';
		memcpy(longuser + 9 + 255, ":p@h:1", 7);
		ok(socks5_proxy_parse(longuser, &p, NULL) == 0 &&
		    strlen(p.user) == 255, "a 255-byte user is taken");
	}
	is_str(socks5_rep_name(5), "connection refused", "REP 5 text");
	is_str(socks5_rep_name(9), "unassigned", "REP 9 text");
}

int
main(int argc, char **argv)
{
	const char *src = getenv("srcdir");
	char dir[4096];
	int n = 0;

	signal(SIGPIPE, SIG_IGN);
	test_urls();
	loop = evloop_new();
	if (argc > 1) {
		for (int i = 1; i < argc; i++, n++)
			run_script(argv[i]);
	} else {
		snprintf(dir, sizeof(dir), "%s/tests/data/socks5",
		    src != NULL && src[0] != '\0' ? src : ".");
		n = peer_each_script(dir, ".s5", run_script);
	}
	if (n <= 0) {
		printf("Bail out! no *.s5 scripts found\n");
		return 1;
	}
	is_int(evloop_nwatched(loop), 0, "no fd left watched");
	is_int(evloop_ntimers(loop), 0, "no timer left armed");
	evloop_free(loop);
	return done_testing();
}
