/*
 * probe_trouble - what trouble in the SMTP stage means, for an address and
 * for its mail host: the retry, give-up and back-off policy (Postfix keeps
 * smtp_trouble.c apart from smtp_proto.c in the same way). probe_sched
 * owns the queues and the counters and carries out what is decided here;
 * these functions do no I/O, read no clock and keep no state besides the
 * counters they are handed, so tests/unit/t_probe_trouble.c pins the whole
 * table.
 *
 * An address is answered only by a reply about it; nothing the prober
 * cannot know (timeouts, 4xx, policy refusals, TLS trouble) is ever held
 * against it (validator/README, "The verdict model"). A recipient that got
 * no reply (421, connection lost) is asked again at once, on a new
 * connection if need be; a 4xx one after the retry delay, up to the retry
 * limit. A host that drops, refuses or times out is backed off, and given
 * up after a few tries; one that refuses the sender is blocked for the run
 * (validator/README, "Probe etiquette").
 */
#ifndef LISTSCRUB_PROBE_TROUBLE_H
#define LISTSCRUB_PROBE_TROUBLE_H

#include <stdbool.h>
#include <stdint.h>

#include "smtp/smtp_reply.h"
#include "smtp/smtp_session.h"
#include "verdict/smtp_classify.h"
#include "verdict/verdict.h"

/* What becomes of one address. */
enum probe_trouble_addr_act {
	TROUBLE_ANSWER,		/* final: sub, with the reply if reply is set */
	TROUBLE_RETRY,		/* a temporary answer: ask again no sooner
				 * than delay_ms from now, at the back of its
				 * host's queue */
	TROUBLE_REQUEUE,	/* no reply: ask again at once, at the front
				 * of its host's queue */
	TROUBLE_GIVE_UP,	/* no reply too many times: final sub, without
				 * a reply */
	TROUBLE_SMALLER,	/* too many recipients: not an answer; ask
				 * again at once (front), and send the host no
				 * bigger transactions than this one accepted;
				 * after a few times the address is answered
				 * (TROUBLE_ANSWER, temporary_error) */
	TROUBLE_ADDR_LAST
};

/* What becomes of a mail host. */
enum probe_trouble_host_act {
	TROUBLE_HOST_KEEP,	/* nothing changes */
	TROUBLE_HOST_BACK_OFF,	/* no new session before delay_ms from now */
	TROUBLE_HOST_PLAIN,	/* TLS failed: the next sessions go without */
	TROUBLE_HOST_DEAD,	/* cannot be reached: out for the run; each
				 * queued address moves to the next usable host
				 * of its domain, or is answered sub */
	TROUBLE_HOST_BLOCKED,	/* refuses us: out for the run; each queued
				 * address is answered sub (no other host is
				 * tried: the refusal is about the sender) */
	TROUBLE_HOST_LAST
};

/* The decision for an address. */
struct probe_trouble_addr {
	enum probe_trouble_addr_act act;
	enum verdict_sub sub;	/* ANSWER, GIVE_UP: the final sub-status;
				 * RETRY: the one if it stays so */
	bool reply;		/* ANSWER: the answer records the reply that
				 * decided (the RCPT reply, else MAIL's) */
	unsigned delay_ms;	/* RETRY */
};

/* The decision for a host. */
struct probe_trouble_host {
	enum probe_trouble_host_act act;
	enum verdict_sub sub;	/* DEAD, BLOCKED: for the queued addresses */
	bool reply;		/* DEAD, BLOCKED: their answer records the
				 * reply that decided */
	unsigned delay_ms;	/* BACK_OFF */
	bool problem;		/* note the reply that decided as a problem of
				 * the sending setup (the report lists them) */
};

/* Trouble counted against one address; all zero to start. */
struct probe_trouble_addr_count {
	uint8_t noreply;	/* hand-outs without a reply */
	uint8_t retries;	/* temporary answers asked again */
	uint8_t smaller;	/* "too many recipients" answers */
};

/* Trouble counted against one mail host for the run; all zero to start. */
struct probe_trouble_host_count {
	unsigned refusals;	/* sessions refused before any RCPT reply */
	unsigned drops;		/* sessions dropped or timed out before any */
	unsigned policy;	/* policy refusals of MAIL FROM or RCPT */
	unsigned throttled;	/* sessions in a row ended "slow down" */
};

/* The run's settings the policy depends on. */
struct probe_trouble_opts {
	unsigned retries;	/* --retries: temporary answers asked again */
	unsigned retry_delay_ms;	/* --retry-delay */
	enum smtp_tls tls;	/* --tls: opportunistic falls back to plain */
};

/*
 * probe_trouble_rcpt - what became of one recipient handed to a session,
 * as smtp_session's rcpt_done reports it: reply is its RCPT reply (NULL:
 * none came; code SMTP_CODE_UNSAFE: the session did not send it), cls
 * that reply's class (smtp_classify, SMTPS_RCPT; read only when reply is
 * a real reply), mail the transaction's MAIL FROM reply or NULL, utf8
 * whether the address needs SMTPUTF8. Updates the address's counters ac
 * and its host's counters hc, and fills *addr and *host. The caller
 * carries out *addr, then *host, with "the reply that decided" being
 * reply, or mail when reply is NULL. Never fails.
 */
void probe_trouble_rcpt(const struct probe_trouble_opts *o,
    const struct smtp_reply *reply, enum smtp_class cls,
    const struct smtp_reply *mail, bool utf8,
    struct probe_trouble_addr_count *ac, struct probe_trouble_host_count *hc,
    struct probe_trouble_addr *addr, struct probe_trouble_host *host);

/*
 * probe_trouble_ended - what the end of a session (smtp_session's ended:
 * why, phase, last) means for its host; progress says whether any RCPT
 * got a reply in it; phase "connect" or "banner" means the server never
 * greeted us. Also used when a session cannot be started at all (no
 * address, no socket): that is SMTP_END_CONNECT_FAILED. Updates the
 * host's counters hc and fills *host; the reply that decided is last.
 * Never fails.
 */
void probe_trouble_ended(const struct probe_trouble_opts *o,
    enum smtp_end why, const char *phase, const struct smtp_reply *last,
    bool progress, struct probe_trouble_host_count *hc,
    struct probe_trouble_host *host);

/*
 * probe_trouble_throttled - a session ended by a reply that means "slow
 * down" (the caller decides: 421 4.7.28, or one of the host's
 * throttle_codes; validator/README, "Probe etiquette"), in any phase;
 * progress as for probe_trouble_ended. Never a verdict, never the host
 * dead: the host backs off for the retry delay (at least the back-off
 * pause, longer with each such session in a row). A host that said it
 * --retries + 1 times in a row before any RCPT reply is given up for the
 * run: BLOCKED, its queue answered SUB_THROTTLED with the reply. Updates
 * hc and fills *host. Never fails.
 */
void probe_trouble_throttled(const struct probe_trouble_opts *o,
    bool progress, struct probe_trouble_host_count *hc,
    struct probe_trouble_host *host);

/*
 * probe_trouble_throttled_addr - an address handed out in a session that
 * ended "slow down" before its RCPT got a reply: asked again after the
 * retry delay (RETRY, counted against --retries), and when the retries
 * are spent answered SUB_THROTTLED with the reply that ended the session.
 * Updates ac and fills *addr. Never fails.
 */
void probe_trouble_throttled_addr(const struct probe_trouble_opts *o,
    struct probe_trouble_addr_count *ac, struct probe_trouble_addr *addr);

/*
 * probe_trouble_next_addr - whether a session that ended why in phase
 * failed on the address it connected to (refused, unreachable, no
 * greeting in time) so that the host's next address, if it has one, is
 * tried at once before anything is counted against the host (Postfix's
 * smtp_mx_address_limit).
 */
bool probe_trouble_next_addr(enum smtp_end why, const char *phase);

/*
 * probe_trouble_out - the decision for an address routed to a host that
 * is already out for the run (dead: it cannot be reached, else blocked:
 * it refuses us; a host that is both counts as dead): the same act as
 * for the host's queue, with SUB_CONNECTION_FAILED or SUB_PROBE_BLOCKED
 * and no reply. Never fails.
 */
void probe_trouble_out(bool dead, struct probe_trouble_host *host);

/*
 * probe_trouble_spent - true when a session with errors rejected RCPTs and
 * txns transactions so far should take no more work: it QUITs and a fresh
 * session takes over.
 */
bool probe_trouble_spent(unsigned errors, unsigned txns);

/*
 * probe_trouble_tests - how many catch-all tests (addresses made up to be
 * refused) the next transaction of a session with errors rejected RCPTs
 * may carry.
 */
unsigned probe_trouble_tests(unsigned errors);

/* probe_trouble_addr_name - stable lowercase word ("answer", ...). */
const char *probe_trouble_addr_name(enum probe_trouble_addr_act a);
/* probe_trouble_host_name - stable lowercase word ("keep", ...). */
const char *probe_trouble_host_name(enum probe_trouble_host_act a);

#endif
