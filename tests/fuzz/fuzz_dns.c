/*
 * fuzz_dns - LLVMFuzzerTestOneInput over the DNS answer handling of
 * mxlookup (the MX, A and AAAA answers: null MX, implicit MX, CNAME
 * chains and loops, NXDOMAIN, bad answers), unchanged: a real mxlookup
 * on a real c-ares channel asks a fake resolver in this process, on a
 * loopback UDP socket watched by the same evloop, and the fake answers
 * each query with the next answer of the input. No thread, no fork.
 *
 * Input: byte 0 = options (bit 0 allow_reserved; bit 1 also submit
 * "other.test", so that two domains share the host memo; bit 2
 * concurrency 1, so that queries wait in mxlookup's queues), then one
 * answer per query, in the order the queries arrive: a 2-byte big-endian
 * length and that many bytes (the last answer takes what is left). An
 * answer's bytes are, after the fake's 12-byte header and the query's own
 * question: flags (2 bytes), ANCOUNT, NSCOUNT, ARCOUNT (2 bytes each),
 * then the records; a name may point at offset 12 (the question's name,
 * 0xc0 0x0c). The fake writes the query's ID, QDCOUNT 1 and the
 * question back, so c-ares takes every answer as the answer to its
 * query; it sets QR and clears TC (no TCP here) and the opcode. A
 * length of 0 drops the query (a timeout, 3 ms; once per input, later
 * ones are REFUSED); once the input is used up every query
 * gets REFUSED. tests/fuzz/corpus/dns holds real answers in this form:
 * MX, null MX, NXDOMAIN, NODATA (implicit MX), a CNAME chain, a CNAME
 * loop, a cut-off answer, SERVFAIL.
 *
 * Invariants, checked with abort() (validator/README, "DNS facts"):
 *  - done comes exactly once per domain, with an outcome that is one of
 *    enum mx_outcome, a detail text, at most MXLOOKUP_MAX_HOSTS hosts
 *    and at most 2 * MXLOOKUP_MAX_ADDRS addresses each, every address
 *    AF_INET or AF_INET6 and not reserved unless allow_reserved;
 *  - MX_OK or MX_IMPLICIT exactly when some host has an address;
 *    MX_IMPLICIT is the domain itself, alone, with MX_F_IMPLICIT;
 *  - a temporary failure never becomes a negative outcome: when the
 *    last answer to the domain's MX query was dropped or had an RCODE
 *    other than NOERROR and NXDOMAIN, the outcome is MX_TIMEOUT or
 *    MX_ERROR; MX_NXDOMAIN needs RCODE NXDOMAIN; MX_NULL needs NOERROR;
 *    MX_NO_HOST needs every A and AAAA query of its hosts (those whose
 *    names compare plainly) to have been answered NOERROR or NXDOMAIN;
 *  - no leak (LeakSanitizer), everything within 5 s.
 * FUZZ_VERBOSE=1 in the environment prints each query's answer and each
 * domain's result; FUZZ_DNS_LAX_RCODE=1: see temp_answer.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dns/mxlookup.h"
#include "util/ascii.h"
#include "util/diag.h"
#include "util/evloop.h"

#include "fuzz/fuzz.h"

#define MAXLOG 64		/* queries remembered per input */
#define MAXDROP 1		/* dropped queries per input */
#define TIMEOUT_MS 3
#define LIMIT_MS 5000
#define RCODE_DROPPED (-1)

/* One query the fake saw, by name and type, and its last answer. */
struct qlog {
	char name[256];		/* lower case, dotted; "" if not plain */
	unsigned type;
	int rcode;		/* RCODE_DROPPED, or the RCODE answered */
};

struct fake {
	int fd;
	char port[64];		/* "127.0.0.1:PORT" */
	const uint8_t *in;	/* answers not used yet */
	size_t left;
	unsigned drops;
	struct qlog log[MAXLOG];
	size_t nlog;
};

struct domain {
	const char *name;
	int done;
};

static struct evloop *loop;
static struct fake fake;
static bool allow_reserved;

static bool verbose;
static bool lax_rcode;

static void fake_init(void);
static void fake_drain(void);
static size_t qname_text(const uint8_t *p, size_t len, size_t off,
    char *out, size_t room);
static void fake_log(const char *name, unsigned type, int rcode);
static void on_query(void *arg, int fd, bool rd, bool wr);
static const struct qlog *last_answer(const char *name, unsigned type);
static bool temp_answer(const struct qlog *q);
static bool noerror(const struct qlog *q);
static void on_done(void *arg, const struct mx_result *res);

/* fake_init - the resolver's socket on 127.0.0.1, port chosen by the kernel. */
static void
fake_init(void)
{
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);

	fake.fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	CHECK(fake.fd >= 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHECK(bind(fake.fd, (struct sockaddr *)&sin, sizeof(sin)) == 0);
	CHECK(getsockname(fake.fd, (struct sockaddr *)&sin, &sl) == 0);
	snprintf(fake.port, sizeof(fake.port), "127.0.0.1:%u",
	    (unsigned)ntohs(sin.sin_port));
	loop = evloop_new();
	CHECK(evloop_watch(loop, fake.fd, true, false, on_query, &fake,
	    NULL) == 0);
}

/* fake_drain - forget queries left over from the previous input. */
static void
fake_drain(void)
{
	uint8_t b[512];

	while (recv(fake.fd, b, sizeof(b), 0) >= 0)
		;
}

/*
 * qname_text - the name at off in the query p (no compression in
 * queries) as lower-case dotted text in out ("" when a label holds a
 * byte other than a letter, digit, '-' or '_'). Returns the offset after
 * the name, or 0 when it does not fit in p.
 */
static size_t
qname_text(const uint8_t *p, size_t len, size_t off, char *out, size_t room)
{
	size_t o = 0;
	bool plain = true;

	while (off < len && p[off] != 0) {
		size_t l = p[off];

		if (l > 63 || off + 1 + l > len)
			return 0;
		for (size_t i = 0; i < l; i++) {
			unsigned char c = p[off + 1 + i];

			if (!ascii_isalnum(c) && c != '-' && c != '_')
				plain = false;
			if (o + 2 < room)
				out[o++] = (char)ascii_tolower(c);
		}
		if (o + 2 < room)
			out[o++] = '.';
		off += 1 + l;
	}
	if (off >= len)
		return 0;
	if (o > 0)
		o--;		/* the last dot */
	out[o] = '\0';
	if (!plain)
		out[0] = '\0';
	return off + 1;
}

/* fake_log - remember (or update) the last answer to name/type. */
static void
fake_log(const char *name, unsigned type, int rcode)
{
	for (size_t i = 0; i < fake.nlog; i++)
		if (fake.log[i].type == type &&
		    strcmp(fake.log[i].name, name) == 0) {
			fake.log[i].rcode = rcode;
			return;
		}
	if (fake.nlog == MAXLOG)
		return;
	snprintf(fake.log[fake.nlog].name, sizeof(fake.log[0].name), "%s",
	    name);
	fake.log[fake.nlog].type = type;
	fake.log[fake.nlog++].rcode = rcode;
}

/* on_query - a query came: answer it with the next answer of the input. */
static void
on_query(void *arg, int fd, bool rd, bool wr)
{
	uint8_t q[512], a[65536];
	struct sockaddr_storage from;
	socklen_t fl = sizeof(from);
	ssize_t n;

	(void)arg;
	(void)wr;
	if (!rd)
		return;
	while ((n = recvfrom(fd, q, sizeof(q), 0, (struct sockaddr *)&from,
	    &fl)) >= 0) {
		char name[256];
		size_t qend, clen = 0, alen;
		const uint8_t *c = NULL;
		unsigned type;
		bool refuse = false;

		if (n < 12 || (qend = qname_text(q, (size_t)n, 12, name,
		    sizeof(name))) == 0 || qend + 4 > (size_t)n)
			continue;	/* c-ares never sends these */
		type = (unsigned)q[qend] << 8 | q[qend + 1];
		qend += 4;
		if (fake.left >= 2) {
			clen = (size_t)fake.in[0] << 8 | fake.in[1];
			if (clen > fake.left - 2)
				clen = fake.left - 2;
			c = fake.in + 2;
			fake.in += 2 + clen;
			fake.left -= 2 + clen;
			if (clen == 0 && fake.drops < MAXDROP) {
				fake.drops++;
				fake_log(name, type, RCODE_DROPPED);
				if (verbose)
					fprintf(stderr, "query %s type %u: "
					    "dropped\n", name, type);
				continue;
			}
			refuse = clen == 0;
		} else {
			fake.left = 0;
			refuse = true;
		}
		/* header: ID, flags, counts; then the question as asked */
		memset(a, 0, 12);
		a[0] = q[0];
		a[1] = q[1];
		if (refuse) {
			a[2] = 0x80;
			a[3] = 5;	/* REFUSED */
		} else {
			a[2] = (uint8_t)(0x80 | ((clen > 0 ? c[0] : 0) & 0x05));
			a[3] = clen > 1 ? c[1] : 0;
			for (size_t i = 2; i < 8 && i < clen; i++)
				a[4 + i] = c[i];
		}
		a[5] = 1;	/* QDCOUNT */
		memcpy(a + 12, q + 12, qend - 12);
		alen = qend;
		if (clen > 8) {
			memcpy(a + alen, c + 8, clen - 8);
			alen += clen - 8;
		}
		fake_log(name, type, a[3] & 0x0f);
		if (verbose)
			fprintf(stderr, "query %s type %u: rcode %u, %zu "
			    "bytes\n", name, type, a[3] & 0x0fu, alen);
		(void)sendto(fd, a, alen, 0, (struct sockaddr *)&from, fl);
		fl = sizeof(from);
	}
}

/* last_answer - what the fake last answered to name/type, NULL if never. */
static const struct qlog *
last_answer(const char *name, unsigned type)
{
	for (size_t i = 0; i < fake.nlog; i++)
		if (fake.log[i].type == type &&
		    strcmp(fake.log[i].name, name) == 0)
			return &fake.log[i];
	return NULL;
}

/*
 * temp_answer - dropped, or an RCODE other than NOERROR and NXDOMAIN.
 * RCODEs 6 to 15 (YXDOMAIN... and unassigned) are not answers either;
 * c-ares 1.18 passes them on as ARES_SUCCESS, and mxlookup reads an empty
 * one as NODATA. With FUZZ_DNS_LAX_RCODE set they are not checked, so a
 * campaign can go on past that known finding.
 */
static bool
temp_answer(const struct qlog *q)
{
	if (q == NULL || q->rcode == 0 || q->rcode == 3)
		return false;
	return !(lax_rcode && q->rcode >= 6);
}

/* noerror - answered NOERROR (or, lax, an RCODE from 6 to 15). */
static bool
noerror(const struct qlog *q)
{
	return q != NULL && (q->rcode == 0 || (lax_rcode && q->rcode >= 6));
}

/* on_done - a domain's result: check it. */
static void
on_done(void *arg, const struct mx_result *res)
{
	struct domain *dom = arg;
	const struct qlog *mx = last_answer(dom->name, 15);
	bool any_addr = false;

	dom->done++;
	if (verbose)
		fprintf(stderr, "%s: %s (%s), %zu host(s)\n", dom->name,
		    mx_outcome_name(res->outcome), res->detail, res->nhosts);
	CHECK(dom->done == 1);
	CHECK((unsigned)res->outcome < MX_OUTCOME_LAST);
	CHECK(strcmp(mx_outcome_name(res->outcome), "unknown") != 0);
	CHECK(res->detail != NULL && res->detail[0] != '\0');
	CHECK(res->domain != NULL && strcmp(res->domain, dom->name) == 0);
	CHECK(res->nhosts <= MXLOOKUP_MAX_HOSTS);
	CHECK(res->nhosts == 0 || res->hosts != NULL);
	for (size_t i = 0; i < res->nhosts; i++) {
		const struct mx_host *h = &res->hosts[i];

		CHECK(h->name != NULL);
		CHECK(h->naddrs <= 2 * MXLOOKUP_MAX_ADDRS);
		for (size_t k = 0; k < h->naddrs; k++) {
			CHECK(h->addrs[k].family == AF_INET ||
			    h->addrs[k].family == AF_INET6);
			CHECK(allow_reserved ||
			    !mxlookup_addr_reserved(&h->addrs[k]));
		}
		if (h->naddrs > 0)
			any_addr = true;
	}
	CHECK(any_addr == (res->outcome == MX_OK ||
	    res->outcome == MX_IMPLICIT));
	if (res->outcome == MX_IMPLICIT)
		CHECK((res->flags & MX_F_IMPLICIT) && res->nhosts == 1 &&
		    ascii_ncasecmp(res->hosts[0].name, dom->name,
		    strlen(dom->name) + 1) == 0);
	if (res->outcome == MX_OK)
		CHECK(!(res->flags & MX_F_IMPLICIT) && res->nmx > 0);
	/* a temporary failure never becomes a negative outcome */
	if (temp_answer(mx))
		CHECK(res->outcome == MX_TIMEOUT || res->outcome == MX_ERROR);
	if (res->outcome == MX_NXDOMAIN)
		CHECK(mx != NULL && mx->rcode == 3 && res->nhosts == 0);
	if (res->outcome == MX_NULL)
		CHECK(noerror(mx) && res->nhosts == 0 && res->nmx == 0);
	if (res->outcome == MX_NO_HOST) {
		for (size_t i = 0; i < res->nhosts; i++) {
			char lower[256];
			size_t len = strlen(res->hosts[i].name);

			if (res->hosts[i].flags & MX_H_IP_LITERAL ||
			    len >= sizeof(lower))
				continue;
			memcpy(lower, res->hosts[i].name, len + 1);
			ascii_lower(lower, len);
			CHECK(!temp_answer(last_answer(lower, 1)));
			CHECK(!temp_answer(last_answer(lower, 28)));
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct domain doms[2];
	const char *servers[1];
	struct mxlookup_opts o;
	struct mxlookup *m;
	struct diag d = { 0 };
	size_t ndom;
	int64_t end;

	if (size == 0)
		return 0;
	if (loop == NULL) {
		fake_init();
		verbose = getenv("FUZZ_VERBOSE") != NULL;
		lax_rcode = getenv("FUZZ_DNS_LAX_RCODE") != NULL;
	}
	fake_drain();
	fake.in = data + 1;
	fake.left = size - 1;
	fake.drops = 0;
	fake.nlog = 0;
	allow_reserved = (data[0] & 1) != 0;
	ndom = (data[0] & 2) ? 2 : 1;

	memset(&o, 0, sizeof(o));
	servers[0] = fake.port;
	o.servers = servers;
	o.nservers = 1;
	o.timeout_ms = TIMEOUT_MS;
	o.tries = 1;
	o.concurrency = (data[0] & 4) ? 1 : 0;
	o.allow_reserved = allow_reserved;
	o.seed = 1;
	m = mxlookup_new(loop, &o, &d);
	CHECK(m != NULL);
	doms[0].name = "fuzz.test";
	doms[1].name = "other.test";
	for (size_t i = 0; i < ndom; i++) {
		doms[i].done = 0;
		CHECK(mxlookup_submit(m, doms[i].name, on_done, &doms[i],
		    &d) == 0);
	}
	end = evloop_now_ms() + LIMIT_MS;
	while (mxlookup_pending(m) > 0) {
		CHECK(evloop_now_ms() < end);
		CHECK(evloop_run_once(loop, 100, &d) == 0);
	}
	for (size_t i = 0; i < ndom; i++)
		CHECK(doms[i].done == 1);
	mxlookup_free(m);
	/* only the fake's socket is left */
	CHECK(evloop_nwatched(loop) == 1);
	return 0;
}
