/* faultsrv - a tiny SMTP server that misbehaves on purpose, for the SMTP
 * probe tests (what Postfix cannot be made to do). Plain sockets + poll, no
 * dependencies. Built by tests/smtp/lib.sh (smtp_fault_start).
 *
 * usage: faultsrv [-l LOG] [-r READYFILE] [-t TARPIT_SECS] MODE=ADDR:PORT...
 * MODE (one listener each; any number of connections):
 *   421       220 banner; EHLO/HELO -> "421 4.7.0 <host> Too many
 *             connections, closing" and close
 *   nobanner  accepts, never sends anything (reads and logs what comes)
 *   endless   220 banner; EHLO -> an endless multi-line "250-..." reply
 *             (until the client closes; capped at 64 MiB)
 *   inject    220 banner; EHLO advertises STARTTLS; STARTTLS -> "220 ready
 *             \r\n250 injected\r\n" in ONE write, then reads and logs until
 *             the client closes (a correct client aborts)
 *   tarpit    the banner only after TARPIT_SECS (default 30); then normal
 *   drop      normal, but the connection is closed (no reply) when the
 *             4th RCPT of the connection arrives: 3 RCPTs answered, then the
 *             rest of a pipelined batch is lost
 *   throttle  normal, but the first RCPT of each address (over all
 *             connections) gets Gmail's rate limit "450 4.2.1 The user you
 *             are trying to contact is receiving mail at a rate ..."; the
 *             next one 250 (a prober that asks again later gets through)
 *   ratelimit normal, but the first RCPT of each address (over all
 *             connections) gets Gmail's "421 4.7.28 ... unusual rate of
 *             unsolicited mail" and the connection is closed; later RCPTs:
 *             550 5.1.1 for a local part starting "gone" or "lsx-" (the
 *             catch-all test), 250 for the others
 *   slowgreet the greeting is always that 421 4.7.28, then close
 *   vanity    like throttle, behind Gmail's greeting "220 mx.google.com
 *             ESMTP ... - gsmtp" (a vanity MX name in front of Google)
 * "normal" dialogue: EHLO -> 250-host/250-PIPELINING/250-ENHANCEDSTATUSCODES/
 * 250 8BITMIME, HELO 250, MAIL 250 2.1.0, RCPT 250 2.1.5, RSET 250 2.0.0,
 * NOOP 250, QUIT 221 + close, DATA 554 5.5.1 (logged), others 502 5.5.2.
 * The log (stderr without -l) has one line per event:
 *   "<mode> <conn#> accept|< LINE|> REPLY|close|eof"
 * The ready file is created once every listener listens. SIGTERM/SIGINT:
 * exit 0.
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum mode { M_421, M_NOBANNER, M_ENDLESS, M_INJECT, M_TARPIT, M_DROP,
	    M_THROTTLE, M_RATELIMIT, M_SLOWGREET, M_VANITY };
static const char *mode_name[] = { "421", "nobanner", "endless", "inject",
				   "tarpit", "drop", "throttle", "ratelimit",
				   "slowgreet", "vanity" };
#define NMODES 10
#define RATE_421 "421-4.7.28 [127.0.2.15] Our system has detected an unusual rate of\r\n" \
	"421-4.7.28 unsolicited mail originating from your IP address. To protect our\r\n" \
	"421 4.7.28 users from spam, mail sent from your IP address has been temporarily rate limited. - gsmtp\r\n"

/* throttle: the RCPT lines seen once already */
#define SEEN_MAX 256
static char *seen[SEEN_MAX];
static int nseen;

/* seen_before - whether line was seen; remembers it otherwise */
static int seen_before(const char *line)
{
	for (int i = 0; i < nseen; i++)
		if (strcmp(seen[i], line) == 0)
			return 1;
	if (nseen < SEEN_MAX && (seen[nseen] = strdup(line)) != NULL)
		nseen++;
	return 0;
}

#define MAXL 16
#define MAXC 256
#define OUTMAX 65536
#define ENDLESS_CAP (64L * 1024 * 1024)

struct lsn {
	int fd;
	enum mode mode;
};

struct conn {
	int fd;
	enum mode mode;
	unsigned id;
	char in[8192];
	size_t inlen;
	char out[OUTMAX];
	size_t outlen, outoff;
	int closing;	  /* close once out is flushed; input is ignored */
	int endless;	  /* keep producing 250- lines */
	long endless_sent;
	unsigned long endless_n;
	int sink;	  /* after inject: read and log only */
	int rcpts;
	double banner_at; /* tarpit: when to send the banner (0 = sent) */
};

static struct lsn lsns[MAXL];
static int nlsn;
static struct conn *conns[MAXC];
static FILE *logf;
static double tarpit_secs = 30;
static volatile sig_atomic_t stop;
static unsigned next_id = 1;

static void on_sig(int s)
{
	(void)s;
	stop = 1;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void logm(const struct conn *c, const char *fmt, ...)
{
	va_list ap;
	fprintf(logf, "%s %u ", mode_name[c->mode], c->id);
	va_start(ap, fmt);
	vfprintf(logf, fmt, ap);
	va_end(ap);
	fputc('\n', logf);
	fflush(logf);
}

/* queue a reply (logged without its CRLF) */
static void reply(struct conn *c, const char *s)
{
	size_t n = strlen(s);
	char line[600];
	const char *p = s;

	if (c->outlen + n > OUTMAX)
		return;
	memcpy(c->out + c->outlen, s, n);
	c->outlen += n;
	while (*p) {
		size_t l = strcspn(p, "\r\n");
		if (l > sizeof line - 1)
			l = sizeof line - 1;
		memcpy(line, p, l);
		line[l] = '\0';
		if (l)
			logm(c, "> %s", line);
		p += strcspn(p, "\r\n");
		p += strspn(p, "\r\n");
	}
}

static void endless_fill(struct conn *c)
{
	char line[128];
	while (c->endless && c->outlen + sizeof line < OUTMAX) {
		int n = snprintf(line, sizeof line,
				 "250-endless reply line %lu of a reply that never ends\r\n",
				 c->endless_n++);
		memcpy(c->out + c->outlen, line, (size_t)n);
		c->outlen += (size_t)n;
		c->endless_sent += n;
		if (c->endless_sent >= ENDLESS_CAP) {
			c->endless = 0;
			c->closing = 1;
			logm(c, "endless cap reached (%ld bytes)", c->endless_sent);
		}
	}
}

static int prefix(const char *line, const char *cmd)
{
	size_t n = strlen(cmd);
	for (size_t i = 0; i < n; i++) {
		char a = line[i];
		if (a >= 'a' && a <= 'z')
			a = (char)(a - 'a' + 'A');
		if (a != cmd[i])
			return 0;
	}
	return line[n] == '\0' || line[n] == ' ' || line[n] == ':';
}

static void banner(struct conn *c)
{
	if (c->mode == M_SLOWGREET) {
		reply(c, RATE_421);
		c->closing = 1;
		return;
	}
	if (c->mode == M_VANITY) {
		reply(c, "220 mx.google.com ESMTP faultsrv-vanity - gsmtp\r\n");
		return;
	}
	reply(c, "220 fault.mail ESMTP faultsrv\r\n");
}

static void command(struct conn *c, const char *line)
{
	logm(c, "< %s", line);
	if (c->sink || c->mode == M_NOBANNER || c->banner_at > 0)
		return;
	if (prefix(line, "EHLO")) {
		switch (c->mode) {
		case M_421:
			reply(c, "421 4.7.0 fault.mail Too many connections, closing\r\n");
			c->closing = 1;
			return;
		case M_ENDLESS:
			c->endless = 1;
			endless_fill(c);
			return;
		case M_INJECT:
			reply(c, "250-fault.mail\r\n250-PIPELINING\r\n250-STARTTLS\r\n"
				 "250 ENHANCEDSTATUSCODES\r\n");
			return;
		default:
			reply(c, "250-fault.mail\r\n250-PIPELINING\r\n"
				 "250-ENHANCEDSTATUSCODES\r\n250 8BITMIME\r\n");
			return;
		}
	}
	if (prefix(line, "HELO")) {
		if (c->mode == M_421) {
			reply(c, "421 4.7.0 fault.mail Too many connections, closing\r\n");
			c->closing = 1;
		} else {
			reply(c, "250 fault.mail\r\n");
		}
	} else if (prefix(line, "STARTTLS")) {
		if (c->mode == M_INJECT) {
			reply(c, "220 ready\r\n250 injected\r\n");
			c->sink = 1;
		} else {
			reply(c, "502 5.5.2 STARTTLS not offered\r\n");
		}
	} else if (prefix(line, "MAIL")) {
		reply(c, "250 2.1.0 Ok\r\n");
	} else if (prefix(line, "RCPT")) {
		if (c->mode == M_DROP && ++c->rcpts > 3) {
			logm(c, "drop after 3 RCPT");
			c->closing = 1; /* the replies so far, then close */
			return;
		}
		if ((c->mode == M_THROTTLE || c->mode == M_VANITY) &&
		    !seen_before(line)) {
			reply(c, "450-4.2.1 The user you are trying to contact is "
				 "receiving mail at a rate that\r\n450-4.2.1 prevents "
				 "additional messages from being delivered. Please\r\n"
				 "450 4.2.1 resend your message at a later time. - gsmtp\r\n");
			return;
		}
		if (c->mode == M_RATELIMIT) {
			const char *lt = strchr(line, '<');

			if (!seen_before(line)) {
				reply(c, RATE_421);
				c->closing = 1;
				return;
			}
			if (lt != NULL && (strncmp(lt + 1, "gone", 4) == 0 ||
					   strncmp(lt + 1, "lsx-", 4) == 0)) {
				reply(c, "550 5.1.1 <gone>: Recipient address rejected: User unknown\r\n");
				return;
			}
		}
		reply(c, "250 2.1.5 Ok\r\n");
	} else if (prefix(line, "RSET")) {
		reply(c, "250 2.0.0 Ok\r\n");
	} else if (prefix(line, "NOOP")) {
		reply(c, "250 2.0.0 Ok\r\n");
	} else if (prefix(line, "QUIT")) {
		reply(c, "221 2.0.0 Bye\r\n");
		c->closing = 1;
	} else if (prefix(line, "DATA")) {
		reply(c, "554 5.5.1 faultsrv: no DATA here\r\n");
	} else {
		reply(c, "502 5.5.2 Error: command not recognized\r\n");
	}
}

static void conn_close(int i, const char *why)
{
	struct conn *c = conns[i];
	char junk[4096];

	logm(c, "%s", why);
	/* what the client already sent is read first, so the close is a FIN
	 * and not a RST (which could destroy the replies still in flight) */
	while (read(c->fd, junk, sizeof junk) > 0)
		;
	close(c->fd);
	free(c);
	conns[i] = NULL;
}

static void do_read(int i)
{
	struct conn *c = conns[i];
	ssize_t n = read(c->fd, c->in + c->inlen, sizeof c->in - 1 - c->inlen);
	char *nl;

	if (n == 0) {
		conn_close(i, "eof");
		return;
	}
	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR)
			conn_close(i, "read error");
		return;
	}
	c->inlen += (size_t)n;
	c->in[c->inlen] = '\0';
	if (c->sink) {
		/* after the injected STARTTLS reply: maybe a TLS ClientHello,
		 * maybe text; log the size and the printable start */
		logm(c, "< %zd bytes after STARTTLS, first byte 0x%02x", n,
		     (unsigned char)c->in[0]);
		c->inlen = 0;
		return;
	}
	while ((nl = memchr(c->in, '\n', c->inlen)) != NULL && !c->closing) {
		size_t l = (size_t)(nl - c->in);
		char line[8192];
		memcpy(line, c->in, l);
		line[l] = '\0';
		if (l && line[l - 1] == '\r')
			line[l - 1] = '\0';
		memmove(c->in, nl + 1, c->inlen - l - 1);
		c->inlen -= l + 1;
		command(c, line);
		if (c->sink)
			c->inlen = 0;
	}
	if (c->inlen >= sizeof c->in - 1) {
		logm(c, "line too long");
		c->inlen = 0;
	}
}

static void do_write(int i)
{
	struct conn *c = conns[i];
	ssize_t n;

	if (c->endless)
		endless_fill(c);
	if (c->outoff < c->outlen) {
		n = write(c->fd, c->out + c->outoff, c->outlen - c->outoff);
		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				conn_close(i, c->endless ? "endless: client gone" : "write error");
			return;
		}
		c->outoff += (size_t)n;
		if (c->outoff == c->outlen)
			c->outoff = c->outlen = 0;
		else if (c->outoff > OUTMAX / 2) {
			memmove(c->out, c->out + c->outoff, c->outlen - c->outoff);
			c->outlen -= c->outoff;
			c->outoff = 0;
		}
	}
	if (c->closing == 1 && c->outlen == 0)
		conn_close(i, "close");
}

static int listen_on(const char *spec, enum mode m)
{
	char host[64];
	const char *colon = strrchr(spec, ':');
	struct sockaddr_in sa;
	int fd, one = 1;

	if (!colon || (size_t)(colon - spec) >= sizeof host)
		return -1;
	memcpy(host, spec, (size_t)(colon - spec));
	host[colon - spec] = '\0';
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)atoi(colon + 1));
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
		return -1;
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, 64) < 0) {
		fprintf(stderr, "faultsrv: %s: %s\n", spec, strerror(errno));
		close(fd);
		return -1;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	lsns[nlsn].fd = fd;
	lsns[nlsn].mode = m;
	nlsn++;
	return 0;
}

int main(int argc, char **argv)
{
	const char *ready = NULL;
	int opt;
	struct sigaction sa;

	logf = stderr;
	while ((opt = getopt(argc, argv, "l:r:t:")) != -1) {
		switch (opt) {
		case 'l':
			logf = fopen(optarg, "a");
			if (!logf) {
				perror(optarg);
				return 2;
			}
			break;
		case 'r':
			ready = optarg;
			break;
		case 't':
			tarpit_secs = atof(optarg);
			break;
		default:
			fprintf(stderr, "usage: faultsrv [-l LOG] [-r READY] [-t SECS] MODE=ADDR:PORT...\n");
			return 2;
		}
	}
	for (int i = optind; i < argc; i++) {
		const char *eq = strchr(argv[i], '=');
		int m = -1;
		for (int k = 0; eq && k < NMODES; k++)
			if (strlen(mode_name[k]) == (size_t)(eq - argv[i]) &&
			    strncmp(argv[i], mode_name[k], (size_t)(eq - argv[i])) == 0)
				m = k;
		if (m < 0 || nlsn >= MAXL || listen_on(eq + 1, (enum mode)m) < 0) {
			fprintf(stderr, "faultsrv: bad listener: %s\n", argv[i]);
			return 2;
		}
	}
	if (nlsn == 0) {
		fprintf(stderr, "faultsrv: no listener\n");
		return 2;
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_sig;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (ready) {
		FILE *f = fopen(ready, "w");
		if (f)
			fclose(f);
	}

	while (!stop) {
		struct pollfd p[MAXL + MAXC];
		int idx[MAXL + MAXC], np = 0, timeout = 1000;
		double t = now();

		for (int i = 0; i < MAXC; i++) {
			struct conn *c = conns[i];
			if (!c)
				continue;
			if (c->banner_at > 0 && t >= c->banner_at) {
				c->banner_at = 0;
				banner(c);
			}
			if (c->banner_at > 0) {
				int ms = (int)((c->banner_at - t) * 1000) + 1;
				if (ms < timeout)
					timeout = ms;
			}
			p[np].fd = c->fd;
			p[np].events = POLLIN;
			if (c->outlen > c->outoff || c->endless || c->closing)
				p[np].events |= POLLOUT;
			p[np].revents = 0;
			idx[np++] = i;
		}
		for (int i = 0; i < nlsn; i++) {
			p[np].fd = lsns[i].fd;
			p[np].events = POLLIN;
			p[np].revents = 0;
			idx[np++] = -1 - i;
		}
		if (poll(p, (nfds_t)np, timeout) < 0) {
			if (errno == EINTR)
				continue;
			perror("poll");
			return 1;
		}
		for (int k = 0; k < np; k++) {
			if (!p[k].revents)
				continue;
			if (idx[k] < 0) {
				struct lsn *l = &lsns[-1 - idx[k]];
				int fd = accept(l->fd, NULL, NULL), slot = -1;
				if (fd < 0)
					continue;
				for (int i = 0; i < MAXC; i++)
					if (!conns[i]) {
						slot = i;
						break;
					}
				struct conn *c = slot < 0 ? NULL : calloc(1, sizeof *c);
				if (!c) {
					close(fd);
					continue;
				}
				fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
				c->fd = fd;
				c->mode = l->mode;
				c->id = next_id++;
				conns[slot] = c;
				logm(c, "accept");
				if (c->mode == M_TARPIT)
					c->banner_at = now() + tarpit_secs;
				else if (c->mode != M_NOBANNER)
					banner(c);
				continue;
			}
			int i = idx[k];
			if (conns[i] && (p[k].revents & (POLLIN | POLLHUP | POLLERR)))
				do_read(i);
			if (conns[i] && (p[k].revents & POLLOUT))
				do_write(i);
		}
	}
	for (int i = 0; i < MAXC; i++)
		if (conns[i])
			conn_close(i, "shutdown");
	return 0;
}
