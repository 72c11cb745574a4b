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
#include <dirent.h>
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
#include "tap.h"
#include "util/ascii.h"
#include "util/diag.h"
#include "util/evloop.h"

#define MAXRCPT 64
#define MAXSTEP 256
#define MAXRULE 32
#define MAXTEXT 2048
#define PEER_WAIT_MS 5000	/* accept, each expect, the tail's idle */
#define PEER_ALARM_S 30		/* the child's hard limit */
#define RUN_LIMIT_MS 10000	/* the session's */
#define LOGMAX 16384		/* the child's transcript, through a pipe */

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

/* The child's side. */
struct peer {
	const struct script *sc;
	int fd;
	char in[8192];
	size_t inlen;
	char out[65536];
	size_t outlen;
	int logfd;
	size_t logged;
	bool failed;
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

/* decode - TEXT with \r \n \t \\ \xHH into out; -1 on a bad escape */
static int
decode(const char *s, char *out, size_t room, size_t *len)
{
	size_t n = 0;

	for (; *s != '\0'; s++) {
		char c = *s;

		if (c == '\\') {
			s++;
			switch (*s) {
			case 'r':
				c = '\r';
				break;
			case 'n':
				c = '\n';
				break;
			case 't':
				c = '\t';
				break;
			case '\\':
				c = '\\';
				break;
			case 'x': {
				char hex[3] = { 0 };
				char *end;

				if (s[1] == '\0' || s[2] == '\0')
					return -1;
				hex[0] = s[1];
				hex[1] = s[2];
				c = (char)strtoul(hex, &end, 16);
				if (*end != '\0')
					return -1;
				s += 2;
				break;
			}
			default:
				return -1;
			}
		}
		if (n + 1 >= room)
			return -1;
		out[n++] = c;
	}
	*len = n;
	return 0;
}

/* word - split off the first blank-separated word of *p */
static const char *
word(char **p)
{
	char *s = *p, *w;

	while (*s == ' ' || *s == '\t')
		s++;
	w = s;
	while (*s != '\0' && *s != ' ' && *s != '\t')
		s++;
	if (*s != '\0')
		*s++ = '\0';
	while (*s == ' ' || *s == '\t')
		s++;
	*p = s;
	return w;
}

/* parse_num - a decimal number, -1 when s is not one */
static long
parse_num(const char *s)
{
	char *end;
	long v;

	if (*s < '0' || *s > '9')
		return -1;
	v = strtol(s, &end, 10);
	return *end == '\0' ? v : -1;
}

/* script_load - parse path; 0, or -1 with why (and the line) set */
static int
script_load(const char *path, struct script *sc, char *why, size_t whylen)
{
	FILE *f = fopen(path, "r");
	char line[4096];
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
	while (fgets(line, sizeof(line), f) != NULL) {
		char *p = line;
		const char *d;

		lineno++;
		n = strlen(line);
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0' || *p == '#')
			continue;
		d = word(&p);
		if (strcmp(d, "rcpt") == 0) {
			while (*p != '\0') {
				if (sc->nrcpt == MAXRCPT)
					goto bad;
				snprintf(sc->rcpt[sc->nrcpt++],
				    sizeof(sc->rcpt[0]), "%s", word(&p));
			}
		} else if (strcmp(d, "opt") == 0) {
			const char *k = word(&p), *v = word(&p);
			long num = parse_num(v);

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
			const char *a = word(&p), *c = word(&p);
			const char *m = word(&p);

			if (sc->nwants == MAXRCPT || a[0] == '\0')
				goto bad;
			snprintf(w->addr, sizeof(w->addr), "%s", a);
			if (strcmp(c, "none") == 0) {
				w->code = -1;
				w->mailcode = m[0] != '\0' ?
				    (int)parse_num(m) : 0;
				if (w->mailcode < 0)
					goto bad;
			} else if ((w->code = (int)parse_num(c)) < 0 ||
			    m[0] != '\0') {
				goto bad;
			}
			sc->nwants++;
		} else if (strcmp(d, "expect-end") == 0) {
			snprintf(sc->end_why, sizeof(sc->end_why), "%s",
			    word(&p));
			snprintf(sc->end_phase, sizeof(sc->end_phase), "%s",
			    word(&p));
			if (sc->end_why[0] == '\0')
				goto bad;
		} else if (strcmp(d, "on") == 0 || strcmp(d, "on-rcpt") == 0) {
			struct rule *r = &sc->rules[sc->nrules];
			const char *k = word(&p);

			if (sc->nrules == MAXRULE || k[0] == '\0' ||
			    decode(p, r->text, sizeof(r->text) - 2,
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
				if (decode(p, st->text, sizeof(st->text) - 2,
				    &st->len) < 0)
					goto bad;
				st->text[st->len++] = '\r';
				st->text[st->len++] = '\n';
			} else if (strcmp(d, "expect") == 0 && *p != '\0') {
				st->kind = STEP_EXPECT;
				snprintf(st->text, sizeof(st->text), "%s", p);
				st->len = strlen(st->text);
			} else if (strcmp(d, "sleep") == 0 &&
			    parse_num(p) >= 0) {
				st->kind = STEP_SLEEP;
				st->ms = (unsigned)parse_num(p);
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

/* plog - one transcript line to the parent (capped) */
static void plog(struct peer *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
plog(struct peer *p, const char *fmt, ...)
{
	char line[600];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	if (p->logged + (size_t)n > LOGMAX)
		return;
	p->logged += (size_t)n;
	if (write(p->logfd, line, (size_t)n) < 0)
		p->logged = LOGMAX;
}

/* pfail - the script was not followed */
static void pfail(struct peer *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
pfail(struct peer *p, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	plog(p, "FAIL %s", msg);
	p->failed = true;
}

/* printable - s[0..n) for the transcript */
static const char *
printable(const char *s, size_t n, char *out, size_t room)
{
	size_t i, k = 0;

	for (i = 0; i < n && k + 5 < room; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\r') {
			out[k++] = '\\';
			out[k++] = 'r';
		} else if (c == '\n') {
			out[k++] = '\\';
			out[k++] = 'n';
		} else if (c < 0x20 || c >= 0x7f) {
			k += (size_t)snprintf(out + k, room - k, "\\x%02x", c);
		} else {
			out[k++] = (char)c;
		}
	}
	out[k] = '\0';
	return out;
}

/* peer_flush - write the queued sends in one write */
static void
peer_flush(struct peer *p)
{
	char shown[1024];
	size_t off = 0;

	if (p->outlen == 0)
		return;
	plog(p, "> %s", printable(p->out, p->outlen, shown, sizeof(shown)));
	while (off < p->outlen) {
		ssize_t w = send(p->fd, p->out + off, p->outlen - off,
		    MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			/* the client went away; a later expect says so */
			plog(p, "(write: %s)", strerror(errno));
			break;
		}
		off += (size_t)w;
	}
	p->outlen = 0;
}

/* peer_queue - add bytes to the next write */
static void
peer_queue(struct peer *p, const char *b, size_t n)
{
	if (p->outlen + n > sizeof(p->out))
		peer_flush(p);
	memcpy(p->out + p->outlen, b, n);
	p->outlen += n;
}

/* prefix - s starts with pre, ASCII case-insensitive */
static bool
prefix(const char *s, const char *pre)
{
	size_t n = strlen(pre);

	return strlen(s) >= n && ascii_ncasecmp(s, pre, n) == 0;
}

/* rcpt_addr - the address of a "RCPT TO:<a>..." line, or NULL */
static const char *
rcpt_addr(const char *line, char *out, size_t room)
{
	const char *a, *e;

	if (!prefix(line, "RCPT TO:<"))
		return NULL;
	a = line + 9;
	e = strchr(a, '>');
	if (e == NULL || (size_t)(e - a) >= room)
		return NULL;
	memcpy(out, a, (size_t)(e - a));
	out[e - a] = '\0';
	return out;
}

/* verb_is - the line is the command verb (alone or with arguments) */
static bool
verb_is(const char *line, const char *verb)
{
	size_t n = strlen(verb);

	return prefix(line, verb) && (line[n] == '\0' || line[n] == ' ');
}

/* peer_check - what the client may never send */
static void
peer_check(struct peer *p, const char *line)
{
	char a[320];
	size_t i;

	if (verb_is(line, "DATA") || verb_is(line, "VRFY") ||
	    verb_is(line, "EXPN")) {
		pfail(p, "client sent %s", line);
		return;
	}
	if (prefix(line, "RCPT")) {
		if (rcpt_addr(line, a, sizeof(a)) == NULL) {
			pfail(p, "malformed RCPT: %s", line);
			return;
		}
		for (i = 0; i < p->sc->nrcpt; i++)
			if (strcmp(a, p->sc->rcpt[i]) == 0)
				return;
		pfail(p, "RCPT for an address not in the list: %s", a);
	}
}

/*
 * peer_line - read one CRLF-terminated line within ms: 1 (line set,
 * CRLF removed), 0 EOF or reset, -1 timeout or a bad line (failed).
 */
static int
peer_line(struct peer *p, char *line, size_t room, int ms)
{
	int64_t end = evloop_now_ms() + ms;

	for (;;) {
		char *nl = memchr(p->in, '\n', p->inlen);
		struct pollfd pfd = { p->fd, POLLIN, 0 };
		int64_t left;
		ssize_t r;

		if (nl != NULL) {
			size_t n = (size_t)(nl - p->in), i;

			if (n == 0 || p->in[n - 1] != '\r') {
				pfail(p, "line without CRLF");
				return -1;
			}
			if (n - 1 >= room) {
				pfail(p, "line too long");
				return -1;
			}
			memcpy(line, p->in, n - 1);
			line[n - 1] = '\0';
			memmove(p->in, nl + 1, p->inlen - n - 1);
			p->inlen -= n + 1;
			for (i = 0; i < n - 1; i++)
				if ((unsigned char)line[i] < 0x20 ||
				    line[i] == 0x7f) {
					pfail(p, "control byte in a command");
					return -1;
				}
			plog(p, "< %s", line);
			peer_check(p, line);
			return 1;
		}
		if (p->inlen == sizeof(p->in)) {
			pfail(p, "line too long");
			return -1;
		}
		left = end - evloop_now_ms();
		if (left <= 0) {
			pfail(p, "nothing from the client for %d ms", ms);
			return -1;
		}
		if (poll(&pfd, 1, (int)left) < 0 && errno != EINTR) {
			pfail(p, "poll: %s", strerror(errno));
			return -1;
		}
		if (pfd.revents == 0)
			continue;
		r = recv(p->fd, p->in + p->inlen, sizeof(p->in) - p->inlen, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno != ECONNRESET) {
			pfail(p, "read: %s", strerror(errno));
			return -1;
		}
		if (r <= 0) {
			if (p->inlen > 0)
				plog(p, "(EOF after %zu bytes without LF)",
				    p->inlen);
			plog(p, "(client closed)");
			return 0;
		}
		p->inlen += (size_t)r;
	}
}

/* peer_tail - after the body: answer by the rules until the client
 * closes */
static void
peer_tail(struct peer *p)
{
	char line[1024], a[320];
	size_t i;
	int k;

	while ((k = peer_line(p, line, sizeof(line), PEER_WAIT_MS)) == 1) {
		for (i = 0; i < p->sc->nrules; i++) {
			const struct rule *r = &p->sc->rules[i];

			if (r->rcpt ? rcpt_addr(line, a, sizeof(a)) != NULL &&
			    strcmp(a, r->key) == 0 : prefix(line, r->key)) {
				peer_queue(p, r->text, r->len);
				peer_flush(p);
				break;
			}
		}
	}
	if (k < 0)
		pfail(p, "the client did not close the connection");
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
	p->sc = sc;
	p->logfd = logfd;
	p->fd = -1;
	alarm(PEER_ALARM_S);
	if (poll(&pfd, 1, PEER_WAIT_MS) != 1 ||
	    (p->fd = accept(lfd, NULL, NULL)) < 0) {
		pfail(p, "no connection");
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
				pfail(p, "expected %s, the client closed",
				    st->text);
			else if (k == 1 && !prefix(line, st->text))
				pfail(p, "expected %s, got %s", st->text,
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
			plog(p, "(closed)");
			return p->failed ? 1 : 0;
		}
	}
	peer_flush(p);
	if (!p->failed)
		peer_tail(p);
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

/* listen_loopback - a TCP listener on 127.0.0.1, any free port */
static int
listen_loopback(struct sockaddr_in *sin)
{
	socklen_t len = sizeof(*sin);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin->sin_port = 0;
	if (bind(fd, (struct sockaddr *)sin, sizeof(*sin)) < 0 ||
	    listen(fd, 1) < 0 ||
	    getsockname(fd, (struct sockaddr *)sin, &len) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* wait_child - its exit status (killed after a while: -1) */
static int
wait_child(pid_t pid)
{
	int64_t end = evloop_now_ms() + PEER_WAIT_MS + 2000;
	int st;

	for (;;) {
		pid_t w = waitpid(pid, &st, WNOHANG);

		if (w == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
		if (w < 0 && errno != EINTR)
			return -1;
		if (evloop_now_ms() >= end) {
			kill(pid, SIGKILL);
			(void)waitpid(pid, &st, 0);
			return -1;
		}
		usleep(10000);
	}
}

/* show_log - the peer's transcript as diagnostics */
static void
show_log(int fd)
{
	char buf[LOGMAX + 1], *line, *nl;
	size_t n = 0;
	ssize_t r;

	while (n < LOGMAX && (r = read(fd, buf + n, LOGMAX - n)) > 0)
		n += (size_t)r;
	buf[n] = '\0';
	for (line = buf; *line != '\0'; line = nl + 1) {
		nl = strchr(line, '\n');
		if (nl == NULL)
			break;
		*nl = '\0';
		diag("  peer %s", line);
	}
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
	if ((lfd = listen_loopback(&sin)) < 0 || pipe(logp) < 0) {
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
	pst = wait_child(pid);

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
		show_log(logp[0]);
	close(logp[0]);
}

/* by_name - qsort over char * */
static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* run_dir - every *.peer of dir, in name order; how many */
static int
run_dir(const char *dir)
{
	DIR *dh = opendir(dir);
	struct dirent *de;
	char *names[256];
	size_t n = 0, i;

	if (dh == NULL)
		return -1;
	while ((de = readdir(dh)) != NULL && n < 256) {
		size_t len = strlen(de->d_name);
		size_t need = strlen(dir) + len + 2;

		if (len <= 5 || strcmp(de->d_name + len - 5, ".peer") != 0)
			continue;
		names[n] = malloc(need);
		if (names[n] == NULL)
			break;
		snprintf(names[n], need, "%s/%s", dir, de->d_name);
		n++;
	}
	closedir(dh);
	qsort(names, n, sizeof(names[0]), by_name);
	for (i = 0; i < n; i++) {
		run_script(names[i]);
		free(names[i]);
	}
	return (int)n;
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
			} else if (run_dir(argv[i]) > 0) {
				n++;
			}
		}
	} else {
		snprintf(dir, sizeof(dir), "%s/tests/data/peer",
		    src != NULL && src[0] != '\0' ? src : ".");
		n = run_dir(dir);
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
