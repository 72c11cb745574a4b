/*
 * socks5 - the SOCKS5 client handshake on a connected non-blocking socket
 * (RFC 1928 3-6: method negotiation, CONNECT, the reply; RFC 1929 2:
 * username/password), and the --proxy URL
 * socks5://[USER:PASS@]HOST:PORT (validator/README, "SMTP facts").
 *
 * The handshake does its own reads and writes on the fd it is handed and
 * never reads a byte past the proxy's last reply (the SMTP greeting that
 * may follow it stays in the kernel for smtp_session). The caller owns
 * the fd, the event loop and the timer: socks5_step() says which
 * direction to wait for. Every failure (the proxy closed, refused the
 * methods, rejected the credentials, refused CONNECT with any REP code,
 * answered something that is not SOCKS5) ends the handshake with a text
 * that names the proxy by its masked URL; credentials never appear in
 * any text this module makes.
 *
 * Ownership: struct socks5_proxy is plain data (the caller's); struct
 * socks5 copies what it needs.
 */
#ifndef LISTSCRUB_SOCKS5_H
#define LISTSCRUB_SOCKS5_H

#include <stdbool.h>
#include <stddef.h>

#include <sys/socket.h>

struct diag;
struct socks5;

/* RFC 1929 2: ULEN and PLEN are one octet each, 1..255. */
#define SOCKS5_CRED_MAX 255

/* A parsed --proxy URL; host resolved by socks5_proxy_resolve. */
struct socks5_proxy {
	char host[256];		/* as written, without [] around IPv6 */
	unsigned port;
	bool auth;		/* USER:PASS given */
	char user[SOCKS5_CRED_MAX + 1];
	char pass[SOCKS5_CRED_MAX + 1];
	char shown[300];	/* "socks5://HOST:PORT", or with "***:***@":
				 * the only form ever printed */
	struct sockaddr_storage sa;	/* after socks5_proxy_resolve */
	socklen_t salen;		/* 0: not resolved */
};

/*
 * socks5_proxy_parse - parse url into *p (overwritten): scheme
 * "socks5://" (case-insensitive), optional USER:PASS@ (each 1..255 bytes,
 * percent-escapes %XX decoded, no control bytes), HOST (a name, an IPv4
 * address or [IPv6]), ":" PORT 1-65535, nothing after it (an optional
 * "/"). Returns 0, or -1 with d set to DIAG_USAGE and a message that
 * never repeats the credentials.
 */
int socks5_proxy_parse(const char *url, struct socks5_proxy *p,
    struct diag *d);

/*
 * socks5_proxy_resolve - fill p->sa from p->host and p->port with
 * getaddrinfo (blocking; once per run, at the start of the probe
 * stage). Returns 0, or -1 with d set (DIAG_USAGE: the name does not
 * resolve).
 */
int socks5_proxy_resolve(struct socks5_proxy *p, struct diag *d);

enum socks5_step {
	SOCKS5_WANT_READ,	/* wait until fd is readable, then step */
	SOCKS5_WANT_WRITE,	/* wait until fd is writable, then step */
	SOCKS5_DONE,		/* the tunnel to the target is up */
	SOCKS5_FAILED		/* see socks5_error() */
};

/*
 * socks5_new - a handshake through proxy p (copied) to target (an IPv4 or
 * IPv6 address and port, copied; RFC 1928 5 ATYP 1 or 4: the mail host's
 * address as the DNS stage found it, never a name for the proxy to
 * resolve). Never fails.
 */
struct socks5 *socks5_new(const struct socks5_proxy *p,
    const struct sockaddr *target, socklen_t tlen);

/*
 * socks5_step - write and read what the handshake can on fd (connected
 * to the proxy, non-blocking) and say what next. Once DONE or FAILED it
 * keeps answering the same.
 */
enum socks5_step socks5_step(struct socks5 *h, int fd);

/* socks5_error - the failure text ("proxy socks5://h:p: ..."), "" while
 * none. Valid until socks5_free. */
const char *socks5_error(const struct socks5 *h);

/* socks5_rep_name - RFC 1928 6 text of a REP code ("connection refused");
 * "unassigned" for codes past 8. */
const char *socks5_rep_name(unsigned rep);

/* socks5_free - wipe the copied credentials and free; NULL is a no-op. */
void socks5_free(struct socks5 *h);

#endif
