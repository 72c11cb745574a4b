/*
 * t_explain - `listscrub explain` through explain_main(), with stdout
 * and stdin redirected to temporary files: arguments joined, stdin with a
 * multi-line reply, --json, --stage and the stage read from a Postfix
 * bounce, the exit statuses of usage errors and unparseable input; then
 * the bounces of tests/data/dsn, their class and who is at fault, in text
 * and --json.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "verdict/explain.h"
#include "tap.h"
#include "slurp.h"

static char lists[4096];

/* A Postfix-style report: two failures, one delivery (RFC 3464). */
#define DSN "From: MAILER-DAEMON@mx.example.org\r\n" \
    "Subject: Undelivered Mail Returned to Sender\r\n" \
    "MIME-Version: 1.0\r\n" \
    "Content-Type: multipart/report; report-type=delivery-status;\r\n" \
    "\tboundary=\"XX.1/mx.example.org\"\r\n\r\n" \
    "--XX.1/mx.example.org\r\nContent-Type: text/plain\r\n\r\n" \
    "I'm sorry to have to inform you...\r\n\r\n" \
    "--XX.1/mx.example.org\r\n" \
    "Content-Type: message/delivery-status\r\n\r\n" \
    "Reporting-MTA: dns; mx.example.org\r\n\r\n" \
    "Final-Recipient: rfc822; a@example.net\r\nAction: failed\r\n" \
    "Status: 5.1.1\r\nRemote-MTA: dns; mx.example.net\r\n" \
    "Diagnostic-Code: smtp; 550 5.1.1 User unknown\r\n\r\n" \
    "Final-Recipient: rfc822; b@example.org\r\nAction: failed\r\n" \
    "Status: 5.7.1\r\nDiagnostic-Code: smtp; 554 5.7.1 Service\r\n" \
    "    unavailable; Client host [192.0.2.1] blocked using\r\n" \
    "    zen.spamhaus.org\r\n\r\n" \
    "Final-Recipient: rfc822; c@example.com\r\nAction: delivered\r\n" \
    "Status: 2.0.0\r\n\r\n" \
    "--XX.1/mx.example.org--\r\n"
static char out[65536];

/* The samples of tests/data/dsn: the first recipient's class and fault. */
static const struct {
	const char *file, *cls, *fault;
	bool text;		/* a free-text bounce, not RFC 3464 */
} SAMPLES[] = {
	{ "rfc3464-plain.eml", "mailbox_not_found", "recipient", false },
	{ "rfc3464-base64.eml", "mailbox_not_found", "recipient", false },
	{ "rfc3464-qp.eml", "mailbox_not_found", "recipient", false },
	{ "postfix-two-rcpts.eml", "mailbox_not_found", "recipient", false },
	{ "exim.eml", "policy_blocked", "sender", false },
	{ "m365.eml", "mailbox_not_found", "recipient", false },
	{ "google.eml", "rejected_other", "none", false },
	{ "postfix-delayed.eml", "rate_limited", "temporary", false },
	{ "qmail.eml", "mailbox_not_found", "recipient", true },
	{ "exim-text.eml", "mailbox_not_found", "recipient", true },
	{ "exim-deferred.eml", "greylisted", "temporary", true },
	{ "postfix-text.eml", "mailbox_not_found", "recipient", true },
};

/*
 * Replies for the rules of validator/README ("explain: how a reply is
 * read"): what each must give, and sender-side or temporary replies that
 * must not blame the recipient. Written for these tests, in the wording
 * the sources of lists/smtp-phrases.tsv give.
 */
static const struct {
	const char *reply, *cls, *fault, *why;
} RULES[] = {
	/* words beat a code when both blame the mailbox */
	{ "550 5.2.1 <a@example.org>... User Unknown", "mailbox_not_found",
	    "recipient", "5.2.1 with 'user unknown': the words decide" },
	{ "552 5.1.1 5.2.2 sorry, final recipient mailbox is full",
	    "mailbox_full", "recipient", "5.1.1 with 'mailbox is full'" },
	{ "550 5.2.1 Mailbox unavailable", "mailbox_disabled", "recipient",
	    "5.2.1 without words: the code decides" },
	/* RFC 3463 codes */
	{ "501 5.1.3 Bad recipient address syntax", "mailbox_not_found",
	    "recipient", "5.1.3: bad destination address syntax" },
	{ "554 5.4.5 Mail system congested", "rate_limited", "temporary",
	    "x.4.5 congestion is transient, even with a 5xx" },
	{ "452 4.4.5 Insufficient system resources", "rate_limited",
	    "temporary", "4.4.5 congestion" },
	{ "554 5.3.1 Mail system full", "temporary_error", "temporary",
	    "x.3.1 mail system full is transient" },
	{ "554 5.4.7 Delivery time expired", "rejected_other", "none",
	    "5.4.7: the message expired, not the address" },
	{ "530 Authentication required", "relay_denied", "none",
	    "530 (RFC 4954): not this server's user" },
	/* x.7.13 */
	{ "525 5.7.13 <a@example.org>: Recipient address rejected: User "
	    "account disabled", "mailbox_disabled", "recipient",
	    "5.7.13 with the recipient's account disabled" },
	{ "550 5.7.13 <a@example.org>: Disabled recipient address",
	    "mailbox_disabled", "recipient", "5.7.13, 'disabled recipient'" },
	{ "550 5.7.13 User account disabled", "policy_blocked", "sender",
	    "5.7.13 without naming the recipient: the sender's account" },
	/* phrases of the message, not the address (5xx only) */
	{ "552 Message size exceeds fixed maximum message size (10485760)",
	    "rejected_other", "none", "message size" },
	{ "554 5.4.6 Hop count exceeded - possible mail loop",
	    "rejected_other", "none", "mail loop" },
	{ "452 Message too large for now", "temporary_error", "temporary",
	    "message size with a 4xx stays temporary" },
	/* the domain of the address does not exist */
	{ "550 Host unknown", "mailbox_not_found", "recipient",
	    "'host unknown'" },
	{ "550 unrouteable address", "mailbox_not_found", "recipient",
	    "'unrouteable address'" },
	{ "553 5.1.8 Sender domain does not exist", "sender_rejected",
	    "sender", "the sender's domain is not the recipient's" },
	/* disabled */
	{ "550 5.2.1 The email account that you tried to reach is disabled.",
	    "mailbox_disabled", "recipient", "Google's DisabledUser" },
	{ "550 Invalid/inactive user", "mailbox_disabled", "recipient",
	    "'invalid/inactive user'" },
	/* sender side, temporary: never the recipient */
	{ "454 4.7.0 Cannot authenticate due to a temporary system problem. "
	    "Try again later.", "temporary_error", "temporary",
	    "'temporary system problem' with a 4.7.0" },
	{ "501 5.5.4 HELO/EHLO argument is invalid", "policy_blocked",
	    "sender", "HELO/EHLO is the sending host" },
	{ "421 4.7.0 Try again later, closing connection. (EHLO)",
	    "rate_limited", "temporary", "EHLO alone is not a sender phrase" },
	{ "553 <a@example.org>... unauthorized relay traffic prohibited",
	    "relay_denied", "none", "'unauthorized relay'" },
	{ "550 5.7.0, Mail Sending denied. This error occurs if the sender "
	    "account is disabled or not registered within your Google "
	    "Workspace domain.", "sender_rejected", "sender",
	    "the sender account, though 'account is disabled'" },
	{ "550 5.7.1 <a@example.org>: Recipient address rejected: User "
	    "a@example.org temporary locked. Please try again later!",
	    "policy_blocked", "sender", "5.7.1 stays the sender's side" },
	{ "554 5.7.1 Client host rejected: blocked using zen.spamhaus.org; "
	    "user unknown", "policy_blocked", "sender",
	    "a blocklist beats the recipient words" },
};

/* run - explain_main(argv) with stdin from in (NULL: none); stdout in out. */
static int
run(const char *in, int argc, const char **argv)
{
	FILE *o = tmpfile(), *i = NULL;
	int saved_out, saved_in = -1, rc;
	size_t n;

	fflush(stdout);
	saved_out = dup(1);
	dup2(fileno(o), 1);
	if (in != NULL) {
		i = tmpfile();
		fputs(in, i);
		rewind(i);
		saved_in = dup(0);
		dup2(fileno(i), 0);
		clearerr(stdin);
	}
	rc = explain_main(argc, (char **)argv, lists);
	fflush(stdout);
	dup2(saved_out, 1);
	close(saved_out);
	if (i != NULL) {
		dup2(saved_in, 0);
		close(saved_in);
		fclose(i);
		clearerr(stdin);
	}
	rewind(o);
	n = fread(out, 1, sizeof(out) - 1, o);
	out[n] = '\0';
	fclose(o);
	return rc;
}

int
main(void)
{
	const char *src = getenv("srcdir");
	int rc;

	snprintf(lists, sizeof(lists), "%s/lists", src ? src : ".");

	{
		const char *a[] = { "explain", "550", "5.1.1", "User", "unknown" };

		rc = run(NULL, 5, a);
		is_int(rc, 0, "unquoted arguments: exit 0");
		ok(strstr(out, "class:      mailbox_not_found\n") != NULL &&
		    strstr(out, "enhanced:   5.1.1\n") != NULL &&
		    strstr(out, "at fault:   the recipient's address") != NULL &&
		    strstr(out, "remove:     yes") != NULL &&
		    strstr(out, "Remove the address") != NULL,
		    "plain text: class, fault, advice, remove");
	}
	{
		const char *a[] = { "explain", "--json" };

		rc = run("550-5.7.26 This mail has been blocked because the "
		    "sender is\r\n550 5.7.26 unauthenticated. DMARC \"policy\"\r\n",
		    2, a);
		is_int(rc, 0, "stdin, multi-line, --json: exit 0");
		ok(strstr(out, "\"code\":550") != NULL &&
		    strstr(out, "\"class\":\"policy_blocked\"") != NULL &&
		    strstr(out, "\"fault\":\"sender\"") != NULL &&
		    strstr(out, "\"remove\":false") != NULL &&
		    strstr(out, "DMARC \\\"policy\\\"") != NULL &&
		    strstr(out, "SPF, DKIM and DMARC") != NULL,
		    "JSON object with escaped text and the advice");
		if (strstr(out, "\"class\":\"policy_blocked\"") == NULL)
			diag("%s", out);
	}
	{
		const char *a[] = { "explain", "host mx.example[192.0.2.1] said: "
		    "550 5.1.1 <b@example.com>: User unknown (in reply to MAIL "
		    "FROM command)" };

		rc = run(NULL, 2, a);
		ok(rc == 0 && strstr(out, "stage:      mail") != NULL &&
		    strstr(out, "class:      sender_rejected") != NULL,
		    "stage read from '(in reply to MAIL FROM command)'");
	}
	{
		const char *a[] = { "explain", "--stage=connect", "554 no" };

		rc = run(NULL, 3, a);
		ok(rc == 0 && strstr(out, "class:      policy_blocked") != NULL,
		    "--stage=connect");
	}
	{
		const char *a[] = { "explain", "--json", "452 4.2.2 over quota" };

		rc = run(NULL, 3, a);
		ok(rc == 0 && strstr(out, "\"class\":\"mailbox_full\"") != NULL &&
		    strstr(out, "\"permanent\":false") != NULL,
		    "452 4.2.2: mailbox_full, not permanent");
	}
	{
		const char *a[] = { "explain", "Diagnostic-Code: smtp; 5.1.1" };

		rc = run(NULL, 2, a);
		ok(rc == 0 && strstr(out, "550, inferred") != NULL,
		    "code inferred from the enhanced code");
	}
	{
		const char *a[] = { "explain", "--bogus" };

		is_int(run(NULL, 2, a), 2, "unknown option: exit 2");
	}
	{
		const char *a[] = { "explain", "--stage=data", "550 x" };

		is_int(run(NULL, 3, a), 2, "unknown stage: exit 2");
	}
	{
		const char *a[] = { "explain", "hello", "world" };

		is_int(run(NULL, 3, a), 2, "no code in the input: exit 2");
	}
	{
		const char *a[] = { "explain" };

		is_int(run("", 1, a), 2, "empty stdin: exit 2");
	}
	{
		const char *a[] = { "explain" };

		rc = run("Diagnostic-Code: smtp; 550 5.1.1 no such user\n", 1, a);
		ok(rc == 0 && strstr(out, "class:      mailbox_not_found") != NULL,
		    "one pasted field line on stdin is a reply, not a message");
	}
	{
		const char *a[] = { "explain" };

		rc = run(DSN, 1, a);
		is_int(rc, 0, "a bounce message on stdin: exit 0");
		ok(strstr(out, "recipient:  a@example.net\n") != NULL &&
		    strstr(out, "status:     5.1.1\n") != NULL &&
		    strstr(out, "diagnostic: smtp; 550 5.1.1 User unknown\n") &&
		    strstr(out, "class:      mailbox_not_found\n") != NULL &&
		    strstr(out, "recipient:  b@example.org\n") != NULL &&
		    strstr(out, "class:      policy_blocked\n") != NULL &&
		    strstr(out, "1 recipient(s) not failed") != NULL,
		    "DSN: both failed recipients explained, the delivered one "
		    "counted");
		if (strstr(out, "policy_blocked") == NULL)
			diag("%s", out);
	}
	{
		const char *a[] = { "explain", "--json" };

		rc = run(DSN, 2, a);
		ok(rc == 0 && strstr(out, "{\"dsn\":true,\"format\":"
		    "\"rfc3464\",\"recipients\":[{") == out && strstr(out, "\"fault\":\"sender\"") != NULL &&
		    strstr(out, "\"recipients_total\":3,\"not_failed\":1") !=
		    NULL, "DSN --json");
	}
	{
		const char *a[] = { "explain" };

		rc = run("From: a@example.org\nSubject: hi\n\nHello.\n", 1, a);
		is_int(rc, 2, "a letter that is no bounce: exit 2");
	}
	{
		const char *a[] = { "explain", "--dsn" };

		is_int(run("550 5.1.1 no", 2, a), 2, "--dsn on a reply: exit 2");
	}
	{
		const char *a[] = { "explain", "--dsn", "550" };

		is_int(run(NULL, 3, a), 2, "--dsn with arguments: exit 2");
	}
	for (size_t k = 0; k < sizeof(SAMPLES) / sizeof(SAMPLES[0]); k++) {
		const char *t[] = { "explain" }, *j[] = { "explain", "--json" };
		char path[4096], want[128];
		char *msg;

		snprintf(path, sizeof(path), "%s/tests/data/dsn/%s",
		    src != NULL ? src : ".", SAMPLES[k].file);
		if ((msg = slurp(path, NULL)) == NULL) {
			ok(0, "%s: cannot read", SAMPLES[k].file);
			continue;
		}
		rc = run(msg, 1, t);
		snprintf(want, sizeof(want), "class:      %s\n", SAMPLES[k].cls);
		ok(rc == 0 && strstr(out, want) != NULL, "%s: text, class %s",
		    SAMPLES[k].file, SAMPLES[k].cls);
		rc = run(msg, 2, j);
		snprintf(want, sizeof(want), "\"class\":\"%s\",", SAMPLES[k].cls);
		ok(rc == 0 && strstr(out, "{\"dsn\":true,") == out &&
		    strstr(out, want) != NULL, "%s: --json, class %s",
		    SAMPLES[k].file, SAMPLES[k].cls);
		snprintf(want, sizeof(want), "\"format\":\"%s\"",
		    SAMPLES[k].text ? "text" : "rfc3464");
		ok(strstr(out, want) != NULL, "%s: --json, %s", SAMPLES[k].file,
		    want);
		snprintf(want, sizeof(want), "\"fault\":\"%s\"", SAMPLES[k].fault);
		ok(strstr(out, want) != NULL, "%s: at fault: %s",
		    SAMPLES[k].file, SAMPLES[k].fault);
		free(msg);
	}
	for (size_t k = 0; k < sizeof(RULES) / sizeof(RULES[0]); k++) {
		const char *a[] = { "explain", "--json", "--", RULES[k].reply };
		char wc[128], wf[128];

		rc = run(NULL, 4, a);
		snprintf(wc, sizeof(wc), "\"class\":\"%s\",", RULES[k].cls);
		snprintf(wf, sizeof(wf), "\"fault\":\"%s\"", RULES[k].fault);
		ok(rc == 0 && strstr(out, wc) != NULL && strstr(out, wf) != NULL,
		    "rule: %s -> %s/%s", RULES[k].why, RULES[k].cls,
		    RULES[k].fault);
		if (strstr(out, wc) == NULL || strstr(out, wf) == NULL)
			diag("%s", out);
	}
	{
		const char *a[] = { "explain", "--help" };

		ok(run(NULL, 2, a) == 0 && strstr(out, "usage:") != NULL,
		    "--help: usage, exit 0");
	}
	return done_testing();
}
