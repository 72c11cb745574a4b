/*
 * t_probe_sched - the SMTP stage as a whole (probe_run: queues, catch-all
 * tests, retries, fallbacks, give-ups) against scripted peers: for each
 * script in tests/data/sched (*.sched), a child process per peer listens
 * on its own 127.0.0.x address or ::1 (loopback only, one free port for all, as
 * probe_opts has one port) and answers by the script's rules, connection
 * after connection, while this process runs probe_run over hand-built
 * domains and mail hosts tables whose hosts point at those addresses.
 * Then it checks each address's sub-status and code, the run's time, and
 * what the peers saw. No root, no mail server, no DNS.
 *
 * usage: t_probe_sched [DIR | FILE.sched ...]
 *   without arguments: $srcdir/tests/data/sched.
 *
 * Script format: one directive a line; '#' lines and blank lines ignored.
 *   opt tls off|opportunistic       (default off)
 *   opt retries N                   (default 2)
 *   opt retry-delay-ms N            (default 200)
 *   opt per-txn N                   (default 50)
 *   opt command-ms N                (connect, banner and command timeouts;
 *                                    default 1000)
 *   opt pipelining on|off           (default on)
 *   opt source ADDR[,ADDR...]       --source-address (probe_source)
 *   opt no-socket-ms N              for the first N ms of the run no
 *                                   socket can be made (every descriptor
 *                                   of a lowered limit taken: EMFILE)
 *   domain DOMAIN HOST...           the domain's mail hosts, in order
 *   host HOST ADDR...               the host's addresses (127.0.0.N or
 *                                   ::1), in the DNS stage's order; an
 *                                   address without a peer refuses
 *                                   connections
 *   rcpt ADDR...                    the addresses asked, in this order
 *   expect ADDR SUB [CODE]          the address's sub-status (and reply
 *                                   code; 0: no reply recorded)
 *   expect-catch-all DOMAIN yes|no|unset
 *   expect-tests DOMAIN N           distinct catch-all test addresses the
 *                                   peers saw for the domain
 *   max-ms N                        probe_run's run time (default 8000)
 *   expect-unreachable N            hosts not reachable from the sources
 *                                   (probe_stats.source_unreachable)
 *   provider PATTERN NAME RULES     a row of the providers table the run
 *                                   uses (lists/providers.tsv format, a
 *                                   test source added); without any, the
 *                                   run has no table
 *   expect-provider DOMAIN NAME     the domain's provider after the run
 *                                   (its MX name's, or its preferred
 *                                   host's greeting's); "-": none
 *   expect-banner N                 hosts known by their greeting
 *                                   (probe_stats.provider_banner)
 *   expect-throttled N              at least N "slow down" replies
 *                                   (probe_stats.provider_throttled)
 *   peer ADDR                       a peer listens at ADDR; the lines up
 *                                   to the next "peer" are its rules:
 *     greet TEXT                    the greeting (first match wins; the
 *                                   default "220 peer.test ESMTP" last)
 *     on PREFIX TEXT                a command starting with PREFIX
 *     on-rcpt GLOB TEXT             "RCPT TO:<a>" with a matching GLOB
 *                                   (fnmatch: lsx-*@d.test is the
 *                                   catch-all test)
 *     max-connections N             sessions it may accept in the run
 *     min-connections N             sessions it must have accepted
 *     max-rcpt-per-conn N           RCPT commands it may get in one session
 *     greylist                      the first RCPT of each address gets
 *                                   450 4.2.0 (a triplet greylister);
 *                                   later ones go by the rules
 *   TEXT is the reply (escapes \r \n \t \\ \xHH; CRLF added), after
 *   optional modifiers: @once (the rule is used once per peer), @close
 *   (close after sending), @stall (send, then read and discard until the
 *   client closes: a TLS handshake that never comes), @silent (send
 *   nothing; TEXT may be empty), @endless (TEXT without its line end, then
 *   more bytes without one until the client gives up), @multi N (N continuation lines
 *   "CODE-line i" first), @slow MS (one byte every MS).
 *   Rules first match first; then the defaults: EHLO with PIPELINING and
 *   ENHANCEDSTATUSCODES, HELO, MAIL, RSET 250, QUIT 221 (@close), any
 *   other RCPT 550 5.1.1. No rule: no reply.
 * A peer fails (and the test with it) on DATA, VRFY or EXPN, a RCPT for an
 * address that is neither a rcpt of the script nor a catch-all test
 * (lsx-<16 hex>@ a domain of the script), a command with a control byte
 * or a bare LF.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dns/domains.h"
#include "dns/mailhosts.h"
#include "dns/providers.h"
#include "peer.h"
#include "probe/probe_sched.h"
#include "probe/probe_targets.h"
#include "tap.h"
#include "util/diag.h"
#include "util/evloop.h"
#include "address/listcheck.h"
#include "util/utf8.h"
#include "verdict/smtp_classify.h"
#include "verdict/verdict.h"

#define MAXPEER 4
#define MAXRULE 24
#define MAXRCPT 32
#define MAXDOM 4
#define MAXHOST 4
#define MAXSEEN 128
#define MAXTEXT 1024
#define PEER_ALARM_S 60		/* a child's hard limit */

struct rule {
	enum { R_GREET, R_ON, R_RCPT, R_GREYLIST } kind;
	char key[320];
	char text[MAXTEXT];	/* decoded, CRLF added */
	size_t len;
	bool once, close, stall, silent, endless;
	unsigned multi, slow_ms;
	bool used;
};

struct speer {
	char addr[32];
	struct rule rules[MAXRULE];
	size_t nrules;
	bool greylist;
	int max_conns;		/* -1: no check */
	int min_conns;		/* -1: no check */
	int max_rcpt;		/* per session; -1: no check */
	pid_t pid;
	int logfd, ctlfd;
	/* from the transcript */
	char *log;
	unsigned conns;
	unsigned most_rcpt;	/* RCPTs in its busiest session */
	char tests[MAXSEEN][100];
	size_t ntests;
};

struct sdom {
	char name[128];
	char hosts[MAXHOST][128];
	size_t nhosts;
	int want_ca;		/* -1: no check, else enum probe_tri */
	int want_tests;		/* -1: no check */
	char want_pv[48];	/* "": no check, "-": none */
};

struct shost {
	char name[128];
	char addrs[MAXHOST][32];
	size_t naddrs;
};

struct swant {
	char addr[320];
	char sub[40];
	int code;		/* -1: no check */
};

struct sscript {
	char name[128];
	enum smtp_tls tls;
	unsigned retries, retry_ms, per_txn, cmd_ms, max_ms, nosock_ms;
	bool pipelining;
	struct probe_sources sources;
	int want_unreachable;	/* -1: not checked */
	int want_throttled;	/* -1: not checked */
	int want_banner;	/* -1: not checked */
	char provrows[MAXDOM * 2][400];
	size_t nprov;
	struct sdom doms[MAXDOM];
	size_t ndoms;
	struct shost hosts[MAXHOST];
	size_t nhosts;
	char rcpt[MAXRCPT][320];
	size_t nrcpt;
	struct swant wants[MAXRCPT];
	size_t nwants;
	struct speer peers[MAXPEER];
	size_t npeers;
};

static const char *current;	/* the script running, for the alarm */

/* ---------------------------------------------------------------- script */

/* rule_text - modifiers, then the reply text, into r; -1 when unusable */
static int
rule_text(char *p, struct rule *r)
{
	for (;;) {
		char tok[16];
		size_t n = 0;

		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != '@')
			break;
		while (p[n] != '\0' && p[n] != ' ' && p[n] != '\t')
			n++;
		if (n >= sizeof(tok))
			return -1;
		memcpy(tok, p, n);
		tok[n] = '\0';
		p += n;
		if (strcmp(tok, "@once") == 0)
			r->once = true;
		else if (strcmp(tok, "@close") == 0)
			r->close = true;
		else if (strcmp(tok, "@stall") == 0)
			r->stall = true;
		else if (strcmp(tok, "@silent") == 0)
			r->silent = true;
		else if (strcmp(tok, "@endless") == 0)
			r->endless = true;
		else if (strcmp(tok, "@multi") == 0 ||
		    strcmp(tok, "@slow") == 0) {
			char *end;
			long v = strtol(p, &end, 10);

			if (end == p || v <= 0 || v > 100000)
				return -1;
			p = end;
			if (tok[1] == 'm')
				r->multi = (unsigned)v;
			else
				r->slow_ms = (unsigned)v;
		} else
			return -1;
	}
	if (peer_decode(p, r->text, sizeof(r->text) - 2, &r->len) < 0)
		return -1;
	r->text[r->len++] = '\r';
	r->text[r->len++] = '\n';
	return 0;
}

/* add_default - a default rule, after the script's */
static void
add_default(struct speer *pe, int kind, const char *key, const char *text,
    bool close)
{
	struct rule *r;
	char buf[MAXTEXT];

	if (pe->nrules == MAXRULE)
		return;
	r = &pe->rules[pe->nrules++];
	memset(r, 0, sizeof(*r));
	r->kind = kind;
	snprintf(r->key, sizeof(r->key), "%s", key);
	snprintf(buf, sizeof(buf), "%s", text);
	(void)rule_text(buf, r);
	r->close = close;
}

/*
 * count_field - the number a directive "d N" sets (N >= 0): the script's
 * expect-unreachable, expect-throttled, expect-banner, or the peer pe's
 * max-connections, min-connections, max-rcpt-per-conn; NULL for others.
 */
static int *
count_field(struct sscript *sc, struct speer *pe, const char *d)
{
	if (strcmp(d, "expect-unreachable") == 0)
		return &sc->want_unreachable;
	if (strcmp(d, "expect-throttled") == 0)
		return &sc->want_throttled;
	if (strcmp(d, "expect-banner") == 0)
		return &sc->want_banner;
	if (pe == NULL)
		return NULL;
	if (strcmp(d, "max-connections") == 0)
		return &pe->max_conns;
	if (strcmp(d, "min-connections") == 0)
		return &pe->min_conns;
	if (strcmp(d, "max-rcpt-per-conn") == 0)
		return &pe->max_rcpt;
	return NULL;
}

/* script_load - parse path; 0, or -1 with why set */
static int
script_load(const char *path, struct sscript *sc, char *why, size_t whylen)
{
	FILE *f = fopen(path, "r");
	char line[4096], *p;
	unsigned lineno = 0;
	const char *base = strrchr(path, '/');
	struct speer *pe = NULL;
	size_t n;
	int *count;

	memset(sc, 0, sizeof(*sc));
	snprintf(sc->name, sizeof(sc->name), "%s", base ? base + 1 : path);
	n = strlen(sc->name);
	if (n > 6 && strcmp(sc->name + n - 6, ".sched") == 0)
		sc->name[n - 6] = '\0';
	sc->tls = SMTP_TLS_OFF;
	sc->retries = 2;
	sc->retry_ms = 200;
	sc->per_txn = 50;
	sc->cmd_ms = 1000;
	sc->max_ms = 8000;
	sc->pipelining = true;
	memset(&sc->sources, 0, sizeof(sc->sources));
	sc->want_unreachable = -1;
	sc->want_throttled = -1;
	sc->want_banner = -1;
	if (f == NULL) {
		snprintf(why, whylen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while ((p = peer_script_line(f, line, sizeof(line), &lineno)) !=
	    NULL) {
		const char *d = peer_word(&p);

		if (strcmp(d, "opt") == 0) {
			const char *k = peer_word(&p), *v = peer_word(&p);
			long num = peer_num(v);

			if (strcmp(k, "tls") == 0 && strcmp(v, "off") == 0)
				sc->tls = SMTP_TLS_OFF;
			else if (strcmp(k, "tls") == 0 &&
			    strcmp(v, "opportunistic") == 0)
				sc->tls = SMTP_TLS_OPPORTUNISTIC;
			else if (strcmp(k, "retries") == 0 && num >= 0 &&
			    num < 10)
				sc->retries = (unsigned)num;
			else if (strcmp(k, "retry-delay-ms") == 0 && num >= 0 &&
			    num < 10000)
				sc->retry_ms = (unsigned)num;
			else if (strcmp(k, "per-txn") == 0 && num > 0 &&
			    num <= SMTP_RCPT_MAX)
				sc->per_txn = (unsigned)num;
			else if (strcmp(k, "command-ms") == 0 && num > 0 &&
			    num < 10000)
				sc->cmd_ms = (unsigned)num;
			else if (strcmp(k, "no-socket-ms") == 0 && num > 0 &&
			    num < 10000)
				sc->nosock_ms = (unsigned)num;
			else if (strcmp(k, "source") == 0) {
				struct diag sd = { DIAG_OK, "" };

				if (probe_source_parse(v, &sc->sources,
				    &sd) != 0)
					goto bad;
			} else if (strcmp(k, "pipelining") == 0 &&
			    (strcmp(v, "on") == 0 || strcmp(v, "off") == 0))
				sc->pipelining = strcmp(v, "on") == 0;
			else
				goto bad;
		} else if (strcmp(d, "domain") == 0) {
			struct sdom *dm = &sc->doms[sc->ndoms];

			if (sc->ndoms == MAXDOM)
				goto bad;
			memset(dm, 0, sizeof(*dm));
			dm->want_ca = -1;
			dm->want_tests = -1;
			snprintf(dm->name, sizeof(dm->name), "%s", peer_word(&p));
			while (*p != '\0' && dm->nhosts < MAXHOST)
				snprintf(dm->hosts[dm->nhosts++],
				    sizeof(dm->hosts[0]), "%s", peer_word(&p));
			if (dm->name[0] == '\0' || dm->nhosts == 0)
				goto bad;
			sc->ndoms++;
		} else if (strcmp(d, "host") == 0) {
			struct shost *h = &sc->hosts[sc->nhosts];

			if (sc->nhosts == MAXHOST)
				goto bad;
			snprintf(h->name, sizeof(h->name), "%s", peer_word(&p));
			while (*p != '\0' && h->naddrs < MAXHOST) {
				struct in_addr ia;
				const char *a = peer_word(&p);

				/* loopback only: tests never talk to others */
				if (strcmp(a, "::1") != 0 &&
				    (inet_pton(AF_INET, a, &ia) != 1 ||
				    (ntohl(ia.s_addr) >> 24) != 127))
					goto bad;
				snprintf(h->addrs[h->naddrs++],
				    sizeof(h->addrs[0]), "%s", a);
			}
			sc->nhosts++;
		} else if (strcmp(d, "rcpt") == 0) {
			while (*p != '\0') {
				if (sc->nrcpt == MAXRCPT)
					goto bad;
				snprintf(sc->rcpt[sc->nrcpt++],
				    sizeof(sc->rcpt[0]), "%s", peer_word(&p));
			}
		} else if (strcmp(d, "expect") == 0) {
			struct swant *w = &sc->wants[sc->nwants];
			const char *c;

			if (sc->nwants == MAXRCPT)
				goto bad;
			snprintf(w->addr, sizeof(w->addr), "%s", peer_word(&p));
			snprintf(w->sub, sizeof(w->sub), "%s", peer_word(&p));
			c = peer_word(&p);
			w->code = c[0] != '\0' ? (int)peer_num(c) : -1;
			if (w->sub[0] == '\0' || (c[0] != '\0' && w->code < 0) ||
			    verdict_sub_parse(w->sub, strlen(w->sub)) ==
			    SUB_LAST)
				goto bad;
			sc->nwants++;
		} else if (strcmp(d, "expect-catch-all") == 0 ||
		    strcmp(d, "expect-tests") == 0) {
			const char *dn = peer_word(&p), *v = peer_word(&p);
			size_t i;

			for (i = 0; i < sc->ndoms; i++)
				if (strcmp(sc->doms[i].name, dn) == 0)
					break;
			if (i == sc->ndoms)
				goto bad;
			if (d[7] == 't')
				sc->doms[i].want_tests = (int)peer_num(v);
			else if (strcmp(v, "yes") == 0)
				sc->doms[i].want_ca = PROBE_TRI_YES;
			else if (strcmp(v, "no") == 0)
				sc->doms[i].want_ca = PROBE_TRI_NO;
			else if (strcmp(v, "unset") == 0)
				sc->doms[i].want_ca = PROBE_TRI_UNSET;
			else
				goto bad;
		} else if ((count = count_field(sc, pe, d)) != NULL) {
			long v = peer_num(peer_word(&p));

			if (v < 0)
				goto bad;
			*count = (int)v;
		} else if (strcmp(d, "expect-provider") == 0) {
			const char *dn = peer_word(&p), *v = peer_word(&p);
			size_t i;

			for (i = 0; i < sc->ndoms; i++)
				if (strcmp(sc->doms[i].name, dn) == 0)
					break;
			if (i == sc->ndoms || *v == '\0')
				goto bad;
			snprintf(sc->doms[i].want_pv,
			    sizeof(sc->doms[i].want_pv), "%s", v);
		} else if (strcmp(d, "provider") == 0) {
			const char *pat = peer_word(&p), *nm = peer_word(&p);

			if (sc->nprov == MAXDOM * 2 || *pat == '\0' ||
			    *nm == '\0' || *p == '\0')
				goto bad;
			/* the rules may hold spaces ("450 4.2.1") */
			snprintf(sc->provrows[sc->nprov++],
			    sizeof(sc->provrows[0]), "%s\t%s\t%s\t"
			    "https://example.invalid/t_probe_sched\n", pat, nm,
			    p);
		} else if (strcmp(d, "max-ms") == 0) {
			long v = peer_num(peer_word(&p));

			if (v <= 0 || v > 30000)
				goto bad;
			sc->max_ms = (unsigned)v;
		} else if (strcmp(d, "peer") == 0) {
			struct in_addr ia;

			if (sc->npeers == MAXPEER)
				goto bad;
			pe = &sc->peers[sc->npeers++];
			snprintf(pe->addr, sizeof(pe->addr), "%s", peer_word(&p));
			pe->max_conns = -1;
			pe->min_conns = -1;
			pe->max_rcpt = -1;
			if (strcmp(pe->addr, "::1") != 0 &&
			    (inet_pton(AF_INET, pe->addr, &ia) != 1 ||
			    (ntohl(ia.s_addr) >> 24) != 127))
				goto bad;
		} else if (pe != NULL && strcmp(d, "greylist") == 0) {
			pe->greylist = true;
		} else if (pe != NULL && (strcmp(d, "greet") == 0 ||
		    strcmp(d, "on") == 0 || strcmp(d, "on-rcpt") == 0)) {
			struct rule *r = &pe->rules[pe->nrules];

			if (pe->nrules + 6 >= MAXRULE)
				goto bad;
			memset(r, 0, sizeof(*r));
			r->kind = d[0] == 'g' ? R_GREET : d[2] == '-' ? R_RCPT :
			    R_ON;
			if (r->kind != R_GREET)
				snprintf(r->key, sizeof(r->key), "%s",
				    peer_word(&p));
			if (rule_text(p, r) < 0)
				goto bad;
			pe->nrules++;
		} else {
			goto bad;
		}
	}
	fclose(f);
	for (size_t i = 0; i < sc->npeers; i++) {
		struct speer *q = &sc->peers[i];

		add_default(q, R_GREET, "", "220 peer.test ESMTP", false);
		add_default(q, R_ON, "EHLO", "250-peer.test\\r\\n250-PIPELINING"
		    "\\r\\n250 ENHANCEDSTATUSCODES", false);
		add_default(q, R_ON, "HELO", "250 peer.test", false);
		add_default(q, R_ON, "MAIL", "250 2.1.0 Ok", false);
		add_default(q, R_ON, "RSET", "250 2.0.0 Ok", false);
		add_default(q, R_ON, "QUIT", "221 2.0.0 Bye", true);
		add_default(q, R_RCPT, "*", "550 5.1.1 User unknown", false);
	}
	return 0;
bad:
	snprintf(why, whylen, "%s:%u: cannot use this line", path, lineno);
	fclose(f);
	return -1;
}

/* ------------------------------------------------------------------ peer */

/* the child's state */
static const struct sscript *csc;
static struct speer *cpe;
static char seen[MAXSEEN][320];
static size_t nseen;

/* is_test - a catch-all test address of a domain of the script */
static bool
is_test(const struct sscript *sc, const char *a)
{
	const char *at = strchr(a, '@');

	if (strncmp(a, "lsx-", 4) != 0 || at == NULL || at - a != 20 ||
	    strspn(a + 4, "0123456789abcdef") != 16)
		return false;
	for (size_t i = 0; i < sc->ndoms; i++)
		if (strcmp(at + 1, sc->doms[i].name) == 0)
			return true;
	return false;
}

/* child_rcpt_ok - the peer's check of each RCPT */
static bool
child_rcpt_ok(void *arg, const char *a)
{
	const struct sscript *sc = arg;

	for (size_t i = 0; i < sc->nrcpt; i++)
		if (strcmp(a, sc->rcpt[i]) == 0)
			return true;
	return is_test(sc, a);
}

/* slow_send - bytes one at a time, ms apart; false when the client left */
static bool
slow_send(struct peer *p, const char *b, size_t n, unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	for (size_t i = 0; i < n; i++) {
		struct pollfd pfd = { p->fd, POLLIN, 0 };

		if (send(p->fd, b + i, 1, MSG_NOSIGNAL) != 1)
			return false;
		/* a client that gave up closes: stop then */
		if (poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLHUP))
			return false;
		while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
			;
	}
	return true;
}

/* drain - read and discard until the client closes (10 s at most) */
static void
drain(struct peer *p)
{
	int64_t end = evloop_now_ms() + 10000;
	char buf[4096];

	while (evloop_now_ms() < end) {
		struct pollfd pfd = { p->fd, POLLIN, 0 };
		ssize_t r;

		if (poll(&pfd, 1, 200) <= 0)
			continue;
		r = recv(p->fd, buf, sizeof(buf), 0);
		if (r <= 0)
			return;
	}
	peer_fail(p, "the client did not close a stalled connection");
}

/*
 * answer - carry out rule r: 1 go on reading, 0 the connection is over
 * (closed, stalled, endless).
 */
static int
answer(struct peer *p, struct rule *r)
{
	if (r->once)
		r->used = true;
	if (r->multi > 0) {
		char line[64];

		for (unsigned i = 0; i < r->multi; i++) {
			int n = snprintf(line, sizeof(line), "%.3s-line %u\r\n",
			    r->text, i);

			peer_queue(p, line, (size_t)n);
		}
		peer_log(p, "(%u continuation lines)", r->multi);
	}
	if (!r->silent && r->slow_ms > 0) {
		peer_flush(p);
		peer_log(p, "> (slowly) %.*s", (int)(r->len - 2), r->text);
		if (!slow_send(p, r->text, r->len, r->slow_ms))
			return 0;
	} else if (!r->silent) {
		/* @endless: the line goes on, without its CRLF */
		peer_queue(p, r->text, r->endless ? r->len - 2 : r->len);
		peer_flush(p);
	}
	if (r->endless) {
		char buf[4096];

		memset(buf, 'x', sizeof(buf));
		peer_log(p, "> (x without end)");
		for (int i = 0; i < 256; i++)	/* 1 MB at most */
			if (send(p->fd, buf, sizeof(buf), MSG_NOSIGNAL) <= 0)
				break;
		drain(p);
		return 0;
	}
	if (r->stall) {
		peer_log(p, "(stalls)");
		drain(p);
		return 0;
	}
	if (r->close) {
		peer_log(p, "(closes)");
		return 0;
	}
	return 1;
}

/* match - the first usable rule for a line (or the greeting: NULL) */
static struct rule *
match(struct speer *pe, const char *line)
{
	char a[320];

	for (size_t i = 0; i < pe->nrules; i++) {
		struct rule *r = &pe->rules[i];

		if (r->used)
			continue;
		if (line == NULL) {
			if (r->kind == R_GREET)
				return r;
			continue;
		}
		if (r->kind == R_ON && peer_prefix(line, r->key))
			return r;
		if (r->kind == R_RCPT &&
		    peer_rcpt_addr(line, a, sizeof(a)) != NULL &&
		    fnmatch(r->key, a, 0) == 0)
			return r;
	}
	return NULL;
}

/* first_sight - a RCPT line's address not seen before (then noted) */
static bool
first_sight(const char *line)
{
	char a[320];

	if (peer_rcpt_addr(line, a, sizeof(a)) == NULL)
		return false;
	for (size_t i = 0; i < nseen; i++)
		if (strcmp(seen[i], a) == 0)
			return false;
	if (nseen < MAXSEEN)
		snprintf(seen[nseen++], sizeof(seen[0]), "%s", a);
	return true;
}

/* serve - one connection */
static void
serve(struct peer *p)
{
	static struct rule grey = { R_RCPT, "", "450 4.2.0 Greylisted, try "
	    "again later\r\n", 0, false, false, false, false, false, 0, 0,
	    false };
	struct rule *r;
	char line[1024];

	grey.len = strlen(grey.text);
	if ((r = match(cpe, NULL)) != NULL && answer(p, r) == 0)
		return;
	while (!p->failed && peer_line(p, line, sizeof(line), PEER_WAIT_MS)
	    == 1) {
		if (first_sight(line) && cpe->greylist)
			r = &grey;
		else if ((r = match(cpe, line)) == NULL)
			continue;
		if (answer(p, r) == 0)
			return;
	}
}

/* child - the peer at pe: connections until the parent says stop */
static int
child(const struct sscript *sc, struct speer *pe, int lfd, int ctl, int logfd)
{
	static struct peer pp;
	struct peer *p = &pp;
	unsigned conns = 0;
	char buf[512];
	int n;

	csc = sc;
	cpe = pe;
	memset(p, 0, sizeof(*p));
	p->logfd = logfd;
	p->rcpt_ok = child_rcpt_ok;
	p->arg = (void *)(uintptr_t)sc;
	alarm(PEER_ALARM_S);
	for (;;) {
		struct pollfd pfd[2] = { { lfd, POLLIN, 0 }, { ctl, POLLIN, 0 } };

		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[1].revents != 0)
			break;
		if (pfd[0].revents == 0)
			continue;
		if ((p->fd = accept(lfd, NULL, NULL)) < 0)
			continue;
		conns++;
		peer_log(p, "(connection %u)", conns);
		p->inlen = p->outlen = 0;
		serve(p);
		close(p->fd);
	}
	/* The summary is written past the transcript's cap. */
	n = snprintf(buf, sizeof(buf), "SUMMARY conns %u\n", conns);
	if (write(logfd, buf, (size_t)n) < 0)
		return 1;
	for (size_t i = 0; i < nseen; i++)
		if (is_test(sc, seen[i])) {
			n = snprintf(buf, sizeof(buf), "SUMMARY test %s\n",
			    seen[i]);
			if (write(logfd, buf, (size_t)n) < 0)
				return 1;
		}
	return p->failed ? 1 : 0;
}

/* ---------------------------------------------------------------- parent */

static void
on_alarm(int sig)
{
	char msg[256];
	int n;

	(void)sig;
	n = snprintf(msg, sizeof(msg), "Bail out! %s: probe_run did not "
	    "end in time\n", current != NULL ? current : "?");
	if (write(1, msg, (size_t)n) < 0)
		_exit(2);
	_exit(1);
}

/* start_peers - listeners on one free port; children; the port or -1 */
static int
start_peers(struct sscript *sc)
{
	int port = -1;

	for (int attempt = 0; attempt < 5 && port < 0; attempt++) {
		int fds[MAXPEER];
		size_t i;
		in_port_t want = 0;

		for (i = 0; i < sc->npeers; i++) {
			struct sockaddr_in sin;
			struct sockaddr_in6 sin6;

			if (strchr(sc->peers[i].addr, ':') != NULL) {
				memset(&sin6, 0, sizeof(sin6));
				sin6.sin6_addr = in6addr_loopback;
				sin6.sin6_port = want;
				if ((fds[i] = peer_listen6(&sin6)) < 0)
					break;
				want = sin6.sin6_port;
				continue;
			}
			memset(&sin, 0, sizeof(sin));
			inet_pton(AF_INET, sc->peers[i].addr, &sin.sin_addr);
			sin.sin_port = want;
			if ((fds[i] = peer_listen(&sin)) < 0)
				break;
			want = sin.sin_port;
		}
		if (i < sc->npeers) {
			while (i-- > 0)
				close(fds[i]);
			continue;
		}
		port = sc->npeers > 0 ? ntohs(want) : 1;
		if (sc->npeers == 0) {
			/* no peer: a port nothing listens on */
			struct sockaddr_in sin;

			memset(&sin, 0, sizeof(sin));
			sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
			if ((fds[0] = peer_listen(&sin)) >= 0) {
				port = ntohs(sin.sin_port);
				close(fds[0]);
			}
		}
		for (i = 0; i < sc->npeers; i++) {
			struct speer *pe = &sc->peers[i];
			int logp[2], ctlp[2];

			if (pipe(logp) < 0 || pipe(ctlp) < 0)
				return -1;
			fflush(stdout);
			pe->pid = fork();
			if (pe->pid == 0) {
				close(logp[0]);
				close(ctlp[1]);
				for (size_t j = 0; j < sc->npeers; j++)
					if (j > i)
						close(fds[j]);
					else if (j < i) {
						/* or their ends never come */
						close(sc->peers[j].ctlfd);
						close(sc->peers[j].logfd);
					}
				_exit(child(sc, pe, fds[i], ctlp[0], logp[1]));
			}
			close(logp[1]);
			close(ctlp[0]);
			close(fds[i]);
			pe->logfd = logp[0];
			pe->ctlfd = ctlp[1];
		}
	}
	return port;
}

/* read_log - a peer's transcript, kept; its summary parsed */
static void
read_log(struct speer *pe)
{
	size_t cap = PEER_LOGMAX + 65536, n = 0;
	char *buf = malloc(cap), *line, *nl;
	ssize_t r;
	unsigned nrcpt = 0;

	pe->log = buf;
	pe->conns = 0;
	pe->most_rcpt = 0;
	pe->ntests = 0;
	if (buf == NULL)
		return;
	while (n < cap - 1 && (r = read(pe->logfd, buf + n, cap - 1 - n)) > 0)
		n += (size_t)r;
	buf[n] = '\0';
	for (line = buf; (nl = strchr(line, '\n')) != NULL; line = nl + 1) {
		if (sscanf(line, "SUMMARY conns %u", &pe->conns) == 1)
			continue;
		if (strncmp(line, "(connection ", 12) == 0)
			nrcpt = 0;
		else if (strncmp(line, "< RCPT ", 7) == 0 &&
		    ++nrcpt > pe->most_rcpt)
			pe->most_rcpt = nrcpt;
		if (strncmp(line, "SUMMARY test ", 13) == 0 &&
		    pe->ntests < MAXSEEN)
			snprintf(pe->tests[pe->ntests++], sizeof(pe->tests[0]),
			    "%.*s", (int)(nl - line - 13), line + 13);
	}
}

/* show_log - a kept transcript as TAP diagnostics */
static void
show_log(const struct speer *pe)
{
	const char *line = pe->log, *nl;

	while (line != NULL && (nl = strchr(line, '\n')) != NULL) {
		if (strncmp(line, "SUMMARY", 7) != 0)
			diag("  peer %s %.*s", pe->addr, (int)(nl - line),
			    line);
		line = nl + 1;
	}
}

/* text_clean - a stored text is valid UTF-8 without invisibles */
static bool
text_clean(const char *s)
{
	size_t n = strlen(s), i = 0;
	uint32_t cp;

	while (i < n) {
		size_t k = utf8_decode((const unsigned char *)s + i, n - i, &cp);

		if (k == 0 || utf8_invisible(cp))
			return false;
		i += k;
	}
	return true;
}

/* build - the tables probe_run reads, as the DNS stage would leave them */
static void
build(const struct sscript *sc, struct domains *dt, struct mailhosts *mx,
    struct probe_targets *ps)
{
	uint32_t dids[MAXDOM];

	for (size_t i = 0; i < sc->ndoms; i++) {
		const struct sdom *dm = &sc->doms[i];
		uint32_t hids[MAXHOST];
		struct domains_dns_answer a;

		dids[i] = domains_id(dt, dm->name, strlen(dm->name));
		for (size_t j = 0; j < dm->nhosts; j++) {
			struct mx_addr addrs[MAXHOST];
			size_t na = 0;

			for (size_t k = 0; k < sc->nhosts; k++) {
				if (strcmp(sc->hosts[k].name, dm->hosts[j]) != 0)
					continue;
				for (size_t m = 0; m < sc->hosts[k].naddrs; m++) {
					const char *t = sc->hosts[k].addrs[m];

					memset(&addrs[na], 0, sizeof(addrs[0]));
					if (strchr(t, ':') != NULL) {
						addrs[na].family = AF_INET6;
						inet_pton(AF_INET6, t,
						    &addrs[na].u.v6);
					} else {
						addrs[na].family = AF_INET;
						inet_pton(AF_INET, t,
						    &addrs[na].u.v4);
					}
					na++;
				}
			}
			hids[j] = mailhosts_host(mx, dm->hosts[j], addrs, na);
		}
		memset(&a, 0, sizeof(a));
		a.dns = EVDNS_OK;
		a.mx = dm->hosts[0];
		a.hosts = mailhosts_list(mx, hids, dm->nhosts);
		a.nhosts = dm->nhosts;
		domains_set_dns(dt, dids[i], &a);
	}
	for (size_t i = 0; i < sc->nrcpt; i++) {
		const char *at = strchr(sc->rcpt[i], '@');
		uint32_t dom = UINT32_MAX;

		for (size_t j = 0; at != NULL && j < sc->ndoms; j++)
			if (strcmp(at + 1, sc->doms[j].name) == 0)
				dom = dids[j];
		probe_targets_add(ps, (uint32_t)i, sc->rcpt[i],
		    strlen(sc->rcpt[i]), dom, false);
	}
}

static struct listcheck *lists;

/* Descriptors held to make socket() fail with EMFILE. */
static int held[256];
static size_t nheld;
static struct rlimit saved_limit;
static bool holding;

/* hold_fds - lower the open-file limit and take every descriptor left */
static bool
hold_fds(void)
{
	struct rlimit rl;
	int fd;

	if (getrlimit(RLIMIT_NOFILE, &saved_limit) != 0)
		return false;
	rl = saved_limit;
	rl.rlim_cur = 200;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < rl.rlim_cur)
		return false;
	if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
		return false;
	nheld = 0;
	while (nheld < sizeof(held) / sizeof(held[0]) &&
	    (fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0)
		held[nheld++] = fd;
	holding = true;
	return errno == EMFILE;
}

/* release_fds - the timer: give them back, and the limit */
static void
release_fds(void *arg)
{
	(void)arg;
	if (!holding)
		return;
	while (nheld > 0)
		close(held[--nheld]);
	(void)setrlimit(RLIMIT_NOFILE, &saved_limit);
	holding = false;
}
static struct smtp_phrases *phrases;

/* load_providers - the script's provider rows as a table, or NULL */
static struct providers *
load_providers(const struct sscript *sc)
{
	char path[] = "/tmp/t_probe_sched.XXXXXX";
	int fd;
	FILE *f;
	struct providers *pv = NULL;
	struct diag d = { DIAG_OK, "" };

	if (sc->nprov == 0)
		return NULL;
	if ((fd = mkstemp(path)) < 0 || (f = fdopen(fd, "w")) == NULL) {
		ok(0, "%s: providers table written", sc->name);
		return NULL;
	}
	for (size_t i = 0; i < sc->nprov; i++)
		fputs(sc->provrows[i], f);
	if (fclose(f) == 0)
		pv = providers_load(path, &d);
	unlink(path);
	ok(pv != NULL, "%s: providers table loads%s%s", sc->name,
	    pv == NULL ? ": " : "", pv == NULL ? d.msg : "");
	return pv;
}

/* run_script - one script */
static void
run_script(const char *path)
{
	static struct sscript sc;
	char why[512];
	struct domains *dt;
	struct mailhosts *mx;
	struct probe_targets *ps;
	struct probe_opts o;
	struct probe_stats st;
	struct diag d = { DIAG_OK, "" };
	struct evloop *loop;
	int port, rc, before = tap_failed;
	int64_t t0, ms;
	struct evtimer release;
	struct providers *pvt;

	if (script_load(path, &sc, why, sizeof(why)) < 0) {
		ok(0, "script loads: %s", why);
		return;
	}
	current = sc.name;
	if ((port = start_peers(&sc)) < 0) {
		bool v6 = false;

		for (size_t i = 0; i < sc.npeers; i++)
			v6 |= strchr(sc.peers[i].addr, ':') != NULL;
		if (v6)
			ok(1, "# SKIP %s: cannot listen on ::1", sc.name);
		else
			ok(0, "%s: peers listen on 127.0.0.x", sc.name);
		return;
	}
	loop = evloop_new();
	dt = domains_new(lists);
	mx = mailhosts_new();
	ps = probe_targets_new();
	build(&sc, dt, mx, ps);
	if ((pvt = load_providers(&sc)) != NULL)
		domains_find_providers(dt, pvt);
	memset(&o, 0, sizeof(o));
	o.helo = "probe.listscrub.test";
	o.mail_from = "probe@listscrub.test";
	o.port = (unsigned)port;
	o.tls = sc.tls;
	o.rcpt_per_txn = sc.per_txn;
	o.pipelining = sc.pipelining;
	o.retry_delay_ms = sc.retry_ms;
	o.retries = sc.retries;
	o.per_host = 1;		/* a peer serves one connection at a time */
	o.host_rate = 1000;
	o.max_connections = 10;
	o.connect_ms = o.banner_ms = o.command_ms = sc.cmd_ms;
	o.seed = 42;
	o.sources = &sc.sources;
	signal(SIGALRM, on_alarm);
	alarm(sc.max_ms / 1000 + 10);
	t0 = evloop_now_ms();
	evtimer_init(&release);
	if (sc.nosock_ms > 0) {
		ok(hold_fds(), "%s: no descriptor left (%zu taken)", sc.name,
		    nheld);
		evloop_timer_set(loop, &release, t0 + sc.nosock_ms,
		    release_fds, NULL);
	}
	rc = probe_run(loop, ps, dt, mx, phrases, &o, &st, &d);
	ms = evloop_now_ms() - t0;
	alarm(0);
	evloop_timer_cancel(loop, &release);
	release_fds(NULL);
	ok(rc == 0, "%s: probe_run ends (%s)", sc.name, rc == 0 ? "ok" : d.msg);
	ok(ms <= (int64_t)sc.max_ms, "%s: within %u ms (took %lld ms, %llu "
	    "sessions)", sc.name, sc.max_ms, (long long)ms,
	    (unsigned long long)st.connections);
	for (size_t i = 0; i < sc.npeers; i++) {
		struct speer *pe = &sc.peers[i];

		close(pe->ctlfd);
		ok(peer_wait(pe->pid, PEER_WAIT_MS + 12000) == 0, "%s: the peer "
		    "at %s saw only allowed commands", sc.name, pe->addr);
		read_log(pe);
		close(pe->logfd);
	}
	for (size_t i = 0; i < sc.nrcpt; i++) {
		const struct probe_result *pr =
		    probe_targets_result(ps, (uint32_t)i);

		if (pr->sub == SUB_LAST || (pr->text != NULL &&
		    !text_clean(pr->text)))
			ok(0, "%s: %s has a clean answer (%s)", sc.name,
			    sc.rcpt[i], pr->sub == SUB_LAST ? "none" :
			    pr->text);
	}
	for (size_t i = 0; i < sc.nwants; i++) {
		const struct swant *w = &sc.wants[i];
		size_t k;

		for (k = 0; k < sc.nrcpt; k++)
			if (strcmp(sc.rcpt[k], w->addr) == 0)
				break;
		if (k == sc.nrcpt) {
			ok(0, "%s: %s is a rcpt of the script", sc.name,
			    w->addr);
			continue;
		}
		{
			const struct probe_result *pr =
			    probe_targets_result(ps, (uint32_t)k);
			const char *got = pr->sub < SUB_LAST ?
			    verdict_sub_name(pr->sub) : "(none)";

			if (w->code >= 0)
				ok(strcmp(got, w->sub) == 0 &&
				    pr->code == w->code, "%s: %s -> %s %d "
				    "(got %s %d %s)", sc.name, w->addr, w->sub,
				    w->code, got, pr->code,
				    pr->text ? pr->text : "");
			else
				is_str(got, w->sub, "%s: %s -> %s", sc.name,
				    w->addr, w->sub);
		}
	}
	if (sc.want_banner >= 0)
		is_int((int)st.provider_banner, sc.want_banner,
		    "%s: hosts known by their greeting", sc.name);
	for (size_t i = 0; i < sc.ndoms; i++) {
		const struct provider *pv;

		if (sc.doms[i].want_pv[0] == '\0')
			continue;
		pv = domains_provider(dt, domains_id(dt, sc.doms[i].name,
		    strlen(sc.doms[i].name)));
		is_str(pv != NULL ? pv->name : "-", sc.doms[i].want_pv,
		    "%s: %s's provider", sc.name, sc.doms[i].name);
	}
	if (sc.want_throttled >= 0)
		ok(st.provider_throttled >= (uint64_t)sc.want_throttled,
		    "%s: at least %d \"slow down\" replies (%llu)", sc.name,
		    sc.want_throttled,
		    (unsigned long long)st.provider_throttled);
	if (sc.want_unreachable >= 0)
		is_int((int)st.source_unreachable, sc.want_unreachable,
		    "%s: hosts not reachable from the source addresses",
		    sc.name);
	for (size_t i = 0; i < sc.npeers; i++) {
		struct speer *pe = &sc.peers[i];

		if (pe->max_conns >= 0)
			ok(pe->conns <= (unsigned)pe->max_conns, "%s: %s "
			    "accepted at most %d sessions (%u)", sc.name,
			    pe->addr, pe->max_conns, pe->conns);
		if (pe->min_conns >= 0)
			ok(pe->conns >= (unsigned)pe->min_conns, "%s: %s "
			    "accepted at least %d sessions (%u)", sc.name,
			    pe->addr, pe->min_conns, pe->conns);
		if (pe->max_rcpt >= 0)
			ok(pe->most_rcpt <= (unsigned)pe->max_rcpt, "%s: %s "
			    "got at most %d RCPTs in a session (%u)", sc.name,
			    pe->addr, pe->max_rcpt, pe->most_rcpt);
	}
	for (size_t i = 0; i < sc.ndoms; i++) {
		const struct sdom *dm = &sc.doms[i];

		if (dm->want_tests >= 0) {
			unsigned n = 0;

			for (size_t j = 0; j < sc.npeers; j++)
				for (size_t k = 0; k < sc.peers[j].ntests; k++)
					if (strcmp(strchr(sc.peers[j].tests[k],
					    '@') + 1, dm->name) == 0)
						n++;
			is_int((int)n, dm->want_tests, "%s: %s: distinct "
			    "catch-all test addresses on the wire", sc.name,
			    dm->name);
		}
		if (dm->want_ca >= 0)
			for (size_t k = 0; k < sc.nrcpt; k++) {
				const char *at = strchr(sc.rcpt[k], '@');

				if (at != NULL && strcmp(at + 1, dm->name) == 0)
					is_int(probe_targets_result(ps,
					    (uint32_t)k)->catch_all, dm->want_ca,
					    "%s: %s: catch-all flag", sc.name,
					    sc.rcpt[k]);
			}
	}
	is_int(evloop_nwatched(loop), 0, "%s: no fd left watched", sc.name);
	if (tap_failed != before) {
		diag("%s: %llu sessions, %llu transactions, %llu rcpts, %llu "
		    "requeued, %llu retries", sc.name,
		    (unsigned long long)st.connections,
		    (unsigned long long)st.transactions,
		    (unsigned long long)st.rcpts,
		    (unsigned long long)st.requeued,
		    (unsigned long long)st.retries);
		for (size_t i = 0; i < sc.npeers; i++)
			show_log(&sc.peers[i]);
	}
	for (size_t i = 0; i < sc.npeers; i++)
		free(sc.peers[i].log);
	probe_targets_free(ps);
	mailhosts_free(mx);
	domains_free(dt);
	providers_free(pvt);
	evloop_free(loop);
	current = NULL;
}

/* check_fd_limit - --max-connections above the open-file limit is raised
 * to fit, or refused at start (in a child: limits cannot be raised back) */
static void
check_fd_limit(void)
{
	pid_t pid;
	int st;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct rlimit rl = { 64, 4096 };
		struct diag d = { DIAG_OK, "" };
		int bad = 0;

		if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
			_exit(0);	/* cannot set up: nothing to check */
		if (probe_fd_check(20, &d) != 0)
			bad |= 1;
		if (probe_fd_check(1000, &d) != 0 ||
		    getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur < 1000)
			bad |= 2;
		rl.rlim_cur = rl.rlim_max = 100;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0 ||
		    probe_fd_check(1000, &d) != -1 || d.code != DIAG_USAGE)
			bad |= 4;
		_exit(bad);
	}
	st = -1;
	if (pid > 0)
		(void)waitpid(pid, &st, 0);
	ok(pid > 0 && WIFEXITED(st) && (WEXITSTATUS(st) & 1) == 0,
	    "--max-connections within the file limit: fine");
	ok(pid > 0 && WIFEXITED(st) && (WEXITSTATUS(st) & 2) == 0,
	    "--max-connections above the soft limit: raised");
	ok(pid > 0 && WIFEXITED(st) && (WEXITSTATUS(st) & 4) == 0,
	    "--max-connections above the hard limit: refused at start");
}

int
main(int argc, char **argv)
{
	const char *src = getenv("srcdir");
	char dir[4096];
	struct diag d = { DIAG_OK, "" };
	int n = 0;

	signal(SIGPIPE, SIG_IGN);
	if (src == NULL || src[0] == '\0')
		src = ".";
	snprintf(dir, sizeof(dir), "%s/lists", src);
	if ((lists = listcheck_load(dir, &d)) == NULL) {
		printf("Bail out! lists: %s\n", d.msg);
		return 1;
	}
	snprintf(dir, sizeof(dir), "%s/lists/smtp-phrases.tsv", src);
	if ((phrases = smtp_phrases_load(dir, &d)) == NULL) {
		printf("Bail out! phrases: %s\n", d.msg);
		return 1;
	}
	check_fd_limit();
	if (argc > 1) {
		for (int i = 1; i < argc; i++) {
			size_t len = strlen(argv[i]);

			if (len > 6 && strcmp(argv[i] + len - 6, ".sched") == 0) {
				run_script(argv[i]);
				n++;
			} else if (peer_each_script(argv[i], ".sched", run_script) > 0) {
				n++;
			}
		}
	} else {
		snprintf(dir, sizeof(dir), "%s/tests/data/sched", src);
		n = peer_each_script(dir, ".sched", run_script);
	}
	listcheck_free(lists);
	smtp_phrases_free(phrases);
	if (n <= 0) {
		printf("Bail out! no *.sched scripts found\n");
		return 1;
	}
	return done_testing();
}
