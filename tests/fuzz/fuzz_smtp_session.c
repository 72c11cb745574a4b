/*
 * fuzz_smtp_session - LLVMFuzzerTestOneInput over a real smtp_session
 * (the dialogue, pipelining, STARTTLS, the matching of replies to
 * commands) against a fake SMTP server whose replies are the input. The
 * server is in this process: a listening socket on 127.0.0.1 (made once)
 * and the accepted connection are watched by the session's own evloop.
 * No thread, no fork.
 *
 * Input: byte 0 = options (bit 0 pipelining; bit 1 STARTTLS
 * opportunistic, else off; bits 2-3 recipients per transaction 1, 2, 3
 * or 50; bits 4-6 how many recipients, 0-7; bit 7 start the list at its
 * fifth entry, where the unsafe addresses are), then the server's output
 * in chunks separated by NUL bytes. The server sends the next chunk each
 * time the dialogue is quiet (nothing unread on either side for three
 * rounds of the loop): the first is the greeting, then one per command,
 * or per pipelined group of commands, for a server that behaves. When
 * the chunks are used up the server shuts its side (EOF). Seeds:
 * tests/data/peer scripts, their sends between expects as chunks.
 *
 * Invariants, checked with abort() (validator/smtp/smtp_session.h):
 *  - ended() comes exactly once, with a known end and phase, and
 *    nothing is called after it; it comes within 3 s;
 *  - every recipient handed out by next_batch is reported by rcpt_done
 *    exactly once before ended(), and none that was not handed out;
 *    next_batch is asked for rcpt_per_txn at most;
 *  - a reply code is 100-599, or SMTP_CODE_UNSAFE for an address that
 *    cannot go on the wire (a control byte, '<' or '>'; 8-bit without
 *    SMTPUTF8) and only for those; an unsafe address never gets a real
 *    reply; after a refused MAIL FROM no RCPT reply is reported;
 *  - on the wire: only CRLF-terminated lines of at most SMTP_LINE_MAX
 *    bytes without control bytes; only EHLO/HELO (with the configured
 *    name), STARTTLS (only if TLS is wanted), MAIL FROM:<the sender>,
 *    RCPT TO:<an address handed out and safe>, RSET and QUIT; nothing
 *    before the server said anything, nothing after QUIT; after
 *    STARTTLS, a TLS record (first byte 0x16) ends the line checks;
 *  - no leak (LeakSanitizer).
 * FUZZ_VERBOSE=1 in the environment prints the dialogue and the results.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/sockios.h>

#include "smtp/smtp_reply.h"
#include "smtp/smtp_session.h"
#include "smtp/tlsctx.h"
#include "util/ascii.h"
#include "util/diag.h"
#include "util/evloop.h"

#include "fuzz/fuzz.h"

#define HELO "probe.listscrub.test"
#define MAIL_FROM "probe@listscrub.test"
#define NRCPT 8
#define LIMIT_MS 3000
#define QUIET_ROUNDS 3
#define INMAX 8192

static const struct {
	const char *addr;
	bool utf8;
	bool unsafe;		/* must never reach the wire */
} rcpts[NRCPT] = {
	{ "alice@peer.test", false, false },
	{ "bob@peer.test", false, false },
	{ "carol@peer.test", false, false },
	{ "d\xc3\xb6rte@peer.test", true, false },
	{ "e<vil>@peer.test", false, true },
	{ "x\r\nDATA\r\nx@peer.test", false, true },
	{ "d\xc3\xb6rte@peer.test", false, true },	/* 8-bit, no flag */
	{ "erin@peer.test", false, false },
};

struct peer {
	int fd;			/* accepted connection, -1 before */
	int sessfd;		/* the session's end, found by address */
	const uint8_t *out;	/* chunks not sent yet */
	size_t left;
	bool more;		/* a chunk is left (maybe empty) */
	bool shut;		/* our side is shut: EOF sent */
	bool eof;		/* the session closed */
	size_t sent;		/* bytes sent so far */
	bool starttls;		/* STARTTLS seen */
	bool tls;		/* TLS bytes follow: no more line checks */
	bool quit;		/* QUIT seen */
	unsigned activity;	/* bytes read, accepts */
	char in[INMAX];
	size_t inlen;
};

struct run {
	struct smtp_session *s;
	unsigned first, n;	/* recipients: rcpts[first..first+n) */
	unsigned next;		/* next one to hand out, 0..n */
	unsigned per_txn;
	bool tls;
	int handed[NRCPT];
	int reports[NRCPT];
	int ended;
};

static struct evloop *loop;
static int lfd = -1;
static struct sockaddr_in laddr;
static SSL_CTX *ssl_ctx;
static bool verbose;
static struct peer peer;
static struct run run;

static void setup(void);
static void on_accept(void *arg, int fd, bool rd, bool wr);
static void on_peer(void *arg, int fd, bool rd, bool wr);
static void peer_line(const char *l, size_t len);
static void peer_send_next(void);
static void peer_close(void);
static size_t unread(int fd);
static size_t cb_next(void *arg, const struct smtp_caps *caps,
    struct smtp_rcpt *out, size_t max);
static void cb_rcpt(void *arg, const struct smtp_rcpt *r,
    const struct smtp_reply *reply, const struct smtp_reply *mail);
static void cb_ended(void *arg, enum smtp_end why, const char *phase,
    const struct smtp_reply *last, const struct smtp_caps *caps);

static const struct smtp_session_cb cbs = { cb_next, cb_rcpt, cb_ended };

/* setup - the loop, the listening socket and the TLS context, once. */
static void
setup(void)
{
	socklen_t sl = sizeof(laddr);
	struct diag d = { 0 };

	signal(SIGPIPE, SIG_IGN);
	verbose = getenv("FUZZ_VERBOSE") != NULL;
	loop = evloop_new();
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	CHECK(lfd >= 0);
	memset(&laddr, 0, sizeof(laddr));
	laddr.sin_family = AF_INET;
	laddr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHECK(bind(lfd, (struct sockaddr *)&laddr, sizeof(laddr)) == 0);
	CHECK(getsockname(lfd, (struct sockaddr *)&laddr, &sl) == 0);
	CHECK(listen(lfd, 16) == 0);
	CHECK(evloop_watch(loop, lfd, true, false, on_accept, NULL, NULL) ==
	    0);
	ssl_ctx = tlsctx_new(SMTP_TLS_OPPORTUNISTIC, NULL, &d);
	CHECK(ssl_ctx != NULL);
}

/* on_accept - the session connected: find its end, watch ours. */
static void
on_accept(void *arg, int fd, bool rd, bool wr)
{
	struct sockaddr_in me, it;
	socklen_t ml = sizeof(me);
	int c;

	(void)arg;
	(void)rd;
	(void)wr;
	while ((c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >=
	    0) {
		CHECK(peer.fd < 0);	/* one connection per session */
		peer.fd = c;
		peer.activity++;
		CHECK(getpeername(c, (struct sockaddr *)&me, &ml) == 0);
		/* the session's socket is the one whose name is our peer */
		for (int k = 0; k < 1024 && peer.sessfd < 0; k++) {
			socklen_t il = sizeof(it);

			if (k != c && k != lfd &&
			    getsockname(k, (struct sockaddr *)&it, &il) == 0 &&
			    il == ml && it.sin_family == AF_INET &&
			    it.sin_port == me.sin_port &&
			    it.sin_addr.s_addr == me.sin_addr.s_addr)
				peer.sessfd = k;
		}
		CHECK(evloop_watch(loop, c, true, false, on_peer, NULL,
		    NULL) == 0);
	}
}

/* unread - bytes waiting in fd's receive queue. */
static size_t
unread(int fd)
{
	int n = 0;

	if (fd < 0 || ioctl(fd, SIOCINQ, &n) != 0 || n < 0)
		return 0;
	return (size_t)n;
}

/* on_peer - what the session wrote: check it line by line. */
static void
on_peer(void *arg, int fd, bool rd, bool wr)
{
	ssize_t n;

	(void)arg;
	(void)wr;
	if (!rd)
		return;
	while ((n = recv(fd, peer.in + peer.inlen, INMAX - peer.inlen, 0)) >
	    0) {
		char *lf;

		peer.activity++;
		if (peer.tls) {
			peer.inlen = 0;
			continue;
		}
		peer.inlen += (size_t)n;
		while (!peer.tls && peer.inlen > 0) {
			size_t len;

			if (peer.starttls && (uint8_t)peer.in[0] == 0x16) {
				peer.tls = true;	/* a TLS record */
				peer.inlen = 0;
				break;
			}
			if ((lf = memchr(peer.in, '\n', peer.inlen)) == NULL)
				break;
			len = (size_t)(lf - peer.in) + 1;
			peer_line(peer.in, len);
			memmove(peer.in, peer.in + len, peer.inlen - len);
			peer.inlen -= len;
		}
		/* a line longer than any command */
		CHECK(peer.tls || peer.inlen < SMTP_LINE_MAX);
	}
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
		peer.eof = true;
		peer.activity++;
		(void)evloop_watch(loop, fd, false, false, NULL, NULL, NULL);
	}
}

/* peer_line - one command line (l[len - 1] is LF): is it allowed? */
static void
peer_line(const char *l, size_t len)
{
	char verb[16];
	size_t vl = 0, body;

	if (verbose)
		fprintf(stderr, "C: %.*s", (int)len, l);
	CHECK(peer.sent > 0);	/* nothing before the server spoke */
	CHECK(!peer.quit);	/* nothing after QUIT */
	CHECK(len >= 2 && len <= SMTP_LINE_MAX && l[len - 2] == '\r');
	body = len - 2;
	for (size_t i = 0; i < body; i++)
		CHECK((uint8_t)l[i] >= 0x20 && l[i] != 0x7f);
	while (vl < body && vl < sizeof(verb) - 1 && l[vl] != ' ') {
		verb[vl] = (char)ascii_tolower((unsigned char)l[vl]);
		vl++;
	}
	verb[vl] = '\0';
	if (strcmp(verb, "ehlo") == 0 || strcmp(verb, "helo") == 0) {
		CHECK(body == 5 + strlen(HELO) &&
		    memcmp(l + 5, HELO, strlen(HELO)) == 0);
	} else if (strcmp(verb, "starttls") == 0) {
		CHECK(body == vl && run.tls);
		peer.starttls = true;
	} else if (strcmp(verb, "rset") == 0) {
		CHECK(body == vl);
	} else if (strcmp(verb, "quit") == 0) {
		CHECK(body == vl);
		peer.quit = true;
	} else if (strcmp(verb, "mail") == 0) {
		static const char from[] = "MAIL FROM:<" MAIL_FROM ">";

		CHECK(body >= sizeof(from) - 1 &&
		    ascii_ncasecmp(l, from, 10) == 0 &&
		    memcmp(l + 10, from + 10, sizeof(from) - 11) == 0);
		CHECK(body == sizeof(from) - 1 || l[sizeof(from) - 1] == ' ');
	} else {
		const char *end;
		size_t al;
		bool known = false;

		CHECK(strcmp(verb, "rcpt") == 0);
		CHECK(body > 9 && ascii_ncasecmp(l, "RCPT TO:<", 9) == 0);
		end = memchr(l + 9, '>', body - 9);
		CHECK(end != NULL);
		al = (size_t)(end - (l + 9));
		for (unsigned i = run.first; i < run.first + run.n; i++)
			if (run.handed[i] && !rcpts[i].unsafe &&
			    strlen(rcpts[i].addr) == al &&
			    memcmp(rcpts[i].addr, l + 9, al) == 0)
				known = true;
		CHECK(known);
		CHECK((size_t)(end - l) + 1 == body || end[1] == ' ');
	}
}

/* peer_send_next - the next chunk, or EOF when none is left. */
static void
peer_send_next(void)
{
	const uint8_t *nul;
	size_t len;

	if (!peer.more) {
		if (verbose)
			fprintf(stderr, "S: (shut)\n");
		(void)shutdown(peer.fd, SHUT_WR);
		peer.shut = true;
		return;
	}
	nul = memchr(peer.out, 0, peer.left);
	len = nul ? (size_t)(nul - peer.out) : peer.left;
	if (verbose)
		fprintf(stderr, "S: %.*s%s", (int)len, (const char *)peer.out,
		    len > 0 && peer.out[len - 1] == '\n' ? "" : "\n");
	if (len > 0) {
		/* Loopback: a send this small goes out whole or fails. */
		ssize_t n = send(peer.fd, peer.out, len, MSG_NOSIGNAL);

		if (n > 0)
			peer.sent += (size_t)n;
	}
	peer.more = nul != NULL;
	peer.out += nul ? len + 1 : len;
	peer.left -= nul ? len + 1 : len;
}

/* peer_close - reset the connection (no TIME_WAIT left behind). */
static void
peer_close(void)
{
	struct linger lg = { 1, 0 };

	if (peer.fd < 0)
		return;
	(void)evloop_watch(loop, peer.fd, false, false, NULL, NULL, NULL);
	(void)setsockopt(peer.fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(peer.fd);
	peer.fd = -1;
}

/* cb_next - hand out the next recipients, per_txn at most. */
static size_t
cb_next(void *arg, const struct smtp_caps *caps, struct smtp_rcpt *out,
    size_t max)
{
	size_t k = 0;

	(void)arg;
	CHECK(!run.ended && caps != NULL);
	CHECK(max >= 1 && max <= run.per_txn);
	while (k < max && run.next < run.n) {
		unsigned i = run.first + run.next++;

		out[k].id = i;
		out[k].addr = rcpts[i].addr;
		out[k].utf8 = rcpts[i].utf8;
		run.handed[i]++;
		k++;
	}
	return k;
}

/* cb_rcpt - one recipient's result. */
static void
cb_rcpt(void *arg, const struct smtp_rcpt *r, const struct smtp_reply *reply,
    const struct smtp_reply *mail)
{
	(void)arg;
	CHECK(!run.ended);
	CHECK(r != NULL && r->id < NRCPT && run.handed[r->id] == 1);
	CHECK(strcmp(r->addr, rcpts[r->id].addr) == 0);
	CHECK(++run.reports[r->id] == 1);
	if (verbose)
		fprintf(stderr, "rcpt %u: %d (mail %d)\n", r->id,
		    reply ? reply->code : -1, mail ? mail->code : -1);
	if (reply == NULL)
		return;
	CHECK(reply->code == SMTP_CODE_UNSAFE ||
	    (reply->code >= 100 && reply->code <= 599));
	if (reply->code == SMTP_CODE_UNSAFE)
		CHECK(rcpts[r->id].unsafe || rcpts[r->id].utf8);
	if (rcpts[r->id].unsafe)
		CHECK(reply->code == SMTP_CODE_UNSAFE);
	/* a refused MAIL FROM: its RCPTs' replies are not reported */
	if (mail != NULL && mail->code >= 400)
		CHECK(reply->code == SMTP_CODE_UNSAFE);
}

/* cb_ended - the end: once, and after every recipient's report. */
static void
cb_ended(void *arg, enum smtp_end why, const char *phase,
    const struct smtp_reply *last, const struct smtp_caps *caps)
{
	static const char *const phases[] = { "connect", "banner", "ehlo",
		"starttls", "tls", "mail", "rcpt", "rset", "quit" };
	bool known = false;

	(void)arg;
	CHECK(run.ended++ == 0);
	CHECK((unsigned)why < SMTP_END_LAST && caps != NULL);
	CHECK(phase != NULL);
	for (size_t i = 0; i < sizeof(phases) / sizeof(phases[0]); i++)
		if (strcmp(phase, phases[i]) == 0)
			known = true;
	CHECK(known);
	if (verbose)
		fprintf(stderr, "ended: %s in %s, last %d: %s\n",
		    smtp_end_name(why), phase, last ? last->code : -1,
		    smtp_session_detail(run.s));
	CHECK(last == NULL || (last->code >= 100 && last->code <= 599));
	for (unsigned i = 0; i < NRCPT; i++)
		CHECK(run.reports[i] == run.handed[i]);
	run.s = NULL;		/* it frees itself */
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned per_txn[4] = { 1, 2, 3, 50 };
	struct smtp_session_opts o;
	struct diag d = { 0 };
	unsigned quiet = 0;
	int64_t end;

	if (size == 0)
		return 0;
	if (loop == NULL)
		setup();
	memset(&peer, 0, sizeof(peer));
	peer.fd = peer.sessfd = -1;
	peer.out = data + 1;
	peer.left = size - 1;
	peer.more = true;
	memset(&run, 0, sizeof(run));
	run.tls = (data[0] & 2) != 0;
	run.per_txn = per_txn[(data[0] >> 2) & 3];
	run.n = (data[0] >> 4) & 7;
	run.first = (data[0] & 0x80) ? 4 : 0;
	if (run.first + run.n > NRCPT)
		run.n = NRCPT - run.first;

	memset(&o, 0, sizeof(o));
	o.helo = HELO;
	o.mail_from = MAIL_FROM;
	o.tls = run.tls ? SMTP_TLS_OPPORTUNISTIC : SMTP_TLS_OFF;
	o.ssl_ctx = run.tls ? ssl_ctx : NULL;
	o.pipelining = (data[0] & 1) != 0;
	o.rcpt_per_txn = run.per_txn;
	o.connect_ms = 1000;
	o.banner_ms = 1000;
	o.command_ms = 1000;
	run.s = smtp_session_start(loop, &o, (struct sockaddr *)&laddr,
	    sizeof(laddr), "mx.peer.test", &cbs, NULL, &d);
	CHECK(run.s != NULL);

	end = evloop_now_ms() + LIMIT_MS;
	while (!run.ended) {
		unsigned before = peer.activity;

		CHECK(evloop_now_ms() < end);	/* bounded time */
		CHECK(evloop_run_once(loop, peer.shut ? 10 : 0, &d) == 0);
		if (run.ended || peer.fd < 0 || peer.shut)
			continue;
		if (peer.activity == before && unread(peer.fd) == 0 &&
		    unread(peer.sessfd) == 0)
			quiet++;
		else
			quiet = 0;
		if (quiet >= QUIET_ROUNDS) {
			peer_send_next();
			quiet = 0;
		}
	}
	/* what the session wrote last, then the connection goes */
	if (peer.fd >= 0 && !peer.eof)
		on_peer(NULL, peer.fd, true, false);
	peer_close();
	/* the session's socket and timers are gone; the listener is left */
	CHECK(evloop_nwatched(loop) == 1);
	return 0;
}
