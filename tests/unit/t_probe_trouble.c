/*
 * t_probe_trouble - validator/probe/probe_trouble.c pinned row by row: what
 * each RCPT outcome and each session end means for the address and for its
 * mail host (act, sub-status, whether the reply is recorded, delay, problem
 * note, counters after), then the bounds seen from outside (drops, refusals
 * and policy refusals before a host is given up, hand-outs without a reply
 * before an address is, the session's error and transaction budget), the
 * routing onto hosts already out, and the names. No sockets, no clock.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "probe/probe_trouble.h"
#include "tap.h"

#define NOREPLY (-1)		/* rcpt: no RCPT reply came */
#define NOMAIL 0		/* rcpt: no MAIL FROM reply came */
#define NOLAST 0		/* ended: no last reply */
#define ANY SUB_LAST		/* the sub-status does not matter */

struct rcpt_case {
	const char *name;
	/* input */
	int code;		/* RCPT reply, NOREPLY, or SMTP_CODE_UNSAFE */
	enum smtp_class cls;
	int mail;		/* MAIL FROM reply, NOMAIL */
	bool utf8;
	unsigned policy;	/* the host's policy refusals before */
	unsigned noreply, retries;	/* the address's counters before */
	/* decision */
	enum probe_trouble_addr_act act;
	enum verdict_sub sub;
	bool reply;
	unsigned delay;
	enum probe_trouble_host_act host;
	enum verdict_sub host_sub;
	unsigned host_delay;
	bool problem;
	/* counters after */
	unsigned policy_after, noreply_after, retries_after;
	/* "too many recipients" answers before and after (0 if left out) */
	unsigned smaller, smaller_after;
};

/* --retries 2 --retry-delay 300 --tls opportunistic (the defaults). */
static const struct probe_trouble_opts OPTS = { 2, 300000,
    SMTP_TLS_OPPORTUNISTIC };

static const struct rcpt_case rcpt_cases[] = {
	/* Replies about the address answer it, with the reply. */
	{ "250 accepted", 250, SMTPC_ACCEPTED, 250, false, 0, 2, 1,
	    TROUBLE_ANSWER, SUB_MAILBOX_OK, true, 0,
	    TROUBLE_HOST_KEEP, ANY, 0, false, 0, 2, 1, 0, 0 },
	{ "550 5.1.1 not found", 550, SMTPC_MAILBOX_NOT_FOUND, 250, false,
	    0, 0, 0, TROUBLE_ANSWER, SUB_MAILBOX_NOT_FOUND, true, 0,
	    TROUBLE_HOST_KEEP, ANY, 0, false, 0, 0, 0, 0, 0 },
	{ "550 5.2.1 disabled", 550, SMTPC_MAILBOX_DISABLED, 250, false,
	    0, 0, 0, TROUBLE_ANSWER, SUB_MAILBOX_DISABLED, true, 0,
	    TROUBLE_HOST_KEEP, ANY, 0, false, 0, 0, 0, 0, 0 },
	{ "552 5.2.2 full", 552, SMTPC_MAILBOX_FULL, 250, false, 0, 0, 0,
	    TROUBLE_ANSWER, SUB_MAILBOX_FULL, true, 0,
	    TROUBLE_HOST_KEEP, ANY, 0, false, 0, 0, 0, 0, 0 },
	{ "452 4.2.2 full", 452, SMTPC_MAILBOX_FULL, 250, false, 0, 0, 0,
	    TROUBLE_ANSWER, SUB_MAILBOX_FULL, true, 0,
	    TROUBLE_HOST_KEEP, ANY, 0, false, 0, 0, 0, 0, 0 },
	{ "554 other permanent", 554, SMTPC_UNKNOWN_PERMANENT, 250, false,
	    0, 0, 0, TROUBLE_ANSWER, SUB_SMTP_REJECTED, true, 0,
	    TROUBLE_HOST_KEEP, ANY, 0, false, 0, 0, 0, 0, 0 },
	{ "class out of range", 550, SMTPC_LAST, 250, false, 0, 0, 0,
	    TROUBLE_ANSWER, SUB_SMTP_REJECTED, true, 0,
	    TROUBLE_HOST_KEEP, ANY, 0, false, 0, 0, 0, 0, 0 },
	/* Refusals aimed at the sender: noted, counted, third one blocks. */
	{ "550 5.7.1 policy, first", 550, SMTPC_POLICY, 250, false, 0, 0, 0,
	    TROUBLE_ANSWER, SUB_POLICY_BLOCKED, true, 0,
	    TROUBLE_HOST_KEEP, ANY, 0, true, 1, 0, 0, 0, 0 },
	{ "550 5.7.1 policy, second", 550, SMTPC_POLICY, 250, false, 1, 0, 0,
	    TROUBLE_ANSWER, SUB_POLICY_BLOCKED, true, 0,
	    TROUBLE_HOST_KEEP, ANY, 0, true, 2, 0, 0, 0, 0 },
	{ "550 5.7.1 policy, third", 550, SMTPC_POLICY, 250, false, 2, 0, 0,
	    TROUBLE_ANSWER, SUB_POLICY_BLOCKED, true, 0,
	    TROUBLE_HOST_BLOCKED, SUB_PROBE_BLOCKED, 0, true, 3, 0, 0, 0, 0 },
	{ "policy, host already blocked", 550, SMTPC_POLICY, 250, false,
	    7, 0, 0, TROUBLE_ANSWER, SUB_POLICY_BLOCKED, true, 0,
	    TROUBLE_HOST_BLOCKED, SUB_PROBE_BLOCKED, 0, true, 8, 0, 0, 0, 0 },
	{ "sender rejected", 553, SMTPC_SENDER_REJECTED, 250, false, 0, 0, 0,
	    TROUBLE_ANSWER, SUB_POLICY_BLOCKED, true, 0,
	    TROUBLE_HOST_KEEP, ANY, 0, true, 1, 0, 0, 0, 0 },
	{ "relay denied, third", 554, SMTPC_RELAY_DENIED, 250, false, 2, 0, 0,
	    TROUBLE_ANSWER, SUB_POLICY_BLOCKED, true, 0,
	    TROUBLE_HOST_BLOCKED, SUB_PROBE_BLOCKED, 0, true, 3, 0, 0, 0, 0 },
	/* Too many recipients: not an answer, and no reply missing. */
	{ "452 4.5.3 too many", 452, SMTPC_TOO_MANY_RCPTS, 250, false, 0,
	    4, 1, TROUBLE_SMALLER, ANY, false, 0,
	    TROUBLE_HOST_BACK_OFF, ANY, 1000, false, 0, 0, 1, 0, 1 },
	/* ... but bounded: the fourth one ends the address, unknown. */
	{ "452 4.5.3 too many, third", 452, SMTPC_TOO_MANY_RCPTS, 250, false,
	    0, 0, 0, TROUBLE_SMALLER, ANY, false, 0,
	    TROUBLE_HOST_BACK_OFF, ANY, 1000, false, 0, 0, 0, 2, 3 },
	{ "452 4.5.3 too many, fourth: unknown", 452, SMTPC_TOO_MANY_RCPTS,
	    250, false, 0, 0, 0, TROUBLE_ANSWER, SUB_TEMPORARY_ERROR, true, 0,
	    TROUBLE_HOST_BACK_OFF, ANY, 1000, false, 0, 0, 0, 3, 4 },
	/* Temporary answers: asked again after the delay, up to --retries. */
	{ "450 greylisted, first", 450, SMTPC_GREYLISTED, 250, false, 0, 0, 0,
	    TROUBLE_RETRY, ANY, false, 300000,
	    TROUBLE_HOST_KEEP, ANY, 0, false, 0, 0, 1, 0, 0 },
	{ "450 greylisted, second", 450, SMTPC_GREYLISTED, 250, false, 0, 3,
	    1, TROUBLE_RETRY, ANY, false, 300000,
	    TROUBLE_HOST_KEEP, ANY, 0, false, 0, 3, 2, 0, 0 },
	{ "450 greylisted, retries spent", 450, SMTPC_GREYLISTED, 250, false,
	    0, 0, 2, TROUBLE_ANSWER, SUB_GREYLISTED, true, 0,
	    TROUBLE_HOST_KEEP, ANY, 0, false, 0, 0, 2, 0, 0 },
	{ "451 temporary", 451, SMTPC_TEMPORARY, 250, false, 0, 0, 0,
	    TROUBLE_RETRY, ANY, false, 300000,
	    TROUBLE_HOST_KEEP, ANY, 0, false, 0, 0, 1, 0, 0 },
	{ "451 temporary, retries spent", 451, SMTPC_TEMPORARY, 250, false,
	    0, 0, 2, TROUBLE_ANSWER, SUB_TEMPORARY_ERROR, true, 0,
	    TROUBLE_HOST_KEEP, ANY, 0, false, 0, 0, 2, 0, 0 },
	{ "421 rate limited: host backs off", 421, SMTPC_RATE_LIMITED, 250,
	    false, 0, 0, 0, TROUBLE_RETRY, ANY, false, 300000,
	    TROUBLE_HOST_BACK_OFF, ANY, 1000, false, 0, 0, 1, 0, 0 },
	{ "rate limited, retries spent: throttled", 450, SMTPC_RATE_LIMITED,
	    250, false, 0, 0, 2, TROUBLE_ANSWER, SUB_THROTTLED, true, 0,
	    TROUBLE_HOST_BACK_OFF, ANY, 1000, false, 0, 0, 2, 0, 0 },
	/* Not sent by the session: answered without a reply. */
	{ "unsafe, needs SMTPUTF8", SMTP_CODE_UNSAFE, SMTPC_LAST, 250, true,
	    0, 2, 1, TROUBLE_ANSWER, SUB_SMTPUTF8_UNSUPPORTED, false, 0,
	    TROUBLE_HOST_KEEP, ANY, 0, false, 0, 2, 1, 0, 0 },
	{ "unsafe, ASCII", SMTP_CODE_UNSAFE, SMTPC_LAST, 250, false,
	    0, 0, 0, TROUBLE_ANSWER, SUB_SMTP_REJECTED, false, 0,
	    TROUBLE_HOST_KEEP, ANY, 0, false, 0, 0, 0, 0, 0 },
	/* No reply: asked again at once; the sixth time given up. */
	{ "no reply, no MAIL reply", NOREPLY, SMTPC_LAST, NOMAIL, false,
	    0, 0, 0, TROUBLE_REQUEUE, ANY, false, 0,
	    TROUBLE_HOST_KEEP, ANY, 0, false, 0, 1, 0, 0, 0 },
	{ "no reply after MAIL 250", NOREPLY, SMTPC_LAST, 250, false,
	    0, 4, 2, TROUBLE_REQUEUE, ANY, false, 0,
	    TROUBLE_HOST_KEEP, ANY, 0, false, 0, 5, 2, 0, 0 },
	{ "no reply, sixth time", NOREPLY, SMTPC_LAST, NOMAIL, false,
	    0, 5, 0, TROUBLE_GIVE_UP, SUB_TEMPORARY_ERROR, false, 0,
	    TROUBLE_HOST_KEEP, ANY, 0, false, 0, 6, 0, 0, 0 },
	{ "no reply after MAIL 354", NOREPLY, SMTPC_LAST, 354, false,
	    0, 0, 0, TROUBLE_REQUEUE, ANY, false, 0,
	    TROUBLE_HOST_KEEP, ANY, 0, false, 0, 1, 0, 0, 0 },
	/* MAIL FROM refused: never the recipient's fault. */
	{ "MAIL 451: retry", NOREPLY, SMTPC_LAST, 451, false, 0, 3, 0,
	    TROUBLE_RETRY, ANY, false, 300000,
	    TROUBLE_HOST_KEEP, ANY, 0, false, 0, 3, 1, 0, 0 },
	{ "MAIL 421, retries spent", NOREPLY, SMTPC_LAST, 421, false, 0, 0,
	    2, TROUBLE_ANSWER, SUB_TEMPORARY_ERROR, true, 0,
	    TROUBLE_HOST_KEEP, ANY, 0, false, 0, 0, 2, 0, 0 },
	{ "MAIL 550, first", NOREPLY, SMTPC_LAST, 550, false, 0, 0, 0,
	    TROUBLE_ANSWER, SUB_POLICY_BLOCKED, true, 0,
	    TROUBLE_HOST_KEEP, ANY, 0, true, 1, 0, 0, 0, 0 },
	{ "MAIL 553, third", NOREPLY, SMTPC_LAST, 553, false, 2, 0, 0,
	    TROUBLE_ANSWER, SUB_POLICY_BLOCKED, true, 0,
	    TROUBLE_HOST_BLOCKED, SUB_PROBE_BLOCKED, 0, true, 3, 0, 0, 0, 0 },
};

struct end_case {
	const char *name;
	/* input */
	enum smtp_end why;
	const char *phase;
	int last;		/* code of the last reply, NOLAST */
	const char *enhanced;
	bool progress;
	enum smtp_tls tls;
	unsigned drops, refusals;	/* the host's counters before */
	/* decision */
	enum probe_trouble_host_act act;
	enum verdict_sub sub;
	bool reply;
	unsigned delay;
	bool problem;
	/* counters after */
	unsigned drops_after, refusals_after;
};

static const struct end_case end_cases[] = {
	{ "quit after answers clears the counts", SMTP_END_QUIT, "quit", 221,
	    "2.0.0", true, SMTP_TLS_OPPORTUNISTIC, 2, 2,
	    TROUBLE_HOST_KEEP, ANY, false, 0, false, 0, 0 },
	{ "quit without answers keeps them", SMTP_END_QUIT, "quit", 221, "",
	    false, SMTP_TLS_OPPORTUNISTIC, 2, 2,
	    TROUBLE_HOST_KEEP, ANY, false, 0, false, 2, 2 },
	{ "connect failed", SMTP_END_CONNECT_FAILED, "connect", NOLAST, "",
	    false, SMTP_TLS_OPPORTUNISTIC, 0, 0,
	    TROUBLE_HOST_DEAD, SUB_CONNECTION_FAILED, false, 0, false, 0, 0 },
	{ "proxy refused the connect", SMTP_END_PROXY, "connect", NOLAST, "",
	    false, SMTP_TLS_OPPORTUNISTIC, 0, 0,
	    TROUBLE_HOST_DEAD, SUB_PROXY_FAILED, false, 0, false, 0, 0 },
	{ "proxy refused CONNECT (REP 5)", SMTP_END_PROXY, "proxy", NOLAST,
	    "", false, SMTP_TLS_OPPORTUNISTIC, 1, 1,
	    TROUBLE_HOST_DEAD, SUB_PROXY_FAILED, false, 0, false, 1, 1 },
	{ "connect timeout", SMTP_END_TIMEOUT, "connect", NOLAST, "", false,
	    SMTP_TLS_OPPORTUNISTIC, 0, 0,
	    TROUBLE_HOST_DEAD, SUB_TIMEOUT, false, 0, false, 0, 0 },
	{ "banner timeout", SMTP_END_TIMEOUT, "banner", NOLAST, "", true,
	    SMTP_TLS_OPPORTUNISTIC, 1, 0,
	    TROUBLE_HOST_DEAD, SUB_TIMEOUT, false, 0, false, 1, 0 },
	{ "rcpt timeout, first", SMTP_END_TIMEOUT, "rcpt", NOLAST, "", false,
	    SMTP_TLS_OPPORTUNISTIC, 0, 0,
	    TROUBLE_HOST_BACK_OFF, ANY, false, 1000, false, 1, 0 },
	{ "rcpt timeout counts despite answers", SMTP_END_TIMEOUT, "rcpt",
	    NOLAST, "", true, SMTP_TLS_OPPORTUNISTIC, 1, 0,
	    TROUBLE_HOST_BACK_OFF, ANY, false, 1000, false, 2, 0 },
	{ "mail timeout, third drop", SMTP_END_TIMEOUT, "mail", NOLAST, "",
	    false, SMTP_TLS_OPPORTUNISTIC, 2, 0,
	    TROUBLE_HOST_DEAD, SUB_TIMEOUT, false, 0, false, 3, 0 },
	{ "TLS failed, opportunistic: plain", SMTP_END_TLS_FAILED, "tls",
	    NOLAST, "", false, SMTP_TLS_OPPORTUNISTIC, 0, 0,
	    TROUBLE_HOST_PLAIN, ANY, false, 0, false, 0, 0 },
	{ "TLS handshake stalls, opportunistic: plain", SMTP_END_TIMEOUT,
	    "tls", NOLAST, "", false, SMTP_TLS_OPPORTUNISTIC, 0, 0,
	    TROUBLE_HOST_PLAIN, ANY, false, 0, false, 0, 0 },
	{ "TLS handshake stalls, required: a drop", SMTP_END_TIMEOUT,
	    "tls", NOLAST, "", false, SMTP_TLS_REQUIRED, 0, 0,
	    TROUBLE_HOST_BACK_OFF, ANY, false, 1000, false, 1, 0 },
	{ "TLS failed, required", SMTP_END_TLS_FAILED, "tls", NOLAST, "",
	    false, SMTP_TLS_REQUIRED, 0, 0,
	    TROUBLE_HOST_DEAD, SUB_TLS_FAILED, false, 0, false, 0, 0 },
	{ "TLS failed, verify", SMTP_END_TLS_FAILED, "tls", NOLAST, "",
	    false, SMTP_TLS_VERIFY, 0, 0,
	    TROUBLE_HOST_DEAD, SUB_TLS_FAILED, false, 0, false, 0, 0 },
	{ "TLS required, 454 to STARTTLS", SMTP_END_TLS_REQUIRED, "starttls",
	    454, "4.7.0", false, SMTP_TLS_REQUIRED, 0, 0,
	    TROUBLE_HOST_DEAD, SUB_TLS_FAILED, true, 0, false, 0, 0 },
	{ "554 greeting blocks at once", SMTP_END_REFUSED, "banner", 554,
	    "5.7.1", false, SMTP_TLS_OPPORTUNISTIC, 0, 0,
	    TROUBLE_HOST_BLOCKED, SUB_PROBE_BLOCKED, true, 0, true, 0, 0 },
	{ "5xx refusal after answers blocks too", SMTP_END_REFUSED, "rset",
	    503, "", true, SMTP_TLS_OPPORTUNISTIC, 0, 0,
	    TROUBLE_HOST_BLOCKED, SUB_PROBE_BLOCKED, true, 0, true, 0, 0 },
	{ "421 after answers: back off", SMTP_END_REFUSED, "rcpt", 421,
	    "4.7.0", true, SMTP_TLS_OPPORTUNISTIC, 0, 2,
	    TROUBLE_HOST_BACK_OFF, ANY, false, 1000, false, 0, 2 },
	{ "421 4.7.0 greeting, first", SMTP_END_REFUSED, "banner", 421,
	    "4.7.0", false, SMTP_TLS_OPPORTUNISTIC, 0, 0,
	    TROUBLE_HOST_BACK_OFF, ANY, false, 1000, true, 0, 1 },
	{ "421 greeting, second: longer", SMTP_END_REFUSED, "banner", 421, "",
	    false, SMTP_TLS_OPPORTUNISTIC, 0, 1,
	    TROUBLE_HOST_BACK_OFF, ANY, false, 2000, false, 0, 2 },
	{ "421 4.3.2, third: blocked", SMTP_END_REFUSED, "ehlo", 421, "4.3.2",
	    false, SMTP_TLS_OPPORTUNISTIC, 0, 2,
	    TROUBLE_HOST_BLOCKED, SUB_PROBE_BLOCKED, true, 0, false, 0, 3 },
	{ "refused without a reply", SMTP_END_REFUSED, "ehlo", NOLAST, "",
	    false, SMTP_TLS_OPPORTUNISTIC, 0, 0,
	    TROUBLE_HOST_BACK_OFF, ANY, false, 1000, false, 0, 1 },
	{ "dropped, first", SMTP_END_DROPPED, "rcpt", NOLAST, "", false,
	    SMTP_TLS_OPPORTUNISTIC, 0, 0,
	    TROUBLE_HOST_BACK_OFF, ANY, false, 1000, false, 1, 0 },
	{ "dropped, third", SMTP_END_DROPPED, "mail", NOLAST, "", false,
	    SMTP_TLS_OPPORTUNISTIC, 2, 0,
	    TROUBLE_HOST_DEAD, SUB_TEMPORARY_ERROR, true, 0, false, 3, 0 },
	{ "dropped after answers: not counted", SMTP_END_DROPPED, "rcpt",
	    NOLAST, "", true, SMTP_TLS_OPPORTUNISTIC, 2, 0,
	    TROUBLE_HOST_BACK_OFF, ANY, false, 1000, false, 2, 0 },
	{ "protocol error, third", SMTP_END_PROTOCOL, "ehlo", 250, "", false,
	    SMTP_TLS_OPPORTUNISTIC, 2, 1,
	    TROUBLE_HOST_DEAD, SUB_TEMPORARY_ERROR, true, 0, false, 3, 1 },
	{ "end reason out of range", SMTP_END_LAST, "rcpt", NOLAST, "", false,
	    SMTP_TLS_OPPORTUNISTIC, 0, 0,
	    TROUBLE_HOST_BACK_OFF, ANY, false, 1000, false, 1, 0 },
};

/* mkreply - a reply with code and enhanced code. */
static void
mkreply(struct smtp_reply *r, int code, const char *enhanced)
{
	memset(r, 0, sizeof(*r));
	r->code = code;
	snprintf(r->enhanced, sizeof(r->enhanced), "%s", enhanced);
	snprintf(r->text, sizeof(r->text), "test");
	r->nlines = 1;
}

/* check_sub - sub-statuses by name, unless the case does not care. */
static void
check_sub(enum verdict_sub got, enum verdict_sub want, const char *what,
    const char *name)
{
	if (want == ANY)
		return;
	is_str(verdict_sub_name(got), verdict_sub_name(want), "%s: %s sub",
	    name, what);
}

/* check_rcpt - every row of rcpt_cases. */
static void
check_rcpt(void)
{
	for (size_t i = 0; i < sizeof(rcpt_cases) / sizeof(rcpt_cases[0]);
	    i++) {
		const struct rcpt_case *c = &rcpt_cases[i];
		struct smtp_reply reply, mail;
		struct probe_trouble_addr_count ac = { (uint8_t)c->noreply,
		    (uint8_t)c->retries, (uint8_t)c->smaller };
		struct probe_trouble_host_count hc = { 5, 6, c->policy, 0 };
		struct probe_trouble_addr a;
		struct probe_trouble_host h;

		mkreply(&reply, c->code, "");
		mkreply(&mail, c->mail, "");
		probe_trouble_rcpt(&OPTS, c->code == NOREPLY ? NULL : &reply,
		    c->cls, c->mail == NOMAIL ? NULL : &mail, c->utf8, &ac, &hc,
		    &a, &h);
		is_str(probe_trouble_addr_name(a.act),
		    probe_trouble_addr_name(c->act), "%s: address act",
		    c->name);
		check_sub(a.sub, c->sub, "address", c->name);
		if (c->act == TROUBLE_ANSWER)
			is_int(a.reply, c->reply, "%s: reply recorded",
			    c->name);
		if (c->act == TROUBLE_RETRY)
			is_int(a.delay_ms, c->delay, "%s: retry delay",
			    c->name);
		ok(ac.smaller == c->smaller_after, "%s: too-many count after "
		    "(%u)", c->name, ac.smaller);
		is_str(probe_trouble_host_name(h.act),
		    probe_trouble_host_name(c->host), "%s: host act", c->name);
		check_sub(h.sub, c->host_sub, "host", c->name);
		if (c->host == TROUBLE_HOST_BLOCKED)
			ok(h.reply, "%s: the host's queue gets the reply",
			    c->name);
		if (c->host == TROUBLE_HOST_BACK_OFF)
			is_int(h.delay_ms, c->host_delay, "%s: back-off",
			    c->name);
		is_int(h.problem, c->problem, "%s: problem noted", c->name);
		ok(ac.noreply == c->noreply_after &&
		    ac.retries == c->retries_after &&
		    hc.policy == c->policy_after && hc.refusals == 5 &&
		    hc.drops == 6, "%s: counters after (noreply %u, retries "
		    "%u, policy %u)", c->name, ac.noreply, ac.retries,
		    hc.policy);
	}
}

/* check_ended - every row of end_cases. */
static void
check_ended(void)
{
	for (size_t i = 0; i < sizeof(end_cases) / sizeof(end_cases[0]);
	    i++) {
		const struct end_case *c = &end_cases[i];
		struct probe_trouble_opts o = OPTS;
		struct probe_trouble_host_count hc = { c->refusals, c->drops,
		    4, 0 };
		struct probe_trouble_host h;
		struct smtp_reply last;

		o.tls = c->tls;
		mkreply(&last, c->last, c->enhanced);
		probe_trouble_ended(&o, c->why, c->phase,
		    c->last == NOLAST ? NULL : &last, c->progress, &hc, &h);
		is_str(probe_trouble_host_name(h.act),
		    probe_trouble_host_name(c->act), "%s: host act", c->name);
		check_sub(h.sub, c->sub, "queue", c->name);
		if (c->act == TROUBLE_HOST_DEAD ||
		    c->act == TROUBLE_HOST_BLOCKED)
			is_int(h.reply, c->reply,
			    "%s: the queue gets the reply", c->name);
		if (c->act == TROUBLE_HOST_BACK_OFF)
			is_int(h.delay_ms, c->delay, "%s: back-off", c->name);
		is_int(h.problem, c->problem, "%s: problem noted", c->name);
		ok(hc.drops == c->drops_after &&
		    hc.refusals == c->refusals_after && hc.policy == 4,
		    "%s: counters after (drops %u, refusals %u)", c->name,
		    hc.drops, hc.refusals);
	}
}

/*
 * check_sequences - the bounds as a host and an address live them: a
 * session with answers in between clears the count of drops; the sixth
 * hand-out without a reply gives the address up.
 */
static void
check_sequences(void)
{
	struct probe_trouble_host_count hc = { 0 };
	struct probe_trouble_addr_count ac = { 0 };
	struct probe_trouble_host h;
	struct probe_trouble_addr a;
	const enum smtp_end seq[] = { SMTP_END_DROPPED, SMTP_END_DROPPED,
	    SMTP_END_QUIT, SMTP_END_DROPPED, SMTP_END_DROPPED,
	    SMTP_END_DROPPED };
	const bool progress[] = { false, false, true, false, false, false };
	const enum probe_trouble_host_act want[] = { TROUBLE_HOST_BACK_OFF,
	    TROUBLE_HOST_BACK_OFF, TROUBLE_HOST_KEEP, TROUBLE_HOST_BACK_OFF,
	    TROUBLE_HOST_BACK_OFF, TROUBLE_HOST_DEAD };
	int n;

	for (size_t i = 0; i < sizeof(seq) / sizeof(seq[0]); i++) {
		probe_trouble_ended(&OPTS, seq[i], "rcpt", NULL, progress[i],
		    &hc, &h);
		is_str(probe_trouble_host_name(h.act),
		    probe_trouble_host_name(want[i]), "drops, step %zu", i + 1);
	}
	for (n = 1; n <= 10; n++) {
		probe_trouble_rcpt(&OPTS, NULL, SMTPC_LAST, NULL, false, &ac,
		    &hc, &a, &h);
		if (a.act != TROUBLE_REQUEUE)
			break;
	}
	is_int(n, 6, "the sixth hand-out without a reply gives up");
	is_str(probe_trouble_addr_name(a.act), "give_up", "given up");

	/* --retries 0: a temporary answer is final at once. */
	{
		struct probe_trouble_opts o = { 0, 300000, SMTP_TLS_OFF };
		struct smtp_reply r;

		memset(&ac, 0, sizeof(ac));
		mkreply(&r, 450, "4.7.1");
		probe_trouble_rcpt(&o, &r, SMTPC_GREYLISTED, NULL, false, &ac,
		    &hc, &a, &h);
		is_str(probe_trouble_addr_name(a.act), "answer",
		    "--retries 0: greylisting answers at once");
		is_str(verdict_sub_name(a.sub), "greylisted",
		    "--retries 0: as greylisted");
	}
}

/*
 * check_throttled - sessions ended "slow down" (421 4.7.28, throttle_codes):
 * the host backs off for the retry delay, is never dead, and is given up
 * (blocked, queue throttled) only after --retries + 1 in a row without an
 * answer; its addresses are asked again after the delay, --retries times,
 * then answered throttled with the reply.
 */
static void
check_throttled(void)
{
	struct probe_trouble_host_count hc = { 1, 1, 1, 0 };
	struct probe_trouble_addr_count ac = { 4, 0, 0 };
	struct probe_trouble_host h;
	struct probe_trouble_addr a;
	struct probe_trouble_opts fast = { 2, 0, SMTP_TLS_OFF };

	probe_trouble_throttled(&OPTS, false, &hc, &h);
	is_str(probe_trouble_host_name(h.act), "back_off",
	    "throttled, first: back off");
	is_int(h.delay_ms, 300000, "throttled: the host waits the retry delay");
	ok(!h.problem && hc.throttled == 1 && hc.refusals == 1 &&
	    hc.drops == 1 && hc.policy == 1,
	    "throttled: counted apart from refusals and drops");
	probe_trouble_throttled(&OPTS, false, &hc, &h);
	is_str(probe_trouble_host_name(h.act), "back_off",
	    "throttled, second: back off");
	probe_trouble_throttled(&OPTS, false, &hc, &h);
	is_str(probe_trouble_host_name(h.act), "blocked",
	    "throttled, third in a row (--retries 2): given up");
	is_str(verdict_sub_name(h.sub), "throttled",
	    "given up: the queue is throttled, never probe_blocked");
	ok(h.reply && h.problem, "given up: with the reply, noted as ours");
	hc.throttled = 2;
	probe_trouble_throttled(&OPTS, true, &hc, &h);
	is_str(probe_trouble_host_name(h.act), "back_off",
	    "throttled after answers: back off, the count starts again");
	is_int(hc.throttled, 1, "throttled after answers: count 1");
	hc.throttled = 0;
	probe_trouble_throttled(&fast, false, &hc, &h);
	is_int(h.delay_ms, 1000, "--retry-delay 0: the back-off pause");
	probe_trouble_throttled(&fast, false, &hc, &h);
	is_int(h.delay_ms, 2000, "second in a row: longer");

	probe_trouble_throttled_addr(&OPTS, &ac, &a);
	is_str(probe_trouble_addr_name(a.act), "retry",
	    "address in a throttled session: asked again later");
	is_int(a.delay_ms, 300000, "after the retry delay");
	ok(ac.retries == 1 && ac.noreply == 0,
	    "counted as a retry, not as a missing reply");
	probe_trouble_throttled_addr(&OPTS, &ac, &a);
	probe_trouble_throttled_addr(&OPTS, &ac, &a);
	is_str(probe_trouble_addr_name(a.act), "answer",
	    "retries spent: answered");
	is_str(verdict_sub_name(a.sub), "throttled", "as throttled");
	ok(a.reply, "with the reply that ended the session");
}

/* check_next_addr - which ends move on to the host's next address. */
static void
check_next_addr(void)
{
	ok(probe_trouble_next_addr(SMTP_END_CONNECT_FAILED, "connect"),
	    "connect failed: next address");
	ok(probe_trouble_next_addr(SMTP_END_TIMEOUT, "connect"),
	    "connect timeout: next address");
	ok(probe_trouble_next_addr(SMTP_END_TIMEOUT, "banner"),
	    "no greeting in time: next address");
	ok(!probe_trouble_next_addr(SMTP_END_TIMEOUT, "rcpt"),
	    "rcpt timeout: the host's trouble");
	ok(!probe_trouble_next_addr(SMTP_END_REFUSED, "banner"),
	    "refused greeting: about us, not the address");
	ok(!probe_trouble_next_addr(SMTP_END_DROPPED, "ehlo"),
	    "dropped: the host's trouble");
	ok(!probe_trouble_next_addr(SMTP_END_PROXY, "connect") &&
	    !probe_trouble_next_addr(SMTP_END_PROXY, "proxy"),
	    "the proxy failed: not the address's trouble either");
}

/* check_out - addresses routed onto a host already out for the run. */
static void
check_out(void)
{
	struct probe_trouble_host h;

	probe_trouble_out(true, &h);
	is_str(probe_trouble_host_name(h.act), "dead", "dead host: next host");
	is_str(verdict_sub_name(h.sub), "connection_failed",
	    "dead host: connection_failed when none is left");
	ok(!h.reply && !h.problem, "dead host: no reply, no problem");
	probe_trouble_out(false, &h);
	is_str(probe_trouble_host_name(h.act), "blocked",
	    "blocked host: no other host");
	is_str(verdict_sub_name(h.sub), "probe_blocked",
	    "blocked host: probe_blocked");
	ok(!h.reply && !h.problem, "blocked host: no reply, no problem");
}

/* check_session - the error and transaction budget of one session. */
static void
check_session(void)
{
	static const unsigned tests[] = { 4, 4, 3, 3, 2, 2, 1, 1, 0, 0, 0 };

	ok(!probe_trouble_spent(0, 0), "a new session takes work");
	ok(!probe_trouble_spent(7, 49), "7 errors, 49 transactions: go on");
	ok(probe_trouble_spent(8, 0), "8 rejected RCPTs: QUIT");
	ok(probe_trouble_spent(0, 50), "50 transactions: QUIT");
	for (unsigned e = 0; e < sizeof(tests) / sizeof(tests[0]); e++)
		is_int(probe_trouble_tests(e), tests[e],
		    "catch-all tests after %u errors", e);
}

/* check_names - the words, and out-of-range values. */
static void
check_names(void)
{
	static const char *const addr[] = { "answer", "retry", "requeue",
	    "give_up", "smaller" };
	static const char *const host[] = { "keep", "back_off", "plain",
	    "dead", "blocked" };

	for (int i = 0; i < TROUBLE_ADDR_LAST; i++)
		is_str(probe_trouble_addr_name(i), addr[i], "address act %d",
		    i);
	for (int i = 0; i < TROUBLE_HOST_LAST; i++)
		is_str(probe_trouble_host_name(i), host[i], "host act %d", i);
	is_str(probe_trouble_addr_name(TROUBLE_ADDR_LAST), "?",
	    "address act out of range");
	is_str(probe_trouble_host_name(TROUBLE_HOST_LAST), "?",
	    "host act out of range");
}

int
main(void)
{
	check_rcpt();
	check_ended();
	check_sequences();
	check_throttled();
	check_next_addr();
	check_out();
	check_session();
	check_names();
	return done_testing();
}
