#include "probe/probe_trouble.h"

#include <string.h>

#define MAX_NOREPLY 6		/* hand-outs without a reply before giving up */
#define MAX_HOST_FAILS 3	/* drops/refusals before a host is given up */
#define POLICY_BLOCK_AFTER 3	/* policy refusals before a host is blocked */
#define BACKOFF_MS 1000		/* pause after a 421 or a dropped session */
#define MAX_SMALLER 3		/* "too many recipients" before giving up */
/*
 * Rejected RCPTs per session before we QUIT and reconnect: servers slow
 * down or drop sessions that collect errors (Postfix: replies delayed
 * after 10, 421 after 20), and a fresh session is both faster and kinder.
 */
#define ERRORS_PER_SESSION 8
/*
 * Transactions per session: each ends with RSET, which servers count as a
 * junk command (Postfix: after 100, every RSET is an error, and errors
 * slow every reply down to one a second).
 */
#define TXNS_PER_SESSION 50

static const char *const addr_names[TROUBLE_ADDR_LAST] = {
	"answer", "retry", "requeue", "give_up", "smaller"
};
static const char *const host_names[TROUBLE_HOST_LAST] = {
	"keep", "back_off", "plain", "dead", "blocked"
};

static void trouble_answer(struct probe_trouble_addr *a, enum verdict_sub sub,
    bool reply);
static void trouble_retry(const struct probe_trouble_opts *o,
    enum verdict_sub sub, struct probe_trouble_addr_count *ac,
    struct probe_trouble_addr *a);
static void trouble_policy(struct probe_trouble_host_count *hc,
    struct probe_trouble_host *h);
static void trouble_host(struct probe_trouble_host *h,
    enum probe_trouble_host_act act, enum verdict_sub sub, bool reply);

/* trouble_answer - the address is answered sub. */
static void
trouble_answer(struct probe_trouble_addr *a, enum verdict_sub sub, bool reply)
{
	a->act = TROUBLE_ANSWER;
	a->sub = sub;
	a->reply = reply;
}

/* trouble_retry - a temporary answer: ask again, or give up as sub. */
static void
trouble_retry(const struct probe_trouble_opts *o, enum verdict_sub sub,
    struct probe_trouble_addr_count *ac, struct probe_trouble_addr *a)
{
	if (ac->retries >= o->retries) {
		trouble_answer(a, sub, true);
		return;
	}
	ac->retries++;
	a->act = TROUBLE_RETRY;
	a->sub = sub;
	a->delay_ms = o->retry_delay_ms;
}

/*
 * trouble_policy - a refusal aimed at the sender: noted as a problem, and
 * counted until the host is blocked.
 */
static void
trouble_policy(struct probe_trouble_host_count *hc,
    struct probe_trouble_host *h)
{
	h->problem = true;
	if (++hc->policy >= POLICY_BLOCK_AFTER)
		trouble_host(h, TROUBLE_HOST_BLOCKED, SUB_PROBE_BLOCKED, true);
}

/* trouble_host - the host's act, and the answer of its queue. */
static void
trouble_host(struct probe_trouble_host *h, enum probe_trouble_host_act act,
    enum verdict_sub sub, bool reply)
{
	h->act = act;
	h->sub = sub;
	h->reply = reply;
}

void
probe_trouble_rcpt(const struct probe_trouble_opts *o,
    const struct smtp_reply *reply, enum smtp_class cls,
    const struct smtp_reply *mail, bool utf8,
    struct probe_trouble_addr_count *ac, struct probe_trouble_host_count *hc,
    struct probe_trouble_addr *addr, struct probe_trouble_host *host)
{
	memset(addr, 0, sizeof(*addr));
	memset(host, 0, sizeof(*host));
	addr->sub = SUB_LAST;
	host->sub = SUB_LAST;
	if (reply == NULL) {
		if (mail != NULL && mail->code >= 500) {
			/* MAIL FROM refused: about the sender, never the
			 * recipients (validator/README, "SMTP facts"). */
			trouble_answer(addr, SUB_POLICY_BLOCKED, true);
			trouble_policy(hc, host);
		} else if (mail != NULL && mail->code >= 400)
			trouble_retry(o, SUB_TEMPORARY_ERROR, ac, addr);
		else if (++ac->noreply >= MAX_NOREPLY) {
			addr->act = TROUBLE_GIVE_UP;
			addr->sub = SUB_TEMPORARY_ERROR;
		} else
			addr->act = TROUBLE_REQUEUE;
		return;
	}
	if (reply->code == SMTP_CODE_UNSAFE) {
		trouble_answer(addr, utf8 ? SUB_SMTPUTF8_UNSUPPORTED :
		    SUB_SMTP_REJECTED, false);
		return;
	}
	switch (cls) {
	case SMTPC_ACCEPTED:
		trouble_answer(addr, SUB_MAILBOX_OK, true);
		break;
	case SMTPC_MAILBOX_NOT_FOUND:
		trouble_answer(addr, SUB_MAILBOX_NOT_FOUND, true);
		break;
	case SMTPC_MAILBOX_DISABLED:
		trouble_answer(addr, SUB_MAILBOX_DISABLED, true);
		break;
	case SMTPC_MAILBOX_FULL:
		trouble_answer(addr, SUB_MAILBOX_FULL, true);
		break;
	case SMTPC_POLICY:
	case SMTPC_SENDER_REJECTED:
	case SMTPC_RELAY_DENIED:
		trouble_answer(addr, SUB_POLICY_BLOCKED, true);
		trouble_policy(hc, host);
		break;
	case SMTPC_TOO_MANY_RCPTS:
		/* Not a verdict, and not a failure to answer either; but
		 * bounded: a host that says it to every transaction gets
		 * asked a few times, gently, then the address is unknown
		 * with this reply as the reason. */
		ac->noreply = 0;
		host->act = TROUBLE_HOST_BACK_OFF;
		host->delay_ms = BACKOFF_MS;
		if (++ac->smaller > MAX_SMALLER) {
			trouble_answer(addr, SUB_TEMPORARY_ERROR, true);
			break;
		}
		addr->act = TROUBLE_SMALLER;
		break;
	case SMTPC_GREYLISTED:
		trouble_retry(o, SUB_GREYLISTED, ac, addr);
		break;
	case SMTPC_RATE_LIMITED:
		host->act = TROUBLE_HOST_BACK_OFF;
		host->delay_ms = BACKOFF_MS;
		trouble_retry(o, SUB_THROTTLED, ac, addr);
		break;
	case SMTPC_TEMPORARY:
		trouble_retry(o, SUB_TEMPORARY_ERROR, ac, addr);
		break;
	case SMTPC_UNKNOWN_PERMANENT:
	case SMTPC_LAST:
	default:
		trouble_answer(addr, SUB_SMTP_REJECTED, true);
		break;
	}
}

void
probe_trouble_ended(const struct probe_trouble_opts *o, enum smtp_end why,
    const char *phase, const struct smtp_reply *last, bool progress,
    struct probe_trouble_host_count *hc, struct probe_trouble_host *host)
{
	bool early = strcmp(phase, "connect") == 0 ||
	    strcmp(phase, "banner") == 0;

	memset(host, 0, sizeof(*host));
	host->sub = SUB_LAST;
	switch (why) {
	case SMTP_END_QUIT:
		if (progress)
			hc->refusals = hc->drops = 0;
		break;
	case SMTP_END_CONNECT_FAILED:
		trouble_host(host, TROUBLE_HOST_DEAD, SUB_CONNECTION_FAILED,
		    false);
		break;
	case SMTP_END_TIMEOUT:
		if (strcmp(phase, "tls") == 0 &&
		    o->tls == SMTP_TLS_OPPORTUNISTIC) {
			/* A stalled handshake is a failed one: opportunistic
			 * asks the host again in clear. */
			host->act = TROUBLE_HOST_PLAIN;
			break;
		}
		/* No connection or greeting in time: the host is not
		 * there for us. Later timeouts count as drops. */
		if (early || ++hc->drops >= MAX_HOST_FAILS)
			trouble_host(host, TROUBLE_HOST_DEAD, SUB_TIMEOUT,
			    false);
		else {
			host->act = TROUBLE_HOST_BACK_OFF;
			host->delay_ms = BACKOFF_MS;
		}
		break;
	case SMTP_END_TLS_FAILED:
		if (o->tls == SMTP_TLS_OPPORTUNISTIC) {
			/* Opportunistic: ask the host again, in clear. */
			host->act = TROUBLE_HOST_PLAIN;
			break;
		}
		trouble_host(host, TROUBLE_HOST_DEAD, SUB_TLS_FAILED, false);
		break;
	case SMTP_END_TLS_REQUIRED:
		trouble_host(host, TROUBLE_HOST_DEAD, SUB_TLS_FAILED, true);
		break;
	case SMTP_END_PROXY:
		/* The proxy failed us (any REP included): the host was
		 * never asked, and nothing is held against the address. */
		trouble_host(host, TROUBLE_HOST_DEAD, SUB_PROXY_FAILED,
		    false);
		break;
	case SMTP_END_REFUSED:
		if (last != NULL && last->code >= 500) {
			/* A refused greeting is about us, not the list. */
			host->problem = true;
			trouble_host(host, TROUBLE_HOST_BLOCKED,
			    SUB_PROBE_BLOCKED, true);
			break;
		}
		if (progress) {
			/* e.g. Postfix's error limit: carry on, gently. */
			host->act = TROUBLE_HOST_BACK_OFF;
			host->delay_ms = BACKOFF_MS;
			break;
		}
		/* 4.7.x: rate limits and reputation, about us too. */
		if (last != NULL && last->enhanced[0] == '4' &&
		    strncmp(last->enhanced, "4.7.", 4) == 0)
			host->problem = true;
		if (++hc->refusals >= MAX_HOST_FAILS)
			trouble_host(host, TROUBLE_HOST_BLOCKED,
			    SUB_PROBE_BLOCKED, true);
		else {
			host->act = TROUBLE_HOST_BACK_OFF;
			host->delay_ms = BACKOFF_MS * hc->refusals;
		}
		break;
	case SMTP_END_DROPPED:
	case SMTP_END_PROTOCOL:
	case SMTP_END_LAST:
	default:
		/* A session that got answers may drop: only count those
		 * that got none. */
		if (!progress && ++hc->drops >= MAX_HOST_FAILS)
			trouble_host(host, TROUBLE_HOST_DEAD,
			    SUB_TEMPORARY_ERROR, true);
		else {
			host->act = TROUBLE_HOST_BACK_OFF;
			host->delay_ms = BACKOFF_MS;
		}
		break;
	}
}

void
probe_trouble_throttled(const struct probe_trouble_opts *o, bool progress,
    struct probe_trouble_host_count *hc, struct probe_trouble_host *host)
{
	unsigned delay;

	memset(host, 0, sizeof(*host));
	host->sub = SUB_LAST;
	/* Answers came before it: the host works, it only wants us slower. */
	if (progress)
		hc->throttled = 0;
	if (++hc->throttled > o->retries && !progress) {
		host->problem = true;
		trouble_host(host, TROUBLE_HOST_BLOCKED, SUB_THROTTLED, true);
		return;
	}
	delay = BACKOFF_MS * hc->throttled;
	host->act = TROUBLE_HOST_BACK_OFF;
	host->delay_ms = o->retry_delay_ms > delay ? o->retry_delay_ms : delay;
}

void
probe_trouble_throttled_addr(const struct probe_trouble_opts *o,
    struct probe_trouble_addr_count *ac, struct probe_trouble_addr *addr)
{
	memset(addr, 0, sizeof(*addr));
	ac->noreply = 0;
	trouble_retry(o, SUB_THROTTLED, ac, addr);
}

bool
probe_trouble_next_addr(enum smtp_end why, const char *phase)
{
	return why == SMTP_END_CONNECT_FAILED ||
	    (why == SMTP_END_TIMEOUT && (strcmp(phase, "connect") == 0 ||
	    strcmp(phase, "banner") == 0));
}

void
probe_trouble_out(bool dead, struct probe_trouble_host *host)
{
	memset(host, 0, sizeof(*host));
	if (dead)
		trouble_host(host, TROUBLE_HOST_DEAD, SUB_CONNECTION_FAILED,
		    false);
	else
		trouble_host(host, TROUBLE_HOST_BLOCKED, SUB_PROBE_BLOCKED,
		    false);
}

bool
probe_trouble_spent(unsigned errors, unsigned txns)
{
	return errors >= ERRORS_PER_SESSION || txns >= TXNS_PER_SESSION;
}

unsigned
probe_trouble_tests(unsigned errors)
{
	/*
	 * Catch-all tests are refused by design: at most half the session's
	 * error budget per transaction, or a pipelined batch of them would
	 * run into the server's error limit before we can stop.
	 */
	return errors < ERRORS_PER_SESSION ?
	    (ERRORS_PER_SESSION - errors + 1) / 2 : 0;
}

const char *
probe_trouble_addr_name(enum probe_trouble_addr_act a)
{
	return (unsigned)a < TROUBLE_ADDR_LAST ? addr_names[a] : "?";
}

const char *
probe_trouble_host_name(enum probe_trouble_host_act a)
{
	return (unsigned)a < TROUBLE_HOST_LAST ? host_names[a] : "?";
}
