/*
 * NAME
 *	socks5 - SOCKS5 client handshake and the --proxy URL
 * SYNOPSIS
 *	#include "smtp/socks5.h"
 * DESCRIPTION
 *	States: GREET (write VER 5, the methods: 0 no authentication, and 2
 *	username/password when credentials were given; read VER, METHOD),
 *	AUTH (RFC 1929 2: write VER 1, ULEN, UNAME, PLEN, PASSWD; read
 *	VER 1, STATUS), CONNECT (RFC 1928 4: VER 5, CMD 1, RSV 0, ATYP 1
 *	or 4, DST.ADDR, DST.PORT; read RFC 1928 6: VER 5, REP, RSV 0, ATYP,
 *	BND.ADDR, BND.PORT). Each reply is read by exact lengths, so a byte
 *	after it (the SMTP greeting) is never taken from the socket.
 *	Strict: a VER that is not 5 (1 for the auth reply), a method we did
 *	not offer, RSV not 0, an unknown ATYP, or a domain BND.ADDR of
 *	length 0 fail the handshake as "not a SOCKS5 reply".
 * DIAGNOSTICS
 *	socks5_error(): "proxy socks5://HOST:PORT: TEXT"; credentials are
 *	shown as ***:***.
 * BUGS
 *	CONNECT only (no BIND, no UDP ASSOCIATE); no GSSAPI (RFC 1961).
 */
#include "smtp/socks5.h"

#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "util/ascii.h"
#include "util/diag.h"
#include "util/xalloc.h"

/* Longest request: the auth message (3 + 255 + 255). */
#define SOCKS5_OUT_MAX 520
/* Longest reply: CONNECT with a domain BND.ADDR (4 + 1 + 255 + 2). */
#define SOCKS5_IN_MAX 262

enum s5state {
	S5_GREET,
	S5_AUTH,
	S5_CONNECT,
	S5_DONE,
	S5_FAILED
};

struct socks5 {
	enum s5state state;
	char shown[300];
	bool auth;
	char user[SOCKS5_CRED_MAX + 1];
	char pass[SOCKS5_CRED_MAX + 1];
	struct sockaddr_storage target;
	unsigned char out[SOCKS5_OUT_MAX];
	size_t outlen, outoff;	/* request queued, bytes of it written */
	unsigned char in[SOCKS5_IN_MAX];
	size_t inlen, need;	/* reply bytes read, bytes the reply has
				 * so far (grows once ATYP is known) */
	char err[640];
};

static const char *const rep_names[] = {
	"succeeded",				/* 0 */
	"general SOCKS server failure",		/* 1 */
	"connection not allowed by ruleset",	/* 2 */
	"network unreachable",			/* 3 */
	"host unreachable",			/* 4 */
	"connection refused",			/* 5 */
	"TTL expired",				/* 6 */
	"command not supported",		/* 7 */
	"address type not supported",		/* 8 */
};

static void s5_fail(struct socks5 *h, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void s5_queue_greet(struct socks5 *h);
static void s5_queue_auth(struct socks5 *h);
static void s5_queue_connect(struct socks5 *h);
static void s5_expect(struct socks5 *h, size_t n);
static void s5_reply(struct socks5 *h);
static int s5_unescape(const char *s, size_t n, char *out, size_t max);
static void s5_wipe(void *p, size_t n);

const char *
socks5_rep_name(unsigned rep)
{
	return rep < sizeof(rep_names) / sizeof(rep_names[0]) ?
	    rep_names[rep] : "unassigned";
}

/* s5_wipe - clear a secret so the compiler cannot drop the stores. */
static void
s5_wipe(void *p, size_t n)
{
	volatile unsigned char *v = p;

	while (n-- > 0)
		*v++ = 0;
}

/* s5_unescape - n bytes of s, %XX decoded, into out (at most max bytes
 * and a NUL); the length, or -1 for a bad escape, a control byte, an
 * empty or too long result. */
static int
s5_unescape(const char *s, size_t n, char *out, size_t max)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '%') {
			unsigned v = 0;

			if (i + 2 >= n)
				return -1;
			for (int k = 1; k <= 2; k++) {
				unsigned char x =
				    ascii_tolower((unsigned char)s[i + k]);

				v <<= 4;
				if (ascii_isdigit(x))
					v |= (unsigned)(x - '0');
				else if (x >= 'a' && x <= 'f')
					v |= (unsigned)(x - 'a' + 10);
				else
					return -1;
			}
			c = (unsigned char)v;
			i += 2;
		}
		if (c < 0x20 || c == 0x7f || o >= max)
			return -1;
		out[o++] = (char)c;
	}
	if (o == 0)
		return -1;
	out[o] = '\0';
	return (int)o;
}

int
socks5_proxy_parse(const char *url, struct socks5_proxy *p, struct diag *d)
{
	static const char scheme[] = "socks5://";
	const char *s, *at, *hp, *end, *colon, *hs, *he;
	unsigned long port = 0;

	memset(p, 0, sizeof(*p));
	if (url == NULL || ascii_ncasecmp(url, scheme, sizeof(scheme) - 1)
	    != 0) {
		diag_set(d, DIAG_USAGE, "--proxy: expected "
		    "socks5://[USER:PASS@]HOST:PORT");
		return -1;
	}
	s = url + sizeof(scheme) - 1;
	end = s + strlen(s);
	if (end > s && end[-1] == '/')
		end--;
	for (const char *q = s; q < end; q++)
		if ((unsigned char)*q <= 0x20 || *q == 0x7f || *q == '/' ||
		    *q == '?' || *q == '#') {
			diag_set(d, DIAG_USAGE, "--proxy: unexpected "
			    "character in the URL (expected "
			    "socks5://[USER:PASS@]HOST:PORT)");
			return -1;
		}
	/* The last '@' ends the credentials (a password may hold '@'
	 * only escaped, but be lenient with the split). */
	at = NULL;
	for (const char *q = s; q < end; q++)
		if (*q == '@')
			at = q;
	hp = s;
	if (at != NULL) {
		const char *c = memchr(s, ':', (size_t)(at - s));

		if (c == NULL || s5_unescape(s, (size_t)(c - s), p->user,
		    SOCKS5_CRED_MAX) < 0 || s5_unescape(c + 1,
		    (size_t)(at - c - 1), p->pass, SOCKS5_CRED_MAX) < 0) {
			s5_wipe(p, sizeof(*p));
			diag_set(d, DIAG_USAGE, "--proxy: the credentials "
			    "must be USER:PASS, each 1 to 255 bytes "
			    "(%%XX escapes allowed)");
			return -1;
		}
		p->auth = true;
		hp = at + 1;
	}
	if (hp < end && *hp == '[') {
		const char *rb = memchr(hp, ']', (size_t)(end - hp));
		struct in6_addr a6;
		char tmp[64];

		if (rb == NULL || (size_t)(rb - hp - 1) >= sizeof(tmp))
			goto bad_host;
		memcpy(tmp, hp + 1, (size_t)(rb - hp - 1));
		tmp[rb - hp - 1] = '\0';
		if (inet_pton(AF_INET6, tmp, &a6) != 1)
			goto bad_host;
		hs = hp + 1;
		he = rb;
		colon = rb + 1 < end && rb[1] == ':' ? rb + 1 : NULL;
		if (colon == NULL)
			goto bad_port;
	} else {
		colon = NULL;
		for (const char *q = hp; q < end; q++)
			if (*q == ':')
				colon = q;
		if (colon == NULL)
			goto bad_port;
		hs = hp;
		he = colon;
		if (memchr(hs, ':', (size_t)(he - hs)) != NULL)
			goto bad_host;
		for (const char *q = hs; q < he; q++)
			if (!ascii_isalnum((unsigned char)*q) && *q != '-' &&
			    *q != '.' && *q != '_')
				goto bad_host;
	}
	if (he == hs || (size_t)(he - hs) >= sizeof(p->host))
		goto bad_host;
	memcpy(p->host, hs, (size_t)(he - hs));
	p->host[he - hs] = '\0';
	if (colon + 1 == end)
		goto bad_port;
	for (const char *q = colon + 1; q < end; q++) {
		if (!ascii_isdigit((unsigned char)*q) || q - colon > 5)
			goto bad_port;
		port = port * 10 + (unsigned long)(*q - '0');
	}
	if (port == 0 || port > 65535)
		goto bad_port;
	p->port = (unsigned)port;
	snprintf(p->shown, sizeof(p->shown), "socks5://%s%s%s%s:%u",
	    p->auth ? "***:***@" : "", strchr(p->host, ':') ? "[" : "",
	    p->host, strchr(p->host, ':') ? "]" : "", p->port);
	return 0;
bad_host:
	s5_wipe(p, sizeof(*p));
	diag_set(d, DIAG_USAGE, "--proxy: bad HOST (a name, an IPv4 address "
	    "or [IPv6])");
	return -1;
bad_port:
	s5_wipe(p, sizeof(*p));
	diag_set(d, DIAG_USAGE, "--proxy: bad or missing :PORT (1-65535)");
	return -1;
}

int
socks5_proxy_resolve(struct socks5_proxy *p, struct diag *d)
{
	struct addrinfo hints, *res = NULL;
	char port[8];
	int e;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	snprintf(port, sizeof(port), "%u", p->port);
	e = getaddrinfo(p->host, port, &hints, &res);
	if (e != 0 || res == NULL || res->ai_addrlen > sizeof(p->sa)) {
		diag_set(d, DIAG_USAGE, "--proxy %s: cannot resolve the host "
		    "(%s)", p->shown, e != 0 ? gai_strerror(e) : "no address");
		if (res != NULL)
			freeaddrinfo(res);
		return -1;
	}
	memcpy(&p->sa, res->ai_addr, res->ai_addrlen);
	p->salen = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

struct socks5 *
socks5_new(const struct socks5_proxy *p, const struct sockaddr *target,
    socklen_t tlen)
{
	struct socks5 *h = xcalloc(1, sizeof(*h));

	memcpy(h->shown, p->shown, sizeof(h->shown));
	h->auth = p->auth;
	memcpy(h->user, p->user, sizeof(h->user));
	memcpy(h->pass, p->pass, sizeof(h->pass));
	if (tlen > sizeof(h->target))
		tlen = sizeof(h->target);
	memcpy(&h->target, target, tlen);
	s5_queue_greet(h);
	return h;
}

void
socks5_free(struct socks5 *h)
{
	if (h == NULL)
		return;
	s5_wipe(h, sizeof(*h));
	free(h);
}

const char *
socks5_error(const struct socks5 *h)
{
	return h->err;
}

/* s5_fail - end the handshake with a text naming the proxy. */
static void
s5_fail(struct socks5 *h, const char *fmt, ...)
{
	char msg[300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(h->err, sizeof(h->err), "proxy %s: %s", h->shown, msg);
	h->state = S5_FAILED;
}

/* s5_expect - the next reply has n bytes so far; none read yet. */
static void
s5_expect(struct socks5 *h, size_t n)
{
	h->inlen = 0;
	h->need = n;
}

/* s5_queue_greet - RFC 1928 3: VER 5, NMETHODS, METHODS. */
static void
s5_queue_greet(struct socks5 *h)
{
	size_t n = 0;

	h->out[n++] = 5;
	h->out[n++] = h->auth ? 2 : 1;
	h->out[n++] = 0;	/* NO AUTHENTICATION REQUIRED */
	if (h->auth)
		h->out[n++] = 2;	/* USERNAME/PASSWORD */
	h->outlen = n;
	h->outoff = 0;
	h->state = S5_GREET;
	s5_expect(h, 2);
}

/* s5_queue_auth - RFC 1929 2: VER 1, ULEN, UNAME, PLEN, PASSWD. */
static void
s5_queue_auth(struct socks5 *h)
{
	size_t ul = strlen(h->user), pl = strlen(h->pass), n = 0;

	h->out[n++] = 1;
	h->out[n++] = (unsigned char)ul;
	memcpy(h->out + n, h->user, ul);
	n += ul;
	h->out[n++] = (unsigned char)pl;
	memcpy(h->out + n, h->pass, pl);
	n += pl;
	h->outlen = n;
	h->outoff = 0;
	h->state = S5_AUTH;
	s5_expect(h, 2);
}

/* s5_queue_connect - RFC 1928 4: CONNECT to the target address. */
static void
s5_queue_connect(struct socks5 *h)
{
	size_t n = 0;

	/* The credentials are no longer needed: wipe the copies now. */
	s5_wipe(h->user, sizeof(h->user));
	s5_wipe(h->pass, sizeof(h->pass));
	h->out[n++] = 5;
	h->out[n++] = 1;	/* CONNECT */
	h->out[n++] = 0;
	if (h->target.ss_family == AF_INET6) {
		const struct sockaddr_in6 *a =
		    (const struct sockaddr_in6 *)&h->target;

		h->out[n++] = 4;
		memcpy(h->out + n, &a->sin6_addr, 16);
		n += 16;
		memcpy(h->out + n, &a->sin6_port, 2);
	} else {
		const struct sockaddr_in *a =
		    (const struct sockaddr_in *)&h->target;

		h->out[n++] = 1;
		memcpy(h->out + n, &a->sin_addr, 4);
		n += 4;
		memcpy(h->out + n, &a->sin_port, 2);
	}
	n += 2;
	h->outlen = n;
	h->outoff = 0;
	h->state = S5_CONNECT;
	s5_expect(h, 5);	/* VER REP RSV ATYP + first address byte */
}

/* s5_reply - the awaited reply is complete (or, for CONNECT, its first
 * five bytes): check it and move on. */
static void
s5_reply(struct socks5 *h)
{
	const unsigned char *r = h->in;

	switch (h->state) {
	case S5_GREET:
		if (r[0] != 5) {
			s5_fail(h, "not a SOCKS5 reply to the greeting "
			    "(version %u)", r[0]);
		} else if (r[1] == 0xff) {
			s5_fail(h, "no acceptable authentication method%s",
			    h->auth ? "" : " (the proxy may want USER:PASS)");
		} else if (r[1] == 0) {
			s5_queue_connect(h);
		} else if (r[1] == 2 && h->auth) {
			s5_queue_auth(h);
		} else {
			s5_fail(h, "chose method %u, which was not offered",
			    r[1]);
		}
		return;
	case S5_AUTH:
		/* RFC 1929 2: VER is the subnegotiation's version, 1. */
		if (r[0] != 1)
			s5_fail(h, "not a username/password reply (version "
			    "%u)", r[0]);
		else if (r[1] != 0)
			s5_fail(h, "username/password rejected (status %u)",
			    r[1]);
		else
			s5_queue_connect(h);
		return;
	case S5_CONNECT:
		if (h->need == 5) {
			if (r[0] != 5 || r[2] != 0) {
				s5_fail(h, "not a SOCKS5 reply to CONNECT");
				return;
			}
			if (r[1] != 0) {
				s5_fail(h, "CONNECT refused: %s (REP %u)",
				    socks5_rep_name(r[1]), r[1]);
				return;
			}
			/* RFC 1928 5: BND.ADDR by ATYP, then 2 port bytes */
			if (r[3] == 1)
				h->need = 4 + 4 + 2;
			else if (r[3] == 4)
				h->need = 4 + 16 + 2;
			else if (r[3] == 3 && r[4] > 0)
				h->need = 4 + 1 + r[4] + 2;
			else {
				s5_fail(h, "not a SOCKS5 reply to CONNECT "
				    "(address type %u)", r[3]);
				return;
			}
			return;		/* read the rest */
		}
		h->state = S5_DONE;
		return;
	case S5_DONE:
	case S5_FAILED:
		return;
	}
}

enum socks5_step
socks5_step(struct socks5 *h, int fd)
{
	for (;;) {
		ssize_t n;

		if (h->state == S5_DONE)
			return SOCKS5_DONE;
		if (h->state == S5_FAILED)
			return SOCKS5_FAILED;
		if (h->outoff < h->outlen) {
			n = send(fd, h->out + h->outoff, h->outlen - h->outoff,
			    MSG_NOSIGNAL);
			if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == EINTR))
				return SOCKS5_WANT_WRITE;
			if (n < 0) {
				s5_fail(h, "write: %s", strerror(errno));
				continue;
			}
			h->outoff += (size_t)n;
			if (h->outoff == h->outlen)
				/* the request may hold the password */
				s5_wipe(h->out, sizeof(h->out));
			continue;
		}
		/* Exactly the reply's bytes: never the greeting after it. */
		n = recv(fd, h->in + h->inlen, h->need - h->inlen, 0);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
		    errno == EINTR))
			return SOCKS5_WANT_READ;
		if (n < 0) {
			s5_fail(h, "read: %s", strerror(errno));
			continue;
		}
		if (n == 0) {
			s5_fail(h, "the proxy closed the connection during "
			    "the %s", h->state == S5_GREET ? "greeting" :
			    h->state == S5_AUTH ? "authentication" :
			    "CONNECT");
			continue;
		}
		h->inlen += (size_t)n;
		if (h->inlen == h->need)
			s5_reply(h);
	}
}
