/*
 * NAME
 *	smtp_session - one SMTP client connection to one mail host address
 * SYNOPSIS
 *	#include "smtp/smtp_session.h"
 * DESCRIPTION
 *	A state machine on the evloop (validator/README, "SMTP facts").
 *	sess_enter() is the only code that assigns s->state; it arms the
 *	state's timer and runs the entry action (sends the command).
 *	on_reply() switches on the state for each complete reply; on_io()
 *	is the one I/O handler.
 *
 *	States and transitions (phase word in brackets):
 *	  CONNECT [connect]  writable+SO_ERROR 0 -> BANNER; error ->
 *	                     end CONNECT_FAILED; timer -> end TIMEOUT
 *	  BANNER  [banner]   220 -> EHLO; 4xx/5xx -> end REFUSED; any
 *	                     other reply (one before the greeting) -> end
 *	                     PROTOCOL
 *	  EHLO    [ehlo]     2xx -> caps; then STARTTLS (offered, wanted,
 *	                     not yet TLS) | QUIT+TLS_REQUIRED (required, not
 *	                     offered) | READY; 5xx (not 421) -> HELO;
 *	                     other -> end REFUSED
 *	  HELO    [ehlo]     2xx -> STARTTLS check as above (no caps);
 *	                     other -> end REFUSED
 *	  STARTTLS[starttls] 220 -> (no byte buffered beyond it, else end
 *	                     PROTOCOL) TLS; other: required -> QUIT then end
 *	                     TLS_REQUIRED; opportunistic -> READY (plaintext)
 *	  TLS     [tls]      handshake done -> caps forgotten, EHLO again;
 *	                     failure -> end TLS_FAILED
 *	  READY   (no wait)  next_batch() -> 0: QUIT; n: MAIL
 *	  MAIL    [mail]     2xx -> RCPT; other: pipelined -> RCPT (drain
 *	                     the RCPT replies, then the RSET's); not
 *	                     pipelined -> every recipient reported (reply
 *	                     NULL, mail = refusal), READY (no transaction
 *	                     was opened: no RSET)
 *	  RCPT    [rcpt]     each reply is held, in order; last -> RSET
 *	  RSET    [rset]     250, or any reply after a refused MAIL ->
 *	                     the transaction is reported (held replies, or
 *	                     reply NULL + the MAIL refusal), READY; other ->
 *	                     end PROTOCOL (RFC 5321 4.1.1.5: RSET gets 250)
 *	  QUIT    [quit]     any reply, EOF or timer -> end (QUIT, or the
 *	                     end decided before sending QUIT)
 *	  Any state: 421 -> end REFUSED (server closes); EOF -> end DROPPED;
 *	  timer -> end TIMEOUT; parser error, a reply over
 *	  SESSION_REPLY_MAX bytes, a reply that cannot answer the command
 *	  (sess_misplaced) or a reply out of turn (below) -> end PROTOCOL.
 *
 *	Pipelining (RFC 2920): in MAIL's entry action, when the server and
 *	the options allow it, MAIL, every RCPT and the RSET are appended to
 *	the output buffer at once. The state machine still handles one
 *	reply at a time in command order, so attribution is positional.
 *	Output is written when the socket is writable and input is read in
 *	the same handler, every time, so a server that answers before
 *	reading all of the group cannot deadlock us.
 *
 *	Replies out of turn. Positional attribution is only as good as the
 *	count of replies due, and one extra or missing reply shifts every
 *	later one onto the wrong command (a 550 onto an address the server
 *	accepted). So:
 *	- a command awaits a reply only once its last byte is written
 *	  (s->awaiting; sess_flush moves queued commands onto the wire),
 *	  the greeting being the reply to the connection: a server cannot
 *	  answer what it has not received. A reply while nothing awaits
 *	  one is unsolicited: end PROTOCOL (421: REFUSED, RFC 5321 3.8).
 *	- when the reply to the last command on the wire has come, nothing
 *	  may follow it: bytes left in our buffer, in OpenSSL's, or (in
 *	  plaintext) in the kernel end the session PROTOCOL. This is also
 *	  the STARTTLS injection guard (RFC 3207 5).
 *	- a transaction's RCPT replies are held and reported (rcpt_done)
 *	  only once the transaction is over and consistent: the RSET got
 *	  its 250 with nothing after it (or, not pipelined, a refused MAIL
 *	  had nothing after it). A session that ends PROTOCOL reports none
 *	  of the open transaction's replies, not even the MAIL reply: its
 *	  recipients come back with reply NULL and mail NULL, to be asked
 *	  again on another connection. Other ends (timeout, drop, 421)
 *	  are no sign of a shift: the replies that came are reported.
 *	A stale reply that arrives only after our next command is on the
 *	wire and shifts the rest exactly by one looks like a real one; it
 *	is caught only when a shifted reply cannot answer its command
 *	(RSET not 250, 1xx/3xx, 220, 221) or a surplus shows later.
 *
 *	STARTTLS (RFC 3207 4.2 and 5; validator/README, "SMTP facts"):
 *	after the 220 the input buffer must be empty and recv(MSG_PEEK)
 *	must find nothing (the rule above): otherwise the server (or a man
 *	in the middle) injected plaintext, and the session ends PROTOCOL.
 *	After the handshake every capability is forgotten and EHLO is sent
 *	again.
 * DIAGNOSTICS
 *	Through the callbacks; smtp_session_detail() adds a text.
 * BUGS
 *	IPv4 and IPv6 only (no AF_UNIX). No SASL. No DANE/MTA-STS.
 */
#include "smtp/smtp_session.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "util/ascii.h"
#include "util/buf.h"
#include "util/diag.h"
#include "util/evloop.h"
#include "util/xalloc.h"

#include "smtp/socks5.h"

/* A single reply may not take more bytes than this (endless reply). */
#define SESSION_REPLY_MAX (64 * 1024)
/* Output: a whole pipelined group fits. */
#define SESSION_CMD_MAX (SMTP_RCPT_MAX + 4)
#define SESSION_OUT_MAX (SESSION_CMD_MAX * SMTP_LINE_MAX)
#define SESSION_RBUF 4096
/* EHLO reply bytes kept for the keyword scan; keywords past it are lost. */
#define SESSION_EHLO_MAX 8192

enum sstate {
	ST_CONNECT,
	ST_PROXY,
	ST_BANNER,
	ST_EHLO,
	ST_HELO,
	ST_STARTTLS,
	ST_TLS,
	ST_READY,
	ST_MAIL,
	ST_RCPT,
	ST_RSET,
	ST_QUIT,
	ST_DONE,
	ST_LAST
};

/* Phase words for ended(), indexed by state. */
static const char *const state_phase[ST_LAST] = {
	"connect", "proxy", "banner", "ehlo", "ehlo", "starttls", "tls",
	"mail", "mail", "rcpt", "rset", "quit", "quit",
};

struct sess_rcpt {
	struct smtp_rcpt r;	/* r.addr points to addr */
	char *addr;
};

struct smtp_session {
	struct evloop *loop;
	struct smtp_session_opts o;	/* strings point to the copies */
	char *helo;
	char *mail_from;
	char *mx_name;
	struct smtp_session_cb cb;
	void *arg;

	struct sockaddr_storage sa;
	socklen_t salen;
	int fd;
	bool watching;
	bool proxied;		/* o.proxy was set: fd goes to the proxy */
	struct socks5 *socks;	/* the proxy handshake, while it runs */
	SSL *ssl;
	bool ssl_write_wants_read;	/* SSL_write said WANT_READ */
	bool ssl_read_wants_write;	/* SSL_read said WANT_WRITE */
	bool ssl_hs_wants_write;	/* SSL_connect said WANT_WRITE */
	size_t ssl_wlen;	/* length of the SSL_write to retry, or 0 */

	enum sstate state;
	struct evtimer timer;	/* the current state's timeout */
	struct evtimer defer;	/* ended() for a connect failed at once */
	struct smtp_caps caps;
	bool tls_tried;

	struct smtp_reply_parser rp;
	size_t reply_bytes;	/* fed to the parser since the last reply */
	struct buf ehlo_raw;	/* the EHLO reply's bytes, for keywords */
	char rbuf[SESSION_RBUF];
	size_t rlen;

	struct buf out;
	size_t out_off;		/* bytes of out already written */
	size_t cmd_end[SESSION_CMD_MAX];	/* where each command in out
						 * ends */
	unsigned ncmd;		/* commands in out */
	unsigned nwritten;	/* of those, written to the last byte */
	unsigned awaiting;	/* commands on the wire whose replies are
				 * due (the greeting counts as one) */

	/* the transaction */
	struct sess_rcpt *batch;	/* rcpt_per_txn slots */
	struct smtp_rcpt *scratch;	/* handed to next_batch */
	struct smtp_reply *held;	/* RCPT replies, rcpt_per_txn slots,
					 * reported when the transaction is
					 * over */
	size_t nbatch;
	size_t nsent;		/* RCPTs queued */
	size_t nreplied;	/* RCPT replies received (held) */
	size_t nreported;	/* rcpt_done calls made */
	bool pipelined;		/* this transaction was written at once */
	bool rset_sent;
	bool mail_replied;
	bool mail_ok;
	struct smtp_reply mail_reply;

	/* the end decided before QUIT (TLS_REQUIRED, RSET refused) */
	enum smtp_end quit_why;
	const char *quit_phase;
	bool quit_have_last;
	struct smtp_reply quit_last;

	unsigned depth;		/* nesting of loop callbacks into us */
	bool done;		/* closed; free when depth drops to 0 */
	bool silent;		/* aborted: no more callbacks */
	char detail[512];
	char proxy_shown[300];	/* the proxy's masked URL, for texts */
};

static void sess_detail(struct smtp_session *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static bool sess_safe_arg(const char *v, size_t room);
static void sess_close(struct smtp_session *s);
static void sess_free(struct smtp_session *s);
static void sess_leave(struct smtp_session *s);
static void sess_end(struct smtp_session *s, enum smtp_end why,
    const char *phase, const struct smtp_reply *last);
static void sess_report_txn(struct smtp_session *s, bool trusted);
static void sess_quit_then_end(struct smtp_session *s, enum smtp_end why,
    const struct smtp_reply *last);
static void sess_arm(struct smtp_session *s, unsigned ms);
static void sess_enter(struct smtp_session *s, enum sstate st);
static bool sess_send(struct smtp_session *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static bool sess_tls_wanted(const struct smtp_session *s);
static void sess_after_hello(struct smtp_session *s);
static void sess_ready(struct smtp_session *s);
static void sess_mail(struct smtp_session *s);
static bool sess_rcpt_unsafe(const struct smtp_session *s,
    const struct smtp_rcpt *r, const char **why);
static void sess_report(struct smtp_session *s, size_t i,
    const struct smtp_reply *reply, const struct smtp_reply *mail);
static void sess_parse_caps(struct smtp_session *s);
static bool sess_misplaced(const struct smtp_session *s,
    const struct smtp_reply *r);
static bool sess_reply_due(struct smtp_session *s,
    const struct smtp_reply *r, bool buffered);
static void on_reply(struct smtp_session *s, const struct smtp_reply *r);
static void on_reply_rcpt(struct smtp_session *s,
    const struct smtp_reply *r);
static void on_io(void *arg, int fd, bool rd, bool wr);
static void on_timer(void *arg);
static void on_defer(void *arg);
static void sess_connected(struct smtp_session *s);
static void sess_connect_failed(struct smtp_session *s, int err);
static void sess_proxy_step(struct smtp_session *s);
static int sess_flush(struct smtp_session *s);
static void sess_wrote(struct smtp_session *s);
static int sess_read(struct smtp_session *s);
static int sess_drained(struct smtp_session *s);
static int sess_input(struct smtp_session *s);
static bool sess_more_pending(struct smtp_session *s);
static void sess_tls_begin(struct smtp_session *s);
static void sess_tls_step(struct smtp_session *s);
static void sess_tls_error(struct smtp_session *s, const char *what, int e);
static void sess_watch(struct smtp_session *s);
static bool sigpipe_off(struct sigaction *old);
static void sigpipe_restore(bool changed, const struct sigaction *old);

static const char *const end_names[SMTP_END_LAST] = {
	"quit", "connect_failed", "timeout", "tls_failed", "tls_required",
	"refused", "dropped", "protocol", "proxy_failed",
};

const char *
smtp_end_name(enum smtp_end e)
{
	return (unsigned)e < SMTP_END_LAST ? end_names[e] : "?";
}

const char *
smtp_session_detail(const struct smtp_session *s)
{
	return s->detail;
}

/* sess_detail - set the detail text (first writer wins per end). */
static void
sess_detail(struct smtp_session *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->detail, sizeof(s->detail), fmt, ap);
	va_end(ap);
}

/* sess_safe_arg - v can go on a command line: no control, DEL, '<', '>',
 * and at most room bytes. */
static bool
sess_safe_arg(const char *v, size_t room)
{
	size_t n = 0;

	for (; v[n] != '\0'; n++) {
		unsigned char c = (unsigned char)v[n];

		if (c < 0x20 || c == 0x7f || c == '<' || c == '>')
			return false;
	}
	return n <= room;
}

struct smtp_session *
smtp_session_start(struct evloop *loop, const struct smtp_session_opts *o,
    const struct sockaddr *sa, socklen_t salen, const char *mx_name,
    const struct smtp_session_cb *cb, void *arg, struct diag *d)
{
	struct smtp_session *s;
	int fd, one = 1, rc;
	size_t max;
	const struct sockaddr *dst = sa;	/* the proxy, with one */
	socklen_t dstlen = salen;

	if (o->helo == NULL || o->helo[0] == '\0' || o->mail_from == NULL ||
	    !sess_safe_arg(o->helo, SMTP_LINE_MAX - sizeof("EHLO \r\n")) ||
	    strchr(o->helo, ' ') != NULL ||
	    !sess_safe_arg(o->mail_from,
	    SMTP_LINE_MAX - sizeof("MAIL FROM:<> SMTPUTF8\r\n"))) {
		diag_set(d, DIAG_USAGE, "SMTP: unusable HELO name or sender");
		return NULL;
	}
	if (o->tls != SMTP_TLS_OFF && o->ssl_ctx == NULL) {
		diag_set(d, DIAG_INTERNAL, "SMTP: TLS wanted but no SSL_CTX");
		return NULL;
	}
	if (mx_name != NULL && !sess_safe_arg(mx_name, 255)) {
		diag_set(d, DIAG_USAGE, "SMTP: unusable MX host name");
		return NULL;
	}
	if (salen > sizeof(struct sockaddr_storage) ||
	    (sa->sa_family != AF_INET && sa->sa_family != AF_INET6)) {
		diag_set(d, DIAG_INTERNAL, "SMTP: unsupported address");
		return NULL;
	}
	if (o->proxy != NULL) {
		if (o->proxy->salen == 0) {
			diag_set(d, DIAG_INTERNAL, "SMTP: proxy not resolved");
			return NULL;
		}
		dst = (const struct sockaddr *)&o->proxy->sa;
		dstlen = o->proxy->salen;
	}
	/* the source address binds the connection we open: to the proxy
	 * when there is one */
	if (o->source != NULL && (o->source->sa_family != dst->sa_family ||
	    o->source_len > sizeof(struct sockaddr_storage))) {
		diag_set(d, DIAG_INTERNAL, "SMTP: source address of another "
		    "family than the %s's", o->proxy ? "proxy" : "mail host");
		return NULL;
	}
	fd = socket(dst->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd < 0) {
		diag_set(d, DIAG_INTERNAL, "SMTP: socket: %s", strerror(errno));
		return NULL;
	}
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (o->source != NULL) {
		char txt[INET6_ADDRSTRLEN] = "?";

#ifdef IP_BIND_ADDRESS_NO_PORT
		/* Linux: the port is chosen at connect(), per destination,
		 * not at bind() from one pool for every destination. */
		(void)setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one,
		    sizeof(one));
#endif
		if (bind(fd, o->source, o->source_len) != 0) {
			int err = errno;

			if (o->source->sa_family == AF_INET6)
				(void)inet_ntop(AF_INET6, &((const struct
				    sockaddr_in6 *)(const void *)o->source)->
				    sin6_addr, txt, sizeof(txt));
			else
				(void)inet_ntop(AF_INET, &((const struct
				    sockaddr_in *)(const void *)o->source)->
				    sin_addr, txt, sizeof(txt));
			close(fd);
			diag_set(d, DIAG_INTERNAL, "SMTP: bind to source %s: "
			    "%s", txt, strerror(err));
			return NULL;
		}
	}

	s = xcalloc(1, sizeof(*s));
	s->loop = loop;
	s->o = *o;
	s->helo = xstrdup(o->helo);
	s->mail_from = xstrdup(o->mail_from);
	s->o.helo = s->helo;
	s->o.mail_from = s->mail_from;
	s->mx_name = mx_name != NULL ? xstrdup(mx_name) : NULL;
	if (s->o.rcpt_per_txn == 0)
		s->o.rcpt_per_txn = 50;
	if (s->o.rcpt_per_txn > SMTP_RCPT_MAX)
		s->o.rcpt_per_txn = SMTP_RCPT_MAX;
	if (s->o.connect_ms == 0)
		s->o.connect_ms = 30000;
	if (s->o.banner_ms == 0)
		s->o.banner_ms = 120000;
	if (s->o.command_ms == 0)
		s->o.command_ms = 60000;
	if (s->o.tls == SMTP_TLS_OFF)
		s->o.ssl_ctx = NULL;
	else
		SSL_CTX_up_ref(s->o.ssl_ctx);
	s->cb = *cb;
	s->arg = arg;
	memcpy(&s->sa, sa, salen);
	s->salen = salen;
	s->fd = fd;
	evtimer_init(&s->timer);
	evtimer_init(&s->defer);
	smtp_reply_parser_init(&s->rp);
	buf_init(&s->out, SESSION_OUT_MAX);
	buf_init(&s->ehlo_raw, SESSION_EHLO_MAX);
	max = s->o.rcpt_per_txn;
	s->batch = xcalloc(max, sizeof(*s->batch));
	s->scratch = xcalloc(max, sizeof(*s->scratch));
	s->held = xcalloc(max, sizeof(*s->held));
	s->state = ST_CONNECT;
	if (o->proxy != NULL) {
		/* SOCKS5 (RFC 1928): TCP to the proxy, then the handshake
		 * asks it for sa; the dialogue runs in the tunnel. */
		s->proxied = true;
		s->socks = socks5_new(o->proxy, sa, salen);
		memcpy(s->proxy_shown, o->proxy->shown,
		    sizeof(s->proxy_shown));
		s->o.proxy = NULL;	/* not ours to keep */
	}

	rc = connect(fd, dst, dstlen);
	if (rc == 0 && !s->proxied) {
		sess_connected(s);	/* loopback can be that quick */
		return s;
	}
	/* rc 0 with a proxy: the handshake starts from the loop (writable) */
	if (rc < 0 && errno != EINPROGRESS && errno != EINTR) {
		/* ended() must come from the loop: defer it */
		sess_detail(s, "connect: %s", strerror(errno));
		evloop_timer_set(loop, &s->defer, 0, on_defer, s);
		return s;
	}
	sess_arm(s, s->o.connect_ms);
	if (evloop_watch(loop, fd, false, true, on_io, s, d) < 0) {
		sess_close(s);
		sess_free(s);
		return NULL;
	}
	s->watching = true;
	return s;
}

void
smtp_session_abort(struct smtp_session *s)
{
	if (s == NULL)
		return;
	s->silent = true;
	if (!s->done) {
		sess_close(s);
		s->done = true;
	}
	if (s->depth == 0)
		sess_free(s);
}

/* sess_close - stop all I/O and timers, release the socket and TLS. */
static void
sess_close(struct smtp_session *s)
{
	evloop_timer_cancel(s->loop, &s->timer);
	evloop_timer_cancel(s->loop, &s->defer);
	if (s->fd >= 0) {
		if (s->watching)
			(void)evloop_watch(s->loop, s->fd, false, false, NULL,
			    NULL, NULL);
		s->watching = false;
		if (s->ssl != NULL) {
			struct sigaction old;
			bool ch = sigpipe_off(&old);

			/* one close_notify attempt, never waited for */
			if (SSL_is_init_finished(s->ssl))
				(void)SSL_shutdown(s->ssl);
			sigpipe_restore(ch, &old);
			ERR_clear_error();
		}
		close(s->fd);
		s->fd = -1;
	}
	if (s->ssl != NULL) {
		SSL_free(s->ssl);
		s->ssl = NULL;
	}
	s->state = ST_DONE;
}

/* sess_free - release the memory; the session is closed already. */
static void
sess_free(struct smtp_session *s)
{
	size_t i;

	for (i = 0; i < s->nbatch; i++)
		free(s->batch[i].addr);
	free(s->batch);
	free(s->scratch);
	free(s->held);
	buf_free(&s->out);
	buf_free(&s->ehlo_raw);
	socks5_free(s->socks);
	SSL_CTX_free(s->o.ssl_ctx);
	free(s->helo);
	free(s->mail_from);
	free(s->mx_name);
	free(s);
}

/* sess_leave - the end of a loop callback: free a finished session. */
static void
sess_leave(struct smtp_session *s)
{
	s->depth--;
	if (s->done && s->depth == 0)
		sess_free(s);
}

/*
 * sess_end - close, report the open transaction's recipients (their held
 * replies, none after a protocol error: see the top of the file), then
 * ended(). The caller returns at once afterwards (s->done is set; the
 * memory goes at sess_leave).
 */
static void
sess_end(struct smtp_session *s, enum smtp_end why, const char *phase,
    const struct smtp_reply *last)
{
	struct smtp_reply lastcopy;

	if (s->done)
		return;
	if (last != NULL) {	/* it may live in s */
		lastcopy = *last;
		last = &lastcopy;
	}
	sess_close(s);
	s->done = true;
	sess_report_txn(s, why != SMTP_END_PROTOCOL);
	if (!s->silent && s->cb.ended != NULL)
		s->cb.ended(s->arg, why, phase, last, &s->caps);
	s->silent = true;
}

/*
 * sess_report_txn - rcpt_done for the transaction's unreported recipients:
 * trusted, each with its held RCPT reply (reply NULL when MAIL was refused
 * or the RCPT got none) and the MAIL reply; not trusted (the replies may
 * belong to other commands), all with reply NULL and mail NULL, so that
 * the scheduler asks them again.
 */
static void
sess_report_txn(struct smtp_session *s, bool trusted)
{
	const struct smtp_reply *mail = trusted && s->mail_replied ?
	    &s->mail_reply : NULL;

	while (s->nreported < s->nbatch && !s->silent) {
		size_t i = s->nreported;
		bool have = trusted && s->mail_ok && i < s->nreplied;

		sess_report(s, i, have ? &s->held[i] : NULL, mail);
	}
}

/* sess_report - rcpt_done for batch entry i (must be the next one). */
static void
sess_report(struct smtp_session *s, size_t i, const struct smtp_reply *reply,
    const struct smtp_reply *mail)
{
	s->nreported = i + 1;
	if (!s->silent)
		s->cb.rcpt_done(s->arg, &s->batch[i].r, reply, mail);
}

/* sess_quit_then_end - say QUIT politely, then end with why. */
static void
sess_quit_then_end(struct smtp_session *s, enum smtp_end why,
    const struct smtp_reply *last)
{
	s->quit_why = why;
	s->quit_phase = state_phase[s->state];
	s->quit_have_last = last != NULL;
	if (last != NULL)
		s->quit_last = *last;
	sess_report_txn(s, true);
	if (s->done)
		return;
	sess_enter(s, ST_QUIT);
}

/* sess_arm - (re)start the state timer: ms from now. */
static void
sess_arm(struct smtp_session *s, unsigned ms)
{
	evloop_timer_set(s->loop, &s->timer, evloop_now_ms() + (int64_t)ms,
	    on_timer, s);
}

/*
 * sess_send - append one command line (fmt without CRLF). Wire safety
 * (validator/README, "SMTP facts"): only the seven verbs we use, no
 * control byte in the line, at most SMTP_LINE_MAX bytes with CRLF. A
 * violation is a bug upstream: the line is not sent and false is
 * returned.
 */
static bool
sess_send(struct smtp_session *s, const char *fmt, ...)
{
	static const char *const verbs[] = {
		"EHLO ", "HELO ", "STARTTLS", "MAIL FROM:<", "RCPT TO:<",
		"RSET", "QUIT",
	};
	char line[SMTP_LINE_MAX + 1];
	va_list ap;
	int n;
	size_t i, len;
	bool verb_ok = false;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n > SMTP_LINE_MAX - 2)
		return false;
	len = (size_t)n;
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (strncmp(line, verbs[i], strlen(verbs[i])) == 0)
			verb_ok = true;
	if (!verb_ok)
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)line[i];

		if (c < 0x20 || c == 0x7f)
			return false;
	}
	line[len++] = '\r';
	line[len++] = '\n';
	if (s->ncmd == SESSION_CMD_MAX || buf_append(&s->out, line, len) < 0)
		return false;
	/* awaited only once written to the last byte (sess_wrote) */
	s->cmd_end[s->ncmd++] = s->out.len;
	return true;
}

/*
 * sess_enter - the only assignment of s->state: arm the state's timer and
 * run its entry action. An action that leads straight to another state
 * (READY) loops here rather than recursing.
 */
static void
sess_enter(struct smtp_session *s, enum sstate st)
{
	bool ok = true;

	s->state = st;
	switch (st) {
	case ST_BANNER:
		s->awaiting = 1;	/* the greeting: a reply due */
		sess_arm(s, s->o.banner_ms);
		return;
	case ST_EHLO:
		ok = sess_send(s, "EHLO %s", s->helo);
		break;
	case ST_HELO:
		ok = sess_send(s, "HELO %s", s->helo);
		break;
	case ST_STARTTLS:
		s->tls_tried = true;
		ok = sess_send(s, "STARTTLS");
		break;
	case ST_TLS:
		break;
	case ST_READY:
		evloop_timer_cancel(s->loop, &s->timer);
		sess_ready(s);
		return;
	case ST_MAIL:
		sess_mail(s);
		return;
	case ST_RCPT:
		break;
	case ST_RSET:
		if (!s->rset_sent)
			ok = sess_send(s, "RSET");
		s->rset_sent = true;
		break;
	case ST_QUIT:
		ok = sess_send(s, "QUIT");
		break;
	case ST_CONNECT:
	case ST_PROXY:
	case ST_DONE:
	case ST_LAST:
		return;
	}
	if (!ok) {
		sess_detail(s, "internal: cannot build the %s command",
		    state_phase[st]);
		sess_end(s, SMTP_END_PROTOCOL, state_phase[st], NULL);
		return;
	}
	sess_arm(s, s->o.command_ms);
}

/* sess_tls_wanted - STARTTLS is to be tried now. */
static bool
sess_tls_wanted(const struct smtp_session *s)
{
	return s->o.tls != SMTP_TLS_OFF && !s->caps.tls && !s->tls_tried &&
	    s->caps.starttls;
}

/* sess_after_hello - EHLO/HELO accepted: TLS, TLS_REQUIRED or work. */
static void
sess_after_hello(struct smtp_session *s)
{
	if (sess_tls_wanted(s)) {
		sess_enter(s, ST_STARTTLS);
		return;
	}
	if ((s->o.tls == SMTP_TLS_REQUIRED || s->o.tls == SMTP_TLS_VERIFY) &&
	    !s->caps.tls) {
		sess_detail(s, "STARTTLS not offered");
		sess_quit_then_end(s, SMTP_END_TLS_REQUIRED, NULL);
		return;
	}
	sess_enter(s, ST_READY);
}

/*
 * sess_rcpt_unsafe - whether r must not reach the wire (validator/README,
 * "SMTP facts"), with the reason. The address checker is the real gate;
 * this is the second one, defence in depth.
 */
static bool
sess_rcpt_unsafe(const struct smtp_session *s, const struct smtp_rcpt *r,
    const char **why)
{
	size_t n;
	bool eight = false;

	if (r->addr == NULL || r->addr[0] == '\0') {
		*why = "empty recipient";
		return true;
	}
	for (n = 0; r->addr[n] != '\0'; n++) {
		unsigned char c = (unsigned char)r->addr[n];

		if (c < 0x20 || c == 0x7f) {
			*why = "control byte in recipient";
			return true;
		}
		if (c == '<' || c == '>') {
			*why = "angle bracket in recipient";
			return true;
		}
		if (c >= 0x80)
			eight = true;
	}
	if (n + sizeof("RCPT TO:<>\r\n") - 1 > SMTP_LINE_MAX) {
		*why = "RCPT line longer than 512 octets";
		return true;
	}
	if (eight && !r->utf8) {
		*why = "8-bit recipient not flagged utf8";
		return true;
	}
	if (r->utf8 && !s->caps.smtputf8) {
		*why = "utf8 recipient but no SMTPUTF8";
		return true;
	}
	return false;
}

/*
 * sess_ready - ask the scheduler for the next transaction; refuse the
 * unsafe recipients one by one (reported with a SMTP_CODE_UNSAFE reply)
 * and start MAIL, or QUIT when nothing is left.
 */
static void
sess_ready(struct smtp_session *s)
{
	size_t i, n, k;
	const char *why;
	struct smtp_reply unsafe;

	for (i = 0; i < s->nbatch; i++)
		free(s->batch[i].addr);
	s->nbatch = s->nsent = s->nreplied = s->nreported = 0;
	s->pipelined = s->rset_sent = s->mail_replied = s->mail_ok = false;
	for (;;) {
		if (s->silent)
			return;
		n = s->cb.next_batch(s->arg, &s->caps, s->scratch,
		    s->o.rcpt_per_txn);
		if (s->done)
			return;	/* aborted from inside next_batch */
		if (n > s->o.rcpt_per_txn)
			n = s->o.rcpt_per_txn;
		if (n == 0) {
			sess_enter(s, ST_QUIT);
			return;
		}
		/* copy everything first, so reports never see scratch */
		for (i = 0; i < n; i++) {
			s->batch[i].r = s->scratch[i];
			s->batch[i].addr = s->scratch[i].addr != NULL ?
			    xstrdup(s->scratch[i].addr) : NULL;
			s->batch[i].r.addr = s->batch[i].addr;
		}
		/* report the unsafe ones, keep the others in order */
		for (i = 0, k = 0; i < n; i++) {
			if (!sess_rcpt_unsafe(s, &s->batch[i].r, &why)) {
				s->batch[k++] = s->batch[i];
				continue;
			}
			memset(&unsafe, 0, sizeof(unsafe));
			unsafe.code = SMTP_CODE_UNSAFE;
			unsafe.nlines = 1;
			snprintf(unsafe.text, sizeof(unsafe.text),
			    "listscrub: not sent: %s", why);
			if (!s->silent)
				s->cb.rcpt_done(s->arg, &s->batch[i].r, &unsafe,
				    NULL);
			free(s->batch[i].addr);
			if (s->done) {
				/* aborted: drop what is left */
				s->nbatch = k;
				for (i++; i < n; i++)
					free(s->batch[i].addr);
				return;
			}
		}
		s->nbatch = k;
		if (k > 0)
			break;
	}
	sess_enter(s, ST_MAIL);
}

/* sess_mail - MAIL's entry action: MAIL FROM, and with pipelining the
 * RCPTs and the RSET behind it. */
static void
sess_mail(struct smtp_session *s)
{
	size_t i;
	bool utf8 = false, ok;

	for (i = 0; i < s->nbatch; i++)
		if (s->batch[i].r.utf8)
			utf8 = true;
	ok = sess_send(s, "MAIL FROM:<%s>%s", s->mail_from,
	    utf8 && s->caps.smtputf8 ? " SMTPUTF8" : "");
	s->pipelined = s->o.pipelining && s->caps.pipelining;
	if (ok && s->pipelined) {
		for (i = 0; ok && i < s->nbatch; i++) {
			ok = sess_send(s, "RCPT TO:<%s>", s->batch[i].addr);
			s->nsent++;
		}
		if (ok)
			ok = sess_send(s, "RSET");
		s->rset_sent = true;
	}
	if (!ok) {
		sess_detail(s, "internal: cannot build MAIL/RCPT");
		sess_end(s, SMTP_END_PROTOCOL, "mail", NULL);
		return;
	}
	sess_arm(s, s->o.command_ms);
}

/*
 * sess_parse_caps - ESMTP keywords (RFC 5321 4.1.1.1) from the raw bytes
 * of the EHLO reply: smtp_reply joins the lines' texts with spaces, so
 * the line structure (one keyword per line after the first) is taken
 * from the wire bytes the parser accepted.
 */
static void
sess_parse_caps(struct smtp_session *s)
{
	const char *p = buf_str(&s->ehlo_raw);
	const char *end = p + s->ehlo_raw.len;
	bool first = true;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *kw = p + 4;
		size_t n = 0;

		if (eol == NULL)
			eol = end;
		if (first) {
			/* "250-name greeting": the server's words about
			 * itself, control bytes dropped */
			size_t k = 0;

			for (const char *c = kw; c < eol && k + 1 <
			    sizeof(s->caps.hello); c++)
				if ((unsigned char)*c >= 0x20 && *c != 0x7f)
					s->caps.hello[k++] = *c;
			s->caps.hello[k] = '\0';
		}
		if (!first && eol - p > 4) {
			while (kw + n < eol && kw[n] != ' ' && kw[n] != '=' &&
			    kw[n] != '\r')
				n++;
#define KW(word) (n == sizeof(word) - 1 && ascii_ncasecmp(kw, word, n) == 0)
			if (KW("PIPELINING"))
				s->caps.pipelining = true;
			else if (KW("STARTTLS"))
				s->caps.starttls = true;
			else if (KW("SMTPUTF8"))
				s->caps.smtputf8 = true;
			else if (KW("ENHANCEDSTATUSCODES"))
				s->caps.enhancedstatuscodes = true;
			else if (KW("SIZE"))
				s->caps.size = true;
#undef KW
		}
		first = false;
		p = eol + 1;
	}
}

/*
 * sess_reply_due - account for reply r before it is handled: it must
 * answer a command on the wire (or be the greeting), and when it answers
 * the last one nothing may follow it (buffered: bytes after it in rbuf).
 * See "Replies out of turn" at the top. False after ending the session.
 */
static bool
sess_reply_due(struct smtp_session *s, const struct smtp_reply *r,
    bool buffered)
{
	const char *phase = state_phase[s->state];

	if (s->state == ST_QUIT) {
		/* the work is reported; on_reply ends at the QUIT's reply */
		if (s->awaiting > 0)
			s->awaiting--;
		return true;
	}
	if (s->awaiting == 0) {
		if (r->code == 421) {
			/* RFC 5321 3.8: the server is going away */
			sess_end(s, SMTP_END_REFUSED, phase, r);
			return false;
		}
		sess_detail(s, "unsolicited reply %d", r->code);
		sess_end(s, SMTP_END_PROTOCOL, phase, r);
		return false;
	}
	if (--s->awaiting == 0 && (buffered || sess_more_pending(s))) {
		/* nothing we sent can be answered by these bytes */
		if (s->state == ST_STARTTLS && r->code == 220)
			sess_detail(s, "bytes after 220 to STARTTLS");
		else
			sess_detail(s, "bytes after the reply (%d) to the "
			    "last command sent", r->code);
		sess_end(s, SMTP_END_PROTOCOL, phase, r);
		return false;
	}
	return true;
}

/*
 * sess_misplaced - r cannot answer the command it is matched with, so it
 * answers another one. We send no DATA, AUTH or BDAT: no 1xx or 3xx
 * reply is ours (RFC 5321 4.2.1, 4.3.2). 220 answers only the connection
 * and STARTTLS (RFC 3207 4), 221 only QUIT; those two take no other 2xx.
 */
static bool
sess_misplaced(const struct smtp_session *s, const struct smtp_reply *r)
{
	int c = r->code / 100;

	if (s->state == ST_QUIT)
		return false;
	if (c == 1 || c == 3 || r->code == 221)
		return true;
	if (s->state == ST_BANNER || s->state == ST_STARTTLS)
		return c == 2 && r->code != 220;
	return r->code == 220;
}

/* on_reply - one complete reply, in command order. */
static void
on_reply(struct smtp_session *s, const struct smtp_reply *r)
{
	int c = r->code / 100;

	if (r->code == 421 && s->state != ST_QUIT) {
		sess_end(s, SMTP_END_REFUSED, state_phase[s->state], r);
		return;
	}
	if (sess_misplaced(s, r)) {
		if (s->state == ST_BANNER)
			sess_detail(s, "reply %d before the greeting", r->code);
		else
			sess_detail(s, "reply %d cannot answer %s", r->code,
			    state_phase[s->state]);
		sess_end(s, SMTP_END_PROTOCOL, state_phase[s->state], r);
		return;
	}
	switch (s->state) {
	case ST_BANNER:
		if (r->code != 220) {
			/* RFC 5321 3.1 (554), 4.2.2 (4xx/5xx) */
			sess_end(s, SMTP_END_REFUSED, "banner", r);
			return;
		}
		snprintf(s->caps.greeting, sizeof(s->caps.greeting), "%.*s",
		    (int)sizeof(s->caps.greeting) - 1, r->text);
		sess_enter(s, ST_EHLO);
		return;
	case ST_EHLO:
		if (c == 2) {
			bool tls = s->caps.tls, ver = s->caps.tls_verified;
			char v[sizeof(s->caps.tls_version)];
			char ci[sizeof(s->caps.tls_cipher)];
			char gr[sizeof(s->caps.greeting)];

			/* RFC 3207 4.2: only this EHLO's keywords count */
			memcpy(v, s->caps.tls_version, sizeof(v));
			memcpy(ci, s->caps.tls_cipher, sizeof(ci));
			memcpy(gr, s->caps.greeting, sizeof(gr));
			memset(&s->caps, 0, sizeof(s->caps));
			memcpy(s->caps.greeting, gr, sizeof(gr));
			s->caps.tls = tls;
			s->caps.tls_verified = ver;
			memcpy(s->caps.tls_version, v, sizeof(v));
			memcpy(s->caps.tls_cipher, ci, sizeof(ci));
			s->caps.esmtp = true;
			sess_parse_caps(s);
			sess_after_hello(s);
			return;
		}
		if (c == 5) {
			sess_enter(s, ST_HELO);
			return;
		}
		sess_end(s, SMTP_END_REFUSED, "ehlo", r);
		return;
	case ST_HELO:
		if (c == 2) {
			snprintf(s->caps.hello, sizeof(s->caps.hello), "%.*s",
			    (int)sizeof(s->caps.hello) - 1, r->text);
			sess_after_hello(s);
			return;
		}
		sess_end(s, SMTP_END_REFUSED, "ehlo", r);
		return;
	case ST_STARTTLS:
		if (r->code == 220) {
			sess_tls_begin(s);
			return;
		}
		if (s->o.tls == SMTP_TLS_REQUIRED ||
		    s->o.tls == SMTP_TLS_VERIFY) {
			sess_detail(s, "STARTTLS refused");
			sess_quit_then_end(s, SMTP_END_TLS_REQUIRED, r);
			return;
		}
		sess_enter(s, ST_READY);	/* opportunistic: plaintext */
		return;
	case ST_MAIL:
		s->mail_reply = *r;
		s->mail_replied = true;
		s->mail_ok = c == 2;
		if (!s->mail_ok) {
			/* RCPT replies of a refused MAIL mean nothing; a
			 * pipelined group is drained first (its RSET's reply
			 * closes the transaction) */
			if (s->pipelined && s->nbatch > 0) {
				sess_enter(s, ST_RCPT);
				return;
			}
			/* no transaction was opened: no RSET */
			sess_report_txn(s, true);
			if (s->done)
				return;
			sess_enter(s, ST_READY);
			return;
		}
		if (!s->pipelined) {
			if (!sess_send(s, "RCPT TO:<%s>", s->batch[0].addr)) {
				sess_end(s, SMTP_END_PROTOCOL, "rcpt", NULL);
				return;
			}
			s->nsent++;
		}
		sess_enter(s, ST_RCPT);
		return;
	case ST_RCPT:
		on_reply_rcpt(s, r);
		return;
	case ST_RSET:
		/*
		 * RFC 5321 4.1.1.5: RSET MUST get 250; anything else belongs
		 * to another command, and so may the RCPT replies. After a
		 * refused MAIL no transaction is open: a refused pipelined
		 * RSET (Postfix's 530 before STARTTLS) is moot.
		 */
		if (s->mail_ok && r->code != 250) {
			sess_detail(s, "RSET answered %d", r->code);
			sess_end(s, SMTP_END_PROTOCOL, "rset", r);
			return;
		}
		/* over, and every reply matched its command */
		sess_report_txn(s, true);
		if (s->done)
			return;
		sess_enter(s, ST_READY);
		return;
	case ST_QUIT:
		if (s->awaiting > 0)
			return;	/* a pipelined reply before the 221 */
		sess_end(s, s->quit_why, s->quit_phase != NULL ?
		    s->quit_phase : "quit", s->quit_have_last ? &s->quit_last :
		    r);
		return;
	case ST_CONNECT:
	case ST_PROXY:
	case ST_TLS:
	case ST_READY:
	case ST_DONE:
	case ST_LAST:
		break;
	}
	sess_detail(s, "reply %d in state %s", r->code, state_phase[s->state]);
	sess_end(s, SMTP_END_PROTOCOL, state_phase[s->state], r);
}

/* on_reply_rcpt - the reply to RCPT number s->nreplied: held until the
 * transaction is over (sess_report_txn). */
static void
on_reply_rcpt(struct smtp_session *s, const struct smtp_reply *r)
{
	size_t i = s->nreplied++;

	if (s->mail_ok && i < s->nbatch)
		s->held[i] = *r;
	sess_arm(s, s->o.command_ms);	/* progress: a new wait starts */
	if (s->nreplied < s->nbatch) {
		if (!s->pipelined) {
			if (!sess_send(s, "RCPT TO:<%s>",
			    s->batch[s->nreplied].addr)) {
				sess_end(s, SMTP_END_PROTOCOL, "rcpt", NULL);
				return;
			}
			s->nsent++;
		}
		return;
	}
	sess_enter(s, ST_RSET);
}

/* on_timer - the current state's timeout. */
static void
on_timer(void *arg)
{
	struct smtp_session *s = arg;

	s->depth++;
	if (s->state == ST_QUIT) {
		/* the work is done; a silent QUIT changes nothing */
		sess_end(s, s->quit_why, s->quit_phase != NULL ?
		    s->quit_phase : "quit", s->quit_have_last ? &s->quit_last :
		    NULL);
	} else if (s->proxied && (s->state == ST_CONNECT ||
	    s->state == ST_PROXY)) {
		/* The proxy, not the mail host, did not answer. */
		sess_detail(s, "proxy %s: no %s in time", s->proxy_shown,
		    s->state == ST_CONNECT ? "connection" : "reply");
		sess_end(s, SMTP_END_PROXY, state_phase[s->state], NULL);
	} else {
		sess_detail(s, "no reply in time");
		sess_end(s, SMTP_END_TIMEOUT, state_phase[s->state], NULL);
	}
	sess_leave(s);
}

/* on_defer - report a connect that failed inside smtp_session_start. */
static void
on_defer(void *arg)
{
	struct smtp_session *s = arg;

	s->depth++;
	sess_end(s, s->proxied ? SMTP_END_PROXY : SMTP_END_CONNECT_FAILED,
	    "connect", NULL);
	sess_leave(s);
}

/* sess_connect_failed - the connect failed with err: the mail host's
 * trouble, or the proxy's when there is one. */
static void
sess_connect_failed(struct smtp_session *s, int err)
{
	if (s->proxied) {
		sess_detail(s, "proxy %s: connect: %s", s->proxy_shown,
		    strerror(err));
		sess_end(s, SMTP_END_PROXY, "connect", NULL);
	} else {
		sess_detail(s, "connect: %s", strerror(err));
		sess_end(s, SMTP_END_CONNECT_FAILED, "connect", NULL);
	}
}

/* sess_connected - TCP is up: the proxy handshake first, if any, then
 * wait for the banner. */
static void
sess_connected(struct smtp_session *s)
{
	if (s->socks != NULL && s->state == ST_CONNECT) {
		s->state = ST_PROXY;
		sess_arm(s, s->o.connect_ms);
		sess_proxy_step(s);
		return;
	}
	sess_enter(s, ST_BANNER);
	sess_watch(s);
}

/* sess_proxy_step - drive the SOCKS5 handshake; on success the socket is
 * the tunnel to the mail host and the SMTP dialogue starts on it. */
static void
sess_proxy_step(struct smtp_session *s)
{
	switch (socks5_step(s->socks, s->fd)) {
	case SOCKS5_WANT_READ:
		if (evloop_watch(s->loop, s->fd, true, false, on_io, s,
		    NULL) == 0)
			s->watching = true;
		return;
	case SOCKS5_WANT_WRITE:
		if (evloop_watch(s->loop, s->fd, false, true, on_io, s,
		    NULL) == 0)
			s->watching = true;
		return;
	case SOCKS5_DONE:
		socks5_free(s->socks);
		s->socks = NULL;
		sess_connected(s);
		return;
	case SOCKS5_FAILED:
		sess_detail(s, "%s", socks5_error(s->socks));
		sess_end(s, SMTP_END_PROXY, "proxy", NULL);
		return;
	}
}

/* on_io - the one I/O handler. */
static void
on_io(void *arg, int fd, bool rd, bool wr)
{
	struct smtp_session *s = arg;

	(void)fd;
	(void)rd;
	(void)wr;
	s->depth++;
	if (s->state == ST_CONNECT) {
		int err = 0;
		socklen_t len = sizeof(err);

		if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
			err = errno;
		if (err == EINPROGRESS) {
			sess_leave(s);
			return;
		}
		if (err != 0)
			sess_connect_failed(s, err);
		else
			sess_connected(s);
		sess_leave(s);
		return;
	}
	if (s->state == ST_PROXY) {
		sess_proxy_step(s);
		sess_leave(s);
		return;
	}
	if (s->state == ST_TLS) {
		sess_tls_step(s);
		sess_leave(s);
		return;
	}
	if (sess_flush(s) < 0 || s->done) {
		sess_leave(s);
		return;
	}
	if (sess_read(s) < 0 || s->done) {
		/* ended, or the 220 to STARTTLS came: start the handshake */
		if (!s->done && s->state == ST_TLS)
			sess_tls_step(s);
		sess_leave(s);
		return;
	}
	if (sess_flush(s) == 0 && !s->done)
		sess_watch(s);
	sess_leave(s);
}

/* sigpipe_off - ignore SIGPIPE around an OpenSSL call that may write
 * (curl's sigpipe_ignore); true if the disposition was changed. */
static bool
sigpipe_off(struct sigaction *old)
{
	struct sigaction ign;

	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	if (sigaction(SIGPIPE, NULL, old) < 0 || old->sa_handler == SIG_IGN)
		return false;
	return sigaction(SIGPIPE, &ign, NULL) == 0;
}

/* sigpipe_restore - undo sigpipe_off. */
static void
sigpipe_restore(bool changed, const struct sigaction *old)
{
	if (changed)
		(void)sigaction(SIGPIPE, old, NULL);
}

/*
 * sess_flush - write what is pending; commands written to the last byte
 * now await their replies. 0 (all written or the socket is full), -1
 * after ending the session (write error).
 */
static int
sess_flush(struct smtp_session *s)
{
	while (s->out_off < s->out.len) {
		const char *p = s->out.data + s->out_off;
		size_t n = s->out.len - s->out_off;

		if (s->ssl != NULL) {
			struct sigaction old;
			bool ch;
			size_t w = 0;
			int r, e;

			if (s->ssl_wlen != 0)
				n = s->ssl_wlen;	/* retry as before */
			ch = sigpipe_off(&old);
			r = SSL_write_ex(s->ssl, p, n, &w);
			e = r == 1 ? SSL_ERROR_NONE : SSL_get_error(s->ssl, r);
			sigpipe_restore(ch, &old);
			s->ssl_write_wants_read = false;
			if (e == SSL_ERROR_NONE) {
				s->ssl_wlen = 0;
				s->out_off += w;
				sess_wrote(s);
				continue;
			}
			s->ssl_wlen = n;
			if (e == SSL_ERROR_WANT_WRITE)
				return 0;
			if (e == SSL_ERROR_WANT_READ) {
				s->ssl_write_wants_read = true;
				return 0;
			}
			sess_tls_error(s, "write", e);
			sess_end(s, SMTP_END_DROPPED, state_phase[s->state],
			    NULL);
			return -1;
		} else {
			ssize_t w = send(s->fd, p, n, MSG_NOSIGNAL);

			if (w > 0) {
				s->out_off += (size_t)w;
				sess_wrote(s);
				continue;
			}
			if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
				return 0;
			if (w < 0 && errno == EINTR)
				continue;
			sess_detail(s, "write: %s", strerror(errno));
			sess_end(s, SMTP_END_DROPPED, state_phase[s->state],
			    NULL);
			return -1;
		}
	}
	buf_reset(&s->out);
	s->out_off = 0;
	s->ncmd = s->nwritten = 0;
	return 0;
}

/* sess_wrote - the commands whose last byte is written are on the wire:
 * from now on the server may answer them. */
static void
sess_wrote(struct smtp_session *s)
{
	while (s->nwritten < s->ncmd &&
	    s->cmd_end[s->nwritten] <= s->out_off) {
		s->nwritten++;
		s->awaiting++;
	}
}

/*
 * sess_read - read all that is there (through TLS: until SSL_read wants
 * more, which drains SSL_pending) and feed it to the reply parser.
 * 0, or -1 when the session ended (EOF, error, protocol) or TLS is
 * starting (s->state == ST_TLS, the caller checks).
 */
static int
sess_read(struct smtp_session *s)
{
	for (;;) {
		size_t got = 0;

		if (s->ssl != NULL) {
			struct sigaction old;
			bool ch = sigpipe_off(&old);
			int r = SSL_read_ex(s->ssl, s->rbuf, sizeof(s->rbuf),
			    &got);
			int e = r == 1 ? SSL_ERROR_NONE :
			    SSL_get_error(s->ssl, r);

			sigpipe_restore(ch, &old);
			s->ssl_read_wants_write = false;
			if (e == SSL_ERROR_WANT_READ)
				return sess_drained(s);
			if (e == SSL_ERROR_WANT_WRITE) {
				s->ssl_read_wants_write = true;
				return sess_drained(s);
			}
			if (e == SSL_ERROR_ZERO_RETURN ||
			    (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0)) {
				got = 0;	/* close_notify or plain EOF */
			} else if (e != SSL_ERROR_NONE) {
				sess_tls_error(s, "read", e);
				if (s->state == ST_QUIT)
					sess_end(s, s->quit_why,
					    s->quit_phase != NULL ?
					    s->quit_phase : "quit",
					    s->quit_have_last ?
					    &s->quit_last : NULL);
				else
					sess_end(s, SMTP_END_DROPPED,
					    state_phase[s->state], NULL);
				return -1;
			}
			ERR_clear_error();
		} else {
			ssize_t r = recv(s->fd, s->rbuf, sizeof(s->rbuf), 0);

			if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
				return sess_drained(s);
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0) {
				sess_detail(s, "read: %s", strerror(errno));
				sess_end(s, s->state == ST_QUIT ?
				    s->quit_why : SMTP_END_DROPPED,
				    state_phase[s->state], NULL);
				return -1;
			}
			got = (size_t)r;
		}
		if (got == 0) {
			/* EOF: fine after QUIT, a drop anywhere else */
			if (s->state == ST_QUIT)
				sess_end(s, s->quit_why, s->quit_phase != NULL ?
				    s->quit_phase : "quit", s->quit_have_last ?
				    &s->quit_last : NULL);
			else {
				sess_detail(s, "connection closed by server");
				sess_end(s, SMTP_END_DROPPED,
				    state_phase[s->state], NULL);
			}
			return -1;
		}
		s->rlen = got;
		if (sess_input(s) < 0)
			return -1;
	}
}

/*
 * sess_drained - all there was is read. A partial reply while no command
 * awaits one is the start of an unsolicited reply: once our next command
 * is out it would pass for that command's reply. 0, or -1 after ending.
 */
static int
sess_drained(struct smtp_session *s)
{
	if (s->awaiting == 0 && s->reply_bytes > 0 && s->state != ST_QUIT) {
		sess_detail(s, "unsolicited bytes");
		sess_end(s, SMTP_END_PROTOCOL, state_phase[s->state], NULL);
		return -1;
	}
	return 0;
}

/*
 * sess_more_pending - whether unread bytes wait: decrypted ones in
 * OpenSSL, or (plaintext) in the kernel. Under TLS the kernel's bytes
 * are records (maybe a session ticket), not replies: not counted; a
 * reply among them is read in the same sess_read and found unsolicited.
 */
static bool
sess_more_pending(struct smtp_session *s)
{
	char c;

	if (s->ssl != NULL)
		return SSL_pending(s->ssl) > 0;
	return recv(s->fd, &c, 1, MSG_PEEK | MSG_DONTWAIT) > 0;
}

/*
 * sess_input - feed s->rbuf[0..rlen) to the parser, one reply at a time.
 * 0, or -1 when the session ended or TLS is starting.
 */
static int
sess_input(struct smtp_session *s)
{
	size_t off = 0;
	struct smtp_reply r;

	while (off < s->rlen) {
		size_t used = 0;
		int k = smtp_reply_feed(&s->rp, s->rbuf + off, s->rlen - off,
		    &used, &r);

		if (k < 0 || used > s->rlen - off ||
		    (k == 1 && used == 0 && s->reply_bytes == 0)) {
			sess_detail(s, "malformed reply");
			sess_end(s, SMTP_END_PROTOCOL, state_phase[s->state],
			    NULL);
			return -1;
		}
		if (s->state == ST_EHLO)
			(void)buf_append(&s->ehlo_raw, s->rbuf + off, used);
		off += used;
		s->reply_bytes += used;
		if (k == 0) {
			if (s->reply_bytes > SESSION_REPLY_MAX) {
				sess_detail(s, "reply longer than %d bytes",
				    SESSION_REPLY_MAX);
				sess_end(s, SMTP_END_PROTOCOL,
				    state_phase[s->state], NULL);
				return -1;
			}
			if (used == 0)
				break;
			continue;
		}
		s->reply_bytes = 0;
		/* also RFC 3207 5, CVE-2011-0411: plaintext after 220 */
		if (!sess_reply_due(s, &r, off < s->rlen))
			return -1;
		on_reply(s, &r);
		buf_reset(&s->ehlo_raw);
		if (s->done)
			return -1;
		if (s->state == ST_TLS) {
			s->rlen = 0;
			return -1;
		}
	}
	s->rlen = 0;
	return 0;
}

/* sess_tls_begin - the 220 to STARTTLS came: set up the SSL. */
static void
sess_tls_begin(struct smtp_session *s)
{
	struct in6_addr ip6;
	struct in_addr ip4;

	ERR_clear_error();
	s->ssl = SSL_new(s->o.ssl_ctx);
	if (s->ssl == NULL || SSL_set_fd(s->ssl, s->fd) != 1) {
		sess_tls_error(s, "setup", SSL_ERROR_SSL);
		sess_end(s, SMTP_END_TLS_FAILED, "tls", NULL);
		return;
	}
	if (s->mx_name != NULL && s->mx_name[0] != '\0') {
		/* SNI takes host names only (RFC 6066 3) */
		if (inet_pton(AF_INET, s->mx_name, &ip4) != 1 &&
		    inet_pton(AF_INET6, s->mx_name, &ip6) != 1)
			(void)SSL_set_tlsext_host_name(s->ssl, s->mx_name);
		SSL_set_hostflags(s->ssl,
		    X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
		(void)SSL_set1_host(s->ssl, s->mx_name);
	}
	SSL_set_verify(s->ssl, s->o.tls == SMTP_TLS_VERIFY ?
	    SSL_VERIFY_PEER : SSL_VERIFY_NONE, NULL);
	/* plaintext state is gone (RFC 3207 4.2) */
	smtp_reply_parser_reset(&s->rp);
	s->reply_bytes = 0;
	buf_reset(&s->out);
	s->out_off = 0;
	s->ncmd = s->nwritten = 0;
	s->awaiting = 0;
	sess_enter(s, ST_TLS);
	sess_arm(s, s->o.command_ms);
}

/* sess_tls_step - advance the handshake; on success EHLO again. */
static void
sess_tls_step(struct smtp_session *s)
{
	struct sigaction old;
	bool ch = sigpipe_off(&old);
	int r = SSL_connect(s->ssl);
	int e = r == 1 ? SSL_ERROR_NONE : SSL_get_error(s->ssl, r);
	const char *cipher;

	sigpipe_restore(ch, &old);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
		s->ssl_hs_wants_write = e == SSL_ERROR_WANT_WRITE;
		sess_watch(s);
		return;
	}
	if (e != SSL_ERROR_NONE) {
		sess_tls_error(s, "handshake", e);
		sess_end(s, SMTP_END_TLS_FAILED, "tls", NULL);
		return;
	}
	s->ssl_hs_wants_write = false;
	s->caps.tls = true;
	s->caps.tls_verified = SSL_get_verify_result(s->ssl) == X509_V_OK &&
	    s->mx_name != NULL && SSL_get0_peer_certificate(s->ssl) != NULL;
	snprintf(s->caps.tls_version, sizeof(s->caps.tls_version), "%s",
	    SSL_get_version(s->ssl));
	cipher = SSL_get_cipher_name(s->ssl);
	snprintf(s->caps.tls_cipher, sizeof(s->caps.tls_cipher), "%s",
	    cipher != NULL ? cipher : "");
	sess_enter(s, ST_EHLO);
	if (s->done)
		return;
	/* the EHLO goes out now; the server may also have sent tickets */
	if (sess_flush(s) < 0 || s->done)
		return;
	if (sess_read(s) < 0 || s->done)
		return;
	if (sess_flush(s) == 0 && !s->done)
		sess_watch(s);
}

/* sess_tls_error - detail text from the OpenSSL error queue. */
static void
sess_tls_error(struct smtp_session *s, const char *what, int e)
{
	char es[200] = "";
	unsigned long code = ERR_get_error();
	long vr = s->ssl != NULL ? SSL_get_verify_result(s->ssl) : X509_V_OK;

	if (code != 0)
		ERR_error_string_n(code, es, sizeof(es));
	else if (e == SSL_ERROR_SYSCALL)
		snprintf(es, sizeof(es), "%s", errno != 0 ? strerror(errno) :
		    "connection closed");
	else
		snprintf(es, sizeof(es), "SSL error %d", e);
	ERR_clear_error();
	if (vr != X509_V_OK)
		sess_detail(s, "TLS %s: %s (verify: %s)", what, es,
		    X509_verify_cert_error_string(vr));
	else
		sess_detail(s, "TLS %s: %s", what, es);
}

/* sess_watch - set the fd interest for the current state. We always
 * read (EOF and unsolicited 421 must be seen); we write when output is
 * pending or OpenSSL asks for it. */
static void
sess_watch(struct smtp_session *s)
{
	bool wr;

	if (s->done || s->fd < 0)
		return;
	if (s->state == ST_TLS)
		wr = s->ssl_hs_wants_write;
	else
		wr = (s->out_off < s->out.len && !s->ssl_write_wants_read) ||
		    s->ssl_read_wants_write;
	if (evloop_watch(s->loop, s->fd, true, wr, on_io, s, NULL) == 0)
		s->watching = true;
}
