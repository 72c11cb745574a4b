/*
 * smtp_session - one SMTP client connection to one mail host address,
 * driven by the program's evloop (RFC 5321 3.1-3.3, 4.1.1, 4.5.3.2;
 * RFC 2920 PIPELINING; RFC 3207 STARTTLS; RFC 6531 SMTPUTF8).
 *
 * The session runs the dialogue and reports replies; it knows nothing
 * about verdicts. Dialogue: connect, banner, EHLO (HELO once if EHLO gets
 * a 5xx), STARTTLS when offered and wanted (then EHLO again, with every
 * capability learned before TLS forgotten), then transactions of
 * MAIL FROM + RCPT TO (pipelined in one write when the server offers
 * PIPELINING and opts.pipelining is set), RSET after each, QUIT at the
 * end. It never sends DATA, VRFY or EXPN: the only commands it can build
 * are EHLO, HELO, STARTTLS, MAIL, RCPT, RSET and QUIT.
 *
 * Ownership: the session copies opts (strings included), mx_name and the
 * recipients next_batch hands it (addr strings are copied at once), and
 * takes its own reference on opts.ssl_ctx. It frees itself after ended().
 *
 * Failure: only smtp_session_start can fail synchronously (bad options,
 * no socket); everything after that ends through the ended callback,
 * exactly once, always from evloop_run_once.
 *
 * The process must not die of SIGPIPE: plaintext writes use MSG_NOSIGNAL
 * and OpenSSL calls run with SIGPIPE ignored for their duration.
 */
#ifndef LISTSCRUB_SMTP_SESSION_H
#define LISTSCRUB_SMTP_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sys/socket.h>

#include <openssl/ssl.h>

#include "smtp/smtp_reply.h"

struct diag;
struct evloop;
struct smtp_session;
struct socks5_proxy;

/* Longest command line, CRLF included (RFC 5321 4.5.3.1.4). */
#define SMTP_LINE_MAX 512
/* Upper bound on opts.rcpt_per_txn (RFC 5321 4.5.3.1.8: servers must
 * accept 100 recipients per transaction). */
#define SMTP_RCPT_MAX 100
/*
 * Code of the synthetic reply given to rcpt_done for a recipient the
 * session refused to put on the wire (a byte < 0x20 or 0x7f, '<' or '>',
 * empty, a RCPT line over SMTP_LINE_MAX, 8-bit without the utf8 flag, or
 * utf8 while the server does not offer SMTPUTF8). No server reply has
 * code 0, so the scheduler can tell it apart; it must NOT re-queue it.
 * Its text says why.
 */
#define SMTP_CODE_UNSAFE 0
/* Bytes kept of the greeting and the EHLO line in smtp_caps (NUL incl.). */
#define SMTP_CAPS_TEXT_MAX 256

struct smtp_rcpt {
	uint32_t id;		/* the scheduler's, passed back untouched */
	const char *addr;	/* canonical, validated (validator/README,
				 * "SMTP facts"); copied by the session,
				 * re-checked */
	bool utf8;		/* needs SMTPUTF8 (RFC 6531) */
};

struct smtp_caps {
	bool esmtp;		/* EHLO worked (false: HELO fallback) */
	bool pipelining;
	bool starttls;
	bool smtputf8;
	bool enhancedstatuscodes;
	bool size;
	bool tls;		/* the session is now encrypted */
	bool tls_verified;	/* chain and mx_name verified (X509_V_OK) */
	char tls_version[16];	/* "TLSv1.3", "" without TLS */
	char tls_cipher[64];
	/* What the server says of itself (a provider may be told by it):
	 * the 220 greeting's text (as smtp_reply keeps it), and the text of
	 * the first line of the last EHLO (or HELO) reply; cut, "" until
	 * they came. */
	char greeting[SMTP_CAPS_TEXT_MAX];
	char hello[SMTP_CAPS_TEXT_MAX];
};

enum smtp_end {
	SMTP_END_QUIT,		/* normal end after QUIT/221 */
	SMTP_END_CONNECT_FAILED,	/* refused, unreachable */
	SMTP_END_TIMEOUT,	/* connect/banner/command timeout: see phase */
	SMTP_END_TLS_FAILED,	/* handshake failed (or verify failed in
				 * verify mode) */
	SMTP_END_TLS_REQUIRED,	/* tls required/verify but not offered,
				 * or STARTTLS refused (454) */
	SMTP_END_REFUSED,	/* banner 4xx/5xx, EHLO and HELO refused,
				 * or 421 anywhere (even unsolicited) */
	SMTP_END_DROPPED,	/* EOF or reset mid-session */
	SMTP_END_PROTOCOL,	/* bad or endless reply; a reply out of
				 * turn: unsolicited, bytes after the reply
				 * to the last command sent (the 220 to
				 * STARTTLS included), a reply that cannot
				 * answer its command (1xx/3xx, 220 or 221
				 * out of place, RSET not 250, a 2xx before
				 * the greeting). The open transaction's
				 * recipients get reply and mail NULL */
	SMTP_END_PROXY,		/* with opts.proxy: the proxy could not be
				 * reached, did not answer in time, refused
				 * the credentials or the CONNECT (any REP),
				 * or answered garbage (phase "connect" or
				 * "proxy"); never the mail host's doing */
	SMTP_END_LAST
};

/* smtp_end_name - stable lowercase word ("quit", "connect_failed", ...). */
const char *smtp_end_name(enum smtp_end e);

struct smtp_session_cb {
	/*
	 * next_batch - fill out[0..max-1] (max = opts.rcpt_per_txn) with
	 * the next transaction's recipients and return how many; 0 = no
	 * more work: the session sends QUIT. caps is what the server
	 * offers now (skip utf8 recipients if !caps->smtputf8). Called
	 * when the session is ready (after EHLO, or after STARTTLS and the
	 * second EHLO) and after each transaction's RSET. The addr
	 * strings are copied before it returns to the session.
	 */
	size_t (*next_batch)(void *arg, const struct smtp_caps *caps,
	    struct smtp_rcpt *out, size_t max);
	/*
	 * rcpt_done - exactly once per recipient handed out by next_batch:
	 * reply = the reply to its RCPT; or reply == NULL when the session
	 * ended before that RCPT got a reply, or when MAIL FROM was
	 * refused (then mail = that refusal and the RCPT's own reply, if
	 * one was sent, is not reported): the scheduler re-queues it; or
	 * reply->code == SMTP_CODE_UNSAFE (see above). mail = the reply to
	 * this transaction's MAIL FROM, NULL if none came. r, reply and
	 * mail are valid only during the call.
	 * The replies of a transaction are reported together once it is
	 * over and every reply matched a command (its RSET got 250 with
	 * nothing after it; or, not pipelined, MAIL was refused), or at
	 * the session's end. When the session ends PROTOCOL, none of the
	 * open transaction's replies is trusted: all its recipients come
	 * with reply == NULL and mail == NULL (asked again elsewhere).
	 */
	void (*rcpt_done)(void *arg, const struct smtp_rcpt *r,
	    const struct smtp_reply *reply, const struct smtp_reply *mail);
	/*
	 * ended - the session is over; called exactly once, from the loop
	 * (never from inside smtp_session_start), after every rcpt_done.
	 * last = the reply that ended it, if any (421, banner refusal,
	 * 454 to STARTTLS, 221 to QUIT...). phase = "connect", "proxy"
	 * (the SOCKS5 handshake), "banner",
	 * "ehlo", "starttls", "tls", "mail", "rcpt", "rset" or "quit".
	 * caps = what was known at the end. After it returns the session
	 * frees itself: do not call smtp_session_abort. During the call,
	 * smtp_session_detail() says more (errno text, TLS error).
	 */
	void (*ended)(void *arg, enum smtp_end why, const char *phase,
	    const struct smtp_reply *last, const struct smtp_caps *caps);
};

enum smtp_tls {
	SMTP_TLS_OPPORTUNISTIC,	/* STARTTLS when offered, no verification
				 * required (the result is in caps) */
	SMTP_TLS_REQUIRED,	/* STARTTLS or end TLS_REQUIRED; no verify */
	SMTP_TLS_VERIFY,	/* as REQUIRED + chain and mx_name verified */
	SMTP_TLS_OFF		/* never STARTTLS */
};

struct smtp_session_opts {
	const char *helo;	/* EHLO/HELO argument (an FQDN) */
	const char *mail_from;	/* reverse path without <>, "" = null */
	enum smtp_tls tls;
	bool pipelining;	/* use PIPELINING when offered */
	unsigned rcpt_per_txn;	/* 1..SMTP_RCPT_MAX; 0 = 50 */
	unsigned connect_ms;	/* 0 = 30000 */
	unsigned banner_ms;	/* 0 = 120000 */
	unsigned command_ms;	/* per command (and TLS handshake);
				 * 0 = 60000 */
	SSL_CTX *ssl_ctx;	/* tlsctx_new(); required unless tls OFF */
	const struct sockaddr *source;	/* local address to bind to (port
					 * 0), of sa's family; NULL: the
					 * system chooses. Read only
					 * during smtp_session_start */
	socklen_t source_len;
	const struct socks5_proxy *proxy;	/* resolved; NULL: connect
						 * directly. Read during
						 * smtp_session_start only */
};

/*
 * smtp_session_start - connect to sa (non-blocking; sa is copied) and
 * run the dialogue described above, reporting through cb (copied) with
 * arg. mx_name is the host's name: the TLS SNI and verify name (may be
 * NULL: no SNI, no name check). Returns the session, or NULL with d set
 * when an option is unusable (helo/mail_from with bytes < 0x20, 0x7f,
 * '<', '>', or too long; tls wanted without ssl_ctx; a source of
 * another family than sa) or no socket can be made or bound to the
 * source (d says which: EADDRNOTAVAIL when the source address is
 * gone). A connect that fails at once is reported through ended() from
 * the loop.
 */
struct smtp_session *smtp_session_start(struct evloop *loop,
    const struct smtp_session_opts *o, const struct sockaddr *sa,
    socklen_t salen, const char *mx_name, const struct smtp_session_cb *cb,
    void *arg, struct diag *d);

/*
 * smtp_session_abort - drop the connection (no QUIT) and free the
 * session; no callback is made after it, not even for recipients still
 * in flight (the caller knows which ones it handed out). May be called
 * from inside next_batch or rcpt_done; never after ended().
 */
void smtp_session_abort(struct smtp_session *s);

/*
 * smtp_session_detail - a short text about the end (strerror of a
 * failed connect, the OpenSSL error and verify result of a failed
 * handshake, "bytes after 220 to STARTTLS", ...), "" when none. Valid
 * while the session exists (during ended() at the latest).
 */
const char *smtp_session_detail(const struct smtp_session *s);

#endif
