/*
 * smtp_classify - what one SMTP reply means for the address it answered:
 * a class, who is at fault, whether the reply is permanent, and a
 * sentence of advice. Pure: no I/O after smtp_phrases_load(), no state;
 * several threads may classify at once with one phrase table.
 *
 * Precedence (the same text is in lists/README; tests/data/smtp/
 * replies.tsv pins it line by line):
 *  0. 2xx/3xx: accepted (252 "cannot verify" too, with its own advice).
 *     Not 2xx-5xx: temporary_error.
 *  1. Phrases of the table that blame the sender or a temporary
 *     condition, or say relay or refuse the message (rejected_other, 5xx
 *     only): for a 4xx the order is temporary, sender, none; for a 5xx
 *     sender, none, temporary. The first group
 *     with a match decides, inside a group the first rule in file order.
 *     They beat every enhanced code and every recipient phrase: a reply
 *     that mentions a blocklist, SPF, DKIM, DMARC, rDNS or "Sender
 *     address rejected" never blames the address.
 *  2. Stage: a reply that is not to RCPT never blames the recipient.
 *     MAIL: 421 rate_limited, x.7.x policy_blocked, other 4xx
 *     temporary_error, other 5xx sender_rejected. CONNECT and EHLO: 421
 *     rate_limited, x.7.x policy_blocked, 4xx temporary_error, 5xx
 *     policy_blocked. STARTTLS: 421 rate_limited, 4xx temporary_error,
 *     5xx rejected_other. (A sender_rejected or relay_denied phrase at
 *     CONNECT/EHLO/STARTTLS reads as policy_blocked.)
 *  3. RCPT, 421: rate_limited.
 *  4. RCPT, the enhanced code (only when its class matches the code):
 *     5.7.13 with a mailbox_disabled phrase and the word "recipient"
 *     mailbox_disabled (RFC 5248: user account disabled); other x.7.x
 *     policy_blocked; x.4.5 rate_limited and x.3.1 temporary_error
 *     (RFC 3463: transient only, never permanent); x.1.7, x.1.8
 *     sender_rejected; x.5.3 too_many_recipients (never permanent);
 *     with a 5xx, a recipient code (x.2.2, 5.2.1, 5.1.1, 5.1.2, 5.1.3,
 *     5.1.6, 5.1.10) and a recipient phrase: the phrase's class (the
 *     words are the more precise); else x.2.2 mailbox_full; 5.1.1,
 *     5.1.2, 5.1.3, 5.1.6, 5.1.10 mailbox_not_found; 5.2.1
 *     mailbox_disabled; 5.2.3, 5.3.4 (message too large), 5.4.7
 *     (expired) rejected_other; 4.1.x and 4.2.x temporary_error. Any
 *     other enhanced code falls through.
 *  5. RCPT, recipient phrases: with a 5xx their class (not_found,
 *     disabled, full); with a 4xx mailbox_full stays mailbox_full (not
 *     permanent) and the others become temporary_error.
 *  6. RCPT, the basic code: 4xx temporary_error; 530 relay_denied (RFC
 *     4954 section 6: authentication required); 552 temporary_error (RFC
 *     5321 4.5.3.1.10: 552 to RCPT is a mis-coded "too many recipients");
 *     other 5xx rejected_other.
 * permanent is true only for a 5xx, and then not for too_many_recipients
 * or the bare 552. A phrase matches case-insensitively (ASCII, Latin-1,
 * Greek and Cyrillic letters) as a substring that starts and ends at word
 * boundaries; a match that lies inside a longer match of another rule is
 * ignored (Microsoft's "Recipient address rejected: Access denied" with
 * 5.4.1 hides the policy phrase "access denied").
 */
#ifndef LISTSCRUB_SMTP_CLASSIFY_H
#define LISTSCRUB_SMTP_CLASSIFY_H

#include <stdbool.h>

#include "util/diag.h"
#include "smtp/smtp_reply.h"

enum smtp_class {
	SMTPC_ACCEPTED,		/* 2xx (or 3xx): the server took it */
	SMTPC_MAILBOX_NOT_FOUND,	/* 5.1.1, 5.1.10, user unknown, ... */
	SMTPC_MAILBOX_DISABLED,	/* 5.2.1, account disabled */
	SMTPC_MAILBOX_FULL,	/* 5.2.2 / 4.2.2 / over quota */
	SMTPC_POLICY,		/* 5.7.x, blocklists, SPF/DKIM/DMARC, rDNS */
	SMTPC_SENDER_REJECTED,	/* "Sender address rejected", MAIL FROM */
	SMTPC_RELAY_DENIED,	/* "Relay access denied" */
	SMTPC_RATE_LIMITED,	/* 421, too many connections, rate limits */
	SMTPC_GREYLISTED,	/* 450/451 greylisting */
	SMTPC_TOO_MANY_RCPTS,	/* 452 4.5.3, 552 5.5.3 */
	SMTPC_TEMPORARY,	/* any other 4xx */
	SMTPC_UNKNOWN_PERMANENT,	/* other 5xx, no recipient evidence */
	SMTPC_LAST
};

enum smtp_fault {
	SMTPF_NONE,		/* accepted, or the reply does not say */
	SMTPF_RECIPIENT,	/* the address (its mailbox) */
	SMTPF_SENDER,		/* the sending setup: IP, domain, auth */
	SMTPF_TEMPORARY,	/* a passing condition: retry later */
	SMTPF_LAST
};

/* What the reply answered. */
enum smtp_stage {
	SMTPS_CONNECT,		/* the greeting */
	SMTPS_EHLO,		/* EHLO/HELO */
	SMTPS_STARTTLS,
	SMTPS_MAIL,		/* MAIL FROM */
	SMTPS_RCPT,		/* RCPT TO (and, for bounces, DATA) */
	SMTPS_LAST
};

struct smtp_verdict {
	enum smtp_class cls;
	enum smtp_fault fault;
	bool permanent;		/* a 5xx that will not change on retry */
	const char *advice;	/* static sentence for people */
	/*
	 * Which rule decided, for explain: "enhanced code 5.1.1 (bad
	 * destination mailbox address)", "phrase 'user unknown'
	 * (smtp-phrases.tsv line 42)", "basic code 550". Static, or owned
	 * by the phrase table (valid until smtp_phrases_free()).
	 */
	const char *matched;
};

struct smtp_phrases;

/* smtp_class_name - the stable snake_case word for c ("?" if invalid). */
const char *smtp_class_name(enum smtp_class c);
/*
 * smtp_class_advice - the sentence of advice for a reply of class c (what
 * smtp_classify puts in v->advice, but for a 252 or a temporary
 * mailbox_full); "?" if c is invalid. Static.
 */
const char *smtp_class_advice(enum smtp_class c);
/* smtp_fault_name - none, recipient, sender, temporary ("?"). */
const char *smtp_fault_name(enum smtp_fault f);
/* smtp_stage_name - connect, ehlo, starttls, mail, rcpt ("?"). */
const char *smtp_stage_name(enum smtp_stage s);
/* smtp_stage_parse - the stage named name, or SMTPS_LAST. */
enum smtp_stage smtp_stage_parse(const char *name);
/* smtp_class_parse - the class named name, or SMTPC_LAST. */
enum smtp_class smtp_class_parse(const char *name);
/* smtp_fault_parse - the fault named name, or SMTPF_LAST. */
enum smtp_fault smtp_fault_parse(const char *name);

/*
 * smtp_phrases_load - load the phrase table at path (borrowed), normally
 * $(pkgdatadir)/smtp-phrases.tsv. Format (lists/README):
 *   CLASS<TAB>FAULT<TAB>phrase[<TAB>WHEN]
 * '#' starts a comment line; blank lines are ignored; CRLF and a UTF-8
 * BOM are accepted. CLASS is one of mailbox_not_found, mailbox_disabled,
 * mailbox_full (FAULT must be recipient), policy_blocked, sender_rejected
 * (sender), relay_denied (none or sender), rate_limited, greylisted,
 * too_many_recipients, temporary_error (temporary), rejected_other (none,
 * and a WHEN of 5xx codes only). phrase: 2-200 bytes of
 * UTF-8 text without control bytes, trimmed, matched as described above.
 * WHEN (optional) limits the rule to replies with one of the listed
 * comma-separated codes: a basic code where 'x' is any digit ("450",
 * "4xx") or an enhanced code ("5.4.1"). Greylisted rules only ever apply
 * to 4xx replies.
 * Returns the table or NULL with d filled (DIAG_DATA, "path:line: what").
 */
struct smtp_phrases *smtp_phrases_load(const char *path, struct diag *d);

/* smtp_phrases_count - number of rules loaded. */
unsigned smtp_phrases_count(const struct smtp_phrases *ph);

/* smtp_phrases_free - release ph; NULL allowed. */
void smtp_phrases_free(struct smtp_phrases *ph);

/*
 * smtp_classify - the verdict for reply r answering stage st, by the
 * precedence at the top of this file. ph may be NULL: codes only. r->code
 * is expected in 100..599; other values give temporary_error. r->enhanced
 * is re-checked (a class that differs from the code's is ignored).
 */
void smtp_classify(const struct smtp_phrases *ph, enum smtp_stage st,
    const struct smtp_reply *r, struct smtp_verdict *v);

#endif
